// The GitOps policy, harc.toml [gitops]: which clusters `harc watch` may apply
// a new commit to, and which it may bring back to git when a scheduled drift
// report finds them changed behind its back. Every other cluster is planned
// and reported, never changed without a person. The most specific entry
// wins, key by key: [gitops.cluster.<name>], then [gitops.wave.<name>], then
// the [gitops] defaults (both false).
//
//   [gitops]
//   auto_apply = false
//   [gitops.wave.canary]
//   auto_apply = true
//   [gitops.cluster.lb-edge]
//   auto_apply = true
//   auto_correct = true
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "compiler/diag.h"
#include "compiler/model.h"

namespace harc {

GitopsPolicy PolicyFor(const GitopsConfig& config, const Cluster& cluster);

// Reads the [gitops] table into *out. A wave must be one of `waves` (harc.toml
// [rollout] waves); cluster names are checked by CheckGitopsClusters once the
// clusters are loaded. Every error goes to `sink`.
void ReadGitops(const toml::table& table, const std::vector<std::string>& waves,
                GitopsConfig* out, DiagSink* sink);

// Reports each [gitops.cluster.<name>] that names no cluster of `fleet`.
void CheckGitopsClusters(const Fleet& fleet, DiagSink* sink);

}  // namespace harc
