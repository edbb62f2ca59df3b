#include <gtest/gtest.h>

#include "compiler/load.h"
#include "compiler/toml_reader.h"

namespace harc {
namespace {

const char kPath[] = "platforms/maestro.toml";

const std::string kGood = R"(name = "maestro"
description = "Check Point Maestro security group"
strategy = "groups"
components = ["hotfix", "jumbo"]
mixed_versions = false
max_members = 6
max_members_per_site = 3
roles = "active-active"
drain_fails_over = false

[run_settings]
failback = "manual"

[facts.role]
run = "cphaprob state"
regex = '(?m)^(\w+)$'
map = { ACTIVE = "active", STANDBY = "standby", DOWN = "down" }
default = "down"

[facts.in_cluster]
run = "cphaprob list"

[facts."version.hotfix"]
run = "installer verify {component}"
pointer = "/installed/hotfix"

[facts."version.jumbo"]
run = "installer verify {component}"

[facts."setting.failback"]
run = "cphaprob failback"

[actions.backup]
run = "backup {member}"

[actions.drain]
run = "clusterXL_admin down"
until = { fact = "role", is = "down" }
timeout = "2m"
interval = "500ms"
stable = "5s"

[actions.undrain]
run = "clusterXL_admin up"
until = { fact = "role", is = "active" }

[actions.install]
run = "installer install {component} {version}"
until = { fact = "version.{component}", is = "{version}" }
timeout = "1h"

[actions."set.failback"]
run = "set failback {value}"
until = { fact = "setting.failback", is = "{value}" }
)";

// kGood with `from` replaced by `to` (which must occur exactly once).
std::string With(const std::string& from, const std::string& to) {
  std::string text = kGood;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// Every diagnostic of loading text, formatted.
std::string Errors(const std::string& text, const std::string& path = kPath) {
  DiagSink sink;
  sink.SetSource(path, text);
  Platform p;
  bool ok = LoadPlatform(SourceFile{path, text}, &p, &sink);
  EXPECT_EQ(ok, sink.ok());
  std::string out;
  for (const Diagnostic& d : sink.diagnostics()) out += FormatDiagnostic(d);
  return out;
}

TEST(LoadPlatform, GoodPlatform) {
  DiagSink sink;
  sink.SetSource(kPath, kGood);
  Platform p;
  ASSERT_TRUE(LoadPlatform(SourceFile{kPath, kGood}, &p, &sink)) << Errors(kGood);
  EXPECT_EQ(p.name, "maestro");
  EXPECT_EQ(p.strategy, Strategy::kGroups);
  EXPECT_EQ(p.components, (std::vector<std::string>{"hotfix", "jumbo"}));
  EXPECT_FALSE(p.mixed_versions);
  EXPECT_EQ(p.max_members, 6);
  EXPECT_EQ(p.max_members_per_site, 3);
  EXPECT_FALSE(p.active_standby);
  EXPECT_FALSE(p.drain_fails_over);
  EXPECT_EQ(p.run_settings, (std::map<std::string, std::string>{{"failback", "manual"}}));
  EXPECT_EQ(p.file, kPath);
  EXPECT_EQ(p.facts.size(), 5u);
  EXPECT_EQ(p.actions.size(), 5u);
}

TEST(LoadPlatform, Facts) {
  DiagSink sink;
  sink.SetSource(kPath, kGood);
  Platform p;
  ASSERT_TRUE(LoadPlatform(SourceFile{kPath, kGood}, &p, &sink));
  const FactSpec& role = p.facts.at("role");
  EXPECT_EQ(role.name, "role");
  EXPECT_EQ(role.run, "cphaprob state");
  EXPECT_EQ(role.kind, FactKind::kRegex);
  EXPECT_EQ(role.pattern, "(?m)^(\\w+)$");
  EXPECT_EQ(role.map.at("ACTIVE"), "active");
  EXPECT_EQ(role.fallback, "down");
  EXPECT_EQ(role.pos.line, 14);
  EXPECT_EQ(role.pos.file, kPath);
  const FactSpec& hotfix = p.facts.at("version.hotfix");
  EXPECT_EQ(hotfix.kind, FactKind::kJsonPointer);
  EXPECT_EQ(hotfix.pattern, "/installed/hotfix");
  EXPECT_EQ(p.facts.at("version.jumbo").kind, FactKind::kWhole);
  EXPECT_FALSE(p.facts.at("in_cluster").fallback.has_value());
}

TEST(LoadPlatform, ActionsAndDefaults) {
  DiagSink sink;
  sink.SetSource(kPath, kGood);
  Platform p;
  ASSERT_TRUE(LoadPlatform(SourceFile{kPath, kGood}, &p, &sink));
  const ActionSpec& drain = *p.FindAction("drain");
  EXPECT_EQ(drain.run, "clusterXL_admin down");
  ASSERT_TRUE(drain.until.has_value());
  EXPECT_EQ(drain.until->fact, "role");
  EXPECT_EQ(drain.until->is, "down");
  EXPECT_EQ(drain.timeout_ms, 120'000);
  EXPECT_EQ(drain.interval_ms, 500);
  EXPECT_EQ(drain.stable_ms, 5'000);
  const ActionSpec& install = *p.FindAction("install");
  EXPECT_EQ(install.timeout_ms, 3'600'000);
  EXPECT_EQ(install.interval_ms, 2'000);
  EXPECT_EQ(install.stable_ms, 0);
  EXPECT_EQ(install.until->fact, "version.{component}");
  EXPECT_FALSE(p.FindAction("backup")->until.has_value());
  EXPECT_EQ(p.FindAction("backup")->timeout_ms, 120'000);
}

TEST(LoadPlatform, DefaultsOfOptionalKeys) {
  std::string text = kGood;
  for (const char* line :
       {"description = \"Check Point Maestro security group\"\n", "mixed_versions = false\n",
        "max_members = 6\n", "max_members_per_site = 3\n", "roles = \"active-active\"\n",
        "drain_fails_over = false\n"})
    text.erase(text.find(line), std::string(line).size());
  DiagSink sink;
  sink.SetSource(kPath, text);
  Platform p;
  ASSERT_TRUE(LoadPlatform(SourceFile{kPath, text}, &p, &sink)) << Errors(text);
  EXPECT_TRUE(p.mixed_versions);
  EXPECT_EQ(p.max_members, 0);
  EXPECT_EQ(p.max_members_per_site, 0);
  EXPECT_TRUE(p.active_standby);
  EXPECT_TRUE(p.drain_fails_over);
}

TEST(LoadPlatform, EveryStrategy) {
  const std::pair<const char*, Strategy> strategies[] = {
      {"groups", Strategy::kGroups},
      {"rolling", Strategy::kRolling},
      {"standby-first", Strategy::kStandbyFirst},
  };
  for (const auto& [name, strategy] : strategies) {
    std::string text = With("strategy = \"groups\"", std::string("strategy = \"") + name + "\"");
    text = text.replace(text.find("drain_fails_over = false"), 24, "drain_fails_over = true");
    DiagSink sink;
    sink.SetSource(kPath, text);
    Platform p;
    EXPECT_TRUE(LoadPlatform(SourceFile{kPath, text}, &p, &sink)) << Errors(text);
    EXPECT_EQ(p.strategy, strategy);
  }
}

TEST(LoadPlatform, SyntaxError) {
  EXPECT_EQ(Errors(With("max_members = 6", "max_members = ")),
            "platforms/maestro.toml:6:15: error: syntax error in key-value pair: expected value, "
            "saw '\\n'\n"
            "    max_members = \n"
            "                  ^\n");
}

TEST(LoadPlatform, UnknownKeyWithSuggestion) {
  EXPECT_EQ(Errors(With("max_members = 6", "max_member = 6")),
            "platforms/maestro.toml:6:1: error: unknown key 'max_member'; did you mean "
            "'max_members'?\n"
            "    max_member = 6\n"
            "    ^\n");
}

TEST(LoadPlatform, UnknownKeyInAFact) {
  EXPECT_EQ(Errors(With("default = \"down\"", "defualt = \"down\"")),
            "platforms/maestro.toml:18:1: error: unknown key 'defualt' in [facts.role]; did you "
            "mean 'default'?\n"
            "    defualt = \"down\"\n"
            "    ^\n");
  EXPECT_EQ(Errors(With("timeout = \"1h\"", "timeout = \"1h\"\nrn = \"x\"")),
            "platforms/maestro.toml:51:1: error: unknown key 'rn' in [actions.install]; did you "
            "mean 'run'?\n"
            "    rn = \"x\"\n"
            "    ^\n");
}

TEST(LoadPlatform, WrongType) {
  EXPECT_EQ(Errors(With("max_members = 6", "max_members = \"6\"")),
            "platforms/maestro.toml:6:15: error: wrong type for 'max_members': expected an "
            "integer, found a string\n"
            "    max_members = \"6\"\n"
            "                  ^\n");
  EXPECT_EQ(Errors(With("components = [\"hotfix\", \"jumbo\"]", "components = \"hotfix\"")),
            "platforms/maestro.toml:4:14: error: wrong type for 'components': expected an array, "
            "found a string\n"
            "    components = \"hotfix\"\n"
            "                 ^\n");
}

TEST(LoadPlatform, MissingRequiredKeys) {
  EXPECT_EQ(Errors(With("name = \"maestro\"\n", "")),
            "platforms/maestro.toml: error: missing required key 'name'\n");
  EXPECT_EQ(Errors(With("run = \"cphaprob list\"\n", "")),
            "platforms/maestro.toml:20:1: error: missing required key 'run' in "
            "[facts.in_cluster]\n"
            "    [facts.in_cluster]\n"
            "    ^\n");
}

TEST(LoadPlatform, UnsafeName) {
  EXPECT_EQ(Errors(With("name = \"maestro\"", "name = \"mae stro\"")),
            "platforms/maestro.toml:1:8: error: not a safe identifier: 'mae stro' (' ' is not "
            "allowed; identifiers are [A-Za-z0-9][A-Za-z0-9_.-]{0,63})\n"
            "    name = \"mae stro\"\n"
            "           ^\n");
}

TEST(LoadPlatform, NameMustMatchFileStem) {
  EXPECT_EQ(Errors(kGood, "platforms/elasticxl.toml"),
            "platforms/elasticxl.toml:1:8: error: platform name 'maestro' does not match its "
            "file name 'elasticxl'\n"
            "    name = \"maestro\"\n"
            "           ^\n");
  EXPECT_EQ(Errors(kGood, "<builtin>/maestro.toml"), "");
}

TEST(LoadPlatform, UnknownStrategy) {
  EXPECT_EQ(Errors(With("strategy = \"groups\"", "strategy = \"group\"")),
            "platforms/maestro.toml:3:12: error: unknown strategy 'group'; did you mean "
            "'groups'?\n"
            "    strategy = \"group\"\n"
            "               ^\n");
  EXPECT_EQ(Errors(With("strategy = \"groups\"", "strategy = \"yolo\"")),
            "platforms/maestro.toml:3:12: error: unknown strategy 'yolo' (strategies are "
            "standby-first, groups, rolling, leave-update-join)\n"
            "    strategy = \"yolo\"\n"
            "               ^\n");
}

TEST(LoadPlatform, UnknownRoles) {
  EXPECT_EQ(Errors(With("roles = \"active-active\"", "roles = \"n+1\"")),
            "platforms/maestro.toml:8:9: error: unknown roles 'n+1' (expected 'active-standby' "
            "or 'active-active')\n"
            "    roles = \"n+1\"\n"
            "            ^\n");
}

TEST(LoadPlatform, RoleMapValues) {
  EXPECT_EQ(Errors(With("DOWN = \"down\"", "DOWN = \"offline\"")),
            "platforms/maestro.toml:17:56: error: fact 'role' cannot be 'offline' (it is one of "
            "active, standby, down)\n"
            "    map = { ACTIVE = \"active\", STANDBY = \"standby\", DOWN = \"offline\" }\n"
            "                                                           ^\n");
  EXPECT_EQ(Errors(With("default = \"down\"", "default = \"unknown\"")),
            "platforms/maestro.toml:18:11: error: fact 'role' cannot be 'unknown' (it is one of "
            "active, standby, down)\n"
            "    default = \"unknown\"\n"
            "              ^\n");
  EXPECT_EQ(Errors(With("is = \"active\"", "is = \"master\"")),
            "platforms/maestro.toml:45:31: error: fact 'role' cannot be 'master' (it is one of "
            "active, standby, down)\n"
            "    until = { fact = \"role\", is = \"master\" }\n"
            "                                  ^\n");
}

TEST(LoadPlatform, RegexAndPointerTogether) {
  EXPECT_EQ(Errors(With("pointer = \"/installed/hotfix\"",
                        "regex = 'x'\npointer = \"/installed/hotfix\"")),
            "platforms/maestro.toml:26:11: error: fact 'version.hotfix' has both 'regex' and "
            "'pointer'; use one\n"
            "    pointer = \"/installed/hotfix\"\n"
            "              ^\n");
}

TEST(LoadPlatform, BadPatternsAtThePattern) {
  std::string bad_regex = Errors(With("regex = '(?m)^(\\w+)$'", "regex = '(unclosed'"));
  EXPECT_TRUE(bad_regex.starts_with("platforms/maestro.toml:16:9: error: fact 'role': bad regex"))
      << bad_regex;
  EXPECT_TRUE(
      bad_regex.ends_with("    regex = '(unclosed'\n"
                          "            ^\n"))
      << bad_regex;
  std::string bad_pointer = Errors(With("\"/installed/hotfix\"", "\"installed\""));
  EXPECT_TRUE(bad_pointer.starts_with(
      "platforms/maestro.toml:25:11: error: fact 'version.hotfix': bad JSON pointer: parse error "
      "at byte 1: JSON pointer must be empty or begin with '/' - was: 'installed'\n"))
      << bad_pointer;
}

TEST(LoadPlatform, Placeholders) {
  EXPECT_EQ(Errors(With("run = \"installer install {component} {version}\"",
                        "run = \"installer install {versoin}\"")),
            "platforms/maestro.toml:48:7: error: unknown placeholder {versoin} in 'run' "
            "(placeholders here are {member}, {component}, {version}, {target}, {value})\n"
            "    run = \"installer install {versoin}\"\n"
            "          ^\n");
  EXPECT_EQ(Errors(With("run = \"cphaprob state\"", "run = \"cphaprob {component}\"")),
            "platforms/maestro.toml:15:7: error: unknown placeholder {component} in 'run' "
            "(placeholders here are {member})\n"
            "    run = \"cphaprob {component}\"\n"
            "          ^\n");
  EXPECT_EQ(Errors(With("run = \"backup {member}\"", "run = \"backup {member\"")),
            "platforms/maestro.toml:34:7: error: unmatched '{' in 'run' (write {{ or }} for a "
            "brace)\n"
            "    run = \"backup {member\"\n"
            "          ^\n");
  EXPECT_EQ(Errors(With("run = \"backup {member}\"", "run = \"awk '{{print}}' {member}\"")), "");
  EXPECT_EQ(Errors(With("is = \"{version}\"", "is = \"{ver}\"")),
            "platforms/maestro.toml:49:46: error: unknown placeholder {ver} in 'is' "
            "(placeholders here are {member}, {component}, {version}, {target}, {value})\n"
            "    until = { fact = \"version.{component}\", is = \"{ver}\" }\n"
            "                                                 ^\n");
}

TEST(LoadPlatform, EmptyRun) {
  EXPECT_EQ(Errors(With("run = \"clusterXL_admin up\"", "run = \"\"")),
            "platforms/maestro.toml:44:7: error: 'run' is empty\n"
            "    run = \"\"\n"
            "          ^\n");
}

TEST(LoadPlatform, Durations) {
  EXPECT_EQ(Errors(With("timeout = \"2m\"", "timeout = \"0s\"")),
            "platforms/maestro.toml:39:11: error: 'timeout' must be greater than 0\n"
            "    timeout = \"0s\"\n"
            "              ^\n");
  EXPECT_EQ(Errors(With("timeout = \"2m\"", "timeout = \"2 min\"")),
            "platforms/maestro.toml:39:11: error: invalid duration '2 min' for 'timeout' "
            "(durations are a whole number and ms, s, m or h: \"30s\")\n"
            "    timeout = \"2 min\"\n"
            "              ^\n");
  EXPECT_EQ(Errors(With("timeout = \"2m\"", "timeout = 120")),
            "platforms/maestro.toml:39:11: error: wrong type for 'timeout': expected a string, "
            "found an integer\n"
            "    timeout = 120\n"
            "              ^\n");
  EXPECT_EQ(Errors(With("interval = \"500ms\"", "interval = \"0ms\"")),
            "platforms/maestro.toml:40:12: error: 'interval' must be greater than 0\n"
            "    interval = \"0ms\"\n"
            "               ^\n");
  EXPECT_EQ(Errors(With("stable = \"5s\"", "stable = \"0s\"")), "");
}

TEST(LoadPlatform, UnknownFactAndAction) {
  EXPECT_EQ(Errors(With("[facts.in_cluster]", "[facts.in_clutser]")),
            "platforms/maestro.toml:20:8: error: unknown fact 'in_clutser'; did you mean "
            "'in_cluster'?\n"
            "    [facts.in_clutser]\n"
            "           ^\n"
            "platforms/maestro.toml: error: missing required fact 'in_cluster'\n");
  EXPECT_EQ(Errors(With("[facts.\"version.jumbo\"]", "[facts.\"version.jumob\"]")),
            "platforms/maestro.toml:27:8: error: unknown fact 'version.jumob'; did you mean "
            "'version.jumbo'?\n"
            "    [facts.\"version.jumob\"]\n"
            "           ^\n"
            "platforms/maestro.toml: error: missing required fact 'version.jumbo'\n");
  EXPECT_EQ(Errors(With("[actions.backup]", "[actions.bakup]")),
            "platforms/maestro.toml:33:10: error: unknown action 'bakup'; did you mean "
            "'backup'?\n"
            "    [actions.bakup]\n"
            "             ^\n"
            "platforms/maestro.toml: error: missing required action 'backup'\n");
}

TEST(LoadPlatform, UntilNamesAnUnknownFact) {
  EXPECT_EQ(Errors(With("fact = \"role\", is = \"down\"", "fact = \"sync\", is = \"true\"")),
            "platforms/maestro.toml:38:18: error: 'until' waits for fact 'sync', which the "
            "platform does not define\n"
            "    until = { fact = \"sync\", is = \"true\" }\n"
            "                     ^\n");
  EXPECT_EQ(Errors(With("fact = \"role\", is = \"down\"", "fact = \"role\", iz = \"down\"")),
            "platforms/maestro.toml:38:9: error: missing required key 'is' in 'until' of "
            "[actions.drain]\n"
            "    until = { fact = \"role\", iz = \"down\" }\n"
            "            ^\n"
            "platforms/maestro.toml:38:26: error: unknown key 'iz' in 'until' of [actions.drain]; "
            "did you mean 'is'?\n"
            "    until = { fact = \"role\", iz = \"down\" }\n"
            "                             ^\n");
}

TEST(LoadPlatform, RequiredFactsAndActions) {
  std::string text = With(
      "[facts.role]\nrun = \"cphaprob state\"\nregex = '(?m)^(\\w+)$'\n"
      "map = { ACTIVE = \"active\", STANDBY = \"standby\", DOWN = \"down\" }\n"
      "default = \"down\"\n",
      "");
  text = text.replace(text.find("[actions.undrain]"), 17, "[actions.failover]");
  EXPECT_EQ(Errors(text),
            "platforms/maestro.toml: error: missing required fact 'role'\n"
            "platforms/maestro.toml: error: missing required action 'undrain'\n");
}

TEST(LoadPlatform, FailoverForStandbyFirstWithoutDrainFailover) {
  EXPECT_EQ(Errors(With("strategy = \"groups\"", "strategy = \"standby-first\"")),
            "platforms/maestro.toml: error: missing required action 'failover' (a standby-first "
            "platform whose drain does not fail over)\n");
}

TEST(LoadPlatform, LeaveAndJoinForLeaveUpdateJoin) {
  EXPECT_EQ(Errors(With("strategy = \"groups\"", "strategy = \"leave-update-join\"")),
            "platforms/maestro.toml: error: missing required action 'leave' (a leave-update-join "
            "platform)\n"
            "platforms/maestro.toml: error: missing required action 'join' (a leave-update-join "
            "platform)\n");
}

TEST(LoadPlatform, SettingsNeedAFactAndAnAction) {
  EXPECT_EQ(Errors(With("[actions.\"set.failback\"]\nrun = \"set failback {value}\"\n"
                        "until = { fact = \"setting.failback\", is = \"{value}\" }\n",
                        "")),
            "platforms/maestro.toml:12:1: error: run setting 'failback' needs action "
            "'set.failback'\n"
            "    failback = \"manual\"\n"
            "    ^\n"
            "platforms/maestro.toml:30:1: error: fact 'setting.failback' has no action "
            "'set.failback' (a setting needs both)\n"
            "    [facts.\"setting.failback\"]\n"
            "    ^\n");
  EXPECT_EQ(Errors(With("[actions.backup]",
                        "[actions.\"set.priority\"]\nrun = \"x {value}\"\n"
                        "\n[actions.backup]")),
            "platforms/maestro.toml:33:1: error: action 'set.priority' has no fact "
            "'setting.priority' (a setting needs both)\n"
            "    [actions.\"set.priority\"]\n"
            "    ^\n");
}

TEST(LoadPlatform, RunSettingValues) {
  EXPECT_EQ(Errors(With("failback = \"manual\"", "failback = \"man ual\"")),
            "platforms/maestro.toml:12:12: error: not a safe value: 'man ual' (' ' is not "
            "allowed; values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with "
            "'-' or '~')\n"
            "    failback = \"man ual\"\n"
            "               ^\n");
}

TEST(LoadPlatform, ComponentsAreDistinctAndSafe) {
  EXPECT_EQ(Errors(With("components = [\"hotfix\", \"jumbo\"]", "components = []")),
            "platforms/maestro.toml:4:14: error: 'components' is empty\n"
            "    components = []\n"
            "                 ^\n");
  std::string dup = Errors(With("[\"hotfix\", \"jumbo\"]", "[\"hotfix\", \"hotfix\"]"));
  EXPECT_TRUE(
      dup.starts_with("platforms/maestro.toml:4:25: error: duplicate 'hotfix' in "
                      "'components'\n"))
      << dup;
}

TEST(LoadPlatform, AllErrorsOfAFileAreReported) {
  std::string text = With("max_members = 6", "max_members = -1");
  text = text.replace(text.find("roles = \"active-active\""), 23, "rolez = \"active-active\"");
  text = text.replace(text.find("timeout = \"1h\""), 14, "timeout = \"1d\"");
  EXPECT_EQ(Errors(text),
            "platforms/maestro.toml:6:15: error: 'max_members' must be at least 0, found -1\n"
            "    max_members = -1\n"
            "                  ^\n"
            "platforms/maestro.toml:50:11: error: invalid duration '1d' for 'timeout' (durations "
            "are a whole number and ms, s, m or h: \"30s\")\n"
            "    timeout = \"1d\"\n"
            "              ^\n"
            "platforms/maestro.toml:8:1: error: unknown key 'rolez'; did you mean 'roles'?\n"
            "    rolez = \"active-active\"\n"
            "    ^\n");
}

TEST(LoadPlatform, FactValuesOfBooleanFacts) {
  EXPECT_EQ(
      Errors(With("run = \"cphaprob list\"", "run = \"cphaprob list\"\nmap = { yes = \"1\" }")),
      "platforms/maestro.toml:22:15: error: fact 'in_cluster' cannot be '1' (it is one of "
      "true, false)\n"
      "    map = { yes = \"1\" }\n"
      "                  ^\n");
}

TEST(LoadPlatform, FactAndActionMustBeTables) {
  EXPECT_EQ(Errors(With("[facts.in_cluster]\nrun = \"cphaprob list\"\n",
                        "[facts]\nin_cluster = \"cphaprob list\"\n")),
            "platforms/maestro.toml:21:14: error: wrong type for 'in_cluster': expected a table, "
            "found a string\n"
            "    in_cluster = \"cphaprob list\"\n"
            "                 ^\n"
            "platforms/maestro.toml: error: missing required fact 'in_cluster'\n");
}

TEST(LoadPlatform, SettingNamesAreSafe) {
  EXPECT_EQ(Errors(With("[facts.\"setting.failback\"]", "[facts.\"setting.fail back\"]")),
            "platforms/maestro.toml:30:8: error: not a safe identifier: 'fail back' (' ' is not "
            "allowed; identifiers are [A-Za-z0-9][A-Za-z0-9_.-]{0,63})\n"
            "    [facts.\"setting.fail back\"]\n"
            "           ^\n"
            "platforms/maestro.toml:54:18: error: 'until' waits for fact 'setting.failback', which "
            "the platform does not define\n"
            "    until = { fact = \"setting.failback\", is = \"{value}\" }\n"
            "                     ^\n"
            "platforms/maestro.toml:12:1: error: run setting 'failback' needs fact "
            "'setting.failback'\n"
            "    failback = \"manual\"\n"
            "    ^\n"
            "platforms/maestro.toml:52:1: error: action 'set.failback' has no fact "
            "'setting.failback' (a setting needs both)\n"
            "    [actions.\"set.failback\"]\n"
            "    ^\n");
}

TEST(LoadPlatform, HostileKeysAreEscapedInMessages) {
  EXPECT_EQ(Errors(With("max_members = 6", "\"max\\nmembers\" = 6")),
            "platforms/maestro.toml:6:1: error: unknown key 'max\\nmembers'; did you mean "
            "'max_members'?\n"
            "    \"max\\nmembers\" = 6\n"
            "    ^\n");
}

TEST(ParseDuration, Units) {
  int ms = -1;
  EXPECT_TRUE(ParseDuration("500ms", &ms));
  EXPECT_EQ(ms, 500);
  EXPECT_TRUE(ParseDuration("30s", &ms));
  EXPECT_EQ(ms, 30'000);
  EXPECT_TRUE(ParseDuration("2m", &ms));
  EXPECT_EQ(ms, 120'000);
  EXPECT_TRUE(ParseDuration("1h", &ms));
  EXPECT_EQ(ms, 3'600'000);
  EXPECT_TRUE(ParseDuration("0s", &ms));
  EXPECT_EQ(ms, 0);
  EXPECT_TRUE(ParseDuration("596h", &ms));
  EXPECT_EQ(ms, 596 * 3'600'000);
}

TEST(ParseDuration, Rejects) {
  int ms = 7;
  for (const char* s : {"", "s", "10", "1.5s", "-1s", "1 s", "1d", "1S", "ms", "1sec", "1h30m",
                        "597h", "99999999999999999999ms"})
    EXPECT_FALSE(ParseDuration(s, &ms)) << s;
  EXPECT_EQ(ms, 7);
}

}  // namespace
}  // namespace harc
