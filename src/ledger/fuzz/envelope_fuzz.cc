// Fuzzes envelope decoding and opening with a fixed key: never a crash, and whatever decodes
// re-encodes to the same bytes.
#include <cstdint>
#include <cstdlib>

#include "ledger/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  static const auto key = crypto::EncryptionKey::FromSecret(Bytes(32, 1)).value();
  ByteView input(data, size);
  if (auto env = ledger::DecodeEnvelope(input)) {
    auto again = ledger::EncodeEnvelope(*env);
    if (!again || !Equal(*again, input)) std::abort();
    crypto::Digest aad{};
    (void)ledger::OpenEnvelope(*env, aad, key);
  }
  return 0;
}
