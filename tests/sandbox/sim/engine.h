// The cluster's own behaviour: what each action does to a simulated cluster,
// when, and what the cluster then does by itself.
//
// An action changes what the member was told (enabled, an install) at once and
// schedules its visible effect (the role, the version) after the platform's
// transition time. Advance() materialises due transitions in time order, each
// at the time it was due, and after each applies the cluster's own rules:
//  - a graceful drain or failover is make-before-break: the peer becomes
//    active at the same instant the member steps down;
//  - an active that goes down without handing over (drain where the platform
//    does not fail over by itself, an install on a serving member) leaves the
//    cluster without an active until a standby takes over after a delay;
//  - a returning higher-priority member with preemption on takes the active
//    role back (VRRP); Serviceguard packages fail back to their primary node
//    when failback_policy is automatic;
//  - a join is refused where the platform forbids mixed versions and the
//    member's version differs from the serving members'.
// Every transition and every change of availability (serving and active
// counts) is appended to the log, as audit records.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/sandbox/sim/cluster_state.h"

namespace harc::sim {

using Log = std::vector<nlohmann::json>;

// What a platform does that the platform file does not say.
struct Traits {
  bool install_reboots = true;                // install gives a new boot id
  std::vector<std::string> member_settings;   // settings kept per member; others cluster-wide
  std::string preempt_setting;                // "on" lets a higher priority member take over
  bool packages = false;                      // Serviceguard packages follow the nodes
};

struct Outcome {
  bool ok = true;
  std::string message;  // what happened, or why not
};

class Engine {
 public:
  // REQUIRES: c, log outlive the engine.
  Engine(SimCluster* c, const Traits& traits, Log* log) : c_(*c), traits_(traits), log_(*log) {}

  // Materialises every pending transition due at or before now.
  void Advance(Time now);

  Outcome Drain(const std::string& member, Time now);
  Outcome Undrain(const std::string& member, Time now);
  // target "": the best standby.
  Outcome Failover(const std::string& member, const std::string& target, Time now);
  Outcome Install(const std::string& member, const std::string& component,
                  const std::string& version, Time now);
  Outcome Leave(const std::string& member, Time now);
  Outcome Join(const std::string& member, Time now);
  Outcome Set(const std::string& member, const std::string& setting, const std::string& value,
              Time now);
  // Faults take effect at once; clearing a hang lets the install finish.
  void SetFaults(const std::string& member, const Faults& f, Time now);

  // The value of `setting` as member m sees it ("" when unset).
  std::string Setting(const SimMember& m, const std::string& setting) const;

  // Records the availability as it is now (e.g. at start), if it changed.
  void Record(Time t, const std::string& cause);

 private:
  void Schedule(Event e);
  void Cancel(const std::string& member, const std::vector<std::string>& kinds);
  bool Pending(const std::string& kind, const std::string& member = "") const;
  void Apply(const Event& e);
  void ApplyDown(SimMember* m, bool handover, Time t);
  void ApplyUp(SimMember* m, Time t);
  void ApplyJoin(SimMember* m, Time t);
  void ApplyInstallDone(SimMember* m, Time t);
  void Rules(Time t);
  void PackagesFollow(Time t);
  void Failback(Time t);
  SimMember* BestStandby(const std::string& except);
  void SetRole(SimMember* m, Role r, Time t);
  void Note(Time t, const std::string& member, const std::string& what);

  SimCluster& c_;
  const Traits& traits_;
  Log& log_;
};

// The value of `setting` as member m sees it: its own for member-scoped
// settings, else the cluster's ("" when unset).
std::string SettingOf(const SimCluster& c, const Traits& traits, const SimMember& m,
                      const std::string& setting);

// A fresh boot id (a random UUID, as /proc/sys/kernel/random/boot_id).
std::string NewBootId();

}  // namespace harc::sim
