// GitMirror against real repositories made by the git CLI: fetched from a
// path, a file:// URL and an ssh:// URL served by a private OpenSSH sshd on
// loopback, whose host key must be in known_hosts.
#include "reconciler/git_mirror.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/sshd/test_sshd.h"

namespace harc {
namespace {

namespace fs = std::filesystem;
using testing::RunShell;

GitRemote Local(const std::string& url) {
  GitRemote r;
  r.url = url;
  return r;
}

class GitMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("harc-mirror");
    ASSERT_FALSE(dir_.empty());
    origin_ = dir_ + "/origin";
    Git("init -q " + origin_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // git in the origin repository; its output without the trailing newline.
  std::string Git(const std::string& args) {
    int rc = 0;
    std::string out = RunShell("git -C '" + dir_ + "' -c user.name=Alice -c user.email=alice@example.net "
                               "-c init.defaultBranch=main -c commit.gpgsign=false " +
                                   (args.starts_with("init") ? args : "-C origin " + args),
                               &rc);
    EXPECT_EQ(rc, 0) << args << ": " << out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  std::string Commit(const std::string& message) {
    Git("commit -q --allow-empty -m '" + message + "'");
    return Git("rev-parse HEAD");
  }
  std::unique_ptr<GitMirror> Open(const GitRemote& remote) {
    std::unique_ptr<GitMirror> m;
    std::string error;
    EXPECT_TRUE(GitMirror::Open(remote, dir_ + "/cache", &m, &error)) << error;
    return m;
  }

  std::string dir_;
  std::string origin_;
};

TEST_F(GitMirrorTest, FetchesEachNewHeadFromAPath) {
  std::string first = Commit("first");
  std::unique_ptr<GitMirror> m = Open(Local(origin_));
  ASSERT_TRUE(m);
  std::string head, error;
  ASSERT_TRUE(m->Fetch("main", &head, &error)) << error;
  EXPECT_EQ(head, first);
  std::string second = Commit("second: bump\n\nwith a body");
  ASSERT_TRUE(m->Fetch("main", &head, &error)) << error;
  EXPECT_EQ(head, second);
  CommitInfo info;
  ASSERT_TRUE(m->ReadCommit(second, &info, &error)) << error;
  EXPECT_EQ(info.subject, "second: bump");
  EXPECT_EQ(info.author, "Alice <alice@example.net>");
  EXPECT_EQ(info.committed_ms / 1000, std::stoll(Git("log -1 --format=%ct")));
  EXPECT_EQ(info.signature, "");
  // A branch rewritten by force is followed too.
  Git("reset -q --hard " + first);
  ASSERT_TRUE(m->Fetch("main", &head, &error)) << error;
  EXPECT_EQ(head, first);
}

TEST_F(GitMirrorTest, TheCloneIsPrivateAndReopened) {
  Commit("first");
  std::string dir = MirrorDir(dir_ + "/cache", origin_);
  EXPECT_TRUE(dir.starts_with(dir_ + "/cache/repos/origin-")) << dir;
  {
    std::unique_ptr<GitMirror> m = Open(Local(origin_));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->dir(), dir);
  }
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ::chmod(dir.c_str(), 0755);
  std::unique_ptr<GitMirror> again = Open(Local(origin_));
  ASSERT_TRUE(again);
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::string head, error;
  EXPECT_TRUE(again->Fetch("main", &head, &error)) << error;
}

TEST_F(GitMirrorTest, FileUrl) {
  std::string first = Commit("first");
  std::unique_ptr<GitMirror> m = Open(Local("file://" + origin_));
  ASSERT_TRUE(m);
  std::string head, error;
  ASSERT_TRUE(m->Fetch("main", &head, &error)) << error;
  EXPECT_EQ(head, first);
}

TEST_F(GitMirrorTest, MissingAndInvalidBranchesAreNamed) {
  Commit("first");
  std::unique_ptr<GitMirror> m = Open(Local(origin_));
  ASSERT_TRUE(m);
  std::string head, error;
  EXPECT_FALSE(m->Fetch("release", &head, &error));
  EXPECT_EQ(error, "branch 'release' not found in " + origin_);
  EXPECT_FALSE(m->Fetch("a..b", &head, &error));
  EXPECT_EQ(error, "invalid branch name 'a..b'");
}

TEST_F(GitMirrorTest, UnsupportedUrlsAreRefused) {
  std::unique_ptr<GitMirror> m;
  std::string error;
  EXPECT_FALSE(GitMirror::Open(Local("https://git.example/fleet.git"), dir_ + "/cache", &m, &error));
  EXPECT_EQ(error, "unsupported repository URL https://git.example/fleet.git (use a path, "
                   "file://, ssh:// or host:path)");
  EXPECT_FALSE(GitMirror::Open(Local("ssh://h:99999/x"), dir_ + "/cache", &m, &error));
  EXPECT_EQ(error, "invalid port '99999' in ssh://h:99999/x");
}

TEST(IsLocalPath, TellsPathsFromUrls) {
  EXPECT_TRUE(IsLocalPath("/srv/fleet"));
  EXPECT_TRUE(IsLocalPath("fleet"));
  EXPECT_TRUE(IsLocalPath("./a:b"));
  EXPECT_FALSE(IsLocalPath("file:///srv/fleet"));
  EXPECT_FALSE(IsLocalPath("ssh://git@host/fleet"));
  EXPECT_FALSE(IsLocalPath("git@host:fleet.git"));
}

// ------------------------------------------------------------- over SSH

class GitMirrorSshTest : public GitMirrorTest {
 protected:
  void SetUp() override {
    GitMirrorTest::SetUp();
    ASSERT_TRUE(sshd_.ok()) << sshd_.error();
    known_hosts_ = dir_ + "/known_hosts";
    url_ = "ssh://" + sshd_.user() + "@127.0.0.1:" + std::to_string(sshd_.port()) + origin_;
  }
  GitRemote Remote() const { return {url_, sshd_.user_key(), known_hosts_}; }

  testing::TestSshd sshd_{{"127.0.0.1"}};
  std::string known_hosts_;
  std::string url_;
};

TEST_F(GitMirrorSshTest, FetchesFromAKnownHost) {
  std::string first = Commit("first");
  std::ofstream(known_hosts_) << sshd_.KnownHostsLine("127.0.0.1");
  std::unique_ptr<GitMirror> m = Open(Remote());
  ASSERT_TRUE(m);
  std::string head, error;
  ASSERT_TRUE(m->Fetch("main", &head, &error)) << error << "\n" << sshd_.log();
  EXPECT_EQ(head, first);
}

TEST_F(GitMirrorSshTest, AnUnknownHostKeyIsRefusedWithItsFingerprint) {
  Commit("first");
  std::ofstream(known_hosts_) << "";
  std::unique_ptr<GitMirror> m = Open(Remote());
  ASSERT_TRUE(m);
  std::string head, error;
  EXPECT_FALSE(m->Fetch("main", &head, &error));
  std::string name = "[127.0.0.1]:" + std::to_string(sshd_.port());
  EXPECT_EQ(error, "cannot fetch main from " + url_ + ": host key of git server " + name +
                       " is not known (ssh-ed25519 " + sshd_.host_key_fingerprint() +
                       "); refusing to fetch (add it to " + known_hosts_ + ")");
  EXPECT_EQ(sshd_.log().find("Accepted publickey"), std::string::npos) << "authenticated anyway";
}

TEST_F(GitMirrorSshTest, AChangedHostKeyIsRefused) {
  Commit("first");
  ASSERT_TRUE(testing::KeyGen(dir_ + "/other"));
  std::istringstream other(testing::ReadText(dir_ + "/other.pub"));
  std::string type, blob;
  other >> type >> blob;
  std::ofstream(known_hosts_) << "[127.0.0.1]:" << sshd_.port() << " " << type << " " << blob
                              << "\n";
  std::unique_ptr<GitMirror> m = Open(Remote());
  ASSERT_TRUE(m);
  std::string head, error;
  EXPECT_FALSE(m->Fetch("main", &head, &error));
  EXPECT_NE(error.find("HOST KEY CHANGED for git server [127.0.0.1]:"), std::string::npos)
      << error;
  EXPECT_NE(error.find(known_hosts_ + ":1 records a different key"), std::string::npos) << error;
}

TEST_F(GitMirrorSshTest, AKeyTheServerRefusesIsNamed) {
  Commit("first");
  std::ofstream(known_hosts_) << sshd_.KnownHostsLine("127.0.0.1");
  ASSERT_TRUE(testing::KeyGen(dir_ + "/stranger"));
  std::unique_ptr<GitMirror> m = Open({url_, dir_ + "/stranger", known_hosts_});
  ASSERT_TRUE(m);
  std::string head, error;
  EXPECT_FALSE(m->Fetch("main", &head, &error));
  EXPECT_EQ(error, "cannot fetch main from " + url_ + ": authentication as " + sshd_.user() +
                       " refused by 127.0.0.1 (" + dir_ + "/stranger)");
}

}  // namespace
}  // namespace harc
