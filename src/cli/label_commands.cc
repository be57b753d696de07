// `entente label ...`: placeholder until the label module lands.
#include "cli/cli.h"

namespace entente::cli {
void AddLabelCommands(CLI::App&, int*) {}
}  // namespace entente::cli
