// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The Agent on Boost.Asio: three io_contexts, each on a thread of its own, so that none can
// delay another:
//   - the HA thread (the one calling Run): HA loops on a timer and on watch events, and the
//     commands (restart, reload, reinit) between loops;
//   - the lease thread: keep-alives on their own timer, whatever the HA loop is doing;
//   - the network thread: the REST API and signals; it serves the last status and never waits
//     on the DCS or PostgreSQL (the REST server runs write requests on a worker of its own).

#include "warden/agent/agent.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/signal_set.hpp"
#include "boost/asio/steady_timer.hpp"
#include "src/agent/callbacks.h"
#include "src/agent/cluster_cache.h"
#include "src/agent/cluster_commands.h"
#include "src/agent/ha_node.h"
#include "src/agent/lease_keeper.h"
#include "src/agent/member_prober.h"
#include "src/agent/rest_server.h"
#include "src/agent/write_noting_dcs.h"
#include "warden/clock.h"
#include "warden/core/config.h"

namespace warden {
namespace {

namespace asio = boost::asio;

// How long GET /patroni may spend reading PostgreSQL: half the peers' default probe timeout.
constexpr absl::Duration kLiveReadBudget = absl::Seconds(1);

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(std::max(d, absl::ZeroDuration())));
}

absl::Status CheckOptions(const AgentOptions& options) {
  if (options.scope.empty()) return absl::InvalidArgumentError("scope is required");
  if (options.name.empty()) return absl::InvalidArgumentError("name is required");
  if (absl::Status s = ParseHostPort(options.connect_address).status(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("postgresql.connect_address: ", s.message()));
  }
  if (absl::Status s = ParseHostPort(options.restapi.listen).status(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("restapi.listen: ", s.message()));
  }
  const DynamicConfig& c = options.bootstrap_config;
  if (c.loop_wait + 2 * c.retry_timeout > c.ttl) {
    return absl::InvalidArgumentError("loop_wait + 2 * retry_timeout must not exceed ttl");
  }
  return absl::OkStatus();
}

class AgentImpl final : public Agent, public AgentControl {
 public:
  AgentImpl(AgentOptions options, Dcs& dcs, Controller& controller)
      : options_(std::move(options)),
        dcs_(dcs),
        controller_(controller),
        noting_dcs_(dcs_, cache_),
        keys_(options_.namespace_, options_.scope),
        lease_(dcs_, *SteadyClock::Default()),
        prober_(NewHttpMemberProber(options_.peer_http)) {}

  ~AgentImpl() override = default;

  absl::Status Run() override;
  void Stop() override {
    asio::post(ha_io_, [this] { BeginShutdown(); });
  }
  void SetObserver(std::function<void(const AgentStatus&)> observer) override {
    absl::MutexLock lock(&mu_);
    observer_ = std::move(observer);
  }
  AgentControl& control() override { return *this; }
  int rest_port() const override { return rest_port_.load(); }

  // --- AgentControl ---
  AgentStatus Status() const override {
    absl::MutexLock lock(&mu_);
    if (node_ != nullptr) return node_->Status();
    AgentStatus status;
    status.name = options_.name;
    status.scope = options_.scope;
    status.config = options_.bootstrap_config;
    return status;
  }
  AgentStatus LiveStatus() const override {
    AgentStatus status = Status();
    // The snapshot is up to a loop old: a replica that just caught up would show its old
    // position, a leader the one before its last WAL switch, and a peer would judge it lagging
    // or diverged. Busy (a clone, a start): the snapshot, which the operation's end refreshes.
    absl::StatusOr<LocalPostgres> now = controller_.StateIfIdle(absl::Now() + kLiveReadBudget);
    if (now.ok()) status.postgres = *std::move(now);
    return status;
  }
  absl::StatusOr<std::string> RequestSwitchover(const SwitchoverRequest& request) override;
  absl::Status CancelSwitchover() override;
  absl::StatusOr<std::string> ConfigJson() override {
    return ReadConfigJson(dcs_, keys_, options_.bootstrap_config, DcsDeadline());
  }
  absl::StatusOr<std::string> UpdateConfig(const std::string& json, bool replace) override {
    absl::StatusOr<std::string> written =
        UpdateConfigJson(dcs_, keys_, options_.bootstrap_config, json, replace, DcsDeadline());
    if (written.ok()) Wake();  // apply it now, not at the next tick
    return written;
  }
  absl::StatusOr<std::string> Restart() override {
    return OnHaThread([](HaNode& node) { return node.Restart(); });
  }
  absl::StatusOr<std::string> Reload() override {
    return OnHaThread([](HaNode& node) { return node.Reload(); });
  }
  absl::StatusOr<std::string> Reinitialize(bool force) override {
    return OnHaThread([force](HaNode& node) { return node.Reinitialize(force); });
  }
  bool AcceptFailsafe(const std::string& leader) override {
    absl::MutexLock lock(&mu_);
    return node_ != nullptr && node_->AcceptFailsafe(leader);
  }

 private:
  // --- The runtime ---
  absl::Time DcsDeadline() const { return absl::Now() + RetryTimeout(); }
  // The config's retry_timeout, without copying the whole status.
  absl::Duration RetryTimeout() const {
    absl::MutexLock lock(&mu_);
    return node_ != nullptr ? node_->EffectiveConfig().retry_timeout
                            : options_.bootstrap_config.retry_timeout;
  }
  std::string KnownLeader() const {
    absl::MutexLock lock(&mu_);
    return node_ != nullptr ? node_->KnownLeader() : "";
  }
  bool AwaitingLeader() const {
    absl::MutexLock lock(&mu_);
    return node_ != nullptr && node_->AwaitingLeader();
  }
  std::string ApiUrl(int port) const;
  void ScheduleLoop(absl::Duration after);
  void RunLoop();
  // Hands `status` to the observer (SetObserver), if any.
  void Notify(const AgentStatus& status);
  void Wake() {
    asio::post(ha_io_, [this] { ScheduleLoop(absl::ZeroDuration()); });
  }
  void StartWatch();
  void OnWatch(const WatchResponse& response);
  void ScheduleRenewal();
  void RetryWatchSoon();
  void BeginShutdown();
  absl::StatusOr<std::string> OnHaThread(
      std::function<absl::StatusOr<std::string>(HaNode&)> command);

  const AgentOptions options_;
  Dcs& dcs_;
  Controller& controller_;
  // The cluster's keys as the watch delivers them, and the Dcs the HA loop writes through, which
  // tells the cache of each write so the loop never reads a view older than its own writes.
  ClusterCache cache_;
  WriteNotingDcs noting_dcs_;
  const ClusterKeys keys_;
  LeaseKeeper lease_;
  std::unique_ptr<MemberProber> prober_;
  std::unique_ptr<CallbackRunner> callbacks_;

  asio::io_context ha_io_;
  asio::io_context lease_io_;
  asio::io_context net_io_;
  asio::steady_timer loop_timer_{ha_io_};
  asio::steady_timer lease_timer_{lease_io_};
  std::unique_ptr<RestServer> rest_;
  std::unique_ptr<WatchHandle> watch_;
  bool stopping_ = false;  // HA thread only
  std::atomic<int> rest_port_{0};
  std::atomic<bool> shut_down_{false};  // the HA thread runs no more commands

  mutable absl::Mutex mu_;
  std::unique_ptr<HaNode> node_ ABSL_GUARDED_BY(mu_);
  std::function<void(const AgentStatus&)> observer_ ABSL_GUARDED_BY(mu_);
};

std::string AgentImpl::ApiUrl(int port) const {
  const std::string scheme = options_.restapi.certfile.empty() ? "http" : "https";
  std::string address = options_.restapi.connect_address;
  if (address.empty()) {
    absl::StatusOr<std::pair<std::string, int>> listen = ParseHostPort(options_.restapi.listen);
    address = absl::StrCat(listen.ok() ? listen->first : "127.0.0.1", ":", port);
  }
  return absl::StrCat(scheme, "://", address, "/patroni");
}

absl::Status AgentImpl::Run() {
  int port = 0;
  if (options_.serve_rest_api) {
    rest_ = std::make_unique<RestServer>(net_io_, *this, options_.restapi);
    if (absl::Status s = rest_->Start(); !s.ok()) return s;
    port = rest_->port();
    rest_port_ = port;
  }
  callbacks_ = std::make_unique<CallbackRunner>(options_.callbacks, options_.scope);
  {
    absl::MutexLock lock(&mu_);
    node_ = std::make_unique<HaNode>(options_, ApiUrl(port), noting_dcs_, controller_, lease_,
                                     *prober_, *SteadyClock::Default(), callbacks_.get(), &cache_);
    node_->SetDecisionObserver([this](const AgentStatus& status) { Notify(status); });
  }
  asio::signal_set signals(net_io_);
  if (options_.handle_signals) {
    signals.add(SIGTERM);
    signals.add(SIGINT);
    signals.async_wait([this](const boost::system::error_code& ec, int /*signal*/) {
      if (!ec) Stop();
    });
  }
  // The network and lease threads run until their io_contexts are stopped at shutdown.
  auto net_guard = asio::make_work_guard(net_io_);
  auto lease_guard = asio::make_work_guard(lease_io_);
  std::thread net_thread([this] { net_io_.run(); });
  std::thread lease_thread([this] { lease_io_.run(); });
  asio::post(lease_io_, [this] { ScheduleRenewal(); });
  asio::post(ha_io_, [this] {
    RunLoop();     // the first read of the cluster...
    StartWatch();  // ...and every change after it
  });
  ha_io_.run();  // until BeginShutdown has finished
  shut_down_ = true;
  ha_io_.restart();
  ha_io_.poll();  // commands posted meanwhile answer "shutting down"

  // The REST server goes on its own thread, so that its listening socket is closed before Run
  // returns: a socket left listening would let peers' probes connect and wait for nothing.
  std::promise<void> closed;
  asio::post(net_io_, [this, &closed, &signals] {
    signals.cancel();
    rest_.reset();
    closed.set_value();
  });
  closed.get_future().wait();
  net_guard.reset();
  lease_guard.reset();
  lease_io_.stop();
  net_io_.stop();
  net_thread.join();
  lease_thread.join();
  callbacks_.reset();  // runs what is queued (on_stop), each bounded by its timeout
  return absl::OkStatus();
}

void AgentImpl::ScheduleLoop(absl::Duration after) {
  if (stopping_) return;
  const auto at = std::chrono::steady_clock::now() + ToChrono(after);
  // Only ever move the next loop earlier: a watch event must not postpone a due recheck.
  if (loop_timer_.expiry() > std::chrono::steady_clock::now() && loop_timer_.expiry() <= at) return;
  loop_timer_.expires_at(at);
  loop_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) RunLoop();
  });
}

void AgentImpl::RunLoop() {
  HaNode* node;
  {
    absl::MutexLock lock(&mu_);
    node = node_.get();
  }
  const absl::Time next = node->RunOnce();
  loop_timer_.expires_at(std::chrono::steady_clock::time_point::min());  // nothing pending
  ScheduleLoop(next - SteadyClock::Default()->Now());
  Notify(node->Status());
}

void AgentImpl::Notify(const AgentStatus& status) {
  std::function<void(const AgentStatus&)> observer;
  {
    absl::MutexLock lock(&mu_);
    observer = observer_;
  }
  if (observer) observer(status);
}

// Wakes the loop at once on what changes a decision: the leader key going or changing hands,
// a failover request, a new config, the initialize or sync keys, and the leader's member key
// while this node has no running PostgreSQL or no stream (a replica waiting to clone from a
// bootstrapping primary starts as soon as that one runs). Other members' keys and the status
// key, which move with the WAL positions, do not.
void AgentImpl::OnWatch(const WatchResponse& response) {
  cache_.Apply(response);  // before any wake: the loop it wakes reads the cache
  if (!response.status.ok()) {
    // The stream is gone (compaction, backend trouble): re-read at once and watch again soon.
    asio::post(ha_io_, [this] {
      if (stopping_) return;
      RetryWatchSoon();
      ScheduleLoop(absl::ZeroDuration());
    });
    return;
  }
  const std::string leader = KnownLeader();
  for (const WatchEvent& event : response.events) {
    const std::string& key = event.kv.key;
    const bool relevant =
        key == keys_.leader()
            ? event.type == WatchEvent::Type::kDelete || event.kv.value != leader
            : key == keys_.failover() || key == keys_.config() || key == keys_.initialize() ||
                  key == keys_.sync() ||
                  (!leader.empty() && key == keys_.member(leader) && AwaitingLeader());
    if (relevant) {
      Wake();
      return;
    }
  }
}

// The cache is filled from a List at revision R and kept current by a watch from R + 1, so it
// misses no change in between.
void AgentImpl::StartWatch() {
  if (stopping_) return;
  absl::StatusOr<ListResult> listing = dcs_.List(keys_.prefix(), DcsDeadline());
  if (!listing.ok()) {
    RetryWatchSoon();
    return;
  }
  cache_.Start(*listing);
  absl::StatusOr<std::unique_ptr<WatchHandle>> watch = dcs_.Watch(
      keys_.prefix(), listing->revision + 1, [this](const WatchResponse& r) { OnWatch(r); },
      DcsDeadline());
  if (watch.ok()) {
    watch_ = *std::move(watch);
    return;
  }
  cache_.Stop();
  RetryWatchSoon();
}

void AgentImpl::RetryWatchSoon() {
  auto timer = std::make_shared<asio::steady_timer>(ha_io_, std::chrono::seconds(1));
  timer->async_wait([this, timer](const boost::system::error_code&) { StartWatch(); });
}

void AgentImpl::ScheduleRenewal() {
  const absl::Time next = lease_.RenewIfDue(RetryTimeout());
  lease_timer_.expires_after(ToChrono(next - SteadyClock::Default()->Now()));
  lease_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ScheduleRenewal();
  });
}

void AgentImpl::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  loop_timer_.cancel();
  if (watch_ != nullptr) watch_->Cancel();
  cache_.Stop();
  // Stop renewing first: Shutdown revokes the lease itself once the leader key is released.
  asio::post(lease_io_, [this] { lease_timer_.cancel(); });
  // Close the REST API before the key goes: the replicas racing for it probe this node, and a
  // refused connection answers at once where a half-closed server would make them wait.
  if (rest_ != nullptr) rest_->Stop();
  HaNode* node;
  {
    absl::MutexLock lock(&mu_);
    node = node_.get();
  }
  node->Shutdown();
  ha_io_.stop();
}

absl::StatusOr<std::string> AgentImpl::OnHaThread(
    std::function<absl::StatusOr<std::string>(HaNode&)> command) {
  if (shut_down_) return absl::UnavailableError("the agent is shutting down");
  auto promise = std::make_shared<std::promise<absl::StatusOr<std::string>>>();
  std::future<absl::StatusOr<std::string>> result = promise->get_future();
  asio::post(ha_io_, [this, promise, command = std::move(command)] {
    if (stopping_) {
      promise->set_value(absl::UnavailableError("the agent is shutting down"));
      return;
    }
    HaNode* node;
    {
      absl::MutexLock lock(&mu_);
      node = node_.get();
    }
    promise->set_value(command(*node));
    ScheduleLoop(absl::ZeroDuration());  // look at the result at once
  });
  return result.get();
}

absl::StatusOr<std::string> AgentImpl::RequestSwitchover(const SwitchoverRequest& request) {
  AgentStatus status = Status();
  // Check against the cluster as it is now, not as of the last loop (as Patroni does).
  absl::StatusOr<ListResult> listing = dcs_.List(keys_.prefix(), DcsDeadline());
  if (!listing.ok()) return listing.status();
  status.view = DecodeCluster(keys_, *listing);
  if (absl::Status s =
          WriteSwitchover(dcs_, keys_, status.view, status.config, request, DcsDeadline());
      !s.ok()) {
    return s;
  }
  Wake();
  if (request.scheduled_at.has_value()) {
    return absl::StrCat("Switchover scheduled at: ", absl::FormatTime(*request.scheduled_at));
  }
  // Like Patroni: wait for the outcome, polling the DCS (the leader and candidates act on it).
  const std::string previous_leader = status.view.leader ? status.view.leader->name : "";
  const absl::Time give_up = absl::Now() + status.config.ttl + 2 * status.config.loop_wait;
  while (absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
    absl::StatusOr<GetResult> failover = dcs_.Get(keys_.failover(), DcsDeadline());
    absl::StatusOr<GetResult> leader = dcs_.Get(keys_.leader(), DcsDeadline());
    if (!failover.ok() || !leader.ok() || failover->kv.has_value()) continue;
    if (!leader->kv.has_value()) continue;  // between the old leader's release and the new one
    const std::string& now_leader = leader->kv->value;
    if (now_leader == previous_leader) {
      return absl::UnavailableError(absl::StrCat(request.failover ? "Failover" : "Switchover",
                                                 " failed: ", now_leader, " is still the leader"));
    }
    return absl::StrCat(
        request.failover ? "Successfully failed over to \"" : "Successfully switched over to \"",
        now_leader, "\"");
  }
  return absl::UnavailableError("Switchover status unknown: no new leader in time");
}

absl::Status AgentImpl::CancelSwitchover() {
  absl::StatusOr<GetResult> failover = dcs_.Get(keys_.failover(), DcsDeadline());
  if (!failover.ok()) return failover.status();
  if (!failover->kv.has_value()) return absl::NotFoundError("no switchover is scheduled");
  TxnRequest txn;
  txn.compares = {
      Compare::ModRevision(keys_.failover(), Compare::Op::kEqual, failover->kv->mod_revision)};
  txn.success = {TxnOp::Delete(keys_.failover())};
  absl::StatusOr<TxnResult> result = dcs_.Txn(txn, DcsDeadline());
  if (!result.ok()) return result.status();
  if (!result->succeeded) return absl::AbortedError("the switchover changed meanwhile");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Agent>> Agent::Create(AgentOptions options, Dcs& dcs,
                                                     Controller& controller) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  return std::unique_ptr<Agent>(new AgentImpl(std::move(options), dcs, controller));
}

}  // namespace warden
