// harc history, harc locks, harc unlock: reading the journal, and removing a
// lease by hand when its run is known to be gone.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "reconciler/clock.h"
#include "reconciler/command.h"
#include "reconciler/sqlite_journal.h"
#include "reconciler/time_text.h"

namespace harc {
namespace {

using json = nlohmann::ordered_json;
using Rows = std::vector<std::vector<std::string>>;

std::string Abbrev(const std::string& hash) { return hash.substr(0, 12); }

// Prints rows as left-aligned columns two spaces apart, each line after `indent`.
void PrintTable(std::ostream& out, const Rows& rows, const std::string& indent) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i)
      line += i + 1 < row.size() ? row[i] + std::string(width[i] - row[i].size() + 2, ' ') : row[i];
    out << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
  }
}

ExitCode PrintJournalError(Console& io, const JournalStatus& st) {
  return PrintError(io, st.message);
}

// ---------------------------------------------------------------- history

std::string RunResult(const RunInfo& r) {
  if (r.ended_ms == 0) return "unfinished";  // running, or killed
  return r.result.empty() ? "ended" : r.result;
}

std::string RunHeadline(const RunInfo& r) {
  std::string line =
      "run " + std::to_string(r.id) + "  " + RunResult(r) + "  started " + FormatTime(r.started_ms);
  if (r.ended_ms) line += "  took " + FormatDuration(r.ended_ms - r.started_ms);
  line += "  by " + r.who + " pid " + std::to_string(r.pid);
  if (!r.commit.empty()) line += "  commit " + Abbrev(r.commit);
  if (!r.plan_hash.empty()) line += "  plan " + Abbrev(r.plan_hash);
  return line;
}

std::vector<std::string> StepRow(const StepRecord& s) {
  return {s.cluster,
          std::to_string(s.index),
          s.action,
          s.member,
          StepStateName(s.state),
          s.exit_status < 0 ? "-" : std::to_string(s.exit_status),
          s.ended_ms ? FormatDuration(s.ended_ms - s.started_ms) : "-",
          s.reason};
}

// The last `n` lines of a failed step's output, for the reader who wants to know why.
void PrintOutputTail(std::ostream& out, const std::string& tail, size_t n) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < tail.size()) {
    size_t nl = std::min(tail.find('\n', pos), tail.size());
    lines.push_back(tail.substr(pos, nl - pos));
    pos = nl + 1;
  }
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out << "      | " << lines[i] << "\n";
}

void PrintRunText(std::ostream& out, const RunInfo& run, const std::vector<StepRecord>& steps) {
  out << RunHeadline(run) << "\n";
  if (steps.empty()) {
    out << "  (no steps)\n";
    return;
  }
  Rows rows{{"CLUSTER", "STEP", "ACTION", "MEMBER", "STATE", "EXIT", "TOOK", "REASON"}};
  for (const StepRecord& s : steps) rows.push_back(StepRow(s));
  PrintTable(out, rows, "  ");
  for (const StepRecord& s : steps)
    if (s.state == StepState::kFailed && !s.output_tail.empty()) {
      out << "    output of " << s.cluster << " step " << s.index << ":\n";
      PrintOutputTail(out, s.output_tail, 5);
    }
}

json StepJson(const StepRecord& s) {
  return {{"cluster", s.cluster},
          {"index", s.index},
          {"action", s.action},
          {"member", s.member},
          {"state", StepStateName(s.state)},
          {"command", s.command},
          {"exit_status", s.exit_status},
          {"output_tail", s.output_tail},
          {"reason", s.reason},
          {"started_ms", s.started_ms},
          {"ended_ms", s.ended_ms}};
}

json RunJson(const RunInfo& r, const std::vector<StepRecord>& steps) {
  json j = {{"id", r.id},
            {"commit", r.commit},
            {"plan_hash", r.plan_hash},
            {"who", r.who},
            {"pid", r.pid},
            {"started_ms", r.started_ms},
            {"ended_ms", r.ended_ms},
            {"result", r.result},
            {"steps", json::array()}};
  for (const StepRecord& s : steps) j["steps"].push_back(StepJson(s));
  return j;
}

void PrintJson(std::ostream& out, const json& doc) {
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// ---------------------------------------------------------------- locks

std::string Expiry(const Lease& l, int64_t now_ms) {
  if (l.expires_ms > now_ms) return "in " + FormatDuration(l.expires_ms - now_ms);
  return "expired " + FormatDuration(now_ms - l.expires_ms) + " ago";
}

std::string Ago(int64_t then_ms, int64_t now_ms) {
  return then_ms > now_ms ? "just now" : FormatDuration(now_ms - then_ms) + " ago";
}

json LeaseJson(const Lease& l, int64_t now_ms) {
  return {{"cluster", l.cluster},
          {"owner", l.owner},
          {"token", l.token},
          {"expires_ms", l.expires_ms},
          {"heartbeat_ms", l.heartbeat_ms},
          {"expired", l.expires_ms <= now_ms}};
}

void PrintLocksText(std::ostream& out, const std::vector<Lease>& leases, int64_t now_ms) {
  Rows rows{{"CLUSTER", "TOKEN", "OWNER", "EXPIRES", "HEARTBEAT"}};
  for (const Lease& l : leases)
    rows.push_back({l.cluster, std::to_string(l.token), l.owner, Expiry(l, now_ms),
                    Ago(l.heartbeat_ms, now_ms)});
  PrintTable(out, rows, "");
}

// ---------------------------------------------------------------- unlock

std::optional<Lease> FindLease(Journal& journal, const std::string& cluster, JournalStatus* st) {
  std::vector<Lease> leases;
  *st = journal.Leases(&leases);
  for (const Lease& l : leases)
    if (l.cluster == cluster) return l;
  return std::nullopt;
}

// "held by alice@host pid 1 run 3 with token 3 (expires in 4m59s)".
std::string Holder(const Lease& l, int64_t now_ms) {
  return "held by " + l.owner + " with token " + std::to_string(l.token) + " (" +
         (l.expires_ms > now_ms ? "expires " : "") + Expiry(l, now_ms) + ")";
}

ExitCode ReportUnlocked(const Options& o, const std::optional<Lease>& before, Console& io) {
  int64_t now = SystemClock().WallMs();
  io.out << "unlocked " << o.unlock_cluster << ": removed the lease ";
  if (before)
    io.out << Holder(*before, now) << "\n";
  else
    io.out << "with token " << o.unlock_token << "\n";
  if (before && before->expires_ms > now)
    io.err << "harc: warning: that lease had not expired; if its run is still going, it stops "
              "at its next heartbeat\n";
  return ExitCode::kOk;
}

ExitCode ReportNotUnlocked(const Options& o, Journal& journal, Console& io) {
  JournalStatus st;
  std::optional<Lease> current = FindLease(journal, o.unlock_cluster, &st);
  if (!st.ok) return PrintJournalError(io, st);
  if (!current)
    return PrintError(io, "cluster " + o.unlock_cluster + " has no lease in " + JournalPath(o) +
                              "; nothing removed");
  return PrintError(io, "cluster " + o.unlock_cluster + " is " +
                            Holder(*current, SystemClock().WallMs()) + ", not token " +
                            std::to_string(o.unlock_token) + "; nothing removed");
}

}  // namespace

std::string JournalPath(const Options& o) {
  if (!o.journal.empty()) return o.journal;
  return (std::filesystem::path(o.repo) / ".harc" / "journal.db").lexically_normal().string();
}

std::unique_ptr<Journal> OpenJournal(const Options& o, bool must_exist, Console& io) {
  std::string path = JournalPath(o);
  struct stat st {};
  if (must_exist && ::stat(path.c_str(), &st) != 0) {
    PrintError(io, "no journal at " + path +
                       " (nothing was applied with it; --journal or --repo names another)");
    return nullptr;
  }
  std::unique_ptr<SqliteJournal> journal;
  std::string warning;
  JournalStatus status = SqliteJournal::Open(path, &journal, &warning);
  if (!warning.empty()) io.err << "harc: warning: " << warning << "\n";
  if (!status.ok) PrintError(io, status.message);
  return journal;
}

bool OpenJournalIfAny(const Options& o, std::unique_ptr<Journal>* journal, Console& io) {
  struct stat st {};
  if (::stat(JournalPath(o).c_str(), &st) != 0) return true;
  *journal = OpenJournal(o, true, io);
  return *journal != nullptr;
}

ExitCode RunHistory(const Options& o, Console& io) {
  std::unique_ptr<Journal> journal = OpenJournal(o, true, io);
  if (!journal) return ExitCode::kError;
  std::vector<RunInfo> runs;
  JournalStatus st = journal->Runs(o.limit, &runs);
  if (!st.ok) return PrintJournalError(io, st);
  json doc = {{"journal", JournalPath(o)}, {"runs", json::array()}};
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<StepRecord> steps;
    if (!(st = journal->Steps(runs[i].id, &steps)).ok) return PrintJournalError(io, st);
    if (o.json) {
      doc["runs"].push_back(RunJson(runs[i], steps));
    } else {
      if (i) io.out << "\n";  // a blank line between runs
      PrintRunText(io.out, runs[i], steps);
    }
  }
  if (o.json)
    PrintJson(io.out, doc);
  else if (runs.empty())
    io.out << "no runs in " << JournalPath(o) << "\n";
  return ExitCode::kOk;
}

ExitCode RunLocks(const Options& o, Console& io) {
  std::unique_ptr<Journal> journal = OpenJournal(o, true, io);
  if (!journal) return ExitCode::kError;
  std::vector<Lease> leases;
  JournalStatus st = journal->Leases(&leases);
  if (!st.ok) return PrintJournalError(io, st);
  int64_t now = SystemClock().WallMs();
  if (o.json) {
    json doc = {{"journal", JournalPath(o)}, {"now_ms", now}, {"locks", json::array()}};
    for (const Lease& l : leases) doc["locks"].push_back(LeaseJson(l, now));
    PrintJson(io.out, doc);
  } else if (leases.empty()) {
    io.out << "no locks in " << JournalPath(o) << "\n";
  } else {
    PrintLocksText(io.out, leases, now);
  }
  return ExitCode::kOk;
}

ExitCode RunUnlock(const Options& o, Console& io) {
  std::unique_ptr<Journal> journal = OpenJournal(o, true, io);
  if (!journal) return ExitCode::kError;
  JournalStatus st;
  std::optional<Lease> before = FindLease(*journal, o.unlock_cluster, &st);  // to say whose
  bool removed = false;
  if (st.ok) st = journal->ForceUnlock(o.unlock_cluster, o.unlock_token, &removed);
  if (!st.ok) return PrintJournalError(io, st);
  if (!removed) return ReportNotUnlocked(o, *journal, io);
  if (before && before->token != o.unlock_token) before.reset();  // changed in between
  return ReportUnlocked(o, before, io);
}

}  // namespace harc
