// base/encoding.h: hex, base64 (RFC 4648 §4) and base64url (RFC 4648 §5, unpadded).
//
// Decoders take untrusted text: they return InvalidArgument naming the first bad position,
// never throw, and accept only the canonical form (lower- or upper-case hex; base64 with
// correct padding and zero trailing bits; base64url without padding).
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"

namespace entente {

std::string HexEncode(ByteView data);  // lower case
[[nodiscard]] Result<Bytes> HexDecode(std::string_view text);

std::string Base64Encode(ByteView data);  // standard alphabet, padded
[[nodiscard]] Result<Bytes> Base64Decode(std::string_view text);

std::string Base64UrlEncode(ByteView data);  // URL-safe alphabet, no padding
[[nodiscard]] Result<Bytes> Base64UrlDecode(std::string_view text);

}  // namespace entente
