#include "space/names.h"

#include <algorithm>

#include "base/encoding.h"
#include "crypto/hash.h"

namespace entente::space {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsToken(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

}  // namespace

ledger::SpaceId DirectorySpaceId(std::string_view partner) {
  constexpr std::string_view kPrefix = "entente/directory/v1\n";
  auto digest = crypto::Sha256({AsBytes(kPrefix), AsBytes(partner)});
  std::array<uint8_t, ledger::SpaceId::kSize> id{};
  std::copy_n(digest.begin(), id.size(), id.begin());
  return ledger::SpaceId(id);
}

Status CheckHandle(std::string_view handle) {
  if (handle.empty() || handle.size() > 32) {
    return InvalidArgument("handle \"" + std::string(handle) + "\": use 1 to 32 characters");
  }
  if (!IsLowerAlnum(handle.front())) {
    return InvalidArgument("handle \"" + std::string(handle) +
                           "\": must start with a lower-case letter or digit");
  }
  for (char c : handle) {
    if (!IsLowerAlnum(c) && c != '.' && c != '_' && c != '-') {
      return InvalidArgument("handle \"" + std::string(handle) +
                             "\": use only a-z, 0-9, '.', '_' and '-'");
    }
  }
  return {};
}

Result<MemberName> ParseMemberName(std::string_view text) {
  auto at = text.find('@');
  if (at == std::string_view::npos) {
    return InvalidArgument("member \"" + std::string(text) + "\": expected handle@PARTNER");
  }
  MemberName name{std::string(text.substr(0, at)), std::string(text.substr(at + 1))};
  ENTENTE_RETURN_IF_ERROR(CheckHandle(name.handle));
  auto partner = ledger::PartnerCode::Parse(name.partner);
  if (!partner) {
    return InvalidArgument("member \"" + std::string(text) + "\": " + partner.error().message());
  }
  return name;
}

std::string DeviceIdOf(const crypto::PublicKey& key) { return Base64UrlEncode(key.bytes()); }

Result<crypto::PublicKey> ParseDeviceId(std::string_view id) {
  auto bytes = Base64UrlDecode(id);
  if (!bytes || bytes->size() != crypto::PublicKey::kSize) {
    return InvalidArgument("device \"" + std::string(id) +
                           "\": expected a 43-character base64url Ed25519 public key");
  }
  return crypto::PublicKey::FromBytes(*bytes);
}

Status CheckChannelName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && IsLowerAlnum(name.front());
  for (char c : name) ok = ok && (IsLowerAlnum(c) || c == '-');
  if (!ok) {
    return InvalidArgument("channel \"" + std::string(name) +
                           "\": use 1 to 63 of a-z, 0-9 and '-', starting with a letter or digit");
  }
  return {};
}

Status CheckClearanceSyntax(std::string_view clearance) {
  auto fail = [&](std::string_view why) {
    return InvalidArgument("clearance \"" + std::string(clearance) + "\": " + std::string(why));
  };
  if (clearance.empty() || clearance.size() > 1024) return fail("use 1 to 1024 characters");
  size_t field = 0;
  size_t start = 0;
  while (start <= clearance.size()) {
    size_t end = clearance.find(';', start);
    if (end == std::string_view::npos) end = clearance.size();
    std::string_view part = clearance.substr(start, end - start);
    if (part.empty()) return fail("empty field");
    if (field < 2) {
      for (char c : part) {
        if (!IsToken(c)) return fail("policy and level are letters, digits, '-' or '.'");
      }
    } else {
      auto eq = part.find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == part.size()) {
        return fail("expected tagset=value[,value...] after the level");
      }
      for (size_t i = 0; i < part.size(); ++i) {
        if (i != eq && part[i] != ',' && !IsToken(part[i])) return fail("bad character");
      }
    }
    ++field;
    start = end + 1;
  }
  if (field < 2) return fail("expected POLICY;LEVEL[;TAGSET=VALUES...]");
  return {};
}

}  // namespace entente::space
