#include "base/duration.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace entente {
namespace {

// The message of parsing `text`, which must fail with InvalidArgument.
std::string ParseError(std::string_view text) {
  auto ms = ParseDuration(text);
  if (ms.has_value()) {
    ADD_FAILURE() << "parsed \"" << text << "\" as " << *ms;
    return "";
  }
  EXPECT_EQ(ms.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ms.error().message().find('\n'), std::string::npos) << "not one line";
  return ms.error().message();
}

// True if parsing `text` fails with a message that contains `part`.
::testing::AssertionResult Refused(std::string_view text, std::string_view part) {
  auto ms = ParseDuration(text);
  if (ms.has_value()) {
    return ::testing::AssertionFailure() << "parsed \"" << text << "\" as " << *ms;
  }
  if (ms.error().message().find(part) == std::string::npos) {
    return ::testing::AssertionFailure() << "\"" << text << "\": " << ms.error().message();
  }
  return ::testing::AssertionSuccess();
}

TEST(Duration, ParsesTheFixedLengthSubset) {
  const std::pair<std::string_view, uint64_t> cases[] = {
      {"PT0S", 0},
      {"P0D", 0},
      {"PT10M", 10 * kMsPerMinute},
      {"PT1H", kMsPerHour},
      {"PT24H", kMsPerDay},
      {"P1D", kMsPerDay},
      {"P7D", kMsPerWeek},
      {"P2W", 2 * kMsPerWeek},
      {"P0W", 0},
      {"P1DT2H", kMsPerDay + 2 * kMsPerHour},
      {"PT0.5S", 500},
      {"PT0.05S", 50},
      {"PT1.001S", 1001},
      {"PT1.100S", 1100},
      {"PT45S", 45 * kMsPerSecond},
      {"PT90M", 90 * kMsPerMinute},  // parts need not be normalised
      {"PT05M", 5 * kMsPerMinute},   // nor free of leading zeros
      {"P1DT1H1M1.001S", 90061001},
      {"P1DT1S", kMsPerDay + kMsPerSecond},
      {"PT1H30M", 90 * kMsPerMinute},
      {"P36525D", kMaxDurationMs},
      {"P5217W", 5217 * kMsPerWeek},
  };
  for (const auto& [text, ms] : cases) {
    auto parsed = ParseDuration(text);
    ASSERT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message();
    EXPECT_EQ(*parsed, ms) << text;
  }
}

TEST(Duration, RefusesYearsAndMonthsWithAHint) {
  EXPECT_EQ(ParseError("P1M"),
            "duration \"P1M\": months and years have no fixed length; use days (P30D)");
  EXPECT_EQ(ParseError("P1Y"),
            "duration \"P1Y\": months and years have no fixed length; use days (P30D)");
  EXPECT_TRUE(Refused("P1Y2D", "months and years"));
  // After T, M is minutes.
  EXPECT_EQ(ParseDuration("P1DT1M").value(), kMsPerDay + kMsPerMinute);
}

TEST(Duration, RefusesEveryMalformedForm) {
  EXPECT_EQ(ParseError(""), "duration \"\": empty; write e.g. PT10M, P1D or P2W");
  // Missing P.
  EXPECT_EQ(ParseError("T10M"), "duration \"T10M\": must start with P, e.g. PT10M for ten minutes");
  EXPECT_TRUE(Refused("10M", "must start with P"));
  EXPECT_TRUE(Refused(" PT10M", "must start with P"));
  EXPECT_TRUE(Refused("P", "nothing after P"));
  // Time parts without T.
  EXPECT_EQ(ParseError("P1H"), "duration \"P1H\": H (hours) must come after T, e.g. PT1H");
  EXPECT_TRUE(Refused("P30S", "S (seconds) must come after T"));
  EXPECT_TRUE(Refused("P1D2H", "H (hours) must come after T"));
  EXPECT_TRUE(Refused("PT1D", "D (days) must come before T"));
  // T with nothing after it.
  EXPECT_TRUE(Refused("PT", "nothing after T"));
  EXPECT_TRUE(Refused("P1DT", "nothing after T"));
  EXPECT_TRUE(Refused("PT1HT1M", "T appears twice"));
  // Duplicate and out-of-order designators.
  EXPECT_EQ(ParseError("PT1H2H"), "duration \"PT1H2H\": H appears twice");
  EXPECT_TRUE(Refused("P1D2D", "D appears twice"));
  EXPECT_EQ(ParseError("PT1S1M"),
            "duration \"PT1S1M\": M after S: write the parts in the order D, T, H, M, S");
  EXPECT_TRUE(Refused("PT1M1H", "H after M"));
  // Weeks stand alone.
  EXPECT_TRUE(Refused("P1W2D", "weeks (W) cannot be combined"));
  EXPECT_TRUE(Refused("P2D1W", "weeks (W) cannot be combined"));
  EXPECT_TRUE(Refused("P1WT1H", "weeks (W) cannot be combined"));
  EXPECT_TRUE(Refused("PT1W", "weeks (W) cannot be combined"));
  // Negative.
  EXPECT_EQ(ParseError("-PT10M"), "duration \"-PT10M\": negative durations are not allowed");
  EXPECT_TRUE(Refused("PT-10M", "negative"));
  EXPECT_TRUE(Refused("P-1D", "negative"));
  // Fractions: at most milliseconds, and only on seconds.
  EXPECT_EQ(ParseError("PT0.0001S"),
            "duration \"PT0.0001S\": more than 3 fraction digits; milliseconds are the finest "
            "unit");
  EXPECT_TRUE(Refused("PT1.5M", "only seconds may have a fraction"));
  EXPECT_TRUE(Refused("P1.5D", "only seconds may have a fraction"));
  EXPECT_TRUE(Refused("PT1.5H", "only seconds may have a fraction"));
  EXPECT_TRUE(Refused("PT1.S", "a decimal point needs digits after it"));
  EXPECT_TRUE(Refused("PT.5S", "unexpected \".\""));
  EXPECT_TRUE(Refused("PT0,5S", "use '.' as the decimal sign"));
  // Lower case, with the upper-case form suggested.
  EXPECT_EQ(ParseError("pt10m"), "duration \"pt10m\": designators must be upper-case: \"PT10M\"");
  EXPECT_TRUE(Refused("PT10m", "upper-case"));
  EXPECT_TRUE(Refused("P1d", "upper-case"));
  // Numbers and designators that do not pair up.
  EXPECT_TRUE(Refused("PT10", "number 10 has no designator after it"));
  EXPECT_TRUE(Refused("PT1.5", "number 1.5 has no designator after it"));
  EXPECT_TRUE(Refused("PTM", "M has no number before it"));
  EXPECT_TRUE(Refused("PD", "D has no number before it"));
  EXPECT_TRUE(Refused("PT1X", "unknown designator \"X\""));
  EXPECT_TRUE(Refused("PT1H 30M", "unexpected \" \" at position 4"));
  EXPECT_TRUE(Refused("PT+1H", "unexpected \"+\""));
}

TEST(Duration, RefusesAnythingAbove100Years) {
  EXPECT_EQ(ParseError("P36526D"),
            "duration \"P36526D\": longer than the limit of 100 years (P36525D)");
  EXPECT_TRUE(Refused("P36525DT0.001S", "longer than the limit"));
  EXPECT_TRUE(Refused("P5218W", "longer than the limit"));
  EXPECT_TRUE(Refused("PT876601H", "longer than the limit"));
  EXPECT_TRUE(Refused("PT99999999999999999999999999999S", "longer than the limit"));
  EXPECT_TRUE(Refused("P18446744073709551617D", "longer than the limit"));
}

TEST(Duration, QuotesUntrustedInputOnOneLine) {
  EXPECT_EQ(ParseError("P1\nD"), "duration \"P1\\x0aD\": unexpected \"\\x0a\" at position 2");
  EXPECT_EQ(ParseError("P\"D"), "duration \"P\\\"D\": unexpected \"\\\"\" at position 1");
  std::string long_input = "P" + std::string(100, '1') + "Q";
  EXPECT_EQ(ParseError(long_input), "duration \"P" + std::string(39, '1') +
                                        "...\": longer than the limit of 100 years (P36525D)");
}

TEST(Duration, FormatsTheShortestCanonicalForm) {
  EXPECT_EQ(FormatDuration(0), "PT0S");
  EXPECT_EQ(FormatDuration(1), "PT0.001S");
  EXPECT_EQ(FormatDuration(500), "PT0.5S");
  EXPECT_EQ(FormatDuration(1250), "PT1.25S");
  EXPECT_EQ(FormatDuration(45 * kMsPerSecond), "PT45S");
  EXPECT_EQ(FormatDuration(600000), "PT10M");
  EXPECT_EQ(FormatDuration(90 * kMsPerMinute), "PT1H30M");
  EXPECT_EQ(FormatDuration(kMsPerDay), "P1D");
  EXPECT_EQ(FormatDuration(kMsPerWeek), "P7D");  // never weeks
  EXPECT_EQ(FormatDuration(kMsPerDay + 2 * kMsPerHour), "P1DT2H");
  EXPECT_EQ(FormatDuration(kMsPerDay + kMsPerSecond), "P1DT1S");
  EXPECT_EQ(FormatDuration(90061001), "P1DT1H1M1.001S");
  EXPECT_EQ(FormatDuration(kMaxDurationMs), "P36525D");
}

TEST(Duration, ParseOfFormatIsTheIdentity) {
  std::vector<uint64_t> values = {0,     1,       10,      999,      1000,     1001,    59999,
                                  60000, 3599999, 3600000, 86399999, 86400000, 90061001};
  values.insert(values.end(), {kMsPerWeek, kMsPerWeek + 1, kMaxDurationMs - 1, kMaxDurationMs});
  std::mt19937_64 random(20260101);  // fixed seed: the test is deterministic
  for (int i = 0; i < 10000; ++i) values.push_back(random() % (kMaxDurationMs + 1));
  for (int i = 0; i < 1000; ++i) values.push_back(random() % (2 * kMsPerDay));
  for (uint64_t ms : values) {
    std::string text = FormatDuration(ms);
    auto parsed = ParseDuration(text);
    ASSERT_TRUE(parsed.has_value()) << ms << " -> " << text << ": " << parsed.error().message();
    EXPECT_EQ(*parsed, ms) << text;
  }
  // And Format(Parse(x)) is the canonical form of x.
  EXPECT_EQ(FormatDuration(ParseDuration("P2W").value()), "P14D");
  EXPECT_EQ(FormatDuration(ParseDuration("PT90M").value()), "PT1H30M");
  EXPECT_EQ(FormatDuration(ParseDuration("PT24H").value()), "P1D");
  EXPECT_EQ(FormatDuration(ParseDuration("PT1.500S").value()), "PT1.5S");
}

TEST(Duration, HumanTextIsCompact) {
  EXPECT_EQ(HumanDuration(0), "0s");
  EXPECT_EQ(HumanDuration(1), "0.001s");
  EXPECT_EQ(HumanDuration(1500), "1.5s");
  EXPECT_EQ(HumanDuration(45 * kMsPerSecond), "45s");
  EXPECT_EQ(HumanDuration(kMsPerMinute - 1), "59.999s");
  EXPECT_EQ(HumanDuration(kMsPerMinute), "1m");
  EXPECT_EQ(HumanDuration(600000), "10m");
  EXPECT_EQ(HumanDuration(5 * kMsPerMinute - 1), "4m 59s");  // rounded down
  EXPECT_EQ(HumanDuration(kMsPerHour + 500), "1h");
  EXPECT_EQ(HumanDuration(kMsPerDay + 2 * kMsPerHour), "1d 2h");
  EXPECT_EQ(HumanDuration(90061001), "1d 1h");
  EXPECT_EQ(HumanDuration(kMsPerDay + 59 * kMsPerMinute), "1d");
  EXPECT_EQ(HumanDuration(kMaxDurationMs), "36525d");
}

}  // namespace
}  // namespace entente
