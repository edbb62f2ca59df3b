// harc-sim's subcommands other than start and stop (sandbox.h). Each returns
// the process exit status.
#pragma once

#include <string>
#include <vector>

namespace harc::sim {

// sshd's ForceCommand: the member is the one whose address the client
// reached (SSH_CONNECTION's server address); the command is
// SSH_ORIGINAL_COMMAND. Prints its output, exits with its status.
int Serve(const std::string& state_dir);

// The same for a member named "cluster/member", without SSH (tests, debugging).
int Exec(const std::string& state_dir, const std::string& member, const std::string& command);

// Sets faults on a member ("cluster/member"): each word as ApplyFaultWord.
int Fault(const std::string& state_dir, const std::string& member,
          const std::vector<std::string>& words);

struct AuditOptions {
  bool json = false;
  double since = 0;
  bool no_mutations = false;  // exit 4 when a mutating command was received
};
// Materialises every cluster's due transitions, then reports outages (exit 3
// when one is not allowed) and mutating commands.
int Audit(const std::string& state_dir, const AuditOptions& o);

// Every member's state now (after due transitions).
int Show(const std::string& state_dir, bool json);

// Listens on address:port and never accepts: connections stall (no banner).
int StallListener(const std::string& address, int port);

}  // namespace harc::sim
