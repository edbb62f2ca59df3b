#include "compiler/facts.h"

#include <gtest/gtest.h>

#include <string>

namespace harc {
namespace {

FactSpec Regex(std::string pattern, std::map<std::string, std::string> map = {}) {
  FactSpec s;
  s.name = "role";
  s.kind = FactKind::kRegex;
  s.pattern = std::move(pattern);
  s.map = std::move(map);
  return s;
}

FactSpec Pointer(std::string pointer) {
  FactSpec s;
  s.name = "version.hotfix";
  s.kind = FactKind::kJsonPointer;
  s.pattern = std::move(pointer);
  return s;
}

FactSpec Whole() {
  FactSpec s;
  s.name = "boot_id";
  s.kind = FactKind::kWhole;
  return s;
}

std::string Value(const FactSpec& spec, std::string_view output) {
  FactValue v = ExtractFact(spec, output);
  EXPECT_TRUE(v.ok) << v.error;
  return v.value;
}

std::string Error(const FactSpec& spec, std::string_view output) {
  FactValue v = ExtractFact(spec, output);
  EXPECT_FALSE(v.ok) << "value: " << v.value;
  return v.error;
}

const std::map<std::string, std::string> kRoles = {
    {"ACTIVE", "active"}, {"STANDBY", "standby"}, {"DOWN", "down"}};

constexpr char kCphaprob[] =
    "Cluster Mode:   High Availability (Active Up) with IGMP Membership\n"
    "\n"
    "ID         Unique Address  Assigned Load   State          Name\n"
    "\n"
    "1 (local)  192.168.1.1     100%            ACTIVE         fw1\n"
    "2          192.168.1.2     0%              STANDBY        fw2\n";

constexpr char kCphaprobRegex[] = R"((?m)^\d+\s+\(local\)\s+\S+\s+\S+\s+(\S+))";

// ------------------------------------------------------------------ regex

TEST(FactsTest, RegexTakesFirstCaptureGroupThroughMap) {
  FactSpec s = Regex(kCphaprobRegex, kRoles);
  EXPECT_EQ(Value(s, kCphaprob), "active");
}

TEST(FactsTest, RegexWithoutGroupTakesWholeMatch) {
  EXPECT_EQ(Value(Regex(R"(R\d+\.\d+)"), "Version: R81.20\n"), "R81.20");
}

TEST(FactsTest, MultilineOnlyWithPrefix) {
  EXPECT_EQ(Value(Regex("(?m)^(\\w+)$"), "first line\nsecond\n"), "second");
  EXPECT_FALSE(ExtractFact(Regex("^(\\w+)$"), "first line\nsecond\n").ok);
}

TEST(FactsTest, CrLfOutputMatchesPatternsWrittenForLf) {
  EXPECT_EQ(Value(Regex("(?m)^state: (\\w+)$"), "x\r\nstate: up\r\ny\r\n"), "up");
}

TEST(FactsTest, CaptureIsTrimmed) {
  EXPECT_EQ(Value(Regex("(?m)^Version\\s*:(.*)$"), "Version    : 2.1.5   \n"), "2.1.5");
}

TEST(FactsTest, NoMatchWithoutFallbackIsAnError) {
  EXPECT_EQ(Error(Regex("ACTIVE"), "Permission denied\nmore\n"),
            "pattern did not match (output begins 'Permission denied')");
  EXPECT_EQ(Error(Regex("ACTIVE"), " \n"), "pattern did not match (output is empty)");
}

TEST(FactsTest, NoMatchTakesFallbackAsIs) {
  FactSpec s = Regex("(?m)^state: (\\w+)$", kRoles);
  s.fallback = "down";
  EXPECT_EQ(Value(s, "cluster is not running\n"), "down");
}

TEST(FactsTest, UnmatchedOptionalGroupTakesFallback) {
  FactSpec s = Regex("node(?: (\\d+))?");
  s.fallback = "none";
  EXPECT_EQ(Value(s, "node\n"), "none");
  EXPECT_EQ(Value(s, "node 7\n"), "7");
}

TEST(FactsTest, ValueOutsideMapNamesValueAndAllowed) {
  EXPECT_EQ(Error(Regex("state: (\\w+)", kRoles), "state: READY"),
            "value 'READY' is not one of: ACTIVE, DOWN, STANDBY");
}

TEST(FactsTest, FallbackDoesNotHideValueOutsideMap) {
  FactSpec s = Regex("state: (\\w+)", kRoles);
  s.fallback = "down";
  EXPECT_FALSE(ExtractFact(s, "state: READY").ok);
}

// ------------------------------------------------------------------ whole

TEST(FactsTest, WholeIsTrimmedOutput) {
  EXPECT_EQ(Value(Whole(), "  4d1c0b2e-9f0a-4c5e-8d7b-1a2b3c4d5e6f\n"),
            "4d1c0b2e-9f0a-4c5e-8d7b-1a2b3c4d5e6f");
}

TEST(FactsTest, WholeEmptyTakesFallbackElseErrors) {
  EXPECT_EQ(Error(Whole(), "\n\t "), "output is empty");
  FactSpec s = Whole();
  s.fallback = "unknown";
  EXPECT_EQ(Value(s, ""), "unknown");
}

TEST(FactsTest, WholeGoesThroughMap) {
  FactSpec s = Whole();
  s.map = {{"yes", "true"}, {"no", "false"}};
  EXPECT_EQ(Value(s, "yes\n"), "true");
}

// ------------------------------------------------------------------ JSON

constexpr char kJson[] = R"({
  "installed": {"hotfix": "R81.20_T89", "take": 89, "ga": true, "none": null},
  "members": [{"name": "m1"}, {"name": "m2"}],
  "a/b": {"~x": "escaped"}
})";

TEST(FactsTest, PointerReadsStringsAsIs) {
  EXPECT_EQ(Value(Pointer("/installed/hotfix"), kJson), "R81.20_T89");
  EXPECT_EQ(Value(Pointer("/members/1/name"), kJson), "m2");
  EXPECT_EQ(Value(Pointer("/a~1b/~0x"), kJson), "escaped");
}

TEST(FactsTest, PointerReadsNumbersAndBoolsAsJsonText) {
  EXPECT_EQ(Value(Pointer("/installed/take"), kJson), "89");
  EXPECT_EQ(Value(Pointer("/installed/ga"), kJson), "true");
}

TEST(FactsTest, AbsentPointerTakesFallbackElseErrors) {
  EXPECT_EQ(Error(Pointer("/installed/jumbo"), kJson), "JSON pointer '/installed/jumbo' not found");
  for (const char* p : {"/installed/jumbo", "/installed/none", "/members/7", "/members/x",
                        "/installed/hotfix/deeper"}) {
    FactSpec s = Pointer(p);
    s.fallback = "absent";
    EXPECT_EQ(Value(s, kJson), "absent") << p;
  }
}

TEST(FactsTest, PointerToObjectOrArrayIsAnError) {
  EXPECT_EQ(Error(Pointer("/installed"), kJson),
            "JSON pointer '/installed' is an object, not a value");
  EXPECT_EQ(Error(Pointer("/members"), kJson), "JSON pointer '/members' is an array, not a value");
}

TEST(FactsTest, OutputNotJsonIsAnErrorEvenWithFallback) {
  FactSpec s = Pointer("/x");
  s.fallback = "absent";
  EXPECT_EQ(Error(s, "bash: installer: command not found\n"),
            "output is not JSON (output begins 'bash: installer: command not found')");
}

// ------------------------------------------------------------------ hostile output

TEST(FactsTest, HugeSingleLineDoesNotOverflowTheStack) {
  std::string line(3 << 20, 'a');
  EXPECT_EQ(Value(Regex("(?m)^(\\S+)$"), line).size(), size_t{1} << 20);
  EXPECT_FALSE(ExtractFact(Regex("([\\s\\S]*)b"), line).ok);
}

// An unanchored pattern starting with a repetition is quadratic under
// regex_search; this would run for hours if it were used.
TEST(FactsTest, UnanchoredRepetitionOnHugeLineIsLinear) {
  std::string line(1 << 20, 'a');
  EXPECT_FALSE(ExtractFact(Regex("(\\S+)x"), line).ok);
  EXPECT_FALSE(ExtractFact(Regex(".*x"), line + "\n" + line).ok);
  EXPECT_EQ(Value(Regex("(a+)$"), line).size(), line.size());
}

// Outputs past 4 KiB take a one-pass matcher; it must pick the same match.
TEST(FactsTest, LongOutputsMatchLikeShortOnes) {
  const std::pair<const char*, const char*> cases[] = {
      {"(?m)^(\\S+?)(\\d*)$", "abc123"},
      {"(a|ab)(c|bcd)", "abcd"},
      {"(\\w+)\\s*=\\s*(\\S+)", "x = 1 y = 2"},
      {"(?m)^(.*),", "a,b,c"},
      {"(?m)^(.*?),", "a,b,c"},
      {"v(\\d+(?:\\.\\d+)*)", "v1.2.3 v4"},
      {"(?m)^\\s*(\\S+)\\s+(\\S+)$", "  node1  online\nnode2 offline"},
      {"(\\d+)", "ab 12 34"},
      {"b+", "abbbc"},
      {"(?m)(\\w+)$", "one two\nthree"},
      {"(a|b)*?c", "ababc"},
      {"(?=\\w*ACTIVE)(\\w+)", "m1 xACTIVE"},
      {kCphaprobRegex, kCphaprob},
  };
  std::string padding(10000, '\n');
  for (const auto& [pattern, text] : cases) {
    FactValue small = ExtractFact(Regex(pattern), text);
    FactValue large = ExtractFact(Regex(pattern), std::string(text) + padding);
    EXPECT_TRUE(small.ok) << pattern;
    EXPECT_EQ(small.value, large.value) << pattern;
  }
}

TEST(FactsTest, MatchesOnlyTheFirstMebibyte) {
  std::string out(2 << 20, '\n');
  out += "state: ACTIVE\n";
  EXPECT_FALSE(ExtractFact(Regex("state: (\\w+)", kRoles), out).ok);
}

TEST(FactsTest, TooLargeForWholeOrJson) {
  std::string out(2 << 20, ' ');
  EXPECT_EQ(Error(Whole(), out), "output too large (2097152 bytes, at most 1048576)");
  EXPECT_EQ(Error(Pointer("/x"), out), "output too large (2097152 bytes, at most 1048576)");
}

TEST(FactsTest, BinaryOutputIsShownEscaped) {
  std::string out("state: \xff\xfe\x01", 10);
  out += std::string(1, '\0') + "tail";
  EXPECT_EQ(Error(Regex("state: (\\S+)", kRoles), out),
            "value '\\xff\\xfe\\x01\\x00tail' is not one of: ACTIVE, DOWN, STANDBY");
}

TEST(FactsTest, LongValueIsCutInErrors) {
  std::string out = "state: " + std::string(100, 'X');
  std::string err = Error(Regex("state: (\\S+)", kRoles), out);
  EXPECT_EQ(err, "value '" + std::string(40, 'X') + "'... is not one of: ACTIVE, DOWN, STANDBY");
}

TEST(FactsTest, InvalidUtf8AndDeepNestingInJson) {
  EXPECT_FALSE(ExtractFact(Pointer("/a"), "{\"a\": \"\xff\xfe\"}").ok);
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(Error(Pointer("/a"), deep), "JSON pointer '/a' not found");
}

TEST(FactsTest, UncheckedBadPatternIsAnErrorNotACrash) {
  EXPECT_TRUE(ExtractFact(Regex("(unclosed"), "x").error.starts_with("bad regex: "));
  EXPECT_TRUE(ExtractFact(Pointer("no-slash"), "{}").error.starts_with("bad JSON pointer: "));
}

// ------------------------------------------------------------------ CheckFactPattern

TEST(FactsTest, CheckAcceptsGoodPatterns) {
  EXPECT_EQ(CheckFactPattern(Regex(R"((?m)^\d+\s+\(local\)\s+\S+\s+\S+\s+(\S+))")), "");
  EXPECT_EQ(CheckFactPattern(Pointer("/installed/hotfix")), "");
  EXPECT_EQ(CheckFactPattern(Pointer("")), "");
  EXPECT_EQ(CheckFactPattern(Whole()), "");
}

TEST(FactsTest, CheckRejectsBadPatterns) {
  EXPECT_TRUE(CheckFactPattern(Regex("(unclosed")).starts_with("bad regex: "));
  EXPECT_TRUE(CheckFactPattern(Regex("[a-")).starts_with("bad regex: "));
  EXPECT_TRUE(CheckFactPattern(Regex("(a)\\1")).starts_with("bad regex: "));  // back-reference
  EXPECT_EQ(CheckFactPattern(Regex("")), "empty regex");
  EXPECT_EQ(CheckFactPattern(Regex("(?m)")), "empty regex");
  EXPECT_EQ(CheckFactPattern(Pointer("installed")),
            "bad JSON pointer: parse error at byte 1: JSON pointer must be empty or begin "
            "with '/' - was: 'installed'");
  EXPECT_TRUE(CheckFactPattern(Pointer("/a~2")).starts_with("bad JSON pointer: "));
}

}  // namespace
}  // namespace harc
