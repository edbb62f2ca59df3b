#include "reconciler/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace harc {
namespace {

bool Fail(const std::string& path, const char* what, std::string* error) {
  *error = "cannot write " + path + ": " + what + ": " + std::strerror(errno);
  return false;
}

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The mode a plain open(O_CREAT, 0666) would have given: mkstemp makes 0600.
mode_t DefaultFileMode() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

bool WriteFileAtomically(const std::string& path, std::string_view text, std::string* error) {
  std::filesystem::path p(path);
  std::string tmp = (p.parent_path() / ("." + p.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Fail(path, "create temporary file", error);
  bool ok = WriteAll(fd, text) || Fail(path, "write", error);
  ok = ok && (::fchmod(fd, DefaultFileMode()) == 0 || Fail(path, "chmod", error));
  ok = ok && (::fsync(fd) == 0 || Fail(path, "fsync", error));
  ok = (::close(fd) == 0 || Fail(path, "close", error)) && ok;
  ok = ok && (::rename(tmp.c_str(), path.c_str()) == 0 || Fail(path, "rename", error));
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

}  // namespace harc
