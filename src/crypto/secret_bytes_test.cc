#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace entente::crypto {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);

TEST(SecretBytes, ComparesContentsAndMovesOut) {
  SecretBytes a(AsBytes("secret"));
  SecretBytes b = a.Clone();
  EXPECT_TRUE(a.Equals(b));
  SecretBytes c(AsBytes("secreT"));
  EXPECT_FALSE(a.Equals(c));
  EXPECT_FALSE(a.Equals(SecretBytes(AsBytes("secret!"))));
  SecretBytes moved = std::move(a);
  EXPECT_EQ(moved.size(), 6u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_TRUE(moved.Equals(b));
}

}  // namespace
}  // namespace entente::crypto
