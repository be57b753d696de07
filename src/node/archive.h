// node/archive.h: a space's history from exported logs alone, without a node (DESIGN §6: "Adoption
// is checkable offline from the logs alone"). The input is the `entente log export` directories
// (C2SP tlog-tiles with Entente's bodies.jsonl) of each partner's directory log and each
// partner's log of the space, and the partners' node keys, which are the trust anchors: every
// checkpoint signature, tile, entry bundle, event signature and body hash is verified, then the
// logs are folded with the same code every node and client runs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "consult/consultation.h"
#include "crypto/sign.h"
#include "space/directory.h"
#include "space/space_state.h"

namespace entente::node {

struct ArchiveOptions {
  std::vector<std::string> dirs;  // exported log directories
  // The node key of a partner: whose checkpoints to trust. NotFound if none is known.
  std::function<Result<crypto::PublicKey>(const std::string& partner)> node_key;
  uint64_t now_ms = 0;  // for what time decides (silence)
};

struct ArchivedLog {
  std::string dir;
  std::string origin;
  ledger::SpaceId space;
  bool directory = false;  // a partner's directory log, not a space's
  uint64_t size = 0;
  uint64_t bodies = 0;
};

class Archive {
 public:
  // Verifies and folds. NotFound for a directory without a checkpoint or a partner without a
  // node key; Unauthenticated for anything that does not verify; InvalidArgument for a
  // malformed file.
  [[nodiscard]] static Result<std::unique_ptr<Archive>> Load(const ArchiveOptions& options);
  ~Archive();

  const std::vector<ArchivedLog>& logs() const { return logs_; }
  // Entries that do not fold (kept out of state), one line each.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The record of a decision (its id, or a unique prefix of 6+ digits) as consult::DecisionJson,
  // with "space" added. NotFound if no space of the archive has it.
  [[nodiscard]] Result<nlohmann::json> DecisionRecord(std::string_view id) const;

 private:
  Archive() = default;
  struct Space;

  std::vector<ArchivedLog> logs_;
  std::vector<std::string> warnings_;
  space::Directory directory_;
  std::map<ledger::SpaceId, std::unique_ptr<Space>> spaces_;
};

}  // namespace entente::node
