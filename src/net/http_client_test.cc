#include "net/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "crypto/tls_cert.h"
#include "net/http_status.h"

namespace entente::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWait = seconds(10);

TEST(ParseHttpsUrl, AcceptsNamesAddressesAndBracketedIpv6) {
  auto ip = ParseHttpsUrl("https://127.0.0.1:8443").value();
  EXPECT_EQ(ip.host, "127.0.0.1");
  EXPECT_EQ(ip.port, 8443);
  auto name = ParseHttpsUrl("HTTPS://node.usa.example:443/v1/ignored?x=1").value();
  EXPECT_EQ(name.host, "node.usa.example");
  EXPECT_EQ(name.port, 443);
  auto v6 = ParseHttpsUrl("https://[::1]:9000/").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 9000);
  EXPECT_EQ(ParseHttpsUrl("https://localhost").value().port, 443);
}

TEST(ParseHttpsUrl, RejectsWhatIsNotAnHttpsUrlWithAMessageThatSaysWhy) {
  struct Case {
    const char* url;
    const char* says;
  };
  for (const Case& c : {
           Case{"http://127.0.0.1:8443", "only https"},
           Case{"ftp://x:1", "expected https://host:port"},
           Case{"127.0.0.1:8443", "expected https://host:port"},
           Case{"https://", "no host"},
           Case{"https://:8443", "no host"},
           Case{"https://host:0", "port"},
           Case{"https://host:65536", "port"},
           Case{"https://host:84x3", "port"},
           Case{"https://host:", "port"},
           Case{"https://::1:8443", "brackets"},
           Case{"https://[::1:8443", "unclosed"},
           Case{"https://[not-v6]:8443", "not an IPv6 address"},
           Case{"https://user@host:8443", "user information"},
           Case{"https://ho st:8443", "not allowed"},
       }) {
    auto parsed = ParseHttpsUrl(c.url);
    ASSERT_FALSE(parsed.has_value()) << c.url;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument) << c.url;
    EXPECT_NE(parsed.error().message().find(c.says), std::string::npos)
        << c.url << ": " << parsed.error().message();
  }
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    creds_ = crypto::GenerateSelfSignedCertificate("test", {"localhost"}, {"127.0.0.1"}, 1).value();
    fingerprint_ = crypto::CertificateFingerprint(creds_.certificate_pem).value();
  }
  std::unique_ptr<HttpServer> Start(HttpHandler handler, seconds idle_timeout = seconds(60),
                                    UpgradeHandler upgrade = {}) {
    ServerOptions options;
    options.certificate_pem = creds_.certificate_pem;
    options.private_key_pem = creds_.private_key_pem.Clone();
    options.idle_timeout = idle_timeout;
    options.drain_timeout = seconds(5);
    return HttpServer::Start(std::move(options), std::move(handler), {}, std::move(upgrade))
        .value();
  }
  ClientOptions Options(uint16_t port, std::string host = "127.0.0.1") const {
    ClientOptions options;
    options.url = "https://" + host + ":" + std::to_string(port);
    options.fingerprint = fingerprint_;
    options.timeout = kWait;
    return options;
  }
  crypto::TlsCredentials creds_;
  std::string fingerprint_;
};

HttpResponse Echo(const HttpRequest& req) {
  auto header = req.headers.find("x-test");
  return HttpResponse{200,
                      "text/plain",
                      req.method + " " + req.target + " " +
                          (header == req.headers.end() ? "" : header->second) + " " +
                          ToString(req.body),
                      {{"x-served-by", "test"}}};
}

TEST_F(HttpClientTest, RequestsShareOneKeptAliveConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  auto server = Start([&](const HttpRequest& req) {
    std::lock_guard lock(mu);
    remotes.insert(req.remote);
    return Echo(req);
  });
  auto client = HttpClient::Connect(Options(server->port()));
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  auto first = (*client)->Request("GET", "/a?x=1", {{"X-Test", "one"}}, {});
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->status, 200u);
  EXPECT_EQ(first->body, "GET /a?x=1 one ");
  EXPECT_EQ(first->content_type, "text/plain");
  EXPECT_EQ(first->headers.find("x-served-by")->second, "test");
  auto second = (*client)->Request("POST", "/b", {}, AsBytes("payload"));
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->body, "POST /b  payload");
  EXPECT_EQ((*client)->connections_opened(), 1u);
  EXPECT_EQ(server->open_connections(), 1u);
  std::lock_guard lock(mu);
  EXPECT_EQ(remotes.size(), 1u);
}

TEST_F(HttpClientTest, AnHttpErrorStatusIsAResponseNotAnError) {
  auto server = Start([](const HttpRequest&) {
    return HttpResponse{404, "application/json", R"({"error":"not_found"})", {}};
  });
  auto client = HttpClient::Connect(Options(server->port())).value();
  auto response = client->Request("GET", "/missing", {}, {});
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 404u);
  EXPECT_EQ(response->content_type, "application/json");
}

TEST_F(HttpClientTest, ReconnectsWhenTheNodeClosedTheKeptAliveConnection) {
  auto server = Start(Echo, /*idle_timeout=*/seconds(1));
  auto client = HttpClient::Connect(Options(server->port())).value();
  ASSERT_TRUE(client->Request("GET", "/first", {}, {}).has_value());
  // The server closes the idle connection after a second; wait until it has (bounded).
  for (int i = 0; i < 100 && server->open_connections() > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(server->open_connections(), 0u);
  auto again = client->Request("POST", "/again", {}, AsBytes("x"));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->body, "POST /again  x");
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST_F(HttpClientTest, ConnectsByNameWithSni) {
  auto server = Start(Echo);
  auto client = HttpClient::Connect(Options(server->port(), "localhost"));
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  auto response = (*client)->Request("GET", "/", {}, {});
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200u);
}

TEST_F(HttpClientTest, ANodeThatDoesNotAnswerInTimeIsUnavailable) {
  auto server = Start([](const HttpRequest& req) {
    if (req.target == "/slow") std::this_thread::sleep_for(milliseconds(1500));
    return Echo(req);
  });
  ClientOptions options = Options(server->port());
  options.timeout = milliseconds(300);
  auto client = HttpClient::Connect(options).value();
  auto slow = client->Request("GET", "/slow", {}, {});
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(slow.error().message().find("timed out after 300 ms"), std::string::npos)
      << slow.error().message();
  auto fast = client->Request("GET", "/fast", {}, {});  // on a new connection
  ASSERT_TRUE(fast.has_value()) << fast.error().ToString();
  EXPECT_EQ(fast->status, 200u);
}

TEST_F(HttpClientTest, ACertificateThatIsNotThePinnedOneIsRefused) {
  auto server = Start(Echo);
  auto other = crypto::GenerateSelfSignedCertificate("other", {}, {"127.0.0.1"}, 1).value();
  std::string pinned = crypto::CertificateFingerprint(other.certificate_pem).value();
  ClientOptions options = Options(server->port());
  options.fingerprint = pinned;
  auto client = HttpClient::Connect(options);
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(client.error().message().find(fingerprint_), std::string::npos)
      << client.error().message();
  EXPECT_NE(client.error().message().find(pinned), std::string::npos);

  auto websocket = WebSocketClient::Connect(options, "/ws", {});
  ASSERT_FALSE(websocket.has_value());
  EXPECT_EQ(websocket.error().code(), ErrorCode::kUnauthenticated);
}

TEST_F(HttpClientTest, TheFingerprintMayBeUpperCase) {
  auto server = Start(Echo);
  ClientOptions options = Options(server->port());
  for (char& c : options.fingerprint) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(HttpClient::Connect(options).has_value());
}

TEST_F(HttpClientTest, ANodeThatIsNotListeningIsUnavailable) {
  uint16_t port = 0;
  {
    auto server = Start(Echo);
    port = server->port();
  }
  auto client = HttpClient::Connect(Options(port));
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(client.error().message().find("cannot connect to 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << client.error().message();
  auto websocket = WebSocketClient::Connect(Options(port), "/ws", {});
  ASSERT_FALSE(websocket.has_value());
  EXPECT_EQ(websocket.error().code(), ErrorCode::kUnavailable);
}

TEST_F(HttpClientTest, BadOptionsAndRequestsAreInvalidArguments) {
  ClientOptions options = Options(1);
  options.fingerprint = "sha256:abc";
  EXPECT_EQ(HttpClient::Connect(options).error().code(), ErrorCode::kInvalidArgument);
  options = Options(1);
  options.url = "http://127.0.0.1:1";
  EXPECT_EQ(HttpClient::Connect(options).error().code(), ErrorCode::kInvalidArgument);

  auto server = Start(Echo);
  auto client = HttpClient::Connect(Options(server->port())).value();
  EXPECT_EQ(client->Request("GET", "no-slash", {}, {}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->Request("GET", "/", {{"X-Bad", "a\r\nInjected: yes"}}, {}).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(client->Request("GET", "/", {}, {}).has_value());  // still usable
}

// A server whose upgrade handler keeps each accepted peer.
class WebSocketClientTest : public HttpClientTest {
 protected:
  std::unique_ptr<HttpServer> StartKeepingPeers() {
    return Start(Echo, seconds(60),
                 [this](const HttpRequest&, std::shared_ptr<WebSocketPeer> peer)
                     -> std::variant<HttpResponse, WebSocketHandlers> {
                   std::lock_guard lock(mu_);
                   peers_.push_back(std::move(peer));
                   if (peers_.size() == 1) accepted_.set_value();
                   return WebSocketHandlers{{}, [this] {
                                              if (closes_.fetch_add(1) == 0) closed_.set_value();
                                            }};
                 });
  }
  std::shared_ptr<WebSocketPeer> Peer() {
    EXPECT_EQ(accepted_.get_future().wait_for(kWait), std::future_status::ready);
    std::lock_guard lock(mu_);
    return peers_.front();
  }
  std::mutex mu_;
  std::vector<std::shared_ptr<WebSocketPeer>> peers_;
  std::promise<void> accepted_;
  std::promise<void> closed_;
  std::atomic<int> closes_{0};
};

TEST_F(WebSocketClientTest, ReceiveTimesOutAndALaterMessageStillArrives) {
  auto server = StartKeepingPeers();
  auto client = WebSocketClient::Connect(Options(server->port()), "/ws", {}).value();
  auto peer = Peer();
  auto nothing = client->Receive(milliseconds(50));
  ASSERT_TRUE(nothing.has_value()) << nothing.error().ToString();
  EXPECT_FALSE(nothing->has_value());
  EXPECT_FALSE(client->Receive(milliseconds(0)).value().has_value());
  ASSERT_TRUE(peer->Send("late"));
  ASSERT_TRUE(peer->Send(std::string(200 * 1024, 'z')));  // many frames and TLS records
  EXPECT_EQ(client->Receive(kWait).value().value_or(""), "late");
  EXPECT_EQ(client->Receive(kWait).value().value_or("").size(), 200u * 1024);
}

TEST_F(WebSocketClientTest, ClientCloseEndsTheConnectionOnTheServer) {
  auto server = StartKeepingPeers();
  auto client = WebSocketClient::Connect(Options(server->port()), "/ws", {}).value();
  auto peer = Peer();
  client->Close();
  client->Close();  // idempotent
  ASSERT_EQ(closed_.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_FALSE(peer->Send("gone"));
  EXPECT_EQ(client->Send("gone").error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(client->Receive(kWait).error().code(), ErrorCode::kUnavailable);
  client.reset();
  server->Stop();
  EXPECT_EQ(closes_.load(), 1);
}

TEST_F(WebSocketClientTest, CloseFromAnotherThreadEndsABlockedReceive) {
  auto server = StartKeepingPeers();
  auto client = WebSocketClient::Connect(Options(server->port()), "/ws", {}).value();
  Peer();
  auto receiving = std::async(std::launch::async, [&] { return client->Receive(seconds(60)); });
  // Give Receive a moment to block; correctness does not depend on it.
  std::this_thread::sleep_for(milliseconds(50));
  client->Close();
  auto result = receiving.get();  // a hang here fails by ctest's timeout
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  ASSERT_EQ(closed_.get_future().wait_for(kWait), std::future_status::ready);
}

TEST_F(WebSocketClientTest, ServerStopIsUnavailableToTheClient) {
  auto server = StartKeepingPeers();
  auto client = WebSocketClient::Connect(Options(server->port()), "/ws", {}).value();
  Peer();
  server->Stop();
  auto result = client->Receive(kWait);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(client->Send("x").error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(closes_.load(), 1);
}

}  // namespace
}  // namespace entente::net

namespace entente::net {
namespace {

TEST(ErrorFromResponse, IsTheInverseOfErrorResponse) {
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kAlreadyExists, ErrorCode::kFailedPrecondition,
        ErrorCode::kPermissionDenied, ErrorCode::kDataLoss, ErrorCode::kUnavailable}) {
    HttpResponse r = ErrorResponse(Error(code, "what went wrong"));
    Error back = ErrorFromResponse(r.status, r.body);
    EXPECT_EQ(back.code(), code);
    EXPECT_EQ(back.message(), "what went wrong");
  }
  // A body that is not ours: the status decides, the text is kept on one line.
  Error plain = ErrorFromResponse(502, "bad gateway\nfrom a proxy\n");
  EXPECT_EQ(plain.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(plain.message(), "bad gateway from a proxy");
  EXPECT_EQ(ErrorFromResponse(418, "").code(), ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace entente::net
