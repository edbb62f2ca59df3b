// Executing what one member received: the command as sshd passed it (one
// platform command, or gathering's script of fact commands, reply framing
// included), against the loaded cluster, at a given time. Nothing here runs a
// shell or touches a file: the caller loads and saves the cluster (store.h)
// and writes the audit record this fills.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "compiler/model.h"
#include "tests/sandbox/sim/cluster_state.h"
#include "tests/sandbox/sim/command_match.h"
#include "tests/sandbox/sim/engine.h"
#include "tests/sandbox/sim/vendor.h"

namespace harc::sim {

class Dispatcher {
 public:
  // REQUIRES: member is in *c; c and log outlive the dispatcher.
  Dispatcher(SimCluster* c, const Platform& platform, const Vendor& vendor,
             const std::string& member, Log* log);

  // Runs `received` on the member at `now`: first materialises what became
  // due, then answers. *audit gets "parts" (each command found, its kind:
  // fact | action | unknown, the facts or action, exit status) and
  // "mutating" (any part that is not a fact).
  Reply Run(const std::string& received, Time now, nlohmann::json* audit);

 private:
  // One command (its tokens, and its text as received).
  Reply RunOne(const std::vector<ShellToken>& tokens, const std::string& command, Time now,
               nlohmann::json* parts);
  Reply Fact(const CommandMatch& m, Time now);
  Reply Action(const CommandMatch& m, Time now);
  Outcome Act(const std::string& action, const std::string& subject, const CommandMatch& m,
              Time now);

  SimCluster& c_;
  const Platform& platform_;
  const Vendor& vendor_;
  std::string member_;
  Engine engine_;
  CommandMatcher matcher_;
};

}  // namespace harc::sim
