#include "compiler/gitops.h"

#include <algorithm>

#include "compiler/toml_reader.h"

namespace harc {
namespace {

void Override(const GitopsOverride& o, GitopsPolicy* p) {
  if (o.auto_apply) p->auto_apply = *o.auto_apply;
  if (o.auto_correct) p->auto_correct = *o.auto_correct;
}

void ReadOverride(const toml::node& node, const std::string& where, GitopsOverride* out,
                  DiagSink* sink) {
  const toml::table* t = node.as_table();
  if (!t) {
    sink->Error(PosOf(node), "wrong type for " + where + ": expected a table, found " +
                                 TypeName(node.type()));
    return;
  }
  TableReader r(*t, where, sink);
  bool v = false;
  if (r.Bool("auto_apply", &v)) out->auto_apply = v;
  if (r.Bool("auto_correct", &v)) out->auto_correct = v;
  r.ReportUnknownKeys();
}

// The entries of [gitops.<kind>]: one table per wave or cluster name. With
// `known`, a name must be one of them.
void ReadOverrides(const toml::table& t, const std::string& kind,
                   const std::vector<std::string>* known,
                   std::map<std::string, GitopsOverride>* out, DiagSink* sink) {
  for (auto&& [key, node] : t) {
    std::string name(key.str());
    SourcePos pos = PosOf(key);
    if (!CheckIdentifier(name, pos, sink)) continue;
    if (known && std::find(known->begin(), known->end(), name) == known->end()) {
      sink->Error(pos, "wave " + QuoteForMessage(name) + " is not in rollout.waves" +
                           DidYouMeanSuffix(name, *known));
      continue;
    }
    GitopsOverride& o = (*out)[name];
    o.pos = pos;
    ReadOverride(node, "[gitops." + kind + "." + TomlKey(name) + "]", &o, sink);
  }
}

}  // namespace

GitopsPolicy PolicyFor(const GitopsConfig& config, const Cluster& cluster) {
  GitopsPolicy p = config.defaults;
  if (auto w = config.waves.find(cluster.wave); w != config.waves.end()) Override(w->second, &p);
  if (auto c = config.clusters.find(cluster.name); c != config.clusters.end())
    Override(c->second, &p);
  return p;
}

void ReadGitops(const toml::table& table, const std::vector<std::string>& waves,
                GitopsConfig* out, DiagSink* sink) {
  TableReader r(table, "[gitops]", sink);
  r.Bool("auto_apply", &out->defaults.auto_apply);
  r.Bool("auto_correct", &out->defaults.auto_correct);
  if (const toml::table* t = r.Table("wave")) ReadOverrides(*t, "wave", &waves, &out->waves, sink);
  if (const toml::table* t = r.Table("cluster"))
    ReadOverrides(*t, "cluster", nullptr, &out->clusters, sink);
  r.ReportUnknownKeys();
}

void CheckGitopsClusters(const Fleet& fleet, DiagSink* sink) {
  std::vector<std::string> names;
  for (const Cluster& c : fleet.clusters) names.push_back(c.name);
  for (const auto& [name, o] : fleet.config.gitops.clusters)
    if (!fleet.FindCluster(name))
      sink->Error(o.pos, "[gitops.cluster." + TomlKey(name) + "] names no cluster of the fleet" +
                             DidYouMeanSuffix(name, names));
}

}  // namespace harc
