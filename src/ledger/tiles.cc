// C2SP tlog-tiles: paths, tile sets, tile contents, entry bundles, and tile verification.
//
// Paths (c2sp.org/tlog-tiles "Merkle Tree", "Log entries"):
//
//   tile/<L>/<N>[.p/<W>]        L: 0..63, decimal, no leading zeros
//   tile/entries/<N>[.p/<W>]    W: 1..255, decimal, no leading zeros (absent: a full tile, 256)
//   N = 1234067  ->  x001/x234/067   (three-digit groups, all but the last prefixed "x")
//
// Tile contents: W hashes of 32 bytes, concatenated; hash i of tile (L, N) is the hash of node
// NodeId{8L, 256N + i}. Entry bundle: W entries, each `uint16 length || bytes` (big-endian).
//
// Verification against a checkpoint (size S, root R): the partial tile of each level (width
// (S >> 8L) mod 256, if not 0) holds exactly the nodes of RootNodes(S) at levels 8L..8L+7,
// expanded: folding them must give R. A full tile (L, N) hashes (as the 256-leaf subtree it
// spans) to hash N mod 256 of tile (L+1, N / 256), which is full and verified the same way, or
// is the partial tile of level L+1, verified through R.
#include "ledger/tiles.h"

#include <charconv>
#include <cstdio>

#include "base/tls_codec.h"

namespace entente::ledger {

namespace {

std::string Str(uint64_t v) { return std::to_string(v); }

// v >> bits, defined for every bits (0 when bits >= 64).
uint64_t Shr(uint64_t v, unsigned bits) { return bits >= 64 ? 0 : v >> bits; }

// Hashes at Merkle level 8·level in a tree of `size` leaves.
uint64_t HashesAtTileLevel(uint8_t level, uint64_t size) { return Shr(size, 8u * level); }

std::string IndexPath(uint64_t n) {
  std::vector<unsigned> groups;
  do {
    groups.push_back(static_cast<unsigned>(n % 1000));
    n /= 1000;
  } while (n > 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;) {
    char buffer[8];
    std::snprintf(buffer, sizeof(buffer), i > 0 ? "x%03u/" : "%03u", groups[i]);
    out += buffer;
  }
  return out;
}

std::string PartialSuffix(uint32_t width) { return width == kTileWidth ? "" : ".p/" + Str(width); }

// Parses a decimal with no leading zeros (except "0") in [min, max].
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t min, uint64_t max) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return {};
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return {};
  if (v < min || v > max) return {};
  return v;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

Status CheckWidth(uint32_t width) {
  if (width == 0 || width > kTileWidth) {
    return InvalidArgument("tile width must be 1..256, got " + Str(width));
  }
  return {};
}

}  // namespace

std::string TilePath(const TileId& id) {
  return "tile/" + Str(id.level) + "/" + IndexPath(id.index) + PartialSuffix(id.width);
}

std::string BundlePath(const BundleId& id) {
  return "tile/entries/" + IndexPath(id.index) + PartialSuffix(id.width);
}

Result<std::variant<TileId, BundleId>> ParseTilePath(std::string_view path) {
  auto bad = [&](std::string_view why) {
    std::string shown(path.substr(0, 80));
    return InvalidArgument("tile path \"" + shown + (path.size() > 80 ? "...\"" : "\"") + ": " +
                           std::string(why));
  };
  if (path.size() > 128) return bad("too long");
  std::vector<std::string_view> parts = Split(path, '/');
  if (parts.size() < 3 || parts[0] != "tile")
    return bad("must be tile/<L>/<N> or tile/entries/<N>");
  const bool entries = parts[1] == "entries";
  uint8_t level = 0;
  if (!entries) {
    auto l = ParseDecimal(parts[1], 0, kMaxTileLevel);
    if (!l) return bad("level must be a decimal 0..63 without leading zeros");
    level = static_cast<uint8_t>(*l);
  }
  // The index groups, and the partial-tile suffix ".p/<W>" on the last group.
  std::vector<std::string_view> groups(parts.begin() + 2, parts.end());
  uint32_t width = kTileWidth;
  if (groups.size() >= 2 && groups[groups.size() - 2].ends_with(".p")) {
    auto w = ParseDecimal(groups.back(), 1, kTileWidth - 1);
    if (!w) return bad("partial width must be a decimal 1..255 without leading zeros");
    width = static_cast<uint32_t>(*w);
    groups.pop_back();
    groups.back().remove_suffix(2);
  }
  if (groups.empty() || groups.size() > 7) return bad("index must have 1..7 groups");
  uint64_t index = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    std::string_view group = groups[i];
    const bool last = i + 1 == groups.size();
    if (!last) {
      if (group.size() != 4 || group[0] != 'x') {
        return bad("index groups before the last must be x followed by three digits");
      }
      group.remove_prefix(1);
      if (i == 0 && group == "000") return bad("index has a leading x000 group");
    }
    if (group.size() != 3 || !AllDigits(group)) {
      return bad("index groups must be three digits");
    }
    uint64_t digits =
        uint64_t(group[0] - '0') * 100 + uint64_t(group[1] - '0') * 10 + uint64_t(group[2] - '0');
    if (index > (UINT64_MAX - digits) / 1000) return bad("index too large");
    index = index * 1000 + digits;
  }
  if (entries) return BundleId{index, width};
  return TileId{level, index, width};
}

std::optional<TileId> PartialTile(uint8_t level, TreeSize size) {
  uint64_t hashes = HashesAtTileLevel(level, size.value());
  uint32_t width = static_cast<uint32_t>(hashes % kTileWidth);
  if (width == 0) return std::nullopt;
  return TileId{level, hashes / kTileWidth, width};
}

std::vector<TileId> TilesForTree(TreeSize size) { return NewTiles(TreeSize(0), size); }

std::vector<TileId> NewTiles(TreeSize old_size, TreeSize new_size) {
  std::vector<TileId> tiles;
  if (old_size > new_size) return tiles;
  for (uint8_t level = 0; level < 8; ++level) {
    uint64_t new_hashes = HashesAtTileLevel(level, new_size.value());
    if (new_hashes == 0) break;
    uint64_t old_full = HashesAtTileLevel(level, old_size.value()) / kTileWidth;
    uint64_t new_full = new_hashes / kTileWidth;
    for (uint64_t n = old_full; n < new_full; ++n) tiles.push_back(TileId{level, n, kTileWidth});
    auto partial = PartialTile(level, new_size);
    if (partial && partial != PartialTile(level, old_size)) tiles.push_back(*partial);
  }
  return tiles;
}

Status CheckTileInTree(const TileId& id, TreeSize size) {
  ENTENTE_RETURN_IF_ERROR(CheckWidth(id.width));
  uint64_t full = HashesAtTileLevel(id.level, size.value()) / kTileWidth;
  if (id.full() ? id.index < full : PartialTile(id.level, size) == id) return {};
  return InvalidArgument(TilePath(id) + " is not a tile of a tree of " + Str(size.value()) +
                         " leaves");
}

Result<Bytes> TileData(const HashSource& source, const TileId& id) {
  ENTENTE_RETURN_IF_ERROR(CheckWidth(id.width));
  // Hashes at Merkle level 8L exist only for L <= 7 (a tree has fewer than 2^64 leaves), and
  // their indices are below 2^(64 - 8L).
  if (id.level > 7 || id.index > (Shr(UINT64_MAX, 8u * id.level) >> 8)) {
    return InvalidArgument(TilePath(id) + " cannot exist in a tree of fewer than 2^64 leaves");
  }
  std::vector<NodeId> nodes;
  nodes.reserve(id.width);
  for (uint32_t i = 0; i < id.width; ++i) {
    nodes.push_back(
        NodeId{static_cast<uint8_t>(kTileHeight * id.level), id.index * kTileWidth + i});
  }
  std::vector<Hash> hashes(nodes.size());
  ENTENTE_RETURN_IF_ERROR(source.NodeHashes(nodes, hashes));
  Bytes out;
  out.reserve(hashes.size() * kHashSize);
  for (const Hash& h : hashes) Append(out, h);
  return out;
}

Result<std::vector<Hash>> ParseTileData(const TileId& id, ByteView data) {
  ENTENTE_RETURN_IF_ERROR(CheckWidth(id.width));
  if (data.size() != size_t{id.width} * kHashSize) {
    return InvalidArgument(TilePath(id) + ": must be " + Str(size_t{id.width} * kHashSize) +
                           " bytes (" + Str(id.width) + " hashes), got " + Str(data.size()));
  }
  std::vector<Hash> hashes(id.width);
  for (size_t i = 0; i < hashes.size(); ++i) {
    hashes[i] = ToArray<kHashSize>(data.subspan(i * kHashSize, kHashSize));
  }
  return hashes;
}

Result<Bytes> EncodeEntryBundle(std::span<const Bytes> entries) {
  if (entries.empty() || entries.size() > kTileWidth) {
    return InvalidArgument("entry bundle must hold 1..256 entries, got " + Str(entries.size()));
  }
  Writer w("entry bundle");
  for (const Bytes& entry : entries) w.Vector("entry", entry, 0, kMaxEntrySize);
  return std::move(w).Finish();
}

Result<std::vector<Bytes>> DecodeEntryBundle(const BundleId& id, ByteView data) {
  ENTENTE_RETURN_IF_ERROR(CheckWidth(id.width));
  Reader r(data, BundlePath(id));
  std::vector<Bytes> entries;
  while (r.ok() && !r.empty()) {
    if (entries.size() == id.width) {
      r.Fail("holds more than " + Str(id.width) + " entries");
      break;
    }
    ByteView entry = r.Vector("entry", 0, kMaxEntrySize);
    if (r.ok()) entries.emplace_back(entry.begin(), entry.end());
  }
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  if (entries.size() != id.width) {
    return InvalidArgument(BundlePath(id) + ": holds " + Str(entries.size()) +
                           " entries, expected " + Str(id.width));
  }
  return entries;
}

Status VerifyEntryBundle(std::span<const Bytes> entries, std::span<const Hash> level0_tile) {
  if (entries.size() != level0_tile.size()) {
    return InvalidArgument("entry bundle holds " + Str(entries.size()) +
                           " entries but its tile holds " + Str(level0_tile.size()) + " hashes");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (HashLeaf(entries[i]) != level0_tile[i]) {
      return Unauthenticated("entry bundle: entry " + Str(i) + " does not match its leaf hash");
    }
  }
  return {};
}

Result<TileHashSource> TileHashSource::Open(TileReader& reader, TreeSize size, const Hash& root) {
  TileHashSource source(reader, size);
  if (size.value() == 0) {
    if (root != EmptyTreeRoot())
      return Unauthenticated("the root of an empty tree is SHA-256(\"\")");
    return source;
  }
  // The right edge: the partial tile of every level that has one.
  for (uint8_t level = 0; level < 8; ++level) {
    auto partial = PartialTile(level, size);
    if (!partial) continue;
    ENTENTE_ASSIGN_OR_RETURN(VerifiedTile tile, ReadAndExpand(reader, *partial));
    source.tiles_.emplace(std::pair(level, partial->index), std::move(tile));
  }
  // Fold the nodes of RootNodes(size), each found in the partial tile of its level.
  std::vector<Hash> hashes;
  for (NodeId node : RootNodes(size)) {
    const uint8_t tile_level = node.level / kTileHeight;
    const unsigned h = node.level % kTileHeight;
    auto partial = PartialTile(tile_level, size);
    auto it = partial ? source.tiles_.find({tile_level, partial->index}) : source.tiles_.end();
    // Nodes per tile at level 8L + h: 256 >> h.
    const uint64_t local = partial ? node.index - (partial->index << (kTileHeight - h)) : 0;
    if (it == source.tiles_.end() || local >= it->second.levels[h].size()) {
      return Internal("tile verification: node " + ToString(node) + " not in its partial tile");
    }
    hashes.push_back(it->second.levels[h][local]);
  }
  Hash computed = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) computed = HashChildren(hashes[i], computed);
  if (computed != root) {
    return Unauthenticated("tiles do not match the checkpoint root of a tree of " +
                           Str(size.value()) + " leaves");
  }
  return source;
}

Result<TileHashSource::VerifiedTile> TileHashSource::ReadAndExpand(TileReader& reader,
                                                                   const TileId& id) {
  auto data = reader.ReadTile(id);
  if (!data) return std::unexpected(data.error().WithContext(TilePath(id)));
  ENTENTE_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ParseTileData(id, *data));
  VerifiedTile tile;
  tile.levels.push_back(std::move(hashes));
  for (int h = 1; h <= kTileHeight; ++h) {
    const std::vector<Hash>& below = tile.levels.back();
    std::vector<Hash> row(below.size() / 2);
    for (size_t i = 0; i < row.size(); ++i) row[i] = HashChildren(below[2 * i], below[2 * i + 1]);
    tile.levels.push_back(std::move(row));
  }
  return tile;
}

Result<const TileHashSource::VerifiedTile*> TileHashSource::Verified(uint8_t level,
                                                                     uint64_t index) const {
  auto it = tiles_.find({level, index});
  if (it != tiles_.end()) return &it->second;
  // Not cached: it must be a full tile (every partial tile was read by Open).
  const TileId id{level, index, kTileWidth};
  ENTENTE_RETURN_IF_ERROR(CheckTileInTree(id, size_));
  ENTENTE_ASSIGN_OR_RETURN(VerifiedTile tile, ReadAndExpand(*reader_, id));
  // Its subtree hash is hash (index mod 256) of the tile above (which exists: this tile being
  // full, the level above has at least one hash).
  ENTENTE_ASSIGN_OR_RETURN(const VerifiedTile* parent,
                           Verified(static_cast<uint8_t>(level + 1), index / kTileWidth));
  const std::vector<Hash>& parent_hashes = parent->levels[0];
  const size_t slot = index % kTileWidth;
  if (slot >= parent_hashes.size()) {
    return Internal("tile verification: " + TilePath(id) + " has no hash in the tile above");
  }
  if (tile.levels[kTileHeight][0] != parent_hashes[slot]) {
    return Unauthenticated(TilePath(id) + " does not match the checkpoint root");
  }
  auto inserted = tiles_.emplace(std::pair(level, index), std::move(tile)).first;
  return &inserted->second;
}

Result<std::vector<Hash>> TileHashSource::Tile(const TileId& id) const {
  ENTENTE_RETURN_IF_ERROR(CheckTileInTree(id, size_));
  ENTENTE_ASSIGN_OR_RETURN(const VerifiedTile* tile, Verified(id.level, id.index));
  return tile->levels[0];
}

Result<Hash> TileHashSource::NodeHash(NodeId id) const {
  if (id.index >= Shr(size_.value(), id.level)) {
    return NotFound("node " + ToString(id) + " is not complete in a tree of " + Str(size_.value()) +
                    " leaves");
  }
  const uint8_t tile_level = id.level / kTileHeight;
  const unsigned h = id.level % kTileHeight;
  const unsigned per_tile_bits = kTileHeight - h;  // 256 >> h nodes of this level per tile
  ENTENTE_ASSIGN_OR_RETURN(const VerifiedTile* tile,
                           Verified(tile_level, id.index >> per_tile_bits));
  const uint64_t local = id.index & ((uint64_t{1} << per_tile_bits) - 1);
  if (local >= tile->levels[h].size()) {
    return Internal("tile hash source: node " + ToString(id) + " missing from its tile");
  }
  return tile->levels[h][local];
}

}  // namespace entente::ledger
