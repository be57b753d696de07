#include "crypto/box.h"

#include <gtest/gtest.h>

#include "crypto/random.h"

namespace entente::crypto {
namespace {

TEST(SealedBox, OpensOnlyWithTheRecipientKey) {
  EncryptionKey alice = EncryptionKey::Generate();
  EncryptionKey bob = EncryptionKey::Generate();
  Bytes sealed = Seal(alice.public_key(), AsBytes("data key"));
  EXPECT_EQ(sealed.size(), 8 + kSealOverhead);
  EXPECT_EQ(ToString(OpenSealed(alice, sealed).value().view()), "data key");

  auto wrong = OpenSealed(bob, sealed);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(), "decryption failed");

  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes flipped = sealed;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(OpenSealed(alice, flipped).has_value()) << "byte " << i;
  }
  EXPECT_FALSE(OpenSealed(alice, ByteView(sealed).first(47)).has_value());
}

TEST(SealedBox, KeyRebuildsFromSecret) {
  EncryptionKey key = EncryptionKey::Generate();
  EncryptionKey again = EncryptionKey::FromSecret(key.secret().view()).value();
  EXPECT_EQ(again.public_key(), key.public_key());
  EXPECT_FALSE(EncryptionKey::FromSecret(Bytes(16)).has_value());
}

TEST(Aead, RoundTripsAndBindsAad) {
  SecretBytes key = RandomSecret(kAeadKeySize);
  Bytes nonce = RandomBytes(kAeadNonceSize);
  Bytes ct = AeadEncrypt(key, nonce, AsBytes("plaintext"), AsBytes("aad")).value();
  EXPECT_EQ(ct.size(), 9 + kAeadTagSize);
  EXPECT_EQ(ToString(AeadDecrypt(key, nonce, ct, AsBytes("aad")).value().view()), "plaintext");

  EXPECT_FALSE(AeadDecrypt(key, nonce, ct, AsBytes("aae")).has_value());
  Bytes other_nonce = nonce;
  other_nonce[0] ^= 1;
  EXPECT_FALSE(AeadDecrypt(key, other_nonce, ct, AsBytes("aad")).has_value());
  SecretBytes other_key = RandomSecret(kAeadKeySize);
  EXPECT_FALSE(AeadDecrypt(other_key, nonce, ct, AsBytes("aad")).has_value());
  Bytes flipped = ct;
  flipped.back() ^= 1;
  EXPECT_FALSE(AeadDecrypt(key, nonce, flipped, AsBytes("aad")).has_value());
  EXPECT_FALSE(AeadDecrypt(key, nonce, ByteView(ct).first(15), AsBytes("aad")).has_value());
}

TEST(Aead, EncryptIntoChecksTheOutputSize) {
  SecretBytes key = RandomSecret(kAeadKeySize);
  Bytes nonce = RandomBytes(kAeadNonceSize);
  Bytes out(5 + kAeadTagSize);
  ASSERT_TRUE(AeadEncryptInto(key, nonce, AsBytes("hello"), {}, out).has_value());
  EXPECT_EQ(ToString(AeadDecrypt(key, nonce, out, {}).value().view()), "hello");
  Bytes small(5 + kAeadTagSize - 1);
  EXPECT_FALSE(AeadEncryptInto(key, nonce, AsBytes("hello"), {}, small).has_value());
}

// draft-irtf-cfrg-xchacha-03 §A.3.1 test vector for AEAD_XChaCha20_Poly1305.
TEST(Aead, XChaChaKnownAnswer) {
  Bytes key_bytes;
  for (int i = 0x80; i <= 0x9f; ++i) key_bytes.push_back(static_cast<uint8_t>(i));
  SecretBytes key(key_bytes);
  Bytes nonce;
  for (int i = 0x40; i <= 0x57; ++i) nonce.push_back(static_cast<uint8_t>(i));
  Bytes aad = {0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
  std::string plaintext =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.";
  Bytes ct = AeadEncrypt(key, nonce, AsBytes(plaintext), aad).value();
  // The tag (last 16 bytes) from the draft.
  Bytes tag(ct.end() - 16, ct.end());
  EXPECT_EQ(tag, (Bytes{0xc0, 0x87, 0x59, 0x24, 0xc1, 0xc7, 0x98, 0x79, 0x47, 0xde, 0xaf, 0xd8,
                        0x78, 0x0a, 0xcf, 0x49}));
  EXPECT_EQ(ct[0], 0xbd);
  EXPECT_EQ(ct[1], 0x6d);
}

}  // namespace
}  // namespace entente::crypto
