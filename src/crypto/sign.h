// crypto/sign.h: Ed25519 signatures (RFC 8032) with mandatory domain separation.
//
// Every Entente signature covers `domain || message`, where `domain` names the structure and
// its version ("entente/event/v1\n"), so that no signature over one structure can be replayed
// as another. `Domain` can only be made from a string literal, so a domain is always a constant
// in the code that owns the format. The one exception is `Domain::SignedNote()`: C2SP signed
// notes (checkpoints) are signed over the note text itself, whose first line (the origin,
// "entente/<space>/<partner>") and the signed-note format are the separation there.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace entente::crypto {

class Domain {
 public:
  template <size_t N>
  consteval Domain(const char (&literal)[N]) : text_(literal, N - 1) {}  // NOLINT: implicit
  static constexpr Domain SignedNote() { return Domain(); }
  std::string_view text() const { return text_; }

 private:
  constexpr Domain() = default;
  std::string_view text_;
};

using Signature = std::array<uint8_t, 64>;

// An Ed25519 public key. Cheap to copy.
class PublicKey {
 public:
  static constexpr size_t kSize = 32;
  PublicKey() = default;
  explicit PublicKey(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}
  // Returns the key in `bytes`, or InvalidArgument if it is not 32 bytes.
  static Result<PublicKey> FromBytes(ByteView bytes);

  // OK if `signature` is a valid signature by this key over `domain || message`; otherwise
  // Unauthenticated("signature verification failed"), whatever the reason.
  [[nodiscard]] Status Verify(Domain domain, ByteView message, ByteView signature) const;

  ByteView view() const { return bytes_; }
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  auto operator<=>(const PublicKey&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};
};

// An Ed25519 signing key: the 32-byte seed (RFC 8032 private key) and its expansion, held in
// SecretBytes. Move-only.
class SigningKey {
 public:
  static constexpr size_t kSeedSize = 32;
  static SigningKey Generate();
  // Derives the key from an RFC 8032 32-byte private key (seed); InvalidArgument if not 32 bytes.
  static Result<SigningKey> FromSeed(ByteView seed);

  SigningKey(SigningKey&&) noexcept = default;
  SigningKey& operator=(SigningKey&&) noexcept = default;

  const PublicKey& public_key() const { return public_key_; }
  const SecretBytes& seed() const { return seed_; }

  // Signs `domain || message`.
  Signature Sign(Domain domain, ByteView message) const;

 private:
  SigningKey(SecretBytes seed, SecretBytes expanded, PublicKey pk)
      : seed_(std::move(seed)), expanded_(std::move(expanded)), public_key_(pk) {}

  SecretBytes seed_;      // 32 bytes
  SecretBytes expanded_;  // 64 bytes, libsodium's secret key format (seed || public key)
  PublicKey public_key_;
};

}  // namespace entente::crypto
