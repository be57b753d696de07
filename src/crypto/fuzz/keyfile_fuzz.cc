// Fuzzes the key file parser: InspectKeyFile must reject or accept without reading out of
// bounds, and never ask for more than its KDF limits.
#include <cstdint>

#include "crypto/keyfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = entente::crypto::InspectKeyFile(entente::ByteView(data, size));
  (void)info;
  return 0;
}
