#include "compiler/drift_text.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "compiler/diag.h"

namespace harc {

namespace {

constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[1;33m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kReset = "\033[0m";

std::string Paint(const std::string& s, const char* colour, bool on) {
  return on ? colour + s + kReset : s;
}

std::string Shown(std::string_view s) { return ShowControlBytes(s); }

std::string Names(const std::vector<std::string>& members) {
  std::string out;
  for (const std::string& m : members) out += (out.empty() ? "" : ", ") + Shown(m);
  return out;
}

std::vector<std::string> Names(const DriftItem& item) {
  std::vector<std::string> out;
  for (const DriftValue& v : item.members) out.push_back(v.member);
  return out;
}

// Members grouped by their (desired, observed) values, in order of appearance.
std::vector<std::pair<DriftValue, std::vector<std::string>>> ByValue(const DriftItem& item) {
  std::vector<std::pair<DriftValue, std::vector<std::string>>> out;
  for (const DriftValue& v : item.members) {
    auto same = [&](const auto& g) {
      return g.first.desired == v.desired && g.first.observed == v.observed;
    };
    auto it = std::find_if(out.begin(), out.end(), same);
    if (it == out.end()) it = out.insert(out.end(), {v, {}});
    it->second.push_back(v.member);
  }
  return out;
}

std::string Value(const std::string& v) { return v.empty() ? "(not observed)" : Shown(v); }

// "hotfix: R81.20_T88 on east-1a, east-2a (declared R81.20_T89)", one per pair of values.
std::vector<std::string> ValueSentences(const DriftItem& item) {
  std::vector<std::string> out;
  for (const auto& [v, members] : ByValue(item)) {
    std::string s =
        fmt::format("{}: {} on {}", Shown(item.subject), Value(v.observed), Names(members));
    if (!v.desired.empty()) s += fmt::format(" (declared {})", Shown(v.desired));
    out.push_back(s);
  }
  return out;
}

// "version.hotfix: members differ, nothing declared: R81.20_T88 on m1; R81.20_T89 on m2"
std::string DivergentValues(const DriftItem& item) {
  std::string out = Shown(item.subject) + ": members differ, nothing declared:";
  const char* sep = " ";
  for (const auto& [v, members] : ByValue(item)) {
    out += fmt::format("{}{} on {}", sep, Value(v.observed), Names(members));
    sep = "; ";
  }
  return out;
}

// "no-serving: no member serves traffic (m1 standby, m2 down)"
std::string Roles(const DriftItem& item, const char* what) {
  std::string out = fmt::format("{}: {} (", item.subject, what);
  for (size_t i = 0; i < item.members.size(); ++i)
    out += fmt::format("{}{} {}", i ? ", " : "", Shown(item.members[i].member),
                       Value(item.members[i].observed));
  return out + ")";
}

std::vector<std::string> Sentences(const DriftItem& item) {
  const std::string who = Names(Names(item));
  const std::string& s = item.subject;
  switch (item.cls) {
    case DriftClass::kVersion:
    case DriftClass::kSetting: return ValueSentences(item);
    case DriftClass::kMembership:
      if (s == kExtraMember) return {s + ": " + who + " in the cluster, not declared"};
      return {s + ": " + who + " declared, not in the cluster"};
    case DriftClass::kRole:
      if (s == kNoServing) return {Roles(item, "no member serves traffic")};
      if (s == kMultipleActive) return {Roles(item, "the platform has one active member")};
      return {s + ": " + who + " out of service"};
    case DriftClass::kDivergence:
      if (s == kNotInSync) return {s + ": " + who + " not in sync with the peers"};
      return {DivergentValues(item)};
  }
  return {};
}

std::string StatusText(DriftStatus s, bool colour) {
  switch (s) {
    case DriftStatus::kInSync: return Paint("in sync", kGreen, colour);
    case DriftStatus::kDrifted: return Paint("DRIFTED", kYellow, colour);
    case DriftStatus::kUnobservable: return Paint("UNOBSERVABLE", kRed, colour);
  }
  return "?";
}

std::string RenderCluster(const ClusterDrift& c, bool colour) {
  std::string out = Shown(fmt::format("{} ({}, wave {}): ", c.cluster, c.platform, c.wave)) +
                    StatusText(c.status, colour) + "\n";
  for (const std::string& why : c.unobservable)
    out += "  " + Paint("not observed:", kRed, colour) + " " + Shown(why) + "\n";
  for (const DriftItem& item : c.items)
    for (const std::string& sentence : Sentences(item))
      out += "  " + Paint(fmt::format("{:<10}", DriftClassName(item.cls)), kYellow, colour) +
             "  " + sentence + "\n";
  return out;
}

std::string Clusters(size_t n) { return fmt::format("{} {}", n, n == 1 ? "cluster" : "clusters"); }

// "Drift: 1 cluster drifted, 5 in sync, 1 unobservable."
std::string Summary(const DriftReport& r) {
  return fmt::format("Drift: {} drifted, {} in sync, {} unobservable.\n",
                     Clusters(r.Count(DriftStatus::kDrifted)), r.Count(DriftStatus::kInSync),
                     r.Count(DriftStatus::kUnobservable));
}

}  // namespace

std::string RenderDriftText(const DriftReport& report, bool colour) {
  std::string out;
  bool last_was_one_line = true;  // a blank line separates a block of several lines
  for (const ClusterDrift& c : report.clusters) {
    const std::string block = RenderCluster(c, colour);
    const bool one_line = std::count(block.begin(), block.end(), '\n') == 1;
    if (!out.empty() && !(one_line && last_was_one_line)) out += "\n";
    out += block;
    last_was_one_line = one_line;
  }
  if (!out.empty()) out += "\n";
  return out + Summary(report);
}

}  // namespace harc
