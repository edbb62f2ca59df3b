#include "reconciler/ssh_transport.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

namespace harc {
namespace {

using Clock = std::chrono::steady_clock;

long RemainingMs(Deadline d) {
  if (d == Deadline::max()) return LONG_MAX / 2;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d - Clock::now()).count();
  return std::max<long>(0, static_cast<long>(ms));
}

// libssh bounds connect and every blocking call by its TIMEOUT option.
void SetTimeout(ssh_session s, Deadline d) {
  long ms = std::max<long>(1, std::min<long>(RemainingMs(d), 24L * 3600 * 1000));
  long sec = ms / 1000, usec = (ms % 1000) * 1000;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

std::string HostPort(const std::string& host, int port) {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::string Describe(const SshRoute& r) {
  std::string out = r.target.user + "@" + HostPort(r.target.host, r.target.port);
  if (r.jump) out += " via bastion " + r.jump->user + "@" + HostPort(r.jump->host, r.jump->port);
  return out;
}

bool Contains(const std::string& s, const char* what) { return s.find(what) != s.npos; }

// A failure of an established session (or of its handshake) as a status.
TransportStatus SessionFailure(ssh_session s, const std::string& label, const std::string& doing,
                               Deadline deadline) {
  std::string why = ssh_get_error(s);
  if (Clock::now() >= deadline || Contains(why, "imeout"))
    return TransportStatus::Fail(TransportError::kTimeout,
                                 label + ": timed out " + doing + (why.empty() ? "" : ": " + why));
  TransportStatus st = TransportStatus::Fail(TransportError::kProtocol,
                                             label + ": failed " + doing + ": " + why);
  st.retryable = ssh_is_connected(s) == 0;  // a lost connection may come back
  return st;
}

// ssh_connect failed: before TCP (unreachable), or in the key exchange.
TransportStatus ConnectFailure(ssh_session s, const std::string& label, Deadline deadline) {
  std::string why = ssh_get_error(s);
  bool kex = Contains(why, "kex") || Contains(why, "algo") || Contains(why, "banner") ||
             Contains(why, "Protocol") || Contains(why, "key exchange");
  if (!kex && (Clock::now() >= deadline || Contains(why, "imeout")))
    return TransportStatus::Fail(TransportError::kTimeout, label + ": connect timed out: " + why);
  if (!kex)
    return TransportStatus::Fail(TransportError::kUnreachable, label + ": cannot connect: " + why);
  TransportStatus st =
      TransportStatus::Fail(TransportError::kProtocol, label + ": SSH handshake failed: " + why);
  st.retryable = false;
  return st;
}

// Host key algorithms for the key types known_hosts holds, so the server
// offers a key that can be checked. Empty: libssh's defaults.
std::string HostKeyAlgorithms(const std::vector<std::string>& types) {
  std::string out;
  auto add = [&out](const char* a) { out += (out.empty() ? "" : ",") + std::string(a); };
  for (const std::string& t : types) {
    if (t == "ssh-rsa") {
      add("rsa-sha2-512");
      add("rsa-sha2-256");
    } else if (t == "ssh-ed25519" || t.starts_with("ecdsa-sha2-nistp")) {
      add(t.c_str());
    }
  }
  return out;
}

// "SHA256:..." as OpenSSH prints it.
std::string Fingerprint(ssh_key key) {
  unsigned char* hash = nullptr;
  size_t len = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) != 0) return "?";
  char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
  std::string out = fp ? fp : "?";
  ssh_string_free_char(fp);
  ssh_clean_pubkey_hash(&hash);
  return out;
}

int NoPassphrase(const char*, char*, size_t, int, int, void*) { return -1; }

// Writes all of buf to a socket without raising SIGPIPE.
bool SendAll(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    buf += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- sessions

struct SshTransport::Connected {
  ssh_session s = nullptr;
  std::unique_ptr<JumpTunnel> tunnel;  // outlives s: s talks through it
  ~Connected();
};

// A direct-tcpip channel through a bastion session, offered to the member's
// session as one end of a socketpair. The pump thread owns the bastion session
// once started: libssh sessions are not thread-safe, and nothing else touches it.
class JumpTunnel {
 public:
  static TransportStatus Open(std::unique_ptr<SshTransport::Connected> bastion,
                              const SshEndpoint& to, const std::string& label,
                              Deadline deadline, std::unique_ptr<JumpTunnel>* out);
  ~JumpTunnel();
  // The member session's end; whoever takes it closes it.
  int TakeMemberFd() { return std::exchange(fds_[0], -1); }

 private:
  void Pump();
  bool ChannelToSocket(char* buf, size_t size);

  std::unique_ptr<SshTransport::Connected> bastion_;
  ssh_channel channel_ = nullptr;
  int fds_[2] = {-1, -1};  // [0] member session, [1] pump
  int stop_[2] = {-1, -1};
  std::thread pump_;
};

TransportStatus JumpTunnel::Open(std::unique_ptr<SshTransport::Connected> bastion,
                                 const SshEndpoint& to, const std::string& label,
                                 Deadline deadline, std::unique_ptr<JumpTunnel>* out) {
  auto t = std::make_unique<JumpTunnel>();
  t->bastion_ = std::move(bastion);
  ssh_session s = t->bastion_->s;
  SetTimeout(s, deadline);
  t->channel_ = ssh_channel_new(s);
  if (!t->channel_ ||
      ssh_channel_open_forward(t->channel_, to.host.c_str(), to.port, "127.0.0.1", 0) != SSH_OK) {
    TransportStatus st = SessionFailure(s, label, "opening a channel through the bastion", deadline);
    if (st.error == TransportError::kTimeout || !ssh_is_connected(s)) return st;
    // The bastion is fine but could not (or would not) reach the member.
    return TransportStatus::Fail(TransportError::kUnreachable,
                                 label + ": the bastion could not connect to " +
                                     HostPort(to.host, to.port) + ": " + ssh_get_error(s));
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, t->fds_) != 0 ||
      pipe2(t->stop_, O_CLOEXEC) != 0)
    return TransportStatus::Fail(TransportError::kProtocol,
                                 label + ": socketpair: " + std::strerror(errno));
  t->pump_ = std::thread([p = t.get()] { p->Pump(); });
  *out = std::move(t);
  return TransportStatus::Ok();
}

SshTransport::Connected::~Connected() {
  if (!s) return;
  ssh_disconnect(s);
  ssh_free(s);
}

JumpTunnel::~JumpTunnel() {
  if (pump_.joinable()) {
    char c = 0;
    (void)!write(stop_[1], &c, 1);
    pump_.join();
  }
  if (channel_) {
    ssh_channel_close(channel_);
    ssh_channel_free(channel_);
  }
  for (int fd : {fds_[0], fds_[1], stop_[0], stop_[1]})
    if (fd >= 0) close(fd);
}

// Moves what the channel holds to the socket. False when the tunnel is done.
bool JumpTunnel::ChannelToSocket(char* buf, size_t size) {
  for (;;) {
    int n = ssh_channel_read_nonblocking(channel_, buf, static_cast<uint32_t>(size), 0);
    if (n > 0 && !SendAll(fds_[1], buf, static_cast<size_t>(n))) return false;
    if (n > 0) continue;
    if (n < 0 && n != SSH_AGAIN) return false;
    return !ssh_channel_is_eof(channel_) && !ssh_channel_is_closed(channel_);
  }
}

void JumpTunnel::Pump() {
  std::array<char, 16384> buf;
  ssh_session s = bastion_->s;
  while (ChannelToSocket(buf.data(), buf.size())) {
    pollfd p[3] = {{fds_[1], POLLIN, 0}, {ssh_get_fd(s), POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (poll(p, 3, -1) < 0 && errno != EINTR) break;
    if (p[2].revents) break;
    if (p[0].revents) {
      ssize_t n = read(fds_[1], buf.data(), buf.size());
      if (n <= 0 || ssh_channel_write(channel_, buf.data(), static_cast<uint32_t>(n)) != n) break;
    }
  }
  shutdown(fds_[1], SHUT_RDWR);  // the member session sees the end of its connection
}

namespace {

class SshSession : public Session {
 public:
  SshSession(std::string label, std::unique_ptr<SshTransport::Connected> c)
      : label_(std::move(label)), c_(std::move(c)) {}
  TransportStatus Run(const std::string& command, const RunLimits& limits,
                      CommandResult* result) override;

 private:
  TransportStatus ReadOutput(ssh_channel ch, const RunLimits& limits, CommandResult* r);
  TransportStatus Broken(TransportStatus st) {
    broken_ = true;
    return st;
  }

  std::string label_;
  std::unique_ptr<SshTransport::Connected> c_;
  bool broken_ = false;
};

void Keep(std::string* to, const char* data, size_t n, size_t max, bool* truncated) {
  size_t room = max > to->size() ? max - to->size() : 0;
  if (n > room) *truncated = true;
  to->append(data, std::min(n, room));
}

struct ChannelCloser {
  ssh_channel ch;
  ~ChannelCloser() {
    if (!ch) return;
    ssh_channel_close(ch);
    ssh_channel_free(ch);
  }
};

TransportStatus SshSession::Run(const std::string& command, const RunLimits& limits,
                                CommandResult* result) {
  *result = CommandResult{};
  if (broken_)
    return TransportStatus::Fail(TransportError::kProtocol,
                                 label_ + ": session unusable after an earlier failure");
  ssh_session s = c_->s;
  SetTimeout(s, limits.deadline);
  ChannelCloser ch{ssh_channel_new(s)};
  if (!ch.ch || ssh_channel_open_session(ch.ch) != SSH_OK)
    return Broken(SessionFailure(s, label_, "opening a session channel", limits.deadline));
  if (ssh_channel_request_exec(ch.ch, command.c_str()) != SSH_OK)
    return Broken(SessionFailure(s, label_, "starting the command", limits.deadline));
  ssh_channel_send_eof(ch.ch);  // the command gets no input
  TransportStatus st = ReadOutput(ch.ch, limits, result);
  if (!st.ok()) return Broken(st);
  SetTimeout(s, limits.deadline);
  result->exit_status = ssh_channel_get_exit_status(ch.ch);
  return TransportStatus::Ok();
}

// Reads stdout and stderr as they come (neither can stall the other) until
// the command's end of output, or the deadline.
TransportStatus SshSession::ReadOutput(ssh_channel ch, const RunLimits& limits,
                                       CommandResult* r) {
  std::array<char, 16384> buf;
  ssh_session s = c_->s;
  for (;;) {
    bool progress = false;
    for (int is_stderr = 0; is_stderr < 2; ++is_stderr) {
      int n = ssh_channel_read_nonblocking(ch, buf.data(), buf.size(), is_stderr);
      if (n == SSH_ERROR)
        return SessionFailure(s, label_, "reading the command's output", limits.deadline);
      if (n <= 0) continue;
      Keep(is_stderr ? &r->err : &r->out, buf.data(), static_cast<size_t>(n), limits.max_output,
           &r->truncated);
      progress = true;
    }
    if (progress) continue;
    if (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch)) return TransportStatus::Ok();
    long wait = RemainingMs(limits.deadline);
    if (wait == 0)
      return TransportStatus::Fail(TransportError::kTimeout,
                                   label_ + ": command did not finish before its deadline");
    pollfd p = {ssh_get_fd(s), POLLIN, 0};
    poll(&p, 1, static_cast<int>(std::min<long>(wait, INT_MAX)));
  }
}

}  // namespace

// ---------------------------------------------------------------- the transport

SshTransportOptions SshOptionsFor(const SshConfig& ssh) {
  SshTransportOptions o;
  o.defaults = {ssh.user, ssh.port, ssh.identity};
  o.known_hosts = {ssh.known_hosts};
  return o;
}

std::unique_ptr<SshTransport> SshTransport::Create(const SshTransportOptions& options,
                                                   std::string* error) {
  static std::once_flag init;
  std::call_once(init, [] { ssh_init(); });
  std::unique_ptr<SshTransport> t(new SshTransport());
  t->defaults_ = options.defaults;
  if (!t->known_hosts_.Load(options.known_hosts, error)) return nullptr;
  if (!options.ssh_config.empty() && !t->config_.Load(options.ssh_config, error)) return nullptr;
  return t;
}

SshTransport::~SshTransport() {
  for (auto& [path, key] : keys_) ssh_key_free(key);
}

ssh_key_struct* SshTransport::LoadKey(const std::string& path, std::string* error) {
  std::lock_guard<std::mutex> lock(keys_mu_);
  for (auto& [p, key] : keys_)
    if (p == path) return key;
  ssh_key key = nullptr;
  int rc = ssh_pki_import_privkey_file(path.c_str(), nullptr, NoPassphrase, nullptr, &key);
  if (rc == SSH_EOF) {
    *error = "cannot read identity file " + path;
    return nullptr;
  }
  if (rc != SSH_OK) {
    *error = "cannot load identity file " + path +
             " (not a private key, or passphrase-protected: load it into ssh-agent)";
    return nullptr;
  }
  keys_.emplace_back(path, key);
  return key;
}

TransportStatus SshTransport::Open(const Target& target, const OpenOptions& options,
                                   std::unique_ptr<Session>* session) {
  std::string label = target.member.empty() ? target.host : target.member;
  SshRoute route;
  std::string error;
  if (!ResolveRoute(config_, target, defaults_, &route, &error))
    return TransportStatus::Fail(TransportError::kConfig, label + ": " + error);
  label += " (" + Describe(route) + ")";
  std::unique_ptr<JumpTunnel> tunnel;
  if (route.jump) {
    std::unique_ptr<Connected> bastion;
    TransportStatus st = Connect(label + ": bastion", *route.jump, nullptr, options, &bastion);
    if (st.ok()) st = JumpTunnel::Open(std::move(bastion), route.target, label, options.deadline,
                                       &tunnel);
    if (!st.ok()) return st;
  }
  std::unique_ptr<Connected> c;
  TransportStatus st = Connect(label, route.target, std::move(tunnel), options, &c);
  if (!st.ok()) return st;
  *session = std::make_unique<SshSession>(label, std::move(c));
  return st;
}

TransportStatus SshTransport::Connect(const std::string& label, const SshEndpoint& e,
                                      std::unique_ptr<JumpTunnel> tunnel,
                                      const OpenOptions& options,
                                      std::unique_ptr<Connected>* out) {
  auto c = std::make_unique<Connected>();
  c->tunnel = std::move(tunnel);
  c->s = ssh_new();
  if (!c->s) return TransportStatus::Fail(TransportError::kProtocol, label + ": ssh_new failed");
  ssh_session s = c->s;
  int one = 1;
  unsigned port = static_cast<unsigned>(e.port);
  bool no = false;
  ssh_options_set(s, SSH_OPTIONS_HOST, e.host.c_str());
  ssh_options_set(s, SSH_OPTIONS_PORT, &port);
  ssh_options_set(s, SSH_OPTIONS_USER, e.user.c_str());
  ssh_options_set(s, SSH_OPTIONS_NODELAY, &one);
  ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);  // ours is read once, in Create
  // libssh would read these files on every connection to order host key
  // algorithms; known_hosts_ already says which to ask for.
  ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
  ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
  std::string algos = HostKeyAlgorithms(known_hosts_.KeyTypes(e.host, e.port));
  if (!algos.empty()) ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, algos.c_str());
  if (RemainingMs(options.deadline) == 0)
    return TransportStatus::Fail(TransportError::kTimeout, label + ": deadline passed before connecting");
  SetTimeout(s, options.deadline);
  if (c->tunnel) {
    int fd = c->tunnel->TakeMemberFd();  // libssh closes it with the session
    ssh_options_set(s, SSH_OPTIONS_FD, &fd);
  }
  if (ssh_connect(s) != SSH_OK) return ConnectFailure(s, label, options.deadline);
  TransportStatus st = CheckHostKey(label, e, c.get(), options);
  if (st.ok()) st = Authenticate(label, e, c.get(), options);
  if (st.ok()) *out = std::move(c);
  return st;
}

namespace {

// The server's host key as known_hosts writes it, and its fingerprint.
bool ReadHostKey(ssh_session s, HostKey* hk, std::string* fingerprint) {
  ssh_key key = nullptr;
  char* b64 = nullptr;
  bool ok = ssh_get_server_publickey(s, &key) == SSH_OK &&
            ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK;
  if (ok) {
    *hk = {ssh_key_type_to_char(ssh_key_type(key)), b64};
    *fingerprint = Fingerprint(key);
  }
  ssh_string_free_char(b64);
  ssh_key_free(key);
  return ok;
}

// Why a host key that is not known is refused. `name` as known_hosts has it.
TransportStatus HostKeyRefusal(const std::string& label, const std::string& name,
                               const std::string& offered, const KnownHosts::Check& check) {
  switch (check.verdict) {
    case KnownHosts::Verdict::kChanged:
      return TransportStatus::Fail(
          TransportError::kHostKeyChanged,
          label + ": HOST KEY CHANGED for " + name + ": it offered " + offered + " but " +
              check.where + " records a different key; refusing to connect (if the change is "
              "expected, remove the old key: ssh-keygen -R '" + name + "')");
    case KnownHosts::Verdict::kRevoked:
      return TransportStatus::Fail(TransportError::kHostKeyChanged,
                                   label + ": host key for " + name + " (" + offered +
                                       ") is REVOKED at " + check.where + "; refusing to connect");
    default:
      return TransportStatus::Fail(TransportError::kHostKeyUnknown,
                                   label + ": host key for " + name + " is not known (" + offered +
                                       "); refusing to connect (pass --accept-new-host-keys to "
                                       "record it)");
  }
}

}  // namespace

TransportStatus SshTransport::CheckHostKey(const std::string& label, const SshEndpoint& e,
                                           Connected* c, const OpenOptions& options) {
  HostKey hk;
  std::string fp;
  if (!ReadHostKey(c->s, &hk, &fp))
    return SessionFailure(c->s, label, "reading the host key", options.deadline);
  KnownHosts::Check check = known_hosts_.Verify(e.host, e.port, hk);
  if (check.verdict == KnownHosts::Verdict::kKnown) return TransportStatus::Ok();
  std::string name = KnownHosts::EntryName(e.host, e.port), error;
  if (check.verdict == KnownHosts::Verdict::kUnknown && options.accept_new_host_key) {
    if (known_hosts_.Add(e.host, e.port, hk, &error)) return TransportStatus::Ok();
    TransportStatus st = TransportStatus::Fail(
        TransportError::kHostKeyUnknown,
        label + ": host key for " + name + " is not known (" + hk.type + " " + fp +
            ") and could not be recorded: " + error);
    st.fingerprint = fp;
    return st;
  }
  TransportStatus st = HostKeyRefusal(label, name, hk.type + " " + fp, check);
  st.fingerprint = fp;
  return st;
}

TransportStatus SshTransport::Authenticate(const std::string& label, const SshEndpoint& e,
                                           Connected* c, const OpenOptions& options) {
  int rc;
  std::string how;
  if (!e.identity.empty()) {
    std::string error;
    ssh_key key = LoadKey(e.identity, &error);
    if (!key) return TransportStatus::Fail(TransportError::kConfig, label + ": " + error);
    rc = ssh_userauth_publickey(c->s, nullptr, key);
    how = "the key " + e.identity;
  } else {
    if (!std::getenv("SSH_AUTH_SOCK"))
      return TransportStatus::Fail(TransportError::kConfig,
                                   label + ": no identity file configured and no ssh-agent "
                                           "(SSH_AUTH_SOCK is not set)");
    rc = ssh_userauth_agent(c->s, nullptr);
    how = "every key in ssh-agent";
  }
  if (rc == SSH_AUTH_SUCCESS) return TransportStatus::Ok();
  if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL)
    return TransportStatus::Fail(TransportError::kAuthRefused,
                                 label + ": user '" + e.user + "' was refused with " + how);
  return SessionFailure(c->s, label, "authenticating", options.deadline);
}

}  // namespace harc
