#include "compiler/observed.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace harc {
namespace {

// Canonical form: what ObservedToJson writes.
const char kSnapshot[] = R"({
  "clusters": {
    "fw-east": {
      "members": {
        "m1": {
          "facts": {
            "in_cluster": "true",
            "role": "active",
            "version.hotfix": "R81.20_T88"
          },
          "host": "10.1.0.11",
          "reachable": true
        },
        "m2": {
          "error": "connect: timed out after 10s",
          "host": "10.1.0.12",
          "reachable": false
        },
        "m3": {
          "error": "fact sync: pattern did not match",
          "facts": {
            "role": "standby"
          },
          "host": "10.1.0.13",
          "reachable": true
        }
      }
    },
    "sg-west": {
      "members": {}
    }
  },
  "format": "harc.observed/v1",
  "gathered_at": "2026-11-23T10:00:00Z"
}
)";

// Every error of `text`, formatted as the CLI prints them.
std::string Errors(const std::string& text) {
  ObservedFleet fleet;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseObserved(text, "obs.json", &fleet, &errors));
  std::string out;
  for (const Diagnostic& d : errors) out += FormatDiagnostic(d);
  return out;
}

// A one-member document with fw-east's m1 on line 2: `  "m1": <member>`.
std::string WithMember(const std::string& member) {
  return "{\"format\": \"harc.observed/v1\", \"clusters\": {\"fw-east\": {\"members\": {\n"
         "  \"m1\": " + member + "\n}}}}\n";
}

TEST(Observed, ParsesEveryField) {
  ObservedFleet fleet;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseObserved(kSnapshot, "obs.json", &fleet, &errors));
  EXPECT_EQ(fleet.gathered_at, "2026-11-23T10:00:00Z");
  ASSERT_EQ(fleet.clusters.size(), 2u);
  const ObservedCluster& east = fleet.clusters.at("fw-east");
  EXPECT_EQ(east.name, "fw-east");
  ASSERT_EQ(east.members.size(), 3u);
  const ObservedMember* m1 = east.FindMember("m1");
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ(m1->host, "10.1.0.11");
  EXPECT_TRUE(m1->reachable);
  EXPECT_EQ(m1->facts.at("version.hotfix"), "R81.20_T88");
  const ObservedMember* m2 = east.FindMember("m2");
  EXPECT_FALSE(m2->reachable);
  EXPECT_EQ(m2->error, "connect: timed out after 10s");
  EXPECT_TRUE(m2->facts.empty());
  EXPECT_EQ(east.FindMember("m3")->error, "fact sync: pattern did not match");
  EXPECT_TRUE(fleet.clusters.at("sg-west").members.empty());
}

TEST(Observed, RoundTripIsByteIdentical) {
  ObservedFleet fleet;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseObserved(kSnapshot, "obs.json", &fleet, &errors));
  EXPECT_EQ(ObservedToJson(fleet), kSnapshot);
}

TEST(Observed, WrittenStructReadsBackEqual) {
  ObservedFleet fleet;
  fleet.gathered_at = "2026-11-23T10:00:00Z";
  ObservedCluster& c = fleet.clusters["pair"];
  c.name = "pair";
  c.members.push_back({"b", "10.0.0.2", true, "", {{"role", "standby"}, {"note", "ünïcode"}}});
  c.members.push_back({"a", "10.0.0.1", false, "auth: permission denied", {}});
  ObservedFleet back;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseObserved(ObservedToJson(fleet), "obs.json", &back, &errors));
  ASSERT_EQ(back.clusters.at("pair").members.size(), 2u);
  // Members come back sorted by name, as JSON objects keep them.
  const ObservedMember& a = back.clusters.at("pair").members[0];
  const ObservedMember& b = back.clusters.at("pair").members[1];
  EXPECT_EQ(a.name, "a");
  EXPECT_FALSE(a.reachable);
  EXPECT_EQ(a.error, "auth: permission denied");
  EXPECT_EQ(b.facts, c.members[0].facts);
  EXPECT_EQ(ObservedToJson(back), ObservedToJson(fleet));
}

TEST(Observed, MembersAreSortedByName) {
  ObservedFleet fleet;
  std::vector<Diagnostic> errors;
  ASSERT_TRUE(ParseObserved(R"({"format": "harc.observed/v1", "clusters": {"c": {"members": {
      "m2": {"reachable": true}, "m10": {"reachable": true}, "m1": {"reachable": true}}}}})",
                            "obs.json", &fleet, &errors));
  const std::vector<ObservedMember>& members = fleet.clusters.at("c").members;
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].name, "m1");
  EXPECT_EQ(members[1].name, "m10");
  EXPECT_EQ(members[2].name, "m2");
}

TEST(Observed, EmptyFleetIsCanonical) {
  EXPECT_EQ(ObservedToJson(ObservedFleet{}),
            "{\n  \"clusters\": {},\n  \"format\": \"harc.observed/v1\",\n"
            "  \"gathered_at\": \"\"\n}\n");
}

TEST(Observed, SyntaxErrorPointsAtLineAndColumn) {
  EXPECT_EQ(Errors("{\n  \"format\": \"harc.observed/v1\",\n  \"clusters\": {,}\n}\n"),
            "obs.json:3:16: error: invalid JSON: unexpected ','; expected string literal\n"
            "      \"clusters\": {,}\n"
            "                   ^\n");
}

TEST(Observed, SyntaxErrorColumnsCountCharactersNotBytes) {
  EXPECT_EQ(Errors("{\"gathered_at\": \"é\" x}"),
            "obs.json:1:21: error: invalid JSON: invalid literal; last read: '\"é\" x'; "
            "expected '}'\n"
            "    {\"gathered_at\": \"é\" x}\n"
            "                        ^\n");
}

TEST(Observed, EmptyFile) {
  EXPECT_EQ(Errors(""),
            "obs.json:1:1: error: invalid JSON: unexpected end of input; expected '[', '{', "
            "or a literal\n");
}

TEST(Observed, TopLevelMustBeAnObject) {
  EXPECT_EQ(Errors("\n [1]"),
            "obs.json:2:2: error: expected a JSON object at the top, got array\n"
            "     [1]\n"
            "     ^\n");
  EXPECT_EQ(Errors("\"x\""),
            "obs.json:1:1: error: expected a JSON object at the top, got string\n"
            "    \"x\"\n"
            "    ^\n");
}

TEST(Observed, WrongFormatIsTheOnlyError) {
  EXPECT_EQ(Errors("{\"clusters\": 7,\n \"format\": \"harc.observed/v2\"}"),
            "obs.json:2:12: error: format: expected 'harc.observed/v1', got "
            "'harc.observed/v2'\n"
            "     \"format\": \"harc.observed/v2\"}\n"
            "               ^\n");
}

TEST(Observed, MissingKeysPointAtTheirObject) {
  EXPECT_EQ(Errors("{\"gathered_at\": \"\"}"),
            "obs.json:1:1: error: missing key 'format'\n"
            "    {\"gathered_at\": \"\"}\n"
            "    ^\n"
            "obs.json:1:1: error: missing key 'clusters'\n"
            "    {\"gathered_at\": \"\"}\n"
            "    ^\n");
  EXPECT_EQ(Errors(R"({"format": "harc.observed/v1", "clusters": {"c": {}}})"),
            "obs.json:1:50: error: clusters.c: missing key 'members'\n"
            "    {\"format\": \"harc.observed/v1\", \"clusters\": {\"c\": {}}}\n"
            "                                                     ^\n");
}

TEST(Observed, UnknownKeysAreErrorsWithASuggestion) {
  EXPECT_EQ(Errors(WithMember(R"({"host": "h", "reachble": true, "uptime": 3})")),
            "obs.json:2:9: error: clusters.fw-east.members.m1: missing key 'reachable'\n"
            "      \"m1\": {\"host\": \"h\", \"reachble\": true, \"uptime\": 3}\n"
            "            ^\n"
            "obs.json:2:23: error: clusters.fw-east.members.m1: unknown key 'reachble' (did you "
            "mean 'reachable'?)\n"
            "      \"m1\": {\"host\": \"h\", \"reachble\": true, \"uptime\": 3}\n"
            "                          ^\n"
            "obs.json:2:41: error: clusters.fw-east.members.m1: unknown key 'uptime'\n"
            "      \"m1\": {\"host\": \"h\", \"reachble\": true, \"uptime\": 3}\n"
            "                                            ^\n");
}

TEST(Observed, WrongTypesPointAtTheValue) {
  EXPECT_EQ(Errors(WithMember(R"({"host": 7, "reachable": "yes"})")),
            "obs.json:2:18: error: clusters.fw-east.members.m1.host: expected a string, got "
            "number\n"
            "      \"m1\": {\"host\": 7, \"reachable\": \"yes\"}\n"
            "                     ^\n"
            "obs.json:2:34: error: clusters.fw-east.members.m1.reachable: expected true or "
            "false, got string\n"
            "      \"m1\": {\"host\": 7, \"reachable\": \"yes\"}\n"
            "                                     ^\n");
  EXPECT_EQ(Errors(WithMember(R"({"reachable": true, "facts": {"role": 1, "sync": null}})")),
            "obs.json:2:47: error: clusters.fw-east.members.m1.facts.role: expected a string, "
            "got number\n"
            "      \"m1\": {\"reachable\": true, \"facts\": {\"role\": 1, \"sync\": null}}\n"
            "                                                  ^\n"
            "obs.json:2:58: error: clusters.fw-east.members.m1.facts.sync: expected a string, "
            "got null\n"
            "      \"m1\": {\"reachable\": true, \"facts\": {\"role\": 1, \"sync\": null}}\n"
            "                                                             ^\n");
  EXPECT_EQ(Errors("{\"format\": \"harc.observed/v1\",\n"
                   " \"clusters\": {\"c\": {\"members\": [{\"m1\": 1}]}}}"),
            "obs.json:2:32: error: clusters.c.members: expected an object, got array\n"
            "     \"clusters\": {\"c\": {\"members\": [{\"m1\": 1}]}}}\n"
            "                                   ^\n");
}

TEST(Observed, UnreachableMemberHasNoFactsAndSaysWhy) {
  EXPECT_EQ(Errors(WithMember(R"({"reachable": false, "facts": {"role": "active"}})")),
            "obs.json:2:9: error: clusters.fw-east.members.m1: an unreachable member needs an "
            "'error' saying why\n"
            "      \"m1\": {\"reachable\": false, \"facts\": {\"role\": \"active\"}}\n"
            "            ^\n"
            "obs.json:2:30: error: clusters.fw-east.members.m1.facts: an unreachable member has "
            "no facts\n"
            "      \"m1\": {\"reachable\": false, \"facts\": {\"role\": \"active\"}}\n"
            "                                 ^\n");
}

TEST(Observed, NamesMustBeSafeIdentifiers) {
  EXPECT_EQ(Errors("{\"format\": \"harc.observed/v1\", \"clusters\": {\n"
                   "  \"fw;rm -rf\": {\"members\": {}},\n"
                   "  \"ok\": {\"members\": {\"-m1\": {\"reachable\": true}}}}}"),
            "obs.json:2:3: error: clusters: cluster name 'fw;rm -rf' is not a safe identifier "
            "(a letter or digit, then letters, digits, '_', '.', '-'; at most 64)\n"
            "      \"fw;rm -rf\": {\"members\": {}},\n"
            "      ^\n"
            "obs.json:3:22: error: clusters.ok.members: member name '-m1' is not a safe "
            "identifier (a letter or digit, then letters, digits, '_', '.', '-'; at most 64)\n"
            "      \"ok\": {\"members\": {\"-m1\": {\"reachable\": true}}}}}\n"
            "                         ^\n");
}

TEST(Observed, DuplicateKeysAreErrors) {
  EXPECT_EQ(Errors(WithMember(R"({"reachable": true, "reachable": false, "facts": {"ro\"le": "a",)"
                              "\n" R"("role": "b", "ro\"le": "c"}})")),
            "obs.json:2:29: error: clusters.fw-east.members.m1: duplicate key 'reachable'\n"
            "      \"m1\": {\"reachable\": true, \"reachable\": false, \"facts\": {\"ro\\\"le\": "
            "\"a\",\n"
            "                                ^\n"
            "obs.json:3:14: error: clusters.fw-east.members.m1.facts: duplicate key 'ro\"le'\n"
            "    \"role\": \"b\", \"ro\\\"le\": \"c\"}}\n"
            "                 ^\n");
}

TEST(Observed, ADuplicateClusterIsNotMerged) {
  ObservedFleet fleet;
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseObserved(R"({"format": "harc.observed/v1", "clusters": {
      "c": {"members": {"a": {"reachable": true}}},
      "c": {"members": {"b": {"reachable": true}}}}})",
                             "obs.json", &fleet, &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "clusters: duplicate key 'c'");
  EXPECT_EQ(errors[0].pos.line, 3);
  EXPECT_EQ(errors[0].pos.col, 7);
}

TEST(Observed, ErrorsLeaveTheOutputUntouched) {
  ObservedFleet fleet;
  fleet.gathered_at = "before";
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(ParseObserved(WithMember("{}"), "obs.json", &fleet, &errors));
  EXPECT_EQ(fleet.gathered_at, "before");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pos.file, "obs.json");
  EXPECT_EQ(errors[0].pos.line, 2);
  EXPECT_EQ(errors[0].message, "clusters.fw-east.members.m1: missing key 'reachable'");
}

}  // namespace
}  // namespace harc
