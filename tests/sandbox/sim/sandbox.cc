#include "tests/sandbox/sim/sandbox.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/builtin_platforms.h"
#include "compiler/load.h"
#include "tests/sandbox/sim/audit.h"
#include "tests/sandbox/sim/processes.h"
#include "tests/sandbox/sim/store.h"

namespace harc::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kAddressesPerSshd = 16;  // OpenSSH's MAX_LISTEN_SOCKS
constexpr const char* kSshd = "/usr/sbin/sshd";

std::string CurrentUser() {
  struct passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : "root";
}

std::string SelfPath() {
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).string();
}

Time Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 127.0.0.2, 127.0.0.3, ... 127.0.0.254, 127.0.1.2, ...
std::string Ipv4(int n) {
  return "127.0." + std::to_string(n / 253) + "." + std::to_string(2 + n % 253);
}

// The fleet's files as harc reads a working tree: harc.toml, clusters/*.toml,
// platforms/*.toml.
bool ReadFleetFiles(const std::string& dir, FleetFiles* out, std::string* error) {
  if (!fs::is_directory(dir)) {
    *error = "fleet repository '" + dir + "' is not a directory";
    return false;
  }
  auto add = [&](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out->files.push_back({fs::relative(path, dir).string(), text.str()});
  };
  if (fs::exists(fs::path(dir) / "harc.toml")) add(fs::path(dir) / "harc.toml");
  for (const char* sub : {"clusters", "platforms"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(dir) / sub, ec))
      if (e.is_regular_file() && e.path().extension() == ".toml") add(e.path());
  }
  std::sort(out->files.begin(), out->files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  return true;
}

bool LoadFleetDir(const std::string& dir, Fleet* fleet, std::string* error) {
  FleetFiles files;
  if (!ReadFleetFiles(dir, &files, error)) return false;
  LoadResult r = LoadFleet(files, BuiltinPlatforms());
  if (!r.ok()) {
    for (const Diagnostic& d : r.errors) *error += FormatDiagnostic(d);
    return false;
  }
  *fleet = std::move(r.fleet);
  return true;
}

void AssignAddresses(const Fleet& fleet, const StartOptions& o, Inventory* inv) {
  std::string v6 = o.ipv6_member;
  if (v6.empty() && o.ipv6 && !fleet.clusters.empty() && !fleet.clusters[0].members.empty())
    v6 = fleet.clusters[0].name + "/" + fleet.clusters[0].members[0].name;
  int n = 0;
  for (const Cluster& c : fleet.clusters)
    for (const Member& m : c.members) {
      bool ipv6 = o.ipv6 && c.name + "/" + m.name == v6;
      inv->members.push_back({c.name, m.name, c.platform, ipv6 ? "::1" : Ipv4(n++), m.host});
    }
  inv->bastion = Ipv4(n);
  std::vector<std::string> all;
  for (const InventoryMember& m : inv->members) all.push_back(m.address);
  all.push_back(inv->bastion);
  for (size_t i = 0; i < all.size(); i += kAddressesPerSshd) {
    SshdGroup g;
    g.config = inv->state_dir + "/sshd/sshd-" + std::to_string(inv->sshd.size()) + ".conf";
    g.addresses.assign(all.begin() + i, all.begin() + std::min(all.size(), i + kAddressesPerSshd));
    inv->sshd.push_back(std::move(g));
  }
}

bool MakeKeys(const std::string& dir, std::string* error) {
  for (const std::string& key : {dir + "/sshd/host_key", dir + "/client_key"}) {
    std::string out;
    if (RunProgram({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "harc-sandbox", "-f", key},
                   &out) != 0) {
      *error = "ssh-keygen failed: " + out;
      return false;
    }
  }
  return true;
}

size_t GroupOf(const Inventory& inv, const std::string& address) {
  for (size_t g = 0; g < inv.sshd.size(); ++g)
    for (const std::string& a : inv.sshd[g].addresses)
      if (a == address) return g;
  return SIZE_MAX;
}

std::vector<std::string> Listening(const Inventory& inv, size_t g) {
  std::vector<std::string> out;
  for (const std::string& a : inv.sshd[g].addresses)
    if (!inv.withheld.count(a)) out.push_back(a);
  return out;
}

bool StartSshd(Inventory* inv, size_t g, std::string* error) {
  SshdGroup& grp = inv->sshd[g];
  if (!WriteTextFile(grp.config, SshdConfig(*inv, g), error)) return false;
  std::string log = inv->state_dir + "/sshd/sshd-" + std::to_string(g) + ".log";
  grp.pid = SpawnDetached({kSshd, "-D", "-e", "-f", grp.config}, log);
  if (grp.pid > 0 && WaitListening(Listening(*inv, g), inv->port, true, 10, grp.pid)) return true;
  *error = "sshd " + std::to_string(g) + " did not start; see " + log;
  return false;
}

bool StartStall(Inventory* inv, const std::string& address, std::string* error) {
  std::string log = inv->state_dir + "/sshd/stall.log";
  pid_t pid = SpawnDetached({inv->sim, "stall-listener", "--state", inv->state_dir, "--address",
                             address, "--port", std::to_string(inv->port)},
                            log);
  if (pid > 0 && WaitListening({address}, inv->port, true, 5, pid)) {
    inv->stalls[address] = pid;
    return true;
  }
  *error = "the stalling listener on " + address + " did not start; see " + log;
  return false;
}

void PrintSummary(const Inventory& inv, std::ostream& out) {
  out << "harc sandbox started in " << inv.state_dir << " (port " << inv.port << ", "
      << inv.sshd.size() << " sshd)\n";
  for (const InventoryMember& m : inv.members)
    out << "  " << m.cluster << "/" << m.member << "  " << m.platform << "  " << m.address
        << "\n";
  out << "  bastion  " << inv.bastion << "\n"
      << "fleet copy: " << inv.state_dir << "/fleet   (harc plan --repo " << inv.state_dir
      << "/fleet)\nssh:        ssh -F " << inv.state_dir << "/ssh_config <cluster>.<member> "
      << "'command'\n";
}

bool Prepare(const StartOptions& o, Inventory* inv, std::vector<SimCluster>* clusters,
             std::string* error) {
  Fleet fleet;
  if (!LoadFleetDir(o.fleet_dir, &fleet, error)) return false;
  AssignAddresses(fleet, o, inv);
  std::map<std::string, std::string> addresses;
  for (const InventoryMember& m : inv->members) addresses[m.cluster + "/" + m.member] = m.address;
  if (!InitClusters(fleet, o.init, addresses, Now(), clusters, error)) return false;
  std::vector<std::string> all;
  for (const SshdGroup& g : inv->sshd) all.insert(all.end(), g.addresses.begin(), g.addresses.end());
  inv->port = FreePortFor(all);
  if (inv->port == 0) *error = "no free port for every sandbox address";
  return inv->port != 0;
}

bool WriteState(const Inventory& inv, const std::vector<SimCluster>& clusters,
                double wait_scale, std::string* error) {
  if (!MakeKeys(inv.state_dir, error) || !WriteClientFiles(inv, error) ||
      !WriteFleetCopy(inv, wait_scale, error))
    return false;
  Log log = {{{"type", "start"}, {"t", Now()}, {"fleet", inv.fleet}, {"port", inv.port}}};
  for (const SimCluster& c : clusters) {
    if (!WriteCluster(inv.state_dir, c, error)) return false;
    json members = json::object();
    for (const SimMember& m : c.members) members[m.name] = m.in_cluster ? RoleText(m.role) : "out";
    log.push_back({{"type", "availability"}, {"t", Now()}, {"cluster", c.name},
                   {"serving", c.Serving()}, {"active", c.ActiveCount()},
                   {"min_serving", c.min_serving}, {"members", members},
                   {"cause", "sandbox started"}});
  }
  AppendAudit(inv.state_dir, log);
  return WriteInventory(inv, error);
}

bool Launch(Inventory* inv, const std::vector<SimCluster>& clusters, std::string* error) {
  for (const SimCluster& c : clusters)
    for (const SimMember& m : c.members)
      if (m.faults.unreachable || m.faults.stall) inv->withheld.insert(m.address);
  inv->running = true;
  for (size_t g = 0; g < inv->sshd.size(); ++g)
    if (!StartSshd(inv, g, error)) return false;
  for (const SimCluster& c : clusters)
    for (const SimMember& m : c.members)
      if (m.faults.stall && !StartStall(inv, m.address, error)) return false;
  return WriteInventory(*inv, error);
}

}  // namespace

const InventoryMember* Inventory::ByAddress(const std::string& address) const {
  for (const InventoryMember& m : members)
    if (m.address == address) return &m;
  return nullptr;
}

const InventoryMember* Inventory::ByKey(const std::string& key) const {
  for (const InventoryMember& m : members)
    if (m.cluster + "/" + m.member == key) return &m;
  return nullptr;
}

int StartSandbox(const StartOptions& o) {
  Inventory inv;
  std::error_code ec;
  inv.state_dir = fs::absolute(o.state_dir, ec).lexically_normal().string();
  inv.fleet = fs::absolute(o.fleet_dir, ec).lexically_normal().string();
  inv.sim = SelfPath();
  inv.user = CurrentUser();
  Inventory old;
  std::string error;
  if (ReadInventory(inv.state_dir, &old, &error) && old.running) {
    std::cerr << "harc-sim: a sandbox runs in " << inv.state_dir << "; stop it first\n";
    return 1;
  }
  error.clear();
  if (fs::exists(inv.state_dir, ec) && !fs::is_empty(inv.state_dir, ec) &&
      !fs::exists(inv.state_dir + "/sandbox.json", ec)) {
    std::cerr << "harc-sim: " << inv.state_dir << " is not empty and holds no sandbox\n";
    return 1;
  }
  fs::remove_all(inv.state_dir, ec);
  fs::create_directories(inv.state_dir + "/sshd", ec);
  fs::create_directories(inv.state_dir + "/home", ec);
  if (getuid() == 0) mkdir("/run/sshd", 0755);  // sshd's privilege separation directory
  std::vector<SimCluster> clusters;
  bool ok = Prepare(o, &inv, &clusters, &error) && WriteState(inv, clusters, o.wait_scale, &error) &&
            Launch(&inv, clusters, &error);
  if (!ok) {
    std::cerr << "harc-sim: " << error << (error.ends_with("\n") ? "" : "\n");
    if (inv.running) StopSandbox(inv.state_dir);
    return 1;
  }
  PrintSummary(inv, std::cout);
  return 0;
}

int StopSandbox(const std::string& state_dir) {
  Inventory inv;
  std::string error;
  if (!ReadInventory(state_dir, &inv, &error)) {
    std::cerr << "harc-sim: " << error << "\n";
    return 1;
  }
  std::vector<pid_t> pids;
  for (const SshdGroup& g : inv.sshd)
    if (ProcessMentions(g.pid, g.config))
      for (pid_t p : ProcessTree(g.pid)) pids.push_back(p);
  for (const auto& [address, pid] : inv.stalls)
    if (ProcessMentions(pid, inv.state_dir))
      pids.push_back(pid);
  Terminate(pids, 3.0);
  inv.running = false;
  for (SshdGroup& g : inv.sshd) g.pid = -1;
  inv.stalls.clear();
  AppendAudit(inv.state_dir, {{{"type", "stop"}, {"t", Now()}}});
  if (!WriteInventory(inv, &error)) std::cerr << "harc-sim: " << error << "\n";
  std::cout << "harc sandbox in " << inv.state_dir << " stopped (" << pids.size()
            << " processes)\n";
  return 0;
}

bool ApplyReachability(Inventory* inv, const std::string& address, const Faults& f,
                       std::string* error) {
  size_t g = GroupOf(*inv, address);
  if (g == SIZE_MAX || !inv->running) return true;
  bool withhold = f.unreachable || f.stall;
  if (auto s = inv->stalls.find(address); s != inv->stalls.end() && !f.stall) {
    if (ProcessMentions(s->second, inv->state_dir)) Terminate({s->second}, 2.0);
    inv->stalls.erase(s);
  }
  if (withhold != inv->withheld.count(address)) {
    if (withhold) inv->withheld.insert(address);
    else inv->withheld.erase(address);
    SshdGroup& grp = inv->sshd[g];
    if (!WriteTextFile(grp.config, SshdConfig(*inv, g), error)) return false;
    if (!ProcessMentions(grp.pid, grp.config) || kill(grp.pid, SIGHUP) != 0) {
      *error = "sshd " + std::to_string(g) + " is not running";
      return false;
    }
    if (!WaitListening({address}, inv->port, !withhold, 10) ||
        !WaitListening(Listening(*inv, g), inv->port, true, 10)) {
      *error = "sshd " + std::to_string(g) + " did not reload";
      return false;
    }
  }
  if (f.stall && !inv->stalls.count(address) && !StartStall(inv, address, error)) return false;
  return WriteInventory(*inv, error);
}

// ---------------------------------------------------------------- sandbox.json

bool ReadInventory(const std::string& state_dir, Inventory* out, std::string* error) {
  json j;
  if (!ReadJsonFile(state_dir + "/sandbox.json", &j, error)) return false;
  try {
    Inventory inv;
    inv.state_dir = j.at("state_dir");
    inv.fleet = j.at("fleet");
    inv.sim = j.at("sim");
    inv.user = j.at("user");
    inv.port = j.at("port");
    inv.bastion = j.at("bastion");
    inv.running = j.value("running", false);
    for (const json& m : j.at("members"))
      inv.members.push_back({m.at("cluster"), m.at("member"), m.at("platform"), m.at("address"),
                             m.value("original_host", "")});
    for (const json& g : j.at("sshd")) inv.sshd.push_back({g.at("config"), g.at("pid"), g.at("addresses")});
    inv.withheld = j.value("withheld", std::set<std::string>{});
    inv.stalls = j.value("stalls", std::map<std::string, int>{});
    *out = std::move(inv);
    return true;
  } catch (const std::exception& e) {
    *error = state_dir + "/sandbox.json: " + e.what();
    return false;
  }
}

bool WriteInventory(const Inventory& inv, std::string* error) {
  json members = json::array(), sshd = json::array();
  for (const InventoryMember& m : inv.members)
    members.push_back({{"cluster", m.cluster}, {"member", m.member}, {"platform", m.platform},
                       {"address", m.address}, {"original_host", m.original_host}});
  for (const SshdGroup& g : inv.sshd)
    sshd.push_back({{"config", g.config}, {"pid", g.pid}, {"addresses", g.addresses}});
  json j = {{"format", "harc-sim.sandbox/v1"}, {"state_dir", inv.state_dir},
            {"fleet", inv.fleet},              {"sim", inv.sim},
            {"user", inv.user},                {"port", inv.port},
            {"bastion", inv.bastion},          {"running", inv.running},
            {"members", members},              {"sshd", sshd},
            {"withheld", inv.withheld},        {"stalls", inv.stalls}};
  return WriteTextFile(inv.state_dir + "/sandbox.json", j.dump(1) + "\n", error);
}

}  // namespace harc::sim
