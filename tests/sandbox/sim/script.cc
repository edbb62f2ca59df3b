#include "tests/sandbox/sim/script.h"

namespace harc::sim {
namespace {

bool IsOp(const ShellToken& t, const char* text) { return t.op && t.text == text; }

// One statement: a subshell group's inside, or a builtin's words, and where
// its output goes.
struct Statement {
  bool group = false;
  std::vector<ShellToken> tokens;  // group: the command inside; else the words
  bool to_stderr = false;
};

// Reads the redirections after a statement: ">&2" and "<file" only.
bool Redirections(const std::vector<ShellToken>& t, size_t* i, Statement* s) {
  while (*i < t.size() && !IsOp(t[*i], ";")) {
    if (*i + 1 >= t.size() || !t[*i].op || t[*i + 1].op) return false;
    if (t[*i].text == ">&" && t[*i + 1].text == "2") s->to_stderr = true;
    else if (t[*i].text != "<") return false;
    *i += 2;
  }
  return true;
}

bool ParseGroup(const std::vector<ShellToken>& t, size_t* i, Statement* s) {
  int depth = 0;
  size_t start = *i + 1;
  for (; *i < t.size(); ++*i) {
    if (IsOp(t[*i], "(")) ++depth;
    if (IsOp(t[*i], ")") && --depth == 0) break;
  }
  if (*i >= t.size()) return false;
  s->group = true;
  s->tokens.assign(t.begin() + start, t.begin() + *i);
  while (!s->tokens.empty() && IsOp(s->tokens.back(), ";")) s->tokens.pop_back();
  ++*i;
  return !s->tokens.empty() && Redirections(t, i, s);
}

bool ParseBuiltin(const std::vector<ShellToken>& t, size_t* i, Statement* s) {
  const std::string& name = t[*i].text;
  if (t[*i].op || (name != "printf" && name != "echo" && name != "true")) return false;
  for (; *i < t.size() && !t[*i].op; ++*i) s->tokens.push_back(t[*i]);
  return Redirections(t, i, s);
}

bool Parse(const std::vector<ShellToken>& t, std::vector<Statement>* out) {
  bool any_group = false;
  for (size_t i = 0; i < t.size();) {
    if (IsOp(t[i], ";")) {
      ++i;
      continue;
    }
    Statement s;
    bool ok = IsOp(t[i], "(") ? ParseGroup(t, &i, &s) : ParseBuiltin(t, &i, &s);
    if (!ok) return false;
    any_group = any_group || s.group;
    out->push_back(std::move(s));
  }
  return any_group;
}

std::string Escape(char c) {
  switch (c) {
    case 'n': return "\n";
    case 't': return "\t";
    case '\\': return "\\";
    default: return std::string{'\\', c};
  }
}

std::string Echo(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ' ';
    out += words[i];
  }
  out += '\n';
  return out;
}

}  // namespace

std::string Printf(const std::string& format, const std::vector<std::string>& args) {
  std::string out;
  size_t next = 0;
  do {
    for (size_t i = 0; i < format.size(); ++i) {
      char c = format[i];
      if (c == '\\' && i + 1 < format.size()) {
        out += Escape(format[++i]);
      } else if (c == '%' && i + 1 < format.size()) {
        char d = format[++i];
        if (d == '%') out += '%';
        else if (d == 's' || d == 'd') out += next < args.size() ? args[next++] : "";
      } else {
        out += c;
      }
    }
  } while (next > 0 && next < args.size());
  return out;
}

bool RunScript(const std::string& script, const RunCommand& run, Reply* out) {
  std::vector<ShellToken> tokens;
  std::string error;
  std::vector<Statement> statements;
  if (!SplitShell(script, &tokens, &error) || !Parse(tokens, &statements)) return false;
  *out = Reply{};
  int status = 0;
  for (const Statement& s : statements) {
    Reply r;
    if (s.group) {
      size_t begin = s.tokens.front().begin, end = s.tokens.back().end;
      r = run(s.tokens, script.substr(begin, end - begin));
    } else {
      std::vector<std::string> words;
      for (size_t i = 1; i < s.tokens.size(); ++i)
        words.push_back(s.tokens[i].text == "$?" ? std::to_string(status) : s.tokens[i].text);
      const std::string& name = s.tokens[0].text;
      if (name == "printf" && !words.empty())
        r.out = Printf(words[0], std::vector<std::string>(words.begin() + 1, words.end()));
      else if (name == "echo")
        r.out = Echo(words);
    }
    if (s.to_stderr) r.err += r.out, r.out.clear();
    out->out += r.out;
    out->err += r.err;
    status = r.status;
  }
  out->status = status;
  return true;
}

}  // namespace harc::sim
