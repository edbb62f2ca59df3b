// harc plan: desired fleet + observed state (gathered over SSH, or from a
// snapshot with --observed) -> a proven plan, printed and optionally saved.
#include <ostream>

#include "compiler/compile.h"
#include "compiler/plan_json.h"
#include "compiler/plan_text.h"
#include "reconciler/atomic_file.h"
#include "reconciler/command.h"
#include "reconciler/held_settings.h"

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
  std::optional<Fleet> fleet = LoadSelectedFleet(o, io);
  if (!fleet) return ExitCode::kError;
  std::unique_ptr<Journal> journal;
  std::vector<HeldSetting> held;
  if (!OpenJournalIfAny(o, &journal, io) || !ReadHeldSettings(journal.get(), &held, io))
    return ExitCode::kError;
  std::optional<ObservedFleet> observed = Observe(o, *fleet, io);
  if (!observed) return ExitCode::kError;

  Fleet desired = *fleet;  // with the settings a killed run held (held_settings.h)
  DesireHeldSettings(held, *observed, &desired);
  Plan plan = Compile(desired, *observed, CompileOptions{o.clusters});
  if (plan.commit.empty()) plan.commit = fleet->commit;
  std::string json = PlanToJson(plan);
  io.out << (o.json ? json : RenderPlanText(plan));

  std::string error;
  if (!o.output.empty() && !WriteFileAtomically(o.output, json, &error))
    return PrintError(io, error);
  return PlanExitCode(plan, o.detailed_exitcode);
}

}  // namespace harc
