// SshConfigFile and ResolveRoute: the subset of ~/.ssh/config harc honours.
#include "reconciler/ssh_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace harc {
namespace {

SshConfigFile Parse(const std::string& text) {
  SshConfigFile c;
  std::string error;
  EXPECT_TRUE(c.Parse(text, "config", &error)) << error;
  return c;
}

SshRoute Resolve(const SshConfigFile& c, Target t, SshDefaults d = {"admin", 22, ""}) {
  SshRoute r;
  std::string error;
  EXPECT_TRUE(ResolveRoute(c, t, d, &r, &error)) << error;
  return r;
}

TEST(SshConfigTest, FirstObtainedValueWins) {
  SshConfigFile c = Parse(
      "Host fw1\n  HostName 10.0.0.1\n  Port 2222\n"
      "Host fw*\n  User ops\n  Port 22\n  HostName ignored\n"
      "Host *\n  User nobody\n  IdentityFile ~/.ssh/fleet\n");
  SshHostConfig h = c.Lookup("fw1");
  EXPECT_EQ(h.hostname, "10.0.0.1");
  EXPECT_EQ(h.port, 2222);
  EXPECT_EQ(h.user, "ops");
  EXPECT_EQ(h.identity_file, "~/.ssh/fleet");
  EXPECT_EQ(c.Lookup("other").user, "nobody");
}

TEST(SshConfigTest, PatternsNegationEqualsSignsAndCase) {
  SshConfigFile c = Parse(
      "# comment\nhost *.lab !bad.lab\n  USER=labuser\n"
      "Match host \"db?.lab,cache.lab\"\n  Port 2200\n"
      "Match exec \"true\"\n  Port 1\n"
      "Match all\n  HostName %h.example\n");
  EXPECT_EQ(c.Lookup("fw.lab").user, "labuser");
  EXPECT_EQ(c.Lookup("bad.lab").user, "");
  EXPECT_EQ(c.Lookup("FW.LAB").user, "labuser");
  EXPECT_EQ(c.Lookup("db1.lab").port, 2200);
  EXPECT_EQ(c.Lookup("cache.lab").port, 2200);
  EXPECT_EQ(c.Lookup("web.lab").port, 0);  // Match exec is never evaluated
  EXPECT_EQ(Resolve(c, {"m", "fw1", 0, "", ""}).target.host, "fw1.example");
}

TEST(SshConfigTest, BadPortIsAnErrorWithItsLine) {
  SshConfigFile c;
  std::string error;
  EXPECT_FALSE(c.Parse("Host a\n  Port 70000\n", "/home/u/.ssh/config", &error));
  EXPECT_EQ(error, "/home/u/.ssh/config:2: bad Port '70000' (1 to 65535)");
}

TEST(SshConfigTest, IncludeWithGlobRelativeToItsDirectory) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "harc-sshcfg-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::filesystem::create_directories(tmpl + "/config.d");
  std::ofstream(tmpl + "/config") << "Include config.d/*.conf\nHost *\n  User fallback\n";
  std::ofstream(tmpl + "/config.d/a.conf") << "Host fw1\n  User fromA\n";
  std::ofstream(tmpl + "/config.d/b.conf") << "Host fw2\n  User fromB\n";
  SshConfigFile c;
  std::string error;
  ASSERT_TRUE(c.Load(tmpl + "/config", &error)) << error;
  EXPECT_EQ(c.Lookup("fw1").user, "fromA");
  EXPECT_EQ(c.Lookup("fw2").user, "fromB");
  EXPECT_EQ(c.Lookup("fw3").user, "fallback");
  std::filesystem::remove_all(tmpl);
}

TEST(SshConfigTest, MissingFileIsEmpty) {
  SshConfigFile c;
  std::string error;
  EXPECT_TRUE(c.Load("/nonexistent/harc/config", &error));
  EXPECT_EQ(c.Lookup("x").hostname, "");
}

TEST(ResolveRouteTest, MemberSettingsThenConfigThenDefaults) {
  SshConfigFile c = Parse("Host fw1\n  User cfguser\n  Port 2000\n");
  SshDefaults d{"admin", 22, "~/.ssh/fleet_key"};
  setenv("HOME", "/home/op", 1);
  SshRoute r = Resolve(c, {"m", "fw1", 0, "", ""}, d);
  EXPECT_EQ(r.target.user, "cfguser");
  EXPECT_EQ(r.target.port, 2000);
  EXPECT_EQ(r.target.identity, "/home/op/.ssh/fleet_key");
  EXPECT_FALSE(r.jump);
  r = Resolve(c, {"m", "fw1", 2222, "member-user", ""}, d);
  EXPECT_EQ(r.target.user, "member-user");
  EXPECT_EQ(r.target.port, 2222);
  r = Resolve(c, {"m", "fw9", 0, "", ""}, d);
  EXPECT_EQ(r.target.user, "admin");
  EXPECT_EQ(r.target.port, 22);
}

TEST(ResolveRouteTest, IdentityFileTokens) {
  setenv("HOME", "/home/op", 1);
  SshConfigFile c = Parse("Host *\n  IdentityFile %d/keys/%r@%h:%p%%\n");
  SshRoute r = Resolve(c, {"m", "10.0.0.1", 0, "", ""});
  EXPECT_EQ(r.target.identity, "/home/op/keys/admin@10.0.0.1:22%");
}

TEST(ResolveRouteTest, ProxyJumpThroughOneBastion) {
  SshConfigFile c = Parse(
      "Host fw*\n  ProxyJump jumper@bastion:2200\n"
      "Host bastion\n  HostName 192.0.2.1\n  IdentityFile /keys/bastion\n");
  SshRoute r = Resolve(c, {"m", "fw1", 0, "", ""});
  ASSERT_TRUE(r.jump);
  EXPECT_EQ(r.jump->alias, "bastion");
  EXPECT_EQ(r.jump->host, "192.0.2.1");
  EXPECT_EQ(r.jump->port, 2200);
  EXPECT_EQ(r.jump->user, "jumper");
  EXPECT_EQ(r.jump->identity, "/keys/bastion");
  EXPECT_EQ(r.target.host, "fw1");
  EXPECT_FALSE(Resolve(Parse("Host *\n  ProxyJump none\n"), {"m", "x", 0, "", ""}).jump);
}

TEST(ResolveRouteTest, UnsupportedRoutesAreErrors) {
  SshRoute r;
  std::string error;
  SshConfigFile two = Parse("Host fw\n  ProxyJump a,b\n");
  EXPECT_FALSE(ResolveRoute(two, {"m", "fw", 0, "", ""}, {}, &r, &error));
  EXPECT_EQ(error, "host 'fw': ProxyJump 'a,b' has more than one hop; harc jumps through one bastion");
  SshConfigFile chained = Parse("Host fw\n  ProxyJump b1\nHost b1\n  ProxyJump b2\n");
  EXPECT_FALSE(ResolveRoute(chained, {"m", "fw", 0, "", ""}, {}, &r, &error));
  EXPECT_EQ(error, "host 'fw': bastion 'b1' itself has a ProxyJump; harc jumps through one bastion");
  SshConfigFile cmd = Parse("Host fw\n  ProxyCommand nc %h %p\n");
  EXPECT_FALSE(ResolveRoute(cmd, {"m", "fw", 0, "", ""}, {}, &r, &error));
  EXPECT_EQ(error, "~/.ssh/config sets ProxyCommand for 'fw'; harc does not run proxy commands "
                   "(use ProxyJump)");
}

TEST(ParseJumpSpecTest, UserHostPortAndIpv6) {
  std::string user, host, error;
  int port = 0;
  ASSERT_TRUE(ParseJumpSpec("ops@[::1]:2222", &user, &host, &port, &error));
  EXPECT_EQ(user, "ops");
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 2222);
  user.clear();
  ASSERT_TRUE(ParseJumpSpec("ssh://b.example", &user, &host, &port, &error));
  EXPECT_EQ(user, "");
  EXPECT_EQ(host, "b.example");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseJumpSpec("fe80::1", &user, &host, &port, &error));
  EXPECT_EQ(host, "fe80::1");
  EXPECT_FALSE(ParseJumpSpec("b:99999", &user, &host, &port, &error));
  EXPECT_EQ(error, "bad ProxyJump 'b:99999'");
}

}  // namespace
}  // namespace harc
