// node/core.h: the node's logic, apart from any transport: ingest (DESIGN §5), enrolment,
// reading logs with per-reader body filtering, and the state it folds from its own logs.
//
// Ingest of one event: decode; verify the author's signature; the author must be the device
// that submits it; the origin must be this node's partner; clock skew within 120 s; metadata
// valid for its kind; then the directory's or the space's rules (space/), under a lock that
// keeps check and append in one order: events that change state (directory, charter, channels)
// hold it exclusively, messages share it, so messages still commit in groups. Then a durable
// append (store::GroupCommitter) and a receipt: the leaf index, a checkpoint signed by the node
// that covers it, and the inclusion proof to that checkpoint.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "agenda/agenda.h"
#include "base/clock.h"
#include "base/error.h"
#include "consult/consultation.h"
#include "consult/timers.h"
#include "crypto/sign.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "net/http_signatures.h"
#include "node/peers.h"
#include "node/tokens.h"
#include "space/directory.h"
#include "space/space_state.h"
#include "store/group_commit.h"
#include "store/store.h"

namespace entente::node {

// Proof that an event is in the log: its index, a signed checkpoint whose tree contains it, and
// the inclusion proof of the index in that tree.
struct Receipt {
  store::LogKey log;
  uint64_t index = 0;
  std::string checkpoint;  // signed note (C2SP tlog-checkpoint)
  ledger::InclusionProof proof;
};

// An encoded event as submitted or stored.
struct WireEvent {
  Bytes header;
  std::optional<Bytes> body;
};

// One page of a log, filtered for a reader.
struct LogPage {
  store::LogKey log;
  uint64_t tree_size = 0;
  std::string checkpoint;  // a signed checkpoint of tree_size
  struct Entry {
    uint64_t index;
    Bytes header;
    std::optional<Bytes> body;  // nullopt: withheld from this reader, or shredded
    std::string flagged;        // why it breaks policy, if this node flagged it (mirrors)
  };
  std::vector<Entry> entries;
};

struct SpaceSummary {
  ledger::SpaceId id;
  std::string name;
  std::vector<std::string> partners;
  std::string policy_id;
  uint64_t size = 0;
  struct ChannelSummary {
    std::string name;
    std::string ceiling;
    std::vector<std::string> members;
  };
  std::vector<ChannelSummary> channels;  // those the reader is a member of
  std::vector<std::string> joined;       // partners that have joined (in force when all have)
  std::map<std::string, uint64_t> logs;  // origin -> size of its log held here
};

// A run of a partner's log sent to this node to mirror (docs/formats/federation.md): entries
// [from, from + entries.size()) with the bodies released to this node, and the origin's signed
// checkpoint of exactly that size.
struct MirrorBatch {
  store::LogKey log;
  uint64_t from = 0;
  std::vector<WireEvent> entries;
  std::string checkpoint;
};

struct MirrorOutcome {
  uint64_t size = 0;        // the mirror's size now
  std::string cosignature;  // this node's cosignature line of the checkpoint; empty if the
                            // batch did not start at `size` (resend from there)
  size_t flagged = 0;       // entries of the batch that break policy (kept, flagged)
};

// A fork or rewrite detected in a partner's log, with its evidence.
struct Alarm {
  store::LogKey log;
  uint64_t at_ms = 0;
  nlohmann::json evidence;
};

class NodeCore {
 public:
  NodeCore(std::string partner, crypto::SigningKey node_key, store::Store& store,
           const Clock& clock, TokenBook& tokens);

  // Folds this node's own logs into state (at start).
  [[nodiscard]] Status Load();

  const std::string& partner() const { return partner_; }
  const crypto::PublicKey& node_key() const { return node_key_.public_key(); }

  // The key of an active device of this partner's members, for request authentication.
  std::optional<crypto::PublicKey> ActiveDevice(std::string_view device_id) const;
  // The member id of an active device, or "".
  std::string MemberOf(const crypto::PublicKey& device) const;

  // Ingests one event submitted by `submitter` (an authenticated, active device).
  [[nodiscard]] Result<Receipt> Submit(const crypto::PublicKey& submitter, const WireEvent& event);

  // Enrols with a one-time token: the admin token takes [member.enroll, device.add, device.keys]
  // for the partner's first admin; a device token takes [device.add, device.keys] for its
  // member. All authored by the new device; appended together or not at all.
  [[nodiscard]] Result<std::vector<Receipt>> Enrol(std::string_view token,
                                                   const std::vector<WireEvent>& events);

  // What a token would grant, without using it (a device asks which member it enrols as).
  [[nodiscard]] Result<TokenGrant> LookupToken(std::string_view token) {
    return tokens_.Peek(token, clock_.Now());
  }

  // A one-time device token for `member`: an admin may ask for any member of the partner, a
  // member for themselves (to add a device).
  [[nodiscard]] Result<std::string> IssueDeviceToken(const crypto::PublicKey& requester,
                                                     std::string_view member);

  // The spaces whose partners include this node's partner.
  std::vector<SpaceSummary> Spaces(const crypto::PublicKey& reader) const;
  // Finds a space by its name or its id in hex.
  [[nodiscard]] Result<ledger::SpaceId> FindSpace(std::string_view name_or_id) const;

  // Entries [from, from + limit) of the log of `space` by `origin` (this node's own, or a
  // partner's mirrored here; the directory's when `space` is DirectorySpaceId(origin)), with the
  // bodies `reader` may read. The checkpoint is the origin's, with the cosignatures held here.
  [[nodiscard]] Result<LogPage> ReadLog(const crypto::PublicKey& reader,
                                        const ledger::SpaceId& space, const std::string& origin,
                                        uint64_t from, size_t limit);
  // Whether `reader` may receive the body of this event (directory, charter: every member;
  // channel events: members of the channel whose clearance admits the label).
  bool MayReadBody(const crypto::PublicKey& reader, const ledger::EventHeader& header) const;
  // Whether `reader` may follow the log of `space` at all.
  [[nodiscard]] Status MayFollow(const crypto::PublicKey& reader,
                                 const ledger::SpaceId& space) const;

  // Called after each append with the log and its new size (fan-out).
  using AppendListener = std::function<void(const store::LogKey&, uint64_t size)>;
  void SetAppendListener(AppendListener listener) { listener_ = std::move(listener); }

  uint64_t events_ingested() const;
  store::GroupCommitter& committer() { return committer_; }

  // A signed checkpoint of `log` covering at least `min_size` leaves (signs a new one if needed).
  [[nodiscard]] Result<std::pair<uint64_t, std::string>> CheckpointCovering(
      const store::LogKey& log, uint64_t min_size);

  // ---- Federation (docs/formats/federation.md) ----

  void SetPeers(std::vector<Peer> peers);
  std::vector<Peer> peers() const;
  std::optional<Peer> PeerByKey(const crypto::PublicKey& key) const;
  // Signs a node-to-node request with the node key (RFC 9421, Entente's profile).
  [[nodiscard]] Result<net::SignedHeaders> SignPeerRequest(const net::OutgoingRequest& request);

  // This node's logs that `peer` mirrors: the directory, and each space that lists the peer.
  std::vector<store::LogKey> LogsSharedWith(const std::string& peer) const;
  // The logs of `peer` this node mirrors (or should: its directory, and each space listing it).
  std::vector<store::LogKey> LogsOf(const std::string& peer) const;
  [[nodiscard]] Result<uint64_t> LogSize(const store::LogKey& log) const {
    return store_.TreeSize(log);
  }
  // Entries [from, from + limit) of own log `log` for `peer`, with only the bodies released to
  // it, and a checkpoint of exactly their end.
  [[nodiscard]] Result<MirrorBatch> BatchFor(const std::string& peer, const store::LogKey& log,
                                             uint64_t from, size_t limit);
  // Witness and mirror: verifies `batch` from `peer` (its checkpoint signature, every header,
  // every body against its hash, consistency with what is mirrored here), stores it, folds it
  // (entries that break policy are flagged and left out of state), and cosigns the checkpoint.
  // A checkpoint inconsistent with what this node mirrored raises an alarm (kept with its
  // evidence) and is refused, as is every later one for that log: FailedPrecondition.
  [[nodiscard]] Result<MirrorOutcome> AcceptMirror(const std::string& peer,
                                                   const MirrorBatch& batch);
  // Stores the mirrors' latest checkpoints and this node's cosignatures of them (AcceptMirror
  // does so at most once a second; the replicator calls this each pass, RunNode at the end).
  // Losing them in a crash is harmless: the mirrored entries are durable, and the next batch
  // brings a checkpoint again.
  [[nodiscard]] Status FlushMirrorCheckpoints();
  // Origin: `peer`'s cosignature line for own log `log` at `size`; verified, then stored.
  [[nodiscard]] Status AddCosignature(const std::string& peer, const store::LogKey& log,
                                      uint64_t size, const std::string& line);
  // The checkpoint of `log` (own or mirror) at the largest size that every partner of its space
  // has cosigned (or, for the directory, every peer), with those cosignatures; nullopt if none.
  [[nodiscard]] Result<std::optional<std::string>> CosignedCheckpoint(const store::LogKey& log);
  // The partners whose cosignature a checkpoint of `log` needs: every partner of the space (or
  // every peer, for the directory) but the origin.
  std::vector<std::string> Witnesses(const store::LogKey& log) const;
  // tlog-tiles read path (c2sp.org/tlog-tiles) of a log held here, own or mirror: the latest
  // checkpoint (with every cosignature held, when one is cosigned by all) ...
  [[nodiscard]] Result<std::string> TilesCheckpoint(const store::LogKey& log);
  // ... and "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]". NotFound for a tile the tree
  // does not hold, InvalidArgument for a malformed path.
  [[nodiscard]] Result<Bytes> TilesFile(const store::LogKey& log, std::string_view path);
  // Whether a peer may read `log` (its space lists the peer, or it is a directory).
  [[nodiscard]] Status PeerMayRead(const std::string& peer, const store::LogKey& log) const;
  // Alarms raised so far (also kept in the store).
  std::vector<Alarm> alarms() const;
  uint64_t flagged_entries() const { return flagged_.load(std::memory_order_relaxed); }
  // Test only: checkpoints sent to peers claim a root this log never had (a forking node).
  void SetForkForTesting(bool fork) { fork_for_testing_ = fork; }

  // ---- Consultation timers (docs/formats/consult.md, "Timers and notifications") ----

  // Runs the timers of this partner's members now: records, durably and once, every
  // notification that is due (consult::Due) and was not recorded before; a deadline that passed
  // while the node was down is due at the first run. Returns those recorded now.
  [[nodiscard]] Result<std::vector<consult::Notification>> RunTimers();
  // The notifications recorded after `after` (a sequence number) that `reader` may see: those
  // of consultations whose label the reader's clearance admits. With their sequence numbers.
  // `*scanned` (if given) is the last sequence number looked at: where the next call resumes.
  [[nodiscard]] Result<std::vector<std::pair<uint64_t, consult::Notification>>> NotificationsFor(
      const crypto::PublicKey& reader, uint64_t after, size_t limit,
      uint64_t* scanned = nullptr) const;
  // Increases each time RunTimers records a notification.
  uint64_t notification_generation() const;
  // The consultations of this node's spaces that are open, and notifications recorded.
  size_t open_consultations() const;
  uint64_t notifications_recorded() const { return notifications_.load(); }

 private:
  struct Decoded {
    ledger::EventHeader header;
    ledger::EventBody body;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> recipients;
  };
  Result<Decoded> Decode(const WireEvent& event) const;
  Result<Decoded> Admit(const crypto::PublicKey& submitter, const WireEvent& event) const;
  Result<Receipt> MakeReceipt(const store::LogKey& log, uint64_t index);
  // Folds an accepted event, found at `index` of its log, into state (state_mu_ held
  // exclusively).
  void Apply(const Decoded& d, uint64_t index);
  // Folds a space's consultation events again, in merge order (state_mu_ held exclusively).
  void RebuildBook(const ledger::SpaceId& space);
  // Folds a space's agenda events (statements, workstreams, meetings) again, in merge order.
  void RebuildAgenda(const ledger::SpaceId& space);
  // Whether a consultation event may go to `partner` (a participant of its consultation).
  bool ConsultationIncludes(const ledger::EventHeader& header, std::string_view partner) const;
  // Checks and folds one mirrored entry (state_mu_ held exclusively); the reason if flagged.
  std::optional<std::string> FoldMirrored(const store::LogKey& log, uint64_t index,
                                          const Bytes& header, const std::optional<Bytes>& body);
  void RebuildSpace(const ledger::SpaceId& space);
  Status RaiseAlarm(const store::LogKey& log, nlohmann::json evidence);
  bool InAlarm(const store::LogKey& log) const;
  bool ReleasedTo(const std::string& peer, const ledger::EventHeader& header,
                  const std::optional<Bytes>& body) const;
  Result<std::string> SignedCheckpointAt(const store::LogKey& log, uint64_t size) const;
  bool IsDirectory(const ledger::SpaceId& space) const { return space == directory_id_; }

  const std::string partner_;
  const crypto::SigningKey node_key_;
  store::Store& store_;
  const Clock& clock_;
  TokenBook& tokens_;
  const ledger::SpaceId directory_id_;
  store::GroupCommitter committer_;
  AppendListener listener_;

  mutable std::shared_mutex state_mu_;  // check+append+apply order (see the file comment)
  space::Directory directory_;          // guarded by state_mu_
  std::map<ledger::SpaceId, std::unique_ptr<space::SpaceState>> spaces_;  // guarded by state_mu_
  // The structural events (charter, join, channels) of each space by origin, in log order: the
  // state is folded from them in MergeOrder, so every party reaches the same state.
  struct Structural {
    ledger::EventHeader header;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> recipients;
  };
  std::map<ledger::SpaceId, std::map<std::string, std::vector<Structural>>> structural_;
  // The consultation events of each space by origin, in log order, and the book folded from them
  // in merge order (rebuilt when one arrives or the space's state is rebuilt); guarded by
  // state_mu_.
  struct ConsultEntry {
    ledger::EventHeader header;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> recipients;
    uint64_t index;
  };
  std::map<ledger::SpaceId, std::map<std::string, std::vector<ConsultEntry>>> consult_events_;
  std::map<ledger::SpaceId, std::unique_ptr<consult::Book>> books_;
  // The merge-order key of the last event each book folded: a later one is folded alone.
  struct LastFolded {
    uint64_t ms;
    std::string origin;
    uint64_t index;
  };
  std::map<ledger::SpaceId, std::optional<LastFolded>> last_consult_;
  // The agenda events of each space by origin, and the agenda folded from them in merge order
  // (few: rebuilt whenever one arrives); guarded by state_mu_.
  std::map<ledger::SpaceId, std::map<std::string, std::vector<ConsultEntry>>> agenda_events_;
  std::map<ledger::SpaceId, std::unique_ptr<agenda::Book>> agendas_;

  mutable std::mutex notify_mu_;
  std::set<std::string> notified_;  // keys recorded; guarded by notify_mu_
  bool notified_loaded_ = false;    // guarded by notify_mu_
  std::atomic<uint64_t> notifications_{0};

  mutable std::mutex peers_mu_;
  std::vector<Peer> peers_;    // guarded by peers_mu_
  std::vector<Alarm> alarms_;  // guarded by peers_mu_
  std::mutex mirror_mu_;       // one mirror append at a time
  std::atomic<uint64_t> flagged_{0};
  std::atomic<bool> fork_for_testing_{false};

  struct SignedCheckpoint {
    uint64_t size;
    std::string note;
    bool stored;
  };
  std::mutex checkpoint_mu_;
  std::map<store::LogKey, SignedCheckpoint> checkpoints_;  // latest signed; guarded
  // The latest verified checkpoint of each mirror and this node's cosignature of it: served at
  // once, stored by FlushMirrorCheckpoints; guarded.
  struct MirrorCheckpoint {
    store::StoredCheckpoint checkpoint;
    std::string cosignature;
    bool stored = false;
  };
  std::map<store::LogKey, MirrorCheckpoint> mirror_checkpoints_;
  std::chrono::steady_clock::time_point last_mirror_flush_;  // guarded by checkpoint_mu_
  std::chrono::steady_clock::time_point last_stored_;        // guarded by checkpoint_mu_
  std::atomic<uint64_t> ingested_{0};
};

}  // namespace entente::node
