// The simulated vendors: for each built-in platform, what its command-line
// tools print for each fact (modelled on the vendor's documentation and the
// samples in tests/data/outputs/<platform>/), how it behaves (engine.h Traits)
// and which setting values it accepts. A platform file decides which command
// reads which fact; a vendor here answers for the fact by name, so that facts
// sharing one command (role and in_cluster from `cphaprob state`) print the
// same text.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/sandbox/sim/cluster_state.h"
#include "tests/sandbox/sim/engine.h"

namespace harc::sim {

struct Reply {
  std::string out;
  std::string err;
  int status = 0;
};

struct FactContext {
  const SimCluster& cluster;
  const Traits& traits;
  const SimMember& self;     // the member the command was sent to
  const SimMember& subject;  // the member the command names ({member}); else self
  Time now;

  std::string Setting(const SimMember& m, const std::string& s) const {
    return SettingOf(cluster, traits, m, s);
  }
};

struct Vendor {
  const char* platform;
  Traits traits;
  // Values of settings a new member has unless the fleet says otherwise.
  std::map<std::string, std::string> default_settings;
  // What the command behind `fact` prints on ctx.self.
  Reply (*fact)(const std::string& fact, const FactContext& ctx);
  // "" when `value` is acceptable for `setting`, else the vendor's complaint.
  std::string (*check_setting)(const std::string& setting, const std::string& value);
};

// nullptr when the sandbox does not simulate `platform`.
const Vendor* FindVendor(const std::string& platform);

// The vendors, one per built-in platform.
const Vendor& CheckPointMaestro();
const Vendor& CheckPointDualChassis();
const Vendor& LinuxKeepalived();
const Vendor& KeepalivedService();
const Vendor& Pacemaker();
const Vendor& Serviceguard();
const Vendor& TmsZl();

// ---------------------------------------------------------------- shared by the vendors

// A fact no vendor function knows: exits 127 like a missing command.
Reply UnknownFact(const std::string& fact);
// `cat /proc/sys/kernel/random/boot_id`.
Reply BootId(const FactContext& ctx);
// A date as C's "%a %b %e %H:%M:%S %Y" (UTC).
std::string CTime(Time t, const char* format = "%a %b %e %H:%M:%S %Y");
// The text padded with spaces to `width`.
std::string Pad(const std::string& text, size_t width);
// What a member with the wrong-output fault prints instead of a fact.
std::string Garbage(const std::string& fact);
// "" or why `value` is not one of `allowed`.
std::string OneOf(const std::string& value, const std::vector<std::string>& allowed);

}  // namespace harc::sim
