// RFC 9421 HTTP Message Signatures: signature bases, Signature-Input / Signature fields, and
// Entente's profile (docs/formats/http-signatures.md).
#include "net/http_signatures.h"

#include <algorithm>
#include <array>
#include <utility>
#include <variant>

#include "base/encoding.h"
#include "crypto/random.h"
#include "net/content_digest.h"

namespace entente::net {
namespace {

constexpr std::string_view kMethod = "@method";
constexpr std::string_view kTargetUri = "@target-uri";
constexpr std::string_view kContentDigest = "content-digest";
constexpr std::string_view kSignatureParams = "@signature-params";

// RFC 9110 §5.6.2 tchar, without upper-case letters: what a lower-case field name holds.
bool IsLowerTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 9421 §2.1 (field names, lower-cased) and §2.2 (derived components, "@" and a name).
bool IsValidComponentName(std::string_view name) {
  if (name.empty()) return false;
  size_t start = name[0] == '@' ? 1 : 0;
  if (start == name.size()) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(start), name.end(), IsLowerTchar);
}

// A component value must fit on one line of the signature base (RFC 9421 §2.5 joins lines with
// LF) and be ASCII (RFC 9421 §2.1.3 would need ";bs" for anything else): HTAB or %x20-7E.
bool IsValidComponentValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c == '\t' || (c >= 0x20 && c <= 0x7e); });
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsValidNonce(std::string_view nonce) {
  return nonce.size() >= kMinNonceLength && nonce.size() <= kMaxNonceLength &&
         std::all_of(nonce.begin(), nonce.end(), IsBase64UrlChar);
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

sf::InnerList CoveredComponents(std::span<const std::string_view> names,
                                const sf::Parameters& params) {
  sf::InnerList list;
  for (std::string_view name : names) list.items.push_back(sf::Item{.value = std::string(name)});
  list.params = params;
  return list;
}

Status CheckComponentNames(std::span<const std::string_view> names) {
  for (size_t i = 0; i < names.size(); ++i) {
    std::string_view name = names[i];
    if (!IsValidComponentName(name)) {
      return InvalidArgument("invalid component name \"" + std::string(name) + "\"");
    }
    if (name == kSignatureParams) {
      return InvalidArgument("\"@signature-params\" cannot be a covered component");
    }
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), name) !=
        names.begin() + static_cast<std::ptrdiff_t>(i)) {
      // RFC 9421 §2.5: a component identifier listed twice fails the signature base.
      return InvalidArgument("component \"" + std::string(name) + "\" is covered twice");
    }
  }
  return {};
}

}  // namespace

std::optional<std::string> CombineFieldLines(const HeaderMap& headers, std::string_view name) {
  auto [begin, end] = headers.equal_range(name);
  if (begin == end) return std::nullopt;
  std::string combined;
  for (auto it = begin; it != end; ++it) {
    if (it != begin) combined += ", ";
    combined += TrimOws(it->second);
  }
  return combined;
}

Result<std::string> BuildSignatureBase(std::span<const ComponentValue> components,
                                       const sf::Parameters& params) {
  std::vector<std::string_view> names;
  names.reserve(components.size());
  for (const ComponentValue& c : components) names.push_back(c.name);
  ENTENTE_RETURN_IF_ERROR(CheckComponentNames(names));

  std::string base;
  for (const ComponentValue& c : components) {
    if (!IsValidComponentValue(c.value)) {
      return InvalidArgument("value of component \"" + std::string(c.name) +
                             "\" holds a control or non-ASCII character");
    }
    // RFC 9421 §2.5 step 2: the component identifier (an sf-string: the validated name holds no
    // '"' or '\'), ": ", the value, LF.
    base += '"';
    base += c.name;
    base += "\": ";
    base += c.value;
    base += '\n';
  }
  // RFC 9421 §2.5 step 3 and §2.3: the signature parameters line, last, with no final LF.
  ENTENTE_ASSIGN_OR_RETURN(std::string signature_params,
                           sf::Serialize(CoveredComponents(names, params)));
  base += "\"@signature-params\": ";
  base += signature_params;
  return base;
}

Result<SignatureFieldValues> SerializeSignatureFields(std::string_view label,
                                                      std::span<const std::string_view> components,
                                                      const sf::Parameters& params,
                                                      ByteView signature) {
  ENTENTE_RETURN_IF_ERROR(CheckComponentNames(components));
  // RFC 9421 §4.1: Signature-Input is a Dictionary of inner lists with parameters.
  sf::Dictionary input = {{std::string(label), CoveredComponents(components, params)}};
  // RFC 9421 §4.2: Signature is a Dictionary of byte sequences under the same labels.
  sf::Dictionary sig = {
      {std::string(label), sf::Item{.value = Bytes(signature.begin(), signature.end())}}};
  SignatureFieldValues out;
  ENTENTE_ASSIGN_OR_RETURN(out.signature_input, sf::Serialize(input));
  ENTENTE_ASSIGN_OR_RETURN(out.signature, sf::Serialize(sig));
  return out;
}

Result<SignatureFields> ParseSignatureFields(std::string_view signature_input,
                                             std::string_view signature, std::string_view label) {
  ENTENTE_ASSIGN_OR_RETURN(sf::Dictionary input, sf::ParseDictionary(signature_input));
  ENTENTE_ASSIGN_OR_RETURN(sf::Dictionary sig, sf::ParseDictionary(signature));
  const sf::Member* input_member = sf::FindMember(input, label);
  if (input_member == nullptr) {
    return NotFound("Signature-Input has no member \"" + std::string(label) + "\"");
  }
  const sf::Member* sig_member = sf::FindMember(sig, label);
  if (sig_member == nullptr) {
    return NotFound("Signature has no member \"" + std::string(label) + "\"");
  }

  const auto* list = std::get_if<sf::InnerList>(input_member);
  if (list == nullptr) return InvalidArgument("Signature-Input member is not an inner list");
  SignatureFields out;
  std::vector<std::string_view> names;
  for (const sf::Item& item : list->items) {
    const auto* name = std::get_if<std::string>(&item.value);
    if (name == nullptr) return InvalidArgument("covered component is not a string");
    if (!item.params.empty()) {
      return InvalidArgument("component parameters are not supported (\"" + *name + "\")");
    }
    names.push_back(*name);
  }
  ENTENTE_RETURN_IF_ERROR(CheckComponentNames(names));
  out.components.assign(names.begin(), names.end());
  out.params = list->params;

  const auto* sig_item = std::get_if<sf::Item>(sig_member);
  const Bytes* bytes = sig_item != nullptr ? std::get_if<Bytes>(&sig_item->value) : nullptr;
  if (bytes == nullptr) return InvalidArgument("Signature member is not a byte sequence");
  out.signature = *bytes;
  return out;
}

// ---- Entente's profile ----

std::string KeyIdOf(const crypto::PublicKey& key) { return Base64UrlEncode(key.view()); }

Result<crypto::PublicKey> ParseKeyId(std::string_view keyid) {
  auto bytes = Base64UrlDecode(keyid);
  if (!bytes || bytes->size() != crypto::PublicKey::kSize) {
    return InvalidArgument("keyid is not the base64url encoding of a 32-byte Ed25519 key");
  }
  return crypto::PublicKey::FromBytes(*bytes);
}

void SignedHeaders::AddTo(HeaderMap& headers) const {
  headers.erase("content-digest");
  headers.erase("signature-input");
  headers.erase("signature");
  if (!content_digest.empty()) headers.emplace("content-digest", content_digest);
  headers.emplace("signature-input", signature_input);
  headers.emplace("signature", signature);
}

Result<SignedHeaders> SignRequest(const OutgoingRequest& request, const crypto::SigningKey& key,
                                  const Clock& clock) {
  auto now = std::chrono::floor<std::chrono::seconds>(clock.Now());
  auto nonce = crypto::RandomArray<kNonceBytes>();
  return SignRequestAt(request, key, now.time_since_epoch().count(), Base64UrlEncode(nonce));
}

Result<SignedHeaders> SignRequestAt(const OutgoingRequest& request, const crypto::SigningKey& key,
                                    int64_t created, std::string_view nonce) {
  if (request.method.empty() || request.target_uri.empty()) {
    return InvalidArgument("request to sign needs a method and a target URI");
  }
  if (created < 0 || created > sf::kMaxInteger) {
    return InvalidArgument("created must be 0.." + std::to_string(sf::kMaxInteger));
  }
  if (!IsValidNonce(nonce)) {
    return InvalidArgument("nonce must be 16..64 base64url characters");
  }
  SignedHeaders out;
  std::vector<ComponentValue> components = {{kMethod, request.method},
                                            {kTargetUri, request.target_uri}};
  if (!request.body.empty()) {
    out.content_digest = ContentDigest(request.body);
    components.push_back({kContentDigest, out.content_digest});
  }
  // RFC 9421 §2.3, in the order docs/formats/http-signatures.md gives.
  sf::Parameters params = {
      {"created", created},
      {"nonce", std::string(nonce)},
      {"keyid", KeyIdOf(key.public_key())},
      {"alg", std::string(kSignatureAlgorithm)},
      {"tag", std::string(kSignatureTag)},
  };
  ENTENTE_ASSIGN_OR_RETURN(out.signature_base, BuildSignatureBase(components, params));
  // RFC 9421 §3.3.6: Ed25519 over the signature base bytes, with no domain prefix (see the
  // header comment: the base, beginning with '"' and carrying tag="entente", separates itself).
  crypto::Signature signature = key.Sign(crypto::Domain::SignedNote(), AsBytes(out.signature_base));
  std::vector<std::string_view> names;
  names.reserve(components.size());
  for (const ComponentValue& c : components) names.push_back(c.name);
  ENTENTE_ASSIGN_OR_RETURN(SignatureFieldValues fields,
                           SerializeSignatureFields(kSignatureLabel, names, params, signature));
  out.signature_input = std::move(fields.signature_input);
  out.signature = std::move(fields.signature);
  return out;
}

std::string_view VerifyFailureCodeName(VerifyFailureCode code) {
  switch (code) {
    case VerifyFailureCode::kMissingField:
      return "missing_field";
    case VerifyFailureCode::kMalformedField:
      return "malformed_field";
    case VerifyFailureCode::kWrongComponents:
      return "wrong_components";
    case VerifyFailureCode::kWrongParameters:
      return "wrong_parameters";
    case VerifyFailureCode::kWrongTag:
      return "wrong_tag";
    case VerifyFailureCode::kUnknownKey:
      return "unknown_key";
    case VerifyFailureCode::kStale:
      return "stale";
    case VerifyFailureCode::kFuture:
      return "future";
    case VerifyFailureCode::kBadSignature:
      return "bad_signature";
    case VerifyFailureCode::kDigestMismatch:
      return "digest_mismatch";
    case VerifyFailureCode::kReplay:
      return "replay";
    case VerifyFailureCode::kReplayGuardUnavailable:
      return "replay_guard_unavailable";
  }
  return "unknown";
}

Error VerifyFailure::PeerError() const {
  if (code == VerifyFailureCode::kReplayGuardUnavailable) {
    return Error(ErrorCode::kUnavailable, "request could not be checked now; retry later");
  }
  return Error(ErrorCode::kUnauthenticated, "request signature rejected");
}

std::string VerifyFailure::ToString() const {
  return std::string(VerifyFailureCodeName(code)) + ": " + detail;
}

std::expected<VerifiedSigner, VerifyFailure> RequestVerifier::Verify(
    const IncomingRequest& request) const {
  using enum VerifyFailureCode;
  auto fail = [](VerifyFailureCode code, std::string detail) {
    return std::unexpected(VerifyFailure{code, std::move(detail)});
  };

  // RFC 9421 §3.2 step 1-2: the signature and its input, by label.
  std::optional<std::string> input = CombineFieldLines(request.headers, "signature-input");
  if (!input) return fail(kMissingField, "no Signature-Input field");
  std::optional<std::string> sig = CombineFieldLines(request.headers, "signature");
  if (!sig) return fail(kMissingField, "no Signature field");
  auto fields = ParseSignatureFields(*input, *sig, kSignatureLabel);
  if (!fields) {
    return fail(fields.error().code() == ErrorCode::kNotFound ? kMissingField : kMalformedField,
                fields.error().message());
  }

  // The profile's covered components: exactly these, each once (unique after parsing).
  const bool has_body = !request.body.empty();
  std::vector<std::string_view> required = {kMethod, kTargetUri};
  if (has_body) required.push_back(kContentDigest);
  bool components_ok = fields->components.size() == required.size();
  for (const std::string& name : fields->components) {
    components_ok =
        components_ok && std::find(required.begin(), required.end(), name) != required.end();
  }
  if (!components_ok) {
    auto covered = sf::Serialize(CoveredComponents(
        std::vector<std::string_view>(fields->components.begin(), fields->components.end()), {}));
    return fail(kWrongComponents,
                "covered components " + covered.value_or("?") + " but " +
                    (has_body ? "a request with a body" : "a request without body") +
                    " must cover exactly " +
                    sf::Serialize(CoveredComponents(required, {})).value_or("?"));
  }

  // The profile's parameters (RFC 9421 §2.3): exactly these five, of these types.
  const int64_t* created = nullptr;
  const std::string* nonce = nullptr;
  const std::string* keyid = nullptr;
  const std::string* alg = nullptr;
  const std::string* tag = nullptr;
  for (const auto& [key, value] : fields->params) {
    const std::string* text = std::get_if<std::string>(&value);
    if (key == "created") {
      created = std::get_if<int64_t>(&value);
      if (created == nullptr) return fail(kWrongParameters, "created is not an integer");
      continue;
    }
    const std::string** slot = key == "nonce"   ? &nonce
                               : key == "keyid" ? &keyid
                               : key == "alg"   ? &alg
                               : key == "tag"   ? &tag
                                                : nullptr;
    if (slot == nullptr) return fail(kWrongParameters, "unexpected parameter " + key);
    if (text == nullptr) return fail(kWrongParameters, key + " is not a string");
    *slot = text;
  }
  if (tag == nullptr) return fail(kWrongParameters, "missing tag");
  if (*tag != kSignatureTag) return fail(kWrongTag, "tag is not \"entente\"");
  if (created == nullptr) return fail(kWrongParameters, "missing created");
  if (nonce == nullptr) return fail(kWrongParameters, "missing nonce");
  if (keyid == nullptr) return fail(kWrongParameters, "missing keyid");
  if (alg == nullptr) return fail(kWrongParameters, "missing alg");
  if (*alg != kSignatureAlgorithm) return fail(kWrongParameters, "alg is not \"ed25519\"");
  if (!IsValidNonce(*nonce)) {
    return fail(kWrongParameters, "nonce is not 16..64 base64url characters");
  }
  if (*created < 0) return fail(kWrongParameters, "created is negative");

  // The time window, both ways.
  const TimeMs now = clock_.Now();
  const int64_t created_ms = *created * 1000;  // |created| <= 10^15: no overflow
  const int64_t age_ms = now.time_since_epoch().count() - created_ms;
  const int64_t window_ms = std::chrono::milliseconds(kMaxSignatureSkew).count();
  if (age_ms > window_ms) {
    return fail(kStale, "created " + std::to_string(age_ms) + " ms before the clock (limit " +
                            std::to_string(window_ms) + " ms)");
  }
  if (-age_ms > window_ms) {
    return fail(kFuture, "created " + std::to_string(-age_ms) + " ms after the clock (limit " +
                             std::to_string(window_ms) + " ms)");
  }

  // The key: keyid is the key itself; the lookup says whether it is a known device's.
  auto claimed_key = ParseKeyId(*keyid);
  if (!claimed_key) return fail(kUnknownKey, "malformed keyid");
  std::optional<crypto::PublicKey> key = lookup_(*keyid);
  if (!key) return fail(kUnknownKey, "no known device with keyid " + *keyid);
  if (*key != *claimed_key) return fail(kUnknownKey, "key lookup returned another key");

  // RFC 9421 §3.2 step 6: the signature base from this request's component values.
  std::optional<std::string> content_digest;
  if (has_body) {
    content_digest = CombineFieldLines(request.headers, "content-digest");
    if (!content_digest) return fail(kMissingField, "request with a body has no Content-Digest");
  }
  std::vector<ComponentValue> values;
  for (const std::string& name : fields->components) {
    // The component check above admits only these three, content-digest only with a body.
    std::string_view value = name == kMethod      ? request.method
                             : name == kTargetUri ? request.target_uri
                             : content_digest     ? std::string_view(*content_digest)
                                                  : std::string_view();
    values.push_back({name, value});
  }
  auto base = BuildSignatureBase(values, fields->params);
  if (!base) return fail(kMalformedField, base.error().message());

  // RFC 9421 §3.2 step 8 and §3.3.6: Ed25519 over the base, no domain prefix.
  if (!key->Verify(crypto::Domain::SignedNote(), AsBytes(*base), fields->signature)) {
    return fail(kBadSignature, "Ed25519 signature does not verify");
  }

  // RFC 9530: the signed digest must be the body's.
  if (has_body) {
    if (Status digest = VerifyContentDigest(*content_digest, request.body); !digest) {
      return fail(
          digest.error().code() == ErrorCode::kUnauthenticated ? kDigestMismatch : kMalformedField,
          digest.error().message());
    }
  }

  // RFC 9421 §7.2.2: the replay guard, last, so that only authentic requests take a slot.
  const TimeMs expiry = FromUnixMs(static_cast<uint64_t>(created_ms)) + kMaxSignatureSkew;
  if (Status fresh = nonces_.Remember(*keyid, *nonce, expiry, now); !fresh) {
    if (fresh.error().code() == ErrorCode::kAlreadyExists) {
      return fail(kReplay, "nonce " + *nonce + " already used by keyid " + *keyid);
    }
    return fail(kReplayGuardUnavailable, fresh.error().message());
  }
  return VerifiedSigner{.keyid = *keyid,
                        .public_key = *key,
                        .created = FromUnixMs(static_cast<uint64_t>(created_ms))};
}

}  // namespace entente::net
