// A simulated fleet for apply and rollout tests (tests only): members whose
// facts a FakeTransport answers through the real fact script, action commands
// whose effects the test scripts (now, or later on a FakeClock), and a record
// of every mutating command, so a test can prove "only probes were sent".
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "compiler/plan.h"
#include "reconciler/clock.h"
#include "reconciler/gather.h"
#include "reconciler/memory_journal.h"
#include "reconciler/transport.h"

namespace harc::testing {

// A platform "p": facts role, in_cluster, version.os read by "show <fact>";
// actions drain/undrain/install/failover/backup.
inline Platform WorldPlatform() {
  Platform p;
  p.name = "p";
  p.components = {"os"};
  for (const char* f : {"role", "in_cluster", "version.os", "sync"})
    p.facts[f] = FactSpec{f, std::string("show ") + f, FactKind::kWhole, "", {}, {}, {}};
  return p;
}

inline Cluster WorldCluster(const std::string& name, const std::vector<std::string>& members,
                            const std::string& wave = "default") {
  Cluster c;
  c.name = name;
  c.platform = "p";
  c.wave = wave;
  int i = 0;
  for (const std::string& m : members)
    c.members.push_back(Member{m, "10.0.0." + std::to_string(++i), {}, {}, 1, {}, {}});
  return c;
}

// One step: `action` on `member`, waiting for `until` (fact=value on the member).
inline Step MakeStep(Action action, const std::string& member, const std::string& command,
                     std::optional<Condition> until, std::vector<Condition> guard = {},
                     int timeout_ms = 60'000, int interval_ms = 1'000, int stable_ms = 0) {
  Step s;
  s.action = action;
  s.member = member;
  s.host = "10.9.9.9";
  s.command = command;
  s.until = std::move(until);
  s.guard = std::move(guard);
  s.timeout_ms = timeout_ms;
  s.interval_ms = interval_ms;
  s.stable_ms = stable_ms;
  if (action == Action::kInstall) {
    s.component = "os";
    s.version = "2";
  }
  return s;
}

inline ClusterPlan MakePlan(const std::string& cluster, std::vector<Step> steps,
                            const std::string& wave = "default") {
  ClusterPlan p;
  p.cluster = cluster;
  p.platform = "p";
  p.wave = wave;
  p.status = steps.empty() ? ClusterStatus::kInSync : ClusterStatus::kChanges;
  p.steps = std::move(steps);
  return p;
}

class FakeWorld {
 public:
  struct Reply {
    CommandResult result{0, "", "", false};
    TransportStatus status;
  };
  // What an action command does; `member` is "cluster/member".
  using Effect = std::function<Reply(const std::string& member)>;

  FakeWorld() {
    transport.SetHandler([this](const Target& t, const std::string& cmd, CommandResult* r) {
      TransportStatus status;
      *r = AnswerFactScript(cmd, [&](const std::string& c) { return Answer(t.member, c, &status); });
      return status;
    });
  }

  // Sets a fact now, or from monotonic time at_ms on.
  void Set(const std::string& member, const std::string& fact, const std::string& value,
           int64_t at_ms = 0) {
    std::lock_guard lock(mu_);
    changes_[member][fact].push_back({at_ms, value});
  }
  std::string Get(const std::string& member, const std::string& fact) {
    std::lock_guard lock(mu_);
    return Value(member, fact);
  }
  void OnCommand(const std::string& command, Effect effect) {
    std::lock_guard lock(mu_);
    effects_[command] = std::move(effect);
  }
  // Every command that was not a fact script: "c/m1: drain".
  std::vector<std::string> mutations() const {
    std::lock_guard lock(mu_);
    return mutations_;
  }

  FakeClock clock;
  FakeTransport transport;
  MemoryJournal journal;

 private:
  struct Change {
    int64_t at_ms;
    std::string value;
  };

  // REQUIRES: mu_ held. The latest change at or before now.
  std::string Value(const std::string& member, const std::string& fact) {
    int64_t now = clock.MonotonicMs();
    std::string v;
    for (const Change& c : changes_[member][fact])
      if (c.at_ms <= now) v = c.value;
    return v;
  }

  CommandResult Answer(const std::string& member, const std::string& command,
                       TransportStatus* status) {
    Effect effect;
    {
      std::lock_guard lock(mu_);
      if (command.starts_with("show ")) {
        std::string v = Value(member, command.substr(5));
        return {0, v + "\n", "", false};
      }
      mutations_.push_back(member + ": " + command);
      auto it = effects_.find(command);
      if (it == effects_.end()) return {0, "", "", false};
      effect = it->second;
    }
    Reply r = effect(member);
    *status = r.status;
    return r.result;
  }

  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::vector<Change>>> changes_;
  std::map<std::string, Effect> effects_;
  std::vector<std::string> mutations_;
};

}  // namespace harc::testing
