// The sandbox's clusters as they start: one SimCluster per cluster of the
// fleet, each member at an address, with versions (the desired ones unless
// told otherwise), settings (the desired ones, else the vendor's defaults),
// consistent roles (one active in an active-standby cluster: the highest
// priority member), a boot id, and faults.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "tests/sandbox/sim/cluster_state.h"

namespace harc::sim {

struct InitOptions {
  // "cluster" or "cluster/member" -> component -> version; member entries win.
  std::map<std::string, std::map<std::string, std::string>> versions;
  std::string initial_version;  // every component of every member, when set
  bool older = false;           // one step below the desired version (OlderVersion)
  const ObservedFleet* observed = nullptr;  // roles, versions, settings from a snapshot
  Timing timing;
  std::map<std::string, Faults> faults;  // "cluster/member" -> faults
};

// addresses: "cluster/member" -> sandbox address. False with *error naming
// the cluster whose platform the sandbox does not simulate.
bool InitClusters(const Fleet& fleet, const InitOptions& options,
                  const std::map<std::string, std::string>& addresses, Time now,
                  std::vector<SimCluster>* out, std::string* error);

// A version one step older: the last number that is not zero (and not glued
// to a word, as "el9"), decremented
// (R81.20_T89 -> R81.20_T88, A.12.80.00 -> A.12.79.00). Unchanged when none.
std::string OlderVersion(const std::string& version);

// Applies one fault word to *f: unreachable, stall, install-fails,
// install-hangs, wrong-output, slow=<duration>, clear. False with *error.
bool ApplyFaultWord(const std::string& word, Faults* f, std::string* error);
std::string DescribeFaults(const Faults& f);  // "slow=2000ms install-fails" or "none"

}  // namespace harc::sim
