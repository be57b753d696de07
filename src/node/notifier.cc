#include "node/notifier.h"

#include <algorithm>

namespace entente::node {

nlohmann::json NotificationJson(uint64_t seq, const consult::Notification& n,
                                const std::string& reader_member) {
  nlohmann::json json = n.ToJson();
  json["seq"] = seq;
  json["for_you"] = std::find(n.targets.begin(), n.targets.end(), reader_member) != n.targets.end();
  return json;
}

Notifier::Notifier(NodeCore& core, std::chrono::milliseconds interval, Logger logger,
                   TimerLogger timer_logger)
    : core_(core),
      interval_(interval),
      logger_(std::move(logger)),
      timer_logger_(std::move(timer_logger)),
      thread_([this] { Run(); }) {}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t Notifier::Subscribe(std::shared_ptr<net::WebSocketPeer> peer,
                             const crypto::PublicKey& reader, uint64_t after) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  subscribers_.emplace(id, Subscriber{std::move(peer), reader, after});
  pending_ = true;
  wake_.notify_all();
  return id;
}

void Notifier::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  subscribers_.erase(id);
}

size_t Notifier::subscribers() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

void Notifier::Pump() {
  std::map<uint64_t, Subscriber> subs;
  {
    std::lock_guard lock(mu_);
    subs = subscribers_;
    pending_ = false;
  }
  for (auto& [id, sub] : subs) {
    std::string member = core_.MemberOf(sub.reader);
    constexpr size_t kPage = 256;
    for (bool more = true; more;) {
      uint64_t scanned = sub.after;
      auto batch = core_.NotificationsFor(sub.reader, sub.after, kPage, &scanned);
      if (!batch) {
        sub.peer->Close();  // revoked, or the store failed: the watcher reconnects or stops
        break;
      }
      more = batch->size() == kPage;
      bool sent = true;
      for (const auto& [seq, n] : *batch) {
        if (!sub.peer->Send(NotificationJson(seq, n, member).dump())) {
          sent = more = false;  // closed, or too slow: it reconnects from its cursor
          break;
        }
        sub.after = seq;
      }
      if (sent) sub.after = scanned;  // past those this reader may not see, too
    }
    std::lock_guard lock(mu_);
    auto it = subscribers_.find(id);
    if (it != subscribers_.end()) it->second.after = sub.after;
  }
}

void Notifier::Run() {
  uint64_t seen = core_.notification_generation();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, interval_, [&] { return stop_ || pending_; });
      if (stop_) return;
    }
    auto recorded = core_.RunTimers();
    if (!recorded) {
      logger_("consultation timers failed", recorded.error());
    } else if (timer_logger_) {
      for (const auto& n : *recorded) {
        if (n.type != "event") timer_logger_(n);
      }
    }
    uint64_t now = core_.notification_generation();
    bool pending;
    {
      std::lock_guard lock(mu_);
      pending = pending_;
    }
    if (now != seen || pending) Pump();
    seen = now;
  }
}

}  // namespace entente::node
