// HP ProCurve TMS zl module: `show high-availability` and `show version` in
// the module's CLI (ProCurve style).
#include <ctime>

#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {
namespace {

std::string Field(const std::string& name, const std::string& value) {
  return "  " + Pad(name, 18) + ": " + value + "\n";
}

Reply ShowHa(const FactContext& ctx) {
  const SimMember& m = ctx.self;
  std::string out = "\n High Availability Status\n\n" +
                    Field("HA Status", m.enabled && m.in_cluster ? "Enabled" : "Disabled");
  if (m.in_cluster) {
    out += Field("Cluster ID", "1") + Field("Cluster Scheme", "Active-Standby") +
           Field("Multicast IP", "224.0.0.18") + Field("HA VLAN", "4094") +
           Field("Priority", std::to_string(m.priority));
    if (m.Up()) {
      out += Field("Role", m.role == Role::kActive ? "Master" : "Participant") +
             Field("Config Sync", "In Sync");
    }
  }
  return {out + "\n", "", 0};
}

// The build date a ProCurve version carries: ST.1.2.100916 -> Sep 16 2010.
std::string BuildDate(const std::string& version) {
  std::string last = version.substr(version.rfind('.') + 1);
  struct tm tm = {};
  if (last.size() == 6 && last.find_first_not_of("0123456789") == std::string::npos) {
    tm.tm_year = 100 + std::stoi(last.substr(0, 2));
    tm.tm_mon = std::stoi(last.substr(2, 2)) - 1;
    tm.tm_mday = std::stoi(last.substr(4, 2));
  } else {
    tm.tm_year = 110;
    tm.tm_mday = 1;
  }
  tm.tm_hour = 11;
  tm.tm_min = 52;
  tm.tm_sec = 56;
  char buf[32];
  strftime(buf, sizeof buf, "%b %d %Y %H:%M:%S", &tm);
  return buf;
}

Reply ShowVersion(const FactContext& ctx) {
  auto it = ctx.self.versions.find("software");
  std::string v = it == ctx.self.versions.end() ? "ST.0.0.000000" : it->second;
  std::string build = v;
  for (char& c : build)
    if (c == '.') c = '_';
  return {"Image stamp:    /ws/swbuildm/" + build + "/code/build/tms(" + build + ")\n" +
              "                " + BuildDate(v) + "\n                " + v +
              "\n                1803\nBoot Image:     Primary\n",
          "", 0};
}

Reply TmsFact(const std::string& fact, const FactContext& ctx) {
  if (fact == "role" || fact == "in_cluster") return ShowHa(ctx);
  if (fact == "version.software") return ShowVersion(ctx);
  if (fact == "boot_id") return BootId(ctx);
  return UnknownFact(fact);
}

std::string CheckSetting(const std::string& setting, const std::string&) {
  return "Invalid input: " + setting;
}

}  // namespace

const Vendor& TmsZl() {
  static const Vendor v{"tms-zl", {true, {}, "", false}, {}, &TmsFact, &CheckSetting};
  return v;
}

}  // namespace harc::sim
