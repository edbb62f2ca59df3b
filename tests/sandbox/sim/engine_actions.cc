// The actions: what a member is told to do, and the transitions that follows.
#include <algorithm>

#include "tests/sandbox/sim/engine.h"

namespace harc::sim {
namespace {

Outcome Fail(std::string why) { return {false, std::move(why)}; }
Outcome Ok(std::string what) { return {true, std::move(what)}; }

}  // namespace

Outcome Engine::Drain(const std::string& member, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  if (!m->in_cluster) return Fail(member + " is not a member of the cluster");
  if (!m->enabled) return Ok(member + " is already down");
  m->enabled = false;
  Cancel(member, {"up", "preempt"});
  if (m->install) return Ok(member + " stays down after its install");
  bool handover = m->Up() && m->role == Role::kActive && c_.drain_fails_over;
  Schedule({now + c_.timing.transition, "down", member, "", handover});
  return Ok(member + " is going down");
}

Outcome Engine::Undrain(const std::string& member, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  if (!m->in_cluster) return Fail(member + " has no cluster data: it must join the cluster");
  if (m->enabled && (m->Up() || Pending("up", member))) return Ok(member + " is already up");
  m->enabled = true;
  bool going_down = Pending("down", member);
  Cancel(member, {"down"});
  if (m->install) return Ok(member + " comes up when its install completes");
  if (!going_down) Schedule({now + c_.timing.transition, "up", member, "", false});
  return Ok(member + " is coming up");
}

Outcome Engine::Failover(const std::string& member, const std::string& target, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  if (m->Up() && m->role == Role::kStandby) return Ok(member + " is already standby");
  if (!m->Up() || m->role != Role::kActive) return Fail(member + " is not active");
  SimMember* t = target.empty() ? BestStandby(member) : c_.Find(target);
  if (!t) return Fail(target.empty() ? "no standby to fail over to" : "no member " + target);
  if (!t->Up() || t->role != Role::kStandby) return Fail(t->name + " is not an up standby");
  Schedule({now + c_.timing.transition, "failover", member, t->name, false});
  return Ok("failing over from " + member + " to " + t->name);
}

Outcome Engine::Install(const std::string& member, const std::string& component,
                        const std::string& version, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  if (m->faults.install_fails) return Fail("installation of " + version + " failed");
  if (m->install) return Fail("another installation is in progress (" + m->install->version + ")");
  auto have = m->versions.find(component);
  if (have != m->versions.end() && have->second == version)
    return Ok(version + " is already installed");
  if (m->Up()) {  // it leaves service abruptly: nothing hands its traffic over
    SetRole(m, Role::kDown, now);
    Note(now, member, "out of service for an install while serving");
    PackagesFollow(now);
    Rules(now);
    Record(now, "install " + member);
  }
  Cancel(member, {"up", "down", "preempt"});
  bool hangs = m->faults.install_hangs;
  m->install = sim::Install{component, version, now + c_.timing.install, hangs};
  if (!hangs) Schedule({now + c_.timing.install, "install-done", member, "", false});
  return Ok("installing " + version);
}

Outcome Engine::Leave(const std::string& member, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  if (!m->in_cluster || Pending("leave", member)) return Ok(member + " is not in the cluster");
  bool handover = m->Up() && m->role == Role::kActive && c_.drain_fails_over;
  m->enabled = false;
  Cancel(member, {"up", "down", "preempt"});
  Schedule({now + c_.timing.transition, "leave", member, "", handover});
  return Ok(member + " is leaving the cluster");
}

Outcome Engine::Join(const std::string& member, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  if (m->in_cluster) return Ok(member + " is already in the cluster");
  if (m->install) return Fail("an installation is in progress");
  if (!Pending("join", member)) Schedule({now + c_.timing.install, "join", member, "", false});
  return Ok(member + " is joining the cluster");
}

Outcome Engine::Set(const std::string& member, const std::string& setting,
                    const std::string& value, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return Fail("no member " + member);
  const auto& scoped = traits_.member_settings;
  bool own = std::find(scoped.begin(), scoped.end(), setting) != scoped.end();
  (own ? m->settings : c_.settings)[setting] = value;
  Note(now, member, setting + " = " + value);
  Rules(now);
  return Ok(setting + " set to " + value);
}

void Engine::SetFaults(const std::string& member, const Faults& f, Time now) {
  SimMember* m = c_.Find(member);
  if (!m) return;
  m->faults = f;
  if (m->install && m->install->hangs && !f.install_hangs) {
    m->install->hangs = false;
    m->install->done_at = now + c_.timing.install;
    Schedule({m->install->done_at, "install-done", member, "", false});
  }
}

}  // namespace harc::sim
