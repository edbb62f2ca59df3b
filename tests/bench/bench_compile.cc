// Benchmark: load, compile and prove a large fleet from files on disk.
//
// Generates a fleet repository of N clusters x 4 members (built-in platforms
// that allow 4 members, in rotation; half the clusters need an upgrade) and an
// observed-state file into a temp directory, then times reading the files,
// LoadFleet, ParseObserved and Compile. Runs N = 1,000 then N = 10,000 and
// prints each phase, the ratio and the peak RSS.
//
// Usage: bench_compile [N_small N_large]   Target: N = 10,000 under 2 s and
// 1 GiB; time(10,000) <= 11 x time(1,000).
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "compiler/builtin_platforms.h"
#include "compiler/compile.h"
#include "compiler/load.h"
#include "compiler/observed.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<harc::Platform> FourMemberPlatforms() {
  std::vector<harc::Platform> out;
  for (const harc::SourceFile& f : harc::BuiltinPlatforms()) {
    harc::Platform p;
    harc::DiagSink sink;
    sink.SetSource(f.path, f.text);
    if (!harc::LoadPlatform(f, &p, &sink)) continue;
    if ((p.max_members == 0 || p.max_members >= 4) && p.mixed_versions) out.push_back(p);
  }
  return out;
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes harc.toml, clusters/*.toml and observed.json under dir.
void Generate(const fs::path& dir, int n, const std::vector<harc::Platform>& platforms) {
  fs::remove_all(dir);
  fs::create_directories(dir / "clusters");
  WriteFile(dir / "harc.toml", "[rollout]\nwaves = [\"canary\", \"default\"]\n");
  harc::ObservedFleet observed;
  for (int i = 0; i < n; ++i) {
    const harc::Platform& p = platforms[i % platforms.size()];
    std::string name = fmt::format("c{:05d}", i);
    std::string toml = fmt::format("name = \"{}\"\nplatform = \"{}\"\nwave = \"{}\"\n\n[software]\n",
                                   name, p.name, i % 10 == 0 ? "canary" : "default");
    for (const std::string& comp : p.components) toml += fmt::format("{} = \"2.0\"\n", comp);
    toml += "\n[ha]\nmin_serving = 2\nmax_unavailable = 2\n";
    harc::ObservedCluster oc{name, {}};
    for (int m = 0; m < 4; ++m) {
      std::string member = fmt::format("m{}", m + 1);
      toml += fmt::format("\n[[member]]\nname = \"{}\"\nhost = \"10.{}.{}.{}\"\nsite = {}\n", member,
                          i / 250 % 250, i % 250, m + 1, 1 + m % 2);
      harc::ObservedMember om{member, fmt::format("10.0.0.{}", m + 1), true, "", {}};
      bool active = !p.active_standby || m == 0;
      om.facts = {{"role", active ? "active" : "standby"}, {"in_cluster", "true"}, {"sync", "true"}};
      for (const std::string& comp : p.components)
        om.facts["version." + comp] = i % 2 ? "2.0" : "1.0";
      for (const auto& [setting, held] : p.run_settings) om.facts["setting." + setting] = held;
      oc.members.push_back(om);
    }
    observed.clusters[name] = oc;
    WriteFile(dir / "clusters" / (name + ".toml"), toml);
  }
  WriteFile(dir / "observed.json", harc::ObservedToJson(observed));
}

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Returns total seconds for one run over the fleet in dir.
double Run(const fs::path& dir, int n) {
  auto t0 = Clock::now();
  harc::FleetFiles files;
  files.files.push_back({"harc.toml", ReadFile(dir / "harc.toml")});
  for (const auto& e : fs::directory_iterator(dir / "clusters"))
    files.files.push_back({"clusters/" + e.path().filename().string(), ReadFile(e.path())});
  std::string observed_text = ReadFile(dir / "observed.json");
  auto t1 = Clock::now();
  harc::LoadResult loaded = harc::LoadFleet(files, harc::BuiltinPlatforms());
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s", harc::FormatDiagnostic(loaded.errors.front()).c_str());
    std::exit(1);
  }
  auto t2 = Clock::now();
  harc::ObservedFleet observed;
  std::vector<harc::Diagnostic> errors;
  if (!harc::ParseObserved(observed_text, "observed.json", &observed, &errors)) {
    std::fprintf(stderr, "%s", harc::FormatDiagnostic(errors.front()).c_str());
    std::exit(1);
  }
  auto t3 = Clock::now();
  harc::Plan plan = harc::Compile(loaded.fleet, observed, {});
  auto t4 = Clock::now();
  size_t steps = 0, changed = 0;
  for (const harc::ClusterPlan& cp : plan.clusters) {
    steps += cp.steps.size();
    changed += cp.status == harc::ClusterStatus::kChanges;
    if (cp.status == harc::ClusterStatus::kUnsafe || cp.status == harc::ClusterStatus::kUnobservable) {
      std::fprintf(stderr, "cluster %s was not planned\n", cp.cluster.c_str());
      std::exit(1);
    }
  }
  std::printf("N=%6d clusters (%6d members): read %.3f s, load %.3f s, observed %.3f s, "
              "compile+prove %.3f s, total %.3f s; %zu clusters changed, %zu steps\n",
              n, 4 * n, Seconds(t0, t1), Seconds(t1, t2), Seconds(t2, t3), Seconds(t3, t4),
              Seconds(t0, t4), changed, steps);
  return Seconds(t0, t4);
}

}  // namespace

int main(int argc, char** argv) {
  int small = argc > 2 ? std::atoi(argv[1]) : 1'000;
  int large = argc > 2 ? std::atoi(argv[2]) : 10'000;
  std::vector<harc::Platform> platforms = FourMemberPlatforms();
  if (platforms.empty()) {
    std::fprintf(stderr, "no built-in platform allows 4 members\n");
    return 1;
  }
  fs::path dir = fs::temp_directory_path() / fmt::format("harc-bench-{}", getpid());
  Generate(dir, small, platforms);
  double t_small = Run(dir, small);
  Generate(dir, large, platforms);
  double t_large = Run(dir, large);
  fs::remove_all(dir);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf("ratio time(%d)/time(%d) = %.2f (target <= 11)\n", large, small, t_large / t_small);
  std::printf("total at %d clusters: %.3f s (target < 2 s); peak RSS %.1f MiB (target < 1024)\n",
              large, t_large, ru.ru_maxrss / 1024.0);
  return 0;
}
