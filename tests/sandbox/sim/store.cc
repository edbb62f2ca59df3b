#include "tests/sandbox/sim/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/builtin_platforms.h"
#include "compiler/load.h"

namespace harc::sim {
namespace {

namespace fs = std::filesystem;

std::string ClusterPath(const std::string& dir, const std::string& name) {
  return dir + "/clusters/" + name + ".json";
}

std::string ReadAll(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

LockedCluster::~LockedCluster() {
  if (lock_fd_ >= 0) close(lock_fd_);  // releases the flock
}

bool LockedCluster::Open(const std::string& state_dir, const std::string& name,
                         std::string* error) {
  path_ = ClusterPath(state_dir, name);
  std::string lock = state_dir + "/clusters/" + name + ".lock";
  lock_fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || flock(lock_fd_, LOCK_EX) != 0) {
    *error = lock + ": " + std::strerror(errno);
    return false;
  }
  nlohmann::json j;
  return ReadJsonFile(path_, &j, error) && FromJson(j, &cluster_, error);
}

bool LockedCluster::Save(std::string* error) {
  return WriteTextFile(path_, ToJson(cluster_).dump(1) + "\n", error);
}

bool WriteCluster(const std::string& state_dir, const SimCluster& c, std::string* error) {
  fs::create_directories(state_dir + "/clusters");
  return WriteTextFile(ClusterPath(state_dir, c.name), ToJson(c).dump(1) + "\n", error);
}

std::vector<std::string> ClusterNames(const std::string& state_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir + "/clusters", ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

void AppendAudit(const std::string& state_dir, const Log& records) {
  if (records.empty()) return;
  std::string text;
  for (const nlohmann::json& r : records) text += r.dump() + "\n";
  std::string path = state_dir + "/audit.jsonl";
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t n = write(fd, text.data(), text.size());
  (void)n;
  close(fd);
}

std::vector<nlohmann::json> ReadAudit(const std::string& state_dir) {
  std::vector<nlohmann::json> out;
  std::ifstream in(state_dir + "/audit.jsonl");
  for (std::string line; std::getline(in, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

bool LoadClusterPlatform(const SimCluster& c, Platform* out, std::string* error) {
  SourceFile file;
  if (c.platform_file.empty()) {
    for (const SourceFile& f : BuiltinPlatforms())
      if (f.path == "<builtin>/" + c.platform + ".toml") file = f;
  } else {
    bool ok = false;
    file = {c.platform_file, ReadAll(c.platform_file, &ok)};
    if (!ok) file.path.clear();
  }
  if (file.path.empty()) {
    *error = "platform '" + c.platform + "' not found";
    return false;
  }
  DiagSink sink;
  sink.SetSource(file.path, file.text);
  if (LoadPlatform(file, out, &sink)) return true;
  *error = sink.diagnostics().empty() ? "bad platform" : FormatDiagnostic(sink.diagnostics()[0]);
  return false;
}

bool ReadJsonFile(const std::string& path, nlohmann::json* out, std::string* error) {
  bool ok = false;
  std::string text = ReadAll(path, &ok);
  if (!ok) {
    *error = path + ": cannot read";
    return false;
  }
  *out = nlohmann::json::parse(text, nullptr, false);
  if (out->is_discarded()) {
    *error = path + ": not JSON";
    return false;
  }
  return true;
}

bool WriteTextFile(const std::string& path, const std::string& text, std::string* error,
                   int mode) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) close(fd);
  if (ok && rename(tmp.c_str(), path.c_str()) == 0) return true;
  *error = path + ": " + std::strerror(errno);
  unlink(tmp.c_str());
  return false;
}

}  // namespace harc::sim
