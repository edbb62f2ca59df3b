// harc-sim: the sandbox fleet's member simulator and its controls.
//
//   harc-sim start FLEET_DIR STATE_DIR [options]   sshd + simulator for a fleet
//   harc-sim stop STATE_DIR
//   harc-sim serve --state DIR                     sshd's ForceCommand
//   harc-sim exec --state DIR --member C/M CMD     one command, without SSH
//   harc-sim fault --state DIR --member C/M FAULT...
//   harc-sim audit --state DIR [--json] [--since T] [--no-mutations]
//   harc-sim show --state DIR [--json]
#include <iostream>

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include "compiler/observed.h"
#include "compiler/toml_reader.h"
#include "tests/sandbox/sim/commands.h"
#include "tests/sandbox/sim/sandbox.h"

namespace {

using namespace harc::sim;

// --versions FILE: ["cluster"] or ["cluster/member"] tables of component = "version".
bool ReadVersions(const std::string& path, InitOptions* o, std::string* error) {
  try {
    toml::table t = toml::parse_file(path);
    for (const auto& [key, node] : t) {
      const toml::table* comps = node.as_table();
      if (!comps) throw std::runtime_error("'" + std::string(key.str()) + "' is not a table");
      for (const auto& [comp, v] : *comps)
        o->versions[std::string(key.str())][std::string(comp.str())] =
            v.value_or(std::string());
    }
    return true;
  } catch (const std::exception& e) {
    *error = path + ": " + e.what();
    return false;
  }
}

bool ReadObserved(const std::string& path, harc::ObservedFleet* out, std::string* error) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::vector<harc::Diagnostic> errors;
  if (harc::ParseObserved(s.str(), path, out, &errors)) return true;
  for (const auto& d : errors) *error += harc::FormatDiagnostic(d);
  return false;
}

bool Seconds(const std::string& text, double* out, std::string* error) {
  int ms = 0;
  if (!harc::ParseDuration(text, &ms)) {
    *error = "bad duration '" + text + "' (500ms, 2s, 1m)";
    return false;
  }
  *out = ms / 1000.0;
  return true;
}

struct StartFlags {
  StartOptions o;
  std::string versions, observed, action_time, transition_time;
  std::vector<std::string> faults;  // cluster/member=word[,word]
};

int RunStart(StartFlags& f) {
  std::string error;
  harc::ObservedFleet observed;
  bool ok = (f.versions.empty() || ReadVersions(f.versions, &f.o.init, &error)) &&
            (f.observed.empty() || ReadObserved(f.observed, &observed, &error)) &&
            (f.action_time.empty() || Seconds(f.action_time, &f.o.init.timing.install, &error)) &&
            (f.transition_time.empty() ||
             Seconds(f.transition_time, &f.o.init.timing.transition, &error));
  for (const std::string& spec : f.faults) {
    size_t eq = spec.find('=');
    if (!ok || eq == std::string::npos) {
      if (ok) error = "--fault takes cluster/member=fault[,fault]";
      ok = false;
      break;
    }
    Faults& faults = f.o.init.faults[spec.substr(0, eq)];
    std::stringstream words(spec.substr(eq + 1));
    for (std::string w; ok && std::getline(words, w, ',');) ok = ApplyFaultWord(w, &faults, &error);
  }
  if (!ok) {
    std::cerr << "harc-sim: " << error << "\n";
    return 1;
  }
  if (!f.observed.empty()) f.o.init.observed = &observed;
  return StartSandbox(f.o);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"harc-sim: the sandbox fleet of simulated cluster members"};
  app.require_subcommand(1);
  int status = 0;
  std::string state, member, command;

  StartFlags start;
  CLI::App* s = app.add_subcommand("start", "start sshd and the simulator for a fleet");
  s->add_option("fleet", start.o.fleet_dir, "fleet repository")->required();
  s->add_option("state", start.o.state_dir, "state directory (created)")->required();
  s->add_option("--versions", start.versions, "TOML: [\"cluster\"] or [\"cluster/member\"] versions");
  s->add_option("--initial-version", start.o.init.initial_version, "every member at this version");
  s->add_flag("--older", start.o.init.older, "every member one version below the desired one");
  s->add_option("--observed", start.observed, "initial state from an observed-state snapshot");
  s->add_option("--action-time", start.action_time, "how long an install or join takes (2s)");
  s->add_option("--transition-time", start.transition_time, "drain, failover, ... (500ms)");
  s->add_option("--wait-scale", start.o.wait_scale,
                "scale the fleet copy's platform waits (timeouts, intervals, stable times)")
      ->check(CLI::Range(0.0001, 1000.0));
  s->add_option("--fault", start.faults, "cluster/member=fault[,fault] (see fault)");
  s->add_option("--ipv6-member", start.o.ipv6_member, "cluster/member on ::1 (default: first)");
  s->add_flag("!--no-ipv6", start.o.ipv6, "no member on ::1");
  s->callback([&] { status = RunStart(start); });

  std::string stop_dir;
  CLI::App* st = app.add_subcommand("stop", "stop a sandbox's processes");
  st->add_option("state", stop_dir)->required();
  st->callback([&] { status = StopSandbox(stop_dir); });

  CLI::App* sv = app.add_subcommand("serve", "sshd ForceCommand");
  sv->add_option("--state", state)->required();
  sv->callback([&] { status = Serve(state); });

  CLI::App* ex = app.add_subcommand("exec", "run a command on a member without SSH");
  ex->add_option("--state", state)->required();
  ex->add_option("--member", member, "cluster/member")->required();
  ex->add_option("command", command)->required();
  ex->callback([&] { status = Exec(state, member, command); });

  std::vector<std::string> words;
  CLI::App* fa = app.add_subcommand(
      "fault", "unreachable stall slow=2s install-fails install-hangs wrong-output clear");
  fa->add_option("--state", state)->required();
  fa->add_option("--member", member, "cluster/member")->required();
  fa->add_option("faults", words)->required();
  fa->callback([&] { status = Fault(state, member, words); });

  AuditOptions audit;
  CLI::App* au = app.add_subcommand("audit", "outages (exit 3) and mutating commands");
  au->add_option("--state", state)->required();
  au->add_flag("--json", audit.json);
  au->add_option("--since", audit.since, "seconds since the epoch");
  au->add_flag("--no-mutations", audit.no_mutations, "exit 4 on a mutating command");
  au->callback([&] { status = Audit(state, audit); });

  bool json = false;
  CLI::App* sh = app.add_subcommand("show", "every member's state");
  sh->add_option("--state", state)->required();
  sh->add_flag("--json", json);
  sh->callback([&] { status = Show(state, json); });

  std::string address;
  int port = 0;
  CLI::App* sl = app.add_subcommand("stall-listener", "internal: a listener that never answers");
  sl->add_option("--state", state);
  sl->add_option("--address", address)->required();
  sl->add_option("--port", port)->required();
  sl->callback([&] { status = StallListener(address, port); });

  CLI11_PARSE(app, argc, argv);
  return status;
}
