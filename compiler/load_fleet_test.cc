#include <gtest/gtest.h>

#include "compiler/load.h"

namespace harc {
namespace {

// Small platforms written for these tests (the real built-ins are data of their own).
const std::string kMaestro = R"(name = "maestro"
strategy = "groups"
components = ["hotfix"]
max_members = 6
max_members_per_site = 3

[facts.role]
run = "state"
[facts.in_cluster]
run = "list"
[facts."version.hotfix"]
run = "ver"
[facts."setting.failback"]
run = "fb"
[facts."setting.priority"]
run = "prio"

[actions.backup]
run = "b"
[actions.drain]
run = "d"
[actions.undrain]
run = "u"
[actions.install]
run = "i {version}"
[actions."set.failback"]
run = "f {value}"
[actions."set.priority"]
run = "p {value}"
)";

const std::string kLinux = R"(name = "linux"
strategy = "rolling"
components = ["kernel", "app"]

[facts.role]
run = "state"
[facts.in_cluster]
run = "list"
[facts."version.kernel"]
run = "uname -r"
[facts."version.app"]
run = "app --version"

[actions.backup]
run = "b"
[actions.drain]
run = "d"
[actions.undrain]
run = "u"
[actions.install]
run = "i {component} {version}"
)";

const std::vector<SourceFile> kBuiltins = {
    {"<builtin>/linux.toml", kLinux},
    {"<builtin>/maestro.toml", kMaestro},
};

const std::string kHarc = R"([ssh]
user = "ops"
port = 2022
identity = "~/.ssh/id_ed25519"
known_hosts = "/etc/harc/known_hosts"
connect_timeout = "5s"

[rollout]
waves = ["canary", "default", "late"]
max_parallel_clusters = 4
max_failed_clusters = 2
)";

const std::string kEast = R"(name = "fw-east"
platform = "maestro"
wave = "canary"

[software]
hotfix = "R81.20_T89"

[ha]
min_serving = 2
max_unavailable = 2
groups = [["m1", "m3"], ["m2", "m4"]]
allow_disruption = true

[settings]
failback = "manual"

[[member]]
name = "m1"
host = "10.1.0.11"
site = 1
[member.settings]
priority = 100

[[member]]
name = "m2"
host = "10.1.0.12"
port = 2222
user = "root"
site = 1

[[member]]
name = "m3"
host = "10.1.0.13"
site = 2

[[member]]
name = "m4"
host = "10.1.0.14"
site = 2
)";

const std::string kWest = R"(name = "lx-west"
platform = "linux"

[software]
kernel = "6.1.0-18"

[[member]]
name = "a"
host = "lx-a.example.net"
)";

// text with `from` replaced by `to` (which must occur exactly once).
std::string With(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

LoadResult Load(std::vector<SourceFile> files, std::string commit = "") {
  return LoadFleet(FleetFiles{std::move(files), std::move(commit)}, kBuiltins);
}

std::string Errors(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.errors) out += FormatDiagnostic(d);
  return out;
}

// The errors of a fleet of harc.toml and one cluster file.
std::string EastErrors(const std::string& east, const std::string& harc = kHarc) {
  return Errors(Load({{"harc.toml", harc}, {"clusters/fw-east.toml", east}}));
}

// ---------------------------------------------------------------- good fleets

TEST(LoadFleet, GoodFleet) {
  LoadResult r = Load(
      {{"clusters/lx-west.toml", kWest}, {"harc.toml", kHarc}, {"clusters/fw-east.toml", kEast}},
      "0123abcd");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Fleet& f = r.fleet;
  EXPECT_EQ(f.commit, "0123abcd");
  ASSERT_EQ(f.clusters.size(), 2u);
  EXPECT_EQ(f.clusters[0].name, "fw-east");  // sorted by name
  EXPECT_EQ(f.clusters[1].name, "lx-west");
  EXPECT_EQ(f.platforms.size(), 2u);
  EXPECT_EQ(f.platforms.at("maestro").file, "<builtin>/maestro.toml");
}

TEST(LoadFleet, ClusterValues) {
  LoadResult r = Load({{"harc.toml", kHarc}, {"clusters/fw-east.toml", kEast}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Cluster& c = *r.fleet.FindCluster("fw-east");
  EXPECT_EQ(c.platform, "maestro");
  EXPECT_EQ(c.wave, "canary");
  EXPECT_EQ(c.software, (std::map<std::string, std::string>{{"hotfix", "R81.20_T89"}}));
  EXPECT_EQ(c.ha.min_serving, 2);
  EXPECT_EQ(c.ha.max_unavailable, 2);
  EXPECT_EQ(c.ha.groups, (std::vector<std::vector<std::string>>{{"m1", "m3"}, {"m2", "m4"}}));
  EXPECT_TRUE(c.ha.allow_disruption);
  EXPECT_EQ(c.settings, (std::map<std::string, std::string>{{"failback", "manual"}}));
  EXPECT_EQ(c.file, "clusters/fw-east.toml");
  EXPECT_EQ(c.pos.file, "clusters/fw-east.toml");
  EXPECT_EQ(c.pos.line, 1);
  EXPECT_EQ(c.pos.col, 8);
}

TEST(LoadFleet, MemberValues) {
  LoadResult r = Load({{"harc.toml", kHarc}, {"clusters/fw-east.toml", kEast}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Cluster& c = r.fleet.clusters[0];
  ASSERT_EQ(c.members.size(), 4u);
  const Member& m1 = c.members[0];
  EXPECT_EQ(m1.name, "m1");
  EXPECT_EQ(m1.host, "10.1.0.11");
  EXPECT_FALSE(m1.port.has_value());
  EXPECT_FALSE(m1.user.has_value());
  EXPECT_EQ(m1.site, 1);
  EXPECT_EQ(m1.settings, (std::map<std::string, std::string>{{"priority", "100"}}));
  EXPECT_EQ(m1.pos.line, 18);
  EXPECT_EQ(m1.pos.col, 8);
  EXPECT_EQ(m1.pos.file, "clusters/fw-east.toml");
  const Member& m2 = c.members[1];
  EXPECT_EQ(m2.port, 2222);
  EXPECT_EQ(m2.user, "root");
  EXPECT_EQ(*c.DesiredSetting(m1, "priority"), "100");
  EXPECT_EQ(*c.DesiredSetting(m2, "failback"), "manual");
}

TEST(LoadFleet, HarcToml) {
  LoadResult r = Load({{"harc.toml", kHarc}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  const FleetConfig& c = r.fleet.config;
  EXPECT_EQ(c.ssh.user, "ops");
  EXPECT_EQ(c.ssh.port, 2022);
  EXPECT_EQ(c.ssh.identity, "~/.ssh/id_ed25519");
  EXPECT_EQ(c.ssh.known_hosts, "/etc/harc/known_hosts");
  EXPECT_EQ(c.ssh.connect_timeout_ms, 5'000);
  EXPECT_EQ(c.rollout.waves, (std::vector<std::string>{"canary", "default", "late"}));
  EXPECT_EQ(c.rollout.max_parallel_clusters, 4);
  EXPECT_EQ(c.rollout.max_failed_clusters, 2);
}

TEST(LoadFleet, SshDeadlines) {
  LoadResult r = Load({{"harc.toml", "[ssh]\ncommand_timeout = \"30s\"\ngather_timeout = \"5m\"\n"}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.fleet.config.ssh.command_timeout_ms, 30'000);
  EXPECT_EQ(r.fleet.config.ssh.gather_timeout_ms, 300'000);

  r = Load({{"harc.toml", "[ssh]\ngather_timeout = \"0s\"\n"}});
  EXPECT_EQ(Errors(r),
            "harc.toml:2:18: error: 'gather_timeout' must be greater than 0\n"
            "    gather_timeout = \"0s\"\n"
            "                     ^\n");
}

TEST(LoadFleet, DefaultsWithoutHarcToml) {
  LoadResult r = Load({{"clusters/lx-west.toml", kWest}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Fleet& f = r.fleet;
  EXPECT_EQ(f.config.ssh.user, "admin");
  EXPECT_EQ(f.config.ssh.port, 22);
  EXPECT_EQ(f.config.ssh.identity, "");
  EXPECT_EQ(f.config.ssh.known_hosts, "~/.ssh/known_hosts");
  EXPECT_EQ(f.config.ssh.connect_timeout_ms, 10'000);
  EXPECT_EQ(f.config.ssh.command_timeout_ms, 60'000);
  EXPECT_EQ(f.config.ssh.gather_timeout_ms, 0);
  EXPECT_EQ(f.config.rollout.waves, (std::vector<std::string>{"canary", "default"}));
  EXPECT_EQ(f.config.rollout.max_parallel_clusters, 8);
  EXPECT_EQ(f.config.rollout.max_failed_clusters, 1);
  const Cluster& c = f.clusters[0];
  EXPECT_EQ(c.wave, "default");
  EXPECT_EQ(c.ha.min_serving, 1);
  EXPECT_EQ(c.ha.max_unavailable, 1);
  EXPECT_TRUE(c.ha.groups.empty());
  EXPECT_FALSE(c.ha.allow_disruption);
  EXPECT_TRUE(c.settings.empty());
  EXPECT_EQ(c.members[0].site, 0);
  EXPECT_EQ(f.commit, "");
}

TEST(LoadFleet, OtherFilesAreIgnored) {
  LoadResult r = Load({{"clusters/lx-west.toml", kWest},
                       {"README.md", "# not toml ["},
                       {"clusters/notes.txt", "["},
                       {"clusters/old/x.toml", "["},
                       {"platforms/drafts/y.toml", "["},
                       {"examples/harc.toml", "["},
                       {".git/config", "["}});
  EXPECT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.fleet.clusters.size(), 1u);
}

TEST(LoadFleet, MinServingAboveMemberCountIsLeftToTheProof) {
  LoadResult r = Load({{"clusters/lx-west.toml",
                        With(kWest, "[[member]]", "[ha]\nmin_serving = 5\n\n[[member]]")}});
  EXPECT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.fleet.clusters[0].ha.min_serving, 5);
}

TEST(LoadFleet, EmptyFleet) {
  LoadResult r = Load({});
  EXPECT_TRUE(r.ok()) << Errors(r);
  EXPECT_TRUE(r.fleet.clusters.empty());
  EXPECT_EQ(r.fleet.platforms.size(), 2u);
}

// ---------------------------------------------------------------- platforms

TEST(LoadFleet, RepoPlatformOverridesBuiltin) {
  std::string mine = With(kMaestro, "max_members = 6", "max_members = 8");
  LoadResult r = Load({{"platforms/maestro.toml", mine}, {"clusters/lx-west.toml", kWest}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  const Platform& p = r.fleet.platforms.at("maestro");
  EXPECT_EQ(p.max_members, 8);
  EXPECT_EQ(p.file, "platforms/maestro.toml");
  EXPECT_EQ(r.fleet.platforms.at("linux").file, "<builtin>/linux.toml");
}

TEST(LoadFleet, RepoPlatformAddsOne) {
  std::string mine = With(kLinux, "name = \"linux\"", "name = \"appliance\"");
  std::string cluster = With(kWest, "platform = \"linux\"", "platform = \"appliance\"");
  LoadResult r = Load({{"platforms/appliance.toml", mine}, {"clusters/lx-west.toml", cluster}});
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.fleet.platforms.size(), 3u);
  EXPECT_EQ(r.fleet.clusters[0].platform, "appliance");
}

TEST(LoadFleet, OverridingPlatformChangesWhatClustersMayUse) {
  std::string mine = With(kMaestro, "max_members_per_site = 3", "max_members_per_site = 1");
  LoadResult r = Load(
      {{"harc.toml", kHarc}, {"platforms/maestro.toml", mine}, {"clusters/fw-east.toml", kEast}});
  EXPECT_EQ(Errors(r),
            "clusters/fw-east.toml:29:8: error: site 1 has 2 members; platform 'maestro' allows "
            "at most 1 per site\n"
            "    site = 1\n"
            "           ^\n"
            "clusters/fw-east.toml:39:8: error: site 2 has 2 members; platform 'maestro' allows "
            "at most 1 per site\n"
            "    site = 2\n"
            "           ^\n");
}

TEST(LoadFleet, RepoPlatformNameMustMatchItsFile) {
  LoadResult r = Load({{"platforms/checkpoint.toml", kMaestro}});
  EXPECT_EQ(Errors(r),
            "platforms/checkpoint.toml:1:8: error: platform name 'maestro' does not match its "
            "file name 'checkpoint'\n"
            "    name = \"maestro\"\n"
            "           ^\n");
}

TEST(LoadFleet, PlatformErrorsAreReported) {
  LoadResult r = Load({{"platforms/linux.toml", With(kLinux, "strategy", "stratgy")}});
  EXPECT_EQ(Errors(r),
            "platforms/linux.toml: error: missing required key 'strategy'\n"
            "platforms/linux.toml:2:1: error: unknown key 'stratgy'; did you mean 'strategy'?\n"
            "    stratgy = \"rolling\"\n"
            "    ^\n");
}

// ---------------------------------------------------------------- syntax and keys

TEST(LoadFleet, SyntaxErrorIsOneDiagnostic) {
  EXPECT_EQ(EastErrors(With(kEast, "min_serving = 2", "min_serving = = 2\nbogus = 1")),
            "clusters/fw-east.toml:9:15: error: syntax error in value: could not determine value "
            "type\n"
            "    min_serving = = 2\n"
            "                  ^\n");
}

TEST(LoadFleet, UnknownKeys) {
  EXPECT_EQ(EastErrors(With(kEast, "platform = \"maestro\"", "platfrom = \"maestro\"")),
            "clusters/fw-east.toml: error: missing required key 'platform'\n"
            "clusters/fw-east.toml:2:1: error: unknown key 'platfrom'; did you mean 'platform'?\n"
            "    platfrom = \"maestro\"\n"
            "    ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "max_unavailable = 2", "max_unavailble = 2")),
            "clusters/fw-east.toml:10:1: error: unknown key 'max_unavailble' in [ha]; did you "
            "mean 'max_unavailable'?\n"
            "    max_unavailble = 2\n"
            "    ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "user = \"root\"", "usr = \"root\"")),
            "clusters/fw-east.toml:28:1: error: unknown key 'usr' in [[member]]; did you mean "
            "'user'?\n"
            "    usr = \"root\"\n"
            "    ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "wave = \"canary\"", "wave = \"canary\"\ncolour = \"red\"")),
            "clusters/fw-east.toml:4:1: error: unknown key 'colour'\n"
            "    colour = \"red\"\n"
            "    ^\n");
}

TEST(LoadFleet, WrongTypes) {
  EXPECT_EQ(EastErrors(With(kEast, "min_serving = 2", "min_serving = \"2\"")),
            "clusters/fw-east.toml:9:15: error: wrong type for 'min_serving': expected an "
            "integer, found a string\n"
            "    min_serving = \"2\"\n"
            "                  ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "allow_disruption = true", "allow_disruption = 1")),
            "clusters/fw-east.toml:12:20: error: wrong type for 'allow_disruption': expected a "
            "boolean, found an integer\n"
            "    allow_disruption = 1\n"
            "                       ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "hotfix = \"R81.20_T89\"", "hotfix = 81.2")),
            "clusters/fw-east.toml:6:10: error: wrong type for 'hotfix': expected a string, "
            "found a float\n"
            "    hotfix = 81.2\n"
            "             ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "priority = 100", "priority = 1.5")),
            "clusters/fw-east.toml:22:12: error: wrong type for 'priority': expected a string, "
            "an integer or a boolean, found a float\n"
            "    priority = 1.5\n"
            "               ^\n");
  std::string east = With(kEast, "[settings]\nfailback = \"manual\"\n", "");
  EXPECT_EQ(EastErrors(With(east, "wave = \"canary\"", "wave = \"canary\"\nsettings = 1")),
            "clusters/fw-east.toml:4:12: error: wrong type for 'settings': expected a table, "
            "found an integer\n"
            "    settings = 1\n"
            "               ^\n");
}

TEST(LoadFleet, MissingRequiredKeys) {
  EXPECT_EQ(EastErrors(With(kEast, "name = \"fw-east\"\n", "")),
            "clusters/fw-east.toml: error: missing required key 'name'\n");
  EXPECT_EQ(EastErrors(With(kEast, "host = \"10.1.0.13\"\n", "")),
            "clusters/fw-east.toml:31:1: error: missing required key 'host' in [[member]]\n"
            "    [[member]]\n"
            "    ^\n");
  EXPECT_EQ(Errors(Load({{"clusters/x.toml", "name = \"x\"\nplatform = \"linux\"\n"}})),
            "clusters/x.toml: error: missing required key 'member'\n");
}

TEST(LoadFleet, MembersMustBeAnArrayOfTables) {
  EXPECT_EQ(Errors(Load({{"clusters/x.toml",
                          "name = \"x\"\nplatform = \"linux\"\n[member]\nname = \"a\"\n"}})),
            "clusters/x.toml:3:1: error: wrong type for 'member': expected an array, found a "
            "table\n"
            "    [member]\n"
            "    ^\n");
  EXPECT_EQ(
      Errors(Load({{"clusters/x.toml", "name = \"x\"\nplatform = \"linux\"\nmember = []\n"}})),
      "clusters/x.toml:3:10: error: the cluster has no members\n"
      "    member = []\n"
      "             ^\n");
}

// ---------------------------------------------------------------- references

TEST(LoadFleet, UnknownPlatform) {
  EXPECT_EQ(EastErrors(With(kEast, "platform = \"maestro\"", "platform = \"maestr\"")),
            "clusters/fw-east.toml:2:12: error: unknown platform 'maestr'; did you mean "
            "'maestro'?\n"
            "    platform = \"maestr\"\n"
            "               ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "platform = \"maestro\"", "platform = \"pfsense\"")),
            "clusters/fw-east.toml:2:12: error: unknown platform 'pfsense'\n"
            "    platform = \"pfsense\"\n"
            "               ^\n");
}

TEST(LoadFleet, UnknownWave) {
  EXPECT_EQ(EastErrors(With(kEast, "wave = \"canary\"", "wave = \"canery\"")),
            "clusters/fw-east.toml:3:8: error: wave 'canery' is not in rollout.waves; did you "
            "mean 'canary'?\n"
            "    wave = \"canery\"\n"
            "           ^\n");
}

TEST(LoadFleet, NoWaveNeedsADefaultWave) {
  std::string harc = With(kHarc, "\"canary\", \"default\", \"late\"", "\"canary\", \"late\"");
  EXPECT_EQ(EastErrors(With(kEast, "wave = \"canary\"\n", ""), harc),
            "clusters/fw-east.toml: error: the cluster has no wave and rollout.waves has no "
            "'default'\n");
}

TEST(LoadFleet, UnknownComponent) {
  EXPECT_EQ(EastErrors(With(kEast, "hotfix = ", "hotfx = ")),
            "clusters/fw-east.toml:6:1: error: platform 'maestro' has no component 'hotfx'; did "
            "you mean 'hotfix'?\n"
            "    hotfx = \"R81.20_T89\"\n"
            "    ^\n");
}

TEST(LoadFleet, UnknownSettings) {
  EXPECT_EQ(EastErrors(With(kEast, "failback = \"manual\"", "failbak = \"manual\"")),
            "clusters/fw-east.toml:15:1: error: platform 'maestro' has no setting 'failbak'; did "
            "you mean 'failback'?\n"
            "    failbak = \"manual\"\n"
            "    ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "priority = 100", "preempt = false")),
            "clusters/fw-east.toml:22:1: error: platform 'maestro' has no setting 'preempt' (a "
            "setting needs fact 'setting.preempt' and action 'set.preempt')\n"
            "    preempt = false\n"
            "    ^\n");
}

// ---------------------------------------------------------------- duplicates

TEST(LoadFleet, DuplicateClusterNames) {
  std::string copy = With(kEast, "wave = \"canary\"", "wave = \"late\"");
  LoadResult r = Load({{"harc.toml", kHarc},
                       {"clusters/fw-east.toml", kEast},
                       {"clusters/fw-east-copy.toml", copy}});
  EXPECT_EQ(Errors(r),
            "clusters/fw-east.toml:1:8: error: duplicate cluster 'fw-east'; first defined at "
            "clusters/fw-east-copy.toml:1:8\n"
            "    name = \"fw-east\"\n"
            "           ^\n");
}

TEST(LoadFleet, DuplicateMembers) {
  std::string east = With(kEast, "groups = [[\"m1\", \"m3\"], [\"m2\", \"m4\"]]\n", "");
  EXPECT_EQ(EastErrors(With(east, "name = \"m3\"", "name = \"m1\"")),
            "clusters/fw-east.toml:31:8: error: duplicate member 'm1'; first defined at "
            "clusters/fw-east.toml:17:8\n"
            "    name = \"m1\"\n"
            "           ^\n");
}

TEST(LoadFleet, SameHostAndPort) {
  EXPECT_EQ(EastErrors(With(kEast, "host = \"10.1.0.13\"", "host = \"10.1.0.11\"")),
            "clusters/fw-east.toml:33:8: error: member 'm3' has the same host and port as member "
            "'m1' (10.1.0.11:2022)\n"
            "    host = \"10.1.0.11\"\n"
            "           ^\n");
  // Same host, other port: two members behind one address.
  EXPECT_EQ(EastErrors(With(kEast, "host = \"10.1.0.13\"", "host = \"10.1.0.12\"")), "");
}

// ---------------------------------------------------------------- groups

TEST(LoadFleet, Groups) {
  EXPECT_EQ(EastErrors(With(kEast, "[[\"m1\", \"m3\"], [\"m2\", \"m4\"]]",
                            "[[\"m1\", \"m5\"], [\"m1\", \"m4\"], []]")),
            "clusters/fw-east.toml:11:18: error: group names 'm5', which is not a member of this "
            "cluster; did you mean 'm1'?\n"
            "    groups = [[\"m1\", \"m5\"], [\"m1\", \"m4\"], []]\n"
            "                     ^\n"
            "clusters/fw-east.toml:11:26: error: member 'm1' is in more than one group\n"
            "    groups = [[\"m1\", \"m5\"], [\"m1\", \"m4\"], []]\n"
            "                             ^\n"
            "clusters/fw-east.toml:11:39: error: empty group\n"
            "    groups = [[\"m1\", \"m5\"], [\"m1\", \"m4\"], []]\n"
            "                                          ^\n");
}

// ---------------------------------------------------------------- platform limits

TEST(LoadFleet, MembersPerSite) {
  std::string east =
      With(kEast, "site = 2\n\n[[member]]\nname = \"m4\"", "site = 1\n\n[[member]]\nname = \"m4\"");
  east = With(east, "host = \"10.1.0.14\"\nsite = 2", "host = \"10.1.0.14\"\nsite = 1");
  EXPECT_EQ(EastErrors(east),
            "clusters/fw-east.toml:39:8: error: site 1 has 4 members; platform 'maestro' allows "
            "at most 3 per site\n"
            "    site = 1\n"
            "           ^\n");
}

TEST(LoadFleet, MaxMembers) {
  std::string east = kEast;
  for (int i = 5; i <= 7; ++i) {
    std::string n = std::to_string(i);
    east += "\n[[member]]\nname = \"m" + n + "\"\nhost = \"10.1.0.1" + n +
            "\"\nsite = " + std::to_string(i) + "\n";
  }
  EXPECT_EQ(EastErrors(east),
            "clusters/fw-east.toml:52:8: error: cluster 'fw-east' has 7 members; platform "
            "'maestro' allows at most 6\n"
            "    name = \"m7\"\n"
            "           ^\n");
}

// ---------------------------------------------------------------- safety

TEST(LoadFleet, UnsafeIdentifiers) {
  // The group still names "m2", which no member is called now.
  EXPECT_EQ(EastErrors(With(kEast, "name = \"m2\"", "name = \"m2; reboot\"")),
            "clusters/fw-east.toml:11:26: error: group names 'm2', which is not a member of this "
            "cluster; did you mean 'm1'?\n"
            "    groups = [[\"m1\", \"m3\"], [\"m2\", \"m4\"]]\n"
            "                             ^\n"
            "clusters/fw-east.toml:25:8: error: not a safe identifier: 'm2; reboot' (';' is not "
            "allowed; identifiers are [A-Za-z0-9][A-Za-z0-9_.-]{0,63})\n"
            "    name = \"m2; reboot\"\n"
            "           ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "name = \"fw-east\"", "name = \"-fw\"")),
            "clusters/fw-east.toml:1:8: error: not a safe identifier: '-fw' (it must start with a "
            "letter or a digit; identifiers are [A-Za-z0-9][A-Za-z0-9_.-]{0,63})\n"
            "    name = \"-fw\"\n"
            "           ^\n");
  EXPECT_EQ(
      EastErrors(With(kEast, "name = \"fw-east\"", "name = \"" + std::string(70, 'f') + "\"")),
      "clusters/fw-east.toml:1:8: error: not a safe identifier: '" + std::string(70, 'f') +
          "' (it has 70 characters, at most 64; identifiers are "
          "[A-Za-z0-9][A-Za-z0-9_.-]{0,63})\n"
          "    name = \"" +
          std::string(70, 'f') +
          "\"\n"
          "           ^\n");
}

TEST(LoadFleet, UnsafeValues) {
  EXPECT_EQ(EastErrors(With(kEast, "host = \"10.1.0.11\"", "host = \"10.1.0.11;reboot\"")),
            "clusters/fw-east.toml:19:8: error: not a safe value: '10.1.0.11;reboot' (';' is not "
            "allowed; values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with "
            "'-' or '~')\n"
            "    host = \"10.1.0.11;reboot\"\n"
            "           ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "R81.20_T89", "$(reboot)")),
            "clusters/fw-east.toml:6:10: error: not a safe value: '$(reboot)' ('$' is not "
            "allowed; values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with "
            "'-' or '~')\n"
            "    hotfix = \"$(reboot)\"\n"
            "             ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "user = \"root\"", "user = \"-oProxyCommand=x\"")),
            "clusters/fw-east.toml:28:8: error: not a safe value: '-oProxyCommand=x' (it must not "
            "start with '-'; values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting "
            "with '-' or '~')\n"
            "    user = \"-oProxyCommand=x\"\n"
            "           ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "failback = \"manual\"", "failback = \"a\\nb\"")),
            "clusters/fw-east.toml:15:12: error: not a safe value: 'a\\nb' ('\\n' is not allowed; "
            "values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with '-' or '~')\n"
            "    failback = \"a\\nb\"\n"
            "               ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "failback = \"manual\"", "failback = \"\"")),
            "clusters/fw-east.toml:15:12: error: not a safe value: '' (it is empty; values are "
            "1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with '-' or '~')\n"
            "    failback = \"\"\n"
            "               ^\n");
}

TEST(LoadFleet, HostileBytes) {
  EXPECT_EQ(EastErrors(With(kEast, "R81.20_T89", "R81\xff")),
            "clusters/fw-east.toml:6:13: error: syntax error: encountered invalid utf-8 "
            "sequence\n"
            "    hotfix = \"R81\xff\"\n"
            "                ^\n");  // toml++'s position: the character before the bad byte
  std::string out = EastErrors(With(kEast, "10.1.0.11", std::string(300, 'h')));
  EXPECT_TRUE(out.starts_with("clusters/fw-east.toml:19:8: error: not a safe value: '" +
                              std::string(80, 'h') + "...' (it has 300 characters, at most 256; "))
      << out;
}

// ---------------------------------------------------------------- ranges

TEST(LoadFleet, Ranges) {
  EXPECT_EQ(EastErrors(With(kEast, "min_serving = 2", "min_serving = -1")),
            "clusters/fw-east.toml:9:15: error: 'min_serving' must be at least 0, found -1\n"
            "    min_serving = -1\n"
            "                  ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "max_unavailable = 2", "max_unavailable = 0")),
            "clusters/fw-east.toml:10:19: error: 'max_unavailable' must be at least 1, found 0\n"
            "    max_unavailable = 0\n"
            "                      ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "port = 2222", "port = 70000")),
            "clusters/fw-east.toml:27:8: error: 'port' must be in 1..65535, found 70000\n"
            "    port = 70000\n"
            "           ^\n");
  EXPECT_EQ(EastErrors(With(kEast, "site = 2\n\n[[member]]\nname = \"m4\"",
                            "site = 0\n\n[[member]]\nname = \"m4\"")),
            "clusters/fw-east.toml:34:8: error: 'site' must be at least 1, found 0\n"
            "    site = 0\n"
            "           ^\n");
}

TEST(LoadFleet, HarcTomlSafety) {
  EXPECT_EQ(Errors(Load({{"harc.toml", With(kHarc, "user = \"ops\"", "user = \"ops`id`\"")}})),
            "harc.toml:2:8: error: not a safe value: 'ops`id`' ('`' is not allowed; values are "
            "1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with '-' or '~')\n"
            "    user = \"ops`id`\"\n"
            "           ^\n");
  EXPECT_EQ(Errors(Load({{"harc.toml", With(kHarc, "[\"canary\", \"default\", \"late\"]", "[]")}})),
            "harc.toml:9:9: error: 'waves' is empty\n"
            "    waves = []\n"
            "            ^\n");
}

TEST(LoadFleet, HarcTomlErrors) {
  std::string harc = With(kHarc, "port = 2022", "port = 0");
  harc = With(harc, "connect_timeout = \"5s\"", "connect_timeout = \"5 s\"");
  harc = With(harc, "max_parallel_clusters = 4", "max_paralel_clusters = 4");
  harc = With(harc, "max_failed_clusters = 2", "max_failed_clusters = 0");
  harc = With(harc, "\"canary\", \"default\", \"late\"", "\"canary\", \"default\", \"canary\"");
  harc += "[gitops]\nbranch = \"main\"\n";
  EXPECT_EQ(Errors(Load({{"harc.toml", harc}})),
            "harc.toml:3:8: error: 'port' must be in 1..65535, found 0\n"
            "    port = 0\n"
            "           ^\n"
            "harc.toml:6:19: error: invalid duration '5 s' for 'connect_timeout' (durations are a "
            "whole number and ms, s, m or h: \"30s\")\n"
            "    connect_timeout = \"5 s\"\n"
            "                      ^\n"
            "harc.toml:9:31: error: duplicate 'canary' in 'waves'\n"
            "    waves = [\"canary\", \"default\", \"canary\"]\n"
            "                                  ^\n"
            "harc.toml:10:1: error: unknown key 'max_paralel_clusters' in [rollout]; did you mean "
            "'max_parallel_clusters'?\n"
            "    max_paralel_clusters = 4\n"
            "    ^\n"
            "harc.toml:11:23: error: 'max_failed_clusters' must be in 1..1000, found 0\n"
            "    max_failed_clusters = 0\n"
            "                          ^\n"
            "harc.toml:13:1: error: unknown key 'branch' in [gitops]\n"
            "    branch = \"main\"\n"
            "    ^\n");
}

// ---------------------------------------------------------------- many errors

TEST(LoadFleet, AllErrorsOfAFileInSourceOrder) {
  std::string east = With(kEast, "wave = \"canary\"", "wave = \"canery\"");
  east = With(east, "min_serving = 2", "min_servng = 2");
  east = With(east, "host = \"10.1.0.12\"", "host = \"10.1.0.12 \"");
  east = With(east, "port = 2222", "port = \"2222\"");
  std::string out = EastErrors(east);
  EXPECT_EQ(out,
            "clusters/fw-east.toml:3:8: error: wave 'canery' is not in rollout.waves; did you "
            "mean 'canary'?\n"
            "    wave = \"canery\"\n"
            "           ^\n"
            "clusters/fw-east.toml:9:1: error: unknown key 'min_servng' in [ha]; did you mean "
            "'min_serving'?\n"
            "    min_servng = 2\n"
            "    ^\n"
            "clusters/fw-east.toml:26:8: error: not a safe value: '10.1.0.12 ' (' ' is not "
            "allowed; values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with "
            "'-' or '~')\n"
            "    host = \"10.1.0.12 \"\n"
            "           ^\n"
            "clusters/fw-east.toml:27:8: error: wrong type for 'port': expected an integer, found "
            "a string\n"
            "    port = \"2222\"\n"
            "           ^\n");
}

TEST(LoadFleet, ErrorsOfAllFilesAreCollected) {
  LoadResult r = Load({{"harc.toml", With(kHarc, "user = \"ops\"", "user = \"o ps\"")},
                       {"clusters/b.toml", With(kWest, "kernel", "kernal")},
                       {"clusters/a.toml", With(kEast, "maestro", "maestr0")},
                       {"platforms/linux.toml", With(kLinux, "rolling", "roling")}});
  ASSERT_EQ(r.errors.size(), 4u) << Errors(r);
  EXPECT_EQ(r.errors[0].pos.file, "platforms/linux.toml");
  EXPECT_EQ(r.errors[1].pos.file, "harc.toml");
  EXPECT_EQ(r.errors[2].pos.file, "clusters/a.toml");
  EXPECT_EQ(r.errors[3].pos.file, "clusters/b.toml");
  EXPECT_EQ(r.errors[3].message,
            "platform 'linux' has no component 'kernal'; did you mean "
            "'kernel'?");
  EXPECT_EQ(r.fleet.clusters.size(), 2u);
}

}  // namespace
}  // namespace harc
