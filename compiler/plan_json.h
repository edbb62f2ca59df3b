// The saved plan (harc.plan/v1): canonical JSON, so the same plan always has
// the same bytes and the same hash. `plan -o` writes it; `apply plan.json` reads
// it back and re-checks each cluster's fingerprint against the live state.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "compiler/plan.h"

namespace harc {

// Canonical JSON with "format", "commit", "hash" and the clusters.
std::string PlanToJson(const Plan& plan);

// REQUIRES: nothing; any text. Returns false with *error naming the JSON path
// on a malformed plan (unknown key, wrong type, unknown action or status), a
// wrong format version, a hash that does not match the content, or a cluster
// whose fingerprint is not FactsFingerprint(depends_on). *out is set only on
// success.
bool PlanFromJson(std::string_view text, Plan* out, std::string* error);

// sha256 hex of the canonical JSON of everything but the hash itself.
std::string PlanHash(const Plan& plan);

// sha256 hex over member/fact/value triples, in order: each member as netstrings
// of its name and fact count, then of each fact and value. Unambiguous: no two
// different maps encode alike, and a member with no facts still counts.
std::string FactsFingerprint(
    const std::map<std::string, std::map<std::string, std::string>>& facts);

}  // namespace harc
