// Fuzzes the peers file parser (docs/formats/peers.md): whatever DIR/peers.json holds, ReadPeers
// returns peers that pass CheckPeer, each partner once, or a DataLoss error (ResourceExhausted
// beyond 1 MiB); it never crashes.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "base/file.h"
#include "node/peers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  static const std::string dir = [] {
    std::string pattern = "/tmp/entente-peers-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return pattern;
  }();
  if (!WriteFileAtomic(dir + "/peers.json", ByteView(data, size), 0600, false)) std::abort();
  auto peers = node::ReadPeers(dir);
  if (!peers) {
    if (peers.error().code() != ErrorCode::kDataLoss &&
        peers.error().code() != ErrorCode::kResourceExhausted) {
      std::abort();
    }
    return 0;
  }
  std::set<std::string> seen;
  for (const auto& p : *peers) {
    if (!node::CheckPeer(p) || !seen.insert(p.partner).second) std::abort();
  }
  return 0;
}
