#include "net/structured_fields.h"

#include <gtest/gtest.h>

#include <string>

namespace entente::net::sf {
namespace {

std::string Canonical(std::string_view dictionary) {
  auto parsed = ParseDictionary(dictionary);
  EXPECT_TRUE(parsed.has_value()) << dictionary << ": " << parsed.error().ToString();
  if (!parsed) return "<error>";
  auto text = Serialize(*parsed);
  EXPECT_TRUE(text.has_value());
  return text.value_or("<error>");
}

ErrorCode DictionaryError(std::string_view text) {
  auto parsed = ParseDictionary(text);
  EXPECT_FALSE(parsed.has_value()) << "accepted: " << text;
  return parsed ? ErrorCode::kInternal : parsed.error().code();
}

// ---- RFC 8941 examples ----

TEST(StructuredFields, Rfc8941DictionaryExamples) {
  // §3.2: "en="Applepie", da=:w4ZibGV0w6ZydGUK:"
  auto d = ParseDictionary(R"(en="Applepie", da=:w4ZibGV0w6ZydGUK:)").value();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].first, "en");
  EXPECT_EQ(std::get<Item>(d[0].second).value, BareItem(std::string("Applepie")));
  EXPECT_EQ(d[1].first, "da");
  Bytes expected = {0xc3, 0x86, 'b', 'l', 'e', 't', 0xc3, 0xa6, 'r', 't', 'e', '\n'};
  EXPECT_EQ(std::get<Item>(d[1].second).value, BareItem(expected));

  // §3.2: a member without a value is Boolean true, with parameters.
  d = ParseDictionary("a=?0, b, c; foo=bar").value();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(std::get<Item>(d[0].second).value, BareItem(false));
  EXPECT_EQ(std::get<Item>(d[1].second).value, BareItem(true));
  const Item& c = std::get<Item>(d[2].second);
  EXPECT_EQ(c.value, BareItem(true));
  ASSERT_EQ(c.params.size(), 1u);
  EXPECT_EQ(c.params[0].first, "foo");
  EXPECT_EQ(c.params[0].second, BareItem(Token{"bar"}));
  EXPECT_EQ(Serialize(d).value(), "a=?0, b, c;foo=bar");

  // §3.2: "rating=1.5, feelings=(joy sadness)"
  d = ParseDictionary("rating=1.5, feelings=(joy sadness)").value();
  EXPECT_EQ(std::get<Item>(d[0].second).value, BareItem(Decimal{1500}));
  const InnerList& feelings = std::get<InnerList>(d[1].second);
  ASSERT_EQ(feelings.items.size(), 2u);
  EXPECT_EQ(feelings.items[1].value, BareItem(Token{"sadness"}));
  EXPECT_EQ(Serialize(d).value(), "rating=1.5, feelings=(joy sadness)");
}

TEST(StructuredFields, Rfc8941ListAndItemExamples) {
  // §3.1: "sugar, tea, rum"
  List list = ParseList("sugar, tea, rum").value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(std::get<Item>(list[2]).value, BareItem(Token{"rum"}));
  // §3.1.1: inner lists, one empty.
  list = ParseList(R"(("foo" "bar"), ("baz"), ("bat" "one"), ())").value();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_TRUE(std::get<InnerList>(list[3]).items.empty());
  EXPECT_EQ(Serialize(list).value(), R"(("foo" "bar"), ("baz"), ("bat" "one"), ())");
  // §3.1.1: parameters on items and on the inner list.
  list = ParseList(R"(("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1)").value();
  EXPECT_EQ(Serialize(list).value(), R"(("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1)");
  // §3.3.5 byte sequence, §3.3.1 integer with parameters.
  Item item = ParseItem(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:").value();
  EXPECT_EQ(ToString(std::get<Bytes>(item.value)), "pretend this is binary content.");
  item = ParseItem("5; foo=bar").value();
  EXPECT_EQ(item.value, BareItem(int64_t{5}));
  EXPECT_EQ(Serialize(item).value(), "5;foo=bar");
}

TEST(StructuredFields, BareItemTypes) {
  EXPECT_EQ(ParseItem("-999999999999999").value().value, BareItem(int64_t{-999'999'999'999'999}));
  EXPECT_EQ(ParseItem("999999999999.999").value().value, BareItem(Decimal{999'999'999'999'999}));
  EXPECT_EQ(ParseItem("-0.5").value().value, BareItem(Decimal{-500}));
  EXPECT_EQ(ParseItem(R"("a \"quoted\" \\ word")").value().value,
            BareItem(std::string(R"(a "quoted" \ word)")));
  EXPECT_EQ(ParseItem("*foo/bar:baz").value().value, BareItem(Token{"*foo/bar:baz"}));
  EXPECT_EQ(ParseItem("?1").value().value, BareItem(true));
  EXPECT_EQ(ParseItem("::").value().value, BareItem(Bytes{}));
  // Canonical serialization: decimals without trailing zeros but with one fractional digit,
  // strings re-escaped, byte sequences padded.
  EXPECT_EQ(Serialize(ParseItem("1.500").value()).value(), "1.5");
  EXPECT_EQ(Serialize(ParseItem("-0.0").value()).value(), "0.0");
  EXPECT_EQ(Serialize(ParseItem("2.050").value()).value(), "2.05");
  EXPECT_EQ(Serialize(ParseItem(R"("\"\\")").value()).value(), R"("\"\\")");
}

TEST(StructuredFields, ByteSequenceWithoutPaddingIsAccepted) {
  // RFC 8941 §4.2.7: parsers SHOULD NOT fail when "=" padding is missing.
  Item item = ParseItem(":YQ:").value();
  EXPECT_EQ(std::get<Bytes>(item.value), Bytes{'a'});
  EXPECT_EQ(Serialize(item).value(), ":YQ==:");
  // Non-zero pad bits ("YR" carries a stray bit) are the one deviation: rejected.
  EXPECT_FALSE(ParseItem(":YR==:").has_value());
  EXPECT_FALSE(ParseItem(":Y:").has_value());  // one base64 character cannot encode a byte
}

TEST(StructuredFields, WhitespaceAroundMembers) {
  EXPECT_EQ(Canonical("  a=1 ,\tb=2  "), "a=1, b=2");
  EXPECT_EQ(Canonical("a=(1  2 )"), "a=(1 2)");
  EXPECT_EQ(Canonical(""), "");
  EXPECT_EQ(Canonical("a;  b=1"), "a;b=1");
}

TEST(StructuredFields, RepeatedKeysTakeTheLastValueAtTheFirstPosition) {
  // RFC 8941 §4.2.2 and §4.2.3.2: overwrite.
  EXPECT_EQ(Canonical("a=1, b=2, a=3"), "a=3, b=2");
  EXPECT_EQ(Canonical("x=1;p=1;q=2;p=3"), "x=1;p=3;q=2");
}

TEST(StructuredFields, MalformedValuesAreRejectedWithTheOffset) {
  auto e = ParseDictionary("a=1, B=2");
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message(), "structured field: expected a key at offset 5");

  for (std::string_view bad : {
           "a=1,",              // trailing comma
           "a=1,,b=2",          // empty member
           "a=1 b=2",           // no comma
           "a=",                // no value
           "a=\"unterminated",  // string
           "a=\"bad \\n escape\"",
           "a=\"tab\there\"",     // control character in a string
           "a=1234567890123456",  // 16-digit integer
           "a=1234567890123.5",   // 13 integer digits in a decimal
           "a=1.2345",            // 4 fractional digits
           "a=1.",                // decimal ending in "."
           "a=-",                 // sign without digits
           "a=:YWJj",             // unterminated byte sequence
           "a=:YW$j:",            // bad base64 character
           "a=?2",                // boolean
           "a=(1 2",              // unterminated inner list
           "a=(1,2)",             // comma in an inner list
           "a=@1659578233",       // RFC 9651 date: not RFC 8941
           "a=%\"display\"",      // RFC 9651 display string: not RFC 8941
           "a=1;",                // empty parameter
           "a=1;P=2",             // upper-case parameter key
           "\xc3\xa9=1",          // non-ASCII
           "a=\"\xc3\xa9\"",      // non-ASCII inside a string
       }) {
    EXPECT_EQ(DictionaryError(bad), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(ParseItem("").has_value());
  EXPECT_FALSE(ParseItem("1 2").has_value());
  EXPECT_FALSE(ParseList("a, (b").has_value());
}

TEST(StructuredFields, LimitsAreEnforced) {
  auto join = [](std::string_view prefix, int n, std::string_view sep, auto make) {
    std::string out(prefix);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += sep;
      out += make(i);
    }
    return out;
  };
  auto member = [](int i) { return "k" + std::to_string(i) + "=1"; };
  auto param = [](int i) { return "p" + std::to_string(i) + "=1"; };
  auto item = [](int i) { return std::to_string(i); };

  EXPECT_TRUE(ParseDictionary(join("", 16, ", ", member)).has_value());
  EXPECT_EQ(DictionaryError(join("", 17, ", ", member)), ErrorCode::kResourceExhausted);
  EXPECT_TRUE(ParseDictionary(join("a=1;", 16, ";", param)).has_value());
  EXPECT_EQ(DictionaryError(join("a=1;", 17, ";", param)), ErrorCode::kResourceExhausted);
  EXPECT_TRUE(ParseDictionary(join("a=(", 16, " ", item) + ")").has_value());
  EXPECT_EQ(DictionaryError(join("a=(", 17, " ", item) + ")"), ErrorCode::kResourceExhausted);
  EXPECT_FALSE(ParseList(join("", 17, ", ", item)).has_value());

  std::string big = "a=\"" + std::string(kMaxFieldSize - 5, 'x') + "\"";
  ASSERT_EQ(big.size(), kMaxFieldSize - 1);
  EXPECT_TRUE(ParseDictionary(big).has_value());
  EXPECT_TRUE(ParseDictionary(big + " ").has_value());
  EXPECT_EQ(DictionaryError(big + "  "), ErrorCode::kResourceExhausted);
}

TEST(StructuredFields, SerializeRejectsWhatCannotBeRepresented) {
  EXPECT_FALSE(Serialize(Item{.value = int64_t{kMaxInteger + 1}}).has_value());
  EXPECT_FALSE(Serialize(Item{.value = Decimal{kMaxInteger + 1}}).has_value());
  EXPECT_FALSE(Serialize(Item{.value = std::string("line\nbreak")}).has_value());
  EXPECT_FALSE(Serialize(Item{.value = Token{"1abc"}}).has_value());
  EXPECT_FALSE(Serialize(Item{.value = Token{""}}).has_value());
  Dictionary bad_key = {{"Upper", Item{.value = true}}};
  EXPECT_FALSE(Serialize(bad_key).has_value());
  Item bad_param{.value = int64_t{1}, .params = {{"", true}}};
  EXPECT_FALSE(Serialize(bad_param).has_value());
  EXPECT_EQ(Serialize(Dictionary{}).value(), "");
}

TEST(StructuredFields, SerializationRoundTrips) {
  for (
      std::string_view text : {
          R"(sig1=("@method" "@target-uri" "content-digest");created=1795861020;nonce="AAECAwQFBgcICQoLDA0ODw";alg="ed25519")",
          "a=(1 2.5 \"s\" t :AAE=: ?0);x, b;y=?0, c=-7",
          "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
      }) {
    Dictionary parsed = ParseDictionary(text).value();
    std::string serialized = Serialize(parsed).value();
    EXPECT_EQ(serialized, text);
    EXPECT_EQ(ParseDictionary(serialized).value(), parsed);
  }
}

TEST(StructuredFields, FindHelpers) {
  Dictionary d = ParseDictionary("a=1;p=\"x\", b").value();
  ASSERT_NE(FindMember(d, "a"), nullptr);
  EXPECT_EQ(FindMember(d, "c"), nullptr);
  const Item& a = std::get<Item>(*FindMember(d, "a"));
  ASSERT_NE(FindParameter(a.params, "p"), nullptr);
  EXPECT_EQ(*FindParameter(a.params, "p"), BareItem(std::string("x")));
  EXPECT_EQ(FindParameter(a.params, "q"), nullptr);
  EXPECT_TRUE(IsValidKey("*a-b_c.d"));
  EXPECT_FALSE(IsValidKey("1a"));
  EXPECT_FALSE(IsValidKey(""));
}

}  // namespace
}  // namespace entente::net::sf
