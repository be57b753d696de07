// node/audit.h: `entente audit verify`: checks every log of a space end to end from this node's
// copy (its store), without trusting the store's own bookkeeping: every header is decoded and
// its signature verified; every log's Merkle root is recomputed from its leaves and compared
// with the latest checkpoint its origin signed; the cosignatures on the latest cosigned
// checkpoint are verified against the pinned node keys; entries the node flagged as breaking
// policy when they arrived are listed; and fork alarms (on the space's logs and on its partners'
// directories) are reported. Reads only; safe while the node runs (SQLite WAL).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "store/store.h"

namespace entente::node {

struct LogAudit {
  std::string origin;
  bool mirror = false;
  uint64_t size = 0;
  uint64_t bad_headers = 0;  // undecodable, bad signature, or not of this log
  uint64_t bodies_held = 0;
  std::vector<std::string> policy;     // "index: reason" for each entry that breaks policy
  std::vector<uint64_t> flagged;       // entries the node flagged when it mirrored them
  uint64_t checkpoint_size = 0;        // latest checkpoint signed by the origin
  bool checkpoint_ok = false;          // its signature verifies and its root is the leaves'
  uint64_t cosigned_size = 0;          // latest checkpoint cosigned by every witness
  std::vector<std::string> cosigners;  // whose cosignatures verified on it
  std::vector<std::string> problems;   // human-readable, empty when all is well
};

struct SpaceAudit {
  std::string space;  // name
  std::string id;     // hex
  std::vector<std::string> partners;
  std::vector<LogAudit> logs;
  std::vector<nlohmann::json> alarms;
  bool ok() const;
};

// Audits the space `name_or_id` in the node directory `dir` (node.json, peers.json, node.db).
// NotFound if no log of the space is here.
[[nodiscard]] Result<SpaceAudit> AuditSpace(const std::string& dir, const std::string& name_or_id);

nlohmann::json AuditJson(const SpaceAudit& audit);

}  // namespace entente::node
