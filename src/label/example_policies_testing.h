// label/example_policies_testing.h (tests only): the example policies under examples/, loaded
// once per call; fails the calling test if one does not load.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "label/policy.h"
#include "testing/testdata.h"

namespace entente::label {

inline std::shared_ptr<const Policy> LoadExample(const std::string& path) {
  auto policy = LoadPolicy(entente::testing::ReadSourceFile(path), path);
  EXPECT_TRUE(policy.has_value()) << policy.error().message();
  return policy.has_value() ? *policy : nullptr;
}

}  // namespace entente::label
