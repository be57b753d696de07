// Fuzzes the tlog-tiles read path. The first byte picks a mode:
//   0: parse a tile or bundle path; accepted paths re-encode identically.
//   1: decode an entry bundle of the width in the next byte; accepted bundles re-encode
//      identically.
//   2: parse tile data of the width in the next byte.
//   3: serve the tiles of a real tree of up to 66000 leaves with one corruption chosen by the
//      input, open a TileHashSource on them and prove inclusion: whatever it accepts must be
//      the real tree's (every proof it produces verifies against the real root).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "ledger/tiles.h"

namespace {

using namespace entente;
using namespace entente::ledger;

constexpr uint64_t kTreeSize = 66000;

const MerkleTree& Tree() {
  static const MerkleTree* tree = [] {
    auto* t = new MerkleTree;
    for (uint64_t i = 0; i < kTreeSize; ++i)
      t->AppendLeaf(AsBytes("fuzz entry " + std::to_string(i)));
    return t;
  }();
  return *tree;
}

uint64_t ReadUint(ByteView& in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes && !in.empty(); ++i) {
    v = (v << 8) | in[0];
    in = in.subspan(1);
  }
  return v;
}

// Serves the real tiles, with byte `offset` of the `target`-th tile read xor-ed with `mask`
// (or truncated by one byte when `truncate`).
class CorruptingReader final : public TileReader {
 public:
  CorruptingReader(uint64_t target, uint64_t offset, uint8_t mask, bool truncate)
      : target_(target), offset_(offset), mask_(mask), truncate_(truncate) {}
  Result<Bytes> ReadTile(const TileId& id) override {
    auto data = TileData(Tree(), id);
    if (!data) return data;
    if (reads_++ == target_ && !data->empty()) {
      if (truncate_) {
        data->pop_back();
      } else {
        (*data)[offset_ % data->size()] ^= mask_;
      }
    }
    return data;
  }

 private:
  uint64_t target_, offset_;
  uint8_t mask_;
  bool truncate_;
  uint64_t reads_ = 0;
};

void FuzzTileSource(ByteView in) {
  const MerkleTree& tree = Tree();
  const TreeSize size(ReadUint(in, 3) % (kTreeSize + 1));
  const uint64_t target = ReadUint(in, 1) % 16;
  const uint64_t offset = ReadUint(in, 2);
  const uint8_t mask = static_cast<uint8_t>(ReadUint(in, 1));
  const bool truncate = (ReadUint(in, 1) & 1) != 0;
  const Hash root = *tree.RootAt(size);
  CorruptingReader reader(target, offset, mask, truncate);
  auto source = TileHashSource::Open(reader, size, root);
  if (!source) return;
  while (in.size() >= 3 && size.value() > 0) {
    LeafIndex index(ReadUint(in, 3) % size.value());
    auto proof = ProveInclusion(*source, index, size);
    if (!proof) continue;
    if (!VerifyInclusion(*proof, *tree.LeafHash(index), root)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ByteView in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      std::string_view path(reinterpret_cast<const char*>(in.data()), in.size());
      auto parsed = ParseTilePath(path);
      if (parsed) {
        std::string again = std::holds_alternative<TileId>(*parsed)
                                ? TilePath(std::get<TileId>(*parsed))
                                : BundlePath(std::get<BundleId>(*parsed));
        if (again != path) std::abort();
      }
      break;
    }
    case 1: {
      uint32_t width = 1 + static_cast<uint32_t>(ReadUint(in, 1));
      auto entries = DecodeEntryBundle(BundleId{0, width}, in);
      if (entries) {
        if (entries->size() != width) std::abort();
        auto encoded = EncodeEntryBundle(*entries);
        if (!encoded || !Equal(*encoded, in)) std::abort();
      }
      break;
    }
    case 2: {
      uint32_t width = 1 + static_cast<uint32_t>(ReadUint(in, 1));
      auto hashes = ParseTileData(TileId{0, 0, width}, in);
      if (hashes && hashes->size() * kHashSize != in.size()) std::abort();
      break;
    }
    default:
      FuzzTileSource(in);
      break;
  }
  return 0;
}
