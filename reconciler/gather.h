// Gathering: reads the live state of every member of the fleet (or of the
// clusters asked for) over a Transport, into the ObservedFleet the compiler
// plans from (DESIGN.md §5).
//
// - One session per member, and ONE round trip in it: every fact command of
//   the member's platform goes into one POSIX shell script that prints, after
//   each command's output, a delimiter with a per-member random nonce, the
//   fact's name and its exit status (and a delimiter on stderr, so each fact
//   keeps its own stderr). The reply is split back and each fact's value
//   extracted as the platform says (harc::ExtractFact).
// - Members run in parallel on a fixed pool of `parallel` workers, so at most
//   that many handshakes are in flight (unbounded concurrency adds latency,
//   not throughput: shared/NOTES-ssh.md).
// - A member that fails — unreachable, auth refused, host key refused,
//   timeout, output that does not parse, a fact command that fails or a value
//   that does not match — is observed as reachable = false with the reason,
//   which begins with its kind ("unreachable: ", "timeout: ", "host key
//   changed: ", "unparseable output: ", "fact command failed: ", ...);
//   the others go on. Partial facts of a failed member are dropped: a cluster
//   is planned only from members seen whole.
//
// A fact command that exits non-zero fails its member, even when the
// platform has a fallback value for it: "command not found" must never read
// as a valid fact. A platform whose command may fail on purpose says so in
// the command (`... || true`).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "reconciler/transport.h"

namespace harc {

struct GatherOptions {
  int parallel = 32;             // members gathered at once (workers; >= 1)
  int connect_timeout_ms = 0;    // 0: harc.toml [ssh] connect_timeout
  int command_timeout_ms = 60'000;  // for all fact commands of one member
  int overall_timeout_ms = 0;    // the whole gather; 0: none
  size_t max_output_per_fact = 64 * 1024;
  bool accept_new_host_keys = false;
};

// Gathers the members of the clusters named in `clusters` (all when empty;
// names that are not in the fleet are ignored: the caller validates them).
// REQUIRES: every cluster's platform is in fleet.platforms.
ObservedFleet Gather(const Fleet& fleet, const std::vector<std::string>& clusters,
                     Transport& transport, const GatherOptions& options);

// ---------------------------------------------------------------- the script

struct FactCommand {
  std::string fact;     // "role", "version.hotfix": safe identifiers
  std::string command;  // rendered: placeholders already substituted and quoted
};

struct FactOutput {
  std::string fact;
  int exit_status = -1;
  std::string out;
  std::string err;
};

// The fact commands of `member` on `platform`, with {member} and {component}
// rendered. False with *error when a command cannot be rendered.
bool FactCommandsFor(const Platform& platform, const Member& member,
                     std::vector<FactCommand>* out, std::string* error);

// The one script that runs every fact command. `nonce`: [0-9a-f]+, random.
std::string BuildFactScript(const std::vector<FactCommand>& facts, const std::string& nonce);

// Splits the script's output back into one FactOutput per fact, in order.
// False with *error when a delimiter is missing, out of order or malformed.
bool ParseFactScriptOutput(const CommandResult& result, const std::string& nonce,
                           const std::vector<FactCommand>& facts, std::vector<FactOutput>* out,
                           std::string* error);

// For fakes: what a POSIX shell running a BuildFactScript script prints,
// given what each of its commands would print. Non-script commands: run(cmd).
CommandResult AnswerFactScript(const std::string& script,
                               const std::function<CommandResult(const std::string&)>& run);

}  // namespace harc
