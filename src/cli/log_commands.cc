// `entente log export`, `entente log verify` and `entente log vkey`.
#include <iostream>

#include "base/encoding.h"
#include "base/file.h"
#include "cli/cli.h"
#include "ledger/ids.h"
#include "ledger/note.h"
#include "node/peers.h"
#include "space/names.h"
#include "store/checkpointer.h"
#include "store/sqlite_store.h"
#include "store/tiled_log.h"

namespace entente::cli {
namespace {

struct ExportOptions {
  std::string node_dir, space, origin, out;
  bool json = false;
};

struct VerifyOptions {
  std::string dir, key, since;
  std::vector<std::string> cosigners;
  bool json = false;
};

int RunExport(const ExportOptions& o) {
  auto origin = ledger::PartnerCode::Parse(o.origin);
  if (!origin) return Fail(origin.error().WithContext("--origin"));
  auto space = o.space == "directory" ? Result<ledger::SpaceId>(space::DirectorySpaceId(o.origin))
                                      : ledger::SpaceId::FromHex(o.space);
  if (!space)
    return Fail(Error(
        ErrorCode::kInvalidArgument,
        "--space: expected 32 hex digits (a space id) or \"directory\", got \"" + o.space + "\""));
  std::string db_path = o.node_dir + "/node.db";
  if (auto exists = ReadFile(db_path, 0);
      !exists && exists.error().code() == ErrorCode::kNotFound) {
    return Fail(Error(ErrorCode::kNotFound,
                      db_path + ": no node store here (is --node-dir a node directory?)"));
  }
  auto store = store::SqliteStore::Open(db_path);
  if (!store) return Fail(store.error());
  store::LogKey log{*space, origin->str()};
  auto summary = store::ExportTiledLog(**store, log, o.out, [&](uint64_t done, uint64_t total) {
    if (!o.json && total >= 100'000)
      std::cerr << "\rexported " << done << " / " << total << " entries" << std::flush;
  });
  if (!summary) return Fail(summary.error());
  if (o.json) {
    PrintJson({{"out", o.out},
               {"tree_size", summary->tree_size},
               {"tiles", summary->tiles},
               {"bundles", summary->bundles}});
  } else {
    if (summary->tree_size >= 100'000) std::cerr << "\n";
    std::cout << "exported " << summary->tree_size << " entries of " << log.origin << " to "
              << o.out << " (" << summary->tiles << " tiles, " << summary->bundles
              << " entry bundles)\n";
  }
  return kExitOk;
}

int RunVerify(const VerifyOptions& o) {
  auto log_key = ledger::Verifier::Parse(o.key);
  if (!log_key) return Fail(log_key.error().WithContext("--key"));
  store::VerifyOptions options{*log_key, {}, std::nullopt};
  for (const std::string& c : o.cosigners) {
    auto v = ledger::Verifier::Parse(c);
    if (!v) return Fail(v.error().WithContext("--cosigner"));
    options.cosigners.push_back(*v);
  }
  if (!o.since.empty()) {
    auto text = ReadFile(o.since, ledger::kMaxNoteSize);
    if (!text) return Fail(text.error().WithContext("--since"));
    options.since_checkpoint = ToString(*text);
  }
  auto summary = store::VerifyTiledLog(o.dir, options);
  if (!summary) {
    if (o.json) {
      PrintJson({{"ok", false},
                 {"error", summary.error().message()},
                 {"code", ErrorCodeName(summary.error().code())}});
    } else {
      std::cerr << "entente: verification FAILED: " << summary.error().message() << "\n";
    }
    return kExitNo;
  }
  if (o.json) {
    nlohmann::json j = {{"ok", true},
                        {"origin", summary->origin},
                        {"tree_size", summary->tree_size},
                        {"root", Base64Encode(summary->root)},
                        {"entries_verified", summary->entries},
                        {"tiles_verified", summary->tiles},
                        {"cosigners", o.cosigners.size()}};
    if (summary->consistent_with) j["consistent_with_size"] = *summary->consistent_with;
    PrintJson(j);
  } else {
    std::cout << "OK " << summary->origin << ": " << summary->tree_size << " entries, root "
              << Base64Encode(summary->root) << "\n"
              << "  checkpoint signature and " << o.cosigners.size() << " cosignature(s) verified\n"
              << "  " << summary->tiles << " tiles verified against the root, " << summary->entries
              << " event signatures verified\n";
    if (summary->consistent_with) {
      std::cout << "  consistent with the older checkpoint of " << *summary->consistent_with
                << " entries\n";
    }
  }
  return kExitOk;
}

struct VkeyOptions {
  std::string node_dir, space, origin;
  std::vector<std::string> cosigners;
  bool json = false;
};

int RunVkey(const VkeyOptions& o) {
  auto space = ledger::SpaceId::FromHex(o.space);
  if (!space) return Fail(Error(ErrorCode::kInvalidArgument, "--space: expected 32 hex digits"));
  auto key = node::PinnedNodeKey(o.node_dir, o.origin);
  if (!key) return Fail(key.error());
  auto vkey = store::CheckpointVerifier({*space, o.origin}, *key);
  if (!vkey) return Fail(vkey.error());
  nlohmann::json cosigners = nlohmann::json::object();
  for (const auto& partner : o.cosigners) {
    auto ckey = node::PinnedNodeKey(o.node_dir, partner);
    if (!ckey) return Fail(ckey.error());
    auto cv = ledger::Verifier::Create(partner, ledger::NoteKeyType::kCosignatureV1, *ckey);
    if (!cv) return Fail(cv.error());
    cosigners[partner] = cv->ToString();
  }
  if (o.json) {
    PrintJson({{"vkey", vkey->ToString()}, {"cosigners", cosigners}});
  } else {
    std::cout << vkey->ToString() << "\n";
    for (const auto& [partner, v] : cosigners.items()) std::cout << v.get<std::string>() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddLogCommands(CLI::App& app, int* exit_code) {
  auto* log = app.add_subcommand("log", "Export and verify Merkle logs (C2SP tlog-tiles)");
  log->require_subcommand(1);

  auto* exp = log->add_subcommand("export", "Write a log as a static tlog-tiles directory");
  exp->footer(
      "Writes OUT/checkpoint (with every cosignature), OUT/tile/<L>/<N>[.p/<W>] and\n"
      "OUT/tile/entries/<N>[.p/<W>], which any tlog-tiles client can verify.\n"
      "Example:\n  entente log export --node-dir /var/lib/entente --space "
      "4e434700000000000000000000000001 \\\n"
      "    --origin USA --out /srv/log");
  auto eo = std::make_shared<ExportOptions>();
  exp->add_option("--node-dir", eo->node_dir, "Node directory (holds node.db)")->required();
  exp->add_option("--space", eo->space,
                  "Space id, 32 hex digits, or directory (the origin's directory log)")
      ->required();
  exp->add_option("--origin", eo->origin, "Partner whose log to export, e.g. USA")->required();
  exp->add_option("--out", eo->out, "Output directory")->required();
  exp->add_flag("--json", eo->json, "Print JSON");
  exp->callback([eo, exit_code] { *exit_code = RunExport(*eo); });

  auto* ver = log->add_subcommand("verify", "Verify a tiled log directory offline");
  ver->footer(
      "Checks the checkpoint signature and every required cosignature, every tile against the\n"
      "root, every entry against its tile, every event signature, and with --since that the log\n"
      "extends an older checkpoint. Exit 0 if all hold, 1 with the first failure.\n"
      "Example:\n  entente log verify /srv/log --key \"$(cat node.vkey)\" --cosigner \"$(cat "
      "kor.vkey)\" \\\n"
      "    --since old.checkpoint");
  auto vo = std::make_shared<VerifyOptions>();
  ver->add_option("DIR", vo->dir, "Tiled log directory")->required();
  ver->add_option("--key", vo->key, "The origin node's checkpoint vkey (name+id+key)")->required();
  ver->add_option("--cosigner", vo->cosigners,
                  "A cosigner's vkey that must have cosigned (repeatable)");
  ver->add_option("--since", vo->since, "An older checkpoint file to check consistency with");
  ver->add_flag("--json", vo->json, "Print JSON");
  ver->callback([vo, exit_code] { *exit_code = RunVerify(*vo); });

  auto* vk = log->add_subcommand("vkey", "Print the vkeys that verify a log's checkpoints");
  vk->footer(
      "The checkpoint vkey of ORIGIN's log of a space, from the keys this node pinned (its own\n"
      "or a peer's), and with --cosigner the cosignature vkey of each partner named: what `log\n"
      "verify --key/--cosigner` takes.\nExample:\n"
      "  entente log vkey --node-dir /var/lib/entente --space 4e43... --origin USA --cosigner KOR");
  auto ko = std::make_shared<VkeyOptions>();
  vk->add_option("--node-dir", ko->node_dir, "Node directory (node.json, peers.json)")->required();
  vk->add_option("--space", ko->space, "Space id, 32 hex digits")->required();
  vk->add_option("--origin", ko->origin, "The log's partner, e.g. USA")->required();
  vk->add_option("--cosigner", ko->cosigners, "Also print this partner's cosigner vkey");
  vk->add_flag("--json", ko->json, "Print JSON");
  vk->callback([ko, exit_code] { *exit_code = RunVkey(*ko); });
}

}  // namespace entente::cli
