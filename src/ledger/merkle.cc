// Merkle tree math (RFC 9162 §2.1).
//
// Proof generation walks the RFC's recursive definitions (PATH, SUBPROOF) iteratively from the
// root down, recording each proof element as a leaf range [begin, end). Every such range is a
// subtree of the tree: `begin` is a multiple of a power of two >= end - begin, so its hash is
// the right fold of the complete subtrees given by the set bits of end - begin, largest first.
// All the nodes a proof needs are then fetched from the HashSource in one batch and folded.
//
// Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step (the step numbers are cited
// at the lines), after checking the proof length exactly, so that a proof that is too long or
// too short fails with a message that says so rather than a hash mismatch.
#include "ledger/merkle.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/tls_codec.h"

namespace entente::ledger {

namespace {

// MTH(D[begin:end]) for a range that is a subtree of the tree (see the file comment).
struct Range {
  uint64_t begin;
  uint64_t end;
};

// Appends the complete subtrees of `range`, largest first; returns how many.
size_t AppendRangeNodes(Range range, std::vector<NodeId>& nodes) {
  uint64_t length = range.end - range.begin;
  uint64_t position = range.begin;
  size_t count = 0;
  for (int level = static_cast<int>(std::bit_width(length)) - 1; level >= 0; --level) {
    if (((length >> level) & 1) == 0) continue;
    nodes.push_back(NodeId{static_cast<uint8_t>(level), position >> level});
    position += uint64_t{1} << level;
    ++count;
  }
  return count;
}

// Right fold: MTH of a subtree from the hashes of its complete subtrees, largest first.
Hash FoldRight(std::span<const Hash> hashes) {
  Hash result = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;) result = HashChildren(hashes[i], result);
  return result;
}

// Returns the hash of each range, reading every node they need in one batch.
Result<std::vector<Hash>> HashRanges(const HashSource& source, std::span<const Range> ranges) {
  std::vector<NodeId> nodes;
  std::vector<size_t> counts;
  counts.reserve(ranges.size());
  for (const Range& range : ranges) counts.push_back(AppendRangeNodes(range, nodes));
  std::vector<Hash> node_hashes(nodes.size());
  ENTENTE_RETURN_IF_ERROR(source.NodeHashes(nodes, node_hashes));
  std::vector<Hash> out;
  out.reserve(ranges.size());
  size_t at = 0;
  for (size_t count : counts) {
    out.push_back(FoldRight(std::span<const Hash>(node_hashes).subspan(at, count)));
    at += count;
  }
  return out;
}

// The largest power of two strictly smaller than n (n >= 2): the split point k of RFC 9162
// §2.1.1.
uint64_t Split(uint64_t n) { return std::bit_floor(n - 1); }

// RFC 9162 §2.1.3.1: PATH(m, D[n]), as ranges, the leaf's sibling first.
std::vector<Range> InclusionRanges(uint64_t index, uint64_t size) {
  std::vector<Range> path;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    uint64_t k = Split(hi - lo);
    if (index - lo < k) {
      // m < k: PATH(m, D[0:k]) : MTH(D[k:n])
      path.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      // m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k])
      path.push_back({lo, lo + k});
      lo += k;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// RFC 9162 §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true), as ranges; 0 < m < n.
std::vector<Range> ConsistencyRanges(uint64_t size1, uint64_t size2) {
  std::vector<Range> path;
  uint64_t lo = 0;
  uint64_t hi = size2;
  uint64_t m = size1;  // relative to lo
  bool b = true;
  while (m != hi - lo) {
    uint64_t k = Split(hi - lo);
    if (m <= k) {
      // m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      path.push_back({lo + k, hi});
      hi = lo + k;
    } else {
      // m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      path.push_back({lo, lo + k});
      m -= k;
      lo += k;
      b = false;
    }
  }
  // m == n: SUBPROOF(m, D[m], b) is [] if b, else [MTH(D[0:m])].
  if (!b) path.push_back({lo, hi});
  std::reverse(path.begin(), path.end());
  return path;
}

std::string Str(uint64_t v) { return std::to_string(v); }

void WritePath(Writer& w, std::string_view field, const std::vector<Hash>& path) {
  auto token = w.BeginVector(field, 0, 0xffff);
  for (const Hash& h : path) w.Vector("node hash", h, kHashSize, 0xff);
  w.EndVector(token);
}

std::vector<Hash> ReadPath(Reader& r, std::string_view field, size_t max_hashes) {
  std::vector<Hash> path;
  Reader sub = r.SubVector(field, 0, 0xffff);
  while (sub.ok() && !sub.empty()) {
    ByteView h = sub.Vector("node hash", kHashSize, 0xff);
    if (!sub.ok()) break;
    if (h.size() != kHashSize) {
      sub.Fail("node hash must be 32 bytes (SHA-256), got " + Str(h.size()));
      break;
    }
    if (path.size() == max_hashes) {
      sub.Fail(std::string(field) + " has more than " + Str(max_hashes) + " hashes");
      break;
    }
    path.push_back(ToArray<kHashSize>(h));
  }
  r.Absorb(sub.Finish());
  return path;
}

}  // namespace

std::string ToString(NodeId id) {
  std::string out = "(";
  out += Str(id.level) + "," + Str(id.index) + ")";
  return out;
}

Hash HashLeaf(ByteView leaf) {
  // RFC 9162 §2.1.1: SHA-256(0x00 || leaf). Small leaves (event headers mostly are) are copied
  // behind the prefix so that SHA-256 sees one contiguous input: measurably faster than feeding
  // a one-byte part first.
  constexpr size_t kSmallLeaf = 512;
  if (leaf.size() <= kSmallLeaf) {
    uint8_t buffer[1 + kSmallLeaf];
    buffer[0] = 0x00;
    if (!leaf.empty()) std::memcpy(buffer + 1, leaf.data(), leaf.size());
    return crypto::Sha256({ByteView(buffer, 1 + leaf.size())});
  }
  static constexpr uint8_t kLeafPrefix[1] = {0x00};
  return crypto::Sha256({ByteView(kLeafPrefix), leaf});
}

Hash HashChildren(const Hash& left, const Hash& right) {
  // RFC 9162 §2.1.1: SHA-256(0x01 || left || right), as one contiguous 65-byte input. The
  // multi-part crypto::Sha256 runs OpenSSL's low-level SHA-256 on a stack context; the one-shot
  // crypto::Sha256(ByteView) goes through EVP, which costs more than the hashing for 65 bytes
  // (merkle_benchmark shows both).
  uint8_t buffer[1 + 2 * kHashSize];
  buffer[0] = 0x01;
  std::memcpy(buffer + 1, left.data(), kHashSize);
  std::memcpy(buffer + 1 + kHashSize, right.data(), kHashSize);
  return crypto::Sha256({ByteView(buffer, sizeof(buffer))});
}

const Hash& EmptyTreeRoot() {
  static const Hash kEmpty = crypto::Sha256(ByteView());
  return kEmpty;
}

Status HashSource::NodeHashes(std::span<const NodeId> ids, std::span<Hash> out) const {
  if (ids.size() != out.size()) return Internal("NodeHashes: output size mismatch");
  for (size_t i = 0; i < ids.size(); ++i) {
    ENTENTE_ASSIGN_OR_RETURN(out[i], NodeHash(ids[i]));
  }
  return {};
}

std::vector<NodeId> RootNodes(TreeSize size) {
  std::vector<NodeId> nodes;
  AppendRangeNodes({0, size.value()}, nodes);
  return nodes;
}

Result<Hash> RootHash(const HashSource& source, TreeSize size) {
  if (size.value() == 0) return EmptyTreeRoot();
  Range all{0, size.value()};
  ENTENTE_ASSIGN_OR_RETURN(auto hashes, HashRanges(source, std::span<const Range>(&all, 1)));
  return hashes[0];
}

size_t InclusionProofLength(LeafIndex index, TreeSize size) {
  if (index.value() >= size.value()) return 0;
  return InclusionRanges(index.value(), size.value()).size();
}

size_t ConsistencyProofLength(TreeSize size1, TreeSize size2) {
  if (size1.value() == 0 || size1.value() >= size2.value()) return 0;
  return ConsistencyRanges(size1.value(), size2.value()).size();
}

Result<InclusionProof> ProveInclusion(const HashSource& source, LeafIndex index, TreeSize size) {
  if (index.value() >= size.value()) {
    return InvalidArgument("inclusion proof: leaf index " + Str(index.value()) +
                           " is not in a tree of " + Str(size.value()) + " leaves");
  }
  std::vector<Range> ranges = InclusionRanges(index.value(), size.value());
  ENTENTE_ASSIGN_OR_RETURN(auto path, HashRanges(source, ranges));
  return InclusionProof{size, index, std::move(path)};
}

Result<ConsistencyProof> ProveConsistency(const HashSource& source, TreeSize size1,
                                          TreeSize size2) {
  if (size1.value() > size2.value()) {
    return InvalidArgument("consistency proof: old size " + Str(size1.value()) +
                           " is larger than new size " + Str(size2.value()));
  }
  ConsistencyProof proof{size1, size2, {}};
  // The empty tree is a prefix of every tree, and every tree of itself: empty proofs.
  if (size1.value() == 0 || size1 == size2) return proof;
  std::vector<Range> ranges = ConsistencyRanges(size1.value(), size2.value());
  ENTENTE_ASSIGN_OR_RETURN(proof.path, HashRanges(source, ranges));
  return proof;
}

Result<Hash> RootFromInclusionProof(const InclusionProof& proof, const Hash& leaf_hash) {
  const uint64_t index = proof.leaf_index.value();
  const uint64_t size = proof.tree_size.value();
  // RFC 9162 §2.1.3.2 step 1: leaf_index >= tree_size fails.
  if (index >= size) {
    return InvalidArgument("inclusion proof: leaf index " + Str(index) + " is not in a tree of " +
                           Str(size) + " leaves");
  }
  const size_t want = InclusionProofLength(proof.leaf_index, proof.tree_size);
  if (proof.path.size() != want) {
    return InvalidArgument("inclusion proof: has " + Str(proof.path.size()) + " hashes, but leaf " +
                           Str(index) + " of a tree of " + Str(size) + " leaves needs " +
                           Str(want));
  }
  // Step 2: fn = leaf_index, sn = tree_size - 1.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  // Step 3: r = hash.
  Hash r = leaf_hash;
  // Step 4: for each p in the path:
  for (const Hash& p : proof.path) {
    // 4a: sn == 0 means the path is too long.
    if (sn == 0) return InvalidArgument("inclusion proof: path too long");
    // 4b: if LSB(fn) is set or fn == sn, p is a left sibling...
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      // ...and if LSB(fn) is not set, skip the levels where this node has no right sibling.
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      // otherwise p is a right sibling.
      r = HashChildren(r, p);
    }
    // 4c: up one level.
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: sn must be 0 (the path reached the root).
  if (sn != 0) return InvalidArgument("inclusion proof: path too short");
  return r;
}

Status VerifyInclusion(const InclusionProof& proof, const Hash& leaf_hash, const Hash& root) {
  ENTENTE_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(proof, leaf_hash));
  // RFC 9162 §2.1.3.2 step 5: r must equal the root hash.
  if (computed != root) {
    return Unauthenticated("inclusion proof does not lead to the expected root");
  }
  return {};
}

Status VerifyConsistency(const ConsistencyProof& proof, const Hash& root1, const Hash& root2) {
  const uint64_t first = proof.size1.value();
  const uint64_t second = proof.size2.value();
  if (first > second) {
    return InvalidArgument("consistency proof: old size " + Str(first) +
                           " is larger than new size " + Str(second));
  }
  if (first == 0 || first == second) {
    if (!proof.path.empty()) {
      return InvalidArgument("consistency proof: from size " + Str(first) + " to " + Str(second) +
                             " must be empty, has " + Str(proof.path.size()) + " hashes");
    }
    if (first == 0 && root1 != EmptyTreeRoot()) {
      return Unauthenticated("consistency proof: the root of an empty tree is SHA-256(\"\")");
    }
    if (first == second && root1 != root2) {
      return Unauthenticated("consistency proof: two trees of the same size have different roots");
    }
    return {};
  }
  const size_t want = ConsistencyProofLength(proof.size1, proof.size2);
  // RFC 9162 §2.1.4.2 step 1: an empty path fails (want is never 0 here).
  if (proof.path.size() != want) {
    return InvalidArgument("consistency proof: has " + Str(proof.path.size()) +
                           " hashes, but from size " + Str(first) + " to " + Str(second) +
                           " needs " + Str(want));
  }
  // Step 2: if first is an exact power of 2, prepend first_hash to the path.
  std::vector<Hash> path;
  path.reserve(proof.path.size() + 1);
  if (std::has_single_bit(first)) path.push_back(root1);
  path.insert(path.end(), proof.path.begin(), proof.path.end());
  // Step 3: fn = first - 1, sn = second - 1.
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  // Step 4: if LSB(fn) is set, right-shift both until it is not.
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: fr = sr = the first value of the path.
  Hash fr = path[0];
  Hash sr = path[0];
  // Step 6: for each subsequent value c:
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    // 6a: sn == 0 means the path is too long.
    if (sn == 0) return InvalidArgument("consistency proof: path too long");
    // 6b: if LSB(fn) is set or fn == sn, c is a left sibling of both...
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      // otherwise c is a right sibling in the second tree only.
      sr = HashChildren(sr, c);
    }
    // 6c: up one level.
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7: fr == first_hash, sr == second_hash, sn == 0.
  if (sn != 0) return InvalidArgument("consistency proof: path too short");
  if (fr != root1 || sr != root2) {
    return Unauthenticated("consistency proof does not lead to the expected roots");
  }
  return {};
}

Result<Bytes> InclusionProof::Encode() const {
  Writer w("inclusion proof");
  w.U64(tree_size.value());
  w.U64(leaf_index.value());
  if (path.size() > kMaxInclusionProofHashes) w.Fail("more than 64 hashes");
  WritePath(w, "inclusion_path", path);
  return std::move(w).Finish();
}

Result<InclusionProof> InclusionProof::Decode(ByteView data) {
  Reader r(data, "inclusion proof");
  InclusionProof proof;
  proof.tree_size = TreeSize(r.U64("tree_size"));
  proof.leaf_index = LeafIndex(r.U64("leaf_index"));
  proof.path = ReadPath(r, "inclusion_path", kMaxInclusionProofHashes);
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  return proof;
}

Result<Bytes> ConsistencyProof::Encode() const {
  Writer w("consistency proof");
  w.U64(size1.value());
  w.U64(size2.value());
  if (path.size() > kMaxConsistencyProofHashes) w.Fail("more than 128 hashes");
  WritePath(w, "consistency_path", path);
  return std::move(w).Finish();
}

Result<ConsistencyProof> ConsistencyProof::Decode(ByteView data) {
  Reader r(data, "consistency proof");
  ConsistencyProof proof;
  proof.size1 = TreeSize(r.U64("tree_size_1"));
  proof.size2 = TreeSize(r.U64("tree_size_2"));
  proof.path = ReadPath(r, "consistency_path", kMaxConsistencyProofHashes);
  ENTENTE_RETURN_IF_ERROR(r.Finish());
  return proof;
}

Result<CompactRange> CompactRange::Load(const HashSource& source, TreeSize size) {
  std::vector<NodeId> nodes = RootNodes(size);
  std::vector<Hash> hashes(nodes.size());
  ENTENTE_RETURN_IF_ERROR(source.NodeHashes(nodes, hashes));
  return FromHashes(size, std::move(hashes));
}

Result<CompactRange> CompactRange::FromHashes(TreeSize size, std::vector<Hash> hashes) {
  size_t want = static_cast<size_t>(std::popcount(size.value()));
  if (hashes.size() != want) {
    return InvalidArgument("compact range of a tree of " + Str(size.value()) + " leaves needs " +
                           Str(want) + " hashes, got " + Str(hashes.size()));
  }
  CompactRange range;
  range.size_ = size.value();
  range.hashes_ = std::move(hashes);
  return range;
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyTreeRoot();
  return FoldRight(hashes_);
}

LeafIndex MerkleTree::AppendLeafHash(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  const uint64_t index = levels_[0].size();
  levels_[0].push_back(leaf_hash);
  // Each trailing one bit of `index` completes a node one level up.
  for (size_t level = 0; level < 63 && ((index >> level) & 1) != 0; ++level) {
    const Level& row = levels_[level];
    Hash parent = HashChildren(row[row.size() - 2], row.back());
    if (levels_.size() == level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(parent);
  }
  return LeafIndex(index);
}

void MerkleTree::Level::reserve(uint64_t n) {
  if (chunks_.empty()) chunks_.emplace_back();
  chunks_.back().reserve(std::min(n, kChunkMask + 1));
}

void MerkleTree::Reserve(uint64_t leaves) {
  size_t levels = static_cast<size_t>(std::bit_width(leaves));
  if (levels_.size() < levels) levels_.resize(levels);
  for (size_t l = 0; l < levels; ++l) levels_[l].reserve(leaves >> l);
}

Hash MerkleTree::Root() const {
  // Cannot fail: every node of the current tree is held.
  auto root = RootHash(*this, size());
  ENTENTE_CHECK(root.has_value());
  return *root;
}

Result<Hash> MerkleTree::RootAt(TreeSize size) const {
  if (size > this->size()) {
    return InvalidArgument("root at size " + Str(size.value()) + ": the tree has only " +
                           Str(this->size().value()) + " leaves");
  }
  return RootHash(*this, size);
}

Result<Hash> MerkleTree::LeafHash(LeafIndex index) const {
  if (TreeSize(index.value()) >= size()) {
    return InvalidArgument("leaf " + Str(index.value()) + ": the tree has only " +
                           Str(size().value()) + " leaves");
  }
  return levels_[0][index.value()];
}

Result<InclusionProof> MerkleTree::ProveInclusion(LeafIndex index, TreeSize size) const {
  if (size > this->size()) {
    return InvalidArgument("inclusion proof at size " + Str(size.value()) + ": the tree has only " +
                           Str(this->size().value()) + " leaves");
  }
  return ledger::ProveInclusion(*this, index, size);
}

Result<ConsistencyProof> MerkleTree::ProveConsistency(TreeSize size1, TreeSize size2) const {
  if (size2 > this->size()) {
    return InvalidArgument("consistency proof to size " + Str(size2.value()) +
                           ": the tree has only " + Str(this->size().value()) + " leaves");
  }
  return ledger::ProveConsistency(*this, size1, size2);
}

Result<Hash> MerkleTree::NodeHash(NodeId id) const {
  if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
    return NotFound("node " + ToString(id) + " is not complete in a tree of " +
                    Str(size().value()) + " leaves");
  }
  return levels_[id.level][id.index];
}

Status MerkleTree::NodeHashes(std::span<const NodeId> ids, std::span<Hash> out) const {
  if (ids.size() != out.size()) return Internal("NodeHashes: output size mismatch");
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeId id = ids[i];
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return std::unexpected(NodeHash(id).error());
    }
    out[i] = levels_[id.level][id.index];
  }
  return {};
}

}  // namespace entente::ledger
