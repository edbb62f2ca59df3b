#include "compiler/plan.h"

#include <algorithm>
#include <string_view>

namespace harc {

namespace {

struct ActionEntry {
  Action action;
  const char* name;
};

// The platform's action names, in Action's order.
constexpr ActionEntry kActions[] = {
    {Action::kBackup, "backup"}, {Action::kSet, "set"},
    {Action::kDrain, "drain"},   {Action::kUndrain, "undrain"},
    {Action::kFailover, "failover"}, {Action::kInstall, "install"},
    {Action::kLeave, "leave"},   {Action::kJoin, "join"},
};

struct StatusEntry {
  ClusterStatus status;
  const char* name;
};

constexpr StatusEntry kStatuses[] = {
    {ClusterStatus::kInSync, "in-sync"},
    {ClusterStatus::kChanges, "changes"},
    {ClusterStatus::kUnsafe, "unsafe"},
    {ClusterStatus::kUnobservable, "unobservable"},
};

bool AnyStatus(const Plan& plan, ClusterStatus status) {
  return std::any_of(plan.clusters.begin(), plan.clusters.end(),
                     [status](const ClusterPlan& c) { return c.status == status; });
}

}  // namespace

const char* ActionName(Action a) {
  for (const ActionEntry& e : kActions)
    if (e.action == a) return e.name;
  return "unknown";
}

std::optional<Action> ParseAction(std::string_view s) {
  for (const ActionEntry& e : kActions)
    if (s == e.name) return e.action;
  return std::nullopt;
}

std::string Step::ActionKey() const {
  if (action == Action::kSet) return "set." + setting;
  return ActionName(action);
}

const char* ClusterStatusName(ClusterStatus s) {
  for (const StatusEntry& e : kStatuses)
    if (e.status == s) return e.name;
  return "unknown";
}

std::optional<ClusterStatus> ParseClusterStatus(std::string_view s) {
  for (const StatusEntry& e : kStatuses)
    if (s == e.name) return e.status;
  return std::nullopt;
}

bool Plan::HasChanges() const { return AnyStatus(*this, ClusterStatus::kChanges); }
bool Plan::HasUnsafe() const { return AnyStatus(*this, ClusterStatus::kUnsafe); }
bool Plan::HasUnobservable() const { return AnyStatus(*this, ClusterStatus::kUnobservable); }

}  // namespace harc
