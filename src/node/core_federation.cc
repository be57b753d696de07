// NodeCore's federation (docs/formats/federation.md): what this node sends its peers to mirror,
// how it mirrors and witnesses theirs, cosignatures, flags and fork alarms.
#include <algorithm>
#include <set>
#include <variant>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "ledger/envelope.h"
#include "ledger/kinds.h"
#include "ledger/note.h"
#include "ledger/tiles.h"
#include "node/core.h"
#include "space/names.h"
#include "store/checkpointer.h"
#include "store/tiled_log.h"

namespace entente::node {
namespace {

using namespace ledger::kind;  // NOLINT(google-build-using-namespace)

constexpr size_t kMaxBatch = 1000;
constexpr size_t kMaxBatchBytes = 16 * 1024 * 1024;

bool IsDirectoryLog(const store::LogKey& log) {
  return space::DirectorySpaceId(log.origin) == log.space;
}

std::string LogName(const store::LogKey& log) { return log.space.ToHex() + "/" + log.origin; }

}  // namespace

void NodeCore::SetPeers(std::vector<Peer> peers) {
  std::lock_guard lock(peers_mu_);
  peers_ = std::move(peers);
}

std::vector<Peer> NodeCore::peers() const {
  std::lock_guard lock(peers_mu_);
  return peers_;
}

std::optional<Peer> NodeCore::PeerByKey(const crypto::PublicKey& key) const {
  std::lock_guard lock(peers_mu_);
  for (const auto& p : peers_) {
    if (p.node_key == key) return p;
  }
  return std::nullopt;
}

Result<net::SignedHeaders> NodeCore::SignPeerRequest(const net::OutgoingRequest& request) {
  return net::SignRequest(request, node_key_, clock_);
}

std::vector<store::LogKey> NodeCore::LogsSharedWith(const std::string& peer) const {
  std::vector<store::LogKey> out{{directory_id_, partner_}};  // the directory first
  auto logs = store_.Logs();
  if (!logs) return out;
  std::shared_lock lock(state_mu_);
  for (const auto& [log, role] : *logs) {
    if (role != store::LogRole::kOwn || log.origin != partner_ || IsDirectory(log.space)) continue;
    auto it = spaces_.find(log.space);
    if (it != spaces_.end() && it->second->HasPartner(peer)) out.push_back(log);
  }
  return out;
}

std::vector<store::LogKey> NodeCore::LogsOf(const std::string& peer) const {
  std::vector<store::LogKey> out{{space::DirectorySpaceId(peer), peer}};
  std::shared_lock lock(state_mu_);
  for (const auto& [id, state] : spaces_) {
    if (state->HasPartner(peer) && state->HasPartner(partner_)) out.push_back({id, peer});
  }
  return out;
}

std::vector<std::string> NodeCore::Witnesses(const store::LogKey& log) const {
  std::vector<std::string> out;
  if (IsDirectoryLog(log)) {
    std::lock_guard lock(peers_mu_);
    for (const auto& p : peers_) {
      if (p.partner != log.origin) out.push_back(p.partner);
    }
    if (log.origin != partner_) out.push_back(partner_);
  } else {
    std::shared_lock lock(state_mu_);
    auto it = spaces_.find(log.space);
    if (it != spaces_.end()) {
      for (const auto& p : it->second->partners()) {
        if (p != log.origin) out.push_back(p);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool NodeCore::ReleasedTo(const std::string& peer, const ledger::EventHeader& header,
                          const std::optional<Bytes>& body) const {
  if (IsDirectoryLog({header.space_id, header.origin})) return true;
  const auto* kind = ledger::FindKind(header.kind);
  if (kind == nullptr) return false;
  if (!body) return false;
  if (consult::IsConsultKind(header.kind)) {
    std::shared_lock lock(state_mu_);
    return ConsultationIncludes(header, peer);
  }
  // Everything but messages is structure every partner needs to check later events (its clear
  // metadata; an envelope stays sealed to the channel's members).
  if (!kind->has_envelope || header.kind != kMessagePost) return true;
  // Released only if sealed to a device of the peer's members: the label admitted them.
  auto decoded = ledger::DecodeBody(*body);
  if (!decoded) return false;
  auto envelope = ledger::DecodeEnvelope(decoded->envelope);
  if (!envelope) return false;
  std::shared_lock lock(state_mu_);
  for (const auto& key : envelope->RecipientKeys()) {
    for (const auto& [id, device] : directory_.devices()) {
      if (device.encryption && device.encryption->key == key) {
        const space::Member* member = directory_.FindMember(device.member);
        if (member != nullptr && member->partner == peer) return true;
      }
    }
  }
  return false;
}

Result<std::string> NodeCore::SignedCheckpointAt(const store::LogKey& log, uint64_t size) const {
  ledger::Checkpoint checkpoint;
  ENTENTE_ASSIGN_OR_RETURN(checkpoint.origin, ledger::EntenteOrigin(log.space.view(), log.origin));
  checkpoint.size = ledger::TreeSize(size);
  ENTENTE_ASSIGN_OR_RETURN(checkpoint.root, store_.RootHash(log, size));
  if (fork_for_testing_) checkpoint.root = crypto::Sha256(checkpoint.root);
  return ledger::SignCheckpoint(checkpoint, node_key_);
}

Result<MirrorBatch> NodeCore::BatchFor(const std::string& peer, const store::LogKey& log,
                                       uint64_t from, size_t limit) {
  if (log.origin != partner_) return PermissionDenied("only own logs are sent to peers");
  if (!IsDirectory(log.space)) {
    std::shared_lock lock(state_mu_);
    auto it = spaces_.find(log.space);
    if (it == spaces_.end() || !it->second->HasPartner(peer)) {
      return PermissionDenied(peer + " is not a partner of space " + log.space.ToHex());
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(uint64_t size, store_.TreeSize(log));
  if (from > size) return InvalidArgument("batch: from is beyond the log");
  uint64_t end = std::min<uint64_t>(size, from + std::min(limit, kMaxBatch));
  MirrorBatch batch{log, from, {}, ""};
  if (end > from) {
    ENTENTE_ASSIGN_OR_RETURN(auto leaves, store_.Leaves(log, from, end));
    size_t bytes = 0;
    for (uint64_t i = from; i < end; ++i) {
      WireEvent e{std::move(leaves[i - from]), std::nullopt};
      ENTENTE_ASSIGN_OR_RETURN(auto body, store_.Body(log, i));
      auto header = ledger::DecodeHeader(e.header);
      if (header && ReleasedTo(peer, *header, body)) e.body = std::move(body);
      bytes += e.header.size() + (e.body ? e.body->size() : 0);
      batch.entries.push_back(std::move(e));
      // Well under the peer's 64 MiB request limit once base64 and JSON are added.
      if (bytes >= kMaxBatchBytes) break;
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(batch.checkpoint, SignedCheckpointAt(log, from + batch.entries.size()));
  return batch;
}

bool NodeCore::InAlarm(const store::LogKey& log) const {
  std::lock_guard lock(peers_mu_);
  return std::any_of(alarms_.begin(), alarms_.end(), [&](const Alarm& a) { return a.log == log; });
}

std::vector<Alarm> NodeCore::alarms() const {
  std::lock_guard lock(peers_mu_);
  return alarms_;
}

Status NodeCore::RaiseAlarm(const store::LogKey& log, nlohmann::json evidence) {
  evidence["log"] = {{"space", log.space.ToHex()}, {"origin", log.origin}};
  uint64_t now = ToUnixMs(clock_.Now());
  ENTENTE_RETURN_IF_ERROR(store_.PutAlarm({log, now, evidence.dump()}));
  {
    std::lock_guard lock(peers_mu_);
    alarms_.push_back({log, now, evidence});
  }
  return FailedPrecondition("fork alarm for log " + LogName(log) + ": " +
                            evidence.value("what", std::string()) +
                            "; the evidence is kept and this node no longer cosigns the log");
}

std::optional<std::string> NodeCore::FoldMirrored(const store::LogKey& log, uint64_t index,
                                                  const Bytes& header,
                                                  const std::optional<Bytes>& body) {
  auto h = ledger::DecodeHeader(header);
  if (!h) return h.error().message();
  if (!body) {
    // Withheld from this node: only messages (by their label) and consultation events (of
    // consultations this partner is not a participant of) may be, and these hold nothing this
    // node folds.
    if (h->kind == kMessagePost || consult::IsConsultKind(h->kind)) return std::nullopt;
    return "the body of a " +
           std::string(ledger::FindKind(h->kind) != nullptr ? ledger::FindKind(h->kind)->name
                                                            : "unknown") +
           " event was withheld";
  }
  auto d = Decode(WireEvent{header, body});
  if (!d) return d.error().message();
  space::FoldEvent fold{d->header, d->meta, d->recipients};
  Status ok;
  if (IsDirectoryLog(log)) {
    ok = directory_.Check(fold);
  } else {
    auto it = spaces_.find(log.space);
    if (d->header.kind == kSpaceCharter) {
      if (it != spaces_.end()) {
        ok = AlreadyExists("space " + log.space.ToHex() + " already has a charter");
      } else {
        ok = space::SpaceState(log.space).Check(fold, directory_);
      }
    } else if (it == spaces_.end()) {
      ok = NotFound("no charter for space " + log.space.ToHex());
    } else {
      ok = it->second->Check(fold, directory_, space::RecipientRule::kNoLeak);
    }
  }
  if (!ok) return ok.error().message();
  Apply(*d, index);
  return std::nullopt;
}

Result<MirrorOutcome> NodeCore::AcceptMirror(const std::string& peer_name,
                                             const MirrorBatch& batch) {
  std::optional<Peer> peer;
  for (const auto& p : peers()) {
    if (p.partner == peer_name) peer = p;
  }
  if (!peer) return PermissionDenied("mirror: " + peer_name + " is not a peer of this node");
  const store::LogKey& log = batch.log;
  if (log.origin != peer->partner) {
    return PermissionDenied("mirror: " + peer->partner + " may send only its own logs, not " +
                            log.origin + "'s");
  }
  if (batch.entries.size() > kMaxBatch) {
    return InvalidArgument("mirror: at most " + std::to_string(kMaxBatch) + " entries a batch");
  }
  std::lock_guard mirror_lock(mirror_mu_);
  if (InAlarm(log)) {
    return FailedPrecondition("log " + LogName(log) +
                              " is in alarm (a fork was detected); this node no longer cosigns it");
  }
  ENTENTE_ASSIGN_OR_RETURN(std::string origin_line,
                           ledger::EntenteOrigin(log.space.view(), log.origin));
  ENTENTE_ASSIGN_OR_RETURN(
      auto verifier,
      ledger::Verifier::Create(origin_line, ledger::NoteKeyType::kEd25519, peer->node_key));
  auto opened = ledger::OpenNote(batch.checkpoint, std::span(&verifier, 1));
  if (!opened) return std::unexpected(opened.error().WithContext("mirror: checkpoint"));
  ENTENTE_ASSIGN_OR_RETURN(auto checkpoint, ledger::Checkpoint::Parse(opened->text));
  if (checkpoint.origin != origin_line) {
    return InvalidArgument("mirror: the checkpoint is of " + checkpoint.origin + ", not " +
                           origin_line);
  }
  ENTENTE_RETURN_IF_ERROR(store_.CreateLog(log, store::LogRole::kMirror));
  ENTENTE_ASSIGN_OR_RETURN(uint64_t size, store_.TreeSize(log));
  const uint64_t cp_size = checkpoint.size.value();
  MirrorOutcome outcome{size, "", 0};
  if (cp_size <= size) {
    // Already held: the checkpoint must be of a prefix of what this node mirrored and cosigned.
    ENTENTE_ASSIGN_OR_RETURN(auto root, store_.RootHash(log, cp_size));
    if (root != checkpoint.root) {
      std::string cosigned_before;
      {
        std::lock_guard lock(checkpoint_mu_);
        auto it = mirror_checkpoints_.find(log);
        if (it != mirror_checkpoints_.end()) cosigned_before = it->second.checkpoint.note;
      }
      auto latest = store_.LatestCheckpoint(log);
      if (cosigned_before.empty() && latest && *latest) cosigned_before = (*latest)->note;
      nlohmann::json evidence = {
          {"what", "two checkpoints signed by " + log.origin + " are inconsistent"},
          {"checkpoint", batch.checkpoint},
          {"mirror_size", size},
          {"mirror_root_at_size", HexEncode(root)}};
      if (!cosigned_before.empty()) evidence["cosigned_checkpoint"] = cosigned_before;
      return std::unexpected(RaiseAlarm(log, std::move(evidence)).error());
    }
  } else {
    if (batch.from != size) return outcome;  // the origin resends from `size`
    if (batch.from + batch.entries.size() != cp_size) {
      return InvalidArgument("mirror: the checkpoint's size is not the end of the batch");
    }
    std::vector<store::NewEvent> events;
    std::vector<std::optional<std::string>> reasons;
    events.reserve(batch.entries.size());
    for (const auto& e : batch.entries) {
      std::optional<std::string> reason;
      std::optional<Bytes> body = e.body;
      auto header = ledger::DecodeHeader(e.header);
      ledger::EventId id;
      if (!header) {
        reason = "the header does not decode: " + header.error().message();
        auto digest = crypto::Sha256(e.header);
        id = ledger::EventId::FromBytes(ByteView(digest).first(ledger::EventId::kSize)).value();
      } else {
        id = header->event_id;
        if (auto sig = ledger::VerifyHeaderSignature(*header); !sig) {
          reason = "the author's signature does not verify";
        } else if (header->space_id != log.space || header->origin != log.origin) {
          reason = "the event is not of this log's space and origin";
        }
        if (body && !ledger::CheckBodyHash(*header, *body)) {
          reason = "the body does not match the header's body_hash";
          body.reset();
        }
      }
      events.push_back({id, e.header, std::move(body)});
      reasons.push_back(std::move(reason));
    }
    auto appended = store_.AppendMirror(log, batch.from, events, checkpoint.root);
    if (!appended) {
      if (appended.error().code() != ErrorCode::kFailedPrecondition) {
        return std::unexpected(appended.error());
      }
      nlohmann::json leaves = nlohmann::json::array();
      for (const auto& e : batch.entries) leaves.push_back(HexEncode(ledger::HashLeaf(e.header)));
      return std::unexpected(RaiseAlarm(log, {{"what", "the entries sent do not hash to the root " +
                                                           log.origin + " signed (a failed proof)"},
                                              {"checkpoint", batch.checkpoint},
                                              {"from", batch.from},
                                              {"leaf_hashes", leaves}})
                                 .error());
    }
    {
      std::unique_lock state_lock(state_mu_);
      for (size_t i = 0; i < events.size(); ++i) {
        if (!reasons[i]) {
          reasons[i] = FoldMirrored(log, batch.from + i, events[i].header, events[i].body);
        }
        if (!reasons[i]) continue;
        ENTENTE_RETURN_IF_ERROR(store_.PutFlag(log, batch.from + i, *reasons[i]));
        flagged_.fetch_add(1, std::memory_order_relaxed);
        ++outcome.flagged;
      }
    }
    outcome.size = cp_size;
  }
  // Cosign (c2sp.org/tlog-cosignature) only now: the entries are durable here and consistent.
  uint64_t now_s = ToUnixMs(clock_.Now()) / 1000;
  ENTENTE_ASSIGN_OR_RETURN(auto cosignature,
                           ledger::Cosign(checkpoint, partner_, node_key_, now_s));
  outcome.cosignature = cosignature.Line();
  // Kept as the origin signed it (only its verified signature); cosignatures apart.
  ENTENTE_ASSIGN_OR_RETURN(std::string note,
                           (ledger::Note{opened->text, opened->verified}.Encode()));
  // Members are told first (the entries are durable; the checkpoint is served from memory),
  // then the checkpoint and this node's cosignature are stored.
  bool flush = false;
  {
    std::lock_guard lock(checkpoint_mu_);
    auto& served = mirror_checkpoints_[log];
    if (cp_size >= served.checkpoint.tree_size) served = {{cp_size, note}, outcome.cosignature};
    auto now = std::chrono::steady_clock::now();
    flush = now - last_mirror_flush_ >= std::chrono::seconds(1);
  }
  if (listener_ && cp_size > size) listener_(log, cp_size);
  if (flush) ENTENTE_RETURN_IF_ERROR(FlushMirrorCheckpoints());
  return outcome;
}

Status NodeCore::FlushMirrorCheckpoints() {
  std::vector<std::pair<store::LogKey, MirrorCheckpoint>> pending;
  {
    std::lock_guard lock(checkpoint_mu_);
    last_mirror_flush_ = std::chrono::steady_clock::now();
    for (auto& [log, m] : mirror_checkpoints_) {
      if (m.stored) continue;
      pending.emplace_back(log, m);
      m.stored = true;
    }
  }
  for (const auto& [log, m] : pending) {
    ENTENTE_RETURN_IF_ERROR(store_.PutCheckpoint(log, m.checkpoint));
    ENTENTE_RETURN_IF_ERROR(store_.PutCosignature(
        log, m.checkpoint.tree_size, {partner_, m.cosignature, m.checkpoint.tree_size}));
  }
  return {};
}

Status NodeCore::AddCosignature(const std::string& peer_name, const store::LogKey& log,
                                uint64_t size, const std::string& line) {
  std::optional<Peer> peer;
  for (const auto& p : peers()) {
    if (p.partner == peer_name) peer = p;
  }
  if (!peer) return PermissionDenied("cosignature: " + peer_name + " is not a peer");
  ENTENTE_ASSIGN_OR_RETURN(std::string note, SignedCheckpointAt(log, size));
  ENTENTE_ASSIGN_OR_RETURN(
      auto verifier,
      ledger::Verifier::Create(peer->partner, ledger::NoteKeyType::kCosignatureV1, peer->node_key));
  auto witnesses = Witnesses(log);
  if (std::find(witnesses.begin(), witnesses.end(), peer->partner) == witnesses.end()) {
    return PermissionDenied("cosignature: " + peer_name + " is not a witness of this log");
  }
  auto opened = ledger::OpenNote(note + line, std::span(&verifier, 1));
  if (!opened) return std::unexpected(opened.error().WithContext("cosignature by " + peer_name));
  if (opened->verified.size() != 1) {
    return InvalidArgument("cosignature: expected one signature line by " + peer_name);
  }
  // The note it cosigned is stored with it (checkpoints are otherwise stored at most once a
  // second), so an export right after, even after a shutdown, carries every cosignature.
  ENTENTE_RETURN_IF_ERROR(store_.PutCheckpoint(log, {size, note}));
  // Only the verified line is kept: nothing else the peer sent reaches a served checkpoint.
  return store_.PutCosignature(log, size, {peer->partner, opened->verified[0].Line(), size});
}

Result<std::optional<std::string>> NodeCore::CosignedCheckpoint(const store::LogKey& log) {
  if (log.origin != partner_) {
    // A mirror: the origin's latest checkpoint with this node's cosignature.
    auto latest = store::CosignedCheckpoint(store_, log);
    if (!latest) {
      if (latest.error().code() == ErrorCode::kNotFound) return std::optional<std::string>();
      return std::unexpected(latest.error());
    }
    return std::optional<std::string>(latest->note);
  }
  auto witnesses = Witnesses(log);
  if (witnesses.empty()) return std::optional<std::string>();
  ENTENTE_ASSIGN_OR_RETURN(auto latest, store_.LatestCosignatures(log));
  std::set<uint64_t, std::greater<>> sizes;
  for (const auto& c : latest) sizes.insert(c.tree_size);
  for (uint64_t size : sizes) {
    ENTENTE_ASSIGN_OR_RETURN(auto cosignatures, store_.Cosignatures(log, size));
    std::string lines;
    size_t found = 0;
    for (const auto& w : witnesses) {
      for (const auto& c : cosignatures) {
        if (c.cosigner == w) {
          lines += c.line;
          ++found;
        }
      }
    }
    if (found != witnesses.size()) continue;
    ENTENTE_ASSIGN_OR_RETURN(std::string note, SignedCheckpointAt(log, size));
    return std::optional<std::string>(note + lines);
  }
  return std::optional<std::string>();
}

Result<std::string> NodeCore::TilesCheckpoint(const store::LogKey& log) {
  ENTENTE_ASSIGN_OR_RETURN(auto cosigned, CosignedCheckpoint(log));
  if (cosigned) return *cosigned;
  if (log.origin == partner_) {
    ENTENTE_ASSIGN_OR_RETURN(auto latest, CheckpointCovering(log, 0));
    return latest.second;
  }
  return NotFound("no checkpoint of " + LogName(log) + " yet");
}

Result<Bytes> NodeCore::TilesFile(const store::LogKey& log, std::string_view path) {
  ENTENTE_ASSIGN_OR_RETURN(auto id, ledger::ParseTilePath(path));
  Result<Bytes> data = std::holds_alternative<ledger::TileId>(id)
                           ? store::StoreTile(store_, log, std::get<ledger::TileId>(id))
                           : store::StoreBundle(store_, log, std::get<ledger::BundleId>(id));
  if (!data && data.error().code() == ErrorCode::kInvalidArgument) {
    return NotFound(std::string(path) + ": not in the tree of " + LogName(log) + " yet");
  }
  return data;
}

Status NodeCore::PeerMayRead(const std::string& peer, const store::LogKey& log) const {
  if (IsDirectoryLog(log)) return {};
  std::shared_lock lock(state_mu_);
  auto it = spaces_.find(log.space);
  if (it == spaces_.end() || !it->second->HasPartner(peer)) {
    return PermissionDenied(peer + " is not a partner of space " + log.space.ToHex());
  }
  return {};
}

}  // namespace entente::node
