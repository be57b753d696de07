// RFC 8941 Structured Field Values: parsing (§4.2) and serialization (§4.1).
//
// The parser is one cursor over the field value. Each Parse* method implements the algorithm of
// the section it cites and leaves the cursor after what it consumed; the first failure is kept
// (with its offset) and everything after it is skipped, so no method needs to unwind.
#include "net/structured_fields.h"

#include <algorithm>
#include <string>

#include "base/encoding.h"

namespace entente::net::sf {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// RFC 9110 §5.6.2 tchar.
bool IsTchar(char c) {
  return IsAlpha(c) || IsDigit(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}

bool IsBase64Char(char c) { return IsAlpha(c) || IsDigit(c) || c == '+' || c == '/' || c == '='; }

bool IsValidToken(std::string_view t) {
  if (t.empty() || !(IsAlpha(t[0]) || t[0] == '*')) return false;
  return std::all_of(t.begin() + 1, t.end(),
                     [](char c) { return IsTchar(c) || c == ':' || c == '/'; });
}

class Parser {
 public:
  explicit Parser(std::string_view input) : in_(input) {}

  // RFC 8941 §4.2 steps 1-2 and the size limit; call before parsing anything.
  bool Start() {
    if (in_.size() > kMaxFieldSize) {
      exhausted_ = true;
      return Fail("field value longer than " + std::to_string(kMaxFieldSize) + " bytes");
    }
    for (size_t i = 0; i < in_.size(); ++i) {
      if (static_cast<unsigned char>(in_[i]) > 0x7f) {
        pos_ = i;
        return Fail("non-ASCII byte");
      }
    }
    SkipSp();
    return true;
  }

  // RFC 8941 §4.2 steps 6-7: only spaces may follow the value.
  bool Finish() {
    if (!ok()) return false;
    SkipSp();
    if (!AtEnd()) return Fail("unexpected character");
    return true;
  }

  // RFC 8941 §4.2.2 Parsing a Dictionary.
  Dictionary ParseDictionary() {
    Dictionary dict;
    while (ok() && !AtEnd()) {
      std::string key = ParseKey();
      if (!ok()) break;
      Member member;
      if (Peek() == '=') {
        ++pos_;
        member = ParseItemOrInnerList();
      } else {
        // A key without a value is Boolean true with parameters.
        member = Item{.value = true, .params = ParseParameters()};
      }
      if (!ok()) break;
      auto existing =
          std::find_if(dict.begin(), dict.end(), [&](const auto& m) { return m.first == key; });
      if (existing != dict.end()) {
        existing->second = std::move(member);  // the last value wins, at the first position
      } else if (dict.size() == kMaxMembers) {
        exhausted_ = true;
        Fail("more than " + std::to_string(kMaxMembers) + " members");
        break;
      } else {
        dict.emplace_back(std::move(key), std::move(member));
      }
      if (!ContinueAfterMember()) break;
    }
    return dict;
  }

  // RFC 8941 §4.2.1 Parsing a List.
  List ParseList() {
    List list;
    while (ok() && !AtEnd()) {
      Member member = ParseItemOrInnerList();
      if (!ok()) break;
      if (list.size() == kMaxMembers) {
        exhausted_ = true;
        Fail("more than " + std::to_string(kMaxMembers) + " members");
        break;
      }
      list.push_back(std::move(member));
      if (!ContinueAfterMember()) break;
    }
    return list;
  }

  // RFC 8941 §4.2.3 Parsing an Item.
  Item ParseItem() {
    Item item;
    item.value = ParseBareItem();
    if (ok()) item.params = ParseParameters();
    return item;
  }

  bool ok() const { return error_.empty(); }
  bool exhausted() const { return exhausted_; }
  std::string error() const {
    return "structured field: " + error_ + " at offset " + std::to_string(error_pos_);
  }

 private:
  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return AtEnd() ? '\0' : in_[pos_]; }
  void SkipSp() {
    while (!AtEnd() && in_[pos_] == ' ') ++pos_;
  }
  void SkipOws() {
    while (!AtEnd() && (in_[pos_] == ' ' || in_[pos_] == '\t')) ++pos_;
  }
  bool Fail(std::string what) {
    if (error_.empty()) {
      error_ = std::move(what);
      error_pos_ = pos_;
    }
    return false;
  }

  // RFC 8941 §4.2.1 / §4.2.2 steps after a member: OWS, then end or "," OWS and another member.
  bool ContinueAfterMember() {
    SkipOws();
    if (AtEnd()) return false;
    if (in_[pos_] != ',') return Fail("expected \",\" between members");
    ++pos_;
    SkipOws();
    if (AtEnd()) return Fail("trailing \",\"");
    return true;
  }

  // RFC 8941 §4.2.1.1 Parsing an Item or Inner List.
  Member ParseItemOrInnerList() {
    if (Peek() == '(') return ParseInnerList();
    return ParseItem();
  }

  // RFC 8941 §4.2.1.2 Parsing an Inner List.
  InnerList ParseInnerList() {
    InnerList list;
    ++pos_;  // "("
    while (ok() && !AtEnd()) {
      SkipSp();
      if (Peek() == ')') {
        ++pos_;
        list.params = ParseParameters();
        return list;
      }
      Item item = ParseItem();
      if (!ok()) return list;
      if (list.items.size() == kMaxInnerListItems) {
        exhausted_ = true;
        Fail("more than " + std::to_string(kMaxInnerListItems) + " inner-list items");
        return list;
      }
      list.items.push_back(std::move(item));
      if (Peek() != ' ' && Peek() != ')') {
        Fail("expected \" \" or \")\" in inner list");
        return list;
      }
    }
    Fail("unterminated inner list");
    return list;
  }

  // RFC 8941 §4.2.3.1 Parsing a Bare Item.
  BareItem ParseBareItem() {
    char c = Peek();
    if (c == '-' || IsDigit(c)) return ParseNumber();
    if (c == '"') return ParseString();
    if (IsAlpha(c) || c == '*') return ParseToken();
    if (c == ':') return ParseByteSequence();
    if (c == '?') return ParseBoolean();
    Fail(AtEnd() ? "expected an item, found the end" : "expected an item");
    return false;
  }

  // RFC 8941 §4.2.3.2 Parsing Parameters.
  Parameters ParseParameters() {
    Parameters params;
    while (ok() && Peek() == ';') {
      ++pos_;
      SkipSp();
      std::string key = ParseKey();
      if (!ok()) break;
      BareItem value = true;
      if (Peek() == '=') {
        ++pos_;
        value = ParseBareItem();
        if (!ok()) break;
      }
      auto existing =
          std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
      if (existing != params.end()) {
        existing->second = std::move(value);  // the last value wins, at the first position
      } else if (params.size() == kMaxParameters) {
        exhausted_ = true;
        Fail("more than " + std::to_string(kMaxParameters) + " parameters");
        break;
      } else {
        params.emplace_back(std::move(key), std::move(value));
      }
    }
    return params;
  }

  // RFC 8941 §4.2.3.3 Parsing a Key.
  std::string ParseKey() {
    char c = Peek();
    if (!IsLcAlpha(c) && c != '*') {
      Fail("expected a key");
      return {};
    }
    size_t start = pos_;
    while (!AtEnd() && IsKeyChar(in_[pos_])) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

  // RFC 8941 §4.2.4 Parsing an Integer or Decimal.
  BareItem ParseNumber() {
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!IsDigit(Peek())) {
      Fail("expected a digit");
      return int64_t{0};
    }
    size_t start = pos_;
    size_t dot = std::string_view::npos;
    while (!AtEnd()) {
      char c = in_[pos_];
      if (IsDigit(c)) {
        ++pos_;
      } else if (dot == std::string_view::npos && c == '.') {
        if (pos_ - start > 12) {
          Fail("decimal with more than 12 integer digits");
          return int64_t{0};
        }
        dot = pos_;
        ++pos_;
      } else {
        break;
      }
      size_t length = pos_ - start;
      if (dot == std::string_view::npos && length > 15) {
        Fail("integer with more than 15 digits");
        return int64_t{0};
      }
      if (dot != std::string_view::npos && length > 16) {
        Fail("decimal with more than 16 characters");
        return int64_t{0};
      }
    }
    auto to_int = [](std::string_view digits) {
      int64_t v = 0;
      for (char d : digits) v = v * 10 + (d - '0');
      return v;
    };
    if (dot == std::string_view::npos) {
      int64_t v = to_int(in_.substr(start, pos_ - start));
      return negative ? -v : v;
    }
    std::string_view fraction = in_.substr(dot + 1, pos_ - dot - 1);
    if (fraction.empty()) {
      Fail("decimal ending in \".\"");
      return int64_t{0};
    }
    if (fraction.size() > 3) {
      Fail("decimal with more than 3 fractional digits");
      return int64_t{0};
    }
    int64_t thousandths = to_int(in_.substr(start, dot - start)) * 1000;
    int64_t scale = 100;
    for (char d : fraction) {
      thousandths += (d - '0') * scale;
      scale /= 10;
    }
    return Decimal{negative ? -thousandths : thousandths};
  }

  // RFC 8941 §4.2.5 Parsing a String.
  BareItem ParseString() {
    std::string out;
    ++pos_;  // DQUOTE
    while (!AtEnd()) {
      char c = in_[pos_++];
      if (c == '\\') {
        if (AtEnd()) break;
        char next = in_[pos_++];
        if (next != '"' && next != '\\') {
          --pos_;
          Fail("bad escape in string");
          return out;
        }
        out.push_back(next);
      } else if (c == '"') {
        return out;
      } else if (c < 0x20 || c == 0x7f) {
        --pos_;
        Fail("control character in string");
        return out;
      } else {
        out.push_back(c);
      }
    }
    Fail("unterminated string");
    return out;
  }

  // RFC 8941 §4.2.6 Parsing a Token.
  BareItem ParseToken() {
    size_t start = pos_++;
    while (!AtEnd() && (IsTchar(in_[pos_]) || in_[pos_] == ':' || in_[pos_] == '/')) ++pos_;
    return Token{std::string(in_.substr(start, pos_ - start))};
  }

  // RFC 8941 §4.2.7 Parsing a Byte Sequence.
  BareItem ParseByteSequence() {
    ++pos_;  // ":"
    size_t end = in_.find(':', pos_);
    if (end == std::string_view::npos) {
      Fail("unterminated byte sequence");
      return Bytes{};
    }
    std::string b64(in_.substr(pos_, end - pos_));
    for (size_t i = 0; i < b64.size(); ++i) {
      if (!IsBase64Char(b64[i])) {
        pos_ += i;
        Fail("bad base64 character in byte sequence");
        return Bytes{};
      }
    }
    // Padding may be left out (§4.2.7: parsers SHOULD NOT fail without it): synthesize it.
    if (b64.size() % 4 != 0) b64.append(4 - b64.size() % 4, '=');
    auto decoded = Base64Decode(b64);
    if (!decoded) {
      Fail("bad base64 in byte sequence");
      return Bytes{};
    }
    pos_ = end + 1;
    return std::move(*decoded);
  }

  // RFC 8941 §4.2.8 Parsing a Boolean.
  BareItem ParseBoolean() {
    ++pos_;  // "?"
    char c = Peek();
    if (c != '0' && c != '1') {
      Fail("expected ?0 or ?1");
      return false;
    }
    ++pos_;
    return c == '1';
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
  bool exhausted_ = false;
};

template <class T>
Result<T> Finish(Parser& parser, T value) {
  if (parser.Finish()) return value;
  if (parser.exhausted()) return ResourceExhausted(parser.error());
  return InvalidArgument(parser.error());
}

template <class T, class F>
Result<T> ParseTopLevel(std::string_view field_value, F parse) {
  Parser parser(field_value);
  if (!parser.Start()) {
    if (parser.exhausted()) return ResourceExhausted(parser.error());
    return InvalidArgument(parser.error());
  }
  T value = parse(parser);
  return Finish(parser, std::move(value));
}

// ---- Serialization (RFC 8941 §4.1) ----

Status AppendKey(std::string& out, std::string_view key) {  // §4.1.1.3
  if (!IsValidKey(key)) {
    return InvalidArgument("structured field: invalid key \"" + std::string(key) + "\"");
  }
  out += key;
  return {};
}

Status AppendBareItem(std::string& out, const BareItem& item);

Status AppendInteger(std::string& out, int64_t v) {  // §4.1.4
  if (v > kMaxInteger || v < -kMaxInteger) {
    return InvalidArgument("structured field: integer out of range");
  }
  out += std::to_string(v);
  return {};
}

Status AppendDecimal(std::string& out, Decimal d) {  // §4.1.5
  if (d.thousandths > kMaxInteger || d.thousandths < -kMaxInteger) {
    return InvalidArgument("structured field: decimal out of range");
  }
  int64_t magnitude = d.thousandths < 0 ? -d.thousandths : d.thousandths;
  if (d.thousandths < 0) out += '-';
  out += std::to_string(magnitude / 1000);
  out += '.';
  int64_t fraction = magnitude % 1000;
  // At least one fractional digit, no trailing zeros.
  char digits[3] = {static_cast<char>('0' + fraction / 100),
                    static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10)};
  size_t n = 3;
  while (n > 1 && digits[n - 1] == '0') --n;
  out.append(digits, n);
  return {};
}

Status AppendString(std::string& out, std::string_view s) {  // §4.1.6
  out += '"';
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) {
      return InvalidArgument("structured field: string holds a character outside %x20-7E");
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return {};
}

Status AppendBareItem(std::string& out, const BareItem& item) {  // §4.1.3.1
  if (const auto* i = std::get_if<int64_t>(&item)) return AppendInteger(out, *i);
  if (const auto* d = std::get_if<Decimal>(&item)) return AppendDecimal(out, *d);
  if (const auto* s = std::get_if<std::string>(&item)) return AppendString(out, *s);
  if (const auto* t = std::get_if<Token>(&item)) {  // §4.1.7
    if (!IsValidToken(t->text)) {
      return InvalidArgument("structured field: invalid token \"" + t->text + "\"");
    }
    out += t->text;
    return {};
  }
  if (const auto* b = std::get_if<Bytes>(&item)) {  // §4.1.8
    out += ':';
    out += Base64Encode(*b);
    out += ':';
    return {};
  }
  out += std::get<bool>(item) ? "?1" : "?0";  // §4.1.9
  return {};
}

Status AppendParameters(std::string& out, const Parameters& params) {  // §4.1.1.2
  for (const auto& [key, value] : params) {
    out += ';';
    ENTENTE_RETURN_IF_ERROR(AppendKey(out, key));
    if (const bool* b = std::get_if<bool>(&value); b != nullptr && *b) continue;
    out += '=';
    ENTENTE_RETURN_IF_ERROR(AppendBareItem(out, value));
  }
  return {};
}

Status AppendItem(std::string& out, const Item& item) {  // §4.1.3
  ENTENTE_RETURN_IF_ERROR(AppendBareItem(out, item.value));
  return AppendParameters(out, item.params);
}

Status AppendInnerList(std::string& out, const InnerList& list) {  // §4.1.1.1
  out += '(';
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out += ' ';
    ENTENTE_RETURN_IF_ERROR(AppendItem(out, list.items[i]));
  }
  out += ')';
  return AppendParameters(out, list.params);
}

Status AppendMember(std::string& out, const Member& member) {
  if (const auto* list = std::get_if<InnerList>(&member)) return AppendInnerList(out, *list);
  return AppendItem(out, std::get<Item>(member));
}

}  // namespace

bool IsValidKey(std::string_view key) {
  if (key.empty() || !(IsLcAlpha(key[0]) || key[0] == '*')) return false;
  return std::all_of(key.begin() + 1, key.end(), IsKeyChar);
}

Result<Dictionary> ParseDictionary(std::string_view field_value) {
  return ParseTopLevel<Dictionary>(field_value, [](Parser& p) { return p.ParseDictionary(); });
}

Result<List> ParseList(std::string_view field_value) {
  return ParseTopLevel<List>(field_value, [](Parser& p) { return p.ParseList(); });
}

Result<Item> ParseItem(std::string_view field_value) {
  return ParseTopLevel<Item>(field_value, [](Parser& p) { return p.ParseItem(); });
}

Result<std::string> Serialize(const Dictionary& dictionary) {  // §4.1.2
  std::string out;
  for (size_t i = 0; i < dictionary.size(); ++i) {
    if (i > 0) out += ", ";
    const auto& [key, member] = dictionary[i];
    ENTENTE_RETURN_IF_ERROR(AppendKey(out, key));
    const Item* item = std::get_if<Item>(&member);
    if (item != nullptr) {
      if (const bool* b = std::get_if<bool>(&item->value); b != nullptr && *b) {
        ENTENTE_RETURN_IF_ERROR(AppendParameters(out, item->params));
        continue;
      }
    }
    out += '=';
    ENTENTE_RETURN_IF_ERROR(AppendMember(out, member));
  }
  return out;
}

Result<std::string> Serialize(const List& list) {  // §4.1.1
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    ENTENTE_RETURN_IF_ERROR(AppendMember(out, list[i]));
  }
  return out;
}

Result<std::string> Serialize(const Item& item) {
  std::string out;
  ENTENTE_RETURN_IF_ERROR(AppendItem(out, item));
  return out;
}

Result<std::string> Serialize(const InnerList& inner_list) {
  std::string out;
  ENTENTE_RETURN_IF_ERROR(AppendInnerList(out, inner_list));
  return out;
}

Result<std::string> Serialize(const BareItem& bare_item) {
  std::string out;
  ENTENTE_RETURN_IF_ERROR(AppendBareItem(out, bare_item));
  return out;
}

const BareItem* FindParameter(const Parameters& params, std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Member* FindMember(const Dictionary& dictionary, std::string_view key) {
  for (const auto& [k, v] : dictionary) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace entente::net::sf
