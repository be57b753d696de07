#include "sim/faults.h"

#include <charconv>

#include "base/duration.h"

namespace entente::sim {
namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Result<double> Probability(std::string_view text, std::string_view item) {
  double p = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc() || end != text.data() + text.size() || !(p >= 0.0 && p <= 1.0)) {
    return InvalidArgument("--faults " + std::string(item) + ": \"" + std::string(text) +
                           "\" is not a probability from 0 to 1");
  }
  return p;
}

Result<uint64_t> Length(std::string_view text, std::string_view item) {
  auto ms = ParseDuration(text);
  if (!ms) {
    return InvalidArgument("--faults " + std::string(item) + ": " + ms.error().message());
  }
  return *ms;
}

}  // namespace

Result<Faults> ParseFaults(std::string_view spec) {
  Faults faults;
  if (spec.empty()) return faults;
  for (std::string_view item : Split(spec, ',')) {
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("--faults \"" + std::string(item) +
                             "\": use latency=DURATION, outage=P/DURATION or "
                             "absent=PARTNER:ROLE/P/DURATION");
    }
    std::string_view name = item.substr(0, eq);
    auto parts = Split(item.substr(eq + 1), '/');
    if (name == "latency" && parts.size() == 1) {
      ENTENTE_ASSIGN_OR_RETURN(faults.latency_ms, Length(parts[0], item));
    } else if (name == "outage" && parts.size() == 2) {
      Faults::Outage outage;
      ENTENTE_ASSIGN_OR_RETURN(outage.probability, Probability(parts[0], item));
      ENTENTE_ASSIGN_OR_RETURN(outage.duration_ms, Length(parts[1], item));
      faults.outages.push_back(outage);
    } else if (name == "absent" && parts.size() == 3) {
      Faults::Absence absence;
      size_t colon = parts[0].find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == parts[0].size()) {
        return InvalidArgument("--faults " + std::string(item) + ": name PARTNER:ROLE");
      }
      absence.partner = std::string(parts[0].substr(0, colon));
      absence.role = std::string(parts[0].substr(colon + 1));
      ENTENTE_ASSIGN_OR_RETURN(absence.probability, Probability(parts[1], item));
      ENTENTE_ASSIGN_OR_RETURN(absence.duration_ms, Length(parts[2], item));
      faults.absences.push_back(absence);
    } else {
      return InvalidArgument("--faults \"" + std::string(item) +
                             "\": use latency=DURATION, outage=P/DURATION or "
                             "absent=PARTNER:ROLE/P/DURATION");
    }
  }
  return faults;
}

}  // namespace entente::sim
