// The crisis consultation commands: `consult`, `decision`, `watch` (docs/operations.md,
// "Crisis consultation"). Each opens the client home, calls client::Consultations and prints.
#include <iostream>

#include "base/clock.h"
#include "base/duration.h"
#include "base/encoding.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "client/consult.h"
#include "node/archive.h"
#include "node/peers.h"

namespace entente::cli {
namespace {

// "in 4m 10s" / "4m 10s ago".
std::string Relative(uint64_t at_ms, uint64_t now_ms) {
  if (at_ms >= now_ms) return "in " + HumanDuration(at_ms - now_ms);
  return HumanDuration(now_ms - at_ms) + " ago";
}

std::string When(uint64_t at_ms) { return FormatRfc3339(FromUnixMs(at_ms)); }

std::string Short(const std::string& id) { return id.substr(0, 8); }

void PrintConsultation(const client::ConsultationView& v) {
  const auto& c = v.consultation;
  std::string exercise = c.exercise_id.empty() ? "" : "EXERCISE  ";
  std::cout << exercise << c.precedence << " consultation " << c.id << "  [" << c.label << "]\n"
            << "  state:        " << consult::StateName(c.state) << "\n"
            << "  subject:      " << (v.subject.empty() ? "(not readable here)" : v.subject)
            << "\n";
  if (!v.details.empty()) std::cout << "  details:      " << v.details << "\n";
  std::cout << "  requested by: " << c.requested.member << " (" << c.requester << "), "
            << Relative(c.requested.created_ms, v.now_ms) << "\n";
  for (const auto& cp : c.counterparts) {
    auto ack = c.acks.find(cp);
    std::cout << "  " << cp << ":" << std::string(cp.size() < 12 ? 12 - cp.size() : 1, ' ');
    if (ack != c.acks.end()) {
      uint64_t took = ack->second.created_ms - c.requested.created_ms;
      std::cout << "acknowledged by " << ack->second.member << " after " << HumanDuration(took)
                << "\n";
    } else {
      std::cout << "not acknowledged; deadline " << When(c.ack_deadline_ms) << " ("
                << Relative(c.ack_deadline_ms, v.now_ms) << ")";
      auto esc = v.escalation.find(cp);
      if (esc != v.escalation.end() && !esc->second.level.empty()) {
        std::cout << "; ESCALATED to " << esc->second.level << " (" << esc->second.steps_fired
                  << " step" << (esc->second.steps_fired == 1 ? "" : "s") << ")";
      }
      std::cout << "\n";
    }
  }
  if (!v.deadlines.empty()) {
    std::cout << "  deadlines:\n";
    for (const auto& d : v.deadlines) {
      std::cout << "    " << d.what << ": " << When(d.due_ms) << " ("
                << Relative(d.due_ms, v.now_ms) << ")\n";
    }
  }
  for (const auto& r : v.reports) {
    std::cout << "  report by " << r.at.member << ", " << Relative(r.at.created_ms, v.now_ms)
              << ":\n";
    if (!r.readable) {
      std::cout << "    (not readable here)\n";
      continue;
    }
    std::cout << "    conditions: " << r.conditions << "\n"
              << "    actions:    " << r.actions << "\n"
              << "    needs:      " << r.needs << "\n";
  }
  for (const auto& t : c.tasks) {
    auto title = v.task_titles.find(t.id);
    std::cout << "  task " << Short(t.id) << " "
              << (t.done ? (t.workstream.empty() ? "[done] " : "[to " + t.workstream + "] ")
                         : "[open] ")
              << (title != v.task_titles.end() ? title->second : "(not readable here)");
    if (!t.owner.empty()) std::cout << " — " << t.owner;
    if (t.resolve_by_ms && !t.done) std::cout << ", due " << Relative(*t.resolve_by_ms, v.now_ms);
    std::cout << "\n";
  }
  for (const auto& d : c.decisions) {
    std::cout << "  decision " << Short(d.id) << ": version " << d.current().number << ", "
              << (d.adopted() ? "ADOPTED (" + d.adopted_by + ")" : "under consideration") << "\n";
  }
  std::cout << "  timeline:\n";
  for (const auto& t : c.timeline) {
    std::cout << "    " << When(t.at.created_ms) << "  " << t.kind;
    if (!t.at.member.empty()) std::cout << " by " << t.at.member;
    if (!t.at.origin.empty()) std::cout << "  (" << t.at.origin << "/" << t.at.index << ")";
    if (!t.applied) std::cout << "  NOT APPLIED";
    if (!t.note.empty()) std::cout << ": " << t.note;
    auto note = v.notes.find(t.at.event_id);
    if (note != v.notes.end()) std::cout << "  \"" << note->second << "\"";
    std::cout << "\n";
  }
}

int ShowAfter(client::Consultations& consultations, const Target& t, const std::string& id,
              const std::string& done) {
  auto view = consultations.Show(t.space, id);
  if (!view) return Fail(view.error());
  if (t.common.json) {
    PrintJson(view->ToJson());
  } else {
    std::cout << done << " consultation " << view->consultation.id << ": now "
              << consult::StateName(view->consultation.state) << "\n";
  }
  return kExitOk;
}

struct RequestArgs {
  Target target;
  std::string precedence, subject, details, label, counterparts;
};

int RunRequest(const RequestArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  client::ConsultRequest request{a.target.space, a.precedence, a.subject,
                                 a.details,      a.label,      SplitList(a.counterparts)};
  auto sent = consultations.Request(request);
  if (!sent) return Fail(sent.error());
  auto view = consultations.Show(a.target.space, sent->event_id);
  if (!view) return Fail(view.error());
  if (a.target.common.json) {
    PrintJson(view->ToJson());
    return kExitOk;
  }
  const auto& c = view->consultation;
  std::cout << "requested " << c.precedence << " consultation " << c.id << "\n"
            << "  counterparts:   " << SplitList(a.counterparts).size() << " named; " <<
      [&] {
        std::string out;
        for (const auto& p : c.counterparts) out += (out.empty() ? "" : ", ") + p;
        return out;
      }() << "\n"
            << "  acknowledge by: " << When(c.ack_deadline_ms) << " ("
            << Relative(c.ack_deadline_ms, view->now_ms) << ")\n"
            << "  sealed to " << sent->recipients << " device(s); entry " << c.requested.origin
            << "/" << sent->index << "\n";
  return kExitOk;
}

struct StepArgs {
  Target target;
  std::string id, note;
};

int RunStep(const StepArgs& a, std::string_view step, const std::string& done) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto sent = consultations.Step(a.target.space, a.id, step, a.note);
  if (!sent) return Fail(sent.error());
  return ShowAfter(consultations, a.target, a.id, done);
}

struct ReportArgs {
  Target target;
  std::string id, conditions, actions, needs;
};

int RunReport(const ReportArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto sent = consultations.Report(a.target.space, a.id, a.conditions, a.actions, a.needs);
  if (!sent) return Fail(sent.error());
  return ShowAfter(consultations, a.target, a.id, "reported in");
}

struct TaskArgs {
  Target target;
  std::string id, title, owner, due, workstream;
};

int RunTaskAdd(const TaskArgs& a) {
  std::optional<uint64_t> resolve_by;
  if (!a.due.empty()) {
    auto within = ParseDuration(a.due);
    if (!within) return Fail(within.error().WithContext("--due"));
    resolve_by = ToUnixMs(SystemClock::Instance().Now()) + *within;
  }
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto sent = consultations.AddTask(a.target.space, a.id, a.title, a.owner, resolve_by);
  if (!sent) return Fail(sent.error());
  if (a.target.common.json) {
    PrintJson({{"task", sent->event_id}, {"index", sent->index}});
  } else {
    std::cout << "task " << sent->event_id << " added"
              << (resolve_by ? ", due " + When(*resolve_by) : std::string()) << "\n";
  }
  return kExitOk;
}

int RunTaskDone(const TaskArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto sent = consultations.DoneTask(a.target.space, a.id, a.workstream);
  if (!sent) return Fail(sent.error());
  if (a.target.common.json) {
    PrintJson({{"task", a.id}, {"index", sent->index}, {"workstream", a.workstream}});
  } else {
    std::cout << "task " << a.id
              << (a.workstream.empty() ? " done" : " handed to workstream " + a.workstream) << "\n";
  }
  return kExitOk;
}

int RunShow(const StepArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto view = consultations.Show(a.target.space, a.id);
  if (!view) return Fail(view.error());
  if (a.target.common.json) {
    PrintJson(view->ToJson());
  } else {
    PrintConsultation(*view);
  }
  return kExitOk;
}

struct ListArgs {
  Target target;
  bool open = false;
  bool exercises = false;
};

int RunList(const ListArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto list = consultations.List(a.target.space, a.open, a.exercises);
  if (!list) return Fail(list.error());
  if (a.target.common.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : *list) out.push_back(v.ToJson());
    PrintJson({{"consultations", out}});
    return kExitOk;
  }
  if (list->empty()) {
    std::cout << (a.open ? "no open consultations\n" : "no consultations\n");
    return kExitOk;
  }
  for (const auto& v : *list) {
    const auto& c = v.consultation;
    std::cout << Short(c.id) << "  " << (c.exercise_id.empty() ? "" : "EXERCISE ") << c.precedence
              << std::string(c.precedence.size() < 10 ? 10 - c.precedence.size() : 1, ' ')
              << consult::StateName(c.state) << "  " << c.requester << " → ";
    for (size_t i = 0; i < c.counterparts.size(); ++i) {
      std::cout << (i ? "," : "") << c.counterparts[i];
    }
    std::cout << "  " << (v.subject.empty() ? "(not readable here)" : v.subject);
    if (!v.deadlines.empty()) {
      std::cout << "  next: " << v.deadlines.front().what << " "
                << Relative(v.deadlines.front().due_ms, v.now_ms);
    }
    std::cout << "\n";
  }
  return kExitOk;
}

// ---- decision ----

struct DecisionArgs {
  Target target;
  std::string id, consult, text_file, version, reason;
};

void PrintDecision(const client::DecisionView& v) {
  const auto& d = v.decision;
  std::cout << "decision " << d.id << " (consultation " << Short(d.consultation) << ", "
            << v.consultation_state << ")\n";
  for (const auto& version : d.versions) {
    std::cout << "  version " << version.number << "  sha256 " << version.text_sha256 << "\n"
              << "    by " << version.at.member << ", entry " << version.at.origin << "/"
              << version.at.index << "\n";
    auto text = v.texts.find(version.number);
    if (text != v.texts.end()) {
      std::cout << "    | " << text->second << "\n";
    } else if (auto problem = v.problems.find(version.number); problem != v.problems.end()) {
      std::cout << "    (text not shown: " << problem->second << ")\n";
    }
  }
  std::cout << "  approvals of version " << d.current().number << ":\n";
  for (const auto& p : v.partners) {
    auto it = std::find_if(d.approvals.begin(), d.approvals.end(),
                           [&](const consult::Vote& vote) { return vote.partner == p; });
    std::cout << "    " << p << ": ";
    if (it == d.approvals.end()) {
      std::cout << "awaiting\n";
    } else {
      std::cout << "approved by " << it->at.member << " at " << When(it->at.created_ms)
                << ", entry " << it->at.origin << "/" << it->at.index << "\n";
    }
  }
  for (const auto& voided : d.voided) {
    std::cout << "  voided: " << voided.partner << "'s approval of version " << voided.version
              << " (entry " << voided.at.origin << "/" << voided.at.index << ")\n";
  }
  for (const auto& o : d.objections) {
    auto reason = v.objection_reasons.find(o.at.event_id);
    std::cout << "  objection by " << o.at.member << " to version " << o.version << ": "
              << (reason != v.objection_reasons.end() ? reason->second : "(not readable here)")
              << "\n";
  }
  if (d.adopted()) {
    std::cout << "  ADOPTED " << When(*d.adopted_ms) << " by " << d.adopted_by << "\n";
  } else {
    std::cout << "  not adopted";
    if (v.silence_deadline_ms) {
      std::cout << "; adopted under the silence procedure " << When(*v.silence_deadline_ms) << " ("
                << Relative(*v.silence_deadline_ms, v.now_ms) << ") unless someone objects";
    }
    std::cout << "\n";
  }
}

int DecisionAfter(client::Consultations& consultations, const Target& t, const std::string& id,
                  const std::string& done) {
  auto view = consultations.ShowDecision(t.space, id);
  if (!view) return Fail(view.error());
  if (t.common.json) {
    PrintJson(view->ToJson());
    return kExitOk;
  }
  const auto& d = view->decision;
  std::cout << done << " decision " << d.id << " version " << d.current().number << " ("
            << d.current().text_sha256 << ")\n";
  if (d.adopted()) {
    std::cout << "  ADOPTED (" << d.adopted_by << ")\n";
  } else {
    std::string awaiting;
    for (const auto& p : view->partners) {
      if (!d.ApprovedBy(p)) awaiting += (awaiting.empty() ? "" : ", ") + p;
    }
    std::cout << "  awaiting approval by: " << awaiting << "\n";
  }
  return kExitOk;
}

int RunDecision(const DecisionArgs& a, std::string_view what) {
  std::string text;
  if (what == "propose" || what == "revise") {
    auto read = ReadFileText(a.text_file);
    if (!read) return Fail(read.error());
    text = std::move(*read);
  }
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  Result<client::SendResult> sent = InvalidArgument("unknown");
  std::string id = a.id;
  if (what == "propose") {
    sent = consultations.Propose(a.target.space, a.consult, text);
    if (sent) id = sent->event_id;
  } else if (what == "revise") {
    sent = consultations.Revise(a.target.space, a.id, text);
  } else if (what == "approve") {
    sent = consultations.Approve(a.target.space, a.id, a.version);
  } else {
    sent = consultations.Object(a.target.space, a.id, a.reason);
  }
  if (!sent) return Fail(sent.error());
  std::string done = what == "propose"   ? "proposed"
                     : what == "revise"  ? "revised"
                     : what == "approve" ? "approved"
                                         : "objected to";
  return DecisionAfter(consultations, a.target, id, done);
}

int RunDecisionShow(const DecisionArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Consultations consultations(**client);
  auto view = consultations.ShowDecision(a.target.space, a.id);
  if (!view) return Fail(view.error());
  if (a.target.common.json) {
    PrintJson(view->ToJson());
  } else {
    PrintDecision(*view);
  }
  return kExitOk;
}

// ---- decision verify (offline) ----

struct VerifyArgs {
  std::string id, node_dir;
  std::vector<std::string> logs, node_keys;
  bool json = false;
};

int RunDecisionVerify(const VerifyArgs& a) {
  auto node_key = NodeKeys(a.node_keys, a.node_dir);
  if (!node_key) return Fail(node_key.error());
  node::ArchiveOptions options;
  options.dirs = a.logs;
  options.now_ms = ToUnixMs(SystemClock::Instance().Now());
  options.node_key = *node_key;
  auto archive = node::Archive::Load(options);
  if (!archive) return Fail(archive.error());
  auto record = (*archive)->DecisionRecord(a.id);
  if (!record) return Fail(record.error());
  nlohmann::json logs = nlohmann::json::array();
  for (const auto& l : (*archive)->logs()) {
    logs.push_back({{"dir", l.dir},
                    {"origin", l.origin},
                    {"kind", l.directory ? "directory" : "space"},
                    {"size", l.size},
                    {"bodies", l.bodies}});
  }
  bool adopted = record->value("adopted", false);
  if (a.json) {
    nlohmann::json out = *record;
    out["logs"] = logs;
    out["warnings"] = (*archive)->warnings();
    PrintJson(out);
  } else {
    for (const auto& l : (*archive)->logs()) {
      std::cout << "verified " << (l.directory ? "directory" : "space") << " log of " << l.origin
                << ": " << l.size << " entries, " << l.bodies << " bodies (" << l.dir << ")\n";
    }
    for (const auto& w : (*archive)->warnings()) std::cout << "warning: " << w << "\n";
    std::cout << "decision " << record->value("id", "") << " in space "
              << record->value("space", "") << "\n";
    for (const auto& v : (*record)["approvals"]) {
      std::cout << "  " << v.value("partner", "") << " approved version " << v.value("version", 0)
                << " (" << v.value("text_sha256", "").substr(0, 16) << "...) in entry "
                << v["entry"].value("origin", "") << "/" << v["entry"].value("index", 0) << " by "
                << v["entry"].value("member", "") << "\n";
    }
    std::cout << (adopted ? "ADOPTED (" + record->value("adopted_by", "") + ") at " +
                                record->value("adopted_at", "")
                          : std::string("NOT adopted"))
              << "\n";
  }
  return adopted ? kExitOk : kExitNo;
}

// ---- watch ----

struct WatchArgs {
  Target target;
  uint64_t after = 0;
  uint64_t count = 0;  // stop after this many (0: never)
};

int RunWatch(const WatchArgs& a) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  std::string space_id;
  if (!a.target.space.empty()) {
    auto space = (*client)->FindSpace(a.target.space);
    if (!space) return Fail(space.error());
    space_id = space->id.ToHex();
  }
  client::Consultations consultations(**client);
  uint64_t seen = 0;
  if (!a.target.common.json) std::cerr << "watching notifications (Ctrl-C to stop)\n";
  auto status = consultations.Watch(a.after, [&](const nlohmann::json& n) {
    if (!space_id.empty() && n.value("space", "") != space_id) return true;
    if (a.target.common.json) {
      std::cout << n.dump() << std::endl;
    } else {
      std::string exercise = n.value("exercise", "").empty() ? "" : "EXERCISE ";
      std::string type = n.value("type", "");
      std::string marker = n.value("for_you", false) ? " >> " : "    ";
      std::cout << FormatRfc3339(FromUnixMs(n.value("due_ms", uint64_t{0}))) << marker << exercise
                << (type == "event" ? "" : "[" + type + "] ") << n.value("text", "") << "  #"
                << n.value("seq", uint64_t{0}) << std::endl;
    }
    return a.count == 0 || ++seen < a.count;
  });
  if (!status) return Fail(status.error());
  return kExitOk;
}

}  // namespace

void AddConsultCommands(CLI::App& app, int* exit_code) {
  auto* consult = app.add_subcommand("consult", "Crisis consultations: request, acknowledge, ...");
  consult->require_subcommand(1);
  consult->footer(
      "A consultation goes requested -> acknowledged -> convened -> decided -> monitoring ->\n"
      "closed -> reviewed (or withdrawn before a decision; reopened from monitoring or closed).\n"
      "IDs may be shortened to 6 or more hex digits. See docs/operations.md.");

  auto* request = consult->add_subcommand("request", "Request a consultation of the partners");
  request->footer(
      "The precedence (ACP 121) sets the acknowledgement deadline from the space's policy; the\n"
      "policy's escalation rules are frozen into the request. The subject and details are\n"
      "sealed to the participants' members whose clearance admits the label.\nExample:\n"
      "  entente consult request --space NCG --precedence FLASH --subject \"Missile launch\" \\\n"
      "    --label \"SECRET//REL TO USA, KOR\"");
  auto ra = std::make_shared<RequestArgs>();
  AddTarget(request, ra->target);
  request->add_option("--precedence", ra->precedence, "FLASH, IMMEDIATE, PRIORITY or ROUTINE")
      ->required();
  request->add_option("--subject", ra->subject, "What the crisis is (sealed)")->required();
  request->add_option("--details", ra->details, "More detail (sealed)");
  request->add_option("--label", ra->label, "Security label, canonical or a banner")->required();
  request->add_option("--counterparts", ra->counterparts,
                      "Partners to consult, comma-separated (default: every other partner)");
  request->callback([ra, exit_code] { *exit_code = RunRequest(*ra); });

  struct StepSpec {
    const char* name;
    const char* help;
    const char* done;
  };
  static const StepSpec kSteps[] = {
      {"ack", "Acknowledge a consultation (a counterpart)", "acknowledged"},
      {"convene", "Convene an acknowledged consultation", "convened"},
      {"withdraw", "Withdraw a request before a decision (the requester)", "withdrew"},
      {"close", "Close a monitored consultation (every task resolved)", "closed"},
      {"reopen", "Reopen a monitored or closed consultation", "reopened"},
      {"review", "Record the review of a closed consultation", "reviewed"},
  };
  for (const auto& spec : kSteps) {
    auto* cmd = consult->add_subcommand(spec.name, spec.help);
    auto sa = std::make_shared<StepArgs>();
    AddTarget(cmd, sa->target);
    cmd->add_option("id", sa->id, "The consultation")->required();
    if (std::string_view(spec.name) != "ack") {  // an acknowledgement carries no content
      cmd->add_option("--note", sa->note, "A note (sealed)");
    }
    std::string step = spec.name, done = spec.done;
    cmd->callback([sa, step, done, exit_code] { *exit_code = RunStep(*sa, step, done); });
  }

  auto* report =
      consult->add_subcommand("report", "Post a status report: conditions/actions/needs");
  auto rpa = std::make_shared<ReportArgs>();
  AddTarget(report, rpa->target);
  report->add_option("id", rpa->id, "The consultation")->required();
  report->add_option("--conditions", rpa->conditions, "The situation now")->required();
  report->add_option("--actions", rpa->actions, "What is being done")->required();
  report->add_option("--needs", rpa->needs, "What is needed from the partners")->required();
  report->callback([rpa, exit_code] { *exit_code = RunReport(*rpa); });

  auto* task = consult->add_subcommand("task", "Tasks of a consultation");
  task->require_subcommand(1);
  auto* tadd = task->add_subcommand("add", "Add a task with an owner and a resolve-by time");
  auto ta = std::make_shared<TaskArgs>();
  AddTarget(tadd, ta->target);
  tadd->add_option("id", ta->id, "The consultation")->required();
  tadd->add_option("--title", ta->title, "What is to be done (sealed)")->required();
  tadd->add_option("--owner", ta->owner, "The member who owns it, e.g. lee@KOR");
  tadd->add_option("--due", ta->due, "Resolve within an ISO 8601 duration, e.g. PT2H");
  tadd->callback([ta, exit_code] { *exit_code = RunTaskAdd(*ta); });
  auto* tdone = task->add_subcommand("done", "Mark a task done, or hand it to a workstream");
  auto td = std::make_shared<TaskArgs>();
  AddTarget(tdone, td->target);
  tdone->add_option("task", td->id, "The task")->required();
  tdone->add_option("--workstream", td->workstream, "Hand it to this workstream instead");
  tdone->callback([td, exit_code] { *exit_code = RunTaskDone(*td); });

  auto* show = consult->add_subcommand("show", "State, deadlines, escalation and timeline");
  auto sha = std::make_shared<StepArgs>();
  AddTarget(show, sha->target);
  show->add_option("id", sha->id, "The consultation")->required();
  show->callback([sha, exit_code] { *exit_code = RunShow(*sha); });

  auto* list = consult->add_subcommand("list", "List consultations, newest first");
  auto la = std::make_shared<ListArgs>();
  AddTarget(list, la->target);
  list->add_flag("--open", la->open, "Only those not closed, reviewed or withdrawn");
  list->add_flag("--exercise", la->exercises, "Those of exercises instead of the real world's");
  list->callback([la, exit_code] { *exit_code = RunList(*la); });

  auto* decision = app.add_subcommand("decision", "Decision records: propose, approve, ...");
  decision->require_subcommand(1);
  decision->footer(
      "Each partner's decision authority (a role in the policy) approves an exact version,\n"
      "named by its SHA-256; a new version voids earlier approvals. A decision is adopted when\n"
      "every participant approved the current version, or under the silence procedure when the\n"
      "policy has one and nobody objected by its deadline.");
  auto* propose = decision->add_subcommand("propose", "Propose a decision in a consultation");
  auto pa = std::make_shared<DecisionArgs>();
  AddTarget(propose, pa->target);
  propose->add_option("--consult", pa->consult, "The consultation")->required();
  propose->add_option("--text", pa->text_file, "A file with the decision's text")->required();
  propose->callback([pa, exit_code] { *exit_code = RunDecision(*pa, "propose"); });
  auto* revise = decision->add_subcommand("revise", "Publish a new version (voids approvals)");
  auto rva = std::make_shared<DecisionArgs>();
  AddTarget(revise, rva->target);
  revise->add_option("id", rva->id, "The decision")->required();
  revise->add_option("--text", rva->text_file, "A file with the new text")->required();
  revise->callback([rva, exit_code] { *exit_code = RunDecision(*rva, "revise"); });
  auto* approve = decision->add_subcommand("approve", "Approve the current version");
  auto aa = std::make_shared<DecisionArgs>();
  AddTarget(approve, aa->target);
  approve->add_option("id", aa->id, "The decision")->required();
  approve->add_option("--version", aa->version, "The version's SHA-256 (8+ leading digits)")
      ->required();
  approve->callback([aa, exit_code] { *exit_code = RunDecision(*aa, "approve"); });
  auto* object = decision->add_subcommand("object", "Object to the current version");
  auto oa = std::make_shared<DecisionArgs>();
  AddTarget(object, oa->target);
  object->add_option("id", oa->id, "The decision")->required();
  object->add_option("--reason", oa->reason, "Why (sealed)")->required();
  object->callback([oa, exit_code] { *exit_code = RunDecision(*oa, "object"); });
  auto* dshow = decision->add_subcommand("show", "Versions, approvals with their log entries");
  auto dsa = std::make_shared<DecisionArgs>();
  AddTarget(dshow, dsa->target);
  dshow->add_option("id", dsa->id, "The decision")->required();
  dshow->callback([dsa, exit_code] { *exit_code = RunDecisionShow(*dsa); });

  auto* dverify = decision->add_subcommand("verify",
                                           "Check offline, from exported logs, "
                                           "whether a decision was adopted");
  dverify->footer(
      "Verifies each exported log (entente log export, with its bodies) against its partner's\n"
      "node key, folds them as every node does, and prints the decision's approvals with the\n"
      "log entries that prove them. Export each partner's space log and directory log\n"
      "(--space directory). Exit 0 if adopted, 1 if not.\nExample:\n"
      "  entente decision verify 3f2a9c01 --log ncg-USA --log ncg-KOR --log dir-USA \\\n"
      "    --log dir-KOR --node-dir /var/lib/entente");
  auto va = std::make_shared<VerifyArgs>();
  dverify->add_option("id", va->id, "The decision")->required();
  dverify->add_option("--log", va->logs, "An exported log directory (repeatable)")->required();
  dverify->add_option("--node-key", va->node_keys, "PARTNER=KEY: a node key to trust (repeatable)");
  dverify->add_option("--node-dir", va->node_dir,
                      "Trust the node keys this node directory holds (its own and its peers')");
  dverify->add_flag("--json", va->json, "Print JSON");
  dverify->callback([va, exit_code] { *exit_code = RunDecisionVerify(*va); });

  auto* watch = app.add_subcommand("watch", "Print notifications live: requests, escalations, ...");
  watch->footer(
      "Lines marked >> are addressed to you (an escalation step or a reminder). Resume after an\n"
      "interruption with --after and the last #number printed.");
  auto wa = std::make_shared<WatchArgs>();
  AddTarget(watch, wa->target);
  watch->add_option("--after", wa->after, "Start after this notification number");
  watch->add_option("--count", wa->count, "Stop after this many");
  watch->callback([wa, exit_code] { *exit_code = RunWatch(*wa); });
}

}  // namespace entente::cli
