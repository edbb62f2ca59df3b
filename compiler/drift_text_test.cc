#include "compiler/drift_text.h"

#include <gtest/gtest.h>

#include "compiler/drift_fixture.h"

namespace harc {
namespace {

TEST(DriftTextTest, EachClusterWithItsStatusThenEachDifferenceAsASentence) {
  EXPECT_EQ(RenderDriftText(testing::SampleDriftReport(), false),
            "fw-dc (dual-chassis, wave default): in sync\n"
            "\n"
            "gw-east (maestro, wave default): DRIFTED\n"
            "  version     hotfix: R81.20_T88 on east-1a, east-2a (declared R81.20_T89)\n"
            "  version     hotfix: (not observed) on east-2b (declared R81.20_T89)\n"
            "  membership  missing: east-3a declared, not in the cluster\n"
            "  setting     image_cloning: off on east-1a (declared on)\n"
            "  role        down: east-1b out of service\n"
            "  divergence  sync: east-2a not in sync with the peers\n"
            "\n"
            "gw-lab (maestro, wave canary): UNOBSERVABLE\n"
            "  not observed: lab-2: connect: timed out after 10s\n"
            "  role        multiple-active: the platform has one active member (lab-1 active, "
            "lab-3 active)\n"
            "\n"
            "lb-edge (linux, wave default): DRIFTED\n"
            "  membership  extra: lb-3 in the cluster, not declared\n"
            "  role        no-serving: no member serves traffic (lb-1 standby, lb-2 down)\n"
            "  divergence  version.keepalived: members differ, nothing declared: 2.2.7 on lb-1, "
            "lb-3; 2.2.8 on lb-2\n"
            "\n"
            "pcmk-db (pacemaker, wave canary): in sync\n"
            "\n"
            "Drift: 2 clusters drifted, 2 in sync, 1 unobservable.\n");
}

TEST(DriftTextTest, AnEmptyReportIsItsSummary) {
  EXPECT_EQ(RenderDriftText(DriftReport{}, false),
            "Drift: 0 clusters drifted, 0 in sync, 0 unobservable.\n");
}

TEST(DriftTextTest, ColourMarksStatusAndClassesOnlyWhenAskedFor) {
  DriftReport r = testing::SampleDriftReport();
  const std::string plain = RenderDriftText(r, false);
  const std::string coloured = RenderDriftText(r, true);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(coloured.find("\033[1;33mDRIFTED\033[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\033[1;31mUNOBSERVABLE\033[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\033[32min sync\033[0m"), std::string::npos);
  EXPECT_NE(coloured.find("  \033[1;33mversion   \033[0m  hotfix:"), std::string::npos);
}

TEST(DriftTextTest, ControlBytesFromDevicesAreShownNotSent) {
  DriftReport r;
  ClusterDrift c{"c", "linux", "default", DriftStatus::kUnobservable, {}, {}};
  c.unobservable = {"m1: banner \033[2J\nfake line"};
  c.items = {{DriftClass::kVersion, "os", {{"m2", "2", "1\r\n\033]0;x\a"}}}};
  r.clusters = {c};
  const std::string text = RenderDriftText(r, false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("m1: banner \\x1B[2J\\x0Afake line\n"), std::string::npos) << text;
  EXPECT_NE(text.find("os: 1\\x0D\\x0A\\x1B]0;x\\x07 on m2 (declared 2)\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace harc
