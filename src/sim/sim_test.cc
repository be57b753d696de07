// Tests of the simulation: the --faults spec (faults.h), the simulated world's links, outages
// and absences (world.h), and whole simulations (simulate.h) of the bundled bilateral example
// and of small scenarios written here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "base/duration.h"
#include "exercise/scenario.h"
#include "sim/faults.h"
#include "sim/simulate.h"
#include "sim/world.h"
#include "testing/testdata.h"

namespace entente::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kMinute = kMsPerMinute;
constexpr uint64_t kHour = kMsPerHour;

// ---- ParseFaults -------------------------------------------------------------------------------

TEST(FaultsTest, AnEmptySpecIsNoFaultsAndTheDefaultLatency) {
  Result<Faults> f = ParseFaults("");
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->latency_ms, 200u);
  EXPECT_TRUE(f->outages.empty());
  EXPECT_TRUE(f->absences.empty());
}

TEST(FaultsTest, ParsesEveryKindOfItemAndRepeats) {
  Result<Faults> f = ParseFaults(
      "latency=PT2S,outage=0.2/PT30M,absent=KOR:co-chair/0.3/PT1H,outage=1/PT5M,"
      "absent=USA:officer/0/PT10M");
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->latency_ms, 2000u);
  ASSERT_EQ(f->outages.size(), 2u);
  EXPECT_DOUBLE_EQ(f->outages[0].probability, 0.2);
  EXPECT_EQ(f->outages[0].duration_ms, 30 * kMinute);
  EXPECT_DOUBLE_EQ(f->outages[1].probability, 1.0);
  EXPECT_EQ(f->outages[1].duration_ms, 5 * kMinute);
  ASSERT_EQ(f->absences.size(), 2u);
  EXPECT_EQ(f->absences[0].partner, "KOR");
  EXPECT_EQ(f->absences[0].role, "co-chair");
  EXPECT_DOUBLE_EQ(f->absences[0].probability, 0.3);
  EXPECT_EQ(f->absences[0].duration_ms, kHour);
  EXPECT_EQ(f->absences[1].partner, "USA");
  EXPECT_EQ(f->absences[1].role, "officer");
  EXPECT_DOUBLE_EQ(f->absences[1].probability, 0.0);
  EXPECT_EQ(f->absences[1].duration_ms, 10 * kMinute);
}

TEST(FaultsTest, SubSecondLatency) {
  Result<Faults> f = ParseFaults("latency=PT0.05S");
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->latency_ms, 50u);
}

TEST(FaultsTest, ABadItemIsRejectedNamingIt) {
  struct Case {
    std::string spec;
    std::string item;     // the message names it
    std::string problem;  // and says what is wrong
  };
  const Case cases[] = {
      {"latency", "latency", "use latency=DURATION"},
      {"latency=2s", "latency=2s", "2s"},
      {"latency=PT1S/PT2S", "latency=PT1S/PT2S", "use latency=DURATION"},
      {"jitter=PT1S", "jitter=PT1S", "outage=P/DURATION"},
      {"outage=1.5/PT30M", "outage=1.5/PT30M", "not a probability from 0 to 1"},
      {"outage=-0.1/PT30M", "outage=-0.1/PT30M", "not a probability from 0 to 1"},
      {"outage=abc/PT30M", "outage=abc/PT30M", "not a probability from 0 to 1"},
      {"outage=0.5x/PT30M", "outage=0.5x/PT30M", "not a probability from 0 to 1"},
      {"outage=nan/PT30M", "outage=nan/PT30M", "not a probability from 0 to 1"},
      {"outage=0.2", "outage=0.2", "outage=P/DURATION"},
      {"outage=0.2/PT30M/PT1H", "outage=0.2/PT30M/PT1H", "outage=P/DURATION"},
      {"outage=0.2/30", "outage=0.2/30", "30"},
      {"absent=KOR/0.3/PT1H", "absent=KOR/0.3/PT1H", "PARTNER:ROLE"},
      {"absent=:co-chair/0.3/PT1H", "absent=:co-chair/0.3/PT1H", "PARTNER:ROLE"},
      {"absent=KOR:/0.3/PT1H", "absent=KOR:/0.3/PT1H", "PARTNER:ROLE"},
      {"absent=KOR:co-chair/2/PT1H", "absent=KOR:co-chair/2/PT1H", "not a probability"},
      {"absent=KOR:co-chair/0.3", "absent=KOR:co-chair/0.3", "absent=PARTNER:ROLE/P/DURATION"},
      {"absent=KOR:co-chair/0.3/soon", "absent=KOR:co-chair/0.3/soon", "soon"},
      // A good item does not excuse a bad one after it, nor an empty one.
      {"latency=PT1S,bogus", "bogus", "use latency=DURATION"},
      {"outage=0.2/PT30M,", "\"\"", "use latency=DURATION"},
  };
  for (const Case& c : cases) {
    Result<Faults> f = ParseFaults(c.spec);
    ASSERT_FALSE(f.has_value()) << c.spec;
    EXPECT_EQ(f.error().code(), ErrorCode::kInvalidArgument) << c.spec;
    EXPECT_THAT(f.error().message(), HasSubstr("--faults")) << c.spec;
    EXPECT_THAT(f.error().message(), HasSubstr(c.item)) << c.spec;
    EXPECT_THAT(f.error().message(), HasSubstr(c.problem)) << c.spec;
  }
}

// ---- The example files and small scenarios ---------------------------------------------------

std::string SourcePath(const std::string& relative) {
  return (testing::SourceDir() / relative).string();
}

exercise::Scenario Bilateral() {
  auto s = exercise::LoadScenario(SourcePath("examples/exercise-bilateral.yaml"));
  EXPECT_TRUE(s.has_value()) << s.error().message();
  return s.has_value() ? *s : exercise::Scenario();
}

std::string Policy() { return testing::ReadSourceFile("examples/policy-uskr.yaml"); }

exercise::Scenario ParseYaml(const std::string& yaml) {
  auto s = exercise::ParseScenarioYaml(yaml, "test.yaml");
  EXPECT_TRUE(s.has_value()) << s.error().message();
  return s.has_value() ? *s : exercise::Scenario();
}

// Every player always acts, with response times in a narrow band: KOR requests, USA
// acknowledges, KOR convenes; inject 2 asks KOR for a statement both co-chairs approve.
const char kCertainYaml[] = R"(exercise:
  name: Certain decision
  classification: "SECRET//REL TO USA, KOR"
  partners: [USA, KOR]
injects:
  - number: "1"
    time: T+00:05
    type: action
    to: [KOR]
    synopsis: Request a consultation
    expected: [KOR request within PT15M, USA acknowledge within PT20M]
    precedence: FLASH
  - number: "2"
    time: T+00:40
    type: action
    to: [USA, KOR]
    synopsis: Agree a statement
    expected: [KOR propose within PT20M, ALL decide within PT60M]
    decision: The partners condemn the launch.
players:
  - role: officer
    respond:
      request: {median: PT2M, p90: PT3M, probability: 1}
      acknowledge: {median: PT2M, p90: PT3M, probability: 1}
      propose: {median: PT2M, p90: PT3M, probability: 1}
  - role: co-chair
    respond:
      convene: {median: PT2M, p90: PT3M, probability: 1}
      approve: {median: PT2M, p90: PT3M, probability: 1}
)";

// ---- World -------------------------------------------------------------------------------------

class WorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scenario_ = Bilateral();
    auto t = Template::Build(scenario_, Policy());
    ASSERT_TRUE(t.has_value()) << t.error().message();
    template_ = std::move(*t);
  }

  // A FLASH request by KOR's officer to USA.
  static exercise::PlayerAction Request(std::string member = "officer@KOR") {
    exercise::PlayerAction a;
    a.key = "KOR/request/test";
    a.partner = "KOR";
    a.member = std::move(member);
    a.action = "request";
    a.precedence = "FLASH";
    a.counterparts = {"USA"};
    a.text = "Launch warning";
    return a;
  }

  size_t Consultations(World& world, std::string_view partner, uint64_t now_ms) {
    auto book = world.View(partner, now_ms);
    EXPECT_TRUE(book.has_value()) << book.error().message();
    return book.has_value() ? (*book)->consultations().size() : 0;
  }

  static Faults Latency(uint64_t ms) {
    Faults f;
    f.latency_ms = ms;
    return f;
  }

  exercise::Scenario scenario_;
  std::unique_ptr<Template> template_;
};

TEST_F(WorldTest, TheTemplateEnrolsOneMemberPerPartnerAndRole) {
  std::vector<std::string> ids;
  for (const auto& m : template_->members()) {
    ids.push_back(m.id);
    EXPECT_EQ(m.id.substr(m.id.find('@') + 1), m.partner);
    ASSERT_EQ(m.roles.size(), 1u);
    EXPECT_NE(template_->directory().FindMember(m.id), nullptr) << m.id;
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(ids, ElementsAre("co-chair@KOR", "co-chair@USA", "officer@KOR", "officer@USA"));
  auto bots = template_->Bots();
  ASSERT_EQ(bots.size(), 2u);
  EXPECT_EQ(bots.at("KOR").size(), 2u);
  EXPECT_EQ(bots.at("USA").size(), 2u);
  EXPECT_TRUE(template_->state().in_force());
  EXPECT_THAT(template_->label(), HasSubstr("REL="));
}

TEST_F(WorldTest, TheTemplateRejectsAPartnerThePolicyLacks) {
  exercise::Scenario s = scenario_;
  s.partners = {"FRA", "USA"};
  auto t = Template::Build(s, Policy());
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(t.error().message(), HasSubstr("FRA"));
}

TEST_F(WorldTest, AnEventReachesTheOtherNodeAfterTheLatency) {
  World world(*template_, scenario_, Latency(2000), 1);
  const uint64_t t = 10 * kMinute;
  ASSERT_TRUE(world.Act(Request(), t));
  EXPECT_EQ(world.events(), 1u);
  EXPECT_EQ(Consultations(world, "KOR", t), 1u);  // its own node at once
  EXPECT_EQ(Consultations(world, "USA", t), 0u);
  EXPECT_EQ(world.NextWake(t), t + 2000);
  EXPECT_EQ(Consultations(world, "USA", t + 1999), 0u);
  EXPECT_EQ(Consultations(world, "USA", t + 2000), 1u);
  EXPECT_EQ(world.NextWake(t + 2000), UINT64_MAX);
  // Times are scenario time after the template's epoch.
  const consult::Book& all = world.Everything(t + 2000);
  ASSERT_EQ(all.consultations().size(), 1u);
  const consult::Consultation& c = all.consultations().begin()->second;
  EXPECT_EQ(c.requested.created_ms, template_->epoch_ms() + t);
  EXPECT_EQ(c.requester, "KOR");
  EXPECT_EQ(c.exercise_id, world.exercise_id());
  EXPECT_EQ(world.epoch_ms(), template_->epoch_ms());
}

TEST_F(WorldTest, InjectsTravelTheControllersLinks) {
  World world(*template_, scenario_, Latency(2000), 1);
  // Partners are sorted: KOR, the first, holds the controller.
  std::vector<exercise::SentInject> sent = {{"3", 30 * kMinute, "", false},   // to USA and KOR
                                            {"2", 10 * kMinute, "", false}};  // to KOR only
  auto numbers = [](const std::vector<exercise::SentInject>& received) {
    std::vector<std::string> out;
    for (const auto& s : received) out.push_back(s.number);
    return out;
  };
  EXPECT_THAT(numbers(world.Received("KOR", 30 * kMinute, sent)), ElementsAre("3", "2"));
  EXPECT_TRUE(world.Received("USA", 30 * kMinute, sent).empty());
  EXPECT_TRUE(world.Received("USA", 30 * kMinute + 1999, sent).empty());
  EXPECT_THAT(numbers(world.Received("USA", 30 * kMinute + 2000, sent)), ElementsAre("3"));
}

TEST_F(WorldTest, AnOutageDelaysDeliveryUntilTheLinksAreBack) {
  // An outage certain to happen, longer than the whole scenario: whenever in the first half it
  // starts, it is on at the scenario's midpoint and lasts past 2 * ENDEX.
  Faults faults = Latency(2000);
  faults.outages.push_back({1.0, 2 * scenario_.end_ms});
  const uint64_t t = scenario_.end_ms / 2;
  for (uint64_t seed : {1, 2, 3}) {
    World world(*template_, scenario_, faults, seed);
    ASSERT_TRUE(world.Act(Request(), t));
    EXPECT_EQ(Consultations(world, "KOR", t), 1u);  // the author's own node is not cut off
    EXPECT_EQ(Consultations(world, "USA", t + 2000), 0u);
    EXPECT_EQ(Consultations(world, "USA", scenario_.end_ms), 0u);
    uint64_t arrival = world.NextWake(t);
    EXPECT_GE(arrival, 2 * scenario_.end_ms + 2000) << "seed " << seed;
    EXPECT_LT(arrival, t + 2 * scenario_.end_ms + 2000) << "seed " << seed;
    EXPECT_EQ(Consultations(world, "USA", arrival - 1), 0u);
    EXPECT_EQ(Consultations(world, "USA", arrival), 1u);
    // Injects wait for the links too.
    std::vector<exercise::SentInject> sent = {{"3", t, "", false}};
    EXPECT_TRUE(world.Received("USA", arrival - 1, sent).empty());
    EXPECT_EQ(world.Received("USA", arrival, sent).size(), 1u);
    EXPECT_EQ(world.Received("KOR", t, sent).size(), 1u);
  }
}

TEST_F(WorldTest, AnOutageThatDoesNotHappenChangesNothing) {
  Faults faults = Latency(2000);
  faults.outages.push_back({0.0, 2 * scenario_.end_ms});
  World world(*template_, scenario_, faults, 1);
  ASSERT_TRUE(world.Act(Request(), 10 * kMinute));
  EXPECT_EQ(world.NextWake(10 * kMinute), 10 * kMinute + 2000);
}

TEST_F(WorldTest, AnAbsentOfficialActsWhenBack) {
  Faults faults = Latency(2000);
  faults.absences.push_back({"KOR", "officer", 1.0, kHour});
  World world(*template_, scenario_, faults, 1);
  ASSERT_TRUE(world.Act(Request(), 10 * kMinute));  // accepted, but waits
  EXPECT_EQ(world.events(), 0u);
  EXPECT_EQ(world.NextWake(10 * kMinute), kHour);
  EXPECT_EQ(Consultations(world, "KOR", kHour - 1), 0u);
  EXPECT_EQ(Consultations(world, "KOR", kHour), 1u);
  EXPECT_EQ(world.events(), 1u);
  const consult::Book& all = world.Everything(kHour);
  ASSERT_EQ(all.consultations().size(), 1u);
  EXPECT_EQ(all.consultations().begin()->second.requested.created_ms,
            template_->epoch_ms() + kHour);
  EXPECT_EQ(all.consultations().begin()->second.requested.member, "officer@KOR");
  // Once back, the official acts at once.
  exercise::PlayerAction again = Request();
  again.key = "KOR/request/again";
  ASSERT_TRUE(world.Act(again, kHour + kMinute));
  EXPECT_EQ(world.events(), 2u);
}

TEST_F(WorldTest, OnlyTheAbsentRoleWaits) {
  Faults faults = Latency(2000);
  faults.absences.push_back({"KOR", "officer", 1.0, kHour});
  faults.absences.push_back({"USA", "co-chair", 0.0, kHour});  // never away
  World world(*template_, scenario_, faults, 1);
  ASSERT_TRUE(world.Act(Request("co-chair@KOR"), 10 * kMinute));
  EXPECT_EQ(world.events(), 1u);
  EXPECT_EQ(Consultations(world, "KOR", 10 * kMinute), 1u);
}

TEST_F(WorldTest, AnActionTheNodeCannotTakeIsRefused) {
  World world(*template_, scenario_, Latency(2000), 1);
  exercise::PlayerAction stranger = Request("nobody@KOR");
  auto refused = world.Act(stranger, kMinute);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound);

  exercise::PlayerAction urgent = Request();
  urgent.precedence = "URGENT";
  refused = world.Act(urgent, kMinute);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);

  exercise::PlayerAction ack;
  ack.key = "USA/ack/x";
  ack.partner = "USA";
  ack.member = "officer@USA";
  ack.action = "acknowledge";
  ack.consultation = std::string(32, 'a');
  refused = world.Act(ack, kMinute);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound);

  // USA acknowledging before its node holds the request: refused, as a real node would.
  ASSERT_TRUE(world.Act(Request(), 10 * kMinute));
  ack.consultation = world.Everything(10 * kMinute).consultations().begin()->first;
  refused = world.Act(ack, 10 * kMinute + 1000);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(world.Act(ack, 10 * kMinute + 2000));
  // The requester cannot acknowledge its own request.
  exercise::PlayerAction own = ack;
  own.partner = "KOR";
  own.member = "officer@KOR";
  EXPECT_FALSE(world.Act(own, 10 * kMinute + 3000).has_value());
  EXPECT_EQ(world.events(), 2u);
}

// ---- Simulate ----------------------------------------------------------------------------------

// Everything a summary says about the runs, as text, to compare two summaries.
std::string Digest(const exercise::SimulationSummary& s) {
  std::string out = "runs=" + std::to_string(s.runs) + " target=" + std::to_string(s.target_ms) +
                    " from=" + s.target_from + " within=" + std::to_string(s.decided_within_target);
  for (const auto& d : s.distributions) {
    out += "\n" + d.name + " without=" + std::to_string(d.runs_without) + ":";
    for (uint64_t v : d.samples_ms) out += " " + std::to_string(v);
  }
  return out;
}

Result<exercise::SimulationSummary> Simulated(const exercise::Scenario& s, size_t runs,
                                              uint64_t seed, const std::string& faults = "") {
  SimulateOptions options;
  options.runs = runs;
  options.seed = seed;
  options.faults_spec = faults;
  auto parsed = ParseFaults(faults);
  EXPECT_TRUE(parsed.has_value());
  if (parsed.has_value()) options.faults = *parsed;
  return Simulate(s, Policy(), options);
}

TEST(SimulateTest, TheSameSeedGivesTheSameSummary) {
  exercise::Scenario s = Bilateral();
  auto a = Simulated(s, 3, 7, "outage=0.5/PT20M,absent=USA:co-chair/0.5/PT1H");
  auto b = Simulated(s, 3, 7, "outage=0.5/PT20M,absent=USA:co-chair/0.5/PT1H");
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_EQ(Digest(*a), Digest(*b));
  // Runs seed, seed+1, ...: a run's outcome depends on its own seed only.
  auto one = Simulated(s, 1, 9, "outage=0.5/PT20M,absent=USA:co-chair/0.5/PT1H");
  auto third = Simulated(s, 3, 7, "outage=0.5/PT20M,absent=USA:co-chair/0.5/PT1H");
  ASSERT_TRUE(one.has_value() && third.has_value());
  for (size_t i = 0; i < one->distributions.size(); ++i) {
    for (uint64_t v : one->distributions[i].samples_ms) {
      EXPECT_TRUE(std::count(third->distributions[i].samples_ms.begin(),
                             third->distributions[i].samples_ms.end(), v) > 0)
          << one->distributions[i].name;
    }
  }
}

TEST(SimulateTest, ADifferentSeedGivesADifferentSummary) {
  exercise::Scenario s = Bilateral();
  auto a = Simulated(s, 3, 1);
  auto b = Simulated(s, 3, 101);
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  EXPECT_NE(Digest(*a), Digest(*b));
}

TEST(SimulateTest, RunsAndDistributionsAddUp) {
  exercise::Scenario s = Bilateral();
  SimulateOptions options;
  options.runs = 4;
  options.seed = 3;
  options.faults_spec = "outage=0.5/PT30M,absent=USA:co-chair/0.5/PT1H";
  options.faults = ParseFaults(options.faults_spec).value();
  std::vector<size_t> progress;
  options.progress = [&](size_t done) { progress.push_back(done); };
  std::vector<exercise::RunEvent> trace;
  options.trace = [&](const exercise::RunEvent& e) { trace.push_back(e); };
  auto summary = Simulate(s, Policy(), options);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->scenario, "IRON MERIDIAN 27-1");
  EXPECT_EQ(summary->classification, "SECRET//REL TO USA, KOR");
  EXPECT_EQ(summary->runs, 4u);
  EXPECT_EQ(summary->seed, 3u);
  EXPECT_EQ(summary->faults, options.faults_spec);
  ASSERT_EQ(summary->distributions.size(), 3u);
  EXPECT_EQ(summary->distributions[0].name, "time to acknowledge");
  EXPECT_EQ(summary->distributions[1].name, "time to convene");
  EXPECT_EQ(summary->distributions[2].name, "time to decision");
  for (const auto& d : summary->distributions) {
    EXPECT_EQ(d.samples_ms.size() + d.runs_without, summary->runs) << d.name;
    EXPECT_TRUE(std::is_sorted(d.samples_ms.begin(), d.samples_ms.end())) << d.name;
  }
  EXPECT_LE(summary->decided_within_target, summary->distributions[2].samples_ms.size());
  EXPECT_LE(summary->p_decision_within_target(), 1.0);
  EXPECT_THAT(progress, ElementsAre(size_t{1}, size_t{2}, size_t{3}, size_t{4}));
  // The trace is the first run's: it starts with inject 1 at STARTEX and ends once, at ENDEX.
  ASSERT_FALSE(trace.empty());
  EXPECT_EQ(trace.front().type, "inject");
  EXPECT_EQ(trace.front().at_ms, 0u);
  EXPECT_EQ(std::count_if(trace.begin(), trace.end(),
                          [](const exercise::RunEvent& e) { return e.type == "endex"; }),
            1);
  EXPECT_EQ(trace.back().type, "endex");
  EXPECT_LE(trace.back().at_ms, s.end_ms);
}

TEST(SimulateTest, CertainPlayersWithoutFaultsAlwaysReachADecision) {
  exercise::Scenario s = ParseYaml(kCertainYaml);
  auto summary = Simulated(s, 5, 11);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  ASSERT_EQ(summary->distributions.size(), 3u);
  for (const auto& d : summary->distributions) {
    EXPECT_EQ(d.runs_without, 0u) << d.name;
    EXPECT_EQ(d.samples_ms.size(), 5u) << d.name;
  }
  // Acknowledged before convened before decided, in every run (here: the extremes).
  const auto& ack = summary->distributions[0].samples_ms;
  const auto& convene = summary->distributions[1].samples_ms;
  const auto& decide = summary->distributions[2].samples_ms;
  EXPECT_LT(ack.back(), convene.back());
  EXPECT_LT(convene.back(), decide.front());
  EXPECT_GT(ack.front(), 0u);
  // The scenario's target (ALL decide within PT60M of inject 2) is met every time.
  EXPECT_EQ(summary->target_ms, 60 * kMinute);
  EXPECT_EQ(summary->target_from, "inject 2");
  EXPECT_EQ(summary->decided_within_target, 5u);
  EXPECT_DOUBLE_EQ(summary->p_decision_within_target(), 1.0);
}

TEST(SimulateTest, SilentCounterpartsMeanNoAcknowledgementConveningOrDecision) {
  std::string yaml = kCertainYaml;
  yaml.replace(yaml.find("acknowledge: {median: PT2M, p90: PT3M, probability: 1}"),
               std::string("acknowledge: {median: PT2M, p90: PT3M, probability: 1}").size(),
               "acknowledge: {median: PT2M, p90: PT3M, probability: 0}");
  exercise::Scenario s = ParseYaml(yaml);
  auto summary = Simulated(s, 3, 11);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  for (const auto& d : summary->distributions) {
    EXPECT_EQ(d.runs_without, 3u) << d.name;
    EXPECT_TRUE(d.samples_ms.empty()) << d.name;
  }
  EXPECT_EQ(summary->decided_within_target, 0u);
}

TEST(SimulateTest, AGivenTargetCountsFromTheRequest) {
  exercise::Scenario s = ParseYaml(kCertainYaml);
  SimulateOptions options;
  options.runs = 2;
  options.target_ms = kMinute;  // no decision comes that fast
  auto summary = Simulate(s, Policy(), options);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->target_ms, kMinute);
  EXPECT_TRUE(summary->target_from.empty() || summary->target_from == "the request");
  EXPECT_EQ(summary->decided_within_target, 0u);
  options.target_ms = 24 * kHour;
  summary = Simulate(s, Policy(), options);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->decided_within_target, 2u);
}

TEST(SimulateTest, BadOptionsAreRejected) {
  exercise::Scenario s = ParseYaml(kCertainYaml);
  SimulateOptions options;
  options.runs = 0;
  auto zero = Simulate(s, Policy(), options);
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(zero.error().message(), HasSubstr("--runs"));

  options.runs = 1;
  exercise::Scenario alone = s;
  alone.partners = {"USA"};
  auto one = Simulate(alone, Policy(), options);
  ASSERT_FALSE(one.has_value());
  EXPECT_EQ(one.error().code(), ErrorCode::kInvalidArgument);

  exercise::Scenario stranger = s;
  stranger.partners = {"FRA", "USA"};
  auto fra = Simulate(stranger, Policy(), options);
  ASSERT_FALSE(fra.has_value());
  EXPECT_THAT(fra.error().message(), HasSubstr("FRA"));

  auto no_policy = Simulate(s, "not: a policy", options);
  EXPECT_FALSE(no_policy.has_value());
}

TEST(DecisionTargetTest, TheFirstAllDecideExpectation) {
  auto target = DecisionTarget(Bilateral());
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->inject, "5");
  EXPECT_EQ(target->within_ms, 40 * kMinute);

  exercise::Scenario none = Bilateral();
  for (auto& inject : none.injects) {
    std::erase_if(inject.expected,
                  [](const exercise::ExpectedAction& e) { return e.action == "decide"; });
  }
  EXPECT_FALSE(DecisionTarget(none).has_value());
}

TEST(SimulateTest, WithoutATargetInTheScenarioTheTargetIsTwoHoursFromTheRequest) {
  exercise::Scenario s = ParseYaml(kCertainYaml);
  std::erase_if(s.injects[1].expected,
                [](const exercise::ExpectedAction& e) { return e.action == "decide"; });
  auto summary = Simulated(s, 1, 5);
  ASSERT_TRUE(summary.has_value()) << summary.error().message();
  EXPECT_EQ(summary->target_ms, 2 * kHour);
  EXPECT_TRUE(summary->target_from.empty() || summary->target_from == "the request");
}

}  // namespace
}  // namespace entente::sim
