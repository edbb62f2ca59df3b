// Property test over random (cluster, observed, desired) cases, for every
// strategy:
//  - a healthy cluster within its policy always gets a plan;
//  - every plan passes the proof, and replaying it converges to the desired
//    state, checked here by a small independent checker;
//  - every state an interrupted run can leave (the state after any prefix of a
//    proven plan) compiles again to a plan with the same properties.
// HARC_PROPERTY_CASES sets the number of cases (default 10,000); the
// 1,000,000-case run is tests/property_soak.sh.
#include <cstdlib>
#include <random>

#include <gtest/gtest.h>

#include "compiler/diff.h"
#include "compiler/proof.h"
#include "compiler/render.h"
#include "compiler/strategy.h"
#include "compiler/test_fixture.h"

namespace harc {
namespace {

struct Case {
  Platform platform;
  Cluster cluster;
  ObservedCluster observed;
};

Platform PlatformFor(Strategy s, std::mt19937& rng) {
  switch (s) {
    case Strategy::kStandbyFirst: return testing::MakePlatform(s, true, false);
    case Strategy::kGroups: return testing::MakePlatform(s, false, true);
    case Strategy::kRolling: return testing::MakePlatform(s, rng() % 2 == 0, true);
    case Strategy::kLeaveUpdateJoin: return testing::MakePlatform(s, true, false, false);
  }
  return {};
}

// A healthy cluster: every member in the cluster and up, one active (all
// active where the platform is active-active), versions old or new, policy
// within what the cluster can keep.
Case RandomHealthy(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  Strategy s = static_cast<Strategy>(pick(0, 3));
  Case k{PlatformFor(s, rng), {}, {}};
  // Dual chassis and TMS zl are pairs; leave-update-join leaves the master
  // serving alone, which only a pair's policy (1 serving, 1 out) allows.
  bool pair = s == Strategy::kStandbyFirst || s == Strategy::kLeaveUpdateJoin;
  int n = pair ? 2 : pick(2, 6);
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("m" + std::to_string(i + 1));
  int min_serving = pick(1, n - 1);
  k.cluster = testing::MakeCluster(names, "v2", min_serving, pick(1, n - 1));
  k.cluster.ha.allow_disruption = true;
  bool hold = rng() % 2 == 0;
  if (hold) k.platform.run_settings["failback"] = "manual";
  if (rng() % 4 == 0) k.cluster.settings["failback"] = rng() % 2 ? "automatic" : "manual";
  int active = pick(0, n - 1);
  for (int i = 0; i < n; ++i) {
    bool is_active = !k.platform.active_standby || i == active;
    ObservedMember m = testing::Obs(names[i], is_active ? "active" : "standby",
                                    rng() % 2 ? "v1" : "v2");
    m.facts["setting.failback"] = rng() % 2 ? "automatic" : "manual";
    k.observed.members.push_back(m);
  }
  if (s != Strategy::kStandbyFirst && s != Strategy::kLeaveUpdateJoin && rng() % 5 == 0) {
    ObservedMember extra = testing::Obs("old", "standby", "v1");  // to be removed
    if (!k.platform.active_standby) extra.facts["role"] = "active";
    extra.facts["setting.failback"] = "manual";
    k.observed.members.push_back(extra);
  }
  if (!pair && n < 6 && rng() % 5 == 0) {  // a new member to join
    std::string name = "m" + std::to_string(n + 1);
    k.cluster.members.push_back(Member{name, "10.0.0.50", {}, {}, 1, {}, {}});
    ObservedMember joiner = testing::Obs(name, "down", rng() % 2 ? "v1" : "v2", false);
    joiner.facts["setting.failback"] = "manual";
    k.observed.members.push_back(joiner);
  }
  k.observed.name = "c";
  return k;
}

ObservedCluster ObserveState(const ClusterState& st) {
  ObservedCluster oc{"c", {}};
  for (const MemberState& m : st.members) {
    ObservedMember om;
    om.name = m.name;
    om.host = "10.0.0.1";
    om.facts = {{"role", RoleName(m.role)},
                {"in_cluster", m.in_cluster ? "true" : "false"},
                {"sync", m.synced ? "true" : "false"}};
    for (const auto& [c, v] : m.versions) om.facts["version." + c] = v;
    for (const auto& [s, v] : m.settings) om.facts["setting." + s] = v;
    oc.members.push_back(om);
  }
  return oc;
}

struct Compiled {
  ClusterState live;
  std::vector<Step> steps;
  std::optional<Refusal> refusal;
};

Compiled CompileCase(const Case& k) {
  Compiled out;
  std::vector<std::string> problems;
  EXPECT_TRUE(StateFromObserved(k.cluster, k.platform, &k.observed, &out.live, &problems));
  out.steps = PlanSteps(k.cluster, k.platform, out.live, Diff(k.cluster, k.platform, out.live));
  out.refusal = Prove(k.cluster, k.platform, out.live, &out.steps);
  std::string error;
  if (!out.refusal) {
    EXPECT_TRUE(RenderSteps(k.cluster, k.platform, k.observed, out.live, &out.steps, &error))
        << error;
  }
  return out;
}

// The independent check: installs and leaves only on members out of service,
// no non-disruptive step drops serving below min(min_serving, what it was),
// and the end state is the desired one.
std::string CheckReplay(const Case& k, const Compiled& c) {
  ClusterState st = c.live;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const Step& s = c.steps[i];
    if ((s.action == Action::kInstall || s.action == Action::kLeave) && st.Find(s.member)->Up())
      return "step " + std::to_string(i + 1) + " changes a serving member";
    int before = st.Serving();
    ApplyStep(k.platform, s, &st);
    if (!s.disruptive && st.Serving() < std::min(before, k.cluster.ha.min_serving))
      return "step " + std::to_string(i + 1) + " drops serving below min_serving";
  }
  for (const Member& m : k.cluster.members) {
    const MemberState& ms = *st.Find(m.name);
    if (!ms.Up() || ms.versions.at("os") != "v2") return m.name + " did not converge";
  }
  for (const MemberState& ms : st.members)
    if (!k.cluster.FindMember(ms.name) && ms.in_cluster) return ms.name + " was not removed";
  return "";
}

std::string Describe(const Case& k) {
  std::string d = fmt::format("strategy={} min_serving={} max_unavailable={} members:",
                              static_cast<int>(k.platform.strategy), k.cluster.ha.min_serving,
                              k.cluster.ha.max_unavailable);
  for (const ObservedMember& m : k.observed.members)
    d += fmt::format(" {}({},{},{})", m.name, m.facts.at("role"), m.facts.at("in_cluster"),
                     m.facts.at("version.os"));
  return d;
}

TEST(Property, EveryPlanIsProvenAndConvergesFromAnyHalfWayState) {
  const char* env = std::getenv("HARC_PROPERTY_CASES");
  long cases = env ? std::atol(env) : 10'000;
  std::mt19937 rng(20261123);
  long plans = 0, resumed = 0;
  for (long i = 0; i < cases; ++i) {
    Case k = RandomHealthy(rng);
    Compiled c = CompileCase(k);
    ASSERT_FALSE(c.refusal) << "case " << i << ": " << Describe(k) << "\n  refused at step "
                            << c.refusal->step << " rule " << c.refusal->rule << ": "
                            << c.refusal->message << "\n  plan: " << testing::Trace(c.steps);
    ASSERT_EQ(CheckReplay(k, c), "") << "case " << i << ": " << Describe(k);
    ++plans;
    if (c.steps.empty()) continue;
    // Interrupt the run after a random prefix and plan again from there.
    size_t cut = rng() % (c.steps.size() + 1);
    ClusterState st = c.live;
    for (size_t s = 0; s < cut; ++s) ApplyStep(k.platform, c.steps[s], &st);
    Case half = k;
    half.observed = ObserveState(st);
    Compiled again = CompileCase(half);
    ASSERT_FALSE(again.refusal)
        << "case " << i << " cut after step " << cut << " of: " << testing::Trace(c.steps)
        << "\n  " << Describe(half) << "\n  refused at step " << again.refusal->step << " rule "
        << again.refusal->rule << ": " << again.refusal->message
        << "\n  plan: " << testing::Trace(again.steps);
    ASSERT_EQ(CheckReplay(half, again), "") << "case " << i << ": " << Describe(half);
    ++resumed;
  }
  std::printf("property: %ld cases, %ld plans proven, %ld resumed from half-way states\n", cases,
              plans, resumed);
}

}  // namespace
}  // namespace harc
