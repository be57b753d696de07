// Envelope sealing for 1, 10 and 100 recipients beside the raw libsodium operations it performs
// (one XChaCha20-Poly1305 encryption of the content, one crypto_box_seal of DEK || aad per
// recipient), measured in the same run: the ratio is the envelope's own overhead (sorting,
// encoding, copies).
#include <benchmark/benchmark.h>

#include "crypto/baseline.h"
#include "crypto/random.h"
#include "ledger/envelope.h"

namespace entente::ledger {
namespace {

constexpr size_t kContentSize = 2048;  // a typical message

std::vector<crypto::EncryptionPublicKey> Keys(size_t n) {
  std::vector<crypto::EncryptionPublicKey> keys;
  for (size_t i = 0; i < n; ++i) keys.push_back(crypto::EncryptionKey::Generate().public_key());
  return keys;
}

void BM_Envelope_SealAndEncode(benchmark::State& state) {
  auto keys = Keys(static_cast<size_t>(state.range(0)));
  Bytes content = crypto::RandomBytes(kContentSize);
  crypto::Digest aad{};
  for (auto _ : state) {
    auto env = SealEnvelope(content, aad, keys);
    benchmark::DoNotOptimize(EncodeEnvelope(*env));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Envelope_RawSodium(benchmark::State& state) {
  std::vector<std::array<uint8_t, 32>> keys(static_cast<size_t>(state.range(0)));
  for (auto& pk : keys) pk = crypto::baseline::RawBoxPublicKey();
  Bytes content = crypto::RandomBytes(kContentSize);
  for (auto _ : state) crypto::baseline::RawEnvelopeSeal(content, keys);
  state.SetItemsProcessed(state.iterations());
}

void BM_Envelope_Open(benchmark::State& state) {
  auto key = crypto::EncryptionKey::Generate();
  auto keys = Keys(static_cast<size_t>(state.range(0)) - 1);
  keys.push_back(key.public_key());
  crypto::Digest aad{};
  auto env = SealEnvelope(crypto::RandomBytes(kContentSize), aad, keys).value();
  for (auto _ : state) benchmark::DoNotOptimize(OpenEnvelope(env, aad, key));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Envelope_SealAndEncode)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_Envelope_RawSodium)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_Envelope_Open)->Arg(1)->Arg(100);

}  // namespace
}  // namespace entente::ledger

int main(int argc, char** argv) {
  entente::crypto::baseline::Init();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
