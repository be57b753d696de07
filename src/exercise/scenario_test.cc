#include "exercise/scenario.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "base/duration.h"
#include "testing/testdata.h"

namespace entente::exercise {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint64_t kMinute = kMsPerMinute;

// Every field of a scenario as text, one per line, so that two scenarios compare with a
// readable difference.
std::string Dump(const Scenario& s) {
  std::string out;
  auto line = [&](const std::string& text) { out += text + "\n"; };
  auto list = [](const std::vector<std::string>& items) {
    std::string text;
    for (const std::string& item : items) text += "[" + item + "]";
    return text;
  };
  line("name=" + s.name + " type=" + s.type + " date=" + s.date);
  line("classification=" + s.classification + " partners=" + list(s.partners));
  for (const PointOfContact& c : s.contacts) {
    line("contact " + c.name + "|" + c.partner + "|" + c.role + "|" + c.contact);
  }
  for (const Objective& o : s.objectives) {
    line("objective " + o.id + "|" + o.capability + "|" + o.text + "|" + list(o.critical_tasks));
  }
  for (const Inject& i : s.injects) {
    line("inject " + i.number + " at=" + (i.at_ms ? std::to_string(*i.at_ms) : "-") +
         " after=" + i.after + " delay=" + std::to_string(i.delay_ms) + " type=" + i.type);
    line("  method=" + i.method + " from=" + i.from + " to=" + list(i.to) +
         " controller=" + i.controller);
    line("  synopsis=" + i.synopsis);
    line("  message=" + i.message);
    for (const ExpectedAction& e : i.expected) {
      line("  expect " + e.partner + " " + e.action + " " + std::to_string(e.within_ms) +
           " else=" + e.contingency);
    }
    line("  objectives=" + list(i.objectives) + " precedence=" + i.precedence +
         " decision=" + i.decision);
  }
  for (const Player& p : s.players) {
    line("player " + p.role + "|" + p.partner);
    for (const Response& r : p.responses) {
      line("  " + r.action + " " + std::to_string(r.delay.median_ms) + "/" +
           std::to_string(r.delay.p90_ms) + "/" + std::to_string(r.probability));
    }
  }
  line("end=" + std::to_string(s.end_ms));
  return out;
}

Scenario Load(const std::string& path) {
  std::string text = testing::ReadSourceFile(path);
  Result<Scenario> s =
      path.ends_with(".csv") ? ParseScenarioCsv(text, path) : ParseScenarioYaml(text, path);
  EXPECT_TRUE(s.has_value()) << s.error().message();
  return s.has_value() ? *s : Scenario();
}

// `text` with its one occurrence of `from` replaced by `to`.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "no " << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "more than one " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The error message of parsing `text`, or "parsed".
std::string YamlError(const std::string& text) {
  Result<Scenario> s = ParseScenarioYaml(text, "x.yaml");
  if (s.has_value()) return "parsed";
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  return s.error().message();
}
std::string CsvError(const std::string& text) {
  Result<Scenario> s = ParseScenarioCsv(text, "x.csv");
  if (s.has_value()) return "parsed";
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  return s.error().message();
}

// A small scenario; the line numbers matter to the tests below.
const std::string kYaml = R"(exercise:
  name: Test exercise
  partners: [USA, KOR]
objectives:
  - {id: OBJ-1, text: Coordinate, capability: Operational Coordination}
injects:
  - number: "1"
    time: T+00:10
    type: action
    to: [KOR]
    synopsis: Warning
    expected:
      - KOR request within PT15M
      - USA acknowledge within PT10M else 1A
    objectives: [OBJ-1]
    precedence: FLASH
  - number: 1A
    type: contingency
    to: [USA]
    synopsis: Prompt
    expected: [USA acknowledge within PT5M]
  - number: "2"
    after: "1"
    delay: PT30M
    type: contextual
    synopsis: Later
players:
  - role: officer
    respond:
      acknowledge: {median: PT3M, p90: PT8M, probability: 0.9}
      approve: {median: PT10M, p90: PT20M, probability: 0.7}
      object: {median: PT10M, p90: PT20M, probability: 0.2}
)";

// The same scenario as CSV.
const std::string kCsv =
    "# name: Test exercise\n"
    "# partners: USA; KOR\n"
    "# objective: OBJ-1; Operational Coordination; Coordinate\n"
    "# player: officer; ; acknowledge=PT3M/PT8M/0.9; approve=PT10M/PT20M/0.7; "
    "object=PT10M/PT20M/0.2\n"
    "Number,Time,After,Delay,Type,To,Synopsis,Expected Actions,Objectives,Precedence\n"
    "1,T+00:10,,,action,KOR,Warning,KOR request within PT15M; USA acknowledge within PT10M "
    "else 1A,OBJ-1,FLASH\n"
    "1A,,,,contingency,USA,Prompt,USA acknowledge within PT5M,,\n"
    "2,,1,PT30M,contextual,,Later,,,\n";

// ---- The examples ------------------------------------------------------------------------------

TEST(ScenarioExamples, BilateralYaml) {
  Scenario s = Load("examples/exercise-bilateral.yaml");
  EXPECT_EQ(s.name, "IRON MERIDIAN 27-1");
  EXPECT_EQ(s.type, "tabletop");
  EXPECT_EQ(s.date, "2027-03-15");
  EXPECT_EQ(s.classification, "SECRET//REL TO USA, KOR");
  EXPECT_EQ(s.partners, (std::vector<std::string>{"KOR", "USA"}));
  EXPECT_EQ(s.contacts.size(), 3u);
  ASSERT_EQ(s.objectives.size(), 3u);
  EXPECT_EQ(s.objectives[2].capability, "Public Information and Warning");
  EXPECT_EQ(s.objectives[0].critical_tasks.size(), 3u);
  ASSERT_EQ(s.injects.size(), 8u);
  ASSERT_EQ(s.players.size(), 4u);
  // Inject 7 at T+01:40 expects KOR to close within 15 minutes.
  EXPECT_EQ(s.end_ms, 115 * kMinute);
  EXPECT_EQ(FormatScenarioTime(s.end_ms), "T+01:55");

  const Inject* request = s.FindInject("2");
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->at_ms, 10 * kMinute);
  EXPECT_EQ(request->precedence, "FLASH");
  EXPECT_EQ(request->to, (std::vector<std::string>{"KOR"}));
  ASSERT_EQ(request->expected.size(), 2u);
  EXPECT_EQ(request->expected[1], (ExpectedAction{.partner = "USA",
                                                  .action = "acknowledge",
                                                  .within_ms = 25 * kMinute,
                                                  .contingency = "2A"}));

  const Inject* prompt = s.FindInject("2A");
  ASSERT_NE(prompt, nullptr);
  EXPECT_TRUE(prompt->contingency());
  EXPECT_FALSE(prompt->at_ms.has_value());
  EXPECT_TRUE(prompt->after.empty());

  const Inject* assessment = s.FindInject("4");
  ASSERT_NE(assessment, nullptr);
  EXPECT_EQ(assessment->after, "3");
  EXPECT_EQ(assessment->delay_ms, 20 * kMinute);

  const Inject* statement = s.FindInject("5");
  ASSERT_NE(statement, nullptr);
  EXPECT_EQ(statement->method, "news");
  EXPECT_THAT(statement->decision, StartsWith("The United States and the Republic of Korea"));
  EXPECT_EQ(statement->expected.back().partner, "ALL");
  EXPECT_EQ(statement->expected.back().action, "decide");
  EXPECT_EQ(statement->to, (std::vector<std::string>{"KOR", "USA"}));  // held sorted

  // Inject 6 has no message: the players receive its synopsis.
  EXPECT_EQ(s.FindInject("6")->message, s.FindInject("6")->synopsis);
  EXPECT_EQ(s.FindInject("99"), nullptr);
  ASSERT_NE(s.FindObjective("OBJ-2"), nullptr);
  EXPECT_EQ(s.FindObjective("OBJ-2")->capability, "Intelligence and Information Sharing");
  EXPECT_EQ(s.FindObjective("OBJ-9"), nullptr);
}

TEST(ScenarioExamples, BilateralCsvIsTheSameScenario) {
  Scenario yaml = Load("examples/exercise-bilateral.yaml");
  Scenario csv = Load("examples/exercise-bilateral.csv");
  EXPECT_EQ(Dump(csv), Dump(yaml));
  EXPECT_EQ(csv.end_ms, 115 * kMinute);
  ASSERT_EQ(csv.injects.size(), 8u);
  // A multi-line cell with doubled quotes.
  EXPECT_THAT(csv.injects[0].message,
              HasSubstr("East Sea. DPRK state\nmedia has announced \"an important test"));
}

TEST(ScenarioExamples, Trilateral) {
  Scenario s = Load("examples/exercise-trilateral.yaml");
  EXPECT_EQ(s.name, "PACIFIC SENTINEL 27");
  EXPECT_EQ(s.type, "functional");
  EXPECT_EQ(s.classification, "SECRET//REL TO USA, JPN, KOR");
  EXPECT_EQ(s.partners, (std::vector<std::string>{"JPN", "KOR", "USA"}));
  EXPECT_EQ(s.objectives.size(), 4u);
  EXPECT_EQ(s.injects.size(), 8u);
  EXPECT_EQ(s.end_ms, 120 * kMinute);
  // No `to`: every partner.
  EXPECT_EQ(s.FindInject("1")->to, s.partners);
  EXPECT_EQ(s.FindInject("1")->method, "message");
  EXPECT_EQ(s.FindInject("2A")->expected[0].within_ms, 10 * kMinute);

  // Players: the partner-specific co-chair first, then the general ones.
  ASSERT_EQ(s.players.size(), 3u);
  EXPECT_EQ(s.PlayerFor("JPN", {"co-chair"}), &s.players[0]);
  EXPECT_EQ(s.PlayerFor("USA", {"co-chair"}), &s.players[1]);
  EXPECT_EQ(s.PlayerFor("KOR", {"observer", "officer"}), &s.players[2]);
  EXPECT_EQ(s.PlayerFor("KOR", {"observer"}), nullptr);
  EXPECT_EQ(s.PlayerFor("KOR", {}), nullptr);
  const Response* approve = s.players[0].Find("approve");
  ASSERT_NE(approve, nullptr);
  EXPECT_DOUBLE_EQ(approve->probability, 0.9);
  EXPECT_EQ(approve->delay.median_ms, 8 * kMinute);
  EXPECT_EQ(approve->delay.p90_ms, 20 * kMinute);
  EXPECT_DOUBLE_EQ(s.players[0].Find("close")->probability, 1.0);  // the default
  EXPECT_EQ(s.players[0].Find("request"), nullptr);
  EXPECT_EQ(s.players[0].Find("decide"), nullptr);
}

TEST(ScenarioExamples, LoadScenarioByExtension) {
  auto yaml = LoadScenario((testing::SourceDir() / "examples/exercise-bilateral.yaml").string());
  ASSERT_TRUE(yaml.has_value()) << yaml.error().message();
  auto csv = LoadScenario((testing::SourceDir() / "examples/exercise-bilateral.csv").string());
  ASSERT_TRUE(csv.has_value()) << csv.error().message();
  EXPECT_EQ(Dump(*csv), Dump(*yaml));

  auto policy = LoadScenario((testing::SourceDir() / "examples/policy-uskr.yaml").string());
  ASSERT_FALSE(policy.has_value());
  EXPECT_THAT(policy.error().message(), HasSubstr("policy-uskr.yaml:"));
  EXPECT_THAT(policy.error().message(), HasSubstr("unknown field \"policy\""));

  auto text = LoadScenario("msel.txt");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().message(),
            "msel.txt: unknown scenario file type; name it .yaml, .yml or .csv");

  testing::TempDir dir;
  auto missing = LoadScenario((dir.path() / "missing.yml").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

// ---- The small scenario --------------------------------------------------------------------

TEST(Scenario, YamlAndCsvAgree) {
  Result<Scenario> yaml = ParseScenarioYaml(kYaml, "x.yaml");
  ASSERT_TRUE(yaml.has_value()) << yaml.error().message();
  Result<Scenario> csv = ParseScenarioCsv(kCsv, "x.csv");
  ASSERT_TRUE(csv.has_value()) << csv.error().message();
  EXPECT_EQ(Dump(*csv), Dump(*yaml));

  // 1 at T+00:10 (+15), 1A by T+00:20 (+5), 2 at T+00:40.
  EXPECT_EQ(yaml->end_ms, 40 * kMinute);
  EXPECT_EQ(yaml->type, "tabletop");  // the default
  EXPECT_EQ(yaml->injects[2].to, (std::vector<std::string>{"KOR", "USA"}));
  EXPECT_EQ(yaml->injects[2].from, "SimCell");
  EXPECT_EQ(yaml->injects[2].method, "message");
  EXPECT_EQ(yaml->players[0].partner, "");
}

TEST(Scenario, EndCountsContingencyChains) {
  // 1 at T+00:10; 1A sent at T+00:20 if USA has not acknowledged; 1A expects within PT50M.
  std::string text = Replace(kYaml, "expected: [USA acknowledge within PT5M]",
                             "expected: [USA acknowledge within PT50M]");
  Result<Scenario> s = ParseScenarioYaml(text, "x.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->end_ms, 70 * kMinute);

  // A contingency of a contingency, behind an inject that follows another.
  text = Replace(kYaml, "expected: [USA acknowledge within PT5M]",
                 "expected: [USA acknowledge within PT5M else 1B]\n"
                 "  - {number: 1B, type: contingency, synopsis: Again, expected: "
                 "[{partner: USA, action: acknowledge, within: PT1H}]}");
  s = ParseScenarioYaml(text, "x.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  // 1 at 10, 1A at 20, 1B at 25, +60.
  EXPECT_EQ(s->end_ms, 85 * kMinute);
  EXPECT_EQ(s->FindInject("1B")->expected[0].within_ms, 60 * kMinute);
}

TEST(Scenario, ExpectedMapForm) {
  std::string text =
      Replace(kYaml, "      - USA acknowledge within PT10M else 1A\n",
              "      - {partner: USA, action: acknowledge, within: PT10M, else: 1A}\n");
  Result<Scenario> map = ParseScenarioYaml(text, "x.yaml");
  ASSERT_TRUE(map.has_value()) << map.error().message();
  EXPECT_EQ(Dump(*map), Dump(*ParseScenarioYaml(kYaml, "x.yaml")));

  EXPECT_EQ(YamlError(Replace(text, "action: acknowledge", "action: acknowlege")),
            "x.yaml:14: injects[0].expected[1].action: unknown action \"acknowlege\" (one of "
            "request, approve, acknowledge, object, convene, report, propose, decide, close)");
  EXPECT_EQ(YamlError(Replace(text, "within: PT10M, ", "")),
            "x.yaml:14: injects[0].expected[1]: missing field within");
  EXPECT_EQ(YamlError(Replace(text, "else: 1A}", "else: 1A, by: me}")),
            "x.yaml:14: injects[0].expected[1]: unknown field \"by\" (expected partner, action, "
            "within, else)");
}

TEST(Scenario, YamlIntegersAreText) {
  std::string text = Replace(kYaml, "number: \"2\"", "number: 2");
  text = Replace(text, "after: \"1\"", "after: 1");
  Result<Scenario> s = ParseScenarioYaml(text, "x.yaml");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->injects[2].number, "2");
  EXPECT_EQ(s->injects[2].after, "1");
}

// ---- Each error, with its line and field ------------------------------------------------------

TEST(ScenarioErrors, UnknownField) {
  EXPECT_THAT(YamlError(Replace(kYaml, "    synopsis: Warning\n",
                                "    synopsis: Warning\n    colour: red\n")),
              StartsWith("x.yaml:12: injects[0]: unknown field \"colour\" (expected number, "
                         "time, after,"));
  EXPECT_THAT(YamlError(Replace(kYaml, "players:", "player:")),
              StartsWith("x.yaml:27: unknown field \"player\""));
  EXPECT_EQ(YamlError(Replace(kYaml, "  name: Test exercise\n",
                              "  name: Test exercise\n  name: Again\n")),
            "x.yaml:3: exercise: duplicate key \"name\" (first at line 2)");
  EXPECT_EQ(CsvError(Replace(kCsv, "Precedence\n", "Precedence,Remarks\n")),
            "x.csv:5: unknown column \"Remarks\" (columns: Number, Time, After, Delay, Type, "
            "Method, From, To, Controller, Synopsis, Message, Expected Actions, Objectives, "
            "Precedence, Decision)");
  EXPECT_EQ(CsvError(Replace(kCsv, ",Precedence\n", ",TIME\n")),
            "x.csv:5: column Time is given twice");
  EXPECT_THAT(CsvError(Replace(kCsv, "# name:", "# title:")),
              StartsWith("x.csv:1: expected \"# <key>: <value>\" with a key among name, type,"));
}

TEST(ScenarioErrors, MissingField) {
  EXPECT_EQ(YamlError(Replace(kYaml, "    synopsis: Prompt\n", "")),
            "x.yaml:17: injects[1]: missing field synopsis");
  EXPECT_EQ(YamlError(Replace(kYaml, "  name: Test exercise\n", "")),
            "x.yaml:2: exercise: missing field name");
  EXPECT_EQ(YamlError(Replace(kYaml, "    type: contextual\n", "")),
            "x.yaml:22: injects[2]: missing field type");
  EXPECT_EQ(YamlError(""), "x.yaml: the file is empty; expected a map with exercise and injects");
  EXPECT_EQ(CsvError(Replace(kCsv, "# partners: USA; KOR\n", "")),
            "x.csv:4: # partners: missing: add a row \"# partners: ...\" above the header");
  EXPECT_EQ(CsvError(Replace(kCsv, "1A,,,,contingency,", "1A,,,,,")),
            "x.csv:7: Type: missing inject type");
  EXPECT_EQ(CsvError(Replace(kCsv, ",Synopsis,", ",Message,")),
            "x.csv:5: no Synopsis column (required: Number, Type, Synopsis)");
  EXPECT_EQ(CsvError(Replace(kCsv, "1,T+00:10,", ",T+00:10,")),
            "x.csv:6: Number: missing inject number");
}

TEST(ScenarioErrors, BadTime) {
  EXPECT_EQ(YamlError(Replace(kYaml, "time: T+00:10", "time: T+1:5")),
            "x.yaml:8: injects[0].time: \"T+1:5\" is not T+HH:MM or T+HH:MM:SS");
  EXPECT_EQ(YamlError(Replace(kYaml, "time: T+00:10", "time: T+00:75")),
            "x.yaml:8: injects[0].time: \"T+00:75\": minutes and seconds must be below 60");
  EXPECT_EQ(CsvError(Replace(kCsv, "1,T+00:10,", "1,10:00,")),
            "x.csv:6: Time: \"10:00\" is not T+HH:MM or T+HH:MM:SS");
}

TEST(ScenarioErrors, BadDuration) {
  EXPECT_THAT(YamlError(Replace(kYaml, "delay: PT30M", "delay: PT30X")),
              StartsWith("x.yaml:24: injects[2].delay: duration \"PT30X\""));
  EXPECT_THAT(YamlError(Replace(kYaml, "KOR request within PT15M", "KOR request within 15m")),
              StartsWith("x.yaml:13: injects[0].expected[0]: within: duration \"15m\""));
  EXPECT_EQ(YamlError(Replace(kYaml, "KOR request within PT15M", "KOR request within PT0S")),
            "x.yaml:13: injects[0].expected[0]: within: duration \"PT0S\" is zero; give a "
            "positive duration");
  EXPECT_THAT(YamlError(Replace(kYaml, "median: PT3M", "median: P1M")),
              StartsWith("x.yaml:30: players[0].respond.acknowledge.median: duration \"P1M\""));
  EXPECT_EQ(YamlError(Replace(kYaml, "p90: PT8M", "p90: PT2M")),
            "x.yaml:30: players[0].respond.acknowledge.p90: p90 PT2M is less than median PT3M");
  EXPECT_THAT(CsvError(Replace(kCsv, "1,PT30M,", "1,30 minutes,")),
              StartsWith("x.csv:8: Delay: duration \"30 minutes\""));
  EXPECT_THAT(CsvError(Replace(kCsv, "acknowledge=PT3M/PT8M/0.9", "acknowledge=PT3M/8M/0.9")),
              StartsWith("x.csv:4: # player: acknowledge: duration \"8M\""));
}

TEST(ScenarioErrors, UnknownAction) {
  EXPECT_EQ(
      YamlError(Replace(kYaml, "USA acknowledge within PT10M", "USA acknowlege within PT10M")),
      "x.yaml:14: injects[0].expected[1]: unknown action \"acknowlege\" (one of request, "
      "approve, acknowledge, object, convene, report, propose, decide, close)");
  EXPECT_EQ(CsvError(Replace(kCsv, "USA acknowledge within PT10M", "USA acknowlege within PT10M")),
            "x.csv:6: Expected Actions: unknown action \"acknowlege\" (one of request, approve, "
            "acknowledge, object, convene, report, propose, decide, close)");
  EXPECT_THAT(YamlError(Replace(kYaml, "      approve: {", "      aprove: {")),
              StartsWith("x.yaml:31: players[0].respond: unknown action \"aprove\""));
  EXPECT_EQ(YamlError(Replace(kYaml, "      approve: {", "      decide: {")),
            "x.yaml:31: players[0].respond: players do not decide: a decision is adopted when "
            "every partner approves it");
  EXPECT_THAT(CsvError(Replace(kCsv, "approve=", "aprove=")),
              StartsWith("x.csv:4: # player: unknown action \"aprove\""));
  // The grammar of an expected action, and who may be expected to act.
  EXPECT_EQ(YamlError(Replace(kYaml, "KOR request within PT15M", "KOR request in PT15M")),
            "x.yaml:13: injects[0].expected[0]: expected \"<PARTNER|ALL> <action> within "
            "<duration> [else <inject>]\", got \"KOR request in PT15M\"");
  EXPECT_EQ(YamlError(Replace(kYaml, "KOR request within PT15M", "KOR decide within PT15M")),
            "x.yaml:13: injects[0].expected[0]: decide is expected of ALL (a decision is adopted "
            "by all partners), not \"KOR\"");
  EXPECT_EQ(YamlError(Replace(kYaml, "KOR request within PT15M", "ALL request within PT15M")),
            "x.yaml:13: injects[0].expected[0]: ALL is only for decide; name the partner who "
            "must request");
  EXPECT_EQ(YamlError(Replace(kYaml, "KOR request within PT15M", "JPN request within PT15M")),
            "x.yaml:13: injects[0].expected[0]: partner \"JPN\" is not in the exercise (partners: "
            "KOR, USA)");
}

TEST(ScenarioErrors, UnknownObjective) {
  EXPECT_EQ(YamlError(Replace(kYaml, "objectives: [OBJ-1]", "objectives: [OBJ-9]")),
            "x.yaml:15: injects[0].objectives: unknown objective \"OBJ-9\" (objectives: OBJ-1)");
  EXPECT_EQ(CsvError(Replace(kCsv, "else 1A,OBJ-1,", "else 1A,OBJ-9,")),
            "x.csv:6: Objectives: unknown objective \"OBJ-9\" (objectives: OBJ-1)");
  EXPECT_EQ(YamlError(Replace(kYaml, "objectives: [OBJ-1]", "objectives: [OBJ-1, OBJ-1]")),
            "x.yaml:15: injects[0].objectives: OBJ-1 is listed twice");
  EXPECT_EQ(YamlError(Replace(kYaml,
                              "  - {id: OBJ-1, text: Coordinate, capability: Operational "
                              "Coordination}\n",
                              "  - {id: OBJ-1, text: Coordinate}\n  - {id: OBJ-1, text: Again}\n")),
            "x.yaml:6: objectives[1].id: objective OBJ-1 is defined twice (first at line 5)");
}

TEST(ScenarioErrors, UnknownInjectInAfterOrElse) {
  EXPECT_EQ(YamlError(Replace(kYaml, "after: \"1\"", "after: \"9\"")),
            "x.yaml:23: injects[2].after: unknown inject \"9\"");
  EXPECT_EQ(CsvError(Replace(kCsv, "2,,1,", "2,,9,")), "x.csv:8: After: unknown inject \"9\"");
  EXPECT_EQ(YamlError(Replace(kYaml, "else 1A", "else 1B")),
            "x.yaml:14: injects[0].expected[1]: else: unknown inject \"1B\"");
  EXPECT_EQ(CsvError(Replace(kCsv, "else 1A", "else 1B")),
            "x.csv:6: Expected Actions: else: unknown inject \"1B\"");
  EXPECT_EQ(YamlError(Replace(kYaml, "after: \"1\"", "after: 1A")),
            "x.yaml:23: injects[2].after: inject 1A is a contingency inject, which may never be "
            "sent; follow a timed inject");
}

TEST(ScenarioErrors, DuplicateInjectNumber) {
  EXPECT_EQ(YamlError(Replace(kYaml, "number: \"2\"", "number: \"1\"")),
            "x.yaml:22: injects[2].number: inject 1 is listed twice (first at line 7)");
  EXPECT_EQ(CsvError(Replace(kCsv, "2,,1,PT30M", "1,,1,PT30M")),
            "x.csv:8: Number: inject 1 is listed twice (first at line 6)");
}

TEST(ScenarioErrors, AfterCycle) {
  EXPECT_EQ(YamlError(Replace(kYaml, "    time: T+00:10\n", "    after: \"2\"\n")),
            "x.yaml:23: injects[2].after: injects wait for one another in a cycle: 1 after 2 "
            "after 1; one of them needs a time");
  EXPECT_EQ(YamlError(Replace(kYaml, "after: \"1\"", "after: \"2\"")),
            "x.yaml:23: injects[2].after: injects wait for one another in a cycle: 2 after 2; "
            "one of them needs a time");
  EXPECT_EQ(CsvError(Replace(kCsv, "1,T+00:10,,", "1,,2,")),
            "x.csv:8: After: injects wait for one another in a cycle: 1 after 2 after 1; one of "
            "them needs a time");
}

TEST(ScenarioErrors, ElseCycle) {
  EXPECT_EQ(YamlError(Replace(kYaml, "[USA acknowledge within PT5M]",
                              "[USA acknowledge within PT5M else 1A]")),
            "x.yaml:21: injects[1].expected[0]: else: contingency injects send one another in a "
            "cycle: 1A else 1A; a chain of else must start at a timed inject");
}

TEST(ScenarioErrors, ElseNamesANonContingencyInject) {
  EXPECT_EQ(YamlError(Replace(kYaml, "else 1A", "else 2")),
            "x.yaml:14: injects[0].expected[1]: else: inject 2 is not a contingency inject (its "
            "type is contextual)");
  EXPECT_EQ(CsvError(Replace(kCsv, "else 1A", "else 2")),
            "x.csv:6: Expected Actions: else: inject 2 is not a contingency inject (its type is "
            "contextual)");
}

TEST(ScenarioErrors, ContingencyInjects) {
  EXPECT_EQ(YamlError(Replace(kYaml, "    type: contingency\n",
                              "    type: contingency\n    time: T+00:20\n")),
            "x.yaml:19: injects[1].time: a contingency inject has no time: it is sent when an "
            "expected action that names it in else is missed");
  EXPECT_EQ(CsvError(Replace(kCsv, "1A,,,,contingency", "1A,T+00:20,,,contingency")),
            "x.csv:7: Time: a contingency inject has no time: it is sent when an expected action "
            "that names it in else is missed");
  EXPECT_EQ(YamlError(Replace(kYaml, "    type: contingency\n",
                              "    type: contingency\n    after: \"1\"\n")),
            "x.yaml:19: injects[1].after: a contingency inject has no after: it is sent when an "
            "expected action that names it in else is missed");
  EXPECT_EQ(YamlError(Replace(kYaml, " else 1A", "")),
            "x.yaml:17: injects[1].number: contingency inject 1A is named by no else, so it can "
            "never be sent; name it in an expected action (\"... else 1A\") or give it a time");
}

TEST(ScenarioErrors, TimeAndAfter) {
  EXPECT_EQ(YamlError(Replace(kYaml, "    after: \"1\"\n    delay: PT30M\n", "")),
            "x.yaml:22: injects[2]: no time and no after: give one (only a contingency inject "
            "has neither)");
  EXPECT_EQ(CsvError(Replace(kCsv, "2,,1,PT30M,", "2,,,,")),
            "x.csv:8: Time: no time and no after: give one (only a contingency inject has "
            "neither)");
  EXPECT_EQ(
      YamlError(Replace(kYaml, "    after: \"1\"\n", "    after: \"1\"\n    time: T+01:00\n")),
      "x.yaml:23: injects[2].after: give time or after, not both");
  EXPECT_EQ(
      YamlError(Replace(kYaml, "    time: T+00:10\n", "    time: T+00:10\n    delay: PT1M\n")),
      "x.yaml:9: injects[0].delay: delay needs after (it counts from the inject followed)");
}

TEST(ScenarioErrors, InjectTypeAgreesWithExpectations) {
  EXPECT_EQ(YamlError(Replace(kYaml, "type: contextual", "type: action")),
            "x.yaml:22: injects[2]: an action inject expects at least one action; give expected "
            "actions or make it contextual");
  EXPECT_EQ(YamlError(Replace(kYaml, "    type: action\n", "    type: contextual\n")),
            "x.yaml:12: injects[0].expected: a contextual inject expects no action; make it an "
            "action inject");
  EXPECT_EQ(YamlError(Replace(kYaml, "      - KOR request within PT15M\n", "")),
            "x.yaml:15: injects[0].precedence: precedence is for an expected request, and this "
            "inject expects none");
  EXPECT_EQ(YamlError(Replace(kYaml, "    precedence: FLASH\n", "    decision: Agree\n")),
            "x.yaml:16: injects[0].decision: decision is for an expected propose, and this inject "
            "expects none");
  EXPECT_EQ(YamlError(Replace(kYaml, "precedence: FLASH", "precedence: URGENT")),
            "x.yaml:16: injects[0].precedence: unknown precedence \"URGENT\" (one of FLASH, "
            "IMMEDIATE, PRIORITY, ROUTINE)");
  EXPECT_EQ(YamlError(Replace(kYaml, "type: contextual", "type: background")),
            "x.yaml:25: injects[2].type: unknown inject type \"background\" (one of contextual, "
            "action, contingency)");
}

TEST(ScenarioErrors, BadProbability) {
  EXPECT_EQ(YamlError(Replace(kYaml, "probability: 0.9}", "probability: 1.5}")),
            "x.yaml:30: players[0].respond.acknowledge.probability: probability \"1.5\" is not a "
            "number from 0 to 1");
  EXPECT_EQ(YamlError(Replace(kYaml, "probability: 0.9}", "probability: high}")),
            "x.yaml:30: players[0].respond.acknowledge.probability: probability \"high\" is not a "
            "number from 0 to 1");
  EXPECT_EQ(YamlError(Replace(kYaml, "probability: 0.2}", "probability: 0.5}")),
            "x.yaml:29: players[0].respond: probabilities of approve and object add up to 1.2, "
            "more than 1 (the player does one or the other)");
  EXPECT_EQ(CsvError(Replace(kCsv, "PT8M/0.9", "PT8M/-0.1")),
            "x.csv:4: # player: acknowledge: probability \"-0.1\" is not a number from 0 to 1");
  EXPECT_EQ(CsvError(Replace(kCsv, "PT20M/0.2", "PT20M/0.5")),
            "x.csv:4: # player: probabilities of approve and object add up to 1.2, more than 1 "
            "(the player does one or the other)");
}

TEST(ScenarioErrors, Players) {
  // A general player shadows a later partner-specific one for the same role.
  std::string text = kYaml +
                     "  - role: officer\n    partner: KOR\n"
                     "    respond: {request: {median: PT1M, p90: PT2M}}\n";
  EXPECT_EQ(YamlError(text),
            "x.yaml:33: players[1]: this player is never used: the player at line 28 answers for "
            "role officer and every partner first; list partner-specific players before general "
            "ones");
  EXPECT_EQ(YamlError(Replace(text, "partner: KOR", "partner: FRA")),
            "x.yaml:34: players[1].partner: partner \"FRA\" is not in the exercise (partners: KOR, "
            "USA)");
  EXPECT_EQ(YamlError(Replace(kYaml, "role: officer", "role: \"chief officer\"")),
            "x.yaml:28: players[0].role: bad role \"chief officer\": use 1 to 63 letters, digits, "
            "'-', '.' or '_' (a role of the policy)");
  EXPECT_EQ(CsvError(Replace(kCsv, "acknowledge=PT3M/PT8M/0.9; ",
                             "acknowledge=PT3M/PT8M/0.9; "
                             "acknowledge=PT1M/PT8M; ")),
            "x.csv:4: # player: acknowledge is given twice");
}

TEST(ScenarioErrors, Partners) {
  EXPECT_EQ(YamlError(Replace(kYaml, "partners: [USA, KOR]", "partners: [USA]")),
            "x.yaml:3: exercise.partners: an exercise needs at least 2 partners");
  EXPECT_EQ(YamlError(Replace(kYaml, "partners: [USA, KOR]", "partners: [USA, KOR, USA]")),
            "x.yaml:3: exercise.partners: USA is listed twice");
  EXPECT_EQ(YamlError(Replace(kYaml, "partners: [USA, KOR]", "partners: [USA, kor]")),
            "x.yaml:3: exercise.partners[1]: bad partner code \"kor\": use 2 to 8 upper-case "
            "letters");
  EXPECT_EQ(YamlError(Replace(kYaml, "partners: [USA, KOR]", "partners: [USA, ALL]")),
            "x.yaml:3: exercise.partners: ALL cannot be a partner code (it means every partner)");
  EXPECT_EQ(YamlError(Replace(kYaml, "to: [KOR]", "to: [KOR, JPN]")),
            "x.yaml:10: injects[0].to: partner \"JPN\" is not in the exercise (partners: KOR, "
            "USA)");
  EXPECT_EQ(CsvError(Replace(kCsv, "contingency,USA,", "contingency,USA; USA,")),
            "x.csv:7: To: USA is listed twice");
}

TEST(ScenarioErrors, Exercise) {
  EXPECT_EQ(YamlError(Replace(kYaml, "  name: Test exercise\n",
                              "  name: Test exercise\n  type: drill\n")),
            "x.yaml:3: exercise.type: unknown exercise type \"drill\" (one of tabletop, "
            "functional, simulation)");
  EXPECT_EQ(YamlError(Replace(kYaml, "  name: Test exercise\n",
                              "  name: Test exercise\n  date: 2027-02-29\n")),
            "x.yaml:3: exercise.date: \"2027-02-29\" is not a date YYYY-MM-DD");
  Result<Scenario> leap = ParseScenarioCsv("# date: 2028-02-29\n" + kCsv, "x.csv");
  ASSERT_TRUE(leap.has_value()) << leap.error().message();
  EXPECT_EQ(leap->date, "2028-02-29");
  EXPECT_EQ(CsvError("# date: 2027-13-01\n" + kCsv),
            "x.csv:1: # date: \"2027-13-01\" is not a date YYYY-MM-DD");
  EXPECT_EQ(CsvError(Replace(kCsv, "# name: Test exercise\n", "# name: A\n# name: B\n")),
            "x.csv:2: # name: given twice (first at line 1)");
  EXPECT_EQ(YamlError(Replace(kYaml, "name: Test exercise", "name: \"Two\\nlines\"")),
            "x.yaml:2: exercise.name: \"Two\\x0Alines\" must be one line without control "
            "characters");
}

TEST(ScenarioErrors, YamlSyntax) {
  EXPECT_THAT(YamlError("exercise: [unclosed\n"), StartsWith("x.yaml:2: YAML syntax error"));
  EXPECT_EQ(YamlError(Replace(kYaml, "  partners: [USA, KOR]\n",
                              "  partners: &p [USA, KOR]\n  contacts: *p\n")),
            "x.yaml:3: YAML anchors and aliases (& and *) are not allowed in a scenario; write "
            "each value out");
  EXPECT_EQ(YamlError(kYaml + "---\nexercise: {}\n"),
            "x.yaml:33: expected one YAML document, found more");
  EXPECT_EQ(YamlError("- 1\n- 2\n"), "x.yaml:1: expected a map, got a list");
  EXPECT_EQ(YamlError(std::string(5000, '[')),
            "x.yaml:1: YAML nested too deeply; a scenario needs few levels");
  EXPECT_EQ(YamlError(Replace(kYaml,
                              "  - {id: OBJ-1, text: Coordinate, capability: Operational "
                              "Coordination}\n",
                              "  OBJ-1: {text: Coordinate}\n")),
            "x.yaml:5: objectives: expected a list, got a map");
}

TEST(ScenarioErrors, Limits) {
  std::string big = kYaml + "# " + std::string(1024 * 1024, 'x') + "\n";
  std::string size = std::to_string(big.size());
  EXPECT_EQ(YamlError(big),
            "x.yaml: scenario is " + size + " bytes, over the limit of 1 MiB (1048576)");
  EXPECT_EQ(CsvError(big),
            "x.csv: scenario is " + size + " bytes, over the limit of 1 MiB (1048576)");

  std::string many = kCsv;
  for (int i = 3; i <= 1001; ++i) many += std::to_string(i) + ",T+01:00,,,contextual,,X,,,\n";
  EXPECT_EQ(CsvError(many), "x.csv:1006: more than 1000 injects");
  std::string yaml = kYaml.substr(0, kYaml.find("players:"));
  for (int i = 3; i <= 1001; ++i) {
    yaml += "  - {number: \"" + std::to_string(i) +
            "\", time: T+01:00, type: contextual, "
            "synopsis: X}\n";
  }
  EXPECT_EQ(YamlError(yaml), "x.yaml:7: injects: more than 1000 injects");

  EXPECT_EQ(YamlError(Replace(kYaml, "synopsis: Later", "synopsis: \"L\xE9ter\"")),
            "x.yaml:26: not valid UTF-8; save the file as UTF-8");
  EXPECT_EQ(CsvError(Replace(kCsv, "Later", "L\xC3ter")),
            "x.csv:8: not valid UTF-8; save the file as UTF-8");
}

// ---- CSV syntax --------------------------------------------------------------------------------

TEST(ScenarioCsv, WrongColumnCount) {
  EXPECT_EQ(CsvError(Replace(kCsv, "1A,,,,contingency", "1A,,,contingency")),
            "x.csv:7: row has 9 cells, the header has 10 columns");
  EXPECT_EQ(CsvError(Replace(kCsv, "Later,,,\n", "Later,,,,\n")),
            "x.csv:8: row has 11 cells, the header has 10 columns");
}

TEST(ScenarioCsv, UnterminatedQuote) {
  EXPECT_EQ(CsvError(Replace(kCsv, "contextual,,Later,", "contextual,,\"Later,")),
            "x.csv:8: Synopsis: unterminated quoted cell: the quote that opens here is never "
            "closed");
  EXPECT_EQ(CsvError(Replace(kCsv, "contextual,,Later,", "contextual,,La\"ter,")),
            "x.csv:8: Synopsis: a quote inside an unquoted cell; quote the whole cell and double "
            "each quote in it (\"\")");
  EXPECT_EQ(CsvError(Replace(kCsv, "contextual,,Later,", "contextual,,\"La\"ter,")),
            "x.csv:8: Synopsis: text after the closing quote; quote the whole cell and double "
            "each quote in it");
}

TEST(ScenarioCsv, QuotesLineEndsAndBom) {
  // CRLF line ends, a byte order mark, quoted cells with commas, doubled quotes and line
  // breaks, spaces around a quoted cell, blank rows, a comment and metadata padded by a
  // spreadsheet.
  std::string text =
      "\xEF\xBB\xBF## exported\r\n"
      "\"# name: Test, exercise\",,\r\n"
      "# partners: USA; KOR,,,\r\n"
      "\r\n"
      ",,\r\n"
      "number, SYNOPSIS ,type,time,message,expected actions\r\n"
      "1,\"Say \"\"hi\"\"\",action,T+00:10, \"line 1\r\nline 2, still\" ,KOR report within PT5M\r\n"
      "2,Then,contextual,T+00:20,,\r\n";
  Result<Scenario> s = ParseScenarioCsv(text, "x.csv");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->name, "Test, exercise");
  ASSERT_EQ(s->injects.size(), 2u);
  EXPECT_EQ(s->injects[0].synopsis, "Say \"hi\"");
  EXPECT_EQ(s->injects[0].message, "line 1\nline 2, still");
  EXPECT_EQ(s->injects[1].message, "Then");
  EXPECT_EQ(s->end_ms, 20 * kMinute);

  // The row after a cell with a line break starts two lines further on.
  EXPECT_EQ(CsvError(Replace(text, "2,Then,contextual,T+00:20", "2,Then,contextual,T+0:20")),
            "x.csv:9: Time: \"T+0:20\" is not T+HH:MM or T+HH:MM:SS");
  // A lone CR ends a line too (old spreadsheets on the Mac).
  std::string cr = kCsv;
  std::replace(cr.begin(), cr.end(), '\n', '\r');
  Result<Scenario> from_cr = ParseScenarioCsv(cr, "x.csv");
  ASSERT_TRUE(from_cr.has_value()) << from_cr.error().message();
  EXPECT_EQ(Dump(*from_cr), Dump(*ParseScenarioCsv(kCsv, "x.csv")));
}

TEST(ScenarioCsv, Metadata) {
  std::string text = Replace(kCsv, "# name: Test exercise\n",
                             "# name: Test exercise\n"
                             "# type: simulation\n"
                             "# date: 2027-03-15\n"
                             "# classification: SECRET//REL TO USA, KOR\n"
                             "# contact: Pat Doe; USA; Lead Controller; pat@example.mil\n"
                             "# contact: Kim Lee\n"
                             "## a comment: with a colon\n"
                             "#\n");
  text = Replace(text, "# objective: OBJ-1; Operational Coordination; Coordinate\n",
                 "# objective: OBJ-1; Operational Coordination; Coordinate; Task A | Task B\n");
  Result<Scenario> s = ParseScenarioCsv(text, "x.csv");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->type, "simulation");
  EXPECT_EQ(s->date, "2027-03-15");
  EXPECT_EQ(s->classification, "SECRET//REL TO USA, KOR");
  ASSERT_EQ(s->contacts.size(), 2u);
  EXPECT_EQ(s->contacts[0].partner, "USA");
  EXPECT_EQ(s->contacts[0].contact, "pat@example.mil");
  EXPECT_EQ(s->contacts[1].name, "Kim Lee");
  EXPECT_EQ(s->objectives[0].critical_tasks, (std::vector<std::string>{"Task A", "Task B"}));

  EXPECT_EQ(CsvError(Replace(kCsv, "# name: Test exercise\n", "# name: Test exercise,x\n")),
            "parsed");  // a '#' line is read whole: the comma is part of the name
  EXPECT_EQ(CsvError(Replace(kCsv, "# name: Test exercise\n", "\"# name: Test exercise\",x\n")),
            "x.csv:1: a row that starts with # may have text only in its first cell");
  EXPECT_EQ(CsvError(Replace(kCsv, "; Coordinate\n", "\n")),
            "x.csv:3: # objective: expected \"<id>; <capability>; <text>[; <task> | <task> "
            "...]\", got 2 parts separated by ';'");
  EXPECT_EQ(CsvError("# name: X\n# partners: USA; KOR\n"),
            "x.csv: no header row: expected a row naming the columns, e.g. "
            "\"Number,Time,Type,To,Synopsis,Expected Actions\"");
  EXPECT_EQ(CsvError("# name: X\n# partners: USA; KOR\nNumber,Type,Synopsis\n"),
            "x.csv:3: no injects: the header is the last row");
  EXPECT_EQ(CsvError(Replace(kCsv, "# partners: USA; KOR", "# partners: USA; JPN")),
            "x.csv:6: To: partner \"KOR\" is not in the exercise (partners: JPN, USA)");
  EXPECT_EQ(CsvError(Replace(kCsv, "# player: officer; ;", "# player: officer; FRA;")),
            "x.csv:4: # player: partner \"FRA\" is not in the exercise (partners: KOR, USA)");
}

// ---- Scenario time
// -------------------------------------------------------------------------------

TEST(ScenarioTime, Parse) {
  EXPECT_EQ(ParseScenarioTime("T+00:00"), 0u);
  EXPECT_EQ(ParseScenarioTime("T+01:05"), 65 * kMinute);
  EXPECT_EQ(ParseScenarioTime("T+01:05:30"), 65 * kMinute + 30000);
  EXPECT_EQ(ParseScenarioTime("T+100:00"), 100 * 60 * kMinute);
  EXPECT_EQ(ParseScenarioTime("T+9999:59:59"), 9999 * kMsPerHour + 59 * kMinute + 59000);
  for (const char* bad :
       {"", "T+", "T+1:05", "T+01:5", "01:05", "T-01:00", "T+01:05:3", "T+01:05:30:00", "T+ 1:05",
        "T+01 :05", "T+12345:00", "t+01:00", "T+0a:00", "T+01:05:30.5", "T+01:60", "T+01:00:60"}) {
    Result<uint64_t> ms = ParseScenarioTime(bad);
    EXPECT_FALSE(ms.has_value()) << bad;
    if (!ms) {
      EXPECT_THAT(ms.error().message(), HasSubstr("\"" + std::string(bad) + "\""));
    }
  }
}

TEST(ScenarioTime, Format) {
  EXPECT_EQ(FormatScenarioTime(0), "T+00:00");
  EXPECT_EQ(FormatScenarioTime(65 * kMinute), "T+01:05");
  EXPECT_EQ(FormatScenarioTime(65 * kMinute + 30000), "T+01:05:30");
  EXPECT_EQ(FormatScenarioTime(65 * kMinute + 30999), "T+01:05:30");  // milliseconds dropped
  EXPECT_EQ(FormatScenarioTime(100 * kMsPerHour), "T+100:00");
  for (uint64_t ms : {uint64_t{0}, 65 * kMinute + 30000, 9999 * kMsPerHour + 59 * kMinute}) {
    EXPECT_EQ(ParseScenarioTime(FormatScenarioTime(ms)), ms);
  }
}

TEST(ScenarioActions, IsAction) {
  for (std::string_view action : kActions) EXPECT_TRUE(IsAction(action)) << action;
  EXPECT_FALSE(IsAction(""));
  EXPECT_FALSE(IsAction("Acknowledge"));
  EXPECT_FALSE(IsAction("ack"));
}

}  // namespace
}  // namespace entente::exercise
