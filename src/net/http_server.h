// net/http_server.h: an HTTPS server (HTTP/1.1 over TLS 1.3, Boost.Beast and Asio with C++20
// coroutines) behind a Beast-free interface, so that only http_server.cc pays for Beast's
// headers.
//
// The server owns its threads. Each connection is a coroutine: TLS handshake, then requests in
// turn (keep-alive), each handed to the `HttpHandler` on an I/O thread. Limits: header 16 KiB,
// body `max_body` bytes (413 beyond), idle connections closed after `idle_timeout`.
// `Stop()` is graceful: it stops accepting, lets requests in flight finish (up to
// `drain_timeout`), then closes what is left.
//
// WebSocket (RFC 6455): with an `UpgradeHandler`, a GET that asks for an upgrade goes to it
// instead of the `HttpHandler`; if it accepts, the connection becomes a WebSocket of text
// messages: incoming ones go to `WebSocketHandlers::on_message`, outgoing ones are queued with
// `WebSocketPeer::Send` from any thread. The server pings an idle WebSocket every
// `idle_timeout / 2` and closes it when the client has sent nothing, not even a pong, for
// `idle_timeout`. `Stop()` sends every WebSocket a close frame (1001, going away) after its
// queued messages, and closes the connection at most a few seconds later.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "net/http_signatures.h"

namespace entente::net {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // "/v1/node?x=1" (origin form)
  HeaderMap headers;   // names lower-cased
  Bytes body;
  std::string remote;  // peer address, for logs
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  HeaderMap headers;  // extra headers
};

// Called on an I/O thread for each request; must not block for long. Exceptions are caught and
// answered with 500.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Called after each response (and once for each accepted WebSocket upgrade, with status 101),
// for logs and metrics.
struct RequestRecord {
  std::string method, target, remote;
  unsigned status;
  std::chrono::microseconds duration;
};
using RequestObserver = std::function<void(const RequestRecord&)>;

// The server's end of an accepted WebSocket connection. Shared by the server and the
// `UpgradeHandler` (which may keep it for as long as it likes, even past the connection and the
// server). Thread-safe: every member may be called from any thread.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues `message` (UTF-8 text) to be sent after those queued before. Returns false if the
  // connection is closed or closing, or if `ServerOptions::max_websocket_queue` messages are
  // waiting already: then the server closes the connection at once, because a client that reads
  // slower than it is written to is cut off rather than allowed to grow the server's memory
  // (clients catch up by cursor when they reconnect).
  virtual bool Send(std::string message) = 0;
  // Closes the connection with a normal close frame (1000) once the queued messages are sent.
  // Idempotent; Send returns false from now on.
  virtual void Close() = 0;
  // The peer's address, for logs.
  virtual const std::string& remote() const = 0;
};

struct WebSocketHandlers {
  // Called for each text message, in order, on an I/O thread; must not block for long. An
  // exception closes the connection (1011). Binary messages close the connection (1003).
  std::function<void(std::string_view message)> on_message;
  // Called exactly once, when the connection ends for any reason (closed by either side,
  // timed out, cut off, server stopped). On an I/O thread, or in `Stop()`.
  std::function<void()> on_close;
};

// Called on an I/O thread for a request that asks for a WebSocket upgrade (a GET with
// `Upgrade: websocket`). Returns handlers to accept the upgrade, or a response (401, 403,
// 404...) to refuse it. `peer` may be kept and used only if the upgrade is accepted; messages
// it queues during the call are sent right after the upgrade. Exceptions are answered with 500.
using UpgradeHandler = std::function<std::variant<HttpResponse, WebSocketHandlers>(
    const HttpRequest& request, std::shared_ptr<WebSocketPeer> peer)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see HttpServer::port())
  std::string certificate_pem;
  crypto::SecretBytes private_key_pem;
  int threads = 2;
  size_t max_connections = 1024;  // beyond this, new connections are closed at once
  size_t max_body = 64 * 1024 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds drain_timeout{10};
  size_t max_websocket_message = 1 << 20;  // bytes; a larger incoming message closes (1009)
  size_t max_websocket_queue = 4096;       // outgoing messages waiting; see WebSocketPeer::Send
};

class HttpServer {
 public:
  // Binds, listens and starts the threads. InvalidArgument for bad TLS credentials or address;
  // Unavailable if the address is in use. Without `upgrade`, upgrade requests go to `handler`
  // like any other.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Start(ServerOptions options,
                                                                 HttpHandler handler,
                                                                 RequestObserver observer = {},
                                                                 UpgradeHandler upgrade = {});
  ~HttpServer();  // Stop()s if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port.
  uint16_t port() const;
  // Connections open now, WebSockets included.
  size_t open_connections() const;

  // Blocks until SIGINT or SIGTERM arrives (or Stop() is called from another thread).
  void WaitForShutdownSignal();
  // Graceful stop; idempotent; returns when the threads have ended, after every WebSocket's
  // on_close has been called.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace entente::net
