#include "reconciler/atomic_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace harc {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "harc-atomic-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  size_t EntriesInDir() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  std::string path = (dir_ / "plan.json").string();
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, "first\n", &error)) << error;
  EXPECT_EQ(Read(path), "first\n");
  ASSERT_TRUE(WriteFileAtomically(path, "second\n", &error)) << error;
  EXPECT_EQ(Read(path), "second\n");
  EXPECT_EQ(EntriesInDir(), 1u);  // no temporary left behind
}

TEST_F(AtomicFileTest, ModeFollowsUmaskNotMkstemp) {
  std::string path = (dir_ / "plan.json").string();
  std::string error;
  mode_t old = ::umask(022);
  ASSERT_TRUE(WriteFileAtomically(path, "x", &error)) << error;
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnErrorNamingThePath) {
  std::string path = (dir_ / "nope" / "plan.json").string();
  std::string error;
  EXPECT_FALSE(WriteFileAtomically(path, "x", &error));
  EXPECT_EQ(error, "cannot write " + path +
                       ": create temporary file: No such file or directory");
}

TEST_F(AtomicFileTest, RenameOntoADirectoryFailsAndCleansUp) {
  fs::create_directories(dir_ / "plan.json" / "inside");
  std::string error;
  EXPECT_FALSE(WriteFileAtomically((dir_ / "plan.json").string(), "x", &error));
  EXPECT_NE(error.find(": rename: "), std::string::npos) << error;
  EXPECT_EQ(EntriesInDir(), 1u);
}

}  // namespace
}  // namespace harc
