// The SQLite store. Schema (version 1; docs/formats/store.md):
//
//   logs(log_id PK, space_id BLOB, origin TEXT, role INT, tree_size INT)
//   leaves(log_id, idx, event_id BLOB, header BLOB)           PK (log_id, idx); UNIQUE (log_id,
//   event_id) bodies(log_id, idx, body BLOB)                             PK (log_id, idx)
//   nodes(log_id, level, idx, hash BLOB)                       PK (log_id, level, idx)
//   checkpoints(log_id, tree_size, note TEXT)                  PK (log_id, tree_size)
//   cosignatures(log_id, tree_size, cosigner TEXT, line TEXT)  PK (log_id, tree_size, cosigner)
//
// `nodes` holds the hash of every complete subtree: level 0 are leaf hashes SHA-256(0x00 ||
// header), level L index i covers leaves [i*2^L, (i+1)*2^L) (RFC 9162 §2.1.1). Appending leaf n
// inserts its hash and, while n's index at a level is odd, the parent of it and its left
// sibling. The root of any size is the right-to-left fold of the complete subtrees its binary
// decomposition names, so roots and proofs need O(log n) point reads, never the whole tree.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <map>
#include <mutex>

#include "ledger/merkle.h"

namespace entente::store {
namespace {

constexpr int kSchemaVersion = 3;
constexpr uint64_t kMaxRange = 1 << 16;  // leaves or hashes per read

// Migration i takes the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE logs(
  log_id INTEGER PRIMARY KEY,
  space_id BLOB NOT NULL,
  origin TEXT NOT NULL,
  role INTEGER NOT NULL,
  tree_size INTEGER NOT NULL DEFAULT 0,
  UNIQUE(space_id, origin));
CREATE TABLE leaves(
  log_id INTEGER NOT NULL, idx INTEGER NOT NULL, event_id BLOB NOT NULL, header BLOB NOT NULL,
  PRIMARY KEY(log_id, idx)) WITHOUT ROWID;
CREATE UNIQUE INDEX leaves_by_event ON leaves(log_id, event_id);
CREATE TABLE bodies(
  log_id INTEGER NOT NULL, idx INTEGER NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY(log_id, idx)) WITHOUT ROWID;
CREATE TABLE nodes(
  log_id INTEGER NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY(log_id, level, idx)) WITHOUT ROWID;
CREATE TABLE checkpoints(
  log_id INTEGER NOT NULL, tree_size INTEGER NOT NULL, note TEXT NOT NULL,
  PRIMARY KEY(log_id, tree_size)) WITHOUT ROWID;
CREATE TABLE cosignatures(
  log_id INTEGER NOT NULL, tree_size INTEGER NOT NULL, cosigner TEXT NOT NULL, line TEXT NOT NULL,
  PRIMARY KEY(log_id, tree_size, cosigner)) WITHOUT ROWID;
)sql",
    // 1 -> 2: federation (docs/formats/store.md, "Version 2").
    R"sql(
CREATE TABLE flags(
  log_id INTEGER NOT NULL, idx INTEGER NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY(log_id, idx)) WITHOUT ROWID;
CREATE TABLE alarms(
  alarm_id INTEGER PRIMARY KEY, log_id INTEGER NOT NULL, at_ms INTEGER NOT NULL,
  evidence TEXT NOT NULL);
)sql",
    // 2 -> 3: consultation timers (docs/formats/store.md, "Version 3").
    R"sql(
CREATE TABLE notifications(
  seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, at_ms INTEGER NOT NULL, body TEXT NOT NULL);
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// A prepared statement; reset and cleared by each Bind round. Not thread-safe.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, ByteView v) {
    // An empty view may have a null data pointer, which SQLite would bind as NULL.
    static constexpr uint8_t kEmpty = 0;
    sqlite3_bind_blob64(stmt_, i, v.empty() ? &kEmpty : v.data(), v.size(), SQLITE_STATIC);
    return *this;
  }
  Statement& Bind(int i, std::string_view v) {
    sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  Bytes Blob(int col) {
    auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
    return Bytes(p, p + sqlite3_column_bytes(stmt_, col));
  }
  std::string Text(int col) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::unexpected<Error> SqlError(sqlite3* db, std::string_view what) {
  int code = sqlite3_errcode(db);
  std::string message = "store: " + std::string(what) + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Unavailable(message);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return DataLoss(message);
  if (code == SQLITE_FULL || code == SQLITE_NOMEM) return ResourceExhausted(message);
  return Internal(message);
}

std::string LogName(const LogKey& log) { return log.space.ToHex() + "/" + log.origin; }

}  // namespace

class SqliteStore::Impl {
 public:
  explicit Impl(sqlite3* db) : db_(db) {}
  ~Impl() {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  sqlite3* db() { return db_; }
  std::mutex mu;

  Status Exec(const char* sql, std::string_view what) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return SqlError(db_, what);
    return {};
  }

  // Returns the cached prepared statement for `sql` (a string literal), reset.
  Result<Statement*> Prepare(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      auto stmt = std::make_unique<Statement>(db_, sql);
      if (!stmt->ok()) return SqlError(db_, "prepare");
      it = statements_.emplace(sql, std::move(stmt)).first;
    }
    return &it->second->Reset();
  }

  struct LogRow {
    int64_t id;
    LogRole role;
    uint64_t tree_size;
  };

  Result<LogRow> FindLog(const LogKey& log) {
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s,
        Prepare("SELECT log_id, role, tree_size FROM logs WHERE space_id=? AND origin=?"));
    s->Bind(1, log.space.view()).Bind(2, log.origin);
    int rc = s->Step();
    if (rc == SQLITE_DONE) return NotFound("store: no log " + LogName(log));
    if (rc != SQLITE_ROW) return SqlError(db_, "find log");
    return LogRow{s->Int(0), static_cast<LogRole>(s->Int(1)), static_cast<uint64_t>(s->Int(2))};
  }

  Result<crypto::Digest> Node(int64_t log_id, uint8_t level, uint64_t index) {
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s, Prepare("SELECT hash FROM nodes WHERE log_id=? AND level=? AND idx=?"));
    s->Bind(1, log_id).Bind(2, int64_t{level}).Bind(3, static_cast<int64_t>(index));
    int rc = s->Step();
    if (rc == SQLITE_DONE) {
      return DataLoss("store: missing tree node " + std::to_string(level) + "/" +
                      std::to_string(index));
    }
    if (rc != SQLITE_ROW) return SqlError(db_, "read node");
    Bytes hash = s->Blob(0);
    if (hash.size() != 32) return DataLoss("store: corrupt tree node");
    return ToArray<32>(hash);
  }

  Status PutNode(int64_t log_id, uint8_t level, uint64_t index, const crypto::Digest& hash) {
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s, Prepare("INSERT INTO nodes(log_id, level, idx, hash) VALUES(?,?,?,?)"));
    s->Bind(1, log_id)
        .Bind(2, int64_t{level})
        .Bind(3, static_cast<int64_t>(index))
        .Bind(4, ByteView(hash));
    if (s->Step() != SQLITE_DONE) return SqlError(db_, "write node");
    return {};
  }

  // A view of one log's stored node hashes, for the ledger's tree math. Used only while `mu`
  // is held by the caller.
  class Nodes final : public ledger::HashSource {
   public:
    Nodes(Impl& impl, int64_t log_id) : impl_(impl), log_id_(log_id) {}
    Result<ledger::Hash> NodeHash(ledger::NodeId id) const override {
      return impl_.Node(log_id_, id.level, id.index);
    }

   private:
    Impl& impl_;
    int64_t log_id_;
  };

  // RFC 9162 §2.1.1 MTH of the first `size` leaves, from stored complete subtrees.
  Result<crypto::Digest> Root(int64_t log_id, uint64_t size) {
    return ledger::RootHash(Nodes(*this, log_id), ledger::TreeSize(size));
  }

  // Appends leaves to a log inside an open transaction, updating nodes and tree_size.
  Result<std::vector<uint64_t>> AppendLeaves(const LogRow& row, std::span<const NewEvent> events,
                                             bool dedupe) {
    std::vector<uint64_t> indices;
    indices.reserve(events.size());
    uint64_t size = row.tree_size;
    for (const NewEvent& e : events) {
      if (dedupe) {
        ENTENTE_ASSIGN_OR_RETURN(
            Statement * find,
            Prepare("SELECT idx, header FROM leaves WHERE log_id=? AND event_id=?"));
        find->Bind(1, row.id).Bind(2, e.event_id.view());
        int rc = find->Step();
        if (rc == SQLITE_ROW) {
          if (!Equal(find->Blob(1), e.header)) {
            return AlreadyExists("store: event " + e.event_id.ToHex() +
                                 " is already in the log with different contents");
          }
          indices.push_back(static_cast<uint64_t>(find->Int(0)));
          continue;
        }
        if (rc != SQLITE_DONE) return SqlError(db_, "find event");
      }
      ENTENTE_ASSIGN_OR_RETURN(
          Statement * leaf,
          Prepare("INSERT INTO leaves(log_id, idx, event_id, header) VALUES(?,?,?,?)"));
      leaf->Bind(1, row.id)
          .Bind(2, static_cast<int64_t>(size))
          .Bind(3, e.event_id.view())
          .Bind(4, ByteView(e.header));
      int rc = leaf->Step();
      if (rc == SQLITE_CONSTRAINT) {
        return AlreadyExists("store: event " + e.event_id.ToHex() + " appears twice");
      }
      if (rc != SQLITE_DONE) return SqlError(db_, "write leaf");
      if (e.body) {
        ENTENTE_ASSIGN_OR_RETURN(Statement * body,
                                 Prepare("INSERT INTO bodies(log_id, idx, body) VALUES(?,?,?)"));
        body->Bind(1, row.id).Bind(2, static_cast<int64_t>(size)).Bind(3, ByteView(*e.body));
        if (body->Step() != SQLITE_DONE) return SqlError(db_, "write body");
      }
      crypto::Digest hash = ledger::HashLeaf(e.header);
      ENTENTE_RETURN_IF_ERROR(PutNode(row.id, 0, size, hash));
      uint64_t index = size;
      for (uint8_t level = 0; index & 1; ++level) {
        ENTENTE_ASSIGN_OR_RETURN(crypto::Digest left, Node(row.id, level, index - 1));
        hash = ledger::HashChildren(left, hash);
        index >>= 1;
        ENTENTE_RETURN_IF_ERROR(PutNode(row.id, static_cast<uint8_t>(level + 1), index, hash));
      }
      indices.push_back(size);
      ++size;
    }
    ENTENTE_ASSIGN_OR_RETURN(Statement * update,
                             Prepare("UPDATE logs SET tree_size=? WHERE log_id=?"));
    update->Bind(1, static_cast<int64_t>(size)).Bind(2, row.id);
    if (update->Step() != SQLITE_DONE) return SqlError(db_, "update tree size");
    return indices;
  }

  // After a failed statement: the transaction's own error is what the caller needs, so a
  // failure to roll back (the connection is then unusable anyway) is not reported over it.
  void RollBack() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  // Runs `body` in a write transaction; commits on success (durably: synchronous=FULL),
  // rolls back on error.
  template <class F>
  auto InTransaction(F&& body) -> decltype(body()) {
    if (auto begin = Exec("BEGIN IMMEDIATE", "begin"); !begin)
      return std::unexpected(begin.error());
    auto result = body();
    if (!result) {
      RollBack();
      return result;
    }
    if (auto commit = Exec("COMMIT", "commit"); !commit) {
      RollBack();
      return std::unexpected(commit.error());
    }
    return result;
  }

 private:
  sqlite3* db_;
  std::map<const char*, std::unique_ptr<Statement>> statements_;
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

int SqliteStore::SchemaVersion() { return kSchemaVersion; }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       SqliteOptions options) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto impl = std::make_unique<Impl>(raw);
  if (rc != SQLITE_OK) return SqlError(raw, "open " + path);
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 0);
  ENTENTE_RETURN_IF_ERROR(impl->Exec("PRAGMA journal_mode=WAL", "enable WAL"));
  ENTENTE_RETURN_IF_ERROR(
      impl->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                 "set synchronous"));
  ENTENTE_RETURN_IF_ERROR(impl->Exec("PRAGMA foreign_keys=ON", "pragma"));

  ENTENTE_ASSIGN_OR_RETURN(Statement * version, impl->Prepare("PRAGMA user_version"));
  if (version->Step() != SQLITE_ROW)
    return SqlError(raw, "read schema version (is " + path + " a database?)");
  int64_t current = version->Int(0);
  version->Reset();
  if (current > kSchemaVersion) {
    return FailedPrecondition("store " + path + ": schema version " + std::to_string(current) +
                              " is newer than this build's " + std::to_string(kSchemaVersion) +
                              "; upgrade entente");
  }
  for (int64_t v = current; v < kSchemaVersion; ++v) {
    auto migrated = impl->InTransaction([&]() -> Status {
      ENTENTE_RETURN_IF_ERROR(impl->Exec(kMigrations[v], "migrate schema"));
      std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
      return impl->Exec(set.c_str(), "set schema version");
    });
    if (!migrated) return std::unexpected(migrated.error());
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

Status SqliteStore::CreateLog(const LogKey& log, LogRole role) {
  std::lock_guard lock(impl_->mu);
  auto existing = impl_->FindLog(log);
  if (existing) {
    if (existing->role != role)
      return FailedPrecondition("store: log " + LogName(log) + " exists with another role");
    return {};
  }
  if (existing.error().code() != ErrorCode::kNotFound) return std::unexpected(existing.error());
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s, impl_->Prepare("INSERT INTO logs(space_id, origin, role) VALUES(?,?,?)"));
    s->Bind(1, log.space.view()).Bind(2, log.origin).Bind(3, static_cast<int64_t>(role));
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "create log");
    return {};
  });
}

Result<std::vector<std::pair<LogKey, LogRole>>> SqliteStore::Logs() {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(
      Statement * s,
      impl_->Prepare("SELECT space_id, origin, role FROM logs ORDER BY space_id, origin"));
  std::vector<std::pair<LogKey, LogRole>> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    ENTENTE_ASSIGN_OR_RETURN(auto space, ledger::SpaceId::FromBytes(s->Blob(0)));
    out.emplace_back(LogKey{space, s->Text(1)}, static_cast<LogRole>(s->Int(2)));
  }
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "list logs");
  return out;
}

Result<std::vector<uint64_t>> SqliteStore::AppendEvents(const LogKey& log,
                                                        std::span<const NewEvent> events) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Result<std::vector<uint64_t>> {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    if (row.role != LogRole::kOwn)
      return FailedPrecondition("store: " + LogName(log) +
                                " is a mirror; it is appended only by mirroring");
    return impl_->AppendLeaves(row, events, /*dedupe=*/true);
  });
}

Status SqliteStore::AppendMirror(const LogKey& log, uint64_t from_size,
                                 std::span<const NewEvent> entries,
                                 const crypto::Digest& expected_root) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    if (row.role != LogRole::kMirror)
      return FailedPrecondition("store: " + LogName(log) + " is this node's own log, not a mirror");
    if (row.tree_size != from_size) {
      return FailedPrecondition("store: mirror " + LogName(log) + " holds " +
                                std::to_string(row.tree_size) + " entries, not " +
                                std::to_string(from_size));
    }
    ENTENTE_RETURN_IF_ERROR(impl_->AppendLeaves(row, entries, /*dedupe=*/false));
    ENTENTE_ASSIGN_OR_RETURN(crypto::Digest root, impl_->Root(row.id, from_size + entries.size()));
    if (root != expected_root) {
      return FailedPrecondition("store: mirror " + LogName(log) + ": entries " +
                                std::to_string(from_size) + ".." +
                                std::to_string(from_size + entries.size()) +
                                " do not give the signed root; nothing stored");
    }
    return {};
  });
}

Result<uint64_t> SqliteStore::TreeSize(const LogKey& log) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  return row.tree_size;
}

Result<crypto::Digest> SqliteStore::RootHash(const LogKey& log, uint64_t tree_size) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  if (tree_size > row.tree_size) {
    return InvalidArgument("store: tree size " + std::to_string(tree_size) + " beyond the log's " +
                           std::to_string(row.tree_size));
  }
  return impl_->Root(row.id, tree_size);
}

Result<std::vector<Bytes>> SqliteStore::Leaves(const LogKey& log, uint64_t begin, uint64_t end) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  if (begin > end || end > row.tree_size || end - begin > kMaxRange) {
    return InvalidArgument("store: leaf range [" + std::to_string(begin) + ", " +
                           std::to_string(end) + ") invalid for a log of " +
                           std::to_string(row.tree_size));
  }
  ENTENTE_ASSIGN_OR_RETURN(
      Statement * s,
      impl_->Prepare("SELECT header FROM leaves WHERE log_id=? AND idx>=? AND idx<? ORDER BY idx"));
  s->Bind(1, row.id).Bind(2, static_cast<int64_t>(begin)).Bind(3, static_cast<int64_t>(end));
  std::vector<Bytes> out;
  out.reserve(end - begin);
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.push_back(s->Blob(0));
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read leaves");
  if (out.size() != end - begin) return DataLoss("store: leaves missing in " + LogName(log));
  return out;
}

Result<uint64_t> SqliteStore::FindEvent(const LogKey& log, const ledger::EventId& id) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                           impl_->Prepare("SELECT idx FROM leaves WHERE log_id=? AND event_id=?"));
  s->Bind(1, row.id).Bind(2, id.view());
  int rc = s->Step();
  if (rc == SQLITE_DONE) return NotFound("store: no event " + id.ToHex() + " in " + LogName(log));
  if (rc != SQLITE_ROW) return SqlError(impl_->db(), "find event");
  return static_cast<uint64_t>(s->Int(0));
}

Result<std::vector<crypto::Digest>> SqliteStore::NodeHashes(const LogKey& log, uint8_t level,
                                                            uint64_t begin, uint64_t end) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  uint64_t complete = level >= 64 ? 0 : row.tree_size >> level;
  if (begin > end || end > complete || end - begin > kMaxRange) {
    return InvalidArgument("store: no complete subtrees [" + std::to_string(begin) + ", " +
                           std::to_string(end) + ") at level " + std::to_string(level));
  }
  ENTENTE_ASSIGN_OR_RETURN(
      Statement * s,
      impl_->Prepare(
          "SELECT hash FROM nodes WHERE log_id=? AND level=? AND idx>=? AND idx<? ORDER BY idx"));
  s->Bind(1, row.id)
      .Bind(2, int64_t{level})
      .Bind(3, static_cast<int64_t>(begin))
      .Bind(4, static_cast<int64_t>(end));
  std::vector<crypto::Digest> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    Bytes h = s->Blob(0);
    if (h.size() != 32) return DataLoss("store: corrupt tree node");
    out.push_back(ToArray<32>(h));
  }
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read nodes");
  if (out.size() != end - begin) return DataLoss("store: tree nodes missing in " + LogName(log));
  return out;
}

Result<std::optional<Bytes>> SqliteStore::Body(const LogKey& log, uint64_t index) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  if (index >= row.tree_size)
    return NotFound("store: no leaf " + std::to_string(index) + " in " + LogName(log));
  ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                           impl_->Prepare("SELECT body FROM bodies WHERE log_id=? AND idx=?"));
  s->Bind(1, row.id).Bind(2, static_cast<int64_t>(index));
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return SqlError(impl_->db(), "read body");
  return std::optional<Bytes>(s->Blob(0));
}

Status SqliteStore::PutBody(const LogKey& log, uint64_t index, ByteView body) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    if (index >= row.tree_size)
      return NotFound("store: no leaf " + std::to_string(index) + " in " + LogName(log));
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s,
        impl_->Prepare("INSERT OR REPLACE INTO bodies(log_id, idx, body) VALUES(?,?,?)"));
    s->Bind(1, row.id).Bind(2, static_cast<int64_t>(index)).Bind(3, body);
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "write body");
    return {};
  });
}

Status SqliteStore::ShredBody(const LogKey& log, uint64_t index) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    if (index >= row.tree_size)
      return NotFound("store: no leaf " + std::to_string(index) + " in " + LogName(log));
    ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                             impl_->Prepare("DELETE FROM bodies WHERE log_id=? AND idx=?"));
    s->Bind(1, row.id).Bind(2, static_cast<int64_t>(index));
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "shred body");
    return {};
  });
}

Status SqliteStore::PutCheckpoint(const LogKey& log, const StoredCheckpoint& cp) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s,
        impl_->Prepare("INSERT OR IGNORE INTO checkpoints(log_id, tree_size, note) VALUES(?,?,?)"));
    s->Bind(1, row.id).Bind(2, static_cast<int64_t>(cp.tree_size)).Bind(3, cp.note);
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "write checkpoint");
    return {};
  });
}

Result<std::optional<StoredCheckpoint>> SqliteStore::LatestCheckpoint(const LogKey& log) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                           impl_->Prepare("SELECT tree_size, note FROM checkpoints WHERE log_id=? "
                                          "ORDER BY tree_size DESC LIMIT 1"));
  s->Bind(1, row.id);
  int rc = s->Step();
  if (rc == SQLITE_DONE) return std::optional<StoredCheckpoint>();
  if (rc != SQLITE_ROW) return SqlError(impl_->db(), "read checkpoint");
  return std::optional<StoredCheckpoint>(
      StoredCheckpoint{static_cast<uint64_t>(s->Int(0)), s->Text(1)});
}

Status SqliteStore::PutCosignature(const LogKey& log, uint64_t tree_size,
                                   const StoredCosignature& cosig) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                             impl_->Prepare("INSERT OR REPLACE INTO cosignatures(log_id, "
                                            "tree_size, cosigner, line) VALUES(?,?,?,?)"));
    s->Bind(1, row.id)
        .Bind(2, static_cast<int64_t>(tree_size))
        .Bind(3, cosig.cosigner)
        .Bind(4, cosig.line);
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "write cosignature");
    return {};
  });
}

Result<std::vector<StoredCosignature>> SqliteStore::Cosignatures(const LogKey& log,
                                                                 uint64_t tree_size) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                           impl_->Prepare("SELECT cosigner, line FROM cosignatures WHERE log_id=? "
                                          "AND tree_size=? ORDER BY cosigner"));
  s->Bind(1, row.id).Bind(2, static_cast<int64_t>(tree_size));
  std::vector<StoredCosignature> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.push_back({s->Text(0), s->Text(1)});
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read cosignatures");
  return out;
}

Result<std::vector<StoredCosignature>> SqliteStore::LatestCosignatures(const LogKey& log) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  ENTENTE_ASSIGN_OR_RETURN(
      Statement * s,
      impl_->Prepare("SELECT c.cosigner, c.line, c.tree_size FROM cosignatures c WHERE c.log_id=? "
                     "AND c.tree_size=(SELECT MAX(tree_size) FROM cosignatures d WHERE "
                     "d.log_id=c.log_id AND d.cosigner=c.cosigner) ORDER BY c.cosigner"));
  s->Bind(1, row.id);
  std::vector<StoredCosignature> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    out.push_back({s->Text(0), s->Text(1), static_cast<uint64_t>(s->Int(2))});
  }
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read cosignatures");
  return out;
}

Status SqliteStore::PutFlag(const LogKey& log, uint64_t index, std::string_view reason) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s,
        impl_->Prepare("INSERT OR REPLACE INTO flags(log_id, idx, reason) VALUES(?,?,?)"));
    s->Bind(1, row.id).Bind(2, static_cast<int64_t>(index)).Bind(3, reason);
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "write flag");
    return {};
  });
}

Result<std::vector<std::pair<uint64_t, std::string>>> SqliteStore::Flags(const LogKey& log) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(log));
  ENTENTE_ASSIGN_OR_RETURN(
      Statement * s, impl_->Prepare("SELECT idx, reason FROM flags WHERE log_id=? ORDER BY idx"));
  s->Bind(1, row.id);
  std::vector<std::pair<uint64_t, std::string>> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) out.emplace_back(s->Int(0), s->Text(1));
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read flags");
  return out;
}

Status SqliteStore::PutAlarm(const StoredAlarm& alarm) {
  std::lock_guard lock(impl_->mu);
  return impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(Impl::LogRow row, impl_->FindLog(alarm.log));
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s, impl_->Prepare("INSERT INTO alarms(log_id, at_ms, evidence) VALUES(?,?,?)"));
    s->Bind(1, row.id).Bind(2, static_cast<int64_t>(alarm.at_ms)).Bind(3, alarm.evidence);
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "write alarm");
    return {};
  });
}

Result<std::vector<StoredAlarm>> SqliteStore::Alarms() {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(
      Statement * s,
      impl_->Prepare("SELECT l.space_id, l.origin, a.at_ms, a.evidence FROM alarms a JOIN logs l "
                     "ON l.log_id=a.log_id ORDER BY a.alarm_id"));
  std::vector<StoredAlarm> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    auto space = ledger::SpaceId::FromBytes(s->Blob(0));
    if (!space) return DataLoss("alarms: a log has a malformed space id");
    out.push_back({{*space, s->Text(1)}, static_cast<uint64_t>(s->Int(2)), s->Text(3)});
  }
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read alarms");
  return out;
}

Result<bool> SqliteStore::PutNotification(const std::string& key, uint64_t at_ms,
                                          const std::string& body) {
  std::lock_guard lock(impl_->mu);
  bool inserted = false;
  ENTENTE_RETURN_IF_ERROR(impl_->InTransaction([&]() -> Status {
    ENTENTE_ASSIGN_OR_RETURN(
        Statement * s,
        impl_->Prepare("INSERT OR IGNORE INTO notifications(key, at_ms, body) VALUES(?,?,?)"));
    s->Bind(1, key).Bind(2, static_cast<int64_t>(at_ms)).Bind(3, body);
    if (s->Step() != SQLITE_DONE) return SqlError(impl_->db(), "write notification");
    inserted = sqlite3_changes(impl_->db()) > 0;
    return {};
  }));
  return inserted;
}

Result<std::vector<StoredNotification>> SqliteStore::Notifications(uint64_t after_seq,
                                                                   size_t limit) {
  std::lock_guard lock(impl_->mu);
  ENTENTE_ASSIGN_OR_RETURN(Statement * s,
                           impl_->Prepare("SELECT seq, key, at_ms, body FROM notifications WHERE "
                                          "seq > ? ORDER BY seq LIMIT ?"));
  s->Bind(1, static_cast<int64_t>(after_seq)).Bind(2, static_cast<int64_t>(limit));
  std::vector<StoredNotification> out;
  int rc;
  while ((rc = s->Step()) == SQLITE_ROW) {
    out.push_back({static_cast<uint64_t>(s->Int(0)), s->Text(1), static_cast<uint64_t>(s->Int(2)),
                   s->Text(3)});
  }
  if (rc != SQLITE_DONE) return SqlError(impl_->db(), "read notifications");
  return out;
}

}  // namespace entente::store
