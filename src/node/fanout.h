// node/fanout.h: pushes each log's new entries to the devices following it over WebSocket,
// with the bodies each device may read and nothing more (DESIGN §5, fan-out).
//
// A subscriber follows one log from an index it chooses (where its last session ended), so a
// client that reconnects catches up without gaps or duplicates: entries are always read from
// the store in index order, after a backlog as after a live append. One thread does the
// sending; a subscriber whose connection cannot keep up is dropped by the connection's own
// queue limit and reconnects from its cursor.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "net/http_server.h"
#include "node/core.h"

namespace entente::node {

// What a subscriber receives, one JSON text message each (docs/api.md):
//   {"type":"event","space":hex,"origin":"USA","index":n,"header":b64url,"body":b64url?}
//   {"type":"checkpoint","space":hex,"origin":"USA","size":n,"checkpoint":note}
class Fanout {
 public:
  explicit Fanout(NodeCore& core);
  ~Fanout();
  Fanout(const Fanout&) = delete;
  Fanout& operator=(const Fanout&) = delete;

  // Starts sending `log` from entry `from` to `peer`, filtered for `reader`. Returns an id for
  // Unsubscribe.
  uint64_t Subscribe(std::shared_ptr<net::WebSocketPeer> peer, const crypto::PublicKey& reader,
                     const store::LogKey& log, uint64_t from);
  void Unsubscribe(uint64_t id);
  // Tells the fan-out that `log` now has `size` entries.
  void Notify(const store::LogKey& log, uint64_t size);
  // Devices connected now.
  size_t subscribers() const;

 private:
  struct Subscriber {
    std::shared_ptr<net::WebSocketPeer> peer;
    crypto::PublicKey reader;
    store::LogKey log;
    uint64_t next = 0;
  };
  void Run();
  bool SendFrom(Subscriber& sub, uint64_t size);

  NodeCore& core_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<uint64_t, Subscriber> subscribers_;  // guarded by mu_
  std::map<store::LogKey, uint64_t> sizes_;     // guarded by mu_
  uint64_t next_id_ = 1;                        // guarded by mu_
  bool dirty_ = false;                          // guarded by mu_
  bool stop_ = false;                           // guarded by mu_
  std::thread thread_;
};

}  // namespace entente::node
