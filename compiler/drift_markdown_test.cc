#include "compiler/drift_markdown.h"

#include <gtest/gtest.h>

#include "compiler/drift_fixture.h"

namespace harc {
namespace {

TEST(DriftMarkdownTest, ATitleATableOfClustersAndASectionPerClusterNotInSync) {
  EXPECT_EQ(RenderDriftMarkdown(testing::SampleDriftReport()),
            "## harc drift: 2 drifted, 2 in sync, 1 unobservable\n"
            "\n"
            "Checked 2026-01-12T10:31:02Z against commit `3f2a9c1d07be`.\n"
            "\n"
            "| cluster | platform | wave | status |\n"
            "|---|---|---|---|\n"
            "| fw-dc | dual-chassis | default | in sync |\n"
            "| gw-east | maestro | default | **drifted** |\n"
            "| gw-lab | maestro | canary | **unobservable** |\n"
            "| lb-edge | linux | default | **drifted** |\n"
            "| pcmk-db | pacemaker | canary | in sync |\n"
            "\n"
            "### gw-east: drifted\n"
            "\n"
            "| class | subject | member | observed | declared |\n"
            "|---|---|---|---|---|\n"
            "| version | `hotfix` | `east-1a` | `R81.20_T88` | `R81.20_T89` |\n"
            "| version | `hotfix` | `east-2a` | `R81.20_T88` | `R81.20_T89` |\n"
            "| version | `hotfix` | `east-2b` | (not observed) | `R81.20_T89` |\n"
            "| membership | `missing` | `east-3a` | `false` | `true` |\n"
            "| setting | `image_cloning` | `east-1a` | `off` | `on` |\n"
            "| role | `down` | `east-1b` | `down` |  |\n"
            "| divergence | `sync` | `east-2a` | `false` | `true` |\n"
            "\n"
            "### gw-lab: unobservable\n"
            "\n"
            "Not observed:\n"
            "\n"
            "- lab-2: connect: timed out after 10s\n"
            "\n"
            "| class | subject | member | observed | declared |\n"
            "|---|---|---|---|---|\n"
            "| role | `multiple-active` | `lab-1` | `active` |  |\n"
            "| role | `multiple-active` | `lab-3` | `active` |  |\n"
            "\n"
            "### lb-edge: drifted\n"
            "\n"
            "| class | subject | member | observed | declared |\n"
            "|---|---|---|---|---|\n"
            "| membership | `extra` | `lb-3` | `true` | `false` |\n"
            "| role | `no-serving` | `lb-1` | `standby` |  |\n"
            "| role | `no-serving` | `lb-2` | `down` |  |\n"
            "| divergence | `version.keepalived` | `lb-1` | `2.2.7` |  |\n"
            "| divergence | `version.keepalived` | `lb-2` | `2.2.8` |  |\n"
            "| divergence | `version.keepalived` | `lb-3` | `2.2.7` |  |\n");
}

TEST(DriftMarkdownTest, AWorkingTreeAndNoTimeAreSaidPlainly) {
  DriftReport r;
  EXPECT_EQ(RenderDriftMarkdown(r),
            "## harc drift: 0 drifted, 0 in sync, 0 unobservable\n"
            "\n"
            "Compared against the working tree.\n"
            "\n"
            "| cluster | platform | wave | status |\n"
            "|---|---|---|---|\n");
}

TEST(DriftMarkdownTest, NoValueCanBreakATableOrInjectMarkup) {
  DriftReport r;
  ClusterDrift c{"c", "linux", "default", DriftStatus::kUnobservable, {}, {}};
  c.unobservable = {"m1: <img src=x> | *bold* [link](y)\n# heading"};
  c.items = {{DriftClass::kVersion, "os", {{"m2", "2|3", "1`2"}}}};
  r.clusters = {c};
  const std::string md = RenderDriftMarkdown(r);
  EXPECT_NE(md.find("- m1: \\<img src=x\\> \\| \\*bold\\* \\[link\\](y)\\\\x0A\\# heading\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| version | `os` | `m2` | 1\\`2 | `2\\|3` |\n"), std::string::npos) << md;
}

}  // namespace
}  // namespace harc
