// LoadPlatform: one platform file (schemas/README.md) into a Platform. Besides
// the shape of each key it checks what the compiler later relies on without
// looking: the required facts and actions exist, every setting can be both read
// and written, role values are normalised, and command templates use only the
// placeholders a step can fill.
#include <algorithm>
#include <limits>

#include "compiler/facts.h"
#include "compiler/load.h"
#include "compiler/shell.h"
#include "compiler/toml_reader.h"

namespace harc {

namespace {

constexpr int kNoLimit = std::numeric_limits<int>::max();

struct StrategyName {
  std::string_view name;
  Strategy strategy;
};
constexpr StrategyName kStrategies[] = {
    {"standby-first", Strategy::kStandbyFirst},
    {"groups", Strategy::kGroups},
    {"rolling", Strategy::kRolling},
    {"leave-update-join", Strategy::kLeaveUpdateJoin},
};

const std::vector<std::string> kActionPlaceholders = {"member", "component", "version", "target",
                                                      "value"};
const std::vector<std::string> kFixedActions = {"backup", "drain", "undrain", "install",
                                                "leave",  "join",  "failover"};
const std::vector<std::string> kFixedFacts = {"role", "in_cluster", "sync", "boot_id"};

// The normalised values a fact may take; empty when any value goes.
std::vector<std::string> AllowedValues(const std::string& fact) {
  if (fact == "role") return {"active", "standby", "down"};
  if (fact == "in_cluster" || fact == "sync") return {"true", "false"};
  return {};
}

std::string List(const std::vector<std::string>& words, std::string_view before = "",
                 std::string_view after = "") {
  std::string out;
  for (const std::string& w : words)
    out += (out.empty() ? "" : ", ") + std::string(before) + w + std::string(after);
  return out;
}

// "unknown <what> 'name'; did you mean 'x'?", or with `known` in parentheses
// when no candidate is close.
std::string Unknown(std::string_view what, const std::string& name,
                    const std::vector<std::string>& candidates, const std::string& known) {
  std::string suggestion = DidYouMeanSuffix(name, candidates);
  return "unknown " + std::string(what) + " " + QuoteForMessage(name) +
         (suggestion.empty() ? " (" + known + ")" : suggestion);
}

// The {names} in tmpl, with "{{" and "}}" as literal braces (shell.h's rule).
// False, with *error set, on an unmatched brace.
bool Placeholders(std::string_view tmpl, std::vector<std::string>* names, std::string* error) {
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      ++i;
    } else if (c == '}') {
      *error = "unmatched '}'";
      return false;
    } else if (c == '{') {
      size_t close = tmpl.find_first_of("{}", i + 1);
      if (close == std::string_view::npos || tmpl[close] != '}') {
        *error = "unmatched '{'";
        return false;
      }
      names->emplace_back(tmpl.substr(i + 1, close - i - 1));
      i = close;
    }
  }
  return true;
}

class PlatformLoader {
 public:
  PlatformLoader(const SourceFile& file, Platform* out, DiagSink* sink)
      : file_(file), p_(*out), sink_(sink) {}

  void Load(const toml::table& root);

 private:
  void ReadTop(TableReader& r);
  void ReadStrategy(TableReader& r);
  void ReadRoles(TableReader& r);
  void ReadRunSettings(const toml::table& t);
  void ReadFacts(const toml::table& t);
  void ReadFact(const std::string& name, const toml::node& node);
  void ReadFactPattern(TableReader& r, FactSpec* f);
  void ReadFactValues(TableReader& r, FactSpec* f);
  void ReadActions(const toml::table& t);
  void ReadAction(const std::string& name, const toml::node& node);
  void ReadUntil(TableReader& r, const std::string& action, ActionSpec* a);
  bool CheckFactName(const std::string& name, const SourcePos& pos);
  bool CheckActionName(const std::string& name, const SourcePos& pos);
  void ReadRun(TableReader& r, const std::vector<std::string>& allowed, std::string* run);
  void CheckTemplate(const std::string& text, const std::vector<std::string>& allowed,
                     const SourcePos& pos, std::string_view key);
  void CheckAllowedValue(const std::string& fact, const std::string& value, const SourcePos& pos);
  void CheckUntilFact(const Condition& until, const SourcePos& pos);
  std::vector<std::string> RequiredFacts() const;
  bool IsRequiredFact(const std::string& name) const;
  void CheckRequired();
  void CheckSettingPairs();

  const SourceFile& file_;
  Platform& p_;
  DiagSink* sink_;
  std::map<std::string, SourcePos> run_setting_pos_;
  // False when `components` is broken: version.<x> facts are then not judged,
  // so one mistake does not come back as an error on every version fact.
  bool components_ok_ = false;
};

void PlatformLoader::Load(const toml::table& root) {
  p_.file = file_.path;
  TableReader r(root, "", sink_);
  ReadTop(r);
  if (const toml::table* t = r.Table("run_settings")) ReadRunSettings(*t);
  if (const toml::table* t = r.Table("facts")) ReadFacts(*t);
  if (const toml::table* t = r.Table("actions")) ReadActions(*t);
  r.ReportUnknownKeys();
  CheckRequired();
  CheckSettingPairs();
}

void PlatformLoader::ReadTop(TableReader& r) {
  if (r.Identifier("name", &p_.name, Need::kRequired)) {
    std::string_view stem = file_.path;
    stem.remove_prefix(stem.find_last_of('/') + 1);
    if (stem.ends_with(".toml")) stem.remove_suffix(5);
    if (p_.name != stem) {
      sink_->Error(r.PosOf("name"), "platform name " + QuoteForMessage(p_.name) +
                                        " does not match its file name " + QuoteForMessage(stem));
    }
  }
  std::string description;
  r.String("description", &description);
  ReadStrategy(r);
  components_ok_ = r.IdentifierArray("components", &p_.components, Need::kRequired);
  r.Bool("mixed_versions", &p_.mixed_versions);
  r.Int("max_members", 0, kNoLimit, &p_.max_members);
  r.Int("max_members_per_site", 0, kNoLimit, &p_.max_members_per_site);
  ReadRoles(r);
  r.Bool("drain_fails_over", &p_.drain_fails_over);
}

void PlatformLoader::ReadStrategy(TableReader& r) {
  std::string name;
  if (!r.String("strategy", &name, Need::kRequired)) return;
  std::vector<std::string> names;
  for (const StrategyName& s : kStrategies) {
    if (s.name == name) {
      p_.strategy = s.strategy;
      return;
    }
    names.emplace_back(s.name);
  }
  sink_->Error(r.PosOf("strategy"),
               Unknown("strategy", name, names, "strategies are " + List(names)));
}

void PlatformLoader::ReadRoles(TableReader& r) {
  std::string roles;
  if (!r.String("roles", &roles)) return;
  if (roles == "active-standby" || roles == "active-active") {
    p_.active_standby = roles == "active-standby";
    return;
  }
  sink_->Error(r.PosOf("roles"), "unknown roles " + QuoteForMessage(roles) +
                                     " (expected 'active-standby' or 'active-active')");
}

void PlatformLoader::ReadRunSettings(const toml::table& t) {
  for (auto&& [key, node] : t) {
    std::string name(key.str());
    if (!CheckIdentifier(name, PosOf(key), sink_)) continue;
    run_setting_pos_[name] = PosOf(key);
    ReadSettingValue(node, name, &p_.run_settings[name], sink_);
  }
}

// ---------------------------------------------------------------- facts

void PlatformLoader::ReadFacts(const toml::table& t) {
  for (auto&& [key, node] : t) {
    std::string name(key.str());
    if (CheckFactName(name, PosOf(key))) ReadFact(name, node);
  }
}

bool PlatformLoader::CheckFactName(const std::string& name, const SourcePos& pos) {
  if (name.starts_with("setting.")) return CheckIdentifier(name.substr(8), pos, sink_);
  if (name.starts_with("version.") && !components_ok_) return true;
  std::vector<std::string> known = kFixedFacts;
  for (const std::string& c : p_.components) known.push_back("version." + c);
  if (std::find(known.begin(), known.end(), name) != known.end()) return true;
  sink_->Error(pos, Unknown("fact", name, known,
                            "facts are " + List(kFixedFacts) +
                                ", version.<component> for a component, setting.<name>"));
  return false;
}

void PlatformLoader::ReadFact(const std::string& name, const toml::node& node) {
  if (!node.is_table()) {
    ReportWrongType(node, name, "a table", sink_);
    return;
  }
  FactSpec& f = p_.facts[name];
  f.name = name;
  f.pos = PosOf(node);
  TableReader r(*node.as_table(), "[facts." + TomlKey(name) + "]", sink_);
  std::vector<std::string> allowed = {"member"};
  if (name.starts_with("version.")) allowed.push_back("component");
  ReadRun(r, allowed, &f.run);
  ReadFactPattern(r, &f);
  ReadFactValues(r, &f);
  r.ReportUnknownKeys();
}

void PlatformLoader::ReadFactPattern(TableReader& r, FactSpec* f) {
  std::string regex, pointer;
  bool has_regex = r.String("regex", &regex);
  bool has_pointer = r.String("pointer", &pointer);
  if (has_regex && has_pointer) {
    sink_->Error(r.PosOf("pointer"),
                 "fact " + QuoteForMessage(f->name) + " has both 'regex' and 'pointer'; use one");
    return;
  }
  if (!has_regex && !has_pointer) return;  // the whole output
  f->kind = has_regex ? FactKind::kRegex : FactKind::kJsonPointer;
  f->pattern = has_regex ? regex : pointer;
  std::string why = CheckFactPattern(*f);
  if (!why.empty())
    sink_->Error(r.PosOf(has_regex ? "regex" : "pointer"),
                 "fact " + QuoteForMessage(f->name) + ": " + why);
}

void PlatformLoader::ReadFactValues(TableReader& r, FactSpec* f) {
  if (const toml::table* map = r.Table("map")) {
    for (auto&& [raw, value] : *map) {
      if (!value.is_string()) {
        ReportWrongType(value, raw.str(), "a string", sink_);
        continue;
      }
      f->map[std::string(raw.str())] = value.as_string()->get();
      CheckAllowedValue(f->name, value.as_string()->get(), PosOf(value));
    }
  }
  std::string fallback;
  if (r.String("default", &fallback)) {
    f->fallback = fallback;
    CheckAllowedValue(f->name, fallback, r.PosOf("default"));
  }
}

void PlatformLoader::CheckAllowedValue(const std::string& fact, const std::string& value,
                                       const SourcePos& pos) {
  std::vector<std::string> allowed = AllowedValues(fact);
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  sink_->Error(pos, "fact " + QuoteForMessage(fact) + " cannot be " + QuoteForMessage(value) +
                        " (it is one of " + List(allowed) + ")");
}

// ---------------------------------------------------------------- actions

void PlatformLoader::ReadActions(const toml::table& t) {
  for (auto&& [key, node] : t) {
    std::string name(key.str());
    if (CheckActionName(name, PosOf(key))) ReadAction(name, node);
  }
}

bool PlatformLoader::CheckActionName(const std::string& name, const SourcePos& pos) {
  if (name.starts_with("set.")) return CheckIdentifier(name.substr(4), pos, sink_);
  if (std::find(kFixedActions.begin(), kFixedActions.end(), name) != kFixedActions.end())
    return true;
  sink_->Error(pos, Unknown("action", name, kFixedActions,
                            "actions are " + List(kFixedActions) + ", set.<setting>"));
  return false;
}

void PlatformLoader::ReadAction(const std::string& name, const toml::node& node) {
  if (!node.is_table()) {
    ReportWrongType(node, name, "a table", sink_);
    return;
  }
  ActionSpec& a = p_.actions[name];
  a.name = name;
  a.pos = PosOf(node);
  TableReader r(*node.as_table(), "[actions." + TomlKey(name) + "]", sink_);
  ReadRun(r, kActionPlaceholders, &a.run);
  ReadUntil(r, name, &a);
  r.Duration("timeout", 1, &a.timeout_ms);
  r.Duration("interval", 1, &a.interval_ms);
  r.Duration("stable", 0, &a.stable_ms);
  r.ReportUnknownKeys();
}

void PlatformLoader::ReadUntil(TableReader& r, const std::string& action, ActionSpec* a) {
  const toml::table* t = r.Table("until");
  if (!t) return;
  TableReader u(*t, "'until' of [actions." + TomlKey(action) + "]", sink_);
  Condition c;
  bool ok = u.String("fact", &c.fact, Need::kRequired);
  ok = u.String("is", &c.is, Need::kRequired) && ok;
  u.ReportUnknownKeys();
  if (!ok) return;
  CheckTemplate(c.fact, kActionPlaceholders, u.PosOf("fact"), "fact");
  CheckTemplate(c.is, kActionPlaceholders, u.PosOf("is"), "is");
  CheckUntilFact(c, u.PosOf("fact"));
  if (c.is.find('{') == std::string::npos) CheckAllowedValue(c.fact, c.is, u.PosOf("is"));
  a->until = c;
}

// The fact an `until` waits for must be one the platform reads. A templated
// name ("version.{component}") is checked for every component.
void PlatformLoader::CheckUntilFact(const Condition& until, const SourcePos& pos) {
  std::vector<std::string> names = {until.fact};
  if (until.fact.find('{') != std::string::npos) {
    names.clear();
    for (const std::string& c : p_.components) {
      std::string name, error;
      if (RenderText(until.fact, {{"component", c}}, &name, &error)) names.push_back(name);
    }
  }
  for (const std::string& name : names) {
    if (p_.facts.count(name) || IsRequiredFact(name)) continue;  // CheckRequired reports it
    sink_->Error(pos, "'until' waits for fact " + QuoteForMessage(name) +
                          ", which the platform does not define");
    return;
  }
}

// `run`, a non-empty command using only the `allowed` placeholders.
void PlatformLoader::ReadRun(TableReader& r, const std::vector<std::string>& allowed,
                             std::string* run) {
  if (!r.String("run", run, Need::kRequired)) return;
  if (run->empty()) sink_->Error(r.PosOf("run"), "'run' is empty");
  CheckTemplate(*run, allowed, r.PosOf("run"), "run");
}

void PlatformLoader::CheckTemplate(const std::string& text, const std::vector<std::string>& allowed,
                                   const SourcePos& pos, std::string_view key) {
  std::vector<std::string> names;
  std::string error;
  if (!Placeholders(text, &names, &error)) {
    sink_->Error(pos, error + " in " + QuoteForMessage(key) + " (write {{ or }} for a brace)");
    return;
  }
  for (const std::string& name : names) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    sink_->Error(pos, "unknown placeholder {" + name + "} in " + QuoteForMessage(key) +
                          " (placeholders here are " + List(allowed, "{", "}") + ")");
  }
}

// ---------------------------------------------------------------- whole-file checks

std::vector<std::string> PlatformLoader::RequiredFacts() const {
  std::vector<std::string> facts = {"role", "in_cluster"};
  for (const std::string& c : p_.components) facts.push_back("version." + c);
  return facts;
}

bool PlatformLoader::IsRequiredFact(const std::string& name) const {
  std::vector<std::string> facts = RequiredFacts();
  return std::find(facts.begin(), facts.end(), name) != facts.end();
}

void PlatformLoader::CheckRequired() {
  for (const std::string& f : RequiredFacts())
    if (!p_.facts.count(f)) sink_->FileError("missing required fact " + QuoteForMessage(f));
  std::vector<std::pair<std::string, std::string>> actions = {
      {"backup", ""}, {"drain", ""}, {"undrain", ""}, {"install", ""}};
  if (p_.strategy == Strategy::kStandbyFirst && !p_.drain_fails_over)
    actions.push_back({"failover", " (a standby-first platform whose drain does not fail over)"});
  if (p_.strategy == Strategy::kLeaveUpdateJoin) {
    actions.push_back({"leave", " (a leave-update-join platform)"});
    actions.push_back({"join", " (a leave-update-join platform)"});
  }
  for (const auto& [action, why] : actions)
    if (!p_.actions.count(action))
      sink_->FileError("missing required action " + QuoteForMessage(action) + why);
}

// A setting is usable only when harc can both read it (fact setting.<s>) and
// write it (action set.<s>); a run setting must be usable.
void PlatformLoader::CheckSettingPairs() {
  for (const auto& [name, pos] : run_setting_pos_) {
    if (!p_.facts.count("setting." + name))
      sink_->Error(pos,
                   "run setting " + QuoteForMessage(name) + " needs fact 'setting." + name + "'");
    if (!p_.actions.count("set." + name))
      sink_->Error(pos,
                   "run setting " + QuoteForMessage(name) + " needs action 'set." + name + "'");
  }
  for (const auto& [name, fact] : p_.facts) {
    if (name.starts_with("setting.") && !p_.actions.count("set." + name.substr(8)))
      sink_->Error(fact.pos, "fact " + QuoteForMessage(name) + " has no action 'set." +
                                 name.substr(8) + "' (a setting needs both)");
  }
  for (const auto& [name, action] : p_.actions) {
    if (name.starts_with("set.") && !p_.facts.count("setting." + name.substr(4)))
      sink_->Error(action.pos, "action " + QuoteForMessage(name) + " has no fact 'setting." +
                                   name.substr(4) + "' (a setting needs both)");
  }
}

}  // namespace

bool LoadPlatform(const SourceFile& file, Platform* out, DiagSink* sink) {
  size_t before = sink->diagnostics().size();
  std::optional<toml::table> root = ParseToml(file, sink);
  if (!root) return false;
  PlatformLoader(file, out, sink).Load(*root);
  return sink->diagnostics().size() == before;
}

}  // namespace harc
