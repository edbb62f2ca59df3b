// The plan as people read it in a terminal: per cluster, each step with its
// member, action, reason and serving count before -> after; refusals with the
// step and rule; unobservable members with why.
#pragma once

#include <string>

#include "compiler/plan.h"

namespace harc {

// Per cluster, in plan order, a block; a blank line between blocks (one-line
// in-sync clusters run together); then the summary:
//
//   fw-east (dual-chassis, wave canary): changes: 6 steps, 1 DISRUPTIVE
//     3. drain    m2                       serving 1       take m2 out of service
//        $ clusterXL_admin down
//        until role = down (2m, stable 10s)
//     4. install  hotfix R81.20_T89 on m2  serving 1       m2 runs R81.20_T88
//     ...
//   pair (tms-zl, wave default): UNSAFE
//     refused at step 3: rule min-serving: 0 members would serve; needs 1
//     3. drain    m2  serving 1 -> 0  take m2 out of service before its upgrade
//   sg-west (serviceguard, wave default): UNOBSERVABLE
//     n1: connect: timed out after 10s
//   quiet (linux, wave default): in sync
//
//   Plan: 1 cluster to change (6 steps), 1 in sync, 1 unsafe, 1 unobservable.
//
// (Blank lines between blocks left out here.) Plain text, no colour; control
// bytes in any field are shown as \xNN. plan_text_test.cc pins the format.
std::string RenderPlanText(const Plan& plan);

}  // namespace harc
