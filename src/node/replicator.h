// node/replicator.h: sends this node's logs to its peers to mirror and cosign (DESIGN §5,
// "Mirror and witness"; docs/formats/federation.md).
//
// One thread. It wakes when an append is notified (low latency) and at least every poll
// interval (the fallback, and how it catches up after a partition). For each peer it pushes the
// directory, then each space log the peer shares, with POST /federation/v1/add-entries in
// batches, from the size the peer says it holds, and stores the cosignature the peer returns.
// Then it pulls (GET /federation/v1/entries) whatever it lacks of the peer's logs, in case the
// peer cannot reach it (a one-way link), and returns its cosignatures with POST
// /federation/v1/cosignature.
// Space logs are pushed only up to the sizes they had before the directory's size was read, so
// a peer always has the directory entries an event depends on before the event itself.
// An unreachable peer costs one failed connection per pass; nothing is lost, since the log is
// the queue.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "node/core.h"

namespace entente::node {

class Replicator {
 public:
  using Logger = std::function<void(const nlohmann::json&)>;
  struct Options {
    std::chrono::milliseconds poll{1000};
    std::chrono::milliseconds timeout{5000};  // per request
    size_t batch = 500;
  };
  // `reload_peers` is called once a pass and returns the peers to sync with (from peers.json).
  Replicator(NodeCore& core, std::function<std::vector<Peer>()> reload_peers, Logger log,
             Options options);
  ~Replicator();
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // An own log grew: push soon.
  void Notify();

  struct PeerStatus {
    std::string partner;
    bool reachable = false;
    std::string last_error;
    uint64_t lag = 0;  // own entries this peer has not yet cosigned
  };
  std::vector<PeerStatus> status() const;

 private:
  struct Link {
    std::unique_ptr<net::HttpClient> http;
    std::map<store::LogKey, uint64_t> held;      // the peer's mirror size, as it last said
    std::map<store::LogKey, uint64_t> cosigned;  // the largest size it cosigned
    bool reachable = false;
    bool reported_down = false;
    std::string last_error;
    uint64_t lag = 0;
  };
  void Run();
  Status SyncPeer(const Peer& peer, Link& link);
  Status SyncLog(const Peer& peer, Link& link, const store::LogKey& log, uint64_t size);
  // The fallback: pulls what this node lacks of the peer's logs and returns the cosignatures.
  Status PullFrom(const Peer& peer, Link& link);
  Result<net::HttpResponse> Call(const Peer& peer, Link& link, std::string_view method,
                                 const std::string& target, const std::string& body);

  NodeCore& core_;
  std::function<std::vector<Peer>()> reload_peers_;
  Logger log_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool dirty_ = false;                 // guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  std::map<std::string, Link> links_;  // used by the thread; status fields guarded by mu_
  std::thread thread_;
};

}  // namespace entente::node
