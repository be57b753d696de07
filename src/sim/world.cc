#include "sim/world.h"

#include <algorithm>
#include <limits>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "label/banner.h"
#include "ledger/kinds.h"
#include "space/names.h"

namespace entente::sim {
namespace {

constexpr uint64_t kEpochMs = 1'800'000'000'000;  // 2027-01-15T08:00:00Z: scenario time 0
constexpr uint64_t kDay = 86'400'000;

struct KindOf {
  std::string_view action;
  uint16_t kind;
};
constexpr KindOf kKinds[] = {{"request", 0x0400}, {"acknowledge", 0x0401}, {"convene", 0x0402},
                             {"report", 0x0403},  {"close", 0x0407},       {"propose", 0x0500},
                             {"revise", 0x0501},  {"approve", 0x0502},     {"object", 0x0503}};

ledger::EventId IdOf(uint64_t n) {
  std::array<uint8_t, 16> id{};
  id[0] = 0x5e;  // "simulated"
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<uint8_t>(n >> (8 * i));
  return ledger::EventId(id);
}

ledger::EventHeader Header(uint16_t kind, const ledger::SpaceId& space, std::string origin,
                           const crypto::PublicKey& author, std::string label, uint64_t id,
                           uint64_t created_ms) {
  ledger::EventHeader h;
  h.kind = kind;
  h.space_id = space;
  h.origin = std::move(origin);
  h.event_id = IdOf(id);
  h.created_ms = created_ms;
  h.author = author;
  h.label = std::move(label);
  return h;
}

std::string VersionHash(const std::string& text) {
  return HexEncode(crypto::Sha256(ToBytes(text)));
}

}  // namespace

Result<std::unique_ptr<Template>> Template::Build(const exercise::Scenario& scenario,
                                                  const std::string& policy_yaml) {
  auto t = std::make_unique<Template>();
  t->epoch_ms_ = kEpochMs;
  ENTENTE_ASSIGN_OR_RETURN(auto policy, space::LoadSpacePolicy(policy_yaml, "--policy"));
  if (!policy->consultation()) {
    return InvalidArgument("--policy: it has no consultation section (docs/formats/policy.md)");
  }
  for (const auto& p : scenario.partners) {
    if (!policy->FindPartner(p)) {
      return InvalidArgument("the scenario's partner " + p + " is not a partner of policy " +
                             policy->id());
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabelOrBanner(policy, scenario.classification));
  t->label_ = label.ToString();
  uint64_t id = 1;
  uint64_t enrolled = kEpochMs - kDay;
  auto dir = [&](uint16_t kind, const std::string& partner, const crypto::PublicKey& author,
                 nlohmann::json meta) {
    auto h = Header(kind, space::DirectorySpaceId(partner), partner, author,
                    std::string(space::kDirectoryLabel), id++, enrolled);
    t->directory_.Apply(space::FoldEvent{h, meta});
  };
  for (const auto& partner : scenario.partners) {
    std::vector<std::string> roles;
    for (const auto& player : scenario.players) {
      if ((player.partner.empty() || player.partner == partner) &&
          std::find(roles.begin(), roles.end(), player.role) == roles.end()) {
        roles.push_back(player.role);
      }
    }
    for (const auto& role : roles) {
      std::string member = role + "@" + partner;
      auto signing = crypto::SigningKey::Generate();
      auto encryption = crypto::EncryptionKey::Generate();
      std::string clearance = policy->id() + ";" + policy->levels().back().id + ";REL=" + partner;
      dir(0x0100, partner, signing.public_key(),
          {{"member", member}, {"partner", partner}, {"roles", {role}}, {"clearance", clearance}});
      dir(0x0110, partner, signing.public_key(),
          {{"member", member}, {"device_key", space::DeviceIdOf(signing.public_key())}});
      dir(0x0111, partner, signing.public_key(),
          {{"encryption_key", Base64UrlEncode(encryption.public_key().bytes())},
           {"not_after_ms", kEpochMs + 3650 * kDay}});
      if (t->directory_.FindMember(member) == nullptr) {
        return InvalidArgument("role " + role + " of " + partner + ": cannot enrol " + member);
      }
      t->members_.push_back(Member{member, partner, {role}, signing.public_key()});
    }
  }
  // The space: chartered by the first partner, joined by the others.
  t->state_ = std::make_unique<space::SpaceState>(ledger::SpaceId(std::array<uint8_t, 16>{0x5e}));
  const auto& first = t->members_.empty() ? crypto::PublicKey() : t->members_.front().device;
  auto charter = Header(0x0001, t->state_->id(), scenario.partners.front(), first, "DIRECTORY",
                        id++, enrolled);
  t->state_->Apply(space::FoldEvent{charter,
                                    {{"name", "SIM"},
                                     {"partners", scenario.partners},
                                     {"policy", policy_yaml},
                                     {"policy_sha256", VersionHash(policy_yaml)}}},
                   t->directory_);
  for (const auto& partner : scenario.partners) {
    auto join = Header(0x0002, t->state_->id(), partner, first, "DIRECTORY", id++, enrolled + 1);
    t->state_->Apply(space::FoldEvent{join, {{"partner", partner}}}, t->directory_);
  }
  if (!t->state_->in_force()) return Internal("the simulated space is not in force");
  return t;
}

std::map<std::string, std::vector<exercise::BotMember>> Template::Bots() const {
  std::map<std::string, std::vector<exercise::BotMember>> bots;
  for (const auto& m : members_) bots[m.partner].push_back({m.id, m.roles});
  return bots;
}

World::World(const Template& world, const exercise::Scenario& scenario, const Faults& faults,
             uint64_t seed)
    : template_(&world), scenario_(&scenario), faults_(faults), exercise_id_(16, 0xe5) {
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (const auto& outage : faults_.outages) {
    double roll = u(rng);
    double start = u(rng) * static_cast<double>(scenario.end_ms) / 2;
    if (roll < outage.probability && outage_end_ == 0) {
      outage_start_ = static_cast<uint64_t>(start);
      outage_end_ = outage_start_ + outage.duration_ms;
    }
  }
  for (const auto& absence : faults_.absences) {
    if (u(rng) < absence.probability) {
      auto& until = away_until_[absence.partner + ":" + absence.role];
      until = std::max(until, absence.duration_ms);
    }
  }
}

uint64_t World::Arrival(const std::string& from, const std::string& to, uint64_t at_ms) const {
  if (from == to) return at_ms;
  uint64_t depart = at_ms;
  if (outage_end_ > 0 && depart >= outage_start_ && depart < outage_end_) depart = outage_end_;
  return depart + faults_.latency_ms;
}

std::optional<uint64_t> World::AwayUntil(const std::string& member, uint64_t at_ms) const {
  for (const auto& m : template_->members()) {
    if (m.id != member) continue;
    for (const auto& role : m.roles) {
      auto it = away_until_.find(m.partner + ":" + role);
      if (it != away_until_.end() && at_ms < it->second) return it->second;
    }
  }
  return std::nullopt;
}

Result<std::string> World::SendInject(const exercise::Inject& /*inject*/, uint64_t /*at_ms*/) {
  return std::string();  // delivered by Received, over the controller's links
}

std::vector<exercise::SentInject> World::Received(std::string_view partner, uint64_t now_ms,
                                                  const std::vector<exercise::SentInject>& sent) {
  std::vector<exercise::SentInject> out;
  const std::string& controller = scenario_->partners.front();
  for (const auto& s : sent) {
    const exercise::Inject* inject = scenario_->FindInject(s.number);
    if (inject == nullptr ||
        std::find(inject->to.begin(), inject->to.end(), partner) == inject->to.end()) {
      continue;
    }
    if (Arrival(controller, std::string(partner), s.sent_ms) <= now_ms) out.push_back(s);
  }
  return out;
}

Status World::Act(const exercise::PlayerAction& action, uint64_t at_ms) {
  if (auto until = AwayUntil(action.member, at_ms)) {
    deferred_.emplace_back(*until, action);
    return {};
  }
  return Perform(action, at_ms);
}

void World::Flush(uint64_t now_ms) {
  while (true) {
    auto it = std::find_if(deferred_.begin(), deferred_.end(),
                           [&](const auto& d) { return d.first <= now_ms; });
    if (it == deferred_.end()) return;
    auto [at, action] = std::move(*it);
    deferred_.erase(it);
    (void)Perform(action, at);  // refused if the process moved on meanwhile
  }
}

Status World::Perform(const exercise::PlayerAction& a, uint64_t at_ms) {
  const Template::Member* member = nullptr;
  for (const auto& m : template_->members()) {
    if (m.id == a.member) member = &m;
  }
  if (member == nullptr) return NotFound("no simulated member " + a.member);
  auto kind = std::find_if(std::begin(kKinds), std::end(kKinds),
                           [&](const KindOf& k) { return k.action == a.action; });
  if (kind == std::end(kKinds)) return InvalidArgument("no event for action " + a.action);
  // The acting partner's node checks the event against what it holds, as a real origin does.
  const consult::Book& book = Fold(member->partner, at_ms, "act:" + member->partner);
  const space::SpaceState& state = template_->state();
  const space::Directory& directory = template_->directory();
  const consult::Consultation* c = nullptr;
  if (!a.consultation.empty()) c = book.Find(a.consultation);
  if (!a.decision.empty()) c = book.FindByDecision(a.decision);
  if (kind->kind != 0x0400 && c == nullptr) {
    return NotFound(a.partner + "'s node does not know the consultation yet");
  }
  uint64_t created = epoch_ms() + at_ms;
  if (c != nullptr) created = std::max(created, c->last_event_ms + 1);
  uint64_t id = next_id_++;
  auto h = Header(kind->kind, state.id(), member->partner, member->device, template_->label(), id,
                  created);
  h.exercise_id = exercise_id_;
  nlohmann::json meta;
  consult::Consultation draft;
  if (kind->kind == 0x0400) {
    const auto& policy = *state.policy()->consultation();
    auto precedence = policy.precedence.find(a.precedence);
    if (precedence == policy.precedence.end()) return InvalidArgument("precedence " + a.precedence);
    meta = {{"precedence", a.precedence},
            {"counterparts", a.counterparts},
            {"ack_deadline_ms", created + precedence->second.acknowledge_ms},
            {"escalation", consult::Escalation::Freeze(policy).ToJson()}};
    draft.requester = member->partner;
    draft.counterparts = a.counterparts;
    draft.label = template_->label();
    c = &draft;
  } else {
    h.subject = HexDecode(c->id).value_or(Bytes());
    if ((kind->kind >> 8) == 0x04) {
      meta = {{"consultation", c->id}};
    } else if (kind->kind == 0x0500) {
      meta = {
          {"decision", h.event_id.ToHex()}, {"version", 1}, {"text_sha256", VersionHash(a.text)}};
    } else {
      const consult::Decision* d = c->FindDecision(a.decision);
      if (d == nullptr) return NotFound("no decision " + a.decision);
      if (kind->kind == 0x0501) {
        meta = {{"decision", d->id},
                {"version", d->current().number + 1},
                {"text_sha256", VersionHash(a.text)}};
      } else {
        meta = {{"decision", d->id},
                {"version", d->current().number},
                {"text_sha256", d->current().text_sha256}};
      }
    }
  }
  std::vector<crypto::EncryptionPublicKey> recipients;
  if (ledger::FindKind(kind->kind)->has_envelope) {
    auto label = label::ParseLabel(state.policy(), template_->label());
    if (!label) return std::unexpected(label.error());
    ENTENTE_ASSIGN_OR_RETURN(auto audience, book.Audience(*c, directory));
    recipients = state.Recipients(directory, audience, *label, created);
  }
  space::FoldEvent event{h, meta, recipients};
  ENTENTE_RETURN_IF_ERROR(book.Check(event, directory));
  Event e{h, std::move(meta), std::move(recipients), next_index_[member->partner]++, {}};
  for (const auto& p : scenario_->partners) e.arrive[p] = Arrival(member->partner, p, at_ms);
  events_.push_back(std::move(e));
  return {};
}

const consult::Book& World::Fold(std::string_view partner, uint64_t now_ms,
                                 const std::string& slot_key) {
  auto book = std::make_unique<consult::Book>(template_->state());
  std::vector<const Event*> held;
  for (const auto& e : events_) {
    if (partner.empty() || e.arrive.at(std::string(partner)) <= now_ms) held.push_back(&e);
  }
  // Merge order: (created_ms, origin, index).
  std::sort(held.begin(), held.end(), [](const Event* a, const Event* b) {
    return std::tie(a->header.created_ms, a->header.origin, a->index) <
           std::tie(b->header.created_ms, b->header.origin, b->index);
  });
  for (const Event* e : held) {
    book->Apply(space::FoldEvent{e->header, e->meta, e->recipients}, e->index,
                template_->directory());
  }
  book->AdvanceTo(epoch_ms() + now_ms);
  auto& slot = books_[slot_key];
  slot = std::move(book);
  return *slot;
}

Result<const consult::Book*> World::View(std::string_view partner, uint64_t now_ms) {
  Flush(now_ms);
  return &Fold(partner, now_ms, std::string(partner));
}

const consult::Book& World::Everything(uint64_t now_ms) { return Fold("", now_ms, "*"); }

uint64_t World::NextWake(uint64_t now_ms) const {
  uint64_t next = std::numeric_limits<uint64_t>::max();
  for (const auto& e : events_) {
    for (const auto& [p, t] : e.arrive) {
      if (t > now_ms) next = std::min(next, t);
    }
  }
  for (const auto& [t, action] : deferred_) {
    if (t > now_ms) next = std::min(next, t);
  }
  return next;
}

}  // namespace entente::sim
