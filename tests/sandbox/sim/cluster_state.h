// The state of one simulated cluster: its members (role, membership, versions,
// settings, boot id, an install in progress, injected faults), the HA policy
// the audit judges it by, and the transitions that are due at a later time.
//
// There is no daemon: each command loads the cluster's state, materialises
// every pending transition whose time has come (engine.h), acts, and saves.
// A transition keeps the time it was due at, so the availability timeline is
// exact whenever the next command arrives. Plain data with a JSON form; the
// file store (with its lock) is in store.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/state.h"

namespace harc::sim {

using Time = double;  // seconds since the epoch; the simulator's only clock

// Faults injected per member (harc-sim fault ...).
struct Faults {
  bool unreachable = false;    // no sshd listens on the member's address: refused
  bool stall = false;          // a listener accepts TCP and never answers: timeout
  bool install_fails = false;  // install exits 1 and changes nothing
  bool install_hangs = false;  // install is accepted and never completes
  bool wrong_output = false;   // fact commands print garbage (exit 0)
  int slow_ms = 0;             // every command answers this much later
};

struct Install {
  std::string component;
  std::string version;
  Time done_at = 0;
  bool hangs = false;  // never done (install-hangs) until the fault is cleared
};

struct SimMember {
  std::string name;
  std::string address;  // the sandbox address sshd listens on for it
  int site = 0;
  int priority = 100;       // who takes over (and who preempts): higher first
  bool in_cluster = true;   // cluster data present (leave deletes it)
  bool enabled = true;      // administratively up / HA service running; drain clears it
  Role role = Role::kStandby;  // the HA role as the cluster sees it now
  std::map<std::string, std::string> versions;  // component -> version
  std::map<std::string, std::string> settings;  // member-scoped settings only
  std::string boot_id;
  Time boot_time = 0;
  std::optional<Install> install;
  Faults faults;
  int failovers = 0;         // state changes, for the vendors' counters
  Time changed_at = 0;       // last role change
  std::string last_change;   // "ACTIVE -> DOWN" style, for vendor output

  bool Up() const { return in_cluster && role != Role::kDown; }
};

// A Serviceguard package: runs on one node, fails over to an adoptive node.
struct Package {
  std::string name;
  std::string primary;  // the node it prefers
  std::string node;     // where it runs; "" = halted (no node up)
};

// A transition due at `at`. Kinds: down, up, failover, takeover, preempt,
// failback, install-done, leave, join.
struct Event {
  Time at = 0;
  std::string kind;
  std::string member;
  std::string target;
  bool handover = false;  // down: the active hands its traffic over on the way
};

// How long transitions take (seconds).
struct Timing {
  double transition = 0.5;  // drain, undrain, failover, leave, preempt, failback, takeover
  double install = 2.0;     // install and join (a reboot)
};

struct SimCluster {
  std::string name;
  std::string platform;
  std::string platform_file;  // the fleet's own platform file; "" = the built-in
  std::string strategy;  // standby-first | groups | rolling | leave-update-join
  bool active_standby = true;
  bool drain_fails_over = true;
  bool mixed_versions = true;
  int min_serving = 1;
  bool allow_disruption = false;
  Timing timing;
  std::map<std::string, std::string> settings;  // cluster-wide settings
  std::vector<Package> packages;
  std::vector<SimMember> members;  // in the fleet file's order
  std::vector<Event> pending;      // sorted by `at`, stable
  std::string last_availability;   // the last timeline entry, to record changes only

  SimMember* Find(const std::string& member);
  const SimMember* Find(const std::string& member) const;
  const SimMember* Active() const;
  int Serving() const;
  int ActiveCount() const;
};

const char* RoleText(Role r);  // active | standby | down
bool ParseRole(const std::string& s, Role* out);

nlohmann::json ToJson(const SimCluster& c);
// False with *error when j is not a cluster state this simulator wrote.
bool FromJson(const nlohmann::json& j, SimCluster* out, std::string* error);

}  // namespace harc::sim
