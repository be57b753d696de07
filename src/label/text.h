// label/text.h: the lexical rules shared by policy files, labels, clearances and banners, and the
// quoting that keeps untrusted text on one line in error messages. Internal to the label module.
//
//   token        = 1*63( ALPHA / DIGIT / "-" / "." )          ; policy, partner, level, tagset,
//   value name         = 1*63( ALPHA / DIGIT / "-" / "." / "_" )    ; role ids and event kind names
//   display text = 1..127 bytes of UTF-8 without control characters, ";", ",", "/",
//                  or leading, trailing or doubled spaces       ; markings and banner names
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace entente::label::internal {

constexpr size_t kMaxTokenSize = 63;
constexpr size_t kMaxDisplayTextSize = 127;

// True if `text` is a token (see above).
bool IsToken(std::string_view text);
// True if `text` is a name: a token that may also contain "_".
bool IsName(std::string_view text);
// True if `text` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points above
// U+10FFFF).
bool IsUtf8(std::string_view text);
// Returns empty if `text` is acceptable display text, else what is wrong with it ("contains
// '/'").
std::string DisplayTextProblem(std::string_view text);

// Returns `text` in double quotes for an error message: printable ASCII and well-formed UTF-8 as
// they are, '"' and '\' escaped, every other byte as \xNN, cut after about 80 bytes with "...".
// The result never contains a line break.
std::string Quote(std::string_view text);

// Returns the items joined by `separator` ("KOR, USA").
std::string Join(std::span<const std::string> items, std::string_view separator);
std::string Join(std::span<const std::string_view> items, std::string_view separator);

}  // namespace entente::label::internal
