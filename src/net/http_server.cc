#include "net/http_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace entente::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using WebSocketStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>&>;

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kHandshakeTimeout{15};
// How long a WebSocket closing handshake may take (RFC 6455 §7.1.1: the server waits for the
// client's close frame) before the server closes the TCP connection anyway. Also bounds the
// write of the 101 response.
constexpr std::chrono::seconds kWebSocketCloseTimeout{3};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The server's end of one WebSocket connection, shared between the connection's coroutine, the
// registry of connections, and the application (as a WebSocketPeer).
//
// The outgoing queue and the state are guarded by `mu_` and used from any thread. `wake_` and
// `lowest_` point into the connection's coroutine frame; they are set, used and cleared on the
// connection's strand only, so work posted there after the connection ended finds them null.
// Finish() runs before the io_context goes (from the coroutine, from Stop(), or at the latest
// from the coroutine frame's destructor during the io_context's shutdown); it drops the strand,
// which must not outlive the io_context, and nothing is posted after it.
class WebSocketConnection final : public WebSocketPeer,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(asio::any_io_executor strand, std::string remote, size_t max_queue)
      : remote_(std::move(remote)), max_queue_(max_queue), strand_(std::move(strand)) {}

  bool Send(std::string message) override {
    std::lock_guard lock(mu_);
    if (state_ != State::kOpen) return false;
    if (queue_.size() >= max_queue_) {
      // A slow reader: cut it off rather than let the queue grow (see WebSocketPeer::Send).
      state_ = State::kClosing;
      queue_.clear();
      asio::post(strand_, [self = shared_from_this()] {
        if (self->lowest_ != nullptr) self->lowest_->close();
      });
      return false;
    }
    queue_.push_back(std::move(message));
    if (queue_.size() == 1) PostWakeLocked();  // else the writer has been woken already
    return true;
  }

  void Close() override { RequestClose(websocket::close_code::normal); }

  const std::string& remote() const override { return remote_; }

  // Closes with `code` once the queued messages are sent. Idempotent.
  void RequestClose(websocket::close_code code) {
    std::lock_guard lock(mu_);
    if (state_ != State::kOpen) return;
    state_ = State::kClosing;
    close_code_ = code;
    PostWakeLocked();
  }

  // Called once, before the connection starts.
  void SetHandlers(WebSocketHandlers handlers) { handlers_ = std::move(handlers); }
  const WebSocketHandlers& handlers() const { return handlers_; }

  // On the strand: the connection's timer that the writer waits on, and its socket.
  void Attach(asio::steady_timer* wake, beast::tcp_stream* lowest) {
    wake_ = wake;
    lowest_ = lowest;
  }
  void Detach() {
    wake_ = nullptr;
    lowest_ = nullptr;
  }

  // What the writer does next: send a message, send a close frame, or stop.
  struct Next {
    std::optional<std::string> message;
    std::optional<websocket::close_code> close;
    bool stop = false;
  };
  Next TakeNext() {
    std::lock_guard lock(mu_);
    Next next;
    if (state_ == State::kEnded) {
      next.stop = true;
    } else if (!queue_.empty()) {
      next.message = std::move(queue_.front());
      queue_.pop_front();
    } else if (close_code_) {
      next.close = close_code_;
      close_code_.reset();
    }
    return next;
  }

  // The connection is over: Send returns false, the queue is dropped. On the strand, it also
  // wakes the writer so that it stops.
  void End() {
    {
      std::lock_guard lock(mu_);
      state_ = State::kEnded;
      queue_.clear();
    }
    if (wake_ != nullptr) wake_->cancel();
  }

  // End()s and calls on_close, the first time only. From the strand, from Stop() after the
  // threads have ended, or from the coroutine frame's destructor.
  void Finish() {
    {
      std::lock_guard lock(mu_);
      state_ = State::kEnded;
      queue_.clear();
      strand_ = {};
    }
    if (finished_.exchange(true)) return;
    if (handlers_.on_close) {
      try {
        handlers_.on_close();
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
        // The connection is gone either way; the application's bug stays its own.
      }
    }
  }

 private:
  enum class State { kOpen, kClosing, kEnded };

  void PostWakeLocked() {
    asio::post(strand_, [self = shared_from_this()] {
      if (self->wake_ != nullptr) self->wake_->cancel();
    });
  }

  const std::string remote_;
  const size_t max_queue_;
  WebSocketHandlers handlers_;  // set before the connection starts, then read-only
  std::atomic<bool> finished_{false};

  std::mutex mu_;
  asio::any_io_executor strand_;                     // guarded by mu_; empty once kEnded
  State state_ = State::kOpen;                       // guarded by mu_
  std::deque<std::string> queue_;                    // guarded by mu_
  std::optional<websocket::close_code> close_code_;  // guarded by mu_; taken by the writer

  asio::steady_timer* wake_ = nullptr;   // on the strand only
  beast::tcp_stream* lowest_ = nullptr;  // on the strand only
};

// Reads messages and hands them to on_message until the connection ends.
asio::awaitable<void> ReadWebSocket(WebSocketStream& ws, WebSocketConnection& connection) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    (void)n;
    // closed: the closing handshake is done; message_too_big: Beast has sent 1009 and closed;
    // otherwise a timeout, a reset, or the socket closed by a cut-off.
    if (ec) break;
    if (!ws.got_text()) {
      connection.RequestClose(websocket::close_code::unknown_data);  // RFC 6455 §7.4.1: 1003
    } else if (connection.handlers().on_message) {
      try {
        connection.handlers().on_message(
            std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
      } catch (const std::exception&) {
        connection.RequestClose(websocket::close_code::internal_error);  // 1011
      }
    }
    buffer.consume(buffer.size());
  }
  connection.End();
}

// Writes the queued messages, one at a time, then the close frame if one was asked for.
asio::awaitable<void> WriteWebSocket(WebSocketStream& ws, WebSocketConnection& connection,
                                     asio::steady_timer& wake) {
  for (;;) {
    WebSocketConnection::Next next = connection.TakeNext();
    if (next.stop) co_return;
    if (next.message) {
      ws.text(true);
      auto [ec, n] =
          co_await ws.async_write(asio::buffer(*next.message), asio::as_tuple(asio::use_awaitable));
      (void)n;
      if (ec) break;
    } else if (next.close) {
      // Completes when the client's close frame arrives (the reader sees `closed`), or after
      // kWebSocketCloseTimeout, when Beast closes the socket.
      co_await ws.async_close(*next.close, asio::as_tuple(asio::use_awaitable));
      co_return;
    } else {
      co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled to wake up
    }
  }
  // The write failed: make sure the reader ends too.
  beast::get_lowest_layer(ws).close();
}

}  // namespace

class HttpServer::Impl {
  struct Connection {
    asio::any_io_executor strand;
    beast::tcp_stream* lowest;
    bool busy = false;
    std::shared_ptr<WebSocketConnection> websocket;  // once the connection is a WebSocket
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
  Impl(ServerOptions options, HttpHandler handler, RequestObserver observer, UpgradeHandler upgrade)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        observer_(std::move(observer)),
        upgrade_(std::move(upgrade)),
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
    // WebSockets that did not close within the drain timeout: their coroutines are destroyed
    // with the io_context; the application hears of it now, before Stop() returns.
    std::vector<std::shared_ptr<WebSocketConnection>> unfinished;
    {
      std::lock_guard lock(registry_->mu);
      for (auto& [id, conn] : registry_->connections) {
        if (conn.websocket) unfinished.push_back(conn.websocket);
      }
    }
    for (auto& websocket : unfinished) websocket->Finish();  // outside the lock: calls on_close
    std::lock_guard lock(mu_);
    stopped_ = true;
  }

 private:
  // Closes connections waiting for a request; busy ones close after their response. WebSockets
  // are sent a close frame after their queued messages.
  void CancelIdle() {
    std::lock_guard lock(registry_->mu);
    for (auto& [id, conn] : registry_->connections) {
      if (conn.websocket) {
        conn.websocket->RequestClose(websocket::close_code::going_away);  // 1001
        continue;
      }
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
      // Small request/response messages must not wait for Nagle + delayed ACK (40 ms).
      boost::system::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);  // NOLINT(bugprone-unused-return-value)
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
      std::shared_ptr<WebSocketConnection> peer;
      bool accepted = false;
      try {
        if (upgrade_ && websocket::is_upgrade(req)) {
          peer = std::make_shared<WebSocketConnection>(stream.get_executor(), remote,
                                                       options_.max_websocket_queue);
          auto outcome = upgrade_(request, peer);
          if (auto* handlers = std::get_if<WebSocketHandlers>(&outcome)) {
            peer->SetHandlers(std::move(*handlers));
            accepted = true;
          } else {
            response = std::move(std::get<HttpResponse>(outcome));
          }
        } else {
          response = handler_(request);
        }
      } catch (const std::exception&) {
        response = HttpResponse{500, "text/plain; charset=utf-8", "internal error\n", {}};
      }
      // A refused peer is ended at once, so that Send returns false and never touches the
      // io_context, which may be gone by the time the application tries.
      if (peer && !accepted) peer->Finish();
      if (accepted) {
        co_await ServeWebSocket(stream, req, id, std::move(peer), request, started);
        co_return;  // the closing handshake has closed TLS and TCP, or the connection failed
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

  // Completes the upgrade of `req` (RFC 6455 §4.2.2) and runs the WebSocket until it ends.
  template <class Request>
  asio::awaitable<void> ServeWebSocket(beast::ssl_stream<beast::tcp_stream>& stream,
                                       const Request& req, uint64_t id,
                                       std::shared_ptr<WebSocketConnection> connection,
                                       const HttpRequest& request,
                                       std::chrono::steady_clock::time_point started) {
    // Calls on_close even if this frame is destroyed while suspended (the io_context went away).
    struct FinishOnExit {
      WebSocketConnection& connection;
      ~FinishOnExit() {
        connection.Detach();
        connection.Finish();
      }
    } finish_on_exit{*connection};
    {
      std::lock_guard lock(registry_->mu);
      auto it = registry_->connections.find(id);
      if (it != registry_->connections.end()) it->second.websocket = connection;
    }
    // After registering: either CancelIdle() saw the WebSocket, or this sees stopping_.
    if (stopping_) connection->RequestClose(websocket::close_code::going_away);

    WebSocketStream ws(stream);
    auto& lowest = beast::get_lowest_layer(ws);
    lowest.expires_never();  // the WebSocket keeps its own time (Beast's rule)
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = kWebSocketCloseTimeout;
    timeout.idle_timeout = options_.idle_timeout;
    timeout.keep_alive_pings = true;  // a ping after idle_timeout / 2
    ws.set_option(timeout);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "entente"); }));
    ws.read_message_max(options_.max_websocket_message);
    asio::steady_timer wake(stream.get_executor(), std::chrono::steady_clock::time_point::max());
    connection->Attach(&wake, &lowest);

    auto [accept_ec] = co_await ws.async_accept(req, asio::as_tuple(asio::use_awaitable));
    SetBusy(id, false);
    if (observer_) {
      observer_(RequestRecord{request.method, request.target, request.remote, 101,
                              std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)});
    }
    if (accept_ec) co_return;
    using asio::experimental::awaitable_operators::operator&&;
    co_await (ReadWebSocket(ws, *connection) && WriteWebSocket(ws, *connection, wake));
  }

  ServerOptions options_;
  HttpHandler handler_;
  RequestObserver observer_;
  UpgradeHandler upgrade_;
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
                                                      RequestObserver observer,
                                                      UpgradeHandler upgrade) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), std::move(observer),
                                     std::move(upgrade));
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
