// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// One request per call, on its own io_context: callers make a handful of calls at a time, so a
// pool or a shared loop would buy nothing. The exchange runs as a coroutine with error codes (no
// exceptions); io_context::run_for bounds it, and on expiry the socket is closed and the loop
// drained so that nothing outlives the call.

#include "src/agent/http_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace warden {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Target {
  bool https = false;
  std::string host;  // without IPv6 brackets
  std::string port;
  std::string host_header;  // as written in the URL
  std::string path;
};

absl::StatusOr<Target> ParseUrl(std::string_view url) {
  Target t;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("not an http(s) URL: ", std::string(url)));
  }
  const std::string scheme = absl::AsciiStrToLower(std::string(url.substr(0, scheme_end)));
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat("not an http(s) URL: ", std::string(url)));
  }
  t.https = scheme == "https";
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  t.host_header = std::string(rest.substr(0, slash));
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view authority = t.host_header;
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("bad IPv6 address");
    t.host = std::string(authority.substr(1, close - 1));
    if (authority.substr(close + 1).starts_with(":")) port = authority.substr(close + 2);
  } else {
    const size_t colon = authority.rfind(':');
    t.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  t.port = port.empty() ? (t.https ? "443" : "80") : std::string(port);
  if (t.host.empty()) return absl::InvalidArgumentError(absl::StrCat("no host in ", t.host_header));
  return t;
}

// How far the exchange got: a failure before the request was written may be retried elsewhere.
enum class Stage { kResolve, kConnect, kHandshake, kExchange, kDone };

struct Exchange {
  Stage stage = Stage::kResolve;
  boost::system::error_code error;
  Response response;
  bool finished = false;
  bool timed_out = false;
  bool threw = false;
};

template <typename Stream>
asio::awaitable<void> Run(tcp::resolver& resolver, Stream& stream, const Target& target,
                          Request& request, Exchange& x) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  auto endpoints = co_await resolver.async_resolve(target.host, target.port, token);
  if (ec) {
    x.error = ec;
    co_return;
  }
  x.stage = Stage::kConnect;
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, token);
  if (ec) {
    x.error = ec;
    co_return;
  }
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    x.stage = Stage::kHandshake;
    co_await stream.async_handshake(ssl::stream_base::client, token);
    if (ec) {
      x.error = ec;
      co_return;
    }
  }
  x.stage = Stage::kExchange;
  co_await http::async_write(stream, request, token);
  if (ec) {
    x.error = ec;
    co_return;
  }
  beast::flat_buffer buffer;
  co_await http::async_read(stream, buffer, x.response, token);
  if (ec) {
    x.error = ec;
    co_return;
  }
  x.stage = Stage::kDone;
}

absl::StatusOr<HttpResponse> Outcome(const Exchange& x, const HttpRequest& request) {
  const std::string where = absl::StrCat(request.method, " ", request.url);
  if (x.threw) return absl::InternalError(absl::StrCat(where, ": the HTTP client failed"));
  if (x.stage == Stage::kDone) {
    return HttpResponse{static_cast<int>(x.response.result_int()), x.response.body()};
  }
  const std::string why =
      x.timed_out ? absl::StrCat("no answer within ", absl::FormatDuration(request.timeout))
                  : x.error.message();
  switch (x.stage) {
    case Stage::kResolve:
    case Stage::kConnect:
      return absl::UnavailableError(absl::StrCat(where, ": cannot connect: ", why));
    case Stage::kHandshake:
      return absl::FailedPreconditionError(absl::StrCat(where, ": TLS handshake failed: ", why));
    default:
      break;
  }
  if (x.timed_out) return absl::DeadlineExceededError(absl::StrCat(where, ": ", why));
  return absl::UnknownError(absl::StrCat(where, ": ", why));
}

template <typename Stream>
absl::StatusOr<HttpResponse> Drive(asio::io_context& ioc, Stream& stream, const Target& target,
                                   Request request, const HttpRequest& original) {
  tcp::resolver resolver(ioc);
  Exchange x;
  asio::co_spawn(ioc, Run(resolver, stream, target, request, x), [&x](const std::exception_ptr& e) {
    x.finished = true;
    x.threw = e != nullptr;
  });
  ioc.run_for(absl::ToChronoMilliseconds(original.timeout));
  if (!x.finished) {
    x.timed_out = true;
    resolver.cancel();
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
    ioc.restart();
    ioc.run();  // the coroutine sees operation_aborted and ends
  }
  return Outcome(x, original);
}

absl::StatusOr<Request> BuildRequest(const HttpRequest& in, const Target& target) {
  const http::verb verb = http::string_to_verb(in.method);
  if (verb == http::verb::unknown) {
    return absl::InvalidArgumentError(absl::StrCat("unknown HTTP method ", in.method));
  }
  Request request{verb, target.path, 11};
  request.set(http::field::host, target.host_header);
  request.set(http::field::user_agent, in.user_agent);
  request.set(http::field::accept, "application/json");
  if (!in.body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = in.body;
  }
  if (!in.username.empty()) {
    request.set(http::field::authorization, BasicAuthorization(in.username, in.password));
  }
  request.prepare_payload();
  return request;
}

absl::StatusOr<HttpResponse> CallHttps(const HttpRequest& in, const Target& target,
                                       Request request) {
  ssl::context context(ssl::context::tls_client);
  boost::system::error_code ec;
  if (in.insecure) {
    context.set_verify_mode(ssl::verify_none, ec);
  } else {
    context.set_verify_mode(ssl::verify_peer, ec);
    if (in.cacert.empty()) {
      context.set_default_verify_paths(ec);
    } else {
      context.load_verify_file(in.cacert, ec);
    }
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot load the CA certificate ", in.cacert, ": ", ec.message()));
  }
  if (!in.certfile.empty()) {
    context.use_certificate_chain_file(in.certfile, ec);
    if (!ec)
      context.use_private_key_file(in.keyfile.empty() ? in.certfile : in.keyfile, ssl::context::pem,
                                   ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot load the client certificate ", in.certfile, ": ", ec.message()));
    }
  }
  asio::io_context ioc;
  TlsStream stream(ioc, context);
  // SNI, for servers that pick their certificate by name.
  SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str());
  if (!in.insecure && in.verify_hostname) {
    stream.set_verify_callback(ssl::host_name_verification(target.host), ec);
  }
  return Drive(ioc, stream, target, std::move(request), in);
}

}  // namespace

absl::StatusOr<HttpResponse> CallHttp(const HttpRequest& in) {
  absl::StatusOr<Target> target = ParseUrl(in.url);
  if (!target.ok()) return target.status();
  absl::StatusOr<Request> request = BuildRequest(in, *target);
  if (!request.ok()) return request.status();
  try {
    if (target->https) return CallHttps(in, *target, *std::move(request));
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    return Drive(ioc, stream, *target, *std::move(request), in);
  } catch (const std::exception& e) {  // Asio and OpenSSL setup may throw
    return absl::InternalError(absl::StrCat(in.method, " ", in.url, ": ", e.what()));
  }
}

std::string EndpointUrl(std::string_view api_url, std::string_view endpoint) {
  const size_t scheme_end = api_url.find("://");
  const size_t host_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const size_t path_start = api_url.find('/', host_start);
  return absl::StrCat(std::string(api_url.substr(0, path_start)), "/", std::string(endpoint));
}

std::string BasicAuthorization(const std::string& username, const std::string& password) {
  return "Basic " + absl::Base64Escape(username + ":" + password);
}

}  // namespace warden
