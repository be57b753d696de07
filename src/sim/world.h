// sim/world.h: a simulated world for exercises (DESIGN §3, layer 4): the partners' members and
// space, built once, and per run an in-memory network of partner nodes on a virtual clock.
//
// Each partner node keeps the events it holds; an event its members author is checked against
// that node's view (consult::Book::Check, as a real origin node does), appended to its log and
// delivered to the other nodes after the link's latency, later if an outage cuts the link. Each
// node folds what it holds with the same domain code as a real node (space, consult) on the
// virtual clock, so the bots of a partner cut off by an outage act on what their node shows.
// Injects travel the same links. Officials marked absent take what they would have done when
// they are back. Everything follows from the scenario, the faults and the seed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "consult/consultation.h"
#include "crypto/box.h"
#include "crypto/sign.h"
#include "exercise/run.h"
#include "exercise/scenario.h"
#include "sim/faults.h"
#include "space/directory.h"
#include "space/space_state.h"

namespace entente::sim {

// The members and space every run starts from: one member per partner and scenario role
// ("officer@KOR"), enrolled with a device and its encryption key, in a chartered space all
// partners joined. Keys are generated once.
class Template {
 public:
  [[nodiscard]] static Result<std::unique_ptr<Template>> Build(const exercise::Scenario& scenario,
                                                               const std::string& policy_yaml);

  struct Member {
    std::string id;
    std::string partner;
    std::vector<std::string> roles;
    crypto::PublicKey device;
  };
  const std::vector<Member>& members() const { return members_; }
  const space::Directory& directory() const { return directory_; }
  const space::SpaceState& state() const { return *state_; }
  const std::string& label() const { return label_; }  // the scenario's, canonical
  uint64_t epoch_ms() const { return epoch_ms_; }      // scenario time 0
  // The bots of a run: every member, by partner.
  std::map<std::string, std::vector<exercise::BotMember>> Bots() const;

 private:
  std::vector<Member> members_;
  space::Directory directory_;
  std::unique_ptr<space::SpaceState> state_;
  std::string label_;
  uint64_t epoch_ms_ = 0;
};

// One run's world: the exercise::Port of a simulation.
class World final : public exercise::Port {
 public:
  // `world` and `scenario` must outlive this.
  World(const Template& world, const exercise::Scenario& scenario, const Faults& faults,
        uint64_t seed);

  const Bytes& exercise_id() const override { return exercise_id_; }
  uint64_t epoch_ms() const override { return template_->epoch_ms(); }
  Result<std::string> SendInject(const exercise::Inject& inject, uint64_t at_ms) override;
  Status Act(const exercise::PlayerAction& action, uint64_t at_ms) override;
  Result<const consult::Book*> View(std::string_view partner, uint64_t now_ms) override;
  std::vector<exercise::SentInject> Received(
      std::string_view partner, uint64_t now_ms,
      const std::vector<exercise::SentInject>& sent) override;
  // The next time an event or inject arrives somewhere or an absent official is back.
  uint64_t NextWake(uint64_t now_ms) const override;

  // Every event authored, as one node that holds them all would fold them (for the outcome).
  const consult::Book& Everything(uint64_t now_ms);
  size_t events() const { return events_.size(); }

 private:
  struct Event {
    ledger::EventHeader header;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> recipients;
    uint64_t index = 0;                      // in its origin's log
    std::map<std::string, uint64_t> arrive;  // scenario time it reaches each partner's node
  };
  // When something sent by `from` at `at_ms` reaches `to`.
  uint64_t Arrival(const std::string& from, const std::string& to, uint64_t at_ms) const;
  // Until when `member` is away at `at_ms` (nullopt if present).
  std::optional<uint64_t> AwayUntil(const std::string& member, uint64_t at_ms) const;
  Status Perform(const exercise::PlayerAction& action, uint64_t at_ms);
  void Flush(uint64_t now_ms);
  // Folds what `partner`'s node holds by `now_ms` (everything for "") into the book kept at
  // `slot_key`.
  const consult::Book& Fold(std::string_view partner, uint64_t now_ms, const std::string& slot_key);

  const Template* template_;
  const exercise::Scenario* scenario_;
  Faults faults_;
  Bytes exercise_id_;
  uint64_t outage_start_ = 0, outage_end_ = 0;  // [start, end) of the run's outage, if any
  std::map<std::string, uint64_t> away_until_;  // "PARTNER:role" -> scenario time
  std::vector<Event> events_;
  std::map<std::string, uint64_t> next_index_;  // by origin
  uint64_t next_id_ = 1;
  std::vector<std::pair<uint64_t, exercise::PlayerAction>> deferred_;
  std::map<std::string, std::unique_ptr<consult::Book>> books_;  // by slot key
};

}  // namespace entente::sim
