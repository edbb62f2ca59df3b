// What `harc apply` and `harc watch` share to carry a plan out: the run itself — the rollout (rollout.h) as one journaled run under
// SIGINT/SIGTERM handling. Neither a terminal nor a confirmation is involved:
// deciding what to apply is the caller's.
//
// SIGINT/SIGTERM during the rollout: the command being sent is never cut off;
// each running cluster finishes the step it is on and holds, leases are
// released and the run is journaled "interrupted". A second signal also
// stops waiting for the current step's condition. Outside the rollout the
// caller's own handlers are in place (they are restored after it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "reconciler/clock.h"
#include "reconciler/command.h"
#include "reconciler/journal.h"
#include "reconciler/rollout.h"
#include "reconciler/transport.h"

namespace harc {

// Carries `plan` out as one run of `journal`: BeginRun, the rollout with
// harc.toml's waves and limits reporting to `observer`, EndRun with its
// result. Fills *result and *run_id. False (after printing why) when the
// run could not be begun; nothing was done then.
bool RunJournaled(const Options& o, const Fleet& fleet, const Plan& plan, Transport& transport,
                  Journal& journal, Clock& clock, ApplyObserver* observer, Console& io,
                  RolloutResult* result, int64_t* run_id);

}  // namespace harc
