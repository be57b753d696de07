#include "net/http_server.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/tls_cert.h"
#include "net/http_client.h"
#include "net/http_status.h"

namespace entente::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// A synchronous TLS client for the tests: trusts exactly the server's certificate.
class TestClient {
 public:
  TestClient(const std::string& cert_pem, uint16_t port, int max_tls = TLS1_3_VERSION)
      : ctx_(ssl::context::tls_client), stream_(io_, ctx_) {
    ctx_.add_certificate_authority(asio::buffer(cert_pem));
    ctx_.set_verify_mode(ssl::verify_peer);
    SSL_set_max_proto_version(stream_.native_handle(), max_tls);
    beast::get_lowest_layer(stream_).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SSL_set_tlsext_host_name(stream_.native_handle(), "localhost");
    stream_.handshake(ssl::stream_base::client);
  }
  http::response<http::string_body> Send(http::verb verb, const std::string& target,
                                         std::string body = "") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res;
  }

 private:
  asio::io_context io_;
  ssl::context ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    creds_ = crypto::GenerateSelfSignedCertificate("test", {"localhost"}, {"127.0.0.1"}, 1).value();
  }
  std::unique_ptr<HttpServer> Start(HttpHandler handler, size_t max_body = 1024,
                                    size_t max_connections = 1024) {
    ServerOptions options;
    options.max_connections = max_connections;
    options.certificate_pem = creds_.certificate_pem;
    options.private_key_pem = creds_.private_key_pem.Clone();
    options.max_body = max_body;
    options.drain_timeout = std::chrono::seconds(5);
    return HttpServer::Start(std::move(options), std::move(handler)).value();
  }
  // A server with an UpgradeHandler; `tweak` adjusts the options.
  std::unique_ptr<HttpServer> StartWebSockets(UpgradeHandler upgrade,
                                              const std::function<void(ServerOptions&)>& tweak = {},
                                              RequestObserver observer = {},
                                              HttpHandler handler = {}) {
    ServerOptions options;
    options.certificate_pem = creds_.certificate_pem;
    options.private_key_pem = creds_.private_key_pem.Clone();
    options.drain_timeout = std::chrono::seconds(5);
    if (tweak) tweak(options);
    if (!handler)
      handler = [](const HttpRequest&) { return HttpResponse{200, "text/plain", "", {}}; };
    return HttpServer::Start(std::move(options), std::move(handler), std::move(observer),
                             std::move(upgrade))
        .value();
  }
  Result<std::unique_ptr<WebSocketClient>> ConnectWebSocket(const HttpServer& server,
                                                            const std::string& target = "/ws",
                                                            const HeaderMap& headers = {}) {
    ClientOptions options;
    options.url = "https://127.0.0.1:" + std::to_string(server.port());
    options.fingerprint = crypto::CertificateFingerprint(creds_.certificate_pem).value();
    options.timeout = std::chrono::seconds(10);
    return WebSocketClient::Connect(std::move(options), target, headers);
  }
  crypto::TlsCredentials creds_;
};

// What an UpgradeHandler saw: the peers it accepted and how often each closed.
struct WebSocketLog {
  std::mutex mu;
  std::vector<std::shared_ptr<WebSocketPeer>> peers;  // guarded by mu
  std::atomic<int> closes{0};
  std::promise<void> accepted;
  std::promise<void> closed;

  // Accepts every upgrade; `on_message` gets the peer and the message.
  UpgradeHandler Accept(std::function<void(WebSocketPeer&, std::string_view)> on_message = {}) {
    return [this, on_message](const HttpRequest&, std::shared_ptr<WebSocketPeer> peer)
               -> std::variant<HttpResponse, WebSocketHandlers> {
      {
        std::lock_guard lock(mu);
        peers.push_back(peer);
        if (peers.size() == 1) accepted.set_value();
      }
      WebSocketHandlers handlers;
      if (on_message) {
        handlers.on_message = [on_message, raw = peer.get()](std::string_view message) {
          on_message(*raw, message);
        };
      }
      handlers.on_close = [this] {
        if (closes.fetch_add(1) == 0) closed.set_value();
      };
      return handlers;
    };
  }
  std::shared_ptr<WebSocketPeer> First() {
    std::lock_guard lock(mu);
    return peers.empty() ? nullptr : peers.front();
  }
};

constexpr auto kWait = std::chrono::seconds(10);

HttpResponse Echo(const HttpRequest& req) {
  auto host = req.headers.find("host");
  return HttpResponse{200,
                      "text/plain",
                      req.method + " " + req.target + " " +
                          (host == req.headers.end() ? "" : host->second) + " " +
                          ToString(req.body),
                      {}};
}

TEST_F(HttpServerTest, ServesRequestsOverOneKeptAliveTlsConnection) {
  auto server = Start(Echo);
  ASSERT_NE(server->port(), 0);
  TestClient client(creds_.certificate_pem, server->port());
  auto first = client.Send(http::verb::get, "/a?x=1");
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(first.body(), "GET /a?x=1 localhost ");
  auto second = client.Send(http::verb::post, "/b", "payload");
  EXPECT_EQ(second.body(), "POST /b localhost payload");
  EXPECT_EQ(server->open_connections(), 1u);
}

TEST_F(HttpServerTest, OversizedBodyIsRefusedWith413) {
  auto server = Start(Echo, /*max_body=*/16);
  TestClient client(creds_.certificate_pem, server->port());
  auto res = client.Send(http::verb::post, "/big", std::string(17, 'x'));
  EXPECT_EQ(res.result_int(), 413u);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreShed) {
  auto server = Start(Echo, 1024, /*max_connections=*/1);
  TestClient first(creds_.certificate_pem, server->port());
  EXPECT_EQ(first.Send(http::verb::get, "/").result_int(), 200u);
  EXPECT_THROW(TestClient(creds_.certificate_pem, server->port()), boost::system::system_error);
  EXPECT_EQ(first.Send(http::verb::get, "/again").result_int(), 200u);  // the first is unharmed
}

TEST_F(HttpServerTest, RefusesTls12) {
  auto server = Start(Echo);
  EXPECT_THROW(TestClient(creds_.certificate_pem, server->port(), TLS1_2_VERSION),
               boost::system::system_error);
}

TEST_F(HttpServerTest, HandlerExceptionIs500) {
  auto server = Start([](const HttpRequest&) -> HttpResponse { throw std::runtime_error("bug"); });
  TestClient client(creds_.certificate_pem, server->port());
  EXPECT_EQ(client.Send(http::verb::get, "/").result_int(), 500u);
}

TEST_F(HttpServerTest, StopLetsTheRequestInFlightFinish) {
  std::promise<void> entered;
  auto server = Start([&](const HttpRequest& req) {
    if (req.target == "/slow") {
      entered.set_value();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return HttpResponse{200, "text/plain", "done", {}};
  });
  uint16_t port = server->port();
  TestClient idle(creds_.certificate_pem, port);  // an idle keep-alive connection
  EXPECT_EQ(idle.Send(http::verb::get, "/").body(), "done");
  auto slow = std::async(std::launch::async, [&] {
    TestClient client(creds_.certificate_pem, port);
    return client.Send(http::verb::get, "/slow");
  });
  entered.get_future().wait();
  auto started = std::chrono::steady_clock::now();
  server->Stop();
  auto response = slow.get();
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), "done");
  // The idle connection did not hold the stop up to the drain timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_THROW(TestClient(creds_.certificate_pem, port), boost::system::system_error);
}

TEST(HttpServerStart, RejectsBadCredentialsAndAddresses) {
  ServerOptions options;
  options.certificate_pem = "not a certificate";
  options.private_key_pem = crypto::SecretBytes(AsBytes("nope"));
  EXPECT_EQ(HttpServer::Start(std::move(options), Echo).error().code(),
            ErrorCode::kInvalidArgument);
  auto creds = crypto::GenerateSelfSignedCertificate("t", {}, {}, 1).value();
  ServerOptions bad_host;
  bad_host.host = "not an address";
  bad_host.certificate_pem = creds.certificate_pem;
  bad_host.private_key_pem = creds.private_key_pem.Clone();
  EXPECT_FALSE(HttpServer::Start(std::move(bad_host), Echo).has_value());
}

TEST_F(HttpServerTest, WebSocketEchoesMessagesInOrder) {
  WebSocketLog log;
  std::mutex records_mu;
  std::vector<RequestRecord> records;
  auto server = StartWebSockets(
      [&](const HttpRequest& request, std::shared_ptr<WebSocketPeer> peer) {
        EXPECT_EQ(request.target, "/ws?cursor=7");
        auto header = request.headers.find("x-test");
        EXPECT_TRUE(header != request.headers.end() && header->second == "yes");
        EXPECT_TRUE(peer->Send("welcome"));  // queued during the upgrade, sent right after it
        return log.Accept([](WebSocketPeer& p, std::string_view m) {
          EXPECT_TRUE(p.Send("echo: " + std::string(m)));
        })(request, std::move(peer));
      },
      {},
      [&](const RequestRecord& record) {
        std::lock_guard lock(records_mu);
        records.push_back(record);
      });
  auto client = ConnectWebSocket(*server, "/ws?cursor=7", {{"X-Test", "yes"}});
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  EXPECT_EQ(server->open_connections(), 1u);
  EXPECT_EQ((*client)->Receive(kWait).value(), "welcome");
  for (std::string m : {"one", "two", "three"}) ASSERT_TRUE((*client)->Send(m).has_value());
  EXPECT_EQ((*client)->Receive(kWait).value(), "echo: one");
  EXPECT_EQ((*client)->Receive(kWait).value(), "echo: two");
  EXPECT_EQ((*client)->Receive(kWait).value(), "echo: three");
  {
    std::lock_guard lock(records_mu);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].status, 101u);
    EXPECT_EQ(records[0].target, "/ws?cursor=7");
  }
  EXPECT_EQ(log.First()->remote().rfind("127.0.0.1:", 0), 0u);

  (*client)->Close();
  ASSERT_EQ(log.closed.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_FALSE(log.First()->Send("too late"));
  auto after = (*client)->Receive(std::chrono::milliseconds(0));
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().code(), ErrorCode::kUnavailable);
  server->Stop();
  EXPECT_EQ(log.closes.load(), 1);
}

TEST_F(HttpServerTest, RefusedUpgradeGivesTheClientTheStatusAndBody) {
  std::mutex mu;
  std::vector<std::shared_ptr<WebSocketPeer>> refused;
  auto server = StartWebSockets(
      [&](const HttpRequest& request,
          std::shared_ptr<WebSocketPeer> peer) -> std::variant<HttpResponse, WebSocketHandlers> {
        {
          std::lock_guard lock(mu);
          refused.push_back(peer);
        }
        if (request.target == "/401") {
          return HttpResponse{401, "text/plain", "missing signature\n", {}};
        }
        if (request.target == "/403") {
          return ErrorResponse(Error(ErrorCode::kPermissionDenied, "clearance too low"));
        }
        return HttpResponse{404, "text/plain", "no such stream", {}};
      });
  auto unauthenticated = ConnectWebSocket(*server, "/401");
  ASSERT_FALSE(unauthenticated.has_value());
  EXPECT_EQ(unauthenticated.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(unauthenticated.error().message().find("401"), std::string::npos);
  EXPECT_NE(unauthenticated.error().message().find("missing signature"), std::string::npos)
      << unauthenticated.error().message();
  EXPECT_EQ(unauthenticated.error().message().find('\n'), std::string::npos);

  auto denied = ConnectWebSocket(*server, "/403");
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message().find("clearance too low"), std::string::npos)
      << denied.error().message();

  auto missing = ConnectWebSocket(*server, "/elsewhere");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);

  std::lock_guard lock(mu);
  ASSERT_EQ(refused.size(), 3u);
  for (auto& peer : refused) EXPECT_FALSE(peer->Send("never sent"));  // refused: dead at once
}

TEST_F(HttpServerTest, WithoutAnUpgradeHandlerUpgradeRequestsGoToTheHttpHandler) {
  std::atomic<bool> saw_upgrade{false};
  auto server = Start([&](const HttpRequest& request) {
    auto upgrade = request.headers.find("upgrade");
    saw_upgrade = upgrade != request.headers.end() && upgrade->second == "websocket";
    return HttpResponse{200, "text/plain", "plain http here", {}};
  });
  auto client = ConnectWebSocket(*server);
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(client.error().message().find("plain http here"), std::string::npos);
  EXPECT_TRUE(saw_upgrade);
}

TEST_F(HttpServerTest, WebSocketPushFromAnotherThreadArrivesInOrder) {
  WebSocketLog log;
  auto server = StartWebSockets(log.Accept());
  auto client = ConnectWebSocket(*server);
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_EQ(log.accepted.get_future().wait_for(kWait), std::future_status::ready);
  auto peer = log.First();
  std::thread pusher([peer] {
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(peer->Send("event " + std::to_string(i)));
  });
  for (int i = 0; i < 100; ++i) {
    auto message = (*client)->Receive(kWait);
    ASSERT_TRUE(message.has_value()) << message.error().ToString();
    ASSERT_TRUE(message->has_value()) << "nothing within the wait at " << i;
    EXPECT_EQ(**message, "event " + std::to_string(i));
  }
  pusher.join();
}

TEST_F(HttpServerTest, OversizedWebSocketMessageClosesTheConnection) {
  WebSocketLog log;
  std::atomic<int> messages{0};
  auto server =
      StartWebSockets(log.Accept([&](WebSocketPeer&, std::string_view) { ++messages; }),
                      [](ServerOptions& options) { options.max_websocket_message = 1024; });
  auto client = ConnectWebSocket(*server);
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_TRUE((*client)->Send(std::string(1024, 'a')).has_value());  // at the limit: fine
  (void)(*client)->Send(std::string(1025, 'b'));  // may fail if the server has closed already
  auto closed = (*client)->Receive(kWait);
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(closed.error().message().find("1009"), std::string::npos) << closed.error().message();
  ASSERT_EQ(log.closed.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(messages.load(), 1);
  server->Stop();
  EXPECT_EQ(log.closes.load(), 1);
}

TEST_F(HttpServerTest, OnMessageExceptionClosesWithInternalError) {
  WebSocketLog log;
  auto server = StartWebSockets(
      log.Accept([](WebSocketPeer&, std::string_view) { throw std::runtime_error("bug"); }));
  auto client = ConnectWebSocket(*server);
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_TRUE((*client)->Send("boom").has_value());
  auto closed = (*client)->Receive(kWait);
  ASSERT_FALSE(closed.has_value());
  EXPECT_NE(closed.error().message().find("1011"), std::string::npos) << closed.error().message();
  ASSERT_EQ(log.closed.get_future().wait_for(kWait), std::future_status::ready);
}

TEST_F(HttpServerTest, SlowWebSocketReaderIsCutOff) {
  WebSocketLog log;
  auto server = StartWebSockets(log.Accept(),
                                [](ServerOptions& options) { options.max_websocket_queue = 4; });
  auto client = ConnectWebSocket(*server);  // and never reads
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_EQ(log.accepted.get_future().wait_for(kWait), std::future_status::ready);
  auto peer = log.First();
  // Once the socket buffers are full the queue grows; at 4 waiting messages Send refuses. The
  // bound keeps a broken test from spinning: 64 MiB is far beyond loopback buffers.
  const std::string chunk(64 * 1024, 'x');
  bool refused = false;
  for (int i = 0; i < 1024 && !refused; ++i) refused = !peer->Send(chunk);
  EXPECT_TRUE(refused);
  ASSERT_EQ(log.closed.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_FALSE(peer->Send("after the cut"));
  server->Stop();
  EXPECT_EQ(log.closes.load(), 1);
}

TEST_F(HttpServerTest, StopClosesAnIdleWebSocketWithoutWaitingForTheDrainTimeout) {
  WebSocketLog log;
  auto server = StartWebSockets(log.Accept(), [](ServerOptions& options) {
    options.drain_timeout = std::chrono::seconds(60);  // a hang here fails by ctest's timeout
  });
  auto client = ConnectWebSocket(*server);  // idle: not inside Receive while the server stops
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_EQ(log.accepted.get_future().wait_for(kWait), std::future_status::ready);
  server->Stop();
  EXPECT_EQ(log.closes.load(), 1);
  EXPECT_FALSE(log.First()->Send("after stop"));
  auto closed = (*client)->Receive(kWait);
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().code(), ErrorCode::kUnavailable);
  server.reset();
  EXPECT_EQ(log.closes.load(), 1);
}

TEST_F(HttpServerTest, StopSendsGoingAwayToAReceivingWebSocket) {
  WebSocketLog log;
  auto server = StartWebSockets(log.Accept(), [](ServerOptions& options) {
    options.drain_timeout = std::chrono::seconds(60);
  });
  auto client = ConnectWebSocket(*server);
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_EQ(log.accepted.get_future().wait_for(kWait), std::future_status::ready);
  ASSERT_TRUE(log.First()->Send("queued before stop"));
  auto receiving = std::async(std::launch::async, [&] {
    std::vector<Result<std::optional<std::string>>> got;
    for (int i = 0; i < 2; ++i) got.push_back((*client)->Receive(kWait));
    return got;
  });
  server->Stop();
  auto got = receiving.get();
  ASSERT_TRUE(got[0].has_value()) << got[0].error().ToString();
  EXPECT_EQ(got[0]->value_or(""), "queued before stop");  // the queue is sent before closing
  ASSERT_FALSE(got[1].has_value());
  EXPECT_NE(got[1].error().message().find("1001"), std::string::npos) << got[1].error().message();
  EXPECT_EQ(log.closes.load(), 1);
}

TEST_F(HttpServerTest, PeerCloseSendsTheQueueThenANormalClose) {
  WebSocketLog log;
  auto server = StartWebSockets(log.Accept());
  auto client = ConnectWebSocket(*server);
  ASSERT_TRUE(client.has_value()) << client.error().ToString();
  ASSERT_EQ(log.accepted.get_future().wait_for(kWait), std::future_status::ready);
  auto peer = log.First();
  ASSERT_TRUE(peer->Send("last words"));
  peer->Close();
  peer->Close();  // idempotent
  EXPECT_FALSE(peer->Send("after close"));
  EXPECT_EQ((*client)->Receive(kWait).value().value_or(""), "last words");
  auto closed = (*client)->Receive(kWait);
  ASSERT_FALSE(closed.has_value());
  EXPECT_NE(closed.error().message().find("1000"), std::string::npos) << closed.error().message();
  ASSERT_EQ(log.closed.get_future().wait_for(kWait), std::future_status::ready);
  server->Stop();
  EXPECT_EQ(log.closes.load(), 1);
}

}  // namespace
}  // namespace entente::net
