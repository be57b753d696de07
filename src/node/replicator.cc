#include "node/replicator.h"

#include "net/http_status.h"
#include "node/service.h"

namespace entente::node {

Replicator::Replicator(NodeCore& core, std::function<std::vector<Peer>()> reload_peers, Logger log,
                       Options options)
    : core_(core),
      reload_peers_(std::move(reload_peers)),
      log_(std::move(log)),
      options_(options),
      thread_([this] { Run(); }) {}

Replicator::~Replicator() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Replicator::Notify() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  wake_.notify_all();
}

std::vector<Replicator::PeerStatus> Replicator::status() const {
  std::lock_guard lock(mu_);
  std::vector<PeerStatus> out;
  for (const auto& [partner, link] : links_) {
    out.push_back({partner, link.reachable, link.last_error, link.lag});
  }
  return out;
}

void Replicator::Run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, options_.poll, [&] { return dirty_ || stop_; });
      if (stop_) return;
      dirty_ = false;
    }
    if (auto flushed = core_.FlushMirrorCheckpoints(); !flushed) {
      log_({{"level", "error"},
            {"msg", "could not store mirror checkpoints"},
            {"error", flushed.error().ToString()}});
    }
    auto peers = reload_peers_();
    core_.SetPeers(peers);
    for (const auto& peer : peers) {
      Link* link = nullptr;
      {
        std::lock_guard lock(mu_);
        link = &links_[peer.partner];
      }
      auto synced = SyncPeer(peer, *link);
      std::lock_guard lock(mu_);
      if (synced) {
        if (link->reported_down) {
          log_({{"level", "info"}, {"msg", "peer reachable again"}, {"peer", peer.partner}});
        }
        link->reachable = true;
        link->reported_down = false;
        link->last_error.clear();
      } else {
        link->reachable = false;
        link->last_error = synced.error().ToString();
        link->http.reset();  // reconnect next pass
        if (!link->reported_down) {
          log_({{"level", "warn"},
                {"msg", "peer sync failed; retrying every poll"},
                {"peer", peer.partner},
                {"error", link->last_error}});
          link->reported_down = true;
        }
      }
      if (stop_) return;
    }
  }
}

Status Replicator::SyncPeer(const Peer& peer, Link& link) {
  if (!link.http) {
    ENTENTE_ASSIGN_OR_RETURN(
        link.http, net::HttpClient::Connect({peer.url, peer.fingerprint, options_.timeout}));
  }
  auto logs = core_.LogsSharedWith(peer.partner);
  // Space logs' sizes before the directory's: the directory sent covers every author and
  // device that the space entries sent depend on.
  std::vector<uint64_t> sizes(logs.size(), 0);
  for (size_t i = logs.size(); i-- > 0;) {
    ENTENTE_ASSIGN_OR_RETURN(sizes[i], core_.LogSize(logs[i]));
  }
  // A log the peer refuses (one it holds in alarm) does not hold up the others; a connection
  // failure ends the pass.
  uint64_t lag = 0;
  Status first_error;
  for (size_t i = 0; i < logs.size(); ++i) {
    auto synced = SyncLog(peer, link, logs[i], sizes[i]);
    lag += sizes[i] - std::min(sizes[i], link.cosigned[logs[i]]);
    if (!synced) {
      if (synced.error().code() == ErrorCode::kUnavailable) return synced;
      if (first_error) first_error = synced;
    }
  }
  {
    std::lock_guard lock(mu_);
    link.lag = lag;
  }
  if (auto pulled = PullFrom(peer, link); !pulled) {
    if (pulled.error().code() == ErrorCode::kUnavailable) return pulled;
    if (first_error) first_error = pulled;
  }
  return first_error;
}

Status Replicator::SyncLog(const Peer& peer, Link& link, const store::LogKey& log, uint64_t size) {
  constexpr int kMaxRounds = 200;  // batches a pass, so one log cannot hold up the others
  for (int round = 0; round < kMaxRounds; ++round) {
    auto held = link.held.find(log);
    if (held != link.held.end() && link.cosigned[log] >= size && held->second >= size) return {};
    // Unknown: ask with an empty batch at `size`; the peer cosigns it or says what it holds.
    uint64_t from = held == link.held.end() ? size : std::min(held->second, size);
    ENTENTE_ASSIGN_OR_RETURN(
        auto batch,
        core_.BatchFor(peer.partner, log, from, std::min<uint64_t>(options_.batch, size - from)));
    ENTENTE_ASSIGN_OR_RETURN(auto response, Call(peer, link, "POST", "/federation/v1/add-entries",
                                                 MirrorBatchJson(batch).dump()));
    if (response.status != 200) {
      auto error = net::ErrorFromResponse(response.status, response.body);
      return std::unexpected(error.WithContext("peer " + peer.partner + " refused " +
                                               log.space.ToHex() + "/" + log.origin));
    }
    auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (!json.is_object() || !json["size"].is_number_unsigned()) {
      return DataLoss("peer " + peer.partner + ": malformed add-entries response");
    }
    uint64_t end = batch.from + batch.entries.size();
    link.held[log] = json["size"].get<uint64_t>();
    if (json.contains("cosignature") && json["cosignature"].is_string()) {
      ENTENTE_RETURN_IF_ERROR(
          core_.AddCosignature(peer.partner, log, end, json["cosignature"].get<std::string>()));
      link.cosigned[log] = std::max(link.cosigned[log], end);
    }
  }
  return {};  // a long catch-up: the next pass goes on from where this one stopped
}

Result<net::HttpResponse> Replicator::Call(const Peer& peer, Link& link, std::string_view method,
                                           const std::string& target, const std::string& body) {
  ENTENTE_ASSIGN_OR_RETURN(auto signed_headers,
                           core_.SignPeerRequest({method, peer.url + target, AsBytes(body)}));
  net::HeaderMap headers;
  signed_headers.AddTo(headers);
  if (!body.empty()) headers.emplace("content-type", "application/json");
  return link.http->Request(method, target, headers, AsBytes(body));
}

Status Replicator::PullFrom(const Peer& peer, Link& link) {
  for (const auto& log : core_.LogsOf(peer.partner)) {
    for (int round = 0; round < 100; ++round) {
      uint64_t held = core_.LogSize(log).value_or(0);
      ENTENTE_ASSIGN_OR_RETURN(auto response,
                               Call(peer, link, "GET",
                                    "/federation/v1/entries?space=" + log.space.ToHex() +
                                        "&from=" + std::to_string(held),
                                    ""));
      if (response.status == 403 || response.status == 404) break;  // not shared (yet)
      if (response.status != 200) {
        return std::unexpected(net::ErrorFromResponse(response.status, response.body)
                                   .WithContext("pull from " + peer.partner));
      }
      auto json = nlohmann::json::parse(response.body, nullptr, false);
      ENTENTE_ASSIGN_OR_RETURN(auto batch, MirrorBatchFromJson(json));
      if (batch.log != log) return DataLoss("pull from " + peer.partner + ": another log sent");
      if (batch.entries.empty()) break;  // nothing new (consistency is checked on each push)
      auto outcome = core_.AcceptMirror(peer.partner, batch);
      if (!outcome) break;  // refused (a log in alarm, say): the other logs still get pulled
      if (!outcome->cosignature.empty()) {
        nlohmann::json cosig = {{"space", log.space.ToHex()},
                                {"size", batch.from + batch.entries.size()},
                                {"cosignature", outcome->cosignature}};
        ENTENTE_ASSIGN_OR_RETURN(
            auto stored, Call(peer, link, "POST", "/federation/v1/cosignature", cosig.dump()));
        (void)stored;  // a refusal here only delays the cosignature to the peer's next push
      }
    }
  }
  return {};
}

}  // namespace entente::node
