#include "reconciler/lease_renewer.h"

#include <algorithm>
#include <chrono>

namespace harc {

LeaseRenewer::LeaseRenewer(Journal& journal, Clock& clock, int64_t ttl_ms, int64_t every_ms)
    : journal_(journal), clock_(clock), ttl_ms_(ttl_ms), every_ms_(std::max<int64_t>(every_ms, 1)) {
  thread_ = std::thread([this] { Loop(); });
}

LeaseRenewer::~LeaseRenewer() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LeaseRenewer::Add(const Lease& l) {
  std::lock_guard lock(mu_);
  leases_[l.cluster] = l.token;
}

void LeaseRenewer::Remove(const std::string& cluster) {
  std::lock_guard lock(mu_);
  leases_.erase(cluster);
}

void LeaseRenewer::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(every_ms_), [this] { return done_; })) {
    std::map<std::string, int64_t> leases = leases_;
    lock.unlock();
    for (const auto& [cluster, token] : leases) {
      bool ours = false;
      journal_.Heartbeat(cluster, token, clock_.WallMs(), ttl_ms_, &ours);
    }
    lock.lock();
  }
}

}  // namespace harc
