// agenda/agenda.h: what a standing group does between crises (DESIGN §6, docs/formats/agenda.md):
// joint statements, workstreams and meetings, folded from the agenda events (0x07xx) of a
// space's logs.
//
// A statement and a meeting's minutes are versioned documents that each partner's approver (the
// policy's decision authority) approves on an exact version hash; a new version voids earlier
// approvals. A statement is released when every partner approved its current version, that
// version's label is the policy's lowest level (UNCLASSIFIED) and its embargo, if any, has passed.
// Lowering a statement's label is a new version at the lower label: it counts only once every
// partner approved that version, and it stays sealed to the audience of the statement's ceiling
// (the label it was drafted at) until released.
//
// Pure, like consult::Book: Check (the origin, before it appends: meta only) and Apply (every
// party, in space::MergeOrder) never look at sealed content, so every node and client reaches the
// same state. A client that can open an event passes its content to Apply as well, which fills
// in what only content holds (titles, texts' hashes it opened, milestones, agenda items, action
// items); rules never depend on it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "consult/consultation.h"
#include "space/directory.h"
#include "space/space_state.h"

namespace entente::agenda {

using consult::EntryRef;

// Agenda kinds (docs/formats/kinds.md).
inline constexpr uint16_t kStatementDraft = 0x0700, kStatementRevise = 0x0701,
                          kStatementComment = 0x0702, kStatementApprove = 0x0703,
                          kStatementRelease = 0x0704, kWorkstreamCreate = 0x0710,
                          kWorkstreamUpdate = 0x0711, kMeetingSchedule = 0x0720,
                          kMeetingMinutes = 0x0721, kMeetingApprove = 0x0722;
bool IsAgendaKind(uint16_t kind);

struct TimelineEntry {
  EntryRef at;
  std::string kind;
  bool applied = true;
  std::string note;  // why not applied, or what it did
};

// One version of a document: its hash (SHA-256 of the sealed content) and label.
struct DocVersion {
  uint32_t number = 0;
  std::string text_sha256;
  std::string label;                   // canonical, the version event's header label
  std::optional<uint64_t> embargo_ms;  // statements
  EntryRef at;
};
struct Approval {
  std::string partner;
  uint32_t version = 0;
  std::string text_sha256;
  EntryRef at;
};
// A versioned document approved by every partner.
struct Document {
  std::vector<DocVersion> versions;  // 1, 2, ...
  std::vector<Approval> approvals;   // of the current version, at most one per partner
  std::vector<Approval> voided;      // of earlier versions
  const DocVersion& current() const { return versions.back(); }
  bool ApprovedBy(std::string_view partner) const;
  // Every partner of `partners` approved the current version.
  bool ApprovedByAll(const std::vector<std::string>& partners) const;
  std::vector<std::string> AwaitingApproval(const std::vector<std::string>& partners) const;
};

struct Comment {
  EntryRef at;
  uint32_t version = 0;
  std::string text;  // content, where opened
};

struct Statement {
  std::string id;  // the statement.draft's event id (hex)
  EntryRef drafted;
  std::string ceiling;  // canonical label of the draft: every event is sealed to its audience
  Bytes exercise_id;    // the draft's (empty: real world); every later event carries the same
  Document doc;
  std::vector<Comment> comments;
  std::optional<EntryRef> released;
  uint32_t released_version = 0;
  // Content of each version, where opened: title, texts by language, authoritative language
  // ("equal" when every language is equally authentic).
  struct Text {
    std::string title;
    std::map<std::string, std::string> texts;
    std::string authoritative;
  };
  std::map<uint32_t, Text> content;  // by version
  std::vector<TimelineEntry> timeline;
};

struct Milestone {
  std::string id;  // chosen by its author, unique in the workstream
  std::string title;
  std::string owner;  // member id
  uint64_t due_ms = 0;
  std::string status;  // planned, done, dropped
  std::optional<uint64_t> done_ms;
  EntryRef at;  // the latest update that set it
};

struct WorkstreamUpdate {
  EntryRef at;
  std::string type;       // status, milestone, progress, item
  std::string status;     // for status: on-track, at-risk, off-track
  std::string text;       // rationale, progress or item text (content, where opened)
  std::string milestone;  // for milestone
};

struct Workstream {
  std::string id;  // the workstream.create's event id
  EntryRef created;
  std::string label;
  Bytes exercise_id;  // the create's (empty: real world); every later event carries the same
  std::optional<uint64_t> due_ms;     // meta due_ms of the create or the latest update that set it
  std::string status = "on-track";    // on-track, at-risk, off-track
  std::string rationale;              // of the latest status, where opened
  std::string title, description;     // where opened
  std::vector<std::string> co_leads;  // member ids, where opened
  std::map<std::string, Milestone> milestones;  // by id, where opened
  std::vector<WorkstreamUpdate> updates;        // in order
  std::vector<TimelineEntry> timeline;
};

struct ActionItem {
  std::string id;
  std::string text;
  std::string owner;  // member id
  uint64_t due_ms = 0;
};

struct Meeting {
  std::string id;  // the first meeting.schedule's event id
  EntryRef scheduled;
  std::string label;
  Bytes exercise_id;  // the first schedule's (empty: real world); every later event the same
  std::string level;  // plenary, working
  uint64_t starts_ms = 0;
  // Where opened (the latest schedule's content):
  std::string title, location;
  struct Attendee {
    std::string partner, organisation, name;
  };
  std::vector<Attendee> attendees;
  struct Item {
    std::string title;
    std::string refers;  // "consultation:<id>", "workstream:<id>", "statement:<id>" or ""
  };
  std::vector<Item> agenda;
  Document minutes;                                     // versions of the minutes
  std::map<uint32_t, std::string> minutes_text;         // by version, where opened
  std::map<uint32_t, std::vector<ActionItem>> actions;  // by version, where opened
  std::vector<TimelineEntry> timeline;
  bool minutes_approved(const std::vector<std::string>& partners) const {
    return !minutes.versions.empty() && minutes.ApprovedByAll(partners);
  }
};

class Book {
 public:
  // `space` must outlive the book.
  explicit Book(const space::SpaceState& space) : space_(&space) {}

  // OK if `event` (an agenda kind) may be appended now, on top of space::SpaceState::Check
  // (author, role, label): the document, workstream or meeting exists (subject) or is new (its
  // meta id is its own event id); versions follow each other; an approval names the current
  // version and its hash and comes from the partner's approver, once; a release has every
  // partner's approval, an UNCLASSIFIED current version and a passed embargo; a statement event
  // is at or below the statement's ceiling and sealed to the ceiling's audience (`rule`).
  // FailedPrecondition saying what is missing, PermissionDenied, InvalidArgument, NotFound.
  [[nodiscard]] Status Check(const space::FoldEvent& event, const space::Directory& directory,
                             space::RecipientRule rule = space::RecipientRule::kExact) const;

  // Folds one event found at `index` of its origin's log; never refuses (an event that does not
  // fit is kept in the timeline as not applied). `content`: the opened sealed content, or null.
  void Apply(const space::FoldEvent& event, uint64_t index, const space::Directory& directory,
             const nlohmann::json* content = nullptr);

  const std::map<std::string, Statement>& statements() const { return statements_; }
  const std::map<std::string, Workstream>& workstreams() const { return workstreams_; }
  const std::map<std::string, Meeting>& meetings() const { return meetings_; }
  const Statement* FindStatement(std::string_view id) const;
  const Workstream* FindWorkstream(std::string_view id) const;
  const Meeting* FindMeeting(std::string_view id) const;

  // The audience events of a statement, workstream or meeting are sealed to: every active member
  // of the space's partners whose clearance admits `label` (for a statement, its ceiling).
  [[nodiscard]] Result<space::Channel> Audience(std::string_view label,
                                                const space::Directory& directory) const;
  // The role whose holders approve for their partner (the policy's decision authority), or "".
  std::string approver_role() const;
  // The label a release needs: the policy's lowest level, canonical ("USKR;U").
  std::string release_label() const;

  const space::SpaceState& space() const { return *space_; }

 private:
  const space::SpaceState* space_;
  std::map<std::string, Statement> statements_;
  std::map<std::string, Workstream> workstreams_;
  std::map<std::string, Meeting> meetings_;
};

// JSON of each, for `--json` and reports (docs/api.md).
nlohmann::json StatementJson(const Book& book, const Statement& s);
nlohmann::json WorkstreamJson(const Workstream& w);
nlohmann::json MeetingJson(const Book& book, const Meeting& m);

}  // namespace entente::agenda
