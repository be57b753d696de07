// The `entente` command: wires the command groups together and runs one. No logic here.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/cli.h"

int main(int argc, char** argv) {
  using namespace entente::cli;
  CLI::App app("Entente: secure consultation for allied partners", "entente");
  app.require_subcommand(1);
  app.set_version_flag("--version", "entente 0.1.0");
  app.footer("Run `entente COMMAND --help` for a command's options and an example.");
  int exit_code = kExitOk;
  AddLabelCommands(app, &exit_code);
  AddKeyCommands(app, &exit_code);
  AddLogCommands(app, &exit_code);
  AddNodeCommands(app, &exit_code);
  AddAuditCommands(app, &exit_code);
  AddClientCommands(app, &exit_code);
  AddConsultCommands(app, &exit_code);
  AddExerciseCommands(app, &exit_code);
  AddAgendaCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "entente: internal error: %s\n", e.what());
    return kExitInternal;
  }
  return exit_code;
}
