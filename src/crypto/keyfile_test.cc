#include "crypto/keyfile.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "testing/testdata.h"

namespace entente::crypto {
namespace {

SecretBytes Pass(std::string_view s) { return SecretBytes(AsBytes(s)); }

TEST(KeyFile, RoundTrips) {
  Identity id = Identity::Generate();
  Bytes file =
      EncodeKeyFile(id, "Alice, USA", Pass("correct horse"), KdfParams::ForTests()).value();
  KeyFileInfo info = InspectKeyFile(file).value();
  EXPECT_EQ(info.comment, "Alice, USA");
  EXPECT_EQ(info.signing_public, id.signing.public_key());
  EXPECT_EQ(info.encryption_public, id.encryption.public_key());

  Identity back = DecodeKeyFile(file, Pass("correct horse")).value();
  EXPECT_TRUE(back.signing.seed().Equals(id.signing.seed()));
  EXPECT_TRUE(back.encryption.secret().Equals(id.encryption.secret()));
}

TEST(KeyFile, WrongPassphraseIsOneVagueError) {
  Identity id = Identity::Generate();
  Bytes file = EncodeKeyFile(id, "", Pass("right"), KdfParams::ForTests()).value();
  auto wrong = DecodeKeyFile(file, Pass("wrong"));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(), "key file: wrong passphrase or tampered key file");
}

TEST(KeyFile, EveryFlippedByteIsRejected) {
  Identity id = Identity::Generate();
  Bytes file = EncodeKeyFile(id, "x", Pass("pw"), KdfParams::ForTests()).value();
  for (size_t i = 0; i < file.size(); ++i) {
    Bytes flipped = file;
    flipped[i] ^= 0x04;
    auto result = DecodeKeyFile(flipped, Pass("pw"));
    EXPECT_FALSE(result.has_value()) << "flipped byte " << i << " was accepted";
  }
}

TEST(KeyFile, TruncatedAndTrailingAreRejected) {
  Identity id = Identity::Generate();
  Bytes file = EncodeKeyFile(id, "x", Pass("pw"), KdfParams::ForTests()).value();
  for (size_t n = 0; n < file.size(); ++n) {
    auto result = InspectKeyFile(ByteView(file).first(n));
    ASSERT_FALSE(result.has_value()) << "truncated to " << n;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  }
  Bytes trailing = file;
  trailing.push_back(0);
  auto result = InspectKeyFile(trailing);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find("trailing"), std::string::npos);
}

TEST(KeyFile, HostileKdfParametersAreRefusedBeforeDerivation) {
  Identity id = Identity::Generate();
  Bytes file = EncodeKeyFile(id, "", Pass("pw"), KdfParams::ForTests()).value();
  // memlimit_kib lives at offset 14..17: ask for 4 TiB.
  file[14] = 0xff;
  auto result = InspectKeyFile(file);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find("out of range"), std::string::npos);
}

TEST(KeyFile, RejectsBadArguments) {
  Identity id = Identity::Generate();
  EXPECT_FALSE(EncodeKeyFile(id, "", Pass(""), KdfParams::ForTests()).has_value());
  EXPECT_FALSE(EncodeKeyFile(id, "line\nbreak", Pass("pw"), KdfParams::ForTests()).has_value());
  EXPECT_FALSE(
      EncodeKeyFile(id, std::string(256, 'a'), Pass("pw"), KdfParams::ForTests()).has_value());
}

// testdata/keyfile/v1.key was written by `keyfile_vectors` (see docs/formats/keyfile.md); its
// passphrase and expected public keys are in v1.txt. A reader that changes how it derives or
// decrypts fails here.
TEST(KeyFile, KnownAnswerVector) {
  std::string file = entente::testing::ReadSourceFile("testdata/keyfile/v1.key.hex");
  std::string expected = entente::testing::ReadSourceFile("testdata/keyfile/v1.txt");
  while (!file.empty() && (file.back() == '\n')) file.pop_back();
  Bytes bytes = HexDecode(file).value();
  Identity id = DecodeKeyFile(bytes, Pass("entente test vector")).value();
  std::string got = "signing_seed " + HexEncode(id.signing.seed().view()) + "\n" +
                    "signing_public " + HexEncode(id.signing.public_key().view()) + "\n" +
                    "encryption_secret " + HexEncode(id.encryption.secret().view()) + "\n" +
                    "encryption_public " + HexEncode(id.encryption.public_key().view()) + "\n";
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace entente::crypto
