#include "app/commands.h"

namespace eiabench::app {

// Not built yet; the owning part registers its subcommands here.
void AddScaleOutCommands(CLI::App& app) { (void)app; }

}  // namespace eiabench::app
