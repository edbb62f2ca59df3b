// The files the sandbox writes for its clients and its sshd processes.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "compiler/builtin_platforms.h"
#include "compiler/shell.h"
#include "compiler/toml_reader.h"
#include "tests/sandbox/sim/sandbox.h"
#include "tests/sandbox/sim/store.h"

namespace harc::sim {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "ssh-ed25519 AAAA..." of a public key file.
std::string PublicKey(const std::string& pub) {
  std::istringstream s(ReadText(pub));
  std::string type, blob;
  s >> type >> blob;
  return type + " " + blob;
}

std::string HostPort(const std::string& address, int port) {
  return "[" + address + "]:" + std::to_string(port);
}

bool CopyCluster(const Inventory& inv, const fs::path& from, const fs::path& to,
                 std::string* error) {
  toml::table t;
  try {
    t = toml::parse_file(from.string());
  } catch (const toml::parse_error& e) {
    *error = from.string() + ": " + std::string(e.description());
    return false;
  }
  std::string cluster = t["name"].value_or(std::string());
  if (toml::array* members = t["member"].as_array()) {
    for (toml::node& n : *members) {
      toml::table* m = n.as_table();
      if (!m) continue;
      const InventoryMember* im = inv.ByKey(cluster + "/" + (*m)["name"].value_or(std::string()));
      if (!im) continue;
      m->insert_or_assign("host", im->address);
      m->erase("port");
      m->erase("user");
    }
  }
  std::ostringstream out;
  out << "# Sandbox copy of " << from.string() << ": hosts are sandbox addresses.\n" << t << "\n";
  return WriteTextFile(to.string(), out.str(), error);
}

bool CopyHarcToml(const Inventory& inv, const fs::path& to, std::string* error) {
  toml::table t;
  fs::path from = fs::path(inv.fleet) / "harc.toml";
  try {
    if (fs::exists(from)) t = toml::parse_file(from.string());
  } catch (const toml::parse_error& e) {
    *error = from.string() + ": " + std::string(e.description());
    return false;
  }
  toml::table ssh;
  if (toml::table* old = t["ssh"].as_table()) ssh = *old;
  ssh.insert_or_assign("user", inv.user);
  ssh.insert_or_assign("port", inv.port);
  ssh.insert_or_assign("identity", inv.state_dir + "/client_key");
  ssh.insert_or_assign("known_hosts", inv.state_dir + "/known_hosts");
  t.insert_or_assign("ssh", ssh);
  std::ostringstream out;
  out << "# Sandbox copy of " << from.string() << ": [ssh] points at the sandbox.\n" << t << "\n";
  return WriteTextFile(to.string(), out.str(), error);
}

// A built-in platform with every action's timeout, interval and stable time
// multiplied by `scale` (at least 10ms), so tests wait seconds, not hours.
bool WriteScaledPlatform(const SourceFile& builtin, double scale, const fs::path& to,
                         std::string* error) {
  toml::table t;
  try {
    t = toml::parse(builtin.text, builtin.path);
  } catch (const toml::parse_error& e) {
    *error = builtin.path + ": " + std::string(e.description());
    return false;
  }
  if (toml::table* actions = t["actions"].as_table())
    for (auto& [name, action] : *actions) {
      toml::table* a = action.as_table();
      if (!a) continue;
      for (const char* key : {"timeout", "interval", "stable"}) {
        int ms = 0;
        std::optional<std::string> text = (*a)[key].value<std::string>();
        if (!text || !ParseDuration(*text, &ms)) continue;
        int scaled = std::max(10, static_cast<int>(ms * scale));
        a->insert_or_assign(key, std::to_string(scaled) + "ms");
      }
    }
  std::ostringstream out;
  out << "# Sandbox copy of the built-in " << builtin.path << ", its waits scaled by " << scale
      << ".\n"
      << t << "\n";
  return WriteTextFile(to.string(), out.str(), error);
}

// Aliases a client may use for a member: cluster.member always; the member's
// name and the fleet file's host when no other member shares them.
std::map<std::string, std::vector<std::string>> Aliases(const Inventory& inv) {
  std::map<std::string, int> uses;
  for (const InventoryMember& m : inv.members) ++uses[m.member], ++uses[m.original_host];
  std::map<std::string, std::vector<std::string>> out;
  for (const InventoryMember& m : inv.members) {
    std::vector<std::string>& a = out[m.address];
    a.push_back(m.cluster + "." + m.member);
    if (uses[m.member] == 1) a.push_back(m.member);
    if (uses[m.original_host] == 1 && m.original_host != m.member) a.push_back(m.original_host);
  }
  return out;
}

std::string SshConfigText(const Inventory& inv) {
  std::string s = "# harc sandbox: ssh -F " + inv.state_dir + "/ssh_config <member> 'command'\n";
  for (const auto& [address, names] : Aliases(inv)) {
    s += "Host";
    for (const std::string& n : names) s += " " + n;
    s += "\n  HostName " + address + "\n";
  }
  s += "Host bastion\n  HostName " + inv.bastion + "\n";
  s += "Host *\n  User " + inv.user + "\n  Port " + std::to_string(inv.port) +
       "\n  IdentityFile " + inv.state_dir + "/client_key\n  IdentitiesOnly yes\n" +
       "  UserKnownHostsFile " + inv.state_dir + "/known_hosts\n" +
       "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n" +
       "  ConnectTimeout 10\n  LogLevel ERROR\n";
  return s;
}

}  // namespace

std::string Quoted(const std::string& s) { return ShellQuote(s); }

bool WriteFleetCopy(const Inventory& inv, double wait_scale, std::string* error) {
  fs::path root = fs::path(inv.state_dir) / "fleet";
  fs::create_directories(root / "clusters");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(inv.fleet) / "clusters", ec))
    if (e.path().extension() == ".toml" &&
        !CopyCluster(inv, e.path(), root / "clusters" / e.path().filename(), error))
      return false;
  fs::path platforms = fs::path(inv.fleet) / "platforms";
  if (fs::is_directory(platforms)) {
    fs::create_directories(root / "platforms");
    for (const auto& e : fs::directory_iterator(platforms, ec))
      if (e.path().extension() == ".toml")
        fs::copy_file(e.path(), root / "platforms" / e.path().filename(),
                      fs::copy_options::overwrite_existing, ec);
  }
  if (wait_scale != 1.0) {
    fs::create_directories(root / "platforms");
    for (const SourceFile& f : BuiltinPlatforms()) {
      fs::path to = root / "platforms" / fs::path(f.path).filename();
      if (!fs::exists(to) && !WriteScaledPlatform(f, wait_scale, to, error)) return false;
    }
  }
  return CopyHarcToml(inv, root / "harc.toml", error);
}

bool WriteClientFiles(const Inventory& inv, std::string* error) {
  const std::string& d = inv.state_dir;
  std::string host_key = PublicKey(d + "/sshd/host_key.pub");
  std::string known;
  for (const InventoryMember& m : inv.members) known += HostPort(m.address, inv.port) + " " + host_key + "\n";
  known += HostPort(inv.bastion, inv.port) + " " + host_key + "\n";
  std::string toml = "[ssh]\nuser = \"" + inv.user + "\"\nport = " + std::to_string(inv.port) +
                     "\nidentity = \"" + d + "/client_key\"\nknown_hosts = \"" + d +
                     "/known_hosts\"\n";
  std::string tsv;
  for (const InventoryMember& m : inv.members)
    tsv += m.cluster + "\t" + m.member + "\t" + m.platform + "\t" + m.address + "\n";
  return WriteTextFile(d + "/known_hosts", known, error) &&
         WriteTextFile(d + "/ssh_config", SshConfigText(inv), error) &&
         WriteTextFile(d + "/harc-ssh.toml", toml, error) &&
         WriteTextFile(d + "/members.tsv", tsv, error) &&
         WriteTextFile(d + "/sshd/authorized_keys", ReadText(d + "/client_key.pub"), error, 0600);
}

std::string SshdConfig(const Inventory& inv, size_t g) {
  const std::string& d = inv.state_dir;
  std::string s = "# harc sandbox sshd " + std::to_string(g) + "\n";
  int listening = 0;
  for (const std::string& a : inv.sshd[g].addresses) {
    if (inv.withheld.count(a)) continue;
    s += "ListenAddress " + HostPort(a, inv.port) + "\n";
    ++listening;
  }
  // No ListenAddress would mean every address: listen on an unused one.
  if (listening == 0) s += "ListenAddress " + HostPort("127.255.255.254", inv.port) + "\n";
  s += "HostKey " + d + "/sshd/host_key\n"
       "AuthorizedKeysFile " + d + "/sshd/authorized_keys\n"
       "PidFile " + d + "/sshd/sshd-" + std::to_string(g) + ".pid\n"
       "ForceCommand " + Quoted(inv.sim) + " serve --state " + Quoted(d) + "\n"
       "SetEnv HOME=" + d + "/home\n"
       "StrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
       "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
       "UseDNS no\nPrintMotd no\nPrintLastLog no\nLogLevel VERBOSE\n"
       "MaxStartups 1000\nMaxSessions 100\nLoginGraceTime 30\n"
       "AllowTcpForwarding yes\nX11Forwarding no\nPermitTunnel no\n"
       // Each forward a client asks for ("target 127.0.0.5 port N"), so a
       // test can prove a member was reached through the bastion.
       "LogVerbose serverloop.c:server_request_direct_tcpip():*\n";
  return s;
}

}  // namespace harc::sim
