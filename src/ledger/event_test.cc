#include "ledger/event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "ledger/kinds.h"
#include "ledger/vectors.h"
#include "testing/testdata.h"

namespace entente::ledger {
namespace {

struct Signed {
  EventHeader header;
  Bytes header_bytes;
  Bytes body_bytes;
};

Signed MakeSigned() {
  EventBody body = ExampleBody(ToBytes("not really an envelope"));
  Signed s;
  s.header = ExampleHeader(body).value();
  s.header_bytes = EncodeHeader(s.header).value();
  s.body_bytes = EncodeBody(body).value();
  return s;
}

TEST(EventHeader, RoundTripsAndVerifies) {
  Signed s = MakeSigned();
  EventHeader decoded = DecodeHeader(s.header_bytes).value();
  EXPECT_EQ(EncodeHeader(decoded).value(), s.header_bytes);
  EXPECT_TRUE(VerifyHeaderSignature(decoded).has_value());
  EXPECT_TRUE(CheckBodyHash(decoded, s.body_bytes).has_value());
  EXPECT_EQ(decoded.origin, "USA");
  EXPECT_EQ(decoded.seen.size(), 2u);
  EXPECT_FALSE(decoded.is_exercise());
}

// testdata/event/v1.json: a second implementation must produce exactly these bytes.
TEST(EventHeader, KnownAnswerVector) {
  auto vector = nlohmann::json::parse(entente::testing::ReadSourceFile("testdata/event/v1.json"));
  Bytes header_bytes = HexDecode(vector["header_encoding"].get<std::string>()).value();
  Bytes body_bytes = HexDecode(vector["body_encoding"].get<std::string>()).value();
  EventHeader header = DecodeHeader(header_bytes).value();
  EXPECT_EQ(HeaderToJson(header), vector["header"]);
  EXPECT_TRUE(VerifyHeaderSignature(header).has_value());
  EXPECT_TRUE(CheckBodyHash(header, body_bytes).has_value());
  Bytes leaf = {0x00};
  Append(leaf, header_bytes);
  EXPECT_EQ(HexEncode(crypto::Sha256(leaf)), vector["leaf_hash"].get<std::string>());

  // Rebuilding the header from its fields and the fixed key gives the same bytes (Ed25519 is
  // deterministic), so the vector pins the signing input too.
  EventBody body = DecodeBody(body_bytes).value();
  EventHeader rebuilt = ExampleHeader(body).value();
  EXPECT_EQ(EncodeHeader(rebuilt).value(), header_bytes);
}

TEST(EventHeader, EveryFlippedByteFailsDecodeOrSignature) {
  Signed s = MakeSigned();
  for (size_t i = 0; i < s.header_bytes.size(); ++i) {
    Bytes flipped = s.header_bytes;
    flipped[i] ^= 0x20;
    auto decoded = DecodeHeader(flipped);
    if (!decoded) continue;  // rejected as malformed
    EXPECT_FALSE(VerifyHeaderSignature(*decoded).has_value()) << "byte " << i;
  }
}

TEST(EventHeader, TruncatedAndTrailingAreRejected) {
  Signed s = MakeSigned();
  for (size_t n = 0; n < s.header_bytes.size(); ++n) {
    auto r = DecodeHeader(ByteView(s.header_bytes).first(n));
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
  Bytes trailing = s.header_bytes;
  trailing.push_back(0);
  auto r = DecodeHeader(trailing);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("trailing"), std::string::npos);
}

TEST(EventHeader, RejectsNonCanonicalFields) {
  Signed s = MakeSigned();
  EventHeader h = s.header;
  h.version = 2;
  EXPECT_FALSE(EncodeHeader(h).has_value());
  Bytes v2 = s.header_bytes;
  v2[0] = 2;
  auto r = DecodeHeader(v2);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("unsupported version 2"), std::string::npos);

  h = s.header;
  h.origin = "usa";
  EXPECT_FALSE(EncodeHeader(h).has_value());
  h = s.header;
  h.seen = {{"USA", 1}, {"KOR", 2}};  // unsorted
  EXPECT_FALSE(EncodeHeader(h).has_value());
  h.seen = {{"KOR", 1}, {"KOR", 2}};  // repeated
  EXPECT_FALSE(EncodeHeader(h).has_value());
  h = s.header;
  h.label = std::string(kMaxLabelSize + 1, 'A');
  EXPECT_FALSE(EncodeHeader(h).has_value());
  h = s.header;
  h.subject = Bytes(17, 1);
  EXPECT_FALSE(EncodeHeader(h).has_value());
}

TEST(EventHeader, WrongAuthorKeyFails) {
  Signed s = MakeSigned();
  EventHeader h = s.header;
  h.author = crypto::SigningKey::Generate().public_key();
  auto v = VerifyHeaderSignature(h);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), ErrorCode::kUnauthenticated);
}

TEST(EventHeader, ClockSkewLimit) {
  Signed s = MakeSigned();
  TimeMs created = FromUnixMs(s.header.created_ms);
  EXPECT_TRUE(CheckClockSkew(s.header, created + std::chrono::seconds(120)).has_value());
  EXPECT_TRUE(CheckClockSkew(s.header, created - std::chrono::seconds(120)).has_value());
  auto late = CheckClockSkew(s.header, created + std::chrono::seconds(121));
  ASSERT_FALSE(late.has_value());
  EXPECT_NE(late.error().message().find("121 s behind"), std::string::npos);
  auto early = CheckClockSkew(s.header, created - std::chrono::seconds(300));
  ASSERT_FALSE(early.has_value());
  EXPECT_NE(early.error().message().find("ahead"), std::string::npos);
}

TEST(EventBody, MetaMustBeCanonicalJson) {
  EXPECT_TRUE(DecodeBody(EncodeBody({ToBytes(R"({"a":1,"b":"x"})"), {}}).value()).has_value());
  EXPECT_TRUE(DecodeBody(EncodeBody({{}, {}}).value()).has_value());
  for (const char* bad :
       {R"({"b":1,"a":2})", R"({"a": 1})", R"([1,2])", R"({"a":)", "{\"a\":\"\xff\"}"}) {
    auto r = DecodeBody(EncodeBody({ToBytes(bad), {}}).value());
    EXPECT_FALSE(r.has_value()) << bad;
  }
  std::string deep(40, '[');
  deep = "{\"a\":" + deep + std::string(40, ']') + "}";
  auto r = DecodeBody(EncodeBody({ToBytes(deep), {}}).value());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("deeper"), std::string::npos);
  EXPECT_EQ(ToString(CanonicalMeta(R"({ "z" : 1, "a" : [true, null] })").value()),
            R"({"a":[true,null],"z":1})");
}

TEST(EventBody, TamperedBodyFailsHashCheck) {
  Signed s = MakeSigned();
  Bytes body = s.body_bytes;
  body.back() ^= 1;
  auto r = CheckBodyHash(s.header, body);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
}

TEST(Kinds, RegistryIsSortedUniqueAndInRanges) {
  auto kinds = AllKinds();
  ASSERT_FALSE(kinds.empty());
  for (size_t i = 1; i < kinds.size(); ++i) {
    EXPECT_LT(kinds[i - 1].code, kinds[i].code);
    for (size_t j = 0; j < i; ++j) EXPECT_NE(kinds[i].name, kinds[j].name);
  }
  for (const auto& k : kinds) EXPECT_LT(k.code, 0xf000) << k.name;
  EXPECT_EQ(FindKind("message.post")->code, 0x0300);
  EXPECT_EQ(FindKind(uint16_t{0x0100})->name, "member.enroll");
  EXPECT_EQ(FindKind("no.such"), nullptr);
}

// docs/formats/kinds.md is the registry's contract: every kind must be listed there with its
// code, and nothing else.
TEST(Kinds, DocumentationListsEveryKind) {
  std::string doc = entente::testing::ReadSourceFile("docs/formats/kinds.md");
  doc = doc.substr(doc.find("## Registry"));
  size_t rows = 0;
  for (size_t at = doc.find("\n| 0x"); at != std::string::npos; at = doc.find("\n| 0x", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, AllKinds().size());
  for (const auto& k : AllKinds()) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%04x", static_cast<unsigned>(k.code));
    std::string row = "| " + std::string(code) + " | `" + std::string(k.name) + "` | " +
                      (k.has_envelope ? "yes" : "no") + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "kinds.md lacks: " << row;
  }
}

TEST(Kinds, MetaIsCheckedAgainstSchema) {
  uint16_t post = FindKind("message.post")->code;
  EXPECT_TRUE(ValidateMeta(post, AsBytes(R"({"channel":"c"})"), true).has_value());
  auto missing = ValidateMeta(post, AsBytes(R"({})"), true);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), "message.post meta: missing \"channel\"");
  auto type = ValidateMeta(post, AsBytes(R"({"channel":7})"), true);
  ASSERT_FALSE(type.has_value());
  EXPECT_EQ(type.error().message(), "message.post meta: \"channel\" must be a string");
  auto unknown = ValidateMeta(post, AsBytes(R"({"channel":"c","x":1})"), true);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message(), "message.post meta: unknown field \"x\"");
  EXPECT_FALSE(ValidateMeta(post, AsBytes(R"({"channel":"c"})"), false).has_value());
  EXPECT_EQ(ValidateMeta(0xeeee, {}, false).error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace entente::ledger

namespace entente::ledger {
namespace {
TEST(EventHeader, MustFitATileEntry) {
  EventHeader h = ExampleHeader(ExampleBody({})).value();
  h.seen.clear();
  h.label = std::string(1000, 'L');  // with 4300 refs: under each field limit, over in total
  for (int i = 0; i < 4300; ++i) {
    h.seen.push_back({"P" + std::to_string(10000 + i), 1});
  }
  auto r = EncodeHeader(h);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("more than 65535"), std::string::npos);
}
}  // namespace
}  // namespace entente::ledger
