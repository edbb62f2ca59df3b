#include "tests/sandbox/sim/dispatch.h"

#include "tests/sandbox/sim/script.h"

namespace harc::sim {
namespace {

std::string FirstWord(const std::string& command) {
  std::vector<ShellToken> tokens;
  std::string error;
  if (!SplitShell(command, &tokens, &error) || tokens.empty()) return command.substr(0, 20);
  return tokens[0].text;
}

std::string Value(const CommandMatch& m, const std::string& name) {
  auto it = m.vars.find(name);
  return it == m.vars.end() ? "" : it->second;
}

}  // namespace

Dispatcher::Dispatcher(SimCluster* c, const Platform& platform, const Vendor& vendor,
                       const std::string& member, Log* log)
    : c_(*c),
      platform_(platform),
      vendor_(vendor),
      member_(member),
      engine_(c, vendor.traits, log),
      matcher_(platform) {}

Reply Dispatcher::Run(const std::string& received, Time now, nlohmann::json* audit) {
  engine_.Advance(now);
  nlohmann::json parts = nlohmann::json::array();
  Reply total;
  if (received.find_first_not_of(" \t\n") == std::string::npos) {
    const SimMember& m = *c_.Find(member_);
    total.out = "harc sandbox: member " + m.name + " of cluster " + c_.name + " (" +
                c_.platform + "), role " + RoleText(m.role) + "\n";
  } else {
    // Gathering's script: each fact command in a subshell, then delimiters
    // with its exit status (script.h); anything else is one command.
    auto run = [&](const std::vector<ShellToken>& tokens, const std::string& text) {
      return RunOne(tokens, text, now, &parts);
    };
    std::vector<ShellToken> tokens;
    std::string error;
    if (!RunScript(received, run, &total)) {
      if (SplitShell(received, &tokens, &error)) total = run(tokens, received);
      else total = RunOne({}, received, now, &parts);
    }
  }
  engine_.Record(now, "command on " + member_);
  bool mutating = false;
  for (const auto& p : parts) mutating = mutating || p["kind"] != "fact";
  (*audit)["parts"] = parts;
  (*audit)["mutating"] = mutating;
  (*audit)["exit"] = total.status;
  return total;
}

Reply Dispatcher::RunOne(const std::vector<ShellToken>& tokens, const std::string& command,
                         Time now, nlohmann::json* parts) {
  std::optional<CommandMatch> m = matcher_.Find(tokens);
  nlohmann::json part = {{"command", command}};
  Reply r;
  if (!m) {
    part["kind"] = "unknown";
    r = {"", "sh: 1: " + FirstWord(command) + ": not found (harc-sim: not a command of platform " +
                 platform_.name + ")\n",
         127};
  } else if (m->fact) {
    part["kind"] = "fact";
    part["facts"] = m->names;
    r = Fact(*m, now);
  } else {
    part["kind"] = "action";
    part["action"] = m->names[0];
    part["vars"] = m->vars;
    r = Action(*m, now);
  }
  part["exit"] = r.status;
  parts->push_back(std::move(part));
  return r;
}

Reply Dispatcher::Fact(const CommandMatch& m, Time now) {
  const SimMember& self = *c_.Find(member_);
  std::string named = Value(m, "member");
  const SimMember* subject = named.empty() ? &self : c_.Find(named);
  if (!subject)
    return {"", FirstWord(platform_.facts.at(m.names[0]).run) + ": no such member: " + named + "\n",
            1};
  if (self.faults.wrong_output) return {Garbage(m.names[0]), "", 0};
  FactContext ctx{c_, vendor_.traits, self, *subject, now};
  return vendor_.fact(m.names[0], ctx);
}

Reply Dispatcher::Action(const CommandMatch& m, Time now) {
  std::string subject = Value(m, "member");
  if (subject.empty()) subject = member_;
  const std::string& action = m.names[0];
  Outcome o = Act(action, subject, m, now);
  std::string tool = FirstWord(platform_.actions.at(action).run);
  if (!o.ok) return {"", tool + ": " + o.message + "\n", 1};
  return {o.message + "\n", "", 0};
}

Outcome Dispatcher::Act(const std::string& action, const std::string& subject,
                        const CommandMatch& m, Time now) {
  if (!c_.Find(subject)) return {false, "no such member: " + subject};
  if (action == "drain") return engine_.Drain(subject, now);
  if (action == "undrain") return engine_.Undrain(subject, now);
  if (action == "failover") return engine_.Failover(subject, Value(m, "target"), now);
  if (action == "leave") return engine_.Leave(subject, now);
  if (action == "join") return engine_.Join(subject, now);
  if (action == "backup") return {true, "configuration backed up"};
  if (action == "install") {
    std::string component = Value(m, "component");
    if (component.empty() && platform_.components.size() == 1) component = platform_.components[0];
    if (component.empty()) return {false, "which component? the command does not say"};
    return engine_.Install(subject, component, Value(m, "version"), now);
  }
  if (action.starts_with("set.")) {
    std::string setting = action.substr(4), value = Value(m, "value");
    if (std::string why = vendor_.check_setting(setting, value); !why.empty()) return {false, why};
    return engine_.Set(subject, setting, value, now);
  }
  return {false, "the sandbox does not simulate action '" + action + "'"};
}

}  // namespace harc::sim
