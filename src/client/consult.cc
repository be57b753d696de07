#include "client/consult.h"

#include <algorithm>

#include "base/encoding.h"
#include "client/space_view.h"
#include "consult/fold.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "label/banner.h"
#include "label/label.h"
#include "ledger/kinds.h"

namespace entente::client {
namespace {

constexpr uint16_t kRequest = 0x0400, kAck = 0x0401, kConvene = 0x0402, kReport = 0x0403,
                   kTaskAdd = 0x0404, kTaskDone = 0x0405, kWithdraw = 0x0406, kClose = 0x0407,
                   kReopen = 0x0408, kReview = 0x0409, kPropose = 0x0500, kRevise = 0x0501,
                   kApprove = 0x0502, kObject = 0x0503;
constexpr size_t kMaxText = 1024 * 1024;  // per sealed field

Status CheckText(std::string_view what, const std::string& text) {
  if (text.size() > kMaxText) {
    return ResourceExhausted(std::string(what) + ": " + std::to_string(text.size()) +
                             " bytes; the limit is 1 MiB");
  }
  return {};
}

std::vector<std::string> Keys(const std::map<std::string, consult::Consultation>& all) {
  std::vector<std::string> ids;
  for (const auto& [id, c] : all) ids.push_back(id);
  return ids;
}

// A decision version's sealed content: the text and a random salt, so that the hash partners
// approve reveals nothing about a short text (docs/formats/consult.md).
nlohmann::json VersionContent(const std::string& text) {
  return {{"salt", Base64UrlEncode(crypto::RandomBytes(16))}, {"text", text}};
}

}  // namespace

Result<std::string> ResolveId(const std::vector<std::string>& ids, std::string_view text,
                              std::string_view what) {
  std::string prefix;
  for (char c : text) prefix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (prefix.size() < 6) {
    return InvalidArgument(std::string(what) + " \"" + std::string(text) +
                           "\": give at least 6 hex digits of its id");
  }
  std::vector<std::string> matches;
  for (const auto& id : ids) {
    if (id.starts_with(prefix)) matches.push_back(id);
  }
  if (matches.empty()) return NotFound("no " + std::string(what) + " " + std::string(text));
  if (matches.size() > 1) {
    return InvalidArgument(std::string(what) + " \"" + std::string(text) + "\" is ambiguous (" +
                           std::to_string(matches.size()) + " match): give more digits");
  }
  return matches.front();
}

nlohmann::json ConsultationView::ToJson() const {
  const auto& c = consultation;
  nlohmann::json acks = nlohmann::json::object();
  for (const auto& [partner, at] : c.acks) acks[partner] = consult::EntryJson(at);
  nlohmann::json reports_json = nlohmann::json::array();
  for (const auto& r : reports) {
    nlohmann::json j = {{"entry", consult::EntryJson(r.at)}, {"readable", r.readable}};
    if (r.readable) {
      j["conditions"] = r.conditions;
      j["actions"] = r.actions;
      j["needs"] = r.needs;
    }
    reports_json.push_back(std::move(j));
  }
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& t : c.tasks) {
    nlohmann::json j = {{"id", t.id}, {"owner", t.owner}, {"added", consult::EntryJson(t.added)}};
    if (auto it = task_titles.find(t.id); it != task_titles.end()) j["title"] = it->second;
    if (t.resolve_by_ms) j["resolve_by"] = FormatRfc3339(FromUnixMs(*t.resolve_by_ms));
    if (t.done) j["done"] = consult::EntryJson(*t.done);
    if (!t.workstream.empty()) j["workstream"] = t.workstream;
    tasks.push_back(std::move(j));
  }
  nlohmann::json deadlines_json = nlohmann::json::array();
  for (const auto& d : deadlines) {
    deadlines_json.push_back(
        {{"what", d.what},
         {"partner", d.partner},
         {"due", FormatRfc3339(FromUnixMs(d.due_ms))},
         {"ms_left", static_cast<int64_t>(d.due_ms) - static_cast<int64_t>(now_ms)}});
  }
  nlohmann::json escalation_json = nlohmann::json::object();
  for (const auto& [partner, e] : escalation) {
    escalation_json[partner] = {{"level", e.level}, {"steps_fired", e.steps_fired}};
  }
  nlohmann::json timeline = nlohmann::json::array();
  for (const auto& t : c.timeline) {
    nlohmann::json j = {
        {"kind", t.kind}, {"applied", t.applied}, {"entry", consult::EntryJson(t.at)}};
    if (!t.note.empty()) j["note"] = t.note;
    if (auto it = notes.find(t.at.event_id); it != notes.end()) j["text"] = it->second;
    timeline.push_back(std::move(j));
  }
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto& d : c.decisions) {
    decisions.push_back({{"id", d.id},
                         {"version", d.current().number},
                         {"adopted", d.adopted()},
                         {"adopted_by", d.adopted_by}});
  }
  return {{"space", space},
          {"id", c.id},
          {"exercise", HexEncode(c.exercise_id)},
          {"state", std::string(consult::StateName(c.state))},
          {"precedence", c.precedence},
          {"label", c.label},
          {"requester", c.requester},
          {"requested", consult::EntryJson(c.requested)},
          {"counterparts", c.counterparts},
          {"subject", subject},
          {"details", details},
          {"ack_deadline", FormatRfc3339(FromUnixMs(c.ack_deadline_ms))},
          {"acks", acks},
          {"escalation", escalation_json},
          {"deadlines", deadlines_json},
          {"reports", reports_json},
          {"tasks", tasks},
          {"decisions", decisions},
          {"timeline", timeline}};
}

nlohmann::json DecisionView::ToJson() const {
  nlohmann::json out = record;
  out["space"] = space;
  for (auto& v : out["versions"]) {
    uint32_t number = v.value("version", 0u);
    if (auto it = texts.find(number); it != texts.end()) v["text"] = it->second;
    if (auto it = problems.find(number); it != problems.end()) v["problem"] = it->second;
  }
  for (auto& o : out["objections"]) {
    auto it = objection_reasons.find(o["entry"].value("event", ""));
    if (it != objection_reasons.end()) o["reason"] = it->second;
  }
  return out;
}

Result<Consultations::Loaded> Consultations::Load(const std::string& space_name) {
  ENTENTE_ASSIGN_OR_RETURN(std::string space, ResolveSpace(space_name));
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, client_.SyncDirectory());
  (void)warnings;  // the member commands print them; here they change nothing
  ENTENTE_ASSIGN_OR_RETURN(auto view, client_.LoadSpace(space));
  return Loaded{std::move(space), std::move(view)};
}

Result<std::string> Consultations::ResolveSpace(const std::string& space) {
  if (!space.empty()) return space;
  ENTENTE_ASSIGN_OR_RETURN(auto spaces, client_.Spaces());
  if (spaces.size() == 1) return spaces.front().name;
  std::string names;
  for (const auto& s : spaces) names += (names.empty() ? "" : ", ") + s.name;
  if (spaces.empty()) return NotFound("you are in no space yet");
  return InvalidArgument("you are in several spaces (" + names + "): name one with --space");
}

Result<nlohmann::json> Consultations::Open(const SpaceView& view, const std::string& origin,
                                           uint64_t index) {
  const LogView::Entry* e = view.Find(origin, index);
  if (e == nullptr || !e->body) return NotFound("withheld");
  ENTENTE_ASSIGN_OR_RETURN(auto plaintext, client_.OpenEnvelope(e->header, *e->body));
  auto json = nlohmann::json::parse(ToString(plaintext.view()), nullptr, false);
  if (!json.is_object()) return DataLoss("the sealed content is not a JSON object");
  return json;
}

Result<SendResult> Consultations::Author(SpaceView& view, uint16_t kind,
                                         const consult::Consultation* c, nlohmann::json meta,
                                         const std::optional<nlohmann::json>& content,
                                         const std::string& label_text,
                                         std::optional<uint64_t> at_ms, const Bytes& exercise_id) {
  const auto& state = view.state;
  space::EventDraft draft;
  draft.kind = kind;
  draft.space = state.id();
  draft.origin = client_.config().partner;
  draft.meta = std::move(meta);
  uint64_t now = at_ms.value_or(ToUnixMs(client_.clock().Now()));
  // After every event of the consultation, so every party folds them in the order they happened
  // (the node allows a clock up to 120 s ahead).
  draft.created_ms = c != nullptr ? std::max(now, c->last_event_ms + 1) : now;
  if (c != nullptr && draft.created_ms > now + 60'000) {
    return FailedPrecondition(
        "the consultation's latest event is more than a minute ahead of "
        "this device's clock: check the clock");
  }
  consult::Consultation draft_c;
  if (c == nullptr) {  // a request: its audience from the meta
    draft_c.requester = draft.origin;
    draft_c.counterparts = draft.meta["counterparts"].get<std::vector<std::string>>();
    draft_c.label = label_text;
    c = &draft_c;
    draft.exercise_id = exercise_id;
  } else {
    draft.subject = HexDecode(c->id).value_or(Bytes());
    draft.exercise_id = c->exercise_id;
  }
  draft.label = label_text.empty() ? c->label : label_text;
  if (kind == kPropose || kind == kTaskAdd || kind == kRequest) {
    auto id = ledger::EventId::FromBytes(crypto::RandomBytes(16));
    if (!id) return std::unexpected(id.error());
    draft.event_id = *id;
    if (kind == kPropose) draft.meta["decision"] = id->ToHex();
    if (kind == kTaskAdd) draft.meta["task"] = id->ToHex();
  }
  const auto* info = ledger::FindKind(kind);
  if (info->has_envelope) {
    std::string text = content.value_or(nlohmann::json::object()).dump();
    draft.plaintext = Bytes(text.begin(), text.end());
    ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(state.policy(), draft.label));
    ENTENTE_ASSIGN_OR_RETURN(auto audience, view.book.Audience(*c, client_.directory()));
    draft.recipients = state.Recipients(client_.directory(), audience, label, draft.created_ms);
  }
  return client_.Publish(draft);
}

Result<SendResult> Consultations::Request(const ConsultRequest& request) {
  ENTENTE_RETURN_IF_ERROR(CheckText("subject", request.subject));
  ENTENTE_RETURN_IF_ERROR(CheckText("details", request.details));
  if (request.subject.empty()) return InvalidArgument("--subject: say what the crisis is");
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(request.space));
  const std::string& space = loaded.space;
  auto& view = loaded.view;
  const auto* policy = view->book.policy();
  if (policy == nullptr) {
    return FailedPrecondition("space " + space +
                              "'s policy has no consultation section: "
                              "consultations are not set up (docs/formats/policy.md)");
  }
  if (!consult::IsPrecedence(request.precedence)) {
    return InvalidArgument("--precedence \"" + request.precedence +
                           "\": use FLASH, IMMEDIATE, PRIORITY or ROUTINE");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label,
                           label::ParseLabelOrBanner(view->state.policy(), request.label));
  std::vector<std::string> counterparts = request.counterparts;
  if (counterparts.empty()) {
    for (const auto& p : view->state.partners()) {
      if (p != client_.config().partner) counterparts.push_back(p);
    }
  }
  std::sort(counterparts.begin(), counterparts.end());
  counterparts.erase(std::unique(counterparts.begin(), counterparts.end()), counterparts.end());
  uint64_t now = ToUnixMs(client_.clock().Now());
  nlohmann::json meta = {
      {"precedence", request.precedence},
      {"counterparts", counterparts},
      {"ack_deadline_ms", now + policy->precedence.at(request.precedence).acknowledge_ms},
      {"escalation", consult::Escalation::Freeze(*policy).ToJson()}};
  nlohmann::json content = {{"subject", request.subject}, {"details", request.details}};
  // The deadline counts from the request's time: the same clock reading.
  Bytes exercise_id;
  if (!request.exercise.empty()) {
    auto id = HexDecode(request.exercise);
    const auto* exercise = view->state.FindExercise(request.exercise);
    if (!id || exercise == nullptr) {
      return NotFound("no exercise " + request.exercise + " in space " + space);
    }
    if (!exercise->running())
      return FailedPrecondition("exercise " + exercise->name + " has ended");
    exercise_id = *id;
  }
  return Author(*view, kRequest, nullptr, std::move(meta), content, label.ToString(), now,
                exercise_id);
}

Result<SendResult> Consultations::Step(const std::string& space_name, const std::string& id_text,
                                       std::string_view step, const std::string& note) {
  static const std::map<std::string_view, uint16_t> kSteps = {
      {"ack", kAck},     {"convene", kConvene}, {"withdraw", kWithdraw},
      {"close", kClose}, {"reopen", kReopen},   {"review", kReview}};
  auto kind = kSteps.find(step);
  if (kind == kSteps.end()) return InvalidArgument("unknown step " + std::string(step));
  ENTENTE_RETURN_IF_ERROR(CheckText("note", note));
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(std::string id,
                           ResolveId(Keys(view->book.consultations()), id_text, "consultation"));
  const consult::Consultation* c = view->book.Find(id);
  std::optional<nlohmann::json> content;
  if (ledger::FindKind(kind->second)->has_envelope) content = nlohmann::json{{"note", note}};
  return Author(*view, kind->second, c, {{"consultation", id}}, content);
}

Result<SendResult> Consultations::Report(const std::string& space_name, const std::string& id_text,
                                         const std::string& conditions, const std::string& actions,
                                         const std::string& needs) {
  for (const auto* field : {&conditions, &actions, &needs}) {
    ENTENTE_RETURN_IF_ERROR(CheckText("report", *field));
  }
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(std::string id,
                           ResolveId(Keys(view->book.consultations()), id_text, "consultation"));
  return Author(*view, kReport, view->book.Find(id), {{"consultation", id}},
                nlohmann::json{{"conditions", conditions}, {"actions", actions}, {"needs", needs}});
}

Result<SendResult> Consultations::AddTask(const std::string& space_name, const std::string& id_text,
                                          const std::string& title, const std::string& owner,
                                          std::optional<uint64_t> resolve_by_ms) {
  ENTENTE_RETURN_IF_ERROR(CheckText("task", title));
  if (title.empty()) return InvalidArgument("task: give it a title");
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(std::string id,
                           ResolveId(Keys(view->book.consultations()), id_text, "consultation"));
  nlohmann::json meta = {{"consultation", id}};
  if (!owner.empty()) meta["owner"] = owner;
  if (resolve_by_ms) meta["resolve_by_ms"] = *resolve_by_ms;
  return Author(*view, kTaskAdd, view->book.Find(id), std::move(meta),
                nlohmann::json{{"title", title}});
}

Result<SendResult> Consultations::DoneTask(const std::string& space_name,
                                           const std::string& task_text,
                                           const std::string& workstream) {
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  std::vector<std::string> tasks;
  std::map<std::string, const consult::Consultation*> owner_of;
  for (const auto& [id, c] : view->book.consultations()) {
    for (const auto& t : c.tasks) {
      tasks.push_back(t.id);
      owner_of[t.id] = &c;
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(std::string task, ResolveId(tasks, task_text, "task"));
  const consult::Consultation* c = owner_of[task];
  nlohmann::json meta = {{"consultation", c->id}, {"task", task}};
  if (!workstream.empty()) meta["workstream"] = workstream;
  return Author(*view, kTaskDone, c, std::move(meta), std::nullopt);
}

Result<ConsultationView> Consultations::Show(const std::string& space_name,
                                             const std::string& id_text) {
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  const std::string& space = loaded.space;
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(std::string id,
                           ResolveId(Keys(view->book.consultations()), id_text, "consultation"));
  ConsultationView out;
  out.space = space;
  out.consultation = *view->book.Find(id);
  out.now_ms = ToUnixMs(client_.clock().Now());
  const auto& c = out.consultation;
  if (auto request = Open(*view, c.requested.origin, c.requested.index)) {
    out.subject = request->value("subject", "");
    out.details = request->value("details", "");
  }
  for (const auto& at : c.reports) {
    ConsultationView::Report r{at, "", "", "", false};
    if (auto content = Open(*view, at.origin, at.index)) {
      r.conditions = content->value("conditions", "");
      r.actions = content->value("actions", "");
      r.needs = content->value("needs", "");
      r.readable = true;
    }
    out.reports.push_back(std::move(r));
  }
  for (const auto& t : c.tasks) {
    if (auto content = Open(*view, t.added.origin, t.added.index)) {
      out.task_titles[t.id] = content->value("title", "");
    }
  }
  for (const auto& t : c.timeline) {
    if (t.at.event_id.empty() || t.kind == "consult.report" || t.kind == "consult.request") {
      continue;
    }
    if (auto content = Open(*view, t.at.origin, t.at.index); content && content->contains("note")) {
      std::string note = content->value("note", "");
      if (!note.empty()) out.notes[t.at.event_id] = note;
    }
  }
  out.deadlines = consult::Upcoming(view->book, c, out.now_ms);
  for (const auto& cp : c.counterparts) {
    if (!c.AcknowledgedBy(cp)) out.escalation[cp] = consult::EscalationOf(c, cp, out.now_ms);
  }
  return out;
}

Result<std::vector<ConsultationView>> Consultations::List(const std::string& space_name,
                                                          bool open_only, bool exercises) {
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  const std::string& space = loaded.space;
  auto& view = loaded.view;
  std::vector<ConsultationView> out;
  uint64_t now = ToUnixMs(client_.clock().Now());
  for (const auto& [id, c] : view->book.consultations()) {
    if (open_only && !consult::IsOpen(c.state)) continue;
    if (c.exercise_id.empty() == exercises) continue;  // the real world and exercises never mix
    ConsultationView v;
    v.space = space;
    v.consultation = c;
    v.now_ms = now;
    if (auto request = Open(*view, c.requested.origin, c.requested.index)) {
      v.subject = request->value("subject", "");
    }
    v.deadlines = consult::Upcoming(view->book, c, now);
    for (const auto& cp : c.counterparts) {
      if (!c.AcknowledgedBy(cp)) v.escalation[cp] = consult::EscalationOf(c, cp, now);
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const ConsultationView& a, const ConsultationView& b) {
    return a.consultation.requested.created_ms > b.consultation.requested.created_ms;
  });
  return out;
}

Result<SendResult> Consultations::Propose(const std::string& space_name,
                                          const std::string& consultation,
                                          const std::string& text) {
  ENTENTE_RETURN_IF_ERROR(CheckText("decision text", text));
  if (text.empty()) return InvalidArgument("decision: the text is empty");
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(
      std::string id, ResolveId(Keys(view->book.consultations()), consultation, "consultation"));
  nlohmann::json content = VersionContent(text);
  std::string sealed = content.dump();
  nlohmann::json meta = {{"version", 1},
                         {"text_sha256", HexEncode(crypto::Sha256(AsBytes(sealed)))}};
  return Author(*view, kPropose, view->book.Find(id), std::move(meta), content);
}

namespace {

Result<std::pair<const consult::Consultation*, const consult::Decision*>> FindDecision(
    const consult::Book& book, std::string_view text) {
  std::vector<std::string> ids;
  for (const auto& [id, c] : book.consultations()) {
    for (const auto& d : c.decisions) ids.push_back(d.id);
  }
  ENTENTE_ASSIGN_OR_RETURN(std::string id, ResolveId(ids, text, "decision"));
  const consult::Consultation* c = book.FindByDecision(id);
  return std::pair{c, c->FindDecision(id)};
}

}  // namespace

Result<SendResult> Consultations::Revise(const std::string& space_name, const std::string& decision,
                                         const std::string& text) {
  ENTENTE_RETURN_IF_ERROR(CheckText("decision text", text));
  if (text.empty()) return InvalidArgument("decision: the text is empty");
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(auto found, FindDecision(view->book, decision));
  auto [c, d] = found;
  nlohmann::json content = VersionContent(text);
  std::string sealed = content.dump();
  nlohmann::json meta = {{"decision", d->id},
                         {"version", d->current().number + 1},
                         {"text_sha256", HexEncode(crypto::Sha256(AsBytes(sealed)))}};
  return Author(*view, kRevise, c, std::move(meta), content);
}

Result<SendResult> Consultations::Approve(const std::string& space_name,
                                          const std::string& decision,
                                          const std::string& version_hash) {
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(auto found, FindDecision(view->book, decision));
  auto [c, d] = found;
  const consult::Version& current = d->current();
  std::string hash = version_hash;
  std::transform(hash.begin(), hash.end(), hash.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (hash.size() < 8 || !current.text_sha256.starts_with(hash)) {
    return FailedPrecondition("--version " + version_hash + " is not the current version of " +
                              "decision " + d->id.substr(0, 8) + ": version " +
                              std::to_string(current.number) + " is " + current.text_sha256 +
                              " (entente decision show " + d->id.substr(0, 8) + ")");
  }
  // Approve only what this device has read, and only if it is the text the hash names.
  const LogView::Entry* e = view->Find(current.at.origin, current.at.index);
  if (e == nullptr || !e->body) {
    return PermissionDenied("version " + std::to_string(current.number) +
                            " was not delivered to you: approve only a text you have read");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto plaintext, client_.OpenEnvelope(e->header, *e->body));
  if (HexEncode(crypto::Sha256(plaintext.view())) != current.text_sha256) {
    return DataLoss("version " + std::to_string(current.number) +
                    "'s text does not match the hash its author published: do not approve it");
  }
  nlohmann::json meta = {
      {"decision", d->id}, {"version", current.number}, {"text_sha256", current.text_sha256}};
  return Author(*view, kApprove, c, std::move(meta), std::nullopt);
}

Result<SendResult> Consultations::Object(const std::string& space_name, const std::string& decision,
                                         const std::string& reason) {
  ENTENTE_RETURN_IF_ERROR(CheckText("reason", reason));
  if (reason.empty()) return InvalidArgument("--reason: say why");
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(auto found, FindDecision(view->book, decision));
  auto [c, d] = found;
  nlohmann::json meta = {{"decision", d->id},
                         {"version", d->current().number},
                         {"text_sha256", d->current().text_sha256}};
  return Author(*view, kObject, c, std::move(meta), nlohmann::json{{"reason", reason}});
}

Result<DecisionView> Consultations::ShowDecision(const std::string& space_name,
                                                 const std::string& decision) {
  ENTENTE_ASSIGN_OR_RETURN(auto loaded, Load(space_name));
  const std::string& space = loaded.space;
  auto& view = loaded.view;
  ENTENTE_ASSIGN_OR_RETURN(auto found, FindDecision(view->book, decision));
  auto [c, d] = found;
  DecisionView out;
  out.space = space;
  out.decision = *d;
  out.consultation_state = std::string(consult::StateName(c->state));
  out.partners = c->participants();
  out.silence_deadline_ms = view->book.SilenceDeadline(*d);
  if (d->adopted()) out.silence_deadline_ms.reset();
  out.record = consult::DecisionJson(view->book, *c, *d);
  out.now_ms = ToUnixMs(client_.clock().Now());
  for (const auto& v : d->versions) {
    const LogView::Entry* e = view->Find(v.at.origin, v.at.index);
    if (e == nullptr || !e->body) {
      out.problems[v.number] = "withheld from you";
      continue;
    }
    auto plaintext = client_.OpenEnvelope(e->header, *e->body);
    if (!plaintext) {
      out.problems[v.number] = "not sealed to this device";
      continue;
    }
    if (HexEncode(crypto::Sha256(plaintext->view())) != v.text_sha256) {
      out.problems[v.number] = "the text does not match its published hash";
      continue;
    }
    auto json = nlohmann::json::parse(ToString(plaintext->view()), nullptr, false);
    out.texts[v.number] = json.is_object() ? json.value("text", "") : "";
  }
  for (const auto& o : d->objections) {
    if (auto content = Open(*view, o.at.origin, o.at.index)) {
      out.objection_reasons[o.at.event_id] = content->value("reason", "");
    }
  }
  return out;
}

Status Consultations::Watch(uint64_t after,
                            const std::function<bool(const nlohmann::json&)>& on_notification) {
  ENTENTE_ASSIGN_OR_RETURN(auto socket, client_.ConnectStream("/v1/notifications/stream?after=" +
                                                              std::to_string(after)));
  for (;;) {
    ENTENTE_ASSIGN_OR_RETURN(auto text, socket->Receive(std::chrono::minutes(10)));
    if (!text) continue;  // quiet
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (!json.is_object() || json.value("type", "") == "error") {
      return Unavailable("node: " + (json.is_object() ? json.value("message", "") : *text));
    }
    if (!on_notification(json)) {
      socket->Close();
      return {};
    }
  }
}

}  // namespace entente::client
