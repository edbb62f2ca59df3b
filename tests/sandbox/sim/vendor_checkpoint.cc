// Check Point Maestro / ElasticXL Security Groups and 61k/64k dual chassis:
// cphaprob state, cphaprob syncstat, asg stat -v, the Jumbo Hotfix take from
// cpinfo, and the SMO image cloning state from gclish.
#include <regex>

#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

// ClusterXL's name for a member's state.
std::string ClusterXlState(const SimMember& m) {
  if (m.role == Role::kActive) return "ACTIVE";
  if (m.role == Role::kStandby) return "STANDBY";
  return m.enabled || m.install ? "INIT" : "DOWN";
}

// "1_01": site, then the member's index within its site.
std::string MemberId(const SimCluster& c, const SimMember& m) {
  int site = m.site > 0 ? m.site : 1, index = 0;
  for (const SimMember& peer : c.members) {
    int peer_site = peer.site > 0 ? peer.site : 1;
    if (peer_site == site) ++index;
    if (&peer == &m) break;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d_%02d", site, index);
  return buf;
}

std::string CphaprobMembers(const FactContext& ctx) {
  std::string out;
  int n = 0;
  for (const SimMember& m : ctx.cluster.members) {
    ++n;
    if (!m.in_cluster) continue;
    std::string id = MemberId(ctx.cluster, m) + (&m == &ctx.self ? " (local)" : "");
    std::string load = m.role == Role::kActive ? "100%" : "0%";
    out += Pad(id, 14) + Pad("192.0.2." + std::to_string(n), 16) + Pad(load, 16) +
           Pad(ClusterXlState(m), 15) + m.name + "\n";
  }
  return out;
}

Reply CphaprobState(const FactContext& ctx) {
  const SimMember& self = ctx.self;
  if (!self.in_cluster) return {"HA module not started.\n", "", 0};
  std::string down_reason = self.install ? "member is rebooting" : "admin_down PNOTE";
  std::string out = "\nCluster Mode:   HA Over LS\n\n"
                    "ID            Unique Address  Assigned Load   State          Name\n\n" +
                    CphaprobMembers(ctx) + "\nActive PNOTEs: " +
                    (self.enabled ? "None" : "admin_down") + "\n\n";
  if (self.failovers > 0) {
    out += "Last member state change event:\n"
           "   Event Code:                 CLUS-110305\n"
           "   State change:               " + self.last_change + "\n"
           "   Reason for state change:    " +
           (self.role == Role::kDown ? down_reason : "Member state has been changed") + "\n" +
           "   Event time:                 " + CTime(self.changed_at) + "\n\n";
  }
  out += "Cluster failover count:\n"
         "   Failover counter:           " + std::to_string(self.failovers) + "\n" +
         "   Time of counter reset:      " + CTime(self.boot_time) + " (reboot)\n\n";
  return {out, "", 0};
}

Reply SyncStat(const FactContext& ctx) {
  bool ok = ctx.self.in_cluster && !ctx.self.install;
  std::string status = ok ? "OK" : "Off - Full-sync failure";
  return {"\nDelta Sync Statistics\n\nSync status: " + status +
              "\n\nDrops:\n"
              "Lost updates................................. 0\n"
              "Lost bulk update events...................... 0\n"
              "Oversized updates not sent................... 0\n\n"
              "Sync Interface:\n"
              "Name......................................... Sync\n"
              "Link speed................................... 10000Mb/s\n\n"
              "Reset on " + CTime(ctx.self.boot_time) + " (triggered by fullsync).\n\n",
          "", 0};
}

// cpinfo | sed | head: the Jumbo take as R81.20_T89, or nothing when the
// installed package is not a Jumbo Hotfix (the sed prints nothing).
Reply HotfixTake(const FactContext& ctx) {
  auto it = ctx.self.versions.find("hotfix");
  static const std::regex kTake(R"(R\d+\.\d+_T\d+)");
  if (it == ctx.self.versions.end() || !std::regex_match(it->second, kTake)) return {"", "", 0};
  return {it->second + "\n", "", 0};
}

Reply ImageCloning(const FactContext& ctx) {
  return {"SMO Image Cloning state: " + ctx.Setting(ctx.self, "image_cloning") + "\n", "", 0};
}

Reply MaestroFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role" || fact == "in_cluster") return CphaprobState(ctx);
  if (fact == "version.hotfix") return HotfixTake(ctx);
  if (fact == "sync") return SyncStat(ctx);
  if (fact == "boot_id") return BootId(ctx);
  if (fact == "setting.image_cloning") return ImageCloning(ctx);
  return UnknownFact(fact);
}

// ---------------------------------------------------------------- dual chassis

std::string Row(const std::string& text) { return "| " + Pad(text, 74) + "|\n"; }

const std::string kRule = std::string(77, '-') + "\n";

std::string ChassisId(const SimCluster& c, const SimMember& m) {
  bool digits = !m.name.empty() && m.name.find_first_not_of("0123456789") == std::string::npos;
  if (digits) return m.name;
  for (size_t i = 0; i < c.members.size(); ++i)
    if (&c.members[i] == &m) return std::to_string(i + 1);
  return "0";
}

std::string ChassisBlock(const FactContext& ctx, const SimMember& m) {
  std::string state = m.role == Role::kActive    ? "ACTIVE"
                      : m.role == Role::kStandby ? "STANDBY"
                                                 : "DOWN";
  std::string out = Row(Pad("Chassis " + ChassisId(ctx.cluster, m), 28) + state) + kRule +
                    Row("SGM ID         State          Process                   Policy Date");
  bool up = m.role != Role::kDown;
  for (int sgm = 1; sgm <= 4; ++sgm) {
    std::string id = std::to_string(sgm) + (&m == &ctx.self && sgm == 1 ? "  (local)" : "");
    out += Row(Pad(id, 15) + Pad(up ? "UP" : "DOWN", 15) +
               Pad(up ? "Enforcing Security" : "Inactive", 26) +
               (up ? CTime(m.boot_time, "%d%b%y %H:%M") : std::string("NA")));
  }
  return out + kRule;
}

Reply AsgStat(const FactContext& ctx) {
  if (!ctx.self.in_cluster) return {"asg: the Security Group is not configured on this member\n", "", 0};
  std::string out = kRule + "| " + Pad("System Status - 61k", 75) + "|\n" + kRule;
  for (const SimMember& m : ctx.cluster.members)
    if (m.in_cluster) out += ChassisBlock(ctx, m);
  return {out, "", 0};
}

Reply DualChassisFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role" || fact == "in_cluster") return AsgStat(ctx);
  if (fact == "version.hotfix") return HotfixTake(ctx);
  if (fact == "sync") return SyncStat(ctx);
  if (fact == "boot_id") return BootId(ctx);
  if (fact == "setting.image_cloning") return ImageCloning(ctx);
  return UnknownFact(fact);
}

std::string CheckSetting(const std::string& setting, const std::string& value) {
  if (setting == "image_cloning") return OneOf(value, {"on", "off"});
  return "unknown setting '" + setting + "'";
}

}  // namespace

const Vendor& CheckPointMaestro() {
  static const Vendor v{"maestro", {true, {}, "", false}, {{"image_cloning", "on"}},
                        &MaestroFact, &CheckSetting};
  return v;
}

const Vendor& CheckPointDualChassis() {
  static const Vendor v{"dual-chassis", {true, {}, "", false}, {{"image_cloning", "on"}},
                        &DualChassisFact, &CheckSetting};
  return v;
}

}  // namespace harc::sim
