// Settings held for a run are restored even when that run was killed.
//
// An apply holds some settings at another value for its run (a platform's
// run_settings: automatic failback, preemption, image cloning fight an
// upgrade) and restores them at the end, to the value the member had before.
// After a run killed in between, the member shows only the held value: the
// one to restore would be lost. So the journal keeps the value before each
// hold until its restore is done (Journal::RecordHeld, written by apply.h
// before the hold is sent), and before compiling, `harc plan` and `harc
// apply` make it the member's desired value: the plan then restores it
// ("restore image_cloning to on after the run").
#pragma once

#include <vector>

#include "compiler/model.h"
#include "reconciler/command.h"
#include "reconciler/journal.h"

namespace harc {

// The held settings of `journal`; none without one (nothing was applied
// yet). False (after printing why) when they cannot be read.
bool ReadHeldSettings(Journal* journal, std::vector<HeldSetting>* out, Console& io);

// For each held setting of a member the fleet lists, that the member still
// shows at the held value (in `observed`) and that its cluster file gives no
// value: the value before the hold becomes the member's desired setting.
void DesireHeldSettings(const std::vector<HeldSetting>& held, const ObservedFleet& observed,
                        Fleet* fleet);

}  // namespace harc
