// exercise/controller.h: the exercise controller (HSEEP's SimCell): sends each inject of the
// scenario at its time, watches for the expected actions, sends a contingency inject when an
// expected action is missed, and says when the exercise is over (ENDEX).
//
// Pure and clock-free: the caller asks Due() at scenario times of its choosing (a real run every
// tick of the wall clock times the speed, a simulation at each NextWake) with what it has
// observed so far, and sends what Due() returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exercise/evaluation.h"
#include "exercise/scenario.h"

namespace entente::exercise {

class Controller {
 public:
  // `scenario` must outlive the controller.
  explicit Controller(const Scenario& scenario) : scenario_(&scenario) {}

  // The injects due at scenario time `now_ms`, in sending order, each recorded as sent at its
  // own due time (never earlier than the previous one): timed injects whose time has come,
  // injects `after` another once it was sent and the delay passed, and contingency injects whose
  // expected action had not been observed by its deadline (in its window: WindowStart).
  std::vector<const Inject*> Due(uint64_t now_ms, const std::vector<Observation>& observed);
  // Remembers the event that carried a sent inject.
  void SetEventId(const std::string& number, std::string event_id);

  const std::vector<SentInject>& sent() const { return sent_; }
  bool WasSent(std::string_view number) const;
  // Whether the exercise is over at `now_ms`: the scenario's end has come, or every inject that
  // can still be sent was sent and every expected action of them has been observed.
  bool Finished(uint64_t now_ms, const std::vector<Observation>& observed) const;
  // The next scenario time after `now_ms` at which Due or Finished could change without a new
  // observation (an inject's time, a deadline, the end).
  uint64_t NextWake(uint64_t now_ms) const;

 private:
  // When inject `inject` is due if it is not a contingency (nullopt while the one it follows has
  // not been sent).
  std::optional<uint64_t> TimeOf(const Inject& inject) const;
  const SentInject* FindSent(std::string_view number) const;

  const Scenario* scenario_;
  std::vector<SentInject> sent_;
};

// Whether `observed` holds `expected` (partner and action; ALL matches anyone) at a time in
// [from_ms, until_ms].
bool Happened(const std::vector<Observation>& observed, const ExpectedAction& expected,
              uint64_t from_ms, uint64_t until_ms);

}  // namespace entente::exercise
