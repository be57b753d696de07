// ledger/ids.h: identifiers on the wire: spaces, events, partner codes.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/strong.h"

namespace entente::ledger {

using SpaceId = FixedId<struct SpaceIdTag, 16>;
using EventId = FixedId<struct EventIdTag, 16>;

// A partner code: 1..63 characters of A-Z, 0-9 and '-' (ISO 3166-1 alpha-3 for nations:
// "USA", "KOR"; any organisation code otherwise). It names the origin of a log.
class PartnerCode {
 public:
  static constexpr size_t kMaxSize = 63;
  // Returns the code, or InvalidArgument naming the bad character or length.
  static Result<PartnerCode> Parse(std::string_view text);
  const std::string& str() const { return code_; }
  auto operator<=>(const PartnerCode&) const = default;

 private:
  explicit PartnerCode(std::string code) : code_(std::move(code)) {}
  std::string code_;
};

}  // namespace entente::ledger
