// space/space_state.h: one space's state, folded from its logs: the charter (name, partners,
// policy), its channels (name, ceiling, members), and the rules for what may be appended:
// who may author which kind (the policy's roles), which label a channel admits, and to exactly
// which devices an event's envelope must be sealed (docs/formats/space.md).
//
// The same code runs in the origin node before it appends (ingest), in partner nodes and
// clients when they fold a log, and in audits: it is pure and takes the directory as input.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "label/label.h"
#include "label/policy.h"
#include "ledger/ids.h"
#include "space/directory.h"

namespace entente::space {

struct Channel {
  std::string name;
  ledger::EventId id;  // the event id of its channel.create, which events in it carry as subject
  label::Label ceiling;
  std::vector<std::string> members;  // member ids, sorted
  std::string created_by;            // member id
  uint64_t created_ms = 0;

  bool HasMember(std::string_view member) const;
};

// An exercise run in a space: from its exercise.start (whose event id is the exercise id every
// event of the exercise carries in its header) to its exercise.end (docs/formats/exercise.md).
struct Exercise {
  std::string id;  // hex
  std::string name;
  std::string scenario_sha256;
  std::string origin;      // the controller's partner: only its log holds injects and the end
  std::string controller;  // member id of who started it
  std::string label;       // canonical label of the start: the exercise's classification
  uint64_t started_ms = 0;
  std::optional<uint64_t> ended_ms;
  bool running() const { return !ended_ms.has_value(); }
};

// Which kinds a policy role entry names: an exact kind name ("message.post") or a family
// ("message.*"). InvalidArgument if it names no registered kind.
[[nodiscard]] Status CheckMayAuthorEntry(std::string_view entry);
bool MayAuthorCovers(std::string_view entry, std::string_view kind_name);

// How an event's envelope recipients are checked. The origin node, before it appends, demands
// exactly the devices the label admits (kExact). A partner folding a mirrored log may know of
// devices the origin did not yet (a partition), so it demands only that no recipient is a device
// the label does not admit (kNoLeak): every recipient is the key of a device, current or revoked,
// of a channel member whose clearance admits the label.
enum class RecipientRule : uint8_t { kExact, kNoLeak };

class SpaceState {
 public:
  explicit SpaceState(ledger::SpaceId id) : id_(id) {}

  // OK if the event may be appended to (or folded from) this space's logs now, given who is
  // enrolled; otherwise PermissionDenied, FailedPrecondition, NotFound, AlreadyExists or
  // InvalidArgument saying why. For consultation and decision kinds (0x04xx, 0x05xx) and agenda
  // kinds (0x07xx) it checks what every kind needs (order, author, role, label, clearance);
  // consult::Book::Check and agenda::Book::Check add the process rules and the recipients.
  [[nodiscard]] Status Check(const FoldEvent& event, const Directory& directory,
                             RecipientRule rule = RecipientRule::kExact) const;
  void Apply(const FoldEvent& event, const Directory& directory);
  [[nodiscard]] Status Fold(const FoldEvent& event, const Directory& directory);

  const ledger::SpaceId& id() const { return id_; }
  bool chartered() const { return policy_ != nullptr; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& partners() const { return partners_; }
  const std::shared_ptr<const label::Policy>& policy() const { return policy_; }
  const std::string& policy_text() const { return policy_text_; }
  const std::map<std::string, Channel, std::less<>>& channels() const { return channels_; }
  // The charter's event id (space.join refers to it).
  const ledger::EventId& charter_event() const { return charter_event_; }
  // The partners that have joined: the charter's author's partner, and each that authored a
  // space.join. The space is in force, and takes channels and messages, when all have.
  const std::vector<std::string>& joined() const { return joined_; }
  bool in_force() const { return chartered() && joined_ == partners_; }
  std::vector<std::string> waiting_for() const;

  // Exercises, by id (hex).
  const std::map<std::string, Exercise, std::less<>>& exercises() const { return exercises_; }
  const Exercise* FindExercise(std::string_view id) const;
  // The audience of an exercise's own events (start, injects, end): every active member of the
  // space's partners, with the label as ceiling.
  Channel ExerciseAudience(const Directory& directory, const label::Label& label) const;

  // The envelope's recipients against the devices that may read `label` in `channel` (which
  // may be an audience that is not a channel of the space, as a consultation's is).
  [[nodiscard]] Status CheckRecipients(const FoldEvent& event, const Directory& directory,
                                       const Channel& channel, const label::Label& label,
                                       RecipientRule rule) const;

  const Channel* FindChannel(std::string_view name) const;
  const Channel* FindChannel(const ledger::EventId& id) const;
  bool HasPartner(std::string_view partner) const;

  // The member's clearance under this space's policy; InvalidArgument if it does not parse
  // under it (the member then reads nothing labelled).
  [[nodiscard]] Result<label::Clearance> ClearanceOf(const Member& member) const;
  // Whether one of the member's roles may author `kind_name` under the policy.
  bool MayAuthor(const Member& member, std::string_view kind_name) const;
  // Whether `member` may read an event with `label` in `channel`: an active member of the
  // channel whose clearance admits the label.
  bool MayRead(const Member& member, const Channel& channel, const label::Label& label) const;
  // The encryption keys an event labelled `label` in `channel` at `at_ms` must be sealed to:
  // the receiving devices of the channel's members who may read it. Sorted, unique.
  std::vector<crypto::EncryptionPublicKey> Recipients(const Directory& directory,
                                                      const Channel& channel,
                                                      const label::Label& label,
                                                      uint64_t at_ms) const;
  // The members who may read an event of this space at `label` in `channel` (for fan-out).
  std::vector<std::string> Readers(const Directory& directory, const Channel& channel,
                                   const label::Label& label) const;

 private:
  Status CheckCharter(const FoldEvent& event, const Directory& directory) const;
  Status CheckJoin(const FoldEvent& event, const Directory& directory) const;
  Status CheckOrder(const ledger::EventHeader& header) const;
  Status CheckChannelEvent(const FoldEvent& event, const Directory& directory,
                           RecipientRule rule) const;
  Status CheckExerciseEvent(const FoldEvent& event, const Directory& directory,
                            RecipientRule rule) const;
  // An event carrying an exercise id belongs to a running exercise that started before it.
  Status CheckExerciseId(const ledger::EventHeader& header) const;
  // Author, role and label: what every authored kind needs; the author and the label.
  Result<std::pair<const Member*, label::Label>> CheckAuthorship(const FoldEvent& event,
                                                                 const Directory& directory) const;
  Result<const Member*> Author(const FoldEvent& event, const Directory& directory) const;
  Result<label::Label> HeaderLabel(const ledger::EventHeader& header) const;

  ledger::SpaceId id_;
  std::string name_;
  std::vector<std::string> partners_;
  std::string policy_text_;
  std::shared_ptr<const label::Policy> policy_;
  std::map<std::string, Channel, std::less<>> channels_;
  ledger::EventId charter_event_;
  uint64_t charter_ms_ = 0;
  std::string charter_origin_;
  std::vector<std::string> joined_;                     // sorted
  std::map<std::string, uint64_t> last_structural_ms_;  // by origin
  std::map<std::string, Exercise, std::less<>> exercises_;
};

// The order in which a space's state is folded from its partners' logs (docs/formats/space.md,
// "Order"): by (created_ms, origin, position in its log). Every party gets the same relative
// order for the entries it holds, whichever others it lacks. `logs[i]` lists the created_ms of
// log i's entries to fold in log order, `origins[i]` its origin. Returns (log, position) pairs.
std::vector<std::pair<size_t, size_t>> MergeOrder(const std::vector<std::vector<uint64_t>>& logs,
                                                  const std::vector<std::string>& origins);

// Loads a charter's policy and checks that every role's may_author names registered kinds.
[[nodiscard]] Result<std::shared_ptr<const label::Policy>> LoadSpacePolicy(
    std::string_view yaml, std::string_view source = "policy");

}  // namespace entente::space
