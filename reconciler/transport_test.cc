// FakeTransport: scripted replies, recorded calls, injected open failures.
#include "reconciler/transport.h"

#include <gtest/gtest.h>

namespace harc {
namespace {

TEST(FakeTransportTest, AnswersScriptedRepliesAndRecordsEveryCall) {
  FakeTransport t;
  t.SetReply("m1", "uname", {0, "Linux\n", "", false});
  std::unique_ptr<Session> s;
  ASSERT_TRUE(t.Open({"m1", "10.0.0.1", 0, "", ""}, {}, &s).ok());
  CommandResult r;
  ASSERT_TRUE(s->Run("uname", {}, &r).ok());
  EXPECT_EQ(r.out, "Linux\n");
  EXPECT_EQ(r.exit_status, 0);
  ASSERT_TRUE(s->Run("reboot", {}, &r).ok());
  EXPECT_EQ(r.exit_status, 127);
  EXPECT_EQ(r.err, "fake: no reply scripted for m1: reboot\n");

  std::vector<FakeTransport::Call> calls = t.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].command, "");  // the Open
  EXPECT_EQ(t.CommandsOn("m1"), (std::vector<std::string>{"uname", "reboot"}));
}

TEST(FakeTransportTest, OpenFailureIsReturnedAsScripted) {
  FakeTransport t;
  t.SetOpenFailure("m2", TransportStatus::Fail(TransportError::kUnreachable, "m2: down"));
  std::unique_ptr<Session> s;
  TransportStatus st = t.Open({"m2", "h", 0, "", ""}, {}, &s);
  EXPECT_EQ(st.error, TransportError::kUnreachable);
  EXPECT_TRUE(st.retryable);
  EXPECT_EQ(st.message, "m2: down");
  EXPECT_EQ(s, nullptr);
}

TEST(FakeTransportTest, HandlerAnswersTheRestAndOutputIsCapped) {
  FakeTransport t;
  t.SetHandler([](const Target& target, const std::string& cmd, CommandResult* r) {
    r->exit_status = 0;
    r->out = target.member + ":" + cmd;
    return TransportStatus::Ok();
  });
  std::unique_ptr<Session> s;
  ASSERT_TRUE(t.Open({"m3", "h", 0, "", ""}, {}, &s).ok());
  CommandResult r;
  ASSERT_TRUE(s->Run("abcdef", {Deadline::max(), 5}, &r).ok());
  EXPECT_EQ(r.out, "m3:ab");
  EXPECT_TRUE(r.truncated);
}

TEST(TransportStatusTest, RetryableFollowsTheKind) {
  EXPECT_TRUE(TransportStatus::Fail(TransportError::kTimeout, "").retryable);
  EXPECT_TRUE(TransportStatus::Fail(TransportError::kUnreachable, "").retryable);
  EXPECT_FALSE(TransportStatus::Fail(TransportError::kAuthRefused, "").retryable);
  EXPECT_FALSE(TransportStatus::Fail(TransportError::kHostKeyUnknown, "").retryable);
  EXPECT_FALSE(TransportStatus::Fail(TransportError::kHostKeyChanged, "").retryable);
  EXPECT_FALSE(TransportStatus::Fail(TransportError::kConfig, "").retryable);
  EXPECT_STREQ(TransportErrorName(TransportError::kHostKeyChanged), "host key changed");
}

}  // namespace
}  // namespace harc
