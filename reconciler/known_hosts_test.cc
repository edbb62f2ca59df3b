// KnownHosts: OpenSSH's known_hosts format, parsed from text.
#include "reconciler/known_hosts.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace harc {
namespace {

using V = KnownHosts::Verdict;

const HostKey kKey{"ssh-ed25519",
                   "AAAAC3NzaC1lZDI1NTE5AAAAIOY+74WIS8CyZ2B92h8S/L5z2fgxiA7XHSSNLRbyBJ49"};
const HostKey kOther{"ssh-ed25519",
                     "AAAAC3NzaC1lZDI1NTE5AAAAIBq6Hm1Kd8kN3bOBbDJ1eC2NFx0rcgE4lG7aY2XyQp1Z"};

std::string Line(const std::string& names, const HostKey& k) {
  return names + " " + k.type + " " + k.base64 + "\n";
}

TEST(KnownHostsTest, EntryNameBracketsNonStandardPorts) {
  EXPECT_EQ(KnownHosts::EntryName("Host.Example", 22), "host.example");
  EXPECT_EQ(KnownHosts::EntryName("10.0.0.1", 2222), "[10.0.0.1]:2222");
  EXPECT_EQ(KnownHosts::EntryName("::1", 2222), "[::1]:2222");
}

TEST(KnownHostsTest, PlainNamesAndPorts) {
  KnownHosts kh;
  kh.AddText(Line("a.example,10.0.0.1", kKey) + Line("[10.0.0.2]:2222", kKey), "kh");
  EXPECT_EQ(kh.Verify("a.example", 22, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("A.EXAMPLE", 22, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("10.0.0.1", 22, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("10.0.0.1", 2222, kKey).verdict, V::kUnknown);  // other port
  EXPECT_EQ(kh.Verify("10.0.0.2", 2222, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("10.0.0.2", 22, kKey).verdict, V::kUnknown);
}

TEST(KnownHostsTest, ChangedKeyNamesTheLineThatDisagrees) {
  KnownHosts kh;
  kh.AddText("# comment\n\n" + Line("a.example", kOther), "/home/u/.ssh/known_hosts");
  KnownHosts::Check c = kh.Verify("a.example", 22, kKey);
  EXPECT_EQ(c.verdict, V::kChanged);
  EXPECT_EQ(c.where, "/home/u/.ssh/known_hosts:3");
}

TEST(KnownHostsTest, AnyMatchingLineWithTheKeyMakesItKnown) {
  KnownHosts kh;
  kh.AddText(Line("a.example", kOther) + Line("*.example", kKey), "kh");
  EXPECT_EQ(kh.Verify("a.example", 22, kKey).verdict, V::kKnown);
}

TEST(KnownHostsTest, HashedNamesAsSshKeygenWritesThem) {
  // ssh-keygen -H of "[10.0.0.1]:2222 ssh-ed25519 ...".
  KnownHosts kh;
  kh.AddText(Line("|1|Go5+GgbLZ6G9dWcuARoX/Cg6soU=|GQNrs5qU13gpjQuuGkps4SOwLnI=", kKey), "kh");
  EXPECT_EQ(kh.Verify("10.0.0.1", 2222, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("10.0.0.1", 2222, kOther).verdict, V::kChanged);
  EXPECT_EQ(kh.Verify("10.0.0.1", 22, kKey).verdict, V::kUnknown);
  EXPECT_EQ(kh.KeyTypes("10.0.0.1", 2222), std::vector<std::string>{"ssh-ed25519"});
}

TEST(KnownHostsTest, WildcardsAndNegation) {
  KnownHosts kh;
  kh.AddText(Line("*.lab,!bad.lab", kKey) + Line("10.1.?.1", kKey), "kh");
  EXPECT_EQ(kh.Verify("fw1.lab", 22, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("bad.lab", 22, kKey).verdict, V::kUnknown);
  EXPECT_EQ(kh.Verify("10.1.5.1", 22, kKey).verdict, V::kKnown);
  EXPECT_EQ(kh.Verify("10.1.55.1", 22, kKey).verdict, V::kUnknown);
}

TEST(KnownHostsTest, RevokedKeyAndSkippedLines) {
  KnownHosts kh;
  kh.AddText("@revoked * " + kKey.type + " " + kKey.base64 + "\n" +
                 "@cert-authority *.lab " + kOther.type + " " + kOther.base64 + "\n" +
                 "garbage\n" + Line("a.lab", kKey),
             "kh");
  KnownHosts::Check c = kh.Verify("a.lab", 22, kKey);
  EXPECT_EQ(c.verdict, V::kRevoked);
  EXPECT_EQ(c.where, "kh:1");
  EXPECT_EQ(kh.Verify("b.lab", 22, kOther).verdict, V::kUnknown);  // CA lines are no host keys
  EXPECT_EQ(kh.size(), 2u);
}

TEST(KnownHostsTest, KeyTypesInFileOrderOnce) {
  KnownHosts kh;
  kh.AddText(Line("h", {"ecdsa-sha2-nistp256", "AAAA"}) + Line("h", kKey) +
                 Line("h", {"ecdsa-sha2-nistp256", "BBBB"}),
             "kh");
  EXPECT_EQ(kh.KeyTypes("h", 22),
            (std::vector<std::string>{"ecdsa-sha2-nistp256", "ssh-ed25519"}));
  EXPECT_TRUE(kh.KeyTypes("other", 22).empty());
}

TEST(KnownHostsTest, AddAppendsToTheFileAndRemembers) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "harc-kh-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string path = tmpl + "/sub/known_hosts";
  KnownHosts kh;
  std::string error;
  ASSERT_TRUE(kh.Load({path}, &error)) << error;  // missing: empty
  ASSERT_TRUE(kh.Add("10.0.0.9", 2200, kKey, &error)) << error;
  ASSERT_TRUE(kh.Add("10.0.0.9", 2200, kKey, &error)) << error;  // recorded once
  EXPECT_EQ(kh.Verify("10.0.0.9", 2200, kKey).verdict, V::kKnown);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), Line("[10.0.0.9]:2200", kKey));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  KnownHosts again;  // a later run reads it back
  ASSERT_TRUE(again.Load({path}, &error));
  EXPECT_EQ(again.Verify("10.0.0.9", 2200, kKey).verdict, V::kKnown);
  std::filesystem::remove_all(tmpl);
}

TEST(WildcardMatchTest, StarAndQuestionMark) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("a*c", "abbbc"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_TRUE(WildcardMatch("*.*.lab", "x.y.lab"));
  EXPECT_FALSE(WildcardMatch("*.lab", "lab"));
}

}  // namespace
}  // namespace harc
