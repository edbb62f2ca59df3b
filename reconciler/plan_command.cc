// harc plan: desired fleet + observed state -> a proven plan, printed and
// optionally saved. Live gathering over SSH is not built yet, so the observed
// state comes from a snapshot file (--observed).
#include <ostream>

#include "compiler/compile.h"
#include "compiler/plan_json.h"
#include "compiler/plan_text.h"
#include "reconciler/atomic_file.h"
#include "reconciler/command.h"

namespace harc {
namespace {

// DESIGN.md §6: unsafe beats unreachable beats changes.
ExitCode PlanExitCode(const Plan& plan, bool detailed) {
  if (plan.HasUnsafe()) return ExitCode::kUnsafe;
  if (plan.HasUnobservable()) return ExitCode::kUnreachable;
  if (detailed && plan.HasChanges()) return ExitCode::kChanges;
  return ExitCode::kOk;
}

}  // namespace

ExitCode RunPlan(const Options& o, Console& io) {
  if (o.observed.empty())
    return PrintError(io,
                      "live gathering over SSH is not available yet; pass --observed FILE "
                      "(a harc.observed/v1 snapshot of the fleet's live state)");
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  if (!fleet) return ExitCode::kError;
  std::optional<ObservedFleet> observed = ReadObservedFile(o, io);
  if (!observed) return ExitCode::kError;

  Plan plan = Compile(*fleet, *observed, CompileOptions{o.clusters});
  if (plan.commit.empty()) plan.commit = fleet->commit;
  std::string json = PlanToJson(plan);
  io.out << (o.json ? json : RenderPlanText(plan));

  std::string error;
  if (!o.output.empty() && !WriteFileAtomically(o.output, json, &error))
    return PrintError(io, error);
  return PlanExitCode(plan, o.detailed_exitcode);
}

}  // namespace harc
