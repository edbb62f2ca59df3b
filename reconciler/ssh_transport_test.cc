// SshTransport against real OpenSSH sshd processes on loopback
// (tests/sshd/test_sshd.h): commands, limits, host keys, auth, unreachable
// addresses, ~/.ssh/config, ProxyJump through a bastion, IPv6.
#include "reconciler/ssh_transport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/sshd/test_sshd.h"

namespace harc {
namespace {

using std::chrono::milliseconds;
using testing::TestSshd;

Deadline In(int ms) { return std::chrono::steady_clock::now() + milliseconds(ms); }

class SshTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(testing::kSshdPath, X_OK) != 0) GTEST_SKIP() << "no " << testing::kSshdPath;
    dir_ = testing::MakeTempDir("harc-ssh-test");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // A transport whose defaults point at sshd: its port, user and key.
  std::unique_ptr<SshTransport> Make(const TestSshd& sshd, const std::string& known_hosts,
                                     const std::string& config = "") {
    SshTransportOptions o;
    o.defaults = {sshd.user(), sshd.port(), sshd.user_key()};
    o.known_hosts = {Write("known_hosts", known_hosts)};
    o.ssh_config = Write("ssh_config", config);
    std::string error;
    auto t = SshTransport::Create(o, &error);
    EXPECT_NE(t, nullptr) << error;
    return t;
  }

  static TransportStatus Open(Transport& t, const std::string& host, std::unique_ptr<Session>* s,
                              bool accept_new = false) {
    return t.Open({"fw/m1", host, 0, "", ""}, {In(10'000), accept_new}, s);
  }

  static CommandResult Run(Session& s, const std::string& cmd, size_t max = 1 << 20) {
    CommandResult r;
    TransportStatus st = s.Run(cmd, {In(10'000), max}, &r);
    EXPECT_TRUE(st.ok()) << st.message;
    return r;
  }

  std::string dir_;
};

TEST_F(SshTransportTest, RunsCommandsKeepingStdoutStderrAndExitStatus) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, sshd.KnownHostsLine("127.0.0.1"));
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "127.0.0.1", &s);
  ASSERT_TRUE(st.ok()) << st.message;

  CommandResult r = Run(*s, "echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_FALSE(r.truncated);
  // The same session runs the next command; the shell's startup files did not.
  r = Run(*s, "printf %s \"$HOME\"");
  EXPECT_EQ(r.out, sshd.dir() + "/home");
  EXPECT_EQ(r.exit_status, 0);
  // A command reading stdin gets end of input at once.
  EXPECT_EQ(Run(*s, "cat; echo done").out, "done\n");
}

TEST_F(SshTransportTest, OutputCapTruncatesEachStream) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, sshd.KnownHostsLine("127.0.0.1"));
  std::unique_ptr<Session> s;
  ASSERT_TRUE(Open(*t, "127.0.0.1", &s).ok());
  CommandResult r = Run(*s, "head -c 300000 /dev/zero | tr '\\0' x; echo e >&2", 1000);
  EXPECT_EQ(r.out, std::string(1000, 'x'));
  EXPECT_EQ(r.err, "e\n");
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.exit_status, 0);
}

TEST_F(SshTransportTest, CommandDeadlineIsATimeout) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, sshd.KnownHostsLine("127.0.0.1"));
  std::unique_ptr<Session> s;
  ASSERT_TRUE(Open(*t, "127.0.0.1", &s).ok());
  auto start = std::chrono::steady_clock::now();
  CommandResult r;
  TransportStatus st = s->Run("echo started; sleep 5", {In(300), 1 << 20}, &r);
  EXPECT_EQ(st.error, TransportError::kTimeout) << st.message;
  EXPECT_TRUE(st.retryable);
  EXPECT_NE(st.message.find("fw/m1"), std::string::npos) << st.message;
  EXPECT_EQ(r.out, "started\n");  // what arrived before the deadline
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
}

TEST_F(SshTransportTest, UnknownHostKeyIsRefusedWithItsFingerprintBeforeAuth) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, "");
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "127.0.0.1", &s);
  EXPECT_EQ(st.error, TransportError::kHostKeyUnknown);
  EXPECT_FALSE(st.retryable);
  EXPECT_EQ(s, nullptr);
  std::string fp = sshd.host_key_fingerprint();
  ASSERT_TRUE(fp.starts_with("SHA256:")) << fp;
  EXPECT_EQ(st.fingerprint, fp);
  std::string name = "[127.0.0.1]:" + std::to_string(sshd.port());
  EXPECT_EQ(st.message, "fw/m1 (" + sshd.user() + "@127.0.0.1:" + std::to_string(sshd.port()) +
                            "): host key for " + name + " is not known (ssh-ed25519 " + fp +
                            "); refusing to connect (pass --accept-new-host-keys to record it)");
  // Nothing was sent after the key exchange: no key offered, nothing run.
  EXPECT_EQ(sshd.log().find("Accepted"), std::string::npos) << sshd.log();
  EXPECT_EQ(sshd.log().find("Starting session"), std::string::npos);
  EXPECT_EQ(testing::ReadText(dir_ + "/known_hosts"), "");  // and nothing recorded
}

TEST_F(SshTransportTest, ChangedHostKeyIsRefusedAlways) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  ASSERT_TRUE(testing::KeyGen(dir_ + "/other"));
  std::istringstream other(testing::ReadText(dir_ + "/other.pub"));
  std::string type, blob;
  other >> type >> blob;
  std::string name = "[127.0.0.1]:" + std::to_string(sshd.port());
  auto t = Make(sshd, "# comment\n" + name + " " + type + " " + blob + "\n");
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "127.0.0.1", &s, /*accept_new=*/true);
  EXPECT_EQ(st.error, TransportError::kHostKeyChanged);
  EXPECT_FALSE(st.retryable);
  EXPECT_EQ(st.fingerprint, sshd.host_key_fingerprint());
  EXPECT_NE(st.message.find("HOST KEY CHANGED for " + name + ": it offered ssh-ed25519 " +
                            sshd.host_key_fingerprint() + " but " + dir_ + "/known_hosts:2"),
            std::string::npos)
      << st.message;
  EXPECT_EQ(sshd.log().find("Accepted"), std::string::npos);
}

TEST_F(SshTransportTest, AcceptNewRecordsTheKeyForNextRuns) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, "");
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "127.0.0.1", &s, /*accept_new=*/true);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(Run(*s, "echo hi").out, "hi\n");
  EXPECT_EQ(testing::ReadText(dir_ + "/known_hosts"), sshd.KnownHostsLine("127.0.0.1"));

  // A later run reads the recorded key and needs no opt-in.
  SshTransportOptions o;
  o.defaults = {sshd.user(), sshd.port(), sshd.user_key()};
  o.known_hosts = {dir_ + "/known_hosts"};
  o.ssh_config = "";
  std::string error;
  auto again = SshTransport::Create(o, &error);
  ASSERT_NE(again, nullptr) << error;
  st = Open(*again, "127.0.0.1", &s);
  EXPECT_TRUE(st.ok()) << st.message;
}

TEST_F(SshTransportTest, HashedKnownHostsEntryIsRecognised) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  Write("known_hosts", sshd.KnownHostsLine("127.0.0.1"));
  int rc = 0;
  testing::RunShell("ssh-keygen -H -f '" + dir_ + "/known_hosts'", &rc);
  ASSERT_EQ(rc, 0);
  std::string hashed = testing::ReadText(dir_ + "/known_hosts");
  ASSERT_TRUE(hashed.starts_with("|1|")) << hashed;
  auto t = Make(sshd, hashed);
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "127.0.0.1", &s);
  EXPECT_TRUE(st.ok()) << st.message;
}

TEST_F(SshTransportTest, WrongKeyIsAuthRefused) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  ASSERT_TRUE(testing::KeyGen(dir_ + "/stranger"));
  auto t = Make(sshd, sshd.KnownHostsLine("127.0.0.1"));
  std::unique_ptr<Session> s;
  TransportStatus st =
      t->Open({"fw/m1", "127.0.0.1", 0, "", dir_ + "/stranger"}, {In(10'000), false}, &s);
  EXPECT_EQ(st.error, TransportError::kAuthRefused) << st.message;
  EXPECT_FALSE(st.retryable);
  EXPECT_NE(st.message.find("user '" + sshd.user() + "' was refused with the key " + dir_ +
                            "/stranger"),
            std::string::npos)
      << st.message;
}

TEST_F(SshTransportTest, MissingIdentityFileIsAConfigError) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, sshd.KnownHostsLine("127.0.0.1"));
  std::unique_ptr<Session> s;
  TransportStatus st =
      t->Open({"fw/m1", "127.0.0.1", 0, "", dir_ + "/absent"}, {In(10'000), false}, &s);
  EXPECT_EQ(st.error, TransportError::kConfig) << st.message;
  EXPECT_NE(st.message.find("cannot read identity file " + dir_ + "/absent"), std::string::npos);
}

TEST_F(SshTransportTest, ClosedPortIsUnreachable) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, "");
  int closed = testing::FreePort();
  std::unique_ptr<Session> s;
  TransportStatus st = t->Open({"fw/m9", "127.0.0.1", closed, "", ""}, {In(5'000), false}, &s);
  EXPECT_EQ(st.error, TransportError::kUnreachable) << st.message;
  EXPECT_TRUE(st.retryable);
  EXPECT_NE(st.message.find("fw/m9 (" + sshd.user() + "@127.0.0.1:" + std::to_string(closed) +
                            "): cannot connect"),
            std::string::npos)
      << st.message;
}

TEST_F(SshTransportTest, SilentServerIsAConnectTimeout) {
  // A listening socket that completes TCP handshakes and never says a word.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  SshTransportOptions o;
  o.known_hosts = {Write("known_hosts", "")};
  o.ssh_config = "";
  std::string error;
  auto t = SshTransport::Create(o, &error);
  ASSERT_NE(t, nullptr) << error;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Session> s;
  TransportStatus st =
      t->Open({"fw/m1", "127.0.0.1", ntohs(a.sin_port), "", ""}, {In(300), false}, &s);
  EXPECT_EQ(st.error, TransportError::kTimeout) << st.message;
  EXPECT_TRUE(st.retryable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  close(fd);
}

TEST_F(SshTransportTest, Ipv6Loopback) {
  TestSshd sshd({"::1"});
  if (!sshd.ok()) GTEST_SKIP() << "no IPv6 loopback: " << sshd.error();
  auto t = Make(sshd, sshd.KnownHostsLine("::1"));
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "::1", &s);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(Run(*s, "echo v6").out, "v6\n");
  EXPECT_NE(sshd.log().find("Accepted publickey for " + sshd.user() + " from ::1"),
            std::string::npos);
}

TEST_F(SshTransportTest, SshConfigAliasGivesHostNamePortUserAndIdentity) {
  TestSshd sshd({"127.0.0.3"});
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  SshTransportOptions o;
  o.defaults = {"nobody-here", 1, ""};  // wrong on purpose: the config must win
  o.known_hosts = {Write("known_hosts", sshd.KnownHostsLine("127.0.0.3"))};
  o.ssh_config = Write("ssh_config", "Host member-*\n  HostName 127.0.0.3\n  Port " +
                                         std::to_string(sshd.port()) + "\n  User " +
                                         sshd.user() + "\n  IdentityFile " + sshd.user_key() +
                                         "\n");
  std::string error;
  auto t = SshTransport::Create(o, &error);
  ASSERT_NE(t, nullptr) << error;
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "member-one", &s);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(Run(*s, "echo aliased").out, "aliased\n");
}

TEST_F(SshTransportTest, ProxyCommandIsRefusedAsConfiguration) {
  TestSshd sshd;
  ASSERT_TRUE(sshd.ok()) << sshd.error();
  auto t = Make(sshd, "", "Host via-nc\n  ProxyCommand nc %h %p\n");
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "via-nc", &s);
  EXPECT_EQ(st.error, TransportError::kConfig);
  EXPECT_NE(st.message.find("ProxyCommand"), std::string::npos) << st.message;
}

// The member's sshd and the bastion's: the member is named by an alias whose
// ProxyJump goes through the bastion.
class ProxyJumpTest : public SshTransportTest {
 protected:
  std::string JumpConfig(const TestSshd& bastion, const TestSshd& member) {
    return "Host member\n  HostName 127.0.0.5\n  Port " + std::to_string(member.port()) +
           "\n  ProxyJump bastion\nHost bastion\n  HostName 127.0.0.4\n  Port " +
           std::to_string(bastion.port()) + "\n";
  }
};

TEST_F(ProxyJumpTest, ConnectsThroughTheBastion) {
  TestSshd member({"127.0.0.5"});
  ASSERT_TRUE(member.ok()) << member.error();
  TestSshd bastion({"127.0.0.4"}, "", member.user_key() + ".pub");
  ASSERT_TRUE(bastion.ok()) << bastion.error();
  auto t = Make(member, member.KnownHostsLine("127.0.0.5") + bastion.KnownHostsLine("127.0.0.4"),
                JumpConfig(bastion, member));
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "member", &s);
  ASSERT_TRUE(st.ok()) << st.message;
  EXPECT_EQ(Run(*s, "echo jumped").out, "jumped\n");
  EXPECT_EQ(Run(*s, "echo twice").out, "twice\n");
  // The bastion authenticated us and ran no command: it only forwarded.
  EXPECT_NE(bastion.log().find("Accepted publickey for " + member.user()), std::string::npos);
  EXPECT_EQ(bastion.log().find("Starting session"), std::string::npos);
  EXPECT_NE(member.log().find("Starting session"), std::string::npos);
}

TEST_F(ProxyJumpTest, BastionThatForbidsForwardingStopsTheConnection) {
  TestSshd member({"127.0.0.5"});
  ASSERT_TRUE(member.ok()) << member.error();
  TestSshd bastion({"127.0.0.4"}, "PermitOpen none", member.user_key() + ".pub");
  ASSERT_TRUE(bastion.ok()) << bastion.error();
  auto t = Make(member, member.KnownHostsLine("127.0.0.5") + bastion.KnownHostsLine("127.0.0.4"),
                JumpConfig(bastion, member));
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "member", &s);
  EXPECT_EQ(st.error, TransportError::kUnreachable);
  EXPECT_NE(st.message.find("the bastion could not connect to 127.0.0.5:" +
                            std::to_string(member.port()) + ": "),
            std::string::npos)
      << st.message;
  EXPECT_EQ(member.log().find("Accepted"), std::string::npos);  // never reached the member
}

TEST_F(ProxyJumpTest, UnknownBastionKeyIsRefusedNamingTheBastion) {
  TestSshd member({"127.0.0.5"});
  ASSERT_TRUE(member.ok()) << member.error();
  TestSshd bastion({"127.0.0.4"}, "", member.user_key() + ".pub");
  ASSERT_TRUE(bastion.ok()) << bastion.error();
  auto t = Make(member, member.KnownHostsLine("127.0.0.5"), JumpConfig(bastion, member));
  std::unique_ptr<Session> s;
  TransportStatus st = Open(*t, "member", &s);
  EXPECT_EQ(st.error, TransportError::kHostKeyUnknown);
  EXPECT_EQ(st.fingerprint, bastion.host_key_fingerprint());
  EXPECT_NE(st.message.find(": bastion: host key for [127.0.0.4]:"), std::string::npos)
      << st.message;
}

}  // namespace
}  // namespace harc
