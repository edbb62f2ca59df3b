// The observed-state file: what gathering saw, as JSON (harc.observed/v1).
// `harc snapshot` writes it, `--observed` reads it. Format:
//   {"format": "harc.observed/v1", "gathered_at": "2026-11-23T10:00:00Z",
//    "clusters": {"fw-east": {"members": {
//        "m1": {"host": "10.1.0.11", "reachable": true,
//               "facts": {"role": "active", "in_cluster": "true",
//                         "version.hotfix": "R81.20_T88"}},
//        "m2": {"host": "10.1.0.12", "reachable": false,
//               "error": "connect: timed out after 10s"}}}}}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag.h"
#include "compiler/model.h"

namespace harc {

// Parses `text` (named `file` in errors). On error returns false with every
// problem found, each naming the JSON path ("clusters.fw-east.members.m1.facts").
bool ParseObserved(std::string_view text, const std::string& file, ObservedFleet* out,
                   std::vector<Diagnostic>* errors);

// Canonical JSON (sorted keys, 2-space indent, trailing newline).
std::string ObservedToJson(const ObservedFleet& observed);

}  // namespace harc
