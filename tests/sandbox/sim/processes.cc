#include "tests/sandbox/sim/processes.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace harc::sim {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// A socket address for address:port; false when address is not an IP.
bool MakeAddress(const std::string& address, int port, sockaddr_storage* ss, socklen_t* len) {
  *ss = {};
  if (address.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *a;
    return inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) == 1;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(ss);
  a->sin_family = AF_INET;
  a->sin_port = htons(static_cast<uint16_t>(port));
  *len = sizeof *a;
  return inet_pton(AF_INET, address.c_str(), &a->sin_addr) == 1;
}

bool CanBind(const std::string& address, int port) {
  sockaddr_storage ss;
  socklen_t len;
  if (!MakeAddress(address, port, &ss, &len)) return false;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  close(fd);
  return ok;
}

bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  size_t close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() &&
         stat[close_paren + 2] != 'Z';
}

pid_t ParentOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close_paren + 2));
  char state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

int RunProgram(const std::vector<std::string>& argv, std::string* output) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    execvp(argv[0].c_str(), Argv(argv).data());
    _exit(127);
  }
  close(pipefd[1]);
  char buf[4096];
  for (ssize_t n; (n = read(pipefd[0], buf, sizeof buf)) > 0;) output->append(buf, n);
  close(pipefd[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

pid_t SpawnDetached(const std::vector<std::string>& argv, const std::string& log_path) {
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    execv(argv[0].c_str(), Argv(argv).data());
    _exit(127);
  }
  close(log);
  close(null);
  return pid;
}

bool Accepts(const std::string& address, int port) {
  sockaddr_storage ss;
  socklen_t len;
  if (!MakeAddress(address, port, &ss, &len)) return false;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  close(fd);
  return ok;
}

bool WaitListening(const std::vector<std::string>& addresses, int port, bool want,
                   double seconds, pid_t pid) {
  auto give_up = Clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (Clock::now() < give_up) {
    if (pid > 0 && (waitpid(pid, nullptr, WNOHANG) == pid || !Alive(pid))) return false;
    bool all = true;
    for (const std::string& a : addresses) all = all && Accepts(a, port) == want;
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int FreePortFor(const std::vector<std::string>& addresses) {
  std::random_device rd;
  std::uniform_int_distribution<int> pick(20000, 29999);
  for (int attempt = 0; attempt < 50; ++attempt) {
    int port = pick(rd);
    bool all = true;
    for (const std::string& a : addresses) all = all && CanBind(a, port);
    if (all) return port;
  }
  return 0;
}

bool ProcessMentions(pid_t pid, const std::string& needle) {
  if (pid <= 0 || !Alive(pid)) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string cmdline = s.str();
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  return cmdline.find(needle) != std::string::npos;
}

std::vector<pid_t> ProcessTree(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> links;  // (pid, parent)
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    links.emplace_back(std::stoi(name), ParentOf(name));
  }
  std::vector<pid_t> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i)
    for (const auto& [pid, parent] : links)
      if (parent == tree[i]) tree.push_back(pid);
  return tree;
}

void Terminate(const std::vector<pid_t>& pids, double grace) {
  for (pid_t p : pids) kill(p, SIGTERM);
  auto give_up = Clock::now() + std::chrono::milliseconds(static_cast<int>(grace * 1000));
  for (pid_t p : pids) {
    while (Alive(p) && Clock::now() < give_up) {
      waitpid(p, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (Alive(p)) kill(p, SIGKILL);
  }
}

}  // namespace harc::sim
