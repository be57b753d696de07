// Signed notes, checkpoints and cosignatures.
//
// Signed note (c2sp.org/signed-note "Format"; golang.org/x/mod/sumdb/note):
//
//   note      = text "\n" 1*sigline          ; text: 1*(line "\n"), ends at the LAST "\n\n"
//   sigline   = U+2014 " " name " " base64( key-id[4] || signature ) "\n"
//   name      = 1*255 bytes of UTF-8, no Unicode space, no "+", no control character
//   key-id    = SHA-256( name || "\n" || type || public-key )[0:4]
//   vkey      = name "+" 8HEXDIG(lower) "+" base64( type || public-key )
//
// The whole note is UTF-8 with no control character but "\n". The signature of type 0x01 is
// Ed25519 over the text (including its final "\n", not the blank line).
//
// Checkpoint (c2sp.org/tlog-checkpoint "Note text"): origin "\n" size "\n" base64(root) "\n"
// *(extension "\n"); size in decimal without leading zeros.
//
// Cosignature (c2sp.org/tlog-cosignature "Format", "Ed25519 signed message"): type 0x04,
// signature = uint64 timestamp (big-endian) || Ed25519( "cosignature/v1\n" "time " decimal
// "\n" || checkpoint text ).
#include "ledger/note.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "base/encoding.h"
#include "crypto/hash.h"

namespace entente::ledger {

namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr std::string_view kCosignatureHeader = "cosignature/v1\n";
constexpr size_t kEd25519SignatureSize = 64;
constexpr size_t kCosignatureSize = 8 + kEd25519SignatureSize;
constexpr uint64_t kMaxTimestamp = (uint64_t{1} << 63) - 1;  // tlog-cosignature "MUST NOT exceed"

std::string Str(uint64_t v) { return std::to_string(v); }

std::string KeyIdHex(KeyId id) {
  char buffer[9];
  std::snprintf(buffer, sizeof(buffer), "%08x", id.value());
  return buffer;
}

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 if the bytes are not
// well-formed UTF-8 (overlong forms, surrogates and values above U+10FFFF included).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t length;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (s.size() - i < length) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

// Unicode White_Space (what Go's unicode.IsSpace reports, and so what the reference
// implementation forbids in key names).
bool IsUnicodeSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// OK if `text` is UTF-8 without control characters other than "\n", with no line longer than
// kMaxNoteLineLength. signed-note "Format": "MUST be valid UTF-8 and MUST NOT contain any ASCII
// control characters (those below U+0020) other than newline".
Status CheckNoteText(std::string_view text, std::string_view what) {
  size_t line_start = 0;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(text, i, cp);
    if (n == 0) return InvalidArgument(std::string(what) + ": invalid UTF-8 at byte " + Str(i));
    if (cp < 0x20 && cp != '\n') {
      return InvalidArgument(std::string(what) + ": control character at byte " + Str(i));
    }
    if (cp == '\n') line_start = i + 1;
    i += n;
    if (i - line_start > kMaxNoteLineLength) {
      return ResourceExhausted(std::string(what) + ": line longer than " + Str(kMaxNoteLineLength) +
                               " bytes at byte " + Str(line_start));
    }
  }
  return {};
}

Error Malformed(const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "malformed note: " + why);
}

Bytes KeyIdBytes(KeyId id) {
  uint32_t v = id.value();
  return Bytes{static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
               static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

Bytes TimestampBytes(uint64_t t) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(t >> (56 - 8 * i));
  return out;
}

std::string CosignedMessage(uint64_t timestamp, std::string_view text) {
  std::string message;
  message.reserve(kCosignatureHeader.size() + 32 + text.size());
  message += kCosignatureHeader;
  message += "time " + Str(timestamp) + "\n";
  message += text;
  return message;
}

// A decimal without leading zeros ("0" alone) that fits in uint64.
std::optional<uint64_t> ParseCanonicalDecimal(std::string_view text) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return {};
  for (char c : text) {
    if (c < '0' || c > '9') return {};
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return {};
  return v;
}

bool IsPartnerCode(std::string_view partner) {
  if (partner.empty() || partner.size() > kMaxPartnerCodeLength) return false;
  return std::all_of(partner.begin(), partner.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

Status CheckKeyName(std::string_view name) {
  if (name.empty()) return InvalidArgument("key name is empty");
  if (name.size() > kMaxKeyNameLength) {
    return InvalidArgument("key name is longer than " + Str(kMaxKeyNameLength) + " bytes");
  }
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(name, i, cp);
    if (n == 0) return InvalidArgument("key name is not valid UTF-8");
    // signed-note "Format": "Key names MUST be non-empty and MUST NOT contain any Unicode spaces
    // or plus (U+002B) characters." Control characters cannot appear in a note either.
    if (IsUnicodeSpace(cp)) return InvalidArgument("key name contains a space");
    if (cp == '+') return InvalidArgument("key name contains \"+\"");
    if (cp < 0x20 || cp == 0x7F) return InvalidArgument("key name contains a control character");
    i += n;
  }
  return {};
}

KeyId ComputeKeyId(std::string_view name, NoteKeyType type, const crypto::PublicKey& key) {
  // signed-note "Signatures": key ID = SHA-256(key name || 0x0A || signature type || public
  // key)[:4]
  const uint8_t type_byte[1] = {static_cast<uint8_t>(type)};
  crypto::Digest digest =
      crypto::Sha256({AsBytes(name), AsBytes("\n"), ByteView(type_byte), key.view()});
  return KeyId((uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) |
               (uint32_t{digest[2]} << 8) | uint32_t{digest[3]});
}

Verifier::Verifier(std::string name, NoteKeyType type, const crypto::PublicKey& key)
    : name_(std::move(name)), type_(type), key_(key), key_id_(ComputeKeyId(name_, type, key)) {}

Result<Verifier> Verifier::Create(std::string_view name, NoteKeyType type,
                                  const crypto::PublicKey& key) {
  ENTENTE_RETURN_IF_ERROR(CheckKeyName(name));
  if (type != NoteKeyType::kEd25519 && type != NoteKeyType::kCosignatureV1) {
    return InvalidArgument("verifier key type must be 0x01 or 0x04");
  }
  return Verifier(std::string(name), type, key);
}

Result<Verifier> Verifier::Parse(std::string_view vkey) {
  auto bad = [](const std::string& why) { return InvalidArgument("verifier key: " + why); };
  if (vkey.size() > 1024) return bad("too long");
  // "<name>+<hash>+<key>": the name has no "+", the base64 key may.
  size_t plus1 = vkey.find('+');
  if (plus1 == std::string_view::npos) return bad("must be <name>+<key id>+<key>");
  size_t plus2 = vkey.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) return bad("must be <name>+<key id>+<key>");
  std::string_view name = vkey.substr(0, plus1);
  std::string_view id_hex = vkey.substr(plus1 + 1, plus2 - plus1 - 1);
  std::string_view key64 = vkey.substr(plus2 + 1);
  if (auto ok = CheckKeyName(name); !ok) return bad(ok.error().message());
  if (id_hex.size() != 8 || !std::all_of(id_hex.begin(), id_hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return bad("key id must be 8 lowercase hex digits");
  }
  auto key = Base64Decode(key64);
  if (!key) return bad("key is not canonical base64");
  if (key->empty()) return bad("key is empty");
  const uint8_t type = (*key)[0];
  if (type != static_cast<uint8_t>(NoteKeyType::kEd25519) &&
      type != static_cast<uint8_t>(NoteKeyType::kCosignatureV1)) {
    return bad("unknown key type " + Str(type));
  }
  auto public_key = crypto::PublicKey::FromBytes(ByteView(*key).subspan(1));
  if (!public_key) return bad("Ed25519 key must be 32 bytes");
  Verifier verifier(std::string(name), static_cast<NoteKeyType>(type), *public_key);
  if (KeyIdHex(verifier.key_id()) != id_hex) {
    return bad("key id " + std::string(id_hex) + " does not match the name and key");
  }
  return verifier;
}

std::string Verifier::ToString() const {
  Bytes key{static_cast<uint8_t>(type_)};
  Append(key, key_.view());
  return name_ + "+" + KeyIdHex(key_id_) + "+" + Base64Encode(key);
}

Status Verifier::Verify(std::string_view text, ByteView signature) const {
  switch (type_) {
    case NoteKeyType::kEd25519:
      // signed-note "Ed25519 signatures": RFC 8032 over the note text.
      return key_.Verify(crypto::Domain::SignedNote(), AsBytes(text), signature);
    case NoteKeyType::kCosignatureV1: {
      // tlog-cosignature: timestamped_signature { u64 timestamp; opaque ed25519_signature[64]; }
      if (signature.size() != kCosignatureSize) {
        return Unauthenticated("signature verification failed");
      }
      uint64_t timestamp = 0;
      for (size_t i = 0; i < 8; ++i) timestamp = (timestamp << 8) | signature[i];
      if (timestamp > kMaxTimestamp) return Unauthenticated("signature verification failed");
      std::string message = CosignedMessage(timestamp, text);
      return key_.Verify(crypto::Domain::SignedNote(), AsBytes(message), signature.subspan(8));
    }
  }
  return Unauthenticated("signature verification failed");
}

std::string NoteSignature::Line() const {
  Bytes blob = KeyIdBytes(key_id);
  Append(blob, signature);
  return std::string(kSigPrefix) + name + " " + Base64Encode(blob) + "\n";
}

Result<std::string> Note::Encode() const {
  if (text.empty() || text.back() != '\n') {
    return InvalidArgument("note text must be non-empty and end in a newline");
  }
  ENTENTE_RETURN_IF_ERROR(CheckNoteText(text, "note text"));
  if (signatures.empty()) return InvalidArgument("note has no signature");
  if (signatures.size() > kMaxNoteSignatures) {
    return ResourceExhausted("note has more than " + Str(kMaxNoteSignatures) + " signatures");
  }
  std::string out = text + "\n";
  for (const NoteSignature& sig : signatures) {
    ENTENTE_RETURN_IF_ERROR(CheckKeyName(sig.name));
    if (sig.signature.empty()) return InvalidArgument("note signature is empty");
    std::string line = sig.Line();
    if (line.size() - 1 > kMaxNoteLineLength) {
      return ResourceExhausted("note signature line longer than " + Str(kMaxNoteLineLength) +
                               " bytes");
    }
    out += line;
  }
  if (out.size() > kMaxNoteSize) {
    return ResourceExhausted("note is larger than " + Str(kMaxNoteSize) + " bytes");
  }
  return out;
}

Result<Note> Note::Parse(std::string_view encoded) {
  if (encoded.size() > kMaxNoteSize) {
    return ResourceExhausted("note is larger than " + Str(kMaxNoteSize) + " bytes");
  }
  if (auto ok = CheckNoteText(encoded, "malformed note"); !ok) return std::unexpected(ok.error());
  // signed-note "Format": the text is separated from the signatures by the last empty line.
  size_t split = encoded.rfind("\n\n");
  if (split == std::string_view::npos) {
    return std::unexpected(Malformed("no blank line before the signatures"));
  }
  Note note;
  note.text = std::string(encoded.substr(0, split + 1));
  std::string_view sigs = encoded.substr(split + 2);
  if (sigs.empty()) return std::unexpected(Malformed("no signature lines"));
  if (sigs.back() != '\n') return std::unexpected(Malformed("does not end in a newline"));
  while (!sigs.empty()) {
    size_t eol = sigs.find('\n');  // found: sigs ends in "\n"
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (note.signatures.size() == kMaxNoteSignatures) {
      return ResourceExhausted("note has more than " + Str(kMaxNoteSignatures) + " signatures");
    }
    const std::string where = "signature line " + Str(note.signatures.size() + 1);
    if (!line.starts_with(kSigPrefix)) {
      return std::unexpected(Malformed(where + " does not start with \"\xE2\x80\x94 \""));
    }
    line.remove_prefix(kSigPrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return std::unexpected(Malformed(where + " is not \"<name> <signature>\""));
    }
    std::string_view name = line.substr(0, space);
    if (auto ok = CheckKeyName(name); !ok) {
      return std::unexpected(Malformed(where + ": " + ok.error().message()));
    }
    auto blob = Base64Decode(line.substr(space + 1));
    if (!blob) return std::unexpected(Malformed(where + ": signature is not canonical base64"));
    // A key id and at least one byte of signature.
    if (blob->size() < 5) return std::unexpected(Malformed(where + ": signature too short"));
    const Bytes& b = *blob;
    KeyId key_id((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) |
                 uint32_t{b[3]});
    note.signatures.push_back(
        NoteSignature{std::string(name), key_id, Bytes(b.begin() + 4, b.end())});
  }
  return note;
}

Result<NoteSignature> SignNoteText(std::string_view text, std::string_view name,
                                   const crypto::SigningKey& key) {
  ENTENTE_RETURN_IF_ERROR(CheckKeyName(name));
  if (text.empty() || text.back() != '\n') {
    return InvalidArgument("note text must be non-empty and end in a newline");
  }
  ENTENTE_RETURN_IF_ERROR(CheckNoteText(text, "note text"));
  crypto::Signature sig = key.Sign(crypto::Domain::SignedNote(), AsBytes(text));
  return NoteSignature{std::string(name),
                       ComputeKeyId(name, NoteKeyType::kEd25519, key.public_key()),
                       Bytes(sig.begin(), sig.end())};
}

Result<std::string> SignNote(std::string_view text, std::string_view name,
                             const crypto::SigningKey& key) {
  ENTENTE_ASSIGN_OR_RETURN(NoteSignature sig, SignNoteText(text, name, key));
  return Note{std::string(text), {std::move(sig)}}.Encode();
}

Result<OpenedNote> OpenNote(std::string_view encoded, std::span<const Verifier> verifiers) {
  ENTENTE_ASSIGN_OR_RETURN(Note note, Note::Parse(encoded));
  OpenedNote opened;
  std::set<std::pair<std::string, uint32_t>> seen_verified;
  std::set<std::string> seen_unverified;
  for (NoteSignature& sig : note.signatures) {
    const Verifier* match = nullptr;
    for (const Verifier& v : verifiers) {
      if (v.name() != sig.name || v.key_id() != sig.key_id) continue;
      if (match != nullptr) {
        return InvalidArgument("ambiguous key " + sig.name + "+" + KeyIdHex(sig.key_id));
      }
      match = &v;
    }
    if (match == nullptr) {
      // signed-note "Signatures": verifiers MUST ignore signatures from unknown keys.
      if (seen_unverified.insert(sig.Line()).second) opened.unverified.push_back(std::move(sig));
      continue;
    }
    // "If the key name and ID match a known key, verifiers MUST verify the signature." Every
    // line by a known key is checked, repeated ones too.
    if (!match->Verify(note.text, sig.signature)) {
      return Unauthenticated("invalid signature for key " + sig.name + "+" + KeyIdHex(sig.key_id));
    }
    if (seen_verified.emplace(sig.name, sig.key_id.value()).second) {
      opened.verified.push_back(std::move(sig));
    }
  }
  // "If no signature from a known key verifies successfully, clients MUST reject the note."
  if (opened.verified.empty()) return Unauthenticated("note has no signature by a known key");
  opened.text = std::move(note.text);
  return opened;
}

Result<std::string> Checkpoint::Text() const {
  // tlog-checkpoint "Note text": non-empty lines; the origin also names the log's key.
  if (origin.empty()) return InvalidArgument("checkpoint origin is empty");
  if (origin.size() > kMaxKeyNameLength) {
    return InvalidArgument("checkpoint origin is longer than " + Str(kMaxKeyNameLength) + " bytes");
  }
  if (origin.find('\n') != std::string::npos) {
    return InvalidArgument("checkpoint origin holds a newline");
  }
  if (size.value() == 0 && root != EmptyTreeRoot()) {
    return InvalidArgument("checkpoint of an empty tree must have root SHA-256(\"\")");
  }
  std::string text = origin + "\n" + Str(size.value()) + "\n" + Base64Encode(root) + "\n";
  for (const std::string& extension : extensions) {
    if (extension.empty()) return InvalidArgument("checkpoint extension line is empty");
    if (extension.find('\n') != std::string::npos) {
      return InvalidArgument("checkpoint extension line holds a newline");
    }
    text += extension + "\n";
  }
  if (text.size() > kMaxNoteSize) {
    return ResourceExhausted("checkpoint is larger than " + Str(kMaxNoteSize) + " bytes");
  }
  ENTENTE_RETURN_IF_ERROR(CheckNoteText(text, "checkpoint"));
  return text;
}

Result<Checkpoint> Checkpoint::Parse(std::string_view text) {
  if (text.size() > kMaxNoteSize) {
    return ResourceExhausted("checkpoint is larger than " + Str(kMaxNoteSize) + " bytes");
  }
  ENTENTE_RETURN_IF_ERROR(CheckNoteText(text, "checkpoint"));
  if (text.empty() || text.back() != '\n') {
    return InvalidArgument("checkpoint must end in a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  // tlog-checkpoint "Note text": at least three non-empty lines.
  if (lines.size() < 3) return InvalidArgument("checkpoint must have at least three lines");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) return InvalidArgument("checkpoint line " + Str(i + 1) + " is empty");
  }
  Checkpoint cp;
  // 1. The origin.
  if (lines[0].size() > kMaxKeyNameLength) {
    return InvalidArgument("checkpoint origin is longer than " + Str(kMaxKeyNameLength) + " bytes");
  }
  cp.origin = std::string(lines[0]);
  // 2. The tree size: ASCII decimal, no leading zeroes.
  auto size = ParseCanonicalDecimal(lines[1]);
  if (!size) {
    return InvalidArgument("checkpoint tree size \"" + std::string(lines[1].substr(0, 32)) +
                           "\" is not a decimal without leading zeros");
  }
  cp.size = TreeSize(*size);
  // 3. The root hash: base64 of the RFC 6962 tree head.
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != kHashSize) {
    return InvalidArgument("checkpoint root hash is not canonical base64 of 32 bytes");
  }
  cp.root = ToArray<kHashSize>(*root);
  if (cp.size.value() == 0 && cp.root != EmptyTreeRoot()) {
    return InvalidArgument("checkpoint of an empty tree must have root SHA-256(\"\")");
  }
  // 4. Extension lines.
  for (size_t i = 3; i < lines.size(); ++i) cp.extensions.emplace_back(lines[i]);
  return cp;
}

Result<std::string> EntenteOrigin(ByteView space_id, std::string_view partner) {
  if (space_id.size() != kSpaceIdSize) {
    return InvalidArgument("space id must be 16 bytes, got " + Str(space_id.size()));
  }
  if (!IsPartnerCode(partner)) {
    return InvalidArgument("partner code \"" + std::string(partner.substr(0, 64)) +
                           R"(" must be 1..63 letters, digits or "-")");
  }
  return "entente/" + HexEncode(space_id) + "/" + std::string(partner);
}

Result<EntenteOriginParts> ParseEntenteOrigin(std::string_view origin) {
  constexpr std::string_view kPrefix = "entente/";
  auto bad = [&] {
    return InvalidArgument("origin \"" + std::string(origin.substr(0, 128)) +
                           "\" is not entente/<32 lowercase hex digits>/<partner>");
  };
  if (!origin.starts_with(kPrefix)) return bad();
  std::string_view rest = origin.substr(kPrefix.size());
  if (rest.size() < 2 * kSpaceIdSize + 2 || rest[2 * kSpaceIdSize] != '/') return bad();
  std::string_view hex = rest.substr(0, 2 * kSpaceIdSize);
  if (!std::all_of(hex.begin(), hex.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return bad();
  }
  EntenteOriginParts parts;
  auto bytes = HexDecode(hex);
  if (!bytes) return bad();
  parts.space_id = ToArray<kSpaceIdSize>(*bytes);
  parts.partner = std::string(rest.substr(2 * kSpaceIdSize + 1));
  if (!IsPartnerCode(parts.partner)) return bad();
  return parts;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                   const crypto::SigningKey& log_key) {
  ENTENTE_ASSIGN_OR_RETURN(std::string text, checkpoint.Text());
  // tlog-checkpoint "Signatures": the log's key name SHOULD match the origin line; for Entente
  // it does, always.
  if (auto ok = CheckKeyName(checkpoint.origin); !ok) {
    return std::unexpected(ok.error().WithContext("checkpoint origin as log key name"));
  }
  return SignNote(text, checkpoint.origin, log_key);
}

Result<NoteSignature> Cosign(const Checkpoint& checkpoint, std::string_view cosigner_name,
                             const crypto::SigningKey& key, uint64_t timestamp) {
  ENTENTE_RETURN_IF_ERROR(CheckKeyName(cosigner_name));
  if (timestamp > kMaxTimestamp) return InvalidArgument("cosignature timestamp exceeds 2^63 - 1");
  ENTENTE_ASSIGN_OR_RETURN(std::string text, checkpoint.Text());
  // tlog-cosignature "Ed25519 signed message": "cosignature/v1\n", "time <t>\n", the body.
  std::string message = CosignedMessage(timestamp, text);
  crypto::Signature sig = key.Sign(crypto::Domain::SignedNote(), AsBytes(message));
  Bytes signature = TimestampBytes(timestamp);
  Append(signature, sig);
  return NoteSignature{std::string(cosigner_name),
                       ComputeKeyId(cosigner_name, NoteKeyType::kCosignatureV1, key.public_key()),
                       std::move(signature)};
}

Result<std::string> CosignCheckpoint(std::string_view signed_checkpoint,
                                     std::string_view cosigner_name, const crypto::SigningKey& key,
                                     uint64_t timestamp) {
  ENTENTE_ASSIGN_OR_RETURN(Note note, Note::Parse(signed_checkpoint));
  ENTENTE_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Parse(note.text));
  ENTENTE_ASSIGN_OR_RETURN(NoteSignature cosignature,
                           Cosign(checkpoint, cosigner_name, key, timestamp));
  std::erase_if(note.signatures, [&](const NoteSignature& s) {
    return s.name == cosignature.name && s.key_id == cosignature.key_id;
  });
  note.signatures.push_back(std::move(cosignature));
  return note.Encode();
}

Result<uint64_t> CosignatureTimestamp(const NoteSignature& signature) {
  if (signature.signature.size() != kCosignatureSize) {
    return InvalidArgument("cosignature must be 72 bytes, got " + Str(signature.signature.size()));
  }
  uint64_t timestamp = 0;
  for (size_t i = 0; i < 8; ++i) timestamp = (timestamp << 8) | signature.signature[i];
  if (timestamp > kMaxTimestamp) return InvalidArgument("cosignature timestamp exceeds 2^63 - 1");
  return timestamp;
}

Result<VerifiedCheckpoint> OpenCheckpoint(std::string_view note, const Verifier& log,
                                          std::span<const Verifier> cosigners) {
  if (log.type() != NoteKeyType::kEd25519) {
    return InvalidArgument("log key " + log.name() + " must be of type 0x01 (Ed25519)");
  }
  std::vector<Verifier> verifiers{log};
  for (const Verifier& c : cosigners) {
    if (c.type() != NoteKeyType::kCosignatureV1) {
      return InvalidArgument("cosigner key " + c.name() + " must be of type 0x04 (cosignature)");
    }
    verifiers.push_back(c);
  }
  ENTENTE_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(note, verifiers));
  auto find = [&](const Verifier& v) -> const NoteSignature* {
    for (const NoteSignature& s : opened.verified) {
      if (s.name == v.name() && s.key_id == v.key_id()) return &s;
    }
    return nullptr;
  };
  if (find(log) == nullptr) {
    return Unauthenticated("checkpoint is not signed by log key " + log.name() + "+" +
                           KeyIdHex(log.key_id()));
  }
  ENTENTE_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Parse(opened.text));
  if (checkpoint.origin != log.name()) {
    return InvalidArgument("checkpoint origin \"" + checkpoint.origin +
                           "\" is not the log key name \"" + log.name() + "\"");
  }
  VerifiedCheckpoint out{std::move(checkpoint), {}};
  for (const Verifier& c : cosigners) {
    const NoteSignature* s = find(c);
    if (s == nullptr) {
      return Unauthenticated("checkpoint lacks a cosignature by " + c.name() + "+" +
                             KeyIdHex(c.key_id()));
    }
    ENTENTE_ASSIGN_OR_RETURN(uint64_t timestamp, CosignatureTimestamp(*s));
    out.cosignatures.push_back(Cosignature{s->name, s->key_id, timestamp});
  }
  return out;
}

}  // namespace entente::ledger
