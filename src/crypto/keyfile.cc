#include "crypto/keyfile.h"

#include <sodium.h>

#include "base/tls_codec.h"
#include "crypto/random.h"
#include "crypto/sodium.h"

namespace entente::crypto {
namespace {

constexpr std::string_view kMagic = "ENTENTEK";
constexpr uint8_t kVersion = 1;
constexpr uint8_t kKdfArgon2id13 = 1;
constexpr std::string_view kAadDomain = "entente/keyfile/v1\n";
constexpr size_t kSaltSize = 16;
// Limits a reader accepts, so that a hostile file cannot make the reader spin or allocate.
constexpr uint32_t kMaxOpslimit = 16;
constexpr uint32_t kMinMemlimitKib = 8;
constexpr uint32_t kMaxMemlimitKib = 1024 * 1024;  // 1 GiB

static_assert(crypto_pwhash_SALTBYTES == kSaltSize);

struct Parsed {
  KeyFileInfo info;
  ByteView salt;
  ByteView nonce;
  ByteView header;  // every byte before the ciphertext vector
  ByteView ciphertext;
};

Result<Parsed> Parse(ByteView file) {
  Reader r(file, "key file");
  Parsed p;
  ByteView magic = r.Fixed("magic", kMagic.size());
  if (r.ok() && !Equal(magic, AsBytes(kMagic))) {
    return InvalidArgument("key file: not an Entente key file (bad magic)");
  }
  p.info.version = r.U8("version");
  if (r.ok() && p.info.version != kVersion) {
    return InvalidArgument("key file: unsupported version " + std::to_string(p.info.version));
  }
  uint8_t kdf = r.U8("kdf");
  if (r.ok() && kdf != kKdfArgon2id13) {
    return InvalidArgument("key file: unknown kdf " + std::to_string(kdf));
  }
  p.info.kdf.opslimit = r.U32("opslimit");
  p.info.kdf.memlimit_kib = r.U32("memlimit_kib");
  if (r.ok() &&
      (p.info.kdf.opslimit < 1 || p.info.kdf.opslimit > kMaxOpslimit ||
       p.info.kdf.memlimit_kib < kMinMemlimitKib || p.info.kdf.memlimit_kib > kMaxMemlimitKib)) {
    return InvalidArgument("key file: KDF parameters out of range (opslimit " +
                           std::to_string(p.info.kdf.opslimit) + ", memlimit " +
                           std::to_string(p.info.kdf.memlimit_kib) + " KiB)");
  }
  p.salt = r.Fixed("salt", kSaltSize);
  p.nonce = r.Fixed("nonce", kAeadNonceSize);
  Reader pub = r.SubVector("public", 0, 0xffff);
  ByteView signing = pub.Fixed("signing_public", PublicKey::kSize);
  ByteView encryption = pub.Fixed("encryption_public", EncryptionPublicKey::kSize);
  p.info.comment = ToString(pub.Vector("comment", 0, 255));
  r.Absorb(pub.Finish());
  p.header = file.first(r.position());
  p.ciphertext = r.Vector("ciphertext", 0, 0xffff);
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  p.info.signing_public = PublicKey(ToArray<PublicKey::kSize>(signing));
  p.info.encryption_public = EncryptionPublicKey(ToArray<EncryptionPublicKey::kSize>(encryption));
  return p;
}

Result<SecretBytes> DeriveKey(const SecretBytes& passphrase, ByteView salt, KdfParams params) {
  internal::EnsureSodium();
  SecretBytes key(kAeadKeySize);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt.data(), params.opslimit,
                    static_cast<size_t>(params.memlimit_kib) * 1024,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhausted("key file: not enough memory for the key derivation");
  }
  return key;
}

Bytes Aad(ByteView header) {
  Bytes aad = ToBytes(kAadDomain);
  Append(aad, header);
  return aad;
}

}  // namespace

Identity Identity::Generate() {
  return Identity{SigningKey::Generate(), EncryptionKey::Generate()};
}

KdfParams KdfParams::Interactive() {
  return {static_cast<uint32_t>(crypto_pwhash_OPSLIMIT_INTERACTIVE),
          static_cast<uint32_t>(crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024)};
}
KdfParams KdfParams::Moderate() {
  return {static_cast<uint32_t>(crypto_pwhash_OPSLIMIT_MODERATE),
          static_cast<uint32_t>(crypto_pwhash_MEMLIMIT_MODERATE / 1024)};
}
KdfParams KdfParams::ForTests() {
  return {static_cast<uint32_t>(crypto_pwhash_OPSLIMIT_MIN),
          static_cast<uint32_t>(crypto_pwhash_MEMLIMIT_MIN / 1024)};
}

Result<Bytes> EncodeKeyFile(const Identity& identity, std::string_view comment,
                            const SecretBytes& passphrase, KdfParams params) {
  if (passphrase.empty()) return InvalidArgument("key file: the passphrase is empty");
  for (char c : comment) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("key file: the comment has a control character");
    }
  }
  if (comment.size() > 255) return InvalidArgument("key file: comment longer than 255 bytes");

  auto salt = RandomArray<kSaltSize>();
  auto nonce = RandomArray<kAeadNonceSize>();
  Writer w("key file");
  w.Fixed("magic", AsBytes(kMagic), kMagic.size());
  w.U8(kVersion);
  w.U8(kKdfArgon2id13);
  w.U32(params.opslimit);
  w.U32(params.memlimit_kib);
  w.Fixed("salt", salt, kSaltSize);
  w.Fixed("nonce", nonce, kAeadNonceSize);
  auto pub = w.BeginVector("public", 0, 0xffff);
  w.Fixed("signing_public", identity.signing.public_key().view(), PublicKey::kSize);
  w.Fixed("encryption_public", identity.encryption.public_key().view(), EncryptionPublicKey::kSize);
  w.Vector("comment", AsBytes(comment), 0, 255);
  w.EndVector(pub);
  ENTENTE_ASSIGN_OR_RETURN(Bytes header, std::move(w).Finish());

  SecretBytes plaintext(SigningKey::kSeedSize + EncryptionKey::kSecretSize);
  std::copy(identity.signing.seed().view().begin(), identity.signing.seed().view().end(),
            plaintext.data());
  std::copy(identity.encryption.secret().view().begin(), identity.encryption.secret().view().end(),
            plaintext.data() + SigningKey::kSeedSize);
  ENTENTE_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKey(passphrase, salt, params));
  ENTENTE_ASSIGN_OR_RETURN(Bytes ciphertext,
                           AeadEncrypt(kek, nonce, plaintext.view(), Aad(header)));
  Writer tail("key file");
  tail.Vector("ciphertext", ciphertext, 0, 0xffff);
  ENTENTE_ASSIGN_OR_RETURN(Bytes tail_bytes, std::move(tail).Finish());
  Append(header, tail_bytes);
  return header;
}

Result<KeyFileInfo> InspectKeyFile(ByteView file) {
  ENTENTE_ASSIGN_OR_RETURN(Parsed parsed, Parse(file));
  return parsed.info;
}

Result<Identity> DecodeKeyFile(ByteView file, const SecretBytes& passphrase) {
  ENTENTE_ASSIGN_OR_RETURN(Parsed parsed, Parse(file));
  ENTENTE_ASSIGN_OR_RETURN(SecretBytes kek, DeriveKey(passphrase, parsed.salt, parsed.info.kdf));
  auto plaintext = AeadDecrypt(kek, parsed.nonce, parsed.ciphertext, Aad(parsed.header));
  if (!plaintext || plaintext->size() != SigningKey::kSeedSize + EncryptionKey::kSecretSize) {
    return Unauthenticated("key file: wrong passphrase or tampered key file");
  }
  ByteView all = plaintext->view();
  ENTENTE_ASSIGN_OR_RETURN(SigningKey signing, SigningKey::FromSeed(all.first(32)));
  ENTENTE_ASSIGN_OR_RETURN(EncryptionKey encryption, EncryptionKey::FromSecret(all.subspan(32)));
  if (signing.public_key() != parsed.info.signing_public ||
      encryption.public_key() != parsed.info.encryption_public) {
    return DataLoss("key file: private keys do not match the public keys it shows");
  }
  return Identity{std::move(signing), std::move(encryption)};
}

}  // namespace entente::crypto
