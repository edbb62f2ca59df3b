// LoadFleet: the platforms (built-in, then the repo's), harc.toml, then every
// cluster file, each checked against what came before it. Each file has its own
// DiagSink so an error is printed with its own line; at the end the errors are
// put in file order and, within a file, in source order.
#include <algorithm>
#include <deque>
#include <limits>
#include <set>

#include "compiler/gitops.h"
#include "compiler/load.h"
#include "compiler/toml_reader.h"

namespace harc {

namespace {

constexpr int kNoLimit = std::numeric_limits<int>::max();

// "clusters/x.toml" is in directory "clusters"; "clusters/a/x.toml" is not.
bool IsTomlIn(const std::string& path, std::string_view dir) {
  return path.size() > dir.size() + 1 && path.starts_with(dir) && path[dir.size()] == '/' &&
         path.find('/', dir.size() + 1) == std::string::npos && path.ends_with(".toml");
}

std::string Location(const SourcePos& pos) {
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

// Settings a platform can both read and write.
std::vector<std::string> KnownSettings(const Platform& p) {
  std::vector<std::string> out;
  for (const auto& [name, fact] : p.facts)
    if (name.starts_with("setting.") && p.actions.count("set." + name.substr(8)))
      out.push_back(name.substr(8));
  return out;
}

// Where the parts of a member that later checks point at were written.
struct MemberSource {
  SourcePos name, host, site;
};

// Loads one cluster file against the fleet's platforms and configuration.
class ClusterLoader {
 public:
  ClusterLoader(const Fleet& fleet, DiagSink* sink) : fleet_(fleet), sink_(sink) {}

  void Load(const toml::table& root, Cluster* c);

 private:
  void ReadIdentity(TableReader& r, Cluster* c);
  void ReadWave(TableReader& r, Cluster* c);
  void ReadSoftware(const toml::table& t, Cluster* c);
  void ReadSettings(const toml::table& t, std::map<std::string, std::string>* out);
  void ReadMembers(const toml::array& members, Cluster* c);
  void ReadMember(const toml::table& t, Member* m);
  void ReadHa(const toml::table& t, Cluster* c);
  void ReadGroups(const toml::array& groups, Cluster* c);
  void ReadGroup(const toml::node& group, const Cluster& c, std::set<std::string>* grouped,
                 std::vector<std::string>* out);
  void CheckDuplicateMembers(const Cluster& c);
  void CheckLimits(const Cluster& c);

  const Fleet& fleet_;
  DiagSink* sink_;
  const Platform* platform_ = nullptr;
  std::vector<MemberSource> member_src_;
};

void ClusterLoader::Load(const toml::table& root, Cluster* c) {
  TableReader r(root, "", sink_);
  ReadIdentity(r, c);
  if (const toml::table* t = r.Table("software")) ReadSoftware(*t, c);
  if (const toml::table* t = r.Table("settings")) ReadSettings(*t, &c->settings);
  if (const toml::array* a = r.Array("member", Need::kRequired)) ReadMembers(*a, c);
  if (const toml::table* t = r.Table("ha")) ReadHa(*t, c);
  r.ReportUnknownKeys();
  CheckDuplicateMembers(*c);
  CheckLimits(*c);
}

void ClusterLoader::ReadIdentity(TableReader& r, Cluster* c) {
  r.Identifier("name", &c->name, Need::kRequired);
  c->pos = r.PosOf("name");
  if (r.Identifier("platform", &c->platform, Need::kRequired)) {
    auto it = fleet_.platforms.find(c->platform);
    if (it != fleet_.platforms.end()) {
      platform_ = &it->second;
    } else {
      std::vector<std::string> names;
      for (const auto& [name, p] : fleet_.platforms) names.push_back(name);
      sink_->Error(r.PosOf("platform"), "unknown platform " + QuoteForMessage(c->platform) +
                                            DidYouMeanSuffix(c->platform, names));
    }
  }
  ReadWave(r, c);
}

// A cluster without a wave is in "default", which rollout.waves must then list.
void ClusterLoader::ReadWave(TableReader& r, Cluster* c) {
  const bool given = r.Has("wave");
  if (!r.Identifier("wave", &c->wave) && given) return;  // already reported
  const std::vector<std::string>& waves = fleet_.config.rollout.waves;
  if (std::find(waves.begin(), waves.end(), c->wave) != waves.end()) return;
  if (!given) {
    sink_->FileError("the cluster has no wave and rollout.waves has no 'default'");
    return;
  }
  sink_->Error(r.PosOf("wave"), "wave " + QuoteForMessage(c->wave) + " is not in rollout.waves" +
                                    DidYouMeanSuffix(c->wave, waves));
}

void ClusterLoader::ReadSoftware(const toml::table& t, Cluster* c) {
  for (auto&& [key, node] : t) {
    std::string component(key.str());
    if (platform_ && std::find(platform_->components.begin(), platform_->components.end(),
                               component) == platform_->components.end()) {
      sink_->Error(PosOf(key), "platform " + QuoteForMessage(platform_->name) +
                                   " has no component " + QuoteForMessage(component) +
                                   DidYouMeanSuffix(component, platform_->components));
      continue;
    }
    if (!node.is_string()) {
      ReportWrongType(node, component, "a string", sink_);
      continue;
    }
    const std::string& version = node.as_string()->get();
    if (CheckValue(version, PosOf(node), sink_)) c->software[component] = version;
  }
}

void ClusterLoader::ReadSettings(const toml::table& t, std::map<std::string, std::string>* out) {
  std::vector<std::string> known =
      platform_ ? KnownSettings(*platform_) : std::vector<std::string>{};
  for (auto&& [key, node] : t) {
    std::string name(key.str());
    if (!CheckIdentifier(name, PosOf(key), sink_)) continue;
    if (platform_ && std::find(known.begin(), known.end(), name) == known.end()) {
      std::string hint = DidYouMeanSuffix(name, known);
      if (hint.empty())
        hint = " (a setting needs fact 'setting." + name + "' and action 'set." + name + "')";
      sink_->Error(PosOf(key), "platform " + QuoteForMessage(platform_->name) + " has no setting " +
                                   QuoteForMessage(name) + hint);
      continue;
    }
    std::string value;
    if (ReadSettingValue(node, name, &value, sink_)) (*out)[name] = value;
  }
}

void ClusterLoader::ReadMembers(const toml::array& members, Cluster* c) {
  if (members.empty()) sink_->Error(PosOf(members), "the cluster has no members");
  for (const toml::node& node : members) {
    if (!node.is_table()) {
      ReportWrongType(node, "member", "a table", sink_);
      continue;
    }
    c->members.emplace_back();
    ReadMember(*node.as_table(), &c->members.back());
  }
}

void ClusterLoader::ReadMember(const toml::table& t, Member* m) {
  TableReader r(t, "[[member]]", sink_);
  // An unsafe name is kept: groups naming it then find it, and the one
  // mistake is reported once.
  if (r.String("name", &m->name, Need::kRequired)) CheckIdentifier(m->name, r.PosOf("name"), sink_);
  r.Value("host", &m->host, Need::kRequired);
  int port = 0;
  if (r.Int("port", 1, 65535, &port)) m->port = port;
  std::string user;
  if (r.Value("user", &user)) m->user = user;
  r.Int("site", 1, kNoLimit, &m->site);
  if (const toml::table* s = r.Table("settings")) ReadSettings(*s, &m->settings);
  r.ReportUnknownKeys();
  m->pos = r.PosOf("name");
  member_src_.push_back({r.PosOf("name"), r.PosOf("host"), r.PosOf("site")});
}

void ClusterLoader::ReadHa(const toml::table& t, Cluster* c) {
  TableReader r(t, "[ha]", sink_);
  r.Int("min_serving", 0, kNoLimit, &c->ha.min_serving);
  r.Int("max_unavailable", 1, kNoLimit, &c->ha.max_unavailable);
  if (const toml::array* groups = r.Array("groups")) ReadGroups(*groups, c);
  r.Bool("allow_disruption", &c->ha.allow_disruption);
  r.ReportUnknownKeys();
}

void ClusterLoader::ReadGroups(const toml::array& groups, Cluster* c) {
  std::set<std::string> grouped;
  for (const toml::node& group : groups) {
    std::vector<std::string> names;
    ReadGroup(group, *c, &grouped, &names);
    c->ha.groups.push_back(std::move(names));
  }
}

void ClusterLoader::ReadGroup(const toml::node& group, const Cluster& c,
                              std::set<std::string>* grouped, std::vector<std::string>* out) {
  if (!group.is_array()) {
    ReportWrongType(group, "groups", "an array of member names", sink_);
    return;
  }
  if (group.as_array()->empty()) sink_->Error(PosOf(group), "empty group");
  std::vector<std::string> members;
  for (const Member& m : c.members) members.push_back(m.name);
  for (const toml::node& node : *group.as_array()) {
    if (!node.is_string()) {
      ReportWrongType(node, "groups", "a member name", sink_);
      continue;
    }
    const std::string& name = node.as_string()->get();
    if (!c.FindMember(name)) {
      sink_->Error(PosOf(node), "group names " + QuoteForMessage(name) +
                                    ", which is not a member of this cluster" +
                                    DidYouMeanSuffix(name, members));
    } else if (!grouped->insert(name).second) {
      sink_->Error(PosOf(node), "member " + QuoteForMessage(name) + " is in more than one group");
    } else {
      out->push_back(name);
    }
  }
}

void ClusterLoader::CheckDuplicateMembers(const Cluster& c) {
  auto port = [&](const Member& m) { return m.port.value_or(fleet_.config.ssh.port); };
  for (size_t i = 0; i < c.members.size(); ++i) {
    const Member& m = c.members[i];
    for (size_t j = 0; j < i; ++j) {
      const Member& first = c.members[j];
      if (!m.name.empty() && m.name == first.name) {
        sink_->Error(member_src_[i].name, "duplicate member " + QuoteForMessage(m.name) +
                                              "; first defined at " +
                                              Location(member_src_[j].name));
        break;
      }
      if (!m.host.empty() && m.host == first.host && port(m) == port(first)) {
        sink_->Error(member_src_[i].host, "member " + QuoteForMessage(m.name) +
                                              " has the same host and port as member " +
                                              QuoteForMessage(first.name) + " (" + m.host + ":" +
                                              std::to_string(port(m)) + ")");
        break;
      }
    }
  }
}

void ClusterLoader::CheckLimits(const Cluster& c) {
  if (!platform_) return;
  const int max = platform_->max_members, per_site = platform_->max_members_per_site;
  if (max > 0 && static_cast<int>(c.members.size()) > max) {
    sink_->Error(member_src_[static_cast<size_t>(max)].name,
                 "cluster " + QuoteForMessage(c.name) + " has " + std::to_string(c.members.size()) +
                     " members; platform " + QuoteForMessage(platform_->name) + " allows at most " +
                     std::to_string(max));
  }
  if (per_site <= 0) return;
  std::map<int, int> count;
  for (size_t i = 0; i < c.members.size(); ++i) {
    int site = c.members[i].site;
    if (site == 0 || ++count[site] != per_site + 1) continue;
    int total = static_cast<int>(std::count_if(c.members.begin(), c.members.end(),
                                               [&](const Member& m) { return m.site == site; }));
    sink_->Error(member_src_[i].site, "site " + std::to_string(site) + " has " +
                                          std::to_string(total) + " members; platform " +
                                          QuoteForMessage(platform_->name) + " allows at most " +
                                          std::to_string(per_site) + " per site");
  }
}

// ---------------------------------------------------------------- the fleet

class FleetLoader {
 public:
  explicit FleetLoader(const FleetFiles& files) : files_(files) {}

  LoadResult Load(const std::vector<SourceFile>& builtins);

 private:
  DiagSink* SinkFor(const SourceFile& file);
  std::vector<const SourceFile*> FilesIn(std::string_view dir) const;
  void AddPlatform(const SourceFile& file);
  void LoadConfig(const SourceFile& file);
  void ReadSsh(const toml::table& t, SshConfig* ssh, DiagSink* sink);
  void ReadRollout(const toml::table& t, RolloutConfig* rollout, DiagSink* sink);
  void LoadCluster(const SourceFile& file);
  void CheckDuplicateClusters();
  std::vector<Diagnostic> Errors();

  const FleetFiles& files_;
  Fleet fleet_;
  std::deque<DiagSink> sinks_;  // in the order the files were read
  std::map<std::string, DiagSink*> sink_by_path_;
};

LoadResult FleetLoader::Load(const std::vector<SourceFile>& builtins) {
  for (const SourceFile& f : builtins) AddPlatform(f);
  for (const SourceFile* f : FilesIn("platforms")) AddPlatform(*f);
  for (const SourceFile& f : files_.files)
    if (f.path == "harc.toml") LoadConfig(f);
  for (const SourceFile* f : FilesIn("clusters")) LoadCluster(*f);
  CheckDuplicateClusters();
  // Only against a whole fleet: a cluster file that did not load names no cluster.
  auto config = sink_by_path_.find("harc.toml");
  bool whole = fleet_.clusters.size() == FilesIn("clusters").size() &&
               std::none_of(fleet_.clusters.begin(), fleet_.clusters.end(),
                            [](const Cluster& c) { return c.name.empty(); });
  if (config != sink_by_path_.end() && whole) CheckGitopsClusters(fleet_, config->second);
  std::stable_sort(fleet_.clusters.begin(), fleet_.clusters.end(),
                   [](const Cluster& a, const Cluster& b) { return a.name < b.name; });
  fleet_.commit = files_.commit;
  LoadResult result;
  result.errors = Errors();
  result.fleet = std::move(fleet_);
  return result;
}

DiagSink* FleetLoader::SinkFor(const SourceFile& file) {
  DiagSink& sink = sinks_.emplace_back();
  sink.SetSource(file.path, file.text);
  sink_by_path_[file.path] = &sink;
  return &sink;
}

std::vector<const SourceFile*> FleetLoader::FilesIn(std::string_view dir) const {
  std::vector<const SourceFile*> out;
  for (const SourceFile& f : files_.files)
    if (IsTomlIn(f.path, dir)) out.push_back(&f);
  std::sort(out.begin(), out.end(),
            [](const SourceFile* a, const SourceFile* b) { return a->path < b->path; });
  return out;
}

// A repo platform replaces a built-in of the same name.
void FleetLoader::AddPlatform(const SourceFile& file) {
  Platform p;
  LoadPlatform(file, &p, SinkFor(file));
  if (!p.name.empty()) fleet_.platforms[p.name] = std::move(p);
}

void FleetLoader::LoadConfig(const SourceFile& file) {
  DiagSink* sink = SinkFor(file);
  std::optional<toml::table> root = ParseToml(file, sink);
  if (!root) return;
  TableReader r(*root, "", sink);
  if (const toml::table* t = r.Table("ssh")) ReadSsh(*t, &fleet_.config.ssh, sink);
  if (const toml::table* t = r.Table("rollout")) ReadRollout(*t, &fleet_.config.rollout, sink);
  if (const toml::table* t = r.Table("gitops"))
    ReadGitops(*t, fleet_.config.rollout.waves, &fleet_.config.gitops, sink);
  r.ReportUnknownKeys();
}

void FleetLoader::ReadSsh(const toml::table& t, SshConfig* ssh, DiagSink* sink) {
  TableReader r(t, "[ssh]", sink);
  r.Value("user", &ssh->user);
  r.Int("port", 1, 65535, &ssh->port);
  r.String("identity", &ssh->identity);
  r.String("known_hosts", &ssh->known_hosts);
  r.Duration("connect_timeout", 1, &ssh->connect_timeout_ms);
  r.Duration("command_timeout", 1, &ssh->command_timeout_ms);
  r.Duration("gather_timeout", 1, &ssh->gather_timeout_ms);
  r.ReportUnknownKeys();
}

void FleetLoader::ReadRollout(const toml::table& t, RolloutConfig* rollout, DiagSink* sink) {
  TableReader r(t, "[rollout]", sink);
  r.IdentifierArray("waves", &rollout->waves);
  r.Int("max_parallel_clusters", 1, 1000, &rollout->max_parallel_clusters);
  r.Int("max_failed_clusters", 1, 1000, &rollout->max_failed_clusters);
  r.ReportUnknownKeys();
}

void FleetLoader::LoadCluster(const SourceFile& file) {
  DiagSink* sink = SinkFor(file);
  std::optional<toml::table> root = ParseToml(file, sink);
  if (!root) return;
  Cluster& c = fleet_.clusters.emplace_back();
  c.file = file.path;
  ClusterLoader(fleet_, sink).Load(*root, &c);
}

// Clusters are still in file order here, so the second of two is the later file.
void FleetLoader::CheckDuplicateClusters() {
  std::map<std::string, const Cluster*> first;
  for (const Cluster& c : fleet_.clusters) {
    if (c.name.empty()) continue;
    auto [it, inserted] = first.emplace(c.name, &c);
    if (inserted) continue;
    sink_by_path_[c.file]->Error(c.pos, "duplicate cluster " + QuoteForMessage(c.name) +
                                            "; first defined at " + Location(it->second->pos));
  }
}

std::vector<Diagnostic> FleetLoader::Errors() {
  std::vector<Diagnostic> out;
  for (DiagSink& sink : sinks_) {
    std::vector<Diagnostic> diags = sink.Take();
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.pos.line, a.pos.col) < std::pair(b.pos.line, b.pos.col);
    });
    for (Diagnostic& d : diags) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

LoadResult LoadFleet(const FleetFiles& files, const std::vector<SourceFile>& builtin_platforms) {
  return FleetLoader(files).Load(builtin_platforms);
}

}  // namespace harc
