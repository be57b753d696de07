// crypto/baseline.h: the raw libsodium / OpenSSL operations, without Entente's wrappers, for
// benchmarks in other modules to measure against ("our figure beside the physical limit").
// Only benchmarks link this (library entente_crypto_baseline); it keeps sodium.h and OpenSSL's
// headers inside src/crypto/.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace entente::crypto::baseline {

// Initialises libsodium (selects its fastest implementations).
void Init();

// What sealing an envelope costs in raw calls: random DEK and nonce, one XChaCha20-Poly1305
// encryption of `content`, one crypto_box_seal of 64 bytes per recipient.
void RawEnvelopeSeal(ByteView content, std::span<const std::array<uint8_t, 32>> recipients);

// One SHA-256 of `data` with OpenSSL's low-level SHA256_Init/Update/Final (its fastest path),
// into `out`.
void RawSha256(ByteView data, uint8_t out[32]);

// A fresh X25519 public key (its private half is discarded).
std::array<uint8_t, 32> RawBoxPublicKey();
// A message of `size` random bytes signed with a fresh Ed25519 key, and the raw check of it
// (crypto_sign_verify_detached): the ceiling for anything that verifies signatures.
struct RawSignedMessage {
  std::array<uint8_t, 32> public_key;
  std::array<uint8_t, 64> signature;
  Bytes message;
};
RawSignedMessage RawEd25519SignedMessage(size_t size);
bool RawEd25519Verify(const RawSignedMessage& signed_message);

}  // namespace entente::crypto::baseline
