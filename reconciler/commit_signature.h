// Verifying a commit's signature before harc watch acts on it. A commit that
// is unsigned, signed by a key the policy does not name, or whose signature
// does not verify, is refused with the reason.
//
// - SSH signatures (git config gpg.format ssh): checked against an OpenSSH
//   allowed_signers file the way git does it — `ssh-keygen -Y
//   find-principals` names the signer, `ssh-keygen -Y verify -n git`
//   verifies the commit against that principal's key.
// - OpenPGP signatures: verified with `gpgv` against a keyring holding only
//   the trusted keys (a file `gpg --export` wrote).
//
// The signature and the signed data come from the commit object (GitMirror::
// ReadCommit); they are written to a private temporary directory for the
// verifiers, which run without a shell.
#pragma once

#include <string>

#include "reconciler/git_mirror.h"

namespace harc {

struct SignaturePolicy {
  std::string allowed_signers;  // OpenSSH allowed_signers file: SSH signatures
  std::string gpg_keyring;      // keyring for gpgv: OpenPGP signatures
  bool required() const { return !allowed_signers.empty() || !gpg_keyring.empty(); }
};

// True when `commit` carries a signature the policy accepts; *signer is then
// who signed it ("alice@example.net (ED25519 SHA256:...)" or the OpenPGP
// fingerprint and user id). False with *reason otherwise.
// REQUIRES: policy.required().
bool VerifyCommitSignature(const SignaturePolicy& policy, const CommitInfo& commit,
                           std::string* signer, std::string* reason);

}  // namespace harc
