#include "base/error.h"

#include <gtest/gtest.h>

namespace entente {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgument("value " + std::to_string(v) + " is not positive");
  return v;
}

Result<int> Doubled(int v) {
  ENTENTE_ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  return parsed * 2;
}

Status Checked(int v) {
  ENTENTE_RETURN_IF_ERROR(ParsePositive(v));
  return {};
}

TEST(Error, PropagatesThroughMacros) {
  EXPECT_EQ(Doubled(21).value(), 42);
  auto failed = Doubled(-1);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().ToString(), "invalid_argument: value -1 is not positive");
  EXPECT_TRUE(Checked(1).has_value());
  EXPECT_FALSE(Checked(0).has_value());
}

TEST(Error, ContextIsPrefixed) {
  Error e(ErrorCode::kNotFound, "no such event");
  EXPECT_EQ(e.WithContext("store").message(), "store: no such event");
  EXPECT_EQ(e.WithContext("store").code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace entente
