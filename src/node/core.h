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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "crypto/sign.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
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

  // Entries [from, from + limit) of this node's log of `space` (the directory's when `space` is
  // DirectorySpaceId(partner)), with the bodies `reader` may read.
  [[nodiscard]] Result<LogPage> ReadLog(const crypto::PublicKey& reader,
                                        const ledger::SpaceId& space, uint64_t from, size_t limit);
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
  void Apply(const Decoded& d);
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

  struct SignedCheckpoint {
    uint64_t size;
    std::string note;
    bool stored;
  };
  std::mutex checkpoint_mu_;
  std::map<store::LogKey, SignedCheckpoint> checkpoints_;  // latest signed; guarded
  std::chrono::steady_clock::time_point last_stored_;      // guarded by checkpoint_mu_
  std::atomic<uint64_t> ingested_{0};
};

}  // namespace entente::node
