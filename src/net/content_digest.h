// net/content_digest.h: the Content-Digest field (RFC 9530 §2), SHA-256 only.
//
// Content-Digest is a Structured Field Dictionary (RFC 8941 §3.2) whose keys name a hash
// algorithm from the IANA "Hash Algorithms for HTTP Digest Fields" registry and whose values are
// Byte Sequences holding the digest of the message content (the body as sent, after any content
// coding):
//
//   Content-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:
//
// Entente sends exactly one member, sha-256. A recipient may ignore members it does not support
// (RFC 9530 §2), so a reader ignores every other key (sha-512 included) but requires sha-256: a
// field without it cannot be checked and is rejected. In an Entente request the field is covered
// by the RFC 9421 signature (net/http_signatures.h), which is what makes it an integrity check.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"

namespace entente::net {

// The algorithm key Entente uses (RFC 9530 §5, registry entry "sha-256", status standard).
inline constexpr std::string_view kContentDigestAlgorithm = "sha-256";

// Returns the Content-Digest field value for `body`: "sha-256=:<base64 SHA-256(body)>:".
std::string ContentDigest(ByteView body);

// Checks a received Content-Digest field value (all field lines joined with ", ") against `body`.
// OK if its sha-256 member is a 32-byte Byte Sequence equal to SHA-256(body). Errors:
// InvalidArgument if the value is not a Dictionary, has no sha-256 member, or that member is not
// a 32-byte Byte Sequence; ResourceExhausted beyond the structured-field limits;
// Unauthenticated("content digest mismatch") if the digest differs.
[[nodiscard]] Status VerifyContentDigest(std::string_view field_value, ByteView body);

}  // namespace entente::net
