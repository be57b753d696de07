// ledger/event.h: events, the unit of everything Entente records (DESIGN §4.1, §4.2).
//
// An event is a signed header, which is the leaf of its origin's Merkle log, and a body (clear
// metadata + encrypted envelope) that the header commits to by hash. The log holds headers only,
// so a body can be withheld (by label) or shredded (retention) without breaking the log.
// Byte layout: docs/formats/event.md.
//
//   struct {
//     uint8  version;              // 1
//     uint16 kind;                 // docs/formats/kinds.md
//     opaque space_id[16];
//     opaque origin<1..63>;        // partner code of the author's node
//     opaque event_id[16];         // random
//     uint64 created_ms;           // author's clock (Unix ms)
//     opaque author[32];           // author device's Ed25519 public key
//     opaque label<1..1024>;       // canonical label
//     opaque exercise_id<0..16>;   // empty: real world
//     opaque subject<0..16>;       // consultation/document/workstream/channel
//     Ref    seen<0..2^16-1>;      // causal frontier, sorted by origin, each origin once
//     opaque body_hash[32];        // SHA-256 of the body encoding
//     opaque signature[64];        // Ed25519 over "entente/event/v1\n" || all fields above
//   } EventHeader;
//   struct { opaque origin<1..63>; uint64 tree_size; } Ref;
//
//   struct {
//     opaque meta<0..2^16-1>;      // canonical JSON: sorted keys, no spaces
//     opaque envelope<0..2^32-1>;  // docs/formats/envelope.md; empty when nothing is private
//   } EventBody;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/error.h"
#include "crypto/hash.h"
#include "crypto/sign.h"
#include "ledger/ids.h"

namespace entente::ledger {

inline constexpr uint8_t kEventVersion = 1;
inline constexpr size_t kMaxLabelSize = 1024;
inline constexpr size_t kMaxTagIdSize = 16;  // exercise_id, subject
inline constexpr size_t kMaxMetaSize = 0xffff;
// A header must fit one tlog-tiles entry-bundle entry (uint16 length prefix).
inline constexpr size_t kMaxHeaderSize = 0xffff;
// The largest envelope a node accepts; the format allows 2^32-1.
inline constexpr size_t kMaxEnvelopeSize = 64 * 1024 * 1024;

// What an author had seen of one log: (origin, tree_size).
struct Ref {
  std::string origin;
  uint64_t tree_size = 0;
  auto operator<=>(const Ref&) const = default;
};

struct EventHeader {
  uint8_t version = kEventVersion;
  uint16_t kind = 0;
  SpaceId space_id;
  std::string origin;
  EventId event_id;
  uint64_t created_ms = 0;
  crypto::PublicKey author;
  std::string label;
  Bytes exercise_id;
  Bytes subject;
  std::vector<Ref> seen;
  crypto::Digest body_hash{};
  crypto::Signature signature{};

  bool is_exercise() const { return !exercise_id.empty(); }
};

struct EventBody {
  Bytes meta;
  Bytes envelope;
};

// Encodes the header, signature included. InvalidArgument naming the field when a field is out
// of its range or not canonical (origin not a partner code, `seen` unsorted or repeated).
[[nodiscard]] Result<Bytes> EncodeHeader(const EventHeader& header);

// Decodes a header from untrusted bytes: every length checked, trailing bytes rejected, version
// 1 only, fields canonical. It does not verify the signature (see VerifyHeaderSignature).
[[nodiscard]] Result<EventHeader> DecodeHeader(ByteView bytes);

// Sets `header.author` to the key's public key and `header.signature` to its signature over
// the domain-separated encoding of every other field.
[[nodiscard]] Status SignHeader(EventHeader& header, const crypto::SigningKey& key);

// OK if the signature is the author's over the header; Unauthenticated otherwise.
[[nodiscard]] Status VerifyHeaderSignature(const EventHeader& header);

[[nodiscard]] Result<Bytes> EncodeBody(const EventBody& body);
// Decodes a body: lengths checked, trailing bytes rejected, meta must be canonical JSON
// (an object; sorted keys; no insignificant whitespace; valid UTF-8), envelope at most
// kMaxEnvelopeSize.
[[nodiscard]] Result<EventBody> DecodeBody(ByteView bytes);

// SHA-256 of a body's encoding: what `body_hash` must hold.
crypto::Digest BodyHash(ByteView body_encoding);

// OK if `body_encoding` hashes to `header.body_hash`; DataLoss otherwise.
[[nodiscard]] Status CheckBodyHash(const EventHeader& header, ByteView body_encoding);

// OK if the header's clock is within `max_skew_ms` of `now`; FailedPrecondition naming the skew
// otherwise (the origin node rejects skew over 120 s).
inline constexpr uint64_t kMaxClockSkewMs = 120'000;
[[nodiscard]] Status CheckClockSkew(const EventHeader& header, TimeMs now,
                                    uint64_t max_skew_ms = kMaxClockSkewMs);

// Returns `meta` in canonical JSON (sorted keys, no whitespace), or InvalidArgument if it is not
// an object or does not serialise (invalid UTF-8).
[[nodiscard]] Result<Bytes> CanonicalMeta(const std::string& json_text);

}  // namespace entente::ledger
