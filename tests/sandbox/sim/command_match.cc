#include "tests/sandbox/sim/command_match.h"

#include <algorithm>

#include "compiler/shell.h"

namespace harc::sim {
namespace {

// Reads sh's input the way its tokeniser does, for words and operators only.
class Lexer {
 public:
  Lexer(std::string_view s, std::vector<ShellToken>* out) : s_(s), out_(*out) {}

  bool Run(std::string* error) {
    while (i_ < s_.size()) {
      if (!Step()) {
        *error = "unterminated quote or substitution";
        return false;
      }
    }
    Flush();
    return true;
  }

 private:
  bool Step() {
    char c = s_[i_];
    if (c == ' ' || c == '\t') {
      Flush();
      ++i_;
    } else if (c == '\n') {
      Operator(";", 1);
    } else if (c == '#' && !in_word_) {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    } else if (c == '\'') {
      return SingleQuoted();
    } else if (c == '"') {
      return DoubleQuoted();
    } else if (c == '\\') {
      if (i_ + 1 < s_.size() && s_[i_ + 1] != '\n') Append(s_[i_ + 1]);
      i_ += 2;
    } else if (c == '$' && i_ + 1 < s_.size() && (s_[i_ + 1] == '(' || s_[i_ + 1] == '{')) {
      return Verbatim();
    } else if (c == '`') {
      return Verbatim();
    } else if (std::string_view(";&|()<>").find(c) != std::string_view::npos) {
      OperatorAt();
    } else {
      Append(c);
      ++i_;
    }
    return true;
  }

  void Start() {
    if (!in_word_) begin_ = i_;
    in_word_ = true;
  }

  void Append(char c) {
    Start();
    word_ += c;
  }

  void Flush() {
    if (in_word_) out_.push_back({false, word_, begin_, i_});
    word_.clear();
    in_word_ = false;
  }

  // The operator `text` of `len` characters at i_ (begun at `begin`).
  void Operator(std::string text, size_t len, size_t begin = std::string_view::npos) {
    if (begin == std::string_view::npos) begin = i_;
    Flush();
    i_ += len;
    if (text == ";" && (out_.empty() || (out_.back().op && out_.back().text == ";"))) return;
    out_.push_back({true, std::move(text), begin, i_});
  }

  void OperatorAt() {
    static const char* kLong[] = {"&&", "||", ";;", ">>", "<<", ">&", "<&", ">|", "<>"};
    std::string op(1, s_[i_]);
    for (const char* l : kLong)
      if (s_.substr(i_, 2) == l) op = l;
    size_t len = op.size();
    bool redirect = op[0] == '<' || op[0] == '>';
    size_t begin = i_;
    if (redirect && in_word_ && !word_.empty() &&
        std::all_of(word_.begin(), word_.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      op = word_ + op;  // "2>": the descriptor belongs to the operator
      begin = begin_;
      word_.clear();
      in_word_ = false;
    }
    Operator(op, len, begin);
  }

  bool SingleQuoted() {
    size_t end = s_.find('\'', i_ + 1);
    if (end == std::string_view::npos) return false;
    Start();
    word_.append(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return true;
  }

  bool DoubleQuoted() {
    Start();
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size()) {
        char n = s_[i_ + 1];
        if (n == '\n') {
        } else if (std::string_view("$`\"\\").find(n) != std::string_view::npos) {
          word_ += n;
        } else {
          word_ += c;
          word_ += n;
        }
        i_ += 2;
      } else if ((c == '$' && i_ + 1 < s_.size() && s_[i_ + 1] == '(') || c == '`') {
        if (!Verbatim()) return false;
      } else {
        word_ += c;
        ++i_;
      }
    }
    if (i_ >= s_.size()) return false;
    ++i_;
    return true;
  }

  // $( ... ), ${ ... } or ` ... `, kept as written (nothing is run).
  bool Verbatim() {
    size_t start = i_;
    size_t end = SkipSubstitution(i_);
    if (end == std::string_view::npos) return false;
    Start();
    word_.append(s_.substr(start, end - start));
    i_ = end;
    return true;
  }

  // The index just past the substitution that starts at `at`, or npos.
  size_t SkipSubstitution(size_t at) const {
    if (s_[at] == '`') {
      size_t end = s_.find('`', at + 1);
      return end == std::string_view::npos ? end : end + 1;
    }
    char open = s_[at + 1], close = open == '(' ? ')' : '}';
    int depth = 0;
    for (size_t j = at + 1; j < s_.size(); ++j) {
      char c = s_[j];
      if (c == '\\') {
        ++j;
      } else if (c == '\'') {
        j = s_.find('\'', j + 1);
        if (j == std::string_view::npos) return j;
      } else if (c == '"') {
        for (++j; j < s_.size() && s_[j] != '"'; ++j)
          if (s_[j] == '\\') ++j;
      } else if (c == open) {
        ++depth;
      } else if (c == close && --depth == 0) {
        return j + 1;
      }
    }
    return std::string_view::npos;
  }

  std::string_view s_;
  std::vector<ShellToken>& out_;
  size_t i_ = 0;
  std::string word_;
  bool in_word_ = false;
  size_t begin_ = 0;  // where the word being read began
};

bool SafeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("_.:@/+=,%~-").find(c) != std::string_view::npos;
}

constexpr const char* kPlaceholders[] = {"member", "version", "component", "target", "value"};

// Matches pieces[i..] against w, binding placeholders (each binding must agree
// with an earlier one of the same name).
bool MatchPieces(const std::vector<std::pair<bool, std::string>>& ps, size_t i,
                 std::string_view w, std::map<std::string, std::string>* vars) {
  if (i == ps.size()) return w.empty();
  const auto& [placeholder, text] = ps[i];
  if (!placeholder)
    return w.starts_with(text) && MatchPieces(ps, i + 1, w.substr(text.size()), vars);
  for (size_t len = 1; len <= w.size() && SafeChar(w[len - 1]); ++len) {
    std::string value(w.substr(0, len));
    auto bound = vars->find(text);
    if (bound != vars->end() && bound->second != value) continue;
    std::map<std::string, std::string> trial = *vars;
    trial[text] = value;
    if (MatchPieces(ps, i + 1, w.substr(len), &trial)) {
      *vars = std::move(trial);
      return true;
    }
  }
  return false;
}

}  // namespace

bool SplitShell(std::string_view command, std::vector<ShellToken>* out, std::string* error) {
  out->clear();
  if (!Lexer(command, out).Run(error)) return false;
  while (!out->empty() && out->back().op && out->back().text == ";") out->pop_back();
  return true;
}

CommandMatcher::CommandMatcher(const Platform& platform) {
  for (const auto& [name, spec] : platform.facts) {
    std::map<std::string, std::string> fixed;
    if (name.starts_with("version.")) fixed["component"] = name.substr(8);
    Add(true, name, spec.run, fixed);
  }
  for (const auto& [name, spec] : platform.actions) Add(false, name, spec.run, {});
}

// Splits the template as a command, then each word into literal text and
// placeholders ("{{" and "}}" are literal braces).
void CommandMatcher::Add(bool fact, const std::string& name, const std::string& run,
                         const std::map<std::string, std::string>& fixed) {
  std::vector<ShellToken> tokens;
  std::string error;
  if (!SplitShell(run, &tokens, &error)) return;
  Template t{fact, name, {}};
  for (const ShellToken& tok : tokens) {
    Word w{tok.op, {}};
    std::string lit;
    for (size_t i = 0; i < tok.text.size(); ++i) {
      const std::string& s = tok.text;
      if ((s[i] == '{' || s[i] == '}') && i + 1 < s.size() && s[i + 1] == s[i]) {
        lit += s[i++];
        continue;
      }
      size_t close = s[i] == '{' ? s.find('}', i) : std::string::npos;
      std::string ph = close == std::string::npos ? "" : s.substr(i + 1, close - i - 1);
      if (std::find(std::begin(kPlaceholders), std::end(kPlaceholders), ph) ==
          std::end(kPlaceholders)) {
        lit += s[i];
        continue;
      }
      if (auto f = fixed.find(ph); f != fixed.end()) {
        lit += f->second;
      } else {
        if (!lit.empty()) w.pieces.push_back({false, lit});
        lit.clear();
        w.pieces.push_back({true, ph});
      }
      i = close;
    }
    if (!lit.empty() || w.pieces.empty()) w.pieces.push_back({false, lit});
    t.words.push_back(std::move(w));
  }
  templates_.push_back(std::move(t));
}

bool CommandMatcher::MatchWords(const Template& t, const std::vector<ShellToken>& got,
                                std::map<std::string, std::string>* vars) {
  if (t.words.size() != got.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    const Word& w = t.words[i];
    if (w.op != got[i].op) return false;
    std::vector<std::pair<bool, std::string>> ps;
    for (const Piece& p : w.pieces) ps.emplace_back(p.placeholder, p.text);
    if (!MatchPieces(ps, 0, got[i].text, vars)) return false;
  }
  for (const auto& [name, value] : *vars)
    if (!IsSafeValue(value) || (name == "member" && !IsSafeIdentifier(value))) return false;
  return true;
}

std::optional<CommandMatch> CommandMatcher::Find(std::string_view command) const {
  std::vector<ShellToken> got;
  std::string error;
  if (!SplitShell(command, &got, &error)) return std::nullopt;
  return Find(got);
}

std::optional<CommandMatch> CommandMatcher::Find(const std::vector<ShellToken>& got) const {
  if (got.empty()) return std::nullopt;
  std::optional<CommandMatch> found;
  for (const Template& t : templates_) {
    std::map<std::string, std::string> vars;
    if (!MatchWords(t, got, &vars)) continue;
    if (!found) {
      found = CommandMatch{t.fact, {t.name}, std::move(vars)};
    } else if (found->fact && t.fact && found->vars == vars) {
      found->names.push_back(t.name);  // several facts read the same command
    }
  }
  return found;
}

}  // namespace harc::sim
