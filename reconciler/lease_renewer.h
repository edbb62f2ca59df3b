// Renews leases in the background, every `every_ms` of real time, so that a
// command that runs longer than a lease (an install that takes 30 minutes)
// does not let the lease expire under it. Whether a lease is still ours is
// for its user to judge (Journal::Heartbeat at its next step); the renewer
// only extends. Used by the rollout for cluster leases and by harc watch for
// the lease of its reconcile cycle.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "reconciler/clock.h"
#include "reconciler/journal.h"

namespace harc {

class LeaseRenewer {
 public:
  // Each renewal extends a lease to now + ttl_ms.
  LeaseRenewer(Journal& journal, Clock& clock, int64_t ttl_ms, int64_t every_ms);
  ~LeaseRenewer();
  LeaseRenewer(const LeaseRenewer&) = delete;
  LeaseRenewer& operator=(const LeaseRenewer&) = delete;

  void Add(const Lease& l);
  void Remove(const std::string& cluster);

 private:
  void Loop();

  Journal& journal_;
  Clock& clock_;
  const int64_t ttl_ms_;
  const int64_t every_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::map<std::string, int64_t> leases_;  // cluster -> token
  std::thread thread_;
};

}  // namespace harc
