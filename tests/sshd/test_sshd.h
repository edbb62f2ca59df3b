// A private OpenSSH sshd on loopback, for tests of the real SSH transport.
// Everything it uses lives in a fresh temp dir: its config, host key,
// authorized keys, pid file and log; never the system's. It listens on one
// free port on each address asked for (127.0.0.x, ::1), logs in the user
// running the test (root or not), and sets HOME to an empty directory so the
// user's shell startup files (a root .bashrc that starts pyenv, say) neither
// run nor print. Header-only, so each test executable simply includes it.
//
//   TestSshd sshd({"127.0.0.2", "::1"});
//   ASSERT_TRUE(sshd.ok()) << sshd.error();
//   ... connect to sshd.port() with sshd.user_key() ...
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace harc::testing {

inline constexpr const char* kSshdPath = "/usr/sbin/sshd";

// Runs a shell command; returns its stdout. *status gets its exit status.
inline std::string RunShell(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int rc = pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string CurrentUser() {
  struct passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : "root";
}

inline std::string MakeTempDir(const char* stem) {
  std::string tmpl = (std::filesystem::temp_directory_path() / stem).string() + "-XXXXXX";
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

// Generates an ed25519 key pair at path (and path.pub). False on failure.
inline bool KeyGen(const std::string& path) {
  int rc = 0;
  RunShell("ssh-keygen -q -t ed25519 -N '' -C harc-test -f '" + path + "'", &rc);
  return rc == 0;
}

// The SHA256 fingerprint of a public key file, as ssh-keygen -l prints it.
inline std::string FingerprintOf(const std::string& pub) {
  std::istringstream s(RunShell("ssh-keygen -l -f '" + pub + "'"));
  std::string bits, fp;
  s >> bits >> fp;
  return fp;
}

// A TCP port nothing listens on right now (bound, then released).
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// True once something accepts TCP connections at address:port.
inline bool Accepts(const std::string& address, int port) {
  bool v6 = address.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, address.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  close(fd);
  return ok;
}

class TestSshd {
 public:
  struct Options {
    std::vector<std::string> addresses;
    std::string extra_config;  // appended to sshd_config
    std::string authorize;     // a .pub to authorize; "": generate a user key
  };

  // Listens on each of `addresses`; `extra_config` is appended to its config;
  // `authorize` names a public key file to accept ("": a new user key).
  explicit TestSshd(std::vector<std::string> addresses = {"127.0.0.1"},
                    std::string extra_config = "", std::string authorize = "")
      : o_{std::move(addresses), std::move(extra_config), std::move(authorize)} {
    dir_ = MakeTempDir("harc-sshd");
    if (dir_.empty()) {
      error_ = "mkdtemp failed";
      return;
    }
    if (!MakeKeys()) return;
    if (getuid() == 0) mkdir("/run/sshd", 0755);  // sshd's privilege separation dir
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) Start();
  }
  ~TestSshd() {
    Stop();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  TestSshd(const TestSshd&) = delete;
  TestSshd& operator=(const TestSshd&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string user() const { return CurrentUser(); }
  std::string user_key() const { return dir_ + "/user_key"; }
  std::string host_key_pub() const { return dir_ + "/host_key.pub"; }
  std::string host_key_fingerprint() const { return FingerprintOf(host_key_pub()); }
  std::string log() const { return ReadText(dir_ + "/sshd.log"); }

  // The known_hosts line for this sshd's host key at `address`.
  std::string KnownHostsLine(const std::string& address) const {
    std::istringstream s(ReadText(host_key_pub()));
    std::string type, blob;
    s >> type >> blob;
    return "[" + address + "]:" + std::to_string(port_) + " " + type + " " + blob + "\n";
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  bool MakeKeys() {
    std::filesystem::create_directories(dir_ + "/home");
    bool ok = KeyGen(dir_ + "/host_key");
    if (o_.authorize.empty()) {
      ok = ok && KeyGen(user_key());
      o_.authorize = user_key() + ".pub";
    }
    std::ofstream(dir_ + "/authorized_keys") << ReadText(o_.authorize);
    if (!ok) error_ = "ssh-keygen failed";
    return ok;
  }

  void WriteConfig() {
    std::ofstream c(dir_ + "/sshd_config");
    for (const std::string& a : o_.addresses)
      c << "ListenAddress " << (a.find(':') != a.npos ? "[" + a + "]" : a) << ":" << port_ << "\n";
    c << "HostKey " << dir_ << "/host_key\n"
      << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
      << "PidFile " << dir_ << "/sshd.pid\n"
      << "SetEnv HOME=" << dir_ << "/home\n"
      << "StrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
      << "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
      << "UseDNS no\nPrintMotd no\nLogLevel VERBOSE\nMaxStartups 500\n"
      << o_.extra_config << "\n";
  }

  // Starts sshd on a fresh port; waits until every address accepts.
  void Start() {
    port_ = FreePort();
    WriteConfig();
    std::string config = dir_ + "/sshd_config", log = dir_ + "/sshd.log";
    // Logs go to an inherited descriptor (-e), not a path (-E) that a late
    // connection process would reopen after the directory is gone.
    int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0);  // its own group: Stop ends the connections' processes too
      dup2(log_fd, 2);
      execl(kSshdPath, kSshdPath, "-D", "-e", "-f", config.c_str(), nullptr);
      _exit(127);
    }
    close(log_fd);
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
      if (waitpid(pid, nullptr, WNOHANG) == pid) {  // died: port taken, bad config
        error_ = "sshd exited: " + this->log();
        return;
      }
      bool all = true;
      for (const std::string& a : o_.addresses) all = all && Accepts(a, port_);
      if (all) {
        pid_ = pid;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // waiting for the port only
    }
    kill(-pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    error_ = "sshd did not start listening: " + this->log();
  }

  Options o_;
  std::string dir_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace harc::testing
