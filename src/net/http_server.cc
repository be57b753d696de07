#include "net/http_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace entente::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{15};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

class HttpServer::Impl {
  struct Connection {
    asio::any_io_executor strand;
    beast::tcp_stream* lowest;
    bool busy = false;
  };
  // The open connections. Shared with every connection coroutine, because a coroutine that is
  // still suspended when the server goes away is destroyed by the io_context's destructor,
  // after Impl's other members.
  struct Registry {
    std::mutex mu;
    std::condition_variable drained;             // connections became empty
    std::map<uint64_t, Connection> connections;  // guarded by mu
  };

 public:
  Impl(ServerOptions options, HttpHandler handler, RequestObserver observer)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        observer_(std::move(observer)),
        tls_(ssl::context::tls_server),
        acceptor_strand_(asio::make_strand(io_)),
        acceptor_(acceptor_strand_) {}

  // Asio's error_code overloads return `ec` as well; it is checked after each call.
  // NOLINTBEGIN(bugprone-unused-return-value)
  Status Init() {
    boost::system::error_code ec;
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_3_VERSION);
    tls_.use_certificate_chain(asio::buffer(options_.certificate_pem), ec);
    if (ec) return InvalidArgument("tls: the certificate does not load: " + ec.message());
    tls_.use_private_key(
        asio::buffer(options_.private_key_pem.data(), options_.private_key_pem.size()),
        ssl::context::pem, ec);
    if (ec) return InvalidArgument("tls: the private key does not load: " + ec.message());
    std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return InvalidArgument("listen: \"" + options_.host + "\" is not an IP address");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable("listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                         ec.message());
    }
    // NOLINTEND(bugprone-unused-return-value)
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(acceptor_strand_, Accept(), asio::detached);
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    return {};
  }

  uint16_t port() const { return port_; }
  size_t connections() const {
    std::lock_guard lock(registry_->mu);
    return registry_->connections.size();
  }

  void WaitForShutdownSignal() {
    asio::io_context signal_io;
    asio::signal_set signals(signal_io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int) {});
    // Also wake up if Stop() is called from elsewhere.
    std::thread watcher([&] {
      std::unique_lock lock(mu_);
      stopped_cv_.wait(lock, [&] { return stopping_.load(); });
      lock.unlock();
      signal_io.stop();
    });
    signal_io.run();
    Stop();
    watcher.join();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopping_ = true;
    }
    stopped_cv_.notify_all();
    asio::post(acceptor_strand_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);  // NOLINT(bugprone-unused-return-value): closing regardless
    });
    CancelIdle();
    {
      std::unique_lock lock(registry_->mu);
      registry_->drained.wait_for(lock, options_.drain_timeout,
                                  [&] { return registry_->connections.empty(); });
    }
    io_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard lock(mu_);
    stopped_ = true;
  }

 private:
  // Closes connections waiting for a request; busy ones close after their response.
  void CancelIdle() {
    std::lock_guard lock(registry_->mu);
    for (auto& [id, conn] : registry_->connections) {
      if (conn.busy) continue;
      // On the connection's strand, so never concurrently with its own operations; the lookup
      // finds nothing if the connection ended meanwhile.
      asio::post(conn.strand, [registry = registry_, id = id] {
        std::lock_guard inner(registry->mu);
        auto it = registry->connections.find(id);
        if (it != registry->connections.end() && !it->second.busy) it->second.lowest->cancel();
      });
    }
  }

  void SetBusy(uint64_t id, bool busy) {
    std::lock_guard lock(registry_->mu);
    auto it = registry_->connections.find(id);
    if (it != registry_->connections.end()) it->second.busy = busy;
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      // Each connection runs on its own strand, so Stop() can post to it safely.
      auto strand = asio::make_strand(io_);
      auto [ec, socket] =
          co_await acceptor_.async_accept(strand, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        continue;  // e.g. too many open files: keep serving the others
      }
      if (connections() >= options_.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);  // NOLINT(bugprone-unused-return-value): shedding load
        continue;
      }
      asio::co_spawn(strand, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls_);
    uint64_t id = next_id_.fetch_add(1);
    {
      std::lock_guard lock(registry_->mu);
      registry_->connections[id] =
          Connection{stream.get_executor(), &beast::get_lowest_layer(stream)};
    }
    // Leaves the registry before `stream` is destroyed (declared after it).
    struct Deregister {
      std::shared_ptr<Registry> registry;
      uint64_t id;
      ~Deregister() {
        std::lock_guard lock(registry->mu);
        registry->connections.erase(id);
        if (registry->connections.empty()) registry->drained.notify_all();
      }
    } deregister{registry_, id};

    try {
      co_await ServeConnection(stream, id, remote);
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
      // A connection-level failure (reset, TLS alert): the connection is gone; nothing to do.
    }
  }

  asio::awaitable<void> ServeConnection(beast::ssl_stream<beast::tcp_stream>& stream, uint64_t id,
                                        const std::string& remote) {
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(kHandshakeTimeout);
    auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server,
                                                   asio::as_tuple(asio::use_awaitable));
    if (hs_ec) co_return;
    beast::flat_buffer buffer;
    while (!stopping_) {
      http::request_parser<http::vector_body<uint8_t>> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(options_.max_body);
      lowest.expires_after(options_.idle_timeout);
      auto [read_ec, read_n] =
          co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      (void)read_n;
      if (read_ec) {
        if (read_ec == http::error::body_limit || read_ec == http::error::header_limit) {
          http::response<http::string_body> too_large{http::status::payload_too_large, 11};
          too_large.set(http::field::content_type, "text/plain; charset=utf-8");
          too_large.body() = "request too large\n";
          too_large.keep_alive(false);
          too_large.prepare_payload();
          co_await http::async_write(stream, too_large, asio::as_tuple(asio::use_awaitable));
        }
        break;  // end of stream, timeout, cancelled by Stop(), or malformed: close
      }
      SetBusy(id, true);
      auto started = std::chrono::steady_clock::now();
      auto& req = parser.get();
      HttpRequest request;
      request.method = std::string(req.method_string());
      request.target = std::string(req.target());
      for (const auto& field : req) {
        request.headers.emplace(Lower(field.name_string()), std::string(field.value()));
      }
      request.body = std::move(req.body());
      request.remote = remote;
      HttpResponse response;
      try {
        response = handler_(request);
      } catch (const std::exception&) {
        response = HttpResponse{500, "text/plain; charset=utf-8", "internal error\n", {}};
      }
      http::response<http::string_body> res{static_cast<http::status>(response.status),
                                            req.version()};
      res.set(http::field::server, "entente");
      res.set(http::field::content_type, response.content_type);
      for (const auto& [name, value] : response.headers) res.insert(name, value);
      res.keep_alive(req.keep_alive() && !stopping_);
      res.body() = std::move(response.body);
      res.prepare_payload();
      lowest.expires_after(options_.idle_timeout);
      auto [write_ec, write_n] =
          co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
      (void)write_n;
      SetBusy(id, false);
      if (observer_) {
        observer_(RequestRecord{request.method, request.target, remote, response.status,
                                std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - started)});
      }
      if (write_ec || !res.keep_alive()) break;
    }
    // Send close_notify; do not wait long for the peer's (many clients never send one).
    lowest.expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
  }

  ServerOptions options_;
  HttpHandler handler_;
  RequestObserver observer_;
  asio::io_context io_;
  ssl::context tls_;
  asio::strand<asio::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;  // used on acceptor_strand_ only
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<bool> stopping_{false};
  std::shared_ptr<Registry> registry_ = std::make_shared<Registry>();
  std::mutex mu_;
  std::condition_variable stopped_cv_;  // with mu_: stopping_ was set
  bool stopped_ = false;                // guarded by mu_
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() {
  if (impl_) impl_->Stop();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options, HttpHandler handler,
                                                      RequestObserver observer) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), std::move(observer));
  try {
    ENTENTE_RETURN_IF_ERROR(impl->Init());
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("server: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port(); }
size_t HttpServer::open_connections() const { return impl_->connections(); }
void HttpServer::WaitForShutdownSignal() { impl_->WaitForShutdownSignal(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace entente::net
