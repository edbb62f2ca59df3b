// The drift report as people read it in a terminal: a header per cluster with
// its status, then one line per difference that reads as a sentence, then a
// summary:
//
//   fw-dc (dual-chassis, wave default): in sync
//
//   gw-east (maestro, wave default): DRIFTED
//     version     hotfix: R81.20_T88 on east-1a, east-2a (declared R81.20_T89)
//     role        down: east-1b out of service
//
//   gw-lab (maestro, wave canary): UNOBSERVABLE
//     not observed: lab-2: connect: timed out after 10s
//     setting     image_cloning: off on lab-1 (declared on)
//
//   Drift: 1 cluster drifted, 1 in sync, 1 unobservable.
//
// Clusters by name; a blank line separates blocks of several lines (one-line
// in-sync clusters run together) and the summary. Problems are in capitals so
// they stand out without colour; with `colour`, ANSI colours mark the status
// and the classes too. Control bytes in any value are shown as \xNN.
// drift_text_test.cc pins the format.
#pragma once

#include <string>

#include "compiler/drift.h"

namespace harc {

std::string RenderDriftText(const DriftReport& report, bool colour);

}  // namespace harc
