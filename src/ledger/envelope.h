// ledger/envelope.h: the encrypted content of an event, sealed to N devices (DESIGN §4.3;
// modelled on age v1 and on CMS/ESS label binding). Byte layout: docs/formats/envelope.md.
//
//   aad = SHA-256("entente/aad/v1\n" || space_id[16] || origin<1..63> || event_id[16] ||
//                 uint16 kind || label<1..1024> || author[32])      (TLS encoding of each)
//   struct {
//     opaque nonce[24];
//     Recipient recipients<0..2^24-1>;   // sorted by key_id, no duplicates
//     opaque ciphertext<0..2^32-1>;      // XChaCha20-Poly1305(DEK, nonce, plaintext, aad)
//   } Envelope;
//   struct { opaque key_id[32]; opaque wrapped[112]; } Recipient;
//   // key_id: the recipient's X25519 public key; wrapped: crypto_box_seal(DEK || aad)
//
// A recipient unwraps its DEK, checks that the wrapped aad equals the one it computes from the
// header (sealed boxes carry no associated data, so this binds label and header), then decrypts.
// Every failure to open is one vague Unauthenticated("envelope: cannot open").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/box.h"
#include "crypto/hash.h"
#include "ledger/event.h"

namespace entente::ledger {

inline constexpr size_t kEnvelopeNonceSize = 24;
inline constexpr size_t kWrappedKeySize = 112;  // 32 DEK + 32 aad + 48 sealed-box overhead

// The associated data an envelope is bound to: the header fields that say whose, where, what
// and at which label.
crypto::Digest EnvelopeAad(const EventHeader& header);

struct Recipient {
  std::array<uint8_t, 32> key_id;
  std::array<uint8_t, kWrappedKeySize> wrapped;
};

struct Envelope {
  std::array<uint8_t, kEnvelopeNonceSize> nonce{};
  std::vector<Recipient> recipients;
  Bytes ciphertext;

  // The X25519 keys the envelope is sealed to, in key_id order.
  std::vector<crypto::EncryptionPublicKey> RecipientKeys() const;
};

// Seals `plaintext` for `recipients` (duplicates are removed; order does not matter) under `aad`.
// InvalidArgument if there are no recipients or more than the format allows.
[[nodiscard]] Result<Envelope> SealEnvelope(
    ByteView plaintext, const crypto::Digest& aad,
    std::span<const crypto::EncryptionPublicKey> recipients);

// Opens with `key`. Unauthenticated("envelope: cannot open") if the key is not a recipient, the
// wrapped aad differs from `aad`, or anything was altered.
[[nodiscard]] Result<crypto::SecretBytes> OpenEnvelope(const Envelope& envelope,
                                                       const crypto::Digest& aad,
                                                       const crypto::EncryptionKey& key);

[[nodiscard]] Result<Bytes> EncodeEnvelope(const Envelope& envelope);
// Decodes from untrusted bytes: lengths checked, recipients strictly sorted, trailing bytes
// rejected. InvalidArgument naming the problem.
[[nodiscard]] Result<Envelope> DecodeEnvelope(ByteView bytes);

}  // namespace entente::ledger
