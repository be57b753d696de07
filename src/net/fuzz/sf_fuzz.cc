// Fuzzes the structured-field parsers and the request verifier on untrusted header values.
//
// The input is read as lines: Signature-Input, Signature, Content-Digest, then the body (the
// rest, newlines included). Each of the first three lines goes through every structured-field
// parser; whatever parses must serialize, parse back to an equal structure, and serialize again
// to the same text. Then the lines go to RequestVerifier::Verify as a POST (or a GET when the body
// is empty) on a fixed clock with the testdata example key known: it must never crash, and if it
// accepts, the signer must be that key. The corpus holds the testdata examples, so the accepting
// path is exercised too.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/content_digest.h"
#include "net/http_signatures.h"
#include "net/structured_fields.h"
#include "net/vectors.h"

namespace {

using namespace entente;
using namespace entente::net;

template <class T, class Parse>
void CheckRoundTrip(std::string_view text, Parse parse) {
  Result<T> parsed = parse(text);
  if (!parsed) return;
  Result<std::string> serialized = sf::Serialize(*parsed);
  if (!serialized) std::abort();  // everything parsed is representable
  Result<T> again = parse(*serialized);
  if (!again || !(*again == *parsed)) std::abort();
  Result<std::string> reserialized = sf::Serialize(*again);
  if (!reserialized || *reserialized != *serialized) std::abort();
}

const crypto::PublicKey& ExampleKey() {
  static const crypto::PublicKey key = ExampleDeviceKey().public_key();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (lines.size() < 3) {
    size_t end = input.find('\n');
    lines.push_back(input.substr(0, end));
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  std::string_view body = input;

  for (std::string_view line : lines) {
    CheckRoundTrip<sf::Dictionary>(line, [](std::string_view t) { return sf::ParseDictionary(t); });
    CheckRoundTrip<sf::List>(line, [](std::string_view t) { return sf::ParseList(t); });
    CheckRoundTrip<sf::Item>(line, [](std::string_view t) { return sf::ParseItem(t); });
  }
  (void)VerifyContentDigest(lines[2], AsBytes(body));
  (void)ParseSignatureFields(lines[0], lines[1], kSignatureLabel);

  HeaderMap headers = {{"signature-input", std::string(lines[0])},
                       {"signature", std::string(lines[1])}};
  if (!lines[2].empty()) headers.emplace("content-digest", std::string(lines[2]));
  ManualClock clock(FromUnixMs(1'795'861'020'000));  // the testdata examples' created time
  InMemoryNonceCache nonces(4);
  RequestVerifier verifier(
      clock,
      [](std::string_view keyid) -> std::optional<crypto::PublicKey> {
        if (keyid == KeyIdOf(ExampleKey())) return ExampleKey();
        return std::nullopt;
      },
      nonces);
  const bool has_body = !body.empty();
  IncomingRequest request{
      .method = has_body ? "POST" : "GET",
      .target_uri =
          has_body ? "https://usa.entente.example/v1/spaces/00112233445566778899aabbccddeeff/events"
                   : "https://usa.entente.example/v1/spaces/00112233445566778899aabbccddeeff/"
                     "checkpoint",
      .headers = headers,
      .body = AsBytes(body)};
  auto verified = verifier.Verify(request);
  if (verified) {
    if (verified->public_key != ExampleKey()) std::abort();
    // The same request again is a replay.
    auto replayed = verifier.Verify(request);
    if (replayed || replayed.error().code != VerifyFailureCode::kReplay) std::abort();
  } else if (verified.error().PeerError().message().empty()) {
    std::abort();
  }
  return 0;
}
