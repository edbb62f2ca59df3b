#include "reconciler/git_mirror.h"

#include <git2.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "reconciler/known_hosts.h"

namespace harc {
namespace {

namespace fs = std::filesystem;

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

// ------------------------------------------------------------- URLs

// Where an SSH remote is, for known_hosts and for the user name.
struct SshEndpoint {
  std::string user;
  std::string host;
  int port = 22;
};

bool IsScpLike(const std::string& url) {
  size_t colon = url.find(':');
  return url.find("://") == std::string::npos && colon != std::string::npos && colon > 0 &&
         url.find('/') > colon;
}

// Splits "host", "host:port", "[v6]" or "[v6]:port" (ssh:// URLs).
bool SplitHostPort(const std::string& url, std::string hostport, SshEndpoint* out,
                   std::string* error) {
  std::string port;
  if (hostport.starts_with('[')) {
    size_t close = hostport.find(']');
    if (close == std::string::npos) {
      *error = "unclosed '[' in " + url;
      return false;
    }
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') port = hostport.substr(close + 2);
    hostport = hostport.substr(1, close - 1);
  } else if (size_t colon = hostport.find(':'); colon != std::string::npos) {
    port = hostport.substr(colon + 1);
    hostport = hostport.substr(0, colon);
  }
  out->host = hostport;
  if (port.empty()) return true;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out->port);
  if (ec == std::errc() && end == port.data() + port.size() && out->port > 0 &&
      out->port <= 65535)
    return true;
  *error = "invalid port '" + port + "' in " + url;
  return false;
}

// ssh://[user@]host[:port]/path or [user@]host:path. False with *error when
// the URL is neither (or has no host).
bool ParseSsh(const std::string& url, SshEndpoint* out, std::string* error) {
  bool scheme = url.starts_with("ssh://");
  std::string rest = scheme ? url.substr(6, url.find('/', 6) - 6) : url.substr(0, url.find(':'));
  if (size_t at = rest.rfind('@'); at != std::string::npos) {
    out->user = rest.substr(0, at);
    rest = rest.substr(at + 1);
  }
  if (!scheme) out->host = rest;
  else if (!SplitHostPort(url, rest, out, error)) return false;
  if (out->host.empty()) *error = "no host in " + url;
  return !out->host.empty();
}

// What libgit2 is given as the remote's URL: a local path made absolute, so
// the clone does not depend on the directory harc was started in.
bool GitUrl(const std::string& url, std::string* out, std::string* error) {
  if (url.starts_with("file://") || url.starts_with("ssh://") || IsScpLike(url)) {
    *out = url;
    return true;
  }
  if (url.find("://") != std::string::npos) {
    *error = "unsupported repository URL " + url + " (use a path, file://, ssh:// or host:path)";
    return false;
  }
  std::error_code ec;
  *out = fs::absolute(url, ec).lexically_normal().string();
  if (ec) *error = "cannot resolve " + url + ": " + ec.message();
  return !ec;
}

std::string CurrentUser() {
  struct passwd* pw = ::getpwuid(::getuid());
  return pw ? pw->pw_name : "root";
}

// ------------------------------------------------------------- host keys

std::string Base64(const std::string& bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n));
}

// "SHA256:..." as OpenSSH prints a key's fingerprint.
std::string Fingerprint(const std::string& blob) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(blob.data(), blob.size(), digest, &len, EVP_sha256(), nullptr);
  std::string b64 = Base64(std::string(reinterpret_cast<char*>(digest), len));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

// The key type a public key blob starts with (an SSH string: length, name).
std::string KeyType(const std::string& blob) {
  if (blob.size() < 4) return "";
  size_t len = (static_cast<unsigned char>(blob[0]) << 24) |
               (static_cast<unsigned char>(blob[1]) << 16) |
               (static_cast<unsigned char>(blob[2]) << 8) | static_cast<unsigned char>(blob[3]);
  return blob.size() < 4 + len ? "" : blob.substr(4, len);
}

// ------------------------------------------------------------- fetching

struct FetchContext {
  const GitRemote* remote = nullptr;
  SshEndpoint ssh;
  KnownHosts known_hosts;
  int auth_attempts = 0;
  std::string error;  // ours, when a callback refused: libgit2's message is less precise
};

int OnCredentials(git_credential** out, const char* /*url*/, const char* user_from_url,
                  unsigned int allowed, void* payload) {
  auto* ctx = static_cast<FetchContext*>(payload);
  std::string user = user_from_url && *user_from_url ? user_from_url : CurrentUser();
  if (allowed & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user.c_str());
  if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || ctx->auth_attempts++ > 0) {
    ctx->error = "authentication as " + user + " refused by " + ctx->ssh.host + " (" +
                 (ctx->remote->identity.empty() ? "ssh-agent" : ctx->remote->identity) + ")";
    return GIT_EAUTH;
  }
  if (ctx->remote->identity.empty()) return git_credential_ssh_key_from_agent(out, user.c_str());
  std::string key = ExpandHome(ctx->remote->identity);
  return git_credential_ssh_key_new(out, user.c_str(), nullptr, key.c_str(), nullptr);
}

int OnCertificate(git_cert* cert, int /*valid*/, const char* host, void* payload) {
  auto* ctx = static_cast<FetchContext*>(payload);
  auto* hk = reinterpret_cast<git_cert_hostkey*>(cert);
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2 || !(hk->type & GIT_CERT_SSH_RAW)) {
    ctx->error = "the git server at " + std::string(host) + " offered no host key to check";
    return GIT_ECERTIFICATE;
  }
  std::string blob(hk->hostkey, hk->hostkey_len);
  HostKey key{KeyType(blob), Base64(blob)};
  std::string name = KnownHosts::EntryName(host, ctx->ssh.port);
  KnownHosts::Check check = ctx->known_hosts.Verify(host, ctx->ssh.port, key);
  std::string offered = key.type + " " + Fingerprint(blob);
  switch (check.verdict) {
    case KnownHosts::Verdict::kKnown:
      return 0;
    case KnownHosts::Verdict::kChanged:
      ctx->error = "HOST KEY CHANGED for git server " + name + ": it offered " + offered +
                   " but " + check.where + " records a different key; refusing to fetch";
      break;
    case KnownHosts::Verdict::kRevoked:
      ctx->error = "host key of git server " + name + " (" + offered + ") is REVOKED at " +
                   check.where + "; refusing to fetch";
      break;
    case KnownHosts::Verdict::kUnknown:
      ctx->error = "host key of git server " + name + " is not known (" + offered +
                   "); refusing to fetch (add it to " + ctx->remote->known_hosts + ")";
      break;
  }
  return GIT_ECERTIFICATE;
}

// Owning handles.
template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
using RemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
using CommitPtr = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;

// Makes `dir` and its missing parents; the ones made, and `dir`, are 0700.
bool MakePrivateDir(const fs::path& dir, std::string* error) {
  fs::path prefix;
  for (const fs::path& part : dir) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = "cannot create directory " + prefix.string() + ": " + std::strerror(errno);
      return false;
    }
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    *error = "cannot make " + dir.string() + " private: " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::string MirrorDir(const std::string& cache, const std::string& url) {
  std::string name;
  for (char c : fs::path(url).filename().string())
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') name += c;
  if (name.size() > 32 || name.empty()) name = name.empty() ? "repo" : name.substr(0, 32);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(url.data(), url.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hash;
  for (unsigned int i = 0; i < 6; ++i) hash += {kHex[digest[i] >> 4], kHex[digest[i] & 15]};
  return (fs::path(ExpandHome(cache)) / "repos" / (name + "-" + hash + ".git")).string();
}

bool IsLocalPath(const std::string& url) {
  return url.find("://") == std::string::npos && !IsScpLike(url);
}

GitMirror::GitMirror(GitRemote remote, std::string dir, git_repository* repo)
    : remote_(std::move(remote)), dir_(std::move(dir)), repo_(repo) {}

GitMirror::~GitMirror() {
  git_repository_free(repo_);
  git_libgit2_shutdown();
}

bool GitMirror::Open(const GitRemote& remote, const std::string& cache,
                     std::unique_ptr<GitMirror>* out, std::string* error) {
  std::string url;
  if (!GitUrl(remote.url, &url, error)) return false;
  SshEndpoint ssh;
  if (!IsLocalPath(remote.url) && !remote.url.starts_with("file://") &&
      !ParseSsh(remote.url, &ssh, error))
    return false;
  std::string dir = MirrorDir(cache, remote.url);
  if (!MakePrivateDir(dir, error)) return false;
  git_libgit2_init();
  git_repository* repo = nullptr;
  bool ok = git_repository_open_bare(&repo, dir.c_str()) == 0;
  if (!ok) {
    git_remote* origin = nullptr;
    ok = git_repository_init(&repo, dir.c_str(), /*is_bare=*/1) == 0 &&
         git_remote_create(&origin, repo, "origin", url.c_str()) == 0;
    git_remote_free(origin);
  }
  if (!ok) {
    *error = "cannot make the clone of " + remote.url + " in " + dir + ": " + LastGitError();
    git_repository_free(repo);
    git_libgit2_shutdown();
    return false;
  }
  out->reset(new GitMirror(remote, dir, repo));
  return true;
}

bool GitMirror::Fetch(const std::string& branch, std::string* head, std::string* error) {
  std::string ref = "refs/heads/" + branch;
  int valid = 0;
  if (git_reference_name_is_valid(&valid, ref.c_str()) != 0 || !valid) {
    *error = "invalid branch name '" + branch + "'";
    return false;
  }
  FetchContext ctx;
  ctx.remote = &remote_;
  if (!IsLocalPath(remote_.url) && !remote_.url.starts_with("file://")) {
    if (!ParseSsh(remote_.url, &ctx.ssh, error) ||
        !ctx.known_hosts.Load({remote_.known_hosts}, error))
      return false;
  }
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo_, "origin") != 0) {
    *error = "no remote 'origin' in " + dir_ + ": " + LastGitError();
    return false;
  }
  RemotePtr origin(raw);
  std::string spec = "+" + ref + ":refs/remotes/origin/" + branch;
  char* specs[] = {spec.data()};
  git_strarray refspecs{specs, 1};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  options.callbacks.credentials = OnCredentials;
  options.callbacks.certificate_check = OnCertificate;
  options.callbacks.payload = &ctx;
  if (git_remote_fetch(origin.get(), &refspecs, &options, "harc watch: fetch") != 0) {
    *error = "cannot fetch " + branch + " from " + remote_.url + ": " +
             (ctx.error.empty() ? LastGitError() : ctx.error);
    return false;
  }
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, origin.get()) == 0)
    for (size_t i = 0; i < count; ++i)
      if (ref == heads[i]->name) {
        *head = git_oid_tostr_s(&heads[i]->oid);
        return true;
      }
  *error = "branch '" + branch + "' not found in " + remote_.url;
  return false;
}

bool GitMirror::ReadCommit(const std::string& commit, CommitInfo* out, std::string* error) {
  git_oid oid;
  git_commit* raw = nullptr;
  if (git_oid_fromstr(&oid, commit.c_str()) != 0 || git_commit_lookup(&raw, repo_, &oid) != 0) {
    *error = "cannot read commit " + commit + " in " + dir_ + ": " + LastGitError();
    return false;
  }
  CommitPtr c(raw);
  *out = CommitInfo{};
  out->commit = commit;
  const char* summary = git_commit_summary(c.get());
  out->subject = summary ? summary : "";
  const git_signature* author = git_commit_author(c.get());
  out->author = std::string(author->name) + " <" + author->email + ">";
  out->committed_ms = static_cast<int64_t>(git_commit_time(c.get())) * 1000;
  git_buf signature = GIT_BUF_INIT, data = GIT_BUF_INIT;
  int rc = git_commit_extract_signature(&signature, &data, repo_, &oid, nullptr);
  if (rc == 0) {
    out->signature.assign(signature.ptr, signature.size);
    out->signed_data.assign(data.ptr, data.size);
  }
  git_buf_dispose(&signature);
  git_buf_dispose(&data);
  if (rc != 0 && rc != GIT_ENOTFOUND) {
    *error = "cannot read the signature of commit " + commit + ": " + LastGitError();
    return false;
  }
  return true;
}

}  // namespace harc
