// The command line: parses argv with CLI11 into Options, picks the subcommand
// from a table and runs it. Every failure before a command runs (unknown
// command or option, missing value) is a usage error: exit 1, message on err.
#pragma once

#include <iosfwd>

namespace harc {

// Runs `harc <argv...>`; returns the process exit code (reconciler/exit_codes.h).
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace harc
