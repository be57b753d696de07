// `entente audit verify`.
#include <iostream>

#include "cli/cli.h"
#include "node/audit.h"

namespace entente::cli {
namespace {

struct AuditArgs {
  std::string dir, space;
  bool json = false;
};

int RunAuditVerify(const AuditArgs& a) {
  auto audit = node::AuditSpace(a.dir, a.space);
  if (!audit) return Fail(audit.error());
  if (a.json) {
    PrintJson(node::AuditJson(*audit));
    return audit->ok() ? kExitOk : kExitNo;
  }
  std::cout << "space " << audit->space << " (" << audit->id << "), partners";
  for (const auto& p : audit->partners) std::cout << " " << p;
  std::cout << "\n";
  for (const auto& l : audit->logs) {
    std::cout << "  log " << l.origin << (l.mirror ? " (mirror)" : " (own)") << ": " << l.size
              << " entries, " << l.bodies_held << " bodies held, " << l.bad_headers
              << " bad headers\n"
              << "    checkpoint " << l.checkpoint_size << " signed by " << l.origin << ": "
              << (l.checkpoint_ok ? "verified against the leaves" : "NOT VERIFIED") << "\n"
              << "    cosigned by every partner up to " << l.cosigned_size;
    if (!l.cosigners.empty()) {
      std::cout << " (";
      for (size_t i = 0; i < l.cosigners.size(); ++i) {
        std::cout << (i ? ", " : "") << l.cosigners[i];
      }
      std::cout << ")";
    }
    std::cout << "\n";
    if (!l.flagged.empty()) {
      std::cout << "    " << l.flagged.size() << " entries flagged (break policy, excluded)\n";
    }
    for (const auto& p : l.problems) std::cout << "    PROBLEM: " << p << "\n";
  }
  for (const auto& alarm : audit->alarms) {
    std::cout << "  ALARM " << alarm.value("at", "") << " log " << alarm.value("origin", "") << ": "
              << alarm["evidence"].value("what", std::string("fork")) << "\n";
  }
  std::cout << (audit->ok() ? "OK" : "FAILED") << "\n";
  return audit->ok() ? kExitOk : kExitNo;
}

}  // namespace

void AddAuditCommands(CLI::App& app, int* exit_code) {
  auto* audit = app.add_subcommand("audit", "Audit a space's logs from this node's copy");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Check every log of a space end to end");
  verify->footer(
      "Reads the node's store (safe while it runs) and checks every partner's log of the space:\n"
      "each event's signature, each log's root recomputed from its leaves against the latest\n"
      "checkpoint its origin signed, the cosignatures against the pinned node keys; it lists the\n"
      "entries the node flagged as breaking policy, and fork alarms. Exit 0 when all is well, 1\n"
      "when anything failed.\nExample:\n"
      "  entente audit verify --dir /var/lib/entente --space NCG --json");
  auto aa = std::make_shared<AuditArgs>();
  verify->add_option("--dir", aa->dir, "Node directory")->required();
  verify->add_option("--space", aa->space, "Space name or id")->required();
  verify->add_flag("--json", aa->json, "Print JSON");
  verify->callback([aa, exit_code] { *exit_code = RunAuditVerify(*aa); });
}

}  // namespace entente::cli
