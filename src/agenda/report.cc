// agenda/report.cc: the plenary progress report of workstreams (report.h).
//
// The figures are worked out once (BuildView) and then written three ways, so the HTML, the
// Markdown and the JSON cannot disagree.
//
// Every piece of text from the input goes through Clean (valid UTF-8, no control characters but
// tab and line breaks), then EscapeHtml or EscapeMarkdown; only this file writes markup. The HTML
// is XHTML-compatible, so an XML parser can check it: void elements are self-closed, attribute
// values are double-quoted, and the CSS holds no `<`, `>` or `&`. There is no script and no URL
// but the page's own #anchors.
#include "agenda/report.h"

#include <sys/types.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/encoding.h"
#include "base/file.h"

namespace entente::agenda {
namespace {

constexpr mode_t kReportFileMode = 0600;  // the report carries the space's classification
constexpr std::string_view kReplacementChar = "\uFFFD";
constexpr std::string_view kDash = "\u2014";

// ---------------------------------------------------------------------------------------------
// Text.

// The length of the UTF-8 encoded scalar value that `s` (not empty) starts with, or 0 when it
// does not start with one (a stray continuation byte, an overlong form, a surrogate, a truncated
// sequence, a value above U+10FFFF).
size_t Utf8Length(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s.front());
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t value = 0, smallest = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1Fu, smallest = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0Fu, smallest = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07u, smallest = 0x10000;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[k]);
    if ((next & 0xC0u) != 0x80u) return 0;
    value = (value << 6) | (next & 0x3Fu);
  }
  bool surrogate = value >= 0xD800 && value <= 0xDFFF;
  if (value < smallest || value > 0x10FFFF || surrogate) return 0;
  return length;
}

// `in` as valid UTF-8 without the control characters XML forbids: each offending byte becomes
// U+FFFD. Tab, line feed and carriage return stay.
std::string Clean(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    size_t length = Utf8Length(in);
    if (length == 0) {
      out += kReplacementChar;
      in.remove_prefix(1);
      continue;
    }
    if (length == 1) {
      const auto c = static_cast<unsigned char>(in.front());
      bool allowed = c >= 0x20 ? c != 0x7F : (c == '\t' || c == '\n' || c == '\r');
      if (allowed) {
        out += in.front();
      } else {
        out += kReplacementChar;
      }
    } else {
      out.append(in.substr(0, length));
    }
    in.remove_prefix(length);
  }
  return out;
}

// Text as HTML element content or a double-quoted attribute value.
std::string EscapeHtml(std::string_view text) {
  std::string out;
  for (char c : Clean(text)) {
    std::string_view entity;
    switch (c) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&#39;";
        break;
      default:
        break;
    }
    if (entity.empty()) {
      out += c;
    } else {
      out += entity;
    }
  }
  return out;
}

// Text on one line of Markdown (a paragraph, a heading or a pipe-table cell): line breaks become
// spaces and every character that CommonMark or a GitHub table could read as markup or raw HTML
// is backslash-escaped, `|` included.
std::string EscapeMarkdown(std::string_view text) {
  constexpr std::string_view kSpecial = "\\`*_[]<>|&#~!";
  std::string out;
  for (char c : Clean(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
      continue;
    }
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string JoinText(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Time: UTC, as dates for due dates and as date and minute for changes.

struct CivilTime {
  int year = 0;
  unsigned month = 0, day = 0;
  long hour = 0, minute = 0;
};

CivilTime CivilOf(uint64_t ms) {
  using std::chrono::days;
  using std::chrono::floor;
  TimeMs t = FromUnixMs(ms);
  auto midnight = floor<days>(t);
  std::chrono::year_month_day date{midnight};
  std::chrono::hh_mm_ss clock{floor<std::chrono::minutes>(t - midnight)};
  return CivilTime{.year = static_cast<int>(date.year()),
                   .month = static_cast<unsigned>(date.month()),
                   .day = static_cast<unsigned>(date.day()),
                   .hour = static_cast<long>(clock.hours().count()),
                   .minute = static_cast<long>(clock.minutes().count())};
}

// "2027-05-14".
std::string Date(uint64_t ms) {
  CivilTime c = CivilOf(ms);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", c.year, c.month, c.day);
  return text;
}

// "2027-05-14 09:30".
std::string DateMinute(uint64_t ms) {
  CivilTime c = CivilOf(ms);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02ld:%02ld", c.year, c.month, c.day, c.hour,
                c.minute);
  return text;
}

// A date, with the time of day when it is not midnight: "2027-05-14", "2027-05-14 09:30 UTC".
std::string DateOrMinute(uint64_t ms) {
  constexpr uint64_t kMsPerDay = 24ull * 60 * 60 * 1000;
  return ms % kMsPerDay == 0 ? Date(ms) : DateMinute(ms) + " UTC";
}

// ---------------------------------------------------------------------------------------------
// What is counted.

struct StatusLook {
  std::string css;    // badge class
  std::string label;  // for people
};

StatusLook LookOfStatus(std::string_view status) {
  if (status == "on-track") return {"st-on", "On track"};
  if (status == "at-risk") return {"st-risk", "At risk"};
  if (status == "off-track") return {"st-off", "Off track"};
  return {"st-other", status.empty() ? std::string("Not stated") : Clean(status)};
}

enum class MilestoneState { kDone, kDoneLate, kLate, kUpcoming, kDropped };

// The rules of report.h's table. A due_ms of 0 means no due date: such a milestone is never
// late. A done milestone without done_ms counts as done on time: nothing says it was late.
MilestoneState MilestoneStateOf(const Milestone& m, uint64_t now_ms) {
  if (m.status == "dropped") return MilestoneState::kDropped;
  if (m.status == "done") {
    bool late = m.due_ms != 0 && m.done_ms.has_value() && *m.done_ms > m.due_ms;
    return late ? MilestoneState::kDoneLate : MilestoneState::kDone;
  }
  if (m.due_ms != 0 && m.due_ms < now_ms) return MilestoneState::kLate;
  return MilestoneState::kUpcoming;
}

std::string_view StateId(MilestoneState state) {
  switch (state) {
    case MilestoneState::kDone:
      return "done";
    case MilestoneState::kDoneLate:
      return "done-late";
    case MilestoneState::kLate:
      return "late";
    case MilestoneState::kUpcoming:
      return "upcoming";
    case MilestoneState::kDropped:
      return "dropped";
  }
  return "upcoming";
}

std::string_view StateLabel(MilestoneState state) {
  switch (state) {
    case MilestoneState::kDone:
      return "Done";
    case MilestoneState::kDoneLate:
      return "Done late";
    case MilestoneState::kLate:
      return "Late";
    case MilestoneState::kUpcoming:
      return "Upcoming";
    case MilestoneState::kDropped:
      return "Dropped";
  }
  return "Upcoming";
}

struct MilestoneCounts {
  size_t total = 0;  // not dropped
  size_t done = 0;   // done, on time or late
  size_t done_late = 0;
  size_t late = 0;  // open and past due
  size_t upcoming = 0;
  size_t dropped = 0;

  void Count(MilestoneState state) {
    switch (state) {
      case MilestoneState::kDone:
        ++done;
        break;
      case MilestoneState::kDoneLate:
        ++done, ++done_late;
        break;
      case MilestoneState::kLate:
        ++late;
        break;
      case MilestoneState::kUpcoming:
        ++upcoming;
        break;
      case MilestoneState::kDropped:
        ++dropped;
        return;
    }
    ++total;
  }
  void Add(const MilestoneCounts& o) {
    total += o.total, done += o.done, done_late += o.done_late, late += o.late;
    upcoming += o.upcoming, dropped += o.dropped;
  }
  nlohmann::json ToJson() const {
    return {{"total", total}, {"done", done},         {"done_late", done_late},
            {"late", late},   {"upcoming", upcoming}, {"dropped", dropped}};
  }
};

// One update since the last plenary, in words.
struct Change {
  const WorkstreamUpdate* update = nullptr;
  std::string summary;  // "Status: At risk", "Milestone \"Draft SOP\" done", "Progress note"
  std::string action;   // milestones: set, done, dropped or updated; "" otherwise
};

struct ChangeCounts {
  size_t total = 0, status = 0, milestone_set = 0, milestone_done = 0, milestone_other = 0,
         progress = 0, other = 0;
  void Count(const Change& change) {
    ++total;
    const std::string& type = change.update->type;
    if (type == "status") {
      ++status;
    } else if (type == "milestone") {
      if (change.action == "set") {
        ++milestone_set;
      } else if (change.action == "done") {
        ++milestone_done;
      } else {
        ++milestone_other;
      }
    } else if (type == "progress") {
      ++progress;
    } else {
      ++other;
    }
  }
  nlohmann::json ToJson() const {
    return {{"total", total},
            {"status", status},
            {"milestone_set", milestone_set},
            {"milestone_done", milestone_done},
            {"milestone_other", milestone_other},
            {"progress", progress},
            {"other", other}};
  }
};

struct ItemCounts {
  size_t open = 0, overdue = 0, done = 0;
};

struct MilestoneRow {
  const Milestone* milestone = nullptr;
  MilestoneState state = MilestoneState::kUpcoming;
};

struct WorkstreamView {
  const Workstream* workstream = nullptr;
  std::string name;                      // its title, or a stand-in when the title was not opened
  std::string anchor;                    // "ws-1"
  std::vector<MilestoneRow> milestones;  // by due date
  MilestoneCounts milestone_counts;
  std::vector<Change> changes;  // in the order of the updates
  ChangeCounts change_counts;
  std::vector<const ImprovementItem*> open_items;
  ItemCounts item_counts;
};

struct ReportView {
  std::vector<WorkstreamView> workstreams;
  std::vector<const ImprovementItem*> unassigned_open;  // matched no workstream, not done
  size_t unassigned_done = 0;
  MilestoneCounts milestones;
  ItemCounts items;  // of the workstreams
  size_t changes = 0;
  size_t on_track = 0, at_risk = 0, off_track = 0, other_status = 0;
  std::string changes_heading;  // "Changes since 2027-05-14 (Plenary 2027-05-14)"
};

std::string NameOf(const Workstream& w) {
  if (!w.title.empty()) return Clean(w.title);
  constexpr size_t kShownIdChars = 8;
  if (w.id.empty()) return "Untitled workstream";
  return "Workstream " + Clean(std::string_view(w.id).substr(0, kShownIdChars));
}

std::string MilestoneName(const Workstream& w, std::string_view id) {
  auto it = w.milestones.find(std::string(id));
  if (it != w.milestones.end() && !it->second.title.empty()) return Clean(it->second.title);
  return Clean(id);
}

// What a milestone update did: its own status when the fold recorded one, else what the
// milestone holds if this update is the latest that set it, else "updated" (superseded).
std::string MilestoneAction(const Workstream& w, const WorkstreamUpdate& u) {
  std::string_view status = u.status;
  if (status.empty()) {
    auto it = w.milestones.find(u.milestone);
    bool latest = it != w.milestones.end() && !u.at.event_id.empty() &&
                  it->second.at.event_id == u.at.event_id;
    if (!latest) return "updated";
    status = it->second.status;
  }
  if (status == "done") return "done";
  if (status == "dropped") return "dropped";
  if (status == "planned" || status.empty()) return "set";
  return Clean(status);
}

Change Describe(const Workstream& w, const WorkstreamUpdate& u) {
  Change change{.update = &u};
  if (u.type == "status") {
    change.summary = "Status: " + LookOfStatus(u.status).label;
  } else if (u.type == "milestone") {
    change.action = MilestoneAction(w, u);
    change.summary = "Milestone \u201c" + MilestoneName(w, u.milestone) + "\u201d " + change.action;
  } else if (u.type == "progress") {
    change.summary = "Progress note";
  } else if (u.type == "item") {
    change.summary = "Item";
  } else {
    change.summary = u.type.empty() ? std::string("Update") : Clean(u.type);
  }
  return change;
}

// An item belongs to the first workstream whose id it names, else to the first whose title it
// names; -1 when none.
long OwnerIndex(const std::vector<WorkstreamView>& views, const ImprovementItem& item) {
  for (size_t i = 0; i < views.size(); ++i) {
    if (views[i].workstream->id == item.workstream) return static_cast<long>(i);
  }
  for (size_t i = 0; i < views.size(); ++i) {
    const std::string& title = views[i].workstream->title;
    if (!title.empty() && title == item.workstream) return static_cast<long>(i);
  }
  return -1;
}

bool Overdue(const ImprovementItem& item, uint64_t now_ms) {
  return item.due_ms.has_value() && *item.due_ms < now_ms;
}

ReportView BuildView(const ProgressReportInput& in) {
  ReportView view;
  for (const Workstream* w : in.workstreams) {
    if (w == nullptr) continue;
    WorkstreamView v;
    v.workstream = w;
    v.name = NameOf(*w);
    v.anchor = "ws-" + std::to_string(view.workstreams.size() + 1);
    for (const auto& [id, m] : w->milestones) {
      MilestoneRow row{.milestone = &m, .state = MilestoneStateOf(m, in.now_ms)};
      v.milestone_counts.Count(row.state);
      v.milestones.push_back(row);
    }
    // By due date, undated last; then by title and id, so the order never depends on the map.
    auto key = [](const MilestoneRow& r) {
      const Milestone& m = *r.milestone;
      return std::tuple(m.due_ms == 0, m.due_ms, std::string_view(m.title), std::string_view(m.id));
    };
    std::stable_sort(v.milestones.begin(), v.milestones.end(),
                     [&](const MilestoneRow& a, const MilestoneRow& b) { return key(a) < key(b); });
    for (const WorkstreamUpdate& u : w->updates) {
      if (u.at.created_ms < in.since_ms) continue;
      v.changes.push_back(Describe(*w, u));
      v.change_counts.Count(v.changes.back());
    }
    if (w->status == "on-track") {
      ++view.on_track;
    } else if (w->status == "at-risk") {
      ++view.at_risk;
    } else if (w->status == "off-track") {
      ++view.off_track;
    } else {
      ++view.other_status;
    }
    view.milestones.Add(v.milestone_counts);
    view.changes += v.change_counts.total;
    view.workstreams.push_back(std::move(v));
  }
  for (const ImprovementItem& item : in.items) {
    long owner = OwnerIndex(view.workstreams, item);
    if (owner < 0) {
      if (item.done) {
        ++view.unassigned_done;
      } else {
        view.unassigned_open.push_back(&item);
      }
      continue;
    }
    WorkstreamView& v = view.workstreams[static_cast<size_t>(owner)];
    ItemCounts& counts = v.item_counts;
    if (item.done) {
      ++counts.done, ++view.items.done;
      continue;
    }
    v.open_items.push_back(&item);
    ++counts.open, ++view.items.open;
    if (Overdue(item, in.now_ms)) ++counts.overdue, ++view.items.overdue;
  }
  if (in.since_ms == 0) {
    view.changes_heading = "All changes";
  } else {
    view.changes_heading = "Changes since " + DateOrMinute(in.since_ms);
    if (in.last_plenary) view.changes_heading += " (" + Clean(*in.last_plenary) + ")";
  }
  return view;
}

std::string DoneOfTotal(const MilestoneCounts& c) {
  return std::to_string(c.done) + "/" + std::to_string(c.total);
}

// "1 open item", "2 open items".
std::string CountOf(size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

// A workstream's figures in one sentence: "2 of 3 milestones done (1 done late); 1 late,
// 0 upcoming; 1 open item (1 overdue)."
std::string FiguresSentence(const WorkstreamView& v) {
  const MilestoneCounts& c = v.milestone_counts;
  std::string out =
      std::to_string(c.done) + " of " + CountOf(c.total, "milestone", "milestones") + " done";
  if (c.done_late > 0) out += " (" + std::to_string(c.done_late) + " done late)";
  out += "; " + std::to_string(c.late) + " late, " + std::to_string(c.upcoming) + " upcoming";
  if (c.dropped > 0) out += ", " + std::to_string(c.dropped) + " dropped";
  out += "; " + CountOf(v.item_counts.open, "open item", "open items");
  if (v.item_counts.overdue > 0) out += " (" + std::to_string(v.item_counts.overdue) + " overdue)";
  return out + ".";
}

std::string Subtitle(const ProgressReportInput& in, const ReportView& view) {
  std::vector<std::string> parts;
  if (!in.partners.empty()) {
    std::vector<std::string> partners;
    for (const std::string& p : in.partners) partners.push_back(Clean(p));
    parts.push_back("Partners: " + JoinText(partners, ", "));
  }
  parts.push_back("As of " + DateMinute(in.now_ms) + " UTC");
  parts.push_back(view.changes_heading);
  return JoinText(parts, " \u00b7 ");
}

std::string Title(const ProgressReportInput& in) {
  return "Workstream progress report: " +
         (in.space.empty() ? std::string("(space not named)") : Clean(in.space));
}

constexpr std::string_view kStateLegend =
    "Done: finished by its due date. Done late: finished after it. Late: not done and past its "
    "due date. Upcoming: due later, or no due date. Dropped milestones are not counted in the "
    "total.";

// ---------------------------------------------------------------------------------------------
// JSON.

nlohmann::json OptionalMs(const std::optional<uint64_t>& ms) {
  return ms ? nlohmann::json(*ms) : nlohmann::json(nullptr);
}

nlohmann::json ItemJson(const ImprovementItem& item, uint64_t now_ms) {
  return {{"workstream", Clean(item.workstream)},
          {"source", Clean(item.source)},
          {"text", Clean(item.text)},
          {"owner", Clean(item.owner)},
          {"due_ms", OptionalMs(item.due_ms)},
          {"due", item.due_ms ? nlohmann::json(Date(*item.due_ms)) : nlohmann::json(nullptr)},
          {"overdue", Overdue(item, now_ms)},
          {"done", item.done}};
}

nlohmann::json WorkstreamViewJson(const WorkstreamView& v, uint64_t now_ms) {
  const Workstream& w = *v.workstream;
  nlohmann::json co_leads = nlohmann::json::array();
  for (const std::string& lead : w.co_leads) co_leads.push_back(Clean(lead));
  nlohmann::json milestones = nlohmann::json::array();
  for (const MilestoneRow& row : v.milestones) {
    const Milestone& m = *row.milestone;
    milestones.push_back(
        {{"id", Clean(m.id)},
         {"title", Clean(m.title)},
         {"owner", Clean(m.owner)},
         {"status", Clean(m.status)},
         {"state", StateId(row.state)},
         {"due_ms", m.due_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(m.due_ms)},
         {"due", m.due_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(Date(m.due_ms))},
         {"done_ms", OptionalMs(m.done_ms)},
         {"done", m.done_ms ? nlohmann::json(Date(*m.done_ms)) : nlohmann::json(nullptr)}});
  }
  nlohmann::json changes = nlohmann::json::array();
  for (const Change& change : v.changes) {
    const WorkstreamUpdate& u = *change.update;
    changes.push_back({{"created_ms", u.at.created_ms},
                       {"at", DateMinute(u.at.created_ms)},
                       {"event_id", Clean(u.at.event_id)},
                       {"member", Clean(u.at.member)},
                       {"type", Clean(u.type)},
                       {"status", Clean(u.status)},
                       {"milestone", Clean(u.milestone)},
                       {"action", change.action},
                       {"summary", change.summary},
                       {"text", Clean(u.text)}});
  }
  nlohmann::json items = nlohmann::json::array();
  for (const ImprovementItem* item : v.open_items) items.push_back(ItemJson(*item, now_ms));
  return {{"id", Clean(w.id)},
          {"title", Clean(w.title)},
          {"name", v.name},
          {"label", Clean(w.label)},
          {"exercise", w.exercise_id.empty() ? nlohmann::json(nullptr)
                                             : nlohmann::json(HexEncode(w.exercise_id))},
          {"due_ms", OptionalMs(w.due_ms)},
          {"due", w.due_ms ? nlohmann::json(Date(*w.due_ms)) : nlohmann::json(nullptr)},
          {"co_leads", co_leads},
          {"status", Clean(w.status)},
          {"rationale", Clean(w.rationale)},
          {"counts",
           {{"milestones", v.milestone_counts.ToJson()},
            {"changes", v.change_counts.ToJson()},
            {"open_items", v.item_counts.open},
            {"overdue_items", v.item_counts.overdue},
            {"done_items", v.item_counts.done}}},
          {"milestones", milestones},
          {"changes", changes},
          {"open_items", items}};
}

nlohmann::json ReportJson(const ProgressReportInput& in, const ReportView& view) {
  nlohmann::json partners = nlohmann::json::array();
  for (const std::string& p : in.partners) partners.push_back(Clean(p));
  nlohmann::json workstreams = nlohmann::json::array();
  for (const WorkstreamView& v : view.workstreams) {
    workstreams.push_back(WorkstreamViewJson(v, in.now_ms));
  }
  nlohmann::json unassigned = nlohmann::json::array();
  for (const ImprovementItem* item : view.unassigned_open) {
    unassigned.push_back(ItemJson(*item, in.now_ms));
  }
  return {{"report", "workstream progress"},
          {"space", Clean(in.space)},
          {"classification", Clean(in.classification)},
          {"partners", partners},
          {"since_ms", in.since_ms},
          {"since", in.since_ms == 0 ? nlohmann::json(nullptr)
                                     : nlohmann::json(FormatRfc3339(FromUnixMs(in.since_ms)))},
          {"last_plenary",
           in.last_plenary ? nlohmann::json(Clean(*in.last_plenary)) : nlohmann::json(nullptr)},
          {"now_ms", in.now_ms},
          {"generated_at", FormatRfc3339(FromUnixMs(in.now_ms))},
          {"totals",
           {{"workstreams", view.workstreams.size()},
            {"status",
             {{"on-track", view.on_track},
              {"at-risk", view.at_risk},
              {"off-track", view.off_track},
              {"other", view.other_status}}},
            {"milestones", view.milestones.ToJson()},
            {"changes", view.changes},
            {"open_items", view.items.open},
            {"overdue_items", view.items.overdue},
            {"done_items", view.items.done},
            {"unassigned_open_items", view.unassigned_open.size()},
            {"unassigned_done_items", view.unassigned_done}}},
          {"workstreams", workstreams},
          {"unassigned_items", unassigned}};
}

// ---------------------------------------------------------------------------------------------
// HTML.

constexpr std::string_view kStyle = R"css(
*{box-sizing:border-box}
body{margin:0;background:#eef2f6;color:#1f2933;font:15px/1.55 "Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.banner{text-align:center;font-weight:700;letter-spacing:.25em;padding:5px 8px;font-size:13px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.cls-ts{background:#ff8c00;color:#000}
.cls-s{background:#c8102e;color:#fff}
.cls-c{background:#0033a0;color:#fff}
.cls-r{background:#6d4c41;color:#fff}
.cls-u{background:#007a33;color:#fff}
.cls-other{background:#52606d;color:#fff}
main{max-width:1120px;margin:24px auto;padding:28px 40px 40px;background:#fff;border-radius:6px;box-shadow:0 1px 4px rgba(16,42,67,.12)}
header.title{border-bottom:3px solid #102a43;padding-bottom:14px;margin-bottom:8px}
.kicker{font-size:12px;font-weight:700;letter-spacing:.18em;color:#829ab1;text-transform:uppercase}
h1{font-size:28px;line-height:1.25;margin:4px 0 2px;color:#102a43}
.subtitle{color:#52606d;font-size:15px}
h2{font-size:20px;margin:38px 0 12px;padding-bottom:6px;border-bottom:1px solid #d9e2ec;color:#102a43}
h3{font-size:16px;margin:22px 0 8px;color:#243b53}
p.note{color:#627d98;font-size:13px;margin:4px 0 10px}
p.leads{margin:4px 0;color:#334e68}
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 14px}
th{text-align:left;background:#f0f4f8;color:#334e68;font-weight:600;padding:8px 10px;border-bottom:2px solid #d9e2ec;white-space:nowrap}
td{padding:7px 10px;border-bottom:1px solid #e4e7eb;vertical-align:top}
tbody tr:nth-child(even) td{background:#fafbfc}
tfoot td{font-weight:700;border-top:2px solid #d9e2ec;border-bottom:none}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}
td.date{white-space:nowrap;font-variant-numeric:tabular-nums}
.muted{color:#829ab1}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0 6px}
.card{flex:1 1 130px;border:1px solid #d9e2ec;border-top-width:4px;border-top-color:#243b53;border-radius:6px;padding:10px 14px}
.card .value{font-size:26px;font-weight:700;color:#102a43;line-height:1.2}
.card .label{font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:#627d98}
.card-on{border-top-color:#2e7d32}
.card-risk{border-top-color:#f9a825}
.card-off{border-top-color:#c62828}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;font-size:12px;text-align:center;color:#fff;white-space:nowrap;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.st-on{background:#2e7d32}
.st-risk{background:#f9a825;color:#3e2c00}
.st-off{background:#c62828}
.st-other{background:#9aa5b1}
.exercise{background:#102a43;color:#ffd54f}
.ms-done{background:#2e7d32}
.ms-done-late{background:#ef6c00}
.ms-late{background:#c62828}
.ms-upcoming{background:#486581}
.ms-dropped{background:#9aa5b1}
.overdue{color:#c62828;font-weight:700}
.status-line{margin:10px 0 4px}
.rationale{border-left:4px solid #d9e2ec;background:#f8fafc;color:#334e68;padding:8px 14px;margin:8px 0 6px}
.figures{color:#334e68;font-size:14px;margin:6px 0}
a{color:#1f4e8c}
footer{margin-top:36px;padding-top:12px;border-top:1px solid #d9e2ec;color:#829ab1;font-size:12px}
@media print{
body{background:#fff;font-size:11pt}
main{max-width:none;margin:0;padding:0 6mm;box-shadow:none;border-radius:0}
h2,h3{break-after:avoid;page-break-after:avoid}
tr,.card,.rationale{break-inside:avoid;page-break-inside:avoid}
a{color:inherit;text-decoration:none}
}
)css";

// The banner's class, by the conventional colours of the level the marking starts with.
std::string_view BannerClass(std::string_view classification) {
  std::string upper;
  for (char c : classification) {
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  struct Level {
    std::string_view prefix, css;
  };
  static constexpr Level kLevels[] = {{"TOP SECRET", "cls-ts"},
                                      {"SECRET", "cls-s"},
                                      {"CONFIDENTIAL", "cls-c"},
                                      {"RESTRICTED", "cls-r"},
                                      {"UNCLASSIFIED", "cls-u"}};
  for (const Level& level : kLevels) {
    if (std::string_view(upper).starts_with(level.prefix)) return level.css;
  }
  return "cls-other";
}

// <name class="css">markup</name>; `markup` is HTML already, `css` a class name of this file.
std::string Element(std::string_view name, std::string_view css, std::string_view markup) {
  std::string out = "<" + std::string(name);
  if (!css.empty()) out += " class=\"" + std::string(css) + "\"";
  return out + ">" + std::string(markup) + "</" + std::string(name) + ">";
}

// The same with `text` escaped.
std::string TextElement(std::string_view name, std::string_view css, std::string_view text) {
  return Element(name, css, EscapeHtml(text));
}

std::string Badge(std::string_view css, std::string_view label) {
  return TextElement("span", "badge " + std::string(css), label);
}

std::string StatusBadge(std::string_view status) {
  StatusLook look = LookOfStatus(status);
  return Badge(look.css, look.label);
}

std::string StateBadge(MilestoneState state) {
  return Badge("ms-" + std::string(StateId(state)), StateLabel(state));
}

std::string Muted(std::string_view text) { return TextElement("span", "muted", text); }

std::string OrDash(std::string_view text) { return text.empty() ? Muted(kDash) : EscapeHtml(text); }

std::string HeaderRow(std::initializer_list<std::pair<std::string_view, bool>> columns) {
  std::string row;
  for (const auto& [label, numeric] : columns)
    row += TextElement("th", numeric ? "num" : "", label);
  return "<thead>" + Element("tr", "", row) + "</thead>\n";
}

std::string Card(std::string_view css, std::string_view value, std::string_view label) {
  return Element("div", "card " + std::string(css),
                 TextElement("div", "value", value) + TextElement("div", "label", label));
}

void HtmlBanner(std::string& out, std::string_view classification) {
  if (classification.empty()) return;
  out += TextElement("div", "banner " + std::string(BannerClass(classification)), classification);
  out += "\n";
}

void HtmlSummary(std::string& out, const ReportView& view) {
  out += "<div class=\"cards\">";
  out += Card("", std::to_string(view.workstreams.size()), "Workstreams");
  out += Card("card-on", std::to_string(view.on_track), "On track");
  out += Card("card-risk", std::to_string(view.at_risk), "At risk");
  out += Card("card-off", std::to_string(view.off_track), "Off track");
  out += Card("", DoneOfTotal(view.milestones), "Milestones done");
  out += Card("card-off", std::to_string(view.milestones.late), "Milestones late");
  out += Card("", std::to_string(view.items.open), "Open items");
  out += "</div>\n";

  out += "<h2 id=\"summary\">Summary</h2>\n";
  if (view.workstreams.empty()) {
    out += TextElement("p", "note", "No workstreams to report.") + "\n";
    return;
  }
  out += "<table class=\"summary\">\n";
  out += HeaderRow({{"Workstream", false},
                    {"Status", false},
                    {"Milestones done", true},
                    {"Late", true},
                    {"Open items", true}});
  out += "<tbody>\n";
  for (const WorkstreamView& v : view.workstreams) {
    std::string link = "<a href=\"#" + v.anchor + "\">" + EscapeHtml(v.name) + "</a>";
    out += "<tr>" + Element("td", "", link) + Element("td", "", StatusBadge(v.workstream->status)) +
           TextElement("td", "num", DoneOfTotal(v.milestone_counts)) +
           TextElement("td", "num", std::to_string(v.milestone_counts.late)) +
           TextElement("td", "num", std::to_string(v.item_counts.open)) + "</tr>\n";
  }
  out += "</tbody>\n<tfoot><tr>" + TextElement("td", "", "Total") + "<td></td>" +
         TextElement("td", "num", DoneOfTotal(view.milestones)) +
         TextElement("td", "num", std::to_string(view.milestones.late)) +
         TextElement("td", "num", std::to_string(view.items.open)) + "</tr></tfoot>\n</table>\n";
  out += TextElement("p", "note", kStateLegend) + "\n";
}

std::string HtmlDue(const std::optional<uint64_t>& due_ms, bool overdue) {
  if (!due_ms) return Muted(kDash);
  if (overdue) return TextElement("span", "overdue", Date(*due_ms) + " (overdue)");
  return EscapeHtml(Date(*due_ms));
}

void HtmlItemsTable(std::string& out, const std::vector<const ImprovementItem*>& items,
                    uint64_t now_ms, bool with_workstream) {
  out += "<table class=\"items\">\n";
  if (with_workstream) {
    out += HeaderRow({{"Workstream", false},
                      {"Item", false},
                      {"Source", false},
                      {"Owner", false},
                      {"Due", false}});
  } else {
    out += HeaderRow({{"Item", false}, {"Source", false}, {"Owner", false}, {"Due", false}});
  }
  out += "<tbody>\n";
  for (const ImprovementItem* item : items) {
    out += "<tr>";
    if (with_workstream) out += Element("td", "", OrDash(item->workstream));
    out += Element("td", "", OrDash(item->text)) + Element("td", "", OrDash(item->source)) +
           Element("td", "", OrDash(item->owner)) +
           Element("td", "date", HtmlDue(item->due_ms, Overdue(*item, now_ms))) + "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void HtmlWorkstream(std::string& out, const WorkstreamView& v, const ReportView& view,
                    uint64_t now_ms) {
  const Workstream& w = *v.workstream;
  out += "<section class=\"ws\" id=\"" + v.anchor + "\">\n";
  out += TextElement("h2", "", v.name) + "\n";
  std::vector<std::string> leads;
  for (const std::string& lead : w.co_leads) leads.push_back(Clean(lead));
  out += Element("p", "leads",
                 "Co-leads: " +
                     (leads.empty() ? Muted("not recorded") : EscapeHtml(JoinText(leads, ", ")))) +
         "\n";
  std::string status_line = "Status: " + StatusBadge(w.status);
  if (w.due_ms) status_line += " \u00b7 Due " + EscapeHtml(Date(*w.due_ms));
  // A workstream opened in an exercise says so wherever it is shown.
  if (!w.exercise_id.empty()) status_line += " " + Badge("exercise", "EXERCISE");
  out += Element("p", "status-line", status_line) + "\n";
  if (w.rationale.empty()) {
    out += TextElement("p", "note", "No rationale recorded for the current status.") + "\n";
  } else {
    out += TextElement("div", "rationale", w.rationale) + "\n";
  }
  out += TextElement("p", "figures", FiguresSentence(v)) + "\n";

  out += "<h3>Milestones</h3>\n";
  if (v.milestones.empty()) {
    out += TextElement("p", "note", "No milestones set.") + "\n";
  } else {
    out += "<table class=\"milestones\">\n";
    out += HeaderRow({{"Milestone", false},
                      {"Owner", false},
                      {"Due", false},
                      {"Done", false},
                      {"Status", false}});
    out += "<tbody>\n";
    for (const MilestoneRow& row : v.milestones) {
      const Milestone& m = *row.milestone;
      std::string due = m.due_ms == 0 ? Muted(kDash) : EscapeHtml(Date(m.due_ms));
      std::string done = m.done_ms ? EscapeHtml(Date(*m.done_ms)) : Muted(kDash);
      out += "<tr>" + Element("td", "", OrDash(m.title.empty() ? m.id : m.title)) +
             Element("td", "", OrDash(m.owner)) + Element("td", "date", due) +
             Element("td", "date", done) + Element("td", "", StateBadge(row.state)) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }

  out += TextElement("h3", "", view.changes_heading) + "\n";
  if (v.changes.empty()) {
    out += TextElement("p", "note", "No changes.") + "\n";
  } else {
    out += "<table class=\"changes\">\n";
    out += HeaderRow({{"When (UTC)", false}, {"Change", false}, {"Details", false}, {"By", false}});
    out += "<tbody>\n";
    for (const Change& change : v.changes) {
      const WorkstreamUpdate& u = *change.update;
      std::string summary = EscapeHtml(change.summary);
      if (u.type == "status") summary = "Status: " + StatusBadge(u.status);
      out += "<tr>" + TextElement("td", "date", DateMinute(u.at.created_ms)) +
             Element("td", "", summary) + Element("td", "", OrDash(u.text)) +
             Element("td", "", OrDash(u.at.member)) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }

  out += "<h3>Open improvement items</h3>\n";
  if (v.open_items.empty()) {
    out += TextElement("p", "note", "No open items.") + "\n";
  } else {
    HtmlItemsTable(out, v.open_items, now_ms, false);
  }
  out += "</section>\n";
}

std::string RenderHtml(const ProgressReportInput& in, const ReportView& view) {
  std::string title = Title(in);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n";
  out += TextElement("title", "", title) + "\n<style>" + std::string(kStyle) + "</style>\n";
  out += "</head>\n<body>\n";
  HtmlBanner(out, in.classification);
  out += "<main>\n<header class=\"title\">\n";
  out += TextElement("div", "kicker", "Plenary progress report") + "\n";
  out += TextElement("h1", "", title) + "\n";
  out += TextElement("div", "subtitle", Subtitle(in, view)) + "\n</header>\n";
  HtmlSummary(out, view);
  for (const WorkstreamView& v : view.workstreams) HtmlWorkstream(out, v, view, in.now_ms);
  if (!view.unassigned_open.empty()) {
    out += "<h2 id=\"unassigned\">Open items for no workstream in this report</h2>\n";
    HtmlItemsTable(out, view.unassigned_open, in.now_ms, true);
  }
  out += TextElement("footer", "",
                     "Generated " + FormatRfc3339(FromUnixMs(in.now_ms)) +
                         ". Times are UTC. Figures as of that time.") +
         "\n</main>\n";
  HtmlBanner(out, in.classification);
  out += "</body>\n</html>\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markdown. Cells are escaped by the caller (EscapeMarkdown), so a `|` in the text cannot split
// a cell.

std::string MdRow(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& cell : cells)
    out += " " + (cell.empty() ? std::string(kDash) : cell) + " |";
  return out + "\n";
}

// The header row and the delimiter row; `numeric` columns align right.
std::string MdHeader(std::initializer_list<std::pair<std::string_view, bool>> columns) {
  std::string head = "|", rule = "|";
  for (const auto& [label, numeric] : columns) {
    head += " " + std::string(label) + " |";
    rule += numeric ? " ---: |" : " --- |";
  }
  return head + "\n" + rule + "\n";
}

std::string MdStatus(std::string_view status) {
  return "**" + EscapeMarkdown(LookOfStatus(status).label) + "**";
}

std::string MdDue(const std::optional<uint64_t>& due_ms, bool overdue) {
  if (!due_ms) return "";
  return overdue ? "**" + Date(*due_ms) + " (overdue)**" : Date(*due_ms);
}

void MdItemsTable(std::string& out, const std::vector<const ImprovementItem*>& items,
                  uint64_t now_ms, bool with_workstream) {
  if (with_workstream) {
    out += MdHeader({{"Workstream", false},
                     {"Item", false},
                     {"Source", false},
                     {"Owner", false},
                     {"Due", false}});
  } else {
    out += MdHeader({{"Item", false}, {"Source", false}, {"Owner", false}, {"Due", false}});
  }
  for (const ImprovementItem* item : items) {
    std::vector<std::string> cells;
    if (with_workstream) cells.push_back(EscapeMarkdown(item->workstream));
    cells.push_back(EscapeMarkdown(item->text));
    cells.push_back(EscapeMarkdown(item->source));
    cells.push_back(EscapeMarkdown(item->owner));
    cells.push_back(MdDue(item->due_ms, Overdue(*item, now_ms)));
    out += MdRow(cells);
  }
}

std::string RenderMarkdown(const ProgressReportInput& in, const ReportView& view) {
  std::string out;
  std::string banner =
      in.classification.empty() ? "" : "**" + EscapeMarkdown(in.classification) + "**\n\n";
  out += banner;
  out += "# " + EscapeMarkdown(Title(in)) + "\n\n";
  out += EscapeMarkdown(Subtitle(in, view)) + "\n\n";

  out += "## Summary\n\n";
  if (view.workstreams.empty()) {
    out += "No workstreams to report.\n\n";
  } else {
    out += MdHeader({{"Workstream", false},
                     {"Status", false},
                     {"Milestones done", true},
                     {"Late", true},
                     {"Open items", true}});
    for (const WorkstreamView& v : view.workstreams) {
      out += MdRow({EscapeMarkdown(v.name), MdStatus(v.workstream->status),
                    DoneOfTotal(v.milestone_counts), std::to_string(v.milestone_counts.late),
                    std::to_string(v.item_counts.open)});
    }
    out += MdRow({"**Total**", "", "**" + DoneOfTotal(view.milestones) + "**",
                  "**" + std::to_string(view.milestones.late) + "**",
                  "**" + std::to_string(view.items.open) + "**"});
    out += "\n" + EscapeMarkdown(kStateLegend) + "\n\n";
  }

  for (const WorkstreamView& v : view.workstreams) {
    const Workstream& w = *v.workstream;
    out += "## " + EscapeMarkdown(v.name) + "\n\n";
    std::vector<std::string> leads;
    for (const std::string& lead : w.co_leads) leads.push_back(EscapeMarkdown(lead));
    out += "Co-leads: " + (leads.empty() ? std::string("not recorded") : JoinText(leads, ", ")) +
           "\n\n";
    out += "Status: " + MdStatus(w.status);
    if (w.due_ms) out += " \u00b7 Due " + Date(*w.due_ms);
    if (!w.exercise_id.empty()) out += " \u00b7 **EXERCISE**";
    if (!w.rationale.empty()) out += " \u2014 " + EscapeMarkdown(w.rationale);
    out += "\n\n";
    out += EscapeMarkdown(FiguresSentence(v)) + "\n\n";

    out += "### Milestones\n\n";
    if (v.milestones.empty()) {
      out += "No milestones set.\n\n";
    } else {
      out += MdHeader({{"Milestone", false},
                       {"Owner", false},
                       {"Due", false},
                       {"Done", false},
                       {"Status", false}});
      for (const MilestoneRow& row : v.milestones) {
        const Milestone& m = *row.milestone;
        out += MdRow({EscapeMarkdown(m.title.empty() ? m.id : m.title), EscapeMarkdown(m.owner),
                      m.due_ms == 0 ? "" : Date(m.due_ms), m.done_ms ? Date(*m.done_ms) : "",
                      std::string(StateLabel(row.state))});
      }
      out += "\n";
    }

    out += "### " + EscapeMarkdown(view.changes_heading) + "\n\n";
    if (v.changes.empty()) {
      out += "No changes.\n\n";
    } else {
      out +=
          MdHeader({{"When (UTC)", false}, {"Change", false}, {"Details", false}, {"By", false}});
      for (const Change& change : v.changes) {
        const WorkstreamUpdate& u = *change.update;
        out += MdRow({DateMinute(u.at.created_ms), EscapeMarkdown(change.summary),
                      EscapeMarkdown(u.text), EscapeMarkdown(u.at.member)});
      }
      out += "\n";
    }

    out += "### Open improvement items\n\n";
    if (v.open_items.empty()) {
      out += "No open items.\n\n";
    } else {
      MdItemsTable(out, v.open_items, in.now_ms, false);
      out += "\n";
    }
  }

  if (!view.unassigned_open.empty()) {
    out += "## Open items for no workstream in this report\n\n";
    MdItemsTable(out, view.unassigned_open, in.now_ms, true);
    out += "\n";
  }
  out += "Generated " + EscapeMarkdown(FormatRfc3339(FromUnixMs(in.now_ms))) + ". Times are UTC.\n";
  if (!banner.empty()) out += "\n" + banner.substr(0, banner.size() - 1);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Files.

Status WriteReportFile(const std::filesystem::path& dir, std::string_view name,
                       std::string_view text) {
  return WriteFileAtomic((dir / name).string(), AsBytes(text), kReportFileMode,
                         /*exclusive=*/false);
}

}  // namespace

ProgressReport RenderProgressReport(const ProgressReportInput& in) {
  ReportView view = BuildView(in);
  return ProgressReport{.html = RenderHtml(in, view),
                        .markdown = RenderMarkdown(in, view),
                        .json = ReportJson(in, view)};
}

Status WriteProgressReport(const ProgressReport& report, const std::string& dir) {
  if (dir.empty()) return InvalidArgument("progress report: the directory is empty; give one");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InvalidArgument(dir + ": cannot create the report directory: " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) {
    return InvalidArgument(dir + ": not a directory; give a directory for the report");
  }
  // Strings in `json` are valid UTF-8 when it comes from RenderProgressReport; replace, never
  // throw, if a caller changed it.
  std::string json =
      report.json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::filesystem::path path(dir);
  ENTENTE_RETURN_IF_ERROR(WriteReportFile(path, "report.html", report.html));
  ENTENTE_RETURN_IF_ERROR(WriteReportFile(path, "report.md", report.markdown));
  ENTENTE_RETURN_IF_ERROR(WriteReportFile(path, "report.json", json));
  return {};
}

}  // namespace entente::agenda
