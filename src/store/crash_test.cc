// Crash safety: a child process appends through the GroupCommitter and reports every
// acknowledged event on a pipe; the parent kills it with SIGKILL at a random moment, many
// times, and then checks that every acknowledged event is in the store at the index it was
// acknowledged with, that the stored tree agrees with its leaves, and that SQLite's own
// integrity check passes. The store must never lose what it acknowledged.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "crypto/random.h"
#include "ledger/merkle.h"
#include "store/group_commit.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::store {
namespace {

struct Ack {
  uint8_t event_id[16];
  uint64_t index;
};

LogKey TheLog() { return LogKey{ledger::SpaceId(), "USA"}; }

[[noreturn]] void Child(const std::string& path, int ack_fd, uint32_t seed) {
  auto store = SqliteStore::Open(path);
  if (!store || !(*store)->CreateLog(TheLog(), LogRole::kOwn)) _exit(3);
  GroupCommitter committer(**store);
  // Two appending threads, so that batches of several events are committed and killed mid-way.
  auto run = [&](uint32_t thread_seed) {
    std::mt19937 rng(thread_seed);
    for (uint64_t n = 0;; ++n) {
      NewEvent e;
      e.event_id = ledger::EventId(crypto::RandomArray<16>());
      e.header = crypto::RandomBytes(100 + rng() % 400);
      e.body = crypto::RandomBytes(rng() % 2000);
      auto index = committer.Append(TheLog(), e);
      if (!index) {
        std::fprintf(stderr, "child append failed: %s\n", index.error().ToString().c_str());
        _exit(4);
      }
      Ack ack{};
      std::copy(e.event_id.bytes().begin(), e.event_id.bytes().end(), ack.event_id);
      ack.index = *index;
      if (write(ack_fd, &ack, sizeof ack) != sizeof ack) _exit(5);
    }
  };
  std::thread other(run, seed * 2 + 1);
  run(seed * 2);
  other.join();
  _exit(0);
}

TEST(CrashSafety, AcknowledgedEventsSurviveSigkill) {
  entente::testing::TempDir dir;
  std::string path = (dir.path() / "node.db").string();
  std::mt19937 rng(20261128);
  std::vector<Ack> acknowledged;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Child(path, fds[1], static_cast<uint32_t>(round));
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 80));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself with " << WEXITSTATUS(status);
    Ack ack;
    ssize_t n;
    while ((n = read(fds[0], &ack, sizeof ack)) == sizeof ack) acknowledged.push_back(ack);
    close(fds[0]);
  }
  ASSERT_GT(acknowledged.size(), 100u) << "the child appended too little to test anything";

  auto store = SqliteStore::Open(path).value();
  uint64_t size = store->TreeSize(TheLog()).value();
  for (const Ack& ack : acknowledged) {
    ledger::EventId id(ToArray<16>(ByteView(ack.event_id, 16)));
    auto index = store->FindEvent(TheLog(), id);
    ASSERT_TRUE(index.has_value()) << "acknowledged event lost at index " << ack.index;
    EXPECT_EQ(*index, ack.index);
  }
  // The stored tree agrees with its leaves at the final size and at a few earlier ones.
  ledger::MerkleTree recomputed;
  for (uint64_t begin = 0; begin < size; begin += 4096) {
    auto leaves = store->Leaves(TheLog(), begin, std::min(size, begin + 4096));
    ASSERT_TRUE(leaves.has_value());
    for (const Bytes& leaf : *leaves) recomputed.AppendLeaf(leaf);
  }
  for (uint64_t s : {size, size / 2, size / 3 + 1}) {
    EXPECT_EQ(store->RootHash(TheLog(), s).value(),
              ledger::RootHash(recomputed, ledger::TreeSize(s)).value());
  }
  store.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string result;
  sqlite3_exec(
      db, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += values[0];
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(result, "ok");
  std::printf("crash test: %d kills, %zu acknowledged events, %llu stored\n", kRounds,
              acknowledged.size(), static_cast<unsigned long long>(size));
}

}  // namespace
}  // namespace entente::store
