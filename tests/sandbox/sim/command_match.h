// Recognising a received command. The simulator never runs a shell: it splits
// the command into words and operators the way sh would (quotes removed,
// substitutions kept verbatim, nothing expanded) and compares that with the
// platform's own command templates, split the same way. A placeholder
// ({member}, {version}, {value}, {target}, {component}) matches a part of a
// word made of the characters harc::IsSafeValue allows, so a value can never
// smuggle in an operator: `'x; rm -rf /'` is one word that fits no template,
// and so is an unknown command.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/model.h"

namespace harc::sim {

struct ShellToken {
  bool op = false;   // an operator: ; && || | & ( ) or a redirection (2> >&, ...)
  std::string text;  // a word without its quotes, or the operator
  size_t begin = 0;  // where it was in the command: [begin, end)
  size_t end = 0;
  bool operator==(const ShellToken& o) const { return op == o.op && text == o.text; }
};

// Splits a command as sh would into words and operators. Newlines are ";".
// False with *error on an unterminated quote or substitution.
bool SplitShell(std::string_view command, std::vector<ShellToken>* out, std::string* error);

struct CommandMatch {
  bool fact = false;               // a fact command, else an action
  std::vector<std::string> names;  // the facts run by this command, or the one action
  std::map<std::string, std::string> vars;  // placeholder -> value received
};

// The platform's fact and action commands, ready to be compared with.
class CommandMatcher {
 public:
  explicit CommandMatcher(const Platform& platform);

  // The fact(s) or action the command runs; nullopt when it is none of them.
  std::optional<CommandMatch> Find(std::string_view command) const;
  std::optional<CommandMatch> Find(const std::vector<ShellToken>& command) const;

 private:
  struct Piece {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  struct Word {
    bool op = false;
    std::vector<Piece> pieces;
  };
  struct Template {
    bool fact = false;
    std::string name;
    std::vector<Word> words;
  };
  void Add(bool fact, const std::string& name, const std::string& run,
           const std::map<std::string, std::string>& fixed);
  static bool MatchWords(const Template& t, const std::vector<ShellToken>& got,
                         std::map<std::string, std::string>* vars);

  std::vector<Template> templates_;
};

}  // namespace harc::sim
