// store/group_commit.h: many concurrent appenders, one durable commit per batch.
//
// The cost of a durable append is the fsync, not the insert. GroupCommitter lets any number of
// threads call Append; whoever arrives while no commit is running becomes the leader, takes
// every queued event (up to `max_batch`), commits them with one Store::AppendEvents per log, and
// wakes the others with their results. No extra thread, no timer: under load batches grow by
// themselves, and a lone caller pays one commit as before.
//
// Thread-safe. The Store must outlive the GroupCommitter.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include "store/store.h"

namespace entente::store {

class GroupCommitter {
 public:
  explicit GroupCommitter(Store& store, size_t max_batch = 4096)
      : store_(store), max_batch_(max_batch) {}

  // Appends `event` to `log` durably; returns its leaf index once it is on disk. Errors are
  // those of Store::AppendEvents for this event alone: a bad event in a batch never fails the
  // others.
  [[nodiscard]] Result<uint64_t> Append(const LogKey& log, const NewEvent& event);

  // Commits so far and events per commit, for metrics and benchmarks.
  uint64_t commits() const;
  uint64_t events() const;

 private:
  struct Pending {
    const LogKey* log;
    const NewEvent* event;
    std::optional<Result<uint64_t>> result;
  };
  void CommitBatch(std::span<Pending* const> batch);

  Store& store_;
  const size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool leader_active_ = false;  // guarded by mu_
  uint64_t commits_ = 0;        // guarded by mu_
  uint64_t events_ = 0;         // guarded by mu_
};

}  // namespace entente::store
