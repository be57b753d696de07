#include "ledger/envelope.h"

#include <algorithm>
#include <cstring>

#include "base/tls_codec.h"
#include "crypto/random.h"

namespace entente::ledger {
namespace {

constexpr std::string_view kAadDomain = "entente/aad/v1\n";
constexpr size_t kDekSize = crypto::kAeadKeySize;
constexpr uint64_t kMaxRecipientBytes = (1u << 24) - 1;
static_assert(kWrappedKeySize == kDekSize + 32 + crypto::kSealOverhead);

std::unexpected<Error> CannotOpen() { return Unauthenticated("envelope: cannot open"); }

}  // namespace

crypto::Digest EnvelopeAad(const EventHeader& h) {
  Writer w("envelope aad");
  w.Fixed("domain", AsBytes(kAadDomain), kAadDomain.size());
  w.Fixed("space_id", h.space_id.view(), SpaceId::kSize);
  w.Vector("origin", AsBytes(h.origin), 1, 63);
  w.Fixed("event_id", h.event_id.view(), EventId::kSize);
  w.U16(h.kind);
  w.Vector("label", AsBytes(h.label), 1, kMaxLabelSize);
  w.Fixed("author", h.author.view(), crypto::PublicKey::kSize);
  // A header with out-of-range fields fails to encode elsewhere; here its partial bytes still
  // give an aad that no valid header produces, so nothing opens under it by mistake.
  return crypto::Sha256(w.bytes());
}

std::vector<crypto::EncryptionPublicKey> Envelope::RecipientKeys() const {
  std::vector<crypto::EncryptionPublicKey> keys;
  keys.reserve(recipients.size());
  for (const Recipient& r : recipients) keys.emplace_back(r.key_id);
  return keys;
}

Result<Envelope> SealEnvelope(ByteView plaintext, const crypto::Digest& aad,
                              std::span<const crypto::EncryptionPublicKey> recipients) {
  std::vector<crypto::EncryptionPublicKey> keys(recipients.begin(), recipients.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.empty()) return InvalidArgument("envelope: no recipients");
  if (keys.size() * (32 + kWrappedKeySize) > kMaxRecipientBytes) {
    return InvalidArgument("envelope: too many recipients (" + std::to_string(keys.size()) + ")");
  }
  Envelope env;
  crypto::RandomFill(env.nonce.data(), env.nonce.size());
  crypto::SecretBytes dek = crypto::RandomSecret(kDekSize);
  ENTENTE_ASSIGN_OR_RETURN(env.ciphertext, crypto::AeadEncrypt(dek, env.nonce, plaintext, aad));
  crypto::SecretBytes wrap_input(kDekSize + aad.size());
  std::memcpy(wrap_input.data(), dek.data(), kDekSize);
  std::memcpy(wrap_input.data() + kDekSize, aad.data(), aad.size());
  env.recipients.reserve(keys.size());
  for (const auto& key : keys) {
    Recipient r;
    r.key_id = key.bytes();
    Bytes wrapped = crypto::Seal(key, wrap_input.view());
    std::memcpy(r.wrapped.data(), wrapped.data(), kWrappedKeySize);
    env.recipients.push_back(r);
  }
  return env;
}

Result<crypto::SecretBytes> OpenEnvelope(const Envelope& envelope, const crypto::Digest& aad,
                                         const crypto::EncryptionKey& key) {
  auto it = std::lower_bound(
      envelope.recipients.begin(), envelope.recipients.end(), key.public_key().bytes(),
      [](const Recipient& r, const std::array<uint8_t, 32>& id) { return r.key_id < id; });
  if (it == envelope.recipients.end() || it->key_id != key.public_key().bytes()) {
    return CannotOpen();
  }
  auto unwrapped = crypto::OpenSealed(key, it->wrapped);
  if (!unwrapped || unwrapped->size() != kDekSize + aad.size()) return CannotOpen();
  // The aad inside the sealed box must be the one computed from this header: a wrapped key
  // lifted from another event (other label, other header) is refused here.
  if (std::memcmp(unwrapped->data() + kDekSize, aad.data(), aad.size()) != 0) return CannotOpen();
  crypto::SecretBytes dek(unwrapped->view().first(kDekSize));
  auto plaintext = crypto::AeadDecrypt(dek, envelope.nonce, envelope.ciphertext, aad);
  if (!plaintext) return CannotOpen();
  return std::move(*plaintext);
}

Result<Bytes> EncodeEnvelope(const Envelope& envelope) {
  Writer w("envelope");
  w.Fixed("nonce", envelope.nonce, kEnvelopeNonceSize);
  auto recipients = w.BeginVector("recipients", 0, kMaxRecipientBytes);
  for (size_t i = 0; i < envelope.recipients.size(); ++i) {
    const Recipient& r = envelope.recipients[i];
    if (i > 0 && !(envelope.recipients[i - 1].key_id < r.key_id)) {
      w.Fail("recipients must be sorted by key_id without duplicates");
    }
    w.Fixed("key_id", r.key_id, 32);
    w.Fixed("wrapped", r.wrapped, kWrappedKeySize);
  }
  w.EndVector(recipients);
  w.Vector("ciphertext", envelope.ciphertext, 0, 0xffffffffULL);
  return std::move(w).Finish();
}

Result<Envelope> DecodeEnvelope(ByteView bytes) {
  Reader r(bytes, "envelope");
  Envelope env;
  env.nonce = ToArray<kEnvelopeNonceSize>(r.Fixed("nonce", kEnvelopeNonceSize));
  Reader list = r.SubVector("recipients", 0, kMaxRecipientBytes);
  while (list.ok() && !list.empty()) {
    Recipient rec;
    rec.key_id = ToArray<32>(list.Fixed("key_id", 32));
    rec.wrapped = ToArray<kWrappedKeySize>(list.Fixed("wrapped", kWrappedKeySize));
    if (list.ok() && !env.recipients.empty() && !(env.recipients.back().key_id < rec.key_id)) {
      list.Fail("recipients not sorted by key_id or repeated");
    }
    env.recipients.push_back(rec);
  }
  r.Absorb(list.Finish());
  ByteView ciphertext = r.Vector("ciphertext", 0, 0xffffffffULL);
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  if (ciphertext.size() < crypto::kAeadTagSize) {
    return InvalidArgument("envelope: ciphertext shorter than its tag");
  }
  env.ciphertext.assign(ciphertext.begin(), ciphertext.end());
  return env;
}

}  // namespace entente::ledger
