#include "crypto/hash.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace entente::crypto {
namespace {

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf" / "SHA2_Additional.pdf").
TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1'000'000, 'a');
  EXPECT_EQ(HexEncode(Sha256(AsBytes(million))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PartsAndIncrementalAgreeWithOneShot) {
  Digest whole = Sha256(AsBytes("hello, world"));
  EXPECT_EQ(Sha256({AsBytes("hello"), AsBytes(", "), AsBytes("world")}), whole);
  Sha256Hasher h;
  h.Update(AsBytes("hello, ")).Update(AsBytes("world"));
  EXPECT_EQ(h.Final(), whole);
  h.Reset();
  EXPECT_EQ(h.Final(), Sha256(AsBytes("")));
}

}  // namespace
}  // namespace entente::crypto
