// agenda/report.h: the plenary progress report of a space's workstreams.
//
// What a plenary looks at between crises: for each workstream its co-leads, its status
// (on-track, at-risk, off-track) with the latest rationale, its milestones (done, done late,
// late, upcoming), what changed since the last plenary, and the improvement items handed to it
// by consultations and exercises that are still open. A summary table comes first.
//
// Pure: the caller folds the workstreams (agenda::Book), gathers the items and passes the
// current time; rendering reads nothing else, so the same input always gives the same report.
// The report is one self-contained HTML page (inline CSS, no script, nothing loaded from
// elsewhere, XHTML-compatible, printable, the classification banner at the top and the bottom),
// the same in Markdown with pipe tables, and every figure as JSON.
//
// Milestones, as counted here (report.cc has the rules at MilestoneStateOf):
//   done       status "done", finished by its due date (or either date is unknown)
//   done late  status "done", done_ms after due_ms
//   late       not done nor dropped, due_ms before now_ms
//   upcoming   not done nor dropped, due now or later, or no due date (due_ms 0)
//   dropped    status "dropped": shown, but not part of the total
// "Done" counts both done and done late; "total" is every milestone that is not dropped.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agenda/agenda.h"
#include "base/error.h"

namespace entente::agenda {

// An improvement item handed to a workstream, from a consultation's lessons or an exercise's
// improvement plan.
struct ImprovementItem {
  // The workstream it was handed to: its id (the workstream.create's event id) or, failing
  // that, its title. Items that match no workstream of the report are listed apart.
  std::string workstream;
  std::string source;  // where it comes from: "consultation 3f2a9c12", "exercise 6af1ec3a"
  std::string text;
  std::string owner;  // member id, or ""
  std::optional<uint64_t> due_ms;
  bool done = false;
};

struct ProgressReportInput {
  std::string space;           // its name
  std::string classification;  // the banner at the top and bottom (e.g. "SECRET//REL TO USA,
                               // KOR"); "" for none
  std::vector<std::string> partners;
  uint64_t since_ms = 0;  // "changes since": the last plenary; 0 for every change
  uint64_t now_ms = 0;    // when the report is made: what is late is late at this time
  // In the order to report them (by title). Null entries are skipped. Each must outlive the
  // call.
  std::vector<const Workstream*> workstreams;
  std::vector<ImprovementItem> items;
  std::optional<std::string> last_plenary;  // e.g. "Plenary 2027-05-14", when known
};

struct ProgressReport {
  std::string html;
  std::string markdown;
  // Every figure: per workstream its counts, milestones, changes and open items; the totals.
  // All strings are valid UTF-8.
  nlohmann::json json;
};

// Never fails: text that is not UTF-8 or holds control characters is shown with U+FFFD.
ProgressReport RenderProgressReport(const ProgressReportInput& in);

// Writes report.html, report.md and report.json into `dir`, creating it if missing; each file
// atomically, readable by its owner only (0600: the report carries the space's classification).
// InvalidArgument if `dir` is empty, cannot be created or is not a directory; the error of the
// write otherwise.
[[nodiscard]] Status WriteProgressReport(const ProgressReport& report, const std::string& dir);

}  // namespace entente::agenda
