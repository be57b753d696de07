#include "space/directory.h"

#include <algorithm>

#include "base/encoding.h"
#include "ledger/kinds.h"
#include "space/meta.h"
#include "space/names.h"

namespace entente::space {
namespace {

using namespace ledger::kind;  // NOLINT(google-build-using-namespace)

Status CheckRoles(const std::vector<std::string>& roles) {
  if (roles.empty()) return InvalidArgument("member.enroll: roles: give at least one role");
  for (const auto& role : roles) {
    bool ok = !role.empty() && role.size() <= 63;
    for (char c : role) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_');
    }
    if (!ok) return InvalidArgument("roles: bad role name \"" + role + "\"");
  }
  return {};
}

}  // namespace

bool Member::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Member::HadRoleAt(std::string_view role, uint64_t at_ms) const {
  const std::vector<std::string>* then = nullptr;
  for (const auto& [since_ms, set] : role_history) {
    if (since_ms <= at_ms) then = &set;
  }
  return then != nullptr && std::find(then->begin(), then->end(), role) != then->end();
}

const Member* Directory::FindMember(std::string_view id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

const Device* Directory::FindDevice(std::string_view id) const {
  auto it = devices_.find(id);
  return it == devices_.end() ? nullptr : &it->second;
}

const Device* Directory::FindDevice(const crypto::PublicKey& key) const {
  return FindDevice(DeviceIdOf(key));
}

const Member* Directory::ActiveMemberOf(const crypto::PublicKey& key) const {
  const Device* device = FindDevice(key);
  if (device == nullptr || device->revoked) return nullptr;
  const Member* member = FindMember(device->member);
  return member == nullptr || member->revoked ? nullptr : member;
}

bool Directory::HasMembers(std::string_view partner) const {
  return std::any_of(members_.begin(), members_.end(),
                     [&](const auto& kv) { return kv.second.partner == partner; });
}

std::vector<crypto::EncryptionPublicKey> Directory::ReceivingKeys(const Member& member,
                                                                  uint64_t at_ms) const {
  std::vector<crypto::EncryptionPublicKey> keys;
  if (member.revoked) return keys;
  for (const auto& id : member.devices) {
    const Device* device = FindDevice(id);
    if (device != nullptr && device->CanReceiveAt(at_ms)) keys.push_back(device->encryption->key);
  }
  return keys;
}

const Member* Directory::ActiveAuthor(const FoldEvent& event) const {
  const Member* member = ActiveMemberOf(event.header.author);
  if (member == nullptr || member->partner != event.header.origin) return nullptr;
  return member;
}

Status Directory::CheckAdmin(const FoldEvent& event, std::string_view what) const {
  const Member* author = ActiveAuthor(event);
  if (author == nullptr) {
    return PermissionDenied(std::string(what) + ": the author is not an active device of " +
                            event.header.origin);
  }
  if (!author->HasRole(kAdminRole)) {
    return PermissionDenied(std::string(what) + ": " + author->id + " is not an admin");
  }
  return {};
}

Status Directory::CheckMemberEnroll(const FoldEvent& event) const {
  const auto& origin = event.header.origin;
  std::string id = MetaString(event.meta, "member");
  ENTENTE_ASSIGN_OR_RETURN(auto name, ParseMemberName(id));
  if (name.partner != origin || MetaString(event.meta, "partner") != origin) {
    return PermissionDenied("member.enroll: " + origin + " enrols only its own members, not " + id);
  }
  auto roles = MetaStrings(event.meta, "roles");
  ENTENTE_RETURN_IF_ERROR(CheckRoles(roles));
  ENTENTE_RETURN_IF_ERROR(CheckClearanceSyntax(MetaString(event.meta, "clearance")));
  if (FindMember(id) != nullptr) return AlreadyExists("member " + id + " is already enrolled");
  if (!HasMembers(origin)) {
    // The bootstrap: the partner's first member is an admin enrolled by its own first device.
    if (std::find(roles.begin(), roles.end(), kAdminRole) == roles.end()) {
      return FailedPrecondition("member.enroll: the first member of " + origin +
                                " must have the admin role");
    }
    if (FindDevice(event.header.author) != nullptr) {
      return PermissionDenied("member.enroll: the bootstrap key is already a device");
    }
    return {};
  }
  return CheckAdmin(event, "member.enroll");
}

Status Directory::Check(const FoldEvent& event) const {
  const auto& h = event.header;
  if (h.space_id != DirectorySpaceId(h.origin)) {
    return InvalidArgument("directory event outside " + h.origin + "'s directory");
  }
  if (h.label != kDirectoryLabel) {
    return InvalidArgument("directory events carry the label " + std::string(kDirectoryLabel));
  }
  switch (h.kind) {
    case kMemberEnroll:
      return CheckMemberEnroll(event);
    case kMemberUpdate:
    case kMemberRevoke: {
      const char* what = h.kind == kMemberUpdate ? "member.update" : "member.revoke";
      ENTENTE_RETURN_IF_ERROR(CheckAdmin(event, what));
      std::string id = MetaString(event.meta, "member");
      const Member* member = FindMember(id);
      if (member == nullptr || member->partner != h.origin) {
        return NotFound(std::string(what) + ": no member " + id);
      }
      if (member->revoked) return FailedPrecondition(std::string(what) + ": " + id + " is revoked");
      if (h.kind == kMemberUpdate) {
        if (event.meta.contains("roles"))
          ENTENTE_RETURN_IF_ERROR(CheckRoles(MetaStrings(event.meta, "roles")));
        if (event.meta.contains("clearance")) {
          ENTENTE_RETURN_IF_ERROR(CheckClearanceSyntax(MetaString(event.meta, "clearance")));
        }
      }
      return {};
    }
    case kDeviceAdd: {
      std::string member_id = MetaString(event.meta, "member");
      const Member* member = FindMember(member_id);
      if (member == nullptr || member->partner != h.origin) {
        return NotFound("device.add: no member " + member_id + " at " + h.origin);
      }
      if (member->revoked) return FailedPrecondition("device.add: " + member_id + " is revoked");
      ENTENTE_ASSIGN_OR_RETURN(auto key, ParseDeviceId(MetaString(event.meta, "device_key")));
      if (FindDevice(key) != nullptr) {
        return AlreadyExists("device.add: device " + DeviceIdOf(key) + " is already enrolled");
      }
      if (key == h.author) return {};  // self-enrolment (the node checked the device token)
      const Member* author = ActiveAuthor(event);
      if (author != nullptr && (author->id == member_id || author->HasRole(kAdminRole))) return {};
      return PermissionDenied("device.add: only the device itself, another device of " + member_id +
                              " or an admin may add it");
    }
    case kDeviceKeys: {
      if (ActiveAuthor(event) == nullptr) {
        return PermissionDenied("device.keys: the author is not an active device");
      }
      auto key = Base64UrlDecode(MetaString(event.meta, "encryption_key"));
      auto encryption = key ? crypto::EncryptionPublicKey::FromBytes(*key)
                            : Result<crypto::EncryptionPublicKey>(std::unexpected(key.error()));
      if (!encryption) {
        return InvalidArgument("device.keys: encryption_key is not a base64url X25519 key");
      }
      // A key is one device's: publishing another device's key would make bodies sealed to it
      // look releasable to this device's partner.
      for (const auto& [id, other] : devices_) {
        if (other.key != h.author && other.encryption && other.encryption->key == *encryption) {
          return AlreadyExists("device.keys: this encryption key belongs to device " + id);
        }
      }
      uint64_t not_after = event.meta.value("not_after_ms", uint64_t{0});
      if (not_after <= h.created_ms) {
        return InvalidArgument("device.keys: not_after_ms is not after the event's time");
      }
      return {};
    }
    case kDeviceRevoke: {
      ENTENTE_ASSIGN_OR_RETURN(auto key, ParseDeviceId(MetaString(event.meta, "device_key")));
      const Device* device = FindDevice(key);
      if (device == nullptr) return NotFound("device.revoke: no device " + DeviceIdOf(key));
      if (device->revoked) return FailedPrecondition("device.revoke: already revoked");
      // Only in the device's own partner's directory: a partner never revokes another's devices.
      const Member* owner = FindMember(device->member);
      if (owner == nullptr || owner->partner != h.origin) {
        return PermissionDenied("device.revoke: " + DeviceIdOf(key) + " is not a device of " +
                                h.origin);
      }
      const Member* author = ActiveAuthor(event);
      if (author == nullptr) {
        return PermissionDenied("device.revoke: the author is not an active device");
      }
      if (author->id != device->member && !author->HasRole(kAdminRole)) {
        return PermissionDenied("device.revoke: only " + device->member +
                                "'s own devices or an admin may revoke it");
      }
      return {};
    }
    default: {
      const auto* kind = ledger::FindKind(h.kind);
      return InvalidArgument("kind " + std::string(kind ? kind->name : "unknown") +
                             " does not belong in a directory");
    }
  }
}

void Directory::Apply(const FoldEvent& event) {
  const auto& h = event.header;
  switch (h.kind) {
    case kMemberEnroll: {
      Member m;
      m.id = MetaString(event.meta, "member");
      m.partner = h.origin;
      m.name = MetaString(event.meta, "name");
      m.roles = MetaStrings(event.meta, "roles");
      m.role_history.emplace_back(h.created_ms, m.roles);
      m.clearance = MetaString(event.meta, "clearance");
      m.enrolled_ms = h.created_ms;
      members_[m.id] = std::move(m);
      return;
    }
    case kMemberUpdate: {
      Member& m = members_.at(MetaString(event.meta, "member"));
      if (event.meta.contains("roles")) {
        m.roles = MetaStrings(event.meta, "roles");
        m.role_history.emplace_back(h.created_ms, m.roles);
      }
      if (event.meta.contains("clearance")) m.clearance = MetaString(event.meta, "clearance");
      return;
    }
    case kMemberRevoke: {
      Member& m = members_.at(MetaString(event.meta, "member"));
      m.revoked = true;
      for (const auto& id : m.devices) devices_.at(id).revoked = true;
      return;
    }
    case kDeviceAdd: {
      auto key = ParseDeviceId(MetaString(event.meta, "device_key")).value();
      Device d;
      d.id = DeviceIdOf(key);
      d.key = key;
      d.member = MetaString(event.meta, "member");
      d.name = MetaString(event.meta, "name");
      d.added_ms = h.created_ms;
      d.added_by = DeviceIdOf(h.author);
      members_.at(d.member).devices.push_back(d.id);
      devices_[d.id] = std::move(d);
      return;
    }
    case kDeviceKeys: {
      auto bytes = Base64UrlDecode(MetaString(event.meta, "encryption_key")).value();
      devices_.at(DeviceIdOf(h.author)).encryption =
          EncryptionKeyRecord{crypto::EncryptionPublicKey::FromBytes(bytes).value(), h.created_ms,
                              event.meta.value("not_after_ms", uint64_t{0})};
      return;
    }
    case kDeviceRevoke:
      devices_.at(DeviceIdOf(ParseDeviceId(MetaString(event.meta, "device_key")).value())).revoked =
          true;
      return;
    default:
      return;
  }
}

Status Directory::Fold(const FoldEvent& event) {
  ENTENTE_RETURN_IF_ERROR(Check(event));
  Apply(event);
  return {};
}

}  // namespace entente::space
