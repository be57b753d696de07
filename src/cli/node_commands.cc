// `entente node init` and `entente node info`.
#include <iostream>

#include "base/encoding.h"
#include "cli/cli.h"
#include "node/node_dir.h"
#include "node/peers.h"
#include "node/service.h"

namespace entente::cli {
namespace {

struct InitArgs {
  std::string dir, partner, listen, tls_cert, tls_key;
  bool json = false;
};
struct InfoArgs {
  std::string dir;
  bool json = false;
};
struct RunArgs {
  std::string dir, listen;
  int threads = 8;
  int peer_poll_ms = 1000;
  bool fork_for_testing = false;
};
struct PeerArgs {
  std::string dir, partner, url, node_key, fingerprint;
  bool json = false;
};

nlohmann::json InfoJson(const node::NodeInfo& info) {
  return {{"dir", info.dir},
          {"partner", info.partner},
          {"listen", info.listen.ToString()},
          {"url", info.url},
          {"node_public_key", Base64UrlEncode(info.node_key.view())},
          {"tls_fingerprint", info.tls_fingerprint},
          {"tls", info.self_signed ? "self-signed" : "provided"}};
}

void PrintInfo(const node::NodeInfo& info) {
  std::cout << "partner:          " << info.partner << "\n"
            << "url:              " << info.url << "\n"
            << "node public key:  " << Base64UrlEncode(info.node_key.view()) << "\n"
            << "tls fingerprint:  " << info.tls_fingerprint
            << (info.self_signed ? " (self-signed)" : "") << "\n";
}

int RunInit(const InitArgs& a) {
  auto passphrase = ReadPassphrase(/*confirm=*/true);
  if (!passphrase) return Fail(passphrase.error());
  node::InitOptions options{a.dir,        a.partner,    a.listen,
                            std::nullopt, std::nullopt, std::move(*passphrase)};
  if (!a.tls_cert.empty()) options.tls_cert = a.tls_cert;
  if (!a.tls_key.empty()) options.tls_key = a.tls_key;
  auto result = node::InitNodeDir(options, SystemClock::Instance());
  if (!result) return Fail(result.error());
  if (a.json) {
    nlohmann::json j = InfoJson(result->info);
    j["admin_token"] = result->admin_token;
    PrintJson(j);
  } else {
    std::cout << "created node " << result->info.partner << " in " << a.dir << "\n";
    PrintInfo(result->info);
    std::cout
        << "admin token:      " << result->admin_token << "\n"
        << "\nThe admin token enrols this partner's first admin, once. It is shown only now;\n"
        << "give it to that admin over a trusted channel. Partners pin the node public key\n"
        << "and the TLS fingerprint above.\n";
  }
  return kExitOk;
}

int RunInfo(const InfoArgs& a) {
  auto info = node::ReadNodeInfo(a.dir);
  if (!info) return Fail(info.error());
  if (a.json) {
    PrintJson(InfoJson(*info));
  } else {
    PrintInfo(*info);
  }
  return kExitOk;
}

int RunRun(const RunArgs& a) {
  auto passphrase = ReadPassphrase(/*confirm=*/false);
  if (!passphrase) return Fail(passphrase.error());
  node::RunOptions options{a.dir, std::move(*passphrase), std::nullopt, a.threads};
  if (!a.listen.empty()) options.listen = a.listen;
  options.peer_poll = std::chrono::milliseconds(a.peer_poll_ms);
  options.fork_for_testing = a.fork_for_testing;
  auto status = node::RunNode(
      options, [](const std::string& url) { std::cout << "ready " << url << "\n"
                                                      << std::flush; },
      std::cerr);
  if (!status) return Fail(status.error());
  return kExitOk;
}

int RunPeerAdd(const PeerArgs& a) {
  auto info = node::ReadNodeInfo(a.dir);
  if (!info) return Fail(info.error());
  auto key_bytes = Base64UrlDecode(a.node_key);
  if (!key_bytes) return Fail(Error(ErrorCode::kInvalidArgument, "--node-key: not base64url"));
  auto key = crypto::PublicKey::FromBytes(*key_bytes);
  if (!key) return Fail(Error(ErrorCode::kInvalidArgument, "--node-key: not a 32-byte key"));
  node::Peer peer{a.partner, a.url, *key, a.fingerprint};
  if (auto added = node::AddPeer(a.dir, info->partner, peer); !added) return Fail(added.error());
  if (a.json) {
    PrintJson({{"partner", peer.partner},
               {"url", peer.url},
               {"node_public_key", a.node_key},
               {"tls_fingerprint", peer.fingerprint}});
  } else {
    std::cout << "peer " << peer.partner << " pinned: " << peer.url << "\n"
              << "A running node picks it up within a second; it now mirrors and cosigns "
              << peer.partner << "'s logs and sends its own.\n";
  }
  return kExitOk;
}

int RunPeerList(const PeerArgs& a) {
  auto peers = node::ReadPeers(a.dir);
  if (!peers) return Fail(peers.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *peers) {
    out.push_back({{"partner", p.partner},
                   {"url", p.url},
                   {"node_public_key", Base64UrlEncode(p.node_key.view())},
                   {"tls_fingerprint", p.fingerprint}});
  }
  if (a.json) {
    PrintJson(out);
  } else if (peers->empty()) {
    std::cout << "no peers (entente node peer add)\n";
  } else {
    for (const auto& p : out) {
      std::cout << p["partner"].get<std::string>() << "  " << p["url"].get<std::string>()
                << "  key=" << p["node_public_key"].get<std::string>() << "  "
                << p["tls_fingerprint"].get<std::string>() << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddNodeCommands(CLI::App& app, int* exit_code) {
  auto* node = app.add_subcommand("node", "Create and inspect a partner's node");
  node->require_subcommand(1);

  auto* init =
      node->add_subcommand("init", "Create a node directory: keys, TLS, store, admin token");
  init->footer(
      "Creates the node key (passphrase from $ENTENTE_PASSPHRASE, else asked), a self-signed\n"
      "TLS certificate unless --tls-cert/--tls-key are given, the SQLite store and a one-time\n"
      "admin enrolment token, and prints the URL, public key, TLS fingerprint and token.\n"
      "Example:\n  entente node init --dir /var/lib/entente --partner USA --listen 127.0.0.1:8443");
  auto ia = std::make_shared<InitArgs>();
  init->add_option("--dir", ia->dir, "Node directory to create")->required();
  init->add_option("--partner", ia->partner, "This node's partner code, e.g. USA")->required();
  init->add_option("--listen", ia->listen, "HOST:PORT to serve on")->required();
  init->add_option("--tls-cert", ia->tls_cert, "PEM certificate to use (with --tls-key)");
  init->add_option("--tls-key", ia->tls_key, "PEM private key of --tls-cert");
  init->add_flag("--json", ia->json, "Print JSON (includes the token)");
  init->callback([ia, exit_code] { *exit_code = RunInit(*ia); });

  auto* info = node->add_subcommand("info", "Print a node's URL, public key and TLS fingerprint");
  info->footer(
      "Never prints a secret or the enrolment token.\nExample:\n  entente node info --dir "
      "/var/lib/entente --json");
  auto fa = std::make_shared<InfoArgs>();
  info->add_option("--dir", fa->dir, "Node directory")->required();
  info->add_flag("--json", fa->json, "Print JSON");
  info->callback([fa, exit_code] { *exit_code = RunInfo(*fa); });

  auto* run = node->add_subcommand("run", "Serve the node's HTTPS API until SIGTERM");
  run->footer(
      "Unlocks node.key (passphrase from $ENTENTE_PASSPHRASE, else asked), serves HTTPS (TLS 1.3)\n"
      "on the address in node.json, prints `ready <url>` on stdout once listening and one JSON\n"
      "log line per request on stderr. SIGTERM or SIGINT stops it gracefully: requests in\n"
      "flight finish. Endpoints: /healthz, /metrics, /v1/node (docs/api.md).\n"
      "Example:\n  entente node run --dir /var/lib/entente");
  auto ra = std::make_shared<RunArgs>();
  run->add_option("--dir", ra->dir, "Node directory")->required();
  run->add_option("--listen", ra->listen, "HOST:PORT instead of node.json's (port 0: any free)");
  run->add_option("--threads", ra->threads, "I/O threads")->check(CLI::Range(1, 64));
  run->add_option("--peer-poll-ms", ra->peer_poll_ms,
                  "How often peers are synced without new events (default 1000)")
      ->check(CLI::Range(50, 600000));
#ifdef ENTENTE_TEST_HOOKS
  // Test builds only (make test): this node forks its log towards its peers, so that their
  // fork detection can be tested. A release build has no such switch.
  run->add_flag("--test-only-fork", ra->fork_for_testing)->group("");
#endif
  run->callback([ra, exit_code] { *exit_code = RunRun(*ra); });

  auto* peer = node->add_subcommand("peer", "Pin the partner nodes this node federates with");
  peer->require_subcommand(1);
  auto* add = peer->add_subcommand("add", "Pin a partner's node: URL, node key, TLS fingerprint");
  add->footer(
      "Both the partner's node key (which signs its checkpoints and requests) and its TLS\n"
      "certificate fingerprint are pinned: nothing is trusted on first use. Get them from the\n"
      "partner's `entente node info` over a trusted channel. Written to DIR/peers.json; a\n"
      "running node picks it up within a second.\nExample:\n"
      "  entente node peer add --dir /var/lib/entente --partner KOR --url https://kor.example:8443 "
      "\\\n"
      "    --node-key BASE64URL --fingerprint sha256:HEX");
  auto pa = std::make_shared<PeerArgs>();
  add->add_option("--dir", pa->dir, "Node directory")->required();
  add->add_option("--partner", pa->partner, "The peer's partner code, e.g. KOR")->required();
  add->add_option("--url", pa->url, "The peer's https URL")->required();
  add->add_option("--node-key", pa->node_key, "The peer's node public key (base64url)")->required();
  add->add_option("--fingerprint", pa->fingerprint, "The peer's TLS fingerprint (sha256:HEX)")
      ->required();
  add->add_flag("--json", pa->json, "Print JSON");
  add->callback([pa, exit_code] { *exit_code = RunPeerAdd(*pa); });
  auto* list = peer->add_subcommand("list", "List the pinned peers");
  auto la = std::make_shared<PeerArgs>();
  list->add_option("--dir", la->dir, "Node directory")->required();
  list->add_flag("--json", la->json, "Print JSON");
  list->callback([la, exit_code] { *exit_code = RunPeerList(*la); });
}

}  // namespace entente::cli
