#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "crypto/random.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::store {
namespace {

TEST(GroupCommitter, ConcurrentAppendsGetDistinctContiguousIndices) {
  entente::testing::TempDir dir;
  auto store = SqliteStore::Open((dir.path() / "node.db").string()).value();
  LogKey log{ledger::SpaceId(), "USA"};
  ASSERT_TRUE(store->CreateLog(log, LogRole::kOwn).has_value());
  GroupCommitter committer(*store);

  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        NewEvent e{ledger::EventId(crypto::RandomArray<16>()),
                   ToBytes("h" + std::to_string(t * 1000 + i)), std::nullopt};
        auto index = committer.Append(log, e);
        ASSERT_TRUE(index.has_value());
        got[t].push_back(*index);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : got) {
    for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);  // each caller's order kept
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread - 1});
  EXPECT_EQ(store->TreeSize(log).value(), uint64_t{kThreads * kPerThread});
  EXPECT_EQ(committer.events(), uint64_t{kThreads * kPerThread});
  EXPECT_LE(committer.commits(), committer.events());
}

TEST(GroupCommitter, ABadEventFailsAloneNotItsBatch) {
  entente::testing::TempDir dir;
  auto store = SqliteStore::Open((dir.path() / "node.db").string()).value();
  LogKey log{ledger::SpaceId(), "USA"};
  ASSERT_TRUE(store->CreateLog(log, LogRole::kOwn).has_value());
  GroupCommitter committer(*store);
  NewEvent first{ledger::EventId(crypto::RandomArray<16>()), ToBytes("a"), std::nullopt};
  ASSERT_TRUE(committer.Append(log, first).has_value());
  NewEvent forged = first;
  forged.header = ToBytes("b");
  std::thread bad([&] { EXPECT_FALSE(committer.Append(log, forged).has_value()); });
  std::thread good([&] {
    NewEvent e{ledger::EventId(crypto::RandomArray<16>()), ToBytes("c"), std::nullopt};
    EXPECT_TRUE(committer.Append(log, e).has_value());
  });
  bad.join();
  good.join();
  EXPECT_EQ(store->TreeSize(log).value(), 2u);
  EXPECT_EQ(committer.Append(log, {ledger::EventId(), ToBytes("x"), std::nullopt}).value(), 2u);
  EXPECT_FALSE(
      committer.Append({ledger::SpaceId(), "NOPE"}, {ledger::EventId(), ToBytes("x"), std::nullopt})
          .has_value());
}

}  // namespace
}  // namespace entente::store
