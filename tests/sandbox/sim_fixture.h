// A simulated cluster in memory for the simulator's tests: loaded from a
// cluster file through the real fleet loader, initialised as `start` does,
// and driven with the exact commands harc sends (the platform's fact commands
// in gathering's script, its actions rendered and quoted), at chosen times.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/builtin_platforms.h"
#include "compiler/facts.h"
#include "compiler/load.h"
#include "compiler/shell.h"
#include "reconciler/gather.h"
#include "tests/sandbox/sim/dispatch.h"
#include "tests/sandbox/sim/init.h"

namespace harc::sim::testing {

// A version each platform's version regex accepts, and a newer one.
struct Versions {
  std::string old_version;
  std::string new_version;
};

inline Versions VersionsFor(const std::string& platform) {
  if (platform == "linux") return {"1:2.2.7-1+b2", "1:2.2.7-1+deb12u1"};
  if (platform == "keepalived") return {"1.0-1", "2.0-1"};
  if (platform == "pacemaker") return {"2.1.5-8.el9", "2.1.6-1.el9"};
  if (platform == "serviceguard") return {"A.11.20.00", "A.12.80.00"};
  if (platform == "tms-zl") return {"ST.1.1.090213", "ST.1.2.100916"};
  return {"R81.20_T84", "R81.20_T89"};  // maestro, dual-chassis
}

class TestCluster {
 public:
  // A cluster named "c" of `members` (named by `names`, else m1..mN) on
  // `platform`, at the old version; `extra` is appended to the cluster file.
  TestCluster(const std::string& platform, int members, const std::string& extra = "",
              std::vector<std::string> names = {}) {
    std::string comp = Component(platform);
    std::string text = "name = \"c\"\nplatform = \"" + platform + "\"\n[software]\n" + comp +
                       " = \"" + VersionsFor(platform).new_version + "\"\n" + extra + "\n";
    for (int i = 0; i < members; ++i) {
      std::string n = i < static_cast<int>(names.size()) ? names[i] : "m" + std::to_string(i + 1);
      text += "[[member]]\nname = \"" + n + "\"\nhost = \"10.0.0." + std::to_string(i + 1) +
              "\"\n";
    }
    LoadResult r = LoadFleet({{{"clusters/c.toml", text}}, ""}, BuiltinPlatforms());
    for (const Diagnostic& d : r.errors) ADD_FAILURE() << FormatDiagnostic(d);
    fleet_ = std::move(r.fleet);
    InitOptions o;
    o.older = false;
    o.versions["c"][comp] = VersionsFor(platform).old_version;
    o.timing = {1.0, 10.0};
    std::vector<SimCluster> cs;
    std::string error;
    EXPECT_TRUE(InitClusters(fleet_, o, {}, kT0, &cs, &error)) << error;
    cluster_ = cs.at(0);
  }

  static constexpr Time kT0 = 1'700'000'000;

  static std::string Component(const std::string& platform) {
    if (platform == "linux") return "keepalived";
    if (platform == "keepalived") return "app";
    if (platform == "pacemaker") return "pacemaker";
    if (platform == "serviceguard") return "serviceguard";
    if (platform == "tms-zl") return "software";
    return "hotfix";
  }

  SimCluster& state() { return cluster_; }
  const Platform& platform() const { return fleet_.platforms.at(cluster_.platform); }
  const Cluster& declared() const { return fleet_.clusters.at(0); }
  Log& log() { return log_; }

  // What `member` answers to `command` at time t (seconds after kT0).
  Reply Run(const std::string& member, const std::string& command, double t) {
    nlohmann::json audit;
    const Vendor* v = FindVendor(cluster_.platform);
    Dispatcher d(&cluster_, platform(), *v, member, &log_);
    last_audit_ = nlohmann::json::object();
    return d.Run(command, kT0 + t, &last_audit_);
  }
  const nlohmann::json& last_audit() const { return last_audit_; }

  // Every fact of `member` as gathering reads it, in one script. Facts whose
  // command failed or whose value did not extract are "ERROR: why".
  std::map<std::string, std::string> Gather(const std::string& member, double t) {
    std::vector<FactCommand> facts;
    std::string error;
    EXPECT_TRUE(FactCommandsFor(platform(), *declared().FindMember(member), &facts, &error));
    Reply r = Run(member, BuildFactScript(facts, "0123abcd"), t);
    std::vector<FactOutput> outs;
    CommandResult cr{r.status, r.out, r.err, false};
    EXPECT_TRUE(ParseFactScriptOutput(cr, "0123abcd", facts, &outs, &error)) << error;
    std::map<std::string, std::string> values;
    for (const FactOutput& o : outs) {
      if (o.exit_status != 0) {
        values[o.fact] = "ERROR: exit " + std::to_string(o.exit_status) + ": " + o.err;
        continue;
      }
      FactValue v = ExtractFact(platform().facts.at(o.fact), o.out);
      values[o.fact] = v.ok ? v.value : "ERROR: " + v.error;
    }
    return values;
  }

  std::string Fact(const std::string& member, const std::string& fact, double t) {
    return Gather(member, t)[fact];
  }

  // Runs the platform's action on `member` as apply would send it.
  Reply Act(const std::string& member, const std::string& action, double t,
            std::map<std::string, std::string> vars = {}) {
    vars.emplace("member", member);
    vars.emplace("component", Component(cluster_.platform));
    std::string cmd, error;
    const ActionSpec* a = platform().FindAction(action);
    EXPECT_NE(a, nullptr) << action;
    if (!a) return {};
    EXPECT_TRUE(RenderCommand(a->run, vars, &cmd, &error)) << error;
    return Run(member, cmd, t);
  }

  // The availability records of the log, as "t serving/active" (t - kT0).
  std::vector<std::string> Timeline() const {
    std::vector<std::string> out;
    for (const auto& r : log_) {
      if (r["type"] != "availability") continue;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g %d/%d", r["t"].get<double>() - kT0,
                    r["serving"].get<int>(), r["active"].get<int>());
      out.push_back(buf);
    }
    return out;
  }

 private:
  Fleet fleet_;
  SimCluster cluster_;
  Log log_;
  nlohmann::json last_audit_;
};


}  // namespace harc::sim::testing
