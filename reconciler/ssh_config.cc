#include "reconciler/ssh_config.h"

#include <glob.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reconciler/known_hosts.h"  // ExpandHome, WildcardMatch

namespace harc {
namespace {

constexpr int kMaxIncludeDepth = 16;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Whitespace-separated arguments; "double quotes" group one.
std::vector<std::string> Args(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    std::string arg;
    if (s[i] == '"') {
      size_t end = s.find('"', i + 1);
      if (end == std::string_view::npos) end = s.size();
      arg = s.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      size_t end = i;
      while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) ++end;
      arg = s.substr(i, end - i);
      i = end;
    }
    out.push_back(arg);
  }
  return out;
}

std::vector<std::string> SplitCommas(const std::string& list) {
  std::vector<std::string> out;
  for (size_t start = 0, comma; start <= list.size(); start = comma + 1) {
    comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(Lower(list.substr(start, comma - start)));
  }
  return out;
}

bool ParsePort(std::string_view s, int* port) {
  if (s.empty() || s.size() > 5) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > 65535) return false;
  *port = v;
  return true;
}

bool ReadFile(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in || in.bad()) {
    *error = "cannot read ssh config " + path + ": " + std::strerror(errno);
    return false;
  }
  *text = buf.str();
  return true;
}

// A pattern list matches when some pattern matches and no negated one does.
bool PatternsMatch(const std::vector<std::string>& patterns, const std::string& host) {
  bool hit = false;
  for (const std::string& p : patterns) {
    if (p.starts_with("!")) {
      if (WildcardMatch(std::string_view(p).substr(1), host)) return false;
    } else if (WildcardMatch(p, host)) {
      hit = true;
    }
  }
  return hit;
}

std::string LocalUser() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  if (struct passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return "";
}

// ssh_config's %-tokens: %d home, %h host, %p port, %r remote user, %u local user.
std::string ExpandTokens(const std::string& s, const SshEndpoint& e) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    switch (s[++i]) {
      case '%': out += '%'; break;
      case 'd': out += ExpandHome("~"); break;
      case 'h': out += e.host; break;
      case 'p': out += std::to_string(e.port); break;
      case 'r': out += e.user; break;
      case 'u': out += LocalUser(); break;
      default: out += '%'; out += s[i];
    }
  }
  return ExpandHome(out);
}

std::string HostNameFor(const SshHostConfig& c, const std::string& host) {
  if (c.hostname.empty()) return host;
  std::string out;
  for (size_t i = 0; i < c.hostname.size(); ++i) {
    if (c.hostname[i] == '%' && i + 1 < c.hostname.size()) {
      char t = c.hostname[++i];
      out += t == 'h' ? host : std::string(1, t);
    } else {
      out += c.hostname[i];
    }
  }
  return out;
}

bool Unsupported(const SshHostConfig& c, const std::string& host, std::string* error) {
  if (!c.proxy_command.empty() && Lower(c.proxy_command) != "none") {
    *error = "~/.ssh/config sets ProxyCommand for '" + host +
             "'; harc does not run proxy commands (use ProxyJump)";
    return true;
  }
  return false;
}

}  // namespace

bool SshConfigFile::Load(const std::string& path, std::string* error) {
  std::string full = ExpandHome(path);
  std::error_code ec;
  if (!std::filesystem::exists(full, ec)) return true;
  std::string text;
  if (!ReadFile(full, &text, error)) return false;
  return Parse(text, full, error, std::filesystem::path(full).parent_path().string());
}

bool SshConfigFile::Parse(std::string_view text, const std::string& file, std::string* error,
                          const std::string& include_dir, int depth) {
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    size_t k = 0;
    while (k < line.size() && !std::isspace(static_cast<unsigned char>(line[k])) && line[k] != '=')
      ++k;
    std::string_view value = Trim(line.substr(k));
    if (!value.empty() && value.front() == '=') value = Trim(value.substr(1));
    std::string where = file + ":" + std::to_string(line_no);
    if (!ParseLine(Lower(line.substr(0, k)), value, where, include_dir, depth, error))
      return false;
  }
  return true;
}

bool SshConfigFile::ParseLine(std::string_view key, std::string_view value,
                              const std::string& where, const std::string& include_dir,
                              int depth, std::string* error) {
  std::vector<std::string> args = Args(value);
  if (key == "host") {
    Block b;
    for (const std::string& a : args) b.host_patterns.push_back(Lower(a));
    blocks_.push_back(std::move(b));
  } else if (key == "match") {
    Block b;
    if (args.size() == 1 && Lower(args[0]) == "all") b.all = true;
    else if (args.size() == 2 && Lower(args[0]) == "host") b.host_patterns = SplitCommas(args[1]);
    else b.never = true;  // exec, user, canonical...: harc cannot evaluate them
    blocks_.push_back(std::move(b));
  } else if (key == "include") {
    return Include(args, where, include_dir, depth, error);
  } else if (key == "hostname" || key == "user" || key == "port" || key == "identityfile" ||
             key == "proxyjump" || key == "proxycommand") {
    int port = 0;
    std::string v = key == "proxycommand" ? std::string(value) : (args.empty() ? "" : args[0]);
    if (key == "port" && !ParsePort(v, &port)) {
      *error = where + ": bad Port '" + v + "' (1 to 65535)";
      return false;
    }
    blocks_.back().items.push_back({std::string(key), v});
  }
  return true;
}

bool SshConfigFile::Include(const std::vector<std::string>& paths, const std::string& where,
                            const std::string& include_dir, int depth, std::string* error) {
  if (depth >= kMaxIncludeDepth) {
    *error = where + ": Include nested more than " + std::to_string(kMaxIncludeDepth) + " deep";
    return false;
  }
  for (const std::string& path : paths) {
    std::string pattern = ExpandHome(path);
    if (!pattern.starts_with("/")) pattern = include_dir + "/" + pattern;
    glob_t g{};
    bool ok = true;
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; ok && i < g.gl_pathc; ++i) {
        std::string text, file = g.gl_pathv[i];
        ok = ReadFile(file, &text, error) && Parse(text, file, error, include_dir, depth + 1);
      }
    }
    globfree(&g);
    if (!ok) return false;
  }
  return true;
}

bool SshConfigFile::BlockMatches(const Block& b, const std::string& host) const {
  if (b.never) return false;
  if (b.all) return true;
  return PatternsMatch(b.host_patterns, host);
}

SshHostConfig SshConfigFile::Lookup(std::string_view host_in) const {
  std::string host = Lower(host_in);
  SshHostConfig c;
  for (const Block& b : blocks_) {
    if (!BlockMatches(b, host)) continue;
    for (const Item& it : b.items) {
      if (it.key == "hostname" && c.hostname.empty()) c.hostname = it.value;
      if (it.key == "user" && c.user.empty()) c.user = it.value;
      if (it.key == "port" && c.port == 0) ParsePort(it.value, &c.port);
      if (it.key == "identityfile" && c.identity_file.empty()) c.identity_file = it.value;
      if (it.key == "proxyjump" && c.proxy_jump.empty()) c.proxy_jump = it.value;
      if (it.key == "proxycommand" && c.proxy_command.empty()) c.proxy_command = it.value;
    }
  }
  return c;
}

bool ParseJumpSpec(std::string_view spec, std::string* user, std::string* host, int* port,
                   std::string* error) {
  std::string_view s = spec;
  if (s.starts_with("ssh://")) s.remove_prefix(6);
  *port = 0;
  if (size_t at = s.rfind('@'); at != std::string_view::npos) {
    *user = s.substr(0, at);
    s.remove_prefix(at + 1);
  }
  std::string_view port_text;
  if (s.starts_with("[")) {
    size_t close = s.find(']');
    if (close == std::string_view::npos) {
      *error = "bad ProxyJump '" + std::string(spec) + "': no closing ']'";
      return false;
    }
    *host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (rest.starts_with(":")) port_text = rest.substr(1);
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    *host = s.substr(0, s.find(':'));
    port_text = s.substr(s.find(':') + 1);
  } else {
    *host = s;  // a name, IPv4, or a bare IPv6 literal
  }
  if (host->empty() || (!port_text.empty() && !ParsePort(port_text, port))) {
    *error = "bad ProxyJump '" + std::string(spec) + "'";
    return false;
  }
  return true;
}

namespace {

bool ResolveJump(const SshConfigFile& config, const std::string& spec, const SshDefaults& defaults,
                 SshEndpoint* jump, std::string* error) {
  if (spec.find(',') != std::string::npos) {
    *error = "ProxyJump '" + spec + "' has more than one hop; harc jumps through one bastion";
    return false;
  }
  std::string user, host;
  int port = 0;
  if (!ParseJumpSpec(spec, &user, &host, &port, error)) return false;
  SshHostConfig c = config.Lookup(host);
  if (Unsupported(c, host, error)) return false;
  if (!c.proxy_jump.empty() && Lower(c.proxy_jump) != "none") {
    *error = "bastion '" + host + "' itself has a ProxyJump; harc jumps through one bastion";
    return false;
  }
  jump->alias = host;
  jump->host = HostNameFor(c, host);
  jump->port = port ? port : c.port ? c.port : 22;
  jump->user = !user.empty() ? user : !c.user.empty() ? c.user : defaults.user;
  jump->identity = !c.identity_file.empty() ? ExpandTokens(c.identity_file, *jump)
                                            : ExpandHome(defaults.identity);
  return true;
}

}  // namespace

bool ResolveRoute(const SshConfigFile& config, const Target& target, const SshDefaults& defaults,
                  SshRoute* route, std::string* error) {
  SshHostConfig c = config.Lookup(target.host);
  if (Unsupported(c, target.host, error)) return false;
  SshEndpoint& t = route->target;
  t.alias = target.host;
  t.host = HostNameFor(c, target.host);
  t.port = target.port ? target.port : c.port ? c.port : defaults.port;
  t.user = !target.user.empty() ? target.user : !c.user.empty() ? c.user : defaults.user;
  t.identity = !target.identity.empty()     ? ExpandHome(target.identity)
               : !c.identity_file.empty() ? ExpandTokens(c.identity_file, t)
                                          : ExpandHome(defaults.identity);
  route->jump.reset();
  if (c.proxy_jump.empty() || Lower(c.proxy_jump) == "none") return true;
  SshEndpoint jump;
  if (!ResolveJump(config, c.proxy_jump, defaults, &jump, error)) {
    *error = "host '" + target.host + "': " + *error;
    return false;
  }
  route->jump = jump;
  return true;
}

}  // namespace harc
