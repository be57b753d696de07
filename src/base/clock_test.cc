#include "base/clock.h"

#include <gtest/gtest.h>

namespace entente {
namespace {

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(FromUnixMs(1'000));
  EXPECT_EQ(ToUnixMs(clock.Now()), 1'000u);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_EQ(ToUnixMs(clock.Now()), 3'000u);
  clock.Set(FromUnixMs(42));
  EXPECT_EQ(ToUnixMs(clock.Now()), 42u);
}

TEST(Clock, SystemClockIsRecent) {
  // 2024-01-01 as a floor: a clock before it is broken, not skewed.
  EXPECT_GT(ToUnixMs(SystemClock::Instance().Now()), 1'704'067'200'000u);
}

TEST(Clock, FormatsRfc3339) {
  EXPECT_EQ(FormatRfc3339(FromUnixMs(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMs(1'795'861'020'123)), "2026-11-28T10:17:00.123Z");
}

}  // namespace
TEST(ParseRfc3339, DatesAndTimesRoundTripAndBadTextIsRefused) {
  EXPECT_EQ(FormatRfc3339(ParseRfc3339("2027-05-14").value()), "2027-05-14T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(ParseRfc3339("2027-05-14T09:30Z").value()), "2027-05-14T09:30:00.000Z");
  EXPECT_EQ(FormatRfc3339(ParseRfc3339("2026-11-28T10:17:05.250Z").value()),
            "2026-11-28T10:17:05.250Z");
  for (const char* bad : {"", "2027-5-14", "2027-02-30", "2027-05-14T25:00Z", "2027-05-14T09:30",
                          "2027-05-14T09:30+09:00", "2027-05-14 09:30Z", "x027-05-14"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

}  // namespace entente
