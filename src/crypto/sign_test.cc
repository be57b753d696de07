#include "crypto/sign.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace entente::crypto {
namespace {

Bytes Hex(std::string_view s) { return HexDecode(s).value(); }

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1-3 and TEST SHA(abc) is covered by hashing elsewhere.
const Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "4"
     "6bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
     "1d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984d"
     "c6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519, Rfc8032KnownAnswers) {
  for (const auto& v : kVectors) {
    SigningKey key = SigningKey::FromSeed(Hex(v.secret)).value();
    EXPECT_EQ(HexEncode(key.public_key().view()), v.public_key);
    Bytes message = Hex(v.message);
    // The signed-note domain is empty, so this is raw RFC 8032 Ed25519.
    Signature sig = key.Sign(Domain::SignedNote(), message);
    EXPECT_EQ(HexEncode(sig), v.signature);
    EXPECT_TRUE(key.public_key().Verify(Domain::SignedNote(), message, sig).has_value());
  }
}

TEST(Ed25519, DomainSeparatesSignatures) {
  SigningKey key = SigningKey::Generate();
  Bytes message = ToBytes("a message");
  Signature sig = key.Sign("entente/test/v1\n", message);
  EXPECT_TRUE(key.public_key().Verify("entente/test/v1\n", message, sig).has_value());
  // The same bytes under another domain, or raw, do not verify.
  EXPECT_FALSE(key.public_key().Verify("entente/other/v1\n", message, sig).has_value());
  EXPECT_FALSE(key.public_key().Verify(Domain::SignedNote(), message, sig).has_value());
  // The domain is a prefix: moving bytes between domain and message changes nothing, which is
  // why every domain ends in a newline that no structure begins with.
  Bytes shifted = ToBytes("\na message");
  EXPECT_TRUE(key.public_key().Verify("entente/test/v1", shifted, sig).has_value());
}

TEST(Ed25519, RejectsTamperingWithOneVagueError) {
  SigningKey key = SigningKey::Generate();
  Bytes message(5000, 0x42);  // larger than the stack buffer
  Signature sig = key.Sign("entente/test/v1\n", message);
  ASSERT_TRUE(key.public_key().Verify("entente/test/v1\n", message, sig).has_value());

  Bytes flipped_message = message;
  flipped_message[4999] ^= 1;
  auto bad = key.public_key().Verify("entente/test/v1\n", flipped_message, sig);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(bad.error().message(), "signature verification failed");

  Signature flipped_sig = sig;
  flipped_sig[10] ^= 0x80;
  EXPECT_FALSE(key.public_key().Verify("entente/test/v1\n", message, flipped_sig).has_value());
  EXPECT_FALSE(
      key.public_key().Verify("entente/test/v1\n", message, ByteView(sig).first(63)).has_value());
  SigningKey other = SigningKey::Generate();
  EXPECT_FALSE(other.public_key().Verify("entente/test/v1\n", message, sig).has_value());
}

TEST(Ed25519, KeySizesAreChecked) {
  EXPECT_FALSE(SigningKey::FromSeed(Bytes(31)).has_value());
  EXPECT_FALSE(PublicKey::FromBytes(Bytes(33)).has_value());
}

}  // namespace
}  // namespace entente::crypto
