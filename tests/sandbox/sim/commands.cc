#include "tests/sandbox/sim/commands.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/sandbox/sim/audit.h"
#include "tests/sandbox/sim/dispatch.h"
#include "tests/sandbox/sim/init.h"
#include "tests/sandbox/sim/sandbox.h"
#include "tests/sandbox/sim/store.h"

namespace harc::sim {
namespace {

using nlohmann::json;

Time Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Fail(const std::string& message, int status = 1) {
  std::cerr << "harc-sim: " << message << (message.ends_with("\n") ? "" : "\n");
  return status;
}

bool SplitMember(const std::string& key, std::string* cluster, std::string* member) {
  size_t slash = key.find('/');
  if (slash == std::string::npos) return false;
  *cluster = key.substr(0, slash);
  *member = key.substr(slash + 1);
  return true;
}

struct Origin {
  std::string address;  // the member's address the client reached
  std::string client;
  bool ssh = false;     // came through sshd (serve), not exec
};

// A command that reached an unreachable (or stalled) member on a session the
// client had opened before the fault. Under sshd the session's connection is
// cut, as a dead member or a network cut would do: the client sees its
// connection drop and must reconnect (and is refused), rather than a command
// that exited 255 on a working session. The sshd session process is our
// parent (sshd runs the ForceCommand through a shell that execs it).
int ConnectionClosed(const Origin& origin) {
  int status = Fail("connection closed", 255);
  if (!origin.ssh) return status;
  pid_t parent = getppid();
  std::ifstream comm("/proc/" + std::to_string(parent) + "/comm");
  std::string name;
  if (std::getline(comm, name) && name.starts_with("sshd")) kill(parent, SIGTERM);
  return status;
}

// Runs `raw` on cluster/member and records it.
int RunOnMember(const std::string& dir, const std::string& cluster, const std::string& member,
                const Origin& origin, const std::string& raw) {
  Time received = Now();
  auto lc = std::make_unique<LockedCluster>();
  std::string error;
  if (!lc->Open(dir, cluster, &error)) return Fail(error);
  const SimMember* m = lc->cluster().Find(member);
  if (!m) return Fail("no member " + cluster + "/" + member);
  if (m->faults.unreachable || m->faults.stall) return ConnectionClosed(origin);
  if (int slow = m->faults.slow_ms; slow > 0) {  // wait without holding the lock
    lc = std::make_unique<LockedCluster>();
    std::this_thread::sleep_for(std::chrono::milliseconds(slow));
    if (!lc->Open(dir, cluster, &error)) return Fail(error);
    // Cut off while it was slow: the command never reached the member.
    const Faults& now = lc->cluster().Find(member)->faults;
    if (now.unreachable || now.stall) return ConnectionClosed(origin);
  }
  SimCluster& c = lc->cluster();
  Platform platform;
  if (!LoadClusterPlatform(c, &platform, &error)) return Fail(error);
  const Vendor* vendor = FindVendor(c.platform);
  if (!vendor) return Fail("platform " + c.platform + " is not simulated");
  json record = {{"type", "command"}, {"t", received},   {"time", Iso(received)},
                 {"cluster", cluster}, {"member", member}, {"address", origin.address},
                 {"client", origin.client}, {"command", raw}};
  Log log;
  Reply r = Dispatcher(&c, platform, *vendor, member, &log).Run(raw, Now(), &record);
  if (!lc->Save(&error)) return Fail(error);
  lc.reset();
  log.insert(log.begin(), record);
  AppendAudit(dir, log);
  std::fwrite(r.out.data(), 1, r.out.size(), stdout);
  std::fwrite(r.err.data(), 1, r.err.size(), stderr);
  return r.status;
}

// Materialises the due transitions of every cluster.
std::vector<SimCluster> AdvanceAll(const std::string& dir, Time now) {
  std::vector<SimCluster> out;
  Log log;
  for (const std::string& name : ClusterNames(dir)) {
    LockedCluster lc;
    std::string error;
    if (!lc.Open(dir, name, &error)) continue;
    if (const Vendor* v = FindVendor(lc.cluster().platform)) {
      Engine(&lc.cluster(), v->traits, &log).Advance(now);
      lc.Save(&error);
    }
    out.push_back(lc.cluster());
  }
  AppendAudit(dir, log);
  return out;
}

// The sandbox-wide lock, for sandbox.json.
class InventoryLock {
 public:
  explicit InventoryLock(const std::string& dir) {
    fd_ = open((dir + "/sandbox.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~InventoryLock() {
    if (fd_ >= 0) close(fd_);
  }
  InventoryLock(const InventoryLock&) = delete;
  InventoryLock& operator=(const InventoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

int Serve(const std::string& dir) {
  const char* conn = std::getenv("SSH_CONNECTION");
  const char* cmd = std::getenv("SSH_ORIGINAL_COMMAND");
  std::istringstream fields(conn ? conn : "");
  std::string client, client_port, server;
  fields >> client >> client_port >> server;
  Inventory inv;
  std::string error;
  if (!ReadInventory(dir, &inv, &error)) return Fail(error);
  const InventoryMember* m = inv.ByAddress(server);
  std::string raw = cmd ? cmd : "";
  if (!m) {
    AppendAudit(dir, {{{"type", "command"}, {"t", Now()}, {"time", Iso(Now())},
                       {"cluster", ""}, {"member", ""}, {"address", server}, {"client", client},
                       {"command", raw}, {"mutating", false}, {"exit", 1}}});
    return Fail("no member at " + server + " (the bastion only forwards)");
  }
  return RunOnMember(dir, m->cluster, m->member, {server, client, true}, raw);
}

int Exec(const std::string& dir, const std::string& key, const std::string& command) {
  std::string cluster, member;
  if (!SplitMember(key, &cluster, &member)) return Fail("--member takes cluster/member");
  return RunOnMember(dir, cluster, member, {"", "exec"}, command);
}

int Fault(const std::string& dir, const std::string& key, const std::vector<std::string>& words) {
  std::string cluster, member, error;
  if (!SplitMember(key, &cluster, &member)) return Fail("--member takes cluster/member");
  Faults f;
  std::string address;
  {
    LockedCluster lc;
    if (!lc.Open(dir, cluster, &error)) return Fail(error);
    SimMember* m = lc.cluster().Find(member);
    if (!m) return Fail("no member " + key);
    f = m->faults;
    for (const std::string& w : words)
      if (!ApplyFaultWord(w, &f, &error)) return Fail(error);
    const Vendor* v = FindVendor(lc.cluster().platform);
    Log log;
    Engine e(&lc.cluster(), v->traits, &log);
    e.Advance(Now());
    e.SetFaults(member, f, Now());
    address = m->address;
    if (!lc.Save(&error)) return Fail(error);
    log.push_back({{"type", "fault"}, {"t", Now()}, {"cluster", cluster}, {"member", member},
                   {"faults", DescribeFaults(f)}});
    AppendAudit(dir, log);
  }
  InventoryLock lock(dir);
  Inventory inv;
  if (ReadInventory(dir, &inv, &error) && !ApplyReachability(&inv, address, f, &error))
    return Fail(error);
  std::cout << key << ": faults: " << DescribeFaults(f) << "\n";
  return 0;
}

int Audit(const std::string& dir, const AuditOptions& o) {
  std::map<std::string, ClusterPolicy> policies;
  for (const SimCluster& c : AdvanceAll(dir, Now()))
    policies[c.name] = {c.strategy, c.allow_disruption};
  AuditReport r = BuildReport(ReadAudit(dir), policies, o.since);
  if (o.json) std::cout << ReportJson(r).dump(2) << "\n";
  else std::cout << FormatReport(r);
  if (!r.NoOutage()) return 3;
  return o.no_mutations && !r.mutating.empty() ? 4 : 0;
}

int Show(const std::string& dir, bool as_json) {
  json all = json::object();
  for (const SimCluster& c : AdvanceAll(dir, Now())) {
    all[c.name] = ToJson(c);
    if (as_json) continue;
    std::cout << c.name << " (" << c.platform << "): serving " << c.Serving() << ", active "
              << c.ActiveCount() << "\n";
    for (const SimMember& m : c.members) {
      std::cout << "  " << m.name << " " << m.address << " " << RoleText(m.role)
                << (m.in_cluster ? "" : " out-of-cluster") << (m.enabled ? "" : " drained");
      for (const auto& [comp, v] : m.versions) std::cout << " " << comp << "=" << v;
      if (m.install) std::cout << " installing=" << m.install->version;
      std::cout << " faults=" << DescribeFaults(m.faults) << "\n";
    }
  }
  if (as_json) std::cout << all.dump(2) << "\n";
  return 0;
}

int StallListener(const std::string& address, int port) {
  bool v6 = address.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, address.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, 512) != 0)
    return Fail("cannot listen on " + address + ":" + std::to_string(port));
  for (;;) pause();  // never accepts: the kernel completes handshakes, nobody answers
}

}  // namespace harc::sim
