// Fuzzes event header and body decoding. Whatever decodes must re-encode to the same bytes.
#include <cstdint>
#include <cstdlib>

#include "ledger/event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  ByteView input(data, size);
  if (auto header = ledger::DecodeHeader(input)) {
    auto again = ledger::EncodeHeader(*header);
    if (!again || !Equal(*again, input)) std::abort();
    (void)ledger::VerifyHeaderSignature(*header);
  }
  if (auto body = ledger::DecodeBody(input)) {
    auto again = ledger::EncodeBody(*body);
    if (!again || !Equal(*again, input)) std::abort();
  }
  return 0;
}
