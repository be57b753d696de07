#include "node/tokens.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace entente::node {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxFile = 16 * 1024 * 1024;

Result<nlohmann::json> Load(const std::string& path) {
  ENTENTE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, kMaxFile));
  auto json = nlohmann::json::parse(ToString(bytes), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("tokens") ||
      !json["tokens"].is_array()) {
    return DataLoss(path + ": not an enrolment token file");
  }
  return json;
}

Status Save(const std::string& path, const nlohmann::json& json) {
  return WriteFileAtomic(path, AsBytes(json.dump(2) + "\n"), 0600, false);
}

}  // namespace

Result<TokenGrant> TokenBook::Consume(std::string_view token, TimeMs now) {
  return Find(token, now, true);
}

Result<TokenGrant> TokenBook::Peek(std::string_view token, TimeMs now) {
  return Find(token, now, false);
}

Result<TokenGrant> TokenBook::Find(std::string_view token, TimeMs now, bool consume) {
  std::lock_guard lock(mu_);
  ENTENTE_ASSIGN_OR_RETURN(auto json, Load(path_));
  std::string hash = HexEncode(crypto::Sha256(AsBytes(token)));
  uint64_t now_ms = ToUnixMs(now);
  for (auto& entry : json["tokens"]) {
    if (!entry.is_object() || entry.value("sha256", "") != hash) continue;
    if (entry.value("used", true)) break;
    uint64_t expires = entry.value("expires_ms", uint64_t{0});
    if (expires != 0 && now_ms >= expires) break;
    if (consume) {
      entry["used"] = true;
      entry["used_ms"] = now_ms;
      ENTENTE_RETURN_IF_ERROR(Save(path_, json));
    }
    if (entry.value("role", "") == "admin") return TokenGrant{TokenGrant::Kind::kAdmin, ""};
    return TokenGrant{TokenGrant::Kind::kDevice, entry.value("member", "")};
  }
  return Unauthenticated("enrolment token is not valid (unknown, used or expired)");
}

Result<std::string> TokenBook::IssueDeviceToken(const std::string& member, TimeMs now) {
  std::lock_guard lock(mu_);
  ENTENTE_ASSIGN_OR_RETURN(auto json, Load(path_));
  std::string token = "entente-device-" + Base64UrlEncode(crypto::RandomBytes(kTokenBytes));
  uint64_t now_ms = ToUnixMs(now);
  json["tokens"].push_back({{"sha256", HexEncode(crypto::Sha256(AsBytes(token)))},
                            {"role", "device"},
                            {"member", member},
                            {"created_ms", now_ms},
                            {"expires_ms", now_ms + kDeviceTokenLifetimeMs},
                            {"used", false}});
  ENTENTE_RETURN_IF_ERROR(Save(path_, json));
  return token;
}

}  // namespace entente::node
