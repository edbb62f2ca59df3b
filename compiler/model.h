// The model: what the user declared (Fleet, Cluster, Member), what a kind of
// member can do (Platform), and what was seen live (ObservedFleet). Plain data,
// filled by the loaders and read by diff/strategy/proof. Every entity keeps the
// SourcePos it came from, so an error found late still points at its line.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag.h"

namespace harc {

// ---------------------------------------------------------------- platforms

enum class Strategy { kStandbyFirst, kGroups, kRolling, kLeaveUpdateJoin };

// How a fact's value is read from its command's output.
enum class FactKind {
  kRegex,        // first capture group of `pattern` (or the whole match)
  kWhole,        // the whole output, trimmed
  kJsonPointer,  // `pattern` is an RFC 6901 pointer into the output parsed as JSON
};

struct FactSpec {
  std::string name;  // "role", "in_cluster", "version.hotfix", "setting.failback", ...
  std::string run;   // the command; may use {component} for version.<component>
  FactKind kind = FactKind::kWhole;
  std::string pattern;                     // regex or JSON pointer, per kind
  std::map<std::string, std::string> map;  // raw value -> normalised; empty: identity
  std::optional<std::string> fallback;     // value when the pattern does not match
  SourcePos pos;
};

// "Fact `fact` has value `is`": the condition an action waits for, or a guard.
// Both strings may hold {placeholders} until rendered into a step.
struct Condition {
  std::string fact;
  std::string is;
  std::string member;  // guards only: whose fact ("" = the step's own member)
};

struct ActionSpec {
  std::string name;  // "drain", "undrain", "install", "backup", "leave", "join",
                     // "failover", "set.<setting>"
  std::string run;   // template: {member} {version} {component} {target} {value}
  std::optional<Condition> until;
  int timeout_ms = 120'000;
  int interval_ms = 2'000;
  int stable_ms = 0;  // how long `until` must hold before it counts
  SourcePos pos;
};

struct Platform {
  std::string name;
  Strategy strategy = Strategy::kRolling;
  std::vector<std::string> components;  // install order
  bool mixed_versions = true;           // may up members of one cluster differ?
  int max_members = 0;                  // 0: no limit
  int max_members_per_site = 0;         // 0: no limit
  // "active-standby": one member carries traffic, up peers stand by.
  // "active-active": every up member carries traffic.
  bool active_standby = true;
  // Draining the active member moves its traffic to a peer by itself
  // (Serviceguard, Pacemaker, VRRP). When false the plan must fail over first.
  bool drain_fails_over = true;
  // Settings held at these values for the run (they fight an upgrade:
  // automatic failback, preemption, cloning) and restored afterwards.
  std::map<std::string, std::string> run_settings;
  std::map<std::string, FactSpec> facts;
  std::map<std::string, ActionSpec> actions;
  std::string file;  // where it was defined ("<builtin>/x.toml" for built-ins)

  const ActionSpec* FindAction(const std::string& action) const {
    auto it = actions.find(action);
    return it == actions.end() ? nullptr : &it->second;
  }
};

// ---------------------------------------------------------------- the fleet

struct Member {
  std::string name;
  std::string host;
  std::optional<int> port;           // else harc.toml [ssh] port
  std::optional<std::string> user;   // else harc.toml [ssh] user
  int site = 0;                      // 0: not given
  std::map<std::string, std::string> settings;
  SourcePos pos;
};

struct HaPolicy {
  int min_serving = 1;
  int max_unavailable = 1;
  std::vector<std::vector<std::string>> groups;  // explicit logical groups
  bool allow_disruption = false;
};

struct Cluster {
  std::string name;
  std::string platform;
  std::string wave = "default";
  std::map<std::string, std::string> software;  // component -> desired version
  HaPolicy ha;
  std::map<std::string, std::string> settings;  // desired on every member
  std::vector<Member> members;
  std::string file;
  SourcePos pos;

  const Member* FindMember(const std::string& n) const {
    for (const Member& m : members)
      if (m.name == n) return &m;
    return nullptr;
  }
  // The value `setting` should have on member m: its own, else the cluster's.
  const std::string* DesiredSetting(const Member& m, const std::string& setting) const {
    if (auto it = m.settings.find(setting); it != m.settings.end()) return &it->second;
    if (auto it = settings.find(setting); it != settings.end()) return &it->second;
    return nullptr;
  }
};

struct SshConfig {
  std::string user = "admin";
  int port = 22;
  std::string identity;     // "" -> ssh-agent
  std::string known_hosts = "~/.ssh/known_hosts";
  int connect_timeout_ms = 10'000;
  int command_timeout_ms = 60'000;  // one member's fact commands (one round trip)
  int gather_timeout_ms = 0;        // a whole gather; 0: no limit beyond the others
};

struct RolloutConfig {
  std::vector<std::string> waves = {"canary", "default"};
  int max_parallel_clusters = 8;
  int max_failed_clusters = 1;
};

// What `harc watch` may do to a cluster without a person (harc.toml [gitops]).
struct GitopsPolicy {
  bool auto_apply = false;    // apply a new commit's plan; else plan only
  bool auto_correct = false;  // apply to undo drift a scheduled drift report found
};

// [gitops]: defaults, overridden per wave, overridden per cluster. A cluster's
// policy is PolicyFor (compiler/gitops.h).
struct GitopsOverride {
  std::optional<bool> auto_apply;
  std::optional<bool> auto_correct;
  SourcePos pos;  // the table's name in harc.toml
};

struct GitopsConfig {
  GitopsPolicy defaults;
  std::map<std::string, GitopsOverride> waves;     // [gitops.wave.<name>]
  std::map<std::string, GitopsOverride> clusters;  // [gitops.cluster.<name>]
};

struct FleetConfig {
  SshConfig ssh;
  RolloutConfig rollout;
  GitopsConfig gitops;
};

struct Fleet {
  FleetConfig config;
  std::vector<Cluster> clusters;              // sorted by name
  std::map<std::string, Platform> platforms;  // built-ins overridden by the repo's
  std::string commit;                         // "" when read from a working tree

  const Cluster* FindCluster(const std::string& n) const {
    for (const Cluster& c : clusters)
      if (c.name == n) return &c;
    return nullptr;
  }
};

// ---------------------------------------------------------------- observed

// What gathering saw of one member. Fact names are the platform's
// ("role", "in_cluster", "version.<component>", "setting.<name>", "sync",
// "boot_id"), values already normalised.
struct ObservedMember {
  std::string name;
  std::string host;
  bool reachable = true;
  std::string error;  // why not reachable / not parseable
  std::map<std::string, std::string> facts;
};

struct ObservedCluster {
  std::string name;
  std::vector<ObservedMember> members;  // may hold members the file no longer lists

  const ObservedMember* FindMember(const std::string& n) const {
    for (const ObservedMember& m : members)
      if (m.name == n) return &m;
    return nullptr;
  }
};

struct ObservedFleet {
  std::string gathered_at;  // RFC 3339, informational
  std::map<std::string, ObservedCluster> clusters;
};

}  // namespace harc
