#include "base/clock.h"

#include <cstdio>
#include <optional>

namespace entente {

std::string FormatRfc3339(TimeMs t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss<std::chrono::milliseconds> hms(t - days);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return text;
}

TimeMs SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock kClock;
  return kClock;
}

Result<TimeMs> ParseRfc3339(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("\"" + std::string(text) +
                           "\" is not a UTC date or time (2027-05-14 or 2027-05-14T09:30:00Z)");
  };
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > text.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
  if (!y || !mo || !d || text.size() < 10 || text[4] != '-' || text[7] != '-') return bad();
  std::chrono::year_month_day date{std::chrono::year(*y),
                                   std::chrono::month(static_cast<unsigned>(*mo)),
                                   std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return bad();
  int64_t ms = 0;
  if (text.size() > 10) {
    auto h = digits(11, 2), mi = digits(14, 2);
    if (text[10] != 'T' || !h || !mi || text.size() < 17 || text[13] != ':' || *h > 23 ||
        *mi > 59) {
      return bad();
    }
    ms = (*h * 3600LL + *mi * 60LL) * 1000;
    size_t at = 16;
    if (text[at] == ':') {
      auto sec = digits(at + 1, 2);
      if (!sec || *sec > 59) return bad();
      ms += *sec * 1000LL;
      at += 3;
      if (at < text.size() && text[at] == '.') {
        auto frac = digits(at + 1, 3);
        if (!frac) return bad();
        ms += *frac;
        at += 4;
      }
    }
    if (at + 1 != text.size() || text[at] != 'Z') return bad();
  }
  return TimeMs(std::chrono::sys_days(date).time_since_epoch() + std::chrono::milliseconds(ms));
}

}  // namespace entente
