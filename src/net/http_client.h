// net/http_client.h: the client side of net/http_server.h: synchronous HTTPS requests and
// WebSocket connections to a node, for the command and the client library. Beast-free, like the
// server's header: only http_client.cc pays for Beast.
//
// No certificate authority is trusted: the node's certificate must have exactly the pinned
// fingerprint (`sha256:<hex of SHA-256(DER)>`, crypto::CertificateFingerprint), which partners
// exchange out of band (DESIGN §5). TLS 1.3 only. Every network operation is bounded by
// `ClientOptions::timeout`.
//
// Errors: Unavailable when the node cannot be reached, the connection fails or an operation
// times out (the call may be retried); Unauthenticated when the node's certificate is not the
// pinned one; InvalidArgument for a bad URL or fingerprint.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"
#include "net/http_server.h"
#include "net/http_signatures.h"

namespace entente::net {

struct ClientOptions {
  // "https://host:port", with host a name, an IPv4 address or a bracketed IPv6 address
  // ("https://[::1]:8443"); a path after it is ignored (request targets are absolute).
  std::string url;
  // "sha256:<64 hex digits>": the node's certificate must have exactly this fingerprint.
  std::string fingerprint;
  // Bound on each connect, TLS handshake, request, WebSocket handshake and send.
  std::chrono::milliseconds timeout{30000};
};

struct ParsedUrl {
  std::string host;  // a name, or an IP address without brackets
  uint16_t port = 443;
};

// Parses "https://host[:port][/...]" (port 443 when left out). InvalidArgument with a message
// that names the problem otherwise: another scheme, no host, a bad port, user information.
[[nodiscard]] Result<ParsedUrl> ParseHttpsUrl(std::string_view url);

// One keep-alive TLS 1.3 connection to a node, opened by Connect and opened again when the node
// has closed it. Not thread-safe: one request at a time.
class HttpClient {
 public:
  // Connects and checks the node's certificate. Unavailable if the node cannot be reached;
  // Unauthenticated if its certificate is not the pinned one; InvalidArgument for bad options.
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> Connect(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends a request (adding Host, and Content-Length for the body) and returns the node's
  // response, whatever its status: an HTTP error status is a response, not an error. `target`
  // is in origin form ("/v1/events?after=3"). A request that finds the kept-alive connection
  // closed by the node before any of the response arrived is sent again once on a new
  // connection. Unavailable if the node cannot be reached or does not answer within the timeout.
  [[nodiscard]] Result<HttpResponse> Request(std::string_view method, std::string_view target,
                                             const HeaderMap& headers, ByteView body);

  // The number of TLS connections opened so far (1 after Connect), for tests and metrics.
  size_t connections_opened() const;

  class Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A WebSocket connection to a node (RFC 6455), carrying text messages. Not thread-safe, except
// that Close may be called from any thread, also while another is blocked in Receive or Send.
//
// The client answers the node's pings only while it is inside Receive (or Send): an application
// that stops calling Receive for longer than the node's idle timeout is disconnected.
class WebSocketClient {
 public:
  // Connects, checks the node's certificate and asks for the upgrade of `target`, with `headers`
  // added to the request (e.g. a signature). If the node refuses the upgrade, the error's code
  // follows its HTTP status (401 Unauthenticated, 403 PermissionDenied, 404 NotFound, 400
  // InvalidArgument, 409 FailedPrecondition, 413 and 429 ResourceExhausted, 503 Unavailable,
  // other 5xx Internal, anything else FailedPrecondition) and its message holds the status and
  // the node's body text.
  [[nodiscard]] static Result<std::unique_ptr<WebSocketClient>> Connect(ClientOptions options,
                                                                        std::string_view target,
                                                                        const HeaderMap& headers);
  ~WebSocketClient();  // Close()s
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Sends a text message (UTF-8). Unavailable if the connection is closed or the message is
  // not written within the timeout (then the connection is closed).
  [[nodiscard]] Status Send(std::string_view text);

  // The next text message; std::nullopt when none arrived within `timeout` (the connection
  // stays usable: a later call gets the message that was on its way). Unavailable once the
  // connection is closed, by either side or by a failure; the message gives the node's close
  // code and reason when it sent one. There is no DeadlineExceeded code in base/error.h, and a
  // wait that times out is no error, hence the optional.
  [[nodiscard]] Result<std::optional<std::string>> Receive(std::chrono::milliseconds timeout);

  // Closes with a normal close frame, waiting up to the timeout for the node's answer; or, when
  // another thread is inside Receive or Send, makes that call return Unavailable and returns at
  // once. Idempotent.
  void Close();

  class Impl;

 private:
  explicit WebSocketClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace entente::net
