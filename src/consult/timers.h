// consult/timers.h: what a consultation's deadlines and events ask of people, as notifications
// (docs/formats/consult.md, "Timers and notifications").
//
// Every notification is a pure function of the folded consultation, the directory and the time,
// with a key that names its occurrence ("escalation/<consultation>/KOR/0/1"). A node runs the
// timers of its own partner's members: it asks Due() what is due now, records each key it has
// not recorded before (durably, so a restart neither loses nor repeats one) and pushes it to the
// members. A deadline that passed while the node was down is due at once when it starts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "consult/consultation.h"

namespace entente::consult {

struct Notification {
  std::string key;    // unique per occurrence
  std::string type;   // event, deadline, escalation, report-due, task-overdue
  std::string space;  // the space's id (hex), set by the caller of Due
  uint64_t due_ms = 0;
  std::string consultation;
  std::string partner;               // whose members it is for
  std::vector<std::string> targets;  // member ids; empty: every member of `partner` who may read
  std::string level;                 // escalation: working, senior or leader
  std::string precedence;
  std::string label;     // the consultation's
  std::string exercise;  // hex; empty for the real world
  std::string text;      // one line for people, without secrets (clear metadata only)

  nlohmann::json ToJson() const;
  // InvalidArgument for anything ToJson does not write.
  static Result<Notification> FromJson(const nlohmann::json& json);
};

// Everything due by `now_ms` for `partner`'s members in consultation `c`: its events (one each,
// for every participant), the acknowledgement deadline (to the requester), escalation steps
// (to the silent counterpart's targets), status reports due and overdue tasks.
std::vector<Notification> Due(const Book& book, const Consultation& c,
                              const space::Directory& directory, std::string_view partner,
                              uint64_t now_ms);

// A deadline still ahead, for `consult show`.
struct Deadline {
  std::string what;     // "acknowledgement by KOR", "status report by USA", "task 3f2a..."
  std::string partner;  // who must act
  uint64_t due_ms = 0;
};
std::vector<Deadline> Upcoming(const Book& book, const Consultation& c, uint64_t now_ms);

// The escalation level reached for a counterpart that has not acknowledged ("" if none), and
// the number of steps fired.
struct EscalationStatus {
  std::string level;
  size_t steps_fired = 0;
  std::optional<uint64_t> next_ms;
};
EscalationStatus EscalationOf(const Consultation& c, std::string_view counterpart, uint64_t now_ms);

// The members a rule's targets name among `partner`'s active members, sorted.
std::vector<std::string> ResolveTargets(const std::vector<std::string>& targets,
                                        const space::Directory& directory,
                                        std::string_view partner);

}  // namespace entente::consult
