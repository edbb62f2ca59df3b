// The I/O boundary between harc and the members it manages (ninja's
// CommandRunner, LevelDB's Env): open a session to a member, run commands in
// it. Gathering and applying talk only to a Transport, so the same code runs
// over real SSH (reconciler/ssh_transport.h) and against FakeTransport in
// tests, which answers scripted outputs and records every command asked of it.
//
// What holds for every Transport:
// - Open and Run never throw; every failure is a TransportStatus whose kind
//   says what went wrong, whose message names the member and host, and whose
//   retryable flag says whether trying again later may help.
// - A command that ran and exited non-zero is not a transport failure: its
//   status is ok and CommandResult.exit_status holds the code.
// - Open may be called from several threads at once; a Session is used by one
//   thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace harc {

// Absolute deadlines: the caller decides how connect, command and overall
// deadlines combine (the earliest wins) and hands the result down.
using Deadline = std::chrono::steady_clock::time_point;

// Who to talk to. Empty/zero fields are filled by the transport (for SSH:
// from ~/.ssh/config, then from its defaults).
struct Target {
  std::string member;    // for messages: "fw-east/m1"
  std::string host;      // a name, a ~/.ssh/config alias, an IPv4 or IPv6 literal
  int port = 0;          // 0: not given
  std::string user;      // "": not given
  std::string identity;  // private key file; "": not given (then ssh-agent)
};

enum class TransportError {
  kOk,
  kUnreachable,     // no connection: refused, no route, name not resolved
  kAuthRefused,     // the member refused every key offered
  kHostKeyUnknown,  // not in known_hosts, and accepting new keys was not asked for
  kHostKeyChanged,  // known_hosts holds a different key: refused, always
  kTimeout,         // a deadline passed
  kProtocol,        // the session broke or the peer spoke nonsense
  kConfig,          // the target cannot be reached as configured (ProxyCommand,
                    // an unreadable identity file): fix the configuration
};

// "ok", "unreachable", "auth refused", "host key unknown", ...
const char* TransportErrorName(TransportError e);

struct TransportStatus {
  TransportError error = TransportError::kOk;
  bool retryable = false;
  std::string message;      // names the member and host; "" when ok
  std::string fingerprint;  // host key errors: "SHA256:..." as OpenSSH prints it

  bool ok() const { return error == TransportError::kOk; }
  static TransportStatus Ok() { return {}; }
  static TransportStatus Fail(TransportError e, std::string message);
};

struct OpenOptions {
  Deadline deadline = Deadline::max();  // connection, key exchange and auth end by then
  bool accept_new_host_key = false;     // record an unknown host key instead of refusing
};

struct RunLimits {
  Deadline deadline = Deadline::max();  // the command must have finished by then
  size_t max_output = 1 << 20;          // bytes kept of stdout, and of stderr
};

struct CommandResult {
  int exit_status = -1;     // -1: the command ended without one (killed by a signal)
  std::string out;          // stdout, at most RunLimits.max_output bytes
  std::string err;          // stderr, likewise
  bool truncated = false;   // out or err was cut at max_output
};

// One authenticated connection to one member.
class Session {
 public:
  virtual ~Session() = default;
  // Runs `command` (a POSIX shell command line, as ssh would send it) with no
  // input. On a transport failure (timeout, lost connection) *result holds
  // what arrived before it, and the session should not be used again.
  virtual TransportStatus Run(const std::string& command, const RunLimits& limits,
                              CommandResult* result) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Connects and authenticates. On success *session is set. Thread-safe.
  virtual TransportStatus Open(const Target& target, const OpenOptions& options,
                               std::unique_ptr<Session>* session) = 0;
};

// ---------------------------------------------------------------- the fake

// A Transport that answers from a script and records what it was asked.
// Replies are looked up by (member, command); a member can be made to fail to
// open; anything unscripted goes to the handler, else exits 127 with
// "fake: no reply scripted for ..." on stderr. Thread-safe.
class FakeTransport : public Transport {
 public:
  // One thing asked of the transport, in the order asked.
  struct Call {
    std::string member;
    std::string command;  // "" for an Open
  };
  using Handler = std::function<TransportStatus(const Target&, const std::string& command,
                                                CommandResult*)>;

  void SetReply(const std::string& member, const std::string& command, CommandResult result);
  void SetOpenFailure(const std::string& member, TransportStatus status);
  void SetHandler(Handler handler);

  std::vector<Call> calls() const;
  // The commands run on `member`, in order.
  std::vector<std::string> CommandsOn(const std::string& member) const;

  TransportStatus Open(const Target& target, const OpenOptions& options,
                       std::unique_ptr<Session>* session) override;

 private:
  class FakeSession;
  TransportStatus Answer(const Target& target, const std::string& command,
                         const RunLimits& limits, CommandResult* result);

  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, CommandResult> replies_;
  std::map<std::string, TransportStatus> open_failures_;
  Handler handler_;
  std::vector<Call> calls_;
};

}  // namespace harc
