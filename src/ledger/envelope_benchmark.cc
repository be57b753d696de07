// Envelope sealing for 1, 10 and 100 recipients beside the raw libsodium operations it performs
// (one XChaCha20-Poly1305 encryption of the content, one crypto_box_seal of DEK || aad per
// recipient), measured in the same run: the ratio is the envelope's own overhead (sorting,
// encoding, copies).
#include <benchmark/benchmark.h>
#include <sodium.h>

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
  size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::array<uint8_t, 32>> keys(n);
  for (auto& pk : keys) {
    uint8_t sk[32];
    crypto_box_keypair(pk.data(), sk);
  }
  Bytes content = crypto::RandomBytes(kContentSize);
  Bytes out(kContentSize + 16), wrap_in(64), wrapped(112);
  uint8_t dek[32], nonce[24], aad[32] = {};
  for (auto _ : state) {
    randombytes_buf(dek, sizeof dek);
    randombytes_buf(nonce, sizeof nonce);
    unsigned long long len;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &len, content.data(), content.size(),
                                               aad, sizeof aad, nullptr, nonce, dek);
    for (const auto& pk : keys) {
      crypto_box_seal(wrapped.data(), wrap_in.data(), wrap_in.size(), pk.data());
      benchmark::DoNotOptimize(wrapped);
    }
  }
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
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
