#include "compiler/render.h"

#include <fmt/format.h>

#include "compiler/shell.h"

namespace harc {

namespace {

std::map<std::string, std::string> Vars(const Step& s) {
  std::map<std::string, std::string> v{{"member", s.member}};
  if (!s.target.empty()) v["target"] = s.target;
  if (!s.component.empty()) v["component"] = s.component;
  if (!s.version.empty()) v["version"] = s.version;
  if (!s.value.empty()) v["value"] = s.value;
  return v;
}

// What must still be true of the live cluster for the step to be the step the
// proof checked. A guard that fails at apply time holds the cluster.
std::vector<Condition> Guards(const Platform& p, const Step& s, const ClusterState& st) {
  const MemberState& m = *st.Find(s.member);
  switch (s.action) {
    case Action::kDrain:
      // Where draining does not move traffic by itself, draining a member that
      // became active behind our back would cut traffic.
      if (!p.drain_fails_over) return {{"role", RoleName(m.role), ""}};
      return {{"in_cluster", "true", ""}};
    case Action::kInstall:
      if (m.in_cluster) return {{"role", "down", ""}};
      return {{"in_cluster", "false", ""}};
    case Action::kUndrain:
    case Action::kLeave:
      return {{"in_cluster", "true", ""}, {"role", "down", ""}};
    case Action::kFailover: {
      std::vector<Condition> g{{"role", "active", ""}, {"role", "standby", s.target}};
      if (p.facts.count("sync")) g.push_back({"sync", "true", s.target});
      return g;
    }
    case Action::kJoin: {
      std::vector<Condition> g{{"in_cluster", "false", ""}};
      for (const auto& [comp, v] : m.versions) g.push_back({"version." + comp, v, ""});
      return g;
    }
    case Action::kBackup:
    case Action::kSet:
      return {};
  }
  return {};
}

std::string HostOf(const Cluster& c, const ObservedCluster& observed, const std::string& member) {
  if (const Member* m = c.FindMember(member)) return m->host;
  if (const ObservedMember* om = observed.FindMember(member)) return om->host;
  return "";
}

bool RenderOne(const Platform& p, Step* s, std::string* error) {
  const ActionSpec* a = p.FindAction(s->ActionKey());
  if (!a) {
    *error = fmt::format("platform '{}' has no '{}' action", p.name, s->ActionKey());
    return false;
  }
  std::map<std::string, std::string> vars = Vars(*s);
  if (!RenderCommand(a->run, vars, &s->command, error)) return false;
  s->until.reset();
  if (a->until) {
    Condition u;
    if (!RenderText(a->until->fact, vars, &u.fact, error) ||
        !RenderText(a->until->is, vars, &u.is, error))
      return false;
    s->until = u;
  }
  s->timeout_ms = a->timeout_ms;
  s->interval_ms = a->interval_ms;
  s->stable_ms = a->stable_ms;
  return true;
}

}  // namespace

bool RenderSteps(const Cluster& c, const Platform& p, const ObservedCluster& observed,
                 const ClusterState& initial, std::vector<Step>* steps, std::string* error) {
  ClusterState st = initial;
  int n = 0;
  for (Step& s : *steps) {
    ++n;
    s.host = HostOf(c, observed, s.member);
    s.guard = Guards(p, s, st);
    std::string why;
    if (!RenderOne(p, &s, &why)) {
      *error = fmt::format("step {} ({} {}): {}", n, s.ActionKey(), s.member, why);
      return false;
    }
    ApplyStep(p, s, &st);
  }
  return true;
}

}  // namespace harc
