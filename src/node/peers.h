// node/peers.h: the partner nodes this node federates with (DESIGN §1.1, §4.5), kept in
// DIR/peers.json (docs/formats/peers.md). Each peer is pinned twice: its node key (which signs
// its checkpoints and its node-to-node requests) and its TLS certificate's SHA-256 fingerprint.
// Nothing about a peer is learnt on first use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/sign.h"

namespace entente::node {

struct Peer {
  std::string partner;  // KOR
  std::string url;      // https://host:port
  crypto::PublicKey node_key;
  std::string fingerprint;  // sha256:<64 hex>

  bool operator==(const Peer&) const = default;
};

// Checks a peer's fields: a partner code, an https URL, a 32-byte key, a sha256 fingerprint.
[[nodiscard]] Status CheckPeer(const Peer& peer);

// The peers in DIR/peers.json; none if the file does not exist. DataLoss if it is malformed.
[[nodiscard]] Result<std::vector<Peer>> ReadPeers(const std::string& dir);

// Adds or replaces (same partner) a peer and writes DIR/peers.json atomically. InvalidArgument
// for a bad field or for the node's own partner.
[[nodiscard]] Status AddPeer(const std::string& dir, const std::string& own_partner,
                             const Peer& peer);

// The node key of `partner` as the node in `dir` knows it: its own (node.json) or a pinned
// peer's. NotFound for another partner.
[[nodiscard]] Result<crypto::PublicKey> PinnedNodeKey(const std::string& dir,
                                                      const std::string& partner);

// Removes a peer; NotFound if there is none for `partner`.
[[nodiscard]] Status RemovePeer(const std::string& dir, const std::string& partner);

}  // namespace entente::node
