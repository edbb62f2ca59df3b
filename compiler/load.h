// Loading a fleet repository: harc.toml, clusters/*.toml, platforms/*.toml (and
// the built-in platforms) into a validated Fleet. Pure: the caller hands in the
// files' text (from a directory or a git commit, see reconciler/fleet_source.h),
// so tests load from strings. Every error of every file is collected.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag.h"
#include "compiler/model.h"

namespace harc {

struct SourceFile {
  std::string path;  // relative to the fleet root: "clusters/fw-east.toml"
  std::string text;
};

struct FleetFiles {
  std::vector<SourceFile> files;  // every file under the root; others are ignored
  std::string commit;             // "" for a working tree
};

struct LoadResult {
  Fleet fleet;
  std::vector<Diagnostic> errors;
  bool ok() const { return errors.empty(); }
};

// builtin_platforms: the files of schemas/platforms/ (see BuiltinPlatforms()).
LoadResult LoadFleet(const FleetFiles& files, const std::vector<SourceFile>& builtin_platforms);

// One platform file. Errors go to sink (which must have its source set).
bool LoadPlatform(const SourceFile& file, Platform* out, DiagSink* sink);

}  // namespace harc
