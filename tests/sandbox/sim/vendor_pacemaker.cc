// Pacemaker/Corosync with pcs on RHEL: crm_mon's node list, the corosync
// nodelist, rpm -q and the resource-stickiness default from crm_attribute.
#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

const SimMember* DesignatedController(const SimCluster& c) {
  for (const SimMember& m : c.members)
    if (m.in_cluster && !m.install) return &m;
  return nullptr;
}

std::string NodeLine(const SimMember& m) {
  if (m.install || !m.in_cluster) return "  * OFFLINE: [ " + m.name + " ]\n";
  if (m.role == Role::kDown) return "  * Node " + m.name + ": standby\n";
  return "  * Online: [ " + m.name + " ]\n";
}

std::string Version(const SimMember& m) {
  auto it = m.versions.find("pacemaker");
  return it == m.versions.end() ? "unknown" : it->second;
}

// crm_mon -1 --include=nodes --node=<subject>, run on self. While self's
// cluster services are stopped (during its install) crm_mon cannot connect.
Reply CrmMon(const FactContext& ctx) {
  if (ctx.self.install || !ctx.self.in_cluster)
    return {"", "crm_mon: Error: cluster is not available on this node\n", 102};
  const SimMember* dc = DesignatedController(ctx.cluster);
  std::string dc_name = dc ? dc->name : ctx.self.name;
  int nodes = 0;
  for (const SimMember& m : ctx.cluster.members) nodes += m.in_cluster ? 1 : 0;
  std::string out =
      "Cluster Summary:\n"
      "  * Stack: corosync (Pacemaker is running)\n"
      "  * Current DC: " + dc_name + " (version " + Version(dc ? *dc : ctx.self) +
      "-a3f44794f94) - partition with quorum\n"
      "  * Last updated: " + CTime(ctx.now) + " on " + ctx.self.name + "\n" +
      "  * Last change:  " + CTime(ctx.subject.changed_at) + " by root via cibadmin on " +
      dc_name + "\n" + "  * " + std::to_string(nodes) + " nodes configured\n" + "  * " +
      std::to_string(2 * nodes) + " resource instances configured\n\nNode List:\n";
  return {out + NodeLine(ctx.subject), "", 0};
}

// grep -Eq ... /etc/corosync/corosync.conf && echo true || echo false
Reply CorosyncNode(const FactContext& ctx) {
  return {ctx.subject.in_cluster ? "true\n" : "false\n", "", 0};
}

Reply RpmQuery(const FactContext& ctx) {
  auto it = ctx.self.versions.find("pacemaker");
  if (it == ctx.self.versions.end()) return {"package pacemaker is not installed\n", "", 1};
  return {"pacemaker-" + it->second + ".x86_64\n", "", 0};
}

// An unset attribute is an error (CRM_EX_NOSUCH).
Reply Stickiness(const FactContext& ctx) {
  std::string v = ctx.Setting(ctx.self, "resource_stickiness");
  if (v.empty())
    return {"", "crm_attribute: Error performing operation: No such device or address\n", 105};
  return {"scope=rsc_defaults  name=resource-stickiness value=" + v + "\n", "", 0};
}

Reply PacemakerFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role") return CrmMon(ctx);
  if (fact == "in_cluster") return CorosyncNode(ctx);
  if (fact == "version.pacemaker") return RpmQuery(ctx);
  if (fact == "boot_id") return BootId(ctx);
  if (fact == "setting.resource_stickiness") return Stickiness(ctx);
  return UnknownFact(fact);
}

std::string CheckSetting(const std::string& setting, const std::string& value) {
  if (setting != "resource_stickiness") return "unknown setting '" + setting + "'";
  if (value == "INFINITY" || value == "-INFINITY") return "";
  size_t digits = value.find_first_not_of("0123456789", value[0] == '-' ? 1 : 0);
  if (digits == std::string::npos && value != "-") return "";
  return "invalid value '" + value + "' (expected an integer or INFINITY)";
}

}  // namespace

// The CIB's rsc_defaults are cluster-wide; pcs sets resource-stickiness=1 on
// new clusters. An upgrade restarts the cluster services, not the node.
const Vendor& Pacemaker() {
  static const Vendor v{"pacemaker", {false, {}, "", false}, {{"resource_stickiness", "1"}},
                        &PacemakerFact, &CheckSetting};
  return v;
}

}  // namespace harc::sim
