// Writes the key file test vector testdata/keyfile/v1.key.hex and its expected keys v1.txt.
// Run from the source root: build/keyfile_vectors. The salt and nonce are random, so every run
// writes a different (equally valid) vector; regenerate only when adding a format version.
#include <cstdio>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/keyfile.h"

int main() {
  using namespace entente;
  using namespace entente::crypto;
  Identity id = Identity::Generate();
  SecretBytes pass(AsBytes("entente test vector"));
  auto file = EncodeKeyFile(id, "test vector v1", pass, KdfParams::ForTests());
  if (!file) return 1;
  std::string hex = HexEncode(*file) + "\n";
  std::string txt = "signing_seed " + HexEncode(id.signing.seed().view()) + "\n" +
                    "signing_public " + HexEncode(id.signing.public_key().view()) + "\n" +
                    "encryption_secret " + HexEncode(id.encryption.secret().view()) + "\n" +
                    "encryption_public " + HexEncode(id.encryption.public_key().view()) + "\n";
  if (!WriteFileAtomic("testdata/keyfile/v1.key.hex", AsBytes(hex), 0644, false) ||
      !WriteFileAtomic("testdata/keyfile/v1.txt", AsBytes(txt), 0644, false)) {
    std::fprintf(stderr, "cannot write testdata/keyfile/ (run from the source root)\n");
    return 1;
  }
  return 0;
}
