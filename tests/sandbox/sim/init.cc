#include "tests/sandbox/sim/init.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "compiler/toml_reader.h"
#include "tests/sandbox/sim/engine.h"
#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

const char* StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kStandbyFirst: return "standby-first";
    case Strategy::kGroups: return "groups";
    case Strategy::kRolling: return "rolling";
    case Strategy::kLeaveUpdateJoin: return "leave-update-join";
  }
  return "rolling";
}

int Priority(const Member& m, size_t index, bool active_standby) {
  auto it = m.settings.find("priority");
  if (it != m.settings.end() && !it->second.empty() &&
      it->second.find_first_not_of("0123456789") == std::string::npos)
    return std::stoi(it->second);
  return active_standby ? 200 - 10 * static_cast<int>(std::min<size_t>(index, 10)) : 100;
}

void InitVersions(const Cluster& c, const Platform& p, const InitOptions& o, SimMember* m) {
  for (const std::string& comp : p.components) {
    auto want = c.software.find(comp);
    if (want != c.software.end()) m->versions[comp] = o.older ? OlderVersion(want->second)
                                                              : want->second;
    if (!o.initial_version.empty()) m->versions[comp] = o.initial_version;
  }
  for (const std::string& key : {c.name, c.name + "/" + m->name}) {
    auto it = o.versions.find(key);
    if (it == o.versions.end()) continue;
    for (const auto& [comp, v] : it->second) m->versions[comp] = v;
  }
}

// The settings the platform reads (setting.<name> facts): the vendor's
// default, or what the fleet declares.
void InitSettings(const Cluster& c, const Platform& p, const Vendor& v, SimCluster* sc) {
  for (const auto& [fact, spec] : p.facts) {
    if (!fact.starts_with("setting.")) continue;
    std::string name = fact.substr(8);
    auto d = v.default_settings.find(name);
    std::string value = d == v.default_settings.end() ? "" : d->second;
    if (auto it = c.settings.find(name); it != c.settings.end()) value = it->second;
    bool own = std::find(v.traits.member_settings.begin(), v.traits.member_settings.end(),
                         name) != v.traits.member_settings.end();
    for (size_t i = 0; i < c.members.size(); ++i) {
      const std::string* want = c.DesiredSetting(c.members[i], name);
      std::string mine = want ? *want : value;
      if (own) sc->members[i].settings[name] = mine;
      else if (i == 0) sc->settings[name] = mine;
    }
    if (!own && value.empty()) sc->settings.erase(name);
  }
}

void InitRoles(SimCluster* c) {
  SimMember* best = nullptr;
  for (SimMember& m : c->members) {
    m.role = Role::kActive;
    if (!best || m.priority > best->priority) best = &m;
  }
  if (!c->active_standby) return;
  for (SimMember& m : c->members)
    if (&m != best) m.role = Role::kStandby;
}

// Roles, membership, versions and settings as a snapshot saw them.
void FromObserved(const ObservedCluster& oc, SimCluster* c) {
  for (SimMember& m : c->members) {
    const ObservedMember* om = oc.FindMember(m.name);
    if (!om || !om->reachable) continue;
    for (const auto& [fact, value] : om->facts) {
      if (fact == "role" && ParseRole(value, &m.role)) m.enabled = m.role != Role::kDown;
      if (fact == "in_cluster") m.in_cluster = value == "true";
      if (fact.starts_with("version.")) m.versions[fact.substr(8)] = value;
      if (!fact.starts_with("setting.")) continue;
      std::string name = fact.substr(8);
      if (m.settings.count(name)) m.settings[name] = value;
      else c->settings[name] = value;
    }
    if (!m.in_cluster) m.role = Role::kDown, m.enabled = false;
  }
}

void InitPackages(SimCluster* c) {
  for (const SimMember& m : c->members) {
    std::string node = m.Up() ? m.name : "";
    for (const SimMember& peer : c->members)
      if (node.empty() && peer.Up()) node = peer.name;
    c->packages.push_back({"pkg_" + m.name, m.name, node});
  }
}

SimCluster MakeCluster(const Cluster& c, const Platform& p, const Vendor& v,
                       const InitOptions& o, const std::map<std::string, std::string>& addresses,
                       Time now) {
  SimCluster sc;
  sc.name = c.name;
  sc.platform = c.platform;
  sc.platform_file = p.file.starts_with("<builtin>") ? "" : p.file;
  sc.strategy = StrategyName(p.strategy);
  sc.active_standby = p.active_standby;
  sc.drain_fails_over = p.drain_fails_over;
  sc.mixed_versions = p.mixed_versions;
  sc.min_serving = c.ha.min_serving;
  sc.allow_disruption = c.ha.allow_disruption;
  sc.timing = o.timing;
  for (size_t i = 0; i < c.members.size(); ++i) {
    const Member& m = c.members[i];
    SimMember sm;
    sm.name = m.name;
    std::string key = c.name + "/" + m.name;
    if (auto a = addresses.find(key); a != addresses.end()) sm.address = a->second;
    sm.site = m.site;
    sm.priority = Priority(m, i, p.active_standby);
    InitVersions(c, p, o, &sm);
    sm.boot_id = NewBootId();
    sm.boot_time = std::floor(now / 60) * 60 - 86400 * (12 + 3 * static_cast<double>(i));
    if (auto f = o.faults.find(key); f != o.faults.end()) sm.faults = f->second;
    sc.members.push_back(std::move(sm));
  }
  InitSettings(c, p, v, &sc);
  InitRoles(&sc);
  if (o.observed)
    if (auto oc = o.observed->clusters.find(c.name); oc != o.observed->clusters.end())
      FromObserved(oc->second, &sc);
  if (v.traits.packages) InitPackages(&sc);
  return sc;
}

}  // namespace

bool InitClusters(const Fleet& fleet, const InitOptions& options,
                  const std::map<std::string, std::string>& addresses, Time now,
                  std::vector<SimCluster>* out, std::string* error) {
  for (const Cluster& c : fleet.clusters) {
    const Vendor* v = FindVendor(c.platform);
    if (!v) {
      *error = c.file + ": platform '" + c.platform +
               "' is not simulated by the sandbox (it simulates the built-in platforms)";
      return false;
    }
    out->push_back(MakeCluster(c, fleet.platforms.at(c.platform), *v, options, addresses, now));
    Log ignored;
    Engine(&out->back(), v->traits, &ignored).Record(now, "sandbox started");
  }
  return true;
}

std::string OlderVersion(const std::string& version) {
  for (size_t end = version.size(); end > 0;) {
    size_t last = version.find_last_of("0123456789", end - 1);
    if (last == std::string::npos) break;
    size_t first = last;
    while (first > 0 && std::isdigit(static_cast<unsigned char>(version[first - 1]))) --first;
    end = first;
    // A number glued to a word ("el9", "deb12u1") names a distribution, not a release.
    if (first > 0 && std::islower(static_cast<unsigned char>(version[first - 1]))) continue;
    std::string digits = version.substr(first, last - first + 1);
    if (digits.find_first_not_of('0') == std::string::npos || digits.size() >= 18) continue;
    std::string lower = std::to_string(std::stoll(digits) - 1);
    if (lower.size() < digits.size()) lower.insert(0, digits.size() - lower.size(), '0');
    return version.substr(0, first) + lower + version.substr(last + 1);
  }
  return version;
}

bool ApplyFaultWord(const std::string& word, Faults* f, std::string* error) {
  if (word == "clear") *f = Faults{};
  else if (word == "unreachable") f->unreachable = true;
  else if (word == "stall") f->stall = true;
  else if (word == "install-fails") f->install_fails = true;
  else if (word == "install-hangs") f->install_hangs = true;
  else if (word == "wrong-output") f->wrong_output = true;
  else if (word.starts_with("slow=")) {
    if (!ParseDuration(word.substr(5), &f->slow_ms)) {
      *error = "bad duration in '" + word + "' (500ms, 2s, 1m)";
      return false;
    }
  } else {
    *error = "unknown fault '" + word +
             "' (unreachable, stall, slow=<duration>, install-fails, install-hangs, "
             "wrong-output, clear)";
    return false;
  }
  return true;
}

std::string DescribeFaults(const Faults& f) {
  std::string s;
  if (f.unreachable) s += " unreachable";
  if (f.stall) s += " stall";
  if (f.slow_ms > 0) s += " slow=" + std::to_string(f.slow_ms) + "ms";
  if (f.install_fails) s += " install-fails";
  if (f.install_hangs) s += " install-hangs";
  if (f.wrong_output) s += " wrong-output";
  return s.empty() ? "none" : s.substr(1);
}

}  // namespace harc::sim
