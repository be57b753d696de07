#include "space/space_state.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <tuple>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "ledger/kinds.h"
#include "space/meta.h"
#include "space/names.h"

namespace entente::space {
namespace {

using namespace ledger::kind;  // NOLINT(google-build-using-namespace)

std::string_view KindName(uint16_t code) {
  const auto* kind = ledger::FindKind(code);
  return kind != nullptr ? kind->name : std::string_view("unknown");
}

}  // namespace

bool Channel::HasMember(std::string_view member) const {
  return std::binary_search(members.begin(), members.end(), member);
}

bool MayAuthorCovers(std::string_view entry, std::string_view kind_name) {
  if (entry.ends_with(".*")) {
    std::string_view family = entry.substr(0, entry.size() - 1);  // "message."
    return kind_name.starts_with(family);
  }
  return entry == kind_name;
}

Status CheckMayAuthorEntry(std::string_view entry) {
  for (const auto& kind : ledger::AllKinds()) {
    if (MayAuthorCovers(entry, kind.name)) return {};
  }
  return InvalidArgument("may_author: \"" + std::string(entry) +
                         "\" names no event kind (see docs/formats/kinds.md; a family is "
                         "written like message.*)");
}

Result<std::shared_ptr<const label::Policy>> LoadSpacePolicy(std::string_view yaml,
                                                             std::string_view source) {
  ENTENTE_ASSIGN_OR_RETURN(auto policy, label::LoadPolicy(yaml, source));
  for (const auto& role : policy->roles()) {
    for (const auto& entry : role.may_author) {
      auto status = CheckMayAuthorEntry(entry);
      if (!status) {
        return InvalidArgument(std::string(source) + ": roles." + role.id + "." +
                               status.error().message());
      }
    }
  }
  return policy;
}

const Channel* SpaceState::FindChannel(std::string_view name) const {
  auto it = channels_.find(name);
  return it == channels_.end() ? nullptr : &it->second;
}

const Channel* SpaceState::FindChannel(const ledger::EventId& id) const {
  for (const auto& [name, channel] : channels_) {
    if (channel.id == id) return &channel;
  }
  return nullptr;
}

bool SpaceState::HasPartner(std::string_view partner) const {
  return std::find(partners_.begin(), partners_.end(), partner) != partners_.end();
}

Result<label::Clearance> SpaceState::ClearanceOf(const Member& member) const {
  if (policy_ == nullptr) return FailedPrecondition("the space has no charter yet");
  return label::ParseClearance(policy_, member.clearance);
}

bool SpaceState::MayAuthor(const Member& member, std::string_view kind_name) const {
  if (policy_ == nullptr) return false;
  for (const auto& role_id : member.roles) {
    const label::Role* role = policy_->FindRole(role_id);
    if (role == nullptr) continue;
    for (const auto& entry : role->may_author) {
      if (MayAuthorCovers(entry, kind_name)) return true;
    }
  }
  return false;
}

bool SpaceState::MayRead(const Member& member, const Channel& channel,
                         const label::Label& label) const {
  if (member.revoked || !HasPartner(member.partner) || !channel.HasMember(member.id)) return false;
  auto clearance = ClearanceOf(member);
  return clearance && label::Access(*clearance, label).admitted();
}

std::vector<std::string> SpaceState::Readers(const Directory& directory, const Channel& channel,
                                             const label::Label& label) const {
  std::vector<std::string> readers;
  for (const auto& id : channel.members) {
    const Member* member = directory.FindMember(id);
    if (member != nullptr && MayRead(*member, channel, label)) readers.push_back(id);
  }
  return readers;
}

std::vector<crypto::EncryptionPublicKey> SpaceState::Recipients(const Directory& directory,
                                                                const Channel& channel,
                                                                const label::Label& label,
                                                                uint64_t at_ms) const {
  std::vector<crypto::EncryptionPublicKey> keys;
  for (const auto& id : Readers(directory, channel, label)) {
    auto more = directory.ReceivingKeys(*directory.FindMember(id), at_ms);
    keys.insert(keys.end(), more.begin(), more.end());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Result<const Member*> SpaceState::Author(const FoldEvent& event, const Directory& directory) const {
  const Member* member = directory.ActiveMemberOf(event.header.author);
  if (member == nullptr) {
    return PermissionDenied("the author " + DeviceIdOf(event.header.author) +
                            " is not an active enrolled device");
  }
  if (member->partner != event.header.origin) {
    return PermissionDenied("the author " + member->id + " is not of " + event.header.origin);
  }
  if (!HasPartner(member->partner)) {
    return PermissionDenied(member->partner + " is not a partner of space " + name_);
  }
  return member;
}

Result<label::Label> SpaceState::HeaderLabel(const ledger::EventHeader& header) const {
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabel(policy_, header.label));
  if (label.ToString() != header.label) {
    return InvalidArgument("label \"" + header.label +
                           "\" is not canonical (canonical: " + label.ToString() + ")");
  }
  return label;
}

Status SpaceState::CheckRecipients(const FoldEvent& event, const Directory& directory,
                                   const Channel& channel, const label::Label& label,
                                   RecipientRule rule) const {
  std::vector<crypto::EncryptionPublicKey> got(event.recipients.begin(), event.recipients.end());
  std::sort(got.begin(), got.end());
  if (rule == RecipientRule::kNoLeak) {
    std::vector<crypto::EncryptionPublicKey> admitted;
    for (const auto& id : Readers(directory, channel, label)) {
      for (const auto& device_id : directory.FindMember(id)->devices) {
        const Device* device = directory.FindDevice(device_id);
        if (device != nullptr && device->encryption) admitted.push_back(device->encryption->key);
      }
    }
    std::sort(admitted.begin(), admitted.end());
    size_t leaked = 0;
    for (const auto& key : got)
      leaked += !std::binary_search(admitted.begin(), admitted.end(), key);
    if (leaked == 0) return {};
    return PermissionDenied("sealed to " + std::to_string(leaked) +
                            " device(s) the label does not admit in channel " + channel.name);
  }
  auto expected = Recipients(directory, channel, label, event.header.created_ms);
  if (got == expected) return {};
  size_t missing = 0;
  size_t extra = 0;
  for (const auto& key : expected) missing += !std::binary_search(got.begin(), got.end(), key);
  for (const auto& key : got) extra += !std::binary_search(expected.begin(), expected.end(), key);
  return PermissionDenied("recipients are not the devices the label admits in channel " +
                          channel.name + ": " + std::to_string(missing) + " missing, " +
                          std::to_string(extra) + " not admitted (" +
                          std::to_string(expected.size()) + " expected)");
}

Status SpaceState::CheckCharter(const FoldEvent& event, const Directory& directory) const {
  if (chartered()) return AlreadyExists("space " + name_ + " already has a charter");
  const Member* author = directory.ActiveMemberOf(event.header.author);
  if (author == nullptr || author->partner != event.header.origin || !author->HasRole(kAdminRole)) {
    return PermissionDenied("space.charter: only an admin of " + event.header.origin +
                            " may charter a space");
  }
  std::string name = MetaString(event.meta, "name");
  if (name.empty() || name.size() > 63) {
    return InvalidArgument("space.charter: name: use 1 to 63 characters");
  }
  auto partners = MetaStrings(event.meta, "partners");
  if (std::find(partners.begin(), partners.end(), event.header.origin) == partners.end()) {
    return InvalidArgument("space.charter: partners must include the creator " +
                           event.header.origin);
  }
  std::string policy_text = MetaString(event.meta, "policy");
  if (MetaString(event.meta, "policy_sha256") != HexEncode(crypto::Sha256(AsBytes(policy_text)))) {
    return InvalidArgument("space.charter: policy_sha256 is not the SHA-256 of the policy");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto policy, LoadSpacePolicy(policy_text, "charter policy"));
  for (const auto& partner : partners) {
    if (!policy->FindPartner(partner)) {
      return InvalidArgument("space.charter: partner " + partner + " is not in policy " +
                             policy->id() + " (" + policy->PartnerList() + ")");
    }
  }
  auto label = label::ParseLabel(policy, event.header.label);
  if (!label) return std::unexpected(label.error());
  return {};
}

Status SpaceState::CheckJoin(const FoldEvent& event, const Directory& directory) const {
  const auto& h = event.header;
  const Member* author = directory.ActiveMemberOf(h.author);
  if (author == nullptr || author->partner != h.origin || !author->HasRole(kAdminRole)) {
    return PermissionDenied("space.join: only an admin of " + h.origin + " may join " + name_ +
                            " for " + h.origin);
  }
  if (MetaString(event.meta, "partner") != h.origin) {
    return InvalidArgument("space.join: partner must be the author's partner " + h.origin);
  }
  if (!HasPartner(h.origin)) {
    return PermissionDenied(h.origin + " is not a partner of space " + name_);
  }
  if (std::binary_search(joined_.begin(), joined_.end(), h.origin)) {
    return AlreadyExists(h.origin + " has already joined space " + name_);
  }
  if (MetaString(event.meta, "charter_event") != charter_event_.ToHex()) {
    return InvalidArgument("space.join: charter_event is not this space's charter");
  }
  ENTENTE_RETURN_IF_ERROR(HeaderLabel(h));
  return {};
}

std::vector<std::string> SpaceState::waiting_for() const {
  std::vector<std::string> out;
  std::set_difference(partners_.begin(), partners_.end(), joined_.begin(), joined_.end(),
                      std::back_inserter(out));
  return out;
}

std::vector<std::pair<size_t, size_t>> MergeOrder(const std::vector<std::vector<uint64_t>>& logs,
                                                  const std::vector<std::string>& origins) {
  std::vector<std::pair<size_t, size_t>> order;
  for (size_t i = 0; i < logs.size(); ++i) {
    for (size_t j = 0; j < logs[i].size(); ++j) order.emplace_back(i, j);
  }
  // A sort, so leaving an entry out never moves the others; Check keeps each log's structural
  // events in time order, so the sort keeps each log's own order too.
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return std::tie(logs[a.first][a.second], origins[a.first], a.second) <
           std::tie(logs[b.first][b.second], origins[b.first], b.second);
  });
  return order;
}

bool IsStructural(uint16_t kind) {
  return kind == kSpaceCharter || kind == kSpaceJoin || kind == kChannelCreate ||
         kind == kChannelUpdate;
}

// Rules that make every party's fold order (MergeOrder) agree with the order events were
// checked in: after the charter (strictly, from another partner's log), each log's structural
// events in time order, and an update of another partner's channel after its creation.
Status SpaceState::CheckOrder(const ledger::EventHeader& h) const {
  if (h.created_ms < charter_ms_ || (h.created_ms == charter_ms_ && h.origin != charter_origin_)) {
    return FailedPrecondition("the event's time is not after the charter's (" +
                              std::to_string(charter_ms_) + " ms)");
  }
  if (!IsStructural(h.kind)) return {};
  auto last = last_structural_ms_.find(h.origin);
  if (last != last_structural_ms_.end() && h.created_ms < last->second) {
    return FailedPrecondition("the event's time is before the previous structural event of " +
                              h.origin + "'s log");
  }
  return {};
}

Result<std::pair<const Member*, label::Label>> SpaceState::CheckAuthorship(
    const FoldEvent& event, const Directory& directory) const {
  const auto& h = event.header;
  std::string kind_name(KindName(h.kind));
  ENTENTE_ASSIGN_OR_RETURN(const Member* author, Author(event, directory));
  if (!MayAuthor(*author, kind_name)) {
    return PermissionDenied(author->id + " (roles: " +
                            [&] {
                              std::string roles;
                              for (const auto& r : author->roles) {
                                roles += (roles.empty() ? "" : ", ") + r;
                              }
                              return roles;
                            }() +
                            ") may not author " + kind_name + " under policy " + policy_->id());
  }
  ENTENTE_ASSIGN_OR_RETURN(auto label, HeaderLabel(h));
  auto clearance = ClearanceOf(*author);
  if (!clearance || !label::Access(*clearance, label).admitted()) {
    return PermissionDenied(author->id + "'s clearance does not admit " + h.label);
  }
  return std::pair{author, std::move(label)};
}

Status SpaceState::CheckChannelEvent(const FoldEvent& event, const Directory& directory,
                                     RecipientRule rule) const {
  const auto& h = event.header;
  ENTENTE_ASSIGN_OR_RETURN(auto authorship, CheckAuthorship(event, directory));
  const Member* author = authorship.first;
  const label::Label& label = authorship.second;
  std::string channel_name = MetaString(event.meta, "channel");
  if (h.kind == kChannelCreate) {
    ENTENTE_RETURN_IF_ERROR(CheckChannelName(channel_name));
    if (FindChannel(channel_name) != nullptr) {
      return AlreadyExists("channel " + channel_name + " exists in space " + name_);
    }
    if (!h.subject.empty()) return InvalidArgument("channel.create: subject must be empty");
    ENTENTE_ASSIGN_OR_RETURN(auto ceiling,
                             label::ParseLabel(policy_, MetaString(event.meta, "ceiling")));
    if (!label::Dominates(ceiling, label)) {
      return PermissionDenied("label " + h.label + " is above the channel's ceiling " +
                              ceiling.ToString());
    }
    auto members = MetaStrings(event.meta, "members");
    if (!std::is_sorted(members.begin(), members.end()) ||
        std::adjacent_find(members.begin(), members.end()) != members.end()) {
      return InvalidArgument("channel.create: members must be sorted and distinct");
    }
    if (!std::binary_search(members.begin(), members.end(), author->id)) {
      return InvalidArgument("channel.create: the creator " + author->id + " must be a member");
    }
    for (const auto& id : members) {
      const Member* member = directory.FindMember(id);
      if (member == nullptr || member->revoked) {
        return NotFound("channel.create: no active member " + id);
      }
      if (!HasPartner(member->partner)) {
        return PermissionDenied("channel.create: " + id + " is not of a partner of space " + name_);
      }
    }
    Channel draft{channel_name, h.event_id, ceiling, members, author->id, h.created_ms};
    return CheckRecipients(event, directory, draft, label, rule);
  }
  const Channel* channel = FindChannel(channel_name);
  if (channel == nullptr) {
    return NotFound("no channel \"" + channel_name + "\" in space " + name_);
  }
  if (h.subject.size() != ledger::EventId::kSize ||
      !std::equal(h.subject.begin(), h.subject.end(), channel->id.bytes().begin())) {
    return InvalidArgument("the header's subject is not channel " + channel_name);
  }
  if (!channel->HasMember(author->id)) {
    return PermissionDenied(author->id + " is not a member of channel " + channel_name);
  }
  if (!label::Dominates(channel->ceiling, label)) {
    return PermissionDenied("label " + h.label + " is above channel " + channel_name +
                            "'s ceiling " + channel->ceiling.ToString());
  }
  if (h.kind == kChannelUpdate && !channel->created_by.ends_with("@" + h.origin) &&
      h.created_ms <= channel->created_ms) {
    return FailedPrecondition(
        "channel.update: the event's time is not after the channel's creation");
  }
  if (h.kind == kChannelUpdate && event.meta.contains("ceiling")) {
    ENTENTE_RETURN_IF_ERROR(label::ParseLabel(policy_, MetaString(event.meta, "ceiling")));
  }
  return CheckRecipients(event, directory, *channel, label, rule);
}

Status SpaceState::Check(const FoldEvent& event, const Directory& directory,
                         RecipientRule rule) const {
  const auto& h = event.header;
  if (h.space_id != id_) return InvalidArgument("the event is not in this space");
  if (h.kind == kSpaceCharter) return CheckCharter(event, directory);
  if (!chartered()) return FailedPrecondition("the space has no charter yet");
  ENTENTE_RETURN_IF_ERROR(CheckOrder(h));
  if (h.kind == kSpaceJoin) return CheckJoin(event, directory);
  if (!in_force()) {
    std::string waiting;
    for (const auto& p : waiting_for()) waiting += (waiting.empty() ? "" : ", ") + p;
    return FailedPrecondition("space " + name_ + " is not in force yet: waiting for " + waiting +
                              " to join (entente space join " + name_ + ")");
  }
  switch (h.kind) {
    case kChannelCreate:
    case kChannelUpdate:
    case kMessagePost:
      return CheckChannelEvent(event, directory, rule);
    default:
      if ((h.kind >> 8) == 0x04 || (h.kind >> 8) == 0x05 || (h.kind >> 8) == 0x07) {
        // Consultations and decisions, statements, workstreams and meetings: the process rules
        // are consult::Book's and agenda::Book's.
        ENTENTE_RETURN_IF_ERROR(CheckAuthorship(event, directory));
        if (h.is_exercise()) ENTENTE_RETURN_IF_ERROR(CheckExerciseId(h));
        return {};
      }
      if ((h.kind >> 8) == 0x06) return CheckExerciseEvent(event, directory, rule);
      return FailedPrecondition("kind " + std::string(KindName(h.kind)) +
                                " is not accepted in spaces yet");
  }
}

void SpaceState::Apply(const FoldEvent& event, const Directory& directory) {
  // Never throws: an event that does not fit the state (which Check would have refused) is
  // left out, so a malformed log can never stop a party from folding the rest.
  const auto& h = event.header;
  if (h.kind != kSpaceCharter && !chartered()) return;
  if (IsStructural(h.kind)) {
    auto& last = last_structural_ms_[h.origin];
    last = std::max(last, h.created_ms);
  }
  switch (h.kind) {
    case kSpaceCharter: {
      if (chartered()) return;
      auto policy = LoadSpacePolicy(MetaString(event.meta, "policy"));
      if (!policy) return;
      name_ = MetaString(event.meta, "name");
      partners_ = MetaStrings(event.meta, "partners");
      std::sort(partners_.begin(), partners_.end());
      policy_text_ = MetaString(event.meta, "policy");
      policy_ = *policy;
      charter_event_ = h.event_id;
      charter_ms_ = h.created_ms;
      charter_origin_ = h.origin;
      joined_ = {h.origin};
      return;
    }
    case kSpaceJoin:
      if (HasPartner(h.origin) && !std::binary_search(joined_.begin(), joined_.end(), h.origin)) {
        joined_.insert(std::upper_bound(joined_.begin(), joined_.end(), h.origin), h.origin);
      }
      return;
    case kChannelCreate: {
      std::string name = MetaString(event.meta, "channel");
      auto ceiling = label::ParseLabel(policy_, MetaString(event.meta, "ceiling"));
      if (!ceiling || channels_.contains(name)) return;
      const Member* author = directory.FindDevice(h.author) != nullptr
                                 ? directory.FindMember(directory.FindDevice(h.author)->member)
                                 : nullptr;
      channels_.emplace(name,
                        Channel{name, h.event_id, *ceiling, MetaStrings(event.meta, "members"),
                                author != nullptr ? author->id : "", h.created_ms});
      return;
    }
    case kChannelUpdate: {
      auto it = channels_.find(MetaString(event.meta, "channel"));
      if (it == channels_.end()) return;
      if (event.meta.contains("ceiling")) {
        auto ceiling = label::ParseLabel(policy_, MetaString(event.meta, "ceiling"));
        if (ceiling) it->second.ceiling = *ceiling;
      }
      if (event.meta.contains("members")) it->second.members = MetaStrings(event.meta, "members");
      return;
    }
    case kExerciseStart: {
      std::string id = h.event_id.ToHex();
      if (exercises_.contains(id)) return;
      Exercise exercise{id,
                        MetaString(event.meta, "name"),
                        MetaString(event.meta, "scenario_sha256"),
                        h.origin,
                        "",
                        h.label,
                        h.created_ms,
                        std::nullopt};
      if (const Device* device = directory.FindDevice(h.author); device != nullptr) {
        exercise.controller = device->member;
      }
      exercises_.emplace(id, std::move(exercise));
      return;
    }
    case kExerciseEnd: {
      auto it = exercises_.find(HexEncode(h.exercise_id));
      if (it != exercises_.end() && it->second.running() && h.origin == it->second.origin) {
        it->second.ended_ms = h.created_ms;
      }
      return;
    }
    default:
      return;
  }
}

const Exercise* SpaceState::FindExercise(std::string_view id) const {
  auto it = exercises_.find(id);
  return it == exercises_.end() ? nullptr : &it->second;
}

Channel SpaceState::ExerciseAudience(const Directory& directory, const label::Label& label) const {
  std::vector<std::string> members;  // members() is a sorted map: the ids come sorted
  for (const auto& [id, member] : directory.members()) {
    if (!member.revoked && HasPartner(member.partner)) members.push_back(id);
  }
  return Channel{"exercise", ledger::EventId(), label, std::move(members), "", 0};
}

Status SpaceState::CheckExerciseId(const ledger::EventHeader& h) const {
  const Exercise* exercise = FindExercise(HexEncode(h.exercise_id));
  if (exercise == nullptr) {
    return NotFound("no exercise " + HexEncode(h.exercise_id) + " in space " + name_);
  }
  if (!exercise->running()) {
    return FailedPrecondition("exercise " + exercise->name + " has ended (ENDEX)");
  }
  if (h.created_ms < exercise->started_ms ||
      (h.created_ms == exercise->started_ms && h.origin != exercise->origin)) {
    return FailedPrecondition("the event's time is not after the start of exercise " +
                              exercise->name);
  }
  return {};
}

Status SpaceState::CheckExerciseEvent(const FoldEvent& event, const Directory& directory,
                                      RecipientRule rule) const {
  const auto& h = event.header;
  std::string kind(KindName(h.kind));
  ENTENTE_ASSIGN_OR_RETURN(auto authorship, CheckAuthorship(event, directory));
  if (!h.subject.empty()) return InvalidArgument(kind + ": the header's subject must be empty");
  if (h.kind == kExerciseStart) {
    if (h.exercise_id.size() != ledger::EventId::kSize ||
        !std::equal(h.exercise_id.begin(), h.exercise_id.end(), h.event_id.bytes().begin())) {
      return InvalidArgument("exercise.start: the exercise id must be the event's own id");
    }
    if (FindExercise(h.event_id.ToHex()) != nullptr) {
      return AlreadyExists("exercise " + h.event_id.ToHex() + " exists");
    }
  } else {
    if (!h.is_exercise()) return InvalidArgument(kind + ": the header carries no exercise id");
    ENTENTE_RETURN_IF_ERROR(CheckExerciseId(h));
    const Exercise* exercise = FindExercise(HexEncode(h.exercise_id));
    if (h.origin != exercise->origin) {
      return PermissionDenied(kind + ": exercise " + exercise->name + " is controlled by " +
                              exercise->origin + ", not " + h.origin);
    }
    if (h.kind == kExerciseInject) {
      for (const auto& to : MetaStrings(event.meta, "to")) {
        if (!HasPartner(to)) {
          return InvalidArgument("exercise.inject: " + to + " is not a partner of space " + name_);
        }
      }
    }
  }
  Channel audience = ExerciseAudience(directory, authorship.second);
  return CheckRecipients(event, directory, audience, authorship.second, rule);
}

Status SpaceState::Fold(const FoldEvent& event, const Directory& directory) {
  ENTENTE_RETURN_IF_ERROR(Check(event, directory));
  Apply(event, directory);
  return {};
}

}  // namespace entente::space
