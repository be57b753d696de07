#include "crypto/baseline.h"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#include <cstdlib>

namespace entente::crypto::baseline {

void Init() {
  if (sodium_init() < 0) std::abort();
}

void RawEnvelopeSeal(ByteView content, std::span<const std::array<uint8_t, 32>> recipients) {
  uint8_t dek[32], nonce[24], aad[32] = {};
  uint8_t wrap_in[64] = {}, wrapped[112];
  static thread_local Bytes out;
  out.resize(content.size() + 16);
  randombytes_buf(dek, sizeof dek);
  randombytes_buf(nonce, sizeof nonce);
  unsigned long long len;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &len, content.data(), content.size(), aad,
                                             sizeof aad, nullptr, nonce, dek);
  for (const auto& pk : recipients) crypto_box_seal(wrapped, wrap_in, sizeof wrap_in, pk.data());
}

void RawSha256(ByteView data, uint8_t out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out, &ctx);
}

std::array<uint8_t, 32> RawBoxPublicKey() {
  std::array<uint8_t, 32> pk;
  uint8_t sk[32];
  crypto_box_keypair(pk.data(), sk);
  sodium_memzero(sk, sizeof sk);
  return pk;
}

RawSignedMessage RawEd25519SignedMessage(size_t size) {
  RawSignedMessage out;
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(out.public_key.data(), sk);
  out.message.resize(size);
  randombytes_buf(out.message.data(), size);
  crypto_sign_detached(out.signature.data(), nullptr, out.message.data(), size, sk);
  sodium_memzero(sk, sizeof sk);
  return out;
}

bool RawEd25519Verify(const RawSignedMessage& signed_message) {
  return crypto_sign_verify_detached(signed_message.signature.data(), signed_message.message.data(),
                                     signed_message.message.size(),
                                     signed_message.public_key.data()) == 0;
}

}  // namespace entente::crypto::baseline
