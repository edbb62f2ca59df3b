#include "compiler/diag.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace harc {

namespace {

// True for a byte that continues a UTF-8 sequence; toml++ counts columns in
// code points, so these take no column of their own.
bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Spaces up to column `col` of `line`, keeping its tabs, so the caret lands
// under the same character whatever the terminal's tab width.
std::string CaretLine(std::string_view line, int col) {
  std::string out;
  int column = 1;
  for (size_t i = 0; i < line.size() && column < col; ++i) {
    if (IsContinuationByte(line[i])) continue;
    out += line[i] == '\t' ? '\t' : ' ';
    ++column;
  }
  out.append(static_cast<size_t>(std::max(0, col - column)), ' ');
  return out + '^';
}

// Optimal string alignment distance: Levenshtein where swapping two adjacent
// letters ("drian" for "drain", the commonest typo) counts as one edit.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// One byte as QuoteForMessage shows it.
std::string EscapeForMessage(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (c == '\n') return "\\n";
  if (c == '\t') return "\\t";
  if (c == '\'' || c == '\\') return std::string("\\") + c;
  if (u >= 0x20 && u < 0x7F) return std::string(1, c);
  return fmt::format("\\x{:02X}", u);
}

}  // namespace

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out = d.pos.file;
  if (d.pos.line > 0) out += ":" + std::to_string(d.pos.line);
  if (d.pos.line > 0 && d.pos.col > 0) out += ":" + std::to_string(d.pos.col);
  out += ": error: " + d.message + "\n";
  if (d.pos.line == 0 || d.source_line.empty()) return out;
  out += "    " + d.source_line + "\n";
  if (d.pos.col > 0) out += "    " + CaretLine(d.source_line, d.pos.col) + "\n";
  return out;
}

void DiagSink::SetSource(std::string_view file, std::string_view text) {
  file_ = file;
  text_ = text;
}

void DiagSink::Error(const SourcePos& pos, std::string message) {
  Diagnostic d;
  d.pos = pos;
  if (d.pos.file.empty()) d.pos.file = file_;
  d.message = std::move(message);
  if (d.pos.line > 0 && d.pos.file == file_) d.source_line = LineOf(text_, d.pos.line);
  diags_.push_back(std::move(d));
}

void DiagSink::FileError(std::string message) { Error(SourcePos{file_, 0, 0}, std::move(message)); }

std::string_view LineOf(std::string_view text, int line) {
  if (line < 1) return {};
  size_t begin = 0;
  for (int n = 1; n < line; ++n) {
    size_t newline = text.find('\n', begin);
    if (newline == std::string_view::npos) return {};
    begin = newline + 1;
  }
  size_t end = std::min(text.find('\n', begin), text.size());
  std::string_view result = text.substr(begin, end - begin);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t allowed = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t best_distance = allowed + 1;
  for (const std::string& c : candidates) {
    size_t distance = EditDistance(word, c);
    if (distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  return best;
}

std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kShown = 80;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kShown; ++i) out += EscapeForMessage(s[i]);
  if (s.size() > kShown) out += "...";
  return out + "'";
}

std::string ShowControlBytes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f)
      out += c;
    else
      out += fmt::format("\\x{:02X}", u);
  }
  return out;
}

}  // namespace harc
