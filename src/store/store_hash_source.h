// store/store_hash_source.h: one stored log's node hashes as a ledger::HashSource, so that
// proofs and roots are computed by the ledger's tree math from the store without loading the
// tree. Thread-safe as the Store is; the Store must outlive it.
#pragma once

#include "ledger/merkle.h"
#include "store/store.h"

namespace entente::store {

class StoreHashSource final : public ledger::HashSource {
 public:
  StoreHashSource(Store& store, LogKey log) : store_(store), log_(std::move(log)) {}

  // NotFound for a subtree that is not complete in the stored tree.
  Result<ledger::Hash> NodeHash(ledger::NodeId id) const override;

 private:
  Store& store_;
  LogKey log_;
};

}  // namespace entente::store
