#include "ledger/event.h"

#include <nlohmann/json.hpp>

#include "base/tls_codec.h"

namespace entente::ledger {
namespace {

constexpr crypto::Domain kEventDomain = "entente/event/v1\n";
// Deeper JSON than this is refused before parsing, so hostile metadata cannot exhaust the stack.
constexpr int kMaxMetaDepth = 32;

bool IsPartnerChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }

Status CheckOrigin(std::string_view field, std::string_view origin) {
  if (origin.empty() || origin.size() > PartnerCode::kMaxSize) {
    return InvalidArgument(std::string(field) + ": partner code must be 1..63 characters");
  }
  for (char c : origin) {
    if (!IsPartnerChar(c)) {
      return InvalidArgument(std::string(field) + ": partner code \"" + std::string(origin) +
                             "\" may hold only A-Z, 0-9 and '-'");
    }
  }
  return {};
}

Status CheckSeen(const std::vector<Ref>& seen) {
  for (size_t i = 0; i < seen.size(); ++i) {
    ENTENTE_RETURN_IF_ERROR(CheckOrigin("seen origin", seen[i].origin));
    if (i > 0 && !(seen[i - 1].origin < seen[i].origin)) {
      return InvalidArgument("seen: origins must be sorted and unique (\"" + seen[i].origin +
                             "\" after \"" + seen[i - 1].origin + "\")");
    }
  }
  return {};
}

// Writes every field but the signature.
void WriteUnsigned(Writer& w, const EventHeader& h) {
  w.U8(h.version);
  w.U16(h.kind);
  w.Fixed("space_id", h.space_id.view(), SpaceId::kSize);
  w.Vector("origin", AsBytes(h.origin), 1, 63);
  w.Fixed("event_id", h.event_id.view(), EventId::kSize);
  w.U64(h.created_ms);
  w.Fixed("author", h.author.view(), crypto::PublicKey::kSize);
  w.Vector("label", AsBytes(h.label), 1, kMaxLabelSize);
  w.Vector("exercise_id", h.exercise_id, 0, kMaxTagIdSize);
  w.Vector("subject", h.subject, 0, kMaxTagIdSize);
  auto seen = w.BeginVector("seen", 0, 0xffff);
  for (const Ref& ref : h.seen) {
    w.Vector("seen origin", AsBytes(ref.origin), 1, 63);
    w.U64(ref.tree_size);
  }
  w.EndVector(seen);
  w.Fixed("body_hash", h.body_hash, 32);
}

Result<Bytes> EncodeUnsigned(const EventHeader& h) {
  if (h.version != kEventVersion) {
    return InvalidArgument("event header: unsupported version " + std::to_string(h.version));
  }
  ENTENTE_RETURN_IF_ERROR(CheckOrigin("event header origin", h.origin));
  ENTENTE_RETURN_IF_ERROR(CheckSeen(h.seen));
  Writer w("event header");
  WriteUnsigned(w, h);
  return std::move(w).Finish();
}

int JsonDepth(ByteView text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (uint8_t c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

Result<Bytes> Canonicalize(ByteView text) {
  if (JsonDepth(text) > kMaxMetaDepth) {
    return InvalidArgument("meta: JSON nested deeper than " + std::to_string(kMaxMetaDepth));
  }
  auto parsed =
      nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgument("meta: not valid JSON");
  if (!parsed.is_object()) return InvalidArgument("meta: must be a JSON object");
  try {
    // std::map keys: sorted by bytes. strict: invalid UTF-8 throws instead of being replaced.
    return ToBytes(parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict));
  } catch (const nlohmann::json::exception&) {
    return InvalidArgument("meta: invalid UTF-8 in a string");
  }
}

}  // namespace

Result<PartnerCode> PartnerCode::Parse(std::string_view text) {
  ENTENTE_RETURN_IF_ERROR(CheckOrigin("partner", text));
  return PartnerCode(std::string(text));
}

Result<Bytes> EncodeHeader(const EventHeader& header) {
  ENTENTE_ASSIGN_OR_RETURN(Bytes out, EncodeUnsigned(header));
  Append(out, header.signature);
  if (out.size() > kMaxHeaderSize) {
    return InvalidArgument("event header: " + std::to_string(out.size()) + " bytes, more than " +
                           std::to_string(kMaxHeaderSize) + " (too many seen refs?)");
  }
  return out;
}

Result<EventHeader> DecodeHeader(ByteView bytes) {
  if (bytes.size() > kMaxHeaderSize) {
    return InvalidArgument("event header: " + std::to_string(bytes.size()) + " bytes, more than " +
                           std::to_string(kMaxHeaderSize));
  }
  Reader r(bytes, "event header");
  EventHeader h;
  h.version = r.U8("version");
  if (r.ok() && h.version != kEventVersion) {
    return InvalidArgument("event header: unsupported version " + std::to_string(h.version));
  }
  h.kind = r.U16("kind");
  h.space_id = SpaceId(ToArray<16>(r.Fixed("space_id", 16)));
  h.origin = ToString(r.Vector("origin", 1, 63));
  h.event_id = EventId(ToArray<16>(r.Fixed("event_id", 16)));
  h.created_ms = r.U64("created_ms");
  h.author = crypto::PublicKey(ToArray<32>(r.Fixed("author", 32)));
  h.label = ToString(r.Vector("label", 1, kMaxLabelSize));
  ByteView exercise = r.Vector("exercise_id", 0, kMaxTagIdSize);
  h.exercise_id.assign(exercise.begin(), exercise.end());
  ByteView subject = r.Vector("subject", 0, kMaxTagIdSize);
  h.subject.assign(subject.begin(), subject.end());
  Reader seen = r.SubVector("seen", 0, 0xffff);
  while (seen.ok() && !seen.empty()) {
    Ref ref;
    ref.origin = ToString(seen.Vector("seen origin", 1, 63));
    ref.tree_size = seen.U64("seen tree_size");
    h.seen.push_back(std::move(ref));
  }
  r.Absorb(seen.Finish());
  h.body_hash = ToArray<32>(r.Fixed("body_hash", 32));
  h.signature = ToArray<64>(r.Fixed("signature", 64));
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  ENTENTE_RETURN_IF_ERROR(CheckOrigin("event header origin", h.origin));
  if (auto seen_ok = CheckSeen(h.seen); !seen_ok) {
    return std::unexpected(seen_ok.error().WithContext("event header"));
  }
  return h;
}

Status SignHeader(EventHeader& header, const crypto::SigningKey& key) {
  header.author = key.public_key();
  ENTENTE_ASSIGN_OR_RETURN(Bytes unsigned_part, EncodeUnsigned(header));
  header.signature = key.Sign(kEventDomain, unsigned_part);
  return {};
}

Status VerifyHeaderSignature(const EventHeader& header) {
  ENTENTE_ASSIGN_OR_RETURN(Bytes unsigned_part, EncodeUnsigned(header));
  if (!header.author.Verify(kEventDomain, unsigned_part, header.signature)) {
    return Unauthenticated("event header: bad signature");
  }
  return {};
}

Result<Bytes> EncodeBody(const EventBody& body) {
  if (body.envelope.size() > kMaxEnvelopeSize) {
    return ResourceExhausted("event body: envelope larger than " +
                             std::to_string(kMaxEnvelopeSize) + " bytes");
  }
  Writer w("event body");
  w.Vector("meta", body.meta, 0, kMaxMetaSize);
  w.Vector("envelope", body.envelope, 0, 0xffffffffULL);
  return std::move(w).Finish();
}

Result<EventBody> DecodeBody(ByteView bytes) {
  Reader r(bytes, "event body");
  ByteView meta = r.Vector("meta", 0, kMaxMetaSize);
  ByteView envelope = r.Vector("envelope", 0, 0xffffffffULL);
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  if (envelope.size() > kMaxEnvelopeSize) {
    return ResourceExhausted("event body: envelope larger than " +
                             std::to_string(kMaxEnvelopeSize) + " bytes");
  }
  if (!meta.empty()) {
    ENTENTE_ASSIGN_OR_RETURN(Bytes canonical, Canonicalize(meta));
    if (!Equal(canonical, meta)) {
      return InvalidArgument("event body: meta is not canonical JSON (sorted keys, no spaces)");
    }
  }
  return EventBody{Bytes(meta.begin(), meta.end()), Bytes(envelope.begin(), envelope.end())};
}

crypto::Digest BodyHash(ByteView body_encoding) { return crypto::Sha256(body_encoding); }

Status CheckBodyHash(const EventHeader& header, ByteView body_encoding) {
  if (BodyHash(body_encoding) != header.body_hash) {
    return DataLoss("event body does not match the header's body_hash");
  }
  return {};
}

Status CheckClockSkew(const EventHeader& header, TimeMs now, uint64_t max_skew_ms) {
  uint64_t now_ms = ToUnixMs(now);
  uint64_t skew =
      header.created_ms > now_ms ? header.created_ms - now_ms : now_ms - header.created_ms;
  if (skew > max_skew_ms) {
    return FailedPrecondition("event created " + std::to_string(skew / 1000) + " s " +
                              (header.created_ms > now_ms ? "ahead of" : "behind") +
                              " this node's clock (limit " + std::to_string(max_skew_ms / 1000) +
                              " s): check the device's clock");
  }
  return {};
}

Result<Bytes> CanonicalMeta(const std::string& json_text) {
  return Canonicalize(AsBytes(json_text));
}

}  // namespace entente::ledger
