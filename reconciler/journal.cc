#include "reconciler/journal.h"

namespace harc {

const char* StepStateName(StepState s) {
  switch (s) {
    case StepState::kStarted:
      return "started";
    case StepState::kSkipped:
      return "skipped";
    case StepState::kDone:
      return "done";
    case StepState::kFailed:
      return "failed";
  }
  return "?";
}

const char* ReconcileStateName(ReconcileState s) {
  switch (s) {
    case ReconcileState::kPending:
      return "pending";
    case ReconcileState::kPlanned:
      return "planned";
    case ReconcileState::kApplied:
      return "applied";
    case ReconcileState::kHeld:
      return "held";
    case ReconcileState::kFailed:
      return "failed";
  }
  return "?";
}

std::optional<ReconcileState> ParseReconcileState(const std::string& name) {
  for (ReconcileState s : {ReconcileState::kPending, ReconcileState::kPlanned,
                           ReconcileState::kApplied, ReconcileState::kHeld,
                           ReconcileState::kFailed})
    if (name == ReconcileStateName(s)) return s;
  return std::nullopt;
}

}  // namespace harc
