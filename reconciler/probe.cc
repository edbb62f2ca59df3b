#include "reconciler/probe.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "compiler/diag.h"
#include "compiler/facts.h"
#include "reconciler/gather.h"

namespace harc {
namespace {

std::string NewNonce() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

Deadline After(int64_t ms) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
}

std::string Reason(const TransportStatus& st) {
  return std::string(TransportErrorName(st.error)) + ": " + st.message;
}

std::string FirstLine(const std::string& s) { return QuoteForMessage(s.substr(0, s.find('\n'))); }

// The value of one fact from its share of the script's output, or why not.
void Extract(const FactSpec& spec, const FactOutput& o, MemberFacts* facts) {
  if (o.exit_status != 0) {
    std::string why = "its command exited " + std::to_string(o.exit_status);
    if (!o.err.empty()) why += ": " + FirstLine(o.err);
    facts->errors[o.fact] = why;
    return;
  }
  FactValue v = ExtractFact(spec, o.out);
  if (v.ok) facts->values[o.fact] = v.value;
  else facts->errors[o.fact] = v.error;
}

}  // namespace

Target MemberTarget(const std::string& cluster, const Member& m) {
  return Target{cluster + "/" + m.name, m.host, m.port.value_or(0), m.user.value_or(""), ""};
}

bool ConditionMatches(const std::string& is, const std::string& value) {
  size_t start = 0;
  for (;;) {
    size_t bar = is.find('|', start);
    if (is.compare(start, bar == std::string::npos ? std::string::npos : bar - start, value) == 0)
      return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

std::string DescribeFact(const MemberFacts& facts, const std::string& member,
                         const std::string& fact) {
  if (!facts.reached) return member + " is unreachable (" + facts.error + ")";
  if (auto it = facts.values.find(fact); it != facts.values.end())
    return member + " " + fact + " is " + QuoteForMessage(it->second);
  auto it = facts.errors.find(fact);
  return member + " " + fact + " could not be read: " +
         (it == facts.errors.end() ? std::string("not probed") : it->second);
}

MemberLinks::MemberLinks(const Cluster& cluster, const Platform& platform,
                         const std::vector<Step>& steps, Transport& transport,
                         const ProbeOptions& options)
    : cluster_(cluster), platform_(platform), transport_(transport), options_(options) {
  for (const Member& m : cluster.members) members_[m.name] = m;
  for (const Step& s : steps) {
    if (members_.count(s.member)) continue;
    Member m;
    m.name = s.member;
    m.host = s.host;
    members_[s.member] = m;
  }
}

Session* MemberLinks::SessionTo(const std::string& member, TransportStatus* status) {
  if (auto it = sessions_.find(member); it != sessions_.end()) return it->second.get();
  auto m = members_.find(member);
  if (m == members_.end()) {
    *status = TransportStatus::Fail(TransportError::kConfig,
                                    cluster_.name + "/" + member + ": not a member of the cluster");
    return nullptr;
  }
  std::unique_ptr<Session> session;
  OpenOptions open{After(options_.connect_timeout_ms), options_.accept_new_host_keys};
  *status = transport_.Open(MemberTarget(cluster_.name, m->second), open, &session);
  if (!status->ok()) return nullptr;
  return (sessions_[member] = std::move(session)).get();
}

TransportStatus MemberLinks::Run(const std::string& member, const std::string& command,
                                 int64_t timeout_ms, size_t max_output, CommandResult* result,
                                 bool* sent) {
  *result = CommandResult{};
  if (sent) *sent = false;
  TransportStatus st;
  Session* session = SessionTo(member, &st);
  if (!session) return st;
  if (sent) *sent = true;
  st = session->Run(command, RunLimits{After(timeout_ms), max_output}, result);
  if (!st.ok()) Drop(member);
  return st;
}

MemberFacts MemberLinks::Read(const std::string& member, const std::set<std::string>& facts) {
  MemberFacts out;
  auto m = members_.find(member);
  if (m == members_.end()) {
    out.error = "not a member of cluster " + cluster_.name;
    return out;
  }
  std::vector<FactCommand> all, wanted;
  if (!FactCommandsFor(platform_, m->second, &all, &out.error)) return out;
  for (const FactCommand& c : all)
    if (facts.count(c.fact)) wanted.push_back(c);
  for (const std::string& f : facts)
    if (!platform_.facts.count(f))
      out.errors[f] = "platform " + QuoteForMessage(platform_.name) + " has no such fact";

  if (wanted.empty()) {  // nothing the platform can read: no round trip
    out.reached = true;
    return out;
  }
  std::string nonce = NewNonce();
  std::string script = BuildFactScript(wanted, nonce);
  size_t max_output = wanted.size() * (options_.max_output_per_fact + 160);
  bool kept = sessions_.count(member) > 0;
  CommandResult r;
  TransportStatus st = Run(member, script, options_.command_timeout_ms, max_output, &r);
  // A session kept open since an earlier step may have died meanwhile (the
  // member rebooted, a firewall dropped the idle connection). Reading facts
  // twice is harmless, so a fresh connection decides whether it is reachable.
  if (kept && st.error == TransportError::kProtocol)
    st = Run(member, script, options_.command_timeout_ms, max_output, &r);
  if (!st.ok()) {
    out.error = Reason(st);
    return out;
  }
  std::vector<FactOutput> outputs;
  if (!ParseFactScriptOutput(r, nonce, wanted, &outputs, &out.error)) {
    out.error = "unparseable output: " + out.error;
    return out;
  }
  out.reached = true;
  for (const FactOutput& o : outputs) Extract(platform_.facts.at(o.fact), o, &out);
  return out;
}

}  // namespace harc
