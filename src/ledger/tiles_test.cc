#include "ledger/tiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "base/encoding.h"

namespace entente::ledger {
namespace {

TEST(TilePath, EncodesIndexInThreeDigitGroups) {
  // The examples of c2sp.org/tlog-tiles.
  EXPECT_EQ(TilePath({0, 1234067, kTileWidth}), "tile/0/x001/x234/067");
  EXPECT_EQ(TilePath({0, 0, kTileWidth}), "tile/0/000");
  EXPECT_EQ(TilePath({2, 1000, kTileWidth}), "tile/2/x001/000");
  EXPECT_EQ(TilePath({1, 5, 17}), "tile/1/005.p/17");
  EXPECT_EQ(TilePath({63, 999, 255}), "tile/63/999.p/255");
  EXPECT_EQ(BundlePath({1234067, kTileWidth}), "tile/entries/x001/x234/067");
  EXPECT_EQ(BundlePath({7, 3}), "tile/entries/007.p/3");
  EXPECT_EQ(TilePath({0, UINT64_MAX, kTileWidth}), "tile/0/x018/x446/x744/x073/x709/x551/615");
}

TEST(TilePath, ParsesWhatItWritesAndNothingElse) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    uint64_t index = rng() >> (rng() % 64);
    uint32_t width = i % 3 == 0 ? kTileWidth : 1 + static_cast<uint32_t>(rng() % 255);
    TileId tile{static_cast<uint8_t>(rng() % 64), index, width};
    auto parsed = ParseTilePath(TilePath(tile));
    ASSERT_TRUE(parsed.has_value()) << TilePath(tile) << ": " << parsed.error().ToString();
    ASSERT_EQ(std::get<TileId>(*parsed), tile);
    BundleId bundle{index, width};
    auto parsed_bundle = ParseTilePath(BundlePath(bundle));
    ASSERT_TRUE(parsed_bundle.has_value()) << BundlePath(bundle);
    ASSERT_EQ(std::get<BundleId>(*parsed_bundle), bundle);
  }
  for (std::string_view bad : {
           "",
           "tile",
           "tile/",
           "tile/0",
           "tile/0/",
           "tiles/0/000",
           "/tile/0/000",
           "tile//000",
           "tile/00/000",  // leading zero in L
           "tile/64/000",
           "tile/-1/000",
           "tile/a/000",  // L out of range
           "tile/0/1",
           "tile/0/01",
           "tile/0/0000",      // groups are three digits
           "tile/0/x000/001",  // non-canonical leading group
           "tile/0/001/002",
           "tile/0/x01/002",  // groups before the last start with x
           "tile/0/x001",
           "tile/0/abc",
           "tile/0/000/",  // last group has no x; digits only
           "tile/0/000.p/0",
           "tile/0/000.p/256",  // W is 1..255
           "tile/0/000.p/012",
           "tile/0/000.p/",
           "tile/0/000.p",
           "tile/0/000.p/1x",
           "tile/0/000.q/12",
           "tile/0/000.p/1/2",
           "tile/entries/000.p/5/6",
           "tile/0/x018/x446/x744/x073/x709/x551/616",       // index overflows 64 bits
           "tile/0/x001/x001/x001/x001/x001/x001/x001/001",  // 8 groups
           "tile/entries",
           "tile/entries/",
           "tile/entries/x000/000",
       }) {
    auto r = ParseTilePath(bad);
    ASSERT_FALSE(r.has_value()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(r.error().message().starts_with("tile path")) << r.error().message();
  }
  EXPECT_EQ(ParseTilePath("tile/0/000.p/0").error().message(),
            "tile path \"tile/0/000.p/0\": partial width must be a decimal 1..255 without leading "
            "zeros");
  EXPECT_FALSE(ParseTilePath(std::string(200, 'x')).has_value());
}

TEST(TileSet, TheSpecExampleOfSize70000) {
  // c2sp.org/tlog-tiles "Partial Tiles": 273 full level 0 tiles, one partial level 0 tile of
  // width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial
  // level 2 tile of width 1.
  std::vector<TileId> tiles = TilesForTree(TreeSize(70000));
  ASSERT_EQ(tiles.size(), 273u + 1 + 1 + 1 + 1);
  for (uint64_t n = 0; n < 273; ++n) EXPECT_EQ(tiles[n], (TileId{0, n, kTileWidth}));
  EXPECT_EQ(tiles[273], (TileId{0, 273, 112}));
  EXPECT_EQ(tiles[274], (TileId{1, 0, kTileWidth}));
  EXPECT_EQ(tiles[275], (TileId{1, 1, 17}));
  EXPECT_EQ(tiles[276], (TileId{2, 0, 1}));
  // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile
  // of width 1."
  EXPECT_EQ(TilesForTree(TreeSize(256)), (std::vector<TileId>{{0, 0, kTileWidth}, {1, 0, 1}}));
  EXPECT_TRUE(TilesForTree(TreeSize(0)).empty());
  EXPECT_EQ(TilesForTree(TreeSize(1)), (std::vector<TileId>{{0, 0, 1}}));
  EXPECT_EQ(PartialTile(0, TreeSize(70000)), (TileId{0, 273, 112}));
  EXPECT_EQ(PartialTile(3, TreeSize(70000)), std::nullopt);
  // The largest tree: its partial tile at level 7.
  EXPECT_EQ(PartialTile(7, TreeSize(UINT64_MAX)), (TileId{7, 0, 255}));
  EXPECT_TRUE(CheckTileInTree({0, 273, 112}, TreeSize(70000)).has_value());
  EXPECT_TRUE(CheckTileInTree({0, 272, kTileWidth}, TreeSize(70000)).has_value());
  EXPECT_FALSE(CheckTileInTree({0, 273, kTileWidth}, TreeSize(70000)).has_value());
  EXPECT_FALSE(CheckTileInTree({0, 273, 111}, TreeSize(70000)).has_value());
  EXPECT_FALSE(CheckTileInTree({2, 0, kTileWidth}, TreeSize(70000)).has_value());
  EXPECT_FALSE(CheckTileInTree({0, 0, 0}, TreeSize(70000)).has_value());
  EXPECT_FALSE(CheckTileInTree({0, 0, 257}, TreeSize(70000)).has_value());
}

TEST(TileSet, NewTilesAreTheDifference) {
  EXPECT_EQ(NewTiles(TreeSize(70000), TreeSize(70100)), (std::vector<TileId>{{0, 273, 212}}));
  EXPECT_EQ(NewTiles(TreeSize(70000), TreeSize(70144)),
            (std::vector<TileId>{{0, 273, kTileWidth}, {1, 1, 18}}));
  EXPECT_TRUE(NewTiles(TreeSize(70000), TreeSize(70000)).empty());
  EXPECT_TRUE(NewTiles(TreeSize(70001), TreeSize(70000)).empty());
  std::mt19937_64 rng(11);
  for (int i = 0; i < 300; ++i) {
    uint64_t a = rng() % 200000;
    uint64_t b = a + rng() % (i % 2 ? 300 : 100000);
    auto old_tiles = TilesForTree(TreeSize(a));
    auto new_tiles = TilesForTree(TreeSize(b));
    std::set<TileId> difference(new_tiles.begin(), new_tiles.end());
    for (const TileId& t : old_tiles) difference.erase(t);
    auto got = NewTiles(TreeSize(a), TreeSize(b));
    ASSERT_EQ(std::set<TileId>(got.begin(), got.end()), difference) << a << " -> " << b;
    ASSERT_EQ(got.size(), difference.size());
  }
}

MerkleTree TreeOfSize(uint64_t n) {
  MerkleTree tree;
  tree.Reserve(n);
  for (uint64_t i = 0; i < n; ++i) tree.AppendLeaf(AsBytes("entry " + std::to_string(i)));
  return tree;
}

TEST(TileData, HoldsTheNodeHashesOfItsLevel) {
  MerkleTree tree = TreeOfSize(70000);
  Bytes level0 = TileData(tree, {0, 3, kTileWidth}).value();
  ASSERT_EQ(level0.size(), 8192u);
  std::vector<Hash> hashes = ParseTileData({0, 3, kTileWidth}, level0).value();
  for (uint64_t i = 0; i < 256; ++i) {
    ASSERT_EQ(hashes[i], HashLeaf(AsBytes("entry " + std::to_string(3 * 256 + i))));
  }
  // Hash i of a level 1 tile is the root of the 256 leaves of level 0 tile i.
  std::vector<Hash> level1 = ParseTileData({1, 1, 17}, TileData(tree, {1, 1, 17}).value()).value();
  for (uint64_t i = 0; i < 17; ++i) {
    CompactRange range;
    for (uint64_t leaf = (256 + i) * 256; leaf < (257 + i) * 256; ++leaf) {
      range.Append(tree.LeafHash(LeafIndex(leaf)).value());
    }
    ASSERT_EQ(level1[i], range.Root());
  }
  // A tile the tree does not have yet.
  EXPECT_EQ(TileData(tree, {0, 273, kTileWidth}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(TileData(tree, {8, 0, 1}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(TileData(tree, {0, 0, 0}).error().code(), ErrorCode::kInvalidArgument);
  // Wrong sizes.
  EXPECT_FALSE(ParseTileData({0, 0, kTileWidth}, ByteView(level0).first(8191)).has_value());
  EXPECT_FALSE(ParseTileData({0, 0, 5}, ByteView(level0).first(6 * 32)).has_value());
  EXPECT_EQ(ParseTileData({0, 0, kTileWidth}, Bytes()).error().message(),
            "tile/0/000: must be 8192 bytes (256 hashes), got 0");
  EXPECT_TRUE(ParseTileData({0, 0, 5}, ByteView(level0).first(5 * 32)).has_value());
}

TEST(EntryBundle, EncodesWithUint16LengthsAndRejectsBadBundles) {
  std::vector<Bytes> entries = {ToBytes("a"), ToBytes("bc"), Bytes()};
  Bytes bundle = EncodeEntryBundle(entries).value();
  EXPECT_EQ(HexEncode(bundle), "000161000262630000");
  EXPECT_EQ(DecodeEntryBundle({0, 3}, bundle).value(), entries);
  // Truncated anywhere, one byte too many, the wrong count.
  for (size_t n = 0; n < bundle.size(); ++n) {
    EXPECT_FALSE(DecodeEntryBundle({0, 3}, ByteView(bundle).first(n)).has_value()) << n;
  }
  Bytes trailing = bundle;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeEntryBundle({0, 3}, trailing).has_value());
  EXPECT_EQ(DecodeEntryBundle({0, 4}, bundle).error().message(),
            "tile/entries/000.p/4: holds 3 entries, expected 4");
  EXPECT_FALSE(DecodeEntryBundle({0, 2}, bundle).has_value());
  EXPECT_FALSE(DecodeEntryBundle({0, 0}, bundle).has_value());
  // A length that runs past the end.
  auto overrun = DecodeEntryBundle({0, 1}, Bytes{0xff, 0xff, 0x00});
  ASSERT_FALSE(overrun.has_value());
  EXPECT_EQ(overrun.error().code(), ErrorCode::kInvalidArgument);
  // Entry sizes and counts.
  EXPECT_TRUE(EncodeEntryBundle(std::vector<Bytes>{Bytes(kMaxEntrySize)}).has_value());
  auto oversized = EncodeEntryBundle(std::vector<Bytes>{Bytes(kMaxEntrySize + 1)});
  ASSERT_FALSE(oversized.has_value());
  EXPECT_EQ(oversized.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(EncodeEntryBundle(std::vector<Bytes>{}).has_value());
  EXPECT_FALSE(EncodeEntryBundle(std::vector<Bytes>(257, Bytes{1})).has_value());
  std::vector<Bytes> full(256, Bytes{1, 2});
  EXPECT_EQ(DecodeEntryBundle({9, kTileWidth}, EncodeEntryBundle(full).value()).value(), full);
}

TEST(EntryBundle, VerifiesAgainstItsLevel0Tile) {
  MerkleTree tree;
  std::vector<Bytes> entries;
  for (int i = 0; i < 300; ++i) {
    entries.push_back(ToBytes("event header " + std::to_string(i)));
    tree.AppendLeaf(entries.back());
  }
  std::vector<Bytes> first(entries.begin(), entries.begin() + 256);
  std::vector<Hash> tile0 =
      ParseTileData({0, 0, kTileWidth}, TileData(tree, {0, 0, kTileWidth}).value()).value();
  EXPECT_TRUE(VerifyEntryBundle(first, tile0).has_value());
  std::vector<Bytes> swapped = first;
  std::swap(swapped[3], swapped[4]);
  auto bad = VerifyEntryBundle(swapped, tile0);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(bad.error().message(), "entry bundle: entry 3 does not match its leaf hash");
  EXPECT_EQ(VerifyEntryBundle(std::span(first).first(255), tile0).error().code(),
            ErrorCode::kInvalidArgument);
}

// Serves tiles from a map keyed by path, as a static directory would; counts reads.
class MapTileReader final : public TileReader {
 public:
  Result<Bytes> ReadTile(const TileId& id) override {
    ++reads;
    auto it = files.find(TilePath(id));
    if (it == files.end()) return NotFound("no file " + TilePath(id));
    return it->second;
  }
  void Publish(const HashSource& source, TreeSize size) {
    for (const TileId& id : TilesForTree(size)) files[TilePath(id)] = TileData(source, id).value();
  }
  std::map<std::string, Bytes> files;
  int reads = 0;
};

TEST(TileHashSource, ServesVerifiedProofsFromTiles) {
  MerkleTree tree = TreeOfSize(70000);
  const TreeSize size(70000);
  MapTileReader reader;
  reader.Publish(tree, size);
  auto source = TileHashSource::Open(reader, size, tree.Root());
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_EQ(reader.reads, 3);  // the three partial tiles: the right edge
  EXPECT_EQ(RootHash(*source, size).value(), tree.Root());
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    LeafIndex index(rng() % size.value());
    ASSERT_EQ(ProveInclusion(*source, index, size).value().path,
              tree.ProveInclusion(index, size).value().path);
    TreeSize old(1 + rng() % size.value());
    ASSERT_EQ(ProveConsistency(*source, old, size).value().path,
              tree.ProveConsistency(old, size).value().path);
  }
  // Each tile is read (and verified) once.
  EXPECT_LE(reader.reads, 3 + 274);
  int reads = reader.reads;
  EXPECT_TRUE(ProveInclusion(*source, LeafIndex(0), size).has_value());
  EXPECT_TRUE(ProveInclusion(*source, LeafIndex(0), size).has_value());
  EXPECT_LE(reader.reads, reads + 1);
  EXPECT_EQ(source->Tile({0, 5, kTileWidth}).value(),
            ParseTileData({0, 5, kTileWidth}, reader.files["tile/0/005"]).value());
  EXPECT_EQ(source->Tile({0, 273, kTileWidth}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(source->NodeHash(NodeId{0, 70000}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(source->NodeHash(NodeId{17, 0}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(source->NodeHash(NodeId{16, 0}).value(), tree.NodeHash(NodeId{16, 0}).value());
}

TEST(TileHashSource, EveryTreeShapeOfTheEdges) {
  MerkleTree tree = TreeOfSize(66000);
  for (uint64_t s : {1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 66000}) {
    const TreeSize size(s);
    MapTileReader reader;
    reader.Publish(tree, size);
    Hash root = tree.RootAt(size).value();
    auto source = TileHashSource::Open(reader, size, root);
    ASSERT_TRUE(source.has_value()) << s << ": " << source.error().ToString();
    for (uint64_t index : {uint64_t{0}, s / 2, s - 1}) {
      auto proof = ProveInclusion(*source, LeafIndex(index), size).value();
      ASSERT_TRUE(VerifyInclusion(proof, tree.LeafHash(LeafIndex(index)).value(), root).has_value())
          << index << " of " << s;
    }
  }
  MapTileReader nothing;
  EXPECT_TRUE(TileHashSource::Open(nothing, TreeSize(0), EmptyTreeRoot()).has_value());
  EXPECT_EQ(TileHashSource::Open(nothing, TreeSize(0), tree.Root()).error().code(),
            ErrorCode::kUnauthenticated);
}

TEST(TileHashSource, RejectsTilesThatDoNotMatchTheRoot) {
  MerkleTree tree = TreeOfSize(70000);
  const TreeSize size(70000);
  MapTileReader good;
  good.Publish(tree, size);

  // The wrong root.
  auto wrong_root = TileHashSource::Open(good, size, tree.RootAt(TreeSize(69999)).value());
  ASSERT_FALSE(wrong_root.has_value());
  EXPECT_EQ(wrong_root.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong_root.error().message(),
            "tiles do not match the checkpoint root of a tree of 70000 leaves");

  // A flipped byte in a partial tile (right edge): Open fails.
  for (const char* path : {"tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1"}) {
    MapTileReader reader = good;
    reader.files[path][5] ^= 1;
    auto r = TileHashSource::Open(reader, size, tree.Root());
    ASSERT_FALSE(r.has_value()) << path;
    EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated) << path;
  }

  // A flipped byte in a full tile: found when a proof reads it.
  for (const char* path : {"tile/0/100", "tile/1/000"}) {
    MapTileReader reader = good;
    reader.files[path][100] ^= 1;
    auto source = TileHashSource::Open(reader, size, tree.Root());
    ASSERT_TRUE(source.has_value());
    auto proof = ProveInclusion(*source, LeafIndex(100 * 256 + 7), size);
    ASSERT_FALSE(proof.has_value()) << path;
    EXPECT_EQ(proof.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(proof.error().message(), std::string(path) + " does not match the checkpoint root");
  }

  // A tile of the wrong length, or missing.
  MapTileReader truncated = good;
  truncated.files["tile/0/273.p/112"].pop_back();
  auto short_tile = TileHashSource::Open(truncated, size, tree.Root());
  ASSERT_FALSE(short_tile.has_value());
  EXPECT_EQ(short_tile.error().code(), ErrorCode::kInvalidArgument);
  MapTileReader missing = good;
  missing.files.erase("tile/0/010");
  auto source = TileHashSource::Open(missing, size, tree.Root()).value();
  auto absent = ProveInclusion(source, LeafIndex(10 * 256), size);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(absent.error().message(), "tile/0/010: no file tile/0/010");
  // A tile from a different tree of the same size (a fork) does not pass either.
  MerkleTree fork = TreeOfSize(69999);
  fork.AppendLeaf(AsBytes("forked"));
  MapTileReader forked;
  forked.Publish(fork, size);
  EXPECT_EQ(TileHashSource::Open(forked, size, tree.Root()).error().code(),
            ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace entente::ledger
