// client/exercises.h: exercises from a member's client (DESIGN §6, docs/formats/exercise.md):
// the controller starts an exercise (exercise.start carries the scenario, sealed to every member
// of the space the classification admits), posts injects (exercise.inject) and ends it
// (exercise.end); anyone in the space lists exercises and rebuilds an exercise's evaluation from
// the logs alone. LivePort is the exercise::Port of a real run: the controller's client posts,
// each bot member's own client acts through its own node.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/consult.h"
#include "exercise/evaluation.h"
#include "exercise/observe.h"
#include "exercise/run.h"
#include "exercise/scenario.h"

namespace entente::client {

// An exercise as its events tell it.
struct ExerciseInfo {
  std::string space;
  space::Exercise exercise;
  std::string scenario_text;
  std::string scenario_format;                 // yaml or csv
  std::optional<exercise::Scenario> scenario;  // when the text was readable and parses
  std::string problem;                         // why not
  exercise::ExerciseClock clock;
  std::vector<exercise::SentInject> injects;  // from the exercise.inject events
  std::string outcome;                        // of exercise.end

  nlohmann::json ToJson() const;
};

class Exercises {
 public:
  // `client` (the controller's, or any member's for reading) must outlive this.
  explicit Exercises(Client& client) : client_(client) {}

  // Starts an exercise of `scenario` (parsed from `text`, format yaml or csv) in `space` at
  // `speed`; its label is the scenario's classification. STARTEX is the start's time.
  [[nodiscard]] Result<ExerciseInfo> Start(const std::string& space, const std::string& text,
                                           const std::string& format,
                                           const exercise::Scenario& scenario, double speed);
  // Posts an inject of a running exercise, at the wall time of scenario time `at_ms`.
  [[nodiscard]] Result<SendResult> Inject(const ExerciseInfo& info, const exercise::Inject& inject,
                                          uint64_t at_ms);
  [[nodiscard]] Result<SendResult> End(const ExerciseInfo& info, const std::string& outcome);

  [[nodiscard]] Result<std::vector<ExerciseInfo>> List(const std::string& space);
  // One exercise, named by id or a unique prefix of at least 6 hex digits.
  [[nodiscard]] Result<ExerciseInfo> Show(const std::string& space, const std::string& id);
  // The exercise's evaluation from the logs alone: the scenario it carried, the injects it
  // posted and the consultations it ran, on its clock (to its end, or to now if running).
  [[nodiscard]] Result<exercise::Evaluation> Evaluate(const std::string& space,
                                                      const std::string& id);

 private:
  Result<std::string> ResolveSpace(const std::string& space);
  // The exercises of a loaded space, with what this device can open.
  std::vector<ExerciseInfo> Read(const SpaceView& view, const std::string& space);
  Result<SendResult> Publish(const SpaceView& view, uint16_t kind, const Bytes& exercise_id,
                             nlohmann::json meta, const nlohmann::json& content,
                             const std::string& label, uint64_t at_ms,
                             std::optional<ledger::EventId> event_id = std::nullopt);

  Client& client_;
};

// The Port of a real run: injects through the controller's client; each bot member acts with its
// own client (and so through its own partner's node); each partner's view is the exercise's
// consultations as its bots' node shows them (the controller's node for the controller's
// partner when it has no bots).
class LivePort final : public exercise::Port {
 public:
  // `controller` and every client in `bots` (by member id) must outlive the port.
  LivePort(Client& controller, ExerciseInfo info, std::map<std::string, Client*> bots);

  const Bytes& exercise_id() const override { return exercise_id_; }
  uint64_t epoch_ms() const override { return info_.clock.startex_unix_ms; }
  Result<std::string> SendInject(const exercise::Inject& inject, uint64_t at_ms) override;
  Status Act(const exercise::PlayerAction& action, uint64_t at_ms) override;
  Result<const consult::Book*> View(std::string_view partner, uint64_t now_ms) override;
  std::vector<exercise::SentInject> Received(
      std::string_view partner, uint64_t now_ms,
      const std::vector<exercise::SentInject>& sent) override;

 private:
  struct Loaded {
    std::unique_ptr<SpaceView> view;
    std::unique_ptr<consult::Book> book;
    std::deque<nlohmann::json> metas;
  };
  Client& ClientOf(std::string_view partner);

  Client& controller_;
  ExerciseInfo info_;
  Bytes exercise_id_;
  std::map<std::string, Client*> bots_;
  std::map<std::string, Loaded> views_;  // by partner
};

// A real run (`entente exercise run`): starts the exercise, then every `tick_ms` of wall time
// steps the controller and the bots at the scenario time the clock and the speed give, until
// ENDEX; ends the exercise and evaluates it from the logs.
struct LiveRunOptions {
  std::string space;
  std::string scenario_text;
  std::string scenario_format;  // yaml or csv
  exercise::Scenario scenario;
  double speed = 1.0;
  std::map<std::string, Client*> bots;  // by member id; empty: people play
  uint64_t seed = 1;
  uint64_t tick_ms = 250;
  std::function<void(const ExerciseInfo&)> on_start;
  std::function<void(const exercise::RunEvent&)> on_event;
};
struct LiveRunResult {
  ExerciseInfo info;
  exercise::Evaluation evaluation;
  size_t actions_taken = 0, actions_refused = 0;
};
[[nodiscard]] Result<LiveRunResult> RunLive(Client& controller, const LiveRunOptions& options);

// Members' bots for a run: each bot client's member, by partner, with the member's roles.
std::map<std::string, std::vector<exercise::BotMember>> BotMembers(
    const std::map<std::string, Client*>& bots);

}  // namespace entente::client
