#include "net/http_server.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <thread>

#include "crypto/tls_cert.h"

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
  crypto::TlsCredentials creds_;
};

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

}  // namespace
}  // namespace entente::net
