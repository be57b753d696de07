// net/http_server.h: an HTTPS server (HTTP/1.1 over TLS 1.3, Boost.Beast and Asio with C++20
// coroutines) behind a Beast-free interface, so that only http_server.cc pays for Beast's
// headers.
//
// The server owns its threads. Each connection is a coroutine: TLS handshake, then requests in
// turn (keep-alive), each handed to the `HttpHandler` on an I/O thread. Limits: header 16 KiB,
// body `max_body` bytes (413 beyond), idle connections closed after `idle_timeout`.
// `Stop()` is graceful: it stops accepting, lets requests in flight finish (up to
// `drain_timeout`), then closes what is left.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

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

// Called after each response, for logs and metrics.
struct RequestRecord {
  std::string method, target, remote;
  unsigned status;
  std::chrono::microseconds duration;
};
using RequestObserver = std::function<void(const RequestRecord&)>;

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
};

class HttpServer {
 public:
  // Binds, listens and starts the threads. InvalidArgument for bad TLS credentials or address;
  // Unavailable if the address is in use.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Start(ServerOptions options,
                                                                 HttpHandler handler,
                                                                 RequestObserver observer = {});
  ~HttpServer();  // Stop()s if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port.
  uint16_t port() const;
  // Connections open now.
  size_t open_connections() const;

  // Blocks until SIGINT or SIGTERM arrives (or Stop() is called from another thread).
  void WaitForShutdownSignal();
  // Graceful stop; idempotent; returns when the threads have ended.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace entente::net
