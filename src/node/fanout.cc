#include "node/fanout.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"

namespace entente::node {

Fanout::Fanout(NodeCore& core) : core_(core), thread_([this] { Run(); }) {}

Fanout::~Fanout() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t Fanout::Subscribe(std::shared_ptr<net::WebSocketPeer> peer,
                           const crypto::PublicKey& reader, const store::LogKey& log,
                           uint64_t from) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  subscribers_[id] = Subscriber{std::move(peer), reader, log, from};
  sizes_.try_emplace(log, 0);
  sizes_[log] = std::max<uint64_t>(sizes_[log], from + 1);  // look at the store at least once
  dirty_ = true;
  wake_.notify_all();
  return id;
}

void Fanout::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  subscribers_.erase(id);
}

void Fanout::Notify(const store::LogKey& log, uint64_t size) {
  std::lock_guard lock(mu_);
  auto& known = sizes_[log];
  known = std::max(known, size);
  dirty_ = true;
  wake_.notify_all();
}

size_t Fanout::subscribers() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

bool Fanout::SendFrom(Subscriber& sub, uint64_t size) {
  constexpr size_t kPage = 512;
  while (sub.next < size) {
    auto page = core_.ReadLog(sub.reader, sub.log.space, sub.log.origin, sub.next, kPage);
    if (!page) {
      nlohmann::json error = {{"type", "error"}, {"message", page.error().message()}};
      sub.peer->Send(error.dump());
      sub.peer->Close();
      return false;
    }
    std::string space = sub.log.space.ToHex();
    for (const auto& entry : page->entries) {
      nlohmann::json message = {{"type", "event"},
                                {"space", space},
                                {"origin", sub.log.origin},
                                {"index", entry.index},
                                {"header", Base64UrlEncode(entry.header)}};
      if (entry.body) message["body"] = Base64UrlEncode(*entry.body);
      if (!entry.flagged.empty()) message["flagged"] = entry.flagged;
      if (!sub.peer->Send(message.dump())) return false;
    }
    if (page->entries.empty()) break;  // the store is behind the notification: next time
    sub.next = page->entries.back().index + 1;
    nlohmann::json checkpoint = {{"type", "checkpoint"},
                                 {"space", space},
                                 {"origin", sub.log.origin},
                                 {"size", page->tree_size},
                                 {"checkpoint", page->checkpoint}};
    if (!sub.peer->Send(checkpoint.dump())) return false;
  }
  return true;
}

void Fanout::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || dirty_; });
    if (stop_) return;
    dirty_ = false;
    // Work on copies so that appends and subscriptions proceed while this thread sends.
    auto work = subscribers_;
    auto sizes = sizes_;
    lock.unlock();
    std::vector<uint64_t> dropped;
    std::map<uint64_t, uint64_t> advanced;
    for (auto& [id, sub] : work) {
      uint64_t size = sizes[sub.log];
      if (sub.next >= size) continue;
      if (!SendFrom(sub, size)) {
        dropped.push_back(id);
      } else {
        advanced[id] = sub.next;
      }
    }
    lock.lock();
    for (uint64_t id : dropped) subscribers_.erase(id);
    for (const auto& [id, next] : advanced) {
      auto it = subscribers_.find(id);
      if (it != subscribers_.end()) it->second.next = std::max(it->second.next, next);
    }
  }
}

}  // namespace entente::node
