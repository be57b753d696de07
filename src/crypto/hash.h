// crypto/hash.h: SHA-256 (FIPS 180-4), through OpenSSL's SHA-256, which uses the SHA-NI
// instructions where the processor has them (several times faster than libsodium's here).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "base/bytes.h"

namespace entente::crypto {

using Digest = std::array<uint8_t, 32>;

// SHA-256 of `data`.
Digest Sha256(ByteView data);
// SHA-256 of the concatenation of `parts`, without copying them.
Digest Sha256(std::initializer_list<ByteView> parts);

// Incremental SHA-256. Not thread-safe; cheap to create (no allocation).
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher& Update(ByteView data);
  // Returns the digest; the hasher must not be used afterwards except by `Reset()`.
  Digest Final();
  void Reset();

 private:
  // Large enough for OpenSSL's SHA256_CTX (112 bytes), checked in hash.cc.
  alignas(8) uint8_t state_[128];
};

}  // namespace entente::crypto
