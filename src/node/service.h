// node/service.h: the node's HTTP and WebSocket API (docs/api.md) and the loop that runs it
// (`entente node run`).
//
// Open endpoints: GET /healthz, GET /metrics (Prometheus), GET /v1/node (the node's public
// identity), POST /v1/enrol (authorised by a one-time token inside). Every other /v1 endpoint
// needs an RFC 9421 signature by an active device of this partner (net/http_signatures.h); a
// WebSocket is authenticated once, at the upgrade, after which events submitted on it cost only
// their own signature. Every request is logged as one JSON line and counted in the metrics.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "net/http_server.h"
#include "net/http_signatures.h"
#include "net/nonce_cache.h"
#include "node/core.h"
#include "node/fanout.h"
#include "node/metrics.h"
#include "node/node_dir.h"
#include "node/notifier.h"

namespace entente::node {

// Routes requests. Thread-safe (called on the server's I/O threads).
class NodeService {
 public:
  using GaugeSource = std::function<Metrics::Gauges()>;
  NodeService(NodeInfo info, NodeCore& core, Fanout& fanout, Metrics& metrics, const Clock& clock,
              GaugeSource gauges);

  net::HttpResponse Handle(const net::HttpRequest& request);
  std::variant<net::HttpResponse, net::WebSocketHandlers> Upgrade(
      const net::HttpRequest& request, const std::shared_ptr<net::WebSocketPeer>& peer);

  // Log lines for refused signatures (never sent to the peer).
  using Logger = std::function<void(const std::string& what, const std::string& detail)>;
  void SetLogger(Logger logger) { logger_ = std::move(logger); }
  // Where /v1/notifications/stream subscribes; none: that endpoint is unavailable.
  void SetNotifier(Notifier* notifier) { notifier_ = notifier; }

 private:
  Result<crypto::PublicKey> Authenticate(const net::HttpRequest& request, bool log_refusal = true);
  net::HttpResponse HandleSigned(const net::HttpRequest& request, std::string_view path,
                                 const crypto::PublicKey& device);
  net::HttpResponse Enrol(const net::HttpRequest& request);
  // /federation/v1/...: node-to-node, signed by a peer's node key.
  net::HttpResponse HandleFederation(const net::HttpRequest& request, std::string_view path);
  Result<Peer> AuthenticatePeer(const net::HttpRequest& request);
  // GET /tlog/{space}/{origin}/...: tlog-tiles, for members of the space's partners and peers.
  net::HttpResponse HandleTiles(const net::HttpRequest& request, std::string_view path);
  void OnSocketMessage(const crypto::PublicKey& device, net::WebSocketPeer& peer,
                       std::string_view text);

  NodeInfo info_;
  NodeCore& core_;
  Fanout& fanout_;
  Metrics& metrics_;
  const Clock& clock_;
  GaugeSource gauges_;
  net::InMemoryNonceCache nonces_;
  net::RequestVerifier verifier_;
  net::RequestVerifier peer_verifier_;
  Logger logger_;
  Notifier* notifier_ = nullptr;
};

struct RunOptions {
  std::string dir;
  crypto::SecretBytes passphrase;     // unlocks node.key
  std::optional<std::string> listen;  // overrides node.json; port 0 picks a free port
  int threads = 8;                    // I/O threads (a submit waits for its group commit on one)
  std::chrono::milliseconds peer_poll{1000};  // how often peers are synced without an append
  std::chrono::milliseconds timer_tick{250};  // how often consultation timers are run
  bool fork_for_testing = false;  // test only: sign checkpoints for peers that fork the log
};

// Runs the node until SIGINT or SIGTERM, then stops gracefully (requests in flight finish) and
// returns OK. Calls `on_ready(url)` once it is listening. Errors before listening: those of
// ReadNodeInfo, Unauthenticated for a wrong passphrase, Unavailable if the address is in use,
// DataLoss if a log does not fold.
[[nodiscard]] Status RunNode(const RunOptions& options,
                             const std::function<void(const std::string&)>& on_ready,
                             std::ostream& log);

// The JSON of a receipt (docs/api.md).
nlohmann::json ReceiptJson(const Receipt& receipt);
// The body of POST /federation/v1/add-entries (docs/formats/federation.md), both ways.
nlohmann::json MirrorBatchJson(const MirrorBatch& batch);
[[nodiscard]] Result<MirrorBatch> MirrorBatchFromJson(const nlohmann::json& json);

}  // namespace entente::node
