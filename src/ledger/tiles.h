// ledger/tiles.h: the C2SP tlog-tiles read path of an Entente log: tile and entry-bundle paths,
// which tiles a tree of a given size has and what they hold, entry-bundle encoding, and a
// `HashSource` that serves proofs from tiles, verifying every tile against a checkpoint root.
//
// Tiles have height 8: a full tile holds 256 hashes. The tile at level L, index N holds the
// hashes of the nodes NodeId{8L, N·256 + i} for i = 0..W-1 (c2sp.org/tlog-tiles "Merkle Tree"):
//
//   level 1 tile (1,0):  [ H(8,0) H(8,1) ... H(8,255) ]        each hash = root of a full
//                            |                                  level 0 tile
//   level 0 tiles:       (0,0) = [ H(0,0) ... H(0,255) ]  (0,1) = [ H(0,256) ... ]  ...
//                                  leaf hashes of entries 0..255
//
// For a tree of size S, level L has S >> 8(L+1) full tiles and, if W = (S >> 8L) mod 256 is not
// 0, one partial tile of width W ("tile/<L>/<N>.p/<W>"). Entry bundles ("tile/entries/<N>") hold
// the entries whose leaf hashes make up level-0 tile N: each a big-endian uint16 length and
// that many bytes (for Entente, each entry is an encoded event header).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "ledger/merkle.h"

namespace entente::ledger {

inline constexpr int kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 256;      // hashes in a full tile
inline constexpr uint32_t kMaxTileLevel = 63;    // largest <L> the path syntax admits
inline constexpr size_t kMaxEntrySize = 0xffff;  // an entry-bundle entry (uint16 length)

// A Merkle tile: level `level`, index `index`, `width` hashes (256 for a full tile, 1..255 for a
// partial one).
struct TileId {
  uint8_t level = 0;
  uint64_t index = 0;
  uint32_t width = kTileWidth;

  bool full() const { return width == kTileWidth; }
  auto operator<=>(const TileId&) const = default;
};

// An entry bundle: the entries of level-0 tile `index`; `width` entries.
struct BundleId {
  uint64_t index = 0;
  uint32_t width = kTileWidth;

  bool full() const { return width == kTileWidth; }
  auto operator<=>(const BundleId&) const = default;
};

// "tile/<L>/<N>[.p/<W>]" and "tile/entries/<N>[.p/<W>]", N in zero-padded three-digit groups,
// all but the last prefixed with "x" (1234067 -> "x001/x234/067"). The ids must be valid
// (width 1..256, level <= 63); paths of invalid ids are unspecified.
std::string TilePath(const TileId& id);
std::string BundlePath(const BundleId& id);

// Parses a tile or bundle path (relative to the log prefix, no leading slash). Accepts only the
// canonical form TilePath/BundlePath produce: no leading zeros in L or W, no "x000" leading
// group, W in 1..255; InvalidArgument naming the problem otherwise.
[[nodiscard]] Result<std::variant<TileId, BundleId>> ParseTilePath(std::string_view path);

// All the tiles of a tree of `size` leaves (full and partial, every level), by level then index.
// O(size / 256) ids.
std::vector<TileId> TilesForTree(TreeSize size);
// The tiles a log publishes at `new_size` that it did not publish at `old_size`: the full tiles
// completed in between and the new partial tiles (old_size <= new_size; else empty).
std::vector<TileId> NewTiles(TreeSize old_size, TreeSize new_size);
// The partial tile of `level` in a tree of `size` leaves, if that level has one.
std::optional<TileId> PartialTile(uint8_t level, TreeSize size);
// The entry bundle with the entries of level-0 tile `tile`.
inline BundleId BundleFor(const TileId& level0_tile) {
  return BundleId{level0_tile.index, level0_tile.width};
}

// OK if `id` is a tile of the tree of `size` leaves: a full tile the tree has completed, or the
// tree's partial tile of that level with exactly its width. InvalidArgument otherwise.
[[nodiscard]] Status CheckTileInTree(const TileId& id, TreeSize size);

// Returns the contents of tile `id` (width·32 bytes) from node hashes in `source`. Fails with the
// source's error if it lacks a node.
[[nodiscard]] Result<Bytes> TileData(const HashSource& source, const TileId& id);
// Splits tile contents into hashes; InvalidArgument unless `data` is exactly id.width·32 bytes.
[[nodiscard]] Result<std::vector<Hash>> ParseTileData(const TileId& id, ByteView data);

// Encodes entries as a bundle: each a big-endian uint16 length, then the bytes. InvalidArgument
// if there are no entries, more than 256, or one is longer than 65535 bytes.
[[nodiscard]] Result<Bytes> EncodeEntryBundle(std::span<const Bytes> entries);
// Decodes bundle `id`: InvalidArgument if it is truncated, has trailing bytes, or does not hold
// exactly id.width entries.
[[nodiscard]] Result<std::vector<Bytes>> DecodeEntryBundle(const BundleId& id, ByteView data);
// OK if the leaf hash of entries[i] is hashes[i] for every i and the counts match (a bundle
// against its level-0 tile); Unauthenticated naming the first mismatching entry otherwise.
[[nodiscard]] Status VerifyEntryBundle(std::span<const Bytes> entries,
                                       std::span<const Hash> level0_tile);

// Where tiles come from: an HTTP client, a directory, a store.
class TileReader {
 public:
  virtual ~TileReader() = default;
  // Returns the contents of tile `id` as served. The caller checks the length and the hashes.
  virtual Result<Bytes> ReadTile(const TileId& id) = 0;
};

// Node hashes of the tree of `size` leaves with root `root` (from a verified checkpoint), read
// from tiles. `Open` reads the partial tile of every level (the right edge of the tree) and
// checks that they fold into `root`; a full tile read later is checked against its hash in the
// tile above it, recursively up to the verified right edge. So every hash this source returns is
// authenticated by `root`, and proofs generated from it are the log's true proofs.
//
// Verified tiles are cached (each costs 255 hashes once). `reader` must outlive this object.
// Not thread-safe (the cache and the reader are used from const methods).
class TileHashSource final : public HashSource {
 public:
  [[nodiscard]] static Result<TileHashSource> Open(TileReader& reader, TreeSize size,
                                                   const Hash& root);

  TreeSize size() const { return size_; }

  // The verified hashes of tile `id`; InvalidArgument if `id` is not a tile of this tree,
  // Unauthenticated if the tile read does not match the root, or the reader's error.
  [[nodiscard]] Result<std::vector<Hash>> Tile(const TileId& id) const;

  // HashSource. NotFound for a node not complete in a tree of size().
  Result<Hash> NodeHash(NodeId id) const override;

 private:
  // The levels of the subtree a tile spans: levels[0] is the tile's hashes, levels[h][i] the
  // hash of the 2^h tile hashes from i·2^h (complete ones only).
  struct VerifiedTile {
    std::vector<std::vector<Hash>> levels;
  };

  TileHashSource(TileReader& reader, TreeSize size) : reader_(&reader), size_(size) {}
  Result<const VerifiedTile*> Verified(uint8_t level, uint64_t index) const;
  static Result<VerifiedTile> ReadAndExpand(TileReader& reader, const TileId& id);

  TileReader* reader_;
  TreeSize size_;
  mutable std::map<std::pair<uint8_t, uint64_t>, VerifiedTile> tiles_;
};

}  // namespace entente::ledger
