#include "reconciler/lease_owner.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <regex>

namespace harc {
namespace {

// The inode of the host's (initial) pid namespace, fixed by the kernel.
constexpr char kInitPidNamespace[] = "4026531836";
constexpr char kUnknownNamespace[] = "unknown";

std::string Host(const std::string& who) {
  size_t at = who.rfind('@');
  return at == std::string::npos ? "" : who.substr(at + 1);
}

// The number in /proc/self/ns/pid ("pid:[4026532201]"), "" for the host's
// namespace, "unknown" when it cannot be read.
std::string OwnPidNamespace() {
  char link[64] = "";
  ssize_t n = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
  if (n <= 0) return kUnknownNamespace;
  std::string text(link, static_cast<size_t>(n));
  size_t open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return kUnknownNamespace;
  std::string ino = text.substr(open + 1, close - open - 1);
  return ino == kInitPidNamespace ? "" : ino;
}

// Whether process `pid` still runs: /proc/PID/stat exists and its state is
// not zombie or dead. Without /proc, kill(pid, 0) (which counts a zombie
// as alive: waiting is the safe side).
bool ProcessRuns(int64_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) {
    if (::access("/proc/self/stat", R_OK) == 0) return false;  // /proc works: no such pid
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
  }
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= line.size()) return true;
  char state = line[paren + 2];
  return state != 'Z' && state != 'X';
}

}  // namespace

std::string FormatOwner(const LeaseOwner& o) {
  std::string out = o.who + " pid " + std::to_string(o.pid) + " run " + std::to_string(o.run_id);
  return o.pidns.empty() ? out : out + " pidns " + o.pidns;
}

std::optional<LeaseOwner> ParseOwner(const std::string& text) {
  static const std::regex kOwner(
      R"(^(\S+@\S+) pid ([0-9]{1,18}) run ([0-9]{1,18})(?: pidns (\S+))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, kOwner)) return std::nullopt;
  return LeaseOwner{m[1], std::stoll(m[2]), std::stoll(m[3]), m[4]};
}

LeaseOwner ThisProcess(const std::string& who, int64_t run_id) {
  return LeaseOwner{who, ::getpid(), run_id, OwnPidNamespace()};
}

bool HolderGone(const LeaseOwner& holder, const LeaseOwner& self) {
  if (self.pidns == kUnknownNamespace || holder.pidns != self.pidns) return false;
  if (Host(holder.who).empty() || Host(holder.who) != Host(self.who)) return false;
  return holder.pid > 0 && !ProcessRuns(holder.pid);
}

}  // namespace harc
