// Processes and sockets for the sandbox: running a program without a shell,
// starting sshd detached, waiting for listeners, and ending exactly the
// processes the sandbox started (and their descendants), never by name.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace harc::sim {

// Runs argv[0] (searched in PATH) with argv, no shell; waits. Returns its exit
// status (-1 when it could not run or died of a signal). Output: stdout+stderr.
int RunProgram(const std::vector<std::string>& argv, std::string* output);

// Starts argv in a new session, stdin from /dev/null, stdout and stderr
// appended to log_path; does not wait. Returns the pid, or -1.
pid_t SpawnDetached(const std::vector<std::string>& argv, const std::string& log_path);

// True once a TCP connection to address:port (IPv4 or IPv6) succeeds.
bool Accepts(const std::string& address, int port);

// Waits until every address accepts (want = true) or refuses (want = false),
// up to `seconds`. False when time ran out or `pid` (if > 0) has exited.
bool WaitListening(const std::vector<std::string>& addresses, int port, bool want,
                   double seconds, pid_t pid = 0);

// A port in [20000, 30000) that every address can bind now (outside the
// ephemeral range, so other tests' random ports rarely collide). 0: none.
int FreePortFor(const std::vector<std::string>& addresses);

// True when process pid is alive and its command line contains `needle`.
bool ProcessMentions(pid_t pid, const std::string& needle);

// pid and all its descendants (by /proc's parent links), pid first.
std::vector<pid_t> ProcessTree(pid_t pid);

// SIGTERM to each, then SIGKILL to those still alive after `grace` seconds.
void Terminate(const std::vector<pid_t>& pids, double grace);

}  // namespace harc::sim
