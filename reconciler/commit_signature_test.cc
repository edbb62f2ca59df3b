// Commit signatures made by the git CLI with keys generated here: SSH keys
// (ssh-keygen, gpg.format ssh) checked against an allowed_signers file, and
// OpenPGP keys (gpg, in a private GNUPGHOME) checked against a keyring.
#include "reconciler/commit_signature.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/sshd/test_sshd.h"

namespace harc {
namespace {

namespace fs = std::filesystem;
using testing::RunShell;

class CommitSignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("harc-sign");
    ASSERT_FALSE(dir_.empty());
    Shell("git init -q -b main " + dir_ + "/origin");
    for (const char* key : {"alice", "mallory"})
      Shell("ssh-keygen -q -t ed25519 -N '' -C " + std::string(key) + " -f " + dir_ + "/" + key);
    allowed_ = dir_ + "/allowed_signers";
    std::ofstream(allowed_) << "alice@example.net namespaces=\"git\" "
                            << testing::ReadText(dir_ + "/alice.pub");
    std::string error;
    ASSERT_TRUE(GitMirror::Open({dir_ + "/origin", "", ""}, dir_ + "/cache", &mirror_, &error))
        << error;
  }
  void TearDown() override {
    if (!gnupg_.empty()) Shell("gpgconf --homedir " + gnupg_ + " --kill all");
    fs::remove_all(dir_);
  }

  std::string Shell(const std::string& cmd) {
    int rc = 0;
    std::string out = RunShell(cmd, &rc);
    EXPECT_EQ(rc, 0) << cmd << ": " << out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  // A new commit on main, with `config` (-c ...) for git; its metadata as
  // the mirror reads it.
  CommitInfo Commit(const std::string& config) {
    Shell("git -C " + dir_ + "/origin -c user.name=Alice -c user.email=alice@example.net " +
          config + " commit -q --allow-empty -m change");
    return Fetched();
  }
  CommitInfo Fetched() {
    std::string head, error;
    CommitInfo info;
    EXPECT_TRUE(mirror_->Fetch("main", &head, &error)) << error;
    EXPECT_TRUE(mirror_->ReadCommit(head, &info, &error)) << error;
    return info;
  }
  std::string SshSigned(const std::string& key) {
    return "-c gpg.format=ssh -c user.signingkey=" + dir_ + "/" + key + " -c commit.gpgsign=true";
  }
  std::string PgpSigned(const std::string& key) {
    return "-c gpg.format=openpgp -c user.signingkey=" + key + " -c commit.gpgsign=true";
  }
  // Verifies; "ok: <signer>" or "refused: <reason>".
  std::string Verify(const SignaturePolicy& policy, const CommitInfo& c) {
    std::string signer, reason;
    return VerifyCommitSignature(policy, c, &signer, &reason) ? "ok: " + signer
                                                                 : "refused: " + reason;
  }
  // "SHA256:..." of a key made in SetUp.
  std::string Fingerprint(const std::string& key) {
    std::string line = Shell("ssh-keygen -l -f " + dir_ + "/" + key + ".pub");
    return line.substr(line.find(' ') + 1, line.find(' ', line.find(' ') + 1) - line.find(' ') - 1);
  }

  std::string dir_;
  std::string allowed_;
  std::string gnupg_;
  std::unique_ptr<GitMirror> mirror_;
};

TEST_F(CommitSignatureTest, SshSignedByAnAllowedSigner) {
  CommitInfo c = Commit(SshSigned("alice"));
  EXPECT_TRUE(c.signature.starts_with("-----BEGIN SSH SIGNATURE-----")) << c.signature;
  EXPECT_EQ(Verify({allowed_, ""}, c),
            "ok: alice@example.net (ED25519 key " + Fingerprint("alice") + ")");
}

TEST_F(CommitSignatureTest, UnsignedIsRefused) {
  CommitInfo c = Commit("-c commit.gpgsign=false");
  EXPECT_EQ(Verify({allowed_, ""}, c), "refused: the commit is not signed");
}

TEST_F(CommitSignatureTest, AnUnknownSignerIsRefusedWithItsKey) {
  CommitInfo c = Commit(SshSigned("mallory"));
  EXPECT_EQ(Verify({allowed_, ""}, c), "refused: signed by a key that is not in " + allowed_ +
                                           " (ED25519 key " + Fingerprint("mallory") + ")");
}

// The commit as signed, with its message changed afterwards: the same
// signature over other data.
TEST_F(CommitSignatureTest, AChangedCommitDoesNotVerify) {
  CommitInfo c = Commit(SshSigned("alice"));
  c.signed_data += "and a line added later\n";
  std::string result = Verify({allowed_, ""}, c);
  EXPECT_TRUE(result.starts_with("refused: the SSH signature of alice@example.net does not "
                                 "verify: "))
      << result;
}

TEST_F(CommitSignatureTest, ASignatureOfAKindNotAskedForIsRefused) {
  CommitInfo c = Commit(SshSigned("alice"));
  EXPECT_EQ(Verify({"", dir_ + "/keyring.gpg"}, c),
            "refused: the commit has an SSH signature and no --allowed-signers accepts one");
}

TEST_F(CommitSignatureTest, OpenPgp) {
  gnupg_ = dir_ + "/gnupg";
  fs::create_directories(gnupg_);
  fs::permissions(gnupg_, fs::perms::owner_all);
  std::string gpg = "GNUPGHOME=" + gnupg_ + " gpg --batch --passphrase '' ";
  Shell(gpg + "--quick-gen-key 'Bob <bob@example.net>' ed25519 sign never");
  Shell(gpg + "--quick-gen-key 'Eve <eve@example.net>' ed25519 sign never");
  std::string bob = Shell(gpg + "--with-colons --list-keys bob@example.net | "
                                "awk -F: '/^fpr/ { print $10; exit }'");
  Shell(gpg + "--export bob@example.net > " + dir_ + "/keyring.gpg");
  ::setenv("GNUPGHOME", gnupg_.c_str(), 1);
  CommitInfo by_bob = Commit(PgpSigned("bob@example.net"));
  CommitInfo by_eve = Commit(PgpSigned("eve@example.net"));
  ::unsetenv("GNUPGHOME");
  SignaturePolicy policy{"", dir_ + "/keyring.gpg"};
  EXPECT_EQ(Verify(policy, by_bob), "ok: Bob <bob@example.net> (OpenPGP " + bob + ")");
  std::string eve = Verify(policy, by_eve);
  EXPECT_TRUE(eve.starts_with("refused: signed by OpenPGP key ")) << eve;
  EXPECT_TRUE(eve.ends_with(", which is not in " + dir_ + "/keyring.gpg")) << eve;
  by_bob.signed_data += "changed\n";
  EXPECT_EQ(Verify(policy, by_bob), "refused: the OpenPGP signature does not verify (BADSIG)");
  EXPECT_EQ(Verify({allowed_, ""}, by_eve),
            "refused: the commit has an OpenPGP signature and no --gpg-keyring accepts one");
}

}  // namespace
}  // namespace harc
