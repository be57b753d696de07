// Fuzzes ISO 8601 duration parsing. Parsing must never crash; a duration that parses must be at
// most the limit, and its canonical form must parse back to the same length and be its own
// canonical form. Any violation aborts.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/duration.h"

namespace {
void Require(bool condition) {
  if (!condition) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  auto ms = ParseDuration(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!ms) {
    Require(!ms.error().message().empty());
    return 0;
  }
  Require(*ms <= kMaxDurationMs);
  std::string canonical = FormatDuration(*ms);
  auto again = ParseDuration(canonical);
  Require(again.has_value() && *again == *ms);
  Require(FormatDuration(*again) == canonical);
  Require(!HumanDuration(*ms).empty());
  return 0;
}
