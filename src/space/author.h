// space/author.h: building signed events (DESIGN §5, "Author"): the body with canonical
// metadata and, for kinds with private content, an envelope sealed to the given recipients and
// bound to the header; then the header, signed by the author's device key.
//
// The directory helpers build the events of enrolment (bootstrap of a partner's first admin, a
// device joining its member) and of key publication.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/box.h"
#include "crypto/secret_bytes.h"
#include "crypto/sign.h"
#include "ledger/event.h"

namespace entente::space {

struct EventDraft {
  uint16_t kind = 0;
  ledger::SpaceId space;
  std::string origin;
  std::string label;
  Bytes subject;
  Bytes exercise_id;  // empty: the real world
  nlohmann::json meta = nlohmann::json::object();
  // For kinds with an envelope: the plaintext and the keys to seal it to.
  std::optional<Bytes> plaintext;
  std::vector<crypto::EncryptionPublicKey> recipients;
  uint64_t created_ms = 0;
  std::optional<ledger::EventId> event_id;  // random when not given
};

struct AuthoredEvent {
  ledger::EventHeader header;
  Bytes header_bytes;
  Bytes body_bytes;
};

// Builds, seals and signs. InvalidArgument if the meta does not fit the kind, an envelope is
// missing or unexpected, or a field is out of range.
[[nodiscard]] Result<AuthoredEvent> Author(const EventDraft& draft, const crypto::SigningKey& key);

// Opens the envelope of an event with one of `keys`: the plaintext, or
// Unauthenticated("envelope: cannot open") if none of them is a recipient.
[[nodiscard]] Result<crypto::SecretBytes> OpenBody(
    const ledger::EventHeader& header, const ledger::EventBody& body,
    std::span<const crypto::EncryptionKey* const> keys);

// Directory events. `now_ms` is the author's clock.
[[nodiscard]] Result<AuthoredEvent> MemberEnrollEvent(
    const crypto::SigningKey& author, const std::string& member, const std::string& name,
    const std::vector<std::string>& roles, const std::string& clearance, uint64_t now_ms);
[[nodiscard]] Result<AuthoredEvent> DeviceAddEvent(const crypto::SigningKey& author,
                                                   const std::string& member,
                                                   const crypto::PublicKey& device,
                                                   const std::string& device_name, uint64_t now_ms);
[[nodiscard]] Result<AuthoredEvent> DeviceKeysEvent(const crypto::SigningKey& device,
                                                    const std::string& partner,
                                                    const crypto::EncryptionPublicKey& key,
                                                    uint64_t not_after_ms, uint64_t now_ms);
[[nodiscard]] Result<AuthoredEvent> DeviceRevokeEvent(const crypto::SigningKey& author,
                                                      const std::string& partner,
                                                      const crypto::PublicKey& device,
                                                      const std::string& reason, uint64_t now_ms);

// How long a published encryption key stays valid by default (DESIGN §4.3 rotates daily; a
// device that is offline longer is re-keyed when it returns).
inline constexpr uint64_t kEncryptionKeyLifetimeMs = 30ull * 24 * 3600 * 1000;

}  // namespace entente::space
