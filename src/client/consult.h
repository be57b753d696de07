// client/consult.h: crisis consultations and decision records from a member's client (DESIGN
// §6, docs/formats/consult.md): authoring each step sealed to the consultation's audience,
// reading the state folded from every partner's log with the texts this device may open, and
// watching the node's notifications.
//
// Ids (consultations, decisions, tasks) are 32 hex digits; any unique prefix of at least 6
// digits names one. A space may be left empty when the member sees exactly one.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"
#include "consult/consultation.h"
#include "consult/timers.h"

namespace entente::client {

struct ConsultRequest {
  std::string space;
  std::string precedence;                 // FLASH, IMMEDIATE, PRIORITY, ROUTINE
  std::string subject;                    // sealed: only the audience reads it
  std::string details;                    // sealed
  std::string label;                      // canonical or a banner in any partner's marking
  std::vector<std::string> counterparts;  // default: every other partner of the space
  std::string exercise;  // hex id of the running exercise it is part of; "" for the real world
};

// A consultation as a participant sees it.
struct ConsultationView {
  std::string space;
  consult::Consultation consultation;
  std::string subject, details;  // "" when this device cannot open the request
  struct Report {
    consult::EntryRef at;
    std::string conditions, actions, needs;
    bool readable = false;
  };
  std::vector<Report> reports;
  std::map<std::string, std::string> task_titles;  // by task id, where readable
  std::map<std::string, std::string> notes;        // by event id: notes of steps, where readable
  std::vector<consult::Deadline> deadlines;        // still ahead
  std::map<std::string, consult::EscalationStatus> escalation;  // by counterpart not yet acked
  uint64_t now_ms = 0;

  nlohmann::json ToJson() const;
};

// A decision record, with each version's text where this device may read it and the text
// matches the hash the partners approve.
struct DecisionView {
  std::string space;
  consult::Decision decision;
  std::string consultation_state;
  std::vector<std::string> partners;                     // whose approval adoption needs
  std::map<uint32_t, std::string> texts;                 // by version
  std::map<uint32_t, std::string> problems;              // by version: why its text is not shown
  std::map<std::string, std::string> objection_reasons;  // by event id
  std::optional<uint64_t> silence_deadline_ms;
  uint64_t now_ms = 0;
  nlohmann::json record;  // consult::DecisionJson

  nlohmann::json ToJson() const;
};

class Consultations {
 public:
  // `client` must outlive this.
  explicit Consultations(Client& client) : client_(client) {}

  // Requests a consultation; its id is the result's event_id.
  [[nodiscard]] Result<SendResult> Request(const ConsultRequest& request);
  // ack, convene, withdraw, close, reopen or review, with an optional note (sealed).
  [[nodiscard]] Result<SendResult> Step(const std::string& space, const std::string& id,
                                        std::string_view step, const std::string& note);
  [[nodiscard]] Result<SendResult> Report(const std::string& space, const std::string& id,
                                          const std::string& conditions, const std::string& actions,
                                          const std::string& needs);
  // A task with an owner (member id; default: none) and a resolve-by time; its id is the
  // result's event_id.
  [[nodiscard]] Result<SendResult> AddTask(const std::string& space, const std::string& id,
                                           const std::string& title, const std::string& owner,
                                           std::optional<uint64_t> resolve_by_ms);
  // Marks a task done, or hands it to a workstream when `workstream` is not empty.
  [[nodiscard]] Result<SendResult> DoneTask(const std::string& space, const std::string& task,
                                            const std::string& workstream);
  [[nodiscard]] Result<ConsultationView> Show(const std::string& space, const std::string& id);
  // The real world's consultations, or with `exercises` those of exercises.
  [[nodiscard]] Result<std::vector<ConsultationView>> List(const std::string& space, bool open_only,
                                                           bool exercises = false);

  // Proposes a decision in a convened consultation; its id is the result's event_id.
  [[nodiscard]] Result<SendResult> Propose(const std::string& space,
                                           const std::string& consultation,
                                           const std::string& text);
  [[nodiscard]] Result<SendResult> Revise(const std::string& space, const std::string& decision,
                                          const std::string& text);
  // Approves the current version, named by its hash (or a prefix of at least 8 digits). Refused
  // unless this device has read that version and its text matches the hash.
  [[nodiscard]] Result<SendResult> Approve(const std::string& space, const std::string& decision,
                                           const std::string& version_hash);
  [[nodiscard]] Result<SendResult> Object(const std::string& space, const std::string& decision,
                                          const std::string& reason);
  [[nodiscard]] Result<DecisionView> ShowDecision(const std::string& space,
                                                  const std::string& decision);

  // Calls `on_notification` with each notification the node records for this member after
  // sequence `after`, as the node pushes them, until it returns false (OK) or the connection
  // ends (Unavailable). Resume with the last `seq` seen.
  [[nodiscard]] Status Watch(uint64_t after,
                             const std::function<bool(const nlohmann::json&)>& on_notification);

 private:
  struct Loaded {
    std::string space;  // its name
    std::unique_ptr<SpaceView> view;
  };
  // The space (named, or the only one), the directory synced, and the space's logs folded.
  Result<Loaded> Load(const std::string& space_name);
  Result<std::string> ResolveSpace(const std::string& space);
  Result<SendResult> Author(SpaceView& view, uint16_t kind, const consult::Consultation* c,
                            nlohmann::json meta, const std::optional<nlohmann::json>& content,
                            const std::string& label = "",
                            std::optional<uint64_t> at_ms = std::nullopt,
                            const Bytes& exercise_id = {});
  Result<nlohmann::json> Open(const SpaceView& view, const std::string& origin, uint64_t index);

  Client& client_;
};

// The id among `ids` that `text` names: itself, or a unique prefix of at least 6 hex digits.
[[nodiscard]] Result<std::string> ResolveId(const std::vector<std::string>& ids,
                                            std::string_view text, std::string_view what);

}  // namespace entente::client
