// A drift report with a cluster of each status and a difference of each
// class, for the renderers' tests. Tests only.
#pragma once

#include "compiler/drift.h"

namespace harc::testing {

inline DriftReport SampleDriftReport() {
  DriftReport r;
  r.commit = "3f2a9c1d07be55aa";
  r.checked_at = "2026-01-12T10:31:02Z";
  ClusterDrift east{"gw-east", "maestro", "default", DriftStatus::kDrifted, {}, {}};
  east.items = {
      {DriftClass::kVersion, "hotfix",
       {{"east-1a", "R81.20_T89", "R81.20_T88"}, {"east-2a", "R81.20_T89", "R81.20_T88"},
        {"east-2b", "R81.20_T89", ""}}},
      {DriftClass::kMembership, "missing", {{"east-3a", "true", "false"}}},
      {DriftClass::kSetting, "image_cloning", {{"east-1a", "on", "off"}}},
      {DriftClass::kRole, "down", {{"east-1b", "", "down"}}},
      {DriftClass::kDivergence, "sync", {{"east-2a", "true", "false"}}},
  };
  ClusterDrift lab{"gw-lab", "maestro", "canary", DriftStatus::kUnobservable, {}, {}};
  lab.unobservable = {"lab-2: connect: timed out after 10s"};
  lab.items = {{DriftClass::kRole,
                "multiple-active",
                {{"lab-1", "", "active"}, {"lab-3", "", "active"}}}};
  ClusterDrift dc{"fw-dc", "dual-chassis", "default", DriftStatus::kInSync, {}, {}};
  ClusterDrift lb{"lb-edge", "linux", "default", DriftStatus::kDrifted, {}, {}};
  lb.items = {
      {DriftClass::kMembership, "extra", {{"lb-3", "false", "true"}}},
      {DriftClass::kRole, "no-serving", {{"lb-1", "", "standby"}, {"lb-2", "", "down"}}},
      {DriftClass::kDivergence, "version.keepalived",
       {{"lb-1", "", "2.2.7"}, {"lb-2", "", "2.2.8"}, {"lb-3", "", "2.2.7"}}},
  };
  ClusterDrift db{"pcmk-db", "pacemaker", "canary", DriftStatus::kInSync, {}, {}};
  r.clusters = {dc, east, lab, lb, db};
  return r;
}

}  // namespace harc::testing
