// exercise/players.h: simulated players (bots). For each partner they watch what that
// partner's node shows of the exercise (the injects it received, the exercise's consultations)
// and, per the scenario's player behaviour, plan each action they will take with a response
// time drawn from the role's distribution: request when an inject asks for it, acknowledge a
// request, convene once acknowledged (the requester), propose a decision, approve or object to
// each version or stay silent, report once decided, close when asked.
//
// Pure and deterministic: the same scenario, seed and sequence of calls give the same actions.
// The caller (a real run through members' clients, or a simulation) performs what Due returns
// and calls again; an action the process refuses by then is simply dropped.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "consult/consultation.h"
#include "exercise/evaluation.h"
#include "exercise/scenario.h"

namespace entente::exercise {

// One member a partner's bots may act as, and the roles it holds.
struct BotMember {
  std::string id;  // member id
  std::vector<std::string> roles;
};

struct PlayerAction {
  std::string key;      // unique per planned action: "ack/<consultation>"
  std::string partner;  // who acts
  std::string member;   // as whom
  std::string
      action;  // request, acknowledge, convene, propose, revise, approve, object, report, close
  uint64_t due_ms = 0;  // scenario time it is taken at
  std::string consultation;
  std::string decision;
  std::string version_sha256;             // approve / object: the version decided on
  std::string precedence;                 // request
  std::vector<std::string> counterparts;  // request
  std::string text;  // request subject, decision text, objection reason, report, note
};

class Players {
 public:
  // `scenario` must outlive the players. `members`: per partner, the members its bots act as.
  Players(const Scenario& scenario, std::map<std::string, std::vector<BotMember>> members,
          uint64_t seed);

  // Plans, for `partner`, what its players will do given what its node shows at scenario time
  // `now_ms`: the injects it received (sent at or before now and addressed to it) and the
  // exercise's consultations in `book` (whose times are `epoch_ms` + scenario time). Returns the
  // planned actions due by now, in due order, and forgets them.
  std::vector<PlayerAction> Due(std::string_view partner, uint64_t now_ms,
                                const std::vector<SentInject>& received, const consult::Book& book,
                                const Bytes& exercise_id, uint64_t epoch_ms);
  // The earliest due time of a planned action of any partner, or UINT64_MAX.
  uint64_t NextDue() const;

 private:
  // Plans `action` for `partner` once (by key), with a delay drawn for the member who will take
  // it; false if no member of the partner plays a role with a response to it, or the draw says
  // the player stays silent.
  bool Plan(std::string_view partner, PlayerAction action, uint64_t from_ms);
  const BotMember* Actor(std::string_view partner, std::string_view action,
                         const Response** response) const;
  uint64_t Draw(const Delay& delay);

  const Scenario* scenario_;
  std::map<std::string, std::vector<BotMember>> members_;
  std::mt19937_64 rng_;
  std::map<std::string, PlayerAction> planned_;  // by key
  std::set<std::string> considered_;             // keys planned (or declined) once
};

}  // namespace entente::exercise
