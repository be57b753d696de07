#include "net/content_digest.h"

#include <variant>

#include "crypto/hash.h"
#include "net/structured_fields.h"

namespace entente::net {

std::string ContentDigest(ByteView body) {
  crypto::Digest digest = crypto::Sha256(body);
  // RFC 9530 §2: a Dictionary member whose value is a Byte Sequence (RFC 8941 §4.1.8).
  sf::Dictionary field = {{std::string(kContentDigestAlgorithm),
                           sf::Item{.value = Bytes(digest.begin(), digest.end())}}};
  // A fixed key and a byte sequence always serialize.
  return sf::Serialize(field).value();
}

Status VerifyContentDigest(std::string_view field_value, ByteView body) {
  ENTENTE_ASSIGN_OR_RETURN(sf::Dictionary field, sf::ParseDictionary(field_value));
  // RFC 9530 §2: a recipient MAY ignore any member; we ignore all but sha-256.
  const sf::Member* member = sf::FindMember(field, kContentDigestAlgorithm);
  if (member == nullptr) return InvalidArgument("Content-Digest has no sha-256 member");
  const auto* item = std::get_if<sf::Item>(member);
  const Bytes* claimed = item != nullptr ? std::get_if<Bytes>(&item->value) : nullptr;
  if (claimed == nullptr || claimed->size() != crypto::Digest().size()) {
    return InvalidArgument("Content-Digest sha-256 member is not a 32-byte byte sequence");
  }
  crypto::Digest actual = crypto::Sha256(body);
  if (!Equal(*claimed, actual)) return Unauthenticated("content digest mismatch");
  return {};
}

}  // namespace entente::net
