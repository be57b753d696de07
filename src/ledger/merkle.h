// ledger/merkle.h: Merkle tree math for Entente's append-only logs (RFC 9162 §2.1, the same tree
// as RFC 6962): hashes, roots at any size, inclusion and consistency proofs (generation and
// verification), their wire encoding, and an in-memory tree.
//
// A tree of n leaves d0..d(n-1) is MTH(D[0:n]) (RFC 9162 §2.1.1): the empty tree hashes to
// SHA-256(""), one leaf to SHA-256(0x00 || d), and n > 1 leaves split at k, the largest power of
// two smaller than n, into SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])). A tree of 7 leaves:
//
//   level                          root = MTH(D[0:7])
//                            /                          \     .
//     2              (2,0) = MTH(D[0:4])            MTH(D[4:7])    <- right border: not complete,
//                     /              \                /       \       exists only in trees of 7
//     1            (1,0)            (1,1)          (1,2)       |
//                 /     \          /     \        /     \      |
//     0        (0,0)   (0,1)    (0,2)   (0,3)  (0,4)   (0,5)   (0,6)
//   leaves       d0      d1       d2      d3     d4      d5      d6
//
// A *node* `NodeId{level, index}` is a complete subtree: the 2^level leaves starting at leaf
// index·2^level. Its hash never changes once the tree has grown past it, so it is what a store
// keeps (the tlog-tiles tiles are exactly these hashes, see ledger/tiles.h). Every root and every
// proof element is a node hash or a fold of a few of them along the right border; the functions
// below compute which nodes they need and ask a `HashSource` for them in one batch, so a store
// answers a proof with one query of O(log n) rows and never loads the tree.
//
// Indices are strong types: a `LeafIndex` (0-based) does not mix with a `TreeSize` (a count).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "base/strong.h"
#include "crypto/hash.h"

namespace entente::ledger {

using Hash = crypto::Digest;  // SHA-256, 32 bytes
inline constexpr size_t kHashSize = 32;

struct LeafIndexTag {};
struct TreeSizeTag {};
using LeafIndex = StrongInt<LeafIndexTag>;  // 0-based position of a leaf
using TreeSize = StrongInt<TreeSizeTag>;    // number of leaves

// A complete subtree: leaves [index << level, (index + 1) << level). `level` is at most 63 (a
// tree has fewer than 2^64 leaves).
struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;

  constexpr uint64_t FirstLeaf() const { return index << level; }
  // One past the last leaf, i.e. the smallest tree size that contains the node.
  constexpr uint64_t EndLeaf() const { return (index + 1) << level; }
  auto operator<=>(const NodeId&) const = default;
};
std::string ToString(NodeId id);  // "(level,index)"

// SHA-256(0x00 || leaf): the hash of one log entry (RFC 9162 §2.1.1).
Hash HashLeaf(ByteView leaf);
// SHA-256(0x01 || left || right): an interior node (RFC 9162 §2.1.1).
Hash HashChildren(const Hash& left, const Hash& right);
// SHA-256(""): the root of the empty tree (RFC 9162 §2.1.1).
const Hash& EmptyTreeRoot();

// Where node hashes come from: the in-memory `MerkleTree`, a store's table of node hashes, or
// tiles (`TileHashSource`). Implementations say in their own comment whether they are
// thread-safe.
class HashSource {
 public:
  virtual ~HashSource() = default;

  // Returns the hash of complete subtree `id`. NotFound if the source does not (yet) hold it;
  // any other error (DataLoss, Unavailable, Unauthenticated) is passed on to the caller.
  virtual Result<Hash> NodeHash(NodeId id) const = 0;

  // Fills `out[i]` with the hash of `ids[i]` (`out.size() == ids.size()`). Proof generation
  // calls this once per proof; a store should override it to answer with one query. The default
  // calls `NodeHash` for each id.
  virtual Status NodeHashes(std::span<const NodeId> ids, std::span<Hash> out) const;
};

// The nodes whose hashes fold (right to left) into the root of a tree of `size` leaves: one per
// set bit of `size`, largest first. Empty for size 0. Their hashes are the "compact range" of
// [0, size): all that is needed to append further leaves.
std::vector<NodeId> RootNodes(TreeSize size);

// Returns MTH(D[0:size]) from the hashes in `source`; the root of the empty tree for size 0.
// Fails with the source's error if it lacks a node the root needs.
[[nodiscard]] Result<Hash> RootHash(const HashSource& source, TreeSize size);

// An inclusion proof (RFC 9162 §2.1.3): the audit path of leaf `leaf_index` in the tree of
// `tree_size` leaves, the leaf's sibling first.
//
// Wire encoding (TLS presentation language, after RFC 9162 §4.12 InclusionProofDataV2, without
// its log_id: an Entente log is named by the checkpoint the proof is checked against):
//
//   opaque NodeHash<32..2^8-1>;              // always exactly 32 bytes here (SHA-256)
//   struct {
//     uint64 tree_size;
//     uint64 leaf_index;
//     NodeHash inclusion_path<0..2^16-1>;    // at most 64 hashes
//   } InclusionProof;
struct InclusionProof {
  TreeSize tree_size;
  LeafIndex leaf_index;
  std::vector<Hash> path;

  [[nodiscard]] Result<Bytes> Encode() const;
  // Parses the encoding; InvalidArgument if it is truncated, has trailing bytes, a hash that is
  // not 32 bytes, or more than 64 hashes. Says nothing about whether the proof is valid.
  [[nodiscard]] static Result<InclusionProof> Decode(ByteView data);
};

// A consistency proof (RFC 9162 §2.1.4) that the tree of `size1` leaves is a prefix of the tree
// of `size2` leaves. Wire encoding (after RFC 9162 §4.12 ConsistencyProofDataV2, without log_id):
//
//   struct {
//     uint64 tree_size_1;
//     uint64 tree_size_2;
//     NodeHash consistency_path<0..2^16-1>;  // at most 128 hashes
//   } ConsistencyProof;
struct ConsistencyProof {
  TreeSize size1;
  TreeSize size2;
  std::vector<Hash> path;

  [[nodiscard]] Result<Bytes> Encode() const;
  [[nodiscard]] static Result<ConsistencyProof> Decode(ByteView data);
};

// Upper bounds on the number of hashes in a proof, for any tree of fewer than 2^64 leaves.
inline constexpr size_t kMaxInclusionProofHashes = 64;
inline constexpr size_t kMaxConsistencyProofHashes = 128;

// The number of hashes in the inclusion proof of `index` in a tree of `size` leaves
// (index < size), and in the consistency proof from `size1` to `size2` (size1 <= size2).
size_t InclusionProofLength(LeafIndex index, TreeSize size);
size_t ConsistencyProofLength(TreeSize size1, TreeSize size2);

// Returns the inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1
// PATH). InvalidArgument if index >= size; the source's error if it lacks a node.
[[nodiscard]] Result<InclusionProof> ProveInclusion(const HashSource& source, LeafIndex index,
                                                    TreeSize size);

// Returns the consistency proof from `size1` to `size2` (RFC 9162 §2.1.4.1 PROOF/SUBPROOF):
// empty when size1 is 0 or equal to size2. InvalidArgument if size1 > size2.
[[nodiscard]] Result<ConsistencyProof> ProveConsistency(const HashSource& source, TreeSize size1,
                                                        TreeSize size2);

// Recomputes the root from an inclusion proof and the leaf's hash (RFC 9162 §2.1.3.2). Returns
// InvalidArgument if leaf_index >= tree_size or the path has the wrong number of hashes for
// that (index, size). The result is only meaningful when compared with a trusted root.
[[nodiscard]] Result<Hash> RootFromInclusionProof(const InclusionProof& proof,
                                                  const Hash& leaf_hash);

// OK if `proof` shows that `leaf_hash` is the leaf at proof.leaf_index of the tree of
// proof.tree_size leaves whose root is `root`. InvalidArgument for a malformed proof (index out
// of range, wrong length); Unauthenticated if it is well formed but does not lead to `root`.
[[nodiscard]] Status VerifyInclusion(const InclusionProof& proof, const Hash& leaf_hash,
                                     const Hash& root);

// OK if `proof` shows that the tree of proof.size1 leaves with root `root1` is a prefix of the
// tree of proof.size2 leaves with root `root2` (RFC 9162 §2.1.4.2). Cases the RFC algorithm
// does not cover: size1 == 0 needs an empty path and root1 == EmptyTreeRoot() (no tree of 0
// leaves has another root); size1 == size2 needs an empty path and root1 == root2.
// InvalidArgument for malformed input (size1 > size2, wrong length); Unauthenticated if the
// proof does not lead to both roots.
[[nodiscard]] Status VerifyConsistency(const ConsistencyProof& proof, const Hash& root1,
                                       const Hash& root2);

// The hashes of the complete subtrees `RootNodes(size)`, which suffice to append leaves and to
// compute the root. A store keeps one of these for its log head: load it once with `Load`, then
// `Append` each new leaf and persist the node hashes it reports. Not thread-safe; cheap to copy
// (at most 64 hashes).
class CompactRange {
 public:
  CompactRange() = default;  // the empty tree

  // Reads the hashes of RootNodes(size) from `source` (one batch).
  [[nodiscard]] static Result<CompactRange> Load(const HashSource& source, TreeSize size);
  // From hashes already read: `hashes[i]` is the hash of RootNodes(size)[i]. InvalidArgument if
  // the count does not match.
  [[nodiscard]] static Result<CompactRange> FromHashes(TreeSize size, std::vector<Hash> hashes);

  TreeSize size() const { return TreeSize(size_); }
  const std::vector<Hash>& hashes() const { return hashes_; }
  // MTH of the tree so far (EmptyTreeRoot() when empty).
  Hash Root() const;

  // Appends the leaf with hash `leaf_hash` and calls `on_node(NodeId, const Hash&)` for every
  // complete subtree this creates: the leaf itself (level 0), then each parent it completes,
  // bottom up. Amortised one HashChildren per leaf.
  template <class OnNode>
  void Append(const Hash& leaf_hash, OnNode&& on_node);
  void Append(const Hash& leaf_hash) {
    Append(leaf_hash, [](NodeId, const Hash&) {});
  }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;  // hashes of RootNodes(size_), largest subtree first
};

// An in-memory Merkle tree holding every node hash (2n - 1 hashes for n leaves, 64 bytes per
// leaf), so that an append costs two SHA-256 calls (the leaf hash and, amortised, one node hash)
// and roots and proofs at any earlier size cost O(log n). For tests, tools, simulations and a
// node's hot log head. Not thread-safe for appends; const methods may run concurrently with each
// other.
class MerkleTree final : public HashSource {
 public:
  MerkleTree() = default;

  // Appends a leaf (hashing it with HashLeaf) or a leaf hash; returns the leaf's index.
  LeafIndex AppendLeaf(ByteView leaf) { return AppendLeafHash(HashLeaf(leaf)); }
  LeafIndex AppendLeafHash(const Hash& leaf_hash);
  // Reserves memory for `leaves` leaves (an optimisation only).
  void Reserve(uint64_t leaves);

  TreeSize size() const { return TreeSize(levels_.empty() ? 0 : levels_[0].size()); }
  // The current root.
  Hash Root() const;
  // The root at an earlier (or the current) size; InvalidArgument if size > size().
  [[nodiscard]] Result<Hash> RootAt(TreeSize size) const;
  // The hash of leaf `index`; InvalidArgument if out of range.
  [[nodiscard]] Result<Hash> LeafHash(LeafIndex index) const;

  // Proofs against the tree at any size up to size(); see the free functions.
  [[nodiscard]] Result<InclusionProof> ProveInclusion(LeafIndex index, TreeSize size) const;
  [[nodiscard]] Result<ConsistencyProof> ProveConsistency(TreeSize size1, TreeSize size2) const;

  // HashSource: NotFound for a node not (yet) complete.
  Result<Hash> NodeHash(NodeId id) const override;
  Status NodeHashes(std::span<const NodeId> ids, std::span<Hash> out) const override;

 private:
  // The hashes of one level, in chunks of 2^15 (1 MiB), so that a growing tree never copies
  // what it holds nor needs one allocation the size of its largest level.
  class Level {
   public:
    static constexpr unsigned kChunkBits = 15;
    static constexpr uint64_t kChunkMask = (uint64_t{1} << kChunkBits) - 1;

    uint64_t size() const { return size_; }
    const Hash& operator[](uint64_t i) const { return chunks_[i >> kChunkBits][i & kChunkMask]; }
    const Hash& back() const { return (*this)[size_ - 1]; }
    void push_back(const Hash& h) {
      if ((size_ & kChunkMask) == 0 && (chunks_.empty() || chunks_.back().size() > kChunkMask)) {
        chunks_.emplace_back();
      }
      chunks_.back().push_back(h);
      ++size_;
    }
    void reserve(uint64_t n);

   private:
    std::vector<std::vector<Hash>> chunks_;  // all full (2^15 hashes) but the last
    uint64_t size_ = 0;
  };

  // levels_[l][i] is the hash of NodeId{l, i}; levels_[l].size() == size() >> l.
  std::vector<Level> levels_;
};

template <class OnNode>
void CompactRange::Append(const Hash& leaf_hash, OnNode&& on_node) {
  uint64_t index = size_;
  hashes_.push_back(leaf_hash);
  on_node(NodeId{0, index}, hashes_.back());
  // Each trailing one bit of `index` is a left sibling waiting for this leaf's subtree.
  for (uint8_t level = 0; level < 63 && ((index >> level) & 1) != 0; ++level) {
    Hash parent = HashChildren(hashes_[hashes_.size() - 2], hashes_.back());
    hashes_.pop_back();
    hashes_.back() = parent;
    on_node(NodeId{static_cast<uint8_t>(level + 1), index >> (level + 1)}, hashes_.back());
  }
  ++size_;
}

}  // namespace entente::ledger
