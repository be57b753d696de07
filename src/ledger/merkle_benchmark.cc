// Merkle tree speed beside the raw SHA-256 it is built on, in the same binary and run.
//
// A leaf append costs two SHA-256 calls of 65 bytes when leaves are 64 bytes: the leaf hash
// (0x00 || leaf) and, amortised, one node hash (0x01 || left || right). So the append rate can
// at best be half the raw rate of 65-byte SHA-256; BM_TreeAppend reports `vs_raw_sha256`, the
// leaves per second divided by the raw hashes per second (aim: >= 0.5 minus noise, i.e. the tree
// adds next to nothing to the hashing). Proof generation and verification are measured at
// 10^6 leaves, from the in-memory tree and from verified tiles.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <map>
#include <random>

#include "crypto/baseline.h"
#include "ledger/merkle.h"
#include "ledger/tiles.h"

namespace entente::ledger {
namespace {

constexpr uint64_t kLeaves = 1'000'000;
constexpr size_t kLeafSize = 64;  // so that the leaf hash input is 65 bytes, like a node's

// Raw OpenSSL SHA-256 of a 65-byte input, the fastest way OpenSSL 3 offers (the low-level
// SHA256_Init/Update/Final; crypto_benchmark compares it with the one-shot and EVP paths).
inline void RawSha256(const uint8_t* input, size_t size, uint8_t* out) {
  crypto::baseline::RawSha256(ByteView(input, size), out);
}

// Raw SHA-256 of 65-byte inputs per second, measured once per process.
double RawSha256PerSecond() {
  static const double rate = [] {
    uint8_t input[65] = {0x01};
    uint8_t out[32];
    constexpr int kCount = 3'000'000;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCount; ++i) {
      std::memcpy(input + 1, &i, sizeof(i));
      RawSha256(input, sizeof(input), out);
      benchmark::DoNotOptimize(out);
    }
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    return kCount / elapsed.count();
  }();
  return rate;
}

void BM_RawSha256_65Bytes(benchmark::State& state) {
  uint8_t input[65] = {0x01};
  uint8_t out[32];
  uint64_t i = 0;
  for (auto _ : state) {
    std::memcpy(input + 1, &i, sizeof(i));
    RawSha256(input, sizeof(input), out);
    benchmark::DoNotOptimize(out);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSha256_65Bytes);

void BM_HashChildren(benchmark::State& state) {
  Hash left = HashLeaf(AsBytes("left"));
  Hash right = HashLeaf(AsBytes("right"));
  for (auto _ : state) {
    left = HashChildren(left, right);
    benchmark::DoNotOptimize(left);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashChildren);

// Appends 10^6 leaves of 64 bytes to a fresh in-memory tree, then takes its root.
void BM_TreeAppend(benchmark::State& state) {
  const double raw = RawSha256PerSecond();
  uint8_t leaf[kLeafSize] = {};
  double seconds = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    MerkleTree tree;
    for (uint64_t i = 0; i < kLeaves; ++i) {
      std::memcpy(leaf, &i, sizeof(i));
      tree.AppendLeaf(leaf);
    }
    benchmark::DoNotOptimize(tree.Root());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double leaves = static_cast<double>(state.iterations() * kLeaves);
  state.SetItemsProcessed(static_cast<int64_t>(leaves));
  state.counters["leaves_per_s"] = leaves / seconds;
  state.counters["raw_sha256_per_s"] = raw;
  state.counters["vs_raw_sha256"] = (leaves / seconds) / raw;
}
BENCHMARK(BM_TreeAppend)->Unit(benchmark::kMillisecond);

// The same through a CompactRange (what a store keeps for its log head).
void BM_CompactRangeAppend(benchmark::State& state) {
  const double raw = RawSha256PerSecond();
  uint8_t leaf[kLeafSize] = {};
  double seconds = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    CompactRange range;
    for (uint64_t i = 0; i < kLeaves; ++i) {
      std::memcpy(leaf, &i, sizeof(i));
      range.Append(HashLeaf(leaf));
    }
    benchmark::DoNotOptimize(range.Root());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double leaves = static_cast<double>(state.iterations() * kLeaves);
  state.SetItemsProcessed(static_cast<int64_t>(leaves));
  state.counters["vs_raw_sha256"] = (leaves / seconds) / raw;
}
BENCHMARK(BM_CompactRangeAppend)->Unit(benchmark::kMillisecond);

const MerkleTree& MillionLeafTree() {
  static const MerkleTree* tree = [] {
    auto* t = new MerkleTree;
    t->Reserve(kLeaves);
    uint8_t leaf[kLeafSize] = {};
    for (uint64_t i = 0; i < kLeaves; ++i) {
      std::memcpy(leaf, &i, sizeof(i));
      t->AppendLeaf(leaf);
    }
    return t;
  }();
  return *tree;
}

std::vector<uint64_t> RandomValues(uint64_t below, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> out(count);
  for (uint64_t& v : out) v = rng() % below;
  return out;
}

void BM_ProveInclusion(benchmark::State& state) {
  const MerkleTree& tree = MillionLeafTree();
  auto indices = RandomValues(kLeaves, 4096, 1);
  size_t i = 0;
  for (auto _ : state) {
    auto proof = tree.ProveInclusion(LeafIndex(indices[i++ % indices.size()]), TreeSize(kLeaves));
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusion);

void BM_VerifyInclusion(benchmark::State& state) {
  const MerkleTree& tree = MillionLeafTree();
  const Hash root = tree.Root();
  std::vector<std::pair<InclusionProof, Hash>> proofs;
  for (uint64_t index : RandomValues(kLeaves, 1024, 2)) {
    proofs.emplace_back(tree.ProveInclusion(LeafIndex(index), TreeSize(kLeaves)).value(),
                        tree.LeafHash(LeafIndex(index)).value());
  }
  size_t i = 0;
  for (auto _ : state) {
    const auto& [proof, leaf] = proofs[i++ % proofs.size()];
    auto ok = VerifyInclusion(proof, leaf, root);
    if (!ok) state.SkipWithError("inclusion proof failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusion);

void BM_ProveConsistency(benchmark::State& state) {
  const MerkleTree& tree = MillionLeafTree();
  auto sizes = RandomValues(kLeaves - 1, 4096, 3);
  size_t i = 0;
  for (auto _ : state) {
    auto proof = tree.ProveConsistency(TreeSize(1 + sizes[i++ % sizes.size()]), TreeSize(kLeaves));
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveConsistency);

void BM_VerifyConsistency(benchmark::State& state) {
  const MerkleTree& tree = MillionLeafTree();
  const Hash root = tree.Root();
  std::vector<std::pair<ConsistencyProof, Hash>> proofs;
  for (uint64_t size : RandomValues(kLeaves - 1, 1024, 4)) {
    proofs.emplace_back(tree.ProveConsistency(TreeSize(1 + size), TreeSize(kLeaves)).value(),
                        tree.RootAt(TreeSize(1 + size)).value());
  }
  size_t i = 0;
  for (auto _ : state) {
    const auto& [proof, old_root] = proofs[i++ % proofs.size()];
    auto ok = VerifyConsistency(proof, old_root, root);
    if (!ok) state.SkipWithError("consistency proof failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyConsistency);

// Inclusion proofs served from tiles (as a client of a tlog-tiles log does), every tile read
// verified against the root once and then cached.
class MemoryTileReader final : public TileReader {
 public:
  explicit MemoryTileReader(const MerkleTree& tree) {
    for (const TileId& id : TilesForTree(tree.size())) tiles_[id] = TileData(tree, id).value();
  }
  Result<Bytes> ReadTile(const TileId& id) override {
    auto it = tiles_.find(id);
    if (it == tiles_.end()) return NotFound("no tile");
    return it->second;
  }

 private:
  std::map<TileId, Bytes> tiles_;
};

void BM_ProveInclusionFromTiles(benchmark::State& state) {
  const MerkleTree& tree = MillionLeafTree();
  MemoryTileReader reader(tree);
  auto source = TileHashSource::Open(reader, tree.size(), tree.Root()).value();
  auto indices = RandomValues(kLeaves, 4096, 5);
  size_t i = 0;
  for (auto _ : state) {
    auto proof = ProveInclusion(source, LeafIndex(indices[i++ % indices.size()]), tree.size());
    if (!proof) state.SkipWithError("proof from tiles failed");
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusionFromTiles);

}  // namespace
}  // namespace entente::ledger

BENCHMARK_MAIN();
