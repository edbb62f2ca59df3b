#include "compiler/plan_text.h"

#include <string>

#include <gtest/gtest.h>

namespace harc {
namespace {

Step MakeStep(Action action, const std::string& member, int before, int after,
              const std::string& reason, const std::string& command) {
  Step s;
  s.action = action;
  s.member = member;
  s.serving_before = before;
  s.serving_after = after;
  s.reason = reason;
  s.command = command;
  return s;
}

Step WithUntil(Step s, const std::string& fact, const std::string& is, int timeout_ms,
               int stable_ms = 0) {
  Condition c;
  c.fact = fact;
  c.is = is;
  s.until = c;
  s.timeout_ms = timeout_ms;
  s.stable_ms = stable_ms;
  return s;
}

ClusterPlan MakeCluster(const std::string& name, const std::string& platform,
                        const std::string& wave, ClusterStatus status) {
  ClusterPlan c;
  c.cluster = name;
  c.platform = platform;
  c.wave = wave;
  c.status = status;
  return c;
}

// A standby-first upgrade of a two-member dual-chassis pair.
ClusterPlan UpgradePair() {
  ClusterPlan c = MakeCluster("fw-east", "dual-chassis", "canary", ClusterStatus::kChanges);
  c.steps.push_back(MakeStep(Action::kBackup, "m1", 1, 1,
                             "back up the configuration before the first change",
                             "backup_config"));
  Step set = MakeStep(Action::kSet, "m1", 1, 1, "no automatic failback during the upgrade",
                      "set_failback 'manual'");
  set.setting = "failback";
  set.value = "manual";
  c.steps.push_back(WithUntil(set, "setting.failback", "manual", 60'000));
  c.steps.push_back(WithUntil(MakeStep(Action::kDrain, "m2", 1, 1,
                                       "take m2 out of service before its upgrade",
                                       "clusterXL_admin down"),
                              "role", "down", 120'000, 10'000));
  Step install = MakeStep(Action::kInstall, "m2", 1, 1, "m2 runs R81.20_T88",
                          "installer install 'R81.20_T89'");
  install.component = "hotfix";
  install.version = "R81.20_T89";
  c.steps.push_back(WithUntil(install, "version.hotfix", "R81.20_T89", 1'800'000));
  c.steps.push_back(WithUntil(MakeStep(Action::kUndrain, "m2", 1, 2, "m2 is upgraded",
                                       "clusterXL_admin up"),
                              "role", "standby", 120'000));
  Step failover = MakeStep(Action::kFailover, "m1", 2, 2,
                           "move traffic to the upgraded m2 before m1's upgrade",
                           "clusterXL_admin down");
  failover.target = "m2";
  failover.disruptive = true;
  c.steps.push_back(WithUntil(failover, "role", "down", 90'000));
  return c;
}

TEST(PlanText, ChangesShowEveryStep) {
  Plan plan;
  plan.clusters.push_back(UpgradePair());
  EXPECT_EQ(RenderPlanText(plan),
            "fw-east (dual-chassis, wave canary): changes: 6 steps, 1 DISRUPTIVE\n"
            "  1. backup   m1                       serving 1       back up the configuration "
            "before the first change\n"
            "     $ backup_config\n"
            "  2. set      failback=manual on m1    serving 1       no automatic failback "
            "during the upgrade\n"
            "     $ set_failback 'manual'\n"
            "     until setting.failback = manual (1m)\n"
            "  3. drain    m2                       serving 1       take m2 out of service "
            "before its upgrade\n"
            "     $ clusterXL_admin down\n"
            "     until role = down (2m, stable 10s)\n"
            "  4. install  hotfix R81.20_T89 on m2  serving 1       m2 runs R81.20_T88\n"
            "     $ installer install 'R81.20_T89'\n"
            "     until version.hotfix = R81.20_T89 (30m)\n"
            "  5. undrain  m2                       serving 1 -> 2  m2 is upgraded\n"
            "     $ clusterXL_admin up\n"
            "     until role = standby (2m)\n"
            "  6. failover m1 -> m2                 serving 2       DISRUPTIVE: move traffic "
            "to the upgraded m2 before m1's upgrade\n"
            "     $ clusterXL_admin down\n"
            "     until role = down (1m30s)\n"
            "\n"
            "Plan: 1 cluster to change (6 steps), 0 in sync, 0 unsafe, 0 unobservable.\n");
}

TEST(PlanText, EveryStatusAndTheSummary) {
  Plan plan;
  ClusterPlan small = MakeCluster("lb-1", "pacemaker", "default", ClusterStatus::kChanges);
  small.steps.push_back(MakeStep(Action::kDrain, "n1", 3, 2, "take n1 out of service", ""));
  small.steps.push_back(MakeStep(Action::kLeave, "n1", 2, 2, "n1 is not in the file", ""));
  plan.clusters.push_back(small);
  ClusterPlan unsafe = MakeCluster("pair", "tms-zl", "default", ClusterStatus::kUnsafe);
  unsafe.steps = UpgradePair().steps;
  unsafe.steps[2].serving_after = 0;
  unsafe.refusal = Refusal{"pair", 3, "min-serving", "0 members would serve; needs 1"};
  plan.clusters.push_back(unsafe);
  ClusterPlan blind = MakeCluster("sg-west", "serviceguard", "default",
                                  ClusterStatus::kUnobservable);
  blind.unobservable = {"n1: connect: timed out after 10s", "n3: auth: permission denied"};
  plan.clusters.push_back(blind);
  plan.clusters.push_back(MakeCluster("quiet-1", "linux", "default", ClusterStatus::kInSync));
  plan.clusters.push_back(MakeCluster("quiet-2", "linux", "default", ClusterStatus::kInSync));
  EXPECT_EQ(RenderPlanText(plan),
            "lb-1 (pacemaker, wave default): changes: 2 steps\n"
            "  1. drain    n1  serving 3 -> 2  take n1 out of service\n"
            "  2. leave    n1  serving 2       n1 is not in the file\n"
            "\n"
            "pair (tms-zl, wave default): UNSAFE\n"
            "  refused at step 3: rule min-serving: 0 members would serve; needs 1\n"
            "  3. drain    m2  serving 1 -> 0  take m2 out of service before its upgrade\n"
            "     $ clusterXL_admin down\n"
            "     until role = down (2m, stable 10s)\n"
            "\n"
            "sg-west (serviceguard, wave default): UNOBSERVABLE\n"
            "  n1: connect: timed out after 10s\n"
            "  n3: auth: permission denied\n"
            "\n"
            "quiet-1 (linux, wave default): in sync\n"
            "quiet-2 (linux, wave default): in sync\n"
            "\n"
            "Plan: 1 cluster to change (2 steps), 2 in sync, 1 unsafe, 1 unobservable.\n");
}

TEST(PlanText, RefusalOfTheStateItself) {
  Plan plan;
  ClusterPlan c = MakeCluster("fw-9", "maestro", "default", ClusterStatus::kUnsafe);
  c.refusal = Refusal{"fw-9", 0, "version-skew", "members run 3 versions; at most 2"};
  plan.clusters.push_back(c);
  EXPECT_EQ(RenderPlanText(plan),
            "fw-9 (maestro, wave default): UNSAFE\n"
            "  refused: rule version-skew: members run 3 versions; at most 2\n"
            "\n"
            "Plan: 0 clusters to change (0 steps), 0 in sync, 1 unsafe, 0 unobservable.\n");
}

TEST(PlanText, JoinAndStepsWithoutReason) {
  Plan plan;
  ClusterPlan c = MakeCluster("tms", "tms-zl", "default", ClusterStatus::kChanges);
  c.steps.push_back(MakeStep(Action::kJoin, "b", 1, 2, "", "join"));
  plan.clusters.push_back(c);
  EXPECT_EQ(RenderPlanText(plan),
            "tms (tms-zl, wave default): changes: 1 step\n"
            "  1. join     b  serving 1 -> 2\n"
            "     $ join\n"
            "\n"
            "Plan: 1 cluster to change (1 step), 0 in sync, 0 unsafe, 0 unobservable.\n");
}

TEST(PlanText, Durations) {
  Plan plan;
  ClusterPlan c = MakeCluster("c", "linux", "default", ClusterStatus::kChanges);
  c.steps.push_back(WithUntil(MakeStep(Action::kDrain, "a", 2, 1, "x", ""), "role", "down",
                              3'600'000, 1'500));
  c.steps.push_back(WithUntil(MakeStep(Action::kUndrain, "a", 1, 2, "y", ""), "role", "up",
                              5'430'000));
  c.steps.push_back(WithUntil(MakeStep(Action::kUndrain, "a", 2, 2, "z", ""), "role", "up", 0));
  plan.clusters.push_back(c);
  EXPECT_EQ(RenderPlanText(plan),
            "c (linux, wave default): changes: 3 steps\n"
            "  1. drain    a  serving 2 -> 1  x\n"
            "     until role = down (1h, stable 1500ms)\n"
            "  2. undrain  a  serving 1 -> 2  y\n"
            "     until role = up (1h30m30s)\n"
            "  3. undrain  a  serving 2       z\n"
            "     until role = up\n"
            "\n"
            "Plan: 1 cluster to change (3 steps), 0 in sync, 0 unsafe, 0 unobservable.\n");
}

TEST(PlanText, DeviceTextCannotDriveTheTerminal) {
  Plan plan;
  ClusterPlan c = MakeCluster("c", "linux", "default", ClusterStatus::kUnobservable);
  c.unobservable = {"a: banner \x1b[2J\nPlan: 0 clusters to change"};
  plan.clusters.push_back(c);
  ClusterPlan d = MakeCluster("d", "linux", "default", ClusterStatus::kChanges);
  d.steps.push_back(MakeStep(Action::kDrain, "a", 2, 1, "a runs 1.0\t\x7f", "drain"));
  plan.clusters.push_back(d);
  EXPECT_EQ(RenderPlanText(plan),
            "c (linux, wave default): UNOBSERVABLE\n"
            "  a: banner \\x1B[2J\\x0APlan: 0 clusters to change\n"
            "\n"
            "d (linux, wave default): changes: 1 step\n"
            "  1. drain    a  serving 2 -> 1  a runs 1.0\\x09\\x7F\n"
            "     $ drain\n"
            "\n"
            "Plan: 1 cluster to change (1 step), 0 in sync, 0 unsafe, 1 unobservable.\n");
}

TEST(PlanText, EmptyPlan) {
  EXPECT_EQ(RenderPlanText(Plan{}),
            "Plan: 0 clusters to change (0 steps), 0 in sync, 0 unsafe, 0 unobservable.\n");
}

}  // namespace
}  // namespace harc
