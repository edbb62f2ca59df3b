// Lease owners: the text round trip, and telling a dead holder from a live
// one with real processes.
#include "reconciler/lease_owner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace harc {
namespace {

// The pid of a child that has exited: reaped, or left a zombie.
pid_t DeadChild(bool reap) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  if (reap) {
    ::waitpid(pid, nullptr, 0);
  } else {
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);  // exited, not reaped
  }
  return pid;
}

TEST(LeaseOwnerTest, FormatsAndParsesBack) {
  LeaseOwner o{"alice@ctl-1", 4242, 17, ""};
  EXPECT_EQ(FormatOwner(o), "alice@ctl-1 pid 4242 run 17");
  std::optional<LeaseOwner> back = ParseOwner("alice@ctl-1 pid 4242 run 17");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->who, "alice@ctl-1");
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->run_id, 17);
  EXPECT_EQ(back->pidns, "");

  o.pidns = "4026532201";
  EXPECT_EQ(FormatOwner(o), "alice@ctl-1 pid 4242 run 17 pidns 4026532201");
  EXPECT_EQ(ParseOwner(FormatOwner(o))->pidns, "4026532201");
}

TEST(LeaseOwnerTest, RefusesOwnersItDidNotWrite) {
  for (const char* text : {"", "dead", "alice pid 1 run 2", "alice@ctl pid x run 2",
                           "alice@ctl pid 1", "alice@ctl pid 1 run 2 extra",
                           "alice@ctl pid 99999999999999999999 run 2"})
    EXPECT_FALSE(ParseOwner(text)) << text;
}

TEST(LeaseOwnerTest, ThisProcessNamesItsPid) {
  LeaseOwner me = ThisProcess("me@here", 3);
  EXPECT_EQ(me.pid, ::getpid());
  EXPECT_EQ(me.run_id, 3);
  EXPECT_EQ(ParseOwner(FormatOwner(me))->pid, ::getpid());
}

TEST(LeaseOwnerTest, ADeadProcessOfThisHostIsGone) {
  LeaseOwner me = ThisProcess("me@here", 2);
  EXPECT_TRUE(HolderGone({"me@here", DeadChild(true), 1, me.pidns}, me));
  EXPECT_TRUE(HolderGone({"someone-else@here", DeadChild(true), 1, me.pidns}, me));
}

TEST(LeaseOwnerTest, AZombieIsGone) {
  LeaseOwner me = ThisProcess("me@here", 2);
  pid_t zombie = DeadChild(false);
  EXPECT_TRUE(HolderGone({"me@here", zombie, 1, me.pidns}, me));
  ::waitpid(zombie, nullptr, 0);
}

TEST(LeaseOwnerTest, ALiveProcessIsNotGone) {
  LeaseOwner me = ThisProcess("me@here", 2);
  EXPECT_FALSE(HolderGone({"me@here", ::getpid(), 1, me.pidns}, me));
  EXPECT_FALSE(HolderGone({"me@here", ::getppid(), 1, me.pidns}, me));
}

TEST(LeaseOwnerTest, AnotherHostOrNamespaceIsNeverJudgedGone) {
  LeaseOwner me = ThisProcess("me@here", 2);
  pid_t dead = DeadChild(true);
  EXPECT_FALSE(HolderGone({"me@there", dead, 1, me.pidns}, me));
  EXPECT_FALSE(HolderGone({"me@here", dead, 1, me.pidns + "1"}, me));
  EXPECT_FALSE(HolderGone({"me@here", 0, 1, me.pidns}, me));
  LeaseOwner unknown = me;
  unknown.pidns = "unknown";  // this process's namespace could not be read
  EXPECT_FALSE(HolderGone({"me@here", dead, 1, "unknown"}, unknown));
}

}  // namespace
}  // namespace harc
