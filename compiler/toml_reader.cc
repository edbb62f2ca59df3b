#include "compiler/toml_reader.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>

#include "compiler/shell.h"

namespace harc {

namespace {

constexpr std::string_view kIdentifierRule = "identifiers are [A-Za-z0-9][A-Za-z0-9_.-]{0,63}";
constexpr std::string_view kValueRule =
    "values are 1..256 characters of [A-Za-z0-9_.:@/+=,%~-], not starting with '-' or '~'";

// toml++ says "Error while parsing key-value pair: expected value, saw '\n'";
// we say "syntax error in key-value pair: expected value, saw '\n'".
std::string SyntaxErrorMessage(std::string_view description) {
  constexpr std::string_view kPrefix = "Error while parsing ";
  if (description.starts_with(kPrefix)) {
    description.remove_prefix(kPrefix.size());
    return "syntax error in " + std::string(description);
  }
  std::string rest(description);
  if (!rest.empty()) rest[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(rest[0])));
  return "syntax error: " + rest;
}

// The first character of s that `allowed` rejects, quoted; "" when none.
template <typename Allowed>
std::string FirstBadChar(std::string_view s, Allowed allowed) {
  for (char c : s)
    if (!allowed(c)) return QuoteForMessage(std::string_view(&c, 1));
  return "";
}

// Which of IsSafeIdentifier's rules s breaks. The character rule is asked of
// IsSafeIdentifier itself, so shell.h stays the one definition.
std::string WhyNotIdentifier(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 64) return "it has " + std::to_string(s.size()) + " characters, at most 64";
  std::string bad = FirstBadChar(s, [](char c) { return IsSafeIdentifier(std::string("a") + c); });
  if (!bad.empty()) return bad + " is not allowed";
  return "it must start with a letter or a digit";
}

std::string WhyNotValue(std::string_view s) {
  if (s.empty()) return "it is empty";
  if (s.size() > 256) return "it has " + std::to_string(s.size()) + " characters, at most 256";
  std::string bad = FirstBadChar(s, [](char c) { return IsSafeValue(std::string("a") + c); });
  if (!bad.empty()) return bad + " is not allowed";
  return std::string("it must not start with '") + s[0] + "'";
}

// A string, integer or boolean as the text a command would be given.
std::optional<std::string> ScalarText(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  return std::nullopt;
}

bool IsBareKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

std::optional<toml::table> ParseToml(const SourceFile& file, DiagSink* sink) {
  try {
    return toml::parse(file.text, std::string(file.path));
  } catch (const toml::parse_error& e) {
    const toml::source_position& begin = e.source().begin;
    sink->Error(SourcePos{file.path, static_cast<int>(begin.line), static_cast<int>(begin.column)},
                SyntaxErrorMessage(e.description()));
    return std::nullopt;
  }
}

SourcePos PosOf(const toml::node& node) {
  const toml::source_region& source = node.source();
  return SourcePos{source.path ? *source.path : "", static_cast<int>(source.begin.line),
                   static_cast<int>(source.begin.column)};
}

SourcePos PosOf(const toml::key& key) {
  const toml::source_region& source = key.source();
  return SourcePos{source.path ? *source.path : "", static_cast<int>(source.begin.line),
                   static_cast<int>(source.begin.column)};
}

std::string TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

void ReportWrongType(const toml::node& node, std::string_view key, std::string_view expected,
                     DiagSink* sink) {
  sink->Error(PosOf(node), "wrong type for " + QuoteForMessage(key) + ": expected " +
                               std::string(expected) + ", found " + TypeName(node.type()));
}

bool ParseDuration(std::string_view text, int* ms) {
  size_t digits = 0;
  int64_t n = 0;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
    n = n * 10 + (text[digits] - '0');
    if (n > std::numeric_limits<int>::max()) return false;
  }
  std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1'000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (digits == 0 || scale == 0 || n * scale > std::numeric_limits<int>::max()) return false;
  *ms = static_cast<int>(n * scale);
  return true;
}

bool CheckIdentifier(std::string_view s, const SourcePos& pos, DiagSink* sink) {
  if (IsSafeIdentifier(s)) return true;
  sink->Error(pos, "not a safe identifier: " + QuoteForMessage(s) + " (" + WhyNotIdentifier(s) +
                       "; " + std::string(kIdentifierRule) + ")");
  return false;
}

bool CheckValue(std::string_view s, const SourcePos& pos, DiagSink* sink) {
  if (IsSafeValue(s)) return true;
  sink->Error(pos, "not a safe value: " + QuoteForMessage(s) + " (" + WhyNotValue(s) + "; " +
                       std::string(kValueRule) + ")");
  return false;
}

bool ReadSettingValue(const toml::node& node, std::string_view key, std::string* out,
                      DiagSink* sink) {
  std::optional<std::string> text = ScalarText(node);
  if (!text) {
    ReportWrongType(node, key, "a string, an integer or a boolean", sink);
    return false;
  }
  if (!CheckValue(*text, PosOf(node), sink)) return false;
  *out = std::move(*text);
  return true;
}

std::string DidYouMeanSuffix(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = DidYouMean(word, candidates);
  return match.empty() ? "" : "; did you mean " + QuoteForMessage(match) + "?";
}

std::string TomlKey(std::string_view key) {
  if (!key.empty() && std::all_of(key.begin(), key.end(), IsBareKeyChar)) return std::string(key);
  std::string out = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// ---------------------------------------------------------------- TableReader

TableReader::TableReader(const toml::table& table, std::string where, DiagSink* sink)
    : table_(table), where_(std::move(where)), sink_(sink) {}

const toml::node* TableReader::Find(std::string_view key, Need need) {
  known_.emplace_back(key);
  const toml::node* node = table_.get(key);
  if (!node && need == Need::kRequired) ReportMissing(key);
  return node;
}

const toml::node* TableReader::FindTyped(std::string_view key, toml::node_type type, Need need) {
  const toml::node* node = Find(key, need);
  if (!node || node->type() == type) return node;
  ReportWrongType(*node, key, TypeName(type), sink_);
  return nullptr;
}

void TableReader::ReportMissing(std::string_view key) {
  std::string message = "missing required key " + QuoteForMessage(key);
  if (where_.empty()) {
    sink_->FileError(message);
    return;
  }
  sink_->Error(::harc::PosOf(table_), message + " in " + where_);
}

bool TableReader::String(std::string_view key, std::string* out, Need need) {
  const toml::node* node = FindTyped(key, toml::node_type::string, need);
  if (!node) return false;
  *out = node->as_string()->get();
  return true;
}

bool TableReader::Identifier(std::string_view key, std::string* out, Need need) {
  std::string s;
  if (!String(key, &s, need) || !CheckIdentifier(s, PosOf(key), sink_)) return false;
  *out = std::move(s);
  return true;
}

bool TableReader::Value(std::string_view key, std::string* out, Need need) {
  std::string s;
  if (!String(key, &s, need) || !CheckValue(s, PosOf(key), sink_)) return false;
  *out = std::move(s);
  return true;
}

bool TableReader::Bool(std::string_view key, bool* out, Need need) {
  const toml::node* node = FindTyped(key, toml::node_type::boolean, need);
  if (!node) return false;
  *out = node->as_boolean()->get();
  return true;
}

bool TableReader::Int(std::string_view key, int lo, int hi, int* out, Need need) {
  const toml::node* node = FindTyped(key, toml::node_type::integer, need);
  if (!node) return false;
  int64_t n = node->as_integer()->get();
  if (n >= lo && n <= hi) {
    *out = static_cast<int>(n);
    return true;
  }
  std::string range = hi == std::numeric_limits<int>::max()
                          ? "at least " + std::to_string(lo)
                          : "in " + std::to_string(lo) + ".." + std::to_string(hi);
  sink_->Error(PosOf(key),
               QuoteForMessage(key) + " must be " + range + ", found " + std::to_string(n));
  return false;
}

bool TableReader::Duration(std::string_view key, int min_ms, int* out, Need need) {
  std::string text;
  if (!String(key, &text, need)) return false;
  int ms = 0;
  if (!ParseDuration(text, &ms)) {
    sink_->Error(PosOf(key), "invalid duration " + QuoteForMessage(text) + " for " +
                                 QuoteForMessage(key) +
                                 " (durations are a whole number and ms, s, m or h: \"30s\")");
    return false;
  }
  if (ms < min_ms) {
    sink_->Error(PosOf(key), QuoteForMessage(key) + " must be " +
                                 (min_ms == 1 ? "greater than 0"
                                              : "at least " + std::to_string(min_ms) + "ms"));
    return false;
  }
  *out = ms;
  return true;
}

bool TableReader::IdentifierArray(std::string_view key, std::vector<std::string>* out, Need need) {
  const toml::node* node = FindTyped(key, toml::node_type::array, need);
  if (!node) return false;
  if (node->as_array()->empty()) {
    sink_->Error(PosOf(key), QuoteForMessage(key) + " is empty");
    return false;
  }
  std::vector<std::string> result;
  bool ok = true;
  for (const toml::node& element : *node->as_array()) {
    ok = ArrayIdentifier(element, key, &result) && ok;
  }
  if (ok) *out = std::move(result);
  return ok;
}

bool TableReader::ArrayIdentifier(const toml::node& element, std::string_view key,
                                  std::vector<std::string>* out) {
  SourcePos pos = ::harc::PosOf(element);
  if (!element.is_string()) {
    sink_->Error(pos, "wrong type for an element of " + QuoteForMessage(key) +
                          ": expected a string, found " + TypeName(element.type()));
    return false;
  }
  const std::string& s = element.as_string()->get();
  if (!CheckIdentifier(s, pos, sink_)) return false;
  if (std::find(out->begin(), out->end(), s) != out->end()) {
    sink_->Error(pos, "duplicate " + QuoteForMessage(s) + " in " + QuoteForMessage(key));
    return false;
  }
  out->push_back(s);
  return true;
}

const toml::table* TableReader::Table(std::string_view key, Need need) {
  const toml::node* node = FindTyped(key, toml::node_type::table, need);
  return node ? node->as_table() : nullptr;
}

const toml::array* TableReader::Array(std::string_view key, Need need) {
  const toml::node* node = FindTyped(key, toml::node_type::array, need);
  return node ? node->as_array() : nullptr;
}

SourcePos TableReader::PosOf(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return ::harc::PosOf(node ? *node : static_cast<const toml::node&>(table_));
}

void TableReader::ReportUnknownKeys() {
  for (auto&& [key, node] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
    std::string message = "unknown key " + QuoteForMessage(key.str());
    if (!where_.empty()) message += " in " + where_;
    sink_->Error(::harc::PosOf(key), message + DidYouMeanSuffix(key.str(), known_));
  }
}

}  // namespace harc
