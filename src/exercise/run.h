// exercise/run.h: one exercise run: the controller and the bots, acting through a Port that a
// real run implements with members' clients on real nodes (client/exercises.h) and a
// simulation in memory (sim/world.h). Step() does what is due at a scenario time; the caller
// moves the time (the wall clock times the speed, or a virtual clock from NextWake to NextWake).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "consult/consultation.h"
#include "exercise/controller.h"
#include "exercise/evaluation.h"
#include "exercise/players.h"
#include "exercise/scenario.h"

namespace entente::exercise {

class Port {
 public:
  virtual ~Port() = default;
  // The exercise's id (hex in events and reports; raw in headers).
  virtual const Bytes& exercise_id() const = 0;
  // The unix time scenario time 0 maps to in the books View returns.
  virtual uint64_t epoch_ms() const = 0;
  // Posts an inject at scenario time `at_ms`; its event id, or "" where there is none.
  [[nodiscard]] virtual Result<std::string> SendInject(const Inject& inject, uint64_t at_ms) = 0;
  // Takes a player's action at scenario time `at_ms` (see PlayerAction). A refusal by the process
  // (the state moved on) is an error the run reports and drops.
  [[nodiscard]] virtual Status Act(const PlayerAction& action, uint64_t at_ms) = 0;
  // The exercise's consultations as `partner`'s node shows them at scenario time `now_ms`, with
  // times `epoch_ms()` + scenario time.
  [[nodiscard]] virtual Result<const consult::Book*> View(std::string_view partner,
                                                          uint64_t now_ms) = 0;
  // The injects `partner`'s node has received by `now_ms`.
  virtual std::vector<SentInject> Received(std::string_view partner, uint64_t now_ms,
                                           const std::vector<SentInject>& sent) = 0;
  // The next scenario time after `now_ms` the port itself has something due (a delivery), for
  // a caller that jumps from wake to wake; UINT64_MAX if nothing.
  virtual uint64_t NextWake(uint64_t /*now_ms*/) const { return UINT64_MAX; }
};

// What a run did, one line each, for a progress view.
struct RunEvent {
  uint64_t at_ms = 0;   // scenario time
  std::string type;     // inject, action, refused, endex
  std::string partner;  // who acted ("" for the controller)
  std::string text;     // "Inject 2 to KOR: ..." / "KOR acknowledge by kor-officer@KOR"
};

class Run {
 public:
  // `scenario` and `port` must outlive the run; `controller_partner` is whose node the
  // controller watches; `bots` per partner (empty: people play).
  Run(const Scenario& scenario, Port& port, std::string controller_partner,
      std::map<std::string, std::vector<BotMember>> bots, uint64_t seed);

  // Does what is due at scenario time `now_ms` (non-decreasing between calls): sends the
  // injects due, takes the bots' actions due, and returns true while the exercise goes on.
  [[nodiscard]] Result<bool> Step(uint64_t now_ms);
  // The next scenario time anything is due without a new observation.
  uint64_t NextWake(uint64_t now_ms) const;
  // What the controller has seen so far, for the evaluation (endex_ms set to `now_ms`).
  [[nodiscard]] Result<Record> Observed(uint64_t now_ms);

  const Controller& controller() const { return controller_; }
  void OnEvent(std::function<void(const RunEvent&)> f) { on_event_ = std::move(f); }
  // Bots' actions taken and refused so far.
  size_t actions_taken() const { return taken_; }
  size_t actions_refused() const { return refused_; }

 private:
  void Emit(RunEvent event) const {
    if (on_event_) on_event_(event);
  }

  const Scenario* scenario_;
  Port* port_;
  std::string controller_partner_;
  Controller controller_;
  Players players_;
  bool bots_;
  std::function<void(const RunEvent&)> on_event_;
  size_t taken_ = 0, refused_ = 0;
};

}  // namespace entente::exercise
