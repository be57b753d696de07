// Our crypto wrappers beside the raw libsodium / OpenSSL calls they make, in the same run, so
// the wrapper overhead is visible as a ratio (aim: under 5 %).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>

#include "crypto/box.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/sign.h"

namespace entente::crypto {
namespace {

constexpr size_t kEventSize = 300;  // a typical event header

void BM_Sign_Ours(benchmark::State& state) {
  SigningKey key = SigningKey::Generate();
  Bytes msg = RandomBytes(kEventSize);
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign("entente/event/v1\n", msg));
  state.SetItemsProcessed(state.iterations());
}
void BM_Sign_RawSodium(benchmark::State& state) {
  unsigned char pk[32], sk[64], sig[64];
  crypto_sign_keypair(pk, sk);
  Bytes msg = RandomBytes(kEventSize + 17);
  for (auto _ : state) {
    crypto_sign_detached(sig, nullptr, msg.data(), msg.size(), sk);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Verify_Ours(benchmark::State& state) {
  SigningKey key = SigningKey::Generate();
  Bytes msg = RandomBytes(kEventSize);
  Signature sig = key.Sign("entente/event/v1\n", msg);
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.public_key().Verify("entente/event/v1\n", msg, sig));
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Verify_RawSodium(benchmark::State& state) {
  unsigned char pk[32], sk[64], sig[64];
  crypto_sign_keypair(pk, sk);
  Bytes msg = RandomBytes(kEventSize + 17);
  crypto_sign_detached(sig, nullptr, msg.data(), msg.size(), sk);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_sign_verify_detached(sig, msg.data(), msg.size(), pk));
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Seal_Ours(benchmark::State& state) {
  EncryptionKey key = EncryptionKey::Generate();
  Bytes dek = RandomBytes(64);
  for (auto _ : state) benchmark::DoNotOptimize(Seal(key.public_key(), dek));
  state.SetItemsProcessed(state.iterations());
}
void BM_Seal_RawSodium(benchmark::State& state) {
  unsigned char pk[32], sk[32];
  crypto_box_keypair(pk, sk);
  Bytes dek = RandomBytes(64);
  Bytes out(64 + crypto_box_SEALBYTES);
  for (auto _ : state) {
    crypto_box_seal(out.data(), dek.data(), dek.size(), pk);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Open_Ours(benchmark::State& state) {
  EncryptionKey key = EncryptionKey::Generate();
  Bytes sealed = Seal(key.public_key(), RandomBytes(64));
  for (auto _ : state) benchmark::DoNotOptimize(OpenSealed(key, sealed));
  state.SetItemsProcessed(state.iterations());
}
void BM_Open_RawSodium(benchmark::State& state) {
  unsigned char pk[32], sk[32];
  crypto_box_keypair(pk, sk);
  Bytes sealed(64 + crypto_box_SEALBYTES), out(64);
  Bytes dek = RandomBytes(64);
  crypto_box_seal(sealed.data(), dek.data(), dek.size(), pk);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), pk, sk));
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Aead_Ours(benchmark::State& state) {
  SecretBytes key = RandomSecret(kAeadKeySize);
  Bytes nonce = RandomBytes(kAeadNonceSize);
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(AeadEncrypt(key, nonce, msg, {}));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
void BM_AeadInto_Ours(benchmark::State& state) {
  SecretBytes key = RandomSecret(kAeadKeySize);
  Bytes nonce = RandomBytes(kAeadNonceSize);
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  Bytes out(msg.size() + kAeadTagSize);
  for (auto _ : state) {
    benchmark::DoNotOptimize(AeadEncryptInto(key, nonce, msg, {}, out));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
void BM_Aead_RawSodium(benchmark::State& state) {
  Bytes key = RandomBytes(kAeadKeySize), nonce = RandomBytes(kAeadNonceSize);
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  Bytes out(msg.size() + kAeadTagSize);
  for (auto _ : state) {
    unsigned long long n;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &n, msg.data(), msg.size(), nullptr, 0,
                                               nullptr, nonce.data(), key.data());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
void BM_Sha256_Ours(benchmark::State& state) {
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Sha256(msg));
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
void BM_Sha256_RawOpenSsl(benchmark::State& state) {
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  for (auto _ : state) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, msg.data(), msg.size());
    SHA256_Final(out, &ctx);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
void BM_Sha256_OpenSslOneShot(benchmark::State& state) {
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  for (auto _ : state) {
    SHA256(msg.data(), msg.size(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
void BM_Sha256_OpenSslEvp(benchmark::State& state) {
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  for (auto _ : state) {
    EVP_Digest(msg.data(), msg.size(), out, nullptr, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}
void BM_Sha256_RawSodium(benchmark::State& state) {
  Bytes msg = RandomBytes(static_cast<size_t>(state.range(0)));
  unsigned char out[32];
  for (auto _ : state) {
    crypto_hash_sha256(out, msg.data(), msg.size());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Sign_Ours);
BENCHMARK(BM_Sign_RawSodium);
BENCHMARK(BM_Verify_Ours);
BENCHMARK(BM_Verify_RawSodium);
BENCHMARK(BM_Seal_Ours);
BENCHMARK(BM_Seal_RawSodium);
BENCHMARK(BM_Open_Ours);
BENCHMARK(BM_Open_RawSodium);
BENCHMARK(BM_Aead_Ours)->Arg(1024)->Arg(65536);
BENCHMARK(BM_AeadInto_Ours)->Arg(1024)->Arg(65536);
BENCHMARK(BM_Aead_RawSodium)->Arg(1024)->Arg(65536);
BENCHMARK(BM_Sha256_Ours)->Arg(65)->Arg(4096);
BENCHMARK(BM_Sha256_RawOpenSsl)->Arg(65)->Arg(4096);
BENCHMARK(BM_Sha256_OpenSslOneShot)->Arg(65)->Arg(4096);
BENCHMARK(BM_Sha256_OpenSslEvp)->Arg(65)->Arg(4096);
BENCHMARK(BM_Sha256_RawSodium)->Arg(65)->Arg(4096);

}  // namespace
}  // namespace entente::crypto

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
