// testing/sample_node.h: a node directory with a real, signed log, for tests, the CLI
// integration test and the demo, until nodes author logs themselves (issue 4).
//
// Layout written into `dir`: node.db (the SQLite store), node.vkey (the checkpoint vkey of the
// log), cosigner.vkey (a partner witness that cosigned it), space (the space id in hex).
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "crypto/sign.h"
#include "ledger/ids.h"
#include "store/store.h"

namespace entente::testing {

struct SampleNode {
  store::LogKey log;
  std::string node_vkey;         // checkpoints of the log
  std::string cosigner_vkey;     // the partner that cosigned
  std::string first_checkpoint;  // the note signed after the first half of the events
};

// Deterministic keys: the node key, the device key and the cosigner key come from fixed seeds,
// so vkeys are stable across runs.
crypto::SigningKey SampleNodeKey();
crypto::SigningKey SampleCosignerKey();

// Creates `dir`/node.db with one own log of `events` message.post events authored by a sample
// device, signs a checkpoint at half and at the full size, and has the cosigner cosign the
// latter. Writes the vkeys and space id beside it.
[[nodiscard]] Result<SampleNode> MakeSampleNode(const std::string& dir, uint64_t events);

}  // namespace entente::testing
