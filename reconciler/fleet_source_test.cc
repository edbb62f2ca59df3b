// FleetSource against real repositories made by the git CLI in a temp dir.
#include "reconciler/fleet_source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace harc {
namespace {

namespace fs = std::filesystem;

// Runs a shell command; returns its stdout without the trailing newline.
std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  std::array<char, 256> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class FleetSourceTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "harc-fleet-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    repo_ = (dir_ / "repo").string();
    fs::create_directories(repo_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(repo_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  std::string Git(const std::string& args) {
    return Shell("git -C '" + repo_ + "' -c user.name=harc -c user.email=harc@example.invalid " +
               "-c init.defaultBranch=main -c commit.gpgsign=false -c tag.gpgsign=false " + args);
  }
  // A fleet with a config, two clusters, a platform and files that are not read.
  void WriteFleet() {
    Write("harc.toml", "[rollout]\n");
    Write("clusters/b.toml", "name = \"b\"\n");
    Write("clusters/a.toml", "name = \"a\"\n");
    Write("clusters/README.md", "not a cluster\n");
    Write("clusters/.hidden.toml", "x\n");
    Write("clusters/sub/c.toml", "name = \"c\"\n");
    Write("platforms/p.toml", "name = \"p\"\n");
    Write("other/x.toml", "x\n");
  }
  std::string Commit(const std::string& message) {
    Git("add -A");
    Git("commit -q -m '" + message + "'");
    return Git("rev-parse HEAD");
  }
  static std::vector<std::string> Paths(const FleetFiles& f) {
    std::vector<std::string> paths;
    for (const SourceFile& s : f.files) paths.push_back(s.path);
    return paths;
  }
  static std::string TextOf(const FleetFiles& f, const std::string& path) {
    for (const SourceFile& s : f.files)
      if (s.path == path) return s.text;
    return "<absent>";
  }

  fs::path dir_;
  std::string repo_;
};

const std::vector<std::string> kFleetPaths = {"clusters/a.toml", "clusters/b.toml", "harc.toml",
                                              "platforms/p.toml"};

TEST_F(FleetSourceTest, DirectoryReadsFleetFilesSortedAndRelative) {
  WriteFleet();
  FleetFiles files;
  std::string error;
  ASSERT_TRUE(DirectorySource(repo_).Read(&files, &error)) << error;
  EXPECT_EQ(Paths(files), kFleetPaths);
  EXPECT_EQ(TextOf(files, "clusters/a.toml"), "name = \"a\"\n");
  EXPECT_EQ(files.commit, "");
}

TEST_F(FleetSourceTest, DirectoryWithoutConfigOrPlatforms) {
  Write("clusters/a.toml", "name = \"a\"\n");
  FleetFiles files;
  std::string error;
  ASSERT_TRUE(DirectorySource(repo_).Read(&files, &error)) << error;
  EXPECT_EQ(Paths(files), std::vector<std::string>{"clusters/a.toml"});
}

TEST_F(FleetSourceTest, MissingDirectoryIsAnError) {
  FleetFiles files;
  std::string error;
  EXPECT_FALSE(DirectorySource(repo_ + "/nope").Read(&files, &error));
  EXPECT_EQ(error, "fleet repository '" + repo_ + "/nope' is not a directory");
}

TEST_F(FleetSourceTest, CommitReadsFleetFilesAndRecordsTheCommit) {
  WriteFleet();
  Git("init -q");
  std::string head = Commit("fleet");
  FleetFiles files;
  std::string error;
  ASSERT_TRUE(GitCommitSource(repo_, "main").Read(&files, &error)) << error;
  EXPECT_EQ(Paths(files), kFleetPaths);
  EXPECT_EQ(TextOf(files, "platforms/p.toml"), "name = \"p\"\n");
  EXPECT_EQ(files.commit, head);
  EXPECT_EQ(files.commit.size(), 40u);
}

TEST_F(FleetSourceTest, RefReadsTheCommittedFileNotTheWorkingTree) {
  WriteFleet();
  Git("init -q");
  Commit("fleet");
  Write("clusters/a.toml", "name = \"a2\"\n");
  Write("clusters/new.toml", "name = \"new\"\n");
  FleetFiles committed, tree;
  std::string error;
  ASSERT_TRUE(GitCommitSource(repo_, "HEAD").Read(&committed, &error)) << error;
  EXPECT_EQ(TextOf(committed, "clusters/a.toml"), "name = \"a\"\n");
  EXPECT_EQ(TextOf(committed, "clusters/new.toml"), "<absent>");
  ASSERT_TRUE(DirectorySource(repo_).Read(&tree, &error)) << error;
  EXPECT_EQ(TextOf(tree, "clusters/a.toml"), "name = \"a2\"\n");
}

TEST_F(FleetSourceTest, OlderCommitByRevisionExpression) {
  WriteFleet();
  Git("init -q");
  std::string first = Commit("one");
  Write("clusters/a.toml", "name = \"a2\"\n");
  Commit("two");
  Git("tag -a v1 -m release " + first);  // annotated: peeled to its commit
  for (const std::string& ref : {std::string("HEAD~1"), std::string("v1"), first.substr(0, 10)}) {
    FleetFiles files;
    std::string error;
    ASSERT_TRUE(GitCommitSource(repo_, ref).Read(&files, &error)) << ref << ": " << error;
    EXPECT_EQ(files.commit, first) << ref;
    EXPECT_EQ(TextOf(files, "clusters/a.toml"), "name = \"a\"\n") << ref;
  }
}

TEST_F(FleetSourceTest, BareCloneReadsWithoutCheckout) {
  WriteFleet();
  Git("init -q");
  std::string head = Commit("fleet");
  std::string bare = (dir_ / "bare.git").string();
  Shell("git clone -q --bare '" + repo_ + "' '" + bare + "'");
  FleetFiles files;
  std::string error;
  ASSERT_TRUE(GitCommitSource(bare, "main").Read(&files, &error)) << error;
  EXPECT_EQ(Paths(files), kFleetPaths);
  EXPECT_EQ(files.commit, head);
}

TEST_F(FleetSourceTest, FleetInASubdirectoryOfTheRepository) {
  WriteFleet();
  fs::create_directories(dir_ / "outer");
  fs::rename(repo_, dir_ / "outer" / "fleet");
  repo_ = (dir_ / "outer").string();
  Git("init -q");
  Commit("fleet in a subdirectory");
  FleetFiles files;
  std::string error;
  ASSERT_TRUE(GitCommitSource(repo_ + "/fleet", "main").Read(&files, &error)) << error;
  EXPECT_EQ(Paths(files), kFleetPaths);
}

TEST_F(FleetSourceTest, UnknownRefIsAnErrorNamingRefAndRepo) {
  WriteFleet();
  Git("init -q");
  Commit("fleet");
  FleetFiles files;
  std::string error;
  EXPECT_FALSE(GitCommitSource(repo_, "no-such-branch").Read(&files, &error));
  EXPECT_EQ(error, "ref 'no-such-branch' not found in git repository '" + repo_ + "'");
}

TEST_F(FleetSourceTest, RefThatIsNotACommitIsAnError) {
  WriteFleet();
  Git("init -q");
  Commit("fleet");
  FleetFiles files;
  std::string error;
  EXPECT_FALSE(GitCommitSource(repo_, "HEAD:clusters/a.toml").Read(&files, &error));
  EXPECT_NE(error.find("does not name a commit"), std::string::npos) << error;
}

TEST_F(FleetSourceTest, NotARepositoryIsAnError) {
  FleetFiles files;
  std::string error;
  EXPECT_FALSE(GitCommitSource(dir_.string() + "/nope", "main").Read(&files, &error));
  EXPECT_TRUE(error.starts_with("cannot open git repository '" + dir_.string() + "/nope'"))
      << error;
}

TEST_F(FleetSourceTest, MakeFleetSourceChoosesByRef) {
  WriteFleet();
  Git("init -q");
  std::string head = Commit("fleet");
  FleetFiles files;
  std::string error;
  ASSERT_TRUE(MakeFleetSource(repo_, "main")->Read(&files, &error)) << error;
  EXPECT_EQ(files.commit, head);
  ASSERT_TRUE(MakeFleetSource(repo_, "")->Read(&files, &error)) << error;
  EXPECT_EQ(files.commit, "");
}

}  // namespace
}  // namespace harc
