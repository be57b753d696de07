// `entente node init` and `entente node info`.
#include <iostream>

#include "base/encoding.h"
#include "cli/cli.h"
#include "node/node_dir.h"
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
  auto status = node::RunNode(
      options, [](const std::string& url) { std::cout << "ready " << url << "\n"
                                                      << std::flush; },
      std::cerr);
  if (!status) return Fail(status.error());
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
  run->callback([ra, exit_code] { *exit_code = RunRun(*ra); });
}

}  // namespace entente::cli
