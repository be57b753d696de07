// The agenda commands: `statement`, `workstream`, `meeting` (docs/operations.md, "Statements,
// workstreams and meetings"). Each opens the client home, calls client::Agenda and prints.
#include <fstream>
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "base/encoding.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "client/agenda.h"

namespace entente::cli {
namespace {

std::string Day(uint64_t ms) { return FormatRfc3339(FromUnixMs(ms)).substr(0, 10); }
std::string When(uint64_t ms) { return FormatRfc3339(FromUnixMs(ms)); }
std::string Short(const std::string& id) { return id.substr(0, 8); }

Result<std::optional<uint64_t>> OptionalTime(const std::string& text, const char* option) {
  if (text.empty()) return std::optional<uint64_t>();
  auto t = ParseRfc3339(text);
  if (!t) return std::unexpected(t.error().WithContext(option));
  return std::optional<uint64_t>(ToUnixMs(*t));
}

// Prints what an authoring command did.
int Sent(const Result<client::SendResult>& sent, const Common& c, const std::string& what) {
  if (!sent) return Fail(sent.error());
  if (c.json) {
    PrintJson({{"id", sent->event_id}, {"entry", sent->index}, {"recipients", sent->recipients}});
  } else {
    std::cout << what << " (" << Short(sent->event_id) << "): entry " << sent->index
              << ", sealed to " << sent->recipients << " device(s)\n";
  }
  return kExitOk;
}

// ---- statements ----

struct StatementArgs {
  Target target;
  std::string id, title, authoritative = "equal", label, embargo, version, note, text, out;
  std::vector<std::string> texts;  // LANG=FILE
  std::vector<std::string> node_keys;
  std::string node_dir;
};

Result<client::StatementText> ReadTexts(const StatementArgs& a) {
  client::StatementText t;
  t.title = a.title;
  t.authoritative = a.authoritative;
  for (const auto& item : a.texts) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--text " + item + ": use LANG=FILE, e.g. en=statement-en.txt");
    }
    ENTENTE_ASSIGN_OR_RETURN(std::string body, ReadFileText(item.substr(eq + 1)));
    t.texts[item.substr(0, eq)] = body;
  }
  if (t.authoritative.empty()) t.authoritative = "equal";
  return t;
}

// j[key] if it is a string, else "".
std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
std::string MemberOf(const nlohmann::json& j) {
  return j.is_object() && j.contains("entry") ? Str(j["entry"], "member") : "";
}

void PrintStatement(const nlohmann::json& j) {
  std::cout << "statement " << Str(j, "id") << "  [ceiling " << Str(j, "ceiling") << "]\n";
  if (j.value("released", false)) {
    std::cout << "  RELEASED at " << Str(j, "released_at") << " (version "
              << j.value("released_version", 0) << ")\n";
  } else {
    std::string needs;
    for (const auto& n : j.value("release_needs", nlohmann::json::array())) {
      needs += (needs.empty() ? "" : "; ") + n.get<std::string>();
    }
    std::cout << "  not released" << (needs.empty() ? "" : ": needs " + needs)
              << (j.contains("embargo_until") ? "; embargo until " + Str(j, "embargo_until") : "")
              << "\n";
  }
  const auto content = j.value("content", nlohmann::json::object());
  for (const auto& v : j.value("versions", nlohmann::json::array())) {
    std::string number = std::to_string(v.value("version", 0));
    std::cout << "  version " << number << "  " << Str(v, "label") << "  sha256 "
              << Str(v, "text_sha256") << "  by " << MemberOf(v) << "\n";
    if (!content.contains(number)) {
      std::cout << "    (text not readable here)\n";
      continue;
    }
    const auto& c = content[number];
    std::cout << "    title: " << Str(c, "title") << "  (authoritative: " << Str(c, "authoritative")
              << ")\n";
    const auto texts = c.value("texts", nlohmann::json::object());  // kept: items() refers to it
    for (const auto& [lang, text] : texts.items()) {
      std::string body = text.is_string() ? text.get<std::string>() : "";
      std::cout << "    [" << lang << "] " << body << (body.ends_with('\n') ? "" : "\n");
    }
  }
  for (const auto& a : j.value("approvals", nlohmann::json::array())) {
    std::cout << "  approved by " << Str(a, "partner") << " (" << MemberOf(a) << ")\n";
  }
  std::string awaiting;
  for (const auto& p : j.value("awaiting", nlohmann::json::array())) {
    awaiting += (awaiting.empty() ? "" : ", ") + p.get<std::string>();
  }
  if (!awaiting.empty()) std::cout << "  awaiting approval by: " << awaiting << "\n";
  for (const auto& c : j.value("comments", nlohmann::json::array())) {
    std::cout << "  comment on v" << c.value("version", 0) << " by " << MemberOf(c) << ": "
              << Str(c, "text") << "\n";
  }
}

int RunStatement(const StatementArgs& a, const std::string& step) {
  if (step == "verify") {
    auto text = ReadFileText(a.text);
    if (!text) return Fail(text.error());
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded()) return Fail(InvalidArgument(a.text + ": not JSON").error());
    auto node_key = NodeKeys(a.node_keys, a.node_dir);
    if (!node_key) return Fail(node_key.error());
    auto ok = client::VerifyStatementExport(json, *node_key);
    if (!ok) {
      std::cerr << "entente: statement NOT verified: " << ok.error().message() << "\n";
      return ok.error().code() == ErrorCode::kInvalidArgument ||
                     ok.error().code() == ErrorCode::kNotFound
                 ? kExitBadInput
                 : kExitNo;
    }
    std::cout << "VERIFIED " << *ok << "\n";
    return kExitOk;
  }
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Agenda agenda(**client);
  const std::string& space = a.target.space;
  if (step == "draft" || step == "revise") {
    auto texts = ReadTexts(a);
    if (!texts) return Fail(texts.error());
    auto embargo = OptionalTime(a.embargo, "--embargo");
    if (!embargo) return Fail(embargo.error());
    auto sent = step == "draft" ? agenda.Draft(space, *texts, a.label, *embargo)
                                : agenda.Revise(space, a.id, *texts, a.label, *embargo);
    return Sent(sent, a.target.common, step == "draft" ? "statement drafted" : "new version");
  }
  if (step == "comment")
    return Sent(agenda.Comment(space, a.id, a.text), a.target.common, "comment");
  if (step == "approve") {
    return Sent(agenda.Approve(space, a.id, a.version), a.target.common, "approved");
  }
  if (step == "release") {
    return Sent(agenda.Release(space, a.id, a.note), a.target.common, "RELEASED");
  }
  if (step == "export") {
    auto exported = agenda.Export(space, a.id);
    if (!exported) return Fail(exported.error());
    std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
    out << exported->dump(2) << "\n";
    if (!out) return Fail(Unavailable("cannot write " + a.out).error());
    if (a.target.common.json) {
      PrintJson({{"out", a.out}, {"statement", exported->value("statement", "")}});
    } else {
      std::cout << "statement " << Short(exported->value("statement", "")) << " exported to "
                << a.out << " (verify: entente statement verify " << a.out << " --node-dir NODE)\n";
    }
    return kExitOk;
  }
  auto view = agenda.Load(space);
  if (!view) return Fail(view.error());
  if (step == "list") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& [id, s] : view->book->statements()) {
      all.push_back(agenda::StatementJson(*view->book, s));
    }
    if (a.target.common.json) {
      PrintJson({{"statements", all}});
      return kExitOk;
    }
    if (all.empty()) std::cout << "no statements\n";
    for (const auto& [sid, s] : view->book->statements()) {
      auto text = s.content.find(s.doc.current().number);
      std::cout << Short(sid) << "  " << (s.released ? "released" : "draft   ") << "  v"
                << s.doc.current().number << "  "
                << (text != s.content.end() ? text->second.title : "(not readable here)") << "\n";
    }
    return kExitOk;
  }
  auto id = client::Agenda::Resolve(*view, "statement", a.id);
  if (!id) return Fail(id.error());
  auto j = agenda::StatementJson(*view->book, *view->book->FindStatement(*id));
  if (a.target.common.json) {
    PrintJson(j);
  } else {
    PrintStatement(j);
  }
  return kExitOk;
}

// ---- workstreams ----

struct WorkstreamArgs {
  Target target;
  std::string id, title, description, label, status, rationale, text, co_leads, since, out;
  std::string milestone, owner, due, milestone_status = "planned";
  bool item = false;
};

int RunWorkstream(const WorkstreamArgs& a, const std::string& step) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Agenda agenda(**client);
  const std::string& space = a.target.space;
  if (step == "create") {
    return Sent(
        agenda.CreateWorkstream(space, a.title, a.description, SplitList(a.co_leads), a.label),
        a.target.common, "workstream created");
  }
  if (step == "status") {
    return Sent(agenda.SetStatus(space, a.id, a.status, a.rationale), a.target.common,
                "status " + a.status);
  }
  if (step == "milestone") {
    auto due = OptionalTime(a.due, "--due");
    if (!due) return Fail(due.error());
    agenda::Milestone m;
    m.id = a.milestone;
    m.title = a.title;
    m.owner = a.owner;
    m.due_ms = due->value_or(0);
    m.status = a.milestone_status;
    return Sent(agenda.SetMilestone(space, a.id, m), a.target.common, "milestone " + a.milestone);
  }
  if (step == "update") {
    return Sent(agenda.Update(space, a.id, a.item ? "item" : "progress", a.text), a.target.common,
                a.item ? "improvement item" : "progress update");
  }
  if (step == "report") {
    auto since = OptionalTime(a.since, "--since");
    if (!since) return Fail(since.error());
    auto report = agenda.Report(space, since->value_or(0));
    if (!report) return Fail(report.error());
    if (auto written = agenda::WriteProgressReport(*report, a.out); !written) {
      return Fail(written.error());
    }
    if (a.target.common.json) {
      PrintJson({{"out", a.out}, {"report", report->json}});
    } else {
      std::cout << "progress report written to " << a.out << "/ (report.html, report.md, "
                << "report.json)\n";
    }
    return kExitOk;
  }
  auto view = agenda.Load(space);
  if (!view) return Fail(view.error());
  if (step == "list") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& [id, w] : view->book->workstreams()) all.push_back(agenda::WorkstreamJson(w));
    if (a.target.common.json) {
      PrintJson({{"workstreams", all}});
      return kExitOk;
    }
    if (all.empty()) std::cout << "no workstreams\n";
    for (const auto& [id, w] : view->book->workstreams()) {
      std::cout << Short(id) << "  " << w.status << "  "
                << (w.title.empty() ? "(not readable here)" : w.title) << "  ("
                << w.milestones.size() << " milestones)\n";
    }
    return kExitOk;
  }
  auto id = client::Agenda::Resolve(*view, "workstream", a.id);
  if (!id) return Fail(id.error());
  const agenda::Workstream& w = *view->book->FindWorkstream(*id);
  if (a.target.common.json) {
    PrintJson(agenda::WorkstreamJson(w));
    return kExitOk;
  }
  std::cout << "workstream " << w.id << "  [" << w.label << "]\n  " << w.title << "\n  status "
            << w.status << (w.rationale.empty() ? "" : ": " + w.rationale) << "\n  co-leads:";
  for (const auto& c : w.co_leads) std::cout << " " << c;
  std::cout << "\n";
  for (const auto& [mid, m] : w.milestones) {
    std::cout << "  milestone " << mid << "  " << m.status << "  due " << Day(m.due_ms) << "  "
              << m.owner << "  " << m.title << "\n";
  }
  for (const auto& u : w.updates) {
    std::cout << "  " << When(u.at.created_ms) << "  " << u.type << " by " << u.at.member
              << (u.text.empty() ? "" : ": " + u.text) << "\n";
  }
  return kExitOk;
}

// ---- meetings ----

struct MeetingArgs {
  Target target;
  std::string id, title, level = "working", starts, location, label, text_file, version;
  std::vector<std::string> attendees, items, actions;
};

Result<client::MeetingPlan> Plan(const MeetingArgs& a) {
  client::MeetingPlan plan;
  plan.title = a.title;
  plan.level = a.level;
  plan.location = a.location;
  ENTENTE_ASSIGN_OR_RETURN(auto starts, OptionalTime(a.starts, "--starts"));
  plan.starts_ms = starts.value_or(0);
  for (const auto& at : a.attendees) {
    auto parts = SplitList(at);  // PARTNER,ORGANISATION,NAME
    size_t c1 = at.find(':'), c2 = at.find(':', c1 == std::string::npos ? 0 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) {
      return InvalidArgument("--attendee " + at + ": use PARTNER:ORGANISATION:NAME");
    }
    plan.attendees.push_back({at.substr(0, c1), at.substr(c1 + 1, c2 - c1 - 1), at.substr(c2 + 1)});
  }
  for (const auto& item : a.items) {
    size_t eq = item.rfind('=');
    if (eq != std::string::npos) {
      plan.agenda.push_back({item.substr(0, eq), item.substr(eq + 1)});
    } else {
      plan.agenda.push_back({item, ""});
    }
  }
  return plan;
}

int RunMeeting(const MeetingArgs& a, const std::string& step) {
  auto client = OpenClient(a.target.common);
  if (!client) return Fail(client.error());
  client::Agenda agenda(**client);
  const std::string& space = a.target.space;
  if (step == "schedule" || step == "agenda") {
    auto plan = Plan(a);
    if (!plan) return Fail(plan.error());
    auto sent = step == "schedule" ? agenda.Schedule(space, *plan, a.label)
                                   : agenda.Amend(space, a.id, *plan);
    return Sent(sent, a.target.common, step == "schedule" ? "meeting scheduled" : "agenda set");
  }
  if (step == "minutes") {
    auto text = ReadFileText(a.text_file);
    if (!text) return Fail(text.error());
    std::vector<agenda::ActionItem> actions;
    for (const auto& item : a.actions) {  // ID|OWNER|DUE|TEXT
      std::vector<std::string> parts;
      size_t start = 0;
      for (int i = 0; i < 3; ++i) {
        size_t bar = item.find('|', start);
        if (bar == std::string::npos) break;
        parts.push_back(item.substr(start, bar - start));
        start = bar + 1;
      }
      if (parts.size() != 3) {
        return Fail(InvalidArgument("--action " + item + ": use ID|OWNER|DUE|TEXT").error());
      }
      auto due = ParseRfc3339(parts[2]);
      if (!due) return Fail(due.error().WithContext("--action " + parts[0]));
      actions.push_back({parts[0], item.substr(start), parts[1], ToUnixMs(*due)});
    }
    return Sent(agenda.Minutes(space, a.id, *text, actions), a.target.common, "minutes");
  }
  if (step == "approve") {
    return Sent(agenda.ApproveMinutes(space, a.id, a.version), a.target.common, "minutes approved");
  }
  auto view = agenda.Load(space);
  if (!view) return Fail(view.error());
  if (step == "actions") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [id, m] : view->book->meetings()) {
      if (!a.id.empty() && !id.starts_with(a.id)) continue;
      if (m.minutes.versions.empty()) continue;
      auto actions = m.actions.find(m.minutes.current().number);
      if (actions == m.actions.end()) continue;
      for (const auto& item : actions->second) {
        bool overdue = item.due_ms < view->now_ms;
        out.push_back({{"meeting", id},
                       {"id", item.id},
                       {"text", item.text},
                       {"owner", item.owner},
                       {"due_ms", item.due_ms},
                       {"due", When(item.due_ms)},
                       {"overdue", overdue},
                       {"approved", m.minutes_approved(view->partners)}});
      }
    }
    if (a.target.common.json) {
      PrintJson({{"actions", out}});
      return kExitOk;
    }
    if (out.empty()) std::cout << "no action items\n";
    for (const auto& item : out) {
      std::cout << (item["overdue"].get<bool>() ? "OVERDUE " : "due     ") << Day(item["due_ms"])
                << "  " << item["owner"].get<std::string>() << "  "
                << item["text"].get<std::string>() << "  (meeting "
                << Short(item["meeting"].get<std::string>()) << ")\n";
    }
    return kExitOk;
  }
  if (step == "list") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& [id, m] : view->book->meetings()) {
      all.push_back(agenda::MeetingJson(*view->book, m));
    }
    if (a.target.common.json) {
      PrintJson({{"meetings", all}});
      return kExitOk;
    }
    if (all.empty()) std::cout << "no meetings\n";
    for (const auto& [id, m] : view->book->meetings()) {
      std::cout << Short(id) << "  " << m.level << "  " << When(m.starts_ms) << "  " << m.title
                << (m.minutes_approved(view->partners) ? "  minutes approved" : "") << "\n";
    }
    return kExitOk;
  }
  auto id = client::Agenda::Resolve(*view, "meeting", a.id);
  if (!id) return Fail(id.error());
  const agenda::Meeting& m = *view->book->FindMeeting(*id);
  if (a.target.common.json) {
    PrintJson(agenda::MeetingJson(*view->book, m));
    return kExitOk;
  }
  std::cout << m.level << " meeting " << m.id << "  [" << m.label << "]\n  " << m.title << ", "
            << When(m.starts_ms) << (m.location.empty() ? "" : ", " + m.location) << "\n";
  for (const auto& at : m.attendees) {
    std::cout << "  attendee " << at.partner << "  " << at.organisation << "  " << at.name << "\n";
  }
  for (size_t i = 0; i < m.agenda.size(); ++i) {
    std::cout << "  " << i + 1 << ". " << m.agenda[i].title
              << (m.agenda[i].refers.empty() ? "" : "  → " + m.agenda[i].refers) << "\n";
  }
  if (!m.minutes.versions.empty()) {
    const auto& v = m.minutes.current();
    std::cout << "  minutes version " << v.number << "  sha256 " << v.text_sha256 << "\n";
    if (auto t = m.minutes_text.find(v.number); t != m.minutes_text.end()) {
      std::cout << "    | " << t->second << "\n";
    }
    for (const auto& ap : m.minutes.approvals) {
      std::cout << "  approved by " << ap.partner << " (" << ap.at.member << ")\n";
    }
    auto waiting = m.minutes.AwaitingApproval(view->partners);
    if (waiting.empty()) {
      std::cout << "  minutes APPROVED by every partner\n";
    } else {
      std::string list;
      for (const auto& p : waiting) list += (list.empty() ? "" : ", ") + p;
      std::cout << "  awaiting approval by: " << list << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddAgendaCommands(CLI::App& app, int* exit_code) {
  auto* st = app.add_subcommand("statement", "Joint statements: draft, approve, release, export");
  st->require_subcommand(1);
  st->footer(
      "A statement is versioned text in one or more languages. Each partner's approver (the\n"
      "policy's decision authority) approves an exact version; a new version voids approvals.\n"
      "It is released once every partner approved the current version, that version is\n"
      "UNCLASSIFIED (lowering the label is a new version every partner approves) and its\n"
      "embargo has passed. docs/formats/agenda.md");
  auto add = [&](const char* name, const char* help, auto setup) {
    auto* cmd = st->add_subcommand(name, help);
    auto args = std::make_shared<StatementArgs>();
    if (std::string(name) != "verify") AddTarget(cmd, args->target);
    setup(cmd, *args);
    std::string step = name;
    cmd->callback([args, step, exit_code] { *exit_code = RunStatement(*args, step); });
  };
  auto texts = [](CLI::App* cmd, StatementArgs& a) {
    cmd->add_option("--title", a.title, "The statement's title")->required();
    cmd->add_option("--text", a.texts, "LANG=FILE, e.g. en=en.txt ko=ko.txt (repeatable)")
        ->required();
    cmd->add_option("--authoritative", a.authoritative,
                    "The authoritative language, or equal (default)");
    cmd->add_option("--embargo", a.embargo, "Not to be released before (UTC, 2027-05-14T09:00Z)");
  };
  add("draft", "Draft a statement", [&](CLI::App* cmd, StatementArgs& a) {
    texts(cmd, a);
    cmd->add_option("--label", a.label, "Its label: the ceiling its versions are sealed at")
        ->required();
  });
  add("revise", "Publish a new version (voids approvals)", [&](CLI::App* cmd, StatementArgs& a) {
    cmd->add_option("id", a.id, "The statement")->required();
    texts(cmd, a);
    cmd->add_option("--label", a.label,
                    "The version's label (lower it to UNCLASSIFIED to release)");
  });
  add("comment", "Comment on the current version", [](CLI::App* cmd, StatementArgs& a) {
    cmd->add_option("id", a.id, "The statement")->required();
    cmd->add_option("text", a.text, "The comment")->required();
  });
  add("approve", "Approve the current version", [](CLI::App* cmd, StatementArgs& a) {
    cmd->add_option("id", a.id, "The statement")->required();
    cmd->add_option("--version", a.version, "8+ hex digits of the version's SHA-256")->required();
  });
  add("release", "Release it (every approval, UNCLASSIFIED, embargo passed)",
      [](CLI::App* cmd, StatementArgs& a) {
        cmd->add_option("id", a.id, "The statement")->required();
        cmd->add_option("--note", a.note, "A note on the release");
      });
  add("show", "A statement: versions, texts, approvals, comments",
      [](CLI::App* cmd, StatementArgs& a) {
        cmd->add_option("id", a.id, "The statement")->required();
      });
  add("list", "The space's statements", [](CLI::App*, StatementArgs&) {});
  add("export", "Write the released statement with its approvals and log proofs",
      [](CLI::App* cmd, StatementArgs& a) {
        cmd->add_option("id", a.id, "The statement")->required();
        cmd->add_option("--out", a.out, "The file to write")->required();
      });
  add("verify", "Verify an exported statement offline", [](CLI::App* cmd, StatementArgs& a) {
    cmd->add_option("file", a.text, "The export")->required();
    cmd->add_option("--node-key", a.node_keys, "PARTNER=KEY: a node key to trust (repeatable)");
    cmd->add_option("--node-dir", a.node_dir, "Trust the node keys this node pinned");
  });

  auto* ws = app.add_subcommand("workstream", "Workstreams: milestones, status, progress report");
  ws->require_subcommand(1);
  auto wadd = [&](const char* name, const char* help, auto setup) {
    auto* cmd = ws->add_subcommand(name, help);
    auto args = std::make_shared<WorkstreamArgs>();
    AddTarget(cmd, args->target);
    setup(cmd, *args);
    std::string step = name;
    cmd->callback([args, step, exit_code] { *exit_code = RunWorkstream(*args, step); });
  };
  wadd("create", "Create a workstream", [](CLI::App* cmd, WorkstreamArgs& a) {
    cmd->add_option("--title", a.title, "Its title")->required();
    cmd->add_option("--description", a.description, "What it is for");
    cmd->add_option("--co-leads", a.co_leads, "Member ids, one per partner: alice@USA,kim@KOR");
    cmd->add_option("--label", a.label, "Its label")->required();
  });
  wadd("milestone", "Add or change a milestone", [](CLI::App* cmd, WorkstreamArgs& a) {
    cmd->add_option("id", a.id, "The workstream")->required();
    cmd->add_option("--id", a.milestone, "The milestone's id, e.g. M1")->required();
    cmd->add_option("--title", a.title, "What is to be done")->required();
    cmd->add_option("--owner", a.owner, "Member id");
    cmd->add_option("--due", a.due, "Due date (UTC)");
    cmd->add_option("--status", a.milestone_status, "planned, done or dropped");
  });
  wadd("status", "Set the status with a rationale", [](CLI::App* cmd, WorkstreamArgs& a) {
    cmd->add_option("id", a.id, "The workstream")->required();
    cmd->add_option("status", a.status, "on-track, at-risk or off-track")->required();
    cmd->add_option("--rationale", a.rationale, "Why")->required();
  });
  wadd("update", "A progress note, or an improvement item (--item)",
       [](CLI::App* cmd, WorkstreamArgs& a) {
         cmd->add_option("id", a.id, "The workstream")->required();
         cmd->add_option("text", a.text, "The note")->required();
         cmd->add_flag("--item", a.item, "An improvement item handed to the workstream");
       });
  wadd("show", "A workstream", [](CLI::App* cmd, WorkstreamArgs& a) {
    cmd->add_option("id", a.id, "The workstream")->required();
  });
  wadd("list", "The space's workstreams", [](CLI::App*, WorkstreamArgs&) {});
  wadd("report", "Progress report for the plenary (HTML, Markdown, JSON)",
       [](CLI::App* cmd, WorkstreamArgs& a) {
         cmd->add_option("--since", a.since, "Changes since (the last plenary), UTC date");
         cmd->add_option("--out", a.out, "The directory to write into")->required();
       });

  auto* mt = app.add_subcommand("meeting", "Plenary and working-level meetings");
  mt->require_subcommand(1);
  auto madd = [&](const char* name, const char* help, auto setup) {
    auto* cmd = mt->add_subcommand(name, help);
    auto args = std::make_shared<MeetingArgs>();
    AddTarget(cmd, args->target);
    setup(cmd, *args);
    std::string step = name;
    cmd->callback([args, step, exit_code] { *exit_code = RunMeeting(*args, step); });
  };
  auto plan = [](CLI::App* cmd, MeetingArgs& a) {
    cmd->add_option("--starts", a.starts, "When (UTC): 2027-05-14T09:00Z");
    cmd->add_option("--location", a.location, "Where");
    cmd->add_option("--attendee", a.attendees, "PARTNER:ORGANISATION:NAME (repeatable)");
    cmd->add_option("--item", a.items,
                    "Agenda item, optionally =consultation:ID, =workstream:ID or =statement:ID");
  };
  madd("schedule", "Schedule a meeting", [&](CLI::App* cmd, MeetingArgs& a) {
    cmd->add_option("--title", a.title, "Its title")->required();
    cmd->add_option("--level", a.level, "plenary or working")->default_val("working");
    cmd->add_option("--label", a.label, "Its label")->required();
    plan(cmd, a);
  });
  madd("agenda", "Set a meeting's agenda (and time, place)", [&](CLI::App* cmd, MeetingArgs& a) {
    cmd->add_option("id", a.id, "The meeting")->required();
    plan(cmd, a);
  });
  madd("minutes", "Publish (a new version of) the minutes", [](CLI::App* cmd, MeetingArgs& a) {
    cmd->add_option("id", a.id, "The meeting")->required();
    cmd->add_option("--text", a.text_file, "File with the minutes")->required();
    cmd->add_option("--action", a.actions, "Action item ID|OWNER|DUE|TEXT (repeatable)");
  });
  madd("approve", "Approve the current minutes", [](CLI::App* cmd, MeetingArgs& a) {
    cmd->add_option("id", a.id, "The meeting")->required();
    cmd->add_option("--version", a.version, "8+ hex digits of the minutes' SHA-256")->required();
  });
  madd("actions", "Action items from the minutes, due and overdue",
       [](CLI::App* cmd, MeetingArgs& a) { cmd->add_option("id", a.id, "Only this meeting"); });
  madd("show", "A meeting: agenda, attendees, minutes, approvals",
       [](CLI::App* cmd, MeetingArgs& a) {
         cmd->add_option("id", a.id, "The meeting")->required();
       });
  madd("list", "The space's meetings", [](CLI::App*, MeetingArgs&) {});
}

}  // namespace entente::cli
