// client/space_view.h (inside the client library): one space as this client fetched and
// verified it from its node, for the parts of the library that read and author in a space
// (client.cc, consult.cc).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "consult/consultation.h"
#include "consult/fold.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "space/directory.h"
#include "space/space_state.h"

namespace entente::client {

// Opens a checkpoint note of `origin`'s log of `space` signed by its node (`node_key`): its size
// and root; Unauthenticated if the signature does not verify.
[[nodiscard]] Result<ledger::Checkpoint> OpenNodeCheckpoint(const std::string& note,
                                                            const ledger::SpaceId& space,
                                                            const std::string& origin,
                                                            const crypto::PublicKey& node_key);

// One log of a space as this client fetched it: every entry, and the tree of their headers that
// the origin's signed checkpoint is checked against.
struct LogView {
  std::string origin;
  struct Entry {
    uint64_t index;
    Bytes header_bytes;
    ledger::EventHeader header;
    std::optional<Bytes> body;
    std::string flagged;  // why the node flagged it as breaking policy (left out of state)
  };
  std::vector<Entry> entries;
  ledger::MerkleTree tree;
  uint64_t verified_size = 0;  // entries below this are in a checkpoint the origin signed
  std::string verified_note;   // that checkpoint, as the origin's node signed it

  // Adds the next entry ({"header": b64url, "body": b64url?}).
  [[nodiscard]] Status Add(const nlohmann::json& entry);
  // Checks a checkpoint note signed by the origin's node (`key`) against the entries so far; OK
  // and remembers its size if it matches, DataLoss if not. One beyond the entries waits.
  [[nodiscard]] Status Verify(const std::string& note, const ledger::SpaceId& space,
                              const crypto::PublicKey& key);
};

// One space as this client sees it: each partner's log, and the state folded from all of them
// in the merge order every party uses (space::MergeOrder): the space's structure, then its
// consultations. Not movable: the book refers to the state.
struct SpaceView {
  explicit SpaceView(ledger::SpaceId id) : state(id), book(state) {}
  SpaceView(const SpaceView&) = delete;
  SpaceView& operator=(const SpaceView&) = delete;

  space::SpaceState state;
  consult::Book book;
  std::map<std::string, LogView> logs;  // by origin

  // Folds the entries of every log again, in merge order; `now_ms` for what time decides.
  void Rebuild(const space::Directory& directory, uint64_t now_ms);
  // The entries state is folded from (verified, not flagged), by origin; their metas are kept
  // in `metas`.
  std::map<std::string, std::vector<consult::FoldEntry>> Foldable(
      std::deque<nlohmann::json>& metas) const;
  // The entry `index` of `origin`'s log, or nullptr.
  const LogView::Entry* Find(const std::string& origin, uint64_t index) const;
};

}  // namespace entente::client
