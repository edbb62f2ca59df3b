// The real Transport: SSH with libssh 0.10.
//
// Built for fan-out to hundreds of members from one controller (see
// shared/NOTES-ssh.md for the measurements behind each choice):
// - TCP_NODELAY on (libssh leaves Nagle on: 50 ms per authentication);
// - known_hosts and ~/.ssh/config are read once, when the transport is made,
//   and libssh is kept from reading either file itself on each connection;
// - an identity file is parsed once and its key shared by every connection;
// - public-key auth only: the identity file if one applies, else ssh-agent.
//
// Host keys: a known key is accepted; an unknown key is refused, with its
// SHA256 fingerprint, unless OpenOptions.accept_new_host_key, which records it
// in the first known_hosts file; a changed or revoked key is always refused.
// The check happens before authentication, so nothing is sent to a host that
// failed it.
//
// ProxyJump (one bastion): harc opens its own session to the bastion, opens a
// direct-tcpip channel through it to the member, and runs the member's session
// over that channel (a socketpair and a pump thread per jumped session). Both
// host keys are checked against known_hosts, the member's under the name it
// has as seen from the bastion.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "reconciler/known_hosts.h"
#include "reconciler/ssh_config.h"
#include "reconciler/transport.h"

struct ssh_key_struct;  // libssh's key type, kept out of this header

namespace harc {

class JumpTunnel;

struct SshTransportOptions {
  SshDefaults defaults;  // harc.toml [ssh]: user, port, identity
  // Read in order; new keys are recorded in the first.
  std::vector<std::string> known_hosts = {"~/.ssh/known_hosts"};
  std::string ssh_config = "~/.ssh/config";  // "": do not read one
};

// What harc.toml's [ssh] table asks for: its user, port and identity as the
// fleet's defaults, its known_hosts file, and the user's ~/.ssh/config.
SshTransportOptions SshOptionsFor(const SshConfig& ssh);

class SshTransport : public Transport {
 public:
  // Reads the known_hosts files and the ssh config. On a file that exists but
  // cannot be read or parsed returns nullptr with *error naming it.
  static std::unique_ptr<SshTransport> Create(const SshTransportOptions& options,
                                              std::string* error);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  TransportStatus Open(const Target& target, const OpenOptions& options,
                       std::unique_ptr<Session>* session) override;

  const KnownHosts& known_hosts() const { return known_hosts_; }

  // Internal (ssh_transport.cc): one connected, host-checked, authenticated
  // libssh session.
  struct Connected;

 private:
  SshTransport() = default;
  TransportStatus Connect(const std::string& label, const SshEndpoint& endpoint,
                          std::unique_ptr<JumpTunnel> tunnel, const OpenOptions& options,
                          std::unique_ptr<Connected>* out);
  TransportStatus CheckHostKey(const std::string& label, const SshEndpoint& endpoint,
                               Connected* c, const OpenOptions& options);
  TransportStatus Authenticate(const std::string& label, const SshEndpoint& endpoint,
                               Connected* c, const OpenOptions& options);
  // The parsed private key of `path`, loaded on first use. nullptr + *error.
  ssh_key_struct* LoadKey(const std::string& path, std::string* error);

  SshConfigFile config_;
  SshDefaults defaults_;
  KnownHosts known_hosts_;
  std::mutex keys_mu_;
  std::vector<std::pair<std::string, ssh_key_struct*>> keys_;  // path -> key
};

}  // namespace harc
