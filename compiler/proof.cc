#include "compiler/proof.h"

#include <set>

#include <fmt/format.h>

namespace harc {

namespace {

// Measures of a cluster state that the rules compare before and after a step.
struct Measures {
  int serving = 0;
  int active = 0;
  int out_of_service = 0;  // listed members that were in the cluster and are not up
  int skew = 0;            // worst over components: distinct versions in the cluster
  int up_skew = 0;         // worst over components: distinct versions among up members
};

class Prover {
 public:
  Prover(const Cluster& c, const Platform& p, const ClusterState& initial)
      : c_(c), p_(p), initial_(initial), state_(initial) {}

  std::optional<Refusal> Run(std::vector<Step>* steps);

 private:
  Measures Measure() const;
  std::optional<std::string> CheckBefore(const Step& s, std::string* rule) const;
  std::optional<std::string> CheckAfter(const Step& s, const Measures& before,
                                        const Measures& after, std::string* rule) const;
  std::optional<std::string> CheckEnd(std::string* rule) const;
  std::optional<std::string> CheckJoin(const Step& s) const;
  Refusal Refuse(int step, std::string rule, std::string message) const {
    return Refusal{c_.name, step, std::move(rule), std::move(message)};
  }

  const Cluster& c_;
  const Platform& p_;
  const ClusterState& initial_;
  ClusterState state_;
  bool backed_up_ = false;
};

Measures Prover::Measure() const {
  Measures m;
  m.serving = state_.Serving();
  m.active = state_.ActiveCount();
  for (const MemberState& s : state_.members) {
    const MemberState* was = initial_.Find(s.name);
    if (c_.FindMember(s.name) && was && was->in_cluster && !s.Up()) ++m.out_of_service;
  }
  for (const std::string& comp : p_.components) {
    std::set<std::string> all, up;
    for (const MemberState& s : state_.members) {
      auto v = s.versions.find(comp);
      if (!s.in_cluster || v == s.versions.end()) continue;
      all.insert(v->second);
      if (s.Up()) up.insert(v->second);
    }
    m.skew = std::max(m.skew, static_cast<int>(all.size()));
    m.up_skew = std::max(m.up_skew, static_cast<int>(up.size()));
  }
  return m;
}

std::string Describe(const Step& s) {
  std::string d = fmt::format("{} {}", ActionName(s.action), s.member);
  if (s.action == Action::kInstall) d += fmt::format(" {} {}", s.component, s.version);
  if (s.action == Action::kFailover) d += fmt::format(" -> {}", s.target);
  if (s.action == Action::kSet) d += fmt::format(" {}={}", s.setting, s.value);
  return d;
}

// A member joins at a version the cluster runs: where the platform forbids
// mixed versions, the version of every up member; otherwise that of some up
// member (version-skew bounds the rest).
std::optional<std::string> Prover::CheckJoin(const Step& s) const {
  const MemberState& m = *state_.Find(s.member);
  if (m.in_cluster) return fmt::format("{} is already in the cluster", s.member);
  for (const std::string& comp : p_.components) {
    auto mine = m.versions.find(comp);
    std::string mine_v = mine == m.versions.end() ? "(unknown)" : mine->second;
    const MemberState* differs = nullptr;
    bool matched = false, any_up = false;
    for (const MemberState& peer : state_.members) {
      auto theirs = peer.versions.find(comp);
      if (!peer.Up() || theirs == peer.versions.end()) continue;
      any_up = true;
      if (theirs->second == mine_v) matched = true;
      else if (!differs) differs = &peer;
    }
    bool ok = !any_up || (p_.mixed_versions ? matched : !differs);
    if (!ok)
      return fmt::format("{} would join at {} {} but {} runs {}", s.member, comp, mine_v,
                         differs->name, differs->versions.at(comp));
  }
  return std::nullopt;
}

std::optional<std::string> Prover::CheckBefore(const Step& s, std::string* rule) const {
  const MemberState* m = state_.Find(s.member);
  if (s.action != Action::kBackup && !backed_up_) {
    *rule = "backup-first";
    return "no configuration backup before the first change";
  }
  if (s.disruptive && !c_.ha.allow_disruption) {
    *rule = "disruption";
    return fmt::format("{} interrupts service; set allow_disruption = true in [ha] of {} to "
                       "allow it", Describe(s), c_.file);
  }
  if ((s.action == Action::kInstall || s.action == Action::kLeave) && m->Up()) {
    *rule = "serving-member";
    return fmt::format("{} on {} while it is in service ({})", ActionName(s.action), s.member,
                       RoleName(m->role));
  }
  if (s.action == Action::kFailover) {
    const MemberState* t = state_.Find(s.target);
    *rule = "failover-target";
    if (!m->Up() || m->role != Role::kActive)
      return fmt::format("failover from {}, which is not the active", s.member);
    if (!t || t == m || !t->Up() || t->role != Role::kStandby || !t->synced)
      return fmt::format("failover to {}, which is not an up, synced standby", s.target);
  }
  if (s.action == Action::kJoin) {
    *rule = "join-version";
    return CheckJoin(s);
  }
  return std::nullopt;
}

std::optional<std::string> Prover::CheckAfter(const Step& s, const Measures& b, const Measures& a,
                                              std::string* rule) const {
  if (s.disruptive) return std::nullopt;  // allowed, else CheckBefore refused it
  const HaPolicy& ha = c_.ha;
  auto worse = [](int after, int before, int limit) { return after > limit && after > before; };
  if (a.serving == 0 && b.serving > 0) {
    *rule = "all-at-once";
    return fmt::format("after {} no member of the cluster is in service", Describe(s));
  }
  if (a.serving < ha.min_serving && a.serving < b.serving) {
    *rule = "min-serving";
    return fmt::format("after {} {} member{} would serve; ha.min_serving is {}", Describe(s),
                       a.serving, a.serving == 1 ? "" : "s", ha.min_serving);
  }
  if (a.active == 0 && b.active > 0) {
    *rule = "traffic-moved";
    return fmt::format("after {} no member is active: its traffic did not move to a healthy peer",
                       Describe(s));
  }
  if (worse(a.out_of_service, b.out_of_service, ha.max_unavailable)) {
    *rule = "max-unavailable";
    return fmt::format("after {} {} members would be out of service; ha.max_unavailable is {}",
                       Describe(s), a.out_of_service, ha.max_unavailable);
  }
  int limit = p_.mixed_versions ? 2 : 1;
  if (worse(a.skew, b.skew, 2) || worse(a.up_skew, b.up_skew, limit)) {
    *rule = "version-skew";
    return p_.mixed_versions
               ? fmt::format("after {} the cluster would run more than two versions", Describe(s))
               : fmt::format("after {} members in service would run different versions; platform "
                             "'{}' forbids mixed versions", Describe(s), p_.name);
  }
  return std::nullopt;
}

std::optional<std::string> Prover::CheckEnd(std::string* rule) const {
  std::vector<DesiredMember> desired = DesiredMembers(c_, p_);
  for (const DesiredMember& d : desired) {
    const MemberState& m = *state_.Find(d.name);
    for (const auto& [setting, held] : p_.run_settings) {
      const std::map<std::string, std::string>& before = initial_.Find(d.name)->settings;
      auto want = d.settings.count(setting) ? d.settings.at(setting)
                  : before.count(setting)   ? before.at(setting)
                                            : held;
      if (m.settings.count(setting) && m.settings.at(setting) != want) {
        *rule = "temporary-restored";
        return fmt::format("{} is left at {}={} after the run; it should be {}", d.name, setting,
                           m.settings.at(setting), want);
      }
    }
  }
  *rule = "final-state";
  for (const DesiredMember& d : desired) {
    const MemberState& m = *state_.Find(d.name);
    if (!m.Up()) return fmt::format("{} is not in service at the end", d.name);
    if (!AtDesiredVersions(m, d)) return fmt::format("{} is not at the desired versions", d.name);
    for (const auto& [setting, value] : d.settings)
      if (!m.settings.count(setting) || m.settings.at(setting) != value)
        return fmt::format("{} does not have {}={} at the end", d.name, setting, value);
  }
  for (const MemberState& m : state_.members)
    if (!c_.FindMember(m.name) && m.in_cluster)
      return fmt::format("{} is still in the cluster but no longer listed", m.name);
  if (state_.Serving() < c_.ha.min_serving) {
    *rule = "min-serving";
    return fmt::format("{} members can serve but ha.min_serving is {}", state_.Serving(),
                       c_.ha.min_serving);
  }
  return std::nullopt;
}

std::optional<Refusal> Prover::Run(std::vector<Step>* steps) {
  int n = 0;
  for (Step& s : *steps) {
    ++n;
    std::string rule;
    if (!state_.Find(s.member) || (s.action == Action::kFailover && !state_.Find(s.target)))
      return Refuse(n, "unknown-member", fmt::format("{} names a member the cluster does not have",
                                                     Describe(s)));
    if (auto why = CheckBefore(s, &rule)) return Refuse(n, rule, *why);
    Measures before = Measure();
    ApplyStep(p_, s, &state_);
    Measures after = Measure();
    s.serving_before = before.serving;
    s.serving_after = after.serving;
    if (s.action == Action::kBackup) backed_up_ = true;
    if (auto why = CheckAfter(s, before, after, &rule)) return Refuse(n, rule, *why);
  }
  std::string rule;
  if (auto why = CheckEnd(&rule)) return Refuse(n, rule, *why);
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> Prove(const Cluster& c, const Platform& p, const ClusterState& initial,
                             std::vector<Step>* steps) {
  return Prover(c, p, initial).Run(steps);
}

}  // namespace harc
