// node/metrics.h: the node's metrics in Prometheus text exposition format (version 0.0.4).
//
// Counters and one latency histogram, updated lock-free on the request path; `Render()` reads
// them for GET /metrics. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace entente::node {

class Metrics {
 public:
  // Latency bucket upper bounds, seconds (Prometheus histogram `le` labels).
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

  void ObserveRequest(unsigned status, std::chrono::microseconds duration);
  void AddEventsIngested(uint64_t n) { events_ingested_.fetch_add(n, std::memory_order_relaxed); }
  void AddEventsMirrored(uint64_t n) { events_mirrored_.fetch_add(n, std::memory_order_relaxed); }

  // Gauges read at render time (connections open, store size...).
  struct Gauges {
    uint64_t open_connections = 0;
    uint64_t connected_devices = 0;
    uint64_t store_bytes = 0;
    uint64_t fork_alarms = 0;      // partner logs found forked or rewritten
    uint64_t flagged_entries = 0;  // mirrored entries that break policy
    uint64_t peers_unreachable = 0;
    uint64_t peer_lag_entries = 0;  // own entries not yet cosigned by every peer
    uint64_t open_consultations = 0;
    uint64_t notifications = 0;  // recorded by the consultation timers since start
    uint64_t watchers = 0;       // devices watching notifications
  };

  // The exposition text.
  std::string Render(const Gauges& gauges) const;

 private:
  // Requests by status class: 1xx..5xx at index 1..5.
  std::array<std::atomic<uint64_t>, 6> requests_by_class_{};
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> latency_buckets_{};  // +Inf last
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<uint64_t> events_ingested_{0};
  std::atomic<uint64_t> events_mirrored_{0};
};

}  // namespace entente::node
