// exercise/scenario.cc: reading an exercise's MSEL from YAML or CSV (docs/formats/scenario.md).
//
// Two readers, one checker. Each reader only turns its syntax into a Scenario, checking each
// value on its own (a time, a duration, an expected action, a partner code), and notes where
// every value came from: a Loc, the line and the field path as the planner wrote it
// ("injects[2].time" in YAML, "Time" in CSV). Everything that relates two values is then
// checked once, for both formats, by Check():
//
//   1. exercise: at least 2 partners, none twice, "ALL" reserved; held sorted.
//   2. objectives: ids unique. Contacts' and players' partners among the exercise's.
//   3. injects: numbers unique; `to`, expected partners and objectives known; a timed inject
//      has exactly one of time/after, a contingency inject neither; `after` names a timed
//      inject; `else` names a contingency inject; every contingency inject is named by an else;
//      type, precedence and decision agree with the expected actions. Defaults filled in.
//   4. send times: the latest scenario time each inject can be sent, by a depth-first walk
//      from an inject to what it waits for: the inject it follows (`after`), or, for a
//      contingency inject, every inject whose missed action sends it (`else`). A walk that
//      meets an inject still on its own path has found a cycle. ENDEX (end_ms) is the largest
//      send time plus that inject's longest expectation.
//   5. players: a (role, partner) that an earlier player already answers for is refused.
//
// yaml-cpp throws and accepts duplicate keys; both are dealt with here as in label/policy.cc.
#include "exercise/scenario.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <span>
#include <sstream>

#include "base/duration.h"
#include "base/file.h"

namespace entente::exercise {

bool IsAction(std::string_view action) {
  return std::find(std::begin(kActions), std::end(kActions), action) != std::end(kActions);
}

const Response* Player::Find(std::string_view action) const {
  for (const Response& r : responses) {
    if (r.action == action) return &r;
  }
  return nullptr;
}

const Inject* Scenario::FindInject(std::string_view number) const {
  for (const Inject& i : injects) {
    if (i.number == number) return &i;
  }
  return nullptr;
}

const Objective* Scenario::FindObjective(std::string_view id) const {
  for (const Objective& o : objectives) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

const Player* Scenario::PlayerFor(std::string_view partner,
                                  const std::vector<std::string>& roles) const {
  for (const Player& p : players) {
    if (!p.partner.empty() && p.partner != partner) continue;
    if (std::find(roles.begin(), roles.end(), p.role) != roles.end()) return &p;
  }
  return nullptr;
}

namespace {

constexpr size_t kMaxScenarioSize = 1024 * 1024;
constexpr size_t kMaxInjects = 1000;
constexpr size_t kMaxObjectives = 100;
constexpr size_t kMaxPlayers = 100;
constexpr size_t kMaxContacts = 100;
constexpr size_t kMaxPartners = 64;
constexpr size_t kMaxExpected = 32;    // per inject
constexpr size_t kMaxListItems = 100;  // critical tasks; `to` and objectives of an inject
constexpr size_t kMaxCsvCells = 100;   // per CSV row

constexpr std::string_view kExerciseTypes[] = {"tabletop", "functional", "simulation"};
constexpr std::string_view kInjectTypes[] = {"contextual", "action", "contingency"};
constexpr std::string_view kPrecedences[] = {"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"};
constexpr std::string_view kAll = "ALL";
constexpr std::string_view kExpectedGrammar =
    "<PARTNER|ALL> <action> within <duration> [else <inject>]";

// ---- Text helpers ----------------------------------------------------------------------------

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs,
// surrogates or code points above U+10FFFF), or npos.
size_t FirstBadUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + n >= text.size()) return i;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return i;
    for (size_t k = 2; k <= n; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

// `text` in double quotes for an error message, on one line: '"' and '\' escaped, control
// characters (and every byte >= 0x80 if the text is not UTF-8) as \xNN, cut after about 60
// bytes with "...".
std::string Quote(std::string_view text) {
  bool utf8 = FirstBadUtf8(text) == std::string_view::npos;
  std::string out = "\"";
  size_t i = 0;
  for (; i < text.size() && i < 60; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  // Never cut inside a UTF-8 sequence.
  while (utf8 && i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
    out += text[i++];
  }
  if (i < text.size()) out += "...";
  return out + "\"";
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Splits at any of `separators`; items trimmed, empty items dropped.
std::vector<std::string_view> SplitItems(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> items;
  while (true) {
    size_t at = text.find_first_of(separators);
    std::string_view item = Trim(text.substr(0, at));
    if (!item.empty()) items.push_back(item);
    if (at == std::string_view::npos) return items;
    text.remove_prefix(at + 1);
  }
}

// Splits at `separator`, keeping empty items (positional fields).
std::vector<std::string_view> SplitFields(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  while (true) {
    size_t at = text.find(separator);
    fields.push_back(Trim(text.substr(0, at)));
    if (at == std::string_view::npos) return fields;
    text.remove_prefix(at + 1);
  }
}

std::vector<std::string_view> Words(std::string_view text) { return SplitItems(text, " \t\r\n"); }

template <class Items>
std::string Join(const Items& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string ActionList() { return Join(kActions, ", "); }

bool IsWord(std::string_view text, size_t max) {
  if (text.empty() || text.size() > max) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

bool IsPartnerCode(std::string_view text) {
  return text.size() >= 2 && text.size() <= 8 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// ---- Values, each checked on its own. Errors carry the bare problem; the readers add where. --

// One line of text, trimmed (may be empty).
Result<std::string> OneLine(std::string_view text) {
  text = Trim(text);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return InvalidArgument(Quote(text) + " must be one line without control characters");
    }
  }
  return std::string(text);
}

Result<std::string> RequiredLine(std::string_view text) {
  ENTENTE_ASSIGN_OR_RETURN(std::string line, OneLine(text));
  if (line.empty()) return InvalidArgument("empty; give a value");
  return line;
}

// Text that may span lines, trimmed (may be empty).
Result<std::string> MultiLine(std::string_view text) {
  text = Trim(text);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7F) {
      return InvalidArgument(Quote(text) + " contains a control character");
    }
  }
  return std::string(text);
}

Result<std::string> RequiredText(std::string_view text) {
  ENTENTE_ASSIGN_OR_RETURN(std::string out, MultiLine(text));
  if (out.empty()) return InvalidArgument("empty; give a value");
  return out;
}

Result<std::string> PartnerCode(std::string_view text) {
  text = Trim(text);
  if (!IsPartnerCode(text)) {
    return InvalidArgument("bad partner code " + Quote(text) + ": use 2 to 8 upper-case letters");
  }
  return std::string(text);
}

Result<std::string> InjectNumber(std::string_view text) {
  text = Trim(text);
  if (!IsWord(text, 16)) {
    return InvalidArgument("bad inject number " + Quote(text) +
                           ": use 1 to 16 letters, digits, '-', '.' or '_'");
  }
  return std::string(text);
}

Result<std::string> ObjectiveId(std::string_view text) {
  text = Trim(text);
  if (!IsWord(text, 32)) {
    return InvalidArgument("bad objective id " + Quote(text) +
                           ": use 1 to 32 letters, digits, '-', '.' or '_'");
  }
  return std::string(text);
}

Result<std::string> RoleName(std::string_view text) {
  text = Trim(text);
  if (!IsWord(text, 63)) {
    return InvalidArgument("bad role " + Quote(text) +
                           ": use 1 to 63 letters, digits, '-', '.' or '_' (a role of the policy)");
  }
  return std::string(text);
}

Result<std::string> OneOf(std::string_view text, std::span<const std::string_view> allowed,
                          std::string_view what) {
  text = Trim(text);
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    return InvalidArgument("unknown " + std::string(what) + " " + Quote(text) + " (one of " +
                           Join(allowed, ", ") + ")");
  }
  return std::string(text);
}

Result<std::string> ExerciseType(std::string_view text) {
  return OneOf(text, kExerciseTypes, "exercise type");
}
Result<std::string> InjectType(std::string_view text) {
  return OneOf(text, kInjectTypes, "inject type");
}
Result<std::string> Precedence(std::string_view text) {
  return OneOf(text, kPrecedences, "precedence");
}

// YYYY-MM-DD, a day of the Gregorian calendar.
Result<std::string> Date(std::string_view text) {
  text = Trim(text);
  auto digits = [&](size_t at, size_t n, int& out) {
    out = 0;
    for (size_t k = at; k < at + n; ++k) {
      if (text[k] < '0' || text[k] > '9') return false;
      out = out * 10 + (text[k] - '0');
    }
    return true;
  };
  int year = 0, month = 0, day = 0;
  bool ok = text.size() == 10 && text[4] == '-' && text[7] == '-' && digits(0, 4, year) &&
            digits(5, 2, month) && digits(8, 2, day) && month >= 1 && month <= 12 && day >= 1;
  if (ok) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    ok = day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  }
  if (!ok) return InvalidArgument(Quote(text) + " is not a date YYYY-MM-DD");
  return std::string(text);
}

// A duration of base/duration.h; `positive` refuses zero.
Result<uint64_t> Duration(std::string_view text, bool positive) {
  text = Trim(text);
  ENTENTE_ASSIGN_OR_RETURN(uint64_t ms, ParseDuration(text));
  if (positive && ms == 0) {
    return InvalidArgument("duration " + Quote(text) + " is zero; give a positive duration");
  }
  return ms;
}
Result<uint64_t> PositiveDuration(std::string_view text) { return Duration(text, true); }
Result<uint64_t> AnyDuration(std::string_view text) { return Duration(text, false); }

Result<uint64_t> Time(std::string_view text) { return ParseScenarioTime(Trim(text)); }

Result<double> Probability(std::string_view text) {
  text = Trim(text);
  double p = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !(p >= 0.0 && p <= 1.0)) {
    return InvalidArgument("probability " + Quote(text) + " is not a number from 0 to 1");
  }
  return p;
}

Status Action(std::string_view action) {
  if (!IsAction(action)) {
    return InvalidArgument("unknown action " + Quote(action) + " (one of " + ActionList() + ")");
  }
  return {};
}

// Who may be expected to take `action`: a partner code, or ALL for decide (and only for it).
Status Actor(std::string_view partner, std::string_view action) {
  if (action == "decide" && partner != kAll) {
    return InvalidArgument(
        "decide is expected of ALL (a decision is adopted by all partners), not " + Quote(partner));
  }
  if (partner == kAll && action != "decide") {
    return InvalidArgument("ALL is only for decide; name the partner who must " +
                           std::string(action));
  }
  if (partner != kAll && !IsPartnerCode(partner)) {
    return InvalidArgument("bad partner code " + Quote(partner) +
                           ": use 2 to 8 upper-case letters, or ALL for decide");
  }
  return {};
}

// "<PARTNER|ALL> <action> within <duration> [else <inject>]".
Result<ExpectedAction> ExpectedFromText(std::string_view text) {
  std::vector<std::string_view> words = Words(text);
  if ((words.size() != 4 && words.size() != 6) || words[2] != "within" ||
      (words.size() == 6 && words[4] != "else")) {
    return InvalidArgument("expected \"" + std::string(kExpectedGrammar) + "\", got " +
                           Quote(Trim(text)));
  }
  ExpectedAction expected{.partner = std::string(words[0]), .action = std::string(words[1])};
  ENTENTE_RETURN_IF_ERROR(Action(expected.action));
  ENTENTE_RETURN_IF_ERROR(Actor(expected.partner, expected.action));
  auto within = PositiveDuration(words[3]);
  if (!within) return InvalidArgument("within: " + within.error().message());
  expected.within_ms = *within;
  if (words.size() == 6) {
    auto number = InjectNumber(words[5]);
    if (!number) return InvalidArgument("else: " + number.error().message());
    expected.contingency = *number;
  }
  return expected;
}

// The action of a player's response: any action but decide.
Status PlayerAction(std::string_view action) {
  if (action == "decide") {
    return InvalidArgument(
        "players do not decide: a decision is adopted when every partner approves it");
  }
  return Action(action);
}

Status CheckDelay(const Delay& delay) {
  if (delay.p90_ms < delay.median_ms) {
    return InvalidArgument("p90 " + FormatDuration(delay.p90_ms) + " is less than median " +
                           FormatDuration(delay.median_ms));
  }
  return {};
}

// What relates the responses of one player: each action once; approve and object exclusive.
Status CheckResponses(const std::vector<Response>& responses) {
  if (responses.empty()) return InvalidArgument("no responses; give at least one action");
  double approve_or_object = 0;
  for (size_t i = 0; i < responses.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (responses[j].action == responses[i].action) {
        return InvalidArgument(responses[i].action + " is given twice");
      }
    }
    if (responses[i].action == "approve" || responses[i].action == "object") {
      approve_or_object += responses[i].probability;
    }
  }
  if (approve_or_object > 1.0 + 1e-9) {
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.3g", approve_or_object);
    return InvalidArgument("probabilities of approve and object add up to " + std::string(sum) +
                           ", more than 1 (the player does one or the other)");
  }
  return {};
}

// ---- Where values came from, and the checks that relate them ----------------------------------

// A value's place in the file: its line (1-based; 0 if unknown) and its field path.
struct Loc {
  int line = 0;
  std::string path;
};

struct InjectLocs {
  Loc at;  // the inject: its YAML map or CSV row
  Loc number, time, after, delay, to, expected_field, objectives, precedence, decision;
  bool delay_given = false;
  std::vector<Loc> expected;  // one per expected action
};

struct Locs {
  Loc partners;
  std::vector<Loc> objectives;       // each objective's id
  std::vector<Loc> contact_partner;  // each contact's partner
  std::vector<InjectLocs> injects;
  std::vector<Loc> players, player_partner;
};

// Formats errors as "<source>:<line>: <field>: <problem>".
class Reporter {
 public:
  explicit Reporter(std::string_view source) : source_(source) {}

  Error At(int line, std::string_view field, std::string_view problem) const {
    std::string message = source_;
    if (line > 0) message += ":" + std::to_string(line);
    message += ": ";
    if (!field.empty()) message += std::string(field) + ": ";
    message += problem;
    return Error(ErrorCode::kInvalidArgument, std::move(message));
  }
  Error At(const Loc& loc, std::string_view problem) const {
    return At(loc.line, loc.path, problem);
  }
  std::unexpected<Error> Fail(const Loc& loc, std::string_view problem) const {
    return std::unexpected(At(loc, problem));
  }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

std::string LineRef(const Loc& loc) { return "line " + std::to_string(loc.line); }

Status CheckPartnerKnown(const Reporter& report, const Loc& loc, const Scenario& s,
                         std::string_view partner) {
  if (std::binary_search(s.partners.begin(), s.partners.end(), partner)) return {};
  return report.Fail(loc, "partner " + Quote(partner) +
                              " is not in the exercise (partners: " + Join(s.partners, ", ") + ")");
}

// Steps 1-3 of the file comment.
Status CheckReferences(const Reporter& report, const Locs& locs, Scenario& s) {
  // 1. Partners.
  if (s.partners.size() < 2) {
    return report.Fail(locs.partners, "an exercise needs at least 2 partners");
  }
  if (s.partners.size() > kMaxPartners) {
    return report.Fail(locs.partners, "more than " + std::to_string(kMaxPartners) + " partners");
  }
  for (const std::string& p : s.partners) {
    if (p == kAll) {
      return report.Fail(locs.partners, "ALL cannot be a partner code (it means every partner)");
    }
  }
  std::sort(s.partners.begin(), s.partners.end());
  if (auto twice = std::adjacent_find(s.partners.begin(), s.partners.end());
      twice != s.partners.end()) {
    return report.Fail(locs.partners, *twice + " is listed twice");
  }

  // 2. Objectives, contacts.
  for (size_t i = 0; i < s.objectives.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (s.objectives[j].id == s.objectives[i].id) {
        return report.Fail(locs.objectives[i], "objective " + s.objectives[i].id +
                                                   " is defined twice (first at " +
                                                   LineRef(locs.objectives[j]) + ")");
      }
    }
  }
  for (size_t i = 0; i < s.contacts.size(); ++i) {
    if (s.contacts[i].partner.empty()) continue;
    ENTENTE_RETURN_IF_ERROR(
        CheckPartnerKnown(report, locs.contact_partner[i], s, s.contacts[i].partner));
  }

  // 3. Injects.
  std::map<std::string, size_t, std::less<>> index;
  for (size_t i = 0; i < s.injects.size(); ++i) {
    const InjectLocs& at = locs.injects[i];
    if (auto [it, added] = index.emplace(s.injects[i].number, i); !added) {
      return report.Fail(at.number, "inject " + s.injects[i].number +
                                        " is listed twice (first at " +
                                        LineRef(locs.injects[it->second].number) + ")");
    }
  }
  std::vector<bool> named_by_else(s.injects.size());
  for (size_t i = 0; i < s.injects.size(); ++i) {
    Inject& inject = s.injects[i];
    const InjectLocs& at = locs.injects[i];
    if (inject.contingency()) {
      if (inject.at_ms) {
        return report.Fail(at.time,
                           "a contingency inject has no time: it is sent when an expected "
                           "action that names it in else is missed");
      }
      if (!inject.after.empty()) {
        return report.Fail(at.after,
                           "a contingency inject has no after: it is sent when an expected "
                           "action that names it in else is missed");
      }
    } else if (!inject.at_ms && inject.after.empty()) {
      return report.Fail(at.at,
                         "no time and no after: give one (only a contingency inject has neither)");
    } else if (inject.at_ms && !inject.after.empty()) {
      return report.Fail(at.after, "give time or after, not both");
    }
    if (at.delay_given && inject.after.empty()) {
      return report.Fail(at.delay, "delay needs after (it counts from the inject followed)");
    }
    if (!inject.after.empty()) {
      auto it = index.find(inject.after);
      if (it == index.end()) return report.Fail(at.after, "unknown inject " + Quote(inject.after));
      if (s.injects[it->second].contingency()) {
        return report.Fail(at.after, "inject " + inject.after +
                                         " is a contingency inject, which may never be sent; "
                                         "follow a timed inject");
      }
    }

    // Addressees: known, once each; every partner when none is given.
    for (size_t k = 0; k < inject.to.size(); ++k) {
      ENTENTE_RETURN_IF_ERROR(CheckPartnerKnown(report, at.to, s, inject.to[k]));
      for (size_t j = 0; j < k; ++j) {
        if (inject.to[j] == inject.to[k]) {
          return report.Fail(at.to, inject.to[k] + " is listed twice");
        }
      }
    }
    if (inject.to.empty()) inject.to = s.partners;
    std::sort(inject.to.begin(), inject.to.end());

    bool expects_request = false, expects_propose = false;
    for (size_t k = 0; k < inject.expected.size(); ++k) {
      const ExpectedAction& e = inject.expected[k];
      if (e.partner != kAll) {
        ENTENTE_RETURN_IF_ERROR(CheckPartnerKnown(report, at.expected[k], s, e.partner));
      }
      for (size_t j = 0; j < k; ++j) {
        if (inject.expected[j].partner == e.partner && inject.expected[j].action == e.action) {
          return report.Fail(at.expected[k],
                             e.partner + " " + e.action + " is expected twice of this inject");
        }
      }
      expects_request |= e.action == "request";
      expects_propose |= e.action == "propose";
      if (e.contingency.empty()) continue;
      auto it = index.find(e.contingency);
      if (it == index.end()) {
        return report.Fail(at.expected[k], "else: unknown inject " + Quote(e.contingency));
      }
      const Inject& target = s.injects[it->second];
      if (!target.contingency()) {
        return report.Fail(at.expected[k], "else: inject " + target.number +
                                               " is not a contingency inject (its type is " +
                                               target.type + ")");
      }
      named_by_else[it->second] = true;
    }
    if (inject.type == "action" && inject.expected.empty()) {
      return report.Fail(at.expected_field,
                         "an action inject expects at least one action; give expected actions "
                         "or make it contextual");
    }
    if (inject.type == "contextual" && !inject.expected.empty()) {
      return report.Fail(at.expected_field,
                         "a contextual inject expects no action; make it an action inject");
    }
    if (!inject.precedence.empty() && !expects_request) {
      return report.Fail(at.precedence,
                         "precedence is for an expected request, and this inject expects none");
    }
    if (!inject.decision.empty() && !expects_propose) {
      return report.Fail(at.decision,
                         "decision is for an expected propose, and this inject expects none");
    }

    for (size_t k = 0; k < inject.objectives.size(); ++k) {
      const std::string& id = inject.objectives[k];
      if (s.FindObjective(id) == nullptr) {
        std::vector<std::string> ids;
        ids.reserve(s.objectives.size());
        for (const Objective& o : s.objectives) ids.push_back(o.id);
        return report.Fail(at.objectives,
                           "unknown objective " + Quote(id) +
                               (ids.empty() ? " (no objectives are defined)"
                                            : " (objectives: " + Join(ids, ", ") + ")"));
      }
      for (size_t j = 0; j < k; ++j) {
        if (inject.objectives[j] == id) return report.Fail(at.objectives, id + " is listed twice");
      }
    }

    if (inject.method.empty()) inject.method = "message";
    if (inject.from.empty()) inject.from = "SimCell";
    if (inject.message.empty()) inject.message = inject.synopsis;
  }
  for (size_t i = 0; i < s.injects.size(); ++i) {
    if (s.injects[i].contingency() && !named_by_else[i]) {
      return report.Fail(locs.injects[i].number,
                         "contingency inject " + s.injects[i].number +
                             " is named by no else, so it can never be sent; name it in an "
                             "expected action (\"... else " +
                             s.injects[i].number + "\") or give it a time");
    }
  }
  return {};
}

// Step 4: the latest send time of every inject, and ENDEX.
Status ComputeTimes(const Reporter& report, const Locs& locs, Scenario& s) {
  const size_t n = s.injects.size();
  std::map<std::string_view, size_t, std::less<>> index;
  for (size_t i = 0; i < n; ++i) index.emplace(s.injects[i].number, i);
  // For a contingency inject: (parent, expectation) whose miss sends it.
  std::vector<std::vector<std::pair<size_t, size_t>>> senders(n);
  for (size_t p = 0; p < n; ++p) {
    for (size_t k = 0; k < s.injects[p].expected.size(); ++k) {
      const std::string& c = s.injects[p].expected[k].contingency;
      if (!c.empty()) senders[index.at(c)].emplace_back(p, k);
    }
  }
  enum class State { kNew, kOnPath, kDone };
  std::vector<State> state(n, State::kNew);
  std::vector<uint64_t> latest(n, 0);
  std::vector<size_t> path;
  auto numbers = [&](size_t from) {
    std::vector<std::string> out;
    for (size_t k = from; k < path.size(); ++k) out.push_back(s.injects[path[k]].number);
    return out;
  };
  auto position = [&](size_t inject) {
    return static_cast<size_t>(std::find(path.begin(), path.end(), inject) - path.begin());
  };

  std::function<Status(size_t)> visit = [&](size_t i) -> Status {
    state[i] = State::kOnPath;
    path.push_back(i);
    const Inject& inject = s.injects[i];
    if (!inject.after.empty()) {
      size_t j = index.at(inject.after);
      if (state[j] == State::kOnPath) {
        // path[m..] = j, after(j), ..., i: each follows the next, and i follows j.
        std::vector<std::string> cycle = numbers(position(j));
        cycle.push_back(inject.after);
        return report.Fail(locs.injects[i].after,
                           "injects wait for one another in a cycle: " + Join(cycle, " after ") +
                               "; one of them needs a time");
      }
      if (state[j] == State::kNew) ENTENTE_RETURN_IF_ERROR(visit(j));
      latest[i] = latest[j] + inject.delay_ms;
    } else if (inject.contingency()) {
      for (auto [p, k] : senders[i]) {
        const ExpectedAction& e = s.injects[p].expected[k];
        if (state[p] == State::kOnPath) {
          // path[m..] = p, ..., i: each is sent by the next's missed action, and p by i's.
          std::vector<std::string> chain = numbers(position(p));
          std::reverse(chain.begin(), chain.end());
          chain.insert(chain.begin(), s.injects[p].number);
          return report.Fail(
              locs.injects[p].expected[k],
              "else: contingency injects send one another in a cycle: " + Join(chain, " else ") +
                  "; a chain of else must start at a timed inject");
        }
        if (state[p] == State::kNew) ENTENTE_RETURN_IF_ERROR(visit(p));
        latest[i] = std::max(latest[i], latest[p] + e.within_ms);
      }
    } else {
      latest[i] = *inject.at_ms;
    }
    path.pop_back();
    state[i] = State::kDone;
    return {};
  };

  uint64_t end = 0;
  for (size_t i = 0; i < n; ++i) {
    if (state[i] == State::kNew) ENTENTE_RETURN_IF_ERROR(visit(i));
    uint64_t longest = 0;
    for (const ExpectedAction& e : s.injects[i].expected) longest = std::max(longest, e.within_ms);
    end = std::max(end, latest[i] + longest);
  }
  s.end_ms = end;
  return {};
}

// Step 5 and the players' partners.
Status CheckPlayers(const Reporter& report, const Locs& locs, const Scenario& s) {
  for (size_t i = 0; i < s.players.size(); ++i) {
    const Player& player = s.players[i];
    if (!player.partner.empty()) {
      ENTENTE_RETURN_IF_ERROR(CheckPartnerKnown(report, locs.player_partner[i], s, player.partner));
    }
    for (size_t j = 0; j < i; ++j) {
      const Player& earlier = s.players[j];
      if (earlier.role == player.role &&
          (earlier.partner.empty() || earlier.partner == player.partner)) {
        std::string who = earlier.partner.empty() ? "every partner" : earlier.partner;
        return report.Fail(locs.players[i],
                           "this player is never used: the player at " + LineRef(locs.players[j]) +
                               " answers for role " + player.role + " and " + who +
                               " first; list partner-specific players before general ones");
      }
    }
  }
  return {};
}

Status Check(const Reporter& report, const Locs& locs, Scenario& s) {
  ENTENTE_RETURN_IF_ERROR(CheckReferences(report, locs, s));
  ENTENTE_RETURN_IF_ERROR(ComputeTimes(report, locs, s));
  return CheckPlayers(report, locs, s);
}

// Refuses oversized input and input that is not UTF-8, naming the line of the first bad byte.
Status CheckInput(const Reporter& report, std::string_view text) {
  if (text.size() > kMaxScenarioSize) {
    return std::unexpected(report.At(0, "",
                                     "scenario is " + std::to_string(text.size()) +
                                         " bytes, over the limit of 1 MiB (" +
                                         std::to_string(kMaxScenarioSize) + ")"));
  }
  if (size_t bad = FirstBadUtf8(text); bad != std::string_view::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    return std::unexpected(report.At(line, "", "not valid UTF-8; save the file as UTF-8"));
  }
  return {};
}

// ---- YAML ------------------------------------------------------------------------------------

class YamlReader {
 public:
  YamlReader(const Reporter& report, Scenario& scenario, Locs& locs)
      : report_(report), s_(scenario), locs_(locs) {}

  Status Read(const YAML::Node& root);

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node, value;
  };
  struct Fields {
    std::vector<Entry> entries;
    const YAML::Node* Find(std::string_view key) const {
      const Entry* entry = FindEntry(key);
      return entry ? &entry->value : nullptr;
    }
    const Entry* FindEntry(std::string_view key) const {
      for (const Entry& e : entries) {
        if (e.key == key) return &e;
      }
      return nullptr;
    }
  };

  static int Line(const YAML::Node& node) {
    YAML::Mark mark = node.Mark();
    return mark.is_null() || mark.line < 0 ? 0 : mark.line + 1;
  }
  static Loc LocOf(const YAML::Node& node, std::string path) {
    return {Line(node), std::move(path)};
  }
  std::unexpected<Error> Fail(const YAML::Node& at, std::string_view path,
                              std::string_view problem) const {
    return std::unexpected(report_.At(Line(at), path, problem));
  }
  static std::string TypeName(const YAML::Node& node);
  static std::string Index(std::string_view path, size_t i) {
    return std::string(path) + "[" + std::to_string(i) + "]";
  }
  static std::string Child(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
  }

  // A map with text keys, none twice and, unless `fields` is empty, each one of them.
  Result<Fields> Map(const YAML::Node& node, std::string_view path,
                     std::initializer_list<std::string_view> fields) const;
  Result<YAML::Node> Required(const Fields& fields, const YAML::Node& map, std::string_view path,
                              std::string_view key) const;
  Result<std::string> Scalar(const YAML::Node& node, std::string_view path) const;
  // A list, or a single scalar read as a list of one; at most `max` items.
  Result<std::vector<YAML::Node>> Items(const YAML::Node& node, std::string_view path,
                                        size_t max) const;
  // Reads a scalar and applies `parse` to it, locating its error.
  template <class Parse>
  auto Value(const YAML::Node& node, std::string_view path, Parse parse) const
      -> decltype(parse(std::string_view())) {
    ENTENTE_ASSIGN_OR_RETURN(std::string text, Scalar(node, path));
    auto value = parse(text);
    if (!value) return Fail(node, path, value.error().message());
    return value;
  }
  // The same for an optional field: leaves `out` as it is if the field is absent.
  template <class T, class Parse>
  Status Optional(const Fields& fields, std::string_view path, std::string_view key, T& out,
                  Parse parse) const {
    const YAML::Node* node = fields.Find(key);
    if (node == nullptr) return {};
    ENTENTE_ASSIGN_OR_RETURN(out, Value(*node, Child(path, key), parse));
    return {};
  }

  Status ReadExercise(const YAML::Node& node);
  Status ReadObjectives(const YAML::Node& node);
  Status ReadInjects(const YAML::Node& node);
  Status ReadInject(const YAML::Node& node, const std::string& path);
  Result<ExpectedAction> ReadExpected(const YAML::Node& node, const std::string& path) const;
  Status ReadPlayers(const YAML::Node& node);

  const Reporter& report_;
  Scenario& s_;
  Locs& locs_;
};

std::string YamlReader::TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "text " + Quote(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

Result<YamlReader::Fields> YamlReader::Map(const YAML::Node& node, std::string_view path,
                                           std::initializer_list<std::string_view> fields) const {
  if (!node.IsMap()) return Fail(node, path, "expected a map, got " + TypeName(node));
  Fields out;
  std::map<std::string, int, std::less<>> lines;
  for (const auto& entry : node) {
    YAML::Node key = entry.first;
    if (!key.IsScalar()) return Fail(key, path, "keys must be text, got " + TypeName(key));
    const std::string& name = key.Scalar();
    if (auto [at, added] = lines.emplace(name, Line(key)); !added) {
      return Fail(
          key, path,
          "duplicate key " + Quote(name) + " (first at line " + std::to_string(at->second) + ")");
    }
    if (fields.size() > 0 && std::find(fields.begin(), fields.end(), name) == fields.end()) {
      return Fail(key, path,
                  "unknown field " + Quote(name) + " (expected " + Join(fields, ", ") + ")");
    }
    out.entries.push_back({name, key, entry.second});
  }
  return out;
}

Result<YAML::Node> YamlReader::Required(const Fields& fields, const YAML::Node& map,
                                        std::string_view path, std::string_view key) const {
  const YAML::Node* value = fields.Find(key);
  if (value == nullptr) return Fail(map, path, "missing field " + std::string(key));
  return *value;
}

Result<std::string> YamlReader::Scalar(const YAML::Node& node, std::string_view path) const {
  if (!node.IsScalar()) return Fail(node, path, "expected text, got " + TypeName(node));
  return node.Scalar();
}

Result<std::vector<YAML::Node>> YamlReader::Items(const YAML::Node& node, std::string_view path,
                                                  size_t max) const {
  std::vector<YAML::Node> items;
  if (node.IsScalar()) {
    items.push_back(node);
    return items;
  }
  if (!node.IsSequence()) return Fail(node, path, "expected a list, got " + TypeName(node));
  if (node.size() > max) {
    return Fail(node, path, "more than " + std::to_string(max) + " items");
  }
  for (const YAML::Node& item : node) items.push_back(item);
  return items;
}

Status YamlReader::Read(const YAML::Node& root) {
  if (root.IsNull()) {
    return Fail(root, "", "the file is empty; expected a map with exercise and injects");
  }
  ENTENTE_ASSIGN_OR_RETURN(Fields top,
                           Map(root, "", {"exercise", "objectives", "injects", "players"}));
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node exercise, Required(top, root, "", "exercise"));
  ENTENTE_RETURN_IF_ERROR(ReadExercise(exercise));
  if (const YAML::Node* objectives = top.Find("objectives")) {
    ENTENTE_RETURN_IF_ERROR(ReadObjectives(*objectives));
  }
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node injects, Required(top, root, "", "injects"));
  ENTENTE_RETURN_IF_ERROR(ReadInjects(injects));
  if (const YAML::Node* players = top.Find("players")) {
    ENTENTE_RETURN_IF_ERROR(ReadPlayers(*players));
  }
  return {};
}

Status YamlReader::ReadExercise(const YAML::Node& node) {
  const std::string path = "exercise";
  ENTENTE_ASSIGN_OR_RETURN(
      Fields fields,
      Map(node, path, {"name", "type", "date", "classification", "partners", "contacts"}));
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node name, Required(fields, node, path, "name"));
  ENTENTE_ASSIGN_OR_RETURN(s_.name, Value(name, "exercise.name", RequiredLine));
  s_.type = "tabletop";
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "type", s_.type, ExerciseType));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "date", s_.date, Date));
  ENTENTE_RETURN_IF_ERROR(
      Optional(fields, path, "classification", s_.classification, RequiredLine));

  ENTENTE_ASSIGN_OR_RETURN(YAML::Node partners, Required(fields, node, path, "partners"));
  const std::string partners_path = "exercise.partners";
  locs_.partners = LocOf(fields.FindEntry("partners")->key_node, partners_path);
  ENTENTE_ASSIGN_OR_RETURN(std::vector<YAML::Node> codes,
                           Items(partners, partners_path, kMaxPartners));
  for (size_t i = 0; i < codes.size(); ++i) {
    ENTENTE_ASSIGN_OR_RETURN(std::string code,
                             Value(codes[i], Index(partners_path, i), PartnerCode));
    s_.partners.push_back(std::move(code));
  }

  if (const YAML::Node* contacts = fields.Find("contacts")) {
    const std::string contacts_path = "exercise.contacts";
    if (!contacts->IsSequence()) {
      return Fail(*contacts, contacts_path, "expected a list, got " + TypeName(*contacts));
    }
    if (contacts->size() > kMaxContacts) {
      return Fail(*contacts, contacts_path,
                  "more than " + std::to_string(kMaxContacts) + " contacts");
    }
    for (size_t i = 0; i < contacts->size(); ++i) {
      const YAML::Node& entry = (*contacts)[i];
      std::string at = Index(contacts_path, i);
      ENTENTE_ASSIGN_OR_RETURN(Fields contact,
                               Map(entry, at, {"name", "partner", "role", "contact"}));
      PointOfContact poc;
      ENTENTE_ASSIGN_OR_RETURN(YAML::Node contact_name, Required(contact, entry, at, "name"));
      ENTENTE_ASSIGN_OR_RETURN(poc.name, Value(contact_name, Child(at, "name"), RequiredLine));
      ENTENTE_RETURN_IF_ERROR(Optional(contact, at, "partner", poc.partner, PartnerCode));
      ENTENTE_RETURN_IF_ERROR(Optional(contact, at, "role", poc.role, OneLine));
      ENTENTE_RETURN_IF_ERROR(Optional(contact, at, "contact", poc.contact, OneLine));
      const YAML::Node* partner = contact.Find("partner");
      locs_.contact_partner.push_back(LocOf(partner ? *partner : entry, Child(at, "partner")));
      s_.contacts.push_back(std::move(poc));
    }
  }
  return {};
}

Status YamlReader::ReadObjectives(const YAML::Node& node) {
  const std::string path = "objectives";
  if (!node.IsSequence()) return Fail(node, path, "expected a list, got " + TypeName(node));
  if (node.size() > kMaxObjectives) {
    return Fail(node, path, "more than " + std::to_string(kMaxObjectives) + " objectives");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& entry = node[i];
    std::string at = Index(path, i);
    ENTENTE_ASSIGN_OR_RETURN(Fields fields,
                             Map(entry, at, {"id", "text", "capability", "critical_tasks"}));
    Objective objective;
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node id, Required(fields, entry, at, "id"));
    ENTENTE_ASSIGN_OR_RETURN(objective.id, Value(id, Child(at, "id"), ObjectiveId));
    locs_.objectives.push_back(LocOf(id, Child(at, "id")));
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node text, Required(fields, entry, at, "text"));
    ENTENTE_ASSIGN_OR_RETURN(objective.text, Value(text, Child(at, "text"), RequiredText));
    ENTENTE_RETURN_IF_ERROR(Optional(fields, at, "capability", objective.capability, OneLine));
    if (const YAML::Node* tasks = fields.Find("critical_tasks")) {
      std::string tasks_path = Child(at, "critical_tasks");
      ENTENTE_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                               Items(*tasks, tasks_path, kMaxListItems));
      for (size_t k = 0; k < items.size(); ++k) {
        ENTENTE_ASSIGN_OR_RETURN(std::string task,
                                 Value(items[k], Index(tasks_path, k), RequiredLine));
        objective.critical_tasks.push_back(std::move(task));
      }
    }
    s_.objectives.push_back(std::move(objective));
  }
  return {};
}

Status YamlReader::ReadInjects(const YAML::Node& node) {
  const std::string path = "injects";
  if (!node.IsSequence()) return Fail(node, path, "expected a list, got " + TypeName(node));
  if (node.size() == 0) return Fail(node, path, "no injects");
  if (node.size() > kMaxInjects) {
    return Fail(node, path, "more than " + std::to_string(kMaxInjects) + " injects");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    ENTENTE_RETURN_IF_ERROR(ReadInject(node[i], Index(path, i)));
  }
  return {};
}

Status YamlReader::ReadInject(const YAML::Node& node, const std::string& path) {
  ENTENTE_ASSIGN_OR_RETURN(
      Fields fields,
      Map(node, path,
          {"number", "time", "after", "delay", "type", "method", "from", "to", "controller",
           "synopsis", "message", "expected", "objectives", "precedence", "decision"}));
  Inject inject;
  InjectLocs at;
  at.at = LocOf(node, path);
  // A field's place (its key's line, where a block value starts) when present; the inject's
  // when not.
  auto loc = [&](std::string_view key) {
    const Entry* entry = fields.FindEntry(key);
    return entry ? LocOf(entry->key_node, Child(path, key)) : at.at;
  };
  at.number = loc("number");
  at.time = loc("time");
  at.after = loc("after");
  at.delay = loc("delay");
  at.to = loc("to");
  at.expected_field = loc("expected");
  at.objectives = loc("objectives");
  at.precedence = loc("precedence");
  at.decision = loc("decision");

  ENTENTE_ASSIGN_OR_RETURN(YAML::Node number, Required(fields, node, path, "number"));
  ENTENTE_ASSIGN_OR_RETURN(inject.number, Value(number, Child(path, "number"), InjectNumber));
  if (const YAML::Node* time = fields.Find("time")) {
    ENTENTE_ASSIGN_OR_RETURN(inject.at_ms, Value(*time, Child(path, "time"), Time));
  }
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "after", inject.after, InjectNumber));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "delay", inject.delay_ms, AnyDuration));
  at.delay_given = fields.Find("delay") != nullptr;
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node type, Required(fields, node, path, "type"));
  ENTENTE_ASSIGN_OR_RETURN(inject.type, Value(type, Child(path, "type"), InjectType));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "method", inject.method, OneLine));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "from", inject.from, OneLine));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "controller", inject.controller, OneLine));
  if (const YAML::Node* to = fields.Find("to")) {
    std::string to_path = Child(path, "to");
    ENTENTE_ASSIGN_OR_RETURN(std::vector<YAML::Node> items, Items(*to, to_path, kMaxListItems));
    for (size_t k = 0; k < items.size(); ++k) {
      ENTENTE_ASSIGN_OR_RETURN(std::string code, Value(items[k], Index(to_path, k), PartnerCode));
      inject.to.push_back(std::move(code));
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node synopsis, Required(fields, node, path, "synopsis"));
  ENTENTE_ASSIGN_OR_RETURN(inject.synopsis, Value(synopsis, Child(path, "synopsis"), RequiredLine));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "message", inject.message, MultiLine));
  if (const YAML::Node* expected = fields.Find("expected")) {
    std::string expected_path = Child(path, "expected");
    ENTENTE_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             Items(*expected, expected_path, kMaxExpected));
    for (size_t k = 0; k < items.size(); ++k) {
      std::string item_path = Index(expected_path, k);
      ENTENTE_ASSIGN_OR_RETURN(ExpectedAction action, ReadExpected(items[k], item_path));
      inject.expected.push_back(std::move(action));
      at.expected.push_back(LocOf(items[k], item_path));
    }
  }
  if (const YAML::Node* objectives = fields.Find("objectives")) {
    std::string objectives_path = Child(path, "objectives");
    ENTENTE_ASSIGN_OR_RETURN(std::vector<YAML::Node> items,
                             Items(*objectives, objectives_path, kMaxListItems));
    for (size_t k = 0; k < items.size(); ++k) {
      ENTENTE_ASSIGN_OR_RETURN(std::string id,
                               Value(items[k], Index(objectives_path, k), ObjectiveId));
      inject.objectives.push_back(std::move(id));
    }
  }
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "precedence", inject.precedence, Precedence));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "decision", inject.decision, RequiredText));
  s_.injects.push_back(std::move(inject));
  locs_.injects.push_back(std::move(at));
  return {};
}

Result<ExpectedAction> YamlReader::ReadExpected(const YAML::Node& node,
                                                const std::string& path) const {
  if (node.IsScalar()) return Value(node, path, ExpectedFromText);
  if (!node.IsMap()) {
    return Fail(
        node, path,
        "expected \"" + std::string(kExpectedGrammar) + "\" or a map, got " + TypeName(node));
  }
  ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(node, path, {"partner", "action", "within", "else"}));
  ExpectedAction expected;
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node action, Required(fields, node, path, "action"));
  ENTENTE_ASSIGN_OR_RETURN(std::string action_text, Scalar(action, Child(path, "action")));
  expected.action = std::string(Trim(action_text));
  if (auto ok = Action(expected.action); !ok) {
    return Fail(action, Child(path, "action"), ok.error().message());
  }
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node partner, Required(fields, node, path, "partner"));
  ENTENTE_ASSIGN_OR_RETURN(std::string partner_text, Scalar(partner, Child(path, "partner")));
  expected.partner = std::string(Trim(partner_text));
  if (auto ok = Actor(expected.partner, expected.action); !ok) {
    return Fail(partner, Child(path, "partner"), ok.error().message());
  }
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node within, Required(fields, node, path, "within"));
  ENTENTE_ASSIGN_OR_RETURN(expected.within_ms,
                           Value(within, Child(path, "within"), PositiveDuration));
  ENTENTE_RETURN_IF_ERROR(Optional(fields, path, "else", expected.contingency, InjectNumber));
  return expected;
}

Status YamlReader::ReadPlayers(const YAML::Node& node) {
  const std::string path = "players";
  if (!node.IsSequence()) return Fail(node, path, "expected a list, got " + TypeName(node));
  if (node.size() > kMaxPlayers) {
    return Fail(node, path, "more than " + std::to_string(kMaxPlayers) + " players");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& entry = node[i];
    std::string at = Index(path, i);
    ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(entry, at, {"role", "partner", "respond"}));
    Player player;
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node role, Required(fields, entry, at, "role"));
    ENTENTE_ASSIGN_OR_RETURN(player.role, Value(role, Child(at, "role"), RoleName));
    ENTENTE_RETURN_IF_ERROR(Optional(fields, at, "partner", player.partner, PartnerCode));
    const YAML::Node* partner = fields.Find("partner");
    locs_.players.push_back(LocOf(entry, at));
    locs_.player_partner.push_back(LocOf(partner ? *partner : entry, Child(at, "partner")));

    ENTENTE_ASSIGN_OR_RETURN(YAML::Node respond, Required(fields, entry, at, "respond"));
    std::string respond_path = Child(at, "respond");
    ENTENTE_ASSIGN_OR_RETURN(Fields actions, Map(respond, respond_path, {}));
    for (const auto& [action, key_node, value] : actions.entries) {
      if (auto ok = PlayerAction(action); !ok) {
        return Fail(key_node, respond_path, ok.error().message());
      }
      std::string response_path = Child(respond_path, action);
      ENTENTE_ASSIGN_OR_RETURN(Fields response_fields,
                               Map(value, response_path, {"median", "p90", "probability"}));
      Response response{.action = action};
      ENTENTE_ASSIGN_OR_RETURN(YAML::Node median,
                               Required(response_fields, value, response_path, "median"));
      ENTENTE_ASSIGN_OR_RETURN(response.delay.median_ms,
                               Value(median, Child(response_path, "median"), PositiveDuration));
      ENTENTE_ASSIGN_OR_RETURN(YAML::Node p90,
                               Required(response_fields, value, response_path, "p90"));
      ENTENTE_ASSIGN_OR_RETURN(response.delay.p90_ms,
                               Value(p90, Child(response_path, "p90"), PositiveDuration));
      if (auto ok = CheckDelay(response.delay); !ok) {
        return Fail(p90, Child(response_path, "p90"), ok.error().message());
      }
      ENTENTE_RETURN_IF_ERROR(Optional(response_fields, response_path, "probability",
                                       response.probability, Probability));
      player.responses.push_back(std::move(response));
    }
    if (auto ok = CheckResponses(player.responses); !ok) {
      return Fail(fields.FindEntry("respond")->key_node, respond_path, ok.error().message());
    }
    s_.players.push_back(std::move(player));
  }
  return {};
}

// A first pass over the YAML events before any node is built, for what yaml-cpp 0.7 mishandles
// (label/policy.cc, found by policy_fuzz): a parser that stops advancing on some malformed input
// and reports empty documents forever, and anchors and aliases, which a scenario may not use
// either (a planner reviewing an inject must see each value where it applies).
class YamlPrescan : public YAML::EventHandler {
 public:
  int documents = 0;
  std::optional<YAML::Mark> first_document, second_document, anchor;

  bool Stuck() const { return second_document && second_document->pos <= first_document->pos; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    (documents == 1 ? first_document : second_document) = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t a) override { Check(mark, a); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Check(mark, 1); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    Check(mark, a);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    Check(mark, a);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    Check(mark, a);
  }
  void OnMapEnd() override {}
  void OnAnchor(const YAML::Mark& mark, const std::string&) override { Check(mark, 1); }

 private:
  void Check(const YAML::Mark& mark, YAML::anchor_t a) {
    if (a != YAML::NullAnchor && !anchor) anchor = mark;
  }
};

int MarkLine(const YAML::Mark& mark) { return mark.is_null() || mark.line < 0 ? 0 : mark.line + 1; }

// ---- CSV -------------------------------------------------------------------------------------

// One record (row) of an RFC 4180 file, or a whole line that starts with '#'.
struct CsvRecord {
  int line = 0;  // where the record starts
  std::vector<std::string> cells;
};

// What is wrong with a record: where, in which cell (0-based), and what.
struct CsvProblem {
  int line = 0;
  size_t cell = 0;
  std::string problem;
};

// Splits CSV text into records. RFC 4180 §2, with what spreadsheets and people also write:
// LF, CRLF or a lone CR ends a record; spaces around a quoted cell are dropped; a line
// starting with '#' is one cell, read as it is, without its trailing commas (metadata).
class CsvTokenizer {
 public:
  explicit CsvTokenizer(std::string_view text) : text_(text) {}

  // The next record; nullopt at the end of the text.
  std::expected<std::optional<CsvRecord>, CsvProblem> Next();

 private:
  bool AtLineEnd() const {
    return pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r';
  }
  // Moves past one line end (LF, CRLF or CR) at pos_, counting the line.
  void SkipLineEnd() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }
  void SkipBlanks() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

std::expected<std::optional<CsvRecord>, CsvProblem> CsvTokenizer::Next() {
  if (pos_ >= text_.size()) return std::nullopt;
  CsvRecord record{.line = line_};
  if (text_[pos_] == '#') {
    size_t end = pos_;
    while (end < text_.size() && text_[end] != '\n' && text_[end] != '\r') ++end;
    std::string_view raw = text_.substr(pos_, end - pos_);
    while (!raw.empty() && (raw.back() == ',' || raw.back() == ' ' || raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
    record.cells.emplace_back(raw);
    pos_ = end;
    SkipLineEnd();
    return record;
  }
  while (true) {
    const size_t cell_index = record.cells.size();
    if (cell_index >= kMaxCsvCells) {
      return std::unexpected(CsvProblem{record.line, cell_index,
                                        "more than " + std::to_string(kMaxCsvCells) + " cells"});
    }
    std::string cell;
    size_t start = pos_;
    SkipBlanks();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const int opened = line_;
      ++pos_;
      while (true) {
        if (pos_ >= text_.size()) {
          return std::unexpected(
              CsvProblem{opened, cell_index,
                         "unterminated quoted cell: the quote that opens here is never closed"});
        }
        char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            cell += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        if (c == '\r' || c == '\n') {
          cell += '\n';  // line ends inside a cell become LF
          SkipLineEnd();
          continue;
        }
        cell += c;
        ++pos_;
      }
      SkipBlanks();
      if (!AtLineEnd() && text_[pos_] != ',') {
        return std::unexpected(CsvProblem{
            line_, cell_index,
            "text after the closing quote; quote the whole cell and double each quote in it"});
      }
    } else {
      pos_ = start;
      while (!AtLineEnd() && text_[pos_] != ',') {
        if (text_[pos_] == '"') {
          return std::unexpected(
              CsvProblem{line_, cell_index,
                         "a quote inside an unquoted cell; quote the whole cell and double "
                         "each quote in it (\"\")"});
        }
        cell += text_[pos_++];
      }
    }
    record.cells.push_back(std::move(cell));
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < text_.size()) SkipLineEnd();
    return record;
  }
}

enum Column : size_t {
  kNumber,
  kTime,
  kAfter,
  kDelay,
  kType,
  kMethod,
  kFrom,
  kTo,
  kController,
  kSynopsis,
  kMessage,
  kExpected,
  kObjectives,
  kPrecedence,
  kDecision,
  kColumnCount
};
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "Number",     "Time",       "After",      "Delay",    "Type",    "Method",
    "From",       "To",         "Controller", "Synopsis", "Message", "Expected Actions",
    "Objectives", "Precedence", "Decision"};
constexpr Column kRequiredColumns[] = {kNumber, kType, kSynopsis};
constexpr std::string_view kMetadataKeys[] = {"name",     "type",    "date",      "classification",
                                              "partners", "contact", "objective", "player"};
// Separators of the items of a multi-valued cell.
constexpr std::string_view kItemSeparators = ";\n";

class CsvReader {
 public:
  CsvReader(const Reporter& report, Scenario& scenario, Locs& locs)
      : report_(report), s_(scenario), locs_(locs) {}

  Status Read(std::string_view text);

 private:
  struct Metadata {
    int line = 0;
    std::string key, value;
  };

  std::unexpected<Error> Fail(int line, std::string_view field, std::string_view problem) const {
    return std::unexpected(report_.At(line, field, problem));
  }
  // Applies `parse` to `text`, locating its error at (line, field).
  template <class Parse>
  auto Value(int line, std::string_view field, std::string_view text, Parse parse) const
      -> decltype(parse(std::string_view())) {
    auto value = parse(text);
    if (!value) return Fail(line, field, value.error().message());
    return value;
  }

  Status ReadHeader(const CsvRecord& record);
  Status ReadMetadata(const Metadata& m);
  Status ReadObjective(const Metadata& m);
  Status ReadContact(const Metadata& m);
  Status ReadPlayer(const Metadata& m);
  Status ReadRow(const CsvRecord& record);

  const Reporter& report_;
  Scenario& s_;
  Locs& locs_;
  std::array<std::optional<size_t>, kColumnCount> column_;  // cell index of each column
  size_t header_size_ = 0;
};

Status CsvReader::Read(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  CsvTokenizer tokenizer(text);
  std::optional<CsvRecord> header;
  std::vector<Metadata> metadata;
  std::vector<CsvRecord> rows;
  while (true) {
    auto next = tokenizer.Next();
    if (!next) {
      const CsvProblem& p = next.error();
      std::string field;
      if (header) {
        for (size_t c = 0; c < kColumnCount; ++c) {
          if (column_[c] == p.cell) field = kColumnNames[c];
        }
      }
      return Fail(p.line, field, p.problem);
    }
    if (!next->has_value()) break;
    CsvRecord& record = **next;
    if (std::all_of(record.cells.begin(), record.cells.end(),
                    [](const std::string& c) { return Trim(c).empty(); })) {
      continue;  // a blank row
    }
    std::string_view first = Trim(record.cells[0]);
    if (first.starts_with("#")) {
      for (size_t c = 1; c < record.cells.size(); ++c) {
        if (!Trim(record.cells[c]).empty()) {
          return Fail(record.line, "",
                      "a row that starts with # may have text only in its first cell");
        }
      }
      first.remove_prefix(1);
      if (first.starts_with("#") || Trim(first).empty()) continue;  // a comment
      size_t colon = first.find(':');
      std::string key = Lower(Trim(first.substr(0, colon)));
      if (colon == std::string_view::npos ||
          std::find(std::begin(kMetadataKeys), std::end(kMetadataKeys), key) ==
              std::end(kMetadataKeys)) {
        return Fail(record.line, "",
                    "expected \"# <key>: <value>\" with a key among " + Join(kMetadataKeys, ", ") +
                        ", got " + Quote(Trim(record.cells[0])) + " (start a comment with ##)");
      }
      metadata.push_back({record.line, key, std::string(Trim(first.substr(colon + 1)))});
      continue;
    }
    if (!header) {
      ENTENTE_RETURN_IF_ERROR(ReadHeader(record));
      header = std::move(record);
      continue;
    }
    if (rows.size() >= kMaxInjects) {
      return Fail(record.line, "", "more than " + std::to_string(kMaxInjects) + " injects");
    }
    rows.push_back(std::move(record));
  }
  if (!header) {
    return Fail(0, "",
                "no header row: expected a row naming the columns, e.g. \"Number,Time,Type,"
                "To,Synopsis,Expected Actions\"");
  }

  // Metadata first (the rows name its partners and objectives), partners before the rest.
  std::map<std::string, int, std::less<>> single;  // key -> line, for keys given once
  for (const Metadata& m : metadata) {
    if (m.key == "contact" || m.key == "objective" || m.key == "player") continue;
    if (auto [at, added] = single.emplace(m.key, m.line); !added) {
      return Fail(m.line, "# " + m.key,
                  "given twice (first at line " + std::to_string(at->second) + ")");
    }
  }
  for (std::string_view key : {"name", "partners"}) {
    if (!single.contains(key)) {
      return Fail(header->line, "# " + std::string(key),
                  "missing: add a row \"# " + std::string(key) + ": ...\" above the header");
    }
  }
  s_.type = "tabletop";
  for (const Metadata& m : metadata) ENTENTE_RETURN_IF_ERROR(ReadMetadata(m));

  if (rows.empty()) return Fail(header->line, "", "no injects: the header is the last row");
  for (const CsvRecord& row : rows) ENTENTE_RETURN_IF_ERROR(ReadRow(row));
  return {};
}

Status CsvReader::ReadHeader(const CsvRecord& record) {
  header_size_ = record.cells.size();
  for (size_t i = 0; i < record.cells.size(); ++i) {
    std::string name = Lower(Trim(record.cells[i]));
    if (name.empty()) {
      return Fail(record.line, "",
                  "column " + std::to_string(i + 1) + " of the header has no name");
    }
    size_t c = 0;
    while (c < kColumnCount && Lower(kColumnNames[c]) != name) ++c;
    if (c == kColumnCount) {
      return Fail(record.line, "",
                  "unknown column " + Quote(Trim(record.cells[i])) +
                      " (columns: " + Join(kColumnNames, ", ") + ")");
    }
    if (column_[c]) {
      return Fail(record.line, "", "column " + std::string(kColumnNames[c]) + " is given twice");
    }
    column_[c] = i;
  }
  for (Column c : kRequiredColumns) {
    if (!column_[c]) {
      return Fail(
          record.line, "",
          "no " + std::string(kColumnNames[c]) + " column (required: Number, Type, Synopsis)");
    }
  }
  return {};
}

Status CsvReader::ReadMetadata(const Metadata& m) {
  const std::string field = "# " + m.key;
  if (m.key == "name") {
    ENTENTE_ASSIGN_OR_RETURN(s_.name, Value(m.line, field, m.value, RequiredLine));
  } else if (m.key == "type") {
    ENTENTE_ASSIGN_OR_RETURN(s_.type, Value(m.line, field, m.value, ExerciseType));
  } else if (m.key == "date") {
    ENTENTE_ASSIGN_OR_RETURN(s_.date, Value(m.line, field, m.value, Date));
  } else if (m.key == "classification") {
    ENTENTE_ASSIGN_OR_RETURN(s_.classification, Value(m.line, field, m.value, RequiredLine));
  } else if (m.key == "partners") {
    locs_.partners = {m.line, field};
    std::vector<std::string_view> codes = SplitItems(m.value, ";");
    if (codes.size() > kMaxPartners) {
      return Fail(m.line, field, "more than " + std::to_string(kMaxPartners) + " partners");
    }
    for (std::string_view code : codes) {
      ENTENTE_ASSIGN_OR_RETURN(std::string partner, Value(m.line, field, code, PartnerCode));
      s_.partners.push_back(std::move(partner));
    }
  } else if (m.key == "contact") {
    return ReadContact(m);
  } else if (m.key == "objective") {
    return ReadObjective(m);
  } else if (m.key == "player") {
    return ReadPlayer(m);
  }
  return {};
}

// "# objective: <id>; <capability>; <text>[; <task> | <task> ...]"
Status CsvReader::ReadObjective(const Metadata& m) {
  const std::string field = "# objective";
  if (s_.objectives.size() >= kMaxObjectives) {
    return Fail(m.line, field, "more than " + std::to_string(kMaxObjectives) + " objectives");
  }
  std::vector<std::string_view> parts = SplitFields(m.value, ';');
  if (parts.size() < 3 || parts.size() > 4) {
    return Fail(m.line, field,
                "expected \"<id>; <capability>; <text>[; <task> | <task> ...]\", got " +
                    std::to_string(parts.size()) + " parts separated by ';'");
  }
  Objective objective;
  ENTENTE_ASSIGN_OR_RETURN(objective.id, Value(m.line, field, parts[0], ObjectiveId));
  ENTENTE_ASSIGN_OR_RETURN(objective.capability, Value(m.line, field, parts[1], OneLine));
  ENTENTE_ASSIGN_OR_RETURN(objective.text, Value(m.line, field, parts[2], RequiredText));
  if (parts.size() == 4) {
    std::vector<std::string_view> tasks = SplitItems(parts[3], "|");
    if (tasks.size() > kMaxListItems) {
      return Fail(m.line, field, "more than " + std::to_string(kMaxListItems) + " items");
    }
    for (std::string_view task : tasks) {
      ENTENTE_ASSIGN_OR_RETURN(std::string text, Value(m.line, field, task, RequiredLine));
      objective.critical_tasks.push_back(std::move(text));
    }
  }
  locs_.objectives.push_back({m.line, field});
  s_.objectives.push_back(std::move(objective));
  return {};
}

// "# contact: <name>[; <partner>[; <role>[; <contact>]]]"
Status CsvReader::ReadContact(const Metadata& m) {
  const std::string field = "# contact";
  if (s_.contacts.size() >= kMaxContacts) {
    return Fail(m.line, field, "more than " + std::to_string(kMaxContacts) + " contacts");
  }
  std::vector<std::string_view> parts = SplitFields(m.value, ';');
  if (parts.size() > 4) {
    return Fail(m.line, field,
                "expected \"<name>; <partner>; <role>; <contact>\", got " +
                    std::to_string(parts.size()) + " parts separated by ';'");
  }
  parts.resize(4);
  PointOfContact poc;
  ENTENTE_ASSIGN_OR_RETURN(poc.name, Value(m.line, field, parts[0], RequiredLine));
  if (!parts[1].empty()) {
    ENTENTE_ASSIGN_OR_RETURN(poc.partner, Value(m.line, field, parts[1], PartnerCode));
  }
  ENTENTE_ASSIGN_OR_RETURN(poc.role, Value(m.line, field, parts[2], OneLine));
  ENTENTE_ASSIGN_OR_RETURN(poc.contact, Value(m.line, field, parts[3], OneLine));
  locs_.contact_partner.push_back({m.line, field});
  s_.contacts.push_back(std::move(poc));
  return {};
}

// "# player: <role>; [<partner>]; <action>=<median>/<p90>[/<probability>]; ..."
Status CsvReader::ReadPlayer(const Metadata& m) {
  const std::string field = "# player";
  if (s_.players.size() >= kMaxPlayers) {
    return Fail(m.line, field, "more than " + std::to_string(kMaxPlayers) + " players");
  }
  std::vector<std::string_view> parts = SplitFields(m.value, ';');
  if (parts.size() < 3) {
    return Fail(m.line, field,
                "expected \"<role>; <partner or nothing>; <action>=<median>/<p90>[/"
                "<probability>]; ...\"");
  }
  Player player;
  ENTENTE_ASSIGN_OR_RETURN(player.role, Value(m.line, field, parts[0], RoleName));
  if (!parts[1].empty()) {
    ENTENTE_ASSIGN_OR_RETURN(player.partner, Value(m.line, field, parts[1], PartnerCode));
  }
  for (size_t i = 2; i < parts.size(); ++i) {
    if (parts[i].empty()) continue;  // a trailing ';'
    size_t equals = parts[i].find('=');
    std::vector<std::string_view> values = equals == std::string_view::npos
                                               ? std::vector<std::string_view>{}
                                               : SplitFields(parts[i].substr(equals + 1), '/');
    if (values.size() < 2 || values.size() > 3) {
      return Fail(m.line, field,
                  "expected <action>=<median>/<p90>[/<probability>], got " + Quote(parts[i]));
    }
    Response response{.action = std::string(Trim(parts[i].substr(0, equals)))};
    std::string at = field + ": " + response.action;
    if (auto ok = PlayerAction(response.action); !ok) {
      return Fail(m.line, field, ok.error().message());
    }
    ENTENTE_ASSIGN_OR_RETURN(response.delay.median_ms,
                             Value(m.line, at, values[0], PositiveDuration));
    ENTENTE_ASSIGN_OR_RETURN(response.delay.p90_ms, Value(m.line, at, values[1], PositiveDuration));
    if (auto ok = CheckDelay(response.delay); !ok) return Fail(m.line, at, ok.error().message());
    if (values.size() == 3) {
      ENTENTE_ASSIGN_OR_RETURN(response.probability, Value(m.line, at, values[2], Probability));
    }
    player.responses.push_back(std::move(response));
  }
  if (auto ok = CheckResponses(player.responses); !ok) {
    return Fail(m.line, field, ok.error().message());
  }
  locs_.players.push_back({m.line, field});
  locs_.player_partner.push_back({m.line, field});
  s_.players.push_back(std::move(player));
  return {};
}

Status CsvReader::ReadRow(const CsvRecord& record) {
  const int line = record.line;
  if (record.cells.size() != header_size_) {
    return Fail(line, "",
                "row has " + std::to_string(record.cells.size()) + " cells, the header has " +
                    std::to_string(header_size_) + " columns");
  }
  auto cell = [&](Column c) -> std::string_view {
    return column_[c] ? Trim(record.cells[*column_[c]]) : std::string_view();
  };
  auto loc = [&](Column c) { return Loc{line, std::string(kColumnNames[c])}; };
  auto name = [&](Column c) { return kColumnNames[c]; };
  Inject inject;
  InjectLocs at{.at = loc(kTime),
                .number = loc(kNumber),
                .time = loc(kTime),
                .after = loc(kAfter),
                .delay = loc(kDelay),
                .to = loc(kTo),
                .expected_field = loc(kExpected),
                .objectives = loc(kObjectives),
                .precedence = loc(kPrecedence),
                .decision = loc(kDecision)};

  if (cell(kNumber).empty()) return Fail(line, name(kNumber), "missing inject number");
  ENTENTE_ASSIGN_OR_RETURN(inject.number, Value(line, name(kNumber), cell(kNumber), InjectNumber));
  if (!cell(kTime).empty()) {
    ENTENTE_ASSIGN_OR_RETURN(inject.at_ms, Value(line, name(kTime), cell(kTime), Time));
  }
  if (!cell(kAfter).empty()) {
    ENTENTE_ASSIGN_OR_RETURN(inject.after, Value(line, name(kAfter), cell(kAfter), InjectNumber));
  }
  if (!cell(kDelay).empty()) {
    ENTENTE_ASSIGN_OR_RETURN(inject.delay_ms, Value(line, name(kDelay), cell(kDelay), AnyDuration));
    at.delay_given = true;
  }
  if (cell(kType).empty()) return Fail(line, name(kType), "missing inject type");
  ENTENTE_ASSIGN_OR_RETURN(inject.type, Value(line, name(kType), cell(kType), InjectType));
  ENTENTE_ASSIGN_OR_RETURN(inject.method, Value(line, name(kMethod), cell(kMethod), OneLine));
  ENTENTE_ASSIGN_OR_RETURN(inject.from, Value(line, name(kFrom), cell(kFrom), OneLine));
  for (std::string_view code : SplitItems(cell(kTo), kItemSeparators)) {
    if (inject.to.size() >= kMaxListItems) {
      return Fail(line, name(kTo), "more than " + std::to_string(kMaxListItems) + " items");
    }
    ENTENTE_ASSIGN_OR_RETURN(std::string partner, Value(line, name(kTo), code, PartnerCode));
    inject.to.push_back(std::move(partner));
  }
  ENTENTE_ASSIGN_OR_RETURN(inject.controller,
                           Value(line, name(kController), cell(kController), OneLine));
  ENTENTE_ASSIGN_OR_RETURN(inject.synopsis,
                           Value(line, name(kSynopsis), cell(kSynopsis), RequiredLine));
  ENTENTE_ASSIGN_OR_RETURN(inject.message, Value(line, name(kMessage), cell(kMessage), MultiLine));
  for (std::string_view item : SplitItems(cell(kExpected), kItemSeparators)) {
    if (inject.expected.size() >= kMaxExpected) {
      return Fail(line, name(kExpected), "more than " + std::to_string(kMaxExpected) + " items");
    }
    ENTENTE_ASSIGN_OR_RETURN(ExpectedAction expected,
                             Value(line, name(kExpected), item, ExpectedFromText));
    inject.expected.push_back(std::move(expected));
    at.expected.push_back(loc(kExpected));
  }
  for (std::string_view id : SplitItems(cell(kObjectives), kItemSeparators)) {
    if (inject.objectives.size() >= kMaxListItems) {
      return Fail(line, name(kObjectives), "more than " + std::to_string(kMaxListItems) + " items");
    }
    ENTENTE_ASSIGN_OR_RETURN(std::string objective,
                             Value(line, name(kObjectives), id, ObjectiveId));
    inject.objectives.push_back(std::move(objective));
  }
  if (!cell(kPrecedence).empty()) {
    ENTENTE_ASSIGN_OR_RETURN(inject.precedence,
                             Value(line, name(kPrecedence), cell(kPrecedence), Precedence));
  }
  ENTENTE_ASSIGN_OR_RETURN(inject.decision,
                           Value(line, name(kDecision), cell(kDecision), MultiLine));
  s_.injects.push_back(std::move(inject));
  locs_.injects.push_back(std::move(at));
  return {};
}

}  // namespace

Result<Scenario> ParseScenarioYaml(std::string_view text, std::string_view source) {
  Reporter report(source);
  ENTENTE_RETURN_IF_ERROR(CheckInput(report, text));
  Scenario scenario;
  Locs locs;
  // yaml-cpp reports problems by throwing; none of that may leave this function.
  try {
    std::string copy(text);
    YamlPrescan prescan;
    {
      std::istringstream stream(copy);
      YAML::Parser parser(stream);
      while (prescan.documents < 2 && parser.HandleNextDocument(prescan)) {
      }
    }
    if (prescan.Stuck()) {
      return std::unexpected(
          report.At(MarkLine(*prescan.second_document), "", "YAML syntax error"));
    }
    if (prescan.anchor) {
      return std::unexpected(report.At(MarkLine(*prescan.anchor), "",
                                       "YAML anchors and aliases (& and *) are not allowed in a "
                                       "scenario; write each value out"));
    }
    if (prescan.documents > 1) {
      return std::unexpected(report.At(MarkLine(*prescan.second_document), "",
                                       "expected one YAML document, found more"));
    }
    YamlReader reader(report, scenario, locs);
    ENTENTE_RETURN_IF_ERROR(reader.Read(prescan.documents == 0 ? YAML::Node() : YAML::Load(copy)));
  } catch (const YAML::DeepRecursion& e) {
    return std::unexpected(
        report.At(MarkLine(e.mark), "", "YAML nested too deeply; a scenario needs few levels"));
  } catch (const YAML::Exception& e) {
    return std::unexpected(report.At(MarkLine(e.mark), "", "YAML syntax error: " + e.msg));
  } catch (const std::exception& e) {
    return std::unexpected(report.At(0, "", std::string("cannot read the scenario: ") + e.what()));
  } catch (...) {
    return std::unexpected(report.At(0, "", "cannot read the scenario"));
  }
  ENTENTE_RETURN_IF_ERROR(Check(report, locs, scenario));
  return scenario;
}

Result<Scenario> ParseScenarioCsv(std::string_view text, std::string_view source) {
  Reporter report(source);
  ENTENTE_RETURN_IF_ERROR(CheckInput(report, text));
  Scenario scenario;
  Locs locs;
  CsvReader reader(report, scenario, locs);
  ENTENTE_RETURN_IF_ERROR(reader.Read(text));
  ENTENTE_RETURN_IF_ERROR(Check(report, locs, scenario));
  return scenario;
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::string lower = Lower(path);
  bool yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
  bool csv = lower.ends_with(".csv");
  if (!yaml && !csv) {
    return InvalidArgument(path + ": unknown scenario file type; name it .yaml, .yml or .csv");
  }
  ENTENTE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, kMaxScenarioSize));
  std::string text = ToString(bytes);
  return yaml ? ParseScenarioYaml(text, path) : ParseScenarioCsv(text, path);
}

// "T+" HH ":" MM [ ":" SS ], HH 2 to 4 digits, MM and SS 2 digits below 60.
Result<uint64_t> ParseScenarioTime(std::string_view text) {
  auto bad = [&] { return InvalidArgument(Quote(text) + " is not T+HH:MM or T+HH:MM:SS"); };
  if (!text.starts_with("T+")) return bad();
  std::string_view rest = text.substr(2);
  // SplitFields trims each part: refuse the white space it would remove.
  if (rest.find_first_of(" \t\r\n") != std::string_view::npos) return bad();
  std::vector<std::string_view> parts = SplitFields(rest, ':');
  if (parts.size() < 2 || parts.size() > 3) return bad();
  uint64_t values[3] = {0, 0, 0};
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (part.size() < 2 || part.size() > (i == 0 ? 4u : 2u)) return bad();
    for (char c : part) {
      if (c < '0' || c > '9') return bad();
      values[i] = values[i] * 10 + static_cast<uint64_t>(c - '0');
    }
  }
  if (values[1] >= 60 || values[2] >= 60) {
    return InvalidArgument(Quote(text) + ": minutes and seconds must be below 60");
  }
  return values[0] * kMsPerHour + values[1] * kMsPerMinute + values[2] * kMsPerSecond;
}

std::string FormatScenarioTime(uint64_t ms) {
  uint64_t hours = ms / kMsPerHour;
  uint64_t minutes = ms % kMsPerHour / kMsPerMinute;
  uint64_t seconds = ms % kMsPerMinute / kMsPerSecond;
  char out[48];
  if (seconds == 0) {
    std::snprintf(out, sizeof out, "T+%02llu:%02llu", static_cast<unsigned long long>(hours),
                  static_cast<unsigned long long>(minutes));
  } else {
    std::snprintf(out, sizeof out, "T+%02llu:%02llu:%02llu", static_cast<unsigned long long>(hours),
                  static_cast<unsigned long long>(minutes),
                  static_cast<unsigned long long>(seconds));
  }
  return out;
}

}  // namespace entente::exercise
