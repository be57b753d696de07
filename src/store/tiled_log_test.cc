#include "store/tiled_log.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/file.h"
#include "ledger/note.h"
#include "ledger/tiles.h"
#include "store/checkpointer.h"
#include "store/sqlite_store.h"
#include "testing/sample_node.h"
#include "testing/testdata.h"

namespace entente::store {
namespace {

namespace fs = std::filesystem;

class TiledLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_dir_ = (dir_.path() / "node").string();
    out_dir_ = (dir_.path() / "out").string();
    sample_ = entente::testing::MakeSampleNode(node_dir_, 600).value();
    db_ = SqliteStore::Open(node_dir_ + "/node.db").value();
  }
  VerifyOptions Options(bool with_cosigner = true) {
    VerifyOptions o{ledger::Verifier::Parse(sample_.node_vkey).value(), {}, std::nullopt};
    if (with_cosigner)
      o.cosigners.push_back(ledger::Verifier::Parse(sample_.cosigner_vkey).value());
    return o;
  }
  void Flip(const std::string& relative, size_t offset) {
    std::string path = out_dir_ + "/" + relative;
    Bytes data = ReadFile(path).value();
    data.at(offset) ^= 0x01;
    ASSERT_TRUE(WriteFileAtomic(path, data, 0644, false).has_value());
  }
  entente::testing::TempDir dir_;
  std::string node_dir_, out_dir_;
  entente::testing::SampleNode sample_;
  std::unique_ptr<SqliteStore> db_;
};

TEST_F(TiledLogTest, ExportedLogVerifies) {
  auto exported = ExportTiledLog(*db_, sample_.log, out_dir_).value();
  EXPECT_EQ(exported.tree_size, 600u);
  // 600 leaves: level 0 has tiles 0, 1 (full) and 2.p/88; level 1 has 0.p/2.
  EXPECT_EQ(exported.tiles, 4u);
  EXPECT_EQ(exported.bundles, 3u);
  EXPECT_TRUE(fs::exists(out_dir_ + "/tile/0/002.p/88"));
  EXPECT_TRUE(fs::exists(out_dir_ + "/tile/1/000.p/2"));
  EXPECT_TRUE(fs::exists(out_dir_ + "/tile/entries/001"));

  VerifyOptions options = Options();
  options.since_checkpoint = sample_.first_checkpoint;
  auto verified = VerifyTiledLog(out_dir_, options).value();
  EXPECT_EQ(verified.tree_size, 600u);
  EXPECT_EQ(verified.entries, 600u);
  EXPECT_EQ(verified.tiles, 4u);
  EXPECT_EQ(verified.consistent_with, 300u);
  EXPECT_EQ(verified.root, db_->RootHash(sample_.log, 600).value());
}

TEST_F(TiledLogTest, TamperedTileIsCaught) {
  ASSERT_TRUE(ExportTiledLog(*db_, sample_.log, out_dir_).has_value());
  Flip("tile/0/001", 100);
  auto r = VerifyTiledLog(out_dir_, Options());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message().find("tile/0/001"), std::string::npos) << r.error().message();
}

TEST_F(TiledLogTest, TamperedEntryIsCaught) {
  ASSERT_TRUE(ExportTiledLog(*db_, sample_.log, out_dir_).has_value());
  Flip("tile/entries/000", 40);
  auto r = VerifyTiledLog(out_dir_, Options());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("tile/entries/000"), std::string::npos) << r.error().message();
}

TEST_F(TiledLogTest, MissingCosignatureOrWrongKeyFails) {
  ASSERT_TRUE(ExportTiledLog(*db_, sample_.log, out_dir_).has_value());
  VerifyOptions options = Options();
  options.cosigners.push_back(ledger::Verifier::Create("jpn-node.example",
                                                       ledger::NoteKeyType::kCosignatureV1,
                                                       crypto::SigningKey::Generate().public_key())
                                  .value());
  auto r = VerifyTiledLog(out_dir_, options);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("lacks a cosignature"), std::string::npos)
      << r.error().message();

  VerifyOptions wrong = Options();
  wrong.log_key =
      CheckpointVerifier(sample_.log, crypto::SigningKey::Generate().public_key()).value();
  EXPECT_FALSE(VerifyTiledLog(out_dir_, wrong).has_value());
}

TEST_F(TiledLogTest, ForkedOlderCheckpointIsInconsistent) {
  ASSERT_TRUE(ExportTiledLog(*db_, sample_.log, out_dir_).has_value());
  // The same key signs a checkpoint of size 300 with another root: a fork.
  ledger::Checkpoint fork;
  fork.origin = ledger::EntenteOrigin(sample_.log.space.view(), "USA").value();
  fork.size = ledger::TreeSize(300);
  fork.root = crypto::Sha256(AsBytes("another history"));
  VerifyOptions options = Options();
  options.since_checkpoint =
      ledger::SignCheckpoint(fork, entente::testing::SampleNodeKey()).value();
  auto r = VerifyTiledLog(out_dir_, options);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(r.error().message().find("not consistent"), std::string::npos);
}

TEST_F(TiledLogTest, MissingFileIsNamed) {
  ASSERT_TRUE(ExportTiledLog(*db_, sample_.log, out_dir_).has_value());
  fs::remove(out_dir_ + "/tile/entries/002.p/88");
  auto r = VerifyTiledLog(out_dir_, Options());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.error().message().find("002.p/88"), std::string::npos);
}

TEST_F(TiledLogTest, CosignatureMustVerify) {
  auto cosigner = ledger::Verifier::Parse(sample_.cosigner_vkey).value();
  auto latest = db_->LatestCheckpoint(sample_.log).value().value();
  auto note = ledger::Note::Parse(latest.note).value();
  auto checkpoint = ledger::Checkpoint::Parse(note.text).value();
  // Signed by another key under the cosigner's name: refused, not stored.
  auto forged =
      ledger::Cosign(checkpoint, cosigner.name(), crypto::SigningKey::Generate(), 1).value();
  forged.key_id = cosigner.key_id();
  auto r = AddCosignature(*db_, sample_.log, latest.tree_size, cosigner, forged);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace entente::store
