// harc watch's own copy of the fleet repository: a bare clone in a private
// cache directory (0700) that fetches one branch from its remote with
// libgit2. Nothing is checked out: the fleet is read from a commit's objects
// (fleet_source.h, GitCommitSource on dir()), and a commit's metadata and
// signature from the commit object itself (ReadCommit).
//
// Remotes: a local path, file://PATH, ssh://[user@]host[:port]/path and the
// scp-like [user@]host:path. Over SSH the server's host key is checked
// against known_hosts (harc's KnownHosts: hashed names, [host]:port,
// @revoked, read afresh on each fetch) and an unknown, changed or revoked
// key is refused with its SHA256 fingerprint before anything is sent. The
// client authenticates with a private key file, or else with ssh-agent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct git_repository;

namespace harc {

struct GitRemote {
  std::string url;                                 // as the user gave it
  std::string identity;                            // ssh: private key; "": ssh-agent
  std::string known_hosts = "~/.ssh/known_hosts";  // ssh: the server's host key
};

struct CommitInfo {
  std::string commit;       // full hash
  std::string subject;      // the message's first line
  std::string author;       // "name <email>"
  int64_t committed_ms = 0;
  std::string signature;    // the gpgsig header ("" when unsigned): SSH or OpenPGP armour
  std::string signed_data;  // what the signature covers: the commit without that header
};

class GitMirror {
 public:
  // Opens the clone of remote.url under `cache` (see MirrorDir), creating
  // the directories (0700) and the bare repository when missing.
  static bool Open(const GitRemote& remote, const std::string& cache,
                   std::unique_ptr<GitMirror>* out, std::string* error);
  ~GitMirror();
  GitMirror(const GitMirror&) = delete;
  GitMirror& operator=(const GitMirror&) = delete;

  // Fetches `branch` from the remote; *head is the commit it points at there.
  bool Fetch(const std::string& branch, std::string* head, std::string* error);
  // The metadata and signature of `commit` (a full hash this mirror holds).
  bool ReadCommit(const std::string& commit, CommitInfo* out, std::string* error);
  // The bare repository's directory.
  const std::string& dir() const { return dir_; }

 private:
  GitMirror(GitRemote remote, std::string dir, git_repository* repo);

  const GitRemote remote_;
  const std::string dir_;
  git_repository* const repo_;
};

// Where the clone of `url` lives: CACHE/repos/<name>-<hash of the URL>.git.
std::string MirrorDir(const std::string& cache, const std::string& url);

// True when `url` is a path of this machine's file system (not file://,
// ssh:// or host:path).
bool IsLocalPath(const std::string& url);

}  // namespace harc
