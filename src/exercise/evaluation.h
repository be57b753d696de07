// exercise/evaluation.h: what happened in an exercise, measured against its scenario: injects
// sent, players' actions seen, expected actions met, late or missed, consultation deadlines and
// escalations, objectives rated P/S/M/U (HSEEP), and the improvement plan.
//
// Pure: Evaluate() takes the scenario and what was observed (all in scenario time, milliseconds
// since STARTEX) and computes the rest; the report (report.h) renders it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exercise/scenario.h"

namespace entente::exercise {

// An inject as the controller sent it.
struct SentInject {
  std::string number;
  uint64_t sent_ms = 0;  // scenario time
  std::string event_id;  // the exercise.inject event (hex); "" in a simulation
  bool contingency = false;
};

// A player's action seen in the logs.
struct Observation {
  std::string partner;
  std::string member;  // member id; "" when not known (simulation)
  std::string action;  // one of kActions
  std::string consultation;
  uint64_t at_ms = 0;  // scenario time
};

// A consultation deadline of the exercise (acknowledgement by a counterpart).
struct DeadlineResult {
  std::string consultation;
  std::string what;     // "acknowledgement by KOR"
  std::string partner;  // who had to act
  uint64_t due_ms = 0;
  std::optional<uint64_t> met_ms;  // when it was done, if it was
  bool met() const { return met_ms.has_value() && *met_ms <= due_ms; }
};

// An escalation step that fired.
struct EscalationEvent {
  std::string consultation;
  std::string partner;  // the silent counterpart
  std::string level;    // working, senior, leader
  uint64_t at_ms = 0;
};

// What the exercise saw, in scenario time: the input of Evaluate.
struct Record {
  std::string exercise_id;       // hex
  uint64_t startex_unix_ms = 0;  // wall time of T+00:00 (0 in a simulation)
  double speed = 1.0;
  uint64_t endex_ms = 0;  // scenario time the exercise ended
  std::vector<SentInject> injects;
  std::vector<Observation> observations;  // in time order
  std::vector<DeadlineResult> deadlines;
  std::vector<EscalationEvent> escalations;
  size_t consultations = 0;
  size_t decisions_adopted = 0;
};

struct ExpectationResult {
  std::string inject;
  ExpectedAction expected;
  uint64_t sent_ms = 0;             // the inject's
  uint64_t due_ms = 0;              // sent_ms + within_ms
  std::optional<uint64_t> done_ms;  // the first matching observation at or after sent_ms
  // met: done by due_ms; late: done after; missed: not done by ENDEX; not-sent: the inject never
  // went out (a contingency not needed, or the exercise ended first).
  enum class Outcome { kMet, kLate, kMissed, kNotSent } outcome = Outcome::kMissed;
  std::optional<uint64_t> response_ms() const {
    return done_ms ? std::optional<uint64_t>(*done_ms - sent_ms) : std::nullopt;
  }
};
std::string_view OutcomeName(ExpectationResult::Outcome outcome);  // met, late, missed, not-sent

// HSEEP performance ratings.
//   P  performed without challenges: every expected action of the objective met
//   S  performed with some challenges: all done, some late
//   M  performed with major challenges: at least half done
//   U  unable to be performed: less than half done
struct ObjectiveRating {
  std::string objective;
  char rating = 'U';
  std::vector<std::string> observations;  // the facts behind the rating, one line each
};

struct ImprovementItem {
  std::string objective;
  std::string issue;
  std::string corrective_action;
  std::string capability_element;  // Planning, Organization, Equipment, Training, Exercises
  std::string partner;             // responsible
  std::string due;                 // YYYY-MM-DD
};

// Response times of one partner (milliseconds of scenario time).
struct PartnerFigures {
  std::string partner;
  size_t expected = 0, met = 0, late = 0, missed = 0;
  std::vector<uint64_t> response_ms;  // of the actions done, in inject order
  std::optional<uint64_t> median_response_ms;
};

struct Evaluation {
  Scenario scenario;
  Record record;
  std::vector<ExpectationResult> expectations;
  std::vector<ObjectiveRating> ratings;  // in the scenario's objective order
  std::vector<ImprovementItem> improvement_plan;
  std::vector<PartnerFigures> partners;  // in the scenario's partner order

  nlohmann::json ToJson() const;
};

// Where the window in which an expected action of inject `number` may be observed starts.
// Players often act before an inject asks them to, so the window reaches back before the
// inject's sending, but not to an action an earlier inject's same expectation (same partner and
// action) already counts: it starts just after the last observation those earlier ones claimed
// (each the first matching one in its own window), else at STARTEX (0). The expectation whose
// miss sent a contingency claims nothing from it: one late action answers both. `observed` in
// time order.
uint64_t WindowStart(const Scenario& scenario, const std::vector<SentInject>& sent,
                     std::string_view number, const ExpectedAction& expected,
                     const std::vector<Observation>& observed);

// Matches observations to expectations, rates objectives, drafts the improvement plan (due
// 90 days after the exercise date).
Evaluation Evaluate(const Scenario& scenario, Record record);

}  // namespace entente::exercise
