// The difference between a cluster's live state and its desired state, member
// by member: versions to install (in the platform's component order),
// membership (join, remove), members to bring back into service, and settings.
// Strategies turn it into ordered steps; drift reports print it.
#pragma once

#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/state.h"

namespace harc {

struct VersionChange {
  std::string component;
  std::string from;  // "" when the component was not observed
  std::string to;
};

struct SettingChange {
  std::string setting;
  std::string from;  // "" when not observed
  std::string to;
};

struct MemberDiff {
  std::string member;
  std::vector<VersionChange> installs;  // platform component order
  std::vector<SettingChange> settings;
  bool join = false;      // listed in the file, not in the live cluster
  bool remove = false;    // in the live cluster, no longer listed
  bool bring_up = false;  // listed and in the cluster, but down

  bool empty() const { return installs.empty() && settings.empty() && !join && !remove && !bring_up; }
};

struct ClusterDiff {
  std::vector<MemberDiff> members;  // by member name; only members with a difference

  bool empty() const { return members.empty(); }
  const MemberDiff* Find(const std::string& member) const;
  bool HasInstalls() const;
};

ClusterDiff Diff(const Cluster& c, const Platform& p, const ClusterState& live);

}  // namespace harc
