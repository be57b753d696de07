#include "net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <mutex>
#include <nlohmann/json.hpp>

#include "crypto/tls_cert.h"
#include "net/http_status.h"

namespace entente::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// A node's answers are bounded too: an export is the largest, far below this.
constexpr uint64_t kMaxResponseBody = uint64_t{1} << 30;
constexpr size_t kMaxBodyTextInError = 300;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);  // NOLINT(bugprone-unused-return-value): only ec matters
  return !ec;
}

// "host:port" as in a Host header and in messages, IPv6 in brackets (RFC 3986 §3.2.2).
std::string Authority(const ParsedUrl& node) {
  bool v6 = node.host.find(':') != std::string::npos;
  return (v6 ? "[" + node.host + "]" : node.host) + ":" + std::to_string(node.port);
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Why an operation failed, in a few words.
std::string Describe(const error_code& ec, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) return "timed out after " + Millis(timeout);
  return ec.message();
}

// "sha256:<64 hex digits>", lower-cased; InvalidArgument otherwise.
Result<std::string> NormalizeFingerprint(std::string_view fingerprint) {
  std::string lower = Lower(fingerprint);
  constexpr std::string_view kPrefix = "sha256:";
  bool ok = lower.size() == kPrefix.size() + 64 && lower.starts_with(kPrefix);
  for (size_t i = kPrefix.size(); ok && i < lower.size(); ++i) {
    ok = std::isxdigit(static_cast<unsigned char>(lower[i])) != 0;
  }
  if (!ok) {
    return InvalidArgument("fingerprint \"" + std::string(fingerprint) +
                           "\": expected sha256: and 64 hex digits (the node's tls_fingerprint)");
  }
  return lower;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Runs `io` until `done` or until it has nothing left to do.
void RunUntilDone(asio::io_context& io, const bool& done) {
  if (io.stopped()) io.restart();
  while (!done && io.run_one() != 0) {
  }
}

// Runs `io` until `done()` or `deadline`; returns `done()`.
template <class Done>
bool RunUntil(asio::io_context& io, Done done, Clock::time_point deadline) {
  while (!done()) {
    if (io.stopped()) io.restart();
    if (io.run_one_until(deadline) == 0 && Clock::now() >= deadline) break;
  }
  return done();
}
bool RunUntil(asio::io_context& io, const bool& done, Clock::time_point deadline) {
  return RunUntil(
      io, [&] { return done; }, deadline);
}

std::unique_ptr<ssl::context> MakeTlsContext() {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_3_VERSION);
  // No certificate authority is trusted; the pin is checked after the handshake, before any
  // request is sent (CheckPinned). TLS 1.3 still makes the node prove it holds the key.
  tls->set_verify_mode(ssl::verify_none);
  return tls;
}

// Unauthenticated unless the node's certificate has the fingerprint `pinned`.
Status CheckPinned(SSL* ssl, const std::string& pinned) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return Unauthenticated("tls: the node presented no certificate");
  unsigned char* der = nullptr;
  int size = i2d_X509(cert, &der);
  X509_free(cert);
  if (size <= 0) return Unauthenticated("tls: the node's certificate does not encode");
  auto fingerprint = crypto::CertificateFingerprintDer(ByteView(der, static_cast<size_t>(size)));
  OPENSSL_free(der);
  ENTENTE_RETURN_IF_ERROR(fingerprint);
  if (*fingerprint != pinned) {
    return Unauthenticated("tls: the node's certificate is " + *fingerprint + ", not the pinned " +
                           pinned);
  }
  return {};
}

// Connects `stream` to `node`, completes the TLS 1.3 handshake (with SNI for a name) and checks
// the pin. Each step is bounded by `timeout`.
Status OpenTls(asio::io_context& io, TlsStream& stream, const ParsedUrl& node,
               const std::string& pinned, std::chrono::milliseconds timeout) {
  std::string where = Authority(node);
  auto& lowest = beast::get_lowest_layer(stream);
  error_code ec;
  std::vector<tcp::endpoint> endpoints;
  auto address = asio::ip::make_address(node.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, node.port);
  } else {
    tcp::resolver resolver(io);
    bool resolved = false;
    resolver.async_resolve(node.host, std::to_string(node.port),
                           [&](const error_code& e, const tcp::resolver::results_type& results) {
                             ec = e;
                             for (const auto& entry : results)
                               endpoints.push_back(entry.endpoint());
                             resolved = true;
                           });
    if (!RunUntil(io, resolved, Clock::now() + timeout)) {
      resolver.cancel();
      RunUntilDone(io, resolved);
      return Unavailable("cannot resolve " + node.host + ": timed out after " + Millis(timeout));
    }
    if (ec) return Unavailable("cannot resolve " + node.host + ": " + ec.message());
  }

  bool done = false;
  lowest.expires_after(timeout);
  lowest.async_connect(endpoints, [&](const error_code& e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  RunUntilDone(io, done);
  if (ec) return Unavailable("cannot connect to " + where + ": " + Describe(ec, timeout));
  // Small request/response messages must not wait for Nagle + delayed ACK (40 ms).
  error_code nodelay_ec;
  lowest.socket().set_option(tcp::no_delay(true),
                             nodelay_ec);  // NOLINT(bugprone-unused-return-value)

  if (!IsIpAddress(node.host)) {
    SSL_set_tlsext_host_name(stream.native_handle(), node.host.c_str());  // RFC 6066 §3
  }
  done = false;
  lowest.expires_after(timeout);
  stream.async_handshake(ssl::stream_base::client, [&](const error_code& e) {
    ec = e;
    done = true;
  });
  RunUntilDone(io, done);
  if (ec) return Unavailable("tls handshake with " + where + ": " + Describe(ec, timeout));
  Status pinned_ok = CheckPinned(stream.native_handle(), pinned);
  if (!pinned_ok) {
    lowest.close();
    return pinned_ok;
  }
  lowest.expires_never();
  return {};
}

struct Target {
  ParsedUrl node;
  std::string fingerprint;  // normalized
};

Result<Target> CheckOptions(const ClientOptions& options) {
  ENTENTE_ASSIGN_OR_RETURN(ParsedUrl node, ParseHttpsUrl(options.url));
  ENTENTE_ASSIGN_OR_RETURN(std::string fingerprint, NormalizeFingerprint(options.fingerprint));
  if (options.timeout <= std::chrono::milliseconds::zero()) {
    return InvalidArgument("timeout: must be positive");
  }
  return Target{std::move(node), std::move(fingerprint)};
}

// The text of an error body on one line: the "message" of a JSON error body (ErrorResponse), or
// the body itself, trimmed and cut short.
std::string BodyText(const std::string& body) {
  std::string text = body;
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("message") && json["message"].is_string()) {
    text = json["message"].get<std::string>();
  }
  for (char& c : text) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  size_t begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  text = text.substr(begin, text.find_last_not_of(' ') - begin + 1);
  if (text.size() > kMaxBodyTextInError) text = text.substr(0, kMaxBodyTextInError) + "...";
  return text;
}

}  // namespace

Result<ParsedUrl> ParseHttpsUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("url \"" + std::string(url) + "\": " + why);
  };
  std::string lower = Lower(url.substr(0, 8));
  if (lower.starts_with("http://")) return bad("only https:// is supported (nodes speak TLS only)");
  if (lower != "https://") return bad("expected https://host:port");
  std::string_view rest = url.substr(8);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return bad("user information is not supported");
  }
  ParsedUrl out;
  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed [ in the host");
    out.host = std::string(authority.substr(1, close - 1));
    error_code ec;
    asio::ip::make_address_v6(out.host, ec);  // NOLINT(bugprone-unused-return-value): ec only
    if (ec) return bad("\"" + out.host + "\" is not an IPv6 address");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("expected :port after ]");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos &&
        authority.find(':', colon + 1) != std::string_view::npos) {
      return bad("an IPv6 address goes in brackets: https://[::1]:8443");
    }
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    for (char c : out.host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
        return bad("the host \"" + out.host + "\" has a character that is not allowed");
      }
    }
  }
  if (out.host.empty()) return bad("no host");
  if (has_port) {
    unsigned port = 0;
    bool ok = !port_text.empty() && port_text.size() <= 5;
    for (char c : port_text) {
      if (!ok) break;
      ok = c >= '0' && c <= '9';
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (!ok || port == 0 || port > 65535) {
      return bad("the port \"" + std::string(port_text) + "\" is not a number from 1 to 65535");
    }
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HttpClient

class HttpClient::Impl {
 public:
  Impl(ClientOptions options, Target target)
      : options_(std::move(options)),
        target_(std::move(target)),
        host_(Authority(target_.node)),
        tls_(MakeTlsContext()) {}

  Status Open() {
    stream_.reset();
    buffer_.clear();
    auto stream = std::make_unique<TlsStream>(io_, *tls_);
    ENTENTE_RETURN_IF_ERROR(
        OpenTls(io_, *stream, target_.node, target_.fingerprint, options_.timeout));
    stream_ = std::move(stream);
    ++opened_;
    return {};
  }

  Result<HttpResponse> Request(std::string_view method, std::string_view target,
                               const HeaderMap& headers, ByteView body) {
    if (method.empty() || HasLineBreak(method) || method.find(' ') != std::string_view::npos) {
      return InvalidArgument("request: bad method \"" + std::string(method) + "\"");
    }
    if (!target.starts_with('/') || HasLineBreak(target) ||
        target.find(' ') != std::string_view::npos) {
      return InvalidArgument("request: the target \"" + std::string(target) +
                             "\" must be a path starting with /");
    }
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    bool has_host = false;
    for (const auto& [name, value] : headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        return InvalidArgument("request: header \"" + name + "\" has a line break or no name");
      }
      has_host = has_host || Lower(name) == "host";
      req.insert(name, value);
    }
    if (!has_host) req.set(http::field::host, host_);
    req.set(http::field::user_agent, "entente");
    req.body() = ToString(body);
    req.prepare_payload();
    req.keep_alive(true);

    bool fresh = false;
    if (!stream_) {
      ENTENTE_RETURN_IF_ERROR(Open());
      fresh = true;
    }
    bool got_response = false;
    auto result = Exchange(req, got_response);
    if (!result && !fresh && !got_response && !timed_out_) {
      // The kept-alive connection was closed by the node (idle timeout, restart) before it read
      // the request: nothing of it was processed, so it is safe to send it again.
      ENTENTE_RETURN_IF_ERROR(Open());
      result = Exchange(req, got_response);
    }
    return result;
  }

  size_t opened() const { return opened_; }

 private:
  // Writes `req` and reads the response on the open stream. On failure the stream is dropped;
  // `got_response` says whether any of the response had arrived.
  Result<HttpResponse> Exchange(http::request<http::string_body>& req, bool& got_response) {
    timed_out_ = false;
    auto& lowest = beast::get_lowest_layer(*stream_);
    error_code ec;
    bool done = false;
    lowest.expires_after(options_.timeout);
    http::async_write(*stream_, req, [&](const error_code& e, size_t) {
      ec = e;
      done = true;
    });
    RunUntilDone(io_, done);
    http::response_parser<http::string_body> parser;
    if (!ec) {
      parser.body_limit(kMaxResponseBody);
      done = false;
      lowest.expires_after(options_.timeout);
      http::async_read(*stream_, buffer_, parser, [&](const error_code& e, size_t) {
        ec = e;
        done = true;
      });
      RunUntilDone(io_, done);
    }
    got_response = parser.got_some();
    if (ec) {
      timed_out_ = ec == beast::error::timeout;
      stream_.reset();
      return Unavailable(std::string(req.method_string()) + " " + std::string(req.target()) +
                         " on " + host_ + ": " + Describe(ec, options_.timeout));
    }
    lowest.expires_never();
    auto& res = parser.get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    for (const auto& field : res) {
      out.headers.emplace(Lower(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream_.reset();  // the node closes it; the next request reconnects
    return out;
  }

  const ClientOptions options_;
  const Target target_;
  const std::string host_;  // the Host header
  asio::io_context io_;
  std::unique_ptr<ssl::context> tls_;
  std::unique_ptr<TlsStream> stream_;  // null when closed
  beast::flat_buffer buffer_;
  size_t opened_ = 0;
  bool timed_out_ = false;  // the last Exchange failed by timeout
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Connect(ClientOptions options) {
  ENTENTE_ASSIGN_OR_RETURN(Target target, CheckOptions(options));
  try {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(target));
    ENTENTE_RETURN_IF_ERROR(impl->Open());
    return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
  } catch (const std::exception& e) {
    return Unavailable(std::string("https client: ") + e.what());
  }
}

Result<HttpResponse> HttpClient::Request(std::string_view method, std::string_view target,
                                         const HeaderMap& headers, ByteView body) {
  try {
    return impl_->Request(method, target, headers, body);
  } catch (const std::exception& e) {
    return Unavailable(std::string("https client: ") + e.what());
  }
}

size_t HttpClient::connections_opened() const { return impl_->opened(); }

// ---------------------------------------------------------------------------------------------
// WebSocketClient
//
// One io_context per client, run only by the thread inside a call (holding io_mu_). A single
// async_read stays outstanding across Receive calls: a Receive that times out leaves it pending,
// so no frame is ever cut in the middle, and the next Receive waits on the same read.

class WebSocketClient::Impl {
 public:
  Impl(ClientOptions options, Target target)
      : options_(std::move(options)),
        target_(std::move(target)),
        tls_(MakeTlsContext()),
        ws_(io_, *tls_) {}

  ~Impl() {
    std::lock_guard lock(io_mu_);  // no other thread may be inside a call now
    if (!close_requested_.exchange(true)) StartClose();
    FinishClose();
  }

  Status Open(std::string_view target, const HeaderMap& headers) {
    for (const auto& [name, value] : headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        return InvalidArgument("websocket: header \"" + name + "\" has a line break or no name");
      }
    }
    if (!target.starts_with('/') || HasLineBreak(target) ||
        target.find(' ') != std::string_view::npos) {
      return InvalidArgument("websocket: the target \"" + std::string(target) +
                             "\" must be a path starting with /");
    }
    std::lock_guard lock(io_mu_);
    std::string where = Authority(target_.node);
    ENTENTE_RETURN_IF_ERROR(
        OpenTls(io_, ws_.next_layer(), target_.node, target_.fingerprint, options_.timeout));
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      req.set(http::field::user_agent, "entente");
      for (const auto& [name, value] : headers) req.insert(name, value);
    }));
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = options_.timeout;           // also bounds the closing handshake
    timeout.idle_timeout = websocket::stream_base::none();  // the node pings and judges
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);

    websocket::response_type res;
    error_code ec;
    bool done = false;
    ws_.async_handshake(res, where, target, [&](const error_code& e) {
      ec = e;
      done = true;
    });
    RunUntilDone(io_, done);
    if (ec == websocket::error::upgrade_declined) {
      std::string text = BodyText(res.body());
      return MakeError(ErrorCodeForStatus(res.result_int()),
                       "cannot open a WebSocket at " + std::string(target) + " on " + where + ": " +
                           std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                           (text.empty() ? "" : ": " + text));
    }
    if (ec) {
      return Unavailable("websocket handshake for " + std::string(target) + " on " + where + ": " +
                         Describe(ec, options_.timeout));
    }
    return {};
  }

  Status Send(std::string_view text) {
    std::lock_guard lock(io_mu_);
    if (failed_) return std::unexpected(*failed_);
    error_code ec;
    bool done = false;
    ws_.text(true);
    ws_.async_write(asio::buffer(text.data(), text.size()), [&](const error_code& e, size_t) {
      ec = e;
      done = true;
    });
    if (!RunUntil(io_, done, Clock::now() + options_.timeout)) {
      // The node does not read: give up on the connection. The handler refers to this frame,
      // so wait for it; closing the socket makes it complete at once.
      beast::get_lowest_layer(ws_).close();
      RunUntilDone(io_, done);
      failed_ = Error(ErrorCode::kUnavailable,
                      "websocket: sending timed out after " + Millis(options_.timeout));
      return std::unexpected(*failed_);
    }
    if (ec) {
      if (!failed_) failed_ = Error(ErrorCode::kUnavailable, "websocket: " + ec.message());
      return std::unexpected(*failed_);
    }
    return {};
  }

  Result<std::optional<std::string>> Receive(std::chrono::milliseconds timeout) {
    std::lock_guard lock(io_mu_);
    if (failed_) return std::unexpected(*failed_);
    if (!read_pending_) StartRead();
    auto deadline = Clock::now() + std::max(timeout, std::chrono::milliseconds::zero());
    if (!RunUntil(
            io_, [&] { return !read_pending_; }, deadline)) {
      return std::optional<std::string>();  // the read stays outstanding for the next call
    }
    if (read_ec_) {
      failed_ = Error(ErrorCode::kUnavailable, DescribeEnd(read_ec_));
      return std::unexpected(*failed_);
    }
    std::string message = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return std::optional<std::string>(std::move(message));
  }

  void Close() {
    if (close_requested_.exchange(true)) return;
    asio::post(io_, [this] { StartClose(); });
    std::unique_lock lock(io_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;  // the thread inside Receive or Send runs the close
    FinishClose();
  }

 private:
  void StartRead() {
    read_pending_ = true;
    ws_.async_read(buffer_, [this](const error_code& ec, size_t) {
      read_ec_ = ec;
      read_pending_ = false;
    });
  }

  void StartClose() {
    close_started_ = true;
    ws_.async_close(websocket::close_code::normal,
                    [this](const error_code&) { close_done_ = true; });
  }

  // With io_mu_ held: waits for the closing handshake (up to the timeout), then closes the
  // socket and waits for our outstanding handlers, since they refer to this object.
  void FinishClose() {
    auto deadline = Clock::now() + options_.timeout;
    RunUntil(io_, close_started_, deadline);  // runs the StartClose that Close() posted
    if (close_started_) RunUntil(io_, close_done_, deadline);
    beast::get_lowest_layer(ws_).close();
    // With the socket closed, the operations complete at once; the bound is only a safeguard.
    RunUntil(
        io_, [&] { return !read_pending_ && (close_done_ || !close_started_); },
        Clock::now() + std::chrono::seconds(5));
    if (!failed_) failed_ = Error(ErrorCode::kUnavailable, "websocket: the connection is closed");
  }

  std::string DescribeEnd(const error_code& ec) const {
    if (ec == websocket::error::closed) {
      const auto& reason = ws_.reason();
      std::string out = "websocket: the connection was closed by " +
                        std::string(close_requested_ ? "the client" : "the node");
      out += " (code " + std::to_string(reason.code);
      if (!reason.reason.empty()) {
        out += ": " + std::string(reason.reason.data(), reason.reason.size());
      }
      return out + ")";
    }
    return "websocket: the connection failed: " + ec.message();
  }

  const ClientOptions options_;
  const Target target_;
  std::atomic<bool> close_requested_{false};
  std::mutex io_mu_;  // held by the thread running io_, i.e. inside a call
  // The rest is used with io_mu_ held.
  asio::io_context io_;
  std::unique_ptr<ssl::context> tls_;
  websocket::stream<TlsStream> ws_;
  beast::flat_buffer buffer_;  // the message being read
  bool read_pending_ = false;
  error_code read_ec_;
  bool close_started_ = false;
  bool close_done_ = false;
  std::optional<Error> failed_;  // once set, every call fails with it
};

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebSocketClient::~WebSocketClient() = default;

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::Connect(ClientOptions options,
                                                                  std::string_view target,
                                                                  const HeaderMap& headers) {
  ENTENTE_ASSIGN_OR_RETURN(Target checked, CheckOptions(options));
  try {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(checked));
    ENTENTE_RETURN_IF_ERROR(impl->Open(target, headers));
    return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
  } catch (const std::exception& e) {
    return Unavailable(std::string("websocket client: ") + e.what());
  }
}

Status WebSocketClient::Send(std::string_view text) {
  try {
    return impl_->Send(text);
  } catch (const std::exception& e) {
    return Unavailable(std::string("websocket client: ") + e.what());
  }
}

Result<std::optional<std::string>> WebSocketClient::Receive(std::chrono::milliseconds timeout) {
  try {
    return impl_->Receive(timeout);
  } catch (const std::exception& e) {
    return Unavailable(std::string("websocket client: ") + e.what());
  }
}

void WebSocketClient::Close() {
  try {
    impl_->Close();
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
    // Closing regardless: the connection is unusable either way.
  }
}

}  // namespace entente::net
