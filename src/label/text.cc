#include "label/text.h"

#include <cstdint>
#include <cstdio>

namespace entente::label::internal {
namespace {

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

// Returns the length of the well-formed UTF-8 sequence at the start of `text`, or 0 if there is
// none (RFC 3629 §4, the table of well-formed byte sequences).
size_t Utf8SequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  size_t length;
  uint8_t low = 0x80, high = 0xbf;  // bounds of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0;   // no overlongs
    if (b0 == 0xed) high = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) low = 0x90;   // no overlongs
    if (b0 == 0xf4) high = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

}  // namespace

bool IsToken(std::string_view text) {
  if (text.empty() || text.size() > kMaxTokenSize) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsName(std::string_view text) {
  if (text.empty() || text.size() > kMaxTokenSize) return false;
  for (char c : text) {
    if (!IsTokenChar(c) && c != '_') return false;
  }
  return true;
}

bool IsUtf8(std::string_view text) {
  while (!text.empty()) {
    size_t n = Utf8SequenceLength(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

std::string DisplayTextProblem(std::string_view text) {
  if (text.empty()) return "is empty";
  if (text.size() > kMaxDisplayTextSize) {
    return "is " + std::to_string(text.size()) + " bytes, over the limit of " +
           std::to_string(kMaxDisplayTextSize);
  }
  if (!IsUtf8(text)) return "is not valid UTF-8";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "contains a control character";
    if (c == ';' || c == ',' || c == '/') return std::string("contains '") + c + "'";
  }
  if (text.front() == ' ' || text.back() == ' ') return "has a leading or trailing space";
  if (text.find("  ") != std::string_view::npos) return "has two spaces in a row";
  return "";
}

std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string out = "\"";
  size_t shown = 0;
  while (!text.empty()) {
    if (shown >= kMaxShown) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(text.front());
    size_t n = Utf8SequenceLength(text);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      n = 1;
    } else if (n > 1 || (n == 1 && c >= 0x20 && c != 0x7f)) {
      out.append(text.substr(0, n));
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
      n = 1;
    }
    shown += n;
    text.remove_prefix(n);
  }
  out += '"';
  return out;
}

namespace {
template <class T>
std::string JoinImpl(std::span<const T> items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}
}  // namespace

std::string Join(std::span<const std::string> items, std::string_view separator) {
  return JoinImpl(items, separator);
}
std::string Join(std::span<const std::string_view> items, std::string_view separator) {
  return JoinImpl(items, separator);
}

}  // namespace entente::label::internal
