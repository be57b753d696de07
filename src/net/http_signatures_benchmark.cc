// Request authentication speed beside the Ed25519 verification it is built on, in the same
// binary and run.
//
// Verifying a signed request costs one Ed25519 verification, one SHA-256 of the body, parsing
// two structured fields and one replay-guard insertion. crypto/baseline.h offers no raw Ed25519
// call (only SHA-256 and sealing), so the floor here is crypto::PublicKey::Verify on the same
// signature base: libsodium's crypto_sign_verify_detached behind a bounds check and, for the
// empty domain, one memcpy of the base. BM_VerifyRequest reports `vs_raw_verify`, requests per
// second divided by bare verifications per second (aim: close to 1, i.e. the profile adds little
// to the signature check). Bodies are 1 KiB, a typical event post; BM_ContentDigest_1KiB sits
// beside the raw OpenSSL SHA-256 of the same bytes.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "crypto/baseline.h"
#include "net/content_digest.h"
#include "net/http_signatures.h"
#include "net/vectors.h"

namespace entente::net {
namespace {

constexpr std::string_view kUri =
    "https://usa.entente.example/v1/spaces/00112233445566778899aabbccddeeff/events";
const TimeMs kStart = FromUnixMs(1'795'861'020'000);

const std::string& Body() {
  static const std::string body(1024, 'x');
  return body;
}

// Admits every nonce: isolates verification from the replay guard (BM_SignAndVerify and
// BM_VerifyRequestWithReplayGuard include it).
class AcceptAllNonces final : public NonceCache {
 public:
  Status Remember(std::string_view, std::string_view, TimeMs, TimeMs) override { return {}; }
};

struct Signed {
  HeaderMap headers;
  std::string base;
  Bytes signature;
};

std::vector<Signed> SignMany(const crypto::SigningKey& key, size_t count) {
  std::vector<Signed> out;
  OutgoingRequest request{.method = "POST", .target_uri = kUri, .body = AsBytes(Body())};
  ManualClock clock(kStart);
  for (size_t i = 0; i < count; ++i) {
    SignedHeaders h = SignRequest(request, key, clock).value();
    Signed s;
    h.AddTo(s.headers);
    s.base = h.signature_base;
    s.signature =
        ParseSignatureFields(h.signature_input, h.signature, kSignatureLabel).value().signature;
    out.push_back(std::move(s));
  }
  return out;
}

// crypto::PublicKey::Verify of a request's signature base per second, measured once.
double RawVerifyPerSecond() {
  static const double rate = [] {
    crypto::SigningKey key = ExampleDeviceKey();
    std::vector<Signed> requests = SignMany(key, 64);
    constexpr int kCount = 20'000;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCount; ++i) {
      const Signed& s = requests[static_cast<size_t>(i) % requests.size()];
      Status ok =
          key.public_key().Verify(crypto::Domain::SignedNote(), AsBytes(s.base), s.signature);
      benchmark::DoNotOptimize(ok);
    }
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    return kCount / elapsed.count();
  }();
  return rate;
}

void BM_RawEd25519Verify(benchmark::State& state) {
  crypto::SigningKey key = ExampleDeviceKey();
  std::vector<Signed> requests = SignMany(key, 64);
  size_t i = 0;
  for (auto _ : state) {
    const Signed& s = requests[i++ % requests.size()];
    Status ok = key.public_key().Verify(crypto::Domain::SignedNote(), AsBytes(s.base), s.signature);
    if (!ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEd25519Verify);

void BM_SignRequest(benchmark::State& state) {
  crypto::SigningKey key = ExampleDeviceKey();
  ManualClock clock(kStart);
  OutgoingRequest request{.method = "POST", .target_uri = kUri, .body = AsBytes(Body())};
  for (auto _ : state) {
    auto headers = SignRequest(request, key, clock);
    benchmark::DoNotOptimize(headers);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignRequest);

void BM_VerifyRequest(benchmark::State& state) {
  const double raw = RawVerifyPerSecond();
  crypto::SigningKey key = ExampleDeviceKey();
  const crypto::PublicKey public_key = key.public_key();
  const std::string keyid = KeyIdOf(public_key);
  std::vector<Signed> requests = SignMany(key, 1024);
  ManualClock clock(kStart);
  AcceptAllNonces nonces;
  RequestVerifier verifier(
      clock,
      [&](std::string_view id) -> std::optional<crypto::PublicKey> {
        if (id == keyid) return public_key;
        return std::nullopt;
      },
      nonces);
  size_t i = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const Signed& s = requests[i++ % requests.size()];
    auto verified = verifier.Verify(IncomingRequest{
        .method = "POST", .target_uri = kUri, .headers = s.headers, .body = AsBytes(Body())});
    if (!verified) state.SkipWithError(verified.error().ToString().c_str());
    benchmark::DoNotOptimize(verified);
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const double rate = static_cast<double>(state.iterations()) / elapsed.count();
  state.SetItemsProcessed(state.iterations());
  state.counters["raw_verify_per_s"] = raw;
  state.counters["vs_raw_verify"] = rate / raw;
}
BENCHMARK(BM_VerifyRequest);

// Sign and verify one fresh request per iteration, through the real replay guard; the clock
// moves 1 ms per request so that the guard also drops expired entries as it would in service.
void BM_SignAndVerify(benchmark::State& state) {
  const double raw = RawVerifyPerSecond();
  crypto::SigningKey key = ExampleDeviceKey();
  const crypto::PublicKey public_key = key.public_key();
  const std::string keyid = KeyIdOf(public_key);
  ManualClock clock(kStart);
  InMemoryNonceCache nonces(1'000'000);
  RequestVerifier verifier(
      clock,
      [&](std::string_view id) -> std::optional<crypto::PublicKey> {
        if (id == keyid) return public_key;
        return std::nullopt;
      },
      nonces);
  OutgoingRequest request{.method = "POST", .target_uri = kUri, .body = AsBytes(Body())};
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    SignedHeaders signed_headers = SignRequest(request, key, clock).value();
    HeaderMap headers;
    signed_headers.AddTo(headers);
    auto verified = verifier.Verify(IncomingRequest{
        .method = "POST", .target_uri = kUri, .headers = headers, .body = AsBytes(Body())});
    if (!verified) state.SkipWithError(verified.error().ToString().c_str());
    benchmark::DoNotOptimize(verified);
    clock.Advance(std::chrono::milliseconds(1));
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const double rate = static_cast<double>(state.iterations()) / elapsed.count();
  state.SetItemsProcessed(state.iterations());
  state.counters["raw_verify_per_s"] = raw;
  state.counters["vs_raw_verify"] = rate / raw;
}
BENCHMARK(BM_SignAndVerify);

void BM_ContentDigest_1KiB(benchmark::State& state) {
  for (auto _ : state) {
    std::string digest = ContentDigest(AsBytes(Body()));
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Body().size()));
}
BENCHMARK(BM_ContentDigest_1KiB);

void BM_RawSha256_1KiB(benchmark::State& state) {
  uint8_t out[32];
  for (auto _ : state) {
    crypto::baseline::RawSha256(AsBytes(Body()), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Body().size()));
}
BENCHMARK(BM_RawSha256_1KiB);

void BM_ParseSignatureFields(benchmark::State& state) {
  crypto::SigningKey key = ExampleDeviceKey();
  std::vector<Signed> requests = SignMany(key, 1);
  std::string input = *CombineFieldLines(requests[0].headers, "signature-input");
  std::string sig = *CombineFieldLines(requests[0].headers, "signature");
  for (auto _ : state) {
    auto fields = ParseSignatureFields(input, sig, kSignatureLabel);
    benchmark::DoNotOptimize(fields);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSignatureFields);

}  // namespace
}  // namespace entente::net

int main(int argc, char** argv) {
  entente::crypto::baseline::Init();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
