// space/space_test_util.h: a small world of partners, members and devices for the space tests.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "crypto/box.h"
#include "crypto/sign.h"
#include "ledger/event.h"
#include "space/directory.h"
#include "space/names.h"
#include "space/space_state.h"

namespace entente::space::testing {

// The error code of a status, or nullopt if it is OK.
inline std::optional<ErrorCode> CodeOf(const Status& status) {
  if (status) return std::nullopt;
  return status.error().code();
}

struct TestDevice {
  crypto::SigningKey signing = crypto::SigningKey::Generate();
  crypto::EncryptionKey encryption = crypto::EncryptionKey::Generate();
  std::string id() const { return DeviceIdOf(signing.public_key()); }
};

// Builds headers (unsigned: folds do not check signatures; ingest does) and meta.
class World {
 public:
  ledger::EventHeader Header(uint16_t kind, const ledger::SpaceId& space, std::string origin,
                             const TestDevice& author, std::string label) {
    ledger::EventHeader h;
    h.kind = kind;
    h.space_id = space;
    h.origin = std::move(origin);
    std::array<uint8_t, 16> id{};
    id[0] = static_cast<uint8_t>(next_id_ >> 8);
    id[1] = static_cast<uint8_t>(next_id_);
    ++next_id_;
    h.event_id = ledger::EventId(id);
    h.created_ms = now_ms;
    h.author = author.signing.public_key();
    h.label = std::move(label);
    return h;
  }

  // Folds a directory event; returns its status.
  Status Dir(uint16_t kind, std::string origin, const TestDevice& author, nlohmann::json meta) {
    auto space = DirectorySpaceId(origin);
    auto h = Header(kind, space, std::move(origin), author, std::string(kDirectoryLabel));
    return directory.Fold(FoldEvent{h, meta});
  }

  // Enrols a member with one device that publishes its encryption key.
  Status Enrol(const TestDevice& admin, const std::string& member, const TestDevice& device,
               std::vector<std::string> roles, std::string clearance) {
    auto name = ParseMemberName(member).value();
    nlohmann::json meta = {
        {"member", member}, {"partner", name.partner}, {"roles", roles}, {"clearance", clearance}};
    ENTENTE_RETURN_IF_ERROR(Dir(0x0100, name.partner, admin, meta));
    ENTENTE_RETURN_IF_ERROR(
        Dir(0x0110, name.partner, device, {{"member", member}, {"device_key", device.id()}}));
    return PublishKey(name.partner, device);
  }

  Status PublishKey(const std::string& partner, const TestDevice& device,
                    uint64_t lifetime_ms = 86'400'000) {
    return Dir(0x0111, partner, device,
               {{"encryption_key", Base64UrlEncode(device.encryption.public_key().bytes())},
                {"not_after_ms", now_ms + lifetime_ms}});
  }

  Directory directory;
  uint64_t now_ms = 1'800'000'000'000;

 private:
  uint32_t next_id_ = 1;
};

}  // namespace entente::space::testing
