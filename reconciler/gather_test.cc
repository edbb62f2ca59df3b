// Gather: the fact script against a real /bin/sh, gathering through
// FakeTransport, and through SshTransport against a real sshd.
#include "reconciler/gather.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "reconciler/ssh_transport.h"
#include "tests/sshd/test_sshd.h"

namespace harc {
namespace {

// A platform with three facts: a regex with a map, a whole output, a version.
Platform TestPlatform(const std::string& dir = "") {
  Platform p;
  p.name = "p";
  p.components = {"os"};
  FactSpec role{"role", dir.empty() ? "echo state: ACTIVE" : "cat " + dir + "/{member}.role",
                FactKind::kRegex, "state: (\\w+)", {{"ACTIVE", "active"}, {"STANDBY", "standby"}},
                std::nullopt, {}};
  FactSpec in_cluster{"in_cluster", "echo true", FactKind::kWhole, "", {}, std::nullopt, {}};
  FactSpec version{"version.os", "echo v1-{component}-{member}", FactKind::kWhole, "", {},
                   std::nullopt, {}};
  p.facts = {{"role", role}, {"in_cluster", in_cluster}, {"version.os", version}};
  return p;
}

Member MakeMember(const std::string& name, const std::string& host, int port = 0) {
  Member m;
  m.name = name;
  m.host = host;
  if (port) m.port = port;
  return m;
}

Fleet OneCluster(std::vector<Member> members, Platform p = TestPlatform()) {
  Fleet f;
  Cluster c;
  c.name = "fw";
  c.platform = "p";
  c.members = std::move(members);
  f.clusters.push_back(c);
  f.platforms["p"] = std::move(p);
  return f;
}

const ObservedMember& Find(const ObservedFleet& o, const std::string& cluster,
                           const std::string& member) {
  const ObservedMember* m = o.clusters.at(cluster).FindMember(member);
  EXPECT_NE(m, nullptr) << member;
  static const ObservedMember kNone;
  return m ? *m : kNone;
}

// Runs `script` with /bin/sh, stdout and stderr apart.
CommandResult RunSh(const std::string& script) {
  std::string dir = testing::MakeTempDir("harc-sh");
  std::ofstream(dir + "/s") << script;
  int rc = 0;
  testing::RunShell("{ sh " + dir + "/s >" + dir + "/out 2>" + dir + "/err; }", &rc);
  CommandResult r{rc, testing::ReadText(dir + "/out"), testing::ReadText(dir + "/err"), false};
  std::filesystem::remove_all(dir);
  return r;
}

const std::vector<FactCommand> kTricky = {
    {"a", "echo one"},
    {"b", "printf 'no newline'"},
    {"c", "echo oops >&2; exit 3"},  // exits the subshell only
    {"d", "cat; echo read-nothing"},  // stdin is empty
    {"e", "echo x # a trailing comment"},
    {"f", "printf '\\n\\n'"},
};

TEST(FactScriptTest, RoundTripsThroughARealShell) {
  CommandResult r = RunSh(BuildFactScript(kTricky, "0123abcd"));
  std::vector<FactOutput> out;
  std::string error;
  ASSERT_TRUE(ParseFactScriptOutput(r, "0123abcd", kTricky, &out, &error)) << error;
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].out, "one\n");
  EXPECT_EQ(out[1].out, "no newline");
  EXPECT_EQ(out[2].out, "");
  EXPECT_EQ(out[2].err, "oops\n");
  EXPECT_EQ(out[2].exit_status, 3);
  EXPECT_EQ(out[3].out, "read-nothing\n");
  EXPECT_EQ(out[4].out, "x\n");
  EXPECT_EQ(out[5].out, "\n\n");
  for (size_t i : {0, 1, 3, 4, 5}) EXPECT_EQ(out[i].exit_status, 0) << i;
  EXPECT_EQ(out[0].err, "");
}

TEST(FactScriptTest, FakeAnswerMatchesTheRealShell) {
  std::string script = BuildFactScript(kTricky, "feed");
  CommandResult fake = AnswerFactScript(script, [](const std::string& cmd) { return RunSh(cmd); });
  CommandResult real = RunSh(script);
  EXPECT_EQ(fake.out, real.out);
  EXPECT_EQ(fake.err, real.err);
}

TEST(FactScriptTest, MissingOrForgedDelimitersDoNotParse) {
  std::vector<FactOutput> out;
  std::string error;
  CommandResult r{0, "one\n\nharc-n a 0\n", "", false};
  EXPECT_FALSE(ParseFactScriptOutput(r, "n", {{"a", ""}, {"b", ""}}, &out, &error));
  EXPECT_EQ(error, "no end-of-output delimiter for fact 'b'");
  r = {0, "\nharc-n b 0\n", "", false};
  EXPECT_FALSE(ParseFactScriptOutput(r, "n", {{"a", ""}}, &out, &error));
  EXPECT_EQ(error, "malformed delimiter after fact 'a': 'b 0'");
  r = {127, "", "sh: 1: Syntax error\n", false};
  EXPECT_FALSE(ParseFactScriptOutput(r, "n", {{"a", ""}}, &out, &error));
  EXPECT_EQ(error, "no end-of-output delimiter for fact 'a' (the script exited 127: "
                   "'sh: 1: Syntax error')");
}

TEST(FactCommandsTest, RendersMemberAndComponentQuoted) {
  std::vector<FactCommand> cmds;
  std::string error;
  ASSERT_TRUE(FactCommandsFor(TestPlatform(), MakeMember("m1", "h"), &cmds, &error)) << error;
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[2].fact, "version.os");
  EXPECT_EQ(cmds[2].command, "echo v1-'os'-'m1'");
}

// ---------------------------------------------------------------- with the fake

// What `echo args` prints, for the fakes (quotes dropped).
std::string Echo(const std::string& cmd) {
  std::string out;
  for (char c : cmd.substr(5))
    if (c != '\'') out += c;
  return out + "\n";
}

// Answers fact scripts as a shell would, with per-member outputs.
void ScriptedFleet(FakeTransport* t, std::function<CommandResult(const Target&, const std::string&)> f) {
  t->SetHandler([f](const Target& target, const std::string& script, CommandResult* r) {
    *r = AnswerFactScript(script, [&](const std::string& cmd) { return f(target, cmd); });
    return TransportStatus::Ok();
  });
}

TEST(GatherTest, EachFailureIsReportedForItsMemberAlone) {
  Fleet fleet = OneCluster({MakeMember("m1", "10.0.0.1"), MakeMember("m2", "10.0.0.2"),
                            MakeMember("m3", "10.0.0.3"), MakeMember("m4", "10.0.0.4")});
  FakeTransport t;
  t.SetOpenFailure("fw/m2", TransportStatus::Fail(TransportError::kUnreachable,
                                                  "fw/m2 (admin@10.0.0.2:22): cannot connect"));
  ScriptedFleet(&t, [](const Target& target, const std::string& cmd) -> CommandResult {
    if (target.member == "fw/m3" && cmd.starts_with("echo state")) return {0, "garbage\n", "", false};
    if (target.member == "fw/m4" && cmd == "echo true") return {2, "", "no such thing\n", false};
    return {0, Echo(cmd), "", false};
  });
  ObservedFleet o = Gather(fleet, {}, t, {});
  const ObservedMember& m1 = Find(o, "fw", "m1");
  EXPECT_TRUE(m1.reachable) << m1.error;
  EXPECT_EQ(m1.facts, (std::map<std::string, std::string>{
                          {"role", "active"}, {"in_cluster", "true"}, {"version.os", "v1-os-m1"}}));
  const ObservedMember& m2 = Find(o, "fw", "m2");
  EXPECT_FALSE(m2.reachable);
  EXPECT_EQ(m2.error, "unreachable: fw/m2 (admin@10.0.0.2:22): cannot connect");
  EXPECT_TRUE(m2.facts.empty());
  const ObservedMember& m3 = Find(o, "fw", "m3");
  EXPECT_FALSE(m3.reachable);
  EXPECT_EQ(m3.error,
            "unparseable output: fact 'role': pattern did not match (output begins 'garbage')");
  EXPECT_TRUE(m3.facts.empty());
  const ObservedMember& m4 = Find(o, "fw", "m4");
  EXPECT_FALSE(m4.reachable);
  EXPECT_EQ(m4.error,
            "fact command failed: fact 'in_cluster': 'echo true' exited 2: 'no such thing'");
  // One session and one command per reachable member.
  EXPECT_EQ(t.CommandsOn("fw/m1").size(), 1u);
  EXPECT_TRUE(t.CommandsOn("fw/m2").empty());
}

TEST(GatherTest, OutputThatIsNotTheScriptsIsUnparseable) {
  Fleet fleet = OneCluster({MakeMember("m1", "10.0.0.1")});
  FakeTransport t;
  t.SetHandler([](const Target&, const std::string&, CommandResult* r) {
    *r = {0, "Welcome to the appliance shell\n", "", false};
    return TransportStatus::Ok();
  });
  ObservedFleet o = Gather(fleet, {}, t, {});
  const ObservedMember& m1 = Find(o, "fw", "m1");
  EXPECT_FALSE(m1.reachable);
  EXPECT_EQ(m1.error, "unparseable output: no end-of-output delimiter for fact 'in_cluster'");
}

TEST(GatherTest, TransportTimeoutAndTruncationAreReported) {
  Fleet fleet = OneCluster({MakeMember("m1", "h1"), MakeMember("m2", "h2")});
  FakeTransport t;
  t.SetHandler([](const Target& target, const std::string&, CommandResult* r) {
    if (target.member == "fw/m1")
      return TransportStatus::Fail(TransportError::kTimeout, "fw/m1 (h1): command did not finish");
    r->out = std::string(1000, 'x');
    r->exit_status = 0;
    return TransportStatus::Ok();
  });
  GatherOptions opt;
  opt.max_output_per_fact = 10;
  ObservedFleet o = Gather(fleet, {}, t, opt);
  EXPECT_EQ(Find(o, "fw", "m1").error, "timeout: fw/m1 (h1): command did not finish");
  EXPECT_EQ(Find(o, "fw", "m2").error,
            "output of the fact commands exceeded 10 bytes per fact");
}

TEST(GatherTest, ParallelBoundAndClusterFilter) {
  std::vector<Member> members;
  for (int i = 0; i < 20; ++i) members.push_back(MakeMember("m" + std::to_string(i), "h"));
  Fleet fleet = OneCluster(members);
  Cluster other = fleet.clusters[0];
  other.name = "zz";
  fleet.clusters.push_back(other);
  std::atomic<int> in_flight{0}, max_in_flight{0};
  FakeTransport t;
  ScriptedFleet(&t, [&](const Target&, const std::string& cmd) -> CommandResult {
    int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {}
    --in_flight;
    return {0, Echo(cmd), "", false};
  });
  GatherOptions opt;
  opt.parallel = 3;
  ObservedFleet o = Gather(fleet, {"fw"}, t, opt);
  EXPECT_EQ(o.clusters.count("zz"), 0u);
  ASSERT_EQ(o.clusters.at("fw").members.size(), 20u);
  for (const ObservedMember& m : o.clusters.at("fw").members) EXPECT_TRUE(m.reachable) << m.error;
  EXPECT_LE(max_in_flight.load(), 3);
  EXPECT_FALSE(o.gathered_at.empty());
}

// Records the deadlines it is handed; every member is unreachable.
class DeadlineRecorder : public Transport {
 public:
  TransportStatus Open(const Target&, const OpenOptions& o, std::unique_ptr<Session>*) override {
    std::lock_guard<std::mutex> lock(mu);
    opens.push_back(o);
    return TransportStatus::Fail(TransportError::kUnreachable, "recorded");
  }
  std::mutex mu;
  std::vector<OpenOptions> opens;
};

TEST(GatherTest, ConnectDeadlineIsTheEarliestOfConnectAndOverall) {
  Fleet fleet = OneCluster({MakeMember("m1", "h1")});
  fleet.config.ssh.connect_timeout_ms = 10'000;
  DeadlineRecorder t;
  auto now = std::chrono::steady_clock::now();
  GatherOptions opt;
  opt.accept_new_host_keys = true;
  Gather(fleet, {}, t, opt);  // harc.toml's connect timeout
  opt.overall_timeout_ms = 2'000;
  Gather(fleet, {}, t, opt);  // the overall deadline comes first
  opt.overall_timeout_ms = 0;
  opt.connect_timeout_ms = 500;
  Gather(fleet, {}, t, opt);  // an explicit connect timeout
  ASSERT_EQ(t.opens.size(), 3u);
  auto after = [&](const OpenOptions& o) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(o.deadline - now).count();
  };
  EXPECT_NEAR(after(t.opens[0]), 10'000, 1'000);
  EXPECT_NEAR(after(t.opens[1]), 2'000, 1'000);
  EXPECT_NEAR(after(t.opens[2]), 500, 400);
  EXPECT_TRUE(t.opens[0].accept_new_host_key);
}

// ---------------------------------------------------------------- real sshd

TEST(GatherSshTest, MixedFleetOverRealSsh) {
  if (access(testing::kSshdPath, X_OK) != 0) GTEST_SKIP() << "no sshd";
  testing::TestSshd sshd({"127.0.0.11", "127.0.0.12", "127.0.0.13"});
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  std::string dir = sshd.dir();
  std::ofstream(dir + "/m1.role") << "state: ACTIVE\n";
  std::ofstream(dir + "/m2.role") << "state: ON FIRE\n";
  std::ofstream(dir + "/m3.role") << "state: STANDBY\n";
  std::ofstream(dir + "/known_hosts") << sshd.KnownHostsLine("127.0.0.11")
                                      << sshd.KnownHostsLine("127.0.0.12")
                                      << sshd.KnownHostsLine("127.0.0.13");
  int closed = testing::FreePort();
  Fleet fleet = OneCluster({MakeMember("m1", "127.0.0.11"), MakeMember("m2", "127.0.0.12"),
                            MakeMember("m3", "127.0.0.13"), MakeMember("m4", "127.0.0.1", closed)},
                           TestPlatform(dir));
  SshTransportOptions so;
  so.defaults = {sshd.user(), sshd.port(), sshd.user_key()};
  so.known_hosts = {dir + "/known_hosts"};
  so.ssh_config = "";
  std::string error;
  auto t = SshTransport::Create(so, &error);
  ASSERT_NE(t, nullptr) << error;

  ObservedFleet o = Gather(fleet, {}, *t, {});
  const ObservedMember& m1 = Find(o, "fw", "m1");
  EXPECT_TRUE(m1.reachable) << m1.error;
  EXPECT_EQ(m1.facts.at("role"), "active");
  EXPECT_EQ(m1.facts.at("version.os"), "v1-os-m1");
  EXPECT_EQ(Find(o, "fw", "m2").error,
            "unparseable output: fact 'role': value 'ON' is not one of: ACTIVE, STANDBY");
  EXPECT_EQ(Find(o, "fw", "m3").facts.at("role"), "standby");
  const ObservedMember& m4 = Find(o, "fw", "m4");
  EXPECT_FALSE(m4.reachable);
  EXPECT_TRUE(m4.error.starts_with("unreachable: fw/m4 (" + sshd.user() + "@127.0.0.1:" +
                                   std::to_string(closed) + "): cannot connect"))
      << m4.error;
  // One command per member that answered: all its facts in one round trip.
  std::string log = sshd.log();
  size_t sessions = 0;
  for (size_t p = 0; (p = log.find("Starting session", p)) != std::string::npos; ++p) ++sessions;
  EXPECT_EQ(sessions, 3u) << log;
}

// Not a pass/fail benchmark: prints harc's own CPU and the wall time of a
// gather of 20 members on one loopback sshd.
TEST(GatherSshTest, TwentyMembersCpuAndWall) {
  if (access(testing::kSshdPath, X_OK) != 0) GTEST_SKIP() << "no sshd";
  std::vector<std::string> addrs;
  for (int i = 0; i < 10; ++i) addrs.push_back("127.0.1." + std::to_string(i + 1));
  testing::TestSshd a(addrs);
  ASSERT_TRUE(a.ok()) << a.error();
  std::string kh;
  std::vector<Member> members;
  for (int i = 0; i < 20; ++i) {
    std::string host = addrs[static_cast<size_t>(i) % addrs.size()];
    kh += a.KnownHostsLine(host);
    members.push_back(MakeMember("m" + std::to_string(i), host));
  }
  std::ofstream(a.dir() + "/known_hosts") << kh;
  Fleet fleet = OneCluster(members);
  SshTransportOptions so;
  so.defaults = {a.user(), a.port(), a.user_key()};
  so.known_hosts = {a.dir() + "/known_hosts"};
  so.ssh_config = "";
  std::string error;
  auto t = SshTransport::Create(so, &error);
  ASSERT_NE(t, nullptr) << error;

  rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  auto start = std::chrono::steady_clock::now();
  ObservedFleet o = Gather(fleet, {}, *t, {});
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  getrusage(RUSAGE_SELF, &after);
  auto us = [](const timeval& tv) { return tv.tv_sec * 1e6 + tv.tv_usec; };
  double cpu = (us(after.ru_utime) - us(before.ru_utime) + us(after.ru_stime) -
                us(before.ru_stime)) / 1e3;
  for (const ObservedMember& m : o.clusters.at("fw").members) EXPECT_TRUE(m.reachable) << m.error;
  std::cout << "gather of 20 members: wall " << wall * 1e3 << " ms, harc CPU " << cpu
            << " ms (" << cpu / 20 << " ms per member)\n";
}

}  // namespace
}  // namespace harc
