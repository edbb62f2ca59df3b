#include "reconciler/gather.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "compiler/diag.h"
#include "compiler/facts.h"
#include "compiler/shell.h"

namespace harc {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kMarker = "harc-";
// Bytes each delimiter line adds to a stream, at most: for the output cap.
constexpr size_t kMarkerOverhead = 160;

// One member to gather, and where its result goes.
struct Job {
  const Cluster* cluster;
  const Member* member;
  const Platform* platform;
};

std::string NewNonce() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

std::string NowRfc3339() {
  time_t t = time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Deadline Earliest(Deadline a, Deadline b) { return std::min(a, b); }

Deadline After(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

// The first line of s, for a message.
std::string FirstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return QuoteForMessage(line);
}

ObservedMember Unobserved(ObservedMember m, std::string why) {
  m.reachable = false;
  m.error = std::move(why);
  m.facts.clear();
  return m;
}

// Reads "<prefix><fact>[ <status>]\n" at *pos of s, where the prefix begins
// with a newline that is not part of the output before it.
// On success *pos moves past the marker and *before is the text before it.
bool ReadMarker(const std::string& s, const std::string& prefix, size_t* pos,
                std::string* before, std::string* line) {
  size_t at = s.find(prefix, *pos);
  if (at == std::string::npos) return false;
  size_t end = s.find('\n', at + prefix.size());
  if (end == std::string::npos) return false;
  *before = s.substr(*pos, at - *pos);
  *line = s.substr(at + prefix.size(), end - at - prefix.size());
  *pos = end + 1;
  return true;
}

bool ParseStatus(const std::string& text, int* status) {
  if (text.empty() || text.size() > 3 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  *status = std::stoi(text);
  return true;
}

// Splits one stream: before the i-th marker is fact i's output.
bool SplitStdout(const std::string& s, const std::string& nonce,
                 const std::vector<FactCommand>& facts, std::vector<FactOutput>* out,
                 std::string* error) {
  std::string prefix = "\n" + std::string(kMarker) + nonce + " ";
  size_t pos = 0;
  for (const FactCommand& f : facts) {
    FactOutput o{f.fact, -1, "", ""};
    std::string line;
    if (!ReadMarker(s, prefix, &pos, &o.out, &line)) {
      *error = "no end-of-output delimiter for fact '" + f.fact + "'";
      return false;
    }
    size_t sp = line.find(' ');
    if (sp == std::string::npos || line.substr(0, sp) != f.fact ||
        !ParseStatus(line.substr(sp + 1), &o.exit_status)) {
      *error = "malformed delimiter after fact '" + f.fact + "': " + QuoteForMessage(line);
      return false;
    }
    out->push_back(std::move(o));
  }
  return true;
}

// stderr carries a delimiter per fact too; a missing one (stderr was cut at
// the cap) only loses the rest of stderr.
void SplitStderr(const std::string& s, const std::string& nonce, std::vector<FactOutput>* out) {
  std::string prefix = "\n" + std::string(kMarker) + nonce + " ";
  size_t pos = 0;
  for (FactOutput& o : *out) {
    std::string before, line;
    if (!ReadMarker(s, prefix, &pos, &before, &line) || line != o.fact) return;
    o.err = std::move(before);
  }
}

// Why a fact failed, or "" with *value set. The reason begins with its kind,
// as a transport failure's does.
std::string FactError(const FactSpec& spec, const FactCommand& cmd, const FactOutput& o,
                      std::string* value) {
  if (o.exit_status != 0) {
    std::string msg = "fact command failed: fact '" + o.fact + "': " +
                      QuoteForMessage(cmd.command) + " exited " + std::to_string(o.exit_status);
    if (!o.err.empty()) msg += ": " + FirstLine(o.err);
    return msg;
  }
  FactValue v = ExtractFact(spec, o.out);
  if (!v.ok) return "unparseable output: fact '" + o.fact + "': " + v.error;
  *value = v.value;
  return "";
}

std::string Reason(const TransportStatus& st) {
  return std::string(TransportErrorName(st.error)) + ": " + st.message;
}

ObservedMember GatherMember(const Job& job, Transport& transport, const GatherOptions& o,
                            int connect_ms, Deadline overall) {
  const Member& mem = *job.member;
  ObservedMember m{mem.name, mem.host, true, "", {}};
  std::vector<FactCommand> facts;
  std::string error;
  if (!FactCommandsFor(*job.platform, mem, &facts, &error)) return Unobserved(m, error);
  if (Clock::now() >= overall)
    return Unobserved(m, "timeout: not gathered before the overall deadline");

  Target target{job.cluster->name + "/" + mem.name, mem.host, mem.port.value_or(0),
                mem.user.value_or(""), ""};
  std::unique_ptr<Session> session;
  TransportStatus st = transport.Open(
      target, {Earliest(After(connect_ms), overall), o.accept_new_host_keys}, &session);
  if (!st.ok()) return Unobserved(m, Reason(st));

  std::string nonce = NewNonce();
  RunLimits limits{Earliest(After(o.command_timeout_ms), overall),
                   facts.size() * (o.max_output_per_fact + kMarkerOverhead)};
  CommandResult r;
  st = session->Run(BuildFactScript(facts, nonce), limits, &r);
  if (!st.ok()) return Unobserved(m, Reason(st));
  if (r.truncated)
    return Unobserved(m, "output of the fact commands exceeded " +
                             std::to_string(o.max_output_per_fact) + " bytes per fact");
  std::vector<FactOutput> outputs;
  if (!ParseFactScriptOutput(r, nonce, facts, &outputs, &error))
    return Unobserved(m, "unparseable output: " + error);

  std::vector<std::string> errors;
  for (size_t i = 0; i < facts.size(); ++i) {
    std::string value;
    std::string why = FactError(job.platform->facts.at(facts[i].fact), facts[i], outputs[i], &value);
    if (why.empty()) m.facts[facts[i].fact] = value;
    else errors.push_back(why);
  }
  if (errors.empty()) return m;
  std::string all = errors[0];
  for (size_t i = 1; i < errors.size(); ++i) all += "; " + errors[i];
  return Unobserved(m, all);
}

// The members to gather; every selected cluster gets its entry in *observed.
std::vector<Job> Jobs(const Fleet& fleet, const std::vector<std::string>& clusters,
                      ObservedFleet* observed) {
  std::vector<Job> jobs;
  for (const Cluster& c : fleet.clusters) {
    if (!clusters.empty() && std::find(clusters.begin(), clusters.end(), c.name) == clusters.end())
      continue;
    observed->clusters[c.name].name = c.name;
    const Platform* p = &fleet.platforms.at(c.platform);
    for (const Member& m : c.members) jobs.push_back({&c, &m, p});
  }
  return jobs;
}

}  // namespace

bool FactCommandsFor(const Platform& platform, const Member& member,
                     std::vector<FactCommand>* out, std::string* error) {
  out->clear();
  for (const auto& [name, spec] : platform.facts) {
    std::map<std::string, std::string> vars = {{"member", member.name}};
    if (name.starts_with("version.")) vars["component"] = name.substr(8);
    FactCommand c{name, ""};
    if (!RenderCommand(spec.run, vars, &c.command, error)) {
      *error = "fact '" + name + "': " + *error;
      return false;
    }
    out->push_back(std::move(c));
  }
  return true;
}

// Each command runs in a subshell with no input, so an `exit` or a read of
// stdin in one cannot disturb the next. The newline before ")" ends a
// trailing comment in the command.
std::string BuildFactScript(const std::vector<FactCommand>& facts, const std::string& nonce) {
  std::string s;
  for (const FactCommand& f : facts) {
    std::string name = ShellQuote(f.fact);
    s += "( " + f.command + "\n) </dev/null; printf '\\n%s %s %s\\n' " + kMarker + nonce + " " +
         name + " \"$?\"; printf '\\n%s %s\\n' " + kMarker + nonce + " " + name + " >&2\n";
  }
  return s;
}

bool ParseFactScriptOutput(const CommandResult& result, const std::string& nonce,
                           const std::vector<FactCommand>& facts, std::vector<FactOutput>* out,
                           std::string* error) {
  out->clear();
  if (!SplitStdout(result.out, nonce, facts, out, error)) {
    if (result.exit_status != 0)
      *error += " (the script exited " + std::to_string(result.exit_status) +
                (result.err.empty() ? "" : ": " + FirstLine(result.err)) + ")";
    return false;
  }
  SplitStderr(result.err, nonce, out);
  return true;
}

CommandResult AnswerFactScript(const std::string& script,
                               const std::function<CommandResult(const std::string&)>& run) {
  const std::string end = "\n) </dev/null; printf '\\n%s %s %s\\n' " + std::string(kMarker);
  if (!script.starts_with("( ") || script.find(end) == std::string::npos) return run(script);
  CommandResult total;
  total.exit_status = 0;
  size_t pos = 0;
  while (pos < script.size() && script.compare(pos, 2, "( ") == 0) {
    size_t cmd_end = script.find(end, pos);
    if (cmd_end == std::string::npos) break;
    std::string command = script.substr(pos + 2, cmd_end - pos - 2);
    size_t line_end = script.find('\n', cmd_end + end.size());
    std::string rest = script.substr(cmd_end + end.size(), line_end - cmd_end - end.size());
    std::string nonce = rest.substr(0, rest.find(' '));
    size_t q1 = rest.find('\''), q2 = rest.find('\'', q1 + 1);
    std::string fact = rest.substr(q1 + 1, q2 - q1 - 1);
    CommandResult r = run(command);
    total.out += r.out + "\n" + kMarker + nonce + " " + fact + " " + std::to_string(r.exit_status) + "\n";
    total.err += r.err + "\n" + kMarker + nonce + " " + fact + "\n";
    pos = line_end == std::string::npos ? script.size() : line_end + 1;
  }
  return total;
}

ObservedFleet Gather(const Fleet& fleet, const std::vector<std::string>& clusters,
                     Transport& transport, const GatherOptions& options) {
  ObservedFleet observed;
  observed.gathered_at = NowRfc3339();
  std::vector<Job> jobs = Jobs(fleet, clusters, &observed);
  std::vector<ObservedMember> results(jobs.size());
  int connect_ms = options.connect_timeout_ms > 0 ? options.connect_timeout_ms
                                                  : fleet.config.ssh.connect_timeout_ms;
  Deadline overall = options.overall_timeout_ms > 0 ? After(options.overall_timeout_ms)
                                                    : Deadline::max();
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();)
      results[i] = GatherMember(jobs[i], transport, options, connect_ms, overall);
  };
  size_t workers = std::min<size_t>(std::max(1, options.parallel), jobs.size());
  std::vector<std::thread> pool;
  for (size_t i = 1; i < workers; ++i) pool.emplace_back(work);
  work();  // this thread is a worker too
  for (std::thread& t : pool) t.join();

  for (size_t i = 0; i < jobs.size(); ++i)
    observed.clusters[jobs[i].cluster->name].members.push_back(std::move(results[i]));
  return observed;
}

}  // namespace harc
