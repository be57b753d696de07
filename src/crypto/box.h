// crypto/box.h: X25519 encryption keys, sealed boxes (libsodium crypto_box_seal: ephemeral
// X25519 + XSalsa20-Poly1305, anonymous sender) and XChaCha20-Poly1305 AEAD (IETF variant).
//
// Every decryption failure, whatever its cause (wrong key, flipped byte, wrong nonce or aad,
// truncation), is the same vague Unauthenticated("decryption failed").
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace entente::crypto {

// An X25519 public key. Cheap to copy.
class EncryptionPublicKey {
 public:
  static constexpr size_t kSize = 32;
  EncryptionPublicKey() = default;
  explicit EncryptionPublicKey(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}
  static Result<EncryptionPublicKey> FromBytes(ByteView bytes);
  ByteView view() const { return bytes_; }
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  auto operator<=>(const EncryptionPublicKey&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

// An X25519 key pair; the private half lives in SecretBytes. Move-only.
class EncryptionKey {
 public:
  static constexpr size_t kSecretSize = 32;
  static EncryptionKey Generate();
  // Rebuilds the pair from its 32-byte private key; InvalidArgument if not 32 bytes.
  static Result<EncryptionKey> FromSecret(ByteView secret);

  EncryptionKey(EncryptionKey&&) noexcept = default;
  EncryptionKey& operator=(EncryptionKey&&) noexcept = default;

  const EncryptionPublicKey& public_key() const { return public_key_; }
  const SecretBytes& secret() const { return secret_; }

 private:
  EncryptionKey(SecretBytes secret, EncryptionPublicKey pk)
      : secret_(std::move(secret)), public_key_(pk) {}
  SecretBytes secret_;
  EncryptionPublicKey public_key_;
};

// Overhead of a sealed box over its plaintext: ephemeral public key + MAC.
constexpr size_t kSealOverhead = 48;

// Seals `plaintext` to `recipient`; the result is plaintext.size() + kSealOverhead bytes.
Bytes Seal(const EncryptionPublicKey& recipient, ByteView plaintext);
// Opens a sealed box with `key`; Unauthenticated("decryption failed") on any failure.
[[nodiscard]] Result<SecretBytes> OpenSealed(const EncryptionKey& key, ByteView sealed);

// XChaCha20-Poly1305 (IETF, draft-irtf-cfrg-xchacha): 32-byte key, 24-byte nonce, 16-byte tag.
constexpr size_t kAeadKeySize = 32;
constexpr size_t kAeadNonceSize = 24;
constexpr size_t kAeadTagSize = 16;

// Encrypts into `out`, which must hold plaintext.size() + kAeadTagSize bytes (no allocation:
// for hot paths that reuse a buffer). InvalidArgument for a wrong key, nonce or output size.
[[nodiscard]] Status AeadEncryptInto(const SecretBytes& key, ByteView nonce, ByteView plaintext,
                                     ByteView aad, std::span<uint8_t> out);
// Encrypts; InvalidArgument only for a wrong key or nonce size (a programming error upstream).
[[nodiscard]] Result<Bytes> AeadEncrypt(const SecretBytes& key, ByteView nonce, ByteView plaintext,
                                        ByteView aad);
// Decrypts and authenticates; Unauthenticated("decryption failed") on any failure.
[[nodiscard]] Result<SecretBytes> AeadDecrypt(const SecretBytes& key, ByteView nonce,
                                              ByteView ciphertext, ByteView aad);

}  // namespace entente::crypto
