// Writes testdata/event/v1.json and testdata/envelope/v1.json. Run from the source root:
// build/<dir>/ledger_vectors. Event encodings are deterministic (fixed key, fixed fields);
// envelopes hold random nonces and ephemeral keys, so a new run writes a new, equally valid
// envelope vector: regenerate only when adding a format version.
#include <cstdio>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/box.h"
#include "ledger/envelope.h"
#include "ledger/vectors.h"

namespace {

using namespace entente;
using namespace entente::ledger;

Status Run() {
  // Three recipients with fixed private keys; the envelope is sealed to the first two.
  std::vector<crypto::EncryptionKey> keys;
  for (uint8_t k = 1; k <= 3; ++k) {
    ENTENTE_ASSIGN_OR_RETURN(auto key, crypto::EncryptionKey::FromSecret(Bytes(32, k)));
    keys.push_back(std::move(key));
  }
  // The aad does not depend on body_hash or signature, so seal against the unsigned example.
  ENTENTE_ASSIGN_OR_RETURN(EventHeader draft, ExampleHeader(ExampleBody({})));
  crypto::Digest aad = EnvelopeAad(draft);
  std::string plaintext = "Proposed agenda for the plenary: 1. deterrence posture review.";
  std::vector<crypto::EncryptionPublicKey> to = {keys[0].public_key(), keys[1].public_key()};
  ENTENTE_ASSIGN_OR_RETURN(Envelope env, SealEnvelope(AsBytes(plaintext), aad, to));
  ENTENTE_ASSIGN_OR_RETURN(Bytes env_bytes, EncodeEnvelope(env));

  EventBody body = ExampleBody(env_bytes);
  ENTENTE_ASSIGN_OR_RETURN(EventHeader header, ExampleHeader(body));
  ENTENTE_ASSIGN_OR_RETURN(Bytes header_bytes, EncodeHeader(header));
  ENTENTE_ASSIGN_OR_RETURN(Bytes body_bytes, EncodeBody(body));
  Bytes leaf_input = {0x00};
  Append(leaf_input, header_bytes);

  nlohmann::json event = {
      {"description", "message.post event, author seed 0102..20 (RFC 8032 private key)"},
      {"author_seed",
       HexEncode(Bytes{1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})},
      {"header", HeaderToJson(header)},
      {"header_encoding", HexEncode(header_bytes)},
      {"leaf_hash", HexEncode(crypto::Sha256(leaf_input))},
      {"body_meta", ToString(body.meta)},
      {"body_encoding", HexEncode(body_bytes)},
  };
  nlohmann::json envelope = {
      {"description", "envelope of testdata/event/v1.json, sealed to recipients 1 and 2"},
      {"recipient_secrets", {HexEncode(Bytes(32, 1)), HexEncode(Bytes(32, 2))}},
      {"non_recipient_secret", HexEncode(Bytes(32, 3))},
      {"aad", HexEncode(aad)},
      {"plaintext", plaintext},
      {"envelope_encoding", HexEncode(env_bytes)},
  };
  std::string e = event.dump(2) + "\n", v = envelope.dump(2) + "\n";
  ENTENTE_RETURN_IF_ERROR(WriteFileAtomic("testdata/event/v1.json", AsBytes(e), 0644, false));
  ENTENTE_RETURN_IF_ERROR(WriteFileAtomic("testdata/envelope/v1.json", AsBytes(v), 0644, false));
  return {};
}

}  // namespace

int main() {
  if (auto status = Run(); !status) {
    std::fprintf(stderr, "ledger_vectors: %s (run from the source root)\n",
                 status.error().message().c_str());
    return 1;
  }
  return 0;
}
