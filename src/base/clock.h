// base/clock.h: time as an injected dependency.
//
// Domain code never reads the system clock: it asks a `Clock`, so tests, exercises and
// simulations run on a `ManualClock`. Time is Unix time in milliseconds (`TimeMs`), the unit of
// `created_ms` on the wire.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace entente {

using TimeMs = std::chrono::sys_time<std::chrono::milliseconds>;

inline uint64_t ToUnixMs(TimeMs t) { return static_cast<uint64_t>(t.time_since_epoch().count()); }
inline TimeMs FromUnixMs(uint64_t ms) {
  return TimeMs(std::chrono::milliseconds(static_cast<int64_t>(ms)));
}
// "2026-11-28T10:17:00.000Z" (RFC 3339, UTC).
std::string FormatRfc3339(TimeMs t);
// "2027-05-14", "2027-05-14T09:30Z", "2027-05-14T09:30:00Z" or "...:00.250Z" (UTC only) -> a time;
// InvalidArgument naming the text for anything else (a date that does not exist included).
[[nodiscard]] Result<TimeMs> ParseRfc3339(std::string_view text);

// A source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() const = 0;
};

// The system's real-time clock.
class SystemClock final : public Clock {
 public:
  TimeMs Now() const override;
  // A process-wide instance.
  static const SystemClock& Instance();
};

// A clock that moves only when told to: for tests and simulations.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_ms_(ToUnixMs(start)) {}
  TimeMs Now() const override { return FromUnixMs(now_ms_.load()); }
  void Set(TimeMs t) { now_ms_.store(ToUnixMs(t)); }
  void Advance(std::chrono::milliseconds d) { now_ms_.fetch_add(static_cast<uint64_t>(d.count())); }

 private:
  std::atomic<uint64_t> now_ms_;
};

}  // namespace entente
