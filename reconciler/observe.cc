// Observe: where the live state comes from — a snapshot file, or SSH.
#include <filesystem>
#include <ostream>

#include "compiler/diag.h"
#include "reconciler/command.h"
#include "reconciler/ssh_transport.h"

namespace harc {
namespace {

// harc.toml paths are relative to the fleet repository, like the rest of it;
// "~/" is the user's home (the transport expands it).
std::string FromRepo(const std::string& repo, const std::string& path) {
  if (path.empty() || path[0] == '/' || path[0] == '~') return path;
  return (std::filesystem::path(repo) / path).lexically_normal().string();
}

void WarnUnobserved(const ObservedFleet& observed, Console& io) {
  for (const auto& [name, cluster] : observed.clusters)
    for (const ObservedMember& m : cluster.members)
      if (!m.reachable)
        io.err << "harc: warning: " << name << "/" << m.name << " (" << m.host
               << ") was not observed: " << m.error << "\n";
}

}  // namespace

std::unique_ptr<Transport> MakeSshTransport(const Options& o, const Fleet& fleet, Console& io) {
  SshConfig ssh = fleet.config.ssh;
  ssh.identity = FromRepo(o.repo, ssh.identity);
  ssh.known_hosts = FromRepo(o.repo, ssh.known_hosts);
  SshTransportOptions options = SshOptionsFor(ssh);
  options.ssh_config = o.ssh_config == "none" ? "" : o.ssh_config;
  std::string error;
  std::unique_ptr<SshTransport> transport = SshTransport::Create(options, &error);
  if (!transport) PrintError(io, error);
  return transport;
}

GatherOptions GatherOptionsFor(const Options& o, const Fleet& fleet) {
  GatherOptions g;
  g.parallel = o.parallel;
  g.accept_new_host_keys = o.accept_new_host_keys;
  g.connect_timeout_ms = fleet.config.ssh.connect_timeout_ms;
  g.command_timeout_ms = fleet.config.ssh.command_timeout_ms;
  g.overall_timeout_ms = fleet.config.ssh.gather_timeout_ms;
  return g;
}

ObservedFleet GatherLive(const Options& o, const Fleet& fleet,
                         const std::vector<std::string>& clusters, Transport& transport,
                         Console& io) {
  ObservedFleet observed = Gather(fleet, clusters, transport, GatherOptionsFor(o, fleet));
  WarnUnobserved(observed, io);
  return observed;
}

std::optional<ObservedFleet> Observe(const Options& o, const Fleet& fleet, Console& io) {
  if (!o.observed.empty()) {
    std::optional<ObservedFleet> observed = ReadObservedFile(o, io);
    if (observed) WarnUnobserved(*observed, io);
    return observed;
  }
  std::unique_ptr<Transport> transport = MakeSshTransport(o, fleet, io);
  if (!transport) return std::nullopt;
  return GatherLive(o, fleet, o.clusters, *transport, io);
}

}  // namespace harc
