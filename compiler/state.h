// The cluster model the compiler reasons about: each member's role, membership,
// versions and settings, built from observed facts, and what each kind of step
// does to it. The strategies plan on it and the proof replays a plan on it, so
// one model defines what "safe" means for both.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"

namespace harc {

enum class Role { kActive, kStandby, kDown };

const char* RoleName(Role r);

struct MemberState {
  std::string name;
  Role role = Role::kDown;
  bool in_cluster = false;
  bool synced = true;
  std::map<std::string, std::string> versions;  // component -> version
  std::map<std::string, std::string> settings;  // setting -> value

  // In service: a cluster member that is not down.
  bool Up() const { return in_cluster && role != Role::kDown; }
};

struct ClusterState {
  std::vector<MemberState> members;  // sorted by name

  MemberState* Find(const std::string& name);
  const MemberState* Find(const std::string& name) const;
  int Serving() const;      // members Up()
  int ActiveCount() const;  // Up() members whose role is active
};

// Builds the state of cluster c from what was observed. Returns false, with one
// line per problem ("m2: fact 'role' is 'weird', expected active|standby|down";
// "m3: not in the observed state"; "m4: unreachable: connect timed out"), when
// some member cannot be modelled; the cluster is then unobservable, and *out
// holds only the members that were modelled whole (drift reports on those).
bool StateFromObserved(const Cluster& c, const Platform& p, const ObservedCluster* observed,
                       ClusterState* out, std::vector<std::string>* problems);

// What step s does to the cluster, as the platform behaves:
//  drain:    the member goes down; if it was the active and the platform fails
//            over by itself, the best up standby becomes active.
//  undrain:  the member comes up: active if the cluster has no active or the
//            platform is active-active, else standby.
//  failover: the member becomes standby, the target active.
//  install:  the component's version changes.
//  leave:    the member leaves the cluster and is down.
//  join:     the member joins and comes up (as undrain).
//  set:      the setting changes.   backup: nothing.
// REQUIRES: the step's member (and target) exist in state.
void ApplyStep(const Platform& p, const Step& s, ClusterState* state);

// The state the cluster should reach: every listed member in the cluster, up,
// at the desired versions and settings; members no longer listed, out.
struct DesiredMember {
  std::string name;
  std::map<std::string, std::string> versions;  // only components the file sets
  std::map<std::string, std::string> settings;  // cluster and member settings
};
std::vector<DesiredMember> DesiredMembers(const Cluster& c, const Platform& p);

// True when member m is at every desired version.
bool AtDesiredVersions(const MemberState& m, const DesiredMember& d);

}  // namespace harc
