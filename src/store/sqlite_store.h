// store/sqlite_store.h: the embedded default Store, one SQLite file per node.
//
// Durability: WAL journal with synchronous=FULL, so a commit is on disk (WAL fsynced) before
// any append returns. Appends are batched by the caller (AppendEvents takes many events; see
// GroupCommitter for many concurrent callers) because the fsync, not the insert, is the cost.
// The schema is versioned (PRAGMA user_version) and migrated forward on open; a file written by
// a newer build is refused. Layout: docs/formats/store.md.
//
// Thread-safe: one connection guarded by a mutex.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace entente::store {

struct SqliteOptions {
  // FULL (default): durable against power loss. NORMAL is only for benchmarks that isolate the
  // fsync cost; never for a node.
  bool synchronous_full = true;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the store at `path` and migrates its schema. Unavailable if the file is
  // locked by another process; DataLoss if it is not a database or fails its integrity check;
  // FailedPrecondition if its schema is newer than this build.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   SqliteOptions options = {});
  ~SqliteStore() override;

  // The schema version this build writes.
  static int SchemaVersion();

  Status CreateLog(const LogKey& log, LogRole role) override;
  Result<std::vector<std::pair<LogKey, LogRole>>> Logs() override;
  Result<std::vector<uint64_t>> AppendEvents(const LogKey& log,
                                             std::span<const NewEvent> events) override;
  Status AppendMirror(const LogKey& log, uint64_t from_size, std::span<const NewEvent> entries,
                      const crypto::Digest& expected_root) override;
  Result<uint64_t> TreeSize(const LogKey& log) override;
  Result<crypto::Digest> RootHash(const LogKey& log, uint64_t tree_size) override;
  Result<std::vector<Bytes>> Leaves(const LogKey& log, uint64_t begin, uint64_t end) override;
  Result<uint64_t> FindEvent(const LogKey& log, const ledger::EventId& id) override;
  Result<std::vector<crypto::Digest>> NodeHashes(const LogKey& log, uint8_t level, uint64_t begin,
                                                 uint64_t end) override;
  Result<std::optional<Bytes>> Body(const LogKey& log, uint64_t index) override;
  Status PutBody(const LogKey& log, uint64_t index, ByteView body) override;
  Status ShredBody(const LogKey& log, uint64_t index) override;
  Status PutCheckpoint(const LogKey& log, const StoredCheckpoint& cp) override;
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint(const LogKey& log) override;
  Status PutCosignature(const LogKey& log, uint64_t tree_size,
                        const StoredCosignature& cosig) override;
  Result<std::vector<StoredCosignature>> Cosignatures(const LogKey& log,
                                                      uint64_t tree_size) override;
  Result<std::vector<StoredCosignature>> LatestCosignatures(const LogKey& log) override;
  Status PutFlag(const LogKey& log, uint64_t index, std::string_view reason) override;
  Result<std::vector<std::pair<uint64_t, std::string>>> Flags(const LogKey& log) override;
  Status PutAlarm(const StoredAlarm& alarm) override;
  Result<std::vector<StoredAlarm>> Alarms() override;
  Result<bool> PutNotification(const std::string& key, uint64_t at_ms,
                               const std::string& body) override;
  Result<std::vector<StoredNotification>> Notifications(uint64_t after_seq, size_t limit) override;

  class Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace entente::store
