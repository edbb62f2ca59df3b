// The known_hosts database, in OpenSSH's format, read ONCE per run and shared
// by every connection (libssh's own check re-reads the whole file on each
// connection: 3.8 s at 1,000 hosts, see shared/NOTES-ssh.md).
//
// Understood: plain host patterns (comma-separated, * and ? wildcards, !
// negation), hashed names (|1|salt|hash, HMAC-SHA1 as ssh-keygen -H writes
// them), "[host]:port" for ports other than 22, @revoked keys. Lines marked
// @cert-authority and lines that do not parse are skipped, as OpenSSH does.
//
// A host is known when a line matching it holds the key it offered; it has a
// CHANGED key when lines match it but none holds that key. Thread-safe: Verify
// and KeyTypes may run concurrently with each other and with Add.
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace harc {

// A public key as known_hosts writes it: "ssh-ed25519" and the base64 blob.
struct HostKey {
  std::string type;
  std::string base64;
};

class KnownHosts {
 public:
  enum class Verdict {
    kKnown,    // a matching line holds this key
    kUnknown,  // no line matches the host
    kChanged,  // lines match the host, none holds this key
    kRevoked,  // the key is marked @revoked for this host
  };
  struct Check {
    Verdict verdict = Verdict::kUnknown;
    std::string where;  // kChanged/kRevoked: "file:line" of a line that disagrees
  };

  // Reads `paths` in order (a missing file counts as empty; "~/" is $HOME).
  // Add writes to the first. False with *error when a file exists but cannot
  // be read.
  bool Load(const std::vector<std::string>& paths, std::string* error);
  // Parses one file's text (for tests, and by Load).
  void AddText(std::string_view text, const std::string& file);
  void SetWritePath(std::string path) { write_path_ = std::move(path); }

  // The name known_hosts uses: "host" on port 22, "[host]:port" otherwise.
  static std::string EntryName(std::string_view host, int port);

  Check Verify(std::string_view host, int port, const HostKey& key) const;
  // The key types recorded for host:port, in file order, each once: the host
  // key algorithms to ask for, so the server offers the key we can check.
  std::vector<std::string> KeyTypes(std::string_view host, int port) const;
  // Records the key for host:port, in memory and appended to the write path
  // (created 0600, with its directory, when missing).
  bool Add(std::string_view host, int port, const HostKey& key, std::string* error);

  size_t size() const;

 private:
  struct Entry {
    std::vector<std::string> patterns;  // lowercased; "!" kept in front
    std::string salt, hash;             // hashed name: raw bytes; patterns empty
    HostKey key;
    bool revoked = false;
    std::string where;                  // "file:line"
  };
  void AddEntry(Entry e);
  bool Matches(const Entry& e, const std::string& name) const;
  std::vector<const Entry*> Candidates(const std::string& name) const;

  mutable std::shared_mutex mu_;
  std::vector<Entry> entries_;
  // Entries whose patterns are all plain names, by name: most lookups need
  // no scan. The others (hashed, wildcards, negations) are scanned.
  std::unordered_map<std::string, std::vector<size_t>> by_name_;
  std::vector<size_t> scanned_;
  std::string write_path_;
};

// "~/x" -> "$HOME/x"; other paths unchanged.
std::string ExpandHome(const std::string& path);

// Shell-style wildcard match of `s` against `pattern` (* and ?), as ssh_config
// and known_hosts patterns use it. Case-sensitive; callers lowercase.
bool WildcardMatch(std::string_view pattern, std::string_view s);

}  // namespace harc
