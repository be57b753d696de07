// Fuzzes Merkle proof decoding and verification. The first byte picks a mode:
//   0: decode an inclusion proof; accepted encodings re-encode identically; verification must
//      not crash, and a proof that verifies against the real tree must be the real proof.
//   1: the same for consistency proofs.
//   2: take a real inclusion proof (index, size from the input) and flip one bit (position from
//      the input): verification must fail.
//   3: the same for consistency proofs.
#include <cstdint>
#include <cstdlib>

#include "ledger/merkle.h"

namespace {

using namespace entente;
using namespace entente::ledger;

constexpr uint64_t kTreeSize = 300;

const MerkleTree& Tree() {
  static const MerkleTree* tree = [] {
    auto* t = new MerkleTree;
    for (uint64_t i = 0; i < kTreeSize; ++i)
      t->AppendLeaf(AsBytes("fuzz leaf " + std::to_string(i)));
    return t;
  }();
  return *tree;
}

uint64_t ReadU16(ByteView& in) {
  uint64_t v = 0;
  for (int i = 0; i < 2 && !in.empty(); ++i) {
    v = (v << 8) | in[0];
    in = in.subspan(1);
  }
  return v;
}

void FuzzInclusion(ByteView in) {
  auto proof = InclusionProof::Decode(in);
  if (!proof) return;
  auto encoded = proof->Encode();
  if (!encoded || !Equal(*encoded, in)) std::abort();
  const MerkleTree& tree = Tree();
  const uint64_t index = proof->leaf_index.value();
  const uint64_t size = proof->tree_size.value();
  Hash leaf = index < kTreeSize ? *tree.LeafHash(proof->leaf_index) : HashLeaf(in);
  (void)RootFromInclusionProof(*proof, leaf);
  if (size > kTreeSize || index >= size) {
    if (VerifyInclusion(*proof, leaf, EmptyTreeRoot())) std::abort();
    return;
  }
  Hash root = *tree.RootAt(proof->tree_size);
  if (VerifyInclusion(*proof, leaf, root)) {
    // Without a SHA-256 collision, only the real path leads to the real root.
    if (proof->path != tree.ProveInclusion(proof->leaf_index, proof->tree_size)->path) std::abort();
  }
}

void FuzzConsistency(ByteView in) {
  auto proof = ConsistencyProof::Decode(in);
  if (!proof) return;
  auto encoded = proof->Encode();
  if (!encoded || !Equal(*encoded, in)) std::abort();
  const MerkleTree& tree = Tree();
  if (proof->size2.value() > kTreeSize || proof->size1 > proof->size2) {
    (void)VerifyConsistency(*proof, EmptyTreeRoot(), EmptyTreeRoot());
    return;
  }
  Hash root1 = *tree.RootAt(proof->size1);
  Hash root2 = *tree.RootAt(proof->size2);
  if (VerifyConsistency(*proof, root1, root2)) {
    if (proof->path != tree.ProveConsistency(proof->size1, proof->size2)->path) std::abort();
  }
}

void FuzzFlippedInclusion(ByteView in) {
  const MerkleTree& tree = Tree();
  uint64_t size = 1 + ReadU16(in) % kTreeSize;
  uint64_t index = ReadU16(in) % size;
  uint64_t bit = ReadU16(in);
  auto proof = tree.ProveInclusion(LeafIndex(index), TreeSize(size));
  if (!proof) std::abort();
  Hash leaf = *tree.LeafHash(LeafIndex(index));
  Hash root = *tree.RootAt(TreeSize(size));
  if (!VerifyInclusion(*proof, leaf, root)) std::abort();
  if (proof->path.empty()) return;
  bit %= proof->path.size() * 256;
  proof->path[bit / 256][(bit % 256) / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  if (VerifyInclusion(*proof, leaf, root)) std::abort();
}

void FuzzFlippedConsistency(ByteView in) {
  const MerkleTree& tree = Tree();
  uint64_t size2 = 1 + ReadU16(in) % kTreeSize;
  uint64_t size1 = 1 + ReadU16(in) % size2;
  uint64_t bit = ReadU16(in);
  auto proof = tree.ProveConsistency(TreeSize(size1), TreeSize(size2));
  if (!proof) std::abort();
  Hash root1 = *tree.RootAt(TreeSize(size1));
  Hash root2 = *tree.RootAt(TreeSize(size2));
  if (!VerifyConsistency(*proof, root1, root2)) std::abort();
  if (proof->path.empty()) return;
  bit %= proof->path.size() * 256;
  proof->path[bit / 256][(bit % 256) / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  if (VerifyConsistency(*proof, root1, root2)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ByteView in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      FuzzInclusion(in);
      break;
    case 1:
      FuzzConsistency(in);
      break;
    case 2:
      FuzzFlippedInclusion(in);
      break;
    default:
      FuzzFlippedConsistency(in);
      break;
  }
  return 0;
}
