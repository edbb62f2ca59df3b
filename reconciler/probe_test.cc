// MemberLinks over a FakeTransport answering the real fact script: kept
// sessions, and what happens when one breaks.
#include "reconciler/probe.h"

#include <gtest/gtest.h>

#include "reconciler/fake_world.h"
#include "reconciler/gather.h"

namespace harc {
namespace {

class ProbeTest : public ::testing::Test {
 protected:
  ProbeTest()
      : cluster_(testing::WorldCluster("c", {"m1"})),
        platform_(testing::WorldPlatform()),
        links_(cluster_, platform_, {}, transport_, ProbeOptions{}) {
    // m1 is active; the next `breaks_` commands fail with `failure_`.
    transport_.SetHandler([this](const Target&, const std::string& script, CommandResult* r) {
      if (breaks_ > 0) {
        --breaks_;
        return TransportStatus::Fail(failure_, "c/m1 (10.0.0.1): disconnected");
      }
      *r = AnswerFactScript(script, [](const std::string& command) {
        return CommandResult{0, command == "show role" ? "active\n" : "", "", false};
      });
      return TransportStatus::Ok();
    });
  }

  int Opens() const {
    int n = 0;
    for (const FakeTransport::Call& c : transport_.calls()) n += c.command.empty() ? 1 : 0;
    return n;
  }

  FakeTransport transport_;
  Cluster cluster_;
  Platform platform_;
  MemberLinks links_;
  int breaks_ = 0;
  TransportError failure_ = TransportError::kProtocol;
};

TEST_F(ProbeTest, KeepsOneSessionForEveryRead) {
  EXPECT_EQ(links_.Read("m1", {"role"}).values["role"], "active");
  EXPECT_EQ(links_.Read("m1", {"role"}).values["role"], "active");
  EXPECT_EQ(Opens(), 1);
}

TEST_F(ProbeTest, ReadOnAKeptSessionThatDiedTriesOnceOnANewOne) {
  ASSERT_TRUE(links_.Read("m1", {"role"}).reached);
  breaks_ = 1;
  MemberFacts f = links_.Read("m1", {"role"});
  EXPECT_TRUE(f.reached) << f.error;
  EXPECT_EQ(f.values["role"], "active");
  EXPECT_EQ(Opens(), 2);
}

TEST_F(ProbeTest, ReadOnANewSessionThatBreaksIsNotRetried) {
  breaks_ = 1;
  MemberFacts f = links_.Read("m1", {"role"});
  EXPECT_FALSE(f.reached);
  EXPECT_EQ(f.error, "protocol error: c/m1 (10.0.0.1): disconnected");
  EXPECT_EQ(Opens(), 1);
}

TEST_F(ProbeTest, ReadRetriesABrokenKeptSessionOnlyOnce) {
  ASSERT_TRUE(links_.Read("m1", {"role"}).reached);
  breaks_ = 2;
  EXPECT_FALSE(links_.Read("m1", {"role"}).reached);
  EXPECT_EQ(Opens(), 2);
  EXPECT_TRUE(links_.Read("m1", {"role"}).reached);  // and the next read reconnects
}

TEST_F(ProbeTest, ReadThatTimesOutIsNotRetried) {
  ASSERT_TRUE(links_.Read("m1", {"role"}).reached);
  breaks_ = 1;
  failure_ = TransportError::kTimeout;
  MemberFacts f = links_.Read("m1", {"role"});
  EXPECT_FALSE(f.reached);
  EXPECT_EQ(f.error, "timeout: c/m1 (10.0.0.1): disconnected");
  EXPECT_EQ(Opens(), 1);
}

}  // namespace
}  // namespace harc
