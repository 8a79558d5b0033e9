// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/etcd/lease_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace warden::etcd_internal {
namespace {

constexpr absl::Duration kReconnectPause = absl::Milliseconds(100);
constexpr absl::Duration kMinStreamLife = absl::Seconds(1);
// How soon an automatic keep-alive that found no stream is tried again.
constexpr absl::Duration kRenewalRetry = absl::Milliseconds(200);

}  // namespace

LeaseHub::LeaseHub(Connection& connection)
    : connection_(connection),
      clock_(connection.options().clock != nullptr ? connection.options().clock
                                                   : SteadyClock::Default()) {
  thread_ = std::thread([this] { Run(); });
}

LeaseHub::~LeaseHub() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  thread_.join();
}

void LeaseHub::Track(LeaseId id, absl::Duration ttl, absl::Time sent) {
  absl::MutexLock lock(&mu_);
  tracked_[id] = Tracked{ttl, sent + ttl, clock_->Now() + ttl / 3};
  if (connection_.options().keep_leases_alive) wanted_ = true;
}

void LeaseHub::Untrack(LeaseId id) {
  absl::MutexLock lock(&mu_);
  tracked_.erase(id);
}

void LeaseHub::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wanted_; };
      mu_.Await(absl::Condition(&has_work));
      if (stop_) return;
    }
    const absl::Time opened = absl::Now();
    if (OpenStream()) ReadUntilBroken();
    if (absl::Now() - opened < kMinStreamLife) {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopping), kReconnectPause);
    }
  }
}

bool LeaseHub::OpenStream() {
  absl::StatusOr<Connection::StreamStart> start = connection_.StartStream();
  absl::MutexLock lock(&mu_);
  if (!start.ok()) {
    last_error_ = start.status();
    return false;
  }
  if (stop_) return false;
  stream_ = start->endpoint->lease->LeaseKeepAlive(start->context.get());
  context_ = std::move(start->context);
  stream_endpoint_ = start->endpoint;
  return true;
}

void LeaseHub::ReadUntilBroken() {
  grpc::ClientReaderWriter<etcdserverpb::LeaseKeepAliveRequest,
                           etcdserverpb::LeaseKeepAliveResponse>* stream;
  Endpoint* endpoint;
  {
    absl::MutexLock lock(&mu_);
    stream = stream_.get();
    endpoint = stream_endpoint_;
  }
  etcdserverpb::LeaseKeepAliveResponse response;
  while (stream->Read(&response)) {
    endpoint->NoteAnswer();
    SignalLost(Apply(response));
  }
  grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  last_error_ = FromGrpc(status, stream_endpoint_->address);
  if (!stop_) connection_.ReportFailure(*stream_endpoint_);
  // Answers to what was sent on this stream will never come: release the waiters, who may try
  // again on the next stream within their deadlines.
  for (auto& [id, sent] : in_flight_) {
    for (Sent& s : sent) {
      if (s.waiter != nullptr) {
        s.waiter->result =
            absl::UnavailableError(absl::StrCat("keep-alive stream lost: ", last_error_.message()));
        s.waiter->done = true;
      }
    }
  }
  in_flight_.clear();
  stream_.reset();
  context_.reset();
  stream_endpoint_ = nullptr;
}

std::vector<LeaseId> LeaseHub::Apply(const etcdserverpb::LeaseKeepAliveResponse& response) {
  absl::MutexLock lock(&mu_);
  const LeaseId id = response.id();
  std::shared_ptr<Waiter> waiter;
  absl::Time sent_at = absl::InfinitePast();
  if (auto it = in_flight_.find(id); it != in_flight_.end() && !it->second.empty()) {
    sent_at = it->second.front().at;
    waiter = std::move(it->second.front().waiter);
    it->second.pop_front();
    if (it->second.empty()) in_flight_.erase(it);
  }
  std::vector<LeaseId> lost;
  auto tracked = tracked_.find(id);
  if (response.ttl() <= 0) {
    if (waiter != nullptr) {
      waiter->result =
          absl::NotFoundError(absl::StrCat("etcd: lease ", id, " not found (expired or revoked)"));
      waiter->done = true;
    }
    if (tracked != tracked_.end()) {
      tracked_.erase(tracked);
      lost.push_back(id);
    }
    return lost;
  }
  const absl::Duration ttl = absl::Seconds(response.ttl());
  if (tracked != tracked_.end() && sent_at != absl::InfinitePast()) {
    // The renewal took effect no earlier than it was sent: counting from the send time keeps the
    // local deadline at or before etcd's.
    tracked->second.local_deadline = std::max(tracked->second.local_deadline, sent_at + ttl);
  }
  if (waiter != nullptr) {
    waiter->result = ttl;
    waiter->done = true;
  }
  return lost;
}

bool LeaseHub::Send(LeaseId id, std::shared_ptr<Waiter> waiter) {
  if (stream_ == nullptr) return false;
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(id);
  in_flight_[id].push_back(Sent{clock_->Now(), std::move(waiter)});
  return stream_->Write(request);
}

absl::StatusOr<absl::Duration> LeaseHub::KeepAlive(LeaseId id, absl::Time deadline) {
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError("deadline passed before the keep-alive was sent");
  }
  absl::MutexLock lock(&mu_);
  wanted_ = true;
  while (true) {
    auto ready = [this]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || stream_ != nullptr; };
    if (!mu_.AwaitWithDeadline(absl::Condition(&ready), deadline) || stop_) {
      return absl::UnavailableError(absl::StrCat("etcd: no keep-alive stream before the deadline",
                                                 last_error_.ok() ? "" : ": ",
                                                 last_error_.message()));
    }
    auto waiter = std::make_shared<Waiter>();
    (void)Send(id, waiter);
    if (!mu_.AwaitWithDeadline(absl::Condition(&waiter->done), deadline)) {
      return absl::DeadlineExceededError(
          absl::StrCat("etcd: no answer to the keep-alive of lease ", id, " before the deadline"));
    }
    // A keep-alive is idempotent: after a lost stream, send it again on the next one.
    if (waiter->result.status().code() != absl::StatusCode::kUnavailable) return waiter->result;
  }
}

absl::Time LeaseHub::Tick() {
  const absl::Time now = clock_->Now();
  absl::Time next = now + absl::Seconds(1);
  std::vector<LeaseId> lost;
  {
    absl::MutexLock lock(&mu_);
    AbandonSilentStream(now);
    for (auto it = tracked_.begin(); it != tracked_.end();) {
      Tracked& lease = it->second;
      if (now >= lease.local_deadline) {
        lost.push_back(it->first);
        it = tracked_.erase(it);
        continue;
      }
      next = std::min(next, lease.local_deadline);
      if (connection_.options().keep_leases_alive) {
        if (now >= lease.next_renewal) {
          lease.next_renewal = now + (Send(it->first, nullptr) ? lease.ttl / 3 : kRenewalRetry);
        }
        // Without keep_leases_alive the caller renews: its renewal times are not ours to wait
        // for (waiting on them spun this timer once a millisecond).
        next = std::min(next, lease.next_renewal);
      }
      ++it;
    }
    for (const auto& [id, sent] : in_flight_) {
      if (!sent.empty())
        next = std::min(next, sent.front().at + connection_.options().request_timeout);
    }
  }
  SignalLost(lost);
  return next;
}

void LeaseHub::AbandonSilentStream(absl::Time now) {
  if (stream_ == nullptr) return;
  for (const auto& [id, sent] : in_flight_) {
    if (!sent.empty() && now - sent.front().at >= connection_.options().request_timeout) {
      // A keep-alive unanswered that long: the member is frozen or cut off. Leave it, so the
      // next stream goes to another member while the lease still has time.
      last_error_ = absl::UnavailableError(
          absl::StrCat("etcd ", stream_endpoint_->address, ": keep-alive of lease ", id,
                       " unanswered for ", absl::FormatDuration(now - sent.front().at)));
      context_->TryCancel();
      return;
    }
  }
}

void LeaseHub::SignalLost(const std::vector<LeaseId>& ids) {
  const auto& on_lost = connection_.options().on_lease_lost;
  if (!on_lost) return;
  for (LeaseId id : ids) on_lost(id);
}

}  // namespace warden::etcd_internal
