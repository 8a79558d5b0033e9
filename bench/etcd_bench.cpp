// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// etcd_bench: warden's native gRPC client against etcd's HTTP/JSON gateway (the path Patroni's
// etcd3 backend takes), on the same local etcd in the same run. For each operation it prints
// throughput and p50/p99 latency with 1 and 16 callers in flight, and the ratio
// gateway/gRPC (> 1: gRPC is faster). Also watch latency (put → event) and, for scale, the cost
// of one etcdctl process per call.
//
//   build/bench/etcd_bench [--ops N]

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "tests/etcd/etcd_cluster.h"
#include "warden/etcd/etcd.h"

namespace warden {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// One keep-alive HTTP/1.1 connection to etcd's gateway, as Patroni's urllib3 pool holds.
class GatewayClient {
 public:
  explicit GatewayClient(const std::string& endpoint) : stream_(io_) {
    host_ = endpoint.substr(0, endpoint.find(':'));
    port_ = endpoint.substr(endpoint.find(':') + 1);
    tcp::resolver resolver(io_);
    stream_.connect(resolver.resolve(host_, port_));
  }

  // POSTs `json` to `path`; returns the body, or an empty string on a non-200 answer.
  std::string Post(const std::string& path, const std::string& json) {
    http::request<http::string_body> request{http::verb::post, path, 11};
    request.set(http::field::host, host_);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = json;
    request.prepare_payload();
    http::write(stream_, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream_, buffer, response);
    return response.result() == http::status::ok ? response.body() : std::string();
  }

 private:
  boost::asio::io_context io_;
  beast::tcp_stream stream_;
  std::string host_;
  std::string port_;
};

std::string B64(const std::string& s) { return absl::Base64Escape(s); }

struct Result {
  double ops_per_second = 0;
  absl::Duration p50;
  absl::Duration p99;
};

// Runs `op(caller, i)` `ops` times on each of `callers` threads; `op` returns false on failure.
Result Measure(int callers, int ops, const std::function<bool(int, int)>& op) {
  absl::Mutex mu;
  std::vector<absl::Duration> latencies;
  std::atomic<int> failures{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      std::vector<absl::Duration> mine;
      mine.reserve(ops);
      for (int i = 0; i < ops; ++i) {
        const absl::Time t0 = absl::Now();
        if (!op(c, i)) ++failures;
        mine.push_back(absl::Now() - t0);
      }
      absl::MutexLock lock(&mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : threads) t.join();
  const absl::Duration elapsed = absl::Now() - start;
  if (failures.load() > 0) std::fprintf(stderr, "  (%d failed operations)\n", failures.load());
  std::sort(latencies.begin(), latencies.end());
  return Result{static_cast<double>(latencies.size()) / absl::ToDoubleSeconds(elapsed),
                latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100]};
}

std::string Micros(absl::Duration d) {
  return absl::StrFormat("%.0f us", absl::ToDoubleMicroseconds(d));
}

void PrintRow(const std::string& op, int callers, const Result& grpc, const Result& gateway) {
  std::printf("%-22s %3d | %9.0f/s %9s %9s | %9.0f/s %9s %9s | %5.2fx\n", op.c_str(), callers,
              grpc.ops_per_second, Micros(grpc.p50).c_str(), Micros(grpc.p99).c_str(),
              gateway.ops_per_second, Micros(gateway.p50).c_str(), Micros(gateway.p99).c_str(),
              grpc.ops_per_second / gateway.ops_per_second);
}

// One operation, done both ways by caller c (each caller has its own clients and keys).
struct Operation {
  std::string name;
  std::function<bool(int, int)> grpc;
  std::function<bool(int, int)> gateway;
};

int Run(int ops) {
  absl::StatusOr<std::unique_ptr<test::EtcdCluster>> cluster = test::EtcdCluster::Start();
  if (!cluster.ok()) {
    std::fprintf(stderr, "cannot start etcd: %s\n",
                 std::string(cluster.status().message()).c_str());
    return 1;
  }
  const std::string endpoint = (*cluster)->ClientEndpoint(0);
  constexpr int kMaxCallers = 16;
  std::vector<std::unique_ptr<Dcs>> linearizable, serializable;
  std::vector<std::unique_ptr<GatewayClient>> gateways;
  std::vector<LeaseId> leases;
  for (int c = 0; c < kMaxCallers; ++c) {
    EtcdOptions options;
    options.endpoints = {endpoint};
    linearizable.push_back(*NewEtcdDcs(options));
    options.serializable_reads = true;
    serializable.push_back(*NewEtcdDcs(options));
    gateways.push_back(std::make_unique<GatewayClient>(endpoint));
    leases.push_back(linearizable.back()->GrantLease(absl::Seconds(600), Soon())->id);
  }
  const std::string value(64, 'v');
  auto key = [](int c) { return absl::StrCat("/bench/k", c); };
  // CAS: each caller moves its own counter from i to i+1 with a value compare, so every CAS
  // succeeds and both paths do the same work.
  auto cas_value = [](int i, bool gateway_run) { return absl::StrCat(gateway_run ? "g" : "n", i); };

  std::vector<Operation> operations = {
      {"put",
       [&](int c, int) { return linearizable[c]->Put(key(c), value, kNoLease, Soon()).ok(); },
       [&](int c, int) {
         return !gateways[c]
                     ->Post("/v3/kv/put", absl::StrCat(R"({"key":")", B64(key(c)), R"(","value":")",
                                                       B64(value), R"("})"))
                     .empty();
       }},
      {"get (linearizable)", [&](int c, int) { return linearizable[c]->Get(key(c), Soon()).ok(); },
       [&](int c, int) {
         return !gateways[c]
                     ->Post("/v3/kv/range", absl::StrCat(R"({"key":")", B64(key(c)), R"("})"))
                     .empty();
       }},
      {"get (serializable)", [&](int c, int) { return serializable[c]->Get(key(c), Soon()).ok(); },
       [&](int c, int) {
         return !gateways[c]
                     ->Post("/v3/kv/range",
                            absl::StrCat(R"({"key":")", B64(key(c)), R"(","serializable":true})"))
                     .empty();
       }},
      {"txn (CAS)",
       [&](int c, int i) {
         TxnRequest txn;
         txn.compares = {Compare::ValueEquals(key(c), cas_value(i, false))};
         txn.success = {TxnOp::Put(key(c), cas_value(i + 1, false))};
         absl::StatusOr<TxnResult> r = linearizable[c]->Txn(txn, Soon());
         return r.ok() && r->succeeded;
       },
       [&](int c, int i) {
         std::string body = gateways[c]->Post(
             "/v3/kv/txn",
             absl::StrCat(R"({"compare":[{"key":")", B64(key(c)),
                          R"(","target":"VALUE","result":"EQUAL","value":")",
                          B64(cas_value(i, true)), R"("}],"success":[{"request_put":{"key":")",
                          B64(key(c)), R"(","value":")", B64(cas_value(i + 1, true)), R"("}}]})"));
         return body.find(R"("succeeded":true)") != std::string::npos;
       }},
      {"lease keep-alive",
       [&](int c, int) { return linearizable[c]->KeepAlive(leases[c], Soon()).ok(); },
       [&](int c, int) {
         return !gateways[c]
                     ->Post("/v3/lease/keepalive", absl::StrCat(R"({"ID":")", leases[c], R"("})"))
                     .empty();
       }},
  };

  std::printf("etcd_bench: etcd %s on loopback, %d ops per caller, 64-byte values\n",
              endpoint.c_str(), ops);
  std::printf("%-22s %3s | %29s | %29s | %s\n", "operation", "in", "warden gRPC (ops, p50, p99)",
              "HTTP gateway (ops, p50, p99)", "gRPC/gw");
  for (const Operation& op : operations) {
    for (int callers : {1, kMaxCallers}) {
      const int per_caller = callers == 1 ? ops : std::max(ops / 4, 50);
      // Seed the CAS counters at the value the first iteration expects.
      for (int c = 0; c < callers; ++c) {
        (void)linearizable[c]->Put(key(c), cas_value(0, false), kNoLease, Soon());
      }
      Result grpc = Measure(callers, per_caller, op.grpc);
      for (int c = 0; c < callers; ++c) {
        (void)linearizable[c]->Put(key(c), cas_value(0, true), kNoLease, Soon());
      }
      Result gateway = Measure(callers, per_caller, op.gateway);
      PrintRow(op.name, callers, grpc, gateway);
    }
  }

  // Watch latency: from the start of a put to the watch callback, one at a time.
  {
    absl::Mutex mu;
    absl::Time arrived = absl::InfinitePast();
    auto watch = linearizable[0]->Watch(
        "/bench/watched", 0,
        [&](const WatchResponse& r) {
          if (r.events.empty()) return;
          absl::MutexLock lock(&mu);
          arrived = absl::Now();
        },
        Soon());
    std::vector<absl::Duration> latencies;
    for (int i = 0; i < std::min(ops, 1000); ++i) {
      const absl::Time t0 = absl::Now();
      (void)linearizable[1]->Put("/bench/watched", value, kNoLease, Soon());
      absl::MutexLock lock(&mu);
      auto seen = [&]() { return arrived >= t0; };
      mu.AwaitWithTimeout(absl::Condition(&seen), absl::Seconds(5));
      latencies.push_back(arrived - t0);
    }
    std::sort(latencies.begin(), latencies.end());
    std::printf("%-22s %3d | p50 %s, p99 %s (put start to callback, gRPC watch stream)\n",
                "watch latency", 1, Micros(latencies[latencies.size() / 2]).c_str(),
                Micros(latencies[latencies.size() * 99 / 100]).c_str());
  }

  // For scale: one etcdctl process per operation, as shell scripts do.
  {
    constexpr int kCalls = 20;
    const std::string command = absl::StrCat(
        "ETCDCTL_API=3 /usr/bin/etcdctl --endpoints=", endpoint, " put /bench/ctl v >/dev/null");
    const absl::Time t0 = absl::Now();
    for (int i = 0; i < kCalls; ++i) {
      if (std::system(command.c_str()) != 0) std::fprintf(stderr, "  etcdctl failed\n");
    }
    std::printf("%-22s %3d | %s per put (one etcdctl process per call)\n", "etcdctl put", 1,
                Micros((absl::Now() - t0) / kCalls).c_str());
  }
  return 0;
}

}  // namespace
}  // namespace warden

int main(int argc, char** argv) {
  int ops = 2000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--ops") ops = std::max(100, std::atoi(argv[i + 1]));
  }
  return warden::Run(ops);
}
