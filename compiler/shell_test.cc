#include "compiler/shell.h"

#include <gtest/gtest.h>

namespace harc {
namespace {

using Vars = std::map<std::string, std::string>;

TEST(IsSafeIdentifier, AcceptsNames) {
  for (const char* s : {"fw-east", "m1", "maestro", "version.hotfix", "a", "A_b.c-9", "0"})
    EXPECT_TRUE(IsSafeIdentifier(s)) << s;
  EXPECT_TRUE(IsSafeIdentifier(std::string(64, 'a')));
}

TEST(IsSafeIdentifier, RejectsEverythingElse) {
  for (const char* s : {"", "-rf", "_x", ".hidden", "fw east", "a;b", "a/b", "a:b", "é", "a$b",
                        "a'b", "a\"b", "a\nb", "a`b", "a*"})
    EXPECT_FALSE(IsSafeIdentifier(s)) << s;
  EXPECT_FALSE(IsSafeIdentifier(std::string(65, 'a')));
  EXPECT_FALSE(IsSafeIdentifier(std::string_view("a\0b", 3)));
}

TEST(IsSafeValue, AcceptsVersionsHostsAndUsers) {
  for (const char* s : {"R81.20_T89", "10.1.0.11", "fe80::1%eth0", "2.4.1-1+deb12u1", "admin",
                        "user@example.com", "a/b", "k=v,w", "fw-east.example.net", "0", "2.2.7-1~bpo12+1"})
    EXPECT_TRUE(IsSafeValue(s)) << s;
  EXPECT_TRUE(IsSafeValue(std::string(256, 'v')));
}

TEST(IsSafeValue, RejectsHostileValues) {
  for (const char* s :
       {"",    "-rf",  "--help", "a b",  "a;reboot", "$(reboot)", "`reboot`", "a|b",   "a&b",
        "a>b", "a<b",  "it's",   "a\"b", "a\\b",     "a\nreboot", "a\tb",     "~root", "a*",
        "a?",  "a[0]", "a{b}",   "a!b",  "a#b",      "\xff\xfe",  "é"})
    EXPECT_FALSE(IsSafeValue(s)) << s;
  EXPECT_FALSE(IsSafeValue(std::string(257, 'v')));
  EXPECT_FALSE(IsSafeValue(std::string(300, 'v')));
  EXPECT_FALSE(IsSafeValue(std::string_view("ok\0rm", 5)));
}

TEST(ShellQuote, SingleQuotes) {
  EXPECT_EQ(ShellQuote("abc"), "'abc'");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("''"), "''\\'''\\'''");
  EXPECT_EQ(ShellQuote("$(reboot) `x` ; \\ \" \n"), "'$(reboot) `x` ; \\ \" \n'");
}

TEST(RenderCommand, QuotesEachValue) {
  std::string out, error;
  ASSERT_TRUE(RenderCommand("installer install {version} --member {member}",
                            Vars{{"version", "R81.20_T89"}, {"member", "m1"}}, &out, &error))
      << error;
  EXPECT_EQ(out, "installer install 'R81.20_T89' --member 'm1'");
}

TEST(RenderCommand, WithoutPlaceholders) {
  std::string out, error;
  ASSERT_TRUE(RenderCommand("cphaprob state", {}, &out, &error));
  EXPECT_EQ(out, "cphaprob state");
  ASSERT_TRUE(RenderCommand("", {}, &out, &error));
  EXPECT_EQ(out, "");
}

TEST(RenderCommand, DoubledBracesAreLiteral) {
  std::string out, error;
  ASSERT_TRUE(RenderCommand("awk '{{print $1}}' {v}", Vars{{"v", "x"}}, &out, &error)) << error;
  EXPECT_EQ(out, "awk '{print $1}' 'x'");
  ASSERT_TRUE(RenderCommand("{{v}}", Vars{}, &out, &error));
  EXPECT_EQ(out, "{v}");
}

TEST(RenderCommand, MissingValue) {
  std::string out, error;
  EXPECT_FALSE(RenderCommand("install {version}", Vars{{"member", "m1"}}, &out, &error));
  EXPECT_EQ(error, "no value for placeholder {version}");
}

TEST(RenderCommand, UnmatchedBraces) {
  std::string out, error;
  EXPECT_FALSE(RenderCommand("echo {version", Vars{{"version", "1"}}, &out, &error));
  EXPECT_EQ(error, "unmatched '{' at offset 5");
  EXPECT_FALSE(RenderCommand("echo }", Vars{}, &out, &error));
  EXPECT_EQ(error, "unmatched '}' at offset 5");
  EXPECT_FALSE(RenderCommand("echo {a{b}", Vars{{"b", "1"}}, &out, &error));
  EXPECT_EQ(error, "unmatched '{' at offset 5");
  EXPECT_FALSE(RenderCommand("echo {}", Vars{}, &out, &error));
  EXPECT_EQ(error, "no value for placeholder {}");
}

// Every value an attacker could put in a file is refused, never quoted through.
TEST(RenderCommand, RefusesHostileValues) {
  const std::string hostile[] = {
      "1.0'; reboot; '",     "1.0; reboot", "$(reboot)", "`reboot`",
      "1.0\nreboot",         "-rf",         "--force",   std::string("1.0\0x", 5),
      std::string(300, 'a'), "\xc3\x28",    "a b",       "",
  };
  for (const std::string& v : hostile) {
    std::string out = "unchanged", error;
    EXPECT_FALSE(RenderCommand("install {version}", Vars{{"version", v}}, &out, &error)) << v;
    EXPECT_TRUE(error.starts_with("value of placeholder {version} is not a safe value: '"))
        << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

TEST(RenderCommand, ErrorNamesTheValueEscaped) {
  std::string out, error;
  EXPECT_FALSE(RenderCommand("x {v}", Vars{{"v", "a\nb'c"}}, &out, &error));
  EXPECT_EQ(error, "value of placeholder {v} is not a safe value: 'a\\nb\\'c'");
}

TEST(RenderText, SubstitutesRaw) {
  std::string out, error;
  ASSERT_TRUE(RenderText("version.{component}", Vars{{"component", "hotfix"}}, &out, &error));
  EXPECT_EQ(out, "version.hotfix");
  ASSERT_TRUE(RenderText("{a} and {b}", Vars{{"a", "x y"}, {"b", ""}}, &out, &error));
  EXPECT_EQ(out, "x y and ");
  EXPECT_FALSE(RenderText("{version}", Vars{}, &out, &error));
  EXPECT_EQ(error, "no value for placeholder {version}");
  EXPECT_FALSE(RenderText("{", Vars{}, &out, &error));
  EXPECT_EQ(error, "unmatched '{' at offset 0");
}

}  // namespace
}  // namespace harc
