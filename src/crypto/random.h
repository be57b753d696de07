// crypto/random.h: cryptographically secure randomness (libsodium randombytes, i.e. getrandom).
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "crypto/secret_bytes.h"

namespace entente::crypto {

void RandomFill(uint8_t* out, size_t size);

inline Bytes RandomBytes(size_t size) {
  Bytes out(size);
  RandomFill(out.data(), size);
  return out;
}

template <size_t N>
std::array<uint8_t, N> RandomArray() {
  std::array<uint8_t, N> out;
  RandomFill(out.data(), N);
  return out;
}

inline SecretBytes RandomSecret(size_t size) {
  SecretBytes out(size);
  RandomFill(out.data(), size);
  return out;
}

}  // namespace entente::crypto
