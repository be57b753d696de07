#include "exercise/players.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace entente::exercise {
namespace {

constexpr size_t kMaxVersions = 3;  // a player revises a decision at most twice

bool HasRole(const BotMember& member, std::string_view role) {
  return std::find(member.roles.begin(), member.roles.end(), role) != member.roles.end();
}

}  // namespace

Players::Players(const Scenario& scenario, std::map<std::string, std::vector<BotMember>> members,
                 uint64_t seed)
    : scenario_(&scenario), members_(std::move(members)), rng_(seed) {}

const BotMember* Players::Actor(std::string_view partner, std::string_view action,
                                const Response** response) const {
  auto it = members_.find(std::string(partner));
  if (it == members_.end()) return nullptr;
  for (const auto& member : it->second) {
    const Player* player = scenario_->PlayerFor(partner, member.roles);
    if (player == nullptr) continue;
    // A member plays the first of its roles the scenario describes.
    if (!HasRole(member, player->role)) continue;
    if (const Response* r = player->Find(action); r != nullptr) {
      *response = r;
      return &member;
    }
  }
  return nullptr;
}

uint64_t Players::Draw(const Delay& delay) {
  if (delay.median_ms == 0) return 0;
  // Log-normal with the given median and 90th percentile (z = 1.2816).
  double sigma =
      delay.p90_ms > delay.median_ms
          ? std::log(static_cast<double>(delay.p90_ms) / static_cast<double>(delay.median_ms)) /
                1.2815515655446004
          : 0.0;
  std::normal_distribution<double> z(0.0, 1.0);
  double ms = static_cast<double>(delay.median_ms) * std::exp(sigma * z(rng_));
  return static_cast<uint64_t>(std::min(ms, 1e13));
}

bool Players::Plan(std::string_view partner, PlayerAction action, uint64_t from_ms) {
  if (!considered_.insert(action.key).second) return false;
  const Response* response = nullptr;
  // A revision is a new proposal: it takes the proposer's time.
  const std::string as = action.action == "revise" ? "propose" : action.action;
  const BotMember* member = Actor(partner, as, &response);
  if (member == nullptr) return false;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (u(rng_) >= response->probability) return false;  // stays silent
  action.partner = std::string(partner);
  action.member = member->id;
  action.due_ms = from_ms + Draw(response->delay);
  planned_.emplace(action.key, std::move(action));
  return true;
}

std::vector<PlayerAction> Players::Due(std::string_view partner, uint64_t now_ms,
                                       const std::vector<SentInject>& received,
                                       const consult::Book& book, const Bytes& exercise_id,
                                       uint64_t epoch_ms) {
  const std::string me(partner);
  auto scenario_ms = [&](uint64_t t) { return t > epoch_ms ? t - epoch_ms : 0; };
  std::vector<const consult::Consultation*> consultations;
  for (const auto& [id, c] : book.consultations()) {
    if (c.exercise_id == exercise_id) consultations.push_back(&c);
  }
  // The open consultation this partner takes part in that an inject's action is about: the
  // latest requested.
  const consult::Consultation* current = nullptr;
  for (const auto* c : consultations) {
    if (consult::IsOpen(c->state) && c->IsParticipant(partner) &&
        (current == nullptr || c->requested.created_ms > current->requested.created_ms)) {
      current = c;
    }
  }
  // Whether the scenario has an inject ask for proposals; if not, the requester proposes once
  // the consultation is convened.
  bool proposals_asked = false;
  for (const auto& inject : scenario_->injects) {
    for (const auto& e : inject.expected) proposals_asked |= e.action == "propose";
  }
  std::string decision_text;    // the latest text an inject gave for a proposal
  std::set<std::string> asked;  // actions an inject received asked this partner for
  for (const auto& sent : received) {
    const Inject* inject = scenario_->FindInject(sent.number);
    if (inject == nullptr || sent.sent_ms > now_ms) continue;
    if (!inject->decision.empty()) decision_text = inject->decision;
    for (const auto& e : inject->expected) {
      if (e.partner != partner) continue;
      asked.insert(e.action);
      PlayerAction a;
      a.key = me + "/" + e.action + "/" + sent.number;
      a.action = e.action;
      if (e.action == "request") {
        bool requested = std::any_of(consultations.begin(), consultations.end(), [&](auto* c) {
          return c->requester == partner && scenario_ms(c->requested.created_ms) >= sent.sent_ms;
        });
        if (requested) continue;
        a.precedence = inject->precedence.empty() ? "IMMEDIATE" : inject->precedence;
        for (const auto& p : scenario_->partners) {
          if (p != partner) a.counterparts.push_back(p);
        }
        a.text = inject->synopsis;
        Plan(partner, std::move(a), sent.sent_ms);
      } else if (e.action == "acknowledge" && current != nullptr &&
                 current->state == consult::State::kRequested && current->requester != me &&
                 !current->AcknowledgedBy(partner)) {
        // A reminder gives a player who let the request sit another chance.
        a.consultation = current->id;
        a.text = "Acknowledged after inject " + sent.number;
        Plan(partner, std::move(a), sent.sent_ms);
      } else if (e.action == "report" && current != nullptr) {
        a.consultation = current->id;
        a.text = "Status after inject " + sent.number + ": " + inject->synopsis;
        Plan(partner, std::move(a), sent.sent_ms);
      } else if (e.action == "close" && current != nullptr &&
                 (current->state == consult::State::kMonitoring ||
                  current->state == consult::State::kDecided)) {
        a.consultation = current->id;
        a.text = "Closed as directed by inject " + sent.number;
        Plan(partner, std::move(a), std::max(sent.sent_ms, scenario_ms(current->last_event_ms)));
      }
    }
  }
  for (const auto* c : consultations) {
    if (!consult::IsOpen(c->state) || !c->IsParticipant(partner)) continue;
    uint64_t last = scenario_ms(c->last_event_ms);
    PlayerAction a;
    a.consultation = c->id;
    switch (c->state) {
      case consult::State::kRequested:
        if (c->requester != partner && !c->AcknowledgedBy(partner)) {
          a.key = me + "/ack/" + c->id;
          a.action = "acknowledge";
          a.text = "Acknowledged; " + me + " is assessing";
          Plan(partner, std::move(a), scenario_ms(c->requested.created_ms));
        }
        break;
      case consult::State::kAcknowledged:
        if (c->requester == partner || asked.contains("convene")) {
          a.key = me + "/convene/" + c->id;
          a.action = "convene";
          a.text = "Convening the consultation";
          Plan(partner, std::move(a), last);
        }
        break;
      case consult::State::kConvened: {
        const consult::Decision* d = c->OpenDecision();
        if (d == nullptr) {
          bool mine = proposals_asked ? asked.contains("propose") : c->requester == partner;
          if (!mine || !c->decisions.empty()) break;
          a.key = me + "/propose/" + c->id;
          a.action = "propose";
          a.text = decision_text.empty()
                       ? "The partners will respond jointly and coordinate public messaging."
                       : decision_text;
          Plan(partner, std::move(a), last);
          break;
        }
        const consult::Version& version = d->current();
        bool objected =
            std::any_of(d->objections.begin(), d->objections.end(),
                        [&](const consult::Vote& v) { return v.version == version.number; });
        if (objected) {
          if (d->versions.front().at.origin != partner || d->versions.size() >= kMaxVersions) {
            break;
          }
          a.key = me + "/revise/" + d->id + "/" + std::to_string(version.number);
          a.action = "revise";
          a.decision = d->id;
          a.text = (decision_text.empty() ? std::string("Joint response") : decision_text) +
                   " (version " + std::to_string(version.number + 1) +
                   ", revised to meet the objection)";
          Plan(partner, std::move(a), last);
          break;
        }
        if (d->ApprovedBy(partner)) break;
        std::string key = me + "/vote/" + d->id + "/" + std::to_string(version.number);
        if (!considered_.insert(key).second) break;
        // Approve, object or stay silent, by the approver's probabilities.
        const Response* approve = nullptr;
        const Response* object = nullptr;
        const BotMember* approver = Actor(partner, "approve", &approve);
        const BotMember* objector = Actor(partner, "object", &object);
        double pa = approver != nullptr ? approve->probability : 0.0;
        double po = objector != nullptr ? object->probability : 0.0;
        std::uniform_real_distribution<double> u(0.0, 1.0);
        double roll = u(rng_);
        const BotMember* member = nullptr;
        const Response* response = nullptr;
        if (roll < pa) {
          a.action = "approve";
          member = approver;
          response = approve;
        } else if (roll < pa + po) {
          a.action = "object";
          member = objector;
          response = object;
          a.text = me + " cannot accept version " + std::to_string(version.number) + " as drafted";
        } else {
          break;  // silence
        }
        a.key = key;
        a.partner = me;
        a.member = member->id;
        a.decision = d->id;
        a.version_sha256 = version.text_sha256;
        a.due_ms = std::max(last, scenario_ms(version.at.created_ms)) + Draw(response->delay);
        planned_.emplace(key, std::move(a));
        break;
      }
      default:
        break;
    }
  }
  std::vector<PlayerAction> due;
  for (auto it = planned_.begin(); it != planned_.end();) {
    if (it->second.partner == partner && it->second.due_ms <= now_ms) {
      due.push_back(std::move(it->second));
      it = planned_.erase(it);
    } else {
      ++it;
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const PlayerAction& a, const PlayerAction& b) {
    return a.due_ms < b.due_ms;
  });
  return due;
}

uint64_t Players::NextDue() const {
  uint64_t next = std::numeric_limits<uint64_t>::max();
  for (const auto& [key, action] : planned_) next = std::min(next, action.due_ms);
  return next;
}

}  // namespace entente::exercise
