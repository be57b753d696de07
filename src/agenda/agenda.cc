// agenda/agenda.cc: the rules and the fold of statements, workstreams and meetings
// (docs/formats/agenda.md).
//
// Every agenda event belongs to one object, named by an id that is the event id of the object's
// creating event (statement.draft, workstream.create, the first meeting.schedule):
//
//   creating event   header subject empty, meta id field (document | workstream | meeting) = its
//                    own event id in hex
//   every later one  header subject = the id (16 bytes), meta id field = the id in hex
//
// Check (origin, before appending) and Apply (every party, in space::MergeOrder) share one set
// of rules, `Rules` below, judged on the state folded so far from clear metadata and headers
// only. Check adds what depends on the directory of the moment: the envelope's recipients and,
// for a new statement or meeting, that every partner has a member who may read it. Apply never
// refuses: an event of a known object that breaks a rule is kept in the object's timeline as
// not applied, with the reason; a creating event that breaks one creates nothing.
#include "agenda/agenda.h"

#include <algorithm>

#include "base/clock.h"
#include "base/encoding.h"
#include "consult/fold.h"
#include "ledger/kinds.h"
#include "space/meta.h"

namespace entente::agenda {
namespace {

constexpr std::string_view kStatuses[] = {"on-track", "at-risk", "off-track"};
constexpr std::string_view kUpdateTypes[] = {"status", "milestone", "progress", "item"};
constexpr std::string_view kMeetingLevels[] = {"plenary", "working"};
constexpr std::string_view kMilestoneStatuses[] = {"planned", "done", "dropped"};

template <size_t N>
bool OneOf(const std::string_view (&set)[N], std::string_view text) {
  return std::find(std::begin(set), std::end(set), text) != std::end(set);
}

enum class Family : uint8_t { kStatement, kWorkstream, kMeeting };

Family FamilyOf(uint16_t kind) {
  switch (kind & 0xF0) {
    case 0x00:
      return Family::kStatement;
    case 0x10:
      return Family::kWorkstream;
    default:
      return Family::kMeeting;
  }
}

std::string_view FamilyName(Family family) {
  switch (family) {
    case Family::kStatement:
      return "statement";
    case Family::kWorkstream:
      return "workstream";
    case Family::kMeeting:
      return "meeting";
  }
  return "object";
}

// The meta field that names the object.
const char* IdField(uint16_t kind) {
  switch (FamilyOf(kind)) {
    case Family::kStatement:
      return "document";
    case Family::kWorkstream:
      return "workstream";
    case Family::kMeeting:
      return kind == kMeetingSchedule ? "meeting" : "document";
  }
  return "document";
}

// Whether the event creates its object (for meeting.schedule: the first, with no subject).
bool IsCreating(const ledger::EventHeader& h) {
  return h.kind == kStatementDraft || h.kind == kWorkstreamCreate ||
         (h.kind == kMeetingSchedule && h.subject.empty());
}

std::string KindName(uint16_t code) {
  const auto* info = ledger::FindKind(code);
  return info != nullptr ? std::string(info->name) : "kind " + std::to_string(code);
}

// An unsigned integer field, or nullopt (folds never throw on meta).
std::optional<uint64_t> MetaUint(const nlohmann::json& meta, const char* field) {
  auto it = meta.find(field);
  if (it == meta.end() || !it->is_number_integer()) return std::nullopt;
  if (!it->is_number_unsigned() && it->get<int64_t>() < 0) return std::nullopt;
  return it->get<uint64_t>();
}

// OK if an optional time field is absent or an unsigned integer.
Status CheckOptionalTime(const nlohmann::json& meta, const char* field, uint16_t kind) {
  if (meta.contains(field) && !MetaUint(meta, field)) {
    return InvalidArgument(KindName(kind) + ": " + field + " must be a non-negative integer (ms)");
  }
  return {};
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string List(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string Short(const std::string& id) { return id.substr(0, 8); }

std::string At(uint64_t ms) { return FormatRfc3339(FromUnixMs(ms)); }

EntryRef RefOf(const space::FoldEvent& event, uint64_t index, const space::Directory& directory) {
  return EntryRef{event.header.origin, index, event.header.event_id.ToHex(),
                  event.header.created_ms, consult::AuthorMember(directory, event.header)};
}

// The created_ms of the latest applied event of a timeline (0 if none).
uint64_t LatestApplied(const std::vector<TimelineEntry>& timeline) {
  uint64_t latest = 0;
  for (const auto& t : timeline) {
    if (t.applied) latest = std::max(latest, t.at.created_ms);
  }
  return latest;
}

// Sealed content, read without ever throwing: a missing or mistyped field reads as empty.
std::string ContentString(const nlohmann::json& c, const char* field) {
  auto it = c.find(field);
  return it != c.end() && it->is_string() ? it->get<std::string>() : "";
}
uint64_t ContentUint(const nlohmann::json& c, const char* field) {
  return MetaUint(c, field).value_or(0);
}
const nlohmann::json* ContentArray(const nlohmann::json& c, const char* field) {
  auto it = c.find(field);
  return it != c.end() && it->is_array() ? &*it : nullptr;
}

// The action items of minutes in clear (meta `actions`, r3): {"<id>": {"owner": member id,
// "due_ms": integer}}, at most 100, each owner an active member of one of the space's partners.
Result<std::vector<ActionItem>> ActionsFromMeta(const nlohmann::json& meta) {
  std::vector<ActionItem> out;
  auto it = meta.find("actions");
  if (it == meta.end()) return out;
  if (!it->is_object() || it->size() > 100) {
    return InvalidArgument("meeting.minutes: actions must be an object of at most 100 items");
  }
  for (const auto& [id, item] : it->items()) {
    auto due = item.is_object() ? MetaUint(item, "due_ms") : std::nullopt;
    if (id.empty() || id.size() > 64 || !item.is_object() || !item.contains("owner") ||
        !item["owner"].is_string() || !due || item.size() != 2) {
      return InvalidArgument("meeting.minutes: action \"" + id +
                             "\" must be {\"owner\": member id, \"due_ms\": integer}");
    }
    out.push_back({id, "", item["owner"].get<std::string>(), *due});
  }
  return out;
}

Status CheckActionsMeta(const space::SpaceState& space, const nlohmann::json& meta,
                        const space::Directory& directory) {
  ENTENTE_ASSIGN_OR_RETURN(auto actions, ActionsFromMeta(meta));
  for (const auto& a : actions) {
    const space::Member* owner = directory.FindMember(a.owner);
    if (owner == nullptr || owner->revoked || !space.HasPartner(owner->partner)) {
      return NotFound("meeting.minutes: action " + a.id + ": no active member " + a.owner +
                      " of the space's partners");
    }
  }
  return {};
}

// What an object looks like to the rules: its id, creating label, exercise, latest applied event.
struct Frame {
  std::string id;
  std::string label;  // the ceiling: statement events are sealed to its audience
  Bytes exercise_id;
  uint64_t latest_ms = 0;
};

// The rules for one document's version or approval (statements and minutes).
Status CheckDocumentStep(const Book& book, const space::FoldEvent& event, const Document& doc,
                         const std::string& what, const space::Directory& directory) {
  const auto& h = event.header;
  const bool is_version =
      h.kind == kStatementRevise || h.kind == kMeetingMinutes || h.kind == kStatementDraft;
  auto version = MetaUint(event.meta, "version");
  std::string sha = space::MetaString(event.meta, "text_sha256");
  if (!version) return InvalidArgument(KindName(h.kind) + ": version must be an integer");
  if (!IsSha256Hex(sha)) {
    return InvalidArgument(KindName(h.kind) + ": text_sha256 must be 64 lower-case hex digits" +
                           (is_version ? "" : " (the hash of the version approved)"));
  }
  if (is_version) {
    uint64_t next = doc.versions.empty() ? 1 : doc.current().number + 1;
    if (*version != next) {
      return InvalidArgument(KindName(h.kind) + ": the next version of " + what + " is " +
                             std::to_string(next));
    }
    return {};
  }
  // An approval.
  if (doc.versions.empty()) {
    return FailedPrecondition("there is no version of " + what + " to approve yet");
  }
  const DocVersion& current = doc.current();
  if (*version != current.number || sha != current.text_sha256) {
    return FailedPrecondition(KindName(h.kind) + ": the current version of " + what + " is " +
                              std::to_string(current.number) + " (" +
                              current.text_sha256.substr(0, 12) +
                              "...); read it and approve that version");
  }
  std::string role = book.approver_role();
  if (role.empty()) {
    return FailedPrecondition("space " + book.space().name() +
                              "'s policy has no consultation section (docs/formats/policy.md): "
                              "it names no decision authority, so no one may approve " +
                              what);
  }
  // Judged by the roles the author held when approving, whatever changed since: what makes an
  // approval checkable from the logs alone, on every party.
  const space::Member* member =
      directory.FindMember(consult::AuthorMember(directory, event.header));
  if (member == nullptr || member->partner != h.origin || !member->HadRoleAt(role, h.created_ms)) {
    return PermissionDenied((member != nullptr ? member->id : std::string("the author")) +
                            " is not " + h.origin + "'s approver (role " + role +
                            ", the policy's decision authority)");
  }
  if (doc.ApprovedBy(h.origin)) {
    return AlreadyExists(h.origin + " has already approved version " +
                         std::to_string(current.number) + " of " + what);
  }
  return {};
}

Status CheckStatementStep(const Book& book, const space::FoldEvent& event, const Statement& s,
                          const label::Label& label, const space::Directory& directory) {
  const auto& h = event.header;
  std::string what = "statement " + Short(s.id);
  if (s.released) {
    return FailedPrecondition(what + " was released (version " +
                              std::to_string(s.released_version) + " at " +
                              At(s.released->created_ms) + "); it no longer changes");
  }
  switch (h.kind) {
    case kStatementRevise:
      ENTENTE_RETURN_IF_ERROR(CheckDocumentStep(book, event, s.doc, what, directory));
      return CheckOptionalTime(event.meta, "embargo_ms", h.kind);
    case kStatementComment:
      if (event.meta.contains("version")) {
        auto version = MetaUint(event.meta, "version");
        if (!version || *version < 1 || *version > s.doc.current().number) {
          return InvalidArgument("statement.comment: version names no version of " + what +
                                 " (1 to " + std::to_string(s.doc.current().number) + ")");
        }
      }
      return {};
    case kStatementApprove:
      return CheckDocumentStep(book, event, s.doc, what, directory);
    case kStatementRelease: {
      const DocVersion& current = s.doc.current();
      auto version = MetaUint(event.meta, "version");
      if (!version) return InvalidArgument("statement.release: version must be an integer");
      if (*version != current.number) {
        return FailedPrecondition("statement.release: the current version of " + what + " is " +
                                  std::to_string(current.number) + ", not " +
                                  std::to_string(*version));
      }
      std::string release = book.release_label();
      if (label.ToString() != release) {
        return InvalidArgument("statement.release: a release is labelled " + release +
                               " (the policy's lowest level), not " + h.label);
      }
      auto waiting = s.doc.AwaitingApproval(book.space().partners());
      if (!waiting.empty()) {
        return FailedPrecondition(what + ": releasing needs every partner's approval of version " +
                                  std::to_string(current.number) + " (waiting for " +
                                  List(waiting) + ")");
      }
      if (current.label != release) {
        return FailedPrecondition(
            what + ": version " + std::to_string(current.number) + " is labelled " + current.label +
            "; releasing needs a version "
            "at " +
            release + " approved by every partner (revise it at " + release + ")");
      }
      if (current.embargo_ms && h.created_ms < *current.embargo_ms) {
        return FailedPrecondition(what + " is embargoed until " + At(*current.embargo_ms));
      }
      return {};
    }
    default:
      return InvalidArgument("unknown statement kind " + KindName(h.kind));
  }
}

Status CheckWorkstreamMeta(const space::FoldEvent& event) {
  const auto& h = event.header;
  std::string kind = KindName(h.kind);
  if (event.meta.contains("status") && !OneOf(kStatuses, space::MetaString(event.meta, "status"))) {
    return InvalidArgument(kind + ": status \"" + space::MetaString(event.meta, "status") +
                           "\" is not one of on-track, at-risk, off-track");
  }
  ENTENTE_RETURN_IF_ERROR(CheckOptionalTime(event.meta, "due_ms", h.kind));
  if (h.kind == kWorkstreamCreate) return {};
  std::string type = space::MetaString(event.meta, "update");
  if (event.meta.contains("update") && !OneOf(kUpdateTypes, type)) {
    return InvalidArgument(kind + ": update \"" + type +
                           "\" is not one of status, milestone, progress, item");
  }
  bool has_status = event.meta.contains("status");
  bool has_milestone = event.meta.contains("milestone");
  if (type.empty()) type = has_status ? "status" : has_milestone ? "milestone" : "progress";
  if ((type == "status") != has_status) {
    return InvalidArgument(kind + ": status goes with, and only with, an update of type status");
  }
  if ((type == "milestone") != has_milestone ||
      (has_milestone && space::MetaString(event.meta, "milestone").empty())) {
    return InvalidArgument(kind + ": milestone (the milestone's id) goes with, and only with, " +
                           "an update of type milestone");
  }
  return {};
}

Status CheckMeetingMeta(const space::FoldEvent& event) {
  std::string level = space::MetaString(event.meta, "level");
  if (event.meta.contains("level") && !OneOf(kMeetingLevels, level)) {
    return InvalidArgument("meeting.schedule: level \"" + level + "\" is not plenary or working");
  }
  return CheckOptionalTime(event.meta, "starts_ms", event.header.kind);
}

// The rules of a creating event: ids, versions and meta. Not the recipients.
Status CreatingRules(const Book& book, const space::FoldEvent& event,
                     const space::Directory& directory) {
  const auto& h = event.header;
  std::string kind = KindName(h.kind);
  std::string id = h.event_id.ToHex();
  const char* field = IdField(h.kind);
  if (!h.subject.empty()) return InvalidArgument(kind + ": the header's subject must be empty");
  if (space::MetaString(event.meta, field) != id) {
    return InvalidArgument(kind + ": " + field + " must be the event's own id " + id);
  }
  // The label every later event is held to (the space checked it on ingest; a fold checks again).
  ENTENTE_RETURN_IF_ERROR(label::ParseLabel(book.space().policy(), h.label));
  switch (FamilyOf(h.kind)) {
    case Family::kStatement:
      if (book.FindStatement(id) != nullptr) return AlreadyExists("statement " + id + " exists");
      ENTENTE_RETURN_IF_ERROR(
          CheckDocumentStep(book, event, Document{}, "the statement", directory));
      return CheckOptionalTime(event.meta, "embargo_ms", h.kind);
    case Family::kWorkstream:
      if (book.FindWorkstream(id) != nullptr) return AlreadyExists("workstream " + id + " exists");
      return CheckWorkstreamMeta(event);
    case Family::kMeeting:  // only a meeting.schedule creates (IsCreating)
      if (book.FindMeeting(id) != nullptr) return AlreadyExists("meeting " + id + " exists");
      return CheckMeetingMeta(event);
  }
  return {};
}

// The rules of an event of an existing object, on the state folded so far (Check and Apply).
Status LaterRules(const Book& book, const space::FoldEvent& event,
                  const space::Directory& directory) {
  const auto& h = event.header;
  std::string kind = KindName(h.kind);
  Family family = FamilyOf(h.kind);
  std::string family_name(FamilyName(family));
  if (h.subject.size() != ledger::EventId::kSize) {
    return InvalidArgument(kind + ": the header's subject must be the " + family_name + "'s id");
  }
  std::string id = HexEncode(h.subject);
  const char* field = IdField(h.kind);
  if (space::MetaString(event.meta, field) != id) {
    return InvalidArgument(kind + ": meta " + field + " must be the header's subject " + id);
  }
  const Statement* s = family == Family::kStatement ? book.FindStatement(id) : nullptr;
  const Workstream* w = family == Family::kWorkstream ? book.FindWorkstream(id) : nullptr;
  const Meeting* m = family == Family::kMeeting ? book.FindMeeting(id) : nullptr;
  Frame frame;
  if (s != nullptr) {
    frame = {s->id, s->ceiling, s->exercise_id, LatestApplied(s->timeline)};
  } else if (w != nullptr) {
    frame = {w->id, w->label, w->exercise_id, LatestApplied(w->timeline)};
  } else if (m != nullptr) {
    frame = {m->id, m->label, m->exercise_id, LatestApplied(m->timeline)};
  } else {
    return NotFound("no " + family_name + " " + id + " in space " + book.space().name());
  }
  std::string what = family_name + " " + Short(id);
  if (h.exercise_id != frame.exercise_id) {
    return InvalidArgument(kind + ": the exercise id must be the " + family_name + "'s");
  }
  if (h.created_ms <= frame.latest_ms) {
    return FailedPrecondition(kind + ": the event's time (" + std::to_string(h.created_ms) +
                              " ms) is not after " + what + "'s latest event (" +
                              std::to_string(frame.latest_ms) +
                              " ms): is the author's clock behind?");
  }
  const auto& policy = book.space().policy();
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(policy, h.label));
  ENTENTE_ASSIGN_OR_RETURN(auto ceiling, label::ParseLabel(policy, frame.label));
  if (!label::Dominates(ceiling, label)) {
    return PermissionDenied("label " + h.label + " is above " + what + "'s " +
                            (s != nullptr ? "ceiling " : "label ") + frame.label);
  }
  switch (family) {
    case Family::kStatement:
      return CheckStatementStep(book, event, *s, label, directory);
    case Family::kWorkstream:  // a workstream.update: a create is always creating
      return CheckWorkstreamMeta(event);
    case Family::kMeeting:
      if (h.kind == kMeetingSchedule) return CheckMeetingMeta(event);
      if (h.kind == kMeetingMinutes) {
        ENTENTE_RETURN_IF_ERROR(CheckActionsMeta(book.space(), event.meta, directory));
      }
      return CheckDocumentStep(book, event, m->minutes, "the minutes of " + what, directory);
  }
  return {};
}

// Every partner has a member who may read `label` (each must approve what is sealed at it).
Status CheckEveryPartnerReads(const space::SpaceState& space, const space::Directory& directory,
                              const space::Channel& audience, const label::Label& label,
                              std::string_view what) {
  auto readers = space.Readers(directory, audience, label);
  for (const auto& partner : space.partners()) {
    bool any = std::any_of(readers.begin(), readers.end(),
                           [&](const std::string& id) { return id.ends_with("@" + partner); });
    if (!any) {
      return PermissionDenied("no member of " + partner + " may read " + label.ToString() +
                              ": every partner approves " + std::string(what) +
                              ", so choose a label releasable to every partner");
    }
  }
  return {};
}

// Voids a document's approvals as a new version arrives; the note to record.
std::string AddVersion(Document& doc, DocVersion version) {
  std::string note;
  if (!doc.approvals.empty()) {
    note = std::to_string(doc.approvals.size()) + " approval(s) of version " +
           std::to_string(doc.current().number) + " voided";
  }
  doc.voided.insert(doc.voided.end(), doc.approvals.begin(), doc.approvals.end());
  doc.approvals.clear();
  doc.versions.push_back(std::move(version));
  return note;
}

void AddNote(std::string& note, const std::string& more) {
  if (more.empty()) return;
  note += (note.empty() ? "" : "; ") + more;
}

Statement::Text TextOf(const nlohmann::json& c) {
  Statement::Text text;
  text.title = ContentString(c, "title");
  text.authoritative = ContentString(c, "authoritative");
  auto texts = c.find("texts");
  if (texts != c.end() && texts->is_object()) {
    for (const auto& [lang, body] : texts->items()) {
      if (body.is_string()) text.texts[lang] = body.get<std::string>();
    }
  }
  return text;
}

void FillPlan(Meeting& m, const nlohmann::json& c) {
  m.title = ContentString(c, "title");
  m.location = ContentString(c, "location");
  m.attendees.clear();
  if (const auto* list = ContentArray(c, "attendees")) {
    for (const auto& a : *list) {
      if (!a.is_object()) continue;
      m.attendees.push_back({ContentString(a, "partner"), ContentString(a, "organisation"),
                             ContentString(a, "name")});
    }
  }
  m.agenda.clear();
  if (const auto* list = ContentArray(c, "agenda")) {
    for (const auto& i : *list) {
      if (!i.is_object()) continue;
      m.agenda.push_back({ContentString(i, "title"), ContentString(i, "refers")});
    }
  }
}

}  // namespace

bool IsAgendaKind(uint16_t kind) {
  switch (kind) {
    case kStatementDraft:
    case kStatementRevise:
    case kStatementComment:
    case kStatementApprove:
    case kStatementRelease:
    case kWorkstreamCreate:
    case kWorkstreamUpdate:
    case kMeetingSchedule:
    case kMeetingMinutes:
    case kMeetingApprove:
      return true;
    default:
      return false;
  }
}

// ---- Document ----

bool Document::ApprovedBy(std::string_view partner) const {
  return std::any_of(approvals.begin(), approvals.end(),
                     [&](const Approval& a) { return a.partner == partner; });
}

bool Document::ApprovedByAll(const std::vector<std::string>& partners) const {
  return !versions.empty() && !partners.empty() &&
         std::all_of(partners.begin(), partners.end(),
                     [&](const std::string& p) { return ApprovedBy(p); });
}

std::vector<std::string> Document::AwaitingApproval(
    const std::vector<std::string>& partners) const {
  std::vector<std::string> out;
  for (const auto& p : partners) {
    if (!ApprovedBy(p)) out.push_back(p);
  }
  return out;
}

// ---- Book ----

const Statement* Book::FindStatement(std::string_view id) const {
  auto it = statements_.find(std::string(id));
  return it == statements_.end() ? nullptr : &it->second;
}

const Workstream* Book::FindWorkstream(std::string_view id) const {
  auto it = workstreams_.find(std::string(id));
  return it == workstreams_.end() ? nullptr : &it->second;
}

const Meeting* Book::FindMeeting(std::string_view id) const {
  auto it = meetings_.find(std::string(id));
  return it == meetings_.end() ? nullptr : &it->second;
}

std::string Book::approver_role() const {
  const auto& policy = space_->policy();
  if (policy == nullptr || !policy->consultation()) return "";
  return policy->consultation()->decision_authority;
}

std::string Book::release_label() const {
  const auto& policy = space_->policy();
  if (policy == nullptr || policy->levels().empty()) return "";
  auto label = label::ParseLabel(policy, policy->id() + ";" + policy->levels().front().id);
  return label ? label->ToString() : "";
}

Result<space::Channel> Book::Audience(std::string_view label_text,
                                      const space::Directory& directory) const {
  if (!space_->chartered()) return FailedPrecondition("the space has no charter yet");
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(space_->policy(), label_text));
  std::vector<std::string> members;  // members() is a sorted map: the ids come sorted
  for (const auto& [id, member] : directory.members()) {
    if (member.revoked || !space_->HasPartner(member.partner)) continue;
    auto clearance = space_->ClearanceOf(member);
    if (clearance && label::Access(*clearance, label).admitted()) members.push_back(id);
  }
  std::string name = "agenda audience of " + label.ToString();
  return space::Channel{
      std::move(name), ledger::EventId(), std::move(label), std::move(members), "", 0};
}

Status Book::Check(const space::FoldEvent& event, const space::Directory& directory,
                   space::RecipientRule rule) const {
  const auto& h = event.header;
  if (!IsAgendaKind(h.kind)) return InvalidArgument("not an agenda event");
  if (!space_->chartered()) return FailedPrecondition("the space has no charter yet");
  bool creating = IsCreating(h);
  if (creating) {
    ENTENTE_RETURN_IF_ERROR(CreatingRules(*this, event, directory));
  } else {
    ENTENTE_RETURN_IF_ERROR(LaterRules(*this, event, directory));
  }
  // A statement's events are sealed to its ceiling's audience, whatever their own label, so a
  // lowered version stays with those who read the draft until it is released.
  std::string sealed_to = h.label;
  if (FamilyOf(h.kind) == Family::kStatement && !creating) {
    sealed_to = FindStatement(HexEncode(h.subject))->ceiling;
  }
  ENTENTE_ASSIGN_OR_RETURN(auto audience_label, label::ParseLabel(space_->policy(), sealed_to));
  ENTENTE_ASSIGN_OR_RETURN(space::Channel audience, Audience(sealed_to, directory));
  if (creating && h.kind != kWorkstreamCreate) {
    ENTENTE_RETURN_IF_ERROR(
        CheckEveryPartnerReads(*space_, directory, audience, audience_label,
                               h.kind == kStatementDraft ? "a statement" : "a meeting's minutes"));
  }
  const auto* info = ledger::FindKind(h.kind);
  if (info != nullptr && info->has_envelope) {
    return space_->CheckRecipients(event, directory, audience, audience_label, rule);
  }
  return {};
}

void Book::Apply(const space::FoldEvent& event, uint64_t index, const space::Directory& directory,
                 const nlohmann::json* content) {
  const auto& h = event.header;
  if (!IsAgendaKind(h.kind) || !space_->chartered()) return;
  if (content != nullptr && !content->is_object()) content = nullptr;
  EntryRef at = RefOf(event, index, directory);
  std::string kind = KindName(h.kind);
  auto version_of = [&] {
    DocVersion v;
    v.number = static_cast<uint32_t>(MetaUint(event.meta, "version").value_or(0));
    v.text_sha256 = space::MetaString(event.meta, "text_sha256");
    v.label = h.label;
    v.embargo_ms = MetaUint(event.meta, "embargo_ms");
    v.at = at;
    return v;
  };

  if (IsCreating(h)) {
    // Checked by the origin (recipients included); here only what makes it an object at all.
    if (!CreatingRules(*this, event, directory)) return;
    std::string id = h.event_id.ToHex();
    TimelineEntry entry{at, kind, true, ""};
    switch (FamilyOf(h.kind)) {
      case Family::kStatement: {
        Statement s;
        s.id = id;
        s.drafted = at;
        s.ceiling = h.label;
        s.exercise_id = h.exercise_id;
        s.doc.versions.push_back(version_of());
        if (content != nullptr) s.content[1] = TextOf(*content);
        s.timeline.push_back(std::move(entry));
        statements_.emplace(id, std::move(s));
        return;
      }
      case Family::kWorkstream: {
        Workstream w;
        w.id = id;
        w.created = at;
        w.label = h.label;
        w.exercise_id = h.exercise_id;
        w.due_ms = MetaUint(event.meta, "due_ms");
        if (event.meta.contains("status")) w.status = space::MetaString(event.meta, "status");
        if (content != nullptr) {
          w.title = ContentString(*content, "title");
          w.description = ContentString(*content, "description");
          if (const auto* leads = ContentArray(*content, "co_leads")) {
            for (const auto& lead : *leads) {
              if (lead.is_string()) w.co_leads.push_back(lead.get<std::string>());
            }
          }
        }
        w.timeline.push_back(std::move(entry));
        workstreams_.emplace(id, std::move(w));
        return;
      }
      case Family::kMeeting: {
        Meeting m;
        m.id = id;
        m.scheduled = at;
        m.label = h.label;
        m.exercise_id = h.exercise_id;
        m.level = event.meta.contains("level") ? space::MetaString(event.meta, "level") : "working";
        m.starts_ms = MetaUint(event.meta, "starts_ms").value_or(0);
        if (content != nullptr) FillPlan(m, *content);
        m.timeline.push_back(std::move(entry));
        meetings_.emplace(id, std::move(m));
        return;
      }
    }
    return;
  }

  if (h.subject.size() != ledger::EventId::kSize) return;
  std::string id = HexEncode(h.subject);
  std::vector<TimelineEntry>* timeline = nullptr;
  switch (FamilyOf(h.kind)) {
    case Family::kStatement:
      if (auto it = statements_.find(id); it != statements_.end()) timeline = &it->second.timeline;
      break;
    case Family::kWorkstream:
      if (auto it = workstreams_.find(id); it != workstreams_.end()) {
        timeline = &it->second.timeline;
      }
      break;
    case Family::kMeeting:
      if (auto it = meetings_.find(id); it != meetings_.end()) timeline = &it->second.timeline;
      break;
  }
  if (timeline == nullptr) return;  // nothing to attach it to
  // The rules as the origin checked them, on the state this party folded (which differs from
  // the author's when partners acted at once). Authorship was checked on ingest and mirroring
  // (space::SpaceState::Check), the recipients by the origin.
  Status ok = LaterRules(*this, event, directory);
  TimelineEntry entry{at, kind, static_cast<bool>(ok), ""};
  if (!ok) {
    entry.note = ok.error().message();
    timeline->push_back(std::move(entry));
    return;
  }
  std::string& note = entry.note;
  switch (h.kind) {
    case kStatementRevise: {
      Statement& s = statements_.at(id);
      std::string before = s.doc.current().label;
      DocVersion v = version_of();
      uint32_t number = v.number;
      note = AddVersion(s.doc, std::move(v));
      if (h.label != before) {
        auto old_label = label::ParseLabel(space_->policy(), before);
        auto new_label = label::ParseLabel(space_->policy(), h.label);
        bool lowered = old_label && new_label && label::Dominates(*old_label, *new_label);
        AddNote(note, std::string("label ") + (lowered ? "lowered" : "changed") + " from " +
                          before + " to " + h.label);
      }
      if (content != nullptr) s.content[number] = TextOf(*content);
      break;
    }
    case kStatementComment: {
      Statement& s = statements_.at(id);
      Comment c;
      c.at = at;
      c.version =
          static_cast<uint32_t>(MetaUint(event.meta, "version").value_or(s.doc.current().number));
      if (content != nullptr) c.text = ContentString(*content, "text");
      s.comments.push_back(std::move(c));
      break;
    }
    case kStatementApprove:
    case kMeetingApprove: {
      Document& doc =
          h.kind == kStatementApprove ? statements_.at(id).doc : meetings_.at(id).minutes;
      doc.approvals.push_back(
          Approval{h.origin, doc.current().number, doc.current().text_sha256, at});
      if (doc.ApprovedByAll(space_->partners())) {
        note = "every partner approved version " + std::to_string(doc.current().number);
      }
      break;
    }
    case kStatementRelease: {
      Statement& s = statements_.at(id);
      s.released = at;
      s.released_version = s.doc.current().number;
      note = "released version " + std::to_string(s.released_version);
      break;
    }
    case kWorkstreamUpdate: {
      Workstream& w = workstreams_.at(id);
      WorkstreamUpdate u;
      u.at = at;
      u.status = space::MetaString(event.meta, "status");
      u.milestone = space::MetaString(event.meta, "milestone");
      u.type = space::MetaString(event.meta, "update");
      if (u.type.empty())
        u.type = !u.status.empty() ? "status" : !u.milestone.empty() ? "milestone" : "progress";
      if (content != nullptr) u.text = ContentString(*content, "text");
      auto due = MetaUint(event.meta, "due_ms");
      if (u.type == "status") {
        note = "status " + w.status + " -> " + u.status;
        w.status = u.status;
        w.rationale = u.text;
      }
      if (u.type != "milestone" && due) w.due_ms = due;  // on a milestone, the milestone's due
      const nlohmann::json* ms = nullptr;
      if (content != nullptr) {
        auto it = content->find("milestone");
        if (it != content->end() && it->is_object()) ms = &*it;
      }
      // The content's milestone counts only if it is the one the clear metadata names.
      if (u.type == "milestone" && ms != nullptr && ContentString(*ms, "id") == u.milestone) {
        Milestone& m = w.milestones[u.milestone];
        std::optional<uint64_t> done_before = m.status == "done" ? m.done_ms : std::nullopt;
        m.id = u.milestone;
        m.title = ContentString(*ms, "title");
        m.owner = ContentString(*ms, "owner");
        m.due_ms = ContentUint(*ms, "due_ms");
        if (m.due_ms == 0 && due) m.due_ms = *due;
        m.status = ContentString(*ms, "status");
        if (!OneOf(kMilestoneStatuses, m.status)) m.status = "planned";
        m.done_ms =
            m.status == "done" ? done_before.value_or(h.created_ms) : std::optional<uint64_t>();
        m.at = at;
      }
      w.updates.push_back(std::move(u));
      break;
    }
    case kMeetingSchedule: {
      Meeting& m = meetings_.at(id);
      if (event.meta.contains("level")) m.level = space::MetaString(event.meta, "level");
      if (auto starts = MetaUint(event.meta, "starts_ms")) m.starts_ms = *starts;
      if (content != nullptr) FillPlan(m, *content);
      note = "amended";
      break;
    }
    case kMeetingMinutes: {
      Meeting& m = meetings_.at(id);
      DocVersion v = version_of();
      v.embargo_ms.reset();
      uint32_t number = v.number;
      note = AddVersion(m.minutes, std::move(v));
      // Owners and due times in clear (what a node reminds by); the texts where opened.
      if (auto clear = ActionsFromMeta(event.meta); clear && !clear->empty()) {
        m.actions[number] = std::move(*clear);
      }
      if (content != nullptr) {
        m.minutes_text[number] = ContentString(*content, "text");
        if (const auto* list = ContentArray(*content, "actions")) {
          auto& actions = m.actions[number];
          actions.clear();  // the opened list, with the texts, over the clear one
          for (const auto& a : *list) {
            if (!a.is_object()) continue;
            actions.push_back({ContentString(a, "id"), ContentString(a, "text"),
                               ContentString(a, "owner"), ContentUint(a, "due_ms")});
          }
        }
      }
      break;
    }
    default:
      break;
  }
  timeline->push_back(std::move(entry));
}

// ---- JSON ----

namespace {

nlohmann::json TimelineJson(const std::vector<TimelineEntry>& timeline) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : timeline) {
    nlohmann::json e = {
        {"kind", t.kind}, {"applied", t.applied}, {"entry", consult::EntryJson(t.at)}};
    if (!t.note.empty()) e["note"] = t.note;
    out.push_back(std::move(e));
  }
  return out;
}

nlohmann::json ApprovalJson(const Approval& a) {
  return {{"partner", a.partner},
          {"version", a.version},
          {"text_sha256", a.text_sha256},
          {"entry", consult::EntryJson(a.at)}};
}

// A document's versions and approvals; `partners` are whose approval it needs.
nlohmann::json DocumentJson(const Document& doc, const std::vector<std::string>& partners) {
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& v : doc.versions) {
    nlohmann::json j = {{"version", v.number},
                        {"text_sha256", v.text_sha256},
                        {"label", v.label},
                        {"entry", consult::EntryJson(v.at)}};
    if (v.embargo_ms) j["embargo_until"] = At(*v.embargo_ms);
    versions.push_back(std::move(j));
  }
  nlohmann::json approvals = nlohmann::json::array();
  for (const auto& a : doc.approvals) approvals.push_back(ApprovalJson(a));
  nlohmann::json voided = nlohmann::json::array();
  for (const auto& a : doc.voided) voided.push_back(ApprovalJson(a));
  nlohmann::json out = {{"versions", versions},
                        {"approvals", approvals},
                        {"voided_approvals", voided},
                        {"awaiting", doc.AwaitingApproval(partners)},
                        {"approved", doc.ApprovedByAll(partners)}};
  if (!doc.versions.empty()) {
    out["current_version"] = doc.current().number;
    out["current_sha256"] = doc.current().text_sha256;
    out["current_label"] = doc.current().label;
  }
  return out;
}

}  // namespace

nlohmann::json StatementJson(const Book& book, const Statement& s) {
  const auto& partners = book.space().partners();
  nlohmann::json out = DocumentJson(s.doc, partners);
  out["id"] = s.id;
  out["ceiling"] = s.ceiling;
  out["partners"] = partners;
  out["drafted"] = consult::EntryJson(s.drafted);
  out["exercise"] = HexEncode(s.exercise_id);
  out["release_label"] = book.release_label();
  out["released"] = s.released.has_value();
  if (s.released) {
    out["released_at"] = At(s.released->created_ms);
    out["released_version"] = s.released_version;
    out["release_entry"] = consult::EntryJson(*s.released);
  } else if (!s.doc.versions.empty()) {
    // What a release still needs, from the folded state (the embargo is a matter of time).
    std::vector<std::string> needs;
    for (const auto& p : s.doc.AwaitingApproval(partners)) needs.push_back("approval by " + p);
    if (s.doc.current().label != book.release_label()) {
      needs.push_back("a version at " + book.release_label());
    }
    out["release_needs"] = needs;
    if (s.doc.current().embargo_ms) out["embargo_until"] = At(*s.doc.current().embargo_ms);
  }
  nlohmann::json comments = nlohmann::json::array();
  for (const auto& c : s.comments) {
    comments.push_back(
        {{"version", c.version}, {"text", c.text}, {"entry", consult::EntryJson(c.at)}});
  }
  out["comments"] = comments;
  nlohmann::json content = nlohmann::json::object();
  for (const auto& [version, text] : s.content) {
    content[std::to_string(version)] = {
        {"title", text.title}, {"texts", text.texts}, {"authoritative", text.authoritative}};
  }
  out["content"] = content;
  out["timeline"] = TimelineJson(s.timeline);
  return out;
}

nlohmann::json WorkstreamJson(const Workstream& w) {
  nlohmann::json milestones = nlohmann::json::array();
  for (const auto& [id, m] : w.milestones) {
    nlohmann::json j = {{"id", m.id},
                        {"title", m.title},
                        {"owner", m.owner},
                        {"status", m.status},
                        {"entry", consult::EntryJson(m.at)}};
    if (m.due_ms != 0) j["due"] = At(m.due_ms);
    if (m.done_ms) j["done_at"] = At(*m.done_ms);
    milestones.push_back(std::move(j));
  }
  nlohmann::json updates = nlohmann::json::array();
  nlohmann::json history = nlohmann::json::array();
  for (const auto& u : w.updates) {
    nlohmann::json j = {{"type", u.type}, {"text", u.text}, {"entry", consult::EntryJson(u.at)}};
    if (!u.status.empty()) j["status"] = u.status;
    if (!u.milestone.empty()) j["milestone"] = u.milestone;
    updates.push_back(j);
    if (u.type == "status") {
      history.push_back({{"status", u.status}, {"rationale", u.text}, {"at", At(u.at.created_ms)}});
    }
  }
  nlohmann::json out = {{"id", w.id},
                        {"label", w.label},
                        {"created", consult::EntryJson(w.created)},
                        {"exercise", HexEncode(w.exercise_id)},
                        {"status", w.status},
                        {"rationale", w.rationale},
                        {"title", w.title},
                        {"description", w.description},
                        {"co_leads", w.co_leads},
                        {"milestones", milestones},
                        {"updates", updates},
                        {"status_history", history},
                        {"timeline", TimelineJson(w.timeline)}};
  if (w.due_ms) out["due"] = At(*w.due_ms);
  return out;
}

nlohmann::json MeetingJson(const Book& book, const Meeting& m) {
  const auto& partners = book.space().partners();
  nlohmann::json attendees = nlohmann::json::array();
  for (const auto& a : m.attendees) {
    attendees.push_back(
        {{"partner", a.partner}, {"organisation", a.organisation}, {"name", a.name}});
  }
  nlohmann::json agenda = nlohmann::json::array();
  for (const auto& i : m.agenda) agenda.push_back({{"title", i.title}, {"refers", i.refers}});
  nlohmann::json minutes = DocumentJson(m.minutes, partners);
  nlohmann::json texts = nlohmann::json::object();
  for (const auto& [version, text] : m.minutes_text) texts[std::to_string(version)] = text;
  minutes["texts"] = texts;
  nlohmann::json actions = nlohmann::json::object();
  for (const auto& [version, items] : m.actions) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : items) {
      nlohmann::json j = {{"id", a.id}, {"text", a.text}, {"owner", a.owner}};
      if (a.due_ms != 0) j["due"] = At(a.due_ms);
      list.push_back(std::move(j));
    }
    actions[std::to_string(version)] = list;
  }
  minutes["actions"] = actions;
  nlohmann::json out = {{"id", m.id},
                        {"label", m.label},
                        {"level", m.level},
                        {"scheduled", consult::EntryJson(m.scheduled)},
                        {"exercise", HexEncode(m.exercise_id)},
                        {"partners", partners},
                        {"title", m.title},
                        {"location", m.location},
                        {"attendees", attendees},
                        {"agenda", agenda},
                        {"minutes", minutes},
                        {"minutes_approved", m.minutes_approved(partners)},
                        {"timeline", TimelineJson(m.timeline)}};
  if (m.starts_ms != 0) out["starts_at"] = At(m.starts_ms);
  return out;
}

}  // namespace entente::agenda
