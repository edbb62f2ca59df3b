// harc.plan/v1: the writer builds one nlohmann document (std::map objects, so
// keys come out sorted) and dumps it with a 2-space indent; the reader is strict
// and reports the first problem with its JSON path. The hash covers the whole
// content, so a plan edited by hand is refused before anything is applied.
//
// Keys a step always has: action, member, reason, disruptive, serving_before,
// serving_after, host, command, timeout_ms, interval_ms, stable_ms. Keys it has
// only where its action uses them: target, component, version, setting, value,
// guard, until. A condition is {fact, is}, plus member for a guard on a peer's
// fact. A cluster always has all its keys but refusal, which only an unsafe
// cluster has.
#include "compiler/plan_json.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "compiler/diag.h"
#include "compiler/sha256.h"

namespace harc {

namespace {

using nlohmann::json;

std::string Dump(const json& doc) {
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// ---------------------------------------------------------------- writing

json ConditionToJson(const Condition& c) {
  json j = {{"fact", c.fact}, {"is", c.is}};
  if (!c.member.empty()) j["member"] = c.member;  // a guard on another member's fact
  return j;
}

void PutIfSet(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

json StepToJson(const Step& s) {
  json j = {{"action", ActionName(s.action)},   {"member", s.member},
            {"reason", s.reason},               {"disruptive", s.disruptive},
            {"serving_before", s.serving_before}, {"serving_after", s.serving_after},
            {"host", s.host},                   {"command", s.command},
            {"timeout_ms", s.timeout_ms},       {"interval_ms", s.interval_ms},
            {"stable_ms", s.stable_ms}};
  PutIfSet(j, "target", s.target);
  PutIfSet(j, "component", s.component);
  PutIfSet(j, "version", s.version);
  PutIfSet(j, "setting", s.setting);
  PutIfSet(j, "value", s.value);
  if (!s.guard.empty()) {
    j["guard"] = json::array();
    for (const Condition& c : s.guard) j["guard"].push_back(ConditionToJson(c));
  }
  if (s.until) j["until"] = ConditionToJson(*s.until);
  return j;
}

json ClusterToJson(const ClusterPlan& c) {
  json steps = json::array();
  for (const Step& s : c.steps) steps.push_back(StepToJson(s));
  json j = {{"cluster", c.cluster},
            {"platform", c.platform},
            {"wave", c.wave},
            {"status", ClusterStatusName(c.status)},
            {"steps", steps},
            {"unobservable", c.unobservable},
            {"depends_on", c.depends_on},
            {"fingerprint", c.fingerprint}};
  if (c.refusal) {
    const Refusal& r = *c.refusal;
    j["refusal"] = {
        {"cluster", r.cluster}, {"step", r.step}, {"rule", r.rule}, {"message", r.message}};
  }
  return j;
}

// Everything but the hash.
json PlanContent(const Plan& plan) {
  json clusters = json::array();
  for (const ClusterPlan& c : plan.clusters) clusters.push_back(ClusterToJson(c));
  return {{"format", Plan::kFormat}, {"commit", plan.commit}, {"clusters", clusters}};
}

// ---------------------------------------------------------------- reading

enum class Kind { kString, kBool, kInt, kObject, kArray };

bool IsKind(const json& v, Kind kind) {
  switch (kind) {
    case Kind::kString: return v.is_string();
    case Kind::kBool: return v.is_boolean();
    case Kind::kInt: return v.is_number_integer();
    case Kind::kObject: return v.is_object();
    case Kind::kArray: return v.is_array();
  }
  return false;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kString: return "a string";
    case Kind::kBool: return "true or false";
    case Kind::kInt: return "an integer";
    case Kind::kObject: return "an object";
    case Kind::kArray: return "an array";
  }
  return "?";
}

std::string Key(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Reads a parsed document into a Plan. Each method returns false on the first
// problem, which error() then names with its JSON path.
class PlanReader {
 public:
  bool Read(const json& root, Plan* out);
  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& path, const std::string& message) {
    error_ = path.empty() ? message : path + ": " + message;
    return false;
  }
  bool Expect(const json& v, Kind kind, const std::string& path);
  bool Keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed);
  // obj[key] when present and of `kind`; otherwise null, failing unless the
  // key is optional and absent.
  const json* Field(const json& obj, const std::string& path, const char* key, Kind kind,
                    bool required);
  // The typed readers; an absent optional key leaves *out as it is.
  bool Str(const json& obj, const std::string& path, const char* key, std::string* out,
           bool required = true);
  bool Int(const json& obj, const std::string& path, const char* key, int* out);
  bool Bool(const json& obj, const std::string& path, const char* key, bool* out);
  bool Format(const json& root);
  bool ReadCluster(const json& v, const std::string& path, ClusterPlan* c);
  bool ClusterLists(const json& v, const std::string& path, ClusterPlan* c);
  bool DependsOn(const json& v, const std::string& path, ClusterPlan* c);
  bool ReadRefusal(const json& v, const std::string& path, ClusterPlan* c);
  bool ReadStep(const json& v, const std::string& path, Step* s);
  bool StepAction(const json& v, const std::string& path, Step* s);
  bool StepFields(const json& v, const std::string& path, Step* s);
  bool StepConditions(const json& v, const std::string& path, Step* s);
  bool ReadCondition(const json& v, const std::string& path, Condition* c);

  std::string error_;
};

bool PlanReader::Expect(const json& v, Kind kind, const std::string& path) {
  if (IsKind(v, kind)) return true;
  return Fail(path, std::string("expected ") + KindName(kind) + ", got " + v.type_name());
}

bool PlanReader::Keys(const json& obj, const std::string& path,
                      std::initializer_list<const char*> allowed) {
  const std::vector<std::string> known(allowed.begin(), allowed.end());
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = "unknown key " + QuoteForMessage(key);
    if (std::string near = DidYouMean(key, known); !near.empty())
      message += " (did you mean '" + near + "'?)";
    return Fail(path, message);
  }
  return true;
}

const json* PlanReader::Field(const json& obj, const std::string& path, const char* key,
                              Kind kind, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) Fail(path, std::string("missing key '") + key + "'");
    return nullptr;
  }
  return Expect(*it, kind, Key(path, key)) ? &*it : nullptr;
}

bool PlanReader::Str(const json& obj, const std::string& path, const char* key,
                     std::string* out, bool required) {
  const json* v = Field(obj, path, key, Kind::kString, required);
  if (v) *out = v->get<std::string>();
  return error_.empty();
}

bool PlanReader::Int(const json& obj, const std::string& path, const char* key, int* out) {
  const json* v = Field(obj, path, key, Kind::kInt, true);
  if (!v) return false;
  if (v->is_number_unsigned() && v->get<uint64_t>() <= INT_MAX) {
    *out = v->get<int>();
    return true;
  }
  return Fail(Key(path, key), v->dump() + " is out of range (0.." + std::to_string(INT_MAX) + ")");
}

bool PlanReader::Bool(const json& obj, const std::string& path, const char* key, bool* out) {
  const json* v = Field(obj, path, key, Kind::kBool, true);
  if (v) *out = v->get<bool>();
  return v != nullptr;
}

bool PlanReader::Read(const json& root, Plan* out) {
  if (!root.is_object())
    return Fail("", std::string("expected a JSON object at the top, got ") + root.type_name());
  if (!Format(root)) return false;  // another version: the rest would only mislead
  std::string hash;
  if (!Keys(root, "", {"format", "commit", "hash", "clusters"}) ||
      !Str(root, "", "commit", &out->commit) || !Str(root, "", "hash", &hash))
    return false;
  const json* clusters = Field(root, "", "clusters", Kind::kArray, true);
  if (!clusters) return false;
  out->clusters.resize(clusters->size());
  for (size_t i = 0; i < clusters->size(); ++i)
    if (!ReadCluster((*clusters)[i], Index("clusters", i), &out->clusters[i])) return false;
  if (PlanHash(*out) != hash)
    return Fail("", "plan.json was modified after it was written: hash mismatch");
  for (size_t i = 0; i < out->clusters.size(); ++i) {
    const ClusterPlan& c = out->clusters[i];
    if (FactsFingerprint(c.depends_on) != c.fingerprint)
      return Fail(Key(Index("clusters", i), "fingerprint"), "does not match depends_on");
  }
  return true;
}

bool PlanReader::Format(const json& root) {
  std::string format;
  if (!Str(root, "", "format", &format)) return false;
  if (format == Plan::kFormat) return true;
  return Fail("format", std::string("expected '") + Plan::kFormat + "', got " +
                            QuoteForMessage(format));
}

bool PlanReader::ReadCluster(const json& v, const std::string& path, ClusterPlan* c) {
  if (!Expect(v, Kind::kObject, path) ||
      !Keys(v, path, {"cluster", "platform", "wave", "status", "steps", "refusal",
                      "unobservable", "depends_on", "fingerprint"}) ||
      !Str(v, path, "cluster", &c->cluster) || !Str(v, path, "platform", &c->platform) ||
      !Str(v, path, "wave", &c->wave) || !Str(v, path, "fingerprint", &c->fingerprint))
    return false;
  std::string status;
  if (!Str(v, path, "status", &status)) return false;
  std::optional<ClusterStatus> parsed = ParseClusterStatus(status);
  if (!parsed) return Fail(Key(path, "status"), "unknown status " + QuoteForMessage(status));
  c->status = *parsed;
  return ClusterLists(v, path, c) && DependsOn(v, path, c) && ReadRefusal(v, path, c);
}

bool PlanReader::ClusterLists(const json& v, const std::string& path, ClusterPlan* c) {
  const json* steps = Field(v, path, "steps", Kind::kArray, true);
  if (!steps) return false;
  c->steps.resize(steps->size());
  for (size_t i = 0; i < steps->size(); ++i)
    if (!ReadStep((*steps)[i], Index(Key(path, "steps"), i), &c->steps[i])) return false;
  const json* unobservable = Field(v, path, "unobservable", Kind::kArray, true);
  if (!unobservable) return false;
  for (size_t i = 0; i < unobservable->size(); ++i) {
    const json& item = (*unobservable)[i];
    if (!Expect(item, Kind::kString, Index(Key(path, "unobservable"), i))) return false;
    c->unobservable.push_back(item.get<std::string>());
  }
  return true;
}

bool PlanReader::DependsOn(const json& v, const std::string& path, ClusterPlan* c) {
  const json* members = Field(v, path, "depends_on", Kind::kObject, true);
  if (!members) return false;
  for (const auto& [member, facts] : members->items()) {
    const std::string member_path = Key(Key(path, "depends_on"), member);
    if (!Expect(facts, Kind::kObject, member_path)) return false;
    auto& into = c->depends_on[member];
    for (const auto& [fact, value] : facts.items()) {
      if (!Expect(value, Kind::kString, Key(member_path, fact))) return false;
      into[fact] = value.get<std::string>();
    }
  }
  return true;
}

bool PlanReader::ReadRefusal(const json& v, const std::string& path, ClusterPlan* c) {
  const json* r = Field(v, path, "refusal", Kind::kObject, false);
  if (!error_.empty()) return false;
  if ((r != nullptr) != (c->status == ClusterStatus::kUnsafe))
    return Fail(path, r ? "only an unsafe cluster has a refusal"
                        : "an unsafe cluster needs a refusal saying why");
  if (!r) return true;
  const std::string rpath = Key(path, "refusal");
  Refusal refusal;
  if (!Keys(*r, rpath, {"cluster", "step", "rule", "message"}) ||
      !Str(*r, rpath, "cluster", &refusal.cluster) || !Int(*r, rpath, "step", &refusal.step) ||
      !Str(*r, rpath, "rule", &refusal.rule) || !Str(*r, rpath, "message", &refusal.message))
    return false;
  c->refusal = std::move(refusal);
  return true;
}

bool PlanReader::ReadStep(const json& v, const std::string& path, Step* s) {
  return Expect(v, Kind::kObject, path) &&
         Keys(v, path, {"action", "member", "target", "component", "version", "setting",
                        "value", "reason", "disruptive", "serving_before", "serving_after",
                        "host", "command", "guard", "until", "timeout_ms", "interval_ms",
                        "stable_ms"}) &&
         StepAction(v, path, s) && StepFields(v, path, s) && StepConditions(v, path, s);
}

// The action, and the keys that action cannot do without.
bool PlanReader::StepAction(const json& v, const std::string& path, Step* s) {
  std::string name;
  if (!Str(v, path, "action", &name)) return false;
  std::optional<Action> action = ParseAction(name);
  if (!action) return Fail(Key(path, "action"), "unknown action " + QuoteForMessage(name));
  s->action = *action;
  std::vector<const char*> needs;
  if (s->action == Action::kInstall) needs = {"component", "version"};
  if (s->action == Action::kSet) needs = {"setting", "value"};
  if (s->action == Action::kFailover) needs = {"target"};
  for (const char* key : needs)
    if (!v.contains(key))
      return Fail(path, std::string(ActionName(s->action)) + " needs '" + key + "'");
  return true;
}

bool PlanReader::StepFields(const json& v, const std::string& path, Step* s) {
  return Str(v, path, "member", &s->member) && Str(v, path, "target", &s->target, false) &&
         Str(v, path, "component", &s->component, false) &&
         Str(v, path, "version", &s->version, false) &&
         Str(v, path, "setting", &s->setting, false) &&
         Str(v, path, "value", &s->value, false) && Str(v, path, "reason", &s->reason) &&
         Bool(v, path, "disruptive", &s->disruptive) &&
         Int(v, path, "serving_before", &s->serving_before) &&
         Int(v, path, "serving_after", &s->serving_after) && Str(v, path, "host", &s->host) &&
         Str(v, path, "command", &s->command) && Int(v, path, "timeout_ms", &s->timeout_ms) &&
         Int(v, path, "interval_ms", &s->interval_ms) &&
         Int(v, path, "stable_ms", &s->stable_ms);
}

bool PlanReader::StepConditions(const json& v, const std::string& path, Step* s) {
  if (const json* guard = Field(v, path, "guard", Kind::kArray, false)) {
    s->guard.resize(guard->size());
    for (size_t i = 0; i < guard->size(); ++i)
      if (!ReadCondition((*guard)[i], Index(Key(path, "guard"), i), &s->guard[i])) return false;
  }
  if (!error_.empty()) return false;
  const json* until = Field(v, path, "until", Kind::kObject, false);
  if (!until) return error_.empty();
  s->until.emplace();
  return ReadCondition(*until, Key(path, "until"), &*s->until);
}

bool PlanReader::ReadCondition(const json& v, const std::string& path, Condition* c) {
  return Expect(v, Kind::kObject, path) && Keys(v, path, {"fact", "is", "member"}) &&
         Str(v, path, "fact", &c->fact) && Str(v, path, "is", &c->is) &&
         Str(v, path, "member", &c->member, false);
}

// "[json.exception.parse_error.101] parse error at line 3, ..." -> from "parse error".
std::string ParseErrorText(const std::string& what) {
  const size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

// One field of the fingerprint's encoding: its length, ':', the bytes, ','
// (a netstring). Each member is its name, its fact count, then fact and value
// per fact, so no two different maps encode alike (a member with no facts too).
void AppendNetstring(std::string* out, const std::string& s) {
  *out += std::to_string(s.size()) + ":" + s + ",";
}

}  // namespace

std::string PlanToJson(const Plan& plan) {
  json doc = PlanContent(plan);
  doc["hash"] = Sha256Hex(Dump(doc));
  return Dump(doc);
}

std::string PlanHash(const Plan& plan) { return Sha256Hex(Dump(PlanContent(plan))); }

bool PlanFromJson(std::string_view text, Plan* out, std::string* error) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    *error = ParseErrorText(e.what());
    return false;
  }
  Plan plan;
  PlanReader reader;
  if (!reader.Read(root, &plan)) {
    *error = reader.error();
    return false;
  }
  *out = std::move(plan);
  return true;
}

std::string FactsFingerprint(
    const std::map<std::string, std::map<std::string, std::string>>& facts) {
  std::string encoded = "harc.facts/v1\n";
  for (const auto& [member, values] : facts) {
    AppendNetstring(&encoded, member);
    AppendNetstring(&encoded, std::to_string(values.size()));
    for (const auto& [fact, value] : values) {
      AppendNetstring(&encoded, fact);
      AppendNetstring(&encoded, value);
    }
  }
  return Sha256Hex(encoded);
}

}  // namespace harc
