// Probing: apply's link to the members of one cluster. Before each step apply
// re-reads the facts the step depends on (its guards, which may name a peer,
// and its `until` fact), and while waiting it polls the `until` fact; it also
// sends the step's command. MemberLinks does all three over a Transport:
//
// - members are reached exactly as gathering reaches them (MemberTarget:
//   the member's host, its own port/user if the cluster file sets them, the
//   rest from harc.toml [ssh] through the transport's defaults);
// - one session per member, opened on first use and kept for the cluster's
//   run; a transport failure drops it and the next use opens a new one (a
//   member that reboots during an install comes back on a new connection);
//   a fact read whose kept session turns out broken is tried once more on a
//   new connection, so a connection that died while idle (the member
//   rebooted, a firewall forgot it) does not make a reachable member fail
//   a guard;
// - the facts of one member are read in ONE round trip, with the same fact
//   script gathering uses (BuildFactScript), and extracted as the platform
//   says; a fact command that exits non-zero gives no value (as in gather).
//
// Conditions: `is` may list alternatives separated by '|' ("active|standby"),
// any of which satisfies it.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "reconciler/transport.h"

namespace harc {

// The Target gathering uses for member `m` of cluster `cluster`.
Target MemberTarget(const std::string& cluster, const Member& m);

// Does `value` satisfy `is` ("down", or alternatives "active|standby")?
bool ConditionMatches(const std::string& is, const std::string& value);

// What one round trip read of one member.
struct MemberFacts {
  bool reached = false;
  std::string error;                           // !reached: why ("unreachable: ...")
  std::map<std::string, std::string> values;   // fact -> normalised value
  std::map<std::string, std::string> errors;   // fact -> why it has no value
};

// "role is 'active'", "role could not be read: <why>", "m2 is unreachable: <why>".
std::string DescribeFact(const MemberFacts& facts, const std::string& member,
                         const std::string& fact);

struct ProbeOptions {
  int connect_timeout_ms = 10'000;
  int command_timeout_ms = 60'000;  // one fact script
  size_t max_output_per_fact = 64 * 1024;
  bool accept_new_host_keys = false;
};

class MemberLinks {
 public:
  // Members are the cluster's, plus any member a step names that the cluster
  // file no longer lists (one being removed), reached at the step's host.
  MemberLinks(const Cluster& cluster, const Platform& platform, const std::vector<Step>& steps,
              Transport& transport, const ProbeOptions& options);

  // Reads `facts` of `member` in one round trip.
  MemberFacts Read(const std::string& member, const std::set<std::string>& facts);

  // Runs `command` on `member`; the command must end within timeout_ms.
  // *sent (when given) says whether the command reached a session: false
  // when no session could be opened, so the member surely did not run it.
  TransportStatus Run(const std::string& member, const std::string& command, int64_t timeout_ms,
                      size_t max_output, CommandResult* result, bool* sent = nullptr);

 private:
  // The open session to `member`, opening one if needed; nullptr + *status.
  Session* SessionTo(const std::string& member, TransportStatus* status);
  void Drop(const std::string& member) { sessions_.erase(member); }

  const Cluster& cluster_;
  const Platform& platform_;
  Transport& transport_;
  ProbeOptions options_;
  std::map<std::string, Member> members_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
};

}  // namespace harc
