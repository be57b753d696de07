#include "node/peers.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/file.h"
#include "ledger/ids.h"
#include "net/http_client.h"
#include "node/node_dir.h"

namespace entente::node {
namespace {

constexpr int kPeersVersion = 1;
constexpr size_t kMaxFile = 1024 * 1024;

std::string PeersPath(const std::string& dir) {
  return (std::filesystem::path(dir) / "peers.json").string();
}

Status Save(const std::string& dir, const std::vector<Peer>& peers) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : peers) {
    list.push_back({{"partner", p.partner},
                    {"url", p.url},
                    {"node_public_key", Base64UrlEncode(p.node_key.view())},
                    {"tls_fingerprint", p.fingerprint}});
  }
  nlohmann::json file = {{"version", kPeersVersion}, {"peers", list}};
  return WriteFileAtomic(PeersPath(dir), AsBytes(file.dump(2) + "\n"), 0644, false);
}

}  // namespace

Status CheckPeer(const Peer& peer) {
  ENTENTE_RETURN_IF_ERROR(ledger::PartnerCode::Parse(peer.partner));
  auto url = net::ParseHttpsUrl(peer.url);
  if (!url) return std::unexpected(url.error().WithContext("peer url"));
  constexpr std::string_view kPrefix = "sha256:";
  const std::string& fp = peer.fingerprint;
  if (!fp.starts_with(kPrefix) || fp.size() != kPrefix.size() + 64 ||
      fp.find_first_not_of("0123456789abcdef", kPrefix.size()) != std::string::npos) {
    return InvalidArgument("peer fingerprint: expected sha256: and 64 lower-case hex digits");
  }
  return {};
}

Result<std::vector<Peer>> ReadPeers(const std::string& dir) {
  std::vector<Peer> peers;
  std::error_code ec;
  if (!std::filesystem::exists(PeersPath(dir), ec)) return peers;
  ENTENTE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(PeersPath(dir), kMaxFile));
  auto json = nlohmann::json::parse(ToString(bytes), nullptr, false);
  auto bad = [&](const std::string& why) { return DataLoss(PeersPath(dir) + ": " + why); };
  if (json.is_discarded() || !json.is_object() || !json.contains("version") ||
      !json["version"].is_number_integer() || json["version"].get<int64_t>() != kPeersVersion ||
      !json.contains("peers") || !json["peers"].is_array()) {
    return bad("not a version 1 peers file");
  }
  if (json.size() != 2) return bad("unknown fields (expected version and peers)");
  for (const auto& item : json["peers"]) {
    auto text = [&](const char* key) { return item.contains(key) && item.at(key).is_string(); };
    if (!item.is_object() || item.size() != 4 || !text("partner") || !text("url") ||
        !text("node_public_key") || !text("tls_fingerprint")) {
      return bad("a peer must have exactly partner, url, node_public_key and tls_fingerprint");
    }
    Peer peer;
    peer.partner = item.at("partner").get<std::string>();
    peer.url = item.at("url").get<std::string>();
    peer.fingerprint = item.at("tls_fingerprint").get<std::string>();
    auto key_bytes = Base64UrlDecode(item.at("node_public_key").get<std::string>());
    if (!key_bytes) return bad("peer " + peer.partner + ": node_public_key is not base64url");
    auto key = crypto::PublicKey::FromBytes(*key_bytes);
    if (!key) return bad("peer " + peer.partner + ": node_public_key is not 32 bytes");
    peer.node_key = *key;
    auto ok = CheckPeer(peer);
    if (!ok) return bad("peer " + peer.partner + ": " + ok.error().message());
    for (const auto& other : peers) {
      if (other.partner == peer.partner) return bad("peer " + peer.partner + " is listed twice");
    }
    peers.push_back(std::move(peer));
  }
  return peers;
}

Status AddPeer(const std::string& dir, const std::string& own_partner, const Peer& peer) {
  ENTENTE_RETURN_IF_ERROR(CheckPeer(peer));
  if (peer.partner == own_partner) {
    return InvalidArgument("peer " + peer.partner + " is this node's own partner");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto peers, ReadPeers(dir));
  std::erase_if(peers, [&](const Peer& p) { return p.partner == peer.partner; });
  peers.push_back(peer);
  std::sort(peers.begin(), peers.end(),
            [](const Peer& a, const Peer& b) { return a.partner < b.partner; });
  return Save(dir, peers);
}

Result<crypto::PublicKey> PinnedNodeKey(const std::string& dir, const std::string& partner) {
  ENTENTE_ASSIGN_OR_RETURN(NodeInfo info, ReadNodeInfo(dir));
  if (info.partner == partner) return info.node_key;
  ENTENTE_ASSIGN_OR_RETURN(auto peers, ReadPeers(dir));
  for (const auto& p : peers) {
    if (p.partner == partner) return p.node_key;
  }
  return NotFound(dir + ": no node key for " + partner + " (not this node, not a pinned peer)");
}

Status RemovePeer(const std::string& dir, const std::string& partner) {
  ENTENTE_ASSIGN_OR_RETURN(auto peers, ReadPeers(dir));
  auto removed = std::erase_if(peers, [&](const Peer& p) { return p.partner == partner; });
  if (removed == 0) return NotFound("no peer " + partner);
  return Save(dir, peers);
}

}  // namespace entente::node
