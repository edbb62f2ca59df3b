#include "compiler/diag.h"

#include <gtest/gtest.h>

namespace harc {
namespace {

Diagnostic At(std::string file, int line, int col, std::string message, std::string source) {
  Diagnostic d;
  d.pos = SourcePos{std::move(file), line, col};
  d.message = std::move(message);
  d.source_line = std::move(source);
  return d;
}

TEST(FormatDiagnostic, LineColumnSourceAndCaret) {
  EXPECT_EQ(FormatDiagnostic(At("clusters/a.toml", 3, 8, "unknown key 'nme'", "nme = \"a\"")),
            "clusters/a.toml:3:8: error: unknown key 'nme'\n"
            "    nme = \"a\"\n"
            "           ^\n");
}

TEST(FormatDiagnostic, CaretAtFirstColumn) {
  EXPECT_EQ(FormatDiagnostic(At("f.toml", 1, 1, "m", "x = 1")),
            "f.toml:1:1: error: m\n"
            "    x = 1\n"
            "    ^\n");
}

TEST(FormatDiagnostic, TabsAreKeptSoTheCaretAligns) {
  EXPECT_EQ(FormatDiagnostic(At("f.toml", 2, 4, "m", "\t\tx = 1")),
            "f.toml:2:4: error: m\n"
            "    \t\tx = 1\n"
            "    \t\t ^\n");
}

// toml++ counts columns in code points: "é" is one column, two bytes.
TEST(FormatDiagnostic, ColumnsCountCodePoints) {
  EXPECT_EQ(FormatDiagnostic(At("f.toml", 1, 5, "m", "\"é\" = 1")),
            "f.toml:1:5: error: m\n"
            "    \"é\" = 1\n"
            "        ^\n");
}

TEST(FormatDiagnostic, CaretPastTheEndOfTheLine) {
  EXPECT_EQ(FormatDiagnostic(At("f.toml", 1, 6, "m", "a = ")),
            "f.toml:1:6: error: m\n"
            "    a = \n"
            "         ^\n");
}

TEST(FormatDiagnostic, WholeFile) {
  EXPECT_EQ(FormatDiagnostic(At("clusters/a.toml", 0, 0, "missing required key 'name'", "")),
            "clusters/a.toml: error: missing required key 'name'\n");
}

TEST(FormatDiagnostic, LineWithoutColumn) {
  EXPECT_EQ(FormatDiagnostic(At("f.toml", 2, 0, "m", "b = 2")),
            "f.toml:2: error: m\n"
            "    b = 2\n");
}

TEST(LineOf, FindsLinesAndStripsEndOfLine) {
  std::string_view text = "one\r\ntwo\nthree";
  EXPECT_EQ(LineOf(text, 1), "one");
  EXPECT_EQ(LineOf(text, 2), "two");
  EXPECT_EQ(LineOf(text, 3), "three");
  EXPECT_EQ(LineOf(text, 4), "");
  EXPECT_EQ(LineOf(text, 0), "");
  EXPECT_EQ(LineOf("a\n", 2), "");
  EXPECT_EQ(LineOf("", 1), "");
}

TEST(DiagSink, AttachesTheSourceLine) {
  std::string text = "a = 1\nb = 2\n";
  DiagSink sink;
  sink.SetSource("f.toml", text);
  EXPECT_TRUE(sink.ok());
  sink.Error(SourcePos{"", 2, 5}, "bad b");
  sink.FileError("bad file");
  ASSERT_EQ(sink.diagnostics().size(), 2u);
  EXPECT_FALSE(sink.ok());
  EXPECT_EQ(FormatDiagnostic(sink.diagnostics()[0]),
            "f.toml:2:5: error: bad b\n"
            "    b = 2\n"
            "        ^\n");
  EXPECT_EQ(FormatDiagnostic(sink.diagnostics()[1]), "f.toml: error: bad file\n");
  std::vector<Diagnostic> taken = sink.Take();
  EXPECT_EQ(taken.size(), 2u);
}

TEST(DiagSink, NoSourceLineForAnotherFile) {
  DiagSink sink;
  sink.SetSource("f.toml", "a = 1\n");
  sink.Error(SourcePos{"g.toml", 1, 1}, "elsewhere");
  EXPECT_EQ(sink.diagnostics()[0].source_line, "");
  EXPECT_EQ(FormatDiagnostic(sink.diagnostics()[0]), "g.toml:1:1: error: elsewhere\n");
}

TEST(DidYouMean, SuggestsCloseWords) {
  std::vector<std::string> keys = {"name", "platform", "wave", "software", "min_serving"};
  EXPECT_EQ(DidYouMean("nme", keys), "name");
  EXPECT_EQ(DidYouMean("platfrom", keys), "platform");
  EXPECT_EQ(DidYouMean("min_servng", keys), "min_serving");
  EXPECT_EQ(DidYouMean("wav", keys), "wave");
}

TEST(DidYouMean, StaysQuietWhenNothingIsClose) {
  std::vector<std::string> keys = {"name", "platform"};
  EXPECT_EQ(DidYouMean("colour", keys), "");
  EXPECT_EQ(DidYouMean("xy", keys), "");
  EXPECT_EQ(DidYouMean("x", {}), "");
}

// close = distance <= max(1, len/3): "abcdef" allows 2 edits, "abc" allows 1.
TEST(DidYouMean, Threshold) {
  EXPECT_EQ(DidYouMean("abcdef", {"abcdxy"}), "abcdxy");
  EXPECT_EQ(DidYouMean("abcdef", {"abcxyz"}), "");
  EXPECT_EQ(DidYouMean("abc", {"abd"}), "abd");
  EXPECT_EQ(DidYouMean("abc", {"axy"}), "");
}

TEST(DidYouMean, PrefersTheClosestThenTheFirst) {
  EXPECT_EQ(DidYouMean("drai", {"undrain", "drain"}), "drain");
  EXPECT_EQ(DidYouMean("m5", {"m1", "m2"}), "m1");
}

TEST(QuoteForMessage, EscapesWhatCouldForgeAReport) {
  EXPECT_EQ(QuoteForMessage("abc"), "'abc'");
  EXPECT_EQ(QuoteForMessage("a\nb\tc"), "'a\\nb\\tc'");
  EXPECT_EQ(QuoteForMessage("it's"), "'it\\'s'");
  EXPECT_EQ(QuoteForMessage(std::string_view("a\0b", 3)), "'a\\x00b'");
  EXPECT_EQ(QuoteForMessage("\xff\x1b[2J"), "'\\xFF\\x1B[2J'");
  EXPECT_EQ(QuoteForMessage(std::string(100, 'x')), "'" + std::string(80, 'x') + "...'");
}

}  // namespace
TEST(DidYouMean, SwappedLettersCountAsOneEdit) {
  EXPECT_EQ(DidYouMean("drian", {"drain", "undrain", "install"}), "drain");
  EXPECT_EQ(DidYouMean("plaform", {"platform", "name"}), "platform");
  EXPECT_EQ(DidYouMean("xyz", {"platform", "name"}), "");
}

}  // namespace harc
