// A Debian-packaged service behind a keepalived virtual address: the word the
// platform's role command prints (keepalived's state, MASTER only with the
// address held, DRAINED for a BACKUP lowered by the drain file), the
// vrrp_instance line of keepalived.conf, dpkg-query -W and harc's failback
// file.
#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

// A drained node is a BACKUP at priority 1; one on its way up is INIT.
Reply RoleWord(const FactContext& ctx) {
  const SimMember& m = ctx.self;
  if (!m.in_cluster) return {"STOPPED\n", "", 0};
  if (m.role == Role::kActive) return {"MASTER\n", "", 0};
  if (m.role == Role::kStandby) return {"BACKUP\n", "", 0};
  return {m.enabled ? "INIT\n" : "DRAINED\n", "", 0};
}

Reply HasInstance(const FactContext& ctx) {
  return {ctx.self.in_cluster ? "true\n" : "false\n", "", 0};
}

Reply DpkgQuery(const FactContext& ctx) {
  auto it = ctx.self.versions.find("app");
  if (it == ctx.self.versions.end()) return {"", "dpkg-query: no packages found matching app\n", 1};
  return {"app\t" + it->second + "\n", "", 0};
}

Reply Failback(const FactContext& ctx) { return {ctx.Setting(ctx.self, "failback") + "\n", "", 0}; }

Reply KeepalivedFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role") return RoleWord(ctx);
  if (fact == "in_cluster") return HasInstance(ctx);
  if (fact == "version.app") return DpkgQuery(ctx);
  if (fact == "boot_id") return BootId(ctx);
  if (fact == "setting.failback") return Failback(ctx);
  return UnknownFact(fact);
}

std::string CheckSetting(const std::string& setting, const std::string& value) {
  if (setting == "failback") return OneOf(value, {"on", "off"});
  return "unknown setting '" + setting + "'";
}

}  // namespace

// The failback file is per node; with failback on, a returning node of higher
// priority takes the address back (VRRP preemption). dpkg installs restart
// no machine.
const Vendor& KeepalivedService() {
  static const Vendor v{"keepalived", {false, {"failback"}, "failback", false},
                        {{"failback", "on"}}, &KeepalivedFact, &CheckSetting};
  return v;
}

}  // namespace harc::sim
