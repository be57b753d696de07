// exercise/observe.h: an exercise's consultations on the exercise's clock, and what the
// controller and the evaluation read from them.
//
// A real exercise runs `speed` times faster than the wall clock, but the players' deadlines
// (acknowledgement, escalation, silence, report cadence) are the policy's, in scenario time. So
// the exercise's consultation events are folded into a book of their own with every time moved
// onto the exercise clock: an event authored `d` wall milliseconds after STARTEX happens
// `d * speed` scenario milliseconds after it. Real consultations are never in that book, and the
// exercise's are never in the real world's timers (node/core_consult.cc).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "consult/consultation.h"
#include "consult/fold.h"
#include "exercise/evaluation.h"

namespace entente::exercise {

struct ExerciseClock {
  uint64_t startex_unix_ms = 0;  // T+00:00 on the wall clock
  double speed = 1.0;            // scenario milliseconds per wall millisecond

  // Milliseconds since STARTEX on the exercise clock of a wall time (0 before STARTEX).
  uint64_t ToScenario(uint64_t unix_ms) const;
  // The wall time a scenario time falls at.
  uint64_t ToUnix(uint64_t scenario_ms) const;
};

// Folds the consultation and decision events of `logs` (each log in order) that carry
// `exercise_id` into `book` (a fresh one, on the space's state) in merge order, each with its
// times on the exercise clock: created_ms becomes startex + ToScenario(created_ms), and the
// acknowledgement deadline keeps its distance from the request.
void FoldExercise(const std::map<std::string, std::vector<consult::FoldEntry>>& logs,
                  const Bytes& exercise_id, const ExerciseClock& clock,
                  const space::Directory& directory, consult::Book& book);

// What the players did (each applied step of the exercise's consultations and each adoption),
// the acknowledgement deadlines and the escalation steps that fired, up to scenario time
// `now_ms`, from a book whose times are `epoch_ms` + scenario time. Observations in time order.
Record Observe(const consult::Book& book, const Bytes& exercise_id, uint64_t epoch_ms,
               uint64_t now_ms);

// The action a consultation or decision kind stands for ("acknowledge" for consult.ack), or ""
// for one that is no player action of kActions.
std::string_view ActionOf(std::string_view kind_name);

}  // namespace entente::exercise
