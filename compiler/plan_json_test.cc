#include "compiler/plan_json.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/sha256.h"

namespace harc {
namespace {

using nlohmann::json;

Step MakeStep(Action action, const std::string& member, const std::string& reason) {
  Step s;
  s.action = action;
  s.member = member;
  s.reason = reason;
  s.host = "10.1.0." + member.substr(1);
  s.command = std::string(ActionName(action)) + " on " + member;
  s.timeout_ms = 120'000;
  s.interval_ms = 2'000;
  s.serving_before = 2;
  s.serving_after = 2;
  return s;
}

ClusterPlan MakeCluster(const std::string& name, const std::string& platform,
                        const std::string& wave, ClusterStatus status) {
  ClusterPlan c;
  c.cluster = name;
  c.platform = platform;
  c.wave = wave;
  c.status = status;
  return c;
}

Condition Cond(const std::string& fact, const std::string& is, const std::string& member = "") {
  Condition c;
  c.fact = fact;
  c.is = is;
  c.member = member;
  return c;
}

// Four clusters, one per status; the first uses every kind of step field.
Plan SamplePlan() {
  Plan plan;
  plan.commit = "0123abcd";
  ClusterPlan east = MakeCluster("fw-east", "maestro", "canary", ClusterStatus::kChanges);
  east.steps.push_back(MakeStep(Action::kBackup, "m1", "back up the configuration first"));
  Step set = MakeStep(Action::kSet, "m1", "no automatic failback during the run");
  set.setting = "failback";
  set.value = "manual";
  set.until = Cond("setting.failback", "manual");
  east.steps.push_back(set);
  Step install = MakeStep(Action::kInstall, "m2", "m2 runs R81.20_T88, wants R81.20_T89");
  install.component = "hotfix";
  install.version = "R81.20_T89";
  install.guard = {Cond("role", "down"), Cond("role", "active", "m1")};
  install.until = Cond("version.hotfix", "R81.20_T89");
  install.timeout_ms = 1'800'000;
  install.stable_ms = 10'000;
  install.disruptive = true;
  install.serving_after = 1;
  east.steps.push_back(install);
  Step failover = MakeStep(Action::kFailover, "m1", "move traffic to the upgraded m2");
  failover.target = "m2";
  east.steps.push_back(failover);
  east.depends_on = {{"m1", {{"role", "active"}, {"version.hotfix", "R81.20_T88"}}},
                     {"m2", {{"role", "standby"}}}};
  east.fingerprint = FactsFingerprint(east.depends_on);
  plan.clusters.push_back(east);

  ClusterPlan pair = MakeCluster("pair", "dual-chassis", "default", ClusterStatus::kUnsafe);
  pair.refusal = Refusal{"pair", 4, "min-serving", "only 1 member would serve; needs 2"};
  pair.fingerprint = FactsFingerprint({});
  plan.clusters.push_back(pair);

  ClusterPlan west =
      MakeCluster("sg-west", "serviceguard", "default", ClusterStatus::kUnobservable);
  west.unobservable = {"n1: connect timeout", "n2: auth: permission denied"};
  west.fingerprint = FactsFingerprint({});
  plan.clusters.push_back(west);

  ClusterPlan quiet = MakeCluster("quiet", "pacemaker", "default", ClusterStatus::kInSync);
  quiet.depends_on = {{"a", {{"role", "active"}}}};
  quiet.fingerprint = FactsFingerprint(quiet.depends_on);
  plan.clusters.push_back(quiet);
  return plan;
}

std::string ReadError(const std::string& text) {
  Plan plan;
  std::string error;
  EXPECT_FALSE(PlanFromJson(text, &plan, &error));
  return error;
}

// The sample plan's JSON with `edit` applied to its document.
template <typename Edit>
std::string Edited(Edit edit) {
  json doc = json::parse(PlanToJson(SamplePlan()));
  edit(doc);
  return doc.dump(2);
}

TEST(PlanJson, MinimalPlanIsCanonical) {
  Plan plan;
  plan.commit = "c0ffee";
  ClusterPlan c = MakeCluster("a", "linux", "default", ClusterStatus::kInSync);
  c.fingerprint = "f";
  plan.clusters.push_back(c);
  const std::string content =
      "{\n"
      "  \"clusters\": [\n"
      "    {\n"
      "      \"cluster\": \"a\",\n"
      "      \"depends_on\": {},\n"
      "      \"fingerprint\": \"f\",\n"
      "      \"platform\": \"linux\",\n"
      "      \"status\": \"in-sync\",\n"
      "      \"steps\": [],\n"
      "      \"unobservable\": [],\n"
      "      \"wave\": \"default\"\n"
      "    }\n"
      "  ],\n"
      "  \"commit\": \"c0ffee\",\n"
      "  \"format\": \"harc.plan/v1\"\n"
      "}\n";
  EXPECT_EQ(PlanHash(plan), Sha256Hex(content));
  std::string with_hash = content;
  with_hash.insert(with_hash.find("}\n", with_hash.size() - 2) - 1,
                   ",\n  \"hash\": \"" + Sha256Hex(content) + "\"");
  EXPECT_EQ(PlanToJson(plan), with_hash);
}

TEST(PlanJson, StepKeysAreThoseItsActionUses) {
  json doc = json::parse(PlanToJson(SamplePlan()));
  const json& steps = doc["clusters"][0]["steps"];
  EXPECT_EQ(steps[0], json::parse(R"({"action": "backup", "member": "m1",
      "reason": "back up the configuration first", "disruptive": false,
      "serving_before": 2, "serving_after": 2, "host": "10.1.0.1", "command": "backup on m1",
      "timeout_ms": 120000, "interval_ms": 2000, "stable_ms": 0})"));
  EXPECT_EQ(steps[2]["component"], "hotfix");
  EXPECT_EQ(steps[2]["guard"], json::parse(R"([{"fact": "role", "is": "down"},
      {"fact": "role", "is": "active", "member": "m1"}])"));
  EXPECT_EQ(steps[2]["until"], json::parse(R"({"fact": "version.hotfix", "is": "R81.20_T89"})"));
  EXPECT_FALSE(steps[2].contains("setting"));
  EXPECT_EQ(steps[3]["target"], "m2");
  EXPECT_EQ(doc["clusters"][1]["refusal"],
            json::parse(R"({"cluster": "pair", "step": 4, "rule": "min-serving",
                            "message": "only 1 member would serve; needs 2"})"));
  EXPECT_FALSE(doc["clusters"][0].contains("refusal"));
}

TEST(PlanJson, RoundTripIsByteIdentical) {
  const std::string text = PlanToJson(SamplePlan());
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(text, &back, &error)) << error;
  EXPECT_EQ(PlanToJson(back), text);
  ASSERT_EQ(back.clusters.size(), 4u);
  const Step& install = back.clusters[0].steps[2];
  EXPECT_EQ(install.action, Action::kInstall);
  EXPECT_EQ(install.version, "R81.20_T89");
  EXPECT_TRUE(install.disruptive);
  EXPECT_EQ(install.stable_ms, 10'000);
  ASSERT_EQ(install.guard.size(), 2u);
  EXPECT_EQ(install.guard[1].member, "m1");
  EXPECT_EQ(back.clusters[1].refusal->rule, "min-serving");
  EXPECT_EQ(back.clusters[2].unobservable[1], "n2: auth: permission denied");
  EXPECT_EQ(back.clusters[3].depends_on.at("a").at("role"), "active");
}

TEST(PlanJson, WhitespaceDoesNotMatterContentDoes) {
  Plan back;
  std::string error;
  EXPECT_TRUE(PlanFromJson(json::parse(PlanToJson(SamplePlan())).dump(), &back, &error))
      << error;
}

TEST(PlanJson, TamperingIsDetected) {
  std::string text = PlanToJson(SamplePlan());
  const size_t at = text.find("\"R81.20_T89\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "\"R81.20_T99\"");
  EXPECT_EQ(ReadError(text), "plan.json was modified after it was written: hash mismatch");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][0]["steps"].erase(0); })),
            "plan.json was modified after it was written: hash mismatch");
}

TEST(PlanJson, FingerprintMustMatchDependsOn) {
  Plan plan = SamplePlan();
  plan.clusters[3].depends_on["a"]["role"] = "standby";  // fingerprint left stale
  EXPECT_EQ(ReadError(PlanToJson(plan)), "clusters[3].fingerprint: does not match depends_on");
}

TEST(PlanJson, UnknownActionNamesItsPath) {
  Plan plan = SamplePlan();
  for (int i = 0; i < 5; ++i)
    plan.clusters[2].steps.push_back(MakeStep(Action::kDrain, "n1", "x"));
  json doc = json::parse(PlanToJson(plan));
  doc["clusters"][2]["steps"][4]["action"] = "reboot";
  EXPECT_EQ(ReadError(doc.dump()), "clusters[2].steps[4].action: unknown action 'reboot'");
}

TEST(PlanJson, StrictReaderErrors) {
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][0]["steps"][1]["comand"] = "x"; })),
            "clusters[0].steps[1]: unknown key 'comand' (did you mean 'command'?)");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][1]["status"] = "broken"; })),
            "clusters[1].status: unknown status 'broken'");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][0]["steps"][0]["disruptive"] = 1; })),
            "clusters[0].steps[0].disruptive: expected true or false, got number");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][0]["steps"][0]["timeout_ms"] = -5; })),
            "clusters[0].steps[0].timeout_ms: -5 is out of range (0..2147483647)");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][0]["steps"][2].erase("version"); })),
            "clusters[0].steps[2]: install needs 'version'");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][0]["steps"][2]["guard"][1] = "x"; })),
            "clusters[0].steps[2].guard[1]: expected an object, got string");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][3]["depends_on"]["a"]["role"] = 2; })),
            "clusters[3].depends_on.a.role: expected a string, got number");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][3].erase("wave"); })),
            "clusters[3]: missing key 'wave'");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][1].erase("refusal"); })),
            "clusters[1]: an unsafe cluster needs a refusal saying why");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"][1]["status"] = "changes"; })),
            "clusters[1]: only an unsafe cluster has a refusal");
  EXPECT_EQ(ReadError(Edited([](json& d) { d["clusters"] = json::object(); })),
            "clusters: expected an array, got object");
}

TEST(PlanJson, FormatIsCheckedFirst) {
  EXPECT_EQ(ReadError(R"({"format": "harc.plan/v2", "clusters": 1})"),
            "format: expected 'harc.plan/v1', got 'harc.plan/v2'");
  EXPECT_EQ(ReadError(R"({"clusters": []})"), "missing key 'format'");
  EXPECT_EQ(ReadError("[1]"), "expected a JSON object at the top, got array");
}

TEST(PlanJson, SyntaxErrorSaysWhere) {
  EXPECT_EQ(ReadError("{\n  \"format\": \"harc.plan/v1\",\n}"),
            "parse error at line 3, column 1: syntax error while parsing object key - "
            "unexpected '}'; expected string literal");
}

TEST(PlanJson, FailureLeavesOutputUntouched) {
  Plan plan;
  plan.commit = "before";
  std::string error;
  EXPECT_FALSE(PlanFromJson("{}", &plan, &error));
  EXPECT_EQ(plan.commit, "before");
}

TEST(Plan, ActionNamesRoundTrip) {
  for (Action a : {Action::kBackup, Action::kSet, Action::kDrain, Action::kUndrain,
                   Action::kFailover, Action::kInstall, Action::kLeave, Action::kJoin})
    EXPECT_EQ(ParseAction(ActionName(a)), a);
  EXPECT_STREQ(ActionName(Action::kFailover), "failover");
  EXPECT_EQ(ParseAction("reboot"), std::nullopt);
  EXPECT_EQ(ParseAction("set.failback"), std::nullopt);
}

TEST(Plan, ActionKeyNamesThePlatformAction) {
  Step set;
  set.action = Action::kSet;
  set.setting = "failback";
  EXPECT_EQ(set.ActionKey(), "set.failback");
  Step install;
  install.action = Action::kInstall;
  install.component = "hotfix";
  EXPECT_EQ(install.ActionKey(), "install");
}

TEST(Plan, StatusQueries) {
  Plan plan = SamplePlan();
  EXPECT_TRUE(plan.HasChanges());
  EXPECT_TRUE(plan.HasUnsafe());
  EXPECT_TRUE(plan.HasUnobservable());
  plan.clusters.erase(plan.clusters.begin(), plan.clusters.begin() + 3);
  EXPECT_FALSE(plan.HasChanges());
  EXPECT_FALSE(plan.HasUnsafe());
  EXPECT_FALSE(plan.HasUnobservable());
  EXPECT_EQ(ParseClusterStatus(ClusterStatusName(ClusterStatus::kInSync)), ClusterStatus::kInSync);
  EXPECT_STREQ(ClusterStatusName(ClusterStatus::kUnobservable), "unobservable");
}

TEST(FactsFingerprint, IsUnambiguous) {
  using Facts = std::map<std::string, std::map<std::string, std::string>>;
  EXPECT_NE(FactsFingerprint(Facts{{"a", {{"bc", "d"}}}}),
            FactsFingerprint(Facts{{"ab", {{"c", "d"}}}}));
  EXPECT_NE(FactsFingerprint(Facts{{"m", {{"f", "1:2"}}}}),
            FactsFingerprint(Facts{{"m", {{"f:1", "2"}}}}));
  EXPECT_NE(FactsFingerprint(Facts{{"m", {}}}), FactsFingerprint(Facts{}));
  EXPECT_EQ(FactsFingerprint(Facts{{"m", {{"role", "active"}}}}),
            FactsFingerprint(Facts{{"m", {{"role", "active"}}}}));
  EXPECT_EQ(FactsFingerprint(Facts{}), Sha256Hex("harc.facts/v1\n"));
  EXPECT_EQ(FactsFingerprint(Facts{{"m1", {{"role", "active"}}}}),
            Sha256Hex("harc.facts/v1\n2:m1,1:1,4:role,6:active,"));
}

}  // namespace
}  // namespace harc
