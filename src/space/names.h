// space/names.h: how members, devices, channels and directories are named.
//
// A member is `handle@PARTNER` (`alice@USA`): the handle is 1 to 32 of `a-z 0-9 . _ -`,
// starting with a letter or digit; the partner is a partner code. A device is named by its
// Ed25519 public key in base64url without padding (43 characters). A channel name is 1 to 63 of
// `a-z 0-9 -`, starting with a letter or digit.
//
// Each partner's members and devices are events in that partner's directory log, whose space id
// is derived from the partner code (DirectorySpaceId) and whose events carry the label
// kDirectoryLabel: a directory holds no private content, only who is enrolled, with which roles
// and clearance, and which keys their devices use (key transparency).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/sign.h"
#include "ledger/ids.h"

namespace entente::space {

// The label carried by directory events. It is not a policy label (it has no ';'), so it can
// never be confused with one.
inline constexpr std::string_view kDirectoryLabel = "DIRECTORY";
// The partner-level role that enrols members and creates spaces.
inline constexpr std::string_view kAdminRole = "admin";

// First 16 bytes of SHA-256("entente/directory/v1\n" || partner).
ledger::SpaceId DirectorySpaceId(std::string_view partner);

struct MemberName {
  std::string handle;
  std::string partner;
  std::string str() const { return handle + "@" + partner; }
};
// Parses `handle@PARTNER`; InvalidArgument naming what is wrong.
[[nodiscard]] Result<MemberName> ParseMemberName(std::string_view text);
// Checks a handle alone.
[[nodiscard]] Status CheckHandle(std::string_view handle);

std::string DeviceIdOf(const crypto::PublicKey& key);
[[nodiscard]] Result<crypto::PublicKey> ParseDeviceId(std::string_view id);

[[nodiscard]] Status CheckChannelName(std::string_view name);

// Syntax only (policy ";" level *(";" tagset "=" values)): a clearance is checked against a
// policy when a space uses it, since members are enrolled before and apart from any space.
[[nodiscard]] Status CheckClearanceSyntax(std::string_view clearance);

}  // namespace entente::space
