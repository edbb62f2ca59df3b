// Writes a known journal through SqliteJournal, for journal_test.sh to read
// back with `harc history`, `harc locks` and `harc unlock`:
//   run 1  converged, 2 h ago: fw-ber steps 1-3 done, fw-ams step 1 skipped
//   run 2  held, 1 h ago: fw-zrh step 1 failed (exit 3, with output)
//   run 3  unfinished (killed): fw-ber step 1 started
//   leases fw-ber token 1, live for 5 min; fw-zrh token 3, expired 10 min ago
// Usage: journal_seed JOURNAL_PATH
#include <iostream>

#include "reconciler/clock.h"
#include "reconciler/sqlite_journal.h"

namespace harc {
namespace {

constexpr int64_t kMinute = 60'000;

bool Check(const JournalStatus& st) {
  if (!st.ok) std::cerr << "journal_seed: " << st.message << "\n";
  return st.ok;
}

StepRecord Step(int64_t run, const char* cluster, int index, const char* action, const char* member,
                StepState state, int64_t started_ms, int64_t took_ms) {
  StepRecord s;
  s.run_id = run;
  s.cluster = cluster;
  s.index = index;
  s.action = action;
  s.member = member;
  s.state = state;
  s.command = std::string(action) + " " + member;
  s.started_ms = started_ms;
  if (state != StepState::kStarted) {
    s.exit_status = state == StepState::kSkipped ? -1 : 0;
    s.ended_ms = started_ms + took_ms;
  }
  return s;
}

bool SeedRuns(Journal& j, int64_t now) {
  RunInfo one{0,
              "3f2a1b9c0d1e2f3a4b5c",
              "9a8b7c6d5e4f3a2b1c0d",
              "alice@admin",
              4100,
              now - 120 * kMinute,
              0,
              ""};
  int64_t t = one.started_ms;
  StepRecord skipped = Step(0, "fw-ams", 1, "upgrade", "fw-ams-a", StepState::kSkipped, t, 0);
  skipped.reason = "already at 7.4.2";
  bool ok = Check(j.BeginRun(&one));
  skipped.run_id = one.id;
  ok = ok && Check(j.RecordStep(
                 Step(one.id, "fw-ber", 1, "drain", "fw-ber-b", StepState::kDone, t, 12'000)));
  ok = ok && Check(j.RecordStep(Step(one.id, "fw-ber", 2, "upgrade", "fw-ber-b", StepState::kDone,
                                     t + 12'000, 61'000)));
  ok = ok && Check(j.RecordStep(Step(one.id, "fw-ber", 3, "failover", "fw-ber-a", StepState::kDone,
                                     t + 73'000, 850)));
  ok = ok && Check(j.RecordStep(skipped));
  ok = ok && Check(j.EndRun(one.id, "converged", t + 95'000));

  RunInfo two{0, "3f2a1b9c0d1e2f3a4b5c", "0011223344556677", "bob@ops", 77, now - 60 * kMinute, 0,
              ""};
  ok = ok && Check(j.BeginRun(&two));
  StepRecord failed = Step(two.id, "fw-zrh", 1, "upgrade", "fw-zrh-b", StepState::kFailed,
                           two.started_ms + 5'000, 4 * kMinute);
  failed.exit_status = 3;
  failed.reason = "install exited 3";
  failed.output_tail =
      "fetching image\nverifying\nwriting\nstep 4\nstep 5\n"
      "error: no space left on device\n";
  ok = ok && Check(j.RecordStep(failed));
  ok = ok && Check(j.EndRun(two.id, "held", two.started_ms + 250'000));

  RunInfo three{
      0, "3f2a1b9c0d1e2f3a4b5c", "9a8b7c6d5e4f3a2b1c0d", "alice@admin", 4242, now - kMinute, 0, ""};
  ok = ok && Check(j.BeginRun(&three));
  return ok && Check(j.RecordStep(Step(three.id, "fw-ber", 1, "drain", "fw-ber-b",
                                       StepState::kStarted, three.started_ms, 0)));
}

bool SeedLeases(Journal& j, int64_t now) {
  bool taken = false;
  Lease lease, holder;
  bool ok = Check(j.AcquireLease("fw-ber", "alice@admin pid 4242 run 3", now, 5 * kMinute, &taken,
                                 &lease, &holder));
  for (int i = 0; ok && i < 3; ++i) {  // token 3, the last one expired 10 minutes ago
    ok = Check(j.AcquireLease("fw-zrh", "bob@ops pid 77 run 2", now - 20 * kMinute, 10 * kMinute,
                              &taken, &lease, &holder));
    if (ok && i < 2) ok = Check(j.ReleaseLease("fw-zrh", lease.token));
  }
  return ok;
}

}  // namespace
}  // namespace harc

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: journal_seed JOURNAL_PATH\n";
    return 2;
  }
  std::unique_ptr<harc::SqliteJournal> journal;
  std::string warning;
  if (!harc::Check(harc::SqliteJournal::Open(argv[1], &journal, &warning))) return 1;
  int64_t now = harc::SystemClock().WallMs();
  return harc::SeedRuns(*journal, now) && harc::SeedLeases(*journal, now) ? 0 : 1;
}
