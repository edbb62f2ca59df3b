// Reading the audit log back: outages and mutating commands.
//
// The log (audit.jsonl, one JSON object a line) holds records of type
//   command       every command a member received: t, time, cluster, member,
//                 address, client, command (raw), parts, mutating, exit
//   availability  each change of a cluster's availability: t, cluster,
//                 serving, active, min_serving, members {name: active |
//                 standby | down | out}, cause
//   transition    what the cluster did and when: t, cluster, member, what
//   fault         a fault set or cleared: t, cluster, member, faults
//   start / stop  the sandbox started or stopped
// t is seconds since the epoch (fractional); a transition that became due at
// t0+d is recorded at t0+d whenever it was materialised.
//
// An outage is an interval in which a cluster had fewer serving members than
// its min_serving, or no active member. One that began while every other
// member had left a leave-update-join cluster is a "disruptive-update" (the
// TMS zl master's update), allowed when the cluster allows disruption.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/sandbox/sim/cluster_state.h"

namespace harc::sim {

struct ClusterPolicy {
  std::string strategy;
  bool allow_disruption = false;
};

struct Outage {
  std::string cluster;
  Time from = 0;
  std::optional<Time> to;  // none: still going on
  int min_serving = 0;
  int lowest_serving = 0;
  int lowest_active = 0;
  std::string kind;        // "outage" | "disruptive-update"
  bool allowed = false;    // a disruptive update of a cluster that allows it
  std::string cause;       // what started it
};

struct AuditReport {
  Time since = 0;
  int commands = 0;
  std::vector<Outage> outages;
  std::vector<nlohmann::json> mutating;         // the command records
  std::map<std::string, int> active_moves;      // cluster -> times the active changed
  bool NoOutage() const;                        // none that is not allowed
};

// Builds the report from the log's records, counting what happened at or
// after `since` (an outage that was going on at `since` counts).
AuditReport BuildReport(const std::vector<nlohmann::json>& records,
                        const std::map<std::string, ClusterPolicy>& policies, Time since);

std::string FormatReport(const AuditReport& r);
nlohmann::json ReportJson(const AuditReport& r);

// 2026-11-23T10:00:00.123Z
std::string Iso(Time t);

}  // namespace harc::sim
