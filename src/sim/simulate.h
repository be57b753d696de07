// sim/simulate.h: `entente simulate`: a scenario run many times in simulated worlds, each with
// its own draw of the players' response times and the faults, to estimate how fast and how often
// the partners reach a joint decision.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "exercise/report.h"
#include "exercise/run.h"
#include "exercise/scenario.h"
#include "sim/faults.h"

namespace entente::sim {

struct SimulateOptions {
  size_t runs = 100;
  uint64_t seed = 1;
  std::string faults_spec;  // as given, for the report
  Faults faults;
  // 0: the scenario's `ALL decide within` target (from its inject), else 2 hours from the request.
  // Given: counted from the request.
  uint64_t target_ms = 0;
  std::function<void(size_t done)> progress;             // after each run
  std::function<void(const exercise::RunEvent&)> trace;  // what the first run did
};

// The time from the first consultation's request to each counterpart's acknowledgement (all of
// them), to convening and to the first adopted decision, over `options.runs` runs with seeds
// seed, seed+1, ... Same options, same result.
[[nodiscard]] Result<exercise::SimulationSummary> Simulate(const exercise::Scenario& scenario,
                                                           const std::string& policy_yaml,
                                                           const SimulateOptions& options);

// The decision target a scenario sets: the first `ALL decide` expectation's `within`, counted
// from the sending of its inject.
struct Target {
  std::string inject;
  uint64_t within_ms = 0;
};
std::optional<Target> DecisionTarget(const exercise::Scenario& scenario);

}  // namespace entente::sim
