#include "store/checkpointer.h"

namespace entente::store {

Result<ledger::Verifier> CheckpointVerifier(const LogKey& log, const crypto::PublicKey& node_key) {
  ENTENTE_ASSIGN_OR_RETURN(std::string origin, ledger::EntenteOrigin(log.space.view(), log.origin));
  return ledger::Verifier::Create(origin, ledger::NoteKeyType::kEd25519, node_key);
}

Result<StoredCheckpoint> SignLatestCheckpoint(Store& store, const LogKey& log,
                                              const crypto::SigningKey& node_key) {
  ENTENTE_ASSIGN_OR_RETURN(uint64_t size, store.TreeSize(log));
  ENTENTE_ASSIGN_OR_RETURN(crypto::Digest root, store.RootHash(log, size));
  ledger::Checkpoint checkpoint;
  ENTENTE_ASSIGN_OR_RETURN(checkpoint.origin, ledger::EntenteOrigin(log.space.view(), log.origin));
  checkpoint.size = ledger::TreeSize(size);
  checkpoint.root = root;
  ENTENTE_ASSIGN_OR_RETURN(std::string note, ledger::SignCheckpoint(checkpoint, node_key));
  StoredCheckpoint stored{size, std::move(note)};
  ENTENTE_RETURN_IF_ERROR(store.PutCheckpoint(log, stored));
  return stored;
}

Status AddCosignature(Store& store, const LogKey& log, uint64_t tree_size,
                      const ledger::Verifier& cosigner, const ledger::NoteSignature& cosignature) {
  ENTENTE_ASSIGN_OR_RETURN(auto latest, store.LatestCheckpoint(log));
  if (!latest || latest->tree_size < tree_size) {
    return NotFound("no stored checkpoint of size " + std::to_string(tree_size));
  }
  // Cosignatures are kept for the checkpoint they sign; only the latest is looked up here, as
  // partners cosign what the origin serves.
  if (latest->tree_size != tree_size) {
    return FailedPrecondition("cosignature for size " + std::to_string(tree_size) +
                              " but the latest checkpoint is " + std::to_string(latest->tree_size));
  }
  ENTENTE_ASSIGN_OR_RETURN(ledger::Note note, ledger::Note::Parse(latest->note));
  if (cosignature.name != cosigner.name() || cosignature.key_id != cosigner.key_id()) {
    return Unauthenticated("cosignature is not by " + cosigner.ToString());
  }
  ENTENTE_RETURN_IF_ERROR(cosigner.Verify(note.text, cosignature.signature));
  return store.PutCosignature(log, tree_size, {cosigner.name(), cosignature.Line()});
}

Result<StoredCheckpoint> CosignedCheckpoint(Store& store, const LogKey& log) {
  ENTENTE_ASSIGN_OR_RETURN(auto latest, store.LatestCheckpoint(log));
  if (!latest) return NotFound("log " + log.origin + " has no signed checkpoint yet");
  ENTENTE_ASSIGN_OR_RETURN(auto cosignatures, store.Cosignatures(log, latest->tree_size));
  StoredCheckpoint out = std::move(*latest);
  for (const StoredCosignature& c : cosignatures) out.note += c.line;
  return out;
}

}  // namespace entente::store
