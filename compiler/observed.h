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
// problem found, in the order of the text, each at its line:col and naming the
// JSON path ("clusters.fw-east.members.m1.facts.role: expected a string, got
// number"). Strict: unknown and duplicate keys, wrong types, cluster and member
// names that are not safe identifiers, and an unreachable member with facts or
// without an error are all errors; a wrong "format" is the only error reported.
// Members come out sorted by name. *out is set only on success.
bool ParseObserved(std::string_view text, const std::string& file, ObservedFleet* out,
                   std::vector<Diagnostic>* errors);

// Canonical JSON (sorted keys, 2-space indent, trailing newline). "error" is
// written only when set, "facts" only for a reachable member; bytes that are
// not UTF-8 become U+FFFD.
std::string ObservedToJson(const ObservedFleet& observed);

}  // namespace harc
