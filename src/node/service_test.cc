#include "node/service.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "crypto/sign.h"
#include "ledger/tiles.h"
#include "net/http_signatures.h"
#include "space/author.h"
#include "space/names.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::node {
namespace {

class NodeServiceTest : public ::testing::Test {
 protected:
  NodeServiceTest()
      : info_{"/nd",
              "USA",
              {"127.0.0.1", 8443},
              "https://127.0.0.1:8443",
              crypto::SigningKey::Generate().public_key(),
              "sha256:ab",
              true},
        store_(store::SqliteStore::Open((dir_.path() / "node.db").string()).value()),
        tokens_((dir_.path() / "enrolment.json").string()),
        core_("USA", crypto::SigningKey::Generate(), *store_, SystemClock::Instance(), tokens_),
        fanout_(core_),
        service_(info_, core_, fanout_, metrics_, SystemClock::Instance(), [] {
          return Metrics::Gauges{3, 0, 4096};
        }) {}
  net::HttpResponse Get(const std::string& target, const std::string& method = "GET") {
    net::HttpRequest r;
    r.method = method;
    r.target = target;
    return service_.Handle(r);
  }
  // Loads the core and enrols admin@USA with the admin token.
  void EnrolAdmin() {
    nlohmann::json tokens = {
        {"version", 1},
        {"tokens", {{{"sha256", HexEncode(crypto::Sha256(AsBytes("tok")))}, {"role", "admin"}}}}};
    tokens["tokens"][0]["used"] = false;
    ASSERT_TRUE(WriteFileAtomic((dir_.path() / "enrolment.json").string(), AsBytes(tokens.dump()),
                                0600, false));
    ASSERT_TRUE(core_.Load());
    uint64_t now = ToUnixMs(SystemClock::Instance().Now());
    auto wire = [](const space::AuthoredEvent& e) {
      return WireEvent{e.header_bytes, e.body_bytes};
    };
    const auto& id = admin_;
    ASSERT_TRUE(core_.Enrol(
        "tok",
        {wire(space::MemberEnrollEvent(id.signing, "admin@USA", "", {"admin"}, "X;Y", now).value()),
         wire(space::DeviceAddEvent(id.signing, "admin@USA", id.signing.public_key(), "", now)
                  .value()),
         wire(space::DeviceKeysEvent(id.signing, "USA", id.encryption.public_key(), now + 1000000,
                                     now)
                  .value())}));
  }

  NodeInfo info_;
  crypto::Identity admin_ = crypto::Identity::Generate();
  testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  TokenBook tokens_;
  NodeCore core_;
  Fanout fanout_;
  Metrics metrics_;
  NodeService service_;
};

TEST_F(NodeServiceTest, HealthAndIdentity) {
  EXPECT_EQ(Get("/healthz").body, "ok\n");
  auto node = Get("/v1/node");
  EXPECT_EQ(node.status, 200u);
  EXPECT_EQ(node.content_type, "application/json");
  EXPECT_NE(node.body.find("\"partner\": \"USA\""), std::string::npos);
  EXPECT_NE(node.body.find("\"tls_fingerprint\": \"sha256:ab\""), std::string::npos);
}

TEST_F(NodeServiceTest, UnknownPathsAndMethodsAreClearErrors) {
  auto missing = Get("/nope?x=1");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_NE(missing.body.find("no endpoint /nope"), std::string::npos);
  auto post = Get("/healthz", "POST");
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.headers.find("allow")->second, "GET, HEAD");
}

TEST_F(NodeServiceTest, SignedEndpointsRefuseUnsignedRequests) {
  for (const char* path : {"/v1/spaces", "/v1/me", "/v1/logs/NCG"}) {
    auto r = Get(path);
    EXPECT_EQ(r.status, 401u) << path;
    EXPECT_NE(r.body.find("request signature rejected"), std::string::npos) << r.body;
  }
  auto enrol = Get("/v1/enrol", "POST");
  EXPECT_EQ(enrol.status, 400u);
  EXPECT_NE(enrol.body.find("not JSON"), std::string::npos) << enrol.body;
}

TEST_F(NodeServiceTest, SignedRequestsMustBeFreshUnreplayedAndForThisTarget) {
  EnrolAdmin();
  const auto& id = admin_;
  uint64_t now = ToUnixMs(SystemClock::Instance().Now());
  auto signed_get = [&](const std::string& uri, int64_t created, const std::string& nonce) {
    net::HttpRequest r;
    r.method = "GET";
    r.target = "/v1/me";
    r.headers.emplace("host", "node.test");
    auto headers = net::SignRequestAt({"GET", uri, {}}, id.signing, created, nonce).value();
    headers.AddTo(r.headers);
    return service_.Handle(r);
  };
  int64_t created = static_cast<int64_t>(now / 1000);
  auto ok = signed_get("https://node.test/v1/me", created, "nonce-0123456789abcdef");
  EXPECT_EQ(ok.status, 200u) << ok.body;
  EXPECT_NE(ok.body.find("admin@USA"), std::string::npos);
  // The same request again is a replay.
  EXPECT_EQ(signed_get("https://node.test/v1/me", created, "nonce-0123456789abcdef").status, 401u);
  // Stale, from the future, or signed for another target: refused.
  EXPECT_EQ(signed_get("https://node.test/v1/me", created - 200, "nonce-1123456789abcdef").status,
            401u);
  EXPECT_EQ(signed_get("https://node.test/v1/me", created + 200, "nonce-2123456789abcdef").status,
            401u);
  EXPECT_EQ(signed_get("https://other.test/v1/me", created, "nonce-3123456789abcdef").status, 401u);
}

TEST_F(NodeServiceTest, LogsAreServedAsTlogTilesToMembersAndPinnedPeersOnly) {
  EnrolAdmin();
  const auto& id = admin_;
  auto peer = crypto::Identity::Generate();
  core_.SetPeers(
      {{"KOR", "https://kor.test", peer.signing.public_key(), "sha256:" + std::string(64, 'a')}});
  auto get = [&](const std::string& target, const crypto::SigningKey* key) {
    net::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.headers.emplace("host", "node.test");
    if (key != nullptr) {
      net::SignRequest({"GET", "https://node.test" + target, {}}, *key, SystemClock::Instance())
          .value()
          .AddTo(r.headers);
    }
    return service_.Handle(r);
  };
  // The directory (3 entries): a member and a pinned peer get the checkpoint, the partial tile
  // and the entry bundle, which are the store's hashes and headers.
  for (const crypto::SigningKey* key :
       {&id.signing, static_cast<const crypto::SigningKey*>(&peer.signing)}) {
    auto checkpoint = get("/tlog/directory/USA/checkpoint", key);
    EXPECT_EQ(checkpoint.status, 200u) << checkpoint.body;
    EXPECT_NE(checkpoint.body.find("/USA\n3\n"), std::string::npos) << checkpoint.body;
    auto tile = get("/tlog/directory/USA/tile/0/000.p/3", key);
    ASSERT_EQ(tile.status, 200u) << tile.body;
    ASSERT_EQ(tile.body.size(), 3u * 32);
    auto leaf = store_->NodeHashes({space::DirectorySpaceId("USA"), "USA"}, 0, 2, 3).value()[0];
    EXPECT_EQ(tile.body.substr(64), ToString(leaf));
    auto bundle = get("/tlog/directory/USA/tile/entries/000.p/3", key);
    EXPECT_EQ(bundle.status, 200u);
    EXPECT_EQ(ledger::DecodeEntryBundle({0, 3}, AsBytes(bundle.body)).value(),
              store_->Leaves({space::DirectorySpaceId("USA"), "USA"}, 0, 3).value());
  }
  // Beyond the tree, malformed, unsigned, or signed by a stranger: refused.
  EXPECT_EQ(get("/tlog/directory/USA/tile/0/000.p/4", &id.signing).status, 404u);
  EXPECT_EQ(get("/tlog/directory/USA/tile/0/0", &id.signing).status, 400u);
  EXPECT_EQ(get("/tlog/directory/USA/checkpoint", nullptr).status, 401u);
  auto stranger = crypto::SigningKey::Generate();
  EXPECT_EQ(get("/tlog/directory/USA/checkpoint", &stranger).status, 401u);
}

TEST_F(NodeServiceTest, MetricsAreValidPrometheusText) {
  metrics_.ObserveRequest(200, std::chrono::microseconds(700));     // le=0.001
  metrics_.ObserveRequest(404, std::chrono::microseconds(30'000));  // le=0.05
  metrics_.ObserveRequest(200, std::chrono::seconds(5));            // +Inf only
  metrics_.AddEventsIngested(7);
  std::string text = Get("/metrics").body;
  for (const char* expected : {
           "entente_http_requests_total{code=\"2xx\"} 2\n",
           "entente_http_requests_total{code=\"4xx\"} 1\n",
           "entente_http_request_duration_seconds_bucket{le=\"0.0005\"} 0\n",
           "entente_http_request_duration_seconds_bucket{le=\"0.001\"} 1\n",
           "entente_http_request_duration_seconds_bucket{le=\"0.05\"} 2\n",
           "entente_http_request_duration_seconds_bucket{le=\"2.5\"} 2\n",
           "entente_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n",
           "entente_http_request_duration_seconds_count 3\n",
           "entente_http_request_duration_seconds_sum 5.030700\n",
           "entente_events_ingested_total 7\n",
           "entente_open_connections 3\n",
           "entente_store_bytes 4096\n",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\nin:\n" << text;
  }
}

}  // namespace
}  // namespace entente::node
