#include "reconciler/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace harc {
namespace {

// A pipe whose ends close themselves.
struct Pipe {
  int fd[2] = {-1, -1};
  bool Open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void Close(int end) {
    if (fd[end] >= 0) ::close(fd[end]);
    fd[end] = -1;
  }
  ~Pipe() {
    Close(0);
    Close(1);
  }
};

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Feeds `input` to `in` and drains `out` and `err` until both close or the
// deadline passes. False on timeout.
bool Exchange(Pipe& in, Pipe& out, Pipe& err, const std::string& input, int64_t deadline,
              ProcessResult* r) {
  size_t written = 0;
  if (input.empty()) in.Close(1);
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3] = {{in.fd[1], POLLOUT, 0}, {out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    int64_t left = deadline - NowMs();
    if (left <= 0) return false;
    if (::poll(fds, 3, static_cast<int>(left)) < 0 && errno != EINTR) return false;
    if (fds[0].revents) {
      ssize_t n = ::write(in.fd[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 || written == input.size()) in.Close(1);
    }
    Pipe* sources[2] = {&out, &err};
    std::string* sinks[2] = {&r->out, &r->err};
    for (int i = 0; i < 2; ++i) {
      if (!fds[i + 1].revents) continue;
      char buf[4096];
      ssize_t n = ::read(sources[i]->fd[0], buf, sizeof buf);
      if (n > 0) sinks[i]->append(buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) sources[i]->Close(0);
    }
  }
  return true;
}

}  // namespace

bool RunProcess(const std::vector<std::string>& argv, const std::string& input, int timeout_ms,
                ProcessResult* result, std::string* error) {
  *result = ProcessResult{};
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || !err.Open()) {
    *error = "cannot run " + argv[0] + ": pipe: " + std::strerror(errno);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return false;
  }
  in.Close(0);
  out.Close(1);
  err.Close(1);
  // A child that exits without reading its input must not kill us with SIGPIPE.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  bool in_time = Exchange(in, out, err, input, NowMs() + timeout_ms, result);
  ::sigaction(SIGPIPE, &old, nullptr);
  if (!in_time) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (!in_time) *error = argv[0] + " did not finish within " + std::to_string(timeout_ms) + "ms";
  return in_time;
}

}  // namespace harc
