#include "net/nonce_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace entente::net {
namespace {

using std::chrono::seconds;

const TimeMs kT0 = FromUnixMs(1'795'861'020'000);

ErrorCode Code(const Status& s) { return s ? ErrorCode::kInternal : s.error().code(); }

TEST(InMemoryNonceCache, ASecondUseOfAPairIsAReplay) {
  InMemoryNonceCache cache;
  const TimeMs expiry = kT0 + seconds(120);
  EXPECT_TRUE(cache.Remember("key-a", "nonce-1", expiry, kT0));
  EXPECT_EQ(Code(cache.Remember("key-a", "nonce-1", expiry, kT0)), ErrorCode::kAlreadyExists);
  // Even with another expiry (another `created`) it is the same pair.
  EXPECT_EQ(Code(cache.Remember("key-a", "nonce-1", expiry + seconds(5), kT0 + seconds(1))),
            ErrorCode::kAlreadyExists);
  // The same nonce under another key, and another nonce under the same key, are new.
  EXPECT_TRUE(cache.Remember("key-b", "nonce-1", expiry, kT0));
  EXPECT_TRUE(cache.Remember("key-a", "nonce-2", expiry, kT0));
  EXPECT_EQ(cache.size(), 3u);
}

TEST(InMemoryNonceCache, PairsAreForgottenOnlyAfterTheirExpiry) {
  InMemoryNonceCache cache;
  const TimeMs expiry = kT0 + seconds(120);
  ASSERT_TRUE(cache.Remember("k", "n", expiry, kT0));
  // At the expiry instant the entry is still live.
  EXPECT_EQ(Code(cache.Remember("k", "n", expiry, expiry)), ErrorCode::kAlreadyExists);
  // One millisecond later it is dropped (a request created that long ago is stale anyway).
  const TimeMs later = expiry + std::chrono::milliseconds(1);
  EXPECT_TRUE(cache.Remember("other", "n", later + seconds(120), later));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Remember("k", "n", later + seconds(120), later));
}

TEST(InMemoryNonceCache, AFullCacheRefusesNewPairsUntilEntriesExpire) {
  InMemoryNonceCache cache(/*capacity=*/3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(cache.Remember("k", "n" + std::to_string(i), kT0 + seconds(120 + i), kT0));
  }
  EXPECT_EQ(Code(cache.Remember("k", "n3", kT0 + seconds(120), kT0)),
            ErrorCode::kResourceExhausted);
  // A replay is still reported as a replay when full.
  EXPECT_EQ(Code(cache.Remember("k", "n0", kT0 + seconds(120), kT0)), ErrorCode::kAlreadyExists);
  // Once the first entry expires there is room for one more, and only one.
  const TimeMs now = kT0 + seconds(120) + std::chrono::milliseconds(1);
  EXPECT_TRUE(cache.Remember("k", "n3", now + seconds(120), now));
  EXPECT_EQ(Code(cache.Remember("k", "n4", now + seconds(120), now)),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(InMemoryNonceCache, ConcurrentUsesOfOnePairAdmitExactlyOne) {
  InMemoryNonceCache cache;
  constexpr int kThreads = 8;
  constexpr int kPairs = 200;
  std::atomic<int> accepted{0};
  std::atomic<int> replays{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPairs; ++i) {
        Status s = cache.Remember("k", "nonce-" + std::to_string(i), kT0 + seconds(120), kT0);
        if (s) {
          accepted.fetch_add(1);
        } else if (s.error().code() == ErrorCode::kAlreadyExists) {
          replays.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kPairs);
  EXPECT_EQ(replays.load(), kPairs * (kThreads - 1));
}

}  // namespace
}  // namespace entente::net
