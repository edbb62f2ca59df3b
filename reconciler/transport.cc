#include "reconciler/transport.h"

namespace harc {

const char* TransportErrorName(TransportError e) {
  switch (e) {
    case TransportError::kOk: return "ok";
    case TransportError::kUnreachable: return "unreachable";
    case TransportError::kAuthRefused: return "auth refused";
    case TransportError::kHostKeyUnknown: return "host key unknown";
    case TransportError::kHostKeyChanged: return "host key changed";
    case TransportError::kTimeout: return "timeout";
    case TransportError::kProtocol: return "protocol error";
    case TransportError::kConfig: return "configuration error";
  }
  return "?";
}

TransportStatus TransportStatus::Fail(TransportError e, std::string message) {
  TransportStatus s;
  s.error = e;
  s.message = std::move(message);
  // Worth another try later: the network or the member may come back. A key
  // that is refused, or a host key that does not match, will not fix itself.
  s.retryable = e == TransportError::kUnreachable || e == TransportError::kTimeout ||
                e == TransportError::kProtocol;
  return s;
}

// ---------------------------------------------------------------- FakeTransport

class FakeTransport::FakeSession : public Session {
 public:
  FakeSession(FakeTransport* owner, Target target) : owner_(owner), target_(std::move(target)) {}
  TransportStatus Run(const std::string& command, const RunLimits& limits,
                      CommandResult* result) override {
    return owner_->Answer(target_, command, limits, result);
  }

 private:
  FakeTransport* owner_;
  Target target_;
};

void FakeTransport::SetReply(const std::string& member, const std::string& command,
                             CommandResult result) {
  std::lock_guard<std::mutex> lock(mu_);
  replies_[{member, command}] = std::move(result);
}

void FakeTransport::SetOpenFailure(const std::string& member, TransportStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  open_failures_[member] = std::move(status);
}

void FakeTransport::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<FakeTransport::Call> FakeTransport::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<std::string> FakeTransport::CommandsOn(const std::string& member) const {
  std::vector<std::string> out;
  for (const Call& c : calls())
    if (c.member == member && !c.command.empty()) out.push_back(c.command);
  return out;
}

TransportStatus FakeTransport::Open(const Target& target, const OpenOptions&,
                                    std::unique_ptr<Session>* session) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back({target.member, ""});
  if (auto it = open_failures_.find(target.member); it != open_failures_.end())
    return it->second;
  *session = std::make_unique<FakeSession>(this, target);
  return TransportStatus::Ok();
}

namespace {

void Cap(std::string* s, size_t max, bool* truncated) {
  if (s->size() <= max) return;
  s->resize(max);
  *truncated = true;
}

}  // namespace

TransportStatus FakeTransport::Answer(const Target& target, const std::string& command,
                                      const RunLimits& limits, CommandResult* result) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({target.member, command});
    if (auto it = replies_.find({target.member, command}); it != replies_.end()) {
      *result = it->second;
      Cap(&result->out, limits.max_output, &result->truncated);
      Cap(&result->err, limits.max_output, &result->truncated);
      return TransportStatus::Ok();
    }
    handler = handler_;
  }
  *result = CommandResult{};
  TransportStatus status = TransportStatus::Ok();
  if (handler) {
    status = handler(target, command, result);  // outside the lock: it may call back
  } else {
    result->exit_status = 127;
    result->err = "fake: no reply scripted for " + target.member + ": " + command + "\n";
  }
  Cap(&result->out, limits.max_output, &result->truncated);
  Cap(&result->err, limits.max_output, &result->truncated);
  return status;
}

}  // namespace harc
