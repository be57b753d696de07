#include "node/service.h"

#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/file.h"
#include "crypto/keyfile.h"
#include "net/http_status.h"
#include "store/sqlite_store.h"

namespace entente::node {
namespace {

net::HttpResponse Json(const nlohmann::json& body) {
  return net::HttpResponse{200, "application/json", body.dump(2) + "\n", {}};
}

uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

net::HttpResponse NodeService::Handle(const net::HttpRequest& request) const {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  bool known = path == "/healthz" || path == "/metrics" || path == "/v1/node";
  if (!known) {
    return net::ErrorResponse(
        Error(ErrorCode::kNotFound, "no endpoint " + std::string(path) + " (see docs/api.md)"));
  }
  if (request.method != "GET" && request.method != "HEAD") {
    net::HttpResponse r = net::ErrorResponse(Error(
        ErrorCode::kInvalidArgument, request.method + " not allowed on " + std::string(path)));
    r.status = 405;
    r.headers.emplace("allow", "GET, HEAD");
    return r;
  }
  if (path == "/healthz") return net::HttpResponse{200, "text/plain; charset=utf-8", "ok\n", {}};
  if (path == "/metrics") {
    return net::HttpResponse{
        200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(gauges_()), {}};
  }
  return Json({{"partner", info_.partner},
               {"url", info_.url},
               {"node_public_key", Base64UrlEncode(info_.node_key.view())},
               {"tls_fingerprint", info_.tls_fingerprint},
               {"api_version", 1}});
}

Status RunNode(const RunOptions& options, const std::function<void(const std::string&)>& on_ready,
               std::ostream& log) {
  ENTENTE_ASSIGN_OR_RETURN(NodeInfo info, ReadNodeInfo(options.dir));
  ENTENTE_ASSIGN_OR_RETURN(Bytes key_file, ReadFile(options.dir + "/node.key"));
  auto identity = crypto::DecodeKeyFile(key_file, options.passphrase);
  if (!identity) return std::unexpected(identity.error().WithContext(options.dir + "/node.key"));
  ListenAddress listen = info.listen;
  if (options.listen) {
    ENTENTE_ASSIGN_OR_RETURN(listen,
                             ListenAddress::Parse(*options.listen, /*allow_port_zero=*/true));
  }
  std::string db_path = options.dir + "/node.db";
  ENTENTE_ASSIGN_OR_RETURN(auto store, store::SqliteStore::Open(db_path));

  ENTENTE_ASSIGN_OR_RETURN(Bytes cert, ReadFile(options.dir + "/tls.crt"));
  ENTENTE_ASSIGN_OR_RETURN(Bytes tls_key, ReadFile(options.dir + "/tls.key"));
  net::ServerOptions server_options;
  server_options.host = listen.host;
  server_options.port = listen.port;
  server_options.certificate_pem = ToString(cert);
  server_options.private_key_pem = crypto::SecretBytes(tls_key);
  std::fill(tls_key.begin(), tls_key.end(), 0);
  server_options.threads = options.threads;

  Metrics metrics;
  std::mutex log_mu;
  auto write_log = [&](const nlohmann::json& entry) {
    nlohmann::json line = entry;
    line["ts"] = FormatRfc3339(SystemClock::Instance().Now());
    std::lock_guard lock(log_mu);
    log << line.dump() << "\n" << std::flush;
  };
  // Set once the server is up; read by /metrics on I/O threads, which may already be serving.
  std::atomic<net::HttpServer*> server_ptr{nullptr};
  NodeService service(info, metrics, [&] {
    net::HttpServer* server_now = server_ptr.load();
    return Metrics::Gauges{server_now ? server_now->open_connections() : 0, 0,
                           FileSize(db_path) + FileSize(db_path + "-wal")};
  });
  auto server = net::HttpServer::Start(
      std::move(server_options), [&](const net::HttpRequest& r) { return service.Handle(r); },
      [&](const net::RequestRecord& record) {
        metrics.ObserveRequest(record.status, record.duration);
        write_log({{"level", "info"},
                   {"msg", "request"},
                   {"method", record.method},
                   {"target", record.target},
                   {"status", record.status},
                   {"us", record.duration.count()},
                   {"remote", record.remote}});
      });
  if (!server) return std::unexpected(server.error());
  server_ptr.store(server->get());
  listen.port = (*server)->port();
  std::string url = "https://" + listen.ToString();
  write_log({{"level", "info"},
             {"msg", "listening"},
             {"partner", info.partner},
             {"url", url},
             {"tls_fingerprint", info.tls_fingerprint}});
  on_ready(url);
  (*server)->WaitForShutdownSignal();
  write_log({{"level", "info"}, {"msg", "stopped"}, {"partner", info.partner}});
  return {};
}

}  // namespace entente::node
