#include "tests/sandbox/sim/audit.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

namespace harc::sim {
namespace {

using nlohmann::json;

bool Bad(const json& r) {
  return r.value("serving", 0) < r.value("min_serving", 1) || r.value("active", 0) == 0;
}

// At most one member is still in the cluster: the others left.
bool OthersLeft(const json& r) {
  int in = 0;
  for (const auto& [name, state] : r.at("members").items()) in += state != "out" ? 1 : 0;
  return in <= 1;
}

std::string ActiveSet(const json& r) {
  std::string s;
  for (const auto& [name, state] : r.at("members").items())
    if (state == "active") s += name + ",";
  return s;
}

// The outages of one cluster, from its availability records in time order.
void ClusterOutages(const std::string& cluster, const std::vector<json>& recs,
                    const ClusterPolicy& policy, AuditReport* out) {
  std::optional<Outage> open;
  std::string last_active;
  for (const json& r : recs) {
    Time t = r.value("t", 0.0);
    std::string active = ActiveSet(r);
    if (!last_active.empty() && !active.empty() && active != last_active && t >= out->since)
      ++out->active_moves[cluster];
    if (!active.empty()) last_active = active;
    if (!Bad(r)) {
      if (open) {
        open->to = t;
        if (t >= out->since) out->outages.push_back(*open);
        open.reset();
      }
      continue;
    }
    if (!open) {
      open = Outage{cluster, t, std::nullopt, r.value("min_serving", 1), r.value("serving", 0),
                    r.value("active", 0), "outage", false, r.value("cause", "")};
      if (policy.strategy == "leave-update-join" && OthersLeft(r)) {
        open->kind = "disruptive-update";
        open->allowed = policy.allow_disruption;
      }
    }
    open->lowest_serving = std::min(open->lowest_serving, r.value("serving", 0));
    open->lowest_active = std::min(open->lowest_active, r.value("active", 0));
  }
  if (open) out->outages.push_back(*open);
}

}  // namespace

bool AuditReport::NoOutage() const {
  return std::all_of(outages.begin(), outages.end(), [](const Outage& o) { return o.allowed; });
}

std::string Iso(Time t) {
  time_t secs = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>((t - secs) * 1000));
  return out;
}

AuditReport BuildReport(const std::vector<json>& records,
                        const std::map<std::string, ClusterPolicy>& policies, Time since) {
  AuditReport report;
  report.since = since;
  std::map<std::string, std::vector<json>> availability;
  for (const json& r : records) {
    std::string type = r.value("type", "");
    if (type == "availability") availability[r.value("cluster", "")].push_back(r);
    if (type != "command" || r.value("t", 0.0) < since) continue;
    ++report.commands;
    if (r.value("mutating", false)) report.mutating.push_back(r);
  }
  for (auto& [cluster, recs] : availability) {
    std::stable_sort(recs.begin(), recs.end(), [](const json& a, const json& b) {
      return a.value("t", 0.0) < b.value("t", 0.0);
    });
    auto p = policies.find(cluster);
    ClusterOutages(cluster, recs, p == policies.end() ? ClusterPolicy{} : p->second, &report);
  }
  return report;
}

std::string FormatReport(const AuditReport& r) {
  std::string out = std::to_string(r.commands) + " commands received, " +
                    std::to_string(r.mutating.size()) + " mutating\n";
  if (r.outages.empty()) out += "outages: none\n";
  for (const Outage& o : r.outages) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s %s: %s .. %s (%.3fs): serving %d (min %d), active %d; began with %s%s\n",
                  o.kind.c_str(), o.cluster.c_str(), Iso(o.from).c_str(),
                  o.to ? Iso(*o.to).c_str() : "ongoing", o.to ? *o.to - o.from : 0.0,
                  o.lowest_serving, o.min_serving, o.lowest_active, o.cause.c_str(),
                  o.allowed ? " (allowed: the cluster allows disruption)" : "");
    out += line;
  }
  for (const auto& [cluster, n] : r.active_moves)
    out += "active role moved " + std::to_string(n) + " time(s) in " + cluster + "\n";
  for (const json& c : r.mutating)
    out += "mutating: " + Iso(c.value("t", 0.0)) + " " + c.value("cluster", "") + "/" +
           c.value("member", "") + ": " + c.value("command", "") + "\n";
  return out;
}

json ReportJson(const AuditReport& r) {
  json outages = json::array();
  for (const Outage& o : r.outages)
    outages.push_back({{"cluster", o.cluster}, {"from", o.from},
                       {"to", o.to ? json(*o.to) : json(nullptr)},
                       {"duration", o.to ? json(*o.to - o.from) : json(nullptr)},
                       {"min_serving", o.min_serving}, {"lowest_serving", o.lowest_serving},
                       {"lowest_active", o.lowest_active}, {"kind", o.kind},
                       {"allowed", o.allowed}, {"cause", o.cause}});
  return {{"since", r.since},           {"commands", r.commands},
          {"outages", outages},         {"no_outage", r.NoOutage()},
          {"mutating", r.mutating},     {"active_moves", r.active_moves}};
}

}  // namespace harc::sim
