// crypto/keyfile.h: an identity (Ed25519 signing key + X25519 encryption key) in a
// passphrase-protected file. Byte layout in docs/formats/keyfile.md:
//
//   magic "ENTENTEK" | version 1 | kdf 1 (Argon2id v1.3) | opslimit u32 | memlimit_kib u32 |
//   salt[16] | nonce[24] | public<0..2^16-1> | ciphertext<0..2^16-1>
//
// The key-encryption key is Argon2id(passphrase, salt, opslimit, memlimit); the ciphertext is
// XChaCha20-Poly1305 over the two private keys with aad = "entente/keyfile/v1\n" || every byte
// before the ciphertext, so the clear public part (public keys, comment, KDF parameters) cannot
// be altered without the unlock failing.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/box.h"
#include "crypto/secret_bytes.h"
#include "crypto/sign.h"

namespace entente::crypto {

// The keys of one node or device.
struct Identity {
  SigningKey signing;
  EncryptionKey encryption;

  static Identity Generate();
};

// Argon2id cost. `Interactive()` is libsodium's interactive level (2 passes, 64 MiB);
// `ForTests()` is the minimum, for fast tests only.
struct KdfParams {
  uint32_t opslimit;
  uint32_t memlimit_kib;
  static KdfParams Interactive();
  static KdfParams Moderate();
  static KdfParams ForTests();
};

// What a key file shows without its passphrase. The public keys are authenticated only when
// the file is unlocked.
struct KeyFileInfo {
  uint8_t version;
  KdfParams kdf;
  PublicKey signing_public;
  EncryptionPublicKey encryption_public;
  std::string comment;
};

// Encodes `identity` under `passphrase`. InvalidArgument for an empty passphrase or a comment
// longer than 255 bytes or not printable.
[[nodiscard]] Result<Bytes> EncodeKeyFile(const Identity& identity, std::string_view comment,
                                          const SecretBytes& passphrase, KdfParams params);

// Parses the clear part. InvalidArgument naming the problem for a malformed file, including KDF
// parameters beyond the limits a reader accepts (so a hostile file cannot ask for 64 GiB).
[[nodiscard]] Result<KeyFileInfo> InspectKeyFile(ByteView file);

// Unlocks the file. InvalidArgument for a malformed file; Unauthenticated("wrong passphrase or
// tampered key file") when decryption fails; DataLoss if the private keys do not match the
// public keys the file shows.
[[nodiscard]] Result<Identity> DecodeKeyFile(ByteView file, const SecretBytes& passphrase);

}  // namespace entente::crypto
