// harc.observed/v1 reading and writing. The reader is strict, as the fleet
// loader is: a snapshot is evidence that plans are made from, so a misspelt key,
// a number where a string belongs or a member listed twice is an error, never a
// silent default. Every error of the file is reported at once, each at its
// line and column.
//
// The reader is one SAX pass straight into the ObservedFleet, without a JSON
// DOM: a 10,000-cluster snapshot is read in a third of the time a DOM takes,
// and the pass knows where in the text each key and value lies, which a DOM
// forgets.
#include "compiler/observed.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "compiler/shell.h"

namespace harc {

namespace {

using nlohmann::json;

constexpr const char* kObservedFormat = "harc.observed/v1";
constexpr size_t kWholeFile = std::string_view::npos;

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// A pointer into the text that publishes, through *reached, how far the JSON
// lexer has read; the SAX handler reads it to place each event in the text.
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator(const char* p, const char** reached) : p_(p), reached_(reached) {}
  reference operator*() const { return *p_; }
  TrackingIterator& operator++() {
    *reached_ = ++p_;
    return *this;
  }
  bool operator==(const TrackingIterator& other) const { return p_ == other.p_; }

 private:
  const char* p_;
  const char** reached_;
};

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Offsets of line starts, to turn byte offsets into line:col. Columns count
// code points, as toml++ and the diagnostic caret do.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  SourcePos At(size_t offset, const std::string& file) const {
    offset = std::min(offset, text_.size());
    const size_t line = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin();
    int col = 1;
    for (size_t i = starts_[line - 1]; i < offset; ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    return SourcePos{file, static_cast<int>(line), col};
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

// "syntax error while parsing value - unexpected ','; expected ..." -> the part
// after " - ": nlohmann's prefix and its own line/column are noise here.
std::string ParseErrorReason(const std::string& what) {
  const size_t dash = what.find(" - ");
  if (dash != std::string::npos) return what.substr(dash + 3);
  const size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

enum class Type { kNull, kBool, kNumber, kString, kObject, kArray };

const char* TypeName(Type t) {  // as nlohmann's type_name() says it
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "boolean";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kObject: return "object";
    case Type::kArray: return "array";
  }
  return "?";
}

const char* Expected(Type t) {
  switch (t) {
    case Type::kString: return "a string";
    case Type::kBool: return "true or false";
    case Type::kObject: return "an object";
    default: return TypeName(t);
  }
}

// The objects of the format, outermost first; kSkip is any value being read
// past because its key or its type was wrong (already reported).
enum class Level { kRoot, kClusters, kCluster, kMembers, kMember, kFacts, kSkip };

// What the value under a key must be, and the level it opens when an object.
struct Slot {
  Type type;
  Level child = Level::kSkip;
};

struct Problem {
  size_t offset;  // kWholeFile: no position
  std::string message;
};

// The SAX handler (nlohmann's interface names): builds the ObservedFleet and
// collects every problem with the offset it is about.
class ObservedSax {
 public:
  ObservedSax(std::string_view text, const char* const* reached, ObservedFleet* out)
      : text_(text), reached_(reached), out_(out) {}

  bool null() { return Scalar(Type::kNull, nullptr, false); }
  bool boolean(bool b) { return Scalar(Type::kBool, nullptr, b); }
  bool number_integer(json::number_integer_t) { return Scalar(Type::kNumber, nullptr, false); }
  bool number_unsigned(json::number_unsigned_t) { return Scalar(Type::kNumber, nullptr, false); }
  bool number_float(json::number_float_t, const std::string&) {
    return Scalar(Type::kNumber, nullptr, false);
  }
  bool string(std::string& s) { return Scalar(Type::kString, &s, false); }
  bool binary(json::binary_t&) { return Scalar(Type::kNull, nullptr, false); }  // not in JSON text
  bool start_object(size_t) { return Open(Type::kObject); }
  bool start_array(size_t) { return Open(Type::kArray); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(std::string& k);
  bool parse_error(size_t byte, const std::string&, const nlohmann::detail::exception& e);

  // Every problem, in the order of the text; only the format's when it is
  // wrong (another version: the rest would only mislead).
  std::vector<Problem> TakeProblems();

 private:
  struct Frame {
    Level level = Level::kSkip;
    std::string path;          // of this object
    size_t open = 0;           // offset of its '{'
    std::string key;           // the key whose value comes next
    size_t key_start = 0;      // offset of that key's opening quote
    size_t key_end = 0;        // just past its closing quote
    bool skip_value = false;   // that key was bad: read past its value
    std::set<std::string> keys;  // seen so far
  };

  size_t Reached() const { return static_cast<size_t>(*reached_ - text_.data()); }
  size_t KeyStart(size_t key_end) const;
  size_t ValueStart(size_t key_end) const;  // the value after "key":
  void Report(size_t offset, const std::string& path, const std::string& message);

  bool Scalar(Type type, std::string* s, bool b);
  bool Open(Type type);
  bool Close();
  bool ValueIsWanted(Frame& top, Type type, size_t offset);
  void Store(const Frame& top, std::string* s, bool b);
  void Enter(Level level, const Frame& parent);
  void Leave(const Frame& f);
  bool KeyIsKnown(const Frame& top);
  bool CheckKeys(const Frame& top, const std::vector<std::string>& known);
  bool CheckName(const Frame& top, const char* what);
  void RequireKey(const Frame& f, const char* key);
  void FinishCluster(const Frame& f);
  void FinishMember(const Frame& f);
  void FinishRoot(const Frame& f);

  std::string_view text_;
  const char* const* reached_;
  ObservedFleet* out_;
  std::vector<Frame> stack_;
  std::vector<Problem> problems_;
  ObservedCluster* cluster_ = nullptr;  // the cluster being read
  ObservedMember member_;               // the member being read
  size_t facts_key_ = kWholeFile;       // where the member's "facts" key is
  std::string format_;
  size_t format_at_ = kWholeFile;
  bool top_is_object_ = true;
};

size_t ObservedSax::KeyStart(size_t key_end) const {
  // Back from the closing quote to the opening one: the first quote not
  // escaped by an odd run of backslashes.
  for (size_t i = key_end - 1; i-- > 0;) {
    if (text_[i] != '"') continue;
    size_t backslashes = 0;
    while (backslashes < i && text_[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i;
  }
  return 0;
}

size_t ObservedSax::ValueStart(size_t key_end) const {
  size_t i = key_end;
  while (i < text_.size() && (IsJsonSpace(text_[i]) || text_[i] == ':')) ++i;
  return i;
}

void ObservedSax::Report(size_t offset, const std::string& path, const std::string& message) {
  problems_.push_back({offset, path.empty() ? message : path + ": " + message});
}

bool ObservedSax::parse_error(size_t byte, const std::string&,
                              const nlohmann::detail::exception& e) {
  problems_ = {{byte == 0 ? 0 : byte - 1, "invalid JSON: " + ParseErrorReason(e.what())}};
  top_is_object_ = false;  // no format check on a text that is not JSON
  return false;
}

bool ObservedSax::key(std::string& k) {
  Frame& top = stack_.back();
  top.key = k;
  top.key_end = Reached();
  top.key_start = KeyStart(top.key_end);
  if (top.level == Level::kSkip) return true;
  if (!top.keys.insert(k).second) {
    Report(top.key_start, top.path, "duplicate key " + QuoteForMessage(k));
    top.skip_value = true;
  } else {
    top.skip_value = !KeyIsKnown(top);
  }
  if (top.level == Level::kMember && k == "facts") facts_key_ = top.key_start;
  return true;
}

bool ObservedSax::KeyIsKnown(const Frame& top) {
  switch (top.level) {
    case Level::kRoot: return CheckKeys(top, {"format", "gathered_at", "clusters"});
    case Level::kClusters: return CheckName(top, "cluster");
    case Level::kCluster: return CheckKeys(top, {"members"});
    case Level::kMembers: return CheckName(top, "member");
    case Level::kMember: return CheckKeys(top, {"host", "reachable", "error", "facts"});
    case Level::kFacts: return true;
    case Level::kSkip: return false;
  }
  return false;
}

bool ObservedSax::CheckKeys(const Frame& top, const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), top.key) != known.end()) return true;
  std::string message = "unknown key " + QuoteForMessage(top.key);
  if (std::string near = DidYouMean(top.key, known); !near.empty())
    message += " (did you mean '" + near + "'?)";
  Report(top.key_start, top.path, message);
  return false;
}

bool ObservedSax::CheckName(const Frame& top, const char* what) {
  if (IsSafeIdentifier(top.key)) return true;
  Report(top.key_start, top.path,
         std::string(what) + " name " + QuoteForMessage(top.key) +
             " is not a safe identifier (a letter or digit, then letters, digits, '_', '.', "
             "'-'; at most 64)");
  return false;
}

Slot SlotOf(Level level, const std::string& key) {
  switch (level) {
    case Level::kRoot:
      return key == "clusters" ? Slot{Type::kObject, Level::kClusters} : Slot{Type::kString};
    case Level::kClusters: return {Type::kObject, Level::kCluster};
    case Level::kCluster: return {Type::kObject, Level::kMembers};
    case Level::kMembers: return {Type::kObject, Level::kMember};
    case Level::kMember:
      if (key == "facts") return {Type::kObject, Level::kFacts};
      return {key == "reachable" ? Type::kBool : Type::kString};
    case Level::kFacts: return {Type::kString};
    case Level::kSkip: break;
  }
  return {Type::kNull};
}

// Whether the value now starting under top.key is to be read: false when the
// key was bad (already reported) or the value has the wrong type (reported).
bool ObservedSax::ValueIsWanted(Frame& top, Type type, size_t offset) {
  if (top.level == Level::kSkip || std::exchange(top.skip_value, false)) return false;
  const Type want = SlotOf(top.level, top.key).type;
  if (type == want) return true;
  Report(offset, Join(top.path, top.key),
         std::string("expected ") + Expected(want) + ", got " + TypeName(type));
  return false;
}

bool ObservedSax::Scalar(Type type, std::string* s, bool b) {
  if (stack_.empty()) {
    top_is_object_ = false;
    Report(ValueStart(0), "", std::string("expected a JSON object at the top, got ") +
                                  TypeName(type));
    return true;
  }
  Frame& top = stack_.back();
  if (ValueIsWanted(top, type, ValueStart(top.key_end))) Store(top, s, b);
  return true;
}

void ObservedSax::Store(const Frame& top, std::string* s, bool b) {
  const std::string& k = top.key;
  if (top.level == Level::kFacts) member_.facts[k] = std::move(*s);
  if (top.level == Level::kMember && k == "reachable") member_.reachable = b;
  if (top.level == Level::kMember && k == "host") member_.host = std::move(*s);
  if (top.level == Level::kMember && k == "error") member_.error = std::move(*s);
  if (top.level == Level::kRoot && k == "gathered_at") out_->gathered_at = std::move(*s);
  if (top.level == Level::kRoot && k == "format") {
    format_ = std::move(*s);
    format_at_ = ValueStart(top.key_end);
  }
}

bool ObservedSax::Open(Type type) {
  const size_t brace = Reached() - 1;
  Level level = Level::kSkip;
  if (stack_.empty() && type == Type::kObject) level = Level::kRoot;
  if (stack_.empty() && type != Type::kObject) {
    top_is_object_ = false;
    Report(brace, "", std::string("expected a JSON object at the top, got ") + TypeName(type));
  }
  if (!stack_.empty() && ValueIsWanted(stack_.back(), type, brace))
    level = SlotOf(stack_.back().level, stack_.back().key).child;
  Frame f;
  f.level = level;
  f.open = brace;
  if (!stack_.empty()) f.path = Join(stack_.back().path, stack_.back().key);
  if (!stack_.empty()) Enter(level, stack_.back());
  stack_.push_back(std::move(f));
  return true;
}

void ObservedSax::Enter(Level level, const Frame& parent) {
  if (level == Level::kCluster) {
    cluster_ = &out_->clusters[parent.key];
    cluster_->name = parent.key;
  }
  if (level == Level::kMember) {
    member_ = ObservedMember{};
    member_.name = parent.key;
    facts_key_ = kWholeFile;
  }
}

bool ObservedSax::Close() {
  const Frame f = std::move(stack_.back());
  stack_.pop_back();
  Leave(f);
  return true;
}

void ObservedSax::Leave(const Frame& f) {
  if (f.level == Level::kRoot) FinishRoot(f);
  if (f.level == Level::kCluster) FinishCluster(f);
  if (f.level == Level::kMember) FinishMember(f);
}

void ObservedSax::RequireKey(const Frame& f, const char* key) {
  if (!f.keys.count(key)) Report(f.open, f.path, std::string("missing key '") + key + "'");
}

// JSON objects have no order: members are kept sorted by name, so the same
// snapshot gives the same plan however its keys were ordered.
void ObservedSax::FinishCluster(const Frame& f) {
  RequireKey(f, "members");
  std::sort(cluster_->members.begin(), cluster_->members.end(),
            [](const ObservedMember& a, const ObservedMember& b) { return a.name < b.name; });
}

// An unreachable member was not seen: it has no facts, and says why.
void ObservedSax::FinishMember(const Frame& f) {
  RequireKey(f, "reachable");
  if (!member_.reachable && facts_key_ != kWholeFile)
    Report(facts_key_, Join(f.path, "facts"), "an unreachable member has no facts");
  if (!member_.reachable && member_.error.empty())
    Report(f.open, f.path, "an unreachable member needs an 'error' saying why");
  cluster_->members.push_back(std::move(member_));
}

void ObservedSax::FinishRoot(const Frame& f) {
  RequireKey(f, "format");
  RequireKey(f, "clusters");
}

std::vector<Problem> ObservedSax::TakeProblems() {
  if (!top_is_object_ || format_at_ == kWholeFile || format_ == kObservedFormat) {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const Problem& a, const Problem& b) { return a.offset < b.offset; });
    return std::move(problems_);
  }
  return {{format_at_, std::string("format: expected '") + kObservedFormat + "', got " +
                           QuoteForMessage(format_)}};
}

json MemberToJson(const ObservedMember& m) {
  json j = json::object();
  j["host"] = m.host;
  j["reachable"] = m.reachable;
  if (!m.error.empty()) j["error"] = m.error;
  if (m.reachable) j["facts"] = m.facts;
  return j;
}

}  // namespace

bool ParseObserved(std::string_view text, const std::string& file, ObservedFleet* out,
                   std::vector<Diagnostic>* errors) {
  ObservedFleet fleet;
  const char* reached = text.data();
  ObservedSax sax(text, &reached, &fleet);
  json::sax_parse(TrackingIterator(text.data(), &reached),
                  TrackingIterator(text.data() + text.size(), &reached), &sax);
  const std::vector<Problem> problems = sax.TakeProblems();
  if (problems.empty()) {
    *out = std::move(fleet);
    return true;
  }
  DiagSink sink;
  sink.SetSource(file, text);
  const LineIndex lines(text);
  for (const Problem& p : problems)
    sink.Error(p.offset == kWholeFile ? SourcePos{file, 0, 0} : lines.At(p.offset, file),
               p.message);
  *errors = sink.Take();
  return false;
}

std::string ObservedToJson(const ObservedFleet& observed) {
  json root = json::object();
  root["format"] = kObservedFormat;
  root["gathered_at"] = observed.gathered_at;
  json& clusters = root["clusters"] = json::object();
  for (const auto& [name, cluster] : observed.clusters) {
    json& members = clusters[name]["members"] = json::object();
    for (const ObservedMember& m : cluster.members) members[m.name] = MemberToJson(m);
  }
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace harc
