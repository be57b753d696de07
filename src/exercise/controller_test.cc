// Tests of the exercise runtime: the controller (controller.h), the simulated players
// (players.h), the exercise clock and what is observed of a book (observe.h), and a run through a
// Port (run.h). Scenarios are built by hand (exact timings) or from inline YAML; consultations
// are folded from hand-made events on a small test world (space/space_test_util.h).
#include "exercise/controller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/encoding.h"
#include "consult/consult_test_util.h"
#include "consult/fold.h"
#include "crypto/hash.h"
#include "exercise/observe.h"
#include "exercise/players.h"
#include "exercise/run.h"
#include "exercise/scenario.h"
#include "space/space_test_util.h"
#include "testing/testdata.h"

namespace entente::exercise {
namespace {

using space::testing::TestDevice;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kSecond = kMsPerSecond;
constexpr uint64_t kMinute = kMsPerMinute;
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// ---- Scenario building blocks --------------------------------------------------------------

ExpectedAction Expect(std::string partner, std::string action, uint64_t within_ms,
                      std::string contingency = "") {
  return ExpectedAction{std::move(partner), std::move(action), within_ms, std::move(contingency)};
}

Inject Timed(std::string number, uint64_t at_ms, std::vector<ExpectedAction> expected = {}) {
  Inject i;
  i.number = std::move(number);
  i.at_ms = at_ms;
  i.type = expected.empty() ? "contextual" : "action";
  i.to = {"KOR", "USA"};
  i.synopsis = "Inject " + i.number;
  i.expected = std::move(expected);
  return i;
}

Inject After(std::string number, std::string after, uint64_t delay_ms,
             std::vector<ExpectedAction> expected = {}) {
  Inject i = Timed(std::move(number), 0, std::move(expected));
  i.at_ms.reset();
  i.after = std::move(after);
  i.delay_ms = delay_ms;
  return i;
}

Inject Contingency(std::string number, std::vector<ExpectedAction> expected = {}) {
  Inject i = Timed(std::move(number), 0, std::move(expected));
  i.at_ms.reset();
  i.type = "contingency";
  i.to = {"USA"};
  return i;
}

Scenario Make(std::vector<Inject> injects, uint64_t end_ms) {
  Scenario s;
  s.name = "Test";
  s.partners = {"KOR", "USA"};
  s.injects = std::move(injects);
  s.end_ms = end_ms;
  return s;
}

Observation Saw(std::string partner, std::string action, uint64_t at_ms) {
  return Observation{std::move(partner), "", std::move(action), "c", at_ms};
}

std::vector<std::string> Numbers(const std::vector<const Inject*>& injects) {
  std::vector<std::string> out;
  for (const Inject* i : injects) out.push_back(i->number);
  return out;
}

std::vector<std::pair<std::string, uint64_t>> SentTimes(const Controller& c) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& s : c.sent()) out.emplace_back(s.number, s.sent_ms);
  return out;
}

std::string SourcePath(const std::string& relative) {
  return (testing::SourceDir() / relative).string();
}

Scenario Bilateral() {
  auto s = LoadScenario(SourcePath("examples/exercise-bilateral.yaml"));
  EXPECT_TRUE(s.has_value()) << s.error().message();
  return s.has_value() ? *s : Scenario();
}

// ---- Happened ----------------------------------------------------------------------------------

TEST(HappenedTest, MatchesPartnerActionAndAnInclusiveWindow) {
  std::vector<Observation> seen = {Saw("USA", "acknowledge", 10 * kMinute)};
  ExpectedAction ack = Expect("USA", "acknowledge", 5 * kMinute);
  EXPECT_TRUE(Happened(seen, ack, 10 * kMinute, 10 * kMinute));
  EXPECT_TRUE(Happened(seen, ack, 0, kNever));
  EXPECT_FALSE(Happened(seen, ack, 10 * kMinute + 1, kNever));  // before the window
  EXPECT_FALSE(Happened(seen, ack, 0, 10 * kMinute - 1));       // after it
  EXPECT_FALSE(Happened(seen, Expect("KOR", "acknowledge", 0), 0, kNever));
  EXPECT_FALSE(Happened(seen, Expect("USA", "convene", 0), 0, kNever));
  EXPECT_FALSE(Happened({}, ack, 0, kNever));
}

TEST(HappenedTest, AllMatchesAnyPartner) {
  ExpectedAction decide = Expect("ALL", "decide", 0);
  EXPECT_TRUE(Happened({Saw("ALL", "decide", 7)}, decide, 0, 10));
  EXPECT_TRUE(Happened({Saw("KOR", "decide", 7)}, decide, 0, 10));
  EXPECT_FALSE(Happened({Saw("KOR", "approve", 7)}, decide, 0, 10));
  // A partner's expectation is not met by an ALL observation.
  EXPECT_FALSE(Happened({Saw("ALL", "decide", 7)}, Expect("KOR", "decide", 0), 0, 10));
}

// ---- Controller --------------------------------------------------------------------------------

TEST(ControllerTest, SendsTimedInjectsAtTheirTimes) {
  Scenario s =
      Make({Timed("1", 0), Timed("2", 10 * kMinute), Timed("3", 30 * kMinute)}, 60 * kMinute);
  Controller c(s);
  EXPECT_THAT(Numbers(c.Due(0, {})), ElementsAre("1"));
  EXPECT_TRUE(c.Due(0, {}).empty());  // sent once
  EXPECT_TRUE(c.Due(10 * kMinute - 1, {}).empty());
  EXPECT_FALSE(c.WasSent("2"));
  EXPECT_THAT(Numbers(c.Due(10 * kMinute, {})), ElementsAre("2"));
  EXPECT_TRUE(c.WasSent("2"));
  EXPECT_FALSE(c.WasSent("3"));
  EXPECT_THAT(SentTimes(c), ElementsAre(std::pair<std::string, uint64_t>{"1", 0},
                                        std::pair<std::string, uint64_t>{"2", 10 * kMinute}));
  EXPECT_FALSE(c.sent()[0].contingency);
  EXPECT_TRUE(c.sent()[0].event_id.empty());
}

TEST(ControllerTest, ALateCallSendsEachInjectAtItsOwnTimeInTimeOrder) {
  // MSEL order is not time order: the controller sends by time.
  Scenario s = Make({Timed("A", 30 * kMinute), Timed("B", 10 * kMinute), Timed("C", 50 * kMinute)},
                    60 * kMinute);
  Controller c(s);
  EXPECT_THAT(Numbers(c.Due(45 * kMinute, {})), ElementsAre("B", "A"));
  EXPECT_THAT(SentTimes(c), ElementsAre(std::pair<std::string, uint64_t>{"B", 10 * kMinute},
                                        std::pair<std::string, uint64_t>{"A", 30 * kMinute}));
  EXPECT_FALSE(c.WasSent("C"));
}

TEST(ControllerTest, AfterChainsFollowTheirInjectWithTheDelay) {
  Scenario s = Make({Timed("1", 10 * kMinute), After("2", "1", 20 * kMinute), After("3", "2", 0),
                     After("4", "3", 5 * kMinute)},
                    60 * kMinute);
  Controller c(s);
  EXPECT_THAT(Numbers(c.Due(10 * kMinute, {})), ElementsAre("1"));
  EXPECT_TRUE(c.Due(30 * kMinute - 1, {}).empty());
  // 2 at 1 + 20 min, and 3 (no delay) at once with it.
  EXPECT_THAT(Numbers(c.Due(30 * kMinute, {})), ElementsAre("2", "3"));
  EXPECT_EQ(c.sent()[1].sent_ms, 30 * kMinute);
  EXPECT_EQ(c.sent()[2].sent_ms, 30 * kMinute);
  EXPECT_EQ(c.NextWake(30 * kMinute), 35 * kMinute);
  // A late call still sends 4 at 3 + 5 min.
  EXPECT_THAT(Numbers(c.Due(59 * kMinute, {})), ElementsAre("4"));
  EXPECT_EQ(c.sent()[3].sent_ms, 35 * kMinute);
}

TEST(ControllerTest, AnAfterInjectWaitsForTheOneItFollows) {
  // 2 follows a contingency that is never needed: it is never sent.
  Scenario s = Make({Timed("1", 0, {Expect("USA", "acknowledge", 10 * kMinute, "1A")}),
                     Contingency("1A"), After("2", "1A", kMinute)},
                    60 * kMinute);
  Controller c(s);
  std::vector<Observation> seen = {Saw("USA", "acknowledge", 5 * kMinute)};
  EXPECT_THAT(Numbers(c.Due(0, seen)), ElementsAre("1"));
  EXPECT_TRUE(c.Due(59 * kMinute, seen).empty());
  EXPECT_FALSE(c.WasSent("2"));
  // Once the contingency goes out, 2 follows it.
  Controller missed(s);
  EXPECT_THAT(Numbers(missed.Due(11 * kMinute, {})), ElementsAre("1", "1A", "2"));
  EXPECT_THAT(SentTimes(missed), ElementsAre(std::pair<std::string, uint64_t>{"1", 0},
                                             std::pair<std::string, uint64_t>{"1A", 10 * kMinute},
                                             std::pair<std::string, uint64_t>{"2", 11 * kMinute}));
}

// Inject 1 at T+00:10 expects USA to acknowledge within 20 minutes, else 1A.
Scenario WithContingency() {
  return Make(
      {Timed("1", 10 * kMinute, {Expect("USA", "acknowledge", 20 * kMinute, "1A")}),
       Contingency("1A", {Expect("USA", "acknowledge", 10 * kMinute)}), Timed("2", 50 * kMinute)},
      60 * kMinute);
}

TEST(ControllerTest, ContingencyIsSentExactlyWhenTheActionIsMissedByItsDeadline) {
  Scenario s = WithContingency();
  Controller c(s);
  EXPECT_THAT(Numbers(c.Due(10 * kMinute, {})), ElementsAre("1"));
  EXPECT_EQ(c.NextWake(10 * kMinute), 30 * kMinute);  // the deadline
  EXPECT_TRUE(c.Due(30 * kMinute - 1, {}).empty());
  EXPECT_THAT(Numbers(c.Due(30 * kMinute, {})), ElementsAre("1A"));
  ASSERT_EQ(c.sent().size(), 2u);
  EXPECT_EQ(c.sent()[1].sent_ms, 30 * kMinute);
  EXPECT_TRUE(c.sent()[1].contingency);
  EXPECT_TRUE(c.Due(49 * kMinute, {}).empty());  // once
}

TEST(ControllerTest, ContingencyIsNotSentWhenTheActionHappenedInTime) {
  Scenario s = WithContingency();
  for (uint64_t at : {10 * kMinute, 20 * kMinute, 30 * kMinute}) {  // up to the deadline itself
    Controller c(s);
    std::vector<Observation> seen = {Saw("USA", "acknowledge", at)};
    c.Due(10 * kMinute, {});
    for (uint64_t now : {at, 30 * kMinute, 45 * kMinute, 60 * kMinute}) {
      for (const Inject* i : c.Due(now, seen)) EXPECT_NE(i->number, "1A") << "ack at " << at;
    }
    EXPECT_FALSE(c.WasSent("1A")) << "ack at " << at;
    EXPECT_TRUE(c.WasSent("2"));
  }
}

TEST(ControllerTest, ALateActionDoesNotStopTheContingency) {
  Scenario s = WithContingency();
  Controller c(s);
  c.Due(10 * kMinute, {});
  // Seen a moment after the deadline, before the controller looked again.
  std::vector<Observation> seen = {Saw("USA", "acknowledge", 30 * kMinute + 1)};
  EXPECT_THAT(Numbers(c.Due(35 * kMinute, seen)), ElementsAre("1A"));
  EXPECT_EQ(c.sent().back().sent_ms, 30 * kMinute);
}

TEST(ControllerTest, AnotherPartnerOrAnotherActionDoesNotCount) {
  Scenario s = WithContingency();
  Controller c(s);
  std::vector<Observation> seen = {Saw("KOR", "acknowledge", 15 * kMinute),
                                   Saw("USA", "convene", 16 * kMinute)};
  c.Due(10 * kMinute, seen);
  EXPECT_THAT(Numbers(c.Due(30 * kMinute, seen)), ElementsAre("1A"));
}

TEST(ControllerTest, AnActionTakenBeforeItsInjectCountsOnceForTheFirstInjectAskingForIt) {
  // Two injects ask USA to acknowledge; the acknowledgement at T+00:05 (before either inject
  // was sent) meets the first one's expectation, not the second's.
  Scenario s = Make({Timed("1", 10 * kMinute, {Expect("USA", "acknowledge", 10 * kMinute, "1A")}),
                     Contingency("1A"),
                     Timed("2", 30 * kMinute, {Expect("USA", "acknowledge", 10 * kMinute, "2A")}),
                     Contingency("2A")},
                    60 * kMinute);
  Controller c(s);
  std::vector<Observation> seen = {Saw("USA", "acknowledge", 5 * kMinute)};
  EXPECT_THAT(Numbers(c.Due(45 * kMinute, seen)), ElementsAre("1", "2", "2A"));
  EXPECT_FALSE(c.WasSent("1A"));
  EXPECT_EQ(c.sent().back().sent_ms, 40 * kMinute);
}

TEST(ControllerTest, SendingTimesNeverGoBack) {
  // 1 at T+0 expects an acknowledgement within 10 minutes; 2 is at T+20. The first look saw the
  // acknowledgement; a later view no longer shows it (the event turned out not applied): the
  // contingency, due at T+10 by its deadline, goes out after 2, at 2's time, not before it.
  Scenario s = Make({Timed("1", 0, {Expect("USA", "acknowledge", 10 * kMinute, "1A")}),
                     Contingency("1A"), Timed("2", 20 * kMinute)},
                    60 * kMinute);
  Controller c(s);
  EXPECT_THAT(Numbers(c.Due(25 * kMinute, {Saw("USA", "acknowledge", 5 * kMinute)})),
              ElementsAre("1", "2"));
  EXPECT_THAT(Numbers(c.Due(26 * kMinute, {})), ElementsAre("1A"));
  EXPECT_EQ(c.sent().back().sent_ms, 20 * kMinute);
  for (size_t i = 1; i < c.sent().size(); ++i) {
    EXPECT_GE(c.sent()[i].sent_ms, c.sent()[i - 1].sent_ms);
  }
}

TEST(ControllerTest, SendingTimesNeverGoBackWhateverTheCallTimes) {
  Scenario s = Bilateral();
  // Irregular looks, some far apart, with no player action at all.
  for (uint64_t step : {kSecond, 7 * kMinute, 25 * kMinute, 61 * kMinute}) {
    Controller c(s);
    for (uint64_t now = 0; now <= s.end_ms; now += step) c.Due(now, {});
    c.Due(s.end_ms, {});
    ASSERT_EQ(c.sent().size(), s.injects.size()) << "step " << step;
    for (size_t i = 1; i < c.sent().size(); ++i) {
      EXPECT_GE(c.sent()[i].sent_ms, c.sent()[i - 1].sent_ms) << "step " << step;
    }
  }
}

TEST(ControllerTest, BilateralExampleWithSilentPlayers) {
  Scenario s = Bilateral();
  Controller c(s);
  std::vector<const Inject*> due = c.Due(s.end_ms, {});
  EXPECT_THAT(Numbers(due), ElementsAre("1", "2", "3", "2A", "4", "5", "6", "7"));
  using P = std::pair<std::string, uint64_t>;
  EXPECT_THAT(SentTimes(c),
              ElementsAre(P{"1", 0}, P{"2", 10 * kMinute}, P{"3", 30 * kMinute},
                          P{"2A", 35 * kMinute}, P{"4", 50 * kMinute}, P{"5", 60 * kMinute},
                          P{"6", 80 * kMinute}, P{"7", 100 * kMinute}));
  EXPECT_TRUE(c.sent()[3].contingency);
  // Nothing is observed: the exercise ends at ENDEX (T+01:55), not before.
  EXPECT_FALSE(c.Finished(s.end_ms - 1, {}));
  EXPECT_TRUE(c.Finished(s.end_ms, {}));
}

TEST(ControllerTest, FinishesAtTheEndWhateverWasObserved) {
  Scenario s = WithContingency();
  Controller c(s);
  EXPECT_FALSE(c.Finished(0, {}));
  EXPECT_TRUE(c.Finished(60 * kMinute, {}));  // nothing sent, nothing seen: ENDEX anyway
  EXPECT_TRUE(c.Finished(61 * kMinute, {}));
}

TEST(ControllerTest, FinishesEarlyOnceEveryExpectedActionWasObserved) {
  Scenario s = Make({Timed("1", 0, {Expect("KOR", "request", 15 * kMinute)}),
                     Timed("2", 10 * kMinute, {Expect("USA", "acknowledge", 20 * kMinute, "2A")}),
                     Contingency("2A", {Expect("USA", "acknowledge", 10 * kMinute)})},
                    40 * kMinute);
  Controller c(s);
  std::vector<Observation> seen = {Saw("KOR", "request", 3 * kMinute)};
  c.Due(5 * kMinute, seen);
  // Every expectation of what was sent is met, but 2 is still to come.
  EXPECT_FALSE(c.Finished(5 * kMinute, seen));
  c.Due(10 * kMinute, seen);
  EXPECT_FALSE(c.Finished(11 * kMinute, seen));  // USA has not acknowledged
  seen.push_back(Saw("USA", "acknowledge", 12 * kMinute));
  EXPECT_TRUE(c.Finished(12 * kMinute, seen));
  EXPECT_FALSE(c.WasSent("2A"));  // a contingency not needed does not hold ENDEX back
}

// Every expected action of the bilateral example, each well within its deadline.
std::vector<Observation> EverythingInTime() {
  return {Saw("KOR", "request", 12 * kMinute), Saw("USA", "acknowledge", 15 * kMinute),
          Saw("KOR", "convene", 35 * kMinute), Saw("USA", "report", 40 * kMinute),
          Saw("KOR", "report", 55 * kMinute),  Saw("KOR", "propose", 65 * kMinute),
          Saw("USA", "approve", 70 * kMinute), Saw("KOR", "approve", 72 * kMinute),
          Saw("ALL", "decide", 72 * kMinute),  Saw("KOR", "report", 85 * kMinute),
          Saw("KOR", "close", 105 * kMinute)};
}

// Steps a controller over the scenario from wake to wake, showing it the observations of `all`
// made by then, until it says the exercise is over; the scenario time it ended at.
uint64_t Drive(Controller& c, const std::vector<Observation>& all) {
  uint64_t now = 0;
  std::vector<Observation> seen;
  for (int steps = 0; steps < 1000; ++steps) {
    seen.clear();
    for (const auto& o : all) {
      if (o.at_ms <= now) seen.push_back(o);
    }
    c.Due(now, seen);
    if (c.Finished(now, seen)) return now;
    uint64_t next = c.NextWake(now);
    for (const auto& o : all) {
      if (o.at_ms > now) next = std::min(next, o.at_ms);  // a new observation
    }
    EXPECT_GT(next, now);
    now = next;
  }
  ADD_FAILURE() << "the controller never finished";
  return now;
}

TEST(ControllerTest, AnAcknowledgementPromptedByTheContingencyMeetsItAndEndsTheExercise) {
  // The bilateral example: inject 2 (T+00:10) expects USA to acknowledge within 25 minutes,
  // else 2A (T+00:35) reminds USA, expecting the acknowledgement within 10 minutes. USA
  // acknowledges at T+00:40, prompted by the reminder; a partner acknowledges a consultation
  // only once. Everything else is done in time, the last action at T+01:45.
  Scenario s = Bilateral();
  std::vector<Observation> all = EverythingInTime();
  all[1].at_ms = 40 * kMinute;
  Controller c(s);
  EXPECT_EQ(Drive(c, all), 105 * kMinute);
  EXPECT_TRUE(c.WasSent("2A"));
}

TEST(ControllerTest, BilateralExampleFinishesEarlyWhenThePlayersDoEverything) {
  Scenario s = Bilateral();
  Controller c(s);
  // The last expected action, before ENDEX at T+01:55.
  EXPECT_EQ(Drive(c, EverythingInTime()), 105 * kMinute);
  EXPECT_LT(105 * kMinute, s.end_ms);
  EXPECT_FALSE(c.WasSent("2A"));
  EXPECT_EQ(c.sent().size(), s.injects.size() - 1);
}

TEST(ControllerTest, BilateralExampleWaitsForEndexWhileAnExpectedActionIsMissing) {
  Scenario s = Bilateral();
  std::vector<Observation> all = EverythingInTime();
  all.pop_back();  // KOR never closes the consultation
  Controller c(s);
  EXPECT_EQ(Drive(c, all), s.end_ms);
}

TEST(ControllerTest, NextWakeIsTheNextInjectDeadlineOrEnd) {
  Scenario s = WithContingency();
  Controller c(s);
  EXPECT_EQ(c.NextWake(0), 10 * kMinute);
  c.Due(10 * kMinute, {});
  // The contingency's deadline (T+00:30) comes before inject 2 (T+00:50).
  EXPECT_EQ(c.NextWake(10 * kMinute), 30 * kMinute);
  EXPECT_EQ(c.NextWake(30 * kMinute - 1), 30 * kMinute);
  c.Due(30 * kMinute, {});
  EXPECT_EQ(c.NextWake(30 * kMinute), 50 * kMinute);
  c.Due(50 * kMinute, {});
  EXPECT_EQ(c.NextWake(50 * kMinute), 60 * kMinute);  // ENDEX
  // Always after now, even past the end.
  EXPECT_EQ(c.NextWake(60 * kMinute), 60 * kMinute + 1);
  EXPECT_EQ(c.NextWake(90 * kMinute), 90 * kMinute + 1);
}

TEST(ControllerTest, NextWakeIgnoresDeadlinesWithoutAContingency) {
  Scenario s =
      Make({Timed("1", 0, {Expect("USA", "acknowledge", 10 * kMinute)}), Timed("2", 40 * kMinute)},
           60 * kMinute);
  Controller c(s);
  c.Due(0, {});
  EXPECT_EQ(c.NextWake(0), 40 * kMinute);
}

TEST(ControllerTest, SetEventIdRecordsTheEventThatCarriedAnInject) {
  Scenario s = Make({Timed("1", 0), Timed("2", 0)}, 10 * kMinute);
  Controller c(s);
  c.Due(0, {});
  c.SetEventId("2", "00ff");
  EXPECT_EQ(c.sent()[0].event_id, "");
  EXPECT_EQ(c.sent()[1].event_id, "00ff");
  c.SetEventId("9", "abcd");  // never sent: nothing changes
  EXPECT_EQ(c.sent().size(), 2u);
}

// ---- A test world of two partners in a chartered space -----------------------------------------

constexpr uint16_t kCharter = 0x0001, kJoin = 0x0002, kRequest = 0x0400, kAck = 0x0401,
                   kConvene = 0x0402, kReport = 0x0403, kPropose = 0x0500, kRevise = 0x0501,
                   kApprove = 0x0502, kObject = 0x0503;
constexpr char kLabel[] = "USKR;S;P:REL=KOR,USA";
// STARTEX on the wall clock: an hour after the test world enrolled its members.
constexpr uint64_t kStartex = 1'800'000'000'000 + 3'600'000;

const Bytes& ExerciseId() {
  static const Bytes id(16, 0xe5);
  return id;
}
const Bytes& OtherExerciseId() {
  static const Bytes id(16, 0xe6);
  return id;
}

std::string Sha(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }

// USA (alice co-chair, bob officer) and KOR (kim co-chair, lee officer) in a space under the
// consultation test policy (FLASH acknowledged within 10 s; escalation 5 s working, then 10 s
// senior, twice). Events are folded straight into `book_` (no origin checks: the tests make
// valid ones) and kept per origin for FoldExercise.
class BookTest : public ::testing::Test {
 public:  // the test port acts on the world too
  void SetUp() override {
    const std::string policy = consult::testing::kConsultPolicy;
    ASSERT_TRUE(w_.Enrol(usa_admin_, "admin@USA", usa_admin_, {"admin"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "admin@KOR", kor_admin_, {"admin"}, "USKR;S;REL=KOR"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "alice@USA", alice_, {"co-chair"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "bob@USA", bob_, {"officer"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "kim@KOR", kim_, {"co-chair"}, "USKR;S;REL=KOR"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "lee@KOR", lee_, {"officer"}, "USKR;S;REL=KOR"));
    auto h = w_.Header(kCharter, space_.id(), "USA", usa_admin_, "USKR;U");
    nlohmann::json meta = {{"name", "NCG"},
                           {"partners", {"KOR", "USA"}},
                           {"policy", policy},
                           {"policy_sha256", Sha(policy)}};
    ASSERT_TRUE(space_.Fold(space::FoldEvent{h, meta}, w_.directory));
    w_.now_ms += 1000;
    auto j = w_.Header(kJoin, space_.id(), "KOR", kor_admin_, "USKR;U");
    nlohmann::json join = {{"partner", "KOR"}, {"charter_event", space_.charter_event().ToHex()}};
    ASSERT_TRUE(space_.Fold(space::FoldEvent{j, join}, w_.directory));
    ASSERT_TRUE(space_.in_force());
  }

  const TestDevice& Device(const std::string& member) {
    static const std::map<std::string, TestDevice BookTest::*> kDevices = {
        {"alice@USA", &BookTest::alice_},
        {"bob@USA", &BookTest::bob_},
        {"kim@KOR", &BookTest::kim_},
        {"lee@KOR", &BookTest::lee_}};
    return this->*kDevices.at(member);
  }

  // Folds an event of `member` at unix time `at_ms` into book_, about `consultation` (none for
  // a request); its event id.
  std::string Add(uint16_t kind, const std::string& member, nlohmann::json meta,
                  const std::string& consultation, uint64_t at_ms,
                  const Bytes& exercise = ExerciseId()) {
    std::string origin = member.substr(member.find('@') + 1);
    auto h = w_.Header(kind, space_.id(), origin, Device(member), kLabel);
    h.created_ms = at_ms;
    h.exercise_id = exercise;
    if (!consultation.empty()) h.subject = HexDecode(consultation).value();
    if (kind == kPropose) meta["decision"] = h.event_id.ToHex();
    Entry& e = entries_.emplace_back(Entry{h, std::move(meta)});
    auto& log = logs_[origin];
    log.push_back(consult::FoldEntry{&e.header, &e.meta, {}, log.size()});
    book_.Apply(space::FoldEvent{e.header, e.meta}, log.back().index, w_.directory);
    return h.event_id.ToHex();
  }

  // A FLASH request by `member` to the other partner; its id.
  std::string Request(const std::string& member, uint64_t at_ms,
                      const Bytes& exercise = ExerciseId(), const std::string& precedence = "FLASH",
                      std::vector<std::string> counterparts = {}) {
    const auto& policy = *space_.policy()->consultation();
    if (counterparts.empty()) counterparts = {member.ends_with("@KOR") ? "USA" : "KOR"};
    nlohmann::json meta = {
        {"precedence", precedence},
        {"counterparts", counterparts},
        {"ack_deadline_ms", at_ms + policy.precedence.at(precedence).acknowledge_ms},
        {"escalation", consult::Escalation::Freeze(policy).ToJson()}};
    return Add(kRequest, member, meta, "", at_ms, exercise);
  }
  std::string Step(uint16_t kind, const std::string& member, const std::string& c, uint64_t at_ms) {
    return Add(kind, member, {{"consultation", c}}, c, at_ms);
  }
  nlohmann::json Version(const std::string& d, uint64_t version, const std::string& text) {
    return {{"decision", d}, {"version", version}, {"text_sha256", Sha(text)}};
  }

  // KOR requests at T+00:01 (scenario time), USA acknowledges, KOR convenes and proposes "v1":
  // the consultation's id; the decision's in `*decision`.
  std::string ConvenedWithProposal(std::string* decision) {
    std::string c = Request("lee@KOR", kStartex + 1 * kMinute);
    Step(kAck, "bob@USA", c, kStartex + 2 * kMinute);
    Step(kConvene, "kim@KOR", c, kStartex + 3 * kMinute);
    *decision = Add(kPropose, "lee@KOR", Version("", 1, "v1"), c, kStartex + 4 * kMinute);
    return c;
  }

  const consult::Consultation& Only(const consult::Book& book) {
    EXPECT_EQ(book.consultations().size(), 1u);
    return book.consultations().begin()->second;
  }

  struct Entry {
    ledger::EventHeader header;
    nlohmann::json meta;
  };

  space::testing::World w_;
  TestDevice usa_admin_, kor_admin_, alice_, bob_, kim_, lee_;
  space::SpaceState space_{ledger::SpaceId(std::array<uint8_t, 16>{7})};
  consult::Book book_{space_};
  std::deque<Entry> entries_;
  std::map<std::string, std::vector<consult::FoldEntry>> logs_;
};

// ---- Players -------------------------------------------------------------------------------

std::string Probability(double p) { return std::to_string(p); }

// One inject at T+00:10 asks KOR to request a FLASH consultation. Officers request and
// acknowledge, co-chairs convene and vote (approve or object), KOR's officer proposes.
Scenario BotScenario(double request = 1, double acknowledge = 1, double approve = 1,
                     double object = 0) {
  std::string yaml = R"(exercise:
  name: Bots
  partners: [USA, KOR]
injects:
  - number: "1"
    time: T+00:10
    type: action
    to: [KOR]
    synopsis: Ask for a consultation
    expected: [KOR request within PT15M]
    precedence: FLASH
players:
  - role: officer
    respond:
      request: {median: PT4M, p90: PT10M, probability: )" +
                     Probability(request) + R"(}
      acknowledge: {median: PT3M, p90: PT8M, probability: )" +
                     Probability(acknowledge) + R"(}
      propose: {median: PT5M, p90: PT9M}
  - role: co-chair
    respond:
      convene: {median: PT6M, p90: PT12M}
      approve: {median: PT10M, p90: PT20M, probability: )" +
                     Probability(approve) + R"(}
      object: {median: PT10M, p90: PT20M, probability: )" +
                     Probability(object) + R"(}
)";
  auto s = ParseScenarioYaml(yaml, "bots.yaml");
  EXPECT_TRUE(s.has_value()) << s.error().message();
  return s.has_value() ? *s : Scenario();
}

std::map<std::string, std::vector<BotMember>> BotMembers() {
  return {{"KOR", {{"lee@KOR", {"officer"}}, {"kim@KOR", {"co-chair"}}}},
          {"USA", {{"bob@USA", {"officer"}}, {"alice@USA", {"co-chair"}}}}};
}

const std::vector<SentInject> kInjectOne = {SentInject{"1", 10 * kMinute, "", false}};
constexpr uint64_t kLater = 24 * 60 * kMinute;  // a day: every planned action is due by then

class PlayersTest : public BookTest {
 protected:
  std::vector<PlayerAction> Due(Players& players, std::string_view partner, uint64_t now_ms,
                                const std::vector<SentInject>& received = {}) {
    return players.Due(partner, now_ms, received, book_, ExerciseId(), kStartex);
  }
  static std::vector<std::string> Actions(const std::vector<PlayerAction>& actions) {
    std::vector<std::string> out;
    for (const auto& a : actions) out.push_back(a.partner + " " + a.action + " " + a.member);
    return out;
  }
};

TEST_F(PlayersTest, RequestWhenAnInjectAsksForIt) {
  Scenario s = BotScenario();
  Players players(s, BotMembers(), 1);
  EXPECT_EQ(players.NextDue(), kNever);
  // Planned on receipt, taken after the drawn response time.
  EXPECT_TRUE(Due(players, "KOR", 10 * kMinute, kInjectOne).empty());
  uint64_t due = players.NextDue();
  ASSERT_NE(due, kNever);
  EXPECT_GT(due, 10 * kMinute);
  EXPECT_TRUE(Due(players, "KOR", due - 1, kInjectOne).empty());
  // The other partner's call does not take KOR's action.
  EXPECT_TRUE(Due(players, "USA", due, kInjectOne).empty());
  auto actions = Due(players, "KOR", due, kInjectOne);
  ASSERT_EQ(actions.size(), 1u);
  const PlayerAction& a = actions[0];
  EXPECT_EQ(a.action, "request");
  EXPECT_EQ(a.partner, "KOR");
  EXPECT_EQ(a.member, "lee@KOR");  // the officer: the co-chair has no `request` response
  EXPECT_EQ(a.due_ms, due);
  EXPECT_EQ(a.precedence, "FLASH");
  EXPECT_EQ(a.counterparts, std::vector<std::string>{"USA"});
  EXPECT_EQ(a.text, "Ask for a consultation");
  // Taken once: the same inject does not plan it again.
  EXPECT_TRUE(Due(players, "KOR", kLater, kInjectOne).empty());
  EXPECT_EQ(players.NextDue(), kNever);
}

TEST_F(PlayersTest, NoRequestWhenThePartnerAlreadyRequested) {
  Scenario s = BotScenario();
  Players players(s, BotMembers(), 1);
  Request("lee@KOR", kStartex + 11 * kMinute);  // after the inject was sent
  for (const auto& a : Due(players, "KOR", kLater, kInjectOne)) EXPECT_NE(a.action, "request");
}

TEST_F(PlayersTest, NothingBeforeTheInjectIsSent) {
  Scenario s = BotScenario();
  Players players(s, BotMembers(), 1);
  EXPECT_TRUE(Due(players, "KOR", 10 * kMinute - 1, kInjectOne).empty());
  EXPECT_EQ(players.NextDue(), kNever);
}

TEST_F(PlayersTest, SameSeedAndCallsGiveTheSameActions) {
  Scenario s = BotScenario(1, 1, 0.5, 0.3);
  std::string d;
  std::string c = ConvenedWithProposal(&d);
  auto trace = [&](uint64_t seed) {
    Players players(s, BotMembers(), seed);
    std::vector<std::string> out;
    for (uint64_t now : {10 * kMinute, 20 * kMinute, kLater}) {
      for (std::string partner : {"KOR", "USA"}) {
        for (const auto& a : Due(players, partner, now, kInjectOne)) {
          out.push_back(a.key + " " + a.member + " " + a.action + " " + std::to_string(a.due_ms));
        }
      }
    }
    return out;
  };
  std::vector<std::string> first = trace(42);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, trace(42));
  EXPECT_NE(first, trace(43));
}

TEST_F(PlayersTest, ADifferentSeedDrawsDifferentResponseTimes) {
  Scenario s = BotScenario();
  auto due = [&](uint64_t seed) {
    Players players(s, BotMembers(), seed);
    (void)Due(players, "KOR", 10 * kMinute, kInjectOne);
    return players.NextDue();
  };
  EXPECT_EQ(due(1), due(1));
  EXPECT_NE(due(1), due(2));
  EXPECT_NE(due(2), due(3));
}

TEST_F(PlayersTest, ResponseTimesFollowTheRolesMedianAndP90) {
  Scenario s = BotScenario();  // request: median 4 min, p90 10 min
  std::vector<uint64_t> delays;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    Players players(s, BotMembers(), seed);
    (void)Due(players, "KOR", 10 * kMinute, kInjectOne);
    delays.push_back(players.NextDue() - 10 * kMinute);
  }
  std::sort(delays.begin(), delays.end());
  double median = static_cast<double>(delays[delays.size() / 2]);
  EXPECT_NEAR(median, 4.0 * kMinute, 0.4 * kMinute);
  double below_p90 = static_cast<double>(
      std::count_if(delays.begin(), delays.end(), [](uint64_t d) { return d <= 10 * kMinute; }));
  EXPECT_NEAR(below_p90 / 1000.0, 0.9, 0.03);
}

TEST_F(PlayersTest, ProbabilityZeroNeverActs) {
  Scenario s = BotScenario(/*request=*/0, /*acknowledge=*/0, /*approve=*/0, /*object=*/0);
  std::string c = Request("lee@KOR", kStartex + 11 * kMinute);
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Players players(s, BotMembers(), seed);
    EXPECT_TRUE(Due(players, "KOR", kLater, kInjectOne).empty()) << "seed " << seed;
    EXPECT_TRUE(Due(players, "USA", kLater, kInjectOne).empty()) << "seed " << seed;
    EXPECT_EQ(players.NextDue(), kNever);
  }
}

TEST_F(PlayersTest, ACounterpartAcknowledgesARequestItSees) {
  Scenario s = BotScenario();
  Players players(s, BotMembers(), 5);
  std::string c = Request("lee@KOR", kStartex + 11 * kMinute);
  // The requester does not acknowledge its own request.
  EXPECT_TRUE(Due(players, "KOR", kLater).empty());
  auto actions = Due(players, "USA", kLater);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action, "acknowledge");
  EXPECT_EQ(actions[0].partner, "USA");
  EXPECT_EQ(actions[0].member, "bob@USA");
  EXPECT_EQ(actions[0].consultation, c);
  EXPECT_GT(actions[0].due_ms, 11 * kMinute);        // counted from the request
  EXPECT_TRUE(Due(players, "USA", kLater).empty());  // once
}

TEST_F(PlayersTest, RequestsOfOtherExercisesOrAlreadyAcknowledgedAreLeftAlone) {
  Scenario s = BotScenario();
  Players players(s, BotMembers(), 5);
  Request("lee@KOR", kStartex + 11 * kMinute, OtherExerciseId());
  Request("lee@KOR", kStartex + 12 * kMinute, Bytes());  // the real world
  std::string c = Request("kim@KOR", kStartex + 13 * kMinute);
  Step(kAck, "bob@USA", c, kStartex + 14 * kMinute);
  EXPECT_TRUE(Due(players, "USA", kLater).empty());
}

TEST_F(PlayersTest, TheRequesterConvenesOnceAcknowledged) {
  Scenario s = BotScenario();
  Players players(s, BotMembers(), 9);
  std::string c = Request("lee@KOR", kStartex + 11 * kMinute);
  EXPECT_TRUE(Due(players, "KOR", kLater).empty());  // not yet acknowledged
  Step(kAck, "bob@USA", c, kStartex + 15 * kMinute);
  EXPECT_TRUE(Due(players, "USA", kLater).empty());  // the counterpart does not convene
  auto actions = Due(players, "KOR", kLater);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action, "convene");
  EXPECT_EQ(actions[0].member, "kim@KOR");  // the co-chair convenes
  EXPECT_EQ(actions[0].consultation, c);
  EXPECT_GT(actions[0].due_ms, 15 * kMinute);  // counted from the acknowledgement
}

TEST_F(PlayersTest, AVoteIsMadeOncePerVersion) {
  Scenario s = BotScenario(1, 1, /*approve=*/1, /*object=*/0);
  std::string d;
  std::string c = ConvenedWithProposal(&d);
  Players players(s, BotMembers(), 3);
  auto actions = Due(players, "USA", kLater);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action, "approve");
  EXPECT_EQ(actions[0].member, "alice@USA");
  EXPECT_EQ(actions[0].decision, d);
  EXPECT_EQ(actions[0].version_sha256, Sha("v1"));
  EXPECT_GT(actions[0].due_ms, 4 * kMinute);  // counted from the version
  // Not approved yet in the book: still no second vote on version 1.
  EXPECT_TRUE(Due(players, "USA", kLater).empty());
  EXPECT_EQ(players.NextDue(), kNever);
  // A new version is a new vote.
  Add(kRevise, "lee@KOR", Version(d, 2, "v2"), c, kStartex + 30 * kMinute);
  actions = Due(players, "USA", kLater);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action, "approve");
  EXPECT_EQ(actions[0].version_sha256, Sha("v2"));
  EXPECT_GT(actions[0].due_ms, 30 * kMinute);
  EXPECT_TRUE(Due(players, "USA", kLater).empty());
}

TEST_F(PlayersTest, AnApprovedVersionIsNotVotedAgain) {
  Scenario s = BotScenario();
  std::string d;
  std::string c = ConvenedWithProposal(&d);
  Add(kApprove, "alice@USA", Version(d, 1, "v1"), c, kStartex + 5 * kMinute);
  Players players(s, BotMembers(), 3);
  EXPECT_TRUE(Due(players, "USA", kLater).empty());
  EXPECT_THAT(Actions(Due(players, "KOR", kLater)), ElementsAre("KOR approve kim@KOR"));
}

TEST_F(PlayersTest, ObjectWithCertaintyAndTheProposerRevises) {
  Scenario s = BotScenario(1, 1, /*approve=*/0, /*object=*/1);
  std::string d;
  std::string c = ConvenedWithProposal(&d);
  Players players(s, BotMembers(), 3);
  auto actions = Due(players, "USA", kLater);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action, "object");
  EXPECT_EQ(actions[0].member, "alice@USA");
  EXPECT_EQ(actions[0].version_sha256, Sha("v1"));
  EXPECT_THAT(actions[0].text, HasSubstr("cannot accept version 1"));
  // Once the objection is in the book, KOR (whose member proposed) revises.
  Add(kObject, "alice@USA", Version(d, 1, "v1"), c, kStartex + 20 * kMinute);
  Players kor(s, BotMembers(), 3);
  actions = Due(kor, "KOR", kLater);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].action, "revise");
  EXPECT_EQ(actions[0].member, "lee@KOR");
  EXPECT_EQ(actions[0].decision, d);
  EXPECT_THAT(actions[0].text, HasSubstr("version 2"));
  EXPECT_GT(actions[0].due_ms, 20 * kMinute);
}

TEST_F(PlayersTest, SilenceWhenNeitherApproveNorObject) {
  Scenario s = BotScenario(1, 1, 0, 0);
  std::string d;
  ConvenedWithProposal(&d);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Players players(s, BotMembers(), seed);
    EXPECT_TRUE(Due(players, "USA", kLater).empty());
    EXPECT_TRUE(Due(players, "KOR", kLater).empty());
  }
}

TEST_F(PlayersTest, VotesFollowTheApproveAndObjectProbabilities) {
  Scenario s = BotScenario(1, 1, /*approve=*/0.6, /*object=*/0.3);
  std::string d;
  ConvenedWithProposal(&d);
  std::map<std::string, int> counts;
  constexpr int kRuns = 1000;
  for (uint64_t seed = 1; seed <= kRuns; ++seed) {
    Players players(s, BotMembers(), seed);
    auto actions = Due(players, "USA", kLater);
    ASSERT_LE(actions.size(), 1u);
    ++counts[actions.empty() ? "silence" : actions[0].action];
  }
  EXPECT_NEAR(counts["approve"] / double{kRuns}, 0.6, 0.05);
  EXPECT_NEAR(counts["object"] / double{kRuns}, 0.3, 0.05);
  EXPECT_NEAR(counts["silence"] / double{kRuns}, 0.1, 0.03);
}

// ---- Observe ---------------------------------------------------------------------------------

TEST(ExerciseClockTest, ConvertsWallTimeToScenarioTimeAndBack) {
  ExerciseClock clock{kStartex, 60};
  EXPECT_EQ(clock.ToScenario(kStartex), 0u);
  EXPECT_EQ(clock.ToScenario(kStartex - 5000), 0u);  // before STARTEX
  EXPECT_EQ(clock.ToScenario(kStartex + 10 * kSecond), 10 * kMinute);
  EXPECT_EQ(clock.ToScenario(kStartex + 1), 60u);
  EXPECT_EQ(clock.ToUnix(0), kStartex);
  EXPECT_EQ(clock.ToUnix(10 * kMinute), kStartex + 10 * kSecond);
  for (uint64_t ms : std::vector<uint64_t>{0, 60, 12'345'660, 115 * kMinute}) {
    EXPECT_EQ(clock.ToScenario(clock.ToUnix(ms)), ms);
  }
  ExerciseClock real_time{kStartex, 1.0};
  EXPECT_EQ(real_time.ToScenario(kStartex + 1234), 1234u);
  EXPECT_EQ(real_time.ToUnix(1234), kStartex + 1234);
  ExerciseClock fast{kStartex, 120};
  EXPECT_EQ(fast.ToScenario(kStartex + 57'500), 115 * kMinute);  // ENDEX in under a minute
}

class ObserveTest : public BookTest {};

TEST_F(ObserveTest, FoldExerciseMovesTimesOntoTheExerciseClock) {
  // Wall time: KOR requests 10 s after STARTEX (FLASH: acknowledge within 10 s), USA
  // acknowledges 20 s after STARTEX, exactly at the deadline. At speed 60 that is T+00:10 and
  // T+00:20 in the exercise, while the deadline stays 10 s after the request: missed.
  std::string c = Request("lee@KOR", kStartex + 10 * kSecond);
  Step(kAck, "bob@USA", c, kStartex + 20 * kSecond);
  consult::Book moved(space_);
  FoldExercise(logs_, ExerciseId(), ExerciseClock{kStartex, 60}, w_.directory, moved);
  const consult::Consultation& k = Only(moved);
  EXPECT_EQ(k.id, c);
  EXPECT_EQ(k.requested.created_ms, kStartex + 10 * kMinute);
  EXPECT_EQ(k.ack_deadline_ms, kStartex + 10 * kMinute + 10 * kSecond);
  ASSERT_TRUE(k.AcknowledgedBy("USA"));
  EXPECT_EQ(k.acks.at("USA").created_ms, kStartex + 20 * kMinute);
  EXPECT_EQ(k.state, consult::State::kAcknowledged);

  Record r = Observe(moved, ExerciseId(), kStartex, 60 * kMinute);
  ASSERT_EQ(r.observations.size(), 2u);
  EXPECT_EQ(r.observations[0].action, "request");
  EXPECT_EQ(r.observations[0].partner, "KOR");
  EXPECT_EQ(r.observations[0].member, "lee@KOR");
  EXPECT_EQ(r.observations[0].consultation, c);
  EXPECT_EQ(r.observations[0].at_ms, 10 * kMinute);
  EXPECT_EQ(r.observations[1].action, "acknowledge");
  EXPECT_EQ(r.observations[1].partner, "USA");
  EXPECT_EQ(r.observations[1].at_ms, 20 * kMinute);
  ASSERT_EQ(r.deadlines.size(), 1u);
  EXPECT_EQ(r.deadlines[0].partner, "USA");
  EXPECT_EQ(r.deadlines[0].what, "acknowledgement by USA");
  EXPECT_EQ(r.deadlines[0].due_ms, 10 * kMinute + 10 * kSecond);
  EXPECT_EQ(r.deadlines[0].met_ms, 20 * kMinute);
  EXPECT_FALSE(r.deadlines[0].met());
  // Escalation from the deadline until the acknowledgement: every step of both loops.
  ASSERT_EQ(r.escalations.size(), 4u);
  std::vector<std::pair<std::string, uint64_t>> steps;
  for (const auto& e : r.escalations) {
    EXPECT_EQ(e.partner, "USA");
    EXPECT_EQ(e.consultation, c);
    steps.emplace_back(e.level, e.at_ms);
  }
  uint64_t due = 10 * kMinute + 10 * kSecond;
  using P = std::pair<std::string, uint64_t>;
  EXPECT_THAT(steps,
              ElementsAre(P{"working", due}, P{"senior", due + 5 * kSecond},
                          P{"working", due + 15 * kSecond}, P{"senior", due + 20 * kSecond}));
}

TEST_F(ObserveTest, FoldExerciseTakesOnlyTheExercisesConsultationEvents) {
  Request("bob@USA", kStartex + 5 * kSecond, Bytes());            // the real world
  Request("bob@USA", kStartex + 6 * kSecond, OtherExerciseId());  // another exercise
  std::string c = Request("lee@KOR", kStartex + 7 * kSecond);
  consult::Book moved(space_);
  FoldExercise(logs_, ExerciseId(), ExerciseClock{kStartex, 2}, w_.directory, moved);
  const consult::Consultation& k = Only(moved);
  EXPECT_EQ(k.id, c);
  EXPECT_EQ(k.exercise_id, ExerciseId());
  EXPECT_EQ(k.requested.created_ms, kStartex + 14 * kSecond);
  // Observe too counts only the exercise's, from a book holding all of them.
  Record r = Observe(book_, ExerciseId(), kStartex, 60 * kMinute);
  EXPECT_EQ(r.consultations, 1u);
  ASSERT_EQ(r.observations.size(), 1u);
  EXPECT_EQ(r.observations[0].consultation, c);
}

TEST_F(ObserveTest, AnAcknowledgementInTimeMeetsTheDeadlineWithoutEscalation) {
  std::string c = Request("lee@KOR", kStartex + 60 * kSecond);  // deadline at 70 s
  Step(kAck, "bob@USA", c, kStartex + 65 * kSecond);
  // Exactly at the deadline is in time too.
  std::string k = Request("bob@USA", kStartex + 100 * kSecond);  // deadline at 110 s
  Step(kAck, "lee@KOR", k, kStartex + 110 * kSecond);
  Record r = Observe(book_, ExerciseId(), kStartex, 60 * kMinute);
  ASSERT_EQ(r.deadlines.size(), 2u);
  std::sort(r.deadlines.begin(), r.deadlines.end(),
            [](const DeadlineResult& a, const DeadlineResult& b) { return a.due_ms < b.due_ms; });
  EXPECT_EQ(r.deadlines[0].partner, "USA");
  EXPECT_EQ(r.deadlines[0].due_ms, 70 * kSecond);
  EXPECT_EQ(r.deadlines[0].met_ms, 65 * kSecond);
  EXPECT_TRUE(r.deadlines[0].met());
  EXPECT_EQ(r.deadlines[1].partner, "KOR");
  EXPECT_EQ(r.deadlines[1].due_ms, 110 * kSecond);
  EXPECT_EQ(r.deadlines[1].met_ms, 110 * kSecond);
  EXPECT_TRUE(r.deadlines[1].met());
  EXPECT_TRUE(r.escalations.empty());
}

TEST_F(ObserveTest, AnAcknowledgementDuringEscalationStopsIt) {
  std::string c = Request("lee@KOR", kStartex + 60 * kSecond);  // deadline at 70 s
  Step(kAck, "bob@USA", c, kStartex + 72 * kSecond);
  Record r = Observe(book_, ExerciseId(), kStartex, 60 * kMinute);
  ASSERT_EQ(r.deadlines.size(), 1u);
  EXPECT_FALSE(r.deadlines[0].met());
  ASSERT_EQ(r.escalations.size(), 1u);
  EXPECT_EQ(r.escalations[0].level, "working");
  EXPECT_EQ(r.escalations[0].at_ms, 70 * kSecond);
}

TEST_F(ObserveTest, NowLimitsWhatIsObserved) {
  // Deadline at 70 s; escalation steps at 70 s (working), 75 s (senior), 85 s (working) and
  // 90 s (senior); the acknowledgement at 88 s stops it before the last.
  std::string c = Request("lee@KOR", kStartex + 60 * kSecond);
  Step(kAck, "bob@USA", c, kStartex + 88 * kSecond);
  Record before = Observe(book_, ExerciseId(), kStartex, 65 * kSecond);
  ASSERT_EQ(before.observations.size(), 1u);
  EXPECT_TRUE(before.deadlines.empty());  // not yet due, not yet met
  EXPECT_TRUE(before.escalations.empty());
  Record at = Observe(book_, ExerciseId(), kStartex, 70 * kSecond);
  ASSERT_EQ(at.deadlines.size(), 1u);
  EXPECT_FALSE(at.deadlines[0].met_ms.has_value());
  EXPECT_EQ(at.escalations.size(), 1u);
  Record later = Observe(book_, ExerciseId(), kStartex, 85 * kSecond);
  EXPECT_EQ(later.observations.size(), 1u);  // the acknowledgement is still ahead
  EXPECT_FALSE(later.deadlines[0].met_ms.has_value());
  EXPECT_EQ(later.escalations.size(), 3u);  // working, senior, working again
  Record after = Observe(book_, ExerciseId(), kStartex, 60 * kMinute);
  EXPECT_EQ(after.observations.size(), 2u);
  ASSERT_EQ(after.deadlines.size(), 1u);
  EXPECT_EQ(after.deadlines[0].met_ms, 88 * kSecond);
  EXPECT_EQ(after.escalations.size(), 3u);
}

TEST_F(ObserveTest, AnAdoptionIsAnAllDecideObservation) {
  std::string d;
  std::string c = ConvenedWithProposal(&d);
  Add(kApprove, "alice@USA", Version(d, 1, "v1"), c, kStartex + 5 * kMinute);
  Add(kApprove, "kim@KOR", Version(d, 1, "v1"), c, kStartex + 6 * kMinute);
  Step(kReport, "lee@KOR", c, kStartex + 7 * kMinute);
  ASSERT_EQ(book_.Find(c)->state, consult::State::kMonitoring);
  Record r = Observe(book_, ExerciseId(), kStartex, 60 * kMinute);
  std::vector<std::string> seen;
  for (const auto& o : r.observations) {
    seen.push_back(o.partner + " " + o.action + " " + std::to_string(o.at_ms / kMinute));
  }
  EXPECT_THAT(seen,
              ElementsAre("KOR request 1", "USA acknowledge 2", "KOR convene 3", "KOR propose 4",
                          "USA approve 5", "KOR approve 6", "ALL decide 6", "KOR report 7"));
  EXPECT_EQ(r.decisions_adopted, 1u);
  EXPECT_EQ(r.consultations, 1u);
  // Before the second approval nothing was adopted.
  EXPECT_EQ(Observe(book_, ExerciseId(), kStartex, 6 * kMinute - 1).decisions_adopted, 0u);
}

TEST_F(ObserveTest, StepsThatWereNotAppliedAreNotObserved) {
  std::string c = Request("lee@KOR", kStartex + 1 * kMinute);
  Step(kAck, "kim@KOR", c, kStartex + 2 * kMinute);      // the requester cannot acknowledge
  Step(kConvene, "kim@KOR", c, kStartex + 3 * kMinute);  // not acknowledged yet
  ASSERT_EQ(book_.Find(c)->timeline.size(), 3u);
  Record r = Observe(book_, ExerciseId(), kStartex, 60 * kMinute);
  ASSERT_EQ(r.observations.size(), 1u);
  EXPECT_EQ(r.observations[0].action, "request");
}

TEST(ActionOfTest, MapsKindsToPlayerActions) {
  EXPECT_EQ(ActionOf("consult.request"), "request");
  EXPECT_EQ(ActionOf("consult.ack"), "acknowledge");
  EXPECT_EQ(ActionOf("consult.convene"), "convene");
  EXPECT_EQ(ActionOf("consult.report"), "report");
  EXPECT_EQ(ActionOf("consult.close"), "close");
  EXPECT_EQ(ActionOf("decision.propose"), "propose");
  EXPECT_EQ(ActionOf("decision.approve"), "approve");
  EXPECT_EQ(ActionOf("decision.object"), "object");
  EXPECT_EQ(ActionOf("consult.withdraw"), "");
  EXPECT_EQ(ActionOf("decision.revise"), "");
  EXPECT_EQ(ActionOf("message.post"), "");
  for (std::string_view kind : {"consult.request", "consult.ack", "decision.approve"}) {
    EXPECT_TRUE(IsAction(ActionOf(kind))) << kind;
  }
}

// ---- Run ---------------------------------------------------------------------------------------

// Inject 1 at T+00:10 asks KOR to request and USA to acknowledge within 20 minutes (else 1A);
// inject 2 follows 1 after 5 minutes. Officers request and acknowledge at once (no delay).
Scenario RunScenario(double acknowledge) {
  std::string yaml = R"(exercise:
  name: Run
  partners: [USA, KOR]
injects:
  - number: "1"
    time: T+00:10
    type: action
    to: [KOR]
    synopsis: Request a consultation
    expected:
      - KOR request within PT15M
      - USA acknowledge within PT20M else 1A
    precedence: FLASH
  - number: 1A
    type: contingency
    to: [USA]
    synopsis: Reminder to acknowledge
    expected: [USA acknowledge within PT5M]
  - number: "2"
    after: "1"
    delay: PT5M
    type: contextual
    to: [USA, KOR]
    synopsis: Situation update
players:
  - role: officer
    respond:
      request: {median: PT1M, p90: PT2M}
      acknowledge: {median: PT1M, p90: PT2M, probability: )" +
                     Probability(acknowledge) + R"(}
)";
  auto s = ParseScenarioYaml(yaml, "run.yaml");
  EXPECT_TRUE(s.has_value()) << s.error().message();
  if (!s.has_value()) return Scenario();
  for (auto& player : s->players) {
    for (auto& response : player.responses) response.delay = Delay{0, 0};
  }
  return *s;
}

// A Port over the test world's book: every partner's node shows the whole book, injects arrive
// at once, and actions are folded as events (or refused, when told to).
class TestPort : public Port {
 public:
  explicit TestPort(BookTest& world) : world_(&world) {}

  const Bytes& exercise_id() const override { return ExerciseId(); }
  uint64_t epoch_ms() const override { return kStartex; }
  Result<std::string> SendInject(const Inject& inject, uint64_t at_ms) override {
    injects.emplace_back(inject.number, at_ms);
    return "ev-" + inject.number;
  }
  Status Act(const PlayerAction& action, uint64_t at_ms) override {
    acted.push_back(action.partner + " " + action.action + " @" + std::to_string(at_ms));
    if (refuse) return FailedPrecondition("the test refuses every action");
    uint64_t t = kStartex + at_ms;
    if (action.action == "request") {
      world_->Request(action.member, t, ExerciseId(), action.precedence, action.counterparts);
      return {};
    }
    const consult::Consultation* c = world_->book_.Find(action.consultation);
    if (c == nullptr) return NotFound("no consultation " + action.consultation);
    t = std::max(t, c->last_event_ms + 1);
    if (action.action == "acknowledge") {
      world_->Step(kAck, action.member, c->id, t);
    } else if (action.action == "convene") {
      world_->Step(kConvene, action.member, c->id, t);
    } else {
      return InvalidArgument("the test port does not take " + action.action);
    }
    return {};
  }
  Result<const consult::Book*> View(std::string_view /*partner*/, uint64_t /*now_ms*/) override {
    return &world_->book_;
  }
  std::vector<SentInject> Received(std::string_view partner, uint64_t now_ms,
                                   const std::vector<SentInject>& sent) override {
    std::vector<SentInject> out;
    for (const auto& s : sent) {
      const Inject* inject = scenario->FindInject(s.number);
      if (inject != nullptr && s.sent_ms <= now_ms &&
          std::find(inject->to.begin(), inject->to.end(), partner) != inject->to.end()) {
        out.push_back(s);
      }
    }
    return out;
  }

  const Scenario* scenario = nullptr;
  bool refuse = false;
  std::vector<std::pair<std::string, uint64_t>> injects;
  std::vector<std::string> acted;

 private:
  BookTest* world_;
};

class RunTest : public BookTest {
 protected:
  // Steps the run from wake to wake until it ends; the scenario time it ended at.
  uint64_t RunToEnd(exercise::Run& run, const Scenario& s) {
    uint64_t now = 0;
    for (int steps = 0; steps < 1000; ++steps) {
      Result<bool> going = run.Step(now);
      EXPECT_TRUE(going.has_value()) << going.error().message();
      if (!going.has_value() || !*going) return now;
      uint64_t next = run.NextWake(now);
      EXPECT_GT(next, now);
      now = std::min(next, s.end_ms);
    }
    ADD_FAILURE() << "the run did not end";
    return now;
  }
};

TEST_F(RunTest, BotsPlayAndTheExerciseEndsOnceEverythingExpectedHappened) {
  Scenario s = RunScenario(/*acknowledge=*/1);
  ASSERT_EQ(s.end_ms, 35 * kMinute);
  TestPort port(*this);
  port.scenario = &s;
  exercise::Run run(s, port, "KOR", BotMembers(), 1);
  std::vector<std::string> events;
  run.OnEvent([&](const RunEvent& e) {
    events.push_back(e.type + " " + std::to_string(e.at_ms / kMinute) + " " + e.text);
  });
  EXPECT_EQ(RunToEnd(run, s), 15 * kMinute);  // when inject 2, the last one, went out
  using P = std::pair<std::string, uint64_t>;
  EXPECT_THAT(port.injects, ElementsAre(P{"1", 10 * kMinute}, P{"2", 15 * kMinute}));
  EXPECT_THAT(port.acted, ElementsAre("KOR request @600000", "USA acknowledge @600000"));
  EXPECT_EQ(run.actions_taken(), 2u);
  EXPECT_EQ(run.actions_refused(), 0u);
  EXPECT_FALSE(run.controller().WasSent("1A"));
  EXPECT_THAT(events,
              ElementsAre("inject 10 Inject 1 to KOR: Request a consultation",
                          "action 10 KOR request (lee@KOR)", "action 10 USA acknowledge (bob@USA)",
                          "inject 15 Inject 2 to KOR, USA: Situation update", "endex 15 ENDEX"));
  // What the controller saw, for the evaluation.
  Result<Record> record = run.Observed(15 * kMinute);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->exercise_id, HexEncode(ExerciseId()));
  EXPECT_EQ(record->endex_ms, 15 * kMinute);
  ASSERT_EQ(record->injects.size(), 2u);
  EXPECT_EQ(record->injects[0].event_id, "ev-1");
  EXPECT_EQ(record->injects[1].event_id, "ev-2");
  ASSERT_EQ(record->observations.size(), 2u);
  EXPECT_EQ(record->observations[0].action, "request");
  EXPECT_EQ(record->observations[1].action, "acknowledge");
}

TEST_F(RunTest, ASilentCounterpartGetsTheContingencyAndTheRunGoesOnToEndex) {
  Scenario s = RunScenario(/*acknowledge=*/0);
  TestPort port(*this);
  port.scenario = &s;
  exercise::Run run(s, port, "KOR", BotMembers(), 1);
  std::vector<std::string> injects;
  run.OnEvent([&](const RunEvent& e) {
    if (e.type == "inject") injects.push_back(e.text);
  });
  EXPECT_EQ(RunToEnd(run, s), 35 * kMinute);
  using P = std::pair<std::string, uint64_t>;
  EXPECT_THAT(port.injects,
              ElementsAre(P{"1", 10 * kMinute}, P{"2", 15 * kMinute}, P{"1A", 30 * kMinute}));
  EXPECT_THAT(injects, ElementsAre("Inject 1 to KOR: Request a consultation",
                                   "Inject 2 to KOR, USA: Situation update",
                                   "Inject 1A (contingency) to USA: Reminder to acknowledge"));
  EXPECT_THAT(port.acted, ElementsAre("KOR request @600000"));
  EXPECT_EQ(run.actions_taken(), 1u);
}

TEST_F(RunTest, RefusedActionsAreCountedAndReported) {
  Scenario s = RunScenario(/*acknowledge=*/1);
  TestPort port(*this);
  port.scenario = &s;
  port.refuse = true;
  exercise::Run run(s, port, "KOR", BotMembers(), 1);
  std::vector<RunEvent> refused;
  run.OnEvent([&](const RunEvent& e) {
    if (e.type == "refused") refused.push_back(e);
  });
  EXPECT_EQ(RunToEnd(run, s), 35 * kMinute);  // nothing happened: ENDEX
  EXPECT_EQ(run.actions_taken(), 0u);
  EXPECT_EQ(run.actions_refused(), 1u);  // KOR's request, dropped, not retried
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].partner, "KOR");
  EXPECT_EQ(refused[0].at_ms, 10 * kMinute);
  EXPECT_THAT(refused[0].text, HasSubstr("the test refuses every action"));
  EXPECT_TRUE(run.controller().WasSent("1A"));
}

TEST_F(RunTest, WithoutBotsOnlyTheControllerActs) {
  Scenario s = RunScenario(/*acknowledge=*/1);
  TestPort port(*this);
  port.scenario = &s;
  exercise::Run run(s, port, "KOR", {}, 1);  // people play
  EXPECT_EQ(RunToEnd(run, s), 35 * kMinute);
  EXPECT_TRUE(port.acted.empty());
  EXPECT_EQ(port.injects.size(), 3u);
}

}  // namespace
}  // namespace entente::exercise
