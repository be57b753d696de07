#include "node/service.h"

#include <atomic>
#include <charconv>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/file.h"
#include "crypto/keyfile.h"
#include "net/http_status.h"
#include "node/replicator.h"
#include "space/names.h"
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

namespace {

constexpr size_t kMaxPage = 1000;

Result<WireEvent> WireEventFrom(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("header") || !json["header"].is_string()) {
    return InvalidArgument(R"(event: expected {"header": base64url, "body": base64url})");
  }
  WireEvent event;
  ENTENTE_ASSIGN_OR_RETURN(event.header, Base64UrlDecode(json["header"].get<std::string>()));
  if (json.contains("body")) {
    if (!json["body"].is_string()) return InvalidArgument("event: body must be a string");
    ENTENTE_ASSIGN_OR_RETURN(event.body, Base64UrlDecode(json["body"].get<std::string>()));
  }
  return event;
}

Result<nlohmann::json> ParseJsonBody(ByteView body) {
  auto json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded()) return InvalidArgument("the request body is not JSON");
  return json;
}

// "from=12&limit=3" -> the value of `name`, or nullopt.
std::optional<std::string> QueryParam(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<uint64_t> UintParam(std::string_view target, std::string_view name, uint64_t fallback) {
  auto text = QueryParam(target, name);
  if (!text) return fallback;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
    return InvalidArgument(std::string(name) + ": expected a non-negative integer");
  }
  return value;
}

// The space of /v1/logs/{space}?origin=O: "directory" is O's directory.
Result<ledger::SpaceId> LogSpace(const NodeCore& core, std::string_view text,
                                 const std::string& origin) {
  if (text == "directory") {
    ENTENTE_RETURN_IF_ERROR(ledger::PartnerCode::Parse(origin));
    return space::DirectorySpaceId(origin);
  }
  return core.FindSpace(text);
}

net::HttpResponse MethodNotAllowed(const std::string& method, std::string_view path,
                                   const char* allow) {
  net::HttpResponse r = net::ErrorResponse(
      Error(ErrorCode::kInvalidArgument, method + " not allowed on " + std::string(path)));
  r.status = 405;
  r.headers.emplace("allow", allow);
  return r;
}

}  // namespace

Result<MirrorBatch> MirrorBatchFromJson(const nlohmann::json& json) {
  auto has = [&](const char* key, auto is) { return json.contains(key) && is(json.at(key)); };
  if (!json.is_object() || !has("space", [](const auto& v) { return v.is_string(); }) ||
      !has("origin", [](const auto& v) { return v.is_string(); }) ||
      !has("from", [](const auto& v) { return v.is_number_unsigned(); }) ||
      !has("entries", [](const auto& v) { return v.is_array(); }) ||
      !has("checkpoint", [](const auto& v) { return v.is_string(); })) {
    return InvalidArgument(
        R"(add-entries: expected {"space", "origin", "from", "entries": [...], "checkpoint"})");
  }
  MirrorBatch batch;
  ENTENTE_ASSIGN_OR_RETURN(Bytes space, HexDecode(json.at("space").get<std::string>()));
  ENTENTE_ASSIGN_OR_RETURN(batch.log.space, ledger::SpaceId::FromBytes(space));
  batch.log.origin = json.at("origin").get<std::string>();
  batch.from = json.at("from").get<uint64_t>();
  batch.checkpoint = json.at("checkpoint").get<std::string>();
  for (const auto& item : json.at("entries")) {
    ENTENTE_ASSIGN_OR_RETURN(auto event, WireEventFrom(item));
    batch.entries.push_back(std::move(event));
  }
  return batch;
}

nlohmann::json MirrorBatchJson(const MirrorBatch& batch) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : batch.entries) {
    nlohmann::json entry = {{"header", Base64UrlEncode(e.header)}};
    if (e.body) entry["body"] = Base64UrlEncode(*e.body);
    entries.push_back(std::move(entry));
  }
  return {{"space", batch.log.space.ToHex()},
          {"origin", batch.log.origin},
          {"from", batch.from},
          {"entries", entries},
          {"checkpoint", batch.checkpoint}};
}

nlohmann::json ReceiptJson(const Receipt& receipt) {
  nlohmann::json path = nlohmann::json::array();
  for (const auto& hash : receipt.proof.path) path.push_back(Base64UrlEncode(hash));
  return {{"space", receipt.log.space.ToHex()},
          {"origin", receipt.log.origin},
          {"index", receipt.index},
          {"tree_size", receipt.proof.tree_size.value()},
          {"inclusion_proof", path},
          {"checkpoint", receipt.checkpoint}};
}

NodeService::NodeService(NodeInfo info, NodeCore& core, Fanout& fanout, Metrics& metrics,
                         const Clock& clock, GaugeSource gauges)
    : info_(std::move(info)),
      core_(core),
      fanout_(fanout),
      metrics_(metrics),
      clock_(clock),
      gauges_(std::move(gauges)),
      verifier_(
          clock, [this](std::string_view keyid) { return core_.ActiveDevice(keyid); }, nonces_),
      peer_verifier_(
          clock,
          [this](std::string_view keyid) -> std::optional<crypto::PublicKey> {
            auto key = net::ParseKeyId(keyid);
            if (!key || !core_.PeerByKey(*key)) return std::nullopt;
            return *key;
          },
          nonces_) {}

Result<Peer> NodeService::AuthenticatePeer(const net::HttpRequest& request) {
  auto host = request.headers.find("host");
  std::string uri =
      "https://" + (host != request.headers.end() ? host->second : std::string()) + request.target;
  net::IncomingRequest incoming{request.method, uri, request.headers, request.body};
  auto signer = peer_verifier_.Verify(incoming);
  if (!signer) {
    if (logger_) logger_("peer signature refused", signer.error().ToString());
    return std::unexpected(signer.error().PeerError());
  }
  auto peer = core_.PeerByKey(signer->public_key);
  if (!peer) return Unauthenticated("request signature rejected");
  return *peer;
}

net::HttpResponse NodeService::HandleTiles(const net::HttpRequest& request, std::string_view path) {
  if (request.method != "GET") return MethodNotAllowed(request.method, path, "GET");
  // /tlog/<space hex or "directory">/<origin>/<tlog-tiles path>
  std::string_view rest = path.substr(std::string_view("/tlog/").size());
  auto slash1 = rest.find('/');
  auto slash2 = slash1 == std::string_view::npos ? slash1 : rest.find('/', slash1 + 1);
  if (slash2 == std::string_view::npos) {
    return net::ErrorResponse(
        Error(ErrorCode::kNotFound, "expected /tlog/{space}/{origin}/checkpoint or .../tile/..."));
  }
  std::string origin(rest.substr(slash1 + 1, slash2 - slash1 - 1));
  auto space = LogSpace(core_, rest.substr(0, slash1), origin);
  if (!space) return net::ErrorResponse(space.error());
  store::LogKey log{*space, origin};
  std::string_view file = rest.substr(slash2 + 1);
  // A member of a partner of the space, or a pinned peer that is one.
  if (request.headers.contains("signature-input")) {
    auto device = Authenticate(request, /*log_refusal=*/false);  // a peer's is tried next
    Status may =
        device ? core_.MayFollow(*device, *space) : Status(std::unexpected(device.error()));
    if (!may) {
      auto peer = AuthenticatePeer(request);
      if (!peer) return net::ErrorResponse(may.error());
      if (auto ok = core_.PeerMayRead(peer->partner, log); !ok) {
        return net::ErrorResponse(ok.error());
      }
    }
  } else {
    return net::ErrorResponse(Error(ErrorCode::kUnauthenticated, "request signature rejected"));
  }
  if (file == "checkpoint") {
    auto note = core_.TilesCheckpoint(log);
    if (!note) return net::ErrorResponse(note.error());
    return net::HttpResponse{200, "text/plain; charset=utf-8", *note, {}};
  }
  auto data = core_.TilesFile(log, file);
  if (!data) return net::ErrorResponse(data.error());
  net::HttpResponse r{200, "application/octet-stream", ToString(*data), {}};
  if (file.find(".p/") == std::string_view::npos) {
    r.headers.emplace("cache-control", "public, max-age=31536000, immutable");
  }
  return r;
}

// POST /federation/v1/add-entries (docs/formats/federation.md).
net::HttpResponse NodeService::HandleFederation(const net::HttpRequest& request,
                                                std::string_view path) {
  constexpr std::string_view kPull = "/federation/v1/entries";
  constexpr std::string_view kCosign = "/federation/v1/cosignature";
  if (path != "/federation/v1/add-entries" && path != kPull && path != kCosign) {
    return net::ErrorResponse(
        Error(ErrorCode::kNotFound, "no endpoint " + std::string(path) + " (see docs/api.md)"));
  }
  const char* method = path == kPull ? "GET" : "POST";
  if (request.method != method) return MethodNotAllowed(request.method, path, method);
  auto peer = AuthenticatePeer(request);
  if (!peer) return net::ErrorResponse(peer.error());
  if (path == kPull) {
    // The fallback: a peer pulls a batch of one of this node's logs from the size it holds.
    auto space_hex = QueryParam(request.target, "space").value_or("");
    auto space = ledger::SpaceId::FromHex(space_hex);
    if (!space)
      return net::ErrorResponse(Error(ErrorCode::kInvalidArgument, "space: 32 hex digits"));
    auto from = UintParam(request.target, "from", 0);
    if (!from) return net::ErrorResponse(from.error());
    store::LogKey log{*space, core_.partner()};
    auto batch = core_.BatchFor(peer->partner, log, *from, 500);
    if (!batch) return net::ErrorResponse(batch.error());
    return Json(MirrorBatchJson(*batch));
  }
  auto json = ParseJsonBody(request.body);
  if (path == kCosign) {
    // A cosignature the peer made of a batch it pulled.
    if (!json) return net::ErrorResponse(json.error());
    const auto& j = *json;
    if (!j.is_object() || !j.contains("space") || !j.at("space").is_string() ||
        !j.contains("size") || !j.at("size").is_number_unsigned() || !j.contains("cosignature") ||
        !j.at("cosignature").is_string()) {
      return net::ErrorResponse(Error(ErrorCode::kInvalidArgument,
                                      R"(cosignature: expected {"space", "size", "cosignature"})"));
    }
    auto space = ledger::SpaceId::FromHex(j.at("space").get<std::string>());
    if (!space)
      return net::ErrorResponse(Error(ErrorCode::kInvalidArgument, "space: 32 hex digits"));
    auto added =
        core_.AddCosignature(peer->partner, {*space, core_.partner()}, j.at("size").get<uint64_t>(),
                             j.at("cosignature").get<std::string>());
    if (!added) return net::ErrorResponse(added.error());
    return Json({{"stored", true}});
  }
  if (!json) return net::ErrorResponse(json.error());
  auto batch = MirrorBatchFromJson(*json);
  if (!batch) return net::ErrorResponse(batch.error());
  auto outcome = core_.AcceptMirror(peer->partner, *batch);
  if (!outcome) {
    if (logger_) logger_("mirror refused", peer->partner + ": " + outcome.error().ToString());
    return net::ErrorResponse(outcome.error());
  }
  metrics_.AddEventsMirrored(
      outcome->size > batch->from && !outcome->cosignature.empty() ? batch->entries.size() : 0);
  nlohmann::json out = {{"size", outcome->size}, {"flagged", outcome->flagged}};
  if (!outcome->cosignature.empty()) out["cosignature"] = outcome->cosignature;
  return Json(out);
}

Result<crypto::PublicKey> NodeService::Authenticate(const net::HttpRequest& request,
                                                    bool log_refusal) {
  auto host = request.headers.find("host");
  std::string uri =
      "https://" + (host != request.headers.end() ? host->second : std::string()) + request.target;
  net::IncomingRequest incoming{request.method, uri, request.headers, request.body};
  auto signer = verifier_.Verify(incoming);
  if (!signer) {
    if (logger_ && log_refusal) logger_("signature refused", signer.error().ToString());
    return std::unexpected(signer.error().PeerError());
  }
  return signer->public_key;
}

net::HttpResponse NodeService::Handle(const net::HttpRequest& request) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (path == "/healthz" || path == "/metrics" || path == "/v1/node") {
    if (request.method != "GET" && request.method != "HEAD") {
      return MethodNotAllowed(request.method, path, "GET, HEAD");
    }
    if (path == "/healthz") return net::HttpResponse{200, "text/plain; charset=utf-8", "ok\n", {}};
    if (path == "/metrics") {
      return net::HttpResponse{
          200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render(gauges_()), {}};
    }
    nlohmann::json peers = nlohmann::json::array();
    for (const auto& p : core_.peers()) {
      peers.push_back(
          {{"partner", p.partner}, {"node_public_key", Base64UrlEncode(p.node_key.view())}});
    }
    return Json({{"partner", info_.partner},
                 {"url", info_.url},
                 {"node_public_key", Base64UrlEncode(info_.node_key.view())},
                 {"tls_fingerprint", info_.tls_fingerprint},
                 {"peers", peers},
                 {"api_version", 1}});
  }
  if (path.starts_with("/federation/")) return HandleFederation(request, path);
  if (path.starts_with("/tlog/")) return HandleTiles(request, path);
  if (path == "/v1/enrol") {
    if (request.method != "POST") return MethodNotAllowed(request.method, path, "POST");
    return Enrol(request);
  }
  if (path == "/v1/enrol/lookup") {
    if (request.method != "POST") return MethodNotAllowed(request.method, path, "POST");
    auto json = ParseJsonBody(request.body);
    if (!json) return net::ErrorResponse(json.error());
    if (!json->is_object() || !(*json)["token"].is_string()) {
      return net::ErrorResponse(
          Error(ErrorCode::kInvalidArgument, R"(enrol/lookup: expected {"token": string})"));
    }
    auto grant = core_.LookupToken((*json)["token"].get<std::string>());
    if (!grant) return net::ErrorResponse(grant.error());
    if (grant->kind == TokenGrant::Kind::kAdmin) return Json({{"kind", "admin"}});
    return Json({{"kind", "device"}, {"member", grant->member}});
  }
  if (!path.starts_with("/v1/")) {
    return net::ErrorResponse(
        Error(ErrorCode::kNotFound, "no endpoint " + std::string(path) + " (see docs/api.md)"));
  }
  auto device = Authenticate(request);
  if (!device) return net::ErrorResponse(device.error());
  return HandleSigned(request, path, *device);
}

net::HttpResponse NodeService::Enrol(const net::HttpRequest& request) {
  auto json = ParseJsonBody(request.body);
  if (!json) return net::ErrorResponse(json.error());
  if (!json->is_object() || !(*json)["token"].is_string() || !(*json)["events"].is_array()) {
    return net::ErrorResponse(Error(ErrorCode::kInvalidArgument,
                                    R"(enrol: expected {"token": string, "events": [...]})"));
  }
  std::vector<WireEvent> events;
  for (const auto& item : (*json)["events"]) {
    auto event = WireEventFrom(item);
    if (!event) return net::ErrorResponse(event.error());
    events.push_back(std::move(*event));
  }
  auto receipts = core_.Enrol((*json)["token"].get<std::string>(), events);
  if (!receipts) return net::ErrorResponse(receipts.error());
  metrics_.AddEventsIngested(receipts->size());
  nlohmann::json out = {{"receipts", nlohmann::json::array()}};
  for (const auto& r : *receipts) out["receipts"].push_back(ReceiptJson(r));
  return Json(out);
}

net::HttpResponse NodeService::HandleSigned(const net::HttpRequest& request, std::string_view path,
                                            const crypto::PublicKey& device) {
  if (path == "/v1/events") {
    if (request.method != "POST") return MethodNotAllowed(request.method, path, "POST");
    auto json = ParseJsonBody(request.body);
    if (!json) return net::ErrorResponse(json.error());
    auto event = WireEventFrom(*json);
    if (!event) return net::ErrorResponse(event.error());
    auto receipt = core_.Submit(device, *event);
    if (!receipt) return net::ErrorResponse(receipt.error());
    metrics_.AddEventsIngested(1);
    return Json(ReceiptJson(*receipt));
  }
  if (path == "/v1/device-tokens") {
    if (request.method != "POST") return MethodNotAllowed(request.method, path, "POST");
    auto json = ParseJsonBody(request.body);
    if (!json) return net::ErrorResponse(json.error());
    if (!json->is_object() || !(*json)["member"].is_string()) {
      return net::ErrorResponse(
          Error(ErrorCode::kInvalidArgument, R"(device-tokens: expected {"member": string})"));
    }
    auto token = core_.IssueDeviceToken(device, (*json)["member"].get<std::string>());
    if (!token) return net::ErrorResponse(token.error());
    return Json({{"token", *token}, {"member", (*json)["member"]}});
  }
  if (request.method != "GET") return MethodNotAllowed(request.method, path, "GET");
  if (path == "/v1/spaces") {
    nlohmann::json spaces = nlohmann::json::array();
    for (const auto& s : core_.Spaces(device)) {
      nlohmann::json channels = nlohmann::json::array();
      for (const auto& c : s.channels) {
        channels.push_back({{"name", c.name}, {"ceiling", c.ceiling}, {"members", c.members}});
      }
      spaces.push_back({{"id", s.id.ToHex()},
                        {"name", s.name},
                        {"partners", s.partners},
                        {"joined", s.joined},
                        {"in_force", s.joined == s.partners},
                        {"policy", s.policy_id},
                        {"size", s.size},
                        {"logs", s.logs},
                        {"channels", channels}});
    }
    return Json({{"spaces", spaces}});
  }
  if (path.starts_with("/v1/logs/")) {
    std::string_view space_text = path.substr(std::string_view("/v1/logs/").size());
    std::string origin = QueryParam(request.target, "origin").value_or(core_.partner());
    auto space = LogSpace(core_, space_text, origin);
    if (!space) return net::ErrorResponse(space.error());
    auto from = UintParam(request.target, "from", 0);
    if (!from) return net::ErrorResponse(from.error());
    auto limit = UintParam(request.target, "limit", kMaxPage);
    if (!limit) return net::ErrorResponse(limit.error());
    auto page = core_.ReadLog(device, *space, origin, *from, std::min<uint64_t>(*limit, kMaxPage));
    if (!page) return net::ErrorResponse(page.error());
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : page->entries) {
      nlohmann::json entry = {{"index", e.index}, {"header", Base64UrlEncode(e.header)}};
      if (e.body) entry["body"] = Base64UrlEncode(*e.body);
      if (!e.flagged.empty()) entry["flagged"] = e.flagged;
      entries.push_back(std::move(entry));
    }
    return Json({{"space", page->log.space.ToHex()},
                 {"origin", page->log.origin},
                 {"tree_size", page->tree_size},
                 {"checkpoint", page->checkpoint},
                 {"cosigned_checkpoint",
                  core_.CosignedCheckpoint(page->log).value_or(std::nullopt).value_or("")},
                 {"node_public_key", Base64UrlEncode(core_.node_key().view())},
                 {"entries", entries}});
  }
  if (path == "/v1/alarms") {
    nlohmann::json alarms = nlohmann::json::array();
    for (const auto& a : core_.alarms()) {
      alarms.push_back({{"space", a.log.space.ToHex()},
                        {"origin", a.log.origin},
                        {"at", FormatRfc3339(FromUnixMs(a.at_ms))},
                        {"evidence", a.evidence}});
    }
    return Json({{"alarms", alarms}, {"flagged_entries", core_.flagged_entries()}});
  }
  if (path == "/v1/notifications") {
    auto after = UintParam(request.target, "after", 0);
    if (!after) return net::ErrorResponse(after.error());
    auto limit = UintParam(request.target, "limit", kMaxPage);
    if (!limit) return net::ErrorResponse(limit.error());
    uint64_t next = *after;
    auto batch =
        core_.NotificationsFor(device, *after, std::min<uint64_t>(*limit, kMaxPage), &next);
    if (!batch) return net::ErrorResponse(batch.error());
    std::string member = core_.MemberOf(device);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& [seq, n] : *batch) items.push_back(NotificationJson(seq, n, member));
    return Json({{"notifications", items}, {"next", next}});
  }
  if (path == "/v1/me") {
    return Json({{"member", core_.MemberOf(device)},
                 {"device", space::DeviceIdOf(device)},
                 {"partner", core_.partner()}});
  }
  return net::ErrorResponse(
      Error(ErrorCode::kNotFound, "no endpoint " + std::string(path) + " (see docs/api.md)"));
}

std::variant<net::HttpResponse, net::WebSocketHandlers> NodeService::Upgrade(
    const net::HttpRequest& request, const std::shared_ptr<net::WebSocketPeer>& peer) {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  constexpr std::string_view kPrefix = "/v1/logs/";
  constexpr std::string_view kSuffix = "/stream";
  if (path == "/v1/session") {
    // A session for submitting events only: authenticated once, here.
    auto device = Authenticate(request);
    if (!device) return net::ErrorResponse(device.error());
    crypto::PublicKey key = *device;
    std::weak_ptr<net::WebSocketPeer> weak = peer;
    net::WebSocketHandlers handlers;
    handlers.on_message = [this, key, weak](std::string_view text) {
      if (auto p = weak.lock()) OnSocketMessage(key, *p, text);
    };
    handlers.on_close = [] {};
    return handlers;
  }
  if (path == "/v1/notifications/stream") {
    auto device = Authenticate(request);
    if (!device) return net::ErrorResponse(device.error());
    if (notifier_ == nullptr) {
      return net::ErrorResponse(Error(ErrorCode::kUnavailable, "notifications are not running"));
    }
    auto after = UintParam(request.target, "after", 0);
    if (!after) return net::ErrorResponse(after.error());
    uint64_t id = notifier_->Subscribe(peer, *device, *after);
    net::WebSocketHandlers handlers;
    handlers.on_message = [](std::string_view) {};  // a watcher only listens
    handlers.on_close = [this, id] { notifier_->Unsubscribe(id); };
    return handlers;
  }
  if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) {
    return net::ErrorResponse(
        Error(ErrorCode::kNotFound, "no WebSocket at " + std::string(path) + " (see docs/api.md)"));
  }
  auto device = Authenticate(request);
  if (!device) return net::ErrorResponse(device.error());
  std::string_view space_text =
      path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  std::string origin = QueryParam(request.target, "origin").value_or(core_.partner());
  auto space = LogSpace(core_, space_text, origin);
  if (!space) return net::ErrorResponse(space.error());
  auto from = UintParam(request.target, "from", 0);
  if (!from) return net::ErrorResponse(from.error());
  auto may = core_.MayFollow(*device, *space);
  if (!may) return net::ErrorResponse(may.error());
  uint64_t id = fanout_.Subscribe(peer, *device, {*space, origin}, *from);
  crypto::PublicKey key = *device;
  std::weak_ptr<net::WebSocketPeer> weak = peer;
  net::WebSocketHandlers handlers;
  handlers.on_message = [this, key, weak](std::string_view text) {
    if (auto p = weak.lock()) OnSocketMessage(key, *p, text);
  };
  handlers.on_close = [this, id] { fanout_.Unsubscribe(id); };
  return handlers;
}

// {"type":"submit","id":k,"header":..,"body":..} -> {"type":"ack","id":k,...receipt} or
// {"type":"error","id":k,"error":code,"message":..}.
void NodeService::OnSocketMessage(const crypto::PublicKey& device, net::WebSocketPeer& peer,
                                  std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  nlohmann::json id = json.is_object() && json.contains("id") ? json["id"] : nlohmann::json();
  auto fail = [&](const Error& e) {
    nlohmann::json err = {{"type", "error"},
                          {"id", id},
                          {"error", std::string(ErrorCodeName(e.code()))},
                          {"message", e.message()}};
    peer.Send(err.dump());
  };
  if (!json.is_object() || json.value("type", "") != "submit") {
    fail(Error(ErrorCode::kInvalidArgument, R"(expected {"type":"submit",...})"));
    return;
  }
  auto event = WireEventFrom(json);
  if (!event) return fail(event.error());
  auto receipt = core_.Submit(device, *event);
  if (!receipt) return fail(receipt.error());
  metrics_.AddEventsIngested(1);
  nlohmann::json ack = ReceiptJson(*receipt);
  ack["type"] = "ack";
  ack["id"] = id;
  peer.Send(ack.dump());
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

  std::mutex log_mu;
  auto write_log = [&](const nlohmann::json& entry) {
    nlohmann::json line = entry;
    line["ts"] = FormatRfc3339(SystemClock::Instance().Now());
    std::lock_guard lock(log_mu);
    log << line.dump() << "\n" << std::flush;
  };

  const Clock& clock = SystemClock::Instance();
  TokenBook tokens(options.dir + "/enrolment.json");
  NodeCore core(info.partner, std::move(identity->signing), *store, clock, tokens);
  ENTENTE_ASSIGN_OR_RETURN(auto peers, ReadPeers(options.dir));
  for (const auto& p : peers) {
    if (p.partner == info.partner) {
      return InvalidArgument(options.dir + "/peers.json: lists this node's own partner " +
                             info.partner);
    }
  }
  core.SetPeers(peers);
  core.SetForkForTesting(options.fork_for_testing);
  ENTENTE_RETURN_IF_ERROR(core.Load());
  Fanout fanout(core);
  // peers.json is read again when it changes, so `entente node peer add` needs no restart.
  std::filesystem::file_time_type peers_mtime{};
  auto reload_peers = [&, last = peers]() mutable {
    std::error_code ec;
    auto mtime = std::filesystem::last_write_time(options.dir + "/peers.json", ec);
    if (ec || mtime == peers_mtime) return last;
    peers_mtime = mtime;
    auto fresh = ReadPeers(options.dir);
    if (fresh) {
      last = *fresh;
    } else {
      write_log({{"level", "error"},
                 {"msg", "peers.json unreadable; keeping the peers loaded"},
                 {"error", fresh.error().ToString()}});
    }
    return last;
  };
  // The listener is set before the replicator's thread starts and cleared after it stops, so
  // neither races the other (the thread itself appends, when it pulls).
  std::atomic<Replicator*> replicator_ptr{nullptr};
  core.SetAppendListener([&](const store::LogKey& log_key, uint64_t size) {
    fanout.Notify(log_key, size);
    if (Replicator* r = replicator_ptr.load(); r != nullptr && log_key.origin == info.partner) {
      r->Notify();
    }
  });
  auto replicator = std::make_unique<Replicator>(
      core, reload_peers, write_log,
      Replicator::Options{options.peer_poll, std::chrono::seconds(5), 500});
  replicator_ptr.store(replicator.get());

  ENTENTE_ASSIGN_OR_RETURN(Bytes cert, ReadFile(options.dir + "/tls.crt"));
  ENTENTE_ASSIGN_OR_RETURN(Bytes tls_key, ReadFile(options.dir + "/tls.key"));
  net::ServerOptions server_options;
  server_options.host = listen.host;
  server_options.port = listen.port;
  server_options.certificate_pem = ToString(cert);
  server_options.private_key_pem = crypto::SecretBytes(tls_key);
  std::fill(tls_key.begin(), tls_key.end(), 0);
  server_options.threads = options.threads;

  Notifier notifier(
      core, options.timer_tick,
      [&](const std::string& what, const Error& error) {
        write_log({{"level", "error"}, {"msg", what}, {"error", error.ToString()}});
      },
      [&](const consult::Notification& n) {
        // Clear metadata only: what the timers did, never a consultation's sealed content.
        write_log({{"level", n.type == "escalation" || n.type == "deadline" ? "warn" : "info"},
                   {"msg", "consultation " + n.type},
                   {"consultation", n.consultation},
                   {"precedence", n.precedence},
                   {"escalation_level", n.level},
                   {"targets", n.targets},
                   {"exercise", n.exercise},
                   {"key", n.key}});
      });
  Metrics metrics;
  // Set once the server is up; read by /metrics on I/O threads, which may already be serving.
  std::atomic<net::HttpServer*> server_ptr{nullptr};
  NodeService service(info, core, fanout, metrics, clock, [&] {
    net::HttpServer* server_now = server_ptr.load();
    Metrics::Gauges g{server_now ? server_now->open_connections() : 0, fanout.subscribers(),
                      FileSize(db_path) + FileSize(db_path + "-wal")};
    g.fork_alarms = core.alarms().size();
    g.open_consultations = core.open_consultations();
    g.notifications = core.notifications_recorded();
    g.watchers = notifier.subscribers();
    g.flagged_entries = core.flagged_entries();
    for (const auto& p : replicator->status()) {
      g.peers_unreachable += p.reachable ? 0 : 1;
      g.peer_lag_entries += p.lag;
    }
    return g;
  });
  service.SetNotifier(&notifier);
  service.SetLogger([&](const std::string& what, const std::string& detail) {
    write_log({{"level", "warn"}, {"msg", what}, {"detail", detail}});
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
      },
      [&](const net::HttpRequest& r, std::shared_ptr<net::WebSocketPeer> peer) {
        return service.Upgrade(r, std::move(peer));
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
  server->reset();  // every connection closed before the fan-out and the core go away
  replicator_ptr.store(nullptr);
  replicator.reset();
  core.SetAppendListener(nullptr);
  if (auto flushed = core.FlushMirrorCheckpoints(); !flushed) {
    write_log({{"level", "error"},
               {"msg", "could not store mirror checkpoints"},
               {"error", flushed.error().ToString()}});
  }
  write_log({{"level", "info"},
             {"msg", "stopped"},
             {"partner", info.partner},
             {"events_ingested", core.events_ingested()}});
  return {};
}

}  // namespace entente::node
