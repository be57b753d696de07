#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "base/encoding.h"
#include "base/file.h"
#include "base/tls_codec.h"
#include "testing/testdata.h"

namespace entente::ledger {
namespace {

Hash H(std::string_view hex) {
  Bytes b = HexDecode(hex).value();
  EXPECT_EQ(b.size(), kHashSize);
  return ToArray<kHashSize>(b);
}

std::vector<Hash> Hs(std::initializer_list<std::string_view> hexes) {
  std::vector<Hash> out;
  for (auto h : hexes) out.push_back(H(h));
  return out;
}

// ---- A naive implementation, straight from the RFC 9162 §2.1 definitions, as the reference ----
//
// D[lo:hi] is a range of one leaf array. MTH is memoised per range, which changes nothing but
// the time the cross-checks take.
class Naive {
 public:
  explicit Naive(std::span<const Hash> leaves) : leaves_(leaves) {}

  // RFC 9162 §2.1.1 MTH(D[lo:hi]).
  Hash Mth(uint64_t lo, uint64_t hi) {
    uint64_t n = hi - lo;
    if (n == 0) return EmptyTreeRoot();
    if (n == 1) return leaves_[lo];
    if (auto it = memo_.find({lo, hi}); it != memo_.end()) return it->second;
    uint64_t k = SplitK(n);
    Hash h = HashChildren(Mth(lo, lo + k), Mth(lo + k, hi));
    memo_.emplace(std::pair(lo, hi), h);
    return h;
  }
  Hash Root(uint64_t n) { return Mth(0, n); }

  // RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]).
  std::vector<Hash> Path(uint64_t m, uint64_t lo, uint64_t hi) {
    uint64_t n = hi - lo;
    if (n <= 1) return {};
    uint64_t k = SplitK(n);
    std::vector<Hash> out;
    if (m < k) {
      out = Path(m, lo, lo + k);
      out.push_back(Mth(lo + k, hi));
    } else {
      out = Path(m - k, lo + k, hi);
      out.push_back(Mth(lo, lo + k));
    }
    return out;
  }

  // RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b).
  std::vector<Hash> Subproof(uint64_t m, uint64_t lo, uint64_t hi, bool b) {
    uint64_t n = hi - lo;
    if (m == n) {
      if (b) return {};
      return {Mth(lo, hi)};
    }
    uint64_t k = SplitK(n);
    std::vector<Hash> out;
    if (m <= k) {
      out = Subproof(m, lo, lo + k, b);
      out.push_back(Mth(lo + k, hi));
    } else {
      out = Subproof(m - k, lo + k, hi, false);
      out.push_back(Mth(lo, lo + k));
    }
    return out;
  }

  // RFC 9162 §2.1.4.1 PROOF(m, D[n]).
  std::vector<Hash> Proof(uint64_t m, uint64_t n) {
    if (m == 0 || m == n) return {};
    return Subproof(m, 0, n, true);
  }

 private:
  static uint64_t SplitK(uint64_t n) { return std::bit_floor(n - 1); }  // largest 2^i < n

  std::span<const Hash> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, Hash> memo_;
};

std::vector<Hash> TestLeafHashes(size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(HashLeaf(AsBytes("leaf " + std::to_string(i))));
  return out;
}

MerkleTree TreeOf(std::span<const Hash> leaf_hashes) {
  MerkleTree tree;
  for (const Hash& h : leaf_hashes) tree.AppendLeafHash(h);
  return tree;
}

// ---- Certificate Transparency reference vectors ----
//
// The 8-leaf test tree of the CT reference implementation, with the roots and proofs published
// in github.com/transparency-dev/merkle proof/verify_test.go (inclusionProofs, which number
// leaves from 1; consistencyProofs; roots) and, before it, certificate-transparency-go
// merkle/log_verifier_test.go and the C++ CT merkle_tree_test.
const char* const kCtLeaves[] = {"",
                                 "00",
                                 "10",
                                 "2021",
                                 "3031",
                                 "40414243",
                                 "5051525354555657",
                                 "606162636465666768696a6b6c6d6e6f"};
const char* const kCtRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  // size 0: SHA-256("")
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MerkleTree CtTree() {
  MerkleTree tree;
  for (const char* leaf : kCtLeaves) tree.AppendLeaf(HexDecode(leaf).value());
  return tree;
}

struct InclusionVector {
  uint64_t index;
  uint64_t size;
  std::vector<Hash> path;
};
struct ConsistencyVector {
  uint64_t size1;
  uint64_t size2;
  std::vector<Hash> path;
};

std::vector<InclusionVector> CtInclusionVectors() {
  return {
      {0, 1, {}},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
}

std::vector<ConsistencyVector> CtConsistencyVectors() {
  return {
      {1, 1, {}},
      {1, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
}

TEST(MerkleHash, LeafAndNodePrefixesAndEmptyRoot) {
  EXPECT_EQ(HexEncode(EmptyTreeRoot()), kCtRoots[0]);
  EXPECT_EQ(HexEncode(HashLeaf(ByteView())), kCtRoots[1]);  // SHA-256(0x00)
  Hash a = HashLeaf(AsBytes("a"));
  Hash b = HashLeaf(AsBytes("b"));
  const uint8_t one[1] = {0x01};
  EXPECT_EQ(HashChildren(a, b), crypto::Sha256({ByteView(one), a, b}));
  EXPECT_NE(HashChildren(a, b), HashChildren(b, a));
}

TEST(MerkleCtVectors, RootsForEverySize) {
  MerkleTree tree = CtTree();
  for (uint64_t size = 0; size <= 8; ++size) {
    EXPECT_EQ(HexEncode(tree.RootAt(TreeSize(size)).value()), kCtRoots[size]) << "size " << size;
  }
  EXPECT_EQ(HexEncode(tree.Root()), kCtRoots[8]);
  // The free function, the compact range and the naive definition agree.
  std::vector<Hash> leaves;
  CompactRange range;
  for (uint64_t i = 0; i < 8; ++i) {
    leaves.push_back(tree.LeafHash(LeafIndex(i)).value());
    range.Append(leaves.back());
    EXPECT_EQ(HexEncode(range.Root()), kCtRoots[i + 1]);
    EXPECT_EQ(HexEncode(Naive(leaves).Root(i + 1)), kCtRoots[i + 1]);
  }
}

TEST(MerkleCtVectors, InclusionProofs) {
  MerkleTree tree = CtTree();
  for (const auto& v : CtInclusionVectors()) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    auto proof = tree.ProveInclusion(LeafIndex(v.index), TreeSize(v.size));
    ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
    EXPECT_EQ(proof->path, v.path);
    Hash leaf = tree.LeafHash(LeafIndex(v.index)).value();
    Hash root = H(kCtRoots[v.size]);
    EXPECT_TRUE(VerifyInclusion(*proof, leaf, root).has_value());
    InclusionProof published{TreeSize(v.size), LeafIndex(v.index), v.path};
    EXPECT_TRUE(VerifyInclusion(published, leaf, root).has_value());
  }
}

TEST(MerkleCtVectors, ConsistencyProofs) {
  MerkleTree tree = CtTree();
  for (const auto& v : CtConsistencyVectors()) {
    SCOPED_TRACE("sizes " + std::to_string(v.size1) + " -> " + std::to_string(v.size2));
    auto proof = tree.ProveConsistency(TreeSize(v.size1), TreeSize(v.size2));
    ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
    EXPECT_EQ(proof->path, v.path);
    EXPECT_TRUE(VerifyConsistency(*proof, H(kCtRoots[v.size1]), H(kCtRoots[v.size2])).has_value());
  }
}

// The corruptions transparency-dev/merkle's verify_test.go applies to every good proof, each of
// which must be rejected, with an error and no crash.
TEST(MerkleCtVectors, CorruptedProofsAreRejected) {
  MerkleTree tree = CtTree();
  const Hash some = H("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (const auto& v : CtInclusionVectors()) {
    if (v.size < 2) continue;
    Hash leaf = tree.LeafHash(LeafIndex(v.index)).value();
    Hash root = H(kCtRoots[v.size]);
    auto rejects = [&](uint64_t index, uint64_t size, const std::vector<Hash>& path,
                       const Hash& leaf_hash, const Hash& root_hash, const char* what) {
      InclusionProof p{TreeSize(size), LeafIndex(index), path};
      EXPECT_FALSE(VerifyInclusion(p, leaf_hash, root_hash).has_value())
          << what << " index " << v.index << " size " << v.size;
    };
    rejects(v.index - 1, v.size, v.path, leaf, root, "index - 1");
    rejects(v.index + 1, v.size, v.path, leaf, root, "index + 1");
    rejects(v.index ^ 2, v.size, v.path, leaf, root, "index ^ 2");
    rejects(v.index, v.size * 2, v.path, leaf, root, "size * 2");
    rejects(v.index, v.size / 2, v.path, leaf, root, "size / 2");
    rejects(v.index, v.size, v.path, some, root, "wrong leaf");
    rejects(v.index, v.size, v.path, leaf, EmptyTreeRoot(), "empty root");
    rejects(v.index, v.size, v.path, leaf, some, "random root");
    auto longer = v.path;
    longer.push_back(root);
    rejects(v.index, v.size, longer, leaf, root, "trailing root");
    longer = v.path;
    longer.insert(longer.begin(), root);
    rejects(v.index, v.size, longer, leaf, root, "preceding root");
    for (size_t i = 0; i < v.path.size(); ++i) {
      auto flipped = v.path;
      flipped[i][0] ^= 8;
      rejects(v.index, v.size, flipped, leaf, root, "flipped bit");
    }
    if (!v.path.empty()) {
      auto shorter = v.path;
      shorter.pop_back();
      rejects(v.index, v.size, shorter, leaf, root, "removed component");
    }
    if (v.path.size() > 1) {
      auto inserted = v.path;
      inserted.insert(inserted.begin() + 1, some);
      rejects(v.index, v.size, inserted, leaf, root, "inserted component");
    }
  }
  for (const auto& v : CtConsistencyVectors()) {
    if (v.path.empty()) continue;
    Hash root1 = H(kCtRoots[v.size1]);
    Hash root2 = H(kCtRoots[v.size2]);
    auto rejects = [&](uint64_t size1, uint64_t size2, const Hash& r1, const Hash& r2,
                       const std::vector<Hash>& path, const char* what) {
      ConsistencyProof p{TreeSize(size1), TreeSize(size2), path};
      EXPECT_FALSE(VerifyConsistency(p, r1, r2).has_value())
          << what << " sizes " << v.size1 << " -> " << v.size2;
    };
    rejects(v.size1 - 1, v.size2, root1, root2, v.path, "size1 - 1");
    rejects(v.size1 + 1, v.size2, root1, root2, v.path, "size1 + 1");
    rejects(v.size1 ^ 2, v.size2, root1, root2, v.path, "size1 ^ 2");
    rejects(v.size1, v.size2 * 2, root1, root2, v.path, "size2 * 2");
    rejects(v.size1, v.size2 / 2, root1, root2, v.path, "size2 / 2");
    rejects(v.size1, v.size2, some, root2, v.path, "wrong root1");
    rejects(v.size1, v.size2, root1, some, v.path, "wrong root2");
    rejects(v.size1, v.size2, root2, root1, v.path, "swapped roots");
    rejects(v.size1, v.size2, root1, root2, {}, "empty proof");
    for (const Hash& extra : {root1, root2}) {
      auto longer = v.path;
      longer.push_back(extra);
      rejects(v.size1, v.size2, root1, root2, longer, "trailing root");
      longer = v.path;
      longer.insert(longer.begin(), extra);
      rejects(v.size1, v.size2, root1, root2, longer, "preceding root");
    }
    auto shorter = v.path;
    shorter.pop_back();
    rejects(v.size1, v.size2, root1, root2, shorter, "truncated proof");
    for (size_t i = 0; i < v.path.size(); ++i) {
      auto flipped = v.path;
      flipped[i][0] ^= 16;
      rejects(v.size1, v.size2, root1, root2, flipped, "flipped bit");
    }
  }
}

// ---- Cross-checks against the naive definitions ----

TEST(MerkleTree, RootsMatchNaiveForEverySizeUpTo1000) {
  const std::vector<Hash> leaves = TestLeafHashes(1000);
  Naive naive_tree(leaves);
  MerkleTree tree;
  CompactRange range;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    Hash naive = naive_tree.Root(n);
    ASSERT_EQ(tree.Root(), naive) << "size " << n;
    ASSERT_EQ(range.Root(), naive) << "size " << n;
    if (n < leaves.size()) {
      tree.AppendLeafHash(leaves[n]);
      range.Append(leaves[n]);
    }
  }
  // Roots at earlier sizes from the full tree.
  for (size_t n = 0; n <= leaves.size(); n += 37) {
    EXPECT_EQ(tree.RootAt(TreeSize(n)).value(), naive_tree.Root(n));
  }
}

void CheckInclusion(const MerkleTree& tree, Naive& naive, std::span<const Hash> leaves,
                    uint64_t index, uint64_t size) {
  auto proof = tree.ProveInclusion(LeafIndex(index), TreeSize(size));
  ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
  ASSERT_EQ(proof->path, naive.Path(index, 0, size)) << "index " << index << " size " << size;
  ASSERT_EQ(proof->path.size(), InclusionProofLength(LeafIndex(index), TreeSize(size)));
  Hash root = naive.Root(size);
  ASSERT_TRUE(VerifyInclusion(*proof, leaves[index], root).has_value())
      << "index " << index << " size " << size;
  // The proof of one leaf proves no other leaf.
  if (size > 1) {
    ASSERT_FALSE(VerifyInclusion(*proof, leaves[(index + 1) % size], root).has_value());
  }
}

TEST(MerkleTree, InclusionProofsMatchNaive) {
  const std::vector<Hash> leaves = TestLeafHashes(1000);
  MerkleTree tree = TreeOf(leaves);
  Naive naive(leaves);
  // Every index of every size up to 200.
  for (uint64_t size = 1; size <= 200; ++size) {
    for (uint64_t index = 0; index < size; ++index)
      CheckInclusion(tree, naive, leaves, index, size);
  }
  // Sampled above: the edges, the middle and a few random indices of every size.
  std::mt19937_64 rng(1);
  for (uint64_t size = 201; size <= 1000; ++size) {
    for (uint64_t index : {uint64_t{0}, size / 2, size - 2, size - 1, rng() % size}) {
      CheckInclusion(tree, naive, leaves, index, size);
    }
  }
}

void CheckConsistency(const MerkleTree& tree, Naive& naive, uint64_t size1, uint64_t size2) {
  auto proof = tree.ProveConsistency(TreeSize(size1), TreeSize(size2));
  ASSERT_TRUE(proof.has_value()) << proof.error().ToString();
  ASSERT_EQ(proof->path, naive.Proof(size1, size2)) << "sizes " << size1 << " -> " << size2;
  ASSERT_EQ(proof->path.size(), ConsistencyProofLength(TreeSize(size1), TreeSize(size2)));
  Hash root1 = naive.Root(size1);
  Hash root2 = naive.Root(size2);
  ASSERT_TRUE(VerifyConsistency(*proof, root1, root2).has_value())
      << "sizes " << size1 << " -> " << size2;
  if (size1 > 0 && size1 < size2) {
    // A proof between other trees does not pass for these.
    ASSERT_FALSE(VerifyConsistency(*proof, root2, root1).has_value());
  }
}

TEST(MerkleTree, ConsistencyProofsMatchNaive) {
  const std::vector<Hash> leaves = TestLeafHashes(1000);
  MerkleTree tree = TreeOf(leaves);
  Naive naive(leaves);
  // Every pair up to 130.
  for (uint64_t size2 = 0; size2 <= 130; ++size2) {
    for (uint64_t size1 = 0; size1 <= size2; ++size1) CheckConsistency(tree, naive, size1, size2);
  }
  // Sampled above.
  std::mt19937_64 rng(2);
  for (uint64_t size2 = 131; size2 <= 1000; ++size2) {
    for (uint64_t size1 : {uint64_t{1}, size2 / 2, size2 - 1, size2, rng() % size2 + 1}) {
      CheckConsistency(tree, naive, size1, size2);
    }
  }
}

TEST(MerkleTree, RandomLargerTrees) {
  std::mt19937_64 rng(3);
  const std::vector<Hash> leaves = TestLeafHashes(20000);
  MerkleTree tree = TreeOf(leaves);
  Naive naive(leaves);
  for (int round = 0; round < 6; ++round) {
    uint64_t size = 1000 + rng() % (leaves.size() - 1000);
    EXPECT_EQ(tree.RootAt(TreeSize(size)).value(), naive.Root(size));
    CheckInclusion(tree, naive, leaves, rng() % size, size);
    CheckConsistency(tree, naive, 1 + rng() % size, size);
  }
}

// A tree of 2^64 - 1 identical leaves: every node at level l has the same hash, so a source
// can answer for any node in O(1) and the size arithmetic is exercised at its limits.
class IdenticalLeavesSource final : public HashSource {
 public:
  IdenticalLeavesSource() {
    level_hash_[0] = HashLeaf(AsBytes("same"));
    for (size_t l = 1; l < 64; ++l)
      level_hash_[l] = HashChildren(level_hash_[l - 1], level_hash_[l - 1]);
  }
  Result<Hash> NodeHash(NodeId id) const override {
    if (id.level >= 64) return NotFound("no such level");
    return level_hash_[id.level];
  }

 private:
  std::array<Hash, 64> level_hash_;
};

TEST(MerkleVerify, SizesNearTwoToThe64) {
  IdenticalLeavesSource source;
  const uint64_t max = UINT64_MAX;
  const Hash leaf = source.NodeHash(NodeId{0, 0}).value();
  for (uint64_t size : {max, max - 1, uint64_t{1} << 63, (uint64_t{1} << 63) + 1}) {
    Hash root = RootHash(source, TreeSize(size)).value();
    for (uint64_t index : {uint64_t{0}, size / 3, size - 2, size - 1}) {
      auto proof = ProveInclusion(source, LeafIndex(index), TreeSize(size)).value();
      EXPECT_LE(proof.path.size(), kMaxInclusionProofHashes);
      EXPECT_TRUE(VerifyInclusion(proof, leaf, root).has_value()) << index << " of " << size;
      auto encoded = proof.Encode().value();
      EXPECT_EQ(InclusionProof::Decode(encoded).value().path, proof.path);
    }
    for (uint64_t size1 : {uint64_t{1}, size / 2, size - 1, uint64_t{3}}) {
      auto proof = ProveConsistency(source, TreeSize(size1), TreeSize(size)).value();
      EXPECT_LE(proof.path.size(), kMaxConsistencyProofHashes);
      Hash root1 = RootHash(source, TreeSize(size1)).value();
      EXPECT_TRUE(VerifyConsistency(proof, root1, root).has_value()) << size1 << " -> " << size;
      auto encoded = proof.Encode().value();
      EXPECT_EQ(ConsistencyProof::Decode(encoded).value().path, proof.path);
    }
  }
}

// ---- Rejections, with the error a caller sees ----

TEST(MerkleVerify, InclusionRejectsWithClearErrors) {
  const std::vector<Hash> leaves = TestLeafHashes(10);
  MerkleTree tree = TreeOf(leaves);
  Hash root = tree.Root();
  InclusionProof good = tree.ProveInclusion(LeafIndex(3), TreeSize(10)).value();
  ASSERT_TRUE(VerifyInclusion(good, leaves[3], root).has_value());

  auto out_of_range = VerifyInclusion({TreeSize(10), LeafIndex(10), good.path}, leaves[3], root);
  ASSERT_FALSE(out_of_range.has_value());
  EXPECT_EQ(out_of_range.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(out_of_range.error().message(),
            "inclusion proof: leaf index 10 is not in a tree of 10 leaves");

  // RFC 9162: there is no inclusion in an empty tree.
  auto empty = VerifyInclusion({TreeSize(0), LeafIndex(0), {}}, leaves[0], EmptyTreeRoot());
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);

  InclusionProof longer = good;
  longer.path.push_back(root);
  auto too_long = VerifyInclusion(longer, leaves[3], root);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.error().message(),
            "inclusion proof: has 5 hashes, but leaf 3 of a tree of 10 leaves needs 4");

  InclusionProof shorter = good;
  shorter.path.pop_back();
  EXPECT_EQ(VerifyInclusion(shorter, leaves[3], root).error().code(), ErrorCode::kInvalidArgument);

  for (size_t i = 0; i < good.path.size(); ++i) {
    for (size_t byte : {size_t{0}, size_t{31}}) {
      InclusionProof flipped = good;
      flipped.path[i][byte] ^= 0x01;
      auto bad = VerifyInclusion(flipped, leaves[3], root);
      ASSERT_FALSE(bad.has_value());
      EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
      EXPECT_EQ(bad.error().message(), "inclusion proof does not lead to the expected root");
    }
  }
  // A proof whose path has another shape fails on its length. (A proof does not authenticate
  // the tree size on its own: index 3 has the same path shape in trees of 9..16 leaves, so the
  // size must come from the signed checkpoint whose root the proof is checked against.)
  EXPECT_EQ(VerifyInclusion({TreeSize(8), LeafIndex(3), good.path}, leaves[3], root).error().code(),
            ErrorCode::kInvalidArgument);

  // Generation refuses what verification would.
  EXPECT_EQ(tree.ProveInclusion(LeafIndex(10), TreeSize(10)).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.ProveInclusion(LeafIndex(0), TreeSize(11)).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.ProveInclusion(LeafIndex(0), TreeSize(0)).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(MerkleVerify, ConsistencyRejectsWithClearErrors) {
  const std::vector<Hash> leaves = TestLeafHashes(10);
  MerkleTree tree = TreeOf(leaves);
  Hash root4 = tree.RootAt(TreeSize(4)).value();
  Hash root7 = tree.RootAt(TreeSize(7)).value();
  Hash root10 = tree.Root();
  ConsistencyProof good = tree.ProveConsistency(TreeSize(7), TreeSize(10)).value();
  ASSERT_TRUE(VerifyConsistency(good, root7, root10).has_value());

  auto backwards = VerifyConsistency({TreeSize(10), TreeSize(7), good.path}, root10, root7);
  ASSERT_FALSE(backwards.has_value());
  EXPECT_EQ(backwards.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(backwards.error().message(),
            "consistency proof: old size 10 is larger than new size 7");
  EXPECT_EQ(tree.ProveConsistency(TreeSize(8), TreeSize(7)).error().code(),
            ErrorCode::kInvalidArgument);

  // From the empty tree: an empty path, and the empty tree's root.
  EXPECT_TRUE(VerifyConsistency({TreeSize(0), TreeSize(10), {}}, EmptyTreeRoot(), root10));
  EXPECT_EQ(VerifyConsistency({TreeSize(0), TreeSize(10), {root4}}, EmptyTreeRoot(), root10)
                .error()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(VerifyConsistency({TreeSize(0), TreeSize(10), {}}, root4, root10).error().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(VerifyConsistency({TreeSize(0), TreeSize(0), {}}, EmptyTreeRoot(), EmptyTreeRoot()));

  // Same size: an empty path and equal roots.
  EXPECT_TRUE(VerifyConsistency({TreeSize(7), TreeSize(7), {}}, root7, root7));
  auto fork = VerifyConsistency({TreeSize(7), TreeSize(7), {}}, root7, root4);
  ASSERT_FALSE(fork.has_value());
  EXPECT_EQ(fork.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(VerifyConsistency({TreeSize(7), TreeSize(7), {root4}}, root7, root7).error().code(),
            ErrorCode::kInvalidArgument);

  // Lengths.
  auto empty_path = VerifyConsistency({TreeSize(7), TreeSize(10), {}}, root7, root10);
  ASSERT_FALSE(empty_path.has_value());
  EXPECT_EQ(empty_path.error().message(),
            "consistency proof: has 0 hashes, but from size 7 to 10 needs " +
                std::to_string(good.path.size()));
  ConsistencyProof longer = good;
  longer.path.push_back(root10);
  EXPECT_EQ(VerifyConsistency(longer, root7, root10).error().code(), ErrorCode::kInvalidArgument);

  // Flipped bytes and wrong roots.
  for (size_t i = 0; i < good.path.size(); ++i) {
    ConsistencyProof flipped = good;
    flipped.path[i][17] ^= 0x80;
    auto bad = VerifyConsistency(flipped, root7, root10);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(bad.error().message(), "consistency proof does not lead to the expected roots");
  }
  EXPECT_FALSE(VerifyConsistency(good, root4, root10).has_value());
  EXPECT_FALSE(VerifyConsistency(good, root7, root7).has_value());
}

TEST(ProofEncoding, RoundTripsAndRejectsMalformed) {
  const std::vector<Hash> leaves = TestLeafHashes(100);
  MerkleTree tree = TreeOf(leaves);
  InclusionProof inclusion = tree.ProveInclusion(LeafIndex(42), TreeSize(99)).value();
  Bytes encoded = inclusion.Encode().value();
  // uint64 tree_size, uint64 leaf_index, uint16 byte length, then (uint8 32, hash) each.
  ASSERT_EQ(encoded.size(), 8 + 8 + 2 + inclusion.path.size() * 33);
  EXPECT_EQ(HexEncode(ByteView(encoded).first(18)),
            "0000000000000063000000000000002a" +
                HexEncode(Bytes{0, static_cast<uint8_t>(inclusion.path.size() * 33)}));
  InclusionProof decoded = InclusionProof::Decode(encoded).value();
  EXPECT_EQ(decoded.tree_size, inclusion.tree_size);
  EXPECT_EQ(decoded.leaf_index, inclusion.leaf_index);
  EXPECT_EQ(decoded.path, inclusion.path);

  ConsistencyProof consistency = tree.ProveConsistency(TreeSize(13), TreeSize(100)).value();
  Bytes c_encoded = consistency.Encode().value();
  ConsistencyProof c_decoded = ConsistencyProof::Decode(c_encoded).value();
  EXPECT_EQ(c_decoded.size1, consistency.size1);
  EXPECT_EQ(c_decoded.size2, consistency.size2);
  EXPECT_EQ(c_decoded.path, consistency.path);

  // Truncated anywhere.
  for (size_t n = 0; n < encoded.size(); ++n) {
    auto bad = InclusionProof::Decode(ByteView(encoded).first(n));
    ASSERT_FALSE(bad.has_value()) << n;
    EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  }
  // Trailing bytes.
  Bytes trailing = encoded;
  trailing.push_back(0);
  EXPECT_FALSE(InclusionProof::Decode(trailing).has_value());
  // A node hash of 31 or 33 bytes.
  for (uint8_t length : {31, 33}) {
    Bytes odd = {0,     0, 0, 0, 0, 0, 0, 2, 0,
                 0,     0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(1 + length),
                 length};
    odd.resize(odd.size() + length, 0xaa);
    auto bad = InclusionProof::Decode(odd);
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message().find("node hash"), std::string::npos) << bad.error().message();
  }
  // More hashes than any tree needs.
  InclusionProof huge{TreeSize(1), LeafIndex(0), std::vector<Hash>(65)};
  EXPECT_FALSE(huge.Encode().has_value());
  Writer w;
  w.U64(1);
  w.U64(0);
  auto token = w.BeginVector("path", 0, 0xffff);
  for (int i = 0; i < 65; ++i) w.Vector("hash", Hash{}, 32, 255);
  w.EndVector(token);
  auto too_many = InclusionProof::Decode(std::move(w).Finish().value());
  ASSERT_FALSE(too_many.has_value());
  EXPECT_NE(too_many.error().message().find("more than 64 hashes"), std::string::npos);
}

// ---- The in-memory tree, the compact range and the HashSource seam ----

TEST(MerkleTree, ReportsOutOfRangeRequests) {
  MerkleTree tree = TreeOf(TestLeafHashes(5));
  EXPECT_EQ(tree.size(), TreeSize(5));
  EXPECT_EQ(tree.RootAt(TreeSize(6)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.LeafHash(LeafIndex(5)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.NodeHash(NodeId{1, 2}).error().code(), ErrorCode::kNotFound);  // leaves 4..5
  EXPECT_TRUE(tree.NodeHash(NodeId{2, 0}).has_value());
  EXPECT_EQ(tree.NodeHash(NodeId{3, 0}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(tree.ProveConsistency(TreeSize(2), TreeSize(6)).error().code(),
            ErrorCode::kInvalidArgument);
  MerkleTree empty;
  EXPECT_EQ(empty.Root(), EmptyTreeRoot());
  EXPECT_EQ(empty.NodeHash(NodeId{0, 0}).error().code(), ErrorCode::kNotFound);
}

TEST(MerkleTree, ReserveChangesNothing) {
  MerkleTree reserved;
  reserved.Reserve(1000);
  MerkleTree plain;
  for (const Hash& h : TestLeafHashes(300)) {
    reserved.AppendLeafHash(h);
    plain.AppendLeafHash(h);
  }
  EXPECT_EQ(reserved.Root(), plain.Root());
  EXPECT_EQ(reserved.size(), plain.size());
}

TEST(CompactRange, ReportsEveryNewNodeAndMatchesTheTree) {
  const std::vector<Hash> leaves = TestLeafHashes(300);
  MerkleTree tree = TreeOf(leaves);
  CompactRange range;
  size_t reported = 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    range.Append(leaves[i], [&](NodeId id, const Hash& h) {
      ++reported;
      // Each reported node is complete once leaf i is in, and has the tree's hash.
      EXPECT_EQ(id.EndLeaf(), i + 1);
      EXPECT_EQ(h, tree.NodeHash(id).value()) << ToString(id);
    });
    EXPECT_EQ(range.size(), TreeSize(i + 1));
    EXPECT_EQ(range.hashes().size(), static_cast<size_t>(std::popcount(i + 1)));
  }
  EXPECT_EQ(reported, 2 * leaves.size() - std::popcount(leaves.size()));  // every node once
  EXPECT_EQ(range.Root(), tree.Root());

  // Loaded from a source at any size, it continues the same tree.
  for (uint64_t size : {0, 1, 2, 7, 8, 100, 255, 299}) {
    CompactRange loaded = CompactRange::Load(tree, TreeSize(size)).value();
    EXPECT_EQ(loaded.Root(), tree.RootAt(TreeSize(size)).value());
    for (uint64_t i = size; i < leaves.size(); ++i) loaded.Append(leaves[i]);
    EXPECT_EQ(loaded.Root(), tree.Root()) << size;
  }
  EXPECT_EQ(CompactRange::FromHashes(TreeSize(7), {Hash{}, Hash{}}).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CompactRange::Load(tree, TreeSize(301)).error().code(), ErrorCode::kNotFound);
}

// A store-like source: counts batches, to show a proof costs one query of O(log n) nodes.
class CountingSource final : public HashSource {
 public:
  explicit CountingSource(const MerkleTree& tree) : tree_(tree) {}
  Result<Hash> NodeHash(NodeId id) const override {
    ++single_calls;
    return tree_.NodeHash(id);
  }
  Status NodeHashes(std::span<const NodeId> ids, std::span<Hash> out) const override {
    ++batches;
    nodes += ids.size();
    return tree_.NodeHashes(ids, out);
  }
  mutable int single_calls = 0;
  mutable int batches = 0;
  mutable size_t nodes = 0;

 private:
  const MerkleTree& tree_;
};

TEST(HashSource, ProofsReadOneBatchOfLogarithmicSize) {
  MerkleTree tree = TreeOf(TestLeafHashes(1000));
  CountingSource source(tree);
  auto inclusion = ProveInclusion(source, LeafIndex(777), TreeSize(999)).value();
  EXPECT_EQ(source.batches, 1);
  EXPECT_EQ(source.single_calls, 0);
  EXPECT_LE(source.nodes, 2 * 10u);
  EXPECT_EQ(inclusion.path, tree.ProveInclusion(LeafIndex(777), TreeSize(999)).value().path);
  source.batches = 0;
  source.nodes = 0;
  auto consistency = ProveConsistency(source, TreeSize(333), TreeSize(999)).value();
  EXPECT_EQ(source.batches, 1);
  EXPECT_LE(source.nodes, 2 * 10u);
  EXPECT_EQ(consistency.path, tree.ProveConsistency(TreeSize(333), TreeSize(999)).value().path);
  // A source that lacks a node fails the proof with its error.
  MerkleTree small = TreeOf(TestLeafHashes(10));
  EXPECT_EQ(ProveInclusion(small, LeafIndex(3), TreeSize(20)).error().code(), ErrorCode::kNotFound);
}

// ---- testdata/merkle: our own vectors, for second implementations ----
//
// Leaves are the ASCII strings "entente leaf <i>". The file lists roots at several sizes and the
// TLS encodings of some proofs. Regenerate with ENTENTE_REGENERATE_TESTDATA=1 (the content is
// deterministic; a change means the format changed).
std::string MerkleVectors() {
  MerkleTree tree;
  for (int i = 0; i < 1000; ++i) tree.AppendLeaf(AsBytes("entente leaf " + std::to_string(i)));
  std::ostringstream out;
  out << "# Entente Merkle tree vectors (docs/formats/merkle.md). Leaf i is the ASCII string\n"
      << "# \"entente leaf <i>\"; hashes and encodings in hex.\n";
  out << "leaf_hash 0 " << HexEncode(tree.LeafHash(LeafIndex(0)).value()) << "\n";
  for (uint64_t size : {0, 1, 2, 3, 7, 8, 255, 256, 257, 1000}) {
    out << "root " << size << " " << HexEncode(tree.RootAt(TreeSize(size)).value()) << "\n";
  }
  for (auto [index, size] :
       {std::pair<uint64_t, uint64_t>{0, 1}, {5, 8}, {6, 7}, {999, 1000}, {300, 1000}}) {
    auto proof = tree.ProveInclusion(LeafIndex(index), TreeSize(size)).value();
    out << "inclusion " << index << " " << size << " " << HexEncode(proof.Encode().value()) << "\n";
  }
  for (auto [size1, size2] :
       {std::pair<uint64_t, uint64_t>{0, 8}, {4, 8}, {3, 7}, {256, 1000}, {999, 1000}}) {
    auto proof = tree.ProveConsistency(TreeSize(size1), TreeSize(size2)).value();
    out << "consistency " << size1 << " " << size2 << " " << HexEncode(proof.Encode().value())
        << "\n";
  }
  return out.str();
}

TEST(MerkleTestdata, VectorsMatchTestdata) {
  const std::string path = "testdata/merkle/vectors.txt";
  std::string want = MerkleVectors();
  if (std::getenv("ENTENTE_REGENERATE_TESTDATA") != nullptr) {
    ASSERT_TRUE(WriteFileAtomic((testing::SourceDir() / path).string(), AsBytes(want), 0644, false)
                    .has_value());
  }
  EXPECT_EQ(testing::ReadSourceFile(path), want);
  // And each proof in it verifies against the roots of an independent naive computation.
  std::vector<Hash> leaves;
  for (int i = 0; i < 1000; ++i)
    leaves.push_back(HashLeaf(AsBytes("entente leaf " + std::to_string(i))));
  Naive naive(leaves);
  std::istringstream in(want);
  std::string line;
  int proofs = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind, hex;
    uint64_t a = 0, b = 0;
    fields >> kind >> a >> b >> hex;
    if (kind == "inclusion") {
      auto proof = InclusionProof::Decode(HexDecode(hex).value()).value();
      EXPECT_TRUE(VerifyInclusion(proof, leaves[a], naive.Root(b)).has_value());
      ++proofs;
    } else if (kind == "consistency") {
      auto proof = ConsistencyProof::Decode(HexDecode(hex).value()).value();
      EXPECT_TRUE(VerifyConsistency(proof, naive.Root(a), naive.Root(b)).has_value());
      ++proofs;
    }
  }
  EXPECT_EQ(proofs, 10);
}

}  // namespace
}  // namespace entente::ledger
