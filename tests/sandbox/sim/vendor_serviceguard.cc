// HPE Serviceguard on HP-UX: cmviewcl for a node and for the packages (line
// format), swlist and who -b.
#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

std::string NodeStatus(const SimMember& m) {
  if (m.role != Role::kDown) return "up";
  return m.install ? "unknown" : "down";
}

std::string NodeState(const SimMember& m) {
  if (m.role != Role::kDown) return "running";
  return m.install ? "unknown" : "halted";
}

bool ClusterUp(const SimCluster& c) { return c.Serving() > 0; }

// cmviewcl -n <subject>
Reply CmviewclNode(const FactContext& ctx) {
  const SimCluster& c = ctx.cluster;
  const SimMember& n = ctx.subject;
  if (!n.in_cluster)
    return {"", "cmviewcl: Cannot find node " + n.name + " in cluster " + c.name + ".\n", 1};
  std::string out = Pad("CLUSTER", 15) + Pad("STATUS", 13) + "\n" + Pad(c.name, 15) +
                    Pad(ClusterUp(c) ? "up" : "down", 13) + "\n\n  " + Pad("NODE", 15) +
                    Pad("STATUS", 13) + Pad("STATE", 13) + "\n  " + Pad(n.name, 15) +
                    Pad(NodeStatus(n), 13) + Pad(NodeState(n), 13) + "\n";
  bool header = false;
  for (const Package& p : c.packages) {
    if (p.node != n.name) continue;
    if (!header)
      out += "\n    " + Pad("PACKAGE", 15) + Pad("STATUS", 17) + Pad("STATE", 17) +
             Pad("AUTO_RUN", 12) + Pad("NODE", 12) + "\n";
    header = true;
    out += "    " + Pad(p.name, 15) + Pad("up", 17) + Pad("running", 17) + Pad("enabled", 12) +
           Pad(p.node, 12) + "\n";
  }
  return {out, "", 0};
}

// cmviewcl -v -f line -l package
Reply CmviewclPackages(const FactContext& ctx) {
  const SimCluster& c = ctx.cluster;
  std::string failover = ctx.Setting(ctx.self, "failover_policy");
  std::string failback = ctx.Setting(ctx.self, "failback_policy");
  std::string out;
  for (const Package& p : c.packages) {
    std::string pre = "package:" + p.name + "|";
    bool up = !p.node.empty();
    out += pre + "name=" + p.name + "\n" + pre + "status=" + (up ? "up" : "down") + "\n" + pre +
           "state=" + (up ? "running" : "halted") + "\n" + pre + "autorun=enabled\n" + pre +
           "type=failover\n" + pre + "failover_policy=" + failover + "\n" + pre +
           "failback_policy=" + failback + "\n" + pre + "node=" + (up ? p.node : "") + "\n";
  }
  return {out, "", 0};
}

Reply Swlist(const FactContext& ctx) {
  auto it = ctx.self.versions.find("serviceguard");
  std::string head = "# Initializing...\n# Contacting target \"" + ctx.self.name +
                     "\"...\n#\n# Target:  " + ctx.self.name + ":/\n#\n\n";
  if (it == ctx.self.versions.end())
    return {head, "ERROR:   Software \"Serviceguard\" was not found on host \"" + ctx.self.name +
                      ":/\".\n", 1};
  return {head + "  " + Pad("Serviceguard", 30) + Pad(it->second, 15) + "Serviceguard\n", "", 0};
}

Reply WhoB(const FactContext& ctx) {
  return {"   .       system boot  " + CTime(ctx.self.boot_time, "%b %e %H:%M") + "\n", "", 0};
}

Reply ServiceguardFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role" || fact == "in_cluster") return CmviewclNode(ctx);
  if (fact == "version.serviceguard") return Swlist(ctx);
  if (fact == "boot_id") return WhoB(ctx);
  if (fact == "setting.failback_policy" || fact == "setting.failover_policy")
    return CmviewclPackages(ctx);
  return UnknownFact(fact);
}

std::string CheckSetting(const std::string& setting, const std::string& value) {
  if (setting == "failback_policy") return OneOf(value, {"manual", "automatic"});
  if (setting == "failover_policy")
    return OneOf(value, {"configured_node", "min_package_node", "site_preferred",
                         "site_preferred_manual"});
  return "unknown setting '" + setting + "'";
}

}  // namespace

// Package policies are applied to every package (cluster-wide); swinstall
// with autoreboot=true reboots the node.
const Vendor& Serviceguard() {
  static const Vendor v{"serviceguard",
                        {true, {}, "", true},
                        {{"failback_policy", "manual"}, {"failover_policy", "configured_node"}},
                        &ServiceguardFact,
                        &CheckSetting};
  return v;
}

}  // namespace harc::sim
