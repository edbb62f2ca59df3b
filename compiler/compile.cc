#include "compiler/compile.h"

#include <algorithm>

#include "compiler/diff.h"
#include "compiler/plan_json.h"
#include "compiler/proof.h"
#include "compiler/render.h"
#include "compiler/state.h"
#include "compiler/strategy.h"

namespace harc {

namespace {

// The observed facts a cluster's plan rests on; boot_id is left out because a
// reboot that changed nothing else does not invalidate the plan.
std::map<std::string, std::map<std::string, std::string>> DependsOn(const ObservedCluster* oc) {
  std::map<std::string, std::map<std::string, std::string>> out;
  if (!oc) return out;
  for (const ObservedMember& m : oc->members) {
    auto& facts = out[m.name];
    facts["reachable"] = m.reachable ? "true" : "false";
    for (const auto& [name, value] : m.facts)
      if (name != "boot_id") facts[name] = value;
  }
  return out;
}

ClusterPlan CompileCluster(const Cluster& c, const Platform& p, const ObservedCluster* oc) {
  ClusterPlan cp;
  cp.cluster = c.name;
  cp.platform = c.platform;
  cp.wave = c.wave;
  cp.depends_on = DependsOn(oc);
  cp.fingerprint = FactsFingerprint(cp.depends_on);
  ClusterState live;
  if (!StateFromObserved(c, p, oc, &live, &cp.unobservable)) {
    cp.status = ClusterStatus::kUnobservable;
    return cp;
  }
  cp.steps = PlanSteps(c, p, live, Diff(c, p, live));
  if (cp.steps.empty()) {
    cp.status = ClusterStatus::kInSync;
    return cp;
  }
  cp.status = ClusterStatus::kUnsafe;
  if ((cp.refusal = Prove(c, p, live, &cp.steps))) return cp;
  std::string error;
  if (!RenderSteps(c, p, *oc, live, &cp.steps, &error)) {
    cp.refusal = Refusal{c.name, 0, "platform-action", error};
    return cp;
  }
  cp.status = ClusterStatus::kChanges;
  return cp;
}

// Rollout order: the wave's position in harc.toml, then the cluster's name.
std::vector<const Cluster*> RolloutOrder(const Fleet& fleet, const CompileOptions& options) {
  const std::vector<std::string>& waves = fleet.config.rollout.waves;
  auto rank = [&](const Cluster* c) {
    return std::find(waves.begin(), waves.end(), c->wave) - waves.begin();
  };
  std::vector<const Cluster*> out;
  for (const Cluster& c : fleet.clusters) {
    const auto& only = options.clusters;
    if (only.empty() || std::find(only.begin(), only.end(), c.name) != only.end())
      out.push_back(&c);
  }
  std::stable_sort(out.begin(), out.end(), [&](const Cluster* a, const Cluster* b) {
    return std::make_pair(rank(a), a->name) < std::make_pair(rank(b), b->name);
  });
  return out;
}

}  // namespace

Plan Compile(const Fleet& fleet, const ObservedFleet& observed, const CompileOptions& options) {
  Plan plan;
  plan.commit = fleet.commit;
  for (const Cluster* c : RolloutOrder(fleet, options)) {
    auto oc = observed.clusters.find(c->name);
    plan.clusters.push_back(CompileCluster(*c, fleet.platforms.at(c->platform),
                                           oc == observed.clusters.end() ? nullptr : &oc->second));
  }
  return plan;
}

}  // namespace harc
