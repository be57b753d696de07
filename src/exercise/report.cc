// exercise/report.cc: the After-Action Report / Improvement Plan in HTML, Markdown and JSON, and
// the report of a simulation's runs (report.h).
//
// The HTML is XHTML-compatible so that it can be checked by an XML parser: every element is
// closed (void elements as `<meta ... />`), attributes are double-quoted, and all text comes out
// through Html(), which escapes & < > " ' and replaces bytes that are not UTF-8 and control
// characters with U+FFFD. The CSS uses no `<`, `>` or `&`. Nothing is loaded from elsewhere and
// there is no script: the tooltips of the charts are SVG <title> elements.
//
// Percentiles are nearest-rank: the p-th percentile of n sorted samples is the ceil(p*n/100)-th,
// so the median of an even count is the lower of the two middle samples (as in evaluation.cc)
// and every figure is a time that was measured.
#include "exercise/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/duration.h"
#include "base/file.h"
#include "exercise/text.h"

namespace entente::exercise {
namespace {

using Outcome = ExpectationResult::Outcome;

constexpr std::string_view kExerciseBanner = "EXERCISE EXERCISE EXERCISE";
constexpr std::string_view kAll = "ALL";
constexpr mode_t kReportMode = 0600;  // the reports carry the exercise's classification

// ---------------------------------------------------------------------------------------------
// Text.

// `in` with every byte sequence that is not UTF-8 and every control character but tab, line
// feed and carriage return replaced by U+FFFD: XML forbids them, and JSON cannot carry the first.
std::string CleanText(std::string_view in) {
  constexpr std::string_view kReplacement = "\uFFFD";
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
      ++i;
      if (control) {
        out += kReplacement;
        continue;
      }
      out += static_cast<char>(c);
      continue;
    }
    size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = length > 0 && i + length <= in.size();
    uint32_t cp = length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k < length; ++k) {
      auto next = static_cast<unsigned char>(in[i + k]);
      ok = (next & 0xC0) == 0x80;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (ok) {
      ok = (length == 2 && cp >= 0x80) ||
           (length == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
           (length == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
    }
    if (!ok) {
      out += kReplacement;
      ++i;
      continue;
    }
    out.append(in.substr(i, length));
    i += length;
  }
  return out;
}

// Text for HTML and SVG, as element content or a double-quoted attribute value.
std::string Html(std::string_view text) {
  std::string clean = CleanText(text);
  std::string out;
  out.reserve(clean.size());
  for (char c : clean) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Text for a Markdown paragraph, list item or table cell: on one line, with the characters that
// Markdown (CommonMark, GitHub tables) would read as markup or raw HTML backslash-escaped.
std::string Md(std::string_view text) {
  constexpr std::string_view kMarkup = "\\`*_[]<>|&#~";
  std::string out;
  for (char c : CleanText(text)) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      if (kMarkup.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

// A coordinate or length for SVG, with one decimal.
std::string Num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string Speed(double speed) {
  char text[32];
  std::snprintf(text, sizeof text, "%g\u00d7", speed);
  return text;
}

std::string_view RatingMeaning(char rating) {
  switch (rating) {
    case 'P':
      return "Performed without challenges";
    case 'S':
      return "Performed with some challenges";
    case 'M':
      return "Performed with major challenges";
    case 'U':
      return "Unable to be performed";
    default:
      return "Not rated";
  }
}

std::string_view ActionColour(std::string_view action) {
  struct Colour {
    std::string_view action, colour;
  };
  static constexpr Colour kColours[] = {
      {"request", "#1f77b4"}, {"acknowledge", "#17a2b8"}, {"convene", "#7b4fb3"},
      {"propose", "#8c564b"}, {"approve", "#2e9d4a"},     {"object", "#d62728"},
      {"report", "#7f8c8d"},  {"decide", "#e0a100"},      {"close", "#34495e"},
  };
  for (const Colour& c : kColours) {
    if (c.action == action) return c.colour;
  }
  return "#616e7c";
}

std::string_view EscalationColour(std::string_view level) {
  if (level == "working") return "#f9a825";
  if (level == "senior") return "#ef6c00";
  if (level == "leader") return "#b71c1c";
  return "#ef6c00";
}

// The CSS class of the classification banner, by the conventional banner colours.
std::string_view ClassificationClass(std::string_view classification) {
  std::string upper;
  for (char c : classification)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.starts_with("TOP SECRET")) return "cls-ts";
  if (upper.starts_with("SECRET")) return "cls-s";
  if (upper.starts_with("CONFIDENTIAL")) return "cls-c";
  if (upper.starts_with("RESTRICTED")) return "cls-r";
  if (upper.starts_with("UNCLASSIFIED")) return "cls-u";
  return "cls-other";
}

std::string ClassificationText(std::string_view classification) {
  return classification.empty() ? "CLASSIFICATION NOT STATED" : std::string(classification);
}

// ---------------------------------------------------------------------------------------------
// Elements. Attribute values and text go through Html(); `inner` markup is the caller's.

struct Attr {
  std::string_view name;
  std::string value;
};

std::string AttrText(std::initializer_list<Attr> attrs) {
  std::string out;
  for (const Attr& a : attrs) out += " " + std::string(a.name) + R"(=")" + Html(a.value) + '"';
  return out;
}

// <name a="v" />
std::string Empty(std::string_view name, std::initializer_list<Attr> attrs) {
  return "<" + std::string(name) + AttrText(attrs) + " />";
}

// <name a="v">inner</name>, `inner` being markup.
std::string Wrap(std::string_view name, std::initializer_list<Attr> attrs, std::string_view inner) {
  return "<" + std::string(name) + AttrText(attrs) + ">" + std::string(inner) + "</" +
         std::string(name) + ">";
}

// <name a="v">text</name>, `text` being text.
std::string Text(std::string_view name, std::initializer_list<Attr> attrs, std::string_view text) {
  return Wrap(name, attrs, Html(text));
}

// ---------------------------------------------------------------------------------------------
// HTML page frame.

constexpr std::string_view kCss = R"css(
*{box-sizing:border-box}
body{margin:0;background:#eef2f6;color:#1f2933;font:15px/1.55 "Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.banner{text-align:center;font-weight:700;letter-spacing:.25em;padding:5px 8px;font-size:13px}
.banner-exercise{background:#102a43;color:#ffd54f}
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
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0 14px}
th{text-align:left;background:#f0f4f8;color:#334e68;font-weight:600;padding:8px 10px;border-bottom:2px solid #d9e2ec;white-space:nowrap}
td{padding:7px 10px;border-bottom:1px solid #e4e7eb;vertical-align:top}
tbody tr:nth-child(even) td{background:#fafbfc}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}
td.muted,span.muted{color:#829ab1}
.synopsis{display:block;color:#627d98;font-size:12px}
code{font:12px/1.4 "SFMono-Regular",Consolas,"Liberation Mono",monospace;background:#f0f4f8;padding:1px 4px;border-radius:3px}
table.facts{width:auto;min-width:55%}
table.facts th{background:none;border-bottom:1px solid #e4e7eb;color:#627d98;font-weight:600;width:190px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0 6px}
.card{flex:1 1 130px;border:1px solid #d9e2ec;border-top-width:4px;border-radius:6px;padding:10px 14px}
.card .value{font-size:26px;font-weight:700;color:#102a43;line-height:1.2}
.card .label{font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:#627d98}
.card-met{border-top-color:#2e7d32}
.card-late{border-top-color:#f9a825}
.card-missed{border-top-color:#c62828}
.card-notsent{border-top-color:#9aa5b1}
.card-neutral{border-top-color:#243b53}
.badge{display:inline-block;min-width:26px;padding:2px 9px;border-radius:12px;font-weight:700;font-size:12px;text-align:center;color:#fff;white-space:nowrap}
.rating{display:inline-block;width:34px;height:34px;line-height:34px;border-radius:50%;font-weight:800;font-size:17px;text-align:center;color:#fff}
.r-P{background:#2e7d32}
.r-S{background:#f9a825;color:#3e2c00}
.r-M{background:#ef6c00}
.r-U{background:#c62828}
.o-met{background:#2e7d32}
.o-late{background:#f9a825;color:#3e2c00}
.o-missed{background:#c62828}
.o-not-sent{background:#9aa5b1}
.rating-cell{white-space:nowrap}
.rating-cell .meaning{display:block;font-size:12px;color:#52606d;margin-top:4px}
ul.obs{margin:0;padding-left:18px}
ul.obs li{margin:2px 0}
.chart{border:1px solid #d9e2ec;border-radius:6px;padding:8px;background:#fff}
.chart svg{display:block;width:100%;height:auto}
.headline{font-size:22px;font-weight:700;color:#102a43;background:#f0f4f8;border-left:5px solid #243b53;padding:12px 16px;margin:18px 0}
footer{margin-top:36px;padding-top:12px;border-top:1px solid #d9e2ec;color:#829ab1;font-size:12px}
)css";

void OpenPage(std::string& out, std::string_view title, std::string_view classification,
              std::string_view banner) {
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n";
  out += "<title>" + Html(title) + "</title>\n<style>" + std::string(kCss) + "</style>\n";
  out += "</head>\n<body>\n";
  out += "<div class=\"banner banner-exercise\">" + Html(banner) + "</div>\n";
  out += "<div class=\"banner " + std::string(ClassificationClass(classification)) + "\">" +
         Html(ClassificationText(classification)) + "</div>\n<main>\n";
}

void ClosePage(std::string& out, std::string_view footer, std::string_view classification,
               std::string_view banner) {
  out += "<footer>" + Html(footer) + "</footer>\n</main>\n";
  out += "<div class=\"banner " + std::string(ClassificationClass(classification)) + "\">" +
         Html(ClassificationText(classification)) + "</div>\n";
  out += "<div class=\"banner banner-exercise\">" + Html(banner) + "</div>\n</body>\n</html>\n";
}

// <td>…</td> with escaped text; `cls` "" or a class name.
std::string Td(std::string_view text, std::string_view cls = "") {
  std::string out = cls.empty() ? "<td>" : "<td class=\"" + std::string(cls) + "\">";
  return out + Html(text) + "</td>";
}

std::string OutcomeBadge(Outcome outcome) {
  std::string name(OutcomeName(outcome));
  return "<span class=\"badge o-" + name + "\">" + Html(name) + "</span>";
}

std::string ConsultationCode(std::string_view id) {
  if (id.empty()) return "<span class=\"muted\">\u2014</span>";
  return "<code title=\"" + Html(id) + "\">" + Html(ShortId(id)) + "</code>";
}

// ---------------------------------------------------------------------------------------------
// Figures shared by the HTML and the Markdown.

struct Totals {
  size_t met = 0, late = 0, missed = 0, not_sent = 0;
};
Totals Count(const Evaluation& evaluation) {
  Totals t;
  for (const ExpectationResult& e : evaluation.expectations) {
    switch (e.outcome) {
      case Outcome::kMet:
        ++t.met;
        break;
      case Outcome::kLate:
        ++t.late;
        break;
      case Outcome::kMissed:
        ++t.missed;
        break;
      case Outcome::kNotSent:
        ++t.not_sent;
        break;
    }
  }
  return t;
}

std::string Startex(const Record& record) {
  if (record.startex_unix_ms == 0) return "T+00:00 (no wall-clock time: simulated)";
  return FormatRfc3339(FromUnixMs(record.startex_unix_ms));
}

std::string Endex(const Record& record) {
  return FormatScenarioTime(record.endex_ms) + " (" + HumanDuration(record.endex_ms) +
         " of scenario time)";
}

std::string ResponseList(const PartnerFigures& f) {
  std::vector<std::string> parts;
  parts.reserve(f.response_ms.size());
  for (uint64_t ms : f.response_ms) parts.push_back(HumanDuration(ms));
  return parts.empty() ? "\u2014" : Join(parts, ", ");
}

std::string Median(const PartnerFigures& f) {
  return f.median_response_ms ? HumanDuration(*f.median_response_ms) : "\u2014";
}

std::string Done(const ExpectationResult& e) {
  return e.done_ms ? FormatScenarioTime(*e.done_ms) : "\u2014";
}

std::string Response(const ExpectationResult& e) {
  auto response = e.response_ms();
  return response ? HumanDuration(*response) : "\u2014";
}

std::string Sent(const ExpectationResult& e) {
  return e.outcome == Outcome::kNotSent ? "not sent" : FormatScenarioTime(e.sent_ms);
}

std::string DeadlineDone(const DeadlineResult& d) {
  return d.met_ms ? FormatScenarioTime(*d.met_ms) : "not done";
}

// One line of the chronology (the Markdown form of the timeline).
struct TimelineEntry {
  uint64_t at_ms;
  std::string lane;
  std::string what;
};
std::vector<TimelineEntry> Chronology(const Evaluation& evaluation) {
  const Record& record = evaluation.record;
  std::vector<TimelineEntry> out;
  for (const SentInject& s : record.injects) {
    std::string what =
        std::string(s.contingency ? "Contingency inject " : "Inject ") + s.number + " sent";
    if (const Inject* inject = evaluation.scenario.FindInject(s.number);
        inject != nullptr && !inject->synopsis.empty()) {
      what += ": " + inject->synopsis;
    }
    out.push_back({s.sent_ms, "Controller", std::move(what)});
  }
  for (const Observation& o : record.observations) {
    std::string what = o.partner + " " + o.action;
    if (!o.member.empty()) what += " (" + o.member + ")";
    if (!o.consultation.empty()) what += ", consultation " + ShortId(o.consultation);
    out.push_back({o.at_ms, o.partner, std::move(what)});
  }
  for (const DeadlineResult& d : record.deadlines) {
    out.push_back({d.due_ms, d.partner,
                   "Deadline: " + d.what + " \u2014 " +
                       (d.met()    ? "met at " + FormatScenarioTime(*d.met_ms)
                        : d.met_ms ? "missed, done at " + FormatScenarioTime(*d.met_ms)
                                   : std::string("missed, not done"))});
  }
  for (const EscalationEvent& e : record.escalations) {
    out.push_back(
        {e.at_ms, e.partner,
         "Escalation to " + e.level + " level: " + e.partner + " silent" +
             (e.consultation.empty() ? "" : " in consultation " + ShortId(e.consultation))});
  }
  if (record.endex_ms > 0) out.push_back({record.endex_ms, "Controller", "ENDEX"});
  std::stable_sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    return a.at_ms < b.at_ms;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The timeline chart.

std::string Point(double x, double y) { return Num(x) + "," + Num(y); }

std::string ShapeDiamond(double x, double y, double r, std::string_view fill) {
  return Empty("polygon", {{"points", Point(x, y - r) + " " + Point(x + r, y) + " " +
                                          Point(x, y + r) + " " + Point(x - r, y)},
                           {"fill", std::string(fill)},
                           {"stroke", "#fff"},
                           {"stroke-width", "1"}});
}
std::string ShapeCircle(double x, double y, std::string_view fill) {
  return Empty("circle", {{"cx", Num(x)},
                          {"cy", Num(y)},
                          {"r", "5.5"},
                          {"fill", std::string(fill)},
                          {"stroke", "#fff"},
                          {"stroke-width", "1.5"}});
}
std::string ShapeSquare(double x, double y, std::string_view fill) {
  return Empty("rect", {{"x", Num(x - 5)},
                        {"y", Num(y - 5)},
                        {"width", "10"},
                        {"height", "10"},
                        {"rx", "1.5"},
                        {"fill", std::string(fill)},
                        {"stroke", "#fff"},
                        {"stroke-width", "1"}});
}
std::string ShapeTriangle(double x, double y, std::string_view fill) {
  return Empty("polygon",
               {{"points", Point(x, y - 6) + " " + Point(x + 6, y + 5) + " " + Point(x - 6, y + 5)},
                {"fill", std::string(fill)},
                {"stroke", "#fff"},
                {"stroke-width", "1"}});
}
// A shape whose tooltip is `title`.
std::string WithTitle(std::string_view title, const std::string& shape) {
  return Wrap("g", {}, Text("title", {}, title) + shape) + "\n";
}
std::string Line(double x1, double y1, double x2, double y2, std::string_view stroke,
                 std::string_view width, std::string_view dash = "") {
  std::string line = Empty("line", {{"x1", Num(x1)},
                                    {"y1", Num(y1)},
                                    {"x2", Num(x2)},
                                    {"y2", Num(y2)},
                                    {"stroke", std::string(stroke)},
                                    {"stroke-width", std::string(width)}});
  if (!dash.empty()) {
    line.insert(line.size() - 3, AttrText({{"stroke-dasharray", std::string(dash)}}));
  }
  return line + "\n";
}
// Text at (x, y); `anchor` start, middle or end; `style` more attributes, e.g. font-size.
std::string Label(double x, double y, std::string_view anchor, std::string_view fill,
                  std::string_view size, std::string_view weight, std::string_view text) {
  return Text("text",
              {{"x", Num(x)},
               {"y", Num(y)},
               {"text-anchor", std::string(anchor)},
               {"font-size", std::string(size)},
               {"font-weight", std::string(weight)},
               {"fill", std::string(fill)}},
              text) +
         "\n";
}

// The opening <svg> tag, scalable to its container, with `label` for screen readers and as the
// tooltip.
std::string SvgOpen(double width, double height, std::string_view label) {
  std::string open =
      Empty("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                    {"viewBox", "0 0 " + Num(width) + " " + Num(height)},
                    {"width", Num(width)},
                    {"height", Num(height)},
                    {"role", "img"},
                    {"aria-label", std::string(label)},
                    {"font-family", "Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"},
                    {"font-size", "12"}});
  open.replace(open.size() - 3, 3, ">");  // an open tag, closed by "</svg>"
  return open + "\n" + Text("title", {}, label) + "\n";
}

// A tick step giving at most ~10 ticks over `span` milliseconds.
uint64_t TickStep(uint64_t span) {
  constexpr uint64_t kMinutes[] = {1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440};
  for (uint64_t minutes : kMinutes) {
    uint64_t step = minutes * kMsPerMinute;
    if ((span + step - 1) / step <= 10) return step;
  }
  uint64_t days = (span / kMsPerDay + 9) / 10;
  return std::max<uint64_t>(days, 1) * kMsPerDay;
}

// T+HH:MM, the tick label (hours may exceed 24).
std::string TickLabel(uint64_t ms) {
  char text[32];
  std::snprintf(text, sizeof text, "T+%02llu:%02llu",
                static_cast<unsigned long long>(ms / kMsPerHour),
                static_cast<unsigned long long>(ms / kMsPerMinute % 60));
  return text;
}

// The timeline: x is scenario time, one lane for the controller's injects, one per partner.
// Deadlines are drawn above a lane's middle, observations on it and escalations below it.
std::string TimelineSvg(const Evaluation& evaluation) {
  const Scenario& scenario = evaluation.scenario;
  const Record& record = evaluation.record;

  // Lanes: the controller's, the scenario's partners, then any other partner seen.
  std::vector<std::string> lanes = {"Controller"};
  std::vector<std::string> keys = {""};
  auto add_lane = [&](const std::string& partner) {
    if (partner.empty() || partner == kAll) return;
    if (std::find(keys.begin(), keys.end(), partner) != keys.end()) return;
    lanes.push_back(partner);
    keys.push_back(partner);
  };
  for (const std::string& p : scenario.partners) add_lane(p);
  for (const Observation& o : record.observations) add_lane(o.partner);
  for (const DeadlineResult& d : record.deadlines) add_lane(d.partner);
  for (const EscalationEvent& e : record.escalations) add_lane(e.partner);
  auto lane_of = [&](std::string_view partner) -> int {
    for (size_t i = 1; i < keys.size(); ++i) {
      if (keys[i] == partner) return static_cast<int>(i);
    }
    return -1;
  };

  uint64_t span = std::max(record.endex_ms, scenario.end_ms);
  for (const SentInject& s : record.injects) span = std::max(span, s.sent_ms);
  for (const Observation& o : record.observations) span = std::max(span, o.at_ms);
  for (const DeadlineResult& d : record.deadlines) {
    span = std::max(span, d.due_ms);
    if (d.met_ms) span = std::max(span, *d.met_ms);
  }
  for (const EscalationEvent& e : record.escalations) span = std::max(span, e.at_ms);
  if (span == 0) span = kMsPerHour;
  span = std::min(span, kMaxDurationMs);  // bad input must not make ticks without end
  const uint64_t step = TickStep(span);
  const uint64_t axis_end = (span + step - 1) / step * step;

  constexpr double kWidth = 1000, kLeft = 110, kRight = 24, kTop = 30, kLaneHeight = 46;
  const double plot_width = kWidth - kLeft - kRight;
  auto x_of = [&](uint64_t ms) {
    return kLeft +
           plot_width * static_cast<double>(std::min(ms, axis_end)) / static_cast<double>(axis_end);
  };
  auto lane_y = [&](int lane) { return kTop + kLaneHeight * lane; };
  auto lane_center = [&](int lane) { return lane_y(lane) + kLaneHeight / 2; };
  const double axis_y = lane_y(static_cast<int>(lanes.size()));

  // The legend, laid out in rows before the height is known.
  struct LegendItem {
    std::string shape;  // "diamond", "circle", "square", "triangle"
    std::string colour;
    std::string label;
    double x = 0, y = 0;
  };
  std::vector<LegendItem> legend = {{"diamond", "#243b53", "inject sent"},
                                    {"diamond", "#ef6c00", "contingency inject"}};
  for (std::string_view action : kActions) {
    legend.push_back({"circle", std::string(ActionColour(action)), std::string(action)});
  }
  legend.push_back({"square", "#2e7d32", "deadline met"});
  legend.push_back({"square", "#c62828", "deadline missed"});
  legend.push_back({"triangle", std::string(EscalationColour("working")), "escalation: working"});
  legend.push_back({"triangle", std::string(EscalationColour("senior")), "senior"});
  legend.push_back({"triangle", std::string(EscalationColour("leader")), "leader"});
  double lx = kLeft, ly = axis_y + 44;
  for (LegendItem& item : legend) {
    double item_width = 24 + 6.6 * static_cast<double>(item.label.size()) + 14;
    if (lx + item_width > kWidth - kRight && lx > kLeft) {
      lx = kLeft;
      ly += 22;
    }
    item.x = lx + 8;
    item.y = ly;
    lx += item_width;
  }
  const double height = ly + 16;

  std::string svg = SvgOpen(kWidth, height, "Timeline of the exercise");
  for (size_t i = 0; i < lanes.size(); ++i) {
    int lane = static_cast<int>(i);
    svg += Empty("rect", {{"x", Num(kLeft)},
                          {"y", Num(lane_y(lane))},
                          {"width", Num(plot_width)},
                          {"height", Num(kLaneHeight)},
                          {"fill", i % 2 == 0 ? "#f5f7fa" : "#ffffff"}}) +
           "\n";
    svg += Label(kLeft - 12, lane_center(lane) + 4, "end", "#243b53", "12", "600", lanes[i]);
  }
  for (uint64_t t = 0; t <= axis_end; t += step) {
    double x = x_of(t);
    svg += Line(x, kTop, x, axis_y + 4, "#d9e2ec", "1");
    svg += Label(x, axis_y + 18, "middle", "#52606d", "11", "400", TickLabel(t));
  }
  svg += Line(kLeft, axis_y, kWidth - kRight, axis_y, "#9fb3c8", "1");
  if (record.endex_ms > 0) {
    double x = x_of(record.endex_ms);
    svg += Line(x, kTop - 6, x, axis_y, "#102a43", "1.5");
    svg += Label(x, kTop - 10, "middle", "#102a43", "10", "700", "ENDEX");
  }

  // Injects: a guide line across the players' lanes, a diamond and the number.
  for (const SentInject& s : record.injects) {
    double x = x_of(s.sent_ms);
    svg += Line(x, lane_y(1), x, axis_y, "#9fb3c8", "1", "3 3");
  }
  for (const SentInject& s : record.injects) {
    double x = x_of(s.sent_ms);
    std::string title = std::string(s.contingency ? "Contingency inject " : "Inject ") + s.number +
                        " sent at " + FormatScenarioTime(s.sent_ms);
    if (const Inject* inject = scenario.FindInject(s.number);
        inject != nullptr && !inject->synopsis.empty()) {
      title += ": " + inject->synopsis;
    }
    svg += WithTitle(title,
                     ShapeDiamond(x, lane_center(0) + 4, 7, s.contingency ? "#ef6c00" : "#243b53"));
    svg += Label(x, lane_center(0) - 8, "middle", "#243b53", "10", "600", s.number);
  }
  for (const DeadlineResult& d : record.deadlines) {
    int lane = lane_of(d.partner);
    if (lane < 0) continue;
    std::string title = "Deadline: " + d.what + ", due " + FormatScenarioTime(d.due_ms) +
                        " \u2014 " + (d.met() ? "met at " : "missed, ") + DeadlineDone(d);
    svg += WithTitle(title, ShapeSquare(x_of(d.due_ms), lane_center(lane) - 13,
                                        d.met() ? "#2e7d32" : "#c62828"));
  }
  for (const Observation& o : record.observations) {
    std::string title = o.partner + " " + o.action + " at " + FormatScenarioTime(o.at_ms);
    if (!o.member.empty()) title += " by " + o.member;
    if (!o.consultation.empty()) title += " (consultation " + ShortId(o.consultation) + ")";
    std::vector<int> on;
    if (o.partner == kAll) {
      for (size_t i = 1; i < keys.size(); ++i) on.push_back(static_cast<int>(i));
    } else if (int lane = lane_of(o.partner); lane >= 0) {
      on.push_back(lane);
    }
    for (int lane : on) {
      svg +=
          WithTitle(title, ShapeCircle(x_of(o.at_ms), lane_center(lane), ActionColour(o.action)));
    }
  }
  for (const EscalationEvent& e : record.escalations) {
    int lane = lane_of(e.partner);
    if (lane < 0) continue;
    std::string title = "Escalation to " + e.level + " level at " + FormatScenarioTime(e.at_ms) +
                        ": " + e.partner + " silent";
    if (!e.consultation.empty()) title += " in consultation " + ShortId(e.consultation);
    svg += WithTitle(
        title, ShapeTriangle(x_of(e.at_ms), lane_center(lane) + 13, EscalationColour(e.level)));
  }

  for (const LegendItem& item : legend) {
    if (item.shape == "diamond") {
      svg += ShapeDiamond(item.x, item.y, 6, item.colour);
    } else if (item.shape == "circle") {
      svg += ShapeCircle(item.x, item.y, item.colour);
    } else if (item.shape == "square") {
      svg += ShapeSquare(item.x, item.y, item.colour);
    } else {
      svg += ShapeTriangle(item.x, item.y, item.colour);
    }
    svg += Label(item.x + 12, item.y + 4, "start", "#334e68", "12", "400", item.label);
  }
  return svg + "</svg>";
}

// ---------------------------------------------------------------------------------------------
// The AAR in HTML.

std::string AarHtml(const Evaluation& evaluation) {
  const Scenario& scenario = evaluation.scenario;
  const Record& record = evaluation.record;
  const Totals totals = Count(evaluation);
  std::string out;
  OpenPage(out, "EXERCISE \u2014 After-Action Report: " + scenario.name, scenario.classification,
           kExerciseBanner);

  out +=
      "<header class=\"title\">\n<div class=\"kicker\">EXERCISE \u00b7 After-Action Report / "
      "Improvement Plan</div>\n";
  out += "<h1>" + Html(scenario.name.empty() ? "Unnamed exercise" : scenario.name) + "</h1>\n";
  std::vector<std::string> subtitle;
  if (!scenario.type.empty()) subtitle.push_back(scenario.type + " exercise");
  if (!scenario.date.empty()) subtitle.push_back(scenario.date);
  if (!scenario.partners.empty()) subtitle.push_back(Join(scenario.partners, ", "));
  out += "<div class=\"subtitle\">" + Html(Join(subtitle, " \u00b7 ")) + "</div>\n</header>\n";

  // 1. Summary.
  out += "<section id=\"summary\">\n<h2>1. Summary</h2>\n";
  out += "<div class=\"cards\">\n";
  auto card = [&](std::string_view cls, size_t value, std::string_view label) {
    out += Wrap("div", {{"class", "card " + std::string(cls)}},
                Text("div", {{"class", "value"}}, std::to_string(value)) +
                    Text("div", {{"class", "label"}}, label)) +
           "\n";
  };
  card("card-met", totals.met, "expected actions met");
  card("card-late", totals.late, "late");
  card("card-missed", totals.missed, "missed");
  card("card-notsent", totals.not_sent, "not sent");
  card("card-neutral", record.consultations, "consultations");
  card("card-neutral", record.decisions_adopted, "decisions adopted");
  out += "</div>\n<table class=\"facts\">\n<tbody>\n";
  auto fact = [&](std::string_view name, const std::string& value_html) {
    out += "<tr><th scope=\"row\">" + Html(name) + "</th><td>" + value_html + "</td></tr>\n";
  };
  fact("Exercise", Html(scenario.name));
  fact("Type", Html(scenario.type));
  fact("Date", Html(scenario.date));
  fact("Classification", Html(ClassificationText(scenario.classification)));
  fact("Partners", Html(Join(scenario.partners, ", ")));
  if (!record.exercise_id.empty()) fact("Exercise id", ConsultationCode(record.exercise_id));
  fact("STARTEX", Html(Startex(record)));
  fact("ENDEX", Html(Endex(record)));
  fact("Speed", Html(Speed(record.speed)));
  fact("Injects sent", Html(std::to_string(record.injects.size()) +
                            " (MSEL: " + std::to_string(scenario.injects.size()) + " injects)"));
  fact("Consultations", Html(std::to_string(record.consultations)));
  fact("Decisions adopted", Html(std::to_string(record.decisions_adopted)));
  fact("Expected actions",
       Html(std::to_string(totals.met) + " met, " + std::to_string(totals.late) + " late, " +
            std::to_string(totals.missed) + " missed, " + std::to_string(totals.not_sent) +
            " not sent"));
  out += "</tbody>\n</table>\n</section>\n";

  // 2. Timeline.
  out += "<section id=\"timeline\">\n<h2>2. Timeline</h2>\n";
  out +=
      "<p class=\"note\">Scenario time since STARTEX. One lane for the controller\u2019s injects "
      "and one per partner; hover a marker for details.</p>\n";
  out += "<div class=\"chart\">\n" + TimelineSvg(evaluation) + "\n</div>\n</section>\n";

  // 3. Response times.
  out += "<section id=\"response-times\">\n<h2>3. Response times</h2>\n<h3>Per partner</h3>\n";
  out +=
      "<table>\n<thead><tr><th>Partner</th><th class=\"num\">Expected</th>"
      "<th class=\"num\">Met</th><th class=\"num\">Late</th><th class=\"num\">Missed</th>"
      "<th class=\"num\">Median response</th><th>Responses</th></tr></thead>\n<tbody>\n";
  for (const PartnerFigures& f : evaluation.partners) {
    out += "<tr>" + Td(f.partner) + Td(std::to_string(f.expected), "num") +
           Td(std::to_string(f.met), "num") + Td(std::to_string(f.late), "num") +
           Td(std::to_string(f.missed), "num") + Td(Median(f), "num") + Td(ResponseList(f)) +
           "</tr>\n";
  }
  out += "</tbody>\n</table>\n<h3>Per inject</h3>\n";
  out +=
      "<table>\n<thead><tr><th>Inject</th><th>Sent</th><th>Partner</th><th>Action</th>"
      "<th class=\"num\">Target</th><th>Done</th><th class=\"num\">Response</th>"
      "<th>Outcome</th></tr></thead>\n<tbody>\n";
  for (const ExpectationResult& e : evaluation.expectations) {
    std::string inject_cell = "<td><strong>" + Html(e.inject) + "</strong>";
    if (const Inject* inject = scenario.FindInject(e.inject);
        inject != nullptr && !inject->synopsis.empty()) {
      inject_cell += "<span class=\"synopsis\">" + Html(inject->synopsis) + "</span>";
    }
    inject_cell += "</td>";
    out += "<tr>" + inject_cell + Td(Sent(e), e.outcome == Outcome::kNotSent ? "muted" : "") +
           Td(e.expected.partner) + Td(e.expected.action) +
           Td(HumanDuration(e.expected.within_ms), "num") + Td(Done(e)) + Td(Response(e), "num") +
           "<td>" + OutcomeBadge(e.outcome) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";

  // 4. Deadlines and escalations.
  out += "<section id=\"deadlines\">\n<h2>4. Consultation deadlines</h2>\n";
  if (record.deadlines.empty()) {
    out += "<p class=\"note\">No consultation deadline fell within the exercise.</p>\n";
  } else {
    out +=
        "<table>\n<thead><tr><th>Consultation</th><th>Deadline</th><th>Partner</th>"
        "<th>Due</th><th>Done</th><th>Result</th></tr></thead>\n<tbody>\n";
    for (const DeadlineResult& d : record.deadlines) {
      out += "<tr><td>" + ConsultationCode(d.consultation) + "</td>" + Td(d.what) + Td(d.partner) +
             Td(FormatScenarioTime(d.due_ms)) + Td(DeadlineDone(d)) + "<td>" +
             (d.met() ? "<span class=\"badge o-met\">met</span>"
                      : "<span class=\"badge o-missed\">missed</span>") +
             "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  out += "</section>\n<section id=\"escalations\">\n<h2>5. Escalations</h2>\n";
  if (record.escalations.empty()) {
    out += "<p class=\"note\">No escalation fired.</p>\n";
  } else {
    out +=
        "<table>\n<thead><tr><th>Consultation</th><th>Silent partner</th><th>Level</th>"
        "<th>At</th></tr></thead>\n<tbody>\n";
    for (const EscalationEvent& e : record.escalations) {
      out += "<tr><td>" + ConsultationCode(e.consultation) + "</td>" + Td(e.partner) +
             Wrap("td", {},
                  Text("span",
                       {{"class", "badge"},
                        {"style", "background:" + std::string(EscalationColour(e.level))}},
                       e.level)) +
             Td(FormatScenarioTime(e.at_ms)) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  out += "</section>\n";

  // 6. Objectives.
  out += "<section id=\"objectives\">\n<h2>6. Objectives</h2>\n";
  out +=
      "<p class=\"note\">HSEEP ratings: <span class=\"badge r-P\">P</span> performed without "
      "challenges \u00b7 <span class=\"badge r-S\">S</span> with some challenges \u00b7 "
      "<span class=\"badge r-M\">M</span> with major challenges \u00b7 "
      "<span class=\"badge r-U\">U</span> unable to be performed.</p>\n";
  out +=
      "<table>\n<thead><tr><th>Objective</th><th>Rating</th><th>Observations</th></tr>"
      "</thead>\n<tbody>\n";
  for (const ObjectiveRating& r : evaluation.ratings) {
    const Objective* objective = scenario.FindObjective(r.objective);
    out += "<tr><td><strong>" + Html(r.objective) + "</strong>";
    if (objective != nullptr) {
      if (!objective->text.empty()) out += "<br />" + Html(objective->text);
      if (!objective->capability.empty()) {
        out += "<span class=\"synopsis\">Capability: " + Html(objective->capability) + "</span>";
      }
    }
    std::string letter(1, r.rating);
    out += "</td>" +
           Wrap("td", {{"class", "rating-cell"}},
                Text("span", {{"class", "rating r-" + letter}}, letter) +
                    Text("span", {{"class", "meaning"}}, RatingMeaning(r.rating))) +
           R"(<td><ul class="obs">)";
    for (const std::string& line : r.observations) out += "<li>" + Html(line) + "</li>";
    out += "</ul></td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";

  // 7. Improvement plan.
  out += "<section id=\"improvement-plan\">\n<h2>7. Improvement plan</h2>\n";
  if (evaluation.improvement_plan.empty()) {
    out +=
        "<p class=\"note\">No improvement item: every expected action tested was met and "
        "every deadline kept.</p>\n";
  } else {
    out +=
        "<table>\n<thead><tr><th>Objective</th><th>Issue</th><th>Corrective action</th>"
        "<th>Capability element</th><th>Responsible partner</th><th>Due date</th></tr>"
        "</thead>\n<tbody>\n";
    for (const ImprovementItem& i : evaluation.improvement_plan) {
      out += "<tr>" + Td(i.objective.empty() ? "\u2014" : i.objective) + Td(i.issue) +
             Td(i.corrective_action) + Td(i.capability_element) + Td(i.partner) +
             Td(i.due.empty() ? "\u2014" : i.due) + "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  out += "</section>\n";

  std::string footer = "Generated by Entente from the exercise's logs";
  if (!record.exercise_id.empty()) footer += " (exercise " + record.exercise_id + ")";
  footer += ". Times are scenario times since STARTEX.";
  ClosePage(out, footer, scenario.classification, kExerciseBanner);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The AAR in Markdown.

std::string MdRow(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& cell : cells) out += " " + Md(cell) + " |";
  return out + "\n";
}

std::string MdHeader(const std::vector<std::string>& cells, const std::vector<bool>& numeric) {
  std::string out = MdRow(cells) + "|";
  for (size_t i = 0; i < cells.size(); ++i) {
    out += i < numeric.size() && numeric[i] ? " ---: |" : " --- |";
  }
  return out + "\n";
}

std::string AarMarkdown(const Evaluation& evaluation) {
  const Scenario& scenario = evaluation.scenario;
  const Record& record = evaluation.record;
  const Totals totals = Count(evaluation);
  const std::string banner = "**" + std::string(kExerciseBanner) + "**\n\n**" +
                             Md(ClassificationText(scenario.classification)) + "**\n\n";
  std::string out = banner;
  out += "# EXERCISE \u2014 After-Action Report / Improvement Plan: " + Md(scenario.name) + "\n\n";

  out += "## 1. Summary\n\n" + MdHeader({"Item", "Value"}, {});
  out += MdRow({"Exercise", scenario.name});
  out += MdRow({"Type", scenario.type});
  out += MdRow({"Date", scenario.date});
  out += MdRow({"Classification", ClassificationText(scenario.classification)});
  out += MdRow({"Partners", Join(scenario.partners, ", ")});
  if (!record.exercise_id.empty()) out += MdRow({"Exercise id", record.exercise_id});
  out += MdRow({"STARTEX", Startex(record)});
  out += MdRow({"ENDEX", Endex(record)});
  out += MdRow({"Speed", Speed(record.speed)});
  out += MdRow({"Injects sent", std::to_string(record.injects.size()) + " (MSEL: " +
                                    std::to_string(scenario.injects.size()) + " injects)"});
  out += MdRow({"Consultations", std::to_string(record.consultations)});
  out += MdRow({"Decisions adopted", std::to_string(record.decisions_adopted)});
  out += MdRow({"Expected actions", std::to_string(totals.met) + " met, " +
                                        std::to_string(totals.late) + " late, " +
                                        std::to_string(totals.missed) + " missed, " +
                                        std::to_string(totals.not_sent) + " not sent"});

  out += "\n## 2. Timeline\n\n" + MdHeader({"Time", "Lane", "Event"}, {});
  for (const TimelineEntry& entry : Chronology(evaluation)) {
    out += MdRow({FormatScenarioTime(entry.at_ms), entry.lane, entry.what});
  }

  out += "\n## 3. Response times\n\n### Per partner\n\n" +
         MdHeader({"Partner", "Expected", "Met", "Late", "Missed", "Median response", "Responses"},
                  {false, true, true, true, true, true, false});
  for (const PartnerFigures& f : evaluation.partners) {
    out += MdRow({f.partner, std::to_string(f.expected), std::to_string(f.met),
                  std::to_string(f.late), std::to_string(f.missed), Median(f), ResponseList(f)});
  }
  out += "\n### Per inject\n\n" +
         MdHeader({"Inject", "Sent", "Partner", "Action", "Target", "Done", "Response", "Outcome"},
                  {false, false, false, false, true, false, true, false});
  for (const ExpectationResult& e : evaluation.expectations) {
    out += MdRow({e.inject, Sent(e), e.expected.partner, e.expected.action,
                  HumanDuration(e.expected.within_ms), Done(e), Response(e),
                  std::string(OutcomeName(e.outcome))});
  }

  out += "\n## 4. Consultation deadlines\n\n";
  if (record.deadlines.empty()) {
    out += "No consultation deadline fell within the exercise.\n";
  } else {
    out += MdHeader({"Consultation", "Deadline", "Partner", "Due", "Done", "Result"}, {});
    for (const DeadlineResult& d : record.deadlines) {
      out += MdRow({ShortId(d.consultation), d.what, d.partner, FormatScenarioTime(d.due_ms),
                    DeadlineDone(d), d.met() ? "met" : "missed"});
    }
  }
  out += "\n## 5. Escalations\n\n";
  if (record.escalations.empty()) {
    out += "No escalation fired.\n";
  } else {
    out += MdHeader({"Consultation", "Silent partner", "Level", "At"}, {});
    for (const EscalationEvent& e : record.escalations) {
      out += MdRow({ShortId(e.consultation), e.partner, e.level, FormatScenarioTime(e.at_ms)});
    }
  }

  out +=
      "\n## 6. Objectives\n\nHSEEP ratings: P performed without challenges, S with some "
      "challenges, M with major challenges, U unable to be performed.\n\n";
  out += MdHeader({"Objective", "Capability", "Rating"}, {});
  for (const ObjectiveRating& r : evaluation.ratings) {
    const Objective* objective = scenario.FindObjective(r.objective);
    std::string capability = objective != nullptr ? objective->capability : "";
    std::string text = objective != nullptr ? objective->text : "";
    out += MdRow({r.objective + (text.empty() ? "" : ": " + text), capability,
                  std::string(1, r.rating) + " (" + std::string(RatingMeaning(r.rating)) + ")"});
  }
  for (const ObjectiveRating& r : evaluation.ratings) {
    out += "\n### " + Md(r.objective) + " \u2014 " + Md(std::string(1, r.rating)) + "\n\n";
    for (const std::string& line : r.observations) out += "- " + Md(line) + "\n";
  }

  out += "\n## 7. Improvement plan\n\n";
  if (evaluation.improvement_plan.empty()) {
    out += "No improvement item: every expected action tested was met and every deadline kept.\n";
  } else {
    out += MdHeader({"Objective", "Issue", "Corrective action", "Capability element",
                     "Responsible partner", "Due date"},
                    {});
    for (const ImprovementItem& i : evaluation.improvement_plan) {
      out += MdRow(
          {i.objective, i.issue, i.corrective_action, i.capability_element, i.partner, i.due});
    }
  }
  out += "\n**" + Md(ClassificationText(scenario.classification)) + "**\n\n**" +
         std::string(kExerciseBanner) + "**\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Simulation.

struct Stats {
  size_t count = 0;
  std::optional<uint64_t> median, p90, min, max;
};

// Nearest rank: the ceil(percent * n / 100)-th of the sorted samples.
uint64_t Percentile(const std::vector<uint64_t>& sorted, uint64_t percent) {
  size_t rank = static_cast<size_t>((percent * sorted.size() + 99) / 100);
  return sorted[std::max<size_t>(rank, 1) - 1];
}

Stats Describe(const std::vector<uint64_t>& samples) {
  Stats stats;
  stats.count = samples.size();
  if (samples.empty()) return stats;
  std::vector<uint64_t> sorted = samples;  // sorted already, by contract; cheap to make sure
  std::sort(sorted.begin(), sorted.end());
  stats.median = Percentile(sorted, 50);
  stats.p90 = Percentile(sorted, 90);
  stats.min = sorted.front();
  stats.max = sorted.back();
  return stats;
}

double RunsPerMinute(const SimulationSummary& summary) {
  return summary.wall_seconds > 0 ? static_cast<double>(summary.runs) * 60.0 / summary.wall_seconds
                                  : 0.0;
}

bool IsDecisionDistribution(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("decision") != std::string::npos;
}

std::string Minutes(double ms, bool precise) {
  return Fixed(ms / static_cast<double>(kMsPerMinute), precise ? 1 : 0) + " min";
}

// A histogram of `distribution` in 20 bins over [min, max], with markers for the median, the
// p90 and, for the time to decision, the target.
std::string HistogramSvg(const SimulationSummary::Distribution& distribution, const Stats& stats,
                         uint64_t target_ms, bool target_from_request) {
  constexpr double kWidth = 760, kHeight = 270, kLeft = 52, kRight = 24, kTop = 56, kBottom = 44;
  constexpr size_t kBins = 20;
  const double plot_width = kWidth - kLeft - kRight, plot_height = kHeight - kTop - kBottom;
  const double axis_y = kTop + plot_height;
  std::string svg = SvgOpen(kWidth, kHeight, "Histogram: " + distribution.name);
  svg += Empty("rect", {{"x", Num(kLeft)},
                        {"y", Num(kTop)},
                        {"width", Num(plot_width)},
                        {"height", Num(plot_height)},
                        {"fill", "#f5f7fa"}}) +
         "\n";
  if (stats.count == 0) {
    svg += Label(kLeft + plot_width / 2, kTop + plot_height / 2, "middle", "#627d98", "12", "400",
                 "It happened in none of the runs.");
    return svg + "</svg>";
  }

  const uint64_t lo = *stats.min;
  // At least one second per bin, so that equal samples still give a readable axis.
  const uint64_t range = std::max<uint64_t>(*stats.max - lo + 1, kBins * kMsPerSecond);
  const uint64_t bin_width = (range + kBins - 1) / kBins;
  const double axis_ms = static_cast<double>(bin_width * kBins);
  std::vector<size_t> bins(kBins, 0);
  for (uint64_t sample : distribution.samples_ms) {
    if (sample < lo) continue;
    bins[std::min<size_t>(static_cast<size_t>((sample - lo) / bin_width), kBins - 1)]++;
  }
  const size_t highest = *std::max_element(bins.begin(), bins.end());
  auto x_of = [&](double ms) {
    return kLeft + plot_width * (ms - static_cast<double>(lo)) / axis_ms;
  };
  const bool precise = axis_ms < 100.0 * static_cast<double>(kMsPerMinute);

  // Horizontal grid with whole counts: 0, the highest, and the middle when it is whole.
  std::vector<size_t> grid = {0, highest};
  if (highest % 2 == 0 && highest > 0) grid.push_back(highest / 2);
  for (size_t count : grid) {
    double y = axis_y - plot_height * static_cast<double>(count) / static_cast<double>(highest);
    svg += Line(kLeft, y, kLeft + plot_width, y, "#d9e2ec", "1");
    svg += Label(kLeft - 6, y + 4, "end", "#52606d", "11", "400", std::to_string(count));
  }
  svg += Label(kLeft - 6, kTop - 8, "end", "#627d98", "11", "400", "runs");
  for (size_t i = 0; i < kBins; ++i) {
    if (bins[i] == 0) continue;
    double from = static_cast<double>(lo + i * bin_width);
    double h = plot_height * static_cast<double>(bins[i]) / static_cast<double>(highest);
    std::string title = Minutes(from, true) + " \u2013 " +
                        Minutes(from + static_cast<double>(bin_width), true) + ": " +
                        std::to_string(bins[i]) + (bins[i] == 1 ? " run" : " runs");
    svg += WithTitle(title, Empty("rect", {{"x", Num(x_of(from) + 1)},
                                           {"y", Num(axis_y - h)},
                                           {"width", Num(plot_width / kBins - 2)},
                                           {"height", Num(h)},
                                           {"rx", "1.5"},
                                           {"fill", "#486581"}}));
  }
  // X axis, labelled in minutes every 5 bins.
  svg += Line(kLeft, axis_y, kLeft + plot_width, axis_y, "#829ab1", "1");
  for (size_t i = 0; i <= kBins; i += 5) {
    double ms = static_cast<double>(lo + i * bin_width);
    svg += Line(x_of(ms), axis_y, x_of(ms), axis_y + 4, "#829ab1", "1");
    svg += Label(x_of(ms), axis_y + 17, "middle", "#52606d", "11", "400", Minutes(ms, precise));
  }
  svg += Label(kLeft + plot_width / 2, axis_y + 36, "middle", "#627d98", "11", "400",
               "scenario time since the consultation was requested");
  // Markers: median, p90, target; their labels stacked above the plot so that they never
  // overlap; a marker beyond the axis is drawn at its end with an arrow.
  auto marker = [&](uint64_t ms, std::string_view colour, std::string_view dash,
                    const std::string& label, int row) {
    double x = x_of(static_cast<double>(ms));
    std::string text = label;
    std::string_view anchor = "middle";
    double shift = 0;
    if (x > kLeft + plot_width) {
      x = kLeft + plot_width;
      text += " \u2192";
    } else if (x < kLeft) {
      x = kLeft;
      text = "\u2190 " + text;
    }
    if (x > kLeft + plot_width - 60) {
      anchor = "end";
      shift = -3;
    } else if (x < kLeft + 60) {
      anchor = "start";
      shift = 3;
    }
    double label_y = 14 + 14 * row;
    svg += Line(x, label_y + 4, x, axis_y, colour, "2", dash);
    svg += Label(x + shift, label_y, anchor, colour, "11", "600", text);
  };
  marker(*stats.median, "#1565c0", "5 3", "median " + HumanDuration(*stats.median), 0);
  marker(*stats.p90, "#6a1b9a", "5 3", "p90 " + HumanDuration(*stats.p90), 1);
  if (target_ms > 0 && target_from_request && IsDecisionDistribution(distribution.name)) {
    marker(target_ms, "#c62828", "", "target " + HumanDuration(target_ms), 2);
  }
  return svg + "</svg>";
}

std::string Headline(const SimulationSummary& summary) {
  std::string from = summary.target_from.empty() ? "the request" : summary.target_from;
  return "P(joint decision within " + HumanDuration(summary.target_ms) + " of " + from +
         ") = " + Fixed(summary.p_decision_within_target(), 2) + " (" +
         std::to_string(summary.decided_within_target) + " of " + std::to_string(summary.runs) +
         " runs)";
}

// ---------------------------------------------------------------------------------------------
// Files.

Status MakeReportDir(const std::string& dir) {
  if (dir.empty()) return InvalidArgument("report directory: the path is empty");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InvalidArgument(dir + ": cannot create the report directory: " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) {
    return InvalidArgument(dir + ": not a directory; give a directory for the report");
  }
  return {};
}

Status WriteText(const std::string& dir, std::string_view name, std::string_view text) {
  std::string path = (std::filesystem::path(dir) / name).string();
  return WriteFileAtomic(path, AsBytes(text), kReportMode, false);
}

// JSON text that never throws: text that is not UTF-8 is replaced, not refused.
std::string DumpJson(const nlohmann::json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

ReportFiles RenderReport(const Evaluation& evaluation) {
  return ReportFiles{.html = AarHtml(evaluation),
                     .markdown = AarMarkdown(evaluation),
                     .json = DumpJson(evaluation.ToJson())};
}

Status WriteReport(const Evaluation& evaluation, const std::string& dir) {
  ENTENTE_RETURN_IF_ERROR(MakeReportDir(dir));
  ReportFiles files = RenderReport(evaluation);
  ENTENTE_RETURN_IF_ERROR(WriteText(dir, "aar.html", files.html));
  ENTENTE_RETURN_IF_ERROR(WriteText(dir, "aar.md", files.markdown));
  ENTENTE_RETURN_IF_ERROR(WriteText(dir, "aar.json", files.json));
  return {};
}

nlohmann::json SimulationSummary::ToJson() const {
  nlohmann::json distributions_json = nlohmann::json::array();
  for (const Distribution& d : distributions) {
    Stats stats = Describe(d.samples_ms);
    distributions_json.push_back({{"name", d.name},
                                  {"count", stats.count},
                                  {"runs_without", d.runs_without},
                                  {"median_ms", OptionalMs(stats.median)},
                                  {"p90_ms", OptionalMs(stats.p90)},
                                  {"min_ms", OptionalMs(stats.min)},
                                  {"max_ms", OptionalMs(stats.max)}});
  }
  return {{"scenario", scenario},
          {"classification", classification},
          {"runs", runs},
          {"seed", seed},
          {"faults", faults},
          {"wall_seconds", wall_seconds},
          {"runs_per_minute", RunsPerMinute(*this)},
          {"target_ms", target_ms},
          {"target", HumanDuration(target_ms)},
          {"target_from", target_from.empty() ? "the request" : target_from},
          {"decided_within_target", decided_within_target},
          {"p_decision_within_target", p_decision_within_target()},
          {"distributions", std::move(distributions_json)}};
}

std::string RenderSimulationHtml(const SimulationSummary& summary) {
  const std::string banner = std::string(kExerciseBanner) + " \u00b7 SIMULATION";
  std::string out;
  OpenPage(out, "EXERCISE \u2014 Simulation: " + summary.scenario, summary.classification, banner);
  out +=
      "<header class=\"title\">\n<div class=\"kicker\">EXERCISE \u00b7 Simulation report</div>\n";
  out += "<h1>" + Html(summary.scenario.empty() ? "Unnamed scenario" : summary.scenario) +
         "</h1>\n<div class=\"subtitle\">" +
         Html(std::to_string(summary.runs) + " simulated runs") + "</div>\n</header>\n";
  if (summary.target_ms > 0) {
    out += "<div class=\"headline\">" + Html(Headline(summary)) + "</div>\n";
  } else {
    out += "<p class=\"note\">The scenario sets no decision target.</p>\n";
  }
  out += "<table class=\"facts\">\n<tbody>\n";
  auto fact = [&](std::string_view name, const std::string& value) {
    out += "<tr><th scope=\"row\">" + Html(name) + "</th><td>" + Html(value) + "</td></tr>\n";
  };
  fact("Scenario", summary.scenario);
  fact("Classification", ClassificationText(summary.classification));
  fact("Runs", std::to_string(summary.runs));
  fact("Seed", std::to_string(summary.seed));
  fact("Faults", summary.faults.empty() ? "none" : summary.faults);
  fact("Decision target", summary.target_ms > 0 ? HumanDuration(summary.target_ms) : "none");
  fact("Wall time", Fixed(summary.wall_seconds, 1) + " s (" + Fixed(RunsPerMinute(summary), 0) +
                        " runs per minute)");
  out += "</tbody>\n</table>\n";

  size_t section = 1;
  for (const SimulationSummary::Distribution& d : summary.distributions) {
    Stats stats = Describe(d.samples_ms);
    out += "<section>\n<h2>" + Html(std::to_string(section++) + ". " + d.name) + "</h2>\n";
    out +=
        "<table>\n<thead><tr><th class=\"num\">Runs where it happened</th>"
        "<th class=\"num\">Runs without</th><th class=\"num\">Median</th>"
        "<th class=\"num\">p90</th><th class=\"num\">Min</th><th class=\"num\">Max</th>"
        "</tr></thead>\n<tbody>\n<tr>";
    auto human = [](const std::optional<uint64_t>& ms) {
      return ms ? HumanDuration(*ms) : std::string("\u2014");
    };
    out += Td(std::to_string(stats.count), "num") + Td(std::to_string(d.runs_without), "num") +
           Td(human(stats.median), "num") + Td(human(stats.p90), "num") +
           Td(human(stats.min), "num") + Td(human(stats.max), "num");
    out += "</tr>\n</tbody>\n</table>\n<div class=\"chart\">\n" +
           HistogramSvg(d, stats, summary.target_ms,
                        summary.target_from.empty() || summary.target_from == "the request") +
           "\n</div>\n</section>\n";
  }
  ClosePage(out,
            "Generated by Entente from " + std::to_string(summary.runs) + " simulated runs (seed " +
                std::to_string(summary.seed) + "). Times are scenario times.",
            summary.classification, banner);
  return out;
}

Status WriteSimulationReport(const SimulationSummary& summary, const std::string& dir) {
  ENTENTE_RETURN_IF_ERROR(MakeReportDir(dir));
  ENTENTE_RETURN_IF_ERROR(WriteText(dir, "simulation.html", RenderSimulationHtml(summary)));
  ENTENTE_RETURN_IF_ERROR(WriteText(dir, "simulation.json", DumpJson(summary.ToJson())));
  return {};
}

}  // namespace entente::exercise
