#include "compiler/shell.h"

#include "compiler/diag.h"

namespace harc {

namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsIdentifierChar(char c) { return IsAsciiAlnum(c) || c == '_' || c == '.' || c == '-'; }

// The punctuation a value may hold: none of it means anything to a POSIX shell
// inside or outside quotes, and it covers versions, addresses and users.
bool IsValueChar(char c) {
  static constexpr std::string_view kPunctuation = "_.:@/+=,%~-";
  return IsAsciiAlnum(c) || kPunctuation.find(c) != std::string_view::npos;
}

// Substitutes the placeholders of tmpl, quoting each value when `quote`.
class Renderer {
 public:
  Renderer(const std::map<std::string, std::string>& vars, bool quote)
      : vars_(vars), quote_(quote) {}

  bool Render(std::string_view tmpl, std::string* out, std::string* error) {
    out->clear();
    for (size_t i = 0; i < tmpl.size();) {
      if (!Step(tmpl, &i, out, error)) return false;
    }
    return true;
  }

 private:
  // Consumes one character, escaped brace or placeholder at *i.
  bool Step(std::string_view tmpl, size_t* i, std::string* out, std::string* error) {
    char c = tmpl[*i];
    bool doubled = *i + 1 < tmpl.size() && tmpl[*i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      *out += c;
      *i += 2;
      return true;
    }
    if (c == '}') return Fail(error, "unmatched '}' at offset " + std::to_string(*i));
    if (c != '{') {
      *out += c;
      ++*i;
      return true;
    }
    size_t close = tmpl.find_first_of("{}", *i + 1);
    if (close == std::string_view::npos || tmpl[close] != '}')
      return Fail(error, "unmatched '{' at offset " + std::to_string(*i));
    std::string name(tmpl.substr(*i + 1, close - *i - 1));
    *i = close + 1;
    return Substitute(name, out, error);
  }

  bool Substitute(const std::string& name, std::string* out, std::string* error) {
    auto it = vars_.find(name);
    if (it == vars_.end()) return Fail(error, "no value for placeholder {" + name + "}");
    if (!quote_) {
      *out += it->second;
      return true;
    }
    if (!IsSafeValue(it->second)) {
      return Fail(error, "value of placeholder {" + name +
                             "} is not a safe value: " + QuoteForMessage(it->second));
    }
    *out += ShellQuote(it->second);
    return true;
  }

  static bool Fail(std::string* error, std::string message) {
    *error = std::move(message);
    return false;
  }

  const std::map<std::string, std::string>& vars_;
  bool quote_;
};

}  // namespace

bool IsSafeIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64 || !IsAsciiAlnum(s[0])) return false;
  for (char c : s)
    if (!IsIdentifierChar(c)) return false;
  return true;
}

bool IsSafeValue(std::string_view s) {
  if (s.empty() || s.size() > 256 || s[0] == '-' || s[0] == '~') return false;
  for (char c : s)
    if (!IsValueChar(c)) return false;
  return true;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

bool RenderCommand(std::string_view tmpl, const std::map<std::string, std::string>& vars,
                   std::string* out, std::string* error) {
  return Renderer(vars, /*quote=*/true).Render(tmpl, out, error);
}

bool RenderText(std::string_view tmpl, const std::map<std::string, std::string>& vars,
                std::string* out, std::string* error) {
  return Renderer(vars, /*quote=*/false).Render(tmpl, out, error);
}

}  // namespace harc
