// exercise/report.h: the After-Action Report / Improvement Plan of an exercise (HSEEP), and the
// report of a simulation's runs.
//
// The AAR is one self-contained HTML page (no scripts, no external resources: a timeline chart
// drawn as inline SVG, response times per partner and per inject, deadlines met and missed,
// escalations, objectives rated P/S/M/U with the observations behind each rating, the
// improvement plan), the same in Markdown, and the evaluation as JSON. Every page and heading
// says EXERCISE and carries the scenario's classification banner.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "exercise/evaluation.h"

namespace entente::exercise {

struct ReportFiles {
  std::string html;
  std::string markdown;
  std::string json;  // Evaluation::ToJson, pretty-printed
};
ReportFiles RenderReport(const Evaluation& evaluation);
// Writes aar.html, aar.md and aar.json into `dir` (created if missing).
[[nodiscard]] Status WriteReport(const Evaluation& evaluation, const std::string& dir);

// The outcome of many simulated runs of one scenario.
struct SimulationSummary {
  std::string scenario;  // its name
  std::string classification;
  size_t runs = 0;
  uint64_t seed = 0;
  std::string faults;  // the --faults spec, "" for none
  // One distribution per measure ("time to acknowledge", "time to convene", "time to decision"):
  // the scenario times (ms since the consultation was requested) in the runs where it happened.
  struct Distribution {
    std::string name;
    std::vector<uint64_t> samples_ms;  // sorted
    size_t runs_without = 0;           // runs where it never happened
  };
  std::vector<Distribution> distributions;
  uint64_t target_ms = 0;  // the decision target
  // What the target counts from: "" or "the request" (as the distributions do), or "inject 5"
  // (the inject whose `ALL decide` expectation set it).
  std::string target_from;
  size_t decided_within_target = 0;
  double wall_seconds = 0;  // how long the runs took

  double p_decision_within_target() const {
    return runs == 0 ? 0.0 : static_cast<double>(decided_within_target) / static_cast<double>(runs);
  }
  // Per distribution: count, median, p90, min, max (ms); and the probability above.
  nlohmann::json ToJson() const;
};
// Self-contained HTML: a histogram (inline SVG) per distribution, with its median and p90, and
// the probability of a joint decision within the target.
std::string RenderSimulationHtml(const SimulationSummary& summary);
// Writes simulation.html and simulation.json into `dir`.
[[nodiscard]] Status WriteSimulationReport(const SimulationSummary& summary,
                                           const std::string& dir);

}  // namespace entente::exercise
