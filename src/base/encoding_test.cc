#include "base/encoding.h"

#include <gtest/gtest.h>

namespace entente {
namespace {

TEST(Hex, RoundTripsAndRejectsBadInput) {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "0001abff");
  EXPECT_EQ(HexDecode("0001ABff").value(), data);
  EXPECT_EQ(HexDecode("").value(), Bytes{});
  EXPECT_FALSE(HexDecode("abc").has_value());
  auto bad = HexDecode("00zz");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("position 2"), std::string::npos);
}

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    EXPECT_EQ(ToString(Base64Decode(encoded).value()), plain);
    std::string url = encoded;
    while (!url.empty() && url.back() == '=') url.pop_back();
    EXPECT_EQ(Base64UrlEncode(AsBytes(plain)), url);
    EXPECT_EQ(ToString(Base64UrlDecode(url).value()), plain);
  }
}

TEST(Base64, AlphabetsDiffer) {
  Bytes data = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(data), "+/+/");
  EXPECT_EQ(Base64UrlEncode(data), "-_-_");
  EXPECT_FALSE(Base64Decode("-_-_").has_value());
  EXPECT_FALSE(Base64UrlDecode("+/+/").has_value());
}

TEST(Base64, RejectsNonCanonicalAndMalformed) {
  EXPECT_FALSE(Base64Decode("Zg=").has_value());      // bad length
  EXPECT_FALSE(Base64Decode("Zh==").has_value());     // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Z===").has_value());     // too much padding
  EXPECT_FALSE(Base64Decode("Zm9v\n").has_value());   // stray character
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());  // base64url is unpadded
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());     // impossible length
}

}  // namespace
}  // namespace entente
