// The drift report as JSON, harc.drift/v1 (schemas/drift.schema.json), for
// schedules, dashboards and tickets. Keys are sorted and every key is always
// present, so the same report has the same bytes and a consumer never meets a
// missing key:
//
//   {"checked_at": "2026-01-12T10:31:02Z", "clusters": [
//      {"cluster": "gw-east", "platform": "maestro", "wave": "default",
//       "status": "drifted", "unobservable": [],
//       "drift": [{"class": "version", "subject": "hotfix",
//                  "members": [{"member": "east-1a", "desired": "R81.20_T89",
//                               "observed": "R81.20_T88"}]}]}],
//    "commit": "", "format": "harc.drift/v1", "status": "drifted",
//    "summary": {"drifted": 1, "in_sync": 0, "unobservable": 0}}
//
// A new key or class is a new format version; bytes that are not UTF-8 (from
// a device) are replaced with U+FFFD.
#pragma once

#include <string>

#include "compiler/drift.h"

namespace harc {

std::string DriftToJson(const DriftReport& report);

// One cluster's object of the report, on one line: what the journal keeps.
std::string ClusterDriftToJson(const ClusterDrift& cluster);

}  // namespace harc
