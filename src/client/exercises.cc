#include "client/exercises.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/encoding.h"
#include "client/space_view.h"
#include "consult/fold.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "label/banner.h"
#include "ledger/kinds.h"

namespace entente::client {
namespace {

using ledger::kind::kExerciseEnd;
using ledger::kind::kExerciseInject;
using ledger::kind::kExerciseStart;

// The meta of an entry's body, or null.
nlohmann::json MetaOf(const LogView::Entry& e) {
  if (!e.body || !e.flagged.empty()) return nullptr;
  auto body = ledger::DecodeBody(*e.body);
  if (!body) return nullptr;
  return nlohmann::json::parse(ToString(body->meta), nullptr, false);
}

}  // namespace

nlohmann::json ExerciseInfo::ToJson() const {
  nlohmann::json injects_json = nlohmann::json::array();
  for (const auto& i : injects) {
    injects_json.push_back({{"number", i.number},
                            {"sent", exercise::FormatScenarioTime(i.sent_ms)},
                            {"sent_ms", i.sent_ms},
                            {"event", i.event_id},
                            {"contingency", i.contingency}});
  }
  nlohmann::json j = {{"space", space},
                      {"id", exercise.id},
                      {"name", exercise.name},
                      {"exercise", true},
                      {"controller", exercise.controller},
                      {"origin", exercise.origin},
                      {"label", exercise.label},
                      {"scenario_sha256", exercise.scenario_sha256},
                      {"startex", FormatRfc3339(FromUnixMs(clock.startex_unix_ms))},
                      {"speed", clock.speed},
                      {"running", exercise.running()},
                      {"injects", injects_json}};
  if (exercise.ended_ms) {
    j["endex"] = FormatRfc3339(FromUnixMs(*exercise.ended_ms));
    j["outcome"] = outcome;
  }
  if (!problem.empty()) j["problem"] = problem;
  return j;
}

Result<std::string> Exercises::ResolveSpace(const std::string& space) {
  if (!space.empty()) return space;
  ENTENTE_ASSIGN_OR_RETURN(auto spaces, client_.Spaces());
  if (spaces.size() == 1) return spaces.front().name;
  if (spaces.empty()) return NotFound("you are in no space yet");
  return InvalidArgument("you are in several spaces: name one with --space");
}

Result<SendResult> Exercises::Publish(const SpaceView& view, uint16_t kind,
                                      const Bytes& exercise_id, nlohmann::json meta,
                                      const nlohmann::json& content, const std::string& label_text,
                                      uint64_t at_ms, std::optional<ledger::EventId> event_id) {
  const auto& state = view.state;
  space::EventDraft draft;
  draft.kind = kind;
  draft.space = state.id();
  draft.origin = client_.config().partner;
  draft.meta = std::move(meta);
  draft.exercise_id = exercise_id;
  draft.created_ms = at_ms;
  draft.event_id = event_id;
  std::string text = content.dump();
  draft.plaintext = Bytes(text.begin(), text.end());
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(state.policy(), label_text));
  draft.label = label.ToString();
  draft.recipients =
      state.Recipients(client_.directory(), state.ExerciseAudience(client_.directory(), label),
                       label, draft.created_ms);
  return client_.Publish(draft);
}

Result<ExerciseInfo> Exercises::Start(const std::string& space_name, const std::string& text,
                                      const std::string& format, const exercise::Scenario& scenario,
                                      double speed) {
  if (!(speed >= 1.0 && speed <= 10'000.0)) {
    return InvalidArgument("--speed " + std::to_string(speed) + ": use 1 to 10000");
  }
  ENTENTE_ASSIGN_OR_RETURN(std::string space, ResolveSpace(space_name));
  ENTENTE_RETURN_IF_ERROR(client_.SyncDirectory());
  ENTENTE_ASSIGN_OR_RETURN(auto view, client_.LoadSpace(space));
  const auto& state = view->state;
  for (const auto& p : scenario.partners) {
    if (!state.HasPartner(p)) {
      return InvalidArgument("the scenario's partner " + p + " is not a partner of space " + space);
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label,
                           label::ParseLabelOrBanner(state.policy(), scenario.classification));
  auto id = ledger::EventId::FromBytes(crypto::RandomBytes(16));
  if (!id) return std::unexpected(id.error());
  Bytes exercise_id(id->bytes().begin(), id->bytes().end());
  uint64_t now = ToUnixMs(client_.clock().Now());
  std::string sha = HexEncode(crypto::Sha256(ToBytes(text)));
  ENTENTE_ASSIGN_OR_RETURN(auto sent,
                           Publish(*view, kExerciseStart, exercise_id,
                                   {{"name", scenario.name}, {"scenario_sha256", sha}},
                                   {{"scenario", text}, {"format", format}, {"speed", speed}},
                                   label.ToString(), now, *id));
  (void)sent;
  ExerciseInfo info;
  info.space = space;
  info.exercise = space::Exercise{id->ToHex(),
                                  scenario.name,
                                  sha,
                                  client_.config().partner,
                                  client_.config().member,
                                  label.ToString(),
                                  now,
                                  std::nullopt};
  info.scenario_text = text;
  info.scenario_format = format;
  info.scenario = scenario;
  info.clock = exercise::ExerciseClock{now, speed};
  return info;
}

Result<SendResult> Exercises::Inject(const ExerciseInfo& info, const exercise::Inject& inject,
                                     uint64_t at_ms) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, client_.LoadSpace(info.space));
  auto exercise_id = HexDecode(info.exercise.id);
  if (!exercise_id) return InvalidArgument("exercise id " + info.exercise.id);
  uint64_t now = ToUnixMs(client_.clock().Now());
  // At the inject's time on the exercise clock, unless the run fell behind by more than the
  // node's skew allowance.
  uint64_t created =
      std::clamp(info.clock.ToUnix(at_ms), now - std::min<uint64_t>(now, 60'000), now);
  created = std::max(created, info.clock.startex_unix_ms);
  nlohmann::json content = {{"synopsis", inject.synopsis}, {"message", inject.message},
                            {"method", inject.method},     {"from", inject.from},
                            {"type", inject.type},         {"scenario_ms", at_ms}};
  return Publish(*view, kExerciseInject, *exercise_id,
                 {{"inject", inject.number}, {"to", inject.to}}, content, info.exercise.label,
                 created);
}

Result<SendResult> Exercises::End(const ExerciseInfo& info, const std::string& outcome) {
  ENTENTE_ASSIGN_OR_RETURN(auto view, client_.LoadSpace(info.space));
  auto exercise_id = HexDecode(info.exercise.id);
  if (!exercise_id) return InvalidArgument("exercise id " + info.exercise.id);
  nlohmann::json meta = nlohmann::json::object();
  if (!outcome.empty()) meta["outcome"] = outcome;
  return Publish(*view, kExerciseEnd, *exercise_id, std::move(meta), nlohmann::json::object(),
                 info.exercise.label, ToUnixMs(client_.clock().Now()));
}

std::vector<ExerciseInfo> Exercises::Read(const SpaceView& view, const std::string& space) {
  std::vector<ExerciseInfo> out;
  for (const auto& [id, exercise] : view.state.exercises()) {
    ExerciseInfo info;
    info.space = space;
    info.exercise = exercise;
    info.clock.startex_unix_ms = exercise.started_ms;
    auto log = view.logs.find(exercise.origin);
    if (log == view.logs.end()) continue;
    for (const auto& e : log->second.entries) {
      if ((e.header.kind >> 8) != 0x06 || HexEncode(e.header.exercise_id) != id) continue;
      nlohmann::json meta = MetaOf(e);
      if (!meta.is_object()) continue;
      nlohmann::json content;
      if (e.body) {
        auto plaintext = client_.OpenEnvelope(e.header, *e.body);
        if (plaintext) content = nlohmann::json::parse(ToString(plaintext->view()), nullptr, false);
      }
      if (e.header.kind == kExerciseStart) {
        if (!content.is_object()) {
          info.problem =
              "the scenario is sealed to members whose clearance admits " + exercise.label;
          continue;
        }
        info.scenario_text = content.value("scenario", "");
        info.scenario_format = content.value("format", "yaml");
        info.clock.speed = content.value("speed", 1.0);
        auto scenario = info.scenario_format == "csv"
                            ? exercise::ParseScenarioCsv(info.scenario_text, "scenario")
                            : exercise::ParseScenarioYaml(info.scenario_text, "scenario");
        if (scenario) {
          info.scenario = std::move(*scenario);
        } else {
          info.problem = scenario.error().message();
        }
      } else if (e.header.kind == kExerciseInject) {
        exercise::SentInject sent;
        sent.number = meta.value("inject", "");
        sent.event_id = e.header.event_id.ToHex();
        sent.sent_ms = content.is_object() && content.contains("scenario_ms") &&
                               content["scenario_ms"].is_number_unsigned()
                           ? content["scenario_ms"].get<uint64_t>()
                           : info.clock.ToScenario(e.header.created_ms);
        sent.contingency = content.is_object() && content.value("type", "") == "contingency";
        info.injects.push_back(std::move(sent));
      } else if (e.header.kind == kExerciseEnd) {
        info.outcome = meta.value("outcome", "");
      }
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const ExerciseInfo& a, const ExerciseInfo& b) {
    return a.exercise.started_ms < b.exercise.started_ms;
  });
  return out;
}

Result<std::vector<ExerciseInfo>> Exercises::List(const std::string& space_name) {
  ENTENTE_ASSIGN_OR_RETURN(std::string space, ResolveSpace(space_name));
  ENTENTE_RETURN_IF_ERROR(client_.SyncDirectory());
  ENTENTE_ASSIGN_OR_RETURN(auto view, client_.LoadSpace(space));
  return Read(*view, space);
}

Result<ExerciseInfo> Exercises::Show(const std::string& space, const std::string& id) {
  ENTENTE_ASSIGN_OR_RETURN(auto all, List(space));
  std::vector<std::string> ids;
  for (const auto& info : all) ids.push_back(info.exercise.id);
  ENTENTE_ASSIGN_OR_RETURN(std::string found, ResolveId(ids, id, "exercise"));
  for (auto& info : all) {
    if (info.exercise.id == found) return std::move(info);
  }
  return NotFound("no exercise " + id);
}

Result<exercise::Evaluation> Exercises::Evaluate(const std::string& space_name,
                                                 const std::string& id) {
  ENTENTE_ASSIGN_OR_RETURN(std::string space, ResolveSpace(space_name));
  ENTENTE_RETURN_IF_ERROR(client_.SyncDirectory());
  ENTENTE_ASSIGN_OR_RETURN(auto view, client_.LoadSpace(space));
  std::vector<std::string> ids;
  for (const auto& [eid, e] : view->state.exercises()) ids.push_back(eid);
  ENTENTE_ASSIGN_OR_RETURN(std::string found, ResolveId(ids, id, "exercise"));
  ExerciseInfo info;
  for (auto& candidate : Read(*view, space)) {
    if (candidate.exercise.id == found) info = std::move(candidate);
  }
  if (!info.scenario) {
    return FailedPrecondition("exercise " + found.substr(0, 8) + ": " +
                              (info.problem.empty() ? "no scenario" : info.problem));
  }
  Bytes exercise_id = HexDecode(found).value_or(Bytes());
  std::deque<nlohmann::json> metas;
  consult::Book book(view->state);
  exercise::FoldExercise(view->Foldable(metas), exercise_id, info.clock, client_.directory(), book);
  uint64_t end_unix = info.exercise.ended_ms.value_or(ToUnixMs(client_.clock().Now()));
  uint64_t now_ms = info.clock.ToScenario(end_unix);
  book.AdvanceTo(info.clock.startex_unix_ms + now_ms);
  exercise::Record record =
      exercise::Observe(book, exercise_id, info.clock.startex_unix_ms, now_ms);
  record.exercise_id = found;
  record.startex_unix_ms = info.clock.startex_unix_ms;
  record.speed = info.clock.speed;
  record.endex_ms = now_ms;
  record.injects = info.injects;
  return exercise::Evaluate(*info.scenario, std::move(record));
}

// ---- LivePort ----

LivePort::LivePort(Client& controller, ExerciseInfo info, std::map<std::string, Client*> bots)
    : controller_(controller),
      info_(std::move(info)),
      exercise_id_(HexDecode(info_.exercise.id).value_or(Bytes())),
      bots_(std::move(bots)) {}

Client& LivePort::ClientOf(std::string_view partner) {
  for (const auto& [member, client] : bots_) {
    if (client->config().partner == partner) return *client;
  }
  return controller_;
}

Result<std::string> LivePort::SendInject(const exercise::Inject& inject, uint64_t at_ms) {
  Exercises exercises(controller_);
  ENTENTE_ASSIGN_OR_RETURN(auto sent, exercises.Inject(info_, inject, at_ms));
  return sent.event_id;
}

Status LivePort::Act(const exercise::PlayerAction& a, uint64_t /*at_ms*/) {
  auto bot = bots_.find(a.member);
  if (bot == bots_.end()) return NotFound("no bot plays " + a.member);
  Consultations consultations(*bot->second);
  const std::string& space = info_.space;
  Result<SendResult> sent = Internal("unknown action " + a.action);
  if (a.action == "request") {
    ConsultRequest request{space,
                           a.precedence,
                           a.text,
                           "Exercise " + info_.exercise.name,
                           info_.exercise.label,
                           a.counterparts,
                           info_.exercise.id};
    sent = consultations.Request(request);
  } else if (a.action == "acknowledge") {
    sent = consultations.Step(space, a.consultation, "ack", a.text);
  } else if (a.action == "convene" || a.action == "close") {
    sent = consultations.Step(space, a.consultation, a.action, a.text);
  } else if (a.action == "propose") {
    sent = consultations.Propose(space, a.consultation, a.text);
  } else if (a.action == "revise") {
    sent = consultations.Revise(space, a.decision, a.text);
  } else if (a.action == "approve") {
    sent = consultations.Approve(space, a.decision, a.version_sha256);
  } else if (a.action == "object") {
    sent = consultations.Object(space, a.decision, a.text);
  } else if (a.action == "report") {
    sent = consultations.Report(space, a.consultation, a.text, "", "");
  }
  if (!sent) return std::unexpected(sent.error());
  return {};
}

Result<const consult::Book*> LivePort::View(std::string_view partner, uint64_t now_ms) {
  Client& client = ClientOf(partner);
  auto& loaded = views_[std::string(partner)];
  if (loaded.view == nullptr) ENTENTE_RETURN_IF_ERROR(client.SyncDirectory());
  ENTENTE_ASSIGN_OR_RETURN(auto view, client.LoadSpace(info_.space));
  loaded.book.reset();
  loaded.metas.clear();
  loaded.view = std::move(view);
  loaded.book = std::make_unique<consult::Book>(loaded.view->state);
  exercise::FoldExercise(loaded.view->Foldable(loaded.metas), exercise_id_, info_.clock,
                         client.directory(), *loaded.book);
  loaded.book->AdvanceTo(info_.clock.startex_unix_ms + now_ms);
  return loaded.book.get();
}

std::vector<exercise::SentInject> LivePort::Received(
    std::string_view partner, uint64_t now_ms, const std::vector<exercise::SentInject>& sent) {
  std::vector<exercise::SentInject> out;
  for (const auto& s : sent) {
    const exercise::Inject* inject =
        info_.scenario ? info_.scenario->FindInject(s.number) : nullptr;
    if (inject == nullptr || s.sent_ms > now_ms) continue;
    if (std::find(inject->to.begin(), inject->to.end(), partner) != inject->to.end()) {
      out.push_back(s);
    }
  }
  return out;
}

Result<LiveRunResult> RunLive(Client& controller, const LiveRunOptions& options) {
  for (const auto& [member, client] : options.bots) {
    ENTENTE_RETURN_IF_ERROR(client->SyncDirectory());
    if (client->config().member != member) {
      return InvalidArgument("bot " + member + ": its client is " + client->config().member + "'s");
    }
  }
  Exercises exercises(controller);
  ENTENTE_ASSIGN_OR_RETURN(
      ExerciseInfo info, exercises.Start(options.space, options.scenario_text,
                                         options.scenario_format, options.scenario, options.speed));
  if (options.on_start) options.on_start(info);
  LivePort port(controller, info, options.bots);
  exercise::Run run(*info.scenario, port, controller.config().partner, BotMembers(options.bots),
                    options.seed);
  if (options.on_event) run.OnEvent(options.on_event);
  for (;;) {
    uint64_t now = info.clock.ToScenario(ToUnixMs(controller.clock().Now()));
    ENTENTE_ASSIGN_OR_RETURN(bool going, run.Step(now));
    if (!going) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(options.tick_ms));
  }
  ENTENTE_RETURN_IF_ERROR(exercises.End(info, "completed"));
  ENTENTE_ASSIGN_OR_RETURN(auto evaluation, exercises.Evaluate(info.space, info.exercise.id));
  // As the logs now tell it: ended, with every inject.
  ENTENTE_ASSIGN_OR_RETURN(info, exercises.Show(info.space, info.exercise.id));
  return LiveRunResult{std::move(info), std::move(evaluation), run.actions_taken(),
                       run.actions_refused()};
}

std::map<std::string, std::vector<exercise::BotMember>> BotMembers(
    const std::map<std::string, Client*>& bots) {
  std::map<std::string, std::vector<exercise::BotMember>> out;
  for (const auto& [id, client] : bots) {
    const space::Member* member = client->directory().FindMember(id);
    if (member == nullptr || member->revoked) continue;
    out[member->partner].push_back(exercise::BotMember{id, member->roles});
  }
  return out;
}

}  // namespace entente::client
