// Where the fleet repository's files come from: the working tree of a directory,
// or one commit of a git repository read straight from its object database (no
// checkout, so a bare repository works, and what is applied is exactly what
// was committed). The compiler's LoadFleet takes the FleetFiles either returns.
//
// Both read the same files, with paths relative to the fleet root:
//   harc.toml, clusters/*.toml, platforms/*.toml
// Everything else (README, hidden files, subdirectories) is not read.
#pragma once

#include <memory>
#include <string>

#include "compiler/load.h"

namespace harc {

class FleetSource {
 public:
  virtual ~FleetSource() = default;
  // Reads the fleet's files, sorted by path. On failure returns false with
  // *error saying what could not be read and where.
  virtual bool Read(FleetFiles* out, std::string* error) = 0;
};

// The files as they are on disk under `root`. FleetFiles.commit is "": a
// working tree may hold uncommitted changes, so no commit describes it.
class DirectorySource : public FleetSource {
 public:
  explicit DirectorySource(std::string root) : root_(std::move(root)) {}
  bool Read(FleetFiles* out, std::string* error) override;

 private:
  std::string root_;
};

// The files of the commit `ref` resolves to (anything git rev-parse takes:
// a branch, a tag, a hash, HEAD~2) in the repository at or above `path`.
// When `path` is a subdirectory of a work tree, the fleet root is that
// subdirectory of the commit. FleetFiles.commit is the full commit id.
class GitCommitSource : public FleetSource {
 public:
  GitCommitSource(std::string path, std::string ref);
  ~GitCommitSource() override;
  GitCommitSource(const GitCommitSource&) = delete;
  GitCommitSource& operator=(const GitCommitSource&) = delete;
  bool Read(FleetFiles* out, std::string* error) override;

 private:
  std::string path_;
  std::string ref_;
};

// The source the common options ask for: a commit when ref is set, else the
// directory.
std::unique_ptr<FleetSource> MakeFleetSource(const std::string& repo, const std::string& ref);

}  // namespace harc
