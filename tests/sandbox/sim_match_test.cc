// Recognising commands: every command the built-in platforms run (facts and
// actions, rendered and quoted as harc renders them) is recognised, with its
// values; anything else is not, however it is quoted.
#include "tests/sandbox/sim/script.h"
#include "tests/sandbox/sim_fixture.h"

namespace harc::sim::testing {
namespace {

Platform Builtin(const std::string& name) {
  for (const SourceFile& f : BuiltinPlatforms()) {
    if (f.path != "<builtin>/" + name + ".toml") continue;
    DiagSink sink;
    sink.SetSource(f.path, f.text);
    Platform p;
    EXPECT_TRUE(LoadPlatform(f, &p, &sink));
    return p;
  }
  ADD_FAILURE() << "no built-in platform " << name;
  return {};
}

std::vector<std::string> BuiltinNames() {
  std::vector<std::string> names;
  for (const SourceFile& f : BuiltinPlatforms())
    names.push_back(f.path.substr(10, f.path.size() - 15));  // <builtin>/x.toml
  return names;
}

TEST(CommandMatch, EveryBuiltinPlatformHasASimulatedVendor) {
  for (const std::string& name : BuiltinNames()) EXPECT_NE(FindVendor(name), nullptr) << name;
}

TEST(CommandMatch, EveryFactCommandOfEveryBuiltinIsRecognised) {
  for (const std::string& name : BuiltinNames()) {
    Platform p = Builtin(name);
    CommandMatcher matcher(p);
    Member m;
    m.name = "node-1";
    std::vector<FactCommand> facts;
    std::string error;
    ASSERT_TRUE(FactCommandsFor(p, m, &facts, &error)) << error;
    for (const FactCommand& f : facts) {
      auto found = matcher.Find(f.command);
      ASSERT_TRUE(found) << name << " " << f.fact << ": " << f.command;
      EXPECT_TRUE(found->fact);
      EXPECT_NE(std::find(found->names.begin(), found->names.end(), f.fact), found->names.end())
          << name << " " << f.fact;
      if (p.facts.at(f.fact).run.find("{member}") != std::string::npos) {
        EXPECT_EQ(found->vars["member"], "node-1") << name << " " << f.fact;
      }
    }
  }
}

TEST(CommandMatch, EveryActionOfEveryBuiltinIsRecognisedWithItsValues) {
  std::map<std::string, std::string> vars = {{"member", "node-1"}, {"version", "1:2.2.7-1+b2"},
                                             {"component", "hotfix"}, {"target", "node-2"},
                                             {"value", "off"}};
  for (const std::string& name : BuiltinNames()) {
    Platform p = Builtin(name);
    CommandMatcher matcher(p);
    for (const auto& [action, spec] : p.actions) {
      std::string cmd, error;
      ASSERT_TRUE(RenderCommand(spec.run, vars, &cmd, &error)) << error;
      auto found = matcher.Find(cmd);
      ASSERT_TRUE(found) << name << " " << action << ": " << cmd;
      EXPECT_FALSE(found->fact);
      EXPECT_EQ(found->names, std::vector<std::string>{action}) << name;
      for (const auto& [k, v] : found->vars) EXPECT_EQ(v, vars[k]) << name << " " << action;
    }
  }
}

TEST(CommandMatch, QuotingDoesNotMatterOnlyTheWords) {
  CommandMatcher m(Builtin("maestro"));
  auto a = m.Find("clish -c \"installer install R81.20_T89 not-interactive\"");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->vars["version"], "R81.20_T89");
  EXPECT_TRUE(m.Find("  cphaprob   state  "));
  EXPECT_TRUE(m.Find("cphaprob 'state'"));
}

TEST(CommandMatch, InjectedCommandsAreUnknown) {
  CommandMatcher m(Builtin("maestro"));
  EXPECT_FALSE(m.Find("cphaprob state; rm -rf /"));
  EXPECT_FALSE(m.Find("cphaprob state && touch /tmp/x"));
  EXPECT_FALSE(m.Find("clish -c 'installer install 'R81; rm -rf /' not-interactive'"));
  EXPECT_FALSE(m.Find("clish -c 'installer install '\\''x'\\'' not-interactive'"));
  EXPECT_FALSE(m.Find("clish -c 'installer install $(reboot) not-interactive'"));
  EXPECT_FALSE(m.Find("rm -rf /"));
  EXPECT_FALSE(m.Find("cphaprob state 'unterminated"));
}

TEST(CommandMatch, AnInjectedCommandRunsNothingAndIsRecordedAsReceived) {
  TestCluster c("maestro", 2);
  Reply r = c.Run("m1", "cphaprob state; rm -rf /", 0);
  EXPECT_EQ(r.status, 127);
  EXPECT_EQ(c.last_audit()["parts"][0]["command"], "cphaprob state; rm -rf /");
  EXPECT_EQ(c.last_audit()["parts"][0]["kind"], "unknown");
  EXPECT_TRUE(c.last_audit()["mutating"].get<bool>());
}

TEST(ShellWords, SplitsLikeSh) {
  std::vector<ShellToken> t;
  std::string error;
  ASSERT_TRUE(SplitShell("a 'b c'\"d\"\\ e 2>/dev/null | f && g; h\n", &t, &error));
  std::vector<ShellToken> want = {{false, "a"},  {false, "b cd e"}, {true, "2>"},
                                  {false, "/dev/null"}, {true, "|"}, {false, "f"},
                                  {true, "&&"}, {false, "g"}, {true, ";"}, {false, "h"}};
  EXPECT_EQ(t, want);
  ASSERT_TRUE(SplitShell("for p in $(x | sed 's/(\\)/y/'); do echo \"$p\"; done", &t, &error));
  EXPECT_EQ(t[3].text, "$(x | sed 's/(\\)/y/')");
  EXPECT_FALSE(SplitShell("echo 'open", &t, &error));
  EXPECT_FALSE(SplitShell("echo $(open", &t, &error));
}

TEST(Dispatch, GatheringsScriptGetsOneAnswerPerFact) {
  TestCluster c("serviceguard", 3);
  auto facts = c.Gather("m2", 0);
  EXPECT_EQ(facts["role"], "active");
  EXPECT_EQ(facts["setting.failback_policy"], "manual");
  EXPECT_FALSE(c.last_audit()["mutating"].get<bool>());
  EXPECT_EQ(c.last_audit()["parts"].size(), c.platform().facts.size());
}

}  // namespace
}  // namespace harc::sim::testing

namespace harc::sim::testing {
namespace {

TEST(Script, PrintfAsShDoes) {
  EXPECT_EQ(Printf("\\n%s %s %s\\n", {"harc-1", "role", "0"}), "\nharc-1 role 0\n");
  EXPECT_EQ(Printf("%s,", {"a", "b"}), "a,b,");
  EXPECT_EQ(Printf("100%%\\t%d", {"7"}), "100%\t7");
}

TEST(Script, SubshellsAndDelimitersWithStatus) {
  std::vector<std::string> ran;
  auto run = [&](const std::vector<ShellToken>&, const std::string& text) {
    ran.push_back(text);
    return Reply{"out:" + text, "", text == "false" ? 1 : 0};
  };
  Reply r;
  ASSERT_TRUE(RunScript("( a 'b c'\n) </dev/null; printf '%s %s\\n' x \"$?\"; "
                        "printf '%s\\n' x >&2\n( false\n) </dev/null; echo \"$?\"\n",
                        run, &r));
  EXPECT_EQ(ran, (std::vector<std::string>{"a 'b c'", "false"}));
  EXPECT_EQ(r.out, "out:a 'b c'x 0\nout:false1\n");
  EXPECT_EQ(r.err, "x\n");
  EXPECT_EQ(r.status, 0);
}

TEST(Script, AnythingElseIsOneCommand) {
  auto run = [](const std::vector<ShellToken>&, const std::string&) { return Reply{}; };
  Reply r;
  EXPECT_FALSE(RunScript("cphaprob state", run, &r));
  EXPECT_FALSE(RunScript("echo hi", run, &r));  // no subshell: not gathering's
  EXPECT_FALSE(RunScript("( a ); rm -rf /", run, &r));
  EXPECT_FALSE(RunScript("( a ) > /tmp/x", run, &r));
  EXPECT_FALSE(RunScript("if a; then b; fi", run, &r));
}

}  // namespace
}  // namespace harc::sim::testing
