// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/member_prober.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "nlohmann/json.hpp"
#include "src/agent/http_url.h"

namespace warden {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

// One HTTP exchange; an empty optional when the member did not answer in time.
asio::awaitable<std::optional<std::string>> Exchange(HttpUrl url, http::verb verb,
                                                     std::string target, std::string body,
                                                     std::chrono::milliseconds timeout) {
  try {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);
    auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, url.host + ":" + url.port);
    request.set(http::field::user_agent, "warden");
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = std::move(body);
      request.prepare_payload();
    }
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(uint64_t{1024} * 1024);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    const auto& response = parser.get();
    if (verb == http::verb::post) {
      co_return response.result() == http::status::ok ? std::optional<std::string>("ok")
                                                      : std::optional<std::string>("");
    }
    co_return response.body();
  } catch (const std::exception&) {
    co_return std::nullopt;  // refused, reset, timed out, garbage: unreachable all the same
  }
}

asio::awaitable<void> ProbeOne(std::string api_url, std::string self, bool ask_failsafe,
                               std::chrono::milliseconds timeout, MemberProbe& probe) {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(api_url);
  if (!url.ok() || url->scheme != "http") co_return;
  std::optional<std::string> reply =
      co_await Exchange(*url, http::verb::get, "/patroni", "", timeout);
  if (!reply.has_value()) co_return;
  probe = ParsePatroniStatus(probe.name, *reply);
  if (ask_failsafe) {
    const std::string body = json{{"name", self}}.dump();
    std::optional<std::string> accepted =
        co_await Exchange(*url, http::verb::post, "/failsafe", body, timeout);
    probe.confirms_primary = accepted.has_value() && *accepted == "ok";
  }
}

class HttpMemberProber final : public MemberProber {
 public:
  std::vector<MemberProbe> Probe(const ClusterView& view, const std::string& self,
                                 absl::Duration timeout, bool ask_failsafe) override {
    std::map<std::string, std::string> targets = view.failsafe;
    for (const Member& m : view.members) targets[m.name] = m.api_url;
    targets.erase(self);
    std::vector<MemberProbe> probes(targets.size());
    asio::io_context io;
    const auto millis = std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout));
    size_t i = 0;
    for (const auto& [name, api_url] : targets) {
      probes[i].name = name;
      asio::co_spawn(io, ProbeOne(api_url, self, ask_failsafe, millis, probes[i]), asio::detached);
      ++i;
    }
    // Each exchange has its own expiry; this bounds the whole round as well.
    io.run_for(2 * millis + std::chrono::milliseconds(100));
    return probes;
  }
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

std::unique_ptr<MemberProber> NewHttpMemberProber() { return std::make_unique<HttpMemberProber>(); }

}  // namespace warden
