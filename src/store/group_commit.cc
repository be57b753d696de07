#include "store/group_commit.h"

#include <map>
#include <vector>

namespace entente::store {

Result<uint64_t> GroupCommitter::Append(const LogKey& log, const NewEvent& event) {
  Pending me{&log, &event, std::nullopt};
  std::unique_lock lock(mu_);
  queue_.push_back(&me);
  while (!me.result) {
    if (leader_active_) {
      done_.wait(lock);
      continue;
    }
    // Lead: take what is queued (this caller's event included, unless an earlier leader took it
    // and has not finished: then wait for that leader instead).
    leader_active_ = true;
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    CommitBatch(batch);
    lock.lock();
    ++commits_;
    events_ += batch.size();
    leader_active_ = false;
    done_.notify_all();
  }
  return std::move(*me.result);
}

void GroupCommitter::CommitBatch(std::span<Pending* const> batch) {
  // One transaction per log, events in arrival order.
  std::map<LogKey, std::vector<Pending*>> by_log;
  for (Pending* p : batch) by_log[*p->log].push_back(p);
  for (auto& [log, pendings] : by_log) {
    std::vector<NewEvent> events;
    events.reserve(pendings.size());
    for (Pending* p : pendings) events.push_back(*p->event);
    auto indices = store_.AppendEvents(log, events);
    if (indices) {
      for (size_t i = 0; i < pendings.size(); ++i) pendings[i]->result = (*indices)[i];
      continue;
    }
    // The batch failed as a whole; retry one by one so each caller gets its own answer.
    for (Pending* p : pendings) {
      auto one = store_.AppendEvents(log, std::span<const NewEvent>(p->event, 1));
      if (one) {
        p->result = (*one)[0];
      } else {
        p->result = std::unexpected(one.error());
      }
    }
  }
}

uint64_t GroupCommitter::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

uint64_t GroupCommitter::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

}  // namespace entente::store
