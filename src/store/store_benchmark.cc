// Durable append throughput. The physical limit beside it: the fsync rate of this disk (what a
// commit costs at least), measured in the same run, and SQLite with synchronous=NORMAL (no fsync
// per commit) to show what the inserts alone cost.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "crypto/random.h"
#include "store/group_commit.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::store {
namespace {

constexpr size_t kHeaderSize = 300, kBodySize = 700;

std::vector<NewEvent> MakeEvents(size_t n) {
  std::vector<NewEvent> out(n);
  for (auto& e : out) {
    e.event_id = ledger::EventId(crypto::RandomArray<16>());
    e.header = crypto::RandomBytes(kHeaderSize);
    e.body = crypto::RandomBytes(kBodySize);
  }
  return out;
}

void RunBatches(benchmark::State& state, bool full) {
  entente::testing::TempDir dir;
  auto store =
      SqliteStore::Open((dir.path() / "b.db").string(), {.synchronous_full = full}).value();
  LogKey log{ledger::SpaceId(), "USA"};
  (void)store->CreateLog(log, LogRole::kOwn);
  size_t batch = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    auto events = MakeEvents(batch);
    state.ResumeTiming();
    if (!store->AppendEvents(log, events)) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Events per second at a given batch size, durable (WAL + synchronous=FULL).
void BM_DurableAppend_Batch(benchmark::State& state) { RunBatches(state, true); }
// The same without an fsync per commit: the cost of the inserts and hashing alone.
void BM_NoSyncAppend_Batch(benchmark::State& state) { RunBatches(state, false); }

// Many concurrent callers through the GroupCommitter, one event each call.
void BM_GroupCommit_Threads(benchmark::State& state) {
  entente::testing::TempDir dir;
  auto store = SqliteStore::Open((dir.path() / "g.db").string()).value();
  LogKey log{ledger::SpaceId(), "USA"};
  (void)store->CreateLog(log, LogRole::kOwn);
  GroupCommitter committer(*store);
  int threads = static_cast<int>(state.range(0));
  constexpr int kPerThread = 400;
  std::vector<std::vector<NewEvent>> events(threads);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& v : events) v = MakeEvents(kPerThread);
    state.ResumeTiming();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (auto& e : events[t]) (void)committer.Append(log, e);
      });
    }
    for (auto& th : pool) th.join();
  }
  state.SetItemsProcessed(state.iterations() * threads * kPerThread);
  state.counters["events_per_commit"] =
      static_cast<double>(committer.events()) /
      static_cast<double>(std::max<uint64_t>(1, committer.commits()));
}

// The limit: write 4 KiB and fdatasync, as a commit must at least once.
void BM_Limit_Fdatasync(benchmark::State& state) {
  entente::testing::TempDir dir;
  int fd = ::open((dir.path() / "f").c_str(), O_WRONLY | O_CREAT, 0600);
  Bytes page(4096, 1);
  for (auto _ : state) {
    if (::pwrite(fd, page.data(), page.size(), 0) != 4096 || ::fdatasync(fd) != 0) {
      state.SkipWithError("fdatasync failed");
    }
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Limit_Fdatasync)->UseRealTime();
BENCHMARK(BM_DurableAppend_Batch)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Arg(4000)->UseRealTime();
BENCHMARK(BM_NoSyncAppend_Batch)->Arg(1000)->UseRealTime();
BENCHMARK(BM_GroupCommit_Threads)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace entente::store

BENCHMARK_MAIN();
