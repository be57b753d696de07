// The exercise commands: `exercise validate|run|list|show|report` and `simulate`
// (docs/operations.md, "Exercises"). Each parses, calls client::Exercises, exercise:: or sim::
// and prints.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "base/duration.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "client/exercises.h"
#include "exercise/report.h"
#include "exercise/scenario.h"
#include "sim/simulate.h"

namespace entente::cli {
namespace {

std::string Format(const std::string& path) { return path.ends_with(".csv") ? "csv" : "yaml"; }

std::string Human(uint64_t ms) { return ms == 0 ? "0s" : HumanDuration(ms); }

void PrintScenario(const exercise::Scenario& s) {
  std::cout << "EXERCISE  " << s.name << "  [" << s.classification << "]\n"
            << "  " << s.type << ", " << s.date << ", partners";
  for (const auto& p : s.partners) std::cout << " " << p;
  std::cout << "\n  " << s.objectives.size() << " objectives, " << s.injects.size() << " injects, "
            << s.players.size() << " player roles, ENDEX by "
            << exercise::FormatScenarioTime(s.end_ms) << "\n";
  for (const auto& o : s.objectives) std::cout << "  " << o.id << "  " << o.text << "\n";
  for (const auto& i : s.injects) {
    std::string when = i.at_ms           ? exercise::FormatScenarioTime(*i.at_ms)
                       : i.contingency() ? "contingency"
                                         : "after " + i.after + " +" + Human(i.delay_ms);
    std::cout << "  inject " << i.number << "  " << when << "  → ";
    for (size_t k = 0; k < i.to.size(); ++k) std::cout << (k ? "," : "") << i.to[k];
    std::cout << "  " << i.synopsis << "\n";
    for (const auto& e : i.expected) {
      std::cout << "      expects " << e.partner << " " << e.action << " within "
                << Human(e.within_ms) << (e.contingency.empty() ? "" : " else " + e.contingency)
                << "\n";
    }
  }
}

// ---- validate ----

struct ValidateArgs {
  std::string path;
  bool json = false;
};

int RunValidate(const ValidateArgs& a) {
  auto scenario = exercise::LoadScenario(a.path);
  if (!scenario) return Fail(scenario.error());
  if (a.json) {
    nlohmann::json injects = nlohmann::json::array();
    for (const auto& i : scenario->injects) injects.push_back(i.number);
    PrintJson({{"valid", true},
               {"name", scenario->name},
               {"partners", scenario->partners},
               {"objectives", scenario->objectives.size()},
               {"injects", injects},
               {"end_ms", scenario->end_ms},
               {"endex", exercise::FormatScenarioTime(scenario->end_ms)}});
    return kExitOk;
  }
  PrintScenario(*scenario);
  std::cout << "scenario is valid\n";
  return kExitOk;
}

// ---- run ----

struct RunArgs {
  Target target;
  std::string path;
  double speed = 1.0;
  std::string players = "bots";
  std::vector<std::string> bot_homes;
  uint64_t seed = 1;
  std::string report;
};

void PrintSummary(const exercise::Evaluation& e, const client::ExerciseInfo& info) {
  size_t met = 0, late = 0, missed = 0;
  for (const auto& x : e.expectations) {
    met += x.outcome == exercise::ExpectationResult::Outcome::kMet;
    late += x.outcome == exercise::ExpectationResult::Outcome::kLate;
    missed += x.outcome == exercise::ExpectationResult::Outcome::kMissed;
  }
  std::cout << "\nEXERCISE " << e.scenario.name << " (" << info.exercise.id.substr(0, 8)
            << ")  ENDEX at " << exercise::FormatScenarioTime(e.record.endex_ms) << "\n"
            << "  consultations " << e.record.consultations << ", decisions adopted "
            << e.record.decisions_adopted << ", injects sent " << e.record.injects.size()
            << ", escalations " << e.record.escalations.size() << "\n"
            << "  expected actions: " << met << " met, " << late << " late, " << missed
            << " missed\n";
  for (const auto& p : e.partners) {
    std::cout << "  " << p.partner << ": " << p.met << "/" << p.expected << " on time";
    if (p.median_response_ms) std::cout << ", median response " << Human(*p.median_response_ms);
    std::cout << "\n";
  }
  for (const auto& r : e.ratings) {
    const auto* o = e.scenario.FindObjective(r.objective);
    std::cout << "  " << r.objective << "  " << r.rating << "  " << (o ? o->text : "") << "\n";
  }
}

int RunRun(const RunArgs& a) {
  if (a.players != "bots" && a.players != "people") {
    return Fail(InvalidArgument("--players " + a.players + ": use bots or people").error());
  }
  if (a.players == "bots" && a.bot_homes.empty()) {
    return Fail(InvalidArgument("--players bots: give each bot member's home with --bot HOME "
                                "(or --players people)")
                    .error());
  }
  auto text = ReadFileText(a.path);
  if (!text) return Fail(text.error());
  auto scenario = exercise::LoadScenario(a.path);
  if (!scenario) return Fail(scenario.error());
  auto controller = OpenClient(a.target.common);
  if (!controller) return Fail(controller.error());
  if (auto synced = SyncAndWarn(**controller); !synced) return Fail(synced.error());
  std::vector<std::unique_ptr<client::Client>> bots;
  client::LiveRunOptions options;
  if (a.players == "bots") {
    for (const auto& home : a.bot_homes) {
      Common c = a.target.common;
      c.home = home;
      auto bot = OpenClient(c);
      if (!bot) return Fail(bot.error().WithContext("--bot " + home));
      options.bots[(*bot)->config().member] = bot->get();
      bots.push_back(std::move(*bot));
    }
  }
  options.space = a.target.space;
  options.scenario_text = *text;
  options.scenario_format = Format(a.path);
  options.scenario = *scenario;
  options.speed = a.speed;
  options.seed = a.seed;
  bool json = a.target.common.json;
  options.on_start = [&](const client::ExerciseInfo& info) {
    if (json) return;
    std::cout << "EXERCISE " << info.exercise.name << "  id " << info.exercise.id << "\n"
              << "  [" << info.exercise.label << "]  STARTEX "
              << FormatRfc3339(FromUnixMs(info.clock.startex_unix_ms)) << ", speed ×"
              << info.clock.speed << ", players: " << a.players << "\n";
  };
  options.on_event = [&](const exercise::RunEvent& e) {
    if (json) return;
    static const std::map<std::string, std::string> kTags = {
        {"inject", "INJECT "}, {"action", "  act  "}, {"refused", "  ---  "}, {"endex", "ENDEX  "}};
    std::cout << exercise::FormatScenarioTime(e.at_ms) << "  " << kTags.at(e.type) << e.text
              << std::endl;
  };
  auto result = client::RunLive(**controller, options);
  if (!result) return Fail(result.error());
  if (!a.report.empty()) {
    if (auto written = exercise::WriteReport(result->evaluation, a.report); !written) {
      return Fail(written.error());
    }
  }
  if (json) {
    nlohmann::json out = result->info.ToJson();
    out["evaluation"] = result->evaluation.ToJson();
    out["actions_taken"] = result->actions_taken;
    out["actions_refused"] = result->actions_refused;
    if (!a.report.empty()) out["report"] = a.report;
    PrintJson(out);
    return kExitOk;
  }
  PrintSummary(result->evaluation, result->info);
  if (!a.report.empty()) std::cout << "  after-action report: " << a.report << "/aar.html\n";
  return kExitOk;
}

// ---- list, show, report ----

struct ShowArgs {
  Target target;
  std::string id;
  std::string out;
};

int RunList(const Target& t) {
  auto client = OpenClient(t.common);
  if (!client) return Fail(client.error());
  client::Exercises exercises(**client);
  auto list = exercises.List(t.space);
  if (!list) return Fail(list.error());
  if (t.common.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& info : *list) out.push_back(info.ToJson());
    PrintJson({{"exercises", out}});
    return kExitOk;
  }
  if (list->empty()) std::cout << "no exercises\n";
  for (const auto& info : *list) {
    std::cout << info.exercise.id.substr(0, 8) << "  EXERCISE  "
              << (info.exercise.running() ? "running " : "ended   ")
              << FormatRfc3339(FromUnixMs(info.exercise.started_ms)) << "  " << info.exercise.name
              << "  (" << info.injects.size() << " injects)\n";
  }
  return kExitOk;
}

int RunShow(const ShowArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Exercises exercises(**client);
  auto info = exercises.Show(a.target.space, a.id);
  if (!info) return Fail(info.error());
  if (a.target.common.json) {
    PrintJson(info->ToJson());
    return kExitOk;
  }
  std::cout << "EXERCISE " << info->exercise.name << "  id " << info->exercise.id << "\n"
            << "  [" << info->exercise.label << "]  controller " << info->exercise.controller
            << ", STARTEX " << FormatRfc3339(FromUnixMs(info->clock.startex_unix_ms)) << ", speed ×"
            << info->clock.speed << "\n";
  if (info->exercise.ended_ms) {
    std::cout << "  ENDEX " << FormatRfc3339(FromUnixMs(*info->exercise.ended_ms)) << " ("
              << info->outcome << ")\n";
  } else {
    std::cout << "  running\n";
  }
  for (const auto& i : info->injects) {
    std::cout << "  " << exercise::FormatScenarioTime(i.sent_ms) << "  inject " << i.number
              << (i.contingency ? " (contingency)" : "") << "\n";
  }
  if (!info->problem.empty()) std::cout << "  (" << info->problem << ")\n";
  return kExitOk;
}

int RunReport(const ShowArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Exercises exercises(**client);
  auto evaluation = exercises.Evaluate(a.target.space, a.id);
  if (!evaluation) return Fail(evaluation.error());
  if (auto written = exercise::WriteReport(*evaluation, a.out); !written) {
    return Fail(written.error());
  }
  if (a.target.common.json) {
    PrintJson({{"out", a.out},
               {"files", {"aar.html", "aar.md", "aar.json"}},
               {"evaluation", evaluation->ToJson()}});
    return kExitOk;
  }
  std::cout << "after-action report for EXERCISE " << evaluation->scenario.name << " written to "
            << a.out << "/ (aar.html, aar.md, aar.json)\n";
  return kExitOk;
}

// ---- simulate ----

struct SimulateArgs {
  std::string path, policy, faults, target, out;
  size_t runs = 100;
  uint64_t seed = 1;
  bool json = false;
  bool trace = false;
};

int RunSimulate(const SimulateArgs& a) {
  auto scenario = exercise::LoadScenario(a.path);
  if (!scenario) return Fail(scenario.error());
  auto policy = ReadFileText(a.policy);
  if (!policy) return Fail(policy.error());
  sim::SimulateOptions options;
  options.runs = a.runs;
  options.seed = a.seed;
  options.faults_spec = a.faults;
  auto faults = sim::ParseFaults(a.faults);
  if (!faults) return Fail(faults.error());
  options.faults = *faults;
  if (!a.target.empty()) {
    auto target = ParseDuration(a.target);
    if (!target) return Fail(target.error().WithContext("--target"));
    options.target_ms = *target;
  }
  if (a.trace) {
    options.trace = [](const exercise::RunEvent& e) {
      std::cerr << exercise::FormatScenarioTime(e.at_ms) << "  " << e.type << "  " << e.text
                << "\n";
    };
  }
  size_t step = std::max<size_t>(1, a.runs / 20);
  if (!a.json && ::isatty(STDERR_FILENO) == 1) {
    options.progress = [&](size_t done) {
      if (done % step == 0 || done == a.runs) {
        std::cerr << "\rsimulating: " << done << "/" << a.runs << " runs " << std::flush;
      }
    };
  }
  auto summary = sim::Simulate(*scenario, *policy, options);
  if (options.progress) std::cerr << "\n";
  if (!summary) return Fail(summary.error());
  if (!a.out.empty()) {
    if (auto written = exercise::WriteSimulationReport(*summary, a.out); !written) {
      return Fail(written.error());
    }
  }
  if (a.json) {
    PrintJson(summary->ToJson());
    return kExitOk;
  }
  auto j = summary->ToJson();
  std::cout << "SIMULATION of EXERCISE " << summary->scenario << ": " << summary->runs
            << " runs, seed " << summary->seed
            << (summary->faults.empty() ? "" : ", faults " + summary->faults) << "\n";
  for (const auto& d : summary->distributions) {
    std::cout << "  " << d.name << ": ";
    if (d.samples_ms.empty()) {
      std::cout << "never\n";
      continue;
    }
    std::cout << "median " << Human(d.samples_ms[d.samples_ms.size() / 2]) << ", p90 "
              << Human(
                     d.samples_ms[std::min(d.samples_ms.size() - 1, d.samples_ms.size() * 9 / 10)])
              << " (" << d.samples_ms.size() << " runs; never in " << d.runs_without << ")\n";
  }
  std::cout << "  P(joint decision within " << Human(summary->target_ms) << " of "
            << (summary->target_from.empty() ? "the request" : summary->target_from)
            << ") = " << summary->p_decision_within_target() << " ("
            << summary->decided_within_target << " of " << summary->runs << " runs)\n"
            << "  " << summary->wall_seconds << " s, "
            << static_cast<uint64_t>(summary->runs * 60 / std::max(summary->wall_seconds, 1e-3))
            << " runs per minute\n";
  if (!a.out.empty()) std::cout << "  report: " << a.out << "/simulation.html\n";
  return kExitOk;
}

// ---- demo ----

// Runs scripts/demo of the source tree this binary was built in (found by walking up from the
// binary), from that tree's root, with this binary. Returns only if it cannot.
int RunDemo(const std::string& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Fail(Internal("demo: cannot find this program: " + ec.message()).error());
  for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (!fs::exists(dir / "scripts/demo") ||
        !fs::exists(dir / "examples/exercise-bilateral.yaml")) {
      continue;
    }
    std::string out_dir = fs::absolute(out).string();
    if (::chdir(dir.c_str()) != 0) break;
    std::string script = (dir / "scripts/demo").string();
    std::string self = exe.string();
    const char* argv[] = {"bash", script.c_str(), self.c_str(), out_dir.c_str(), nullptr};
    ::execv("/bin/bash", const_cast<char* const*>(argv));
    return Fail(Internal("demo: cannot run " + script).error());
  }
  return Fail(NotFound("demo: no source tree (scripts/demo, examples/) above " + exe.string() +
                       "; run `make demo` in the source tree")
                  .error());
}

}  // namespace

void AddExerciseCommands(CLI::App& app, int* exit_code) {
  auto* ex = app.add_subcommand("exercise", "Tabletop exercises: validate, run, report");
  ex->require_subcommand(1);
  ex->footer(
      "An exercise runs a Master Scenario Events List (docs/formats/scenario.md) through the\n"
      "real nodes: every event carries the exercise id and is shown as EXERCISE; real\n"
      "consultations, timers and reports ignore them.");

  auto* validate = ex->add_subcommand("validate", "Check a scenario (YAML or CSV)");
  auto va = std::make_shared<ValidateArgs>();
  validate->add_option("scenario", va->path, "The scenario file")->required();
  validate->add_flag("--json", va->json, "Print JSON");
  validate->callback([va, exit_code] { *exit_code = RunValidate(*va); });

  auto* run = ex->add_subcommand("run", "Run a scenario as its controller");
  auto ra = std::make_shared<RunArgs>();
  AddTarget(run, ra->target);
  run->add_option("scenario", ra->path, "The scenario file (.yaml, .yml or .csv)")->required();
  run->add_option("--speed", ra->speed, "Scenario time per wall time (1 to 10000)")
      ->default_val(1.0);
  run->add_option("--players", ra->players, "bots (simulated players) or people")
      ->default_val("bots");
  run->add_option("--bot", ra->bot_homes, "The home of a member a bot plays (repeat)");
  run->add_option("--seed", ra->seed, "Seed of the bots' response times")->default_val(1);
  run->add_option("--report", ra->report, "Write the after-action report into this directory");
  run->callback([ra, exit_code] { *exit_code = RunRun(*ra); });

  auto* list = ex->add_subcommand("list", "List the space's exercises");
  auto la = std::make_shared<Target>();
  AddTarget(list, *la);
  list->callback([la, exit_code] { *exit_code = RunList(*la); });

  auto* show = ex->add_subcommand("show", "An exercise: its injects and state");
  auto sa = std::make_shared<ShowArgs>();
  AddTarget(show, sa->target);
  show->add_option("id", sa->id, "The exercise (6+ hex digits of its id)")->required();
  show->callback([sa, exit_code] { *exit_code = RunShow(*sa); });

  auto* report = ex->add_subcommand("report", "Write the after-action report from the logs");
  auto rpa = std::make_shared<ShowArgs>();
  AddTarget(report, rpa->target);
  report->add_option("id", rpa->id, "The exercise (6+ hex digits of its id)")->required();
  report->add_option("--out", rpa->out, "The directory to write aar.html, aar.md, aar.json to")
      ->required();
  report->callback([rpa, exit_code] { *exit_code = RunReport(*rpa); });

  auto* demo = app.add_subcommand(
      "demo", "Two nodes on loopback run the bundled U.S.-ROK tabletop exercise with bots");
  auto demo_out = std::make_shared<std::string>("demo-out");
  demo->add_option("--out", *demo_out, "Where the after-action and simulation reports go")
      ->default_val("demo-out");
  demo->footer(
      "What `make demo` runs (scripts/demo): nodes, members, a space, messages, the\n"
      "exercise at 120x with its progress and summary, the reports, audits; about 1.5 min.");
  demo->callback([demo_out, exit_code] { *exit_code = RunDemo(*demo_out); });

  auto* simulate = app.add_subcommand("simulate", "Run a scenario many times in a simulated world");
  auto sma = std::make_shared<SimulateArgs>();
  simulate->add_option("scenario", sma->path, "The scenario file")->required();
  simulate->add_option("--policy", sma->policy, "The space policy (YAML) the partners run under")
      ->required();
  simulate->add_option("--runs", sma->runs, "How many runs")->default_val(100);
  simulate->add_option("--seed", sma->seed, "The first run's seed")->default_val(1);
  simulate->add_option("--faults", sma->faults,
                       "latency=PT2S,outage=0.2/PT30M,absent=KOR:co-chair/0.3/PT1H");
  simulate->add_option("--target", sma->target,
                       "Decision target (ISO 8601; default: the scenario's ALL decide)");
  simulate->add_option("--out", sma->out, "Write simulation.html and simulation.json here");
  simulate->add_flag("--json", sma->json, "Print JSON");
  simulate->add_flag("--trace", sma->trace, "Print what the first run did (on stderr)");
  simulate->callback([sma, exit_code] { *exit_code = RunSimulate(*sma); });
}

}  // namespace entente::cli
