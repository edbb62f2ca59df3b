// The part of OpenSSH's client configuration (~/.ssh/config) that harc
// honours, so a member reachable with `ssh m1` is reachable by harc:
// Host blocks (patterns with * ? and ! negation; first value obtained wins),
// Match all / Match host, Include (globs, relative to ~/.ssh), and the keywords
// HostName (with %h), User, Port, IdentityFile (with ~, %d %h %p %r %u %%) and
// ProxyJump (one hop). ProxyCommand is recognised only to be refused with a
// clear error; other keywords are ignored. Read once per run.
//
// Where a setting comes from, first that has it:
//   the member's own port/user in its cluster file, ~/.ssh/config,
//   harc.toml [ssh] (the fleet's defaults).
// An operator's personal config thus overrides the fleet-wide default, and a
// cluster file that names a port or user for one member is obeyed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/transport.h"

namespace harc {

// The values ~/.ssh/config gives one host ("" / 0: not given).
struct SshHostConfig {
  std::string hostname;
  std::string user;
  int port = 0;
  std::string identity_file;  // unexpanded
  std::string proxy_jump;     // raw; "none" = no jump
  std::string proxy_command;  // raw; harc refuses it
};

class SshConfigFile {
 public:
  // Reads `path` ("~/" is $HOME) and its Includes; a missing file is empty.
  // False with *error (file:line) on an unreadable file or a bad value.
  bool Load(const std::string& path, std::string* error);
  // Parses `text` named `file`; Include paths resolve against include_dir.
  bool Parse(std::string_view text, const std::string& file, std::string* error,
             const std::string& include_dir = "", int depth = 0);

  SshHostConfig Lookup(std::string_view host) const;

 private:
  struct Item {
    std::string key;  // lowercased keyword
    std::string value;
  };
  struct Block {
    std::vector<std::string> host_patterns;  // Host/Match host; empty with all = true
    bool all = false;                        // no Host yet, or Match all
    bool never = false;                      // Match criteria harc cannot evaluate
    std::vector<Item> items;
  };
  bool ParseLine(std::string_view key, std::string_view value, const std::string& where,
                 const std::string& include_dir, int depth, std::string* error);
  bool Include(const std::vector<std::string>& paths, const std::string& where,
               const std::string& include_dir, int depth, std::string* error);
  bool BlockMatches(const Block& b, const std::string& host) const;

  std::vector<Block> blocks_ = {Block{{}, true, false, {}}};
};

// One end of an SSH connection, fully resolved.
struct SshEndpoint {
  std::string alias;     // what the fleet or ProxyJump named: for messages
  std::string host;      // what to connect to (HostName)
  int port = 22;
  std::string user;
  std::string identity;  // expanded path; "" = ssh-agent
};

struct SshRoute {
  SshEndpoint target;
  std::optional<SshEndpoint> jump;  // the bastion, when ProxyJump is set
};

// The fleet's defaults (harc.toml [ssh]).
struct SshDefaults {
  std::string user = "admin";
  int port = 22;
  std::string identity;  // "" = ssh-agent
};

// Resolves target through config and defaults (precedence above). False with
// *error when the host needs something harc does not do (ProxyCommand, a
// ProxyJump of more than one hop, a bastion that itself needs a jump).
bool ResolveRoute(const SshConfigFile& config, const Target& target,
                  const SshDefaults& defaults, SshRoute* route, std::string* error);

// "[user@]host[:port]" or "ssh://[user@]host[:port]", IPv6 in brackets.
bool ParseJumpSpec(std::string_view spec, std::string* user, std::string* host, int* port,
                   std::string* error);

}  // namespace harc
