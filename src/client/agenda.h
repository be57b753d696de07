// client/agenda.h: joint statements, workstreams and meetings from a member's client (DESIGN §6,
// docs/formats/agenda.md): authoring each step sealed to its audience, reading the agenda folded
// from every partner's log with the content this device can open, and the statement export that
// anyone can verify offline against the partners' node keys.
//
// Ids are 32 hex digits; any unique prefix of at least 6 names one.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agenda/agenda.h"
#include "agenda/report.h"
#include "client/client.h"
#include "crypto/sign.h"

namespace entente::client {

struct SpaceView;

struct StatementText {
  std::string title;
  std::map<std::string, std::string> texts;  // by language: {"en": ..., "ko": ...}
  std::string authoritative;                 // a language of `texts`, or "equal"
};

struct MeetingPlan {
  std::string title, location, level = "working";  // plenary or working
  uint64_t starts_ms = 0;
  std::vector<agenda::Meeting::Attendee> attendees;
  std::vector<agenda::Meeting::Item> agenda;
};

// The agenda of a space as this device sees it, and the space's partners.
struct AgendaView {
  std::string space;
  std::vector<std::string> partners;
  std::unique_ptr<SpaceView> view;
  std::unique_ptr<agenda::Book> book;
  uint64_t now_ms = 0;
  ~AgendaView();
  AgendaView();
  AgendaView(AgendaView&&) noexcept;
};

class Agenda {
 public:
  explicit Agenda(Client& client) : client_(client) {}

  // ---- statements ----
  // A draft at `label` (its ceiling); `embargo_ms`: not released before.
  [[nodiscard]] Result<SendResult> Draft(const std::string& space, const StatementText& text,
                                         const std::string& label,
                                         std::optional<uint64_t> embargo_ms);
  // A new version (voids approvals); `label` may be lower than the ceiling (a lowering every
  // partner must approve), "" for the current version's.
  [[nodiscard]] Result<SendResult> Revise(const std::string& space, const std::string& id,
                                          const StatementText& text, const std::string& label,
                                          std::optional<uint64_t> embargo_ms);
  [[nodiscard]] Result<SendResult> Comment(const std::string& space, const std::string& id,
                                           const std::string& text);
  // Approves the current version named by its hash (8+ hex digits), only if this device has
  // read it and it matches.
  [[nodiscard]] Result<SendResult> Approve(const std::string& space, const std::string& id,
                                           const std::string& version_hash);
  [[nodiscard]] Result<SendResult> Release(const std::string& space, const std::string& id,
                                           const std::string& note);
  // The released statement with every approval and the log proofs (docs/formats/agenda.md,
  // "Export"); FailedPrecondition before it is released.
  [[nodiscard]] Result<nlohmann::json> Export(const std::string& space, const std::string& id);

  // ---- workstreams ----
  [[nodiscard]] Result<SendResult> CreateWorkstream(const std::string& space,
                                                    const std::string& title,
                                                    const std::string& description,
                                                    const std::vector<std::string>& co_leads,
                                                    const std::string& label);
  [[nodiscard]] Result<SendResult> SetStatus(const std::string& space, const std::string& id,
                                             const std::string& status,
                                             const std::string& rationale);
  [[nodiscard]] Result<SendResult> SetMilestone(const std::string& space, const std::string& id,
                                                const agenda::Milestone& milestone);
  // A progress note, or (`item`) an improvement item handed to the workstream.
  [[nodiscard]] Result<SendResult> Update(const std::string& space, const std::string& id,
                                          const std::string& type, const std::string& text);
  [[nodiscard]] Result<agenda::ProgressReport> Report(const std::string& space, uint64_t since_ms);

  // ---- meetings ----
  [[nodiscard]] Result<SendResult> Schedule(const std::string& space, const MeetingPlan& plan,
                                            const std::string& label);
  // A new agenda (and time, place) for a scheduled meeting.
  [[nodiscard]] Result<SendResult> Amend(const std::string& space, const std::string& id,
                                         const MeetingPlan& plan);
  [[nodiscard]] Result<SendResult> Minutes(const std::string& space, const std::string& id,
                                           const std::string& text,
                                           const std::vector<agenda::ActionItem>& actions);
  [[nodiscard]] Result<SendResult> ApproveMinutes(const std::string& space, const std::string& id,
                                                  const std::string& version_hash);

  // The agenda folded with what this device can open.
  [[nodiscard]] Result<AgendaView> Load(const std::string& space);
  // Resolves an id (or prefix) among the statements, workstreams or meetings.
  [[nodiscard]] static Result<std::string> Resolve(const AgendaView& view, std::string_view what,
                                                   const std::string& id);

 private:
  Result<SendResult> Author(AgendaView& view, uint16_t kind, const std::string& object,
                            nlohmann::json meta, const std::optional<nlohmann::json>& content,
                            const std::string& label, const std::string& audience_label,
                            uint64_t after_ms);
  Result<std::string> ResolveSpace(const std::string& space);

  Client& client_;
};

// Verifies a statement export offline: every entry's signature and body hash, its inclusion in
// the checkpoint its origin's node signed (keys from `node_key`), the text's hash, every
// partner's approval of that exact version, the release. OK with a one-line summary, or the
// first problem (DataLoss, Unauthenticated, FailedPrecondition, NotFound).
[[nodiscard]] Result<std::string> VerifyStatementExport(
    const nlohmann::json& exported,
    const std::function<Result<crypto::PublicKey>(const std::string& partner)>& node_key);

}  // namespace entente::client
