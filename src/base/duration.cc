// ISO 8601 durations (the fixed-length subset in duration.h). The parser reads the text once,
// left to right: a number, an optional fraction, a designator; "T" switches from the day part
// to the time part. Each designator has a rank (D < H < M < S) that must strictly increase, which
// refuses both repeats and disorder. Numbers are bounded while they are read, so no arithmetic
// can overflow.
#include "base/duration.h"

#include <cstdio>
#include <iterator>

namespace entente {
namespace {

constexpr size_t kMaxQuoted = 40;
constexpr std::string_view kWeeksAlone =
    "weeks (W) cannot be combined with other parts; write days instead (P1W2D is P9D)";
constexpr std::string_view kTooLong = "longer than the limit of 100 years (P36525D)";

// `text` in double quotes for an error message: printable ASCII as it is, '"' and '\' escaped,
// other bytes as \xNN, cut after kMaxQuoted bytes with "...". Never contains a line break.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (text.size() > kMaxQuoted) out += "...";
  return out + "\"";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// "5", "25", "001": milliseconds (1..999) as the digits after a decimal point, without trailing
// zeros.
std::string Fraction(uint64_t millis) {
  std::string digits = std::to_string(millis + 1000).substr(1);
  while (digits.back() == '0') digits.pop_back();
  return digits;
}

struct Designator {
  char letter;
  bool in_time;  // after "T"
  uint64_t unit_ms;
  std::string_view name;
};
// In the order they must appear; the index is the rank.
constexpr Designator kDesignators[] = {
    {'D', false, kMsPerDay, "days"},
    {'H', true, kMsPerHour, "hours"},
    {'M', true, kMsPerMinute, "minutes"},
    {'S', true, kMsPerSecond, "seconds"},
};

}  // namespace

Result<uint64_t> ParseDuration(std::string_view text) {
  auto fail = [&](std::string_view problem) {
    return InvalidArgument("duration " + Quote(text) + ": " + std::string(problem));
  };
  if (text.empty()) return fail("empty; write e.g. PT10M, P1D or P2W");
  if (text.find('-') != std::string_view::npos) return fail("negative durations are not allowed");
  for (char c : text) {
    if (IsLower(c)) {
      std::string upper(text);
      for (char& u : upper) {
        if (IsLower(u)) u = static_cast<char>(u - 'a' + 'A');
      }
      return fail("designators must be upper-case: " + Quote(upper));
    }
  }
  if (text[0] != 'P') return fail("must start with P, e.g. PT10M for ten minutes");
  if (text.size() == 1) return fail("nothing after P; add a part, e.g. PT10M");

  uint64_t total = 0;
  bool in_time = false, weeks = false;
  int last_rank = -1;  // of the last designator read; -1 before the first
  size_t i = 1;
  while (i < text.size()) {
    if (weeks) return fail(kWeeksAlone);
    char c = text[i];
    if (c == 'T') {
      if (in_time) return fail("T appears twice");
      in_time = true;
      if (++i == text.size()) {
        return fail("nothing after T; add hours, minutes or seconds (PT1H) or leave the T out");
      }
      continue;
    }
    if (!IsDigit(c)) {
      if (c == 'W' || c == 'Y' || c == 'D' || c == 'H' || c == 'M' || c == 'S') {
        return fail(std::string(1, c) + " has no number before it");
      }
      return fail("unexpected " + Quote(text.substr(i, 1)) + " at position " + std::to_string(i));
    }

    // number [ "." 1*3DIGIT ]
    size_t start = i;
    uint64_t whole = 0;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
      // Bounded here so that neither this nor the multiplication by a unit below can overflow.
      if (whole > kMaxDurationMs) return fail(kTooLong);
    }
    uint64_t millis = 0;
    bool has_fraction = false;
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      if (text[i] == ',') return fail("use '.' as the decimal sign (PT0.5S)");
      has_fraction = true;
      size_t digits = 0;
      for (++i; i < text.size() && IsDigit(text[i]); ++i, ++digits) {
        if (digits == 3) {
          return fail("more than 3 fraction digits; milliseconds are the finest unit");
        }
        millis = millis * 10 + static_cast<uint64_t>(text[i] - '0');
      }
      if (digits == 0) return fail("a decimal point needs digits after it (PT0.5S)");
      for (; digits < 3; ++digits) millis *= 10;
    }
    if (i == text.size()) {
      return fail("number " + std::string(text.substr(start, i - start)) +
                  " has no designator after it (D, H, M or S)");
    }

    char letter = text[i++];
    if (letter == 'Y' || (letter == 'M' && !in_time)) {
      return fail("months and years have no fixed length; use days (P30D)");
    }
    if (has_fraction && letter != 'S') {
      return fail("only seconds may have a fraction (PT0.5S); use smaller units (PT1M30S)");
    }
    if (letter == 'W') {
      if (in_time || last_rank >= 0) return fail(kWeeksAlone);
      if (whole > kMaxDurationMs / kMsPerWeek) return fail(kTooLong);
      total = whole * kMsPerWeek;
      weeks = true;
      continue;
    }
    int rank = -1;
    for (int r = 0; r < static_cast<int>(std::size(kDesignators)); ++r) {
      if (kDesignators[r].letter == letter) rank = r;
    }
    if (rank < 0) {
      std::string quoted = Quote(text.substr(i - 1, 1));
      return fail(letter >= 'A' && letter <= 'Z'
                      ? "unknown designator " + quoted + " (expected W, D, T, H, M or S)"
                      : "unexpected " + quoted + " at position " + std::to_string(i - 1));
    }
    const Designator& d = kDesignators[rank];
    if (d.in_time != in_time) {
      return fail(d.in_time ? std::string(1, letter) + " (" + std::string(d.name) +
                                  ") must come after T, e.g. PT1" + letter
                            : "D (days) must come before T, e.g. P1DT2H");
    }
    if (rank == last_rank) return fail(std::string(1, letter) + " appears twice");
    if (rank < last_rank) {
      return fail(std::string(1, letter) + " after " + kDesignators[last_rank].letter +
                  ": write the parts in the order D, T, H, M, S");
    }
    last_rank = rank;
    if (whole > kMaxDurationMs / d.unit_ms) return fail(kTooLong);
    total += whole * d.unit_ms + millis;
    if (total > kMaxDurationMs) return fail(kTooLong);
  }
  return total;
}

std::string FormatDuration(uint64_t ms) {
  if (ms == 0) return "PT0S";
  uint64_t days = ms / kMsPerDay;
  uint64_t hours = ms % kMsPerDay / kMsPerHour;
  uint64_t minutes = ms % kMsPerHour / kMsPerMinute;
  uint64_t seconds = ms % kMsPerMinute / kMsPerSecond;
  uint64_t millis = ms % kMsPerSecond;
  std::string out = "P";
  if (days > 0) out += std::to_string(days) + "D";
  if (hours + minutes + seconds + millis > 0) out += "T";
  if (hours > 0) out += std::to_string(hours) + "H";
  if (minutes > 0) out += std::to_string(minutes) + "M";
  if (seconds + millis > 0) {
    out += std::to_string(seconds);
    if (millis > 0) out += "." + Fraction(millis);
    out += "S";
  }
  return out;
}

std::string HumanDuration(uint64_t ms) {
  if (ms < kMsPerMinute) {
    std::string out = std::to_string(ms / kMsPerSecond);
    if (ms % kMsPerSecond > 0) out += "." + Fraction(ms % kMsPerSecond);
    return out + "s";
  }
  struct Unit {
    uint64_t ms;
    char suffix;
  };
  constexpr Unit kUnits[] = {
      {kMsPerDay, 'd'}, {kMsPerHour, 'h'}, {kMsPerMinute, 'm'}, {kMsPerSecond, 's'}};
  size_t u = 0;
  while (ms < kUnits[u].ms) ++u;  // stops at minutes at the latest
  std::string out = std::to_string(ms / kUnits[u].ms) + kUnits[u].suffix;
  if (uint64_t next = ms % kUnits[u].ms / kUnits[u + 1].ms; next > 0) {
    out += " " + std::to_string(next) + kUnits[u + 1].suffix;
  }
  return out;
}

}  // namespace entente
