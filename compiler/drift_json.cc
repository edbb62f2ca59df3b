#include "compiler/drift_json.h"

#include <nlohmann/json.hpp>

namespace harc {

namespace {

using nlohmann::json;

std::string Dump(const json& doc, int indent) {
  return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

json ItemToJson(const DriftItem& item) {
  json members = json::array();
  for (const DriftValue& v : item.members)
    members.push_back({{"member", v.member}, {"desired", v.desired}, {"observed", v.observed}});
  return {{"class", DriftClassName(item.cls)}, {"subject", item.subject}, {"members", members}};
}

json ClusterToJson(const ClusterDrift& c) {
  json drift = json::array();
  for (const DriftItem& item : c.items) drift.push_back(ItemToJson(item));
  return {{"cluster", c.cluster},
          {"platform", c.platform},
          {"wave", c.wave},
          {"status", DriftStatusName(c.status)},
          {"drift", drift},
          {"unobservable", c.unobservable}};
}

}  // namespace

std::string DriftToJson(const DriftReport& r) {
  json clusters = json::array();
  for (const ClusterDrift& c : r.clusters) clusters.push_back(ClusterToJson(c));
  json doc = {{"format", DriftReport::kFormat},
              {"commit", r.commit},
              {"checked_at", r.checked_at},
              {"status", DriftStatusName(r.Status())},
              {"summary",
               {{"in_sync", r.Count(DriftStatus::kInSync)},
                {"drifted", r.Count(DriftStatus::kDrifted)},
                {"unobservable", r.Count(DriftStatus::kUnobservable)}}},
              {"clusters", clusters}};
  return Dump(doc, 2) + "\n";
}

std::string ClusterDriftToJson(const ClusterDrift& cluster) {
  return Dump(ClusterToJson(cluster), -1);
}

}  // namespace harc
