// Drift: where the live fleet has wandered from what its repository declares,
// as a report for people and schedules (`harc drift`, `harc watch
// --drift-every`), not a plan. Pure: the desired fleet and the observed state
// in, a DriftReport out; drift_json.h, drift_text.h and drift_markdown.h
// render it.
//
// Per cluster: in sync; drifted, with every difference by class, naming the
// members and their values; or unobservable, naming who could not be seen and
// why. An unobservable cluster still reports the differences found among the
// members that were seen whole, except "no serving member", which a member not
// seen could disprove.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/model.h"

namespace harc {

enum class DriftClass {
  kVersion,     // a member runs another version of a component than declared
  kMembership,  // a member in the cluster that is not declared, or declared and not in it
  kSetting,     // a member's setting is not its declared value
  kRole,        // no member serves; several actives where the platform has one; a member down
  kDivergence,  // members that should match do not (where the file declares nothing)
};

// "version", "membership", "setting", "role", "divergence".
const char* DriftClassName(DriftClass c);

// One member's side of a difference. Values are facts as gathered; "" where
// the file declares no value (desired) or none was observed (observed).
struct DriftValue {
  std::string member;
  std::string desired;
  std::string observed;
};

// Subjects of membership, role and divergence differences, with the values
// their members carry.
inline constexpr std::string_view kExtraMember = "extra";      // in_cluster: desired false, is true
inline constexpr std::string_view kMissingMember = "missing";  // in_cluster: desired true, is false
inline constexpr std::string_view kNoServing = "no-serving";   // every member, with its role
inline constexpr std::string_view kMultipleActive = "multiple-active";  // the actives
inline constexpr std::string_view kMemberDown = "down";  // in the cluster, out of service
inline constexpr std::string_view kNotInSync = "sync";   // sync: desired true, is false

struct DriftItem {
  DriftClass cls = DriftClass::kVersion;
  // What differs:
  //   version:    the component ("hotfix")
  //   setting:    the setting ("preempt")
  //   membership: kExtraMember | kMissingMember
  //   role:       kNoServing | kMultipleActive | kMemberDown
  //   divergence: "version.<component>" or "setting.<name>" that nothing in
  //               the file declares and in-cluster members disagree on (each
  //               with its value), or kNotInSync (members in service whose
  //               configuration is not in sync with their peers)
  std::string subject;
  std::vector<DriftValue> members;  // by member name
};

enum class DriftStatus { kInSync, kDrifted, kUnobservable };

// "in-sync", "drifted", "unobservable".
const char* DriftStatusName(DriftStatus s);
std::optional<DriftStatus> ParseDriftStatus(std::string_view s);

struct ClusterDrift {
  std::string cluster;
  std::string platform;
  std::string wave;
  DriftStatus status = DriftStatus::kInSync;
  std::vector<DriftItem> items;           // by class, then subject
  std::vector<std::string> unobservable;  // "m1: connect: timed out", one per problem
};

struct DriftReport {
  static constexpr const char* kFormat = "harc.drift/v1";
  std::string commit;      // the fleet's commit, "" for a working tree
  std::string checked_at;  // RFC 3339, set by the caller (the compiler has no clock)
  std::vector<ClusterDrift> clusters;  // by name

  // Unobservable if any cluster is, else drifted if any is, else in sync.
  DriftStatus Status() const;
  size_t Count(DriftStatus s) const;
};

// Compares one cluster with what was observed of it (nullptr: nothing).
ClusterDrift CompareCluster(const Cluster& c, const Platform& p, const ObservedCluster* observed);

// Compares the clusters named in `clusters` (all when empty), by name.
// REQUIRES: fleet was loaded without errors, so every cluster's platform exists.
DriftReport CompareFleet(const Fleet& fleet, const ObservedFleet& observed,
                         const std::vector<std::string>& clusters);

// One line for a journal or a list: "version hotfix on east-1a, east-2a; role
// down on east-1b" ("" when nothing differs).
std::string DriftOneLine(const ClusterDrift& c);

}  // namespace harc
