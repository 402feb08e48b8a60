// Process exit codes shared by every eiabench subcommand. They are part of
// the command-line contract (documented in README.md, "Exit codes"): scripts
// and CI branch on them, so a value never changes meaning.
#pragma once

namespace eiabench {

enum ExitCode : int {
  kExitOk = 0,
  // `check`: a metric regressed beyond its threshold.
  kExitRegression = 1,
  // A rate-limit window was exceeded (client or server count) where the
  // scenario or gate requires compliance.
  kExitComplianceViolation = 2,
  // The run finished but is not valid: pages failed after all retries, rows
  // are missing, or inputs to `compare`/`check` cannot be compared.
  kExitInvalidRun = 3,
  // Bad flag, bad scenario file, bad value: nothing was run.
  kExitUsage = 4,
  // The environment failed: target or Redis unreachable, file not writable.
  kExitEnvironment = 5,
  // The API refused the request for good (403 key error, 400 parameter):
  // retrying cannot help.
  kExitApiRejected = 6,
  // Interrupted by SIGINT/SIGTERM; progress so far is durable.
  kExitInterrupted = 130,
};

}  // namespace eiabench
