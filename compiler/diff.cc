#include "compiler/diff.h"

namespace harc {

const MemberDiff* ClusterDiff::Find(const std::string& member) const {
  for (const MemberDiff& d : members)
    if (d.member == member) return &d;
  return nullptr;
}

bool ClusterDiff::HasInstalls() const {
  for (const MemberDiff& d : members)
    if (!d.installs.empty()) return true;
  return false;
}

namespace {

std::string ValueOr(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? "" : it->second;
}

MemberDiff DiffMember(const Platform& p, const DesiredMember& d, const MemberState& live) {
  MemberDiff md;
  md.member = d.name;
  for (const std::string& comp : p.components) {
    auto want = d.versions.find(comp);
    if (want == d.versions.end()) continue;
    std::string have = ValueOr(live.versions, comp);
    if (have != want->second) md.installs.push_back({comp, have, want->second});
  }
  for (const auto& [setting, want] : d.settings) {
    std::string have = ValueOr(live.settings, setting);
    if (have != want) md.settings.push_back({setting, have, want});
  }
  md.join = !live.in_cluster;
  md.bring_up = live.in_cluster && !live.Up();
  return md;
}

}  // namespace

ClusterDiff Diff(const Cluster& c, const Platform& p, const ClusterState& live) {
  ClusterDiff out;
  std::vector<DesiredMember> desired = DesiredMembers(c, p);
  for (const MemberState& m : live.members) {
    const DesiredMember* d = nullptr;
    for (const DesiredMember& dm : desired)
      if (dm.name == m.name) d = &dm;
    MemberDiff md;
    if (d) {
      md = DiffMember(p, *d, m);
    } else {
      md.member = m.name;
      md.remove = m.in_cluster;
    }
    if (!md.empty()) out.members.push_back(std::move(md));
  }
  return out;
}

}  // namespace harc
