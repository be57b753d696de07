#include "sim/simulate.h"

#include <algorithm>
#include <chrono>

#include "exercise/run.h"
#include "sim/world.h"

namespace entente::sim {

std::optional<Target> DecisionTarget(const exercise::Scenario& scenario) {
  for (const auto& inject : scenario.injects) {
    for (const auto& e : inject.expected) {
      if (e.action == "decide") return Target{inject.number, e.within_ms};
    }
  }
  return std::nullopt;
}

Result<exercise::SimulationSummary> Simulate(const exercise::Scenario& scenario,
                                             const std::string& policy_yaml,
                                             const SimulateOptions& options) {
  if (options.runs == 0) return InvalidArgument("--runs: at least 1");
  if (scenario.partners.size() < 2) return InvalidArgument("the scenario needs two partners");
  auto started = std::chrono::steady_clock::now();
  ENTENTE_ASSIGN_OR_RETURN(auto world, Template::Build(scenario, policy_yaml));
  exercise::SimulationSummary summary;
  summary.scenario = scenario.name;
  summary.classification = scenario.classification;
  summary.runs = options.runs;
  summary.seed = options.seed;
  summary.faults = options.faults_spec;
  std::optional<Target> target;
  if (options.target_ms != 0) {
    summary.target_ms = options.target_ms;
  } else if ((target = DecisionTarget(scenario))) {
    summary.target_ms = target->within_ms;
    summary.target_from = "inject " + target->inject;
  } else {
    summary.target_ms = 2 * 3'600'000;
  }
  summary.distributions = {
      {"time to acknowledge", {}, 0}, {"time to convene", {}, 0}, {"time to decision", {}, 0}};
  auto bots = world->Bots();
  for (size_t i = 0; i < options.runs; ++i) {
    uint64_t seed = options.seed + i;
    World run_world(*world, scenario, options.faults, seed);
    exercise::Run run(scenario, run_world, scenario.partners.front(), bots, seed);
    if (i == 0 && options.trace) run.OnEvent(options.trace);
    uint64_t now = 0;
    // Safety net: a run ends at the scenario's end at the latest, whatever NextWake says.
    for (size_t steps = 0; steps < 100'000; ++steps) {
      ENTENTE_ASSIGN_OR_RETURN(bool going, run.Step(now));
      if (!going) break;
      uint64_t next = run.NextWake(now);
      if (now >= scenario.end_ms) break;
      now = std::min(next, scenario.end_ms);
    }
    // The first consultation, as a node holding every event sees it.
    const consult::Book& all = run_world.Everything(now);
    const consult::Consultation* first = nullptr;
    for (const auto& [id, c] : all.consultations()) {
      if (first == nullptr || c.requested.created_ms < first->requested.created_ms) first = &c;
    }
    std::optional<uint64_t> ack, convene, decide, decided_at;
    if (first != nullptr) {
      uint64_t requested = first->requested.created_ms;
      if (first->acks.size() == first->counterparts.size() && !first->acks.empty()) {
        uint64_t last = 0;
        for (const auto& [p, at] : first->acks) last = std::max(last, at.created_ms);
        ack = last - requested;
      }
      if (first->convened_ms) convene = *first->convened_ms - requested;
      for (const auto& d : first->decisions) {
        if (!d.adopted()) continue;
        decide = std::min(decide.value_or(UINT64_MAX), *d.adopted_ms - requested);
        decided_at = std::min(decided_at.value_or(UINT64_MAX), *d.adopted_ms - world->epoch_ms());
      }
    }
    auto add = [](exercise::SimulationSummary::Distribution& d, std::optional<uint64_t> v) {
      if (v) {
        d.samples_ms.push_back(*v);
      } else {
        ++d.runs_without;
      }
    };
    add(summary.distributions[0], ack);
    add(summary.distributions[1], convene);
    add(summary.distributions[2], decide);
    if (target) {
      // From the sending of the inject that set the target.
      for (const auto& sent : run.controller().sent()) {
        if (sent.number == target->inject && decided_at && *decided_at >= sent.sent_ms &&
            *decided_at - sent.sent_ms <= summary.target_ms) {
          ++summary.decided_within_target;
        }
      }
    } else if (decide && *decide <= summary.target_ms) {
      ++summary.decided_within_target;
    }
    if (options.progress) options.progress(i + 1);
  }
  for (auto& d : summary.distributions) std::sort(d.samples_ms.begin(), d.samples_ms.end());
  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace entente::sim
