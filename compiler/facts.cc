#include "compiler/facts.h"

#include <map>
#include <memory>
#include <optional>

// GCC 12 with -fsanitize (HARC_SANITIZE) warns that libstdc++'s own regex NFA
// states "may be used uninitialized" (a known false positive in <regex>).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

#include <nlohmann/json.hpp>

namespace harc {
namespace {

// Output is whatever a member printed: possibly huge, binary, not UTF-8. Only
// its first kMaxOutput bytes are read; a JSON document longer than that is
// refused rather than cut.
constexpr size_t kMaxOutput = 1 << 20;
constexpr std::string_view kMultilinePrefix = "(?m)";

// libstdc++'s default (backtracking) executor recurses once per character a
// repetition consumes, so `(\S+)` over a 100 KB line overflows the stack. Its
// polynomial executor (a Pike VM) keeps recursion bounded by the pattern, not
// the input; it refuses back-references, which fact patterns do not need.
std::regex::flag_type RegexFlags(bool multiline) {
  std::regex::flag_type f = std::regex::ECMAScript;
  if (multiline) f |= std::regex::multiline;
#if defined(__GLIBCXX__)
  f |= std::regex_constants::__polynomial;
#endif
  return f;
}

// A fact pattern compiled twice. regex_search restarts at every offset, so a
// pattern such as `(\S+)x` is quadratic in the length of a line: hours on a
// 1 MiB line. `wrapped` is `[\s\S]*?(pattern)[\s\S]*`, which regex_match runs
// in one pass (same leftmost match, captures shifted by one) but about eight
// times slower, so it is kept for outputs past kSmallOutput.
struct CompiledPattern {
  std::regex plain;
  std::regex wrapped;
};
constexpr size_t kSmallOutput = 4 << 10;  // `plain` at worst: about 0.3 s

// Compiles `pattern`, honouring a leading "(?m)". Throws std::regex_error.
CompiledPattern CompilePattern(std::string_view pattern) {
  bool multiline = pattern.starts_with(kMultilinePrefix);
  if (multiline) pattern.remove_prefix(kMultilinePrefix.size());
  CompiledPattern c;
  c.plain = std::regex(pattern.begin(), pattern.end(), RegexFlags(multiline));
  c.wrapped =
      std::regex("[\\s\\S]*?(" + std::string(pattern) + ")[\\s\\S]*", RegexFlags(multiline));
  return c;
}

// Gathering extracts the same few patterns for every member, so compiled
// patterns are kept per thread. Bounded: cleared when full.
const CompiledPattern& CachedPattern(const std::string& pattern) {
  thread_local std::map<std::string, std::unique_ptr<CompiledPattern>> cache;
  if (auto it = cache.find(pattern); it != cache.end()) return *it->second;
  auto compiled = std::make_unique<CompiledPattern>(CompilePattern(pattern));
  if (cache.size() >= 64) cache.clear();
  return *cache.emplace(pattern, std::move(compiled)).first->second;
}

// The first capture group of the leftmost match (else the whole match), or
// nullopt. Throws std::regex_error.
std::optional<std::string_view> Match(const CompiledPattern& re, std::string_view text) {
  std::cmatch m;
  const char* b = text.data();
  const char* e = b + text.size();
  size_t group;
  if (text.size() <= kSmallOutput) {
    if (!std::regex_search(b, e, m, re.plain)) return std::nullopt;
    group = m.size() > 1 ? 1 : 0;
  } else {
    if (!std::regex_match(b, e, m, re.wrapped)) return std::nullopt;
    group = m.size() > 2 ? 2 : 1;
  }
  if (!m[group].matched) return std::nullopt;
  return std::string_view(m[group].first, m[group].length());
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// A value quoted for an error message: short, printable, whatever the bytes.
std::string Show(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    }
  }
  out += s.size() > kMax ? "'..." : "'";
  return out;
}

std::string FirstLine(std::string_view output) {
  output = Trim(output);
  if (output.empty()) return "output is empty";
  return "output begins " + Show(output.substr(0, output.find('\n')));
}

// The result of reading the raw value: a value, nothing (pattern did not
// match, pointer absent: the fallback applies), or an error (no fallback).
struct Raw {
  enum State { kFound, kAbsent, kFailed } state;
  std::string text;  // the value, or why there is none
};

Raw Found(std::string_view v) { return {Raw::kFound, std::string(v)}; }
Raw Absent(std::string why) { return {Raw::kAbsent, std::move(why)}; }
Raw Failed(std::string why) { return {Raw::kFailed, std::move(why)}; }

// Remote shells and ptys end lines with "\r\n"; patterns are written for "\n".
std::string_view NormaliseNewlines(std::string_view in, std::string* storage) {
  if (in.find("\r\n") == std::string_view::npos) return in;
  storage->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i)
    if (!(in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n')) storage->push_back(in[i]);
  return *storage;
}

Raw ReadRegex(const std::string& pattern, std::string_view output) {
  std::string storage;
  std::string_view text = NormaliseNewlines(output.substr(0, kMaxOutput), &storage);
  std::optional<std::string_view> value;
  try {
    value = Match(CachedPattern(pattern), text);
  } catch (const std::regex_error& e) {
    return Failed(std::string("bad regex: ") + e.what());
  } catch (const std::exception& e) {  // bad_alloc, length_error: give up on this output
    return Failed(std::string("regex failed: ") + e.what());
  }
  if (!value) return Absent("pattern did not match (" + FirstLine(text) + ")");
  return Found(Trim(*value));
}

std::string TooLarge(std::string_view output) {
  return "output too large (" + std::to_string(output.size()) + " bytes, at most " +
         std::to_string(kMaxOutput) + ")";
}

Raw ReadWhole(std::string_view output) {
  if (output.size() > kMaxOutput) return Failed(TooLarge(output));
  std::string_view v = Trim(output);
  if (v.empty()) return Absent("output is empty");
  return Found(v);
}

// Drops nlohmann's "[json.exception.parse_error.101] " prefix.
std::string JsonMessage(const std::exception& e) {
  std::string_view w = e.what();
  if (w.starts_with("[json.exception.")) {
    if (size_t close = w.find("] "); close != std::string_view::npos) w.remove_prefix(close + 2);
  }
  return std::string(w);
}

// The node at `ptr`, or nullptr where the path leads nowhere ("/a/x" into an
// array, an index past the end, a key of a string).
const nlohmann::json* Follow(const nlohmann::json& doc, const nlohmann::json::json_pointer& ptr) {
  try {
    return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

Raw ReadJsonPointer(const std::string& pointer, std::string_view output) {
  using nlohmann::json;
  if (output.size() > kMaxOutput) return Failed(TooLarge(output));
  json::json_pointer ptr;
  try {
    ptr = json::json_pointer(pointer);
  } catch (const json::exception& e) {
    return Failed("bad JSON pointer: " + JsonMessage(e));
  }
  json doc = json::parse(output.begin(), output.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Failed("output is not JSON (" + FirstLine(output) + ")");
  const json* node = Follow(doc, ptr);
  std::string what = "JSON pointer " + Show(pointer);
  if (node == nullptr || node->is_null()) return Absent(what + " not found");
  if (node->is_string()) return Found(node->get_ref<const std::string&>());
  if (node->is_object()) return Failed(what + " is an object, not a value");
  if (node->is_array()) return Failed(what + " is an array, not a value");
  return Found(node->dump());  // number or boolean, as JSON writes it
}

Raw ReadRaw(const FactSpec& spec, std::string_view output) {
  switch (spec.kind) {
    case FactKind::kRegex: return ReadRegex(spec.pattern, output);
    case FactKind::kWhole: return ReadWhole(output);
    case FactKind::kJsonPointer: return ReadJsonPointer(spec.pattern, output);
  }
  return Failed("unknown fact kind");
}

std::string Allowed(const std::map<std::string, std::string>& map) {
  std::string out;
  for (const auto& [raw, norm] : map) out += (out.empty() ? "" : ", ") + raw;
  return out;
}

FactValue Ok(std::string v) { return {true, std::move(v), ""}; }
FactValue Err(std::string e) { return {false, "", std::move(e)}; }

}  // namespace

// The fallback is already a normalised value: it does not go through `map`.
FactValue ExtractFact(const FactSpec& spec, std::string_view output) {
  Raw raw = ReadRaw(spec, output);
  if (raw.state == Raw::kAbsent && spec.fallback) return Ok(*spec.fallback);
  if (raw.state != Raw::kFound) return Err(std::move(raw.text));
  if (spec.map.empty()) return Ok(std::move(raw.text));
  auto it = spec.map.find(raw.text);
  if (it == spec.map.end())
    return Err("value " + Show(raw.text) + " is not one of: " + Allowed(spec.map));
  return Ok(it->second);
}

std::string CheckFactPattern(const FactSpec& spec) {
  switch (spec.kind) {
    case FactKind::kRegex:
      if (spec.pattern.empty() || spec.pattern == kMultilinePrefix) return "empty regex";
      try {
        CompilePattern(spec.pattern);
      } catch (const std::regex_error& e) {
        return std::string("bad regex: ") + e.what();
      }
      return "";
    case FactKind::kJsonPointer:
      try {
        nlohmann::json::json_pointer p(spec.pattern);
      } catch (const std::exception& e) {
        return "bad JSON pointer: " + JsonMessage(e);
      }
      return "";
    case FactKind::kWhole:
      return "";
  }
  return "";
}

}  // namespace harc
