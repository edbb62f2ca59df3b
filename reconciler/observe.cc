// Observe: where the live state comes from — a snapshot file, or SSH.
#include <filesystem>
#include <ostream>

#include "compiler/diag.h"
#include "reconciler/command.h"
#include "reconciler/gather.h"
#include "reconciler/ssh_transport.h"

namespace harc {
namespace {

// harc.toml paths are relative to the fleet repository, like the rest of it;
// "~/" is the user's home (the transport expands it).
std::string FromRepo(const std::string& repo, const std::string& path) {
  if (path.empty() || path[0] == '/' || path[0] == '~') return path;
  return (std::filesystem::path(repo) / path).lexically_normal().string();
}

std::optional<ObservedFleet> GatherOverSsh(const Options& o, const Fleet& fleet, Console& io) {
  SshConfig ssh = fleet.config.ssh;
  ssh.identity = FromRepo(o.repo, ssh.identity);
  ssh.known_hosts = FromRepo(o.repo, ssh.known_hosts);
  SshTransportOptions options = SshOptionsFor(ssh);
  options.ssh_config = o.ssh_config == "none" ? "" : o.ssh_config;
  std::string error;
  std::unique_ptr<SshTransport> transport = SshTransport::Create(options, &error);
  if (!transport) {
    PrintError(io, error);
    return std::nullopt;
  }
  GatherOptions g;
  g.parallel = o.parallel;
  g.accept_new_host_keys = o.accept_new_host_keys;
  g.connect_timeout_ms = ssh.connect_timeout_ms;
  return Gather(fleet, o.clusters, *transport, g);
}

}  // namespace

std::optional<ObservedFleet> Observe(const Options& o, const Fleet& fleet, Console& io) {
  std::optional<ObservedFleet> observed =
      o.observed.empty() ? GatherOverSsh(o, fleet, io) : ReadObservedFile(o, io);
  if (!observed) return std::nullopt;
  for (const auto& [name, cluster] : observed->clusters)
    for (const ObservedMember& m : cluster.members)
      if (!m.reachable)
        io.err << "harc: warning: " << name << "/" << m.name << " (" << m.host
               << ") was not observed: " << m.error << "\n";
  return observed;
}

}  // namespace harc
