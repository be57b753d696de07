// node/notifier.h: runs the consultation timers of the node's members (NodeCore::RunTimers) on
// one thread, and pushes each recorded notification to the devices watching over WebSocket
// (`/v1/notifications/stream`, docs/api.md), filtered for each reader.
//
// A subscriber starts from a sequence number it chooses (where its last session ended), so a
// watcher that reconnects misses nothing and sees nothing twice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "net/http_server.h"
#include "node/core.h"

namespace entente::node {

// Each message (JSON text) is one notification: consult::Notification's JSON with its "seq" and
// "for_you" (the reader is one of its targets).
class Notifier {
 public:
  using Logger = std::function<void(const std::string& what, const Error& error)>;
  // Called for each deadline, escalation, report-due and task-overdue notification recorded
  // (for the node's log: operators see what the timers did).
  using TimerLogger = std::function<void(const consult::Notification& n)>;
  // Runs the timers every `interval` from construction until destruction.
  Notifier(NodeCore& core, std::chrono::milliseconds interval, Logger logger,
           TimerLogger timer_logger = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  uint64_t Subscribe(std::shared_ptr<net::WebSocketPeer> peer, const crypto::PublicKey& reader,
                     uint64_t after);
  void Unsubscribe(uint64_t id);
  size_t subscribers() const;

 private:
  struct Subscriber {
    std::shared_ptr<net::WebSocketPeer> peer;
    crypto::PublicKey reader;
    uint64_t after = 0;
  };
  void Run();
  void Pump();

  NodeCore& core_;
  const std::chrono::milliseconds interval_;
  Logger logger_;
  TimerLogger timer_logger_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<uint64_t, Subscriber> subscribers_;  // guarded by mu_
  uint64_t next_id_ = 1;                        // guarded by mu_
  bool pending_ = false;                        // a new subscriber waits for its backlog
  bool stop_ = false;                           // guarded by mu_
  std::thread thread_;
};

// The JSON a watcher receives for one notification.
nlohmann::json NotificationJson(uint64_t seq, const consult::Notification& n,
                                const std::string& reader_member);

}  // namespace entente::node
