#include "store/store_hash_source.h"

namespace entente::store {

Result<ledger::Hash> StoreHashSource::NodeHash(ledger::NodeId id) const {
  auto hashes = store_.NodeHashes(log_, id.level, id.index, id.index + 1);
  if (!hashes) {
    if (hashes.error().code() == ErrorCode::kInvalidArgument) {
      return NotFound("store: node " + ledger::ToString(id) + " is not complete in the log");
    }
    return std::unexpected(hashes.error());
  }
  return (*hashes)[0];
}

}  // namespace entente::store
