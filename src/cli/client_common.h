// cli/client_common.h: what the member's command groups share (client_commands.cc,
// consult_commands.cc): the home option, opening the client, lists.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "client/client.h"

namespace entente::cli {

struct Common {
  std::string home;
  bool json = false;
  std::string Home() const { return home.empty() ? client::DefaultHome() : home; }
};

// Adds --home and, unless `json` is false, --json.
void AddCommon(CLI::App* cmd, Common& c, bool json = true);

// A member's command in a space: the common options and --space.
struct Target {
  Common common;
  std::string space;  // "": the only space the member is in
};
// Adds the common options and --space.
void AddTarget(CLI::App* cmd, Target& t);
// "a, b,c" -> {"a", "b", "c"}.
std::vector<std::string> SplitList(const std::string& text);
// Opens the client home (passphrase from $ENTENTE_PASSPHRASE, else asked).
Result<std::unique_ptr<client::Client>> OpenClient(const Common& c);
// Syncs the directory and prints key-transparency warnings on stderr.
Status SyncAndWarn(client::Client& client);
// The node keys to trust for offline checks: each --node-key PARTNER=KEY (base64url), then the
// keys the node in `node_dir` pinned (if given). InvalidArgument for a malformed item.
Result<std::function<Result<crypto::PublicKey>(const std::string&)>> NodeKeys(
    const std::vector<std::string>& items, const std::string& node_dir);

}  // namespace entente::cli
