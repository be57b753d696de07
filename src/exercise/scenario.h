// exercise/scenario.h: an exercise's Master Scenario Events List (HSEEP), as written by its
// planners in YAML or exported from a spreadsheet as CSV (docs/formats/scenario.md).
//
// Pure: text in, a checked Scenario or an error naming the line and the field out. Scenario
// time is milliseconds since STARTEX ("T+00:00").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace entente::exercise {

// Players' actions the controller can see in the consultation logs.
//   request      the partner requests a consultation
//   acknowledge  the partner acknowledges a consultation
//   convene      the partner convenes it
//   propose      the partner proposes a decision
//   approve      the partner approves the current version of a decision
//   object       the partner objects to it
//   report       the partner files a status report
//   decide       a decision is adopted (partner: ALL)
//   close        the partner closes the consultation
inline constexpr std::string_view kActions[] = {"request", "approve", "acknowledge",
                                                "object",  "convene", "report",
                                                "propose", "decide",  "close"};
bool IsAction(std::string_view action);

struct PointOfContact {
  std::string name;
  std::string partner;  // partner code, e.g. "USA"
  std::string role;     // e.g. "exercise director", "lead controller"
  std::string contact;  // e-mail or phone, free text
};

struct Objective {
  std::string id;  // "OBJ-1"
  std::string text;
  std::string capability;                   // capability target, e.g. "Operational Coordination"
  std::vector<std::string> critical_tasks;  // what must be done to meet it
};

// What the players are expected to do after an inject, e.g. "KOR acknowledge within PT10M".
struct ExpectedAction {
  std::string partner;      // who must act; "ALL" for `decide`
  std::string action;       // one of kActions
  uint64_t within_ms = 0;   // from the inject's sending
  std::string contingency;  // inject number sent if the action has not happened in time; ""
  bool operator==(const ExpectedAction&) const = default;
};

struct Inject {
  std::string number;  // MSEL number, unique: "1", "2", "3A"
  // When it is sent: at scenario time `at_ms`, or `delay_ms` after inject `after` was sent; a
  // contingency inject (type "contingency") has neither and is sent only when an expected
  // action it stands behind is missed.
  std::optional<uint64_t> at_ms;
  std::string after;
  uint64_t delay_ms = 0;
  std::string type;             // "contextual", "action", "contingency"
  std::string method;           // "message", "phone", "email", "news", free text
  std::string from;             // "SimCell", "Controller" or a partner
  std::vector<std::string> to;  // partner codes the inject is addressed to
  std::string controller;       // the controller responsible
  std::string synopsis;         // one line
  std::string message;          // what the players receive
  std::vector<ExpectedAction> expected;
  std::vector<std::string> objectives;  // Objective ids
  // For an expected `request`: the consultation's precedence (FLASH, IMMEDIATE, PRIORITY,
  // ROUTINE). For an expected `propose`: the decision text. Empty: the players choose.
  std::string precedence;
  std::string decision;

  bool contingency() const { return type == "contingency"; }
};

// How a simulated player of a role answers; probabilities of approve, object and silence add up
// to at most 1 (the rest is silence).
struct Delay {
  uint64_t median_ms = 0;
  uint64_t p90_ms = 0;  // >= median; log-normal between them
};
struct Response {
  std::string action;  // one of kActions but decide
  Delay delay;
  double probability = 1.0;  // that the player acts at all (else stays silent)
};
struct Player {
  std::string role;     // a role of the space's policy, e.g. "officer"
  std::string partner;  // "" for every partner
  std::vector<Response> responses;
  const Response* Find(std::string_view action) const;
};

struct Scenario {
  std::string name;
  std::string type;            // "tabletop", "functional", "simulation"
  std::string date;            // YYYY-MM-DD
  std::string classification;  // a label banner or canonical label, e.g. "SECRET//REL TO USA, KOR"
  std::vector<std::string> partners;  // partner codes taking part, sorted
  std::vector<PointOfContact> contacts;
  std::vector<Objective> objectives;
  std::vector<Inject> injects;  // in MSEL order
  std::vector<Player> players;
  uint64_t end_ms = 0;  // ENDEX in scenario time: after the last timed inject and expectation

  const Inject* FindInject(std::string_view number) const;
  const Objective* FindObjective(std::string_view id) const;
  // The players' behaviour for a member of `partner` holding `roles`: the first Player whose
  // role is among them and whose partner is `partner` or empty; nullptr if none.
  const Player* PlayerFor(std::string_view partner, const std::vector<std::string>& roles) const;
};

// Parses a scenario in YAML. InvalidArgument "<source>:<line>: <field>: <problem>" for anything
// docs/formats/scenario.md does not allow: unknown fields, a missing field, a bad time or
// duration, an unknown action, objective or inject number, a duplicate number, a cycle of
// `after`, a contingency that is not a contingency inject.
[[nodiscard]] Result<Scenario> ParseScenarioYaml(std::string_view text, std::string_view source);
// Parses a scenario exported from a spreadsheet as CSV (RFC 4180), same checks and errors.
[[nodiscard]] Result<Scenario> ParseScenarioCsv(std::string_view text, std::string_view source);
// Reads a file by its extension (.yaml/.yml or .csv).
[[nodiscard]] Result<Scenario> LoadScenario(const std::string& path);

// "T+01:05" / "T+01:05:30" <-> milliseconds.
[[nodiscard]] Result<uint64_t> ParseScenarioTime(std::string_view text);
std::string FormatScenarioTime(uint64_t ms);

}  // namespace entente::exercise
