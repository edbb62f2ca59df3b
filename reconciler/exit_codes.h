// The process exit codes of every harc command (DESIGN.md §6). Scripts and CI
// branch on these, so they never change meaning.
#pragma once

namespace harc {

enum class ExitCode : int {
  kOk = 0,           // success; no changes; in sync
  kError = 1,        // usage, invalid fleet, internal
  kChanges = 2,      // changes present (plan --detailed-exitcode); drift found
  kUnsafe = 3,       // no plan keeps the invariants
  kHeld = 4,         // a step failed or timed out; the cluster is held
  kLocked = 5,       // another run holds the cluster
  kStale = 6,        // the live state changed since the saved plan
  kUnreachable = 7,  // some members could not be observed
};

inline int ToInt(ExitCode c) { return static_cast<int>(c); }

}  // namespace harc
