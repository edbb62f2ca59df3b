#include "reconciler/known_hosts.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace harc {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> SplitCommas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    if (comma > start) out.push_back(Lower(s.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

// Standard base64 (padding optional). False on any other character.
bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else return false;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  return true;
}

// "|1|salt|hash" -> the raw salt and hash.
bool ParseHashedName(std::string_view field, std::string* salt, std::string* hash) {
  if (!field.starts_with("|1|")) return false;
  field.remove_prefix(3);
  size_t bar = field.find('|');
  if (bar == std::string_view::npos) return false;
  return DecodeBase64(field.substr(0, bar), salt) && DecodeBase64(field.substr(bar + 1), hash) &&
         salt->size() == 20 && hash->size() == 20;
}

std::string HmacSha1(const std::string& key, const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

bool MakeParentDir(const std::string& path, std::string* error) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) return true;
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec) && !ec)
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) *error = "cannot create " + dir.string() + ": " + ec.message();
  return !ec;
}

// Appends `line` to `path`, after a newline when the file does not end in one.
bool AppendLine(const std::string& path, const std::string& line, std::string* error) {
  if (!MakeParentDir(path, error)) return false;
  int fd = open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string text = line;
  struct stat st;
  char last = '\n';
  if (fstat(fd, &st) == 0 && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 &&
      last != '\n')
    text.insert(0, "\n");
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!ok) *error = "cannot write " + path + ": " + std::strerror(errno);
  close(fd);
  return ok;
}

}  // namespace

std::string ExpandHome(const std::string& path) {
  if (path != "~" && !path.starts_with("~/")) return path;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + path.substr(1);
}

bool WildcardMatch(std::string_view p, std::string_view s) {
  // Iterative glob with one backtrack point: linear in practice.
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::string KnownHosts::EntryName(std::string_view host, int port) {
  std::string h = Lower(host);
  if (port == 22 || port == 0) return h;
  return "[" + h + "]:" + std::to_string(port);
}

bool KnownHosts::Load(const std::vector<std::string>& paths, std::string* error) {
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string path = ExpandHome(paths[i]);
    if (i == 0) write_path_ = path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in || in.bad()) {
      *error = "cannot read known_hosts file " + path + ": " + std::strerror(errno);
      return false;
    }
    AddText(buf.str(), path);
  }
  return true;
}

void KnownHosts::AddText(std::string_view text, const std::string& file) {
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> f = Fields(line);
    if (f.empty() || f[0].starts_with("#")) continue;
    Entry e;
    if (f[0] == "@revoked") {
      e.revoked = true;
      f.erase(f.begin());
    } else if (f[0].starts_with("@")) {
      continue;  // @cert-authority: harc checks plain host keys only
    }
    if (f.size() < 3) continue;
    if (f[0].starts_with("|")) {
      if (!ParseHashedName(f[0], &e.salt, &e.hash)) continue;
    } else {
      e.patterns = SplitCommas(f[0]);
    }
    e.key = {std::string(f[1]), std::string(f[2])};
    e.where = file + ":" + std::to_string(line_no);
    std::unique_lock<std::shared_mutex> lock(mu_);
    AddEntry(std::move(e));
  }
}

// REQUIRES: mu_ held exclusively.
void KnownHosts::AddEntry(Entry e) {
  size_t index = entries_.size();
  bool plain = e.salt.empty() && std::none_of(e.patterns.begin(), e.patterns.end(),
                                              [](const std::string& p) {
                                                return p.find_first_of("*?!") != p.npos;
                                              });
  if (plain) {
    for (const std::string& p : e.patterns) by_name_[p].push_back(index);
  } else {
    scanned_.push_back(index);
  }
  entries_.push_back(std::move(e));
}

// A pattern list matches when some pattern matches and no negated one does.
bool KnownHosts::Matches(const Entry& e, const std::string& name) const {
  if (!e.salt.empty()) return HmacSha1(e.salt, name) == e.hash;
  bool hit = false;
  for (const std::string& p : e.patterns) {
    if (p.starts_with("!")) {
      if (WildcardMatch(std::string_view(p).substr(1), name)) return false;
    } else if (WildcardMatch(p, name)) {
      hit = true;
    }
  }
  return hit;
}

// REQUIRES: mu_ held (shared or exclusive).
std::vector<const KnownHosts::Entry*> KnownHosts::Candidates(const std::string& name) const {
  std::vector<size_t> idx;
  if (auto it = by_name_.find(name); it != by_name_.end()) idx = it->second;
  for (size_t i : scanned_)
    if (Matches(entries_[i], name)) idx.push_back(i);
  std::sort(idx.begin(), idx.end());
  std::vector<const Entry*> out;
  for (size_t i : idx) out.push_back(&entries_[i]);
  return out;
}

KnownHosts::Check KnownHosts::Verify(std::string_view host, int port, const HostKey& key) const {
  std::string name = EntryName(host, port);
  std::shared_lock<std::shared_mutex> lock(mu_);
  const Entry* differing = nullptr;
  bool known = false;
  for (const Entry* e : Candidates(name)) {
    bool same = e->key.base64 == key.base64;
    if (same && e->revoked) return {Verdict::kRevoked, e->where};
    if (same) known = true;
    if (!same && !e->revoked && !differing) differing = e;
  }
  if (known) return {Verdict::kKnown, ""};
  if (differing) return {Verdict::kChanged, differing->where};
  return {Verdict::kUnknown, ""};
}

std::vector<std::string> KnownHosts::KeyTypes(std::string_view host, int port) const {
  std::string name = EntryName(host, port);
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<std::string> types;
  for (const Entry* e : Candidates(name))
    if (!e->revoked && std::find(types.begin(), types.end(), e->key.type) == types.end())
      types.push_back(e->key.type);
  return types;
}

bool KnownHosts::Add(std::string_view host, int port, const HostKey& key, std::string* error) {
  std::string name = EntryName(host, port);
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (const Entry* e : Candidates(name))  // another connection recorded it first
    if (e->key.base64 == key.base64 && !e->revoked) return true;
  if (!write_path_.empty() &&
      !AppendLine(write_path_, name + " " + key.type + " " + key.base64 + "\n", error))
    return false;
  Entry e;
  e.patterns = {name};
  e.key = key;
  e.where = write_path_.empty() ? "<memory>" : write_path_ + ":(added)";
  AddEntry(std::move(e));
  return true;
}

size_t KnownHosts::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return entries_.size();
}

}  // namespace harc
