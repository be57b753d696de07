#include "crypto/box.h"

#include <sodium.h>

#include "crypto/random.h"
#include "crypto/sodium.h"

namespace entente::crypto {

static_assert(crypto_box_SEALBYTES == kSealOverhead);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kAeadKeySize);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kAeadNonceSize);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kAeadTagSize);

namespace {
std::unexpected<Error> DecryptionFailed() { return Unauthenticated("decryption failed"); }
}  // namespace

Result<EncryptionPublicKey> EncryptionPublicKey::FromBytes(ByteView bytes) {
  if (bytes.size() != kSize) {
    return InvalidArgument("X25519 public key must be 32 bytes, got " +
                           std::to_string(bytes.size()));
  }
  return EncryptionPublicKey(ToArray<kSize>(bytes));
}

EncryptionKey EncryptionKey::Generate() {
  SecretBytes secret = RandomSecret(kSecretSize);
  return *FromSecret(secret.view());
}

Result<EncryptionKey> EncryptionKey::FromSecret(ByteView secret) {
  if (secret.size() != kSecretSize) {
    return InvalidArgument("X25519 private key must be 32 bytes, got " +
                           std::to_string(secret.size()));
  }
  internal::EnsureSodium();
  std::array<uint8_t, EncryptionPublicKey::kSize> pk;
  crypto_scalarmult_base(pk.data(), secret.data());
  return EncryptionKey(SecretBytes(secret), EncryptionPublicKey(pk));
}

Bytes Seal(const EncryptionPublicKey& recipient, ByteView plaintext) {
  internal::EnsureSodium();
  Bytes out(plaintext.size() + kSealOverhead);
  crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.bytes().data());
  return out;
}

Result<SecretBytes> OpenSealed(const EncryptionKey& key, ByteView sealed) {
  if (sealed.size() < kSealOverhead) return DecryptionFailed();
  SecretBytes out(sealed.size() - kSealOverhead);
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(),
                           key.public_key().bytes().data(), key.secret().data()) != 0) {
    return DecryptionFailed();
  }
  return out;
}

Status AeadEncryptInto(const SecretBytes& key, ByteView nonce, ByteView plaintext, ByteView aad,
                       std::span<uint8_t> out) {
  if (key.size() != kAeadKeySize || nonce.size() != kAeadNonceSize ||
      out.size() != plaintext.size() + kAeadTagSize) {
    return InvalidArgument("AEAD key must be 32 bytes, nonce 24, output plaintext + 16");
  }
  unsigned long long out_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &out_len, plaintext.data(),
                                             plaintext.size(), aad.data(), aad.size(), nullptr,
                                             nonce.data(), key.data());
  return {};
}

Result<Bytes> AeadEncrypt(const SecretBytes& key, ByteView nonce, ByteView plaintext,
                          ByteView aad) {
  Bytes out(plaintext.size() + kAeadTagSize);
  ENTENTE_RETURN_IF_ERROR(AeadEncryptInto(key, nonce, plaintext, aad, out));
  return out;
}

Result<SecretBytes> AeadDecrypt(const SecretBytes& key, ByteView nonce, ByteView ciphertext,
                                ByteView aad) {
  if (key.size() != kAeadKeySize || nonce.size() != kAeadNonceSize ||
      ciphertext.size() < kAeadTagSize) {
    return DecryptionFailed();
  }
  SecretBytes out(ciphertext.size() - kAeadTagSize);
  unsigned long long out_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &out_len, nullptr, ciphertext.data(),
                                                 ciphertext.size(), aad.data(), aad.size(),
                                                 nonce.data(), key.data()) != 0) {
    return DecryptionFailed();
  }
  return out;
}

}  // namespace entente::crypto
