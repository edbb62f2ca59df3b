// Who holds a lease, and whether that process is gone.
//
// A run's leases name it as "user@host pid 1234 run 17" (with " pidns N"
// appended when harc runs in a pid namespace other than the host's, as in
// most containers). A run that was killed (SIGKILL, OOM, a crash) leaves
// its leases behind until they expire; a new run on the same machine need
// not wait that long when it can see that the holder's process no longer
// exists: it takes the lease over at once (Journal::TakeOverLease).
//
// Only a holder on this host (same host name) in this pid namespace, whose
// process is gone (no such pid, or a zombie), is judged gone. Anything else —
// another host, another namespace, a live pid (perhaps reused: waiting is
// the safe side), an owner this harc did not write — waits for expiry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace harc {

struct LeaseOwner {
  std::string who;    // user@host
  int64_t pid = 0;
  int64_t run_id = 0;
  std::string pidns;  // "" in the host's pid namespace
};

// "user@host pid 1234 run 17[ pidns 4026532201]".
std::string FormatOwner(const LeaseOwner& owner);
// The owner FormatOwner wrote; nullopt for anything else.
std::optional<LeaseOwner> ParseOwner(const std::string& text);

// This process, for run `run_id` of `who`.
LeaseOwner ThisProcess(const std::string& who, int64_t run_id);

// True when `holder` is a process of `self`'s host and pid namespace that
// has exited. REQUIRES: self is ThisProcess(...) (the check reads /proc).
bool HolderGone(const LeaseOwner& holder, const LeaseOwner& self);

}  // namespace harc
