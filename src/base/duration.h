// base/duration.h: lengths of time written as ISO 8601 durations, for policy files and people.
//
// Only the subset of ISO 8601:2004 §4.4.3.2 whose parts have a fixed length is accepted:
//
//   duration = "P" ( weeks / parts )
//   weeks    = number "W"                         ; alone: P2W
//   parts    = [ number "D" ] [ "T" [ number "H" ] [ number "M" ] [ seconds "S" ] ]
//                                                 ; at least one part; "T" only before a part
//   seconds  = number [ "." 1*3DIGIT ]            ; milliseconds are the finest unit
//   number   = 1*DIGIT
//
// Years and months are refused (their length varies), as are negative durations, lower-case
// designators, a comma as decimal sign, fractions of anything but seconds and finer precision
// than milliseconds. A duration is at most kMaxDurationMs (100 Julian years).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace entente {

constexpr uint64_t kMsPerSecond = 1000;
constexpr uint64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr uint64_t kMsPerHour = 60 * kMsPerMinute;
constexpr uint64_t kMsPerDay = 24 * kMsPerHour;
constexpr uint64_t kMsPerWeek = 7 * kMsPerDay;
// The longest duration ParseDuration accepts: 100 Julian years, P36525D.
constexpr uint64_t kMaxDurationMs = 36525 * kMsPerDay;

// Parses an ISO 8601 duration of the subset above ("PT10M", "P1DT2H", "PT0.5S", "P2W") to
// milliseconds. On failure returns InvalidArgument naming the input and the problem, e.g.
// `duration "P1M": months and years have no fixed length; use days (P30D)`.
[[nodiscard]] Result<uint64_t> ParseDuration(std::string_view text);

// The shortest canonical ISO 8601 form of `ms`: days, then hours, minutes and seconds with at
// most three fraction digits, zero parts left out; weeks are never produced. 0 -> "PT0S",
// 600000 -> "PT10M", 90061001 -> "P1DT1H1M1.001S". ParseDuration(FormatDuration(ms)) == ms for
// every ms up to kMaxDurationMs.
std::string FormatDuration(uint64_t ms);

// Compact text for people, e.g. for the time left before a deadline. Under a minute: seconds
// with up to three fraction digits ("45s", "1.5s", "0s"). From a minute on: the largest unit
// and the next one, rounded down, a zero second part left out ("10m", "1d 2h", "4m 59s", "1d").
std::string HumanDuration(uint64_t ms);

}  // namespace entente
