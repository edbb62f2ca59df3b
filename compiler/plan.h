// The plan: what harc will do, as data. A Plan is what `harc plan` prints and
// saves, and what `harc apply` carries out step by step. Every step carries the
// reason it exists and the serving count around it, so the plan explains itself,
// and its rendered command/condition, so a saved plan is applied exactly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/model.h"

namespace harc {

enum class Action { kBackup, kSet, kDrain, kUndrain, kFailover, kInstall, kLeave, kJoin };

// "backup", "set", "drain", ... (the platform's action name, without ".setting").
const char* ActionName(Action a);
std::optional<Action> ParseAction(std::string_view s);

struct Step {
  Action action = Action::kBackup;
  std::string member;     // where the command runs
  std::string target;     // failover: the peer that takes over
  std::string component;  // install
  std::string version;    // install
  std::string setting;    // set
  std::string value;      // set
  std::string reason;     // why this step exists, for people
  bool disruptive = false;  // interrupts service; needs ha.allow_disruption
  int serving_before = 0;
  int serving_after = 0;

  // Rendered from the platform: filled by RenderSteps.
  std::string host;      // the member's address
  std::string command;   // shell-quoted, ready to send
  std::vector<Condition> guard;   // must hold before the step runs
  std::optional<Condition> until;  // proves the step took effect
  int timeout_ms = 0;
  int interval_ms = 0;
  int stable_ms = 0;

  // The platform action this step runs: "install", "set.failback", ...
  std::string ActionKey() const;
};

enum class ClusterStatus {
  kInSync,        // nothing to do
  kChanges,       // a proven plan
  kUnsafe,        // no plan keeps the invariants: `refusal` says why
  kUnobservable,  // some member could not be observed: `unobservable` says who
};

// Why no safe plan exists: the cluster, the step that would break a rule
// (0: no step; the state itself), the rule's id and a sentence for people.
struct Refusal {
  std::string cluster;
  int step = 0;  // 1-based index into the candidate plan
  std::string rule;
  std::string message;
};

// "in-sync", "changes", "unsafe", "unobservable": in plan.json and `harc plan`.
const char* ClusterStatusName(ClusterStatus s);
std::optional<ClusterStatus> ParseClusterStatus(std::string_view s);

struct ClusterPlan {
  std::string cluster;
  std::string platform;
  std::string wave;
  ClusterStatus status = ClusterStatus::kInSync;
  std::vector<Step> steps;
  std::optional<Refusal> refusal;
  std::vector<std::string> unobservable;  // "m1: connect timeout", ...
  // The observed facts this plan was made from (member -> fact -> value).
  // apply refuses a saved plan when any of them changed.
  std::map<std::string, std::map<std::string, std::string>> depends_on;
  std::string fingerprint;  // hash of depends_on
};

struct Plan {
  static constexpr const char* kFormat = "harc.plan/v1";
  std::string commit;  // the fleet's commit, "" for a working tree
  std::vector<ClusterPlan> clusters;  // in rollout order: wave, then name

  bool HasChanges() const;
  bool HasUnsafe() const;
  bool HasUnobservable() const;
};

}  // namespace harc
