// net/http_signatures.h: request authentication with HTTP Message Signatures (RFC 9421), in
// Entente's profile (docs/formats/http-signatures.md). Pure: no sockets, time from a `Clock`.
//
// A device signs each request it sends to a node with its Ed25519 identity key. The request
// carries three fields, here with the Signature-Input wrapped after "1795861020;" (a request
// without a body carries no Content-Digest and covers only the first two components):
//
//   Content-Digest: sha-256=:<base64 SHA-256(body)>:                                 RFC 9530
//   Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=1795861020;
//       nonce="<16..64 base64url>";keyid="<base64url public key>";alg="ed25519";tag="entente"
//   Signature: sig1=:<base64 Ed25519 signature of the signature base>:
//
// and the signature covers the signature base (RFC 9421 §2.5), one line per covered component
// and the parameters last, lines separated by LF, no final LF:
//
//   "@method": POST
//   "@target-uri": https://usa.entente.example/v1/spaces/00112233445566778899aabbccddeeff/events
//   "content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:
//   "@signature-params": ("@method" "@target-uri" "content-digest");created=1795861020;...
//
// Domain separation. Every other Entente signature covers a domain string first; this one is
// signed raw (crypto::Domain::SignedNote(), the empty domain), because RFC 9421 §3.3.6 signs the
// signature base itself and any other RFC 9421 implementation must be able to verify it. The
// base is its own separation, as a signed note is: it always begins with `"` (a quoted component
// name), which no other Entente-signed message does (they begin "entente/" or "cosignature/v1"),
// and its `tag="entente"` parameter (RFC 9421 §2.3, an application-specific tag) is signed, so a
// signature made for another RFC 9421 application with the same key is not accepted here.
//
// Verification checks everything the profile fixes and rejects everything else. Its failures
// are `VerifyFailure`s: a precise reason for the node's log, and one vague error for the peer
// (`PeerError()`), so a response never tells a forger which check failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/error.h"
#include "crypto/sign.h"
#include "net/nonce_cache.h"
#include "net/structured_fields.h"

namespace entente::net {

// A request's header fields as the transport received them: names lower-cased (field names are
// case-insensitive, RFC 9110 §5.1), values without leading or trailing whitespace, each field
// line once, in the order received (a multimap keeps the order of equal keys).
using HeaderMap = std::multimap<std::string, std::string, std::less<>>;

// The value of field `name` (lower case) as RFC 9421 §2.1 and RFC 8941 §4.2 read it: the values
// of all its lines, each stripped of leading and trailing spaces and tabs, joined with ", ".
// nullopt if the field is absent.
std::optional<std::string> CombineFieldLines(const HeaderMap& headers, std::string_view name);

// ---- RFC 9421, generic ----

// One covered component and its value (RFC 9421 §2.1 fields, §2.2 derived components), without
// component parameters (";sf", ";req", ";key", ... are not supported).
struct ComponentValue {
  std::string_view name;   // lower-case field name ("content-digest") or "@derived" name
  std::string_view value;  // the component value, as it goes into the signature base
};

// The covered components and signature parameters of one signature, as carried in one member of
// Signature-Input, and the signature bytes of the same label in Signature.
struct SignatureFields {
  std::vector<std::string> components;  // component names, in order, unique
  sf::Parameters params;                // signature parameters, in order
  Bytes signature;
};

// Returns the signature base (RFC 9421 §2.5): for each component `"<name>": <value>` LF, then
// `"@signature-params": ` and the serialized inner list of the component names with `params`;
// no final LF. InvalidArgument if a name is repeated, is empty, holds an upper-case letter or a
// character not allowed in a field name, or is "@signature-params"; if a value holds a character
// other than HTAB or %x20-7E (no CR, LF, or non-ASCII); or if a parameter cannot be serialized.
[[nodiscard]] Result<std::string> BuildSignatureBase(std::span<const ComponentValue> components,
                                                     const sf::Parameters& params);

// Returns the Signature-Input and Signature field values (RFC 9421 §4.1, §4.2) for one signature
// under `label`: `<label>=("<name>" ...)<params>` and `<label>=:<base64 signature>:`.
// InvalidArgument as for BuildSignatureBase, or if `label` is not a valid key.
struct SignatureFieldValues {
  std::string signature_input;
  std::string signature;
};
[[nodiscard]] Result<SignatureFieldValues> SerializeSignatureFields(
    std::string_view label, std::span<const std::string_view> components,
    const sf::Parameters& params, ByteView signature);

// Parses the member `label` of a Signature-Input and a Signature field value (each already
// combined over its lines). Errors: those of sf::ParseDictionary; NotFound if either field has
// no member `label`; InvalidArgument if the Signature-Input member is not an inner list of
// strings without parameters, names a component twice, or the Signature member is not a byte
// sequence.
[[nodiscard]] Result<SignatureFields> ParseSignatureFields(std::string_view signature_input,
                                                           std::string_view signature,
                                                           std::string_view label);

// ---- Entente's profile ----

inline constexpr std::string_view kSignatureLabel = "sig1";
inline constexpr std::string_view kSignatureAlgorithm = "ed25519";  // RFC 9421 §6.2.2
inline constexpr std::string_view kSignatureTag = "entente";        // RFC 9421 §2.3 "tag"
// How far a request's `created` may be from the verifier's clock, either way (DESIGN.md §4.1
// uses the same bound for event skew). A nonce is remembered until `created` plus this.
inline constexpr std::chrono::seconds kMaxSignatureSkew{120};
inline constexpr size_t kMinNonceLength = 16;  // base64url characters
inline constexpr size_t kMaxNonceLength = 64;
inline constexpr size_t kNonceBytes = 16;  // what SignRequest draws: 22 characters

// The keyid of a device key: its 32 bytes in base64url without padding (43 characters).
std::string KeyIdOf(const crypto::PublicKey& key);
// The inverse; InvalidArgument unless `keyid` is exactly such an encoding.
[[nodiscard]] Result<crypto::PublicKey> ParseKeyId(std::string_view keyid);

// A request about to be sent. Views: the viewed data must outlive the call.
struct OutgoingRequest {
  std::string_view method;      // as sent, e.g. "POST" (RFC 9421 §2.2.1)
  std::string_view target_uri;  // absolute URI, e.g. "https://host/v1/x?y=1" (RFC 9421 §2.2.2)
  ByteView body;                // empty: no content, no Content-Digest
};

// The fields that authenticate an OutgoingRequest.
struct SignedHeaders {
  std::string content_digest;   // Content-Digest value; empty (not sent) if the body is empty
  std::string signature_input;  // Signature-Input value
  std::string signature;        // Signature value
  std::string signature_base;   // what was signed; not sent (for logs and test vectors)

  // Adds the fields to `headers` under their lower-case names (replacing any already there).
  void AddTo(HeaderMap& headers) const;
};

// Signs `request` with `key` at `clock.Now()` (rounded down to a second) and a fresh random
// nonce of kNonceBytes. InvalidArgument if the method or target URI cannot go into a signature
// base (see BuildSignatureBase) or either is empty.
[[nodiscard]] Result<SignedHeaders> SignRequest(const OutgoingRequest& request,
                                                const crypto::SigningKey& key, const Clock& clock);
// The same with a given `created` (Unix seconds, 0..kMaxInteger) and `nonce` (16..64 base64url
// characters), for test vectors. InvalidArgument if either is out of range.
[[nodiscard]] Result<SignedHeaders> SignRequestAt(const OutgoingRequest& request,
                                                  const crypto::SigningKey& key, int64_t created,
                                                  std::string_view nonce);

// A received request. Views: the viewed data must outlive the call.
struct IncomingRequest {
  std::string_view method;      // as received
  std::string_view target_uri;  // reconstructed by the server from its scheme and authority
                                // and the request target (RFC 9421 §2.2.2)
  const HeaderMap& headers;
  ByteView body;
};

// Why a request was rejected. For the node's log only; never for the peer.
enum class VerifyFailureCode {
  kMissingField,            // no Signature-Input / Signature / Content-Digest, or no sig1 member
  kMalformedField,          // bad structured-field syntax, oversized, wrong types, bad values
  kWrongComponents,         // covered components are not exactly the profile's
  kWrongParameters,         // a parameter missing, unknown, of the wrong type; alg or nonce wrong
  kWrongTag,                // tag is not "entente"
  kUnknownKey,              // keyid malformed, or the key lookup does not know it
  kStale,                   // created more than kMaxSignatureSkew before the clock
  kFuture,                  // created more than kMaxSignatureSkew after the clock
  kBadSignature,            // Ed25519 verification failed
  kDigestMismatch,          // the body does not match the signed Content-Digest
  kReplay,                  // (keyid, nonce) already accepted within the window
  kReplayGuardUnavailable,  // the nonce cache could not record the nonce (full): retry later
};

// "missing_field", "bad_signature", ...: stable names for logs and metrics.
std::string_view VerifyFailureCodeName(VerifyFailureCode code);

struct VerifyFailure {
  VerifyFailureCode code;
  std::string detail;  // precise, for logs: "created 121 s before now"

  // What the peer is told: Unauthenticated("request signature rejected") whatever the code,
  // except kReplayGuardUnavailable, which is Unavailable("request could not be checked now; retry
  // later") (it is only reached by a request whose signature verified).
  Error PeerError() const;
  // "<code name>: <detail>", for logs.
  std::string ToString() const;
};

// What a verified request proves.
struct VerifiedSigner {
  std::string keyid;
  crypto::PublicKey public_key;
  TimeMs created;
};

// Returns the public key of a known device for `keyid`, or nullopt if there is none (unknown or
// revoked device). Must be thread-safe if the verifier is shared between threads.
using KeyLookup = std::function<std::optional<crypto::PublicKey>(std::string_view keyid)>;

// Verifies requests signed in Entente's profile. Thread-safe if the key lookup is (the clock and
// the nonce cache are thread-safe by contract). `clock` and `nonces` must outlive the verifier.
class RequestVerifier {
 public:
  RequestVerifier(const Clock& clock, KeyLookup lookup, NonceCache& nonces)
      : clock_(clock), lookup_(std::move(lookup)), nonces_(nonces) {}

  // Returns the signer if, in this order: Signature-Input and Signature parse (each at most
  // sf::kMaxFieldSize) and have a sig1 member; its covered components are exactly "@method",
  // "@target-uri" and, when the body is not empty, "content-digest" (in any order, each once);
  // its parameters are exactly created, nonce, keyid, alg, tag, with tag "entente", alg
  // "ed25519", a nonce of 16..64 base64url characters, and created within kMaxSignatureSkew of
  // the clock; the keyid is a known device's key; a non-empty body comes with a Content-Digest
  // field; the signature verifies; the Content-Digest's sha-256 member matches the body; and
  // the (keyid, nonce) pair was not seen before (it is then remembered). Otherwise the first
  // failure. Checking the signature before hashing the body means a forger cannot make the node
  // hash large bodies.
  [[nodiscard]] std::expected<VerifiedSigner, VerifyFailure> Verify(
      const IncomingRequest& request) const;

 private:
  const Clock& clock_;
  KeyLookup lookup_;
  NonceCache& nonces_;
};

}  // namespace entente::net
