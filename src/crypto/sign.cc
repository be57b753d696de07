#include "crypto/sign.h"

#include <sodium.h>

#include <cstring>

#include "crypto/random.h"
#include "crypto/sodium.h"

namespace entente::crypto {

static_assert(crypto_sign_PUBLICKEYBYTES == PublicKey::kSize);
static_assert(crypto_sign_BYTES == sizeof(Signature));
static_assert(crypto_sign_SEEDBYTES == SigningKey::kSeedSize);

namespace {
// Messages up to this size are prefixed on the stack; larger ones on the heap.
constexpr size_t kStackMessage = 2048;

template <class F>
auto WithPrefixed(Domain domain, ByteView message, F&& f) {
  size_t total = domain.text().size() + message.size();
  uint8_t stack[kStackMessage];
  Bytes heap;
  uint8_t* buffer = stack;
  if (total > kStackMessage) {
    heap.resize(total);
    buffer = heap.data();
  }
  if (!domain.text().empty()) std::memcpy(buffer, domain.text().data(), domain.text().size());
  if (!message.empty()) std::memcpy(buffer + domain.text().size(), message.data(), message.size());
  return f(buffer, total);
}
}  // namespace

Result<PublicKey> PublicKey::FromBytes(ByteView bytes) {
  if (bytes.size() != kSize) {
    return InvalidArgument("Ed25519 public key must be 32 bytes, got " +
                           std::to_string(bytes.size()));
  }
  return PublicKey(ToArray<kSize>(bytes));
}

Status PublicKey::Verify(Domain domain, ByteView message, ByteView signature) const {
  if (signature.size() != crypto_sign_BYTES) {
    return Unauthenticated("signature verification failed");
  }
  int rc = WithPrefixed(domain, message, [&](const uint8_t* m, size_t n) {
    return crypto_sign_verify_detached(signature.data(), m, n, bytes_.data());
  });
  if (rc != 0) return Unauthenticated("signature verification failed");
  return {};
}

SigningKey SigningKey::Generate() {
  SecretBytes seed = RandomSecret(kSeedSize);
  return *FromSeed(seed.view());
}

Result<SigningKey> SigningKey::FromSeed(ByteView seed) {
  if (seed.size() != kSeedSize) {
    return InvalidArgument("Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  internal::EnsureSodium();
  SecretBytes expanded(crypto_sign_SECRETKEYBYTES);
  std::array<uint8_t, PublicKey::kSize> pk;
  crypto_sign_seed_keypair(pk.data(), expanded.data(), seed.data());
  return SigningKey(SecretBytes(seed), std::move(expanded), PublicKey(pk));
}

Signature SigningKey::Sign(Domain domain, ByteView message) const {
  Signature sig;
  WithPrefixed(domain, message, [&](const uint8_t* m, size_t n) {
    return crypto_sign_detached(sig.data(), nullptr, m, n, expanded_.data());
  });
  return sig;
}

}  // namespace entente::crypto
