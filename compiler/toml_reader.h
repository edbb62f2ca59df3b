// Strict reading of TOML for the loaders. toml++ parses; this layer makes the
// result strict. Every key a table may hold is asked for by name and type, and
// whatever nobody asked for is reported as an unknown key with a "did you mean".
// Each error goes to a DiagSink at the node's own line and column, which toml++
// keeps on every node, so a check made long after parsing still points at the
// offending token. Messages name keys, never C++ types: "wrong type for 'port':
// expected an integer, found a string".
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag.h"
#include "compiler/load.h"

namespace harc {

// Parses file.text. A syntax error is reported at toml++'s position (one
// diagnostic: toml++ stops at the first) and yields nullopt.
std::optional<toml::table> ParseToml(const SourceFile& file, DiagSink* sink);

// Where a node or a key starts.
SourcePos PosOf(const toml::node& node);
SourcePos PosOf(const toml::key& key);

// "a string", "an integer", "a table", ... for "expected X, found Y".
std::string TypeName(toml::node_type type);

// Reports "wrong type for 'key': expected <expected>, found <node's type>".
void ReportWrongType(const toml::node& node, std::string_view key, std::string_view expected,
                     DiagSink* sink);

// Milliseconds in "500ms", "30s", "2m" or "1h". False when text is none of
// these or does not fit in an int.
bool ParseDuration(std::string_view text, int* ms);

// The checks of shell.h with messages that name the broken rule:
// not a safe value: 'a;b' (';' is not allowed; values are ...).
// Each returns true when s is safe and reports at pos otherwise.
bool CheckIdentifier(std::string_view s, const SourcePos& pos, DiagSink* sink);
bool CheckValue(std::string_view s, const SourcePos& pos, DiagSink* sink);

// A setting's value: a string, an integer or a boolean ("manual", 100, true)
// as text, which must pass IsSafeValue. Reports at the node otherwise.
bool ReadSettingValue(const toml::node& node, std::string_view key, std::string* out,
                      DiagSink* sink);

// "; did you mean 'x'?" when DidYouMean finds x among candidates, else "".
std::string DidYouMeanSuffix(std::string_view word, const std::vector<std::string>& candidates);

// A key as TOML would write it: bare when it can be, else double-quoted.
std::string TomlKey(std::string_view key);

enum class Need { kOptional, kRequired };

// Reads the keys of one table. Each getter marks its key as known, reports a
// wrong type or a bad value at the value, and returns true only when it set
// *out, so a default in *out survives an absent or broken key.
class TableReader {
 public:
  // `where` names the table in messages: "" for a file's root table, "[ha]",
  // "[[member]]", "'until'". REQUIRES: table and sink outlive the reader.
  TableReader(const toml::table& table, std::string where, DiagSink* sink);

  bool String(std::string_view key, std::string* out, Need need = Need::kOptional);
  // A string that must pass IsSafeIdentifier / IsSafeValue.
  bool Identifier(std::string_view key, std::string* out, Need need = Need::kOptional);
  bool Value(std::string_view key, std::string* out, Need need = Need::kOptional);
  bool Bool(std::string_view key, bool* out, Need need = Need::kOptional);
  // An integer within lo..hi.
  bool Int(std::string_view key, int lo, int hi, int* out, Need need = Need::kOptional);
  // A duration string (see ParseDuration), in milliseconds, at least min_ms.
  bool Duration(std::string_view key, int min_ms, int* out, Need need = Need::kOptional);
  // A non-empty array of distinct strings, each checked as an identifier.
  bool IdentifierArray(std::string_view key, std::vector<std::string>* out,
                       Need need = Need::kOptional);
  const toml::table* Table(std::string_view key, Need need = Need::kOptional);
  const toml::array* Array(std::string_view key, Need need = Need::kOptional);

  bool Has(std::string_view key) const { return table_.contains(key); }
  // Where key's value starts; the table's own position when it is absent.
  SourcePos PosOf(std::string_view key) const;

  // Reports every key that no getter asked for, with a "did you mean".
  // Call once, after the getters.
  void ReportUnknownKeys();

 private:
  // The node at key, marking key known; reports a missing required key.
  const toml::node* Find(std::string_view key, Need need);
  // The node at key when it has the given type; reports it otherwise.
  const toml::node* FindTyped(std::string_view key, toml::node_type type, Need need);
  void ReportMissing(std::string_view key);
  // Appends element to *out when it is a safe, new identifier.
  bool ArrayIdentifier(const toml::node& element, std::string_view key,
                       std::vector<std::string>* out);

  const toml::table& table_;
  std::string where_;
  DiagSink* sink_;
  std::vector<std::string> known_;
};

}  // namespace harc
