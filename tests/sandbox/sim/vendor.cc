#include "tests/sandbox/sim/vendor.h"

#include <time.h>

namespace harc::sim {

const Vendor* FindVendor(const std::string& platform) {
  for (const Vendor* v : {&CheckPointMaestro(), &CheckPointDualChassis(), &LinuxKeepalived(),
                          &KeepalivedService(), &Pacemaker(), &Serviceguard(), &TmsZl()})
    if (platform == v->platform) return v;
  return nullptr;
}

Reply UnknownFact(const std::string& fact) {
  return {"", "harc-sim: the sandbox does not simulate fact '" + fact + "'\n", 127};
}

Reply BootId(const FactContext& ctx) { return {ctx.self.boot_id + "\n", "", 0}; }

std::string CTime(Time t, const char* format) {
  time_t secs = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string Garbage(const std::string& fact) {
  return "\x1b[0m%%% " + fact + ": Segmentation fault (core dumped) ###\n";
}

std::string OneOf(const std::string& value, const std::vector<std::string>& allowed) {
  for (const std::string& a : allowed)
    if (value == a) return "";
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return "invalid value '" + value + "' (expected one of: " + list + ")";
}

}  // namespace harc::sim
