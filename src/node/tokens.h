// node/tokens.h: one-time enrolment tokens (DIR/enrolment.json, mode 0600).
//
// A token is shown once, to whoever will enrol with it, and only its SHA-256 is kept. The admin
// token (from `node init`) enrols the partner's first admin; a device token (issued by an admin
// for a member, or by a member for themselves) enrols one device of that member. A token is
// marked used durably *before* the enrolment it authorises is appended: a crash in between
// wastes the token, never lets it enrol twice.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"

namespace entente::node {

struct TokenGrant {
  enum class Kind : uint8_t { kAdmin, kDevice };
  Kind kind;
  std::string member;  // kDevice: the member it enrols a device for
};

inline constexpr uint64_t kDeviceTokenLifetimeMs = 7ull * 24 * 3600 * 1000;

class TokenBook {
 public:
  explicit TokenBook(std::string path) : path_(std::move(path)) {}

  // Consumes `token` if it is known, unused and unexpired, and durably marks it used; returns
  // what it grants. Unauthenticated("enrolment token is not valid") otherwise (unknown, used or
  // expired all look the same to the caller).
  [[nodiscard]] Result<TokenGrant> Consume(std::string_view token, TimeMs now);
  // What `token` would grant, without consuming it; errors as Consume.
  [[nodiscard]] Result<TokenGrant> Peek(std::string_view token, TimeMs now);
  // Issues a device token for `member`, valid for kDeviceTokenLifetimeMs; returns the token.
  [[nodiscard]] Result<std::string> IssueDeviceToken(const std::string& member, TimeMs now);

 private:
  Result<TokenGrant> Find(std::string_view token, TimeMs now, bool consume);

  std::mutex mu_;
  std::string path_;
};

}  // namespace entente::node
