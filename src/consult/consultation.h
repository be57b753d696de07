// consult/consultation.h: crisis consultations and their decision records (DESIGN §6), folded
// from the events of a space's logs (docs/formats/consult.md).
//
//   requested ──ack (every counterpart)──▶ acknowledged ──convene──▶ convened
//   convened ──a decision adopted──▶ decided ──report──▶ monitoring ──close──▶ closed
//   closed ──review──▶ reviewed;  monitoring | closed ──reopen──▶ convened
//   requested | acknowledged | convened ──withdraw (requester)──▶ withdrawn
//
// A consultation is the request event (its id is the request's event id) and every consult.* and
// decision.* event whose header subject is that id. Its participants are the requesting partner
// and the counterparts the request names; its audience is their active members whose clearance
// admits an event's label. What the request froze (acknowledgement deadline, escalation rules)
// stays fixed; what the policy sets (report cadence, decision authority, silence procedure) comes
// from the space's charter policy, which never changes.
//
// Pure: the same code checks an event before the origin node appends it (Check), and folds the
// logs on every node and client (Apply, in space::MergeOrder), so every party reaches the same
// state from the same entries. Apply never refuses: an event that does not fit the state at its
// place in the merge order (two partners acted at once during a partition) is kept in the
// timeline as not applied, with the reason. Time enters only through events' created_ms and
// the `now_ms` a caller passes to AdvanceTo.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "label/policy.h"
#include "ledger/event.h"
#include "space/directory.h"
#include "space/space_state.h"

namespace entente::consult {

enum class State : uint8_t {
  kRequested,
  kAcknowledged,
  kConvened,
  kDecided,
  kMonitoring,
  kClosed,
  kReviewed,
  kWithdrawn,
};
std::string_view StateName(State state);
// Not closed, reviewed or withdrawn.
bool IsOpen(State state);

// ACP 121 precedences, highest first.
inline constexpr std::string_view kPrecedences[] = {"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"};
bool IsPrecedence(std::string_view text);

// Whether a kind belongs to consultations (0x04xx) or decision records (0x05xx).
bool IsConsultKind(uint16_t kind);

// The escalation rules a request froze from the policy (meta field `escalation`).
struct Escalation {
  struct Rule {
    std::vector<std::string> targets;  // "role:<id>" or "member:<handle>@<PARTNER>"
    uint64_t timeout_ms = 0;
    std::string level;  // working, senior, leader
    bool operator==(const Rule&) const = default;
  };
  std::vector<Rule> rules;
  uint32_t loops = 0;

  static Escalation Freeze(const label::ConsultationPolicy& policy);
  nlohmann::json ToJson() const;
  // InvalidArgument naming the field for anything but the form ToJson writes.
  static Result<Escalation> FromJson(const nlohmann::json& json);
  bool operator==(const Escalation&) const = default;

  // One escalation step: rule `rule` of loop `loop`, due at `due_ms`.
  struct Step {
    uint32_t loop = 0;
    uint32_t rule = 0;
    uint64_t due_ms = 0;
  };
  // Every step, in order, when escalation starts at `start_ms` (the acknowledgement deadline):
  // rule 0 of loop 0 at the start, each next rule when the one before has waited its timeout.
  std::vector<Step> Steps(uint64_t start_ms) const;
};

// Where an event is, and who authored it.
struct EntryRef {
  std::string origin;    // the partner whose log holds it
  uint64_t index = 0;    // its position in that log
  std::string event_id;  // hex
  uint64_t created_ms = 0;
  std::string member;  // the author's member id
};

struct TimelineEntry {
  EntryRef at;
  std::string kind;  // "consult.ack"
  bool applied = true;
  std::string note;  // why not applied; or what it did ("adopted by every partner")
};

struct Task {
  std::string id;  // the task.add's event id
  EntryRef added;
  std::string owner;  // member id
  std::optional<uint64_t> resolve_by_ms;
  std::optional<EntryRef> done;
  std::string workstream;  // when handed to one
  bool resolved() const { return done.has_value(); }
};

struct Vote {
  std::string partner;
  uint32_t version = 0;
  std::string text_sha256;
  EntryRef at;
};

struct Version {
  uint32_t number = 0;
  std::string text_sha256;
  EntryRef at;
};

struct Decision {
  std::string id;  // the decision.propose's event id
  std::string consultation;
  std::vector<Version> versions;  // 1, 2, ...
  std::vector<Vote> approvals;    // of the current version, at most one per partner
  std::vector<Vote> voided;       // approvals of earlier versions
  std::vector<Vote> objections;   // every objection, to any version
  std::optional<uint64_t> adopted_ms;
  std::string adopted_by;  // "unanimity" or "silence"

  const Version& current() const { return versions.back(); }
  bool adopted() const { return adopted_ms.has_value(); }
  bool ApprovedBy(std::string_view partner) const;
  // Whether an objection to the current version was made before `before_ms`.
  bool ObjectedBefore(uint64_t before_ms) const;
};

struct Consultation {
  std::string id;  // the request's event id (hex)
  EntryRef requested;
  std::string requester;  // partner
  std::string precedence;
  std::vector<std::string> counterparts;  // sorted
  uint64_t ack_deadline_ms = 0;
  Escalation escalation;
  std::string label;  // canonical; every event of the consultation is at or below it
  Bytes exercise_id;  // empty: real world
  State state = State::kRequested;
  std::map<std::string, EntryRef> acks;  // by counterpart
  std::optional<uint64_t> convened_ms;
  std::optional<uint64_t> decided_ms;
  std::vector<EntryRef> reports;
  std::vector<Task> tasks;  // in the order added
  std::vector<Decision> decisions;
  std::vector<TimelineEntry> timeline;
  uint64_t last_event_ms = 0;  // of the applied events

  // Requester and counterparts, sorted.
  std::vector<std::string> participants() const;
  bool IsParticipant(std::string_view partner) const;
  bool AcknowledgedBy(std::string_view partner) const {
    return acks.contains(std::string(partner));
  }
  const Task* FindTask(std::string_view id) const;
  const Decision* FindDecision(std::string_view id) const;
  // The decision not yet adopted, if any (there is at most one at a time).
  const Decision* OpenDecision() const;
  // The last report by a member of `partner`, or nullopt.
  std::optional<uint64_t> LastReportBy(std::string_view partner) const;
};

// The consultations of one space.
class Book {
 public:
  // `space` must outlive the book; it supplies the policy and the rules of authorship.
  explicit Book(const space::SpaceState& space) : space_(&space) {}

  // OK if `event` (a consult.* or decision.* kind) may be appended now, on top of what the
  // space's own Check decides (author, role, label): the consultation exists and is in a state
  // that allows the step, the author's partner may take it, the label is within the
  // consultation's, the event is later than every event of the consultation so far, and the
  // envelope is sealed to the consultation's audience (`rule` as in space::SpaceState::Check).
  // FailedPrecondition for a step the state does not allow, saying which state it is in and
  // what would allow it; PermissionDenied, InvalidArgument or NotFound otherwise.
  [[nodiscard]] Status Check(const space::FoldEvent& event, const space::Directory& directory,
                             space::RecipientRule rule = space::RecipientRule::kExact) const;

  // Folds one event, found at `index` of its origin's log; see the file comment.
  void Apply(const space::FoldEvent& event, uint64_t index, const space::Directory& directory);

  // Applies what time alone decides up to `now_ms`: decisions adopted under the silence
  // procedure because their deadline passed without objection. Monotonic and idempotent.
  void AdvanceTo(uint64_t now_ms);
  // The latest silence deadline AdvanceTo adopted a decision at (0 if none): an event timed
  // before it may have changed that outcome, so folding it needs a fresh book, not Apply.
  uint64_t adopted_by_time_until() const { return adopted_by_time_until_; }

  const std::map<std::string, Consultation>& consultations() const { return consultations_; }
  const Consultation* Find(std::string_view id) const;
  // The consultation a decision belongs to, or nullptr.
  const Consultation* FindByDecision(std::string_view decision) const;

  // The consultation's audience as a channel (its participants' active members), for
  // space::SpaceState::Recipients and Readers.
  [[nodiscard]] Result<space::Channel> Audience(const Consultation& c,
                                                const space::Directory& directory) const;
  // The silence deadline of a decision's current version, if the policy has the procedure.
  std::optional<uint64_t> SilenceDeadline(const Decision& decision) const;
  const label::ConsultationPolicy* policy() const;
  const space::SpaceState& space() const { return *space_; }

 private:
  // The consultation an event refers to (its subject), or NotFound.
  Result<const Consultation*> Subject(const ledger::EventHeader& header) const;
  Status CheckRequest(const space::FoldEvent& event, const space::Directory& directory,
                      space::RecipientRule rule) const;
  Status CheckStep(const space::FoldEvent& event, const Consultation& c,
                   const space::Directory& directory) const;
  Status CheckDecision(const space::FoldEvent& event, const Consultation& c,
                       const space::Directory& directory) const;
  void ApplyStep(const space::FoldEvent& event, Consultation& c, const EntryRef& at,
                 std::string& note);
  void Adopt(Consultation& c, Decision& d, uint64_t at_ms, std::string by) const;
  void AdvanceConsultation(Consultation& c, uint64_t now_ms) const;

  const space::SpaceState* space_;
  std::map<std::string, Consultation> consultations_;
  std::map<std::string, std::string> decision_index_;  // decision id -> consultation id
  uint64_t advanced_to_ms_ = 0;
  uint64_t adopted_by_time_until_ = 0;
};

// The member of `directory` who authored `header`, or "" (an unknown device).
std::string AuthorMember(const space::Directory& directory, const ledger::EventHeader& header);

}  // namespace entente::consult
