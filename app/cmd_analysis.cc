#include "app/commands.h"

namespace eiabench::app {

// Not built yet; the owning part registers its subcommands here.
void AddAnalysisCommands(CLI::App& app) { (void)app; }

}  // namespace eiabench::app
