// net/vectors.h: the signed-request examples of docs/formats/http-signatures.md, kept in
// testdata/http-signatures/ so that another implementation can check its signature bases and
// fields against ours. Built from fixed inputs (key seed, created, nonce), so they are
// deterministic (Ed25519 signatures are); used by the generator (http_signatures_vectors) and by
// the tests, which check that the files are what the code produces and that they verify.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/sign.h"
#include "net/http_signatures.h"

namespace entente::net {

struct SignatureExample {
  std::string name;  // file stem: testdata/http-signatures/<name>.txt and <name>.base
  std::string method;
  std::string target_uri;
  std::string body;  // one line of text, possibly empty
  int64_t created = 0;
  std::string nonce;
  SignedHeaders headers;
};

// The example device key: RFC 8032 private key (seed) 0x01 0x02 ... 0x20, the author key of
// testdata/event/v1.json.
crypto::SigningKey ExampleDeviceKey();

// The examples: "post" (a JSON body, so Content-Digest is covered) and "get" (no body), both
// created at 2026-11-28T10:17:00Z (1795861020) with fixed nonces.
[[nodiscard]] Result<std::vector<SignatureExample>> SignatureExamples();

// testdata/http-signatures/key.txt: the example key's seed, public key and keyid.
std::string ExampleKeyText();
// testdata/http-signatures/<name>.txt: one "<field> <value>" line per input and output.
std::string ExampleText(const SignatureExample& example);

}  // namespace entente::net
