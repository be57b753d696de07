// sim/faults.h: the faults a simulation injects, from the `--faults` spec
// (docs/operations.md, "Simulation"):
//
//   latency=PT2S               one-way delay of every link (default PT0.2S)
//   outage=0.2/PT30M           with probability 0.2 per run, the links between the partners are
//                              down for 30 minutes, from a random time in the scenario's first half
//   absent=KOR:co-chair/0.3/PT1H
//                              with probability 0.3 per run, KOR's co-chairs are away for the
//                              first hour: what they would do waits until they are back
//
// Items are separated by commas; each may appear more than once (absent, outage).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace entente::sim {

struct Faults {
  uint64_t latency_ms = 200;
  struct Outage {
    double probability = 0;
    uint64_t duration_ms = 0;
  };
  std::vector<Outage> outages;
  struct Absence {
    std::string partner;
    std::string role;
    double probability = 0;
    uint64_t duration_ms = 0;
  };
  std::vector<Absence> absences;
};

// InvalidArgument naming the item for anything the grammar above does not allow.
[[nodiscard]] Result<Faults> ParseFaults(std::string_view spec);

}  // namespace entente::sim
