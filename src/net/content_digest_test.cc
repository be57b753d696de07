#include "net/content_digest.h"

#include <gtest/gtest.h>

#include <string>

namespace entente::net {
namespace {

// RFC 9530's examples use the content `{"hello": "world"}` followed by LF (19 bytes, as in its
// "Content-Length: 19"); RFC 9421's test-request (Appendix B.2) uses the same text without LF.
constexpr std::string_view kRfc9530Body = "{\"hello\": \"world\"}\n";
constexpr std::string_view kRfc9421Body = "{\"hello\": \"world\"}";
// RFC 9530 Appendix B (B.1-B.3, e.g. "Content-Digest: sha-256=:RK/0...:").
constexpr std::string_view kRfc9530Sha256 =
    "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:";
// RFC 9530 §2 example, the sha-512 of the same content.
constexpr std::string_view kRfc9530Sha512 =
    "sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/"
    "WkppmM44T3qg==:";
// RFC 9421 Appendix B.2 test-request carries this sha-512 Content-Digest of its 18-byte body;
// the sha-256 of the same body is the one every RFC 3230/9530 tutorial shows.
constexpr std::string_view kRfc9421Sha512 =
    "sha-512=:WZDPaVn/"
    "7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
constexpr std::string_view kRfc9421Sha256 =
    "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";

ErrorCode Code(const Status& s) { return s ? ErrorCode::kInternal : s.error().code(); }

TEST(ContentDigest, MatchesTheRfcExamples) {
  EXPECT_EQ(ContentDigest(AsBytes(kRfc9530Body)), kRfc9530Sha256);
  EXPECT_EQ(ContentDigest(AsBytes(kRfc9421Body)), kRfc9421Sha256);
  // SHA-256 of the empty string.
  EXPECT_EQ(ContentDigest({}), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

TEST(ContentDigest, VerifiesTheRfcExamples) {
  EXPECT_TRUE(VerifyContentDigest(kRfc9530Sha256, AsBytes(kRfc9530Body)));
  EXPECT_TRUE(VerifyContentDigest(kRfc9421Sha256, AsBytes(kRfc9421Body)));
  // RFC 9530 §2: several algorithms in one field; a recipient may ignore those it lacks.
  std::string both = std::string(kRfc9530Sha256) + ", " + std::string(kRfc9530Sha512);
  EXPECT_TRUE(VerifyContentDigest(both, AsBytes(kRfc9530Body)));
  std::string reversed =
      std::string(kRfc9530Sha512) + ",sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:";
  EXPECT_TRUE(VerifyContentDigest(reversed, AsBytes(kRfc9530Body)));
  // Unknown and insecure algorithms, whatever their values, are ignored.
  EXPECT_TRUE(VerifyContentDigest("unixsum=3, md5=(a b), " + std::string(kRfc9530Sha256),
                                  AsBytes(kRfc9530Body)));
  // Parameters on the member are ignored.
  EXPECT_TRUE(VerifyContentDigest(std::string(kRfc9530Sha256) + ";x=1", AsBytes(kRfc9530Body)));
}

TEST(ContentDigest, WithoutSha256ItCannotBeChecked) {
  // The RFC 9421 test-request carries only sha-512: valid RFC 9530, but not checkable here.
  EXPECT_EQ(Code(VerifyContentDigest(kRfc9421Sha512, AsBytes(kRfc9421Body))),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Code(VerifyContentDigest("", AsBytes(kRfc9421Body))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Code(VerifyContentDigest("SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
                                     AsBytes(kRfc9421Body))),
            ErrorCode::kInvalidArgument);  // keys are lower case (RFC 8941 §3.2)
}

TEST(ContentDigest, MismatchIsUnauthenticated) {
  Status s = VerifyContentDigest(kRfc9421Sha256, AsBytes(kRfc9530Body));  // one LF more
  EXPECT_EQ(Code(s), ErrorCode::kUnauthenticated);
  EXPECT_EQ(s.error().message(), "content digest mismatch");
  EXPECT_EQ(Code(VerifyContentDigest(kRfc9421Sha256, {})), ErrorCode::kUnauthenticated);
}

TEST(ContentDigest, MalformedValuesAreRejected) {
  std::string body(kRfc9421Body);
  for (std::string_view bad : {
           "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",     // truncated
           "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DB:",       // 29 bytes
           "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=AA:",  // bad base64
           "sha-256=\"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\"",  // string, not bytes
           "sha-256=(:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:)",  // inner list
           "sha-256",                                                   // Boolean true
           "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:,",   // trailing comma
       }) {
    EXPECT_EQ(Code(VerifyContentDigest(bad, AsBytes(body))), ErrorCode::kInvalidArgument) << bad;
  }
  std::string oversized = std::string(kRfc9421Sha256) + ", x=\"" + std::string(9000, 'a') + "\"";
  EXPECT_EQ(Code(VerifyContentDigest(oversized, AsBytes(body))), ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace entente::net
