#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "base/file.h"
#include "crypto/random.h"
#include "ledger/merkle.h"
#include "store/store_hash_source.h"
#include "testing/testdata.h"

namespace entente::store {
namespace {

using ledger::EventId;

LogKey Log(std::string origin = "USA") {
  return LogKey{ledger::SpaceId::FromHex("4e434700000000000000000000000001").value(),
                std::move(origin)};
}

NewEvent Event(uint64_t n) {
  NewEvent e;
  e.event_id = EventId(crypto::RandomArray<16>());
  e.header = ToBytes("header " + std::to_string(n));
  e.body = ToBytes("body " + std::to_string(n));
  return e;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (dir_.path() / "node.db").string();
    store_ = SqliteStore::Open(path_).value();
    ASSERT_TRUE(store_->CreateLog(Log(), LogRole::kOwn).has_value());
  }
  entente::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, AppendsAndMatchesInMemoryTreeAtEverySize) {
  ledger::MerkleTree reference;
  std::vector<NewEvent> events;
  for (uint64_t i = 0; i < 70; ++i) events.push_back(Event(i));
  // Uneven batches exercise node updates that span batches.
  size_t at = 0;
  for (size_t batch : {1, 2, 5, 13, 1, 48}) {
    auto indices = store_->AppendEvents(Log(), std::span(events).subspan(at, batch)).value();
    for (size_t i = 0; i < batch; ++i) EXPECT_EQ(indices[i], at + i);
    at += batch;
  }
  ASSERT_EQ(store_->TreeSize(Log()).value(), 70u);
  for (uint64_t size = 0; size <= 70; ++size) {
    if (size > 0) reference.AppendLeaf(events[size - 1].header);
    EXPECT_EQ(store_->RootHash(Log(), size).value(),
              ledger::RootHash(reference, ledger::TreeSize(size)).value())
        << "size " << size;
  }
  EXPECT_EQ(store_->Leaves(Log(), 3, 5).value(),
            (std::vector<Bytes>{events[3].header, events[4].header}));
  EXPECT_EQ(ToString(store_->Body(Log(), 7).value().value()), "body 7");
  EXPECT_EQ(store_->FindEvent(Log(), events[9].event_id).value(), 9u);
  EXPECT_FALSE(store_->RootHash(Log(), 71).has_value());
  EXPECT_FALSE(store_->Leaves(Log(), 69, 71).has_value());

  // Proofs from the store verify against the store's roots.
  StoreHashSource source(*store_, Log());
  auto proof = ledger::ProveInclusion(source, ledger::LeafIndex(17), ledger::TreeSize(70)).value();
  EXPECT_TRUE(ledger::VerifyInclusion(proof, ledger::HashLeaf(events[17].header),
                                      store_->RootHash(Log(), 70).value())
                  .has_value());
  auto consistency =
      ledger::ProveConsistency(source, ledger::TreeSize(21), ledger::TreeSize(70)).value();
  EXPECT_TRUE(ledger::VerifyConsistency(consistency, store_->RootHash(Log(), 21).value(),
                                        store_->RootHash(Log(), 70).value())
                  .has_value());
}

TEST_F(SqliteStoreTest, RetriedEventIsNotDuplicated) {
  NewEvent e = Event(1);
  EXPECT_EQ(store_->AppendEvents(Log(), std::span(&e, 1)).value()[0], 0u);
  NewEvent other = Event(2);
  EXPECT_EQ(store_->AppendEvents(Log(), std::span(&other, 1)).value()[0], 1u);
  EXPECT_EQ(store_->AppendEvents(Log(), std::span(&e, 1)).value()[0], 0u);  // retry
  EXPECT_EQ(store_->TreeSize(Log()).value(), 2u);

  // Same id, different bytes: refused, and nothing else in that call is appended.
  NewEvent forged = e;
  forged.header = ToBytes("forged");
  std::vector<NewEvent> batch = {Event(3), forged};
  auto r = store_->AppendEvents(Log(), batch);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->TreeSize(Log()).value(), 2u);
}

TEST_F(SqliteStoreTest, SurvivesReopen) {
  std::vector<NewEvent> events = {Event(0), Event(1), Event(2)};
  ASSERT_TRUE(store_->AppendEvents(Log(), events).has_value());
  auto root = store_->RootHash(Log(), 3).value();
  store_.reset();
  auto reopened = SqliteStore::Open(path_).value();
  EXPECT_EQ(reopened->TreeSize(Log()).value(), 3u);
  EXPECT_EQ(reopened->RootHash(Log(), 3).value(), root);
}

TEST_F(SqliteStoreTest, ShredRemovesBodyButKeepsLog) {
  std::vector<NewEvent> events = {Event(0), Event(1)};
  ASSERT_TRUE(store_->AppendEvents(Log(), events).has_value());
  auto root = store_->RootHash(Log(), 2).value();
  ASSERT_TRUE(store_->ShredBody(Log(), 0).has_value());
  ASSERT_TRUE(store_->ShredBody(Log(), 0).has_value());  // idempotent
  EXPECT_FALSE(store_->Body(Log(), 0).value().has_value());
  EXPECT_TRUE(store_->Body(Log(), 1).value().has_value());
  EXPECT_EQ(store_->RootHash(Log(), 2).value(), root);
  EXPECT_EQ(store_->Leaves(Log(), 0, 1).value()[0], events[0].header);
  EXPECT_EQ(store_->ShredBody(Log(), 5).error().code(), ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, MirrorAcceptsOnlyEntriesThatGiveTheSignedRoot) {
  LogKey mirror = Log("KOR");
  ASSERT_TRUE(store_->CreateLog(mirror, LogRole::kMirror).has_value());
  std::vector<NewEvent> entries = {Event(0), Event(1), Event(2)};
  for (auto& e : entries) e.body.reset();  // bodies come later, if released
  ledger::MerkleTree partner;
  for (const auto& e : entries) partner.AppendLeaf(e.header);
  auto root3 = ledger::RootHash(partner, ledger::TreeSize(3)).value();

  // A forged middle entry: refused, nothing stored.
  auto forged = entries;
  forged[1].header = ToBytes("rewritten history");
  auto bad = store_->AppendMirror(mirror, 0, forged, root3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->TreeSize(mirror).value(), 0u);

  ASSERT_TRUE(store_
                  ->AppendMirror(mirror, 0, std::span(entries).first(2),
                                 ledger::RootHash(partner, ledger::TreeSize(2)).value())
                  .has_value());
  // Wrong starting size (a gap or an overlap) is refused.
  EXPECT_FALSE(store_->AppendMirror(mirror, 1, std::span(entries).subspan(2), root3).has_value());
  ASSERT_TRUE(store_->AppendMirror(mirror, 2, std::span(entries).subspan(2), root3).has_value());
  EXPECT_EQ(store_->RootHash(mirror, 3).value(), root3);
  EXPECT_FALSE(store_->Body(mirror, 0).value().has_value());
  ASSERT_TRUE(store_->PutBody(mirror, 0, AsBytes("released body")).has_value());
  EXPECT_EQ(ToString(store_->Body(mirror, 0).value().value()), "released body");

  // Roles are enforced both ways.
  EXPECT_EQ(store_->AppendEvents(mirror, entries).error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->AppendMirror(Log(), 0, entries, root3).error().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->CreateLog(mirror, LogRole::kOwn).error().code(),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(store_->Logs().value().size(), 2u);
}

TEST_F(SqliteStoreTest, CheckpointsAndCosignatures) {
  EXPECT_FALSE(store_->LatestCheckpoint(Log()).value().has_value());
  ASSERT_TRUE(store_->PutCheckpoint(Log(), {1, "note one\n"}).has_value());
  ASSERT_TRUE(store_->PutCheckpoint(Log(), {5, "note five\n"}).has_value());
  ASSERT_TRUE(store_->PutCheckpoint(Log(), {3, "note three\n"}).has_value());
  EXPECT_EQ(store_->LatestCheckpoint(Log()).value()->tree_size, 5u);
  ASSERT_TRUE(
      store_->PutCosignature(Log(), 5, {"kor.example", "— kor.example AAAA\n"}).has_value());
  ASSERT_TRUE(
      store_->PutCosignature(Log(), 5, {"jpn.example", "— jpn.example BBBB\n"}).has_value());
  auto cosigs = store_->Cosignatures(Log(), 5).value();
  ASSERT_EQ(cosigs.size(), 2u);
  EXPECT_EQ(cosigs[0].cosigner, "jpn.example");
  EXPECT_TRUE(store_->Cosignatures(Log(), 4).value().empty());
}

TEST_F(SqliteStoreTest, EmptyBodyIsStoredAsEmptyNotMissing) {
  NewEvent e = Event(0);
  e.body = Bytes{};
  ASSERT_TRUE(store_->AppendEvents(Log(), std::span(&e, 1)).has_value());
  auto body = store_->Body(Log(), 0).value();
  ASSERT_TRUE(body.has_value());
  EXPECT_TRUE(body->empty());
}

TEST_F(SqliteStoreTest, NotificationsAreRecordedOncePerKeyAndSurviveReopen) {
  EXPECT_EQ(store_->PutNotification("escalation/c/KOR/0/0", 10, "{}").value(), true);
  EXPECT_EQ(store_->PutNotification("escalation/c/KOR/0/1", 20, "{\"a\":1}").value(), true);
  EXPECT_EQ(store_->PutNotification("escalation/c/KOR/0/0", 30, "{}").value(), false);
  store_.reset();
  store_ = SqliteStore::Open(path_).value();
  auto all = store_->Notifications(0, 10).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "escalation/c/KOR/0/0");
  EXPECT_EQ(all[0].at_ms, 10u);
  EXPECT_EQ(all[1].body, "{\"a\":1}");
  EXPECT_EQ(store_->Notifications(all[0].seq, 10).value().size(), 1u);
  EXPECT_TRUE(store_->Notifications(all[1].seq, 10).value().empty());
}

TEST_F(SqliteStoreTest, UnknownLogIsNotFound) {
  EXPECT_EQ(store_->TreeSize(Log("JPN")).error().code(), ErrorCode::kNotFound);
  NewEvent e = Event(0);
  EXPECT_EQ(store_->AppendEvents(Log("JPN"), std::span(&e, 1)).error().code(),
            ErrorCode::kNotFound);
}

TEST(SqliteStoreOpen, RefusesANewerSchema) {
  entente::testing::TempDir dir;
  std::string path = (dir.path() / "node.db").string();
  { ASSERT_TRUE(SqliteStore::Open(path).has_value()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto r = SqliteStore::Open(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message().find("schema version 99"), std::string::npos);
}

TEST(SqliteStoreOpen, RefusesAFileThatIsNotADatabase) {
  entente::testing::TempDir dir;
  std::string path = (dir.path() / "node.db").string();
  ASSERT_TRUE(WriteFileAtomic(path, Bytes(4096, 0x5a), 0600, false).has_value());
  auto r = SqliteStore::Open(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kDataLoss);
}

}  // namespace
}  // namespace entente::store
