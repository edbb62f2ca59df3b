// The little sh a member needs to understand without running a shell:
// gathering sends all fact commands of a member in one script, each in a
// subshell followed by delimiter lines that carry its exit status
// (reconciler/gather.cc):
//
//   ( <fact command>
//   ) </dev/null; printf '\n%s %s %s\n' harc-<nonce> 'role' "$?"; printf ... >&2
//
// RunScript interprets exactly that subset: statements separated by ";" or
// newlines, each a subshell group "( ... )" (whose inside is one platform
// command, handed to `run`), printf, echo or true, with "$?" and the
// redirections ">&2" (to stderr) and "</dev/null" (ignored). Any other script
// is not in the subset, and the caller treats it as one command.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tests/sandbox/sim/command_match.h"
#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {

// Runs one command: its tokens and its text as received.
using RunCommand = std::function<Reply(const std::vector<ShellToken>&, const std::string&)>;

// False (and nothing run) when `script` is not in the subset, or has no
// subshell group: then it is one command.
bool RunScript(const std::string& script, const RunCommand& run, Reply* out);

// printf(1) for the subset: \n \t \\ escapes; %s %d %% directives; the format
// is reused while arguments remain.
std::string Printf(const std::string& format, const std::vector<std::string>& args);

}  // namespace harc::sim
