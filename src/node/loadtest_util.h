// node/loadtest_util.h: what the node load tests share (make bench only): percentiles, the raw
// Ed25519 verification ceiling measured in the same run, and enrolled people.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "crypto/baseline.h"
#include "crypto/keyfile.h"
#include "node/core.h"
#include "space/author.h"

namespace entente::node::loadtest {

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

// Raw Ed25519 verifications per second on `threads` threads for `seconds`.
inline double VerifyCeiling(int threads, double seconds) {
  auto message = crypto::baseline::RawEd25519SignedMessage(300);  // about a header's size
  std::atomic<uint64_t> total{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 64; ++i) n += crypto::baseline::RawEd25519Verify(message);
      }
      total += n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : pool) t.join();
  return static_cast<double>(total.load()) / seconds;
}

struct Person {
  std::string member;
  crypto::Identity identity = crypto::Identity::Generate();
};

inline WireEvent Wire(const space::AuthoredEvent& e) { return {e.header_bytes, e.body_bytes}; }

}  // namespace entente::node::loadtest
