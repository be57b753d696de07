// exercise/text.h: small text helpers shared by the evaluation (evaluation.cc) and the report
// (report.cc). Internal to the exercise module: not part of its interface.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace entente::exercise {

// `parts` joined by `separator` (leading empty parts get no separator); "" for none.
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// An id (hex) cut to its first 12 characters and "…" when longer, for people to read.
std::string ShortId(std::string_view id);

// Milliseconds as JSON: the number, or null when there are none.
nlohmann::json OptionalMs(const std::optional<uint64_t>& ms);

}  // namespace entente::exercise
