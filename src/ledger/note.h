// ledger/note.h: signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint)
// and cosignatures (c2sp.org/tlog-cosignature), as golang.org/x/mod/sumdb/note writes them.
//
// A signed note is UTF-8 text ending in a newline, a blank line, then signature lines:
//
//   entente/00112233445566778899aabbccddeeff/USA     <- checkpoint: origin
//   42                                               <-   tree size
//   qJ1...+8=                                        <-   base64 root hash
//                                                    <- blank line
//   — entente/00112233445566778899aabbccddeeff/USA AbCd...==    <- log signature (0x01)
//   — entente/00112233445566778899aabbccddeeff/KOR 3Fx0...==    <- cosignature (0x04)
//
// Each signature line is "— " (U+2014, space), the key name, a space, and
// base64(key id || signature); the key id is SHA-256(name || "\n" || type || public key)[:4].
// A verifier key ("vkey") is "<name>+<hex key id>+<base64(type || public key)>".
//
// Entente signs checkpoints with the origin node's Ed25519 key (type 0x01) under the key name
// equal to the origin "entente/<space-id-hex>/<partner>" (DESIGN.md §4.5), and partner nodes
// cosign with timestamped Ed25519 cosignatures (type 0x04), whose signed message is
// "cosignature/v1\ntime <unix seconds>\n" followed by the checkpoint text. A partner cosigns under
// the name of its own log in the space: key name and key are shared between the two types, the
// key ids differ by the type byte, and the messages cannot collide (an origin starts
// "entente/"). Both go through
// crypto::SigningKey::Sign with Domain::SignedNote(): the note formats are their own domain
// separation (a checkpoint's first line is its origin; a cosignature's is "cosignature/v1").
//
// Verification follows the spec: signatures by unknown keys (name and key id not both matching
// a known verifier) are ignored; a signature by a known key must verify, or the whole note is
// rejected; a note with no verified signature is rejected. Parsers take untrusted text and never
// throw; they reject anything not in the one canonical form, so every accepted note, checkpoint
// and vkey re-encodes to the same bytes.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "base/strong.h"
#include "crypto/sign.h"
#include "ledger/merkle.h"

namespace entente::ledger {

// Signature type identifier bytes (c2sp.org/signed-note "Signature types").
enum class NoteKeyType : uint8_t {
  kEd25519 = 0x01,        // Ed25519 over the note text (checkpoints)
  kCosignatureV1 = 0x04,  // timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature)
};

struct KeyIdTag {};
using KeyId = StrongInt<KeyIdTag, uint32_t>;

// Limits on untrusted notes. The spec asks verifiers to accept at least 16 signatures; we accept
// up to 100, as golang.org/x/mod/sumdb/note does.
inline constexpr size_t kMaxNoteSize = 64 * 1024;   // bytes, text and signatures
inline constexpr size_t kMaxNoteLineLength = 8192;  // bytes, any line
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxKeyNameLength = 255;  // bytes (also the longest origin)

// OK if `name` can name a key: 1..255 bytes of UTF-8 with no Unicode space, no "+", no control
// character. InvalidArgument saying why otherwise.
[[nodiscard]] Status CheckKeyName(std::string_view name);

// SHA-256(name || 0x0A || type || public key)[:4], big-endian (c2sp.org/signed-note).
KeyId ComputeKeyId(std::string_view name, NoteKeyType type, const crypto::PublicKey& key);

// A public key that verifies note signatures of one type, under one name. Cheap to copy.
class Verifier {
 public:
  // Parses a vkey "<name>+<8 lowercase hex digits>+<base64(type || 32-byte key)>". Accepts types
  // 0x01 and 0x04. InvalidArgument if malformed, of another type, or if the key id is not the
  // one the name and key hash to.
  [[nodiscard]] static Result<Verifier> Parse(std::string_view vkey);
  // InvalidArgument if `name` is not a valid key name.
  [[nodiscard]] static Result<Verifier> Create(std::string_view name, NoteKeyType type,
                                               const crypto::PublicKey& key);

  // The vkey.
  std::string ToString() const;

  const std::string& name() const { return name_; }
  KeyId key_id() const { return key_id_; }
  NoteKeyType type() const { return type_; }
  const crypto::PublicKey& public_key() const { return key_; }

  // OK if `signature` (the bytes after the key id in a signature line) is this key's signature
  // of note `text`: for 0x01 an Ed25519 signature of the text; for 0x04 an 8-byte big-endian
  // timestamp and an Ed25519 signature of "cosignature/v1\ntime <timestamp>\n" || text.
  // Unauthenticated("signature verification failed") otherwise, whatever the reason.
  [[nodiscard]] Status Verify(std::string_view text, ByteView signature) const;

 private:
  Verifier(std::string name, NoteKeyType type, const crypto::PublicKey& key);

  std::string name_;
  NoteKeyType type_;
  crypto::PublicKey key_;
  KeyId key_id_;
};

// One signature line of a note.
struct NoteSignature {
  std::string name;
  KeyId key_id;
  Bytes signature;  // the bytes after the key id

  // "— <name> <base64(key id || signature)>\n".
  std::string Line() const;
  bool operator==(const NoteSignature&) const = default;
};

// A note's text and signatures, verified or not.
struct Note {
  std::string text;  // ends in "\n"
  std::vector<NoteSignature> signatures;

  // Returns text || "\n" || signature lines. InvalidArgument if the text is empty, does not end
  // in a newline or holds a forbidden character, if there is no signature or a bad key name;
  // ResourceExhausted beyond the limits above.
  [[nodiscard]] Result<std::string> Encode() const;
  // Parses a signed note without verifying anything: the text is everything up to the last
  // blank line. InvalidArgument ("malformed note: ...") or ResourceExhausted as for Encode, and
  // for a signature line that is not "— <name> <base64 of at least 5 bytes>".
  [[nodiscard]] static Result<Note> Parse(std::string_view encoded);
  bool operator==(const Note&) const = default;
};

// Signs `text` (which must end in "\n") with an Ed25519 key (type 0x01) named `name`.
[[nodiscard]] Result<NoteSignature> SignNoteText(std::string_view text, std::string_view name,
                                                 const crypto::SigningKey& key);
// Returns the signed note: `text`, a blank line, and the one signature line.
[[nodiscard]] Result<std::string> SignNote(std::string_view text, std::string_view name,
                                           const crypto::SigningKey& key);

// A note opened against a set of known keys.
struct OpenedNote {
  std::string text;
  std::vector<NoteSignature> verified;    // by known keys, each key once, in note order
  std::vector<NoteSignature> unverified;  // by unknown keys (not checked), duplicates dropped
};

// Parses and verifies a signed note. Every signature whose (name, key id) matches a verifier
// must verify, and at least one must. Errors: those of Note::Parse; InvalidArgument("ambiguous
// key ...") if two verifiers share a name and key id that the note uses; Unauthenticated
// ("invalid signature for key <name>+<id>") for a bad signature by a known key;
// Unauthenticated("note has no signature by a known key") if none verified.
[[nodiscard]] Result<OpenedNote> OpenNote(std::string_view encoded,
                                          std::span<const Verifier> verifiers);

// A checkpoint (c2sp.org/tlog-checkpoint): the note text of a signed tree head.
struct Checkpoint {
  std::string origin;                   // first line; for Entente "entente/<space>/<partner>"
  TreeSize size;                        // second line, decimal
  Hash root{};                          // third line, base64
  std::vector<std::string> extensions;  // further lines, opaque, non-empty (not recommended)

  // "<origin>\n<size>\n<base64 root>\n" then "<extension>\n" each. InvalidArgument if a line is
  // empty, holds a newline or forbidden character, or the origin is longer than 255 bytes, or
  // size is 0 with a root other than EmptyTreeRoot().
  [[nodiscard]] Result<std::string> Text() const;
  // Parses a checkpoint text, accepting only the form Text() produces (decimal without leading
  // zeros, canonical base64 of exactly 32 bytes). InvalidArgument naming the bad line.
  [[nodiscard]] static Result<Checkpoint> Parse(std::string_view text);
  bool operator==(const Checkpoint&) const = default;
};

inline constexpr size_t kSpaceIdSize = 16;
inline constexpr size_t kMaxPartnerCodeLength = 63;

// "entente/<32 lowercase hex digits of space_id>/<partner>". InvalidArgument if space_id is not
// 16 bytes or the partner code is not 1..63 of ALPHA / DIGIT / "-".
[[nodiscard]] Result<std::string> EntenteOrigin(ByteView space_id, std::string_view partner);
struct EntenteOriginParts {
  std::array<uint8_t, kSpaceIdSize> space_id{};
  std::string partner;
};
// The inverse of EntenteOrigin; InvalidArgument for anything it would not produce.
[[nodiscard]] Result<EntenteOriginParts> ParseEntenteOrigin(std::string_view origin);

// Returns the checkpoint signed by the log's key, named by the checkpoint's origin (which must
// therefore be a valid key name).
[[nodiscard]] Result<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                                 const crypto::SigningKey& log_key);

// Returns a cosignature (type 0x04) of `checkpoint` at `timestamp` (Unix seconds, at most
// 2^63 - 1) by the key named `cosigner_name`. Call only after verifying the checkpoint and its
// consistency with the last one cosigned (DESIGN.md §4.5).
[[nodiscard]] Result<NoteSignature> Cosign(const Checkpoint& checkpoint,
                                           std::string_view cosigner_name,
                                           const crypto::SigningKey& key, uint64_t timestamp);
// Adds a cosignature to a signed checkpoint note (replacing an earlier one by the same key) and
// returns the note. Parses but does not verify `signed_checkpoint`: open it first.
[[nodiscard]] Result<std::string> CosignCheckpoint(std::string_view signed_checkpoint,
                                                   std::string_view cosigner_name,
                                                   const crypto::SigningKey& key,
                                                   uint64_t timestamp);

// The timestamp of a cosignature line (type 0x04); InvalidArgument if it is not 72 bytes or the
// timestamp exceeds 2^63 - 1. Does not verify anything.
[[nodiscard]] Result<uint64_t> CosignatureTimestamp(const NoteSignature& signature);

struct Cosignature {
  std::string name;
  KeyId key_id;
  uint64_t timestamp = 0;  // Unix seconds
};

struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::vector<Cosignature> cosignatures;  // one per required cosigner, in the order given
};

// Opens a checkpoint note that must be signed by `log` (type 0x01, whose name must equal the
// origin) and cosigned by every one of `cosigners` (type 0x04); other signatures are ignored.
// Errors: those of OpenNote and Checkpoint::Parse; InvalidArgument if a verifier has the wrong
// type or the origin is not the log's key name; Unauthenticated("checkpoint is not signed by
// ...") or ("checkpoint lacks a cosignature by ...") if a required signature is missing.
[[nodiscard]] Result<VerifiedCheckpoint> OpenCheckpoint(std::string_view note, const Verifier& log,
                                                        std::span<const Verifier> cosigners);

}  // namespace entente::ledger
