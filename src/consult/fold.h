// consult/fold.h: folding a space's logs into its state and its consultations, the way every
// party does (DESIGN §5, "State"): the structure first (charter, joins, channels), then the
// consultations, each in space::MergeOrder.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "consult/consultation.h"

namespace entente::consult {

// One entry of a log that state is folded from (verified, not flagged, with its body's meta).
struct FoldEntry {
  const ledger::EventHeader* header;
  const nlohmann::json* meta;
  std::span<const crypto::EncryptionPublicKey> recipients;
  uint64_t index;  // in its origin's log
};

// Folds `logs` (by origin, each in log order) into `state` and `book` (fresh ones); messages and
// other kinds that hold no state are skipped. `book` must refer to `state`.
void FoldSpaceLogs(const std::map<std::string, std::vector<FoldEntry>>& logs,
                   const space::Directory& directory, space::SpaceState& state, Book& book);

// The JSON of an entry reference: {"origin","index","event","at","member"}.
nlohmann::json EntryJson(const EntryRef& at);
// A decision record as JSON (docs/api.md): versions, approvals and voided approvals with the log
// entries that prove them, objections, adoption, and the partners whose approval it needs.
nlohmann::json DecisionJson(const Book& book, const Consultation& c, const Decision& d);

}  // namespace entente::consult
