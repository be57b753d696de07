// Fuzzes the witness's input: the body of POST /federation/v1/add-entries from a pinned peer.
// Parses it (MirrorBatchFromJson), checks the encoding round-trips, and hands it to a node core
// (on an in-memory store) as a batch from its peer USA: whatever the bytes, the core must refuse
// or accept without crashing, and never hold entries its peer did not sign.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "crypto/keyfile.h"
#include "node/core.h"
#include "node/service.h"
#include "store/sqlite_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  static ManualClock clock(FromUnixMs(1'800'000'000'000));
  static auto store = store::SqliteStore::Open(":memory:").value();
  static node::TokenBook tokens("/nonexistent/enrolment.json");
  static auto core = [] {
    auto c = std::make_unique<node::NodeCore>("KOR", crypto::Identity::Generate().signing, *store,
                                              clock, tokens);
    if (!c->Load()) std::abort();
    auto usa = crypto::SigningKey::FromSeed(Bytes(32, 7)).value();
    c->SetPeers(
        {{"USA", "https://usa.invalid:1", usa.public_key(), "sha256:" + std::string(64, '0')}});
    return c;
  }();
  auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return 0;
  auto batch = node::MirrorBatchFromJson(json);
  if (!batch) return 0;
  auto again = node::MirrorBatchFromJson(node::MirrorBatchJson(*batch));
  if (!again || again->entries.size() != batch->entries.size() ||
      again->checkpoint != batch->checkpoint || again->from != batch->from) {
    std::abort();
  }
  auto outcome = core->AcceptMirror("USA", *batch);
  // Without USA's key nothing can be signed by it: nothing may be accepted.
  if (outcome && outcome->size > 0) std::abort();
  return 0;
}
