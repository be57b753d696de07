// store/store.h: durable storage of a node's logs (DESIGN §7).
//
// A node holds one log per (space, origin): its own logs, to which it appends what its members
// author, and mirrors of its partners' logs, to which it appends only entries that extend the
// copy it holds to a root the partner signed. For each log the store keeps the leaves (event
// headers), the bodies it is entitled to (which can be shredded without touching the log), the
// hashes of every complete subtree (what tiles and proofs are made of), checkpoints and
// cosignatures.
//
// Durability contract: when AppendEvents or AppendMirror returns OK, the entries survive a
// crash of the process or the machine (kill -9, power loss) — the SQLite implementation commits
// in WAL mode with synchronous=FULL before returning. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/hash.h"
#include "ledger/ids.h"

namespace entente::store {

// Identifies one log: the space and the partner whose node authors it.
struct LogKey {
  ledger::SpaceId space;
  std::string origin;
  auto operator<=>(const LogKey&) const = default;
};

enum class LogRole : uint8_t {
  kOwn = 1,     // this node authors it
  kMirror = 2,  // a partner's log, mirrored here
};

// An event to append: the encoded header (the leaf) and the encoded body, if held.
struct NewEvent {
  ledger::EventId event_id;
  Bytes header;
  std::optional<Bytes> body;
};

struct StoredCheckpoint {
  uint64_t tree_size = 0;
  std::string note;  // the signed note text (C2SP tlog-checkpoint)
};

struct StoredCosignature {
  std::string cosigner;    // the cosigner's key name
  std::string line;        // the signature line ("— name base64\n")
  uint64_t tree_size = 0;  // the checkpoint it cosigns (set by LatestCosignatures)
};

// Evidence that a partner's log forked or was rewritten (DESIGN §4.5): kept for ever.
struct StoredAlarm {
  LogKey log;
  uint64_t at_ms = 0;
  std::string evidence;  // JSON (docs/formats/federation.md, "Alarms")
};

// A notification a node's timers raised (docs/formats/store.md, "Version 3").
struct StoredNotification {
  uint64_t seq = 0;  // 1, 2, ... in the order recorded
  std::string key;   // unique: recording the same key again does nothing
  uint64_t at_ms = 0;
  std::string body;  // JSON (consult::Notification)
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates the log if it does not exist. FailedPrecondition if it exists with another role.
  [[nodiscard]] virtual Status CreateLog(const LogKey& log, LogRole role) = 0;
  // Every log, in key order.
  [[nodiscard]] virtual Result<std::vector<std::pair<LogKey, LogRole>>> Logs() = 0;

  // Appends `events` to an own log, in order, in one durable transaction; returns each event's
  // leaf index. Idempotent for retries: an event whose event_id is already in the log with the
  // same header bytes gets its existing index back and is not appended again; with different
  // bytes the whole call fails with AlreadyExists and nothing is appended. NotFound for an
  // unknown log, FailedPrecondition for a mirror.
  [[nodiscard]] virtual Result<std::vector<uint64_t>> AppendEvents(
      const LogKey& log, std::span<const NewEvent> events) = 0;

  // Appends `entries` to a mirror log whose size is `from_size`, only if the extended tree's root
  // equals `expected_root` (the root of the partner's signed checkpoint), so that the mirror never
  // holds a history its origin did not sign. FailedPrecondition if the sizes do not line up or the
  // root differs (nothing is stored then).
  [[nodiscard]] virtual Status AppendMirror(const LogKey& log, uint64_t from_size,
                                            std::span<const NewEvent> entries,
                                            const crypto::Digest& expected_root) = 0;

  [[nodiscard]] virtual Result<uint64_t> TreeSize(const LogKey& log) = 0;
  // Root hash of the log's first `tree_size` leaves (RFC 9162 MTH). InvalidArgument if
  // tree_size exceeds the log's size.
  [[nodiscard]] virtual Result<crypto::Digest> RootHash(const LogKey& log, uint64_t tree_size) = 0;
  // Encoded headers of leaves [begin, end). InvalidArgument if the range is beyond the log.
  [[nodiscard]] virtual Result<std::vector<Bytes>> Leaves(const LogKey& log, uint64_t begin,
                                                          uint64_t end) = 0;
  // Index of the leaf with this event id, or NotFound.
  [[nodiscard]] virtual Result<uint64_t> FindEvent(const LogKey& log,
                                                   const ledger::EventId& id) = 0;
  // Hashes of the complete subtrees at `level` (level 0: leaf hashes), indices [begin, end).
  // Only subtrees that are complete in the current tree exist; asking for others is
  // InvalidArgument.
  [[nodiscard]] virtual Result<std::vector<crypto::Digest>> NodeHashes(const LogKey& log,
                                                                       uint8_t level,
                                                                       uint64_t begin,
                                                                       uint64_t end) = 0;

  // The body of a leaf, or nullopt if it was never held here (withheld by label) or shredded.
  [[nodiscard]] virtual Result<std::optional<Bytes>> Body(const LogKey& log, uint64_t index) = 0;
  // Stores a body fetched later (a mirror gets bodies after headers). DataLoss if it does not
  // hash to the header's body_hash is checked by the caller; the store only records it.
  [[nodiscard]] virtual Status PutBody(const LogKey& log, uint64_t index, ByteView body) = 0;
  // Erases a body for retention; the leaf and every hash stay. Idempotent.
  [[nodiscard]] virtual Status ShredBody(const LogKey& log, uint64_t index) = 0;

  [[nodiscard]] virtual Status PutCheckpoint(const LogKey& log, const StoredCheckpoint& cp) = 0;
  // The checkpoint with the largest tree size, or nullopt if none.
  [[nodiscard]] virtual Result<std::optional<StoredCheckpoint>> LatestCheckpoint(
      const LogKey& log) = 0;
  [[nodiscard]] virtual Status PutCosignature(const LogKey& log, uint64_t tree_size,
                                              const StoredCosignature& cosig) = 0;
  [[nodiscard]] virtual Result<std::vector<StoredCosignature>> Cosignatures(const LogKey& log,
                                                                            uint64_t tree_size) = 0;
  // For each cosigner, its cosignature of the largest tree size, in cosigner order.
  [[nodiscard]] virtual Result<std::vector<StoredCosignature>> LatestCosignatures(
      const LogKey& log) = 0;

  // Marks a mirrored entry that breaks policy: it stays in the log, excluded from state.
  [[nodiscard]] virtual Status PutFlag(const LogKey& log, uint64_t index,
                                       std::string_view reason) = 0;
  // The flagged entries of a log: (index, reason), in index order.
  [[nodiscard]] virtual Result<std::vector<std::pair<uint64_t, std::string>>> Flags(
      const LogKey& log) = 0;

  [[nodiscard]] virtual Status PutAlarm(const StoredAlarm& alarm) = 0;
  // Records a notification durably unless its key was recorded before: true if it is new.
  [[nodiscard]] virtual Result<bool> PutNotification(const std::string& key, uint64_t at_ms,
                                                     const std::string& body) = 0;
  // The notifications recorded after `after_seq`, oldest first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<StoredNotification>> Notifications(uint64_t after_seq,
                                                                              size_t limit) = 0;
  // Every alarm, oldest first.
  [[nodiscard]] virtual Result<std::vector<StoredAlarm>> Alarms() = 0;
};

}  // namespace entente::store
