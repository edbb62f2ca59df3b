// The sandbox fleet: OpenSSH sshd on one loopback address per member, with
// harc-sim behind it as ForceCommand, for a fleet repository.
//
// start: loads the fleet, gives each member an address (127.0.0.2, .3, ...;
// one member ::1), makes a host key and a client key, writes the clients'
// files (ssh_config, known_hosts, harc-ssh.toml, a copy of the fleet whose
// hosts are the sandbox addresses), the clusters' initial state and the
// inventory (sandbox.json), and starts one sshd per 16 addresses (OpenSSH's
// limit), all on one port. stop: ends exactly those sshd processes, their
// sessions and the stalling listeners, checked by pid and command line.
//
// Unreachable members: sshd stops listening on the address (a reload by
// SIGHUP, which re-reads the config), so a connection is refused; a stalled
// member gets a listener that accepts TCP and never sends a banner. While
// sshd reloads, the other members it serves refuse new connections too
// (open sessions go on): a test that makes a member unreachable or stalled,
// or clears that, while a run is connecting to others sees them refused.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/sandbox/sim/cluster_state.h"
#include "tests/sandbox/sim/init.h"

namespace harc::sim {

struct InventoryMember {
  std::string cluster;
  std::string member;
  std::string platform;
  std::string address;
  std::string original_host;  // the host the fleet file names
};

struct SshdGroup {
  std::string config;  // path of its sshd_config
  int pid = -1;
  std::vector<std::string> addresses;
};

struct Inventory {
  std::string state_dir;
  std::string fleet;  // the fleet repository the sandbox was started for
  std::string sim;    // this program
  std::string user;   // who logs in
  int port = 0;
  std::vector<InventoryMember> members;
  std::string bastion;  // an address with no member, for ProxyJump
  std::vector<SshdGroup> sshd;
  std::set<std::string> withheld;        // addresses sshd does not listen on
  std::map<std::string, int> stalls;     // address -> pid of the stalling listener
  bool running = false;

  const InventoryMember* ByAddress(const std::string& address) const;
  const InventoryMember* ByKey(const std::string& cluster_member) const;
};

bool ReadInventory(const std::string& state_dir, Inventory* out, std::string* error);
bool WriteInventory(const Inventory& inv, std::string* error);

struct StartOptions {
  std::string fleet_dir;
  std::string state_dir;
  std::string ipv6_member;  // "cluster/member" to put on ::1; "" = the first member
  bool ipv6 = true;
  double wait_scale = 1.0;  // the fleet copy's platform waits, scaled
  InitOptions init;
};

// Exit codes: 0 started, 1 error (nothing left running).
int StartSandbox(const StartOptions& o);
int StopSandbox(const std::string& state_dir);

// Makes the member at `address` reachable or not as faults f say (unreachable:
// refused; stall: accepted, never answered), reloading its sshd.
bool ApplyReachability(Inventory* inv, const std::string& address, const Faults& f,
                       std::string* error);

// ---------------------------------------------------------------- files (sandbox_files.cc)

// The fleet copy under state_dir/fleet: cluster files with each member's host
// set to its sandbox address (port and user dropped: harc.toml gives them),
// harc.toml's [ssh] pointing at the sandbox's key, known_hosts, port, user.
// wait_scale != 1 also writes each built-in platform the fleet does not
// override into its platforms/, every action's waits scaled by it.
bool WriteFleetCopy(const Inventory& inv, double wait_scale, std::string* error);
// known_hosts, ssh_config, harc-ssh.toml, authorized_keys, members.tsv.
bool WriteClientFiles(const Inventory& inv, std::string* error);
// The sshd_config of group g (withheld addresses left out).
std::string SshdConfig(const Inventory& inv, size_t g);
// Shell-quoted for sshd's ForceCommand (run by the user's shell).
std::string Quoted(const std::string& s);

}  // namespace harc::sim
