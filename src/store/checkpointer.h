// store/checkpointer.h: signing a stored log's checkpoint and recording cosignatures.
//
// The checkpoint of a log is always computed from the store (size and root of what is durably
// appended), so a node cannot sign a tree it does not hold, and since the store only appends,
// two checkpoints it signs are always consistent (DESIGN §4.5).
#pragma once

#include <string>

#include "crypto/sign.h"
#include "ledger/note.h"
#include "store/store.h"

namespace entente::store {

// Signs a checkpoint of `log` at its current size with the origin node's key (signed-note key
// named by the origin line, "entente/<space-hex>/<partner>") and stores it. Returns it.
[[nodiscard]] Result<StoredCheckpoint> SignLatestCheckpoint(Store& store, const LogKey& log,
                                                            const crypto::SigningKey& node_key);

// The vkey that verifies the checkpoints `node_key` signs for `log`.
[[nodiscard]] Result<ledger::Verifier> CheckpointVerifier(const LogKey& log,
                                                          const crypto::PublicKey& node_key);

// Records a cosignature line for the checkpoint of `tree_size` after checking it verifies with
// `cosigner` over that stored checkpoint. Unauthenticated if it does not.
[[nodiscard]] Status AddCosignature(Store& store, const LogKey& log, uint64_t tree_size,
                                    const ledger::Verifier& cosigner,
                                    const ledger::NoteSignature& cosignature);

// The latest stored checkpoint with every stored cosignature line appended to its note: what a
// client or a static export serves. Size and note come from one read, so they always agree.
// NotFound if there is none.
[[nodiscard]] Result<StoredCheckpoint> CosignedCheckpoint(Store& store, const LogKey& log);

}  // namespace entente::store
