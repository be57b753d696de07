// space/directory.h: who is enrolled. Folds the partners' directory logs (member and device
// events, docs/formats/kinds.md 0x01xx) into members, their roles and clearances, their devices
// and each device's current X25519 encryption key; and decides whether a directory event may be
// appended (the same rules serve the origin node before it appends, and every other party when
// it folds).
//
// Rules (docs/formats/directory.md):
// - member.enroll: by an admin of the same partner; or, while the partner has no member yet, the
//   bootstrap: an enrolment with the admin role by a key no one holds yet (the origin node lets
//   it through only with its one-time admin token).
// - member.update / member.revoke: by an admin of the same partner.
// - device.add: a member's device is added by the device itself (the node checked a one-time
//   device token), by another active device of the same member, or by an admin of the partner.
// - device.keys: by the device itself, for itself.
// - device.revoke: by the device's member (any of their active devices) or an admin.
// Every rule also requires the event to be in its partner's directory (origin and space id) and
// the authoring device and member to be active (not revoked).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/box.h"
#include "crypto/sign.h"
#include "ledger/event.h"

namespace entente::space {

// An event as a fold sees it: a header whose signature has been verified, its clear metadata
// (already validated against the kind's schema), and the X25519 keys its envelope is sealed to
// (empty when the body has no envelope or is not held).
struct FoldEvent {
  const ledger::EventHeader& header;
  const nlohmann::json& meta;
  std::span<const crypto::EncryptionPublicKey> recipients = {};
};

struct EncryptionKeyRecord {
  crypto::EncryptionPublicKey key;
  uint64_t published_ms = 0;
  uint64_t not_after_ms = 0;
};

struct Device {
  std::string id;  // base64url of `key`
  crypto::PublicKey key;
  std::string member;  // alice@USA
  std::string name;
  uint64_t added_ms = 0;
  std::string added_by;  // the device id that authored device.add (itself when self-enrolled)
  bool revoked = false;
  std::optional<EncryptionKeyRecord> encryption;  // the latest published

  // Not revoked, and an encryption key valid at `at_ms`.
  bool CanReceiveAt(uint64_t at_ms) const {
    return !revoked && encryption && encryption->not_after_ms > at_ms;
  }
};

struct Member {
  std::string id;  // alice@USA
  std::string partner;
  std::string name;
  std::vector<std::string> roles;
  std::string clearance;
  bool revoked = false;
  uint64_t enrolled_ms = 0;
  std::vector<std::string> devices;  // device ids, in the order added
  // Every change of roles, oldest first: (created_ms of the event, the roles from then on).
  std::vector<std::pair<uint64_t, std::vector<std::string>>> role_history;

  bool HasRole(std::string_view role) const;
  // Whether the member held `role` at `at_ms` (by the times of the events that set the roles):
  // what a record authored then is judged by, whatever changed since.
  bool HadRoleAt(std::string_view role, uint64_t at_ms) const;
};

class Directory {
 public:
  // OK if the event may be appended to (or folded from) its partner's directory now; otherwise
  // PermissionDenied, FailedPrecondition, NotFound, AlreadyExists or InvalidArgument saying why.
  [[nodiscard]] Status Check(const FoldEvent& event) const;
  // Applies an event that passed Check.
  void Apply(const FoldEvent& event);
  // Check, then Apply if OK.
  [[nodiscard]] Status Fold(const FoldEvent& event);

  const Member* FindMember(std::string_view id) const;
  const Device* FindDevice(std::string_view id) const;
  const Device* FindDevice(const crypto::PublicKey& key) const;
  // The member of `key` if the device and its member are both active; nullptr otherwise.
  const Member* ActiveMemberOf(const crypto::PublicKey& key) const;
  // Whether `partner` has enrolled anyone yet.
  bool HasMembers(std::string_view partner) const;
  // The encryption keys of the member's devices that can receive at `at_ms`.
  std::vector<crypto::EncryptionPublicKey> ReceivingKeys(const Member& member,
                                                         uint64_t at_ms) const;

  const std::map<std::string, Member, std::less<>>& members() const { return members_; }
  const std::map<std::string, Device, std::less<>>& devices() const { return devices_; }

 private:
  Status CheckMemberEnroll(const FoldEvent& event) const;
  Status CheckAdmin(const FoldEvent& event, std::string_view what) const;
  const Member* ActiveAuthor(const FoldEvent& event) const;

  std::map<std::string, Member, std::less<>> members_;
  std::map<std::string, Device, std::less<>> devices_;
};

}  // namespace entente::space
