#include "reconciler/fleet_source.h"

#include <git2.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "compiler/diag.h"

namespace harc {
namespace {

namespace fs = std::filesystem;

// The directories whose *.toml files make up a fleet, besides harc.toml.
constexpr const char* kFleetDirs[] = {"clusters", "platforms"};
constexpr const char* kConfigFile = "harc.toml";

bool IsTomlName(const std::string& name) {
  return name.size() > 5 && name[0] != '.' && name.ends_with(".toml");
}

void SortByPath(FleetFiles* files) {
  std::sort(files->files.begin(), files->files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
}

// ---------------------------------------------------------------- directory

bool ReadDiskFile(const fs::path& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  if (in) buf << in.rdbuf();
  if (!in || in.bad()) {
    *error = "cannot read " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  *text = std::move(buf).str();
  return true;
}

// Adds root/rel when it is a regular file (following symlinks, as git does
// not, but as an editor saving the working tree would expect).
bool AddDiskFile(const fs::path& root, const std::string& rel, FleetFiles* out,
                 std::string* error) {
  std::error_code ec;
  if (!fs::is_regular_file(root / rel, ec)) return true;
  SourceFile f{rel, ""};
  if (!ReadDiskFile(root / rel, &f.text, error)) return false;
  out->files.push_back(std::move(f));
  return true;
}

bool AddDiskDir(const fs::path& root, const std::string& dir, FleetFiles* out,
                std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(root / dir, ec)) return true;
  fs::directory_iterator it(root / dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsTomlName(name) && !AddDiskFile(root, dir + "/" + name, out, error)) return false;
  }
  if (ec) {
    *error = "cannot list " + (root / dir).string() + ": " + ec.message();
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- git

// Owning handles for the libgit2 objects used here.
template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using TreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using EntryPtr = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry, git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

// The fleet root inside the commit: where `path` sits in the repository's
// work tree ("" at the top, and always for a bare repository).
std::string PrefixInRepo(git_repository* repo, const std::string& path) {
  const char* workdir = git_repository_workdir(repo);
  if (!workdir) return "";
  std::error_code ec;
  fs::path rel = fs::relative(fs::canonical(path, ec), fs::canonical(workdir, ec), ec);
  std::string s = rel.generic_string();
  if (ec || s == "." || s.empty() || s.starts_with("..")) return "";
  return s + "/";
}

bool IsFileEntry(const git_tree_entry* e) {
  git_filemode_t mode = git_tree_entry_filemode(e);
  return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

bool ReadBlob(git_repository* repo, const git_tree_entry* e, std::string* text) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, git_tree_entry_id(e)) != 0) return false;
  BlobPtr blob(raw);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  text->assign(data, static_cast<size_t>(git_blob_rawsize(blob.get())));
  return true;
}

// Reads the commit `ref` names in `repo`: every fleet file under `prefix`.
class CommitReader {
 public:
  // `where` names the repository in errors.
  CommitReader(git_repository* repo, std::string prefix, std::string ref, std::string where)
      : repo_(repo),
        prefix_(std::move(prefix)),
        ref_(std::move(ref)),
        quoted_ref_(QuoteForMessage(ref_)),
        where_(std::move(where)) {}

  bool Read(FleetFiles* out, std::string* error) {
    if (!ResolveTree(out, error)) return false;
    if (!AddFile(kConfigFile, out, error)) return false;
    for (const char* dir : kFleetDirs)
      if (!AddDir(dir, out, error)) return false;
    return true;
  }

 private:
  bool Fail(std::string* error, const std::string& what) {
    *error = what + " in git repository '" + where_ + "': " + LastGitError();
    return false;
  }

  bool ResolveTree(FleetFiles* out, std::string* error) {
    git_object* raw = nullptr;
    int rc = git_revparse_single(&raw, repo_, ref_.c_str());
    if (rc == GIT_ENOTFOUND) {
      *error = "ref " + quoted_ref_ + " not found in git repository '" + where_ + "'";
      return false;
    }
    if (rc != 0) return Fail(error, "cannot resolve ref " + quoted_ref_);
    ObjectPtr obj(raw);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0)
      return Fail(error, "ref " + quoted_ref_ + " does not name a commit");
    ObjectPtr commit(peeled);
    out->commit = git_oid_tostr_s(git_object_id(commit.get()));
    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, reinterpret_cast<git_commit*>(commit.get())) != 0)
      return Fail(error, "cannot read the tree of " + out->commit);
    tree_.reset(tree);
    return true;
  }

  // The entry at prefix/rel, or null when the commit has none.
  EntryPtr Find(const std::string& rel) {
    git_tree_entry* e = nullptr;
    if (git_tree_entry_bypath(&e, tree_.get(), (prefix_ + rel).c_str()) != 0) return nullptr;
    return EntryPtr(e);
  }

  bool Add(const std::string& rel, const git_tree_entry* e, FleetFiles* out, std::string* error) {
    SourceFile f{rel, ""};
    if (!ReadBlob(repo_, e, &f.text))
      return Fail(error, "cannot read " + prefix_ + rel + " at " + out->commit);
    out->files.push_back(std::move(f));
    return true;
  }

  bool AddFile(const std::string& rel, FleetFiles* out, std::string* error) {
    EntryPtr e = Find(rel);
    if (!e || !IsFileEntry(e.get())) return true;
    return Add(rel, e.get(), out, error);
  }

  bool AddDir(const std::string& dir, FleetFiles* out, std::string* error) {
    EntryPtr e = Find(dir);
    if (!e || git_tree_entry_type(e.get()) != GIT_OBJECT_TREE) return true;
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, repo_, git_tree_entry_id(e.get())) != 0)
      return Fail(error, "cannot read " + prefix_ + dir + " at " + out->commit);
    TreePtr sub(raw);
    for (size_t i = 0; i < git_tree_entrycount(sub.get()); ++i) {
      const git_tree_entry* child = git_tree_entry_byindex(sub.get(), i);
      std::string name = git_tree_entry_name(child);
      if (IsTomlName(name) && IsFileEntry(child) && !Add(dir + "/" + name, child, out, error))
        return false;
    }
    return true;
  }

  git_repository* repo_;
  std::string prefix_;
  std::string ref_;
  std::string quoted_ref_;  // for messages
  std::string where_;
  TreePtr tree_;
};

}  // namespace

bool DirectorySource::Read(FleetFiles* out, std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) {
    *error = "fleet repository '" + root_ + "' is not a directory";
    return false;
  }
  FleetFiles files;
  if (!AddDiskFile(root_, kConfigFile, &files, error)) return false;
  for (const char* dir : kFleetDirs)
    if (!AddDiskDir(root_, dir, &files, error)) return false;
  SortByPath(&files);
  *out = std::move(files);
  return true;
}

GitCommitSource::GitCommitSource(std::string path, std::string ref)
    : path_(std::move(path)), ref_(std::move(ref)) {
  git_libgit2_init();
}

GitCommitSource::~GitCommitSource() { git_libgit2_shutdown(); }

bool GitCommitSource::Read(FleetFiles* out, std::string* error) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, path_.c_str(), 0, nullptr) != 0) {
    *error = "cannot open git repository '" + path_ + "': " + LastGitError();
    return false;
  }
  RepoPtr repo(raw);
  FleetFiles files;
  CommitReader reader(repo.get(), PrefixInRepo(repo.get(), path_), ref_, path_);
  if (!reader.Read(&files, error)) return false;
  SortByPath(&files);
  *out = std::move(files);
  return true;
}

std::unique_ptr<FleetSource> MakeFleetSource(const std::string& repo, const std::string& ref) {
  if (ref.empty()) return std::make_unique<DirectorySource>(repo);
  return std::make_unique<GitCommitSource>(repo, ref);
}

}  // namespace harc
