// node/service.h: the node's HTTP API and the loop that runs it (`entente node run`).
//
// Endpoints so far (docs/api.md): GET /healthz, GET /metrics (Prometheus), GET /v1/node (the
// node's public identity: partner, URL, node key, TLS fingerprint). Every request is logged as
// one JSON line on the log stream and counted in the metrics.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "net/http_server.h"
#include "node/metrics.h"
#include "node/node_dir.h"

namespace entente::node {

// Routes requests. Thread-safe (called on the server's I/O threads).
class NodeService {
 public:
  using GaugeSource = std::function<Metrics::Gauges()>;
  NodeService(NodeInfo info, Metrics& metrics, GaugeSource gauges)
      : info_(std::move(info)), metrics_(metrics), gauges_(std::move(gauges)) {}

  net::HttpResponse Handle(const net::HttpRequest& request) const;

 private:
  NodeInfo info_;
  Metrics& metrics_;
  GaugeSource gauges_;
};

struct RunOptions {
  std::string dir;
  crypto::SecretBytes passphrase;     // unlocks node.key
  std::optional<std::string> listen;  // overrides node.json; port 0 picks a free port
  int threads = 2;
};

// Runs the node until SIGINT or SIGTERM, then stops gracefully (requests in flight finish) and
// returns OK. Calls `on_ready(url)` once it is listening. Errors before listening: those of
// ReadNodeInfo, Unauthenticated for a wrong passphrase, Unavailable if the address is in use.
[[nodiscard]] Status RunNode(const RunOptions& options,
                             const std::function<void(const std::string&)>& on_ready,
                             std::ostream& log);

}  // namespace entente::node
