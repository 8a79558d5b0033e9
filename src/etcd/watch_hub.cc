// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/etcd/watch_hub.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/etcd/convert.h"

namespace warden::etcd_internal {
namespace {

// The watcher whose callback this thread is running (see Cancel).
thread_local const void* tls_running_watcher = nullptr;

// Pause between two attempts to open a stream when no endpoint answers.
constexpr absl::Duration kReconnectPause = absl::Milliseconds(100);
// A stream that lived less than this before failing counts as a failed attempt.
constexpr absl::Duration kMinStreamLife = absl::Seconds(1);

}  // namespace

// Holds the hub weakly: a handle that outlives its Dcs cancels nothing and harms nothing.
class WatchHub::HubHandle final : public WatchHandle {
 public:
  HubHandle(std::weak_ptr<WatchHub> hub, std::shared_ptr<Watcher> watcher)
      : hub_(std::move(hub)), watcher_(std::move(watcher)) {}
  ~HubHandle() override { Cancel(); }
  void Cancel() override {
    if (auto hub = hub_.lock()) hub->Cancel(watcher_);
  }

 private:
  std::weak_ptr<WatchHub> hub_;
  std::shared_ptr<Watcher> watcher_;
};

WatchHub::WatchHub(Connection& connection) : connection_(connection) {
  thread_ = std::thread([this] { Run(); });
}

WatchHub::~WatchHub() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    if (context_ != nullptr) context_->TryCancel();
    cv_.SignalAll();
  }
  thread_.join();
}

absl::StatusOr<std::unique_ptr<WatchHandle>> WatchHub::Watch(std::string prefix,
                                                             Revision from_revision,
                                                             WatchCallback callback,
                                                             absl::Time deadline) {
  auto watcher = std::make_shared<Watcher>();
  watcher->prefix = std::move(prefix);
  watcher->next_revision = from_revision;
  watcher->callback = std::move(callback);
  absl::MutexLock lock(&mu_);
  watcher->id = ++last_id_;
  watchers_[watcher->id] = watcher;
  if (stream_ != nullptr) SendCreate(watcher);
  cv_.SignalAll();  // the stream thread may be idle, waiting for a first watch
  auto settled = [&watcher]() { return watcher->created || !watcher->create_error.ok(); };
  mu_.AwaitWithDeadline(absl::Condition(&settled), deadline);
  if (watcher->created)
    return std::unique_ptr<WatchHandle>(new HubHandle(weak_from_this(), watcher));
  watchers_.erase(watcher->id);
  watcher->cancelled.store(true);
  if (!watcher->create_error.ok()) return watcher->create_error;
  if (stream_ == nullptr) {
    // Nothing was sent: the cluster is unreachable, not slow.
    return absl::UnavailableError(
        absl::StrCat("etcd: no watch stream could be opened before the deadline",
                     last_error_.ok() ? "" : ": ", last_error_.message()));
  }
  return absl::DeadlineExceededError("etcd did not confirm the watch before the deadline");
}

void WatchHub::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || !watchers_.empty();
      };
      mu_.Await(absl::Condition(&has_work));
      if (stop_) return;
    }
    const absl::Time opened = absl::Now();
    if (OpenStream()) ReadUntilBroken();
    // A stream that failed at once (no endpoint, no leader, refused) is not retried in a loop.
    if (absl::Now() - opened < kMinStreamLife) {
      absl::MutexLock lock(&mu_);
      if (!stop_) cv_.WaitWithTimeout(&mu_, kReconnectPause);
    }
  }
}

bool WatchHub::OpenStream() {
  absl::StatusOr<Connection::StreamStart> start = connection_.StartStream();
  absl::MutexLock lock(&mu_);
  if (!start.ok()) {
    last_error_ = start.status();
    // A refusal (bad credentials) is final for watches waiting to be created; unreachable
    // endpoints are not: their Watch() calls wait on until their deadlines.
    if (start.status().code() != absl::StatusCode::kUnavailable) {
      for (auto& [id, watcher] : watchers_) {
        if (!watcher->created) watcher->create_error = start.status();
      }
    }
    return false;
  }
  if (stop_) return false;
  stream_ = start->endpoint->watch->Watch(start->context.get());
  context_ = std::move(start->context);
  stream_endpoint_ = start->endpoint;
  last_heard_ = absl::Now();
  probe_sent_ = absl::InfinitePast();
  pending_creates_.clear();
  by_server_id_.clear();
  for (auto& [id, watcher] : watchers_) SendCreate(watcher);
  return true;
}

void WatchHub::ReadUntilBroken() {
  grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>* stream;
  {
    absl::MutexLock lock(&mu_);
    stream = stream_.get();
  }
  etcdserverpb::WatchResponse response;
  while (stream->Read(&response)) Handle(response);
  grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  if (!stop_) {
    last_error_ = FromGrpc(status, stream_endpoint_->address);
    connection_.ReportFailure(*stream_endpoint_);
  }
  for (auto& [id, watcher] : watchers_) watcher->server_id = -1;
  by_server_id_.clear();
  pending_creates_.clear();
  stream_.reset();
  context_.reset();
  stream_endpoint_ = nullptr;
}

void WatchHub::SendCreate(const std::shared_ptr<Watcher>& watcher) {
  etcdserverpb::WatchRequest request;
  etcdserverpb::WatchCreateRequest* create = request.mutable_create_request();
  SetPrefixRange(watcher->prefix, create->mutable_key(), create->mutable_range_end());
  create->set_start_revision(watcher->next_revision);
  create->set_progress_notify(true);
  Write(request);
  pending_creates_.push_back(watcher);
}

void WatchHub::Write(const etcdserverpb::WatchRequest& request) {
  // A failed write means a broken stream; the reader sees it too and reconnects.
  if (stream_ != nullptr) (void)stream_->Write(request);
}

void WatchHub::Handle(const etcdserverpb::WatchResponse& response) {
  {
    absl::MutexLock lock(&mu_);
    last_heard_ = absl::Now();
    probe_sent_ = absl::InfinitePast();
  }
  if (response.created()) {
    HandleCreated(response);
    return;
  }
  std::shared_ptr<Watcher> watcher;
  WatchResponse out;
  out.revision = response.header().revision();
  {
    absl::MutexLock lock(&mu_);
    if (response.watch_id() == -1) {
      // The answer to a probe proves the stream alive, nothing more: etcd 3.4 sends it from its
      // control path, possibly ahead of events still due to a watch catching up.
      return;
    }
    auto it = by_server_id_.find(response.watch_id());
    if (it == by_server_id_.end()) return;  // cancelled by us
    watcher = it->second;
    if (response.canceled()) {
      by_server_id_.erase(it);
      if (response.compact_revision() <= 0) {
        // etcd dropped the watch for another reason: ask again from where we are.
        watcher->server_id = -1;
        if (!watcher->cancelled.load()) SendCreate(watcher);
        return;
      }
      out.status = absl::OutOfRangeError(
          absl::StrCat("watch of '", watcher->prefix, "' from revision ", watcher->next_revision,
                       ": required revision has been compacted (compaction is at ",
                       response.compact_revision(), ")"));
      out.compact_revision = response.compact_revision();
      Finish(*watcher);
    } else {
      for (const mvccpb::Event& event : response.events()) {
        // Exactly once: after a resume, never hand out what was already delivered.
        if (event.kv().mod_revision() < watcher->next_revision) continue;
        out.events.push_back(FromProto(event));
      }
      if (!out.events.empty()) {
        watcher->next_revision = out.events.back().kv.mod_revision + 1;
      } else if (response.events_size() == 0) {
        watcher->next_revision = std::max(watcher->next_revision, out.revision + 1);
      } else {
        return;  // only duplicates
      }
    }
  }
  Deliver(*watcher, out);
}

void WatchHub::HandleCreated(const etcdserverpb::WatchResponse& response) {
  std::shared_ptr<Watcher> watcher;
  WatchResponse terminal;
  {
    absl::MutexLock lock(&mu_);
    if (pending_creates_.empty()) return;
    watcher = pending_creates_.front();
    pending_creates_.pop_front();
    if (watcher->cancelled.load()) {
      etcdserverpb::WatchRequest cancel;
      cancel.mutable_cancel_request()->set_watch_id(response.watch_id());
      if (!response.canceled()) Write(cancel);
      return;
    }
    if (!response.canceled()) {
      watcher->server_id = response.watch_id();
      by_server_id_[watcher->server_id] = watcher;
      if (watcher->next_revision == 0) watcher->next_revision = response.header().revision() + 1;
      watcher->created = true;
      return;
    }
    absl::Status error =
        response.compact_revision() > 0
            ? absl::OutOfRangeError(absl::StrCat("watch of '", watcher->prefix,
                                                 "': required revision has been compacted "
                                                 "(compaction is at ",
                                                 response.compact_revision(), ")"))
            : absl::FailedPreconditionError(absl::StrCat(
                  "etcd refused the watch of '", watcher->prefix, "': ", response.cancel_reason()));
    if (!watcher->created && response.compact_revision() <= 0) {
      watcher->create_error = error;  // Watch() is still waiting and returns it
      return;
    }
    // A compacted start revision is reported through the callback, as the interface says.
    watcher->created = true;
    terminal.status = error;
    terminal.revision = response.header().revision();
    terminal.compact_revision = response.compact_revision();
    Finish(*watcher);
  }
  Deliver(*watcher, terminal);
}

void WatchHub::Finish(Watcher& watcher) {
  watchers_.erase(watcher.id);
  if (watcher.server_id >= 0) by_server_id_.erase(watcher.server_id);
}

void WatchHub::Deliver(Watcher& watcher, const WatchResponse& response) {
  absl::MutexLock running(&watcher.callback_mu);
  if (watcher.cancelled.load()) return;
  const void* outer = std::exchange(tls_running_watcher, &watcher);
  try {
    watcher.callback(response);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warden: etcd watch callback threw (%s); watch cancelled\n", e.what());
    watcher.cancelled.store(true);
  } catch (...) {
    std::fprintf(stderr, "warden: etcd watch callback threw; watch cancelled\n");
    watcher.cancelled.store(true);
  }
  tls_running_watcher = outer;
  if (watcher.cancelled.load()) {
    absl::MutexLock lock(&mu_);
    Finish(watcher);
  }
}

void WatchHub::Cancel(const std::shared_ptr<Watcher>& watcher) {
  watcher->cancelled.store(true);
  {
    absl::MutexLock lock(&mu_);
    if (watcher->server_id >= 0 && by_server_id_.contains(watcher->server_id)) {
      etcdserverpb::WatchRequest cancel;
      cancel.mutable_cancel_request()->set_watch_id(watcher->server_id);
      Write(cancel);
    }
    Finish(*watcher);
  }
  // Wait out a callback in progress on the stream thread, unless this is that callback.
  if (tls_running_watcher != watcher.get()) absl::MutexLock wait(&watcher->callback_mu);
}

absl::Time WatchHub::Probe(absl::Time now) {
  const EtcdOptions& options = connection_.options();
  absl::MutexLock lock(&mu_);
  if (stream_ == nullptr || watchers_.empty()) return now + options.watch_probe_interval;
  if (probe_sent_ != absl::InfinitePast()) {
    if (now - probe_sent_ >= options.request_timeout) {
      // Nothing heard since the probe: the member is gone or cut off. Leave it.
      last_error_ = absl::UnavailableError(
          absl::StrCat("etcd ", stream_endpoint_->address, ": watch stream silent for ",
                       absl::FormatDuration(now - last_heard_), "; reconnecting"));
      context_->TryCancel();
      return now + options.watch_probe_interval;
    }
    return probe_sent_ + options.request_timeout;
  }
  // Keep-alives and calls answered by the same member count: it is there, and led.
  const absl::Time heard = std::max(last_heard_, stream_endpoint_->LastAnswer());
  if (now - heard < options.watch_probe_interval) return heard + options.watch_probe_interval;
  etcdserverpb::WatchRequest probe;
  probe.mutable_progress_request();
  Write(probe);
  probe_sent_ = now;
  return now + options.request_timeout;
}

}  // namespace warden::etcd_internal
