// The sandbox's state directory on disk:
//   sandbox.json          the inventory: members, addresses, port, sshd processes
//   clusters/<c>.json     each cluster's state (cluster_state.h), and
//   clusters/<c>.lock     its lock: every command holds it (flock) while it
//                         loads, acts and saves, so members of one cluster
//                         see each other's changes in order
//   audit.jsonl           the audit log, one JSON object a line, appended
//   fleet/                the fleet copy whose hosts are the sandbox addresses
//   ssh_config, known_hosts, client_key, harc-ssh.toml: for clients
//   sshd/                 sshd configs, logs, host key; home/: sshd's HOME
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/model.h"
#include "tests/sandbox/sim/cluster_state.h"
#include "tests/sandbox/sim/engine.h"

namespace harc::sim {

// One cluster's state, locked from Open until destruction.
class LockedCluster {
 public:
  LockedCluster() = default;
  ~LockedCluster();
  LockedCluster(const LockedCluster&) = delete;
  LockedCluster& operator=(const LockedCluster&) = delete;

  // Locks and loads clusters/<name>.json. False with *error when absent or bad.
  bool Open(const std::string& state_dir, const std::string& name, std::string* error);
  SimCluster& cluster() { return cluster_; }
  // Writes the state back (a temp file renamed over the old one).
  bool Save(std::string* error);

 private:
  std::string path_;
  int lock_fd_ = -1;
  SimCluster cluster_;
};

// Writes a new cluster's state (no lock: for setup).
bool WriteCluster(const std::string& state_dir, const SimCluster& c, std::string* error);
// The names of the clusters in the state dir.
std::vector<std::string> ClusterNames(const std::string& state_dir);

// Appends records to audit.jsonl in one write, so concurrent writers never
// interleave within a line.
void AppendAudit(const std::string& state_dir, const Log& records);
// Every record of audit.jsonl (lines that do not parse are skipped).
std::vector<nlohmann::json> ReadAudit(const std::string& state_dir);

// The platform a cluster runs: its fleet file, or the built-in of that name.
bool LoadClusterPlatform(const SimCluster& c, Platform* out, std::string* error);

bool ReadJsonFile(const std::string& path, nlohmann::json* out, std::string* error);
// Atomically (temp file + rename).
bool WriteTextFile(const std::string& path, const std::string& text, std::string* error,
                   int mode = 0644);

}  // namespace harc::sim
