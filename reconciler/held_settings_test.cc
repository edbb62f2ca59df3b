// Settings a killed run held: made desired again, so that the next plan of
// the example fleet restores them.
#include "reconciler/held_settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "compiler/builtin_platforms.h"
#include "compiler/compile.h"
#include "compiler/load.h"
#include "compiler/observed.h"
#include "reconciler/fleet_source.h"

namespace harc {
namespace {

const std::string kFleet = std::string(HARC_SOURCE_DIR) + "/examples/fleet";

class HeldSettingsTest : public ::testing::Test {
 protected:
  HeldSettingsTest() {
    FleetFiles files;
    std::string error;
    EXPECT_TRUE(DirectorySource(kFleet).Read(&files, &error)) << error;
    LoadResult loaded = LoadFleet(files, BuiltinPlatforms());
    EXPECT_TRUE(loaded.ok());
    fleet_ = loaded.fleet;
    std::ifstream in(kFleet + "/observed.json");
    std::stringstream text;
    text << in.rdbuf();
    std::vector<Diagnostic> errors;
    EXPECT_TRUE(ParseObserved(text.str(), "observed.json", &observed_, &errors));
  }

  // gw-lab as a run killed after its upgrade left it: image_cloning held
  // off on both members, the hotfix installed everywhere.
  void KilledBeforeTheRestore() {
    for (ObservedMember& m : observed_.clusters["gw-lab"].members) {
      m.facts["setting.image_cloning"] = "off";
      m.facts["version.hotfix"] = "R81.20_T89";
    }
  }

  std::string Setting(const std::string& cluster, const std::string& member,
                      const std::string& setting) {
    for (const Member& m : fleet_.FindCluster(cluster)->members)
      if (m.name == member) return m.settings.count(setting) ? m.settings.at(setting) : "";
    return "?";
  }

  const ClusterPlan& PlanOf(const Plan& plan, const std::string& cluster) {
    for (const ClusterPlan& cp : plan.clusters)
      if (cp.cluster == cluster) return cp;
    throw std::runtime_error("no plan for " + cluster);
  }

  Fleet fleet_;
  ObservedFleet observed_;
  const std::vector<HeldSetting> held_ = {{"gw-lab", "lab-1", "image_cloning", "on", 7}};
};

TEST_F(HeldSettingsTest, WithoutTheJournalTheHeldValueLooksDesired) {
  KilledBeforeTheRestore();
  Plan plan = Compile(fleet_, observed_, CompileOptions{{"gw-lab"}});
  EXPECT_EQ(PlanOf(plan, "gw-lab").status, ClusterStatus::kInSync);  // image_cloning stays off
}

TEST_F(HeldSettingsTest, TheValueBeforeTheHoldBecomesDesiredAndIsRestored) {
  KilledBeforeTheRestore();
  DesireHeldSettings(held_, observed_, &fleet_);
  EXPECT_EQ(Setting("gw-lab", "lab-1", "image_cloning"), "on");
  EXPECT_EQ(Setting("gw-lab", "lab-2", "image_cloning"), "");  // nothing journaled for it
  Plan plan = Compile(fleet_, observed_, CompileOptions{{"gw-lab"}});
  const ClusterPlan& cp = PlanOf(plan, "gw-lab");
  ASSERT_EQ(cp.status, ClusterStatus::kChanges);
  const Step& last = cp.steps.back();
  EXPECT_EQ(last.ActionKey(), "set.image_cloning");
  EXPECT_EQ(last.member, "lab-1");
  EXPECT_EQ(last.value, "on");
  EXPECT_EQ(last.reason, "restore image_cloning to on after the run");
}

TEST_F(HeldSettingsTest, AHoldThatIsNoLongerInPlaceIsIgnored) {
  // Someone set it since, to something else than the held value.
  observed_.clusters["gw-lab"].members[0].facts["setting.image_cloning"] = "on";
  DesireHeldSettings(held_, observed_, &fleet_);
  EXPECT_EQ(Setting("gw-lab", "lab-1", "image_cloning"), "");
}

TEST_F(HeldSettingsTest, TheClusterFileWinsAndUnknownMembersAreIgnored) {
  KilledBeforeTheRestore();
  observed_.clusters["lb-edge"].members[0].facts["setting.preempt"] = "off";
  std::vector<HeldSetting> held = {{"lb-edge", "lb-1", "preempt", "weird", 3},
                                   {"gw-lab", "lab-9", "image_cloning", "on", 3},
                                   {"gone", "x", "image_cloning", "on", 3}};
  DesireHeldSettings(held, observed_, &fleet_);
  EXPECT_EQ(fleet_.FindCluster("lb-edge")->settings.at("preempt"), "on");  // lb-edge.toml
  EXPECT_EQ(Setting("lb-edge", "lb-1", "preempt"), "");
  EXPECT_EQ(Setting("gw-lab", "lab-1", "image_cloning"), "");
}

}  // namespace
}  // namespace harc
