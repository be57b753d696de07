#include "space/author.h"

#include "base/encoding.h"
#include "crypto/random.h"
#include "ledger/envelope.h"
#include "ledger/kinds.h"
#include "space/names.h"

namespace entente::space {
namespace {

using namespace ledger::kind;  // NOLINT(google-build-using-namespace)

EventDraft DirectoryDraft(uint16_t kind, const std::string& partner, nlohmann::json meta,
                          uint64_t now_ms) {
  EventDraft draft;
  draft.kind = kind;
  draft.space = DirectorySpaceId(partner);
  draft.origin = partner;
  draft.label = std::string(kDirectoryLabel);
  draft.meta = std::move(meta);
  draft.created_ms = now_ms;
  return draft;
}

}  // namespace

Result<AuthoredEvent> Author(const EventDraft& draft, const crypto::SigningKey& key) {
  const ledger::KindInfo* kind = ledger::FindKind(draft.kind);
  if (kind == nullptr) return InvalidArgument("unknown kind " + std::to_string(draft.kind));
  AuthoredEvent out;
  ledger::EventHeader& h = out.header;
  h.kind = draft.kind;
  h.space_id = draft.space;
  h.origin = draft.origin;
  if (draft.event_id) {
    h.event_id = *draft.event_id;
  } else {
    ENTENTE_ASSIGN_OR_RETURN(h.event_id, ledger::EventId::FromBytes(crypto::RandomBytes(16)));
  }
  h.created_ms = draft.created_ms;
  h.author = key.public_key();
  h.label = draft.label;
  h.subject = draft.subject;
  h.exercise_id = draft.exercise_id;

  ledger::EventBody body;
  ENTENTE_ASSIGN_OR_RETURN(body.meta, ledger::CanonicalMeta(draft.meta.dump()));
  if (kind->has_envelope != draft.plaintext.has_value()) {
    return InvalidArgument(std::string(kind->name) + (kind->has_envelope
                                                          ? " needs private content"
                                                          : " carries no private content"));
  }
  if (draft.plaintext) {
    ENTENTE_ASSIGN_OR_RETURN(
        auto envelope,
        ledger::SealEnvelope(*draft.plaintext, ledger::EnvelopeAad(h), draft.recipients));
    ENTENTE_ASSIGN_OR_RETURN(body.envelope, ledger::EncodeEnvelope(envelope));
  }
  ENTENTE_RETURN_IF_ERROR(ledger::ValidateMeta(h.kind, body.meta, !body.envelope.empty()));
  ENTENTE_ASSIGN_OR_RETURN(out.body_bytes, ledger::EncodeBody(body));
  h.body_hash = ledger::BodyHash(out.body_bytes);
  ENTENTE_RETURN_IF_ERROR(ledger::SignHeader(h, key));
  ENTENTE_ASSIGN_OR_RETURN(out.header_bytes, ledger::EncodeHeader(h));
  return out;
}

Result<crypto::SecretBytes> OpenBody(const ledger::EventHeader& header,
                                     const ledger::EventBody& body,
                                     std::span<const crypto::EncryptionKey* const> keys) {
  ENTENTE_ASSIGN_OR_RETURN(auto envelope, ledger::DecodeEnvelope(body.envelope));
  auto aad = ledger::EnvelopeAad(header);
  for (const auto* key : keys) {
    auto plaintext = ledger::OpenEnvelope(envelope, aad, *key);
    if (plaintext) return plaintext;
  }
  return Unauthenticated("envelope: cannot open");
}

Result<AuthoredEvent> MemberEnrollEvent(const crypto::SigningKey& author, const std::string& member,
                                        const std::string& name,
                                        const std::vector<std::string>& roles,
                                        const std::string& clearance, uint64_t now_ms) {
  ENTENTE_ASSIGN_OR_RETURN(auto parsed, ParseMemberName(member));
  nlohmann::json meta = {
      {"member", member}, {"partner", parsed.partner}, {"roles", roles}, {"clearance", clearance}};
  if (!name.empty()) meta["name"] = name;
  return Author(DirectoryDraft(kMemberEnroll, parsed.partner, meta, now_ms), author);
}

Result<AuthoredEvent> DeviceAddEvent(const crypto::SigningKey& author, const std::string& member,
                                     const crypto::PublicKey& device,
                                     const std::string& device_name, uint64_t now_ms) {
  ENTENTE_ASSIGN_OR_RETURN(auto parsed, ParseMemberName(member));
  nlohmann::json meta = {{"member", member}, {"device_key", DeviceIdOf(device)}};
  if (!device_name.empty()) meta["name"] = device_name;
  return Author(DirectoryDraft(kDeviceAdd, parsed.partner, meta, now_ms), author);
}

Result<AuthoredEvent> DeviceKeysEvent(const crypto::SigningKey& device, const std::string& partner,
                                      const crypto::EncryptionPublicKey& key, uint64_t not_after_ms,
                                      uint64_t now_ms) {
  nlohmann::json meta = {{"encryption_key", Base64UrlEncode(key.bytes())},
                         {"not_after_ms", not_after_ms}};
  return Author(DirectoryDraft(kDeviceKeys, partner, meta, now_ms), device);
}

Result<AuthoredEvent> DeviceRevokeEvent(const crypto::SigningKey& author,
                                        const std::string& partner, const crypto::PublicKey& device,
                                        const std::string& reason, uint64_t now_ms) {
  nlohmann::json meta = {{"device_key", DeviceIdOf(device)}};
  if (!reason.empty()) meta["reason"] = reason;
  return Author(DirectoryDraft(kDeviceRevoke, partner, meta, now_ms), author);
}

}  // namespace entente::space
