// Diagnostics: an error found in a file the user wrote, pointing at the exact
// place. Every loader collects these instead of stopping at the first, so a user
// sees all the errors of a fleet in one run (mold's habit).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace harc {

// A place in a source file. line and col are 1-based; 0 means "the whole file".
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
};

struct Diagnostic {
  SourcePos pos;
  std::string message;
  std::string source_line;  // the text of pos.line, without its newline
};

// "file:line:col: error: message\n    <source line>\n    <caret>\n"
// (only "file: error: message\n" when pos.line == 0). The caret line keeps the
// source line's tabs, so the caret stays under its character.
std::string FormatDiagnostic(const Diagnostic& d);

// Collects diagnostics for one source text and fills in source lines.
class DiagSink {
 public:
  // Errors at pos get the matching line of `text` attached.
  // REQUIRES: text outlives the sink (it is not copied).
  void SetSource(std::string_view file, std::string_view text);
  void Error(const SourcePos& pos, std::string message);
  // An error about the file as a whole.
  void FileError(std::string message);

  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  bool ok() const { return diags_.empty(); }
  std::vector<Diagnostic> Take() { return std::move(diags_); }

 private:
  std::string file_;
  std::string_view text_;
  std::vector<Diagnostic> diags_;
};

// The line `line` (1-based) of `text`, without its end-of-line; "" when absent.
std::string_view LineOf(std::string_view text, int line);

// The candidate closest to `word` by edit distance, or "" when none is close
// enough to be a plausible misspelling.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

// s in single quotes for a message: control and non-ASCII bytes escaped (\n,
// \xFF), quotes and backslashes escaped, at most 80 characters shown. A hostile
// value can then neither forge lines of an error report nor flood it.
std::string QuoteForMessage(std::string_view s);

// s with control bytes and DEL shown as \xNN, all else as is: for text from
// devices (versions, SSH errors) in a report, which must neither break its
// layout with a newline nor drive the reader's terminal with escapes.
std::string ShowControlBytes(std::string_view s);

}  // namespace harc
