// Before apply plans: waiting out what a killed run left running.
//
// A step a killed run started may still be running on its member, and some
// make the whole cluster unobservable meanwhile: Pacemaker's crm_mon cannot
// answer on a node whose cluster services are stopped for its upgrade.
// Rather than give up on the cluster (exit 7), apply says what it waits for
// and gathers the cluster again, every interval of that step's action,
// until it can be observed or the step's deadline (its start plus the
// action's timeout) has passed; it then plans from what it sees. Resuming
// the step itself is apply.h's.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "reconciler/clock.h"
#include "reconciler/command.h"
#include "reconciler/journal.h"

namespace harc {

// Observes one cluster again.
using GatherCluster = std::function<ObservedCluster(const std::string& cluster)>;

// For each cluster of *live that cannot be observed and whose last run was
// killed in a step it had started, within that step's deadline: replaces
// the cluster's observation as above. Says so on io.err.
void AwaitInterruptedSteps(const Fleet& fleet, Journal& journal, Clock& clock,
                           const GatherCluster& gather, ObservedFleet* live, Console& io);

}  // namespace harc
