#include "crypto/random.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/sodium.h"

namespace entente::crypto {

namespace internal {
void EnsureSodium() {
  static const bool kReady = [] {
    if (sodium_init() < 0) {
      std::fprintf(stderr, "entente: libsodium failed to initialise\n");
      std::abort();
    }
    return true;
  }();
  (void)kReady;
}
}  // namespace internal

void RandomFill(uint8_t* out, size_t size) {
  if (size == 0) return;  // out may be null for an empty buffer
  internal::EnsureSodium();
  randombytes_buf(out, size);
}

}  // namespace entente::crypto
