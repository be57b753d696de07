// node/loadtest_util.h: what the node load tests share (make bench only): percentiles, the raw
// Ed25519 verification ceiling measured in the same run, enrolled people, and a node in process.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
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
#include "ledger/note.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/http_signatures.h"
#include "node/core.h"
#include "node/fanout.h"
#include "node/replicator.h"
#include "node/service.h"
#include "space/author.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

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

inline uint64_t Now() { return ToUnixMs(SystemClock::Instance().Now()); }

// One partner's node in process, wired as `entente node run` wires it: real TLS on loopback,
// SQLite, the API with WebSockets; the fan-out notified of appends, and with Federate, a
// replicator.
class BenchNode {
 public:
  BenchNode(std::string partner, int threads) : partner_(std::move(partner)) {
    auto creds =
        crypto::GenerateSelfSignedCertificate("bench", {"localhost"}, {"127.0.0.1"}, 1).value();
    fingerprint_ = crypto::CertificateFingerprint(creds.certificate_pem).value();
    nlohmann::json tokens = {{"version", 1},
                             {"tokens",
                              {{{"sha256", HexEncode(crypto::Sha256(AsBytes("admin")))},
                                {"role", "admin"},
                                {"used", false}}}}};
    WriteFileAtomic((dir_.path() / "enrolment.json").string(), AsBytes(tokens.dump()), 0600, false)
        .value();
    store_ = store::SqliteStore::Open((dir_.path() / "node.db").string()).value();
    tokens_ = std::make_unique<TokenBook>((dir_.path() / "enrolment.json").string());
    core_ = std::make_unique<NodeCore>(
        partner_, crypto::SigningKey::FromSeed(key_.signing.seed().view()).value(), *store_,
        SystemClock::Instance(), *tokens_);
    core_->Load().value();
    fanout_ = std::make_unique<Fanout>(*core_);
    core_->SetAppendListener(
        [this](const store::LogKey& log, uint64_t size) { fanout_->Notify(log, size); });
    NodeInfo info{dir_.path().string(), partner_, {"127.0.0.1", 0}, "", {}, fingerprint_, true};
    service_ =
        std::make_unique<NodeService>(info, *core_, *fanout_, metrics_, SystemClock::Instance(),
                                      [] { return Metrics::Gauges{}; });
    net::ServerOptions server_options;
    server_options.certificate_pem = creds.certificate_pem;
    server_options.private_key_pem = std::move(creds.private_key_pem);
    server_options.threads = threads;
    server_ = net::HttpServer::Start(
                  std::move(server_options),
                  [this](const net::HttpRequest& r) { return service_->Handle(r); }, {},
                  [this](const net::HttpRequest& r, std::shared_ptr<net::WebSocketPeer> peer) {
                    return service_->Upgrade(r, std::move(peer));
                  })
                  .value();
    url_ = "https://127.0.0.1:" + std::to_string(server_->port());
  }

  ~BenchNode() {
    server_.reset();
    core_->SetAppendListener(nullptr);
    replicator_.reset();
  }

  Peer AsPeer() const { return {partner_, url_, key_.signing.public_key(), fingerprint_}; }

  // Federates with `peer`; `linked` off makes the replicator see no peer (a cut link).
  void Federate(const Peer& peer) {
    peer_ = peer;
    core_->SetPeers({peer});
    replicator_ = std::make_unique<Replicator>(
        *core_, [this] { return linked_.load() ? std::vector<Peer>{peer_} : std::vector<Peer>{}; },
        [](const nlohmann::json&) {},
        Replicator::Options{std::chrono::milliseconds(200), std::chrono::seconds(10), 500});
    core_->SetAppendListener([this](const store::LogKey& log, uint64_t size) {
      fanout_->Notify(log, size);
      if (log.origin == partner_) replicator_->Notify();
    });
  }

  void Bootstrap() {
    admin_.member = "admin@" + partner_;
    auto& a = admin_.identity;
    uint64_t now = Now();
    core_
        ->Enrol(
            "admin",
            {Wire(space::MemberEnrollEvent(a.signing, admin_.member, "", {"admin"},
                                           "USKR;TS;REL=" + partner_, now)
                      .value()),
             Wire(space::DeviceAddEvent(a.signing, admin_.member, a.signing.public_key(), "", now)
                      .value()),
             Wire(space::DeviceKeysEvent(a.signing, partner_, a.encryption.public_key(),
                                         now + space::kEncryptionKeyLifetimeMs, now)
                      .value())})
        .value();
  }

  Person Enrol(const std::string& handle, const std::string& role) {
    Person p;
    p.member = handle + "@" + partner_;
    uint64_t now = Now();
    core_
        ->Submit(admin_.identity.signing.public_key(),
                 Wire(space::MemberEnrollEvent(admin_.identity.signing, p.member, "", {role},
                                               "USKR;TS;REL=" + partner_, now)
                          .value()))
        .value();
    auto token = core_->IssueDeviceToken(admin_.identity.signing.public_key(), p.member).value();
    auto& d = p.identity;
    core_
        ->Enrol(token,
                {Wire(space::DeviceAddEvent(d.signing, p.member, d.signing.public_key(), "", now)
                          .value()),
                 Wire(space::DeviceKeysEvent(d.signing, partner_, d.encryption.public_key(),
                                             now + space::kEncryptionKeyLifetimeMs, now)
                          .value())})
        .value();
    return p;
  }

  std::unique_ptr<net::WebSocketClient> Connect(const Person& p, const std::string& target) {
    auto headers =
        net::SignRequest({"GET", url_ + target, {}}, p.identity.signing, SystemClock::Instance())
            .value();
    net::HeaderMap map;
    headers.AddTo(map);
    net::ClientOptions options{url_, fingerprint_, std::chrono::milliseconds(30000)};
    return net::WebSocketClient::Connect(options, target, map).value();
  }

  uint64_t Size(const store::LogKey& log) { return store_->TreeSize(log).value_or(0); }

  // The size of the largest checkpoint of own log `log` that carries the peer's cosignature.
  uint64_t CosignedSize(const store::LogKey& log) {
    auto note = core_->CosignedCheckpoint(log);
    if (!note || !*note) return 0;
    auto parsed = ledger::Note::Parse(**note);
    if (!parsed) return 0;
    auto checkpoint = ledger::Checkpoint::Parse(parsed->text);
    return checkpoint ? checkpoint->size.value() : 0;
  }

  std::string partner_;
  testing::TempDir dir_;
  std::string fingerprint_, url_;
  crypto::Identity key_ = crypto::Identity::Generate();
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<TokenBook> tokens_;
  std::unique_ptr<NodeCore> core_;
  std::unique_ptr<Fanout> fanout_;
  Metrics metrics_;
  std::unique_ptr<NodeService> service_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<Replicator> replicator_;
  Peer peer_;
  std::atomic<bool> linked_{true};
  Person admin_;
};

}  // namespace entente::node::loadtest
