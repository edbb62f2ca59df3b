// A Debian node with keepalived (VRRP): keepalived's JSON state dump,
// systemctl is-enabled, dpkg-query -W and the nopreempt line of its config.
#include <nlohmann/json.hpp>

#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

// keepalived's data.state: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT.
int VrrpState(const SimMember& m) {
  if (m.role == Role::kActive) return 2;
  if (m.role == Role::kStandby) return 1;
  return 0;
}

// `kill -s JSON ...; cat /tmp/keepalived.json` while keepalived runs, else "[]".
Reply KeepalivedJson(const FactContext& ctx) {
  const SimMember& m = ctx.self;
  if ((!m.enabled && m.role == Role::kDown) || !m.in_cluster || m.install) return {"[]\n", "", 0};
  int state = VrrpState(m);
  bool nopreempt = ctx.Setting(m, "preempt") == "off";
  const SimMember* master = ctx.cluster.Active();
  nlohmann::json data = {
      {"iname", "VI_1"},        {"ifp_ifname", "eth0"},
      {"master_priority", master ? master->priority : 0},
      {"last_transition", m.changed_at},
      {"vrid", 51},             {"base_priority", m.priority},
      {"effective_priority", m.priority},
      {"vipset", state == 2},   {"vips", {"192.0.2.100"}},
      {"adver_int", 1.0},       {"nopreempt", nopreempt},
      {"preempt_delay", 0},     {"state", state},
      {"wantstate", state},     {"version", 2}};
  nlohmann::json stats = {{"advert_rcvd", 0}, {"advert_sent", 8121},
                          {"become_master", m.failovers}, {"pri_zero_sent", 0}};
  return {nlohmann::json::array({{{"data", data}, {"stats", stats}}}).dump(), "", 0};
}

// systemctl is-enabled: exits 1 for anything but "enabled".
Reply IsEnabled(const FactContext& ctx) {
  if (ctx.self.in_cluster) return {"enabled\n", "", 0};
  return {"disabled\n", "", 1};
}

Reply DpkgQuery(const FactContext& ctx) {
  auto it = ctx.self.versions.find("keepalived");
  if (it == ctx.self.versions.end())
    return {"", "dpkg-query: no packages found matching keepalived\n", 1};
  return {"keepalived\t" + it->second + "\n", "", 0};
}

Reply Preempt(const FactContext& ctx) {
  return {(ctx.Setting(ctx.self, "preempt") == "off" ? "off" : "on") + std::string("\n"), "", 0};
}

Reply LinuxFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role") return KeepalivedJson(ctx);
  if (fact == "in_cluster") return IsEnabled(ctx);
  if (fact == "version.keepalived") return DpkgQuery(ctx);
  if (fact == "boot_id") return BootId(ctx);
  if (fact == "setting.preempt") return Preempt(ctx);
  return UnknownFact(fact);
}

std::string CheckSetting(const std::string& setting, const std::string& value) {
  if (setting == "preempt") return OneOf(value, {"on", "off"});
  return "unknown setting '" + setting + "'";
}

}  // namespace

// keepalived's config is per node; a package upgrade restarts the daemon but
// does not reboot.
const Vendor& LinuxKeepalived() {
  static const Vendor v{"linux", {false, {"preempt"}, "preempt", false}, {{"preempt", "on"}},
                        &LinuxFact, &CheckSetting};
  return v;
}

}  // namespace harc::sim
