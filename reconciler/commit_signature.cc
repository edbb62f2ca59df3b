#include "reconciler/commit_signature.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "reconciler/known_hosts.h"
#include "reconciler/subprocess.h"

namespace harc {
namespace {

namespace fs = std::filesystem;

constexpr int kVerifyTimeoutMs = 30'000;
constexpr char kSshArmour[] = "-----BEGIN SSH SIGNATURE-----";
constexpr char kPgpArmour[] = "-----BEGIN PGP SIGNATURE-----";

// A private (0700, mkdtemp) directory for the verifiers' files, removed
// with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "harc-verify-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Writes `text` to a file in the directory; its path, or "" on failure.
  std::string Write(const std::string& name, const std::string& text) const {
    if (path_.empty()) return "";
    std::string path = path_ + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << text;
    return out.flush() ? path : "";
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "no message" : line;
}

// Runs a verifier; false with *reason when it could not be run at all.
bool Run(const std::vector<std::string>& argv, const std::string& input, ProcessResult* r,
         std::string* reason) {
  std::string error;
  if (RunProcess(argv, input, kVerifyTimeoutMs, r, &error)) return true;
  *reason = "cannot verify the signature: " + error;
  return false;
}

// ------------------------------------------------------------- SSH

// "ED25519 key SHA256:..." from ssh-keygen's "Good "git" signature ... with <key>".
std::string KeyOf(const std::string& good) {
  std::string line = FirstLine(good);
  size_t with = line.rfind(" with ");
  return with == std::string::npos ? line : line.substr(with + 6);
}

bool VerifySsh(const std::string& allowed, const CommitInfo& c, const ScratchDir& dir,
               std::string* signer, std::string* reason) {
  std::string sig = dir.Write("commit.sig", c.signature);
  if (sig.empty()) {
    *reason = "cannot verify the signature: cannot write to " + dir.path();
    return false;
  }
  std::string file = ExpandHome(allowed);
  ProcessResult found;
  if (!Run({"ssh-keygen", "-Y", "find-principals", "-f", file, "-s", sig}, "", &found, reason))
    return false;
  std::string principal = FirstLine(found.out);
  if (found.exit_status != 0 || found.out.empty()) {
    ProcessResult any;
    std::string key = Run({"ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", sig},
                          c.signed_data, &any, reason) && any.exit_status == 0
                          ? " (" + KeyOf(any.out) + ")"
                          : "";
    *reason = "signed by a key that is not in " + allowed + key;
    return false;
  }
  ProcessResult verified;
  if (!Run({"ssh-keygen", "-Y", "verify", "-f", file, "-I", principal, "-n", "git", "-s", sig},
           c.signed_data, &verified, reason))
    return false;
  if (verified.exit_status != 0) {
    *reason = "the SSH signature of " + principal + " does not verify: " +
              FirstLine(verified.err + verified.out);
    return false;
  }
  *signer = principal + " (" + KeyOf(verified.out) + ")";
  return true;
}

// ------------------------------------------------------------- OpenPGP

// The words after "[GNUPG:] <keyword> " in gpgv's status output; "" if absent.
std::string Status(const std::string& status, const std::string& keyword) {
  std::istringstream lines(status);
  std::string prefix = "[GNUPG:] " + keyword + " ";
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  return "";
}

bool VerifyPgp(const std::string& keyring, const CommitInfo& c, const ScratchDir& dir,
               std::string* signer, std::string* reason) {
  std::string sig = dir.Write("commit.asc", c.signature);
  std::string data = dir.Write("commit", c.signed_data);
  if (sig.empty() || data.empty()) {
    *reason = "cannot verify the signature: cannot write to " + dir.path();
    return false;
  }
  std::error_code ec;
  std::string ring = fs::absolute(ExpandHome(keyring), ec).string();
  ProcessResult r;
  if (!Run({"gpgv", "--homedir", dir.path(), "--status-fd", "1", "--keyring", ring, sig, data}, "",
           &r, reason))
    return false;
  std::string valid = Status(r.out, "VALIDSIG"), good = Status(r.out, "GOODSIG");
  if (r.exit_status == 0 && !valid.empty() && !good.empty()) {
    std::string uid = good.substr(good.find(' ') + 1);
    *signer = uid + " (OpenPGP " + valid.substr(0, valid.find(' ')) + ")";
    return true;
  }
  if (std::string key = Status(r.out, "NO_PUBKEY"); !key.empty())
    *reason = "signed by OpenPGP key " + key + ", which is not in " + keyring;
  else if (!Status(r.out, "BADSIG").empty())
    *reason = "the OpenPGP signature does not verify (BADSIG)";
  else
    *reason = "the OpenPGP signature does not verify: " + FirstLine(r.err);
  return false;
}

}  // namespace

bool VerifyCommitSignature(const SignaturePolicy& policy, const CommitInfo& commit,
                           std::string* signer, std::string* reason) {
  signer->clear();
  if (commit.signature.empty()) {
    *reason = "the commit is not signed";
    return false;
  }
  ScratchDir dir;
  if (commit.signature.starts_with(kSshArmour)) {
    if (!policy.allowed_signers.empty())
      return VerifySsh(policy.allowed_signers, commit, dir, signer, reason);
    *reason = "the commit has an SSH signature and no --allowed-signers accepts one";
    return false;
  }
  if (commit.signature.starts_with(kPgpArmour)) {
    if (!policy.gpg_keyring.empty())
      return VerifyPgp(policy.gpg_keyring, commit, dir, signer, reason);
    *reason = "the commit has an OpenPGP signature and no --gpg-keyring accepts one";
    return false;
  }
  *reason = "the commit's signature is in a format harc does not verify: " +
            FirstLine(commit.signature);
  return false;
}

}  // namespace harc
