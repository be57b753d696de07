#include "node/metrics.h"

#include <cstdio>

namespace entente::node {

void Metrics::ObserveRequest(unsigned status, std::chrono::microseconds duration) {
  unsigned status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) {
    requests_by_class_[status_class].fetch_add(1, std::memory_order_relaxed);
  }
  double seconds = static_cast<double>(duration.count()) / 1e6;
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<uint64_t>(duration.count()), std::memory_order_relaxed);
}

std::string Metrics::Render(const Gauges& gauges) const {
  std::string out;
  auto line = [&](const std::string& text) { out += text + "\n"; };
  line("# HELP entente_http_requests_total HTTP requests answered, by status class.");
  line("# TYPE entente_http_requests_total counter");
  for (unsigned c = 1; c <= 5; ++c) {
    line("entente_http_requests_total{code=\"" + std::to_string(c) + "xx\"} " +
         std::to_string(requests_by_class_[c].load(std::memory_order_relaxed)));
  }
  line("# HELP entente_http_request_duration_seconds Time from request read to response written.");
  line("# TYPE entente_http_request_duration_seconds histogram");
  uint64_t cumulative = 0;
  char le[32];
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    std::snprintf(le, sizeof le, "%g", kLatencyBuckets[i]);
    line("entente_http_request_duration_seconds_bucket{le=\"" + std::string(le) + "\"} " +
         std::to_string(cumulative));
  }
  cumulative += latency_buckets_.back().load(std::memory_order_relaxed);
  line("entente_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative));
  char sum[32];
  std::snprintf(sum, sizeof sum, "%.6f",
                static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6);
  line("entente_http_request_duration_seconds_sum " + std::string(sum));
  line("entente_http_request_duration_seconds_count " +
       std::to_string(latency_count_.load(std::memory_order_relaxed)));
  // One-value metrics: HELP, TYPE and the value.
  auto single = [&](const char* name, const char* type, const char* help, uint64_t value) {
    line(std::string("# HELP ") + name + " " + help);
    line(std::string("# TYPE ") + name + " " + type);
    line(std::string(name) + " " + std::to_string(value));
  };
  auto counter = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  single("entente_events_ingested_total", "counter", "Events appended to this node's own logs.",
         counter(events_ingested_));
  single("entente_open_connections", "gauge", "TLS connections open now.", gauges.open_connections);
  single("entente_connected_devices", "gauge", "Member devices with a live WebSocket.",
         gauges.connected_devices);
  single("entente_events_mirrored_total", "counter", "Partner events mirrored and cosigned here.",
         counter(events_mirrored_));
  single("entente_fork_alarms", "gauge",
         "Partner logs caught forking or rewriting (see entente audit).", gauges.fork_alarms);
  single("entente_flagged_entries", "gauge",
         "Mirrored entries that break policy, kept but not folded.", gauges.flagged_entries);
  single("entente_peers_unreachable", "gauge",
         "Peers the last replication attempt could not reach.", gauges.peers_unreachable);
  single("entente_peer_lag_entries", "gauge",
         "Own entries peers have not yet mirrored and cosigned.", gauges.peer_lag_entries);
  single("entente_open_consultations", "gauge",
         "Consultations not closed, reviewed or withdrawn, in this node's spaces.",
         gauges.open_consultations);
  single("entente_notifications_total", "counter",
         "Notifications the consultation timers recorded since the node started.",
         gauges.notifications);
  single("entente_watchers", "gauge", "Devices watching notifications.", gauges.watchers);
  single("entente_store_bytes", "gauge", "Size of the store file and its WAL.", gauges.store_bytes);
  return out;
}

}  // namespace entente::node
