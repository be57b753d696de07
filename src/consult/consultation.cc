#include "consult/consultation.h"

#include <algorithm>

#include "base/encoding.h"
#include "ledger/kinds.h"
#include "space/meta.h"

namespace entente::consult {
namespace {

namespace kind {
constexpr uint16_t kRequest = 0x0400;
constexpr uint16_t kAck = 0x0401;
constexpr uint16_t kConvene = 0x0402;
constexpr uint16_t kReport = 0x0403;
constexpr uint16_t kTaskAdd = 0x0404;
constexpr uint16_t kTaskDone = 0x0405;
constexpr uint16_t kWithdraw = 0x0406;
constexpr uint16_t kClose = 0x0407;
constexpr uint16_t kReopen = 0x0408;
constexpr uint16_t kReview = 0x0409;
constexpr uint16_t kEscalate = 0x040a;
constexpr uint16_t kPropose = 0x0500;
constexpr uint16_t kRevise = 0x0501;
constexpr uint16_t kApprove = 0x0502;
constexpr uint16_t kObject = 0x0503;
}  // namespace kind

std::string KindName(uint16_t code) {
  const auto* info = ledger::FindKind(code);
  return info != nullptr ? std::string(info->name) : "kind " + std::to_string(code);
}

// An unsigned integer field, or nullopt (schemas are checked on ingest; folds never throw).
std::optional<uint64_t> MetaUint(const nlohmann::json& meta, const char* field) {
  auto it = meta.find(field);
  if (it == meta.end() || !it->is_number_integer()) return std::nullopt;
  if (!it->is_number_unsigned() && it->get<int64_t>() < 0) return std::nullopt;
  return it->get<uint64_t>();
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

Status WrongState(const Consultation& c, std::string_view step, std::string_view needs) {
  return FailedPrecondition("consultation " + c.id.substr(0, 8) + " is " +
                            std::string(StateName(c.state)) + ": " + std::string(step) + " needs " +
                            std::string(needs));
}

EntryRef RefOf(const space::FoldEvent& event, uint64_t index, const space::Directory& directory) {
  return EntryRef{event.header.origin, index, event.header.event_id.ToHex(),
                  event.header.created_ms, AuthorMember(directory, event.header)};
}

}  // namespace

std::string_view StateName(State state) {
  switch (state) {
    case State::kRequested:
      return "requested";
    case State::kAcknowledged:
      return "acknowledged";
    case State::kConvened:
      return "convened";
    case State::kDecided:
      return "decided";
    case State::kMonitoring:
      return "monitoring";
    case State::kClosed:
      return "closed";
    case State::kReviewed:
      return "reviewed";
    case State::kWithdrawn:
      return "withdrawn";
  }
  return "unknown";
}

bool IsOpen(State state) {
  return state != State::kClosed && state != State::kReviewed && state != State::kWithdrawn;
}

bool IsPrecedence(std::string_view text) {
  return std::find(std::begin(kPrecedences), std::end(kPrecedences), text) !=
         std::end(kPrecedences);
}

bool IsConsultKind(uint16_t kind) { return (kind >> 8) == 0x04 || (kind >> 8) == 0x05; }

std::string AuthorMember(const space::Directory& directory, const ledger::EventHeader& header) {
  const space::Device* device = directory.FindDevice(header.author);
  return device != nullptr ? device->member : "";
}

// ---- Escalation ----

Escalation Escalation::Freeze(const label::ConsultationPolicy& policy) {
  Escalation e;
  e.loops = policy.escalation.empty() ? 0 : policy.loops;
  for (const auto& rule : policy.escalation) {
    e.rules.push_back({rule.targets, rule.timeout_ms, rule.level});
  }
  return e;
}

nlohmann::json Escalation::ToJson() const {
  nlohmann::json rules_json = nlohmann::json::array();
  for (const auto& rule : rules) {
    rules_json.push_back(
        {{"level", rule.level}, {"targets", rule.targets}, {"timeout_ms", rule.timeout_ms}});
  }
  return {{"loops", loops}, {"rules", rules_json}};
}

Result<Escalation> Escalation::FromJson(const nlohmann::json& json) {
  auto bad = [](const std::string& what) {
    return std::unexpected(InvalidArgument("escalation: " + what));
  };
  if (!json.is_object() || json.size() != 2) return bad("expected {loops, rules}");
  auto loops = json.find("loops");
  auto rules = json.find("rules");
  if (loops == json.end() || !loops->is_number_unsigned() || loops->get<uint64_t>() > 10) {
    return bad("loops: expected an integer from 0 to 10");
  }
  if (rules == json.end() || !rules->is_array() || rules->size() > 64) {
    return bad("rules: expected a list of at most 64 rules");
  }
  Escalation out;
  out.loops = static_cast<uint32_t>(loops->get<uint64_t>());
  for (size_t i = 0; i < rules->size(); ++i) {
    const auto& r = (*rules)[i];
    std::string at = "rules[" + std::to_string(i) + "]";
    if (!r.is_object() || r.size() != 3) return bad(at + ": expected {level, targets, timeout_ms}");
    auto level = r.find("level");
    auto targets = r.find("targets");
    auto timeout = r.find("timeout_ms");
    if (level == r.end() || !level->is_string()) return bad(at + ".level: expected text");
    if (timeout == r.end() || !timeout->is_number_unsigned() || timeout->get<uint64_t>() == 0) {
      return bad(at + ".timeout_ms: expected a positive integer");
    }
    if (targets == r.end() || !targets->is_array() || targets->empty()) {
      return bad(at + ".targets: expected a non-empty list");
    }
    Rule rule;
    rule.level = level->get<std::string>();
    rule.timeout_ms = timeout->get<uint64_t>();
    for (const auto& t : *targets) {
      if (!t.is_string()) return bad(at + ".targets: expected text");
      rule.targets.push_back(t.get<std::string>());
    }
    out.rules.push_back(std::move(rule));
  }
  return out;
}

std::vector<Escalation::Step> Escalation::Steps(uint64_t start_ms) const {
  std::vector<Step> steps;
  uint64_t at = start_ms;
  for (uint32_t loop = 0; loop < loops; ++loop) {
    for (uint32_t r = 0; r < rules.size(); ++r) {
      steps.push_back({loop, r, at});
      at += rules[r].timeout_ms;
    }
  }
  return steps;
}

// ---- Decision, Consultation ----

bool Decision::ApprovedBy(std::string_view partner) const {
  return std::any_of(approvals.begin(), approvals.end(),
                     [&](const Vote& v) { return v.partner == partner; });
}

bool Decision::ObjectedBefore(uint64_t before_ms) const {
  return std::any_of(objections.begin(), objections.end(), [&](const Vote& v) {
    return v.version == current().number && v.at.created_ms < before_ms;
  });
}

std::vector<std::string> Consultation::participants() const {
  std::vector<std::string> out = counterparts;
  out.push_back(requester);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Consultation::IsParticipant(std::string_view partner) const {
  return partner == requester ||
         std::find(counterparts.begin(), counterparts.end(), partner) != counterparts.end();
}

const Task* Consultation::FindTask(std::string_view id) const {
  for (const auto& t : tasks) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const Decision* Consultation::FindDecision(std::string_view id) const {
  for (const auto& d : decisions) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

const Decision* Consultation::OpenDecision() const {
  for (const auto& d : decisions) {
    if (!d.adopted()) return &d;
  }
  return nullptr;
}

std::optional<uint64_t> Consultation::LastReportBy(std::string_view partner) const {
  std::optional<uint64_t> last;
  for (const auto& r : reports) {
    if (r.origin == partner) last = r.created_ms;
  }
  return last;
}

// ---- Book ----

const label::ConsultationPolicy* Book::policy() const {
  if (space_->policy() == nullptr || !space_->policy()->consultation()) return nullptr;
  return &*space_->policy()->consultation();
}

const Consultation* Book::Find(std::string_view id) const {
  auto it = consultations_.find(std::string(id));
  return it == consultations_.end() ? nullptr : &it->second;
}

const Consultation* Book::FindByDecision(std::string_view decision) const {
  auto it = decision_index_.find(std::string(decision));
  return it == decision_index_.end() ? nullptr : Find(it->second);
}

Result<space::Channel> Book::Audience(const Consultation& c,
                                      const space::Directory& directory) const {
  ENTENTE_ASSIGN_OR_RETURN(auto ceiling, label::ParseLabel(space_->policy(), c.label));
  std::vector<std::string> members;  // members() is a sorted map: the ids come sorted
  for (const auto& [id, member] : directory.members()) {
    if (!member.revoked && c.IsParticipant(member.partner)) members.push_back(id);
  }
  return space::Channel{"consultation " + c.id.substr(0, 8),
                        ledger::EventId(),
                        std::move(ceiling),
                        std::move(members),
                        c.requested.member,
                        c.requested.created_ms};
}

std::optional<uint64_t> Book::SilenceDeadline(const Decision& decision) const {
  const auto* p = policy();
  if (p == nullptr || !p->silence_ms || decision.versions.empty()) return std::nullopt;
  return decision.current().at.created_ms + *p->silence_ms;
}

Result<const Consultation*> Book::Subject(const ledger::EventHeader& header) const {
  if (header.subject.size() != ledger::EventId::kSize) {
    return InvalidArgument(KindName(header.kind) + ": the header's subject must be the " +
                           "consultation's id");
  }
  std::string id = HexEncode(header.subject);
  const Consultation* c = Find(id);
  if (c == nullptr) return NotFound("no consultation " + id + " in space " + space_->name());
  return c;
}

Status Book::CheckRequest(const space::FoldEvent& event, const space::Directory& directory,
                          space::RecipientRule rule) const {
  const auto& h = event.header;
  const auto* p = policy();
  if (p == nullptr) {
    return FailedPrecondition("space " + space_->name() + "'s policy has no consultation " +
                              "section (docs/formats/policy.md): consultations are not set up");
  }
  if (!h.subject.empty()) return InvalidArgument("consult.request: the subject must be empty");
  if (consultations_.contains(h.event_id.ToHex())) {
    return AlreadyExists("consultation " + h.event_id.ToHex() + " exists");
  }
  std::string precedence = space::MetaString(event.meta, "precedence");
  auto rule_it = p->precedence.find(precedence);
  if (!IsPrecedence(precedence) || rule_it == p->precedence.end()) {
    return InvalidArgument("consult.request: precedence \"" + precedence +
                           "\" is not one of FLASH, IMMEDIATE, PRIORITY, ROUTINE");
  }
  auto counterparts = space::MetaStrings(event.meta, "counterparts");
  if (counterparts.empty()) {
    return InvalidArgument("consult.request: name at least one counterpart");
  }
  if (!std::is_sorted(counterparts.begin(), counterparts.end()) ||
      std::adjacent_find(counterparts.begin(), counterparts.end()) != counterparts.end()) {
    return InvalidArgument("consult.request: counterparts must be sorted and distinct");
  }
  for (const auto& partner : counterparts) {
    if (partner == h.origin) {
      return InvalidArgument("consult.request: " + partner + " cannot be its own counterpart");
    }
    if (!space_->HasPartner(partner)) {
      return InvalidArgument("consult.request: " + partner + " is not a partner of space " +
                             space_->name() + " (" + List(space_->partners()) + ")");
    }
  }
  auto deadline = MetaUint(event.meta, "ack_deadline_ms");
  uint64_t expected = h.created_ms + rule_it->second.acknowledge_ms;
  if (!deadline || *deadline != expected) {
    return InvalidArgument(
        "consult.request: ack_deadline_ms must be the request's time plus the "
        "policy's acknowledgement time for " +
        precedence + " (" + std::to_string(expected) + ")");
  }
  auto escalation = Escalation::FromJson(event.meta.value("escalation", nlohmann::json()));
  if (!escalation || !(*escalation == Escalation::Freeze(*p))) {
    return InvalidArgument(
        "consult.request: escalation must be the policy's escalation rules, "
        "frozen as they are now");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(space_->policy(), h.label));
  Consultation draft;
  draft.id = h.event_id.ToHex();
  draft.requester = h.origin;
  draft.counterparts = counterparts;
  draft.label = h.label;
  ENTENTE_ASSIGN_OR_RETURN(space::Channel audience, Audience(draft, directory));
  auto readers = space_->Readers(directory, audience, label);
  for (const auto& partner : counterparts) {
    bool any = std::any_of(readers.begin(), readers.end(),
                           [&](const std::string& id) { return id.ends_with("@" + partner); });
    if (!any) {
      return PermissionDenied("no member of " + partner + " may read " + h.label +
                              ": choose a label releasable to every counterpart");
    }
  }
  return space_->CheckRecipients(event, directory, audience, label, rule);
}

Status Book::CheckStep(const space::FoldEvent& event, const Consultation& c,
                       const space::Directory& directory) const {
  const auto& h = event.header;
  const std::string& partner = h.origin;
  switch (h.kind) {
    case kind::kAck:
      if (std::find(c.counterparts.begin(), c.counterparts.end(), partner) ==
          c.counterparts.end()) {
        return PermissionDenied("consult.ack: only a counterpart (" + List(c.counterparts) +
                                ") acknowledges; " + partner + " requested it");
      }
      if (c.AcknowledgedBy(partner)) {
        return AlreadyExists(partner + " has already acknowledged consultation " +
                             c.id.substr(0, 8));
      }
      if (c.state != State::kRequested) return WrongState(c, "acknowledging", "requested");
      return {};
    case kind::kConvene:
      if (c.state == State::kRequested) {
        std::vector<std::string> waiting;
        for (const auto& cp : c.counterparts) {
          if (!c.AcknowledgedBy(cp)) waiting.push_back(cp);
        }
        return FailedPrecondition("consultation " + c.id.substr(0, 8) +
                                  " is requested: convening needs every counterpart's "
                                  "acknowledgement first (waiting for " +
                                  List(waiting) + ")");
      }
      if (c.state != State::kAcknowledged) return WrongState(c, "convening", "acknowledged");
      return {};
    case kind::kReport:
      if (!IsOpen(c.state)) return WrongState(c, "a status report", "an open consultation");
      return {};
    case kind::kTaskAdd: {
      if (!IsOpen(c.state)) return WrongState(c, "adding a task", "an open consultation");
      if (space::MetaString(event.meta, "task") != h.event_id.ToHex()) {
        return InvalidArgument("consult.task.add: task must be the event's own id");
      }
      std::string owner = space::MetaString(event.meta, "owner");
      if (event.meta.contains("owner")) {
        const space::Member* member = directory.FindMember(owner);
        if (member == nullptr || member->revoked || !c.IsParticipant(member->partner)) {
          return InvalidArgument("consult.task.add: owner " + owner +
                                 " is not an active member of a participant (" +
                                 List(c.participants()) + ")");
        }
      }
      return {};
    }
    case kind::kTaskDone: {
      const Task* task = c.FindTask(space::MetaString(event.meta, "task"));
      if (task == nullptr) {
        return NotFound("no task " + space::MetaString(event.meta, "task") + " in consultation " +
                        c.id.substr(0, 8));
      }
      if (task->resolved()) return AlreadyExists("task " + task->id.substr(0, 8) + " is done");
      if (!IsOpen(c.state)) return WrongState(c, "resolving a task", "an open consultation");
      return {};
    }
    case kind::kWithdraw:
      if (partner != c.requester) {
        return PermissionDenied("consult.withdraw: only the requester " + c.requester +
                                " withdraws its request");
      }
      if (c.state != State::kRequested && c.state != State::kAcknowledged &&
          c.state != State::kConvened) {
        return WrongState(c, "withdrawing",
                          "requested, acknowledged or convened (before a "
                          "decision)");
      }
      return {};
    case kind::kClose: {
      if (c.state == State::kDecided) {
        return FailedPrecondition("consultation " + c.id.substr(0, 8) +
                                  " is decided: closing needs monitoring first (post a status "
                                  "report on the decision's implementation)");
      }
      if (c.state != State::kMonitoring) return WrongState(c, "closing", "monitoring");
      size_t open = std::count_if(c.tasks.begin(), c.tasks.end(),
                                  [](const Task& t) { return !t.resolved(); });
      if (open > 0) {
        return FailedPrecondition("consultation " + c.id.substr(0, 8) + " has " +
                                  std::to_string(open) +
                                  " open task(s): mark each done or hand it to a workstream "
                                  "(consult task done ID --workstream NAME)");
      }
      return {};
    }
    case kind::kReopen:
      if (c.state != State::kMonitoring && c.state != State::kClosed) {
        return WrongState(c, "reopening", "monitoring or closed");
      }
      return {};
    case kind::kReview:
      if (c.state != State::kClosed) return WrongState(c, "a review", "closed");
      return {};
    case kind::kEscalate:
      return FailedPrecondition(
          "consult.escalate is not authored: escalation follows from the "
          "rules the request froze and the clock");
    default:
      return InvalidArgument("unknown consultation kind " + KindName(h.kind));
  }
}

Status Book::CheckDecision(const space::FoldEvent& event, const Consultation& c,
                           const space::Directory& directory) const {
  const auto& h = event.header;
  std::string id = space::MetaString(event.meta, "decision");
  auto version = MetaUint(event.meta, "version");
  std::string sha = space::MetaString(event.meta, "text_sha256");
  if (!version) return InvalidArgument(KindName(h.kind) + ": version must be an integer");
  if (!IsSha256Hex(sha)) {
    return InvalidArgument(KindName(h.kind) + ": text_sha256 must be 64 lower-case hex digits");
  }
  if (h.kind == kind::kPropose) {
    if (id != h.event_id.ToHex()) {
      return InvalidArgument("decision.propose: decision must be the event's own id");
    }
    if (*version != 1) return InvalidArgument("decision.propose: the first version is 1");
    if (c.state != State::kConvened) return WrongState(c, "proposing a decision", "convened");
    if (const Decision* open = c.OpenDecision()) {
      return FailedPrecondition("consultation " + c.id.substr(0, 8) + " has decision " +
                                open->id.substr(0, 8) +
                                " under consideration: revise it instead of proposing another");
    }
    return {};
  }
  const Decision* d = c.FindDecision(id);
  if (d == nullptr) return NotFound("no decision " + id + " in consultation " + c.id.substr(0, 8));
  if (d->adopted()) {
    return FailedPrecondition("decision " + id.substr(0, 8) + " was adopted (" + d->adopted_by +
                              "); it no longer changes");
  }
  if (c.state != State::kConvened) return WrongState(c, KindName(h.kind), "convened");
  const Version& current = d->current();
  if (h.kind == kind::kRevise) {
    if (*version != current.number + 1) {
      return InvalidArgument("decision.revise: the next version is " +
                             std::to_string(current.number + 1));
    }
    return {};
  }
  if (*version != current.number || sha != current.text_sha256) {
    return FailedPrecondition(KindName(h.kind) + ": the current version of decision " +
                              id.substr(0, 8) + " is " + std::to_string(current.number) + " (" +
                              current.text_sha256.substr(0, 12) +
                              "...); read it and vote on that version");
  }
  if (h.kind == kind::kApprove) {
    if (d->ApprovedBy(h.origin)) {
      return AlreadyExists(h.origin + " has already approved version " +
                           std::to_string(current.number) + " of decision " + id.substr(0, 8));
    }
    const auto* p = policy();
    const space::Member* member = directory.ActiveMemberOf(h.author);
    if (p != nullptr && member != nullptr && !member->HasRole(p->decision_authority)) {
      return PermissionDenied(member->id + " is not " + h.origin + "'s decision authority (role " +
                              p->decision_authority + ")");
    }
  }
  return {};
}

Status Book::Check(const space::FoldEvent& event, const space::Directory& directory,
                   space::RecipientRule rule) const {
  const auto& h = event.header;
  if (!IsConsultKind(h.kind)) return InvalidArgument("not a consultation event");
  if (h.kind == kind::kRequest) return CheckRequest(event, directory, rule);
  ENTENTE_ASSIGN_OR_RETURN(const Consultation* found, Subject(h));
  if (event.meta.contains("consultation") &&
      space::MetaString(event.meta, "consultation") != found->id) {
    return InvalidArgument(KindName(h.kind) + ": meta consultation is not the header's subject");
  }
  // The state at the event's time: a silence deadline may have passed since the last event.
  Consultation c = *found;
  AdvanceConsultation(c, h.created_ms);
  if (h.exercise_id != c.exercise_id) {
    return InvalidArgument(KindName(h.kind) + ": the exercise id must be the consultation's");
  }
  if (h.created_ms <= c.last_event_ms) {
    return FailedPrecondition(
        KindName(h.kind) + ": the event's time (" + std::to_string(h.created_ms) +
        " ms) is not after the consultation's latest event (" + std::to_string(c.last_event_ms) +
        " ms): is the author's clock "
        "behind?");
  }
  if (!c.IsParticipant(h.origin)) {
    return PermissionDenied(h.origin + " is not a participant of consultation " +
                            c.id.substr(0, 8) + " (" + List(c.participants()) + ")");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(space_->policy(), h.label));
  ENTENTE_ASSIGN_OR_RETURN(auto ceiling, label::ParseLabel(space_->policy(), c.label));
  if (!label::Dominates(ceiling, label)) {
    return PermissionDenied("label " + h.label + " is above the consultation's label " + c.label);
  }
  if ((h.kind >> 8) == 0x05) {
    ENTENTE_RETURN_IF_ERROR(CheckDecision(event, c, directory));
  } else {
    ENTENTE_RETURN_IF_ERROR(CheckStep(event, c, directory));
  }
  const auto* info = ledger::FindKind(h.kind);
  if (info != nullptr && info->has_envelope) {
    ENTENTE_ASSIGN_OR_RETURN(space::Channel audience, Audience(c, directory));
    return space_->CheckRecipients(event, directory, audience, label, rule);
  }
  return {};
}

void Book::Adopt(Consultation& c, Decision& d, uint64_t at_ms, std::string by) const {
  d.adopted_ms = at_ms;
  d.adopted_by = std::move(by);
  if (c.state == State::kConvened) {
    c.state = State::kDecided;
    c.decided_ms = at_ms;
  }
}

void Book::AdvanceConsultation(Consultation& c, uint64_t now_ms) const {
  if (c.state != State::kConvened) return;
  for (auto& d : c.decisions) {
    if (d.adopted()) continue;
    auto deadline = SilenceDeadline(d);
    if (!deadline || *deadline > now_ms || d.ObjectedBefore(*deadline)) continue;
    Adopt(c, d, *deadline, "silence");
    TimelineEntry entry;
    entry.at.created_ms = *deadline;
    entry.kind = "decision.adopted";
    entry.note = "decision " + d.id.substr(0, 8) + " version " +
                 std::to_string(d.current().number) +
                 " adopted under the silence procedure: no objection by the deadline";
    c.timeline.push_back(std::move(entry));
  }
}

void Book::AdvanceTo(uint64_t now_ms) {
  if (now_ms < advanced_to_ms_) return;
  advanced_to_ms_ = now_ms;
  for (auto& [id, c] : consultations_) {
    if (c.state != State::kConvened) continue;
    AdvanceConsultation(c, now_ms);
    for (const auto& d : c.decisions) {
      if (d.adopted() && d.adopted_by == "silence") {
        adopted_by_time_until_ = std::max(adopted_by_time_until_, *d.adopted_ms);
      }
    }
  }
}

void Book::ApplyStep(const space::FoldEvent& event, Consultation& c, const EntryRef& at,
                     std::string& note) {
  const auto& h = event.header;
  switch (h.kind) {
    case kind::kAck: {
      c.acks[h.origin] = at;
      bool all = std::all_of(c.counterparts.begin(), c.counterparts.end(),
                             [&](const std::string& p) { return c.AcknowledgedBy(p); });
      if (all) c.state = State::kAcknowledged;
      return;
    }
    case kind::kConvene:
      c.state = State::kConvened;
      c.convened_ms = h.created_ms;
      return;
    case kind::kReport:
      c.reports.push_back(at);
      if (c.state == State::kDecided) c.state = State::kMonitoring;
      return;
    case kind::kTaskAdd: {
      Task task;
      task.id = h.event_id.ToHex();
      task.added = at;
      task.owner = space::MetaString(event.meta, "owner");
      task.resolve_by_ms = MetaUint(event.meta, "resolve_by_ms");
      task.workstream = space::MetaString(event.meta, "workstream");
      if (!task.workstream.empty()) task.done = at;  // handed over as it is created
      c.tasks.push_back(std::move(task));
      return;
    }
    case kind::kTaskDone:
      for (auto& t : c.tasks) {
        if (t.id != space::MetaString(event.meta, "task")) continue;
        t.done = at;
        t.workstream = space::MetaString(event.meta, "workstream");
      }
      return;
    case kind::kWithdraw:
      c.state = State::kWithdrawn;
      return;
    case kind::kClose:
      c.state = State::kClosed;
      return;
    case kind::kReopen:
      c.state = State::kConvened;
      c.convened_ms = h.created_ms;
      return;
    case kind::kReview:
      c.state = State::kReviewed;
      return;
    case kind::kPropose:
    case kind::kRevise: {
      std::string id = space::MetaString(event.meta, "decision");
      Version version{static_cast<uint32_t>(MetaUint(event.meta, "version").value_or(0)),
                      space::MetaString(event.meta, "text_sha256"), at};
      if (h.kind == kind::kPropose) {
        Decision d;
        d.id = id;
        d.consultation = c.id;
        d.versions.push_back(std::move(version));
        c.decisions.push_back(std::move(d));
        decision_index_[id] = c.id;
        return;
      }
      for (auto& d : c.decisions) {
        if (d.id != id) continue;
        d.versions.push_back(std::move(version));
        d.voided.insert(d.voided.end(), d.approvals.begin(), d.approvals.end());
        if (!d.approvals.empty()) {
          note = std::to_string(d.approvals.size()) + " approval(s) of the earlier version voided";
        }
        d.approvals.clear();
      }
      return;
    }
    case kind::kApprove:
    case kind::kObject:
      for (auto& d : c.decisions) {
        if (d.id != space::MetaString(event.meta, "decision")) continue;
        Vote vote{h.origin, d.current().number, d.current().text_sha256, at};
        if (h.kind == kind::kObject) {
          d.objections.push_back(std::move(vote));
          continue;
        }
        d.approvals.push_back(std::move(vote));
        auto participants = c.participants();
        bool all = std::all_of(participants.begin(), participants.end(),
                               [&](const std::string& p) { return d.ApprovedBy(p); });
        if (all) {
          Adopt(c, d, h.created_ms, "unanimity");
          note = "adopted: every partner approved version " + std::to_string(d.current().number);
        }
      }
      return;
    default:
      return;
  }
}

void Book::Apply(const space::FoldEvent& event, uint64_t index, const space::Directory& directory) {
  const auto& h = event.header;
  if (!IsConsultKind(h.kind) || !space_->chartered()) return;
  EntryRef at = RefOf(event, index, directory);
  if (h.kind == kind::kRequest) {
    // Checked by the origin (exact recipients) and flagged by partners if it broke policy; here
    // only what makes it a consultation at all.
    auto escalation = Escalation::FromJson(event.meta.value("escalation", nlohmann::json()));
    auto deadline = MetaUint(event.meta, "ack_deadline_ms");
    std::string id = h.event_id.ToHex();
    if (!escalation || !deadline || consultations_.contains(id) || !h.subject.empty()) return;
    auto counterparts = space::MetaStrings(event.meta, "counterparts");
    bool valid = IsPrecedence(space::MetaString(event.meta, "precedence")) &&
                 !counterparts.empty() &&
                 std::is_sorted(counterparts.begin(), counterparts.end()) &&
                 std::adjacent_find(counterparts.begin(), counterparts.end()) == counterparts.end();
    for (const auto& p : counterparts) valid = valid && p != h.origin && space_->HasPartner(p);
    if (!valid) return;  // not a consultation any party could act in
    Consultation c;
    c.id = id;
    c.requested = at;
    c.requester = h.origin;
    c.precedence = space::MetaString(event.meta, "precedence");
    c.counterparts = space::MetaStrings(event.meta, "counterparts");
    std::sort(c.counterparts.begin(), c.counterparts.end());
    c.ack_deadline_ms = *deadline;
    c.escalation = std::move(*escalation);
    c.label = h.label;
    c.exercise_id = h.exercise_id;
    c.last_event_ms = h.created_ms;
    c.timeline.push_back({at, KindName(h.kind), true, ""});
    consultations_.emplace(id, std::move(c));
    return;
  }
  if (h.subject.size() != ledger::EventId::kSize) return;
  auto it = consultations_.find(HexEncode(h.subject));
  if (it == consultations_.end()) return;  // nothing to attach it to
  Consultation& c = it->second;
  AdvanceConsultation(c, h.created_ms);
  // The process rules, as the origin checked them, but on the state this party folded (which
  // differs from the author's when partners acted at once). Who may author the kind was checked
  // on ingest and on mirroring (space::SpaceState::Check), the recipients by the origin.
  Status ok;
  if (event.meta.contains("consultation") &&
      space::MetaString(event.meta, "consultation") != c.id) {
    ok = InvalidArgument("meta consultation is not the header's subject");
  } else if (h.exercise_id != c.exercise_id) {
    ok = InvalidArgument("the exercise id is not the consultation's");
  } else if (h.created_ms <= c.last_event_ms) {
    ok = FailedPrecondition("not after the consultation's latest event");
  } else if (!c.IsParticipant(h.origin)) {
    ok = PermissionDenied(h.origin + " is not a participant");
  } else if ((h.kind >> 8) == 0x05) {
    static const space::Directory kNoDirectory;
    ok = CheckDecision(event, c, kNoDirectory);
    // Who approved must have held the decision authority when approving (whatever changed
    // since): what makes an adoption checkable from the logs alone, whatever node appended it.
    const space::Member* member = directory.FindMember(AuthorMember(directory, h));
    if (ok && h.kind == kind::kApprove && policy() != nullptr &&
        (member == nullptr || !member->HadRoleAt(policy()->decision_authority, h.created_ms))) {
      ok = PermissionDenied("the approval's author is not " + h.origin + "'s decision authority");
    }
  } else {
    ok = CheckStep(event, c, directory);
  }
  TimelineEntry entry{at, KindName(h.kind), static_cast<bool>(ok), ""};
  if (!ok) {
    entry.note = ok.error().message();
  } else {
    ApplyStep(event, c, at, entry.note);
    c.last_event_ms = h.created_ms;
  }
  c.timeline.push_back(std::move(entry));
}

}  // namespace entente::consult
