// Tests of the evaluation (evaluation.h) and of the reports (report.h). Scenarios are built by
// hand, so that these tests do not depend on the scenario parser.
#include "exercise/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "exercise/evaluation.h"
#include "testing/testdata.h"

namespace entente::exercise {
namespace {

using Outcome = ExpectationResult::Outcome;

constexpr uint64_t kMin = kMsPerMinute;

ExpectedAction Expect(std::string partner, std::string action, uint64_t within_ms,
                      std::string contingency = "") {
  return ExpectedAction{.partner = std::move(partner),
                        .action = std::move(action),
                        .within_ms = within_ms,
                        .contingency = std::move(contingency)};
}

// Two partners, two objectives, three injects of which 2A is a contingency never sent:
//   1  at T+00:00  KOR acknowledge within 10m, USA acknowledge within 10m    OBJ-1
//   2  at T+00:30  KOR convene within 15m, ALL decide within 1h               OBJ-2
//   2A contingency USA report within 20m                                      OBJ-2
Scenario TestScenario() {
  Scenario s;
  s.name = "Pacific Shield <script>alert(1)</script> & Co";
  s.type = "tabletop";
  s.date = "2026-11-28";
  s.classification = "SECRET//REL TO USA, KOR";
  s.partners = {"KOR", "USA"};
  s.objectives = {
      Objective{.id = "OBJ-1",
                .text = "Acknowledge a FLASH consultation | within the deadline",
                .capability = "Operational Communications"},
      Objective{.id = "OBJ-2", .text = "Reach a joint decision", .capability = "Coordination"},
  };
  Inject one;
  one.number = "1";
  one.at_ms = 0;
  one.type = "action";
  one.synopsis = "Missile launch reported <b>near</b> the border";
  one.expected = {Expect("KOR", "acknowledge", 10 * kMin, "2A"),
                  Expect("USA", "acknowledge", 10 * kMin)};
  one.objectives = {"OBJ-1"};
  Inject two;
  two.number = "2";
  two.after = "1";
  two.delay_ms = 30 * kMin;
  two.type = "action";
  two.synopsis = "Second launch";
  two.expected = {Expect("KOR", "convene", 15 * kMin), Expect("ALL", "decide", 60 * kMin)};
  two.objectives = {"OBJ-2"};
  Inject contingency;
  contingency.number = "2A";
  contingency.type = "contingency";
  contingency.synopsis = "SimCell calls KOR";
  contingency.expected = {Expect("USA", "report", 20 * kMin)};
  contingency.objectives = {"OBJ-2"};
  s.injects = {one, two, contingency};
  s.end_ms = 120 * kMin;
  return s;
}

Observation Seen(std::string partner, std::string action, uint64_t at_ms) {
  return Observation{.partner = std::move(partner),
                     .member = "",
                     .action = std::move(action),
                     .consultation = "c0ffee00112233445566778899aabbcc",
                     .at_ms = at_ms};
}

Record TestRecord() {
  Record r;
  r.exercise_id = "e1e1e1e1";
  r.startex_unix_ms = 1795861020000;  // 2026-11-28T10:17:00Z
  r.speed = 1.0;
  r.endex_ms = 120 * kMin;
  r.injects = {SentInject{.number = "1", .sent_ms = 0, .event_id = "aa01"},
               SentInject{.number = "2", .sent_ms = 30 * kMin, .event_id = "aa02"}};
  r.observations = {
      Seen("KOR", "acknowledge", 4 * kMin + 12 * kMsPerSecond),  // met: 4m 12s
      Seen("USA", "convene", 10 * kMin),      // another partner's convening: does not count
      Seen("USA", "acknowledge", 14 * kMin),  // late: due at 10m
      Seen("ALL", "decide", 70 * kMin),       // met: 40m after inject 2, due within 1h
      Seen("KOR", "convene", 150 * kMin),     // after ENDEX: does not count
  };
  r.deadlines = {
      DeadlineResult{.consultation = "c0ffee00112233445566778899aabbcc",
                     .what = "acknowledgement by KOR",
                     .partner = "KOR",
                     .due_ms = 5 * kMin,
                     .met_ms = 4 * kMin + 12 * kMsPerSecond},
      DeadlineResult{.consultation = "c0ffee00112233445566778899aabbcc",
                     .what = "acknowledgement by USA",
                     .partner = "USA",
                     .due_ms = 10 * kMin,
                     .met_ms = 14 * kMin},
      DeadlineResult{.consultation = "beef",
                     .what = "acknowledgement by KOR",
                     .partner = "KOR",
                     .due_ms = 35 * kMin,
                     .met_ms = std::nullopt},
  };
  r.escalations = {EscalationEvent{
      .consultation = "beef", .partner = "KOR", .level = "senior", .at_ms = 50 * kMin}};
  r.consultations = 2;
  r.decisions_adopted = 1;
  return r;
}

const ObjectiveRating& RatingOf(const Evaluation& e, std::string_view objective) {
  auto it = std::find_if(e.ratings.begin(), e.ratings.end(),
                         [&](const ObjectiveRating& r) { return r.objective == objective; });
  EXPECT_NE(it, e.ratings.end()) << objective;
  return *it;
}

// ---------------------------------------------------------------------------------------------
// Evaluate.

TEST(EvaluateTest, MatchesExpectationsInMselOrder) {
  Evaluation e = Evaluate(TestScenario(), TestRecord());
  ASSERT_EQ(e.expectations.size(), 5u);

  const auto& kor_ack = e.expectations[0];
  EXPECT_EQ(kor_ack.inject, "1");
  EXPECT_EQ(kor_ack.expected.partner, "KOR");
  EXPECT_EQ(kor_ack.outcome, Outcome::kMet);
  EXPECT_EQ(kor_ack.due_ms, 10 * kMin);
  EXPECT_EQ(kor_ack.response_ms(), 4 * kMin + 12 * kMsPerSecond);

  const auto& usa_ack = e.expectations[1];
  EXPECT_EQ(usa_ack.expected.partner, "USA");
  EXPECT_EQ(usa_ack.outcome, Outcome::kLate);
  EXPECT_EQ(usa_ack.response_ms(), 14 * kMin);

  // The convene at T+00:10 was USA's, KOR's at T+02:30 came after ENDEX.
  const auto& convene = e.expectations[2];
  EXPECT_EQ(convene.inject, "2");
  EXPECT_EQ(convene.expected.action, "convene");
  EXPECT_EQ(convene.sent_ms, 30 * kMin);
  EXPECT_EQ(convene.due_ms, 45 * kMin);
  EXPECT_EQ(convene.outcome, Outcome::kMissed);
  EXPECT_FALSE(convene.done_ms.has_value());

  const auto& decide = e.expectations[3];
  EXPECT_EQ(decide.expected.partner, "ALL");
  EXPECT_EQ(decide.outcome, Outcome::kMet);
  EXPECT_EQ(decide.done_ms, 70 * kMin);
  EXPECT_EQ(decide.response_ms(), 40 * kMin);

  const auto& report = e.expectations[4];
  EXPECT_EQ(report.inject, "2A");
  EXPECT_EQ(report.outcome, Outcome::kNotSent);
  EXPECT_EQ(report.sent_ms, 0u);
  EXPECT_EQ(report.due_ms, 0u);
  EXPECT_FALSE(report.response_ms().has_value());
}

// Players often act before the inject asks them to: such an action counts, as done when the
// inject was sent, unless an earlier inject expecting the same of the same partner counts it.
TEST(EvaluateTest, AnActionTakenBeforeItsInjectCountsOnce) {
  Scenario s = TestScenario();
  s.injects[0].expected.push_back(Expect("KOR", "report", 10 * kMin));
  s.injects[1].expected.push_back(Expect("KOR", "report", 10 * kMin));
  Record r = TestRecord();
  r.observations.push_back(Seen("KOR", "convene", 20 * kMin));  // before inject 2 (T+00:30)
  r.observations.push_back(Seen("KOR", "report", 5 * kMin));    // inject 1's report
  std::stable_sort(r.observations.begin(), r.observations.end(),
                   [](const Observation& a, const Observation& b) { return a.at_ms < b.at_ms; });
  Evaluation e = Evaluate(s, r);
  auto find = [&](std::string_view inject, std::string_view action) {
    auto it = std::find_if(e.expectations.begin(), e.expectations.end(), [&](const auto& x) {
      return x.inject == inject && x.expected.action == action;
    });
    EXPECT_NE(it, e.expectations.end());
    return *it;
  };
  auto convene = find("2", "convene");
  EXPECT_EQ(convene.outcome, Outcome::kMet);
  EXPECT_EQ(convene.done_ms, 30 * kMin);
  EXPECT_EQ(convene.response_ms(), 0u);
  EXPECT_EQ(find("1", "report").outcome, Outcome::kMet);
  // The one report counted for inject 1 is not counted again for inject 2.
  EXPECT_EQ(find("2", "report").outcome, Outcome::kMissed);
}

TEST(EvaluateTest, OutcomeNames) {
  EXPECT_EQ(OutcomeName(Outcome::kMet), "met");
  EXPECT_EQ(OutcomeName(Outcome::kLate), "late");
  EXPECT_EQ(OutcomeName(Outcome::kMissed), "missed");
  EXPECT_EQ(OutcomeName(Outcome::kNotSent), "not-sent");
}

TEST(EvaluateTest, RatesObjectivesWithTheFactsBehindEachRating) {
  Evaluation e = Evaluate(TestScenario(), TestRecord());
  ASSERT_EQ(e.ratings.size(), 2u);
  // OBJ-1: both acknowledgements done, one late.
  const ObjectiveRating& one = e.ratings[0];
  EXPECT_EQ(one.objective, "OBJ-1");
  EXPECT_EQ(one.rating, 'S');
  ASSERT_GE(one.observations.size(), 2u);
  EXPECT_EQ(one.observations[0], "Inject 1: KOR acknowledge within 10m \u2014 met in 4m 12s");
  EXPECT_EQ(one.observations[1],
            "Inject 1: USA acknowledge within 10m \u2014 late: done in 14m, 4m after the target");
  // Deadlines and escalations of the acknowledging partners follow.
  EXPECT_NE(std::find(one.observations.begin(), one.observations.end(),
                      "Escalation: KOR silent in consultation beef, escalated to senior level "
                      "at T+00:50"),
            one.observations.end());
  // OBJ-2: the convene missed, the decision met: half done; 2A was not sent.
  const ObjectiveRating& two = e.ratings[1];
  EXPECT_EQ(two.objective, "OBJ-2");
  EXPECT_EQ(two.rating, 'M');
  ASSERT_EQ(two.observations.size(), 3u);
  EXPECT_EQ(two.observations[0],
            "Inject 2: KOR convene within 15m \u2014 missed: not done by ENDEX");
  EXPECT_EQ(two.observations[1], "Inject 2: ALL decide within 1h \u2014 met in 40m");
  EXPECT_EQ(two.observations[2], "Inject 2A not sent: its expected actions were not tested");
}

TEST(EvaluateTest, RatesPWhenEveryActionIsMet) {
  Record r = TestRecord();
  r.observations[2].at_ms = 9 * kMin;  // USA acknowledges in time
  Evaluation e = Evaluate(TestScenario(), r);
  EXPECT_EQ(RatingOf(e, "OBJ-1").rating, 'P');
}

TEST(EvaluateTest, RatesUWhenLessThanHalfIsDone) {
  Scenario s = TestScenario();
  s.injects[0].expected.push_back(Expect("KOR", "report", 10 * kMin));  // 1 of 3 done in OBJ-1
  Record r = TestRecord();
  r.observations.erase(r.observations.begin() + 2);  // USA never acknowledges
  Evaluation e = Evaluate(s, r);
  EXPECT_EQ(RatingOf(e, "OBJ-1").rating, 'U');
  // And 2 of 3 done is M.
  r.observations.push_back(Seen("USA", "acknowledge", 20 * kMin));
  EXPECT_EQ(RatingOf(Evaluate(s, r), "OBJ-1").rating, 'M');
}

TEST(EvaluateTest, UntestedObjectiveIsRatedUAndSaysSo) {
  Scenario s = TestScenario();
  s.objectives.push_back(Objective{.id = "OBJ-3", .text = "Report status"});
  s.objectives.push_back(Objective{.id = "OBJ-4", .text = "Nothing tests this"});
  s.injects[2].objectives = {"OBJ-3"};  // only the contingency, never sent
  Evaluation e = Evaluate(s, TestRecord());
  const ObjectiveRating& three = RatingOf(e, "OBJ-3");
  EXPECT_EQ(three.rating, 'U');
  ASSERT_EQ(three.observations.size(), 1u);
  EXPECT_EQ(three.observations[0],
            "not tested: inject 2A was not sent, so no expected action of this objective was "
            "tested");
  const ObjectiveRating& four = RatingOf(e, "OBJ-4");
  EXPECT_EQ(four.rating, 'U');
  ASSERT_EQ(four.observations.size(), 1u);
  EXPECT_EQ(four.observations[0], "not tested: no inject of the MSEL supports this objective");
}

TEST(EvaluateTest, AllPartnersMustActForAnAllExpectationOtherThanDecide) {
  Scenario s = TestScenario();
  s.injects[1].expected = {Expect("ALL", "approve", 20 * kMin)};
  Record r = TestRecord();
  r.observations.push_back(Seen("KOR", "approve", 35 * kMin));
  Evaluation e = Evaluate(s, r);
  EXPECT_EQ(e.expectations[2].outcome, Outcome::kMissed);  // USA never approved
  r.observations.push_back(Seen("USA", "approve", 55 * kMin));
  e = Evaluate(s, r);
  EXPECT_EQ(e.expectations[2].outcome, Outcome::kLate);  // the last approval counts
  EXPECT_EQ(e.expectations[2].done_ms, 55 * kMin);
}

TEST(EvaluateTest, DraftsTheImprovementPlan) {
  Evaluation e = Evaluate(TestScenario(), TestRecord());
  // USA's late acknowledgement (OBJ-1), KOR's missed convene (OBJ-2) and KOR's missed deadline
  // in consultation beef; USA's missed deadline is covered by its late acknowledgement.
  ASSERT_EQ(e.improvement_plan.size(), 3u);
  const ImprovementItem& late = e.improvement_plan[0];
  EXPECT_EQ(late.objective, "OBJ-1");
  EXPECT_EQ(late.issue, "USA acknowledge late: done in 14m against its 10m target (inject 1)");
  EXPECT_EQ(late.capability_element, "Organization");
  EXPECT_EQ(late.partner, "USA");
  EXPECT_EQ(late.due, "2027-02-26");
  EXPECT_NE(late.corrective_action.find("duty roster"), std::string::npos);

  const ImprovementItem& missed = e.improvement_plan[1];
  EXPECT_EQ(missed.objective, "OBJ-2");
  EXPECT_EQ(missed.issue, "KOR convene missed its 15m target (inject 2)");
  EXPECT_EQ(missed.capability_element, "Organization");
  EXPECT_EQ(missed.partner, "KOR");
  EXPECT_EQ(missed.due, "2027-02-26");

  const ImprovementItem& deadline = e.improvement_plan[2];
  EXPECT_EQ(deadline.objective, "");
  EXPECT_EQ(deadline.issue,
            "Deadline missed: acknowledgement by KOR in consultation beef (due T+00:35, not "
            "done)");
  EXPECT_EQ(deadline.partner, "KOR");
}

TEST(EvaluateTest, ImprovementItemOfAnAllActionNamesEveryPartner) {
  Record r = TestRecord();
  r.observations.erase(r.observations.begin() + 3);  // no decision
  Evaluation e = Evaluate(TestScenario(), r);
  auto it =
      std::find_if(e.improvement_plan.begin(), e.improvement_plan.end(),
                   [](const ImprovementItem& i) { return i.issue.starts_with("ALL decide"); });
  ASSERT_NE(it, e.improvement_plan.end());
  EXPECT_EQ(it->partner, "KOR, USA");
  EXPECT_EQ(it->capability_element, "Planning");
  EXPECT_EQ(it->issue, "ALL decide missed its 1h target (inject 2)");
}

TEST(EvaluateTest, DueDateIs90DaysAfterTheExerciseOrEmpty) {
  Scenario s = TestScenario();
  s.date = "2027-12-15";  // across a leap February
  EXPECT_EQ(Evaluate(s, TestRecord()).improvement_plan[0].due, "2028-03-14");
  for (std::string bad : {"", "2027-02-30", "27-12-15", "2027-1-155", "2027-12-1x"}) {
    s.date = bad;
    EXPECT_EQ(Evaluate(s, TestRecord()).improvement_plan[0].due, "") << bad;
  }
}

TEST(EvaluateTest, FiguresPerPartnerWithLowerMedian) {
  Evaluation e = Evaluate(TestScenario(), TestRecord());
  ASSERT_EQ(e.partners.size(), 2u);
  const PartnerFigures& kor = e.partners[0];
  EXPECT_EQ(kor.partner, "KOR");
  EXPECT_EQ(kor.expected, 3u);  // acknowledge, convene, decide (ALL); not the unsent report
  EXPECT_EQ(kor.met, 2u);
  EXPECT_EQ(kor.late, 0u);
  EXPECT_EQ(kor.missed, 1u);
  EXPECT_EQ(kor.response_ms, (std::vector<uint64_t>{4 * kMin + 12 * kMsPerSecond, 40 * kMin}));
  EXPECT_EQ(kor.median_response_ms, 4 * kMin + 12 * kMsPerSecond);  // lower of the two

  const PartnerFigures& usa = e.partners[1];
  EXPECT_EQ(usa.partner, "USA");
  EXPECT_EQ(usa.expected, 2u);
  EXPECT_EQ(usa.met, 1u);
  EXPECT_EQ(usa.late, 1u);
  EXPECT_EQ(usa.missed, 0u);
  EXPECT_EQ(usa.median_response_ms, 14 * kMin);

  // An odd count: the middle one.
  Record r = TestRecord();
  r.observations.push_back(Seen("KOR", "convene", 31 * kMin));  // in 1m
  EXPECT_EQ(Evaluate(TestScenario(), r).partners[0].median_response_ms,
            4 * kMin + 12 * kMsPerSecond);
  r.observations.push_back(Seen("KOR", "acknowledge", 1 * kMin));  // now the first: 1m
  EXPECT_EQ(Evaluate(TestScenario(), r).partners[0].median_response_ms, 1 * kMin);
}

TEST(EvaluateTest, NothingSentMeansEverythingNotSent) {
  Record r;
  Evaluation e = Evaluate(TestScenario(), r);
  ASSERT_EQ(e.expectations.size(), 5u);
  for (const auto& x : e.expectations) EXPECT_EQ(x.outcome, Outcome::kNotSent);
  EXPECT_TRUE(e.improvement_plan.empty());
  EXPECT_EQ(e.partners[0].expected, 0u);
  EXPECT_FALSE(e.partners[0].median_response_ms.has_value());
  for (const auto& rating : e.ratings) EXPECT_EQ(rating.rating, 'U');
}

TEST(EvaluateTest, JsonCarriesTheFigures) {
  Evaluation e = Evaluate(TestScenario(), TestRecord());
  nlohmann::json j = e.ToJson();
  EXPECT_EQ(j["scenario"]["name"], "Pacific Shield <script>alert(1)</script> & Co");
  EXPECT_EQ(j["scenario"]["partners"], (nlohmann::json{"KOR", "USA"}));
  EXPECT_EQ(j["scenario"]["objectives"][1]["id"], "OBJ-2");
  EXPECT_EQ(j["record"]["startex"], "2026-11-28T10:17:00.000Z");
  EXPECT_EQ(j["record"]["endex_ms"], 120 * kMin);
  EXPECT_EQ(j["record"]["decisions_adopted"], 1);
  EXPECT_EQ(j["record"]["deadlines"][2]["met_ms"], nullptr);
  EXPECT_EQ(j["record"]["deadlines"][2]["met"], false);
  EXPECT_EQ(j["expectations"][0]["outcome"], "met");
  EXPECT_EQ(j["expectations"][0]["response_ms"], 252000);
  EXPECT_EQ(j["expectations"][0]["response"], "4m 12s");
  EXPECT_EQ(j["expectations"][4]["outcome"], "not-sent");
  EXPECT_EQ(j["expectations"][4]["done_ms"], nullptr);
  EXPECT_EQ(
      j["totals"],
      (nlohmann::json{{"expected", 5}, {"met", 2}, {"late", 1}, {"missed", 1}, {"not_sent", 1}}));
  EXPECT_EQ(j["ratings"][0]["rating"], "S");
  EXPECT_EQ(j["ratings"][1]["rating"], "M");
  EXPECT_EQ(j["improvement_plan"].size(), 3u);
  EXPECT_EQ(j["improvement_plan"][0]["due"], "2027-02-26");
  EXPECT_EQ(j["partners"][0]["median_response_ms"], 252000);
  EXPECT_EQ(j["partners"][1]["median_response"], "14m");

  Record simulated = TestRecord();
  simulated.startex_unix_ms = 0;
  EXPECT_EQ(Evaluate(TestScenario(), simulated).ToJson()["record"]["startex"], nullptr);
}

// ---------------------------------------------------------------------------------------------
// Checks of the rendered text.

// "" if `doc` is well-formed XML-compatible HTML: elements balanced and properly nested (void
// elements must be self-closed), attribute values double-quoted, every & an entity we emit, no
// stray >. Else what is wrong, and where.
std::string WellFormedness(std::string_view doc) {
  static constexpr std::string_view kEntities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
  static constexpr std::string_view kVoid[] = {"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> open;
  size_t i = 0;
  auto at = [&](size_t pos) { return " at offset " + std::to_string(pos); };
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '&') {
      bool ok = std::any_of(std::begin(kEntities), std::end(kEntities),
                            [&](std::string_view e) { return doc.substr(i).starts_with(e); });
      if (!ok) return "bare &" + at(i);
      ++i;
      continue;
    }
    if (c == '>') return "stray >" + at(i);
    if (c != '<') {
      ++i;
      continue;
    }
    if (doc.substr(i).starts_with("<!DOCTYPE")) {
      i = doc.find('>', i) + 1;
      continue;
    }
    if (doc.substr(i).starts_with("<!--")) {
      size_t end = doc.find("-->", i);
      if (end == std::string_view::npos) return "unterminated comment" + at(i);
      i = end + 3;
      continue;
    }
    size_t end = doc.find('>', i);
    if (end == std::string_view::npos) return "unterminated tag" + at(i);
    std::string_view tag = doc.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string_view::npos) return "< inside a tag" + at(i);
    if (tag.starts_with('/')) {
      std::string name(tag.substr(1));
      if (open.empty()) return "</" + name + "> closes nothing" + at(i);
      if (open.back() != name) return "</" + name + "> closes <" + open.back() + ">" + at(i);
      open.pop_back();
    } else {
      bool self_closed = tag.ends_with('/');
      size_t name_end = tag.find_first_of(" \n/");
      std::string name(tag.substr(0, name_end));
      if (name.empty()) return "tag without a name" + at(i);
      // Attributes: name="value", values double-quoted.
      size_t quotes = std::count(tag.begin(), tag.end(), '"');
      if (quotes % 2 != 0) return "unbalanced quotes in <" + name + ">" + at(i);
      for (size_t eq = tag.find('='); eq != std::string_view::npos; eq = tag.find('=', eq + 1)) {
        // '=' inside a quoted value is fine: count the quotes before it.
        if (std::count(tag.begin(), tag.begin() + static_cast<long>(eq), '"') % 2 != 0) continue;
        if (eq + 1 >= tag.size() || tag[eq + 1] != '"') {
          return "unquoted attribute in <" + name + ">" + at(i);
        }
      }
      bool is_void = std::find(std::begin(kVoid), std::end(kVoid), name) != std::end(kVoid);
      if (is_void && !self_closed) return "<" + name + "> not self-closed" + at(i);
      if (!self_closed) open.push_back(name);
    }
    i = end + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

size_t Count(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t i = text.find(what); i != std::string_view::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

TEST(WellFormednessTest, CatchesWhatItShould) {
  EXPECT_EQ(WellFormedness("<p>a <b>b</b></p>"), "");
  EXPECT_EQ(WellFormedness("<meta charset=\"utf-8\" /><p>x &amp; y</p>"), "");
  EXPECT_NE(WellFormedness("<p>a <b>b</p></b>"), "");
  EXPECT_NE(WellFormedness("<p>a"), "");
  EXPECT_NE(WellFormedness("<p>a & b</p>"), "");
  EXPECT_NE(WellFormedness("<p class=x>a</p>"), "");
  EXPECT_NE(WellFormedness("<br>"), "");
  EXPECT_NE(WellFormedness("<p>a > b</p>"), "");
}

Evaluation TestEvaluation() { return Evaluate(TestScenario(), TestRecord()); }

// ---------------------------------------------------------------------------------------------
// The AAR.

TEST(RenderReportTest, HtmlIsWellFormedAndSelfContained) {
  ReportFiles files = RenderReport(TestEvaluation());
  const std::string& html = files.html;
  EXPECT_EQ(WellFormedness(html), "");
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(Count(html, "<script"), 0u);
  EXPECT_EQ(Count(html, "src="), 0u);
  EXPECT_EQ(Count(html, "href="), 0u);
  EXPECT_EQ(Count(html, "url("), 0u);
  EXPECT_EQ(Count(html, "@import"), 0u);
  // The only URL is the SVG namespace name, which is never fetched.
  EXPECT_EQ(Count(html, "http"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(Count(html, "<svg"), 1u);
}

TEST(RenderReportTest, HtmlCarriesBannersAndFigures) {
  Evaluation evaluation = TestEvaluation();
  std::string html = RenderReport(evaluation).html;
  // Banners at the top and at the bottom.
  EXPECT_EQ(Count(html, ">EXERCISE EXERCISE EXERCISE</div>"), 2u);
  EXPECT_EQ(Count(html, "class=\"banner cls-s\">SECRET//REL TO USA, KOR</div>"), 2u);
  EXPECT_LT(html.find("EXERCISE EXERCISE EXERCISE"), html.find("<h1>"));
  EXPECT_GT(html.rfind("EXERCISE EXERCISE EXERCISE"), html.find("improvement-plan"));
  // Response times: KOR's median, USA's late response, the per-inject outcomes.
  EXPECT_NE(html.find("<td class=\"num\">4m 12s</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">14m</td>"), std::string::npos);
  EXPECT_EQ(Count(html, "<span class=\"badge o-not-sent\">not-sent</span>"), 1u);
  EXPECT_EQ(Count(html, "<span class=\"badge o-missed\">missed</span>"), 1u + 2u);  // + deadlines
  // Ratings.
  EXPECT_NE(html.find("<span class=\"rating r-S\">S</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"rating r-M\">M</span>"), std::string::npos);
  // The improvement plan.
  EXPECT_NE(html.find("<td>KOR convene missed its 15m target (inject 2)</td>"), std::string::npos);
  EXPECT_EQ(Count(html, "<td>2027-02-26</td>"), 3u);
  // The timeline: tick labels, the lanes, the injects, a legend, ENDEX.
  EXPECT_NE(html.find(">T+01:00</text>"), std::string::npos);
  EXPECT_NE(html.find(">Controller</text>"), std::string::npos);
  EXPECT_NE(html.find(">KOR</text>"), std::string::npos);
  EXPECT_NE(html.find(">deadline missed</text>"), std::string::npos);
  EXPECT_NE(html.find(">ENDEX</text>"), std::string::npos);
  EXPECT_NE(html.find("<title>Inject 2 sent at T+00:30: Second launch</title>"), std::string::npos);

  // Every rating letter has its badge.
  evaluation.ratings.push_back(ObjectiveRating{.objective = "OBJ-P", .rating = 'P'});
  evaluation.ratings.push_back(ObjectiveRating{.objective = "OBJ-U", .rating = 'U'});
  html = RenderReport(evaluation).html;
  for (char letter : {'P', 'S', 'M', 'U'}) {
    std::string badge =
        std::string("<span class=\"rating r-") + letter + "\">" + letter + "</span>";
    EXPECT_NE(html.find(badge), std::string::npos) << letter;
  }
  EXPECT_EQ(WellFormedness(html), "");
}

TEST(RenderReportTest, ScenarioTextIsEscaped) {
  Scenario s = TestScenario();
  s.classification = "SECRET\"//REL 'TO' <USA>";
  s.partners.push_back("<img src=x onerror=alert(1)>");
  s.injects[0].expected.push_back(Expect("<img src=x onerror=alert(1)>", "acknowledge", kMin));
  std::string html = RenderReport(Evaluate(s, TestRecord())).html;
  EXPECT_EQ(WellFormedness(html), "");
  EXPECT_EQ(Count(html, "<script>"), 0u);
  EXPECT_EQ(Count(html, "<img"), 0u);
  EXPECT_EQ(Count(html, "<b>"), 0u);
  EXPECT_NE(html.find("Pacific Shield &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"),
            std::string::npos);
  EXPECT_NE(html.find("Missile launch reported &lt;b&gt;near&lt;/b&gt; the border"),
            std::string::npos);
  EXPECT_NE(html.find("SECRET&quot;//REL &#39;TO&#39; &lt;USA&gt;"), std::string::npos);
}

TEST(RenderReportTest, BytesThatAreNotTextDoNotBreakTheReport) {
  Scenario s = TestScenario();
  s.name = std::string("Bad \xff\xfe bytes \x01 and \xc3\x28 here");
  ReportFiles files = RenderReport(Evaluate(s, TestRecord()));
  EXPECT_EQ(WellFormedness(files.html), "");
  EXPECT_NE(files.html.find("Bad \uFFFD\uFFFD bytes \uFFFD and \uFFFD( here"), std::string::npos);
  auto json = nlohmann::json::parse(files.json, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json["partners"][0]["median_response_ms"], 252000);
}

TEST(RenderReportTest, ExtremeTimesStayBounded) {
  Record r = TestRecord();
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  r.endex_ms = 0;  // no ENDEX: every observation counts
  r.injects.push_back(SentInject{.number = "2A", .sent_ms = kMax - 1});
  r.observations.push_back(Seen("USA", "report", kMax));
  r.escalations.push_back(EscalationEvent{.partner = "USA", .level = "leader", .at_ms = kMax});
  Evaluation e = Evaluate(TestScenario(), r);
  EXPECT_EQ(e.expectations[4].due_ms, kMax);  // saturated, not wrapped
  EXPECT_EQ(e.expectations[4].outcome, Outcome::kMet);
  ReportFiles files = RenderReport(e);
  EXPECT_EQ(WellFormedness(files.html), "");
  EXPECT_LT(files.html.size(), 200'000u);
}

// Consecutive lines starting with '|' form a table; each must have as many cells as its header.
std::string TableShape(std::string_view md) {
  std::istringstream in{std::string(md)};
  std::string line;
  size_t columns = 0;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.starts_with("|")) {
      columns = 0;
      continue;
    }
    size_t pipes = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
      } else if (line[i] == '|') {
        ++pipes;
      }
    }
    if (columns == 0) {
      columns = pipes;
    } else if (pipes != columns) {
      return "line " + std::to_string(number) + ": " + std::to_string(pipes) +
             " pipes, header has " + std::to_string(columns) + ": " + line;
    }
  }
  return "";
}

TEST(RenderReportTest, MarkdownHasTheTables) {
  std::string md = RenderReport(TestEvaluation()).markdown;
  EXPECT_TRUE(md.starts_with("**EXERCISE EXERCISE EXERCISE**\n\n**SECRET//REL TO USA, KOR**\n"));
  EXPECT_TRUE(md.ends_with("**SECRET//REL TO USA, KOR**\n\n**EXERCISE EXERCISE EXERCISE**\n"));
  EXPECT_EQ(TableShape(md), "");
  EXPECT_NE(md.find("| Partner | Expected | Met | Late | Missed | Median response | Responses |"),
            std::string::npos);
  EXPECT_NE(md.find("| KOR | 3 | 2 | 0 | 1 | 4m 12s | 4m 12s, 40m |"), std::string::npos);
  EXPECT_NE(md.find("| 2A | not sent | USA | report | 20m | \u2014 | \u2014 | not-sent |"),
            std::string::npos);
  EXPECT_NE(md.find("| Objective | Issue | Corrective action | Capability element | "
                    "Responsible partner | Due date |"),
            std::string::npos);
  EXPECT_NE(md.find("| OBJ-2 | KOR convene missed its 15m target (inject 2) |"), std::string::npos);
  // | in a cell is escaped, and so is markup from the scenario.
  EXPECT_NE(md.find("OBJ-1: Acknowledge a FLASH consultation \\| within the deadline"),
            std::string::npos);
  EXPECT_EQ(Count(md, "<script>"), 0u);
  EXPECT_NE(md.find("Pacific Shield \\<script\\>alert(1)\\</script\\> \\& Co"), std::string::npos);
  EXPECT_NE(md.find("### OBJ-2 \u2014 M\n"), std::string::npos);
}

TEST(RenderReportTest, JsonRoundTrips) {
  Evaluation evaluation = TestEvaluation();
  ReportFiles files = RenderReport(evaluation);
  auto json = nlohmann::json::parse(files.json, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json, evaluation.ToJson());
  EXPECT_EQ(files.json, evaluation.ToJson().dump(2) + "\n");
  EXPECT_EQ(json["expectations"][1]["outcome"], "late");
  EXPECT_EQ(json["improvement_plan"][1]["partner"], "KOR");
}

TEST(WriteReportTest, WritesThreeFiles) {
  entente::testing::TempDir tmp;
  std::string dir = (tmp.path() / "reports" / "aar").string();  // created
  Evaluation evaluation = TestEvaluation();
  ASSERT_TRUE(WriteReport(evaluation, dir).has_value());
  ReportFiles files = RenderReport(evaluation);
  auto read = [&](std::string_view name) {
    std::ifstream in(std::filesystem::path(dir) / name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  EXPECT_EQ(read("aar.html"), files.html);
  EXPECT_EQ(read("aar.md"), files.markdown);
  EXPECT_EQ(read("aar.json"), files.json);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 3u);
}

TEST(WriteReportTest, NamesThePathItCannotWrite) {
  entente::testing::TempDir tmp;
  std::string file = (tmp.path() / "not-a-dir").string();
  std::ofstream(file) << "x";
  Status status = WriteReport(TestEvaluation(), file);
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message().find(file), std::string::npos) << status.error().message();
  status = WriteSimulationReport(SimulationSummary{}, file + "/below");
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message().find(file), std::string::npos) << status.error().message();
}

// ---------------------------------------------------------------------------------------------
// Simulation.

SimulationSummary TestSummary() {
  SimulationSummary s;
  s.scenario = "Pacific Shield";
  s.classification = "SECRET//REL TO USA, KOR";
  s.runs = 12;
  s.seed = 42;
  s.faults = "link:KOR-USA:down@30m";
  s.wall_seconds = 6;
  s.target_ms = 120 * kMin;
  s.decided_within_target = 8;
  SimulationSummary::Distribution ack{
      .name = "time to acknowledge", .samples_ms = {}, .runs_without = 2};
  for (uint64_t m = 1; m <= 10; ++m) ack.samples_ms.push_back(m * kMin);
  SimulationSummary::Distribution convene{
      .name = "time to convene", .samples_ms = {}, .runs_without = 12};
  SimulationSummary::Distribution decision{
      .name = "time to decision",
      .samples_ms = {40 * kMin, 50 * kMin, 70 * kMin, 90 * kMin, 100 * kMin, 110 * kMin, 115 * kMin,
                     119 * kMin, 150 * kMin},
      .runs_without = 3};
  s.distributions = {ack, convene, decision};
  return s;
}

TEST(SimulationSummaryTest, JsonFigures) {
  nlohmann::json j = TestSummary().ToJson();
  EXPECT_EQ(j["scenario"], "Pacific Shield");
  EXPECT_EQ(j["runs"], 12);
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["faults"], "link:KOR-USA:down@30m");
  EXPECT_DOUBLE_EQ(j["runs_per_minute"].get<double>(), 120.0);
  EXPECT_EQ(j["target_ms"], 120 * kMin);
  EXPECT_EQ(j["decided_within_target"], 8);
  EXPECT_NEAR(j["p_decision_within_target"].get<double>(), 8.0 / 12.0, 1e-12);
  ASSERT_EQ(j["distributions"].size(), 3u);
  const auto& ack = j["distributions"][0];
  EXPECT_EQ(ack["name"], "time to acknowledge");
  EXPECT_EQ(ack["count"], 10);
  EXPECT_EQ(ack["runs_without"], 2);
  EXPECT_EQ(ack["median_ms"], 5 * kMin);  // nearest rank: the 5th of 10
  EXPECT_EQ(ack["p90_ms"], 9 * kMin);     // the 9th of 10
  EXPECT_EQ(ack["min_ms"], 1 * kMin);
  EXPECT_EQ(ack["max_ms"], 10 * kMin);
  const auto& convene = j["distributions"][1];
  EXPECT_EQ(convene["count"], 0);
  EXPECT_EQ(convene["median_ms"], nullptr);
  EXPECT_EQ(convene["p90_ms"], nullptr);
  const auto& decision = j["distributions"][2];
  EXPECT_EQ(decision["median_ms"], 100 * kMin);  // the 5th of 9
  EXPECT_EQ(decision["p90_ms"], 150 * kMin);     // the 9th of 9 (ceil(8.1))
}

TEST(SimulationSummaryTest, NoRunsNoDivisionByZero) {
  SimulationSummary s;
  nlohmann::json j = s.ToJson();
  EXPECT_EQ(j["p_decision_within_target"], 0.0);
  EXPECT_EQ(j["runs_per_minute"], 0.0);
  EXPECT_EQ(WellFormedness(RenderSimulationHtml(s)), "");
}

TEST(SimulationSummaryTest, HtmlHasAHistogramPerDistribution) {
  std::string html = RenderSimulationHtml(TestSummary());
  EXPECT_EQ(WellFormedness(html), "");
  EXPECT_EQ(Count(html, "<svg"), 3u);
  EXPECT_EQ(Count(html, "<script"), 0u);
  EXPECT_EQ(Count(html, "http"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_GE(Count(html, "EXERCISE EXERCISE EXERCISE \u00b7 SIMULATION"), 2u);
  EXPECT_EQ(Count(html, "class=\"banner cls-s\">SECRET//REL TO USA, KOR</div>"), 2u);
  EXPECT_NE(html.find("P(joint decision within 2h of the request) = 0.67 (8 of 12 runs)"),
            std::string::npos);
  EXPECT_NE(html.find(">median 5m</text>"), std::string::npos);
  EXPECT_NE(html.find(">p90 9m</text>"), std::string::npos);
  EXPECT_EQ(Count(html, ">target 2h</text>"), 1u);             // only on the decision histogram
  EXPECT_NE(html.find(">1.0 min</text>"), std::string::npos);  // the acknowledge axis starts at 1m
  EXPECT_NE(html.find("It happened in none of the runs."), std::string::npos);
}

TEST(SimulationSummaryTest, WritesTwoFiles) {
  entente::testing::TempDir tmp;
  std::string dir = (tmp.path() / "sim").string();
  SimulationSummary summary = TestSummary();
  ASSERT_TRUE(WriteSimulationReport(summary, dir).has_value());
  std::ifstream in(std::filesystem::path(dir) / "simulation.json");
  auto json = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json, summary.ToJson());
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "simulation.html"));
}

}  // namespace
}  // namespace entente::exercise
