// node_loadtest: one node on loopback (real TLS, real SQLite, real WebSockets), N clients
// posting 1 KiB labelled messages and M subscribers receiving them (issue 4's benchmark).
// Prints acknowledged events/s and post->ack / post->delivery latencies beside the machine's raw
// Ed25519 verification rate on every core, measured in the same run. Run by `make bench`.
//
// Usage: node_loadtest [--clients N] [--subscribers M] [--seconds S] [--rate R]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/baseline.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "crypto/tls_cert.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/http_signatures.h"
#include "node/core.h"
#include "node/fanout.h"
#include "node/loadtest_util.h"
#include "node/service.h"
#include "space/author.h"
#include "space/names.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::node {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int clients = 8;
  int subscribers = 4;
  double seconds = 5;
  double rate = 1000;  // events/s in the paced phase
};

using loadtest::Now;
using loadtest::Percentile;
using loadtest::Person;
using loadtest::VerifyCeiling;
using loadtest::Wire;

class World {
 public:
  explicit World(const Options& options) : options_(options) {}

  void Start() { Populate(); }

  void Populate() {
    node_.Bootstrap();
    const Person& admin = node_.admin_;
    const auto& a = admin.identity;
    for (int i = 0; i < options_.clients; ++i)
      Enrol(senders_, "sender" + std::to_string(i), "co-chair");
    for (int i = 0; i < options_.subscribers; ++i)
      Enrol(readers_, "reader" + std::to_string(i), "observer");
    std::string policy = testing::ReadSourceFile("examples/policy-uskr.yaml");
    space::EventDraft charter;
    charter.kind = 0x0001;
    charter.space = space_;
    charter.origin = "USA";
    charter.label = "USKR;U";
    charter.meta = {{"name", "BENCH"},
                    {"partners", {"USA"}},
                    {"policy", policy},
                    {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy)))}};
    charter.created_ms = Now();
    node_.core_->Submit(a.signing.public_key(), Wire(space::Author(charter, a.signing).value()))
        .value();
    std::vector<std::string> members;
    for (const auto& p : senders_) members.push_back(p.member);
    for (const auto& p : readers_) members.push_back(p.member);
    std::sort(members.begin(), members.end());
    for (const auto& p : senders_) recipients_.push_back(p.identity.encryption.public_key());
    for (const auto& p : readers_) recipients_.push_back(p.identity.encryption.public_key());
    space::EventDraft channel;
    channel.kind = 0x0200;
    channel.space = space_;
    channel.origin = "USA";
    channel.label = "USKR;U";
    channel.meta = {{"channel", "bench"}, {"ceiling", "USKR;S;P:REL=USA"}, {"members", members}};
    channel.plaintext = Bytes{'{', '}'};
    channel.recipients = recipients_;
    channel.created_ms = Now();
    auto created = space::Author(channel, senders_[0].identity.signing).value();
    channel_id_ = created.header.event_id;
    node_.core_->Submit(senders_[0].identity.signing.public_key(), Wire(created)).value();
  }

  void Enrol(std::vector<Person>& into, const std::string& handle, const std::string& role) {
    into.push_back(node_.Enrol(handle, role));
  }

  // `count` 1 KiB SECRET messages by sender `i`, sealed to every channel member, as submit
  // messages ready to go.
  std::vector<std::pair<std::string, std::string>> Author(int i, int count) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string text(1024, 'x');
    for (int k = 0; k < count; ++k) {
      space::EventDraft d;
      d.kind = 0x0300;
      d.space = space_;
      d.origin = "USA";
      d.label = "USKR;S;P:REL=USA";
      d.subject = Bytes(channel_id_.bytes().begin(), channel_id_.bytes().end());
      d.meta = {{"channel", "bench"}};
      d.plaintext = Bytes(text.begin(), text.end());
      d.recipients = recipients_;
      d.created_ms = Now();
      auto e = space::Author(d, senders_[static_cast<size_t>(i)].identity.signing).value();
      nlohmann::json msg = {{"type", "submit"},
                            {"id", k},
                            {"header", Base64UrlEncode(e.header_bytes)},
                            {"body", Base64UrlEncode(e.body_bytes)}};
      out.emplace_back(e.header.event_id.ToHex(), msg.dump());
    }
    return out;
  }

  std::unique_ptr<net::WebSocketClient> Connect(const Person& p, const std::string& target) {
    return node_.Connect(p, target);
  }

  const Options& options_;
  loadtest::BenchNode node_{"USA", std::max(4, options_.clients * 2)};
  std::vector<Person> senders_, readers_;
  std::vector<crypto::EncryptionPublicKey> recipients_;
  ledger::SpaceId space_{std::array<uint8_t, 16>{0xbe}};
  ledger::EventId channel_id_;
};

struct PhaseResult {
  double seconds = 0;
  uint64_t acked = 0;
  std::vector<double> ack_ms, delivery_ms;
};

// Sends every client's events (closed loop when rate_per_client is 0, else paced) while the
// subscribers record delivery times.
PhaseResult RunPhase(World& w, std::vector<std::vector<std::pair<std::string, std::string>>>& work,
                     double rate_per_client) {
  std::mutex mu;
  std::map<std::string, Clock::time_point> sent_at;
  PhaseResult result;
  std::atomic<uint64_t> expected_deliveries{0}, deliveries{0};
  std::atomic<bool> stop_readers{false};
  uint64_t from = w.node_.store_->TreeSize({w.space_, "USA"}).value();
  std::vector<std::unique_ptr<net::WebSocketClient>> reader_sockets;
  for (const auto& r : w.readers_) {
    reader_sockets.push_back(
        w.Connect(r, "/v1/logs/" + w.space_.ToHex() + "/stream?from=" + std::to_string(from)));
  }
  std::vector<std::thread> readers;
  for (auto& socket : reader_sockets) {
    readers.emplace_back([&, s = socket.get()] {
      while (!stop_readers) {
        auto text = s->Receive(std::chrono::milliseconds(200));
        if (!text) return;
        if (!*text) continue;
        auto now = Clock::now();
        auto json = nlohmann::json::parse(**text, nullptr, false);
        if (!json.is_object() || json.value("type", "") != "event") continue;
        auto header = ledger::DecodeHeader(Base64UrlDecode(json.value("header", "")).value());
        if (!header) continue;
        std::lock_guard lock(mu);
        auto it = sent_at.find(header->event_id.ToHex());
        if (it != sent_at.end()) {
          result.delivery_ms.push_back(
              std::chrono::duration<double, std::milli>(now - it->second).count());
          ++deliveries;
        }
      }
    });
  }
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration<double>(w.options_.seconds);
  std::vector<std::thread> senders;
  for (size_t i = 0; i < work.size(); ++i) {
    senders.emplace_back([&, i] {
      auto socket = w.Connect(w.senders_[i], "/v1/session");
      auto next = Clock::now();
      for (const auto& [id, message] : work[i]) {
        if (Clock::now() >= deadline) break;
        if (rate_per_client > 0) {
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double>(1.0 / rate_per_client));
        }
        auto sent = Clock::now();
        {
          std::lock_guard lock(mu);
          sent_at[id] = sent;
        }
        if (!socket->Send(message)) break;
        for (;;) {
          auto text = socket->Receive(std::chrono::seconds(30));
          if (!text || !*text) return;
          auto json = nlohmann::json::parse(**text, nullptr, false);
          if (json.value("type", "") == "error") {
            std::fprintf(stderr, "submit refused: %s\n", json.value("message", "").c_str());
            return;
          }
          if (json.value("type", "") == "ack") break;
        }
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        std::lock_guard lock(mu);
        result.ack_ms.push_back(ms);
        ++result.acked;
        expected_deliveries += w.readers_.size();
      }
    });
  }
  for (auto& t : senders) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Let the last deliveries arrive.
  auto grace = Clock::now() + std::chrono::seconds(10);
  while (deliveries < expected_deliveries && Clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_readers = true;
  for (auto& t : readers) t.join();
  return result;
}

void Print(const char* name, const PhaseResult& r, size_t subscribers) {
  std::printf(
      "%-28s %8.0f ev/s  ack p50 %6.2f ms p99 %6.2f ms  delivery p50 %6.2f ms p99 %6.2f ms"
      "  (%zu/%zu delivered)\n",
      name, static_cast<double>(r.acked) / r.seconds, Percentile(r.ack_ms, 0.5),
      Percentile(r.ack_ms, 0.99), Percentile(r.delivery_ms, 0.5), Percentile(r.delivery_ms, 0.99),
      r.delivery_ms.size(), static_cast<size_t>(r.acked) * subscribers);
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    double value = std::atof(argv[i + 1]);
    if (flag == "--clients")
      o.clients = static_cast<int>(value);
    else if (flag == "--subscribers")
      o.subscribers = static_cast<int>(value);
    else if (flag == "--seconds")
      o.seconds = value;
    else if (flag == "--rate")
      o.rate = value;
  }
  crypto::baseline::Init();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double ceiling = VerifyCeiling(static_cast<int>(cores), 1.0);
  std::printf(
      "node_loadtest: %d clients, %d subscribers, 1 KiB SECRET messages sealed to %d "
      "devices, %.0f s per phase\n",
      o.clients, o.subscribers, o.clients + o.subscribers, o.seconds);
  std::printf("ceiling: raw Ed25519 verify on %u cores: %.0f /s\n", cores, ceiling);

  World world(o);
  world.Start();
  // Authored before timing: sealing and signing are the clients' work, not the node's.
  int per_client = static_cast<int>(std::max(200.0, 2500.0 * o.seconds / o.clients));
  std::vector<std::vector<std::pair<std::string, std::string>>> work(
      static_cast<size_t>(o.clients));
  for (int i = 0; i < o.clients; ++i) work[static_cast<size_t>(i)] = world.Author(i, per_client);
  auto saturated = RunPhase(world, work, 0);
  Print("saturated (closed loop)", saturated, world.readers_.size());
  std::printf("  ingest / verify ceiling: %.1f %%\n",
              100.0 * static_cast<double>(saturated.acked) / saturated.seconds / ceiling);

  for (int i = 0; i < o.clients; ++i) {
    work[static_cast<size_t>(i)] =
        world.Author(i, static_cast<int>(o.rate * o.seconds / o.clients) + 10);
  }
  auto paced = RunPhase(world, work, o.rate / o.clients);
  std::string name = "paced at " + std::to_string(static_cast<int>(o.rate)) + " ev/s";
  Print(name.c_str(), paced, world.readers_.size());
  std::printf("  group commit: %llu events in %llu commits\n",
              static_cast<unsigned long long>(world.node_.core_->committer().events()),
              static_cast<unsigned long long>(world.node_.core_->committer().commits()));
  return 0;
}

}  // namespace
}  // namespace entente::node

int main(int argc, char** argv) { return entente::node::Main(argc, argv); }
