// net/structured_fields.h: Structured Field Values for HTTP (RFC 8941), the syntax of
// Signature-Input, Signature (RFC 9421 §4) and Content-Digest (RFC 9530 §2).
//
// A field value is one of three top-level types (RFC 8941 §3):
//
//   Dictionary   sig1=("@method" "@target-uri");created=1795861020;keyid="…", sig2=:AAE=:
//                ^key ^---------- inner list ---------^^--- parameters ---^
//   List         a, (b c);p, ?0
//   Item         :ZGF0YQ==:;q=1
//
// whose members are Items (a bare item and its parameters) or Inner Lists (a parenthesised,
// space-separated list of items, with parameters of its own). A bare item is an Integer (at most
// 15 digits), a Decimal (at most 12 + 3 digits), a String (printable ASCII in double quotes, where
// a quote or a backslash is escaped by a backslash), a Token, a Byte Sequence (":" base64 ":")
// or a Boolean (?0 / ?1).
//
// Parsers follow the algorithms of RFC 8941 §4.2 step by step (cited at each function): they take
// untrusted text, never throw, and return InvalidArgument naming the offset of the first error,
// or ResourceExhausted beyond the limits below. Dictionary and parameter keys that repeat take the
// last value at the first position (RFC 8941 §4.2.2, §4.2.3.2), so a parsed structure has unique
// keys. Serializers follow RFC 8941 §4.1 and produce the canonical text: parsing that text gives
// back an equal structure, and serializing it again gives the same text.
//
// Not implemented: the Date and Display String types of RFC 9651 (they fail to parse as RFC 8941
// requires). One deviation: a Byte Sequence whose base64 has non-zero pad bits is rejected (RFC
// 8941 §4.2.7 says SHOULD NOT fail); missing "=" padding is accepted, as §4.2.7 asks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"

namespace entente::net::sf {

// Limits on untrusted field values. RFC 8941 §3 asks parsers to accept at least 1024 members,
// 256 inner-list items and 256 parameters; Entente's fields need a handful, and a request
// authenticator that bounds its input cannot be made to spend memory or time on it.
inline constexpr size_t kMaxFieldSize = 8 * 1024;  // bytes of one (combined) field value
inline constexpr size_t kMaxMembers = 16;          // members of a Dictionary or List
inline constexpr size_t kMaxInnerListItems = 16;   // items of one Inner List
inline constexpr size_t kMaxParameters = 16;       // parameters of one Item or Inner List

// RFC 8941 §3.3.1: integers have at most 15 decimal digits.
inline constexpr int64_t kMaxInteger = 999'999'999'999'999;

// A Token (RFC 8941 §3.3.4): `( ALPHA / "*" ) *( tchar / ":" / "/" )`, kept apart from String.
struct Token {
  std::string text;
  bool operator==(const Token&) const = default;
};

// A Decimal (RFC 8941 §3.3.2), held exactly as a count of thousandths: at most 12 integer
// digits and 3 fractional digits, so |thousandths| <= 999'999'999'999'999.
struct Decimal {
  int64_t thousandths = 0;
  bool operator==(const Decimal&) const = default;
};

// A bare item (RFC 8941 §3.3): Integer, Decimal, String, Token, Byte Sequence or Boolean.
using BareItem = std::variant<int64_t, Decimal, std::string, Token, Bytes, bool>;

// Parameters (RFC 8941 §3.1.2): ordered (key, value) pairs; after parsing, keys are unique.
using Parameters = std::vector<std::pair<std::string, BareItem>>;

// An Item (RFC 8941 §3.3): a bare item with parameters.
struct Item {
  BareItem value;
  Parameters params;
  bool operator==(const Item&) const = default;
};

// An Inner List (RFC 8941 §3.1.1): items with parameters of the list as a whole.
struct InnerList {
  std::vector<Item> items;
  Parameters params;
  bool operator==(const InnerList&) const = default;
};

// A member of a List or a Dictionary.
using Member = std::variant<Item, InnerList>;

// A List (RFC 8941 §3.1).
using List = std::vector<Member>;

// A Dictionary (RFC 8941 §3.2): ordered (key, member) pairs; after parsing, keys are unique.
// A member whose value is Boolean true is written without "=?1" (RFC 8941 §4.1.2).
using Dictionary = std::vector<std::pair<std::string, Member>>;

// Parse a whole field value (RFC 8941 §4.2): leading and trailing spaces are allowed, anything
// else left over fails. Fields sent on several lines must first be joined with ", "
// (CombineFieldLines in net/http_signatures.h). Errors: InvalidArgument("structured field:
// <what> at offset <n>") for bad syntax or non-ASCII; ResourceExhausted beyond the limits above.
[[nodiscard]] Result<Dictionary> ParseDictionary(std::string_view field_value);
[[nodiscard]] Result<List> ParseList(std::string_view field_value);
[[nodiscard]] Result<Item> ParseItem(std::string_view field_value);

// Serialize per RFC 8941 §4.1. InvalidArgument if a value cannot be represented: a key or token
// with a disallowed character, a string with a character outside %x20-7E, an integer or decimal
// out of range. An empty Dictionary or List serializes to "" (the field is then not sent).
[[nodiscard]] Result<std::string> Serialize(const Dictionary& dictionary);
[[nodiscard]] Result<std::string> Serialize(const List& list);
[[nodiscard]] Result<std::string> Serialize(const Item& item);
[[nodiscard]] Result<std::string> Serialize(const InnerList& inner_list);
[[nodiscard]] Result<std::string> Serialize(const BareItem& bare_item);

// Returns the value of `key`, or nullptr if absent. The pointer lives as long as the container.
const BareItem* FindParameter(const Parameters& params, std::string_view key);
const Member* FindMember(const Dictionary& dictionary, std::string_view key);

// True if `key` is a valid key (RFC 8941 §3.1.2: `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" /
// "-" / "." / "*" )`).
bool IsValidKey(std::string_view key);

}  // namespace entente::net::sf
