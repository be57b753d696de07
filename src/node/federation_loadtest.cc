// federation_loadtest: two partners' nodes in one process, each with real TLS, SQLite, HTTP and
// WebSockets, federating over loopback (issue 5's benchmark). USA members post 1 KiB messages
// released to KOR; KOR members follow USA's log through the KOR node. Prints, beside the raw
// Ed25519 verification rate on every core measured in the same run:
//   - cross-node delivery latency (post at USA -> event at a KOR subscriber) at paced rates;
//   - catch-up: USA appends N events while KOR is cut off, then the link returns; the time until
//     KOR has mirrored them all and USA holds KOR's cosignature of the whole log.
//
// Usage: federation_loadtest [--senders N] [--readers M] [--seconds S] [--backlog B]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/tls_cert.h"
#include "ledger/note.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/http_signatures.h"
#include "node/core.h"
#include "node/fanout.h"
#include "node/loadtest_util.h"
#include "node/replicator.h"
#include "node/service.h"
#include "space/author.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::node {
namespace {

using loadtest::Percentile;
using Node = loadtest::BenchNode;
using loadtest::Now;
using loadtest::Person;
using loadtest::VerifyCeiling;
using loadtest::Wire;
using Steady = std::chrono::steady_clock;

struct Options {
  int senders = 4;
  int readers = 2;
  double seconds = 5;
  int backlog = 10000;
};

template <typename F>
bool WaitFor(F&& condition, std::chrono::seconds limit) {
  auto deadline = Steady::now() + limit;
  while (!condition()) {
    if (Steady::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class World {
 public:
  explicit World(const Options& o) : options_(o), usa_("USA", 8), kor_("KOR", 8) {}

  void Start() {
    usa_.Federate(kor_.AsPeer());
    kor_.Federate(usa_.AsPeer());
    usa_.Bootstrap();
    kor_.Bootstrap();
    for (int i = 0; i < options_.senders; ++i) {
      senders_.push_back(usa_.Enrol("sender" + std::to_string(i), "co-chair"));
    }
    for (int i = 0; i < options_.readers; ++i) {
      readers_.push_back(kor_.Enrol("reader" + std::to_string(i), "observer"));
    }
    std::string policy = testing::ReadSourceFile("examples/policy-uskr.yaml");
    space::EventDraft charter;
    charter.kind = 0x0001;
    charter.space = space_;
    charter.origin = "USA";
    charter.label = "USKR;U";
    charter.meta = {{"name", "BENCH"},
                    {"partners", {"KOR", "USA"}},
                    {"policy", policy},
                    {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy)))}};
    charter.created_ms = Now();
    auto& ua = usa_.admin_.identity;
    usa_.core_->Submit(ua.signing.public_key(), Wire(space::Author(charter, ua.signing).value()))
        .value();
    auto charter_id = ledger::DecodeHeader(usa_.store_->Leaves({space_, "USA"}, 0, 1).value()[0])
                          .value()
                          .event_id;
    if (!WaitFor([&] { return kor_.Size({space_, "USA"}) == 1; }, std::chrono::seconds(30))) {
      std::fprintf(stderr, "KOR did not receive the charter\n");
      std::exit(1);
    }
    space::EventDraft join;
    join.kind = 0x0002;
    join.space = space_;
    join.origin = "KOR";
    join.label = "USKR;U";
    join.meta = {{"partner", "KOR"}, {"charter_event", charter_id.ToHex()}};
    join.created_ms = Now();
    auto& ka = kor_.admin_.identity;
    kor_.core_->Submit(ka.signing.public_key(), Wire(space::Author(join, ka.signing).value()))
        .value();
    if (!WaitFor([&] { return usa_.Size({space_, "KOR"}) == 1; }, std::chrono::seconds(30))) {
      std::fprintf(stderr, "USA did not receive KOR's join\n");
      std::exit(1);
    }
    std::vector<std::string> members;
    for (const auto& p : senders_) members.push_back(p.member);
    for (const auto& p : readers_) members.push_back(p.member);
    std::sort(members.begin(), members.end());
    for (const auto& p : senders_) recipients_.push_back(p.identity.encryption.public_key());
    for (const auto& p : readers_) recipients_.push_back(p.identity.encryption.public_key());
    std::sort(recipients_.begin(), recipients_.end());
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
    usa_.core_->Submit(senders_[0].identity.signing.public_key(), Wire(created)).value();
    uint64_t size = usa_.Size({space_, "USA"});
    if (!WaitFor([&] { return kor_.Size({space_, "USA"}) == size; }, std::chrono::seconds(30))) {
      std::fprintf(stderr, "KOR did not receive the channel\n");
      std::exit(1);
    }
  }

  // `count` 1 KiB SECRET//REL TO KOR, USA messages by sender `i`, authored before timing.
  std::vector<space::AuthoredEvent> Author(int i, int count) {
    std::vector<space::AuthoredEvent> out;
    std::string text(1024, 'x');
    for (int k = 0; k < count; ++k) {
      space::EventDraft d;
      d.kind = 0x0300;
      d.space = space_;
      d.origin = "USA";
      d.label = "USKR;S;P:REL=KOR,USA";
      d.subject = Bytes(channel_id_.bytes().begin(), channel_id_.bytes().end());
      d.meta = {{"channel", "bench"}};
      d.plaintext = Bytes(text.begin(), text.end());
      d.recipients = recipients_;
      d.created_ms = Now();
      out.push_back(space::Author(d, senders_[static_cast<size_t>(i)].identity.signing).value());
    }
    return out;
  }

  const Options& options_;
  Node usa_, kor_;
  std::vector<Person> senders_, readers_;
  std::vector<crypto::EncryptionPublicKey> recipients_;
  ledger::SpaceId space_{std::array<uint8_t, 16>{0xfe}};
  ledger::EventId channel_id_;
};

struct Latency {
  double rate = 0;
  uint64_t sent = 0;
  std::vector<double> delivery_ms;
};

// USA senders post at `rate` events/s in all over /v1/session; KOR readers follow USA's log on
// the KOR node and record post -> delivery.
Latency RunPaced(World& w, double rate) {
  std::mutex mu;
  std::map<std::string, Steady::time_point> sent_at;
  Latency out;
  out.rate = rate;
  int per_sender = static_cast<int>(rate * w.options_.seconds / w.options_.senders) + 1;
  std::vector<std::vector<space::AuthoredEvent>> work;
  for (int i = 0; i < w.options_.senders; ++i) work.push_back(w.Author(i, per_sender));
  uint64_t from = w.kor_.Size({w.space_, "USA"});
  std::atomic<uint64_t> delivered{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (const auto& r : w.readers_) {
    auto socket = w.kor_.Connect(
        r, "/v1/logs/" + w.space_.ToHex() + "/stream?origin=USA&from=" + std::to_string(from));
    readers.emplace_back([&, s = std::shared_ptr<net::WebSocketClient>(std::move(socket))] {
      while (!stop) {
        auto text = s->Receive(std::chrono::milliseconds(200));
        if (!text) return;
        if (!*text) continue;
        auto now = Steady::now();
        auto json = nlohmann::json::parse(**text, nullptr, false);
        if (!json.is_object() || json.value("type", "") != "event") continue;
        auto header = ledger::DecodeHeader(Base64UrlDecode(json.value("header", "")).value());
        if (!header) continue;
        std::lock_guard lock(mu);
        auto it = sent_at.find(header->event_id.ToHex());
        if (it != sent_at.end()) {
          out.delivery_ms.push_back(
              std::chrono::duration<double, std::milli>(now - it->second).count());
          ++delivered;
        }
      }
    });
  }
  std::vector<std::thread> senders;
  std::atomic<uint64_t> sent{0};
  auto start = Steady::now();
  for (size_t i = 0; i < work.size(); ++i) {
    senders.emplace_back([&, i] {
      auto socket = w.usa_.Connect(w.senders_[i], "/v1/session");
      auto interval = std::chrono::duration_cast<Steady::duration>(
          std::chrono::duration<double>(static_cast<double>(w.options_.senders) / rate));
      auto next = start + interval * static_cast<int64_t>(i) / w.options_.senders;
      for (size_t k = 0; k < work[i].size(); ++k) {
        std::this_thread::sleep_until(next);
        next += interval;
        const auto& e = work[i][k];
        nlohmann::json msg = {{"type", "submit"},
                              {"id", k},
                              {"header", Base64UrlEncode(e.header_bytes)},
                              {"body", Base64UrlEncode(e.body_bytes)}};
        {
          std::lock_guard lock(mu);
          sent_at[e.header.event_id.ToHex()] = Steady::now();
        }
        if (!socket->Send(msg.dump())) return;
        auto ack = socket->Receive(std::chrono::seconds(30));
        if (!ack || !*ack || (*ack)->find("\"ack\"") == std::string::npos) {
          std::fprintf(stderr, "submit failed\n");
          return;
        }
        ++sent;
      }
    });
  }
  for (auto& t : senders) t.join();
  WaitFor([&] { return delivered >= sent * w.readers_.size(); }, std::chrono::seconds(30));
  stop = true;
  for (auto& t : readers) t.join();
  out.sent = sent;
  return out;
}

struct CatchUp {
  uint64_t events = 0;
  double append_s = 0;  // to append the backlog at USA while cut off
  double mirror_s = 0;  // link back -> KOR holds every entry
  double cosign_s = 0;  // link back -> USA holds KOR's cosignature of the whole log
};

CatchUp RunCatchUp(World& w) {
  CatchUp out;
  store::LogKey log{w.space_, "USA"};
  w.usa_.linked_ = false;
  w.kor_.linked_ = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a pass in flight finishes
  int per_sender = w.options_.backlog / w.options_.senders;
  std::vector<std::vector<space::AuthoredEvent>> work;
  for (int i = 0; i < w.options_.senders; ++i) work.push_back(w.Author(i, per_sender));
  auto start = Steady::now();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < work.size(); ++i) {
    threads.emplace_back([&, i] {
      for (const auto& e : work[i]) {
        w.usa_.core_->Submit(w.senders_[i].identity.signing.public_key(), Wire(e)).value();
      }
    });
  }
  for (auto& t : threads) t.join();
  out.append_s = std::chrono::duration<double>(Steady::now() - start).count();
  out.events = static_cast<uint64_t>(per_sender) * work.size();
  uint64_t size = w.usa_.Size(log);
  auto healed = Steady::now();
  w.usa_.linked_ = true;
  w.kor_.linked_ = true;
  w.usa_.replicator_->Notify();
  WaitFor([&] { return w.kor_.Size(log) >= size; }, std::chrono::seconds(600));
  out.mirror_s = std::chrono::duration<double>(Steady::now() - healed).count();
  WaitFor([&] { return w.usa_.CosignedSize(log) >= size; }, std::chrono::seconds(600));
  out.cosign_s = std::chrono::duration<double>(Steady::now() - healed).count();
  return out;
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    double value = std::atof(argv[i + 1]);
    if (flag == "--senders") o.senders = static_cast<int>(value);
    if (flag == "--readers") o.readers = static_cast<int>(value);
    if (flag == "--seconds") o.seconds = value;
    if (flag == "--backlog") o.backlog = static_cast<int>(value);
  }
  crypto::baseline::Init();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double ceiling = VerifyCeiling(static_cast<int>(cores), 1.0);
  std::printf(
      "federation_loadtest: USA and KOR nodes in one process over loopback TLS; %d USA senders, "
      "%d KOR readers; 1 KiB SECRET//REL TO KOR, USA messages sealed to %d devices\n",
      o.senders, o.readers, o.senders + o.readers);
  std::printf("ceiling: raw Ed25519 verify on %u cores: %.0f /s\n", cores, ceiling);
  World world(o);
  world.Start();
  for (double rate : {100.0, 1000.0}) {
    auto r = RunPaced(world, rate);
    std::printf(
        "cross-node delivery at %5.0f ev/s: p50 %6.2f ms  p99 %6.2f ms  (%zu/%llu delivered to "
        "%zu KOR readers)\n",
        rate, Percentile(r.delivery_ms, 0.5), Percentile(r.delivery_ms, 0.99), r.delivery_ms.size(),
        static_cast<unsigned long long>(r.sent * world.readers_.size()), world.readers_.size());
  }
  auto c = RunCatchUp(world);
  std::printf(
      "catch-up after a partition of %llu events (appended in %.1f s): mirrored in %.2f s, "
      "cosigned in %.2f s (%.0f ev/s, %.1f %% of the verify ceiling)\n",
      static_cast<unsigned long long>(c.events), c.append_s, c.mirror_s, c.cosign_s,
      static_cast<double>(c.events) / c.cosign_s,
      100.0 * static_cast<double>(c.events) / c.cosign_s / ceiling);
  return 0;
}

}  // namespace
}  // namespace entente::node

int main(int argc, char** argv) { return entente::node::Main(argc, argv); }
