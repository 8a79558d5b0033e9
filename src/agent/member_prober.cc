// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/member_prober.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/agent/http_client.h"

namespace warden {
namespace {

using json = nlohmann::json;

Lsn NumberAt(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return 0;
  return it->get<Lsn>();
}

std::string StringAt(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// GET /patroni on one member, and with `ask_failsafe` POST /failsafe, through the shared client
// with this agent's credentials. An unanswered or failed call leaves the member unreachable.
void ProbeOne(const std::string& api_url, const std::string& self, bool ask_failsafe,
              absl::Duration timeout, const PeerHttpOptions& peer, MemberProbe& probe) {
  HttpRequest request;
  request.method = "GET";
  request.url = EndpointUrl(api_url, "patroni");
  request.username = peer.username;
  request.password = peer.password;
  request.timeout = timeout;
  request.cacert = peer.cacert;
  // As Patroni's HA requests: the chain is checked against the configured CA, the name is not
  // (members are reached by address); without a CA, nothing is checked.
  request.insecure = peer.cacert.empty();
  request.verify_hostname = false;
  request.certfile = peer.certfile;
  request.keyfile = peer.keyfile;
  absl::StatusOr<HttpResponse> reply = CallHttp(request);
  if (!reply.ok()) return;
  const std::string name = probe.name;
  probe = ParsePatroniStatus(name, reply->body);
  if (!ask_failsafe) return;
  request.method = "POST";
  request.url = EndpointUrl(api_url, "failsafe");
  request.body = json{{"name", self}}.dump();
  absl::StatusOr<HttpResponse> accepted = CallHttp(request);
  probe.confirms_primary = accepted.ok() && accepted->status == 200;
}

class HttpMemberProber final : public MemberProber {
 public:
  explicit HttpMemberProber(PeerHttpOptions peer) : peer_(std::move(peer)) {}

  // One thread a member: the calls are synchronous, each bounded by `timeout`, and a cluster has
  // a handful of members.
  std::vector<MemberProbe> Probe(const ClusterView& view, const std::string& self,
                                 absl::Duration timeout, bool ask_failsafe) override {
    std::map<std::string, std::string> targets = view.failsafe;
    for (const Member& m : view.members) targets[m.name] = m.api_url;
    targets.erase(self);
    std::vector<MemberProbe> probes(targets.size());
    std::vector<std::thread> calls;
    size_t i = 0;
    for (const auto& [name, api_url] : targets) {
      probes[i].name = name;
      calls.emplace_back(ProbeOne, std::cref(api_url), std::cref(self), ask_failsafe, timeout,
                         std::cref(peer_), std::ref(probes[i]));
      ++i;
    }
    for (std::thread& call : calls) call.join();
    return probes;
  }

 private:
  const PeerHttpOptions peer_;
};

}  // namespace

MemberProbe ParsePatroniStatus(const std::string& name, const std::string& text) {
  MemberProbe probe;
  probe.name = name;
  const json reply = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!reply.is_object()) return probe;  // it answered, but not as a member does
  probe.reachable = true;
  probe.running = StringAt(reply, "state") == "running";
  const std::string role = StringAt(reply, "role");
  if (role == "master" || role == "primary") {
    probe.role = PgRole::kPrimary;
  } else if (role == "replica" || role == "standby_leader") {
    probe.role = PgRole::kReplica;
  }
  if (const auto xlog = reply.find("xlog"); xlog != reply.end() && xlog->is_object()) {
    // A stopped member shows where its data ends as "location" (warden's addition).
    probe.wal_position =
        probe.role == PgRole::kPrimary || !probe.running
            ? NumberAt(*xlog, "location")
            : std::max(NumberAt(*xlog, "received_location"), NumberAt(*xlog, "replayed_location"));
  }
  if (const auto tl = reply.find("timeline"); tl != reply.end() && tl->is_number_integer()) {
    probe.timeline = tl->get<int64_t>();
  }
  return probe;
}

std::unique_ptr<MemberProber> NewHttpMemberProber(PeerHttpOptions peer) {
  return std::make_unique<HttpMemberProber>(std::move(peer));
}

}  // namespace warden
