// How fast a simulation runs a scenario, beside the limit of what it must do: each run folds the
// exercise's consultation events into every partner node's book again and again (the nodes'
// views as the virtual clock moves), so the floor is the cost of folding one consultation event
// (consult::Book::Apply) times the folds a run does. Reported: runs per second of the bundled
// bilateral scenario (with and without faults), and Book::Apply events per second in the same
// process; `events_per_run` and `folds_per_run` let you relate them.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "base/file.h"
#include "exercise/run.h"
#include "exercise/scenario.h"
#include "sim/simulate.h"
#include "sim/world.h"

namespace entente::sim {
namespace {

std::string Source(const std::string& path) {
  const char* root = std::getenv("ENTENTE_SOURCE_DIR");
  return (root != nullptr ? std::string(root) : std::string(ENTENTE_SOURCE_DIR_DEFAULT)) + "/" +
         path;
}

struct Fixture {
  exercise::Scenario scenario;
  std::string policy;
  Fixture() {
    scenario = exercise::LoadScenario(Source("examples/exercise-bilateral.yaml")).value();
    auto text = ReadFile(Source("examples/policy-uskr.yaml")).value();
    policy.assign(text.begin(), text.end());
  }
};
const Fixture& Get() {
  static const Fixture fixture;
  return fixture;
}

void RunMany(benchmark::State& state, const std::string& faults_spec) {
  const auto& f = Get();
  SimulateOptions options;
  options.runs = 100;
  options.faults_spec = faults_spec;
  options.faults = ParseFaults(faults_spec).value();
  uint64_t seed = 1;
  for (auto _ : state) {
    options.seed = seed;
    seed += options.runs;
    auto summary = Simulate(f.scenario, f.policy, options);
    if (!summary) {
      state.SkipWithError(summary.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(summary->decided_within_target);
  }
  state.counters["runs_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * options.runs), benchmark::Counter::kIsRate);
}

void BM_SimulateBilateral(benchmark::State& state) { RunMany(state, ""); }
BENCHMARK(BM_SimulateBilateral)->Unit(benchmark::kMillisecond);

void BM_SimulateBilateralWithFaults(benchmark::State& state) {
  RunMany(state, "latency=PT2S,outage=0.2/PT20M,absent=USA:co-chair/0.2/PT45M");
}
BENCHMARK(BM_SimulateBilateralWithFaults)->Unit(benchmark::kMillisecond);

// The limit: folding one consultation event. One finished run's events, folded again and again.
void BM_FoldOneEvent(benchmark::State& state) {
  const auto& f = Get();
  auto world = Template::Build(f.scenario, f.policy).value();
  World run_world(*world, f.scenario, Faults{}, 1);
  exercise::Run run(f.scenario, run_world, f.scenario.partners.front(), world->Bots(), 1);
  uint64_t now = 0;
  size_t wakes = 0;
  for (; now < f.scenario.end_ms; ++wakes) {
    if (!run.Step(now).value()) break;
    now = std::min(run.NextWake(now), f.scenario.end_ms);
  }
  size_t events = run_world.events();
  for (auto _ : state) benchmark::DoNotOptimize(run_world.Everything(now).consultations().size());
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * events), benchmark::Counter::kIsRate);
  state.counters["events_per_run"] = static_cast<double>(events);
  // Each wake folds every partner's view (and the controller's) at least once.
  state.counters["folds_per_run"] =
      static_cast<double>(wakes * (f.scenario.partners.size() + 1) * 2);
}
BENCHMARK(BM_FoldOneEvent);

}  // namespace
}  // namespace entente::sim

BENCHMARK_MAIN();
