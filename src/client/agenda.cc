#include "client/agenda.h"

#include <algorithm>
#include <deque>

#include "base/encoding.h"
#include "client/consult.h"
#include "client/space_view.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "label/banner.h"
#include "label/label.h"
#include "ledger/kinds.h"
#include "ledger/merkle.h"

namespace entente::client {
namespace {

constexpr size_t kMaxText = 1024 * 1024;

Status CheckText(std::string_view what, const std::string& text) {
  if (text.size() > kMaxText) {
    return ResourceExhausted(std::string(what) + ": " + std::to_string(text.size()) +
                             " bytes; the limit is 1 MiB");
  }
  return {};
}

nlohmann::json StatementContent(const StatementText& text) {
  return {{"salt", Base64UrlEncode(crypto::RandomBytes(16))},
          {"title", text.title},
          {"texts", text.texts},
          {"authoritative", text.authoritative}};
}

Status CheckStatementText(const StatementText& text) {
  if (text.title.empty()) return InvalidArgument("--title: give the statement a title");
  if (text.texts.empty()) return InvalidArgument("--text LANG=FILE: give at least one text");
  for (const auto& [lang, body] : text.texts) {
    ENTENTE_RETURN_IF_ERROR(CheckText("text " + lang, body));
    if (body.empty()) return InvalidArgument("text " + lang + " is empty");
  }
  if (text.authoritative != "equal" && !text.texts.contains(text.authoritative)) {
    return InvalidArgument("--authoritative " + text.authoritative +
                           ": name one of the texts' languages, or \"equal\"");
  }
  return {};
}

nlohmann::json PlanContent(const MeetingPlan& plan) {
  nlohmann::json attendees = nlohmann::json::array();
  for (const auto& a : plan.attendees) {
    attendees.push_back(
        {{"partner", a.partner}, {"organisation", a.organisation}, {"name", a.name}});
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : plan.agenda) items.push_back({{"title", i.title}, {"refers", i.refers}});
  return {{"title", plan.title},
          {"location", plan.location},
          {"attendees", attendees},
          {"agenda", items}};
}

// The hash prefix `given` names `version`'s hash.
Status CheckVersionHash(const std::string& given, const agenda::DocVersion& version,
                        const std::string& what) {
  std::string hash = given;
  std::transform(hash.begin(), hash.end(), hash.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (hash.size() < 8 || !version.text_sha256.starts_with(hash)) {
    return FailedPrecondition("--version " + given + " is not the current version of " + what +
                              ": version " + std::to_string(version.number) + " is " +
                              version.text_sha256);
  }
  return {};
}

}  // namespace

AgendaView::AgendaView() = default;
AgendaView::~AgendaView() = default;
AgendaView::AgendaView(AgendaView&&) noexcept = default;

Result<std::string> Agenda::ResolveSpace(const std::string& space) {
  if (!space.empty()) return space;
  ENTENTE_ASSIGN_OR_RETURN(auto spaces, client_.Spaces());
  if (spaces.size() == 1) return spaces.front().name;
  if (spaces.empty()) return NotFound("you are in no space yet");
  return InvalidArgument("you are in several spaces: name one with --space");
}

Result<AgendaView> Agenda::Load(const std::string& space_name) {
  AgendaView out;
  ENTENTE_ASSIGN_OR_RETURN(out.space, ResolveSpace(space_name));
  ENTENTE_RETURN_IF_ERROR(client_.SyncDirectory());
  ENTENTE_ASSIGN_OR_RETURN(out.view, client_.LoadSpace(out.space));
  out.partners = out.view->state.partners();
  out.now_ms = ToUnixMs(client_.clock().Now());
  out.book = std::make_unique<agenda::Book>(out.view->state);
  std::deque<nlohmann::json> metas;
  auto foldable = out.view->Foldable(metas);
  std::vector<std::vector<const consult::FoldEntry*>> logs;
  std::vector<std::vector<uint64_t>> times;
  std::vector<std::string> origins;
  for (const auto& [origin, entries] : foldable) {
    auto& log = logs.emplace_back();
    auto& t = times.emplace_back();
    origins.push_back(origin);
    for (const auto& e : entries) {
      if (!agenda::IsAgendaKind(e.header->kind)) continue;
      log.push_back(&e);
      t.push_back(e.header->created_ms);
    }
  }
  for (auto [log, position] : space::MergeOrder(times, origins)) {
    const consult::FoldEntry& e = *logs[log][position];
    nlohmann::json content;
    const LogView::Entry* entry = out.view->Find(origins[log], e.index);
    if (entry != nullptr && entry->body && ledger::FindKind(e.header->kind)->has_envelope) {
      if (auto plaintext = client_.OpenEnvelope(*e.header, *entry->body)) {
        content = nlohmann::json::parse(ToString(plaintext->view()), nullptr, false);
      }
    }
    out.book->Apply(space::FoldEvent{*e.header, *e.meta, e.recipients}, e.index,
                    client_.directory(), content.is_object() ? &content : nullptr);
  }
  return out;
}

Result<std::string> Agenda::Resolve(const AgendaView& view, std::string_view what,
                                    const std::string& id) {
  std::vector<std::string> ids;
  if (what == "statement") {
    for (const auto& [k, v] : view.book->statements()) ids.push_back(k);
  } else if (what == "workstream") {
    for (const auto& [k, v] : view.book->workstreams()) ids.push_back(k);
  } else {
    for (const auto& [k, v] : view.book->meetings()) ids.push_back(k);
  }
  return ResolveId(ids, id, what);
}

Result<SendResult> Agenda::Author(AgendaView& view, uint16_t kind, const std::string& object,
                                  nlohmann::json meta, const std::optional<nlohmann::json>& content,
                                  const std::string& label_text, const std::string& audience_label,
                                  uint64_t after_ms) {
  const auto& state = view.view->state;
  space::EventDraft draft;
  draft.kind = kind;
  draft.space = state.id();
  draft.origin = client_.config().partner;
  uint64_t now = ToUnixMs(client_.clock().Now());
  draft.created_ms = std::max(now, after_ms + 1);
  if (draft.created_ms > now + 60'000) {
    return FailedPrecondition(
        "the latest event is more than a minute ahead of this device's "
        "clock: check the clock");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabelOrBanner(state.policy(), label_text));
  draft.label = label.ToString();
  if (object.empty()) {  // a new statement, workstream or meeting: its id is this event's
    auto id = ledger::EventId::FromBytes(crypto::RandomBytes(16));
    if (!id) return std::unexpected(id.error());
    draft.event_id = *id;
    for (const char* field : {"document", "workstream", "meeting"}) {
      if (meta.contains(field)) meta[field] = id->ToHex();
    }
  } else {
    draft.subject = HexDecode(object).value_or(Bytes());
  }
  if (ledger::FindKind(kind)->has_envelope) {
    std::string text = content.value_or(nlohmann::json::object()).dump();
    if (meta.contains("text_sha256")) {
      meta["text_sha256"] = HexEncode(crypto::Sha256(ToBytes(text)));
    }
    draft.plaintext = Bytes(text.begin(), text.end());
    ENTENTE_ASSIGN_OR_RETURN(
        auto audience_parsed,
        label::ParseLabel(state.policy(), audience_label.empty() ? draft.label : audience_label));
    ENTENTE_ASSIGN_OR_RETURN(auto audience,
                             view.book->Audience(audience_parsed.ToString(), client_.directory()));
    draft.recipients =
        state.Recipients(client_.directory(), audience, audience_parsed, draft.created_ms);
  }
  draft.meta = std::move(meta);
  return client_.Publish(draft);
}

// ---- statements ----

Result<SendResult> Agenda::Draft(const std::string& space, const StatementText& text,
                                 const std::string& label, std::optional<uint64_t> embargo_ms) {
  ENTENTE_RETURN_IF_ERROR(CheckStatementText(text));
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  nlohmann::json meta = {{"document", ""}, {"version", 1}, {"text_sha256", ""}};
  if (embargo_ms) meta["embargo_ms"] = *embargo_ms;
  return Author(view, agenda::kStatementDraft, "", std::move(meta), StatementContent(text), label,
                "", 0);
}

Result<SendResult> Agenda::Revise(const std::string& space, const std::string& id_text,
                                  const StatementText& text, const std::string& label,
                                  std::optional<uint64_t> embargo_ms) {
  ENTENTE_RETURN_IF_ERROR(CheckStatementText(text));
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "statement", id_text));
  const agenda::Statement& s = *view.book->FindStatement(id);
  nlohmann::json meta = {
      {"document", id}, {"version", s.doc.current().number + 1}, {"text_sha256", ""}};
  if (embargo_ms) meta["embargo_ms"] = *embargo_ms;
  uint64_t after = s.timeline.empty() ? 0 : s.timeline.back().at.created_ms;
  return Author(view, agenda::kStatementRevise, id, std::move(meta), StatementContent(text),
                label.empty() ? s.doc.current().label : label, s.ceiling, after);
}

Result<SendResult> Agenda::Comment(const std::string& space, const std::string& id_text,
                                   const std::string& text) {
  ENTENTE_RETURN_IF_ERROR(CheckText("comment", text));
  if (text.empty()) return InvalidArgument("the comment is empty");
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "statement", id_text));
  const agenda::Statement& s = *view.book->FindStatement(id);
  uint64_t after = s.timeline.empty() ? 0 : s.timeline.back().at.created_ms;
  return Author(view, agenda::kStatementComment, id,
                {{"document", id}, {"version", s.doc.current().number}},
                nlohmann::json{{"text", text}}, s.doc.current().label, s.ceiling, after);
}

Result<SendResult> Agenda::Approve(const std::string& space, const std::string& id_text,
                                   const std::string& version_hash) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "statement", id_text));
  const agenda::Statement& s = *view.book->FindStatement(id);
  const agenda::DocVersion& current = s.doc.current();
  ENTENTE_RETURN_IF_ERROR(CheckVersionHash(version_hash, current, "statement " + id.substr(0, 8)));
  // Approve only what this device has read, and only if it is the text the hash names.
  const LogView::Entry* e = view.view->Find(current.at.origin, current.at.index);
  if (e == nullptr || !e->body) {
    return PermissionDenied("version " + std::to_string(current.number) +
                            " was not delivered to you: approve only a text you have read");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto plaintext, client_.OpenEnvelope(e->header, *e->body));
  if (HexEncode(crypto::Sha256(plaintext.view())) != current.text_sha256) {
    return DataLoss("version " + std::to_string(current.number) +
                    "'s text does not match the hash its author published: do not approve it");
  }
  uint64_t after = s.timeline.empty() ? 0 : s.timeline.back().at.created_ms;
  return Author(
      view, agenda::kStatementApprove, id,
      {{"document", id}, {"version", current.number}, {"text_sha256", current.text_sha256}},
      std::nullopt, current.label, s.ceiling, after);
}

Result<SendResult> Agenda::Release(const std::string& space, const std::string& id_text,
                                   const std::string& note) {
  ENTENTE_RETURN_IF_ERROR(CheckText("note", note));
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "statement", id_text));
  const agenda::Statement& s = *view.book->FindStatement(id);
  uint64_t after = s.timeline.empty() ? 0 : s.timeline.back().at.created_ms;
  return Author(view, agenda::kStatementRelease, id,
                {{"document", id}, {"version", s.doc.current().number}},
                nlohmann::json{{"note", note}}, view.book->release_label(), s.ceiling, after);
}

Result<nlohmann::json> Agenda::Export(const std::string& space, const std::string& id_text) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "statement", id_text));
  const agenda::Statement& s = *view.book->FindStatement(id);
  if (!s.released) {
    return FailedPrecondition("statement " + id.substr(0, 8) +
                              " is not released: only a released statement is exported");
  }
  const agenda::DocVersion* version = nullptr;
  for (const auto& v : s.doc.versions) {
    if (v.number == s.released_version) version = &v;
  }
  if (version == nullptr) return Internal("the released version is missing");
  std::map<std::string, std::string> notes;
  auto entry = [&](const agenda::EntryRef& at) -> Result<nlohmann::json> {
    auto log = view.view->logs.find(at.origin);
    const LogView::Entry* e = view.view->Find(at.origin, at.index);
    if (log == view.view->logs.end() || e == nullptr || !e->body) {
      return NotFound("entry " + at.origin + "/" + std::to_string(at.index) + " is not held");
    }
    if (at.index >= log->second.verified_size) {
      return Unavailable("entry " + at.origin + "/" + std::to_string(at.index) +
                         " is not yet in a signed checkpoint: try again in a moment");
    }
    ENTENTE_ASSIGN_OR_RETURN(auto proof,
                             ledger::ProveInclusion(log->second.tree, ledger::LeafIndex(at.index),
                                                    ledger::TreeSize(log->second.verified_size)));
    ENTENTE_ASSIGN_OR_RETURN(Bytes encoded, proof.Encode());
    notes[at.origin] = log->second.verified_note;
    return nlohmann::json{{"origin", at.origin},
                          {"index", at.index},
                          {"member", at.member},
                          {"header", Base64UrlEncode(e->header_bytes)},
                          {"body", Base64UrlEncode(*e->body)},
                          {"inclusion_proof", Base64UrlEncode(encoded)}};
  };
  const LogView::Entry* text_entry = view.view->Find(version->at.origin, version->at.index);
  if (text_entry == nullptr || !text_entry->body) return NotFound("the released text is not held");
  ENTENTE_ASSIGN_OR_RETURN(auto plaintext,
                           client_.OpenEnvelope(text_entry->header, *text_entry->body));
  nlohmann::json approvals = nlohmann::json::array();
  for (const auto& a : s.doc.approvals) {
    ENTENTE_ASSIGN_OR_RETURN(auto e, entry(a.at));
    e["partner"] = a.partner;
    approvals.push_back(std::move(e));
  }
  ENTENTE_ASSIGN_OR_RETURN(auto version_entry, entry(version->at));
  ENTENTE_ASSIGN_OR_RETURN(auto release_entry, entry(*s.released));
  nlohmann::json checkpoints = nlohmann::json::object();
  for (const auto& [origin, note] : notes) checkpoints[origin] = note;
  auto content = nlohmann::json::parse(ToString(plaintext.view()), nullptr, false);
  return nlohmann::json{
      {"format", "entente-statement-export/1"},
      {"space", view.view->state.id().ToHex()},
      {"space_name", view.space},
      {"partners", view.partners},
      {"statement", id},
      {"version", version->number},
      {"text_sha256", version->text_sha256},
      {"label", version->label},
      {"release_label", view.book->release_label()},
      {"content", Base64UrlEncode(plaintext.view())},
      {"title", content.is_object() ? content.value("title", "") : ""},
      {"texts", content.is_object() ? content.value("texts", nlohmann::json::object())
                                    : nlohmann::json::object()},
      {"authoritative", content.is_object() ? content.value("authoritative", "") : ""},
      {"text_entry", version_entry},
      {"approvals", approvals},
      {"release", release_entry},
      {"checkpoints", checkpoints}};
}

Result<std::string> VerifyStatementExport(
    const nlohmann::json& x,
    const std::function<Result<crypto::PublicKey>(const std::string& partner)>& node_key) {
  if (!x.is_object() || x.value("format", "") != "entente-statement-export/1") {
    return InvalidArgument("not a statement export (format entente-statement-export/1)");
  }
  auto text = [&](const char* field) -> Result<std::string> {
    if (!x.contains(field) || !x[field].is_string()) {
      return InvalidArgument(std::string("export: ") + field + " is missing");
    }
    return x[field].get<std::string>();
  };
  ENTENTE_ASSIGN_OR_RETURN(std::string space_hex, text("space"));
  ENTENTE_ASSIGN_OR_RETURN(auto space, ledger::SpaceId::FromHex(space_hex));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, text("statement"));
  ENTENTE_ASSIGN_OR_RETURN(std::string sha, text("text_sha256"));
  ENTENTE_ASSIGN_OR_RETURN(std::string release_label, text("release_label"));
  ENTENTE_ASSIGN_OR_RETURN(std::string content_b64, text("content"));
  ENTENTE_ASSIGN_OR_RETURN(Bytes content, Base64UrlDecode(content_b64));
  if (HexEncode(crypto::Sha256(content)) != sha) {
    return DataLoss("the exported text does not match its hash " + sha);
  }
  const uint64_t version = x.value("version", uint64_t{0});
  std::map<std::string, ledger::Checkpoint> checkpoints;
  // Checks one entry: signature, body, inclusion in its origin's signed checkpoint. Its meta.
  auto check =
      [&](const nlohmann::json& e,
          const std::string& what) -> Result<std::pair<ledger::EventHeader, nlohmann::json>> {
    if (!e.is_object()) return InvalidArgument("export: " + what + " is missing");
    std::string origin = e.value("origin", "");
    ENTENTE_ASSIGN_OR_RETURN(Bytes header_bytes, Base64UrlDecode(e.value("header", "")));
    ENTENTE_ASSIGN_OR_RETURN(Bytes body_bytes, Base64UrlDecode(e.value("body", "")));
    ENTENTE_ASSIGN_OR_RETURN(Bytes proof_bytes, Base64UrlDecode(e.value("inclusion_proof", "")));
    ENTENTE_ASSIGN_OR_RETURN(auto header, ledger::DecodeHeader(header_bytes));
    if (header.origin != origin || header.space_id != space) {
      return DataLoss(what + ": the header is not " + origin + "'s in this space");
    }
    if (auto ok = ledger::VerifyHeaderSignature(header); !ok) {
      return Unauthenticated(what + ": " + ok.error().message());
    }
    if (auto ok = ledger::CheckBodyHash(header, body_bytes); !ok) {
      return DataLoss(what + ": " + ok.error().message());
    }
    auto cp = checkpoints.find(origin);
    if (cp == checkpoints.end()) {
      ENTENTE_ASSIGN_OR_RETURN(auto key, node_key(origin));
      if (!x.contains("checkpoints") || !x["checkpoints"].contains(origin)) {
        return InvalidArgument("export: no checkpoint of " + origin + "'s log");
      }
      ENTENTE_ASSIGN_OR_RETURN(
          auto checkpoint,
          OpenNodeCheckpoint(x["checkpoints"][origin].get<std::string>(), space, origin, key));
      cp = checkpoints.emplace(origin, checkpoint).first;
    }
    ENTENTE_ASSIGN_OR_RETURN(auto proof, ledger::InclusionProof::Decode(proof_bytes));
    if (proof.tree_size != cp->second.size ||
        proof.leaf_index.value() != e.value("index", uint64_t{0})) {
      return DataLoss(what + ": the inclusion proof is not for its entry in the signed checkpoint");
    }
    if (auto ok = ledger::VerifyInclusion(proof, ledger::HashLeaf(header_bytes), cp->second.root);
        !ok) {
      return DataLoss(what + ": not in " + origin + "'s signed log: " + ok.error().message());
    }
    ENTENTE_ASSIGN_OR_RETURN(auto body, ledger::DecodeBody(body_bytes));
    auto meta = nlohmann::json::parse(ToString(body.meta), nullptr, false);
    if (!meta.is_object() || meta.value("document", "") != id) {
      return DataLoss(what + ": not an event of statement " + id);
    }
    return std::pair{std::move(header), std::move(meta)};
  };
  ENTENTE_ASSIGN_OR_RETURN(auto text_entry, check(x.value("text_entry", nlohmann::json()), "text"));
  if (text_entry.second.value("text_sha256", "") != sha ||
      text_entry.second.value("version", uint64_t{0}) != version) {
    return DataLoss("the text's entry does not name version " + std::to_string(version) +
                    " with hash " + sha);
  }
  if (text_entry.first.label != release_label) {
    return FailedPrecondition("the released version is labelled " + text_entry.first.label +
                              ", not " + release_label);
  }
  std::vector<std::string> approved;
  for (const auto& a : x.value("approvals", nlohmann::json::array())) {
    ENTENTE_ASSIGN_OR_RETURN(auto approval, check(a, "an approval"));
    if (approval.first.kind != agenda::kStatementApprove ||
        approval.second.value("text_sha256", "") != sha ||
        approval.second.value("version", uint64_t{0}) != version) {
      return DataLoss("an approval by " + approval.first.origin + " is not of this version");
    }
    approved.push_back(approval.first.origin);
  }
  std::sort(approved.begin(), approved.end());
  auto partners = x.value("partners", std::vector<std::string>{});
  std::sort(partners.begin(), partners.end());
  if (partners.empty() || approved != partners) {
    return FailedPrecondition("the approvals are not every partner's");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto release, check(x.value("release", nlohmann::json()), "release"));
  if (release.first.kind != agenda::kStatementRelease ||
      release.second.value("version", uint64_t{0}) != version) {
    return DataLoss("the release is not of version " + std::to_string(version));
  }
  std::string list;
  for (const auto& p : partners) list += (list.empty() ? "" : ", ") + p;
  return "statement " + id.substr(0, 8) + " version " + std::to_string(version) + ": approved by " +
         list + " and released at " + FormatRfc3339(FromUnixMs(release.first.created_ms)) +
         "; every entry is in its partner's signed log";
}

// ---- workstreams ----

Result<SendResult> Agenda::CreateWorkstream(const std::string& space, const std::string& title,
                                            const std::string& description,
                                            const std::vector<std::string>& co_leads,
                                            const std::string& label) {
  if (title.empty()) return InvalidArgument("--title: give the workstream a title");
  ENTENTE_RETURN_IF_ERROR(CheckText("description", description));
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  for (const auto& lead : co_leads) {
    const space::Member* m = client_.directory().FindMember(lead);
    if (m == nullptr || m->revoked) return NotFound("--co-leads: no active member " + lead);
  }
  return Author(
      view, agenda::kWorkstreamCreate, "", {{"workstream", ""}, {"status", "on-track"}},
      nlohmann::json{{"title", title}, {"description", description}, {"co_leads", co_leads}}, label,
      "", 0);
}

Result<SendResult> Agenda::SetStatus(const std::string& space, const std::string& id_text,
                                     const std::string& status, const std::string& rationale) {
  ENTENTE_RETURN_IF_ERROR(CheckText("rationale", rationale));
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "workstream", id_text));
  const agenda::Workstream& w = *view.book->FindWorkstream(id);
  uint64_t after = w.timeline.empty() ? 0 : w.timeline.back().at.created_ms;
  return Author(view, agenda::kWorkstreamUpdate, id,
                {{"workstream", id}, {"status", status}, {"update", "status"}},
                nlohmann::json{{"text", rationale}}, w.label, "", after);
}

Result<SendResult> Agenda::SetMilestone(const std::string& space, const std::string& id_text,
                                        const agenda::Milestone& m) {
  if (m.id.empty() || m.title.empty()) return InvalidArgument("a milestone needs --id and --title");
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "workstream", id_text));
  const agenda::Workstream& w = *view.book->FindWorkstream(id);
  uint64_t after = w.timeline.empty() ? 0 : w.timeline.back().at.created_ms;
  nlohmann::json meta = {{"workstream", id}, {"update", "milestone"}, {"milestone", m.id}};
  if (m.due_ms != 0) meta["due_ms"] = m.due_ms;
  return Author(view, agenda::kWorkstreamUpdate, id, std::move(meta),
                nlohmann::json{{"milestone",
                                {{"id", m.id},
                                 {"title", m.title},
                                 {"owner", m.owner},
                                 {"due_ms", m.due_ms},
                                 {"status", m.status.empty() ? "planned" : m.status}}}},
                w.label, "", after);
}

Result<SendResult> Agenda::Update(const std::string& space, const std::string& id_text,
                                  const std::string& type, const std::string& text) {
  if (type != "progress" && type != "item") {
    return InvalidArgument("update type " + type + ": progress or item");
  }
  ENTENTE_RETURN_IF_ERROR(CheckText("text", text));
  if (text.empty()) return InvalidArgument("the update is empty");
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "workstream", id_text));
  const agenda::Workstream& w = *view.book->FindWorkstream(id);
  uint64_t after = w.timeline.empty() ? 0 : w.timeline.back().at.created_ms;
  return Author(view, agenda::kWorkstreamUpdate, id, {{"workstream", id}, {"update", type}},
                nlohmann::json{{"text", text}}, w.label, "", after);
}

Result<agenda::ProgressReport> Agenda::Report(const std::string& space, uint64_t since_ms) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  agenda::ProgressReportInput in;
  in.space = view.space;
  in.partners = view.partners;
  in.since_ms = since_ms;
  in.now_ms = view.now_ms;
  for (const auto& [id, w] : view.book->workstreams()) in.workstreams.push_back(&w);
  std::sort(
      in.workstreams.begin(), in.workstreams.end(),
      [](const agenda::Workstream* a, const agenda::Workstream* b) { return a->title < b->title; });
  for (const auto& [id, w] : view.book->workstreams()) {
    for (const auto& u : w.updates) {
      if (u.type == "item") {
        in.items.push_back(
            {id, "update by " + u.at.member, u.text, u.at.member, std::nullopt, false});
      }
    }
  }
  // Tasks of consultations handed to a workstream.
  for (const auto& [cid, c] : view.view->book.consultations()) {
    if (!c.exercise_id.empty()) continue;
    for (const auto& t : c.tasks) {
      if (t.workstream.empty()) continue;
      in.items.push_back({t.workstream, "consultation " + cid.substr(0, 8),
                          "task " + t.id.substr(0, 8), t.owner, t.resolve_by_ms, false});
    }
  }
  return agenda::RenderProgressReport(in);
}

// ---- meetings ----

Result<SendResult> Agenda::Schedule(const std::string& space, const MeetingPlan& plan,
                                    const std::string& label) {
  if (plan.title.empty()) return InvalidArgument("--title: give the meeting a title");
  if (plan.level != "plenary" && plan.level != "working") {
    return InvalidArgument("--level " + plan.level + ": plenary or working");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  return Author(view, agenda::kMeetingSchedule, "",
                {{"meeting", ""}, {"starts_ms", plan.starts_ms}, {"level", plan.level}},
                PlanContent(plan), label, "", 0);
}

Result<SendResult> Agenda::Amend(const std::string& space, const std::string& id_text,
                                 const MeetingPlan& plan) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "meeting", id_text));
  const agenda::Meeting& m = *view.book->FindMeeting(id);
  MeetingPlan merged = plan;
  if (merged.title.empty()) merged.title = m.title;
  if (merged.location.empty()) merged.location = m.location;
  if (merged.attendees.empty()) merged.attendees = m.attendees;
  if (merged.starts_ms == 0) merged.starts_ms = m.starts_ms;
  uint64_t after = m.timeline.empty() ? 0 : m.timeline.back().at.created_ms;
  return Author(view, agenda::kMeetingSchedule, id,
                {{"meeting", id}, {"starts_ms", merged.starts_ms}, {"level", m.level}},
                PlanContent(merged), m.label, "", after);
}

Result<SendResult> Agenda::Minutes(const std::string& space, const std::string& id_text,
                                   const std::string& text,
                                   const std::vector<agenda::ActionItem>& actions) {
  ENTENTE_RETURN_IF_ERROR(CheckText("minutes", text));
  if (text.empty()) return InvalidArgument("the minutes are empty");
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "meeting", id_text));
  const agenda::Meeting& m = *view.book->FindMeeting(id);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& a : actions) {
    items.push_back({{"id", a.id}, {"text", a.text}, {"owner", a.owner}, {"due_ms", a.due_ms}});
  }
  uint32_t next = m.minutes.versions.empty() ? 1 : m.minutes.current().number + 1;
  uint64_t after = m.timeline.empty() ? 0 : m.timeline.back().at.created_ms;
  nlohmann::json meta = {{"document", id}, {"version", next}, {"text_sha256", ""}};
  // Owners and due times in clear, so each owner's node reminds them (docs/formats/agenda.md).
  if (!actions.empty()) {
    meta["actions"] = nlohmann::json::object();
    for (const auto& a : actions) {
      if (meta["actions"].contains(a.id)) return InvalidArgument("action " + a.id + " twice");
      meta["actions"][a.id] = {{"owner", a.owner}, {"due_ms", a.due_ms}};
    }
  }
  return Author(
      view, agenda::kMeetingMinutes, id, std::move(meta),
      nlohmann::json{
          {"salt", Base64UrlEncode(crypto::RandomBytes(16))}, {"text", text}, {"actions", items}},
      m.label, "", after);
}

Result<SendResult> Agenda::ApproveMinutes(const std::string& space, const std::string& id_text,
                                          const std::string& version_hash) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, Load(space));
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Resolve(view, "meeting", id_text));
  const agenda::Meeting& m = *view.book->FindMeeting(id);
  if (m.minutes.versions.empty()) {
    return FailedPrecondition("meeting " + id.substr(0, 8) + " has no minutes yet");
  }
  const agenda::DocVersion& current = m.minutes.current();
  ENTENTE_RETURN_IF_ERROR(
      CheckVersionHash(version_hash, current, "the minutes of meeting " + id.substr(0, 8)));
  const LogView::Entry* e = view.view->Find(current.at.origin, current.at.index);
  if (e == nullptr || !e->body) {
    return PermissionDenied("these minutes were not delivered to you: approve only what you read");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto plaintext, client_.OpenEnvelope(e->header, *e->body));
  if (HexEncode(crypto::Sha256(plaintext.view())) != current.text_sha256) {
    return DataLoss("the minutes do not match the hash their author published: do not approve");
  }
  uint64_t after = m.timeline.empty() ? 0 : m.timeline.back().at.created_ms;
  return Author(
      view, agenda::kMeetingApprove, id,
      {{"document", id}, {"version", current.number}, {"text_sha256", current.text_sha256}},
      std::nullopt, m.label, "", after);
}

}  // namespace entente::client
