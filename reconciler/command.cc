#include "reconciler/command.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include "compiler/builtin_platforms.h"
#include "compiler/diag.h"
#include "compiler/load.h"
#include "compiler/observed.h"
#include "reconciler/fleet_source.h"

namespace harc {
namespace {

// Where a fleet file is, as the user can find it: under --repo for a working
// tree ("examples/fleet/clusters/a.toml"), "<ref>:<path>" for a commit (what
// `git show` takes). Paths LoadFleet did not get from the repo (built-ins) stay.
class FleetPathNamer {
 public:
  FleetPathNamer(const Options& o, const FleetFiles& files) : o_(o) {
    for (const SourceFile& f : files.files) paths_.insert(f.path);
  }
  std::string Name(const std::string& path) const {
    if (!paths_.count(path)) return path;
    if (!o_.ref.empty()) return o_.ref + ":" + path;
    return (std::filesystem::path(o_.repo) / path).lexically_normal().generic_string();
  }

 private:
  const Options& o_;
  std::set<std::string> paths_;
};

void PrintDiagnostics(const std::vector<Diagnostic>& diags, const FleetPathNamer& namer,
                      Console& io) {
  for (Diagnostic d : diags) {
    d.pos.file = namer.Name(d.pos.file);
    io.err << FormatDiagnostic(d);
  }
}

std::vector<std::string> ClusterNames(const Fleet& fleet) {
  std::vector<std::string> names;
  for (const Cluster& c : fleet.clusters) names.push_back(c.name);
  return names;
}

// Every --cluster name must be a cluster of the fleet.
bool CheckClusterNames(const Options& o, const Fleet& fleet, Console& io) {
  bool ok = true;
  for (const std::string& name : o.clusters) {
    if (fleet.FindCluster(name)) continue;
    std::string msg = "unknown cluster " + QuoteForMessage(name);
    std::string guess = DidYouMean(name, ClusterNames(fleet));
    if (!guess.empty()) msg += " (did you mean " + QuoteForMessage(guess) + "?)";
    PrintError(io, msg);
    ok = false;
  }
  return ok;
}

bool ReadTextFile(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  *text = std::move(buf).str();
  return true;
}

}  // namespace

ExitCode PrintError(Console& io, const std::string& message) {
  io.err << "harc: error: " << message << "\n";
  return ExitCode::kError;
}

std::string Count(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string Who() {
  const char* user = std::getenv("USER");
  struct passwd* pw = ::getpwuid(::getuid());
  std::string name = pw ? pw->pw_name : (user ? user : "unknown");
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  return name + "@" + host;
}

std::optional<Fleet> LoadSelectedFleet(const Options& o, Console& io) {
  FleetFiles files;
  std::string error;
  if (!MakeFleetSource(o.repo, o.ref)->Read(&files, &error)) {
    PrintError(io, error);
    return std::nullopt;
  }
  LoadResult loaded = LoadFleet(files, BuiltinPlatforms());
  if (!loaded.ok()) {
    PrintDiagnostics(loaded.errors, FleetPathNamer(o, files), io);
    PrintError(io, "fleet repository '" + o.repo + "' is invalid: " +
                       Count(loaded.errors.size(), "error"));
    return std::nullopt;
  }
  if (loaded.fleet.commit.empty()) loaded.fleet.commit = files.commit;
  if (!CheckClusterNames(o, loaded.fleet, io)) return std::nullopt;
  return std::move(loaded.fleet);
}

std::optional<ObservedFleet> ReadObservedFile(const Options& o, Console& io) {
  std::string text, error;
  if (!ReadTextFile(o.observed, &text, &error)) {
    PrintError(io, error);
    return std::nullopt;
  }
  ObservedFleet observed;
  std::vector<Diagnostic> errors;
  if (!ParseObserved(text, o.observed, &observed, &errors)) {
    for (const Diagnostic& d : errors) io.err << FormatDiagnostic(d);
    PrintError(io, "observed state '" + o.observed + "' is invalid: " +
                       Count(errors.size(), "error"));
    return std::nullopt;
  }
  return observed;
}

}  // namespace harc
