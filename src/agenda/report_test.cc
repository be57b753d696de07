// Tests of the plenary progress report (report.h). Workstreams are built by hand, field by field,
// so these tests depend on the report only, not on how the agenda folds events.
#include "agenda/report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "testing/testdata.h"

namespace entente::agenda {
namespace {

// Unix ms of `hour`:00 UTC on the day.
uint64_t At(int year, unsigned month, unsigned day, int hour = 0) {
  using namespace std::chrono;
  sys_days date =
      year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  return ToUnixMs(TimeMs(date) + hours{hour});
}

EntryRef Ref(std::string event_id, uint64_t created_ms, std::string member = "alice@USA") {
  return EntryRef{.origin = "USA",
                  .index = 0,
                  .event_id = std::move(event_id),
                  .created_ms = created_ms,
                  .member = std::move(member)};
}

Milestone MakeMilestone(std::string id, std::string title, uint64_t due_ms, std::string status,
                        std::optional<uint64_t> done_ms, EntryRef at) {
  return Milestone{.id = std::move(id),
                   .title = std::move(title),
                   .owner = "kim@KOR",
                   .due_ms = due_ms,
                   .status = std::move(status),
                   .done_ms = done_ms,
                   .at = std::move(at)};
}

// The known history. The last plenary was on 2027-05-14; the report is made on 2027-06-01.
//
// "Crisis hotline <script>alert(1)</script> & drills", at-risk:
//   sop      due 05-01, done 04-28     done
//   drill    due 05-10, done 05-20     done late
//   hotline  due 05-25, planned        late
//   updates: 04-01 milestone sop set, 05-01 status at-risk      (before the plenary)
//            05-20 status at-risk, 05-20 milestone drill done, 05-21 progress note (after)
// "Information sharing | pipes", on-track:
//   portal   due 07-01, planned        upcoming
//   fax      due 04-01, dropped        dropped
//   updates: 05-14 00:00 progress (exactly at the plenary: counts as since)
constexpr uint64_t kNoDue = 0;
const uint64_t kSince = At(2027, 5, 14);
const uint64_t kNow = At(2027, 6, 1);

Workstream Hotline() {
  Workstream w;
  w.id = "a1b2c3d4e5f60718";
  w.created = Ref("a1b2c3d4e5f60718", At(2027, 3, 1));
  w.label = "USKR;S";
  w.status = "at-risk";
  w.rationale = "Drill slipped <script>alert(1)</script> & the hotline is not tested";
  w.title = "Crisis hotline <script>alert(1)</script> & drills";
  w.co_leads = {"alice@USA", "kim@KOR"};
  w.milestones["sop"] = MakeMilestone("sop", "Draft the SOP", At(2027, 5, 1), "done",
                                      At(2027, 4, 28), Ref("e-sop-done", At(2027, 4, 28)));
  w.milestones["drill"] = MakeMilestone("drill", "Joint drill | phase 1", At(2027, 5, 10), "done",
                                        At(2027, 5, 20), Ref("e-drill-done", At(2027, 5, 20)));
  w.milestones["hotline"] = MakeMilestone("hotline", "Test the hotline", At(2027, 5, 25), "planned",
                                          std::nullopt, Ref("e-hotline", At(2027, 4, 1)));
  w.updates = {
      WorkstreamUpdate{
          .at = Ref("e-sop-set", At(2027, 4, 1)), .type = "milestone", .milestone = "sop"},
      WorkstreamUpdate{.at = Ref("e-status-1", At(2027, 5, 1)),
                       .type = "status",
                       .status = "at-risk",
                       .text = "Staffing gap"},
      WorkstreamUpdate{.at = Ref("e-status-2", At(2027, 5, 20, 9), "kim@KOR"),
                       .type = "status",
                       .status = "at-risk",
                       .text = "Drill slipped"},
      WorkstreamUpdate{.at = Ref("e-drill-done", At(2027, 5, 20, 10)),
                       .type = "milestone",
                       .milestone = "drill"},
      WorkstreamUpdate{.at = Ref("e-progress", At(2027, 5, 21)),
                       .type = "progress",
                       .text = "Lines installed in Seoul"},
  };
  return w;
}

Workstream Sharing() {
  Workstream w;
  w.id = "ffee0011";
  w.status = "on-track";
  w.rationale = "On plan";
  w.title = "Information sharing | pipes";
  w.co_leads = {"bob@USA"};
  w.milestones["portal"] = MakeMilestone("portal", "Portal live", At(2027, 7, 1), "planned",
                                         std::nullopt, Ref("e-portal", At(2027, 4, 2)));
  w.milestones["fax"] = MakeMilestone("fax", "Fax line", At(2027, 4, 1), "dropped", std::nullopt,
                                      Ref("e-fax", At(2027, 4, 3)));
  w.updates = {WorkstreamUpdate{
      .at = Ref("e-share-progress", kSince), .type = "progress", .text = "Portal in test"}};
  return w;
}

std::vector<ImprovementItem> Items() {
  return {
      ImprovementItem{.workstream = "a1b2c3d4e5f60718",
                      .source = "consultation 3f2a9c12",
                      .text = "Name a 24/7 duty officer <b>per partner</b>",
                      .owner = "alice@USA",
                      .due_ms = At(2027, 5, 30),
                      .done = false},
      ImprovementItem{.workstream = "a1b2c3d4e5f60718",
                      .source = "exercise 6af1ec3a",
                      .text = "Publish the call tree",
                      .owner = "kim@KOR",
                      .due_ms = At(2027, 5, 1),
                      .done = true},
      // Matched by title, not by id.
      ImprovementItem{.workstream = "Information sharing | pipes",
                      .source = "exercise 6af1ec3a",
                      .text = "Share the portal guide",
                      .owner = "",
                      .due_ms = std::nullopt},
      // Matches no workstream of the report.
      ImprovementItem{.workstream = "deadbeef",
                      .source = "consultation 77aa",
                      .text = "Review the glossary",
                      .owner = "bob@USA",
                      .due_ms = At(2027, 8, 1)},
  };
}

struct Fixture {
  Workstream hotline = Hotline();
  Workstream sharing = Sharing();
  ProgressReportInput Input() const {
    ProgressReportInput in;
    in.space = "NCG <Nuclear> & Co";
    in.classification = "SECRET//REL TO USA, KOR";
    in.partners = {"KOR", "USA"};
    in.since_ms = kSince;
    in.now_ms = kNow;
    in.workstreams = {&hotline, &sharing};
    in.items = Items();
    in.last_plenary = "Plenary 2027-05-14";
    return in;
  }
};

// An XML well-formedness check good enough for our pages: tags nest and close, void elements are
// self-closed, attribute values are double-quoted, `&` starts a known entity, and no `<` is left
// in text. Returns "" when well-formed, else what is wrong and where.
std::string CheckWellFormed(std::string_view doc) {
  std::vector<std::string> open;
  auto where = [&](size_t i) { return " at offset " + std::to_string(i); };
  for (size_t i = 0; i < doc.size();) {
    char c = doc[i];
    if (c == '&') {
      static constexpr std::string_view kEntities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
      bool known = std::any_of(std::begin(kEntities), std::end(kEntities),
                               [&](std::string_view e) { return doc.substr(i).starts_with(e); });
      if (!known) return "bare &" + where(i);
      ++i;
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    size_t end = doc.find('>', i);
    if (end == std::string_view::npos) return "unterminated tag" + where(i);
    std::string_view tag = doc.substr(i + 1, end - i - 1);
    if (tag.find('<') != std::string_view::npos) return "< inside a tag" + where(i);
    if (tag.starts_with("!DOCTYPE")) {
      i = end + 1;
      continue;
    }
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return "odd quotes" + where(i);
    if (tag.starts_with('/')) {
      std::string name(tag.substr(1));
      if (open.empty()) return "</" + name + "> without an open element" + where(i);
      if (open.back() != name) return "</" + name + "> closes <" + open.back() + ">" + where(i);
      open.pop_back();
    } else {
      std::string name(tag.substr(0, tag.find_first_of(" \n/")));
      if (name.empty()) return "tag without a name" + where(i);
      for (size_t eq = tag.find('='); eq != std::string_view::npos; eq = tag.find('=', eq + 1)) {
        bool inside_value = std::count(tag.begin(), tag.begin() + static_cast<long>(eq), '"') % 2;
        if (!inside_value && (eq + 1 >= tag.size() || tag[eq + 1] != '"')) {
          return "unquoted attribute in <" + name + ">" + where(i);
        }
      }
      bool self_closed = tag.ends_with('/');
      if ((name == "meta" || name == "br" || name == "img" || name == "link") && !self_closed) {
        return "void <" + name + "> not self-closed" + where(i);
      }
      if (!self_closed) open.push_back(name);
    }
    i = end + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

size_t Occurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The number of cell separators in a Markdown table row: `|` not escaped by a backslash.
size_t UnescapedPipes(std::string_view line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
      continue;
    }
    if (line[i] == '|') ++n;
  }
  return n;
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CheckWellFormedTest, CatchesWhatItShould) {
  EXPECT_EQ(CheckWellFormed("<p>a <b>b</b> &amp; c</p>"), "");
  EXPECT_EQ(CheckWellFormed("<!DOCTYPE html><meta charset=\"utf-8\" /><p class=\"x\">y</p>"), "");
  EXPECT_NE(CheckWellFormed("<p>a <b>b</p></b>"), "");
  EXPECT_NE(CheckWellFormed("<p>a"), "");
  EXPECT_NE(CheckWellFormed("<p>a & b</p>"), "");
  EXPECT_NE(CheckWellFormed("<p class=x>a</p>"), "");
  EXPECT_NE(CheckWellFormed("<meta charset=\"utf-8\">"), "");
  EXPECT_NE(CheckWellFormed("<p>a < b</p>"), "");
}

TEST(ProgressReportTest, JsonHasTheFiguresOfTheHistory) {
  Fixture f;
  ProgressReport report = RenderProgressReport(f.Input());
  const nlohmann::json& j = report.json;

  ASSERT_EQ(j["workstreams"].size(), 2u);
  const nlohmann::json& hotline = j["workstreams"][0];
  EXPECT_EQ(hotline["id"], "a1b2c3d4e5f60718");
  EXPECT_EQ(hotline["status"], "at-risk");
  EXPECT_EQ(hotline["co_leads"], nlohmann::json({"alice@USA", "kim@KOR"}));
  const nlohmann::json& ms = hotline["counts"]["milestones"];
  EXPECT_EQ(ms["total"], 3);
  EXPECT_EQ(ms["done"], 2);
  EXPECT_EQ(ms["done_late"], 1);
  EXPECT_EQ(ms["late"], 1);
  EXPECT_EQ(ms["upcoming"], 0);
  EXPECT_EQ(ms["dropped"], 0);
  // Since the plenary: one status change (the earlier one is before it), the drill done and a
  // progress note; the sop set on 04-01 is before it.
  const nlohmann::json& changes = hotline["counts"]["changes"];
  EXPECT_EQ(changes["total"], 3);
  EXPECT_EQ(changes["status"], 1);
  EXPECT_EQ(changes["milestone_done"], 1);
  EXPECT_EQ(changes["milestone_set"], 0);
  EXPECT_EQ(changes["progress"], 1);
  ASSERT_EQ(hotline["changes"].size(), 3u);
  EXPECT_EQ(hotline["changes"][0]["text"], "Drill slipped");
  EXPECT_EQ(hotline["changes"][0]["at"], "2027-05-20 09:00");
  EXPECT_EQ(hotline["changes"][1]["action"], "done");
  EXPECT_EQ(hotline["changes"][1]["milestone"], "drill");
  // Two items, one done: one open, and it is overdue (due 05-30, now 06-01).
  EXPECT_EQ(hotline["counts"]["open_items"], 1);
  EXPECT_EQ(hotline["counts"]["done_items"], 1);
  EXPECT_EQ(hotline["counts"]["overdue_items"], 1);
  ASSERT_EQ(hotline["open_items"].size(), 1u);
  EXPECT_EQ(hotline["open_items"][0]["source"], "consultation 3f2a9c12");
  EXPECT_EQ(hotline["open_items"][0]["due"], "2027-05-30");
  EXPECT_EQ(hotline["open_items"][0]["overdue"], true);

  // Milestones by due date, each with its computed state.
  ASSERT_EQ(hotline["milestones"].size(), 3u);
  EXPECT_EQ(hotline["milestones"][0]["id"], "sop");
  EXPECT_EQ(hotline["milestones"][0]["state"], "done");
  EXPECT_EQ(hotline["milestones"][0]["due"], "2027-05-01");
  EXPECT_EQ(hotline["milestones"][1]["id"], "drill");
  EXPECT_EQ(hotline["milestones"][1]["state"], "done-late");
  EXPECT_EQ(hotline["milestones"][1]["done"], "2027-05-20");
  EXPECT_EQ(hotline["milestones"][2]["id"], "hotline");
  EXPECT_EQ(hotline["milestones"][2]["state"], "late");
  EXPECT_TRUE(hotline["milestones"][2]["done_ms"].is_null());

  const nlohmann::json& sharing = j["workstreams"][1];
  EXPECT_EQ(sharing["counts"]["milestones"]["total"], 1);
  EXPECT_EQ(sharing["counts"]["milestones"]["upcoming"], 1);
  EXPECT_EQ(sharing["counts"]["milestones"]["dropped"], 1);
  EXPECT_EQ(sharing["counts"]["changes"]["total"], 1);  // at the plenary's time exactly
  EXPECT_EQ(sharing["counts"]["open_items"], 1);        // matched by title
  EXPECT_EQ(sharing["counts"]["overdue_items"], 0);     // no due date

  const nlohmann::json& totals = j["totals"];
  EXPECT_EQ(totals["workstreams"], 2);
  EXPECT_EQ(totals["status"]["on-track"], 1);
  EXPECT_EQ(totals["status"]["at-risk"], 1);
  EXPECT_EQ(totals["status"]["off-track"], 0);
  EXPECT_EQ(totals["milestones"]["total"], 4);
  EXPECT_EQ(totals["milestones"]["done"], 2);
  EXPECT_EQ(totals["milestones"]["done_late"], 1);
  EXPECT_EQ(totals["milestones"]["late"], 1);
  EXPECT_EQ(totals["milestones"]["upcoming"], 1);
  EXPECT_EQ(totals["milestones"]["dropped"], 1);
  EXPECT_EQ(totals["changes"], 4);
  EXPECT_EQ(totals["open_items"], 2);
  EXPECT_EQ(totals["overdue_items"], 1);
  EXPECT_EQ(totals["done_items"], 1);
  EXPECT_EQ(totals["unassigned_open_items"], 1);
  ASSERT_EQ(j["unassigned_items"].size(), 1u);
  EXPECT_EQ(j["unassigned_items"][0]["workstream"], "deadbeef");

  EXPECT_EQ(j["space"], "NCG <Nuclear> & Co");
  EXPECT_EQ(j["classification"], "SECRET//REL TO USA, KOR");
  EXPECT_EQ(j["since"], "2027-05-14T00:00:00.000Z");
  EXPECT_EQ(j["since_ms"], kSince);
  EXPECT_EQ(j["now_ms"], kNow);
  EXPECT_EQ(j["last_plenary"], "Plenary 2027-05-14");
}

TEST(ProgressReportTest, SinceZeroReportsEveryChange) {
  Fixture f;
  ProgressReportInput in = f.Input();
  in.since_ms = 0;
  in.last_plenary.reset();
  ProgressReport report = RenderProgressReport(in);
  const nlohmann::json& changes = report.json["workstreams"][0]["counts"]["changes"];
  EXPECT_EQ(changes["total"], 5);
  EXPECT_EQ(changes["status"], 2);
  // The sop's first update was superseded by a later one (the milestone's `at` is another event).
  EXPECT_EQ(report.json["workstreams"][0]["changes"][0]["action"], "updated");
  EXPECT_TRUE(report.json["since"].is_null());
  EXPECT_NE(report.html.find("All changes"), std::string::npos);
  EXPECT_EQ(report.html.find("Changes since"), std::string::npos);
}

TEST(ProgressReportTest, HtmlIsWellFormedSelfContainedAndHasTheFigures) {
  Fixture f;
  ProgressReport report = RenderProgressReport(f.Input());
  const std::string& html = report.html;

  EXPECT_EQ(CheckWellFormed(html), "");
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  // Self-contained: no script, nothing loaded from elsewhere.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);

  // Text is escaped.
  EXPECT_NE(html.find("Crisis hotline &lt;script&gt;alert(1)&lt;/script&gt; &amp; drills"),
            std::string::npos);
  EXPECT_NE(html.find("NCG &lt;Nuclear&gt; &amp; Co"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;per partner&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);

  // The classification banner, top and bottom.
  EXPECT_EQ(Occurrences(html, "<div class=\"banner cls-s\">SECRET//REL TO USA, KOR</div>"), 2u);

  // Badges: the workstreams' statuses (summary and sections) and each milestone state.
  EXPECT_NE(html.find("<span class=\"badge st-risk\">At risk</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge st-on\">On track</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge ms-done\">Done</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge ms-done-late\">Done late</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge ms-late\">Late</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge ms-upcoming\">Upcoming</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge ms-dropped\">Dropped</span>"), std::string::npos);

  // The summary row of the first workstream: 2/3 done, 1 late, 1 open item; and the totals.
  EXPECT_NE(html.find("<td class=\"num\">2/3</td><td class=\"num\">1</td><td "
                      "class=\"num\">1</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">2/4</td>"), std::string::npos);
  // Dates, the rationale, the heading of the changes, the open item but not the done one.
  EXPECT_NE(html.find("2027-05-25"), std::string::npos);
  EXPECT_NE(html.find("Drill slipped &lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Changes since 2027-05-14 (Plenary 2027-05-14)"), std::string::npos);
  EXPECT_NE(html.find("2027-05-30 (overdue)"), std::string::npos);
  EXPECT_NE(html.find("2 of 3 milestones done (1 done late); 1 late, 0 upcoming; 1 open item (1 "
                      "overdue)."),
            std::string::npos);
  EXPECT_EQ(html.find("Publish the call tree"), std::string::npos);
  EXPECT_NE(html.find("Review the glossary"), std::string::npos);  // unassigned, listed apart
  // The change before the plenary is not listed; the one after is.
  EXPECT_EQ(html.find("Staffing gap"), std::string::npos);
  EXPECT_NE(html.find("Lines installed in Seoul"), std::string::npos);
  EXPECT_NE(html.find("Milestone \u201cJoint drill | phase 1\u201d done"), std::string::npos);
}

TEST(ProgressReportTest, ExerciseWorkstreamAndItsDueDateAreShown) {
  Fixture f;
  f.sharing.exercise_id = {0x6a, 0xf1, 0xec, 0x3a};
  f.sharing.due_ms = At(2027, 9, 30);
  ProgressReport report = RenderProgressReport(f.Input());
  EXPECT_EQ(report.json["workstreams"][1]["exercise"], "6af1ec3a");
  EXPECT_EQ(report.json["workstreams"][1]["due"], "2027-09-30");
  EXPECT_TRUE(report.json["workstreams"][0]["exercise"].is_null());
  EXPECT_NE(report.html.find("<span class=\"badge exercise\">EXERCISE</span>"), std::string::npos);
  EXPECT_NE(report.html.find("Due 2027-09-30"), std::string::npos);
  EXPECT_NE(report.markdown.find("\u00b7 **EXERCISE**"), std::string::npos);
  EXPECT_EQ(CheckWellFormed(report.html), "");
}

TEST(ProgressReportTest, NoClassificationMeansNoBanner) {
  Fixture f;
  ProgressReportInput in = f.Input();
  in.classification = "";
  ProgressReport report = RenderProgressReport(in);
  EXPECT_EQ(report.html.find("class=\"banner"), std::string::npos);
  EXPECT_EQ(CheckWellFormed(report.html), "");
  EXPECT_FALSE(report.markdown.starts_with("**"));
}

TEST(ProgressReportTest, MarkdownHasPipeTablesWithEscapedPipes) {
  Fixture f;
  ProgressReport report = RenderProgressReport(f.Input());
  const std::string& md = report.markdown;

  EXPECT_TRUE(md.starts_with("**SECRET//REL TO USA, KOR**\n"));
  EXPECT_TRUE(md.ends_with("**SECRET//REL TO USA, KOR**\n"));
  EXPECT_NE(md.find("| Workstream | Status | Milestones done | Late | Open items |\n"
                    "| --- | --- | ---: | ---: | ---: |\n"),
            std::string::npos);
  EXPECT_NE(md.find("| Milestone | Owner | Due | Done | Status |"), std::string::npos);
  EXPECT_NE(md.find("| Crisis hotline \\<script\\>alert(1)\\</script\\> \\& drills | **At risk** "
                    "| 2/3 | 1 | 1 |"),
            std::string::npos);
  EXPECT_NE(md.find("Information sharing \\| pipes"), std::string::npos);
  EXPECT_NE(md.find("| Joint drill \\| phase 1 | kim@KOR | 2027-05-10 | 2027-05-20 | Done late |"),
            std::string::npos);
  EXPECT_NE(md.find("### Changes since 2027-05-14 (Plenary 2027-05-14)"), std::string::npos);
  EXPECT_EQ(md.find("<script>"), std::string::npos);

  // Every row of a table has as many cell separators as its header.
  std::istringstream lines(md);
  std::string line;
  size_t columns = 0, rows = 0;
  while (std::getline(lines, line)) {
    if (!line.starts_with("|")) {
      columns = 0;
      continue;
    }
    if (columns == 0) {
      columns = UnescapedPipes(line);
      continue;
    }
    EXPECT_EQ(UnescapedPipes(line), columns) << line;
    ++rows;
  }
  EXPECT_GT(rows, 10u);
}

TEST(ProgressReportTest, BadTextIsReplacedNotPassedOn) {
  Fixture f;
  f.hotline.title = std::string("Bad \xff\xfe bytes \x01 here");
  f.hotline.milestones["sop"].title = std::string("\xc0\xaf overlong");
  ProgressReport report = RenderProgressReport(f.Input());
  EXPECT_EQ(CheckWellFormed(report.html), "");
  EXPECT_NE(report.html.find("Bad \uFFFD\uFFFD bytes \uFFFD here"), std::string::npos);
  EXPECT_EQ(report.html.find('\x01'), std::string::npos);
  EXPECT_EQ(report.json["workstreams"][0]["title"], "Bad \uFFFD\uFFFD bytes \uFFFD here");
  // The JSON dumps with the strict handler: every string in it is valid UTF-8.
  EXPECT_NO_THROW((void)report.json.dump());
}

TEST(ProgressReportTest, EmptyInputAndNullWorkstreams) {
  ProgressReportInput in;
  in.workstreams = {nullptr};
  ProgressReport report = RenderProgressReport(in);
  EXPECT_EQ(CheckWellFormed(report.html), "");
  EXPECT_EQ(report.json["totals"]["workstreams"], 0);
  EXPECT_EQ(report.json["totals"]["milestones"]["total"], 0);
  EXPECT_NE(report.html.find("No workstreams to report."), std::string::npos);
  EXPECT_NE(report.markdown.find("No workstreams to report."), std::string::npos);
}

TEST(ProgressReportTest, WritesThreeOwnerOnlyFiles) {
  Fixture f;
  ProgressReport report = RenderProgressReport(f.Input());
  testing::TempDir tmp;
  std::filesystem::path dir = tmp.path() / "plenary" / "2027-06";
  ASSERT_TRUE(WriteProgressReport(report, dir.string()).has_value());

  for (const char* name : {"report.html", "report.md", "report.json"}) {
    std::filesystem::path path = dir / name;
    ASSERT_TRUE(std::filesystem::is_regular_file(path)) << name;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  EXPECT_EQ(ReadAll(dir / "report.html"), report.html);
  EXPECT_EQ(ReadAll(dir / "report.md"), report.markdown);
  nlohmann::json parsed = nlohmann::json::parse(ReadAll(dir / "report.json"));
  EXPECT_EQ(parsed, report.json);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            3);

  // Written again over the old files.
  EXPECT_TRUE(WriteProgressReport(report, dir.string()).has_value());
}

TEST(ProgressReportTest, WriteRefusesABadDirectory) {
  ProgressReport report = RenderProgressReport(ProgressReportInput{});
  auto empty = WriteProgressReport(report, "");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);

  testing::TempDir tmp;
  std::filesystem::path file = tmp.path() / "a-file";
  std::ofstream(file) << "x";
  auto not_dir = WriteProgressReport(report, file.string());
  ASSERT_FALSE(not_dir.has_value());
  EXPECT_EQ(not_dir.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace entente::agenda
