// exercise/text.cc: small text helpers shared by the evaluation and the report (text.h).
#include "exercise/text.h"

namespace entente::exercise {

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string ShortId(std::string_view id) {
  constexpr size_t kShown = 12;
  if (id.size() <= kShown) return std::string(id);
  return std::string(id.substr(0, kShown)) + "\u2026";
}

nlohmann::json OptionalMs(const std::optional<uint64_t>& ms) {
  return ms ? nlohmann::json(*ms) : nlohmann::json(nullptr);
}

}  // namespace entente::exercise
