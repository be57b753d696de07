#include "base/tls_codec.h"

#include <gtest/gtest.h>

namespace entente {
namespace {

TEST(TlsCodec, IntegersAreBigEndian) {
  Writer w;
  w.U8(0x01);
  w.U16(0x0203);
  w.U24(0x040506);
  w.U32(0x0708090a);
  w.U64(0x0b0c0d0e0f101112ULL);
  Bytes bytes = std::move(w).Finish().value();
  ASSERT_EQ(bytes.size(), 18u);
  for (size_t i = 0; i < bytes.size(); ++i) EXPECT_EQ(bytes[i], i + 1);

  Reader r(bytes);
  EXPECT_EQ(r.U8("a"), 0x01);
  EXPECT_EQ(r.U16("b"), 0x0203);
  EXPECT_EQ(r.U24("c"), 0x040506u);
  EXPECT_EQ(r.U32("d"), 0x0708090au);
  EXPECT_EQ(r.U64("e"), 0x0b0c0d0e0f101112ULL);
  EXPECT_TRUE(r.Finish().has_value());
}

TEST(TlsCodec, VectorPrefixWidthFollowsMaximum) {
  EXPECT_EQ(LengthPrefixBytes(63), 1u);
  EXPECT_EQ(LengthPrefixBytes(255), 1u);
  EXPECT_EQ(LengthPrefixBytes(256), 2u);
  EXPECT_EQ(LengthPrefixBytes((1u << 24) - 1), 3u);
  EXPECT_EQ(LengthPrefixBytes(0xffffffffULL), 4u);

  Writer w;
  w.Vector("small", AsBytes("ab"), 1, 63);
  w.Vector("large", AsBytes("cd"), 0, 0xffff);
  Bytes bytes = std::move(w).Finish().value();
  EXPECT_EQ(bytes, (Bytes{2, 'a', 'b', 0, 2, 'c', 'd'}));

  Reader r(bytes);
  EXPECT_EQ(ToString(r.Vector("small", 1, 63)), "ab");
  EXPECT_EQ(ToString(r.Vector("large", 0, 0xffff)), "cd");
  EXPECT_TRUE(r.Finish().has_value());
}

TEST(TlsCodec, WriterRejectsOutOfRangeVectorsAndWrongFixedSizes) {
  Writer w("thing");
  w.Vector("origin", {}, 1, 63);
  auto result = std::move(w).Finish();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "thing: origin length 0 outside <1..63>");

  Writer w2;
  Bytes key(31);
  w2.Fixed("key", key, 32);
  EXPECT_FALSE(std::move(w2).Finish().has_value());
}

TEST(TlsCodec, ReaderRejectsTruncation) {
  Bytes bytes = {0x00, 0x05, 'a', 'b'};
  Reader r(bytes, "note");
  ByteView v = r.Vector("text", 0, 0xffff);
  EXPECT_TRUE(v.empty());
  auto status = r.Finish();
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message().find("truncated at text"), std::string::npos);
  // Reads after an error return zero and do not move.
  EXPECT_EQ(r.U8("x"), 0);
}

TEST(TlsCodec, ReaderRejectsLengthsOutsideDeclaredRange) {
  Bytes too_long = {3, 'a', 'b', 'c'};
  Reader r(too_long);
  r.Vector("origin", 1, 2);
  EXPECT_FALSE(r.Finish().has_value());

  Bytes too_short = {0};
  Reader r2(too_short);
  r2.Vector("origin", 1, 63);
  EXPECT_FALSE(r2.Finish().has_value());
}

TEST(TlsCodec, ReaderRejectsTrailingBytes) {
  Bytes bytes = {1, 2, 3};
  Reader r(bytes, "header");
  r.U16("kind");
  auto status = r.Finish();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message(), "header: 1 trailing bytes at offset 2");
}

TEST(TlsCodec, NestedVectorsOfStructures) {
  Writer w;
  auto token = w.BeginVector("refs", 0, 0xffff);
  for (uint8_t i = 0; i < 3; ++i) {
    w.Vector("origin", AsBytes("USA"), 1, 63);
    w.U64(i);
  }
  w.EndVector(token);
  Bytes bytes = std::move(w).Finish().value();
  EXPECT_EQ(bytes.size(), 2u + 3 * (1 + 3 + 8));

  Reader r(bytes);
  Reader refs = r.SubVector("refs", 0, 0xffff);
  int count = 0;
  while (refs.ok() && !refs.empty()) {
    EXPECT_EQ(ToString(refs.Vector("origin", 1, 63)), "USA");
    EXPECT_EQ(refs.U64("tree_size"), static_cast<uint64_t>(count));
    ++count;
  }
  r.Absorb(refs.Finish());
  EXPECT_TRUE(r.Finish().has_value());
  EXPECT_EQ(count, 3);

  // A truncated element inside the sub-vector is reported through the parent.
  Bytes broken = bytes;
  broken[1] -= 1;  // the vector claims one byte less than its elements take
  broken.pop_back();
  Reader r2(broken);
  Reader refs2 = r2.SubVector("refs", 0, 0xffff);
  while (refs2.ok() && !refs2.empty()) {
    refs2.Vector("origin", 1, 63);
    refs2.U64("tree_size");
  }
  r2.Absorb(refs2.Finish());
  EXPECT_FALSE(r2.Finish().has_value());
}

}  // namespace
}  // namespace entente
