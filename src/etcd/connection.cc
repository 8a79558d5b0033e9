// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/etcd/connection.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace warden::etcd_internal {
namespace {

// How long Connected() waits on the preferred channel before it looks at all of them again.
constexpr absl::Duration kConnectPollInterval = absl::Milliseconds(10);

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::InvalidArgumentError(absl::StrCat("cannot read etcd TLS ", what, " ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const EtcdOptions& options) {
  if (!options.tls.has_value()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  const EtcdTlsOptions& tls = *options.tls;
  if (!tls.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(tls.ca_file, "CA file");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("etcd TLS: cert_file and key_file go together");
  }
  if (!tls.cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadFile(tls.cert_file, "certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(tls.key_file, "key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::SslCredentials(ssl);
}

grpc::ChannelArguments ChannelArgs() {
  grpc::ChannelArguments args;
  // etcd answers large ranges; the request side is bounded by max_request_bytes instead.
  args.SetMaxReceiveMessageSize(INT_MAX);
  // Pings find a dead connection that TCP alone would keep for minutes. etcd closes connections
  // that ping more often than its --grpc-keepalive-min-time (5 s), so stay above it.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
  // Come back quickly after a member restarts.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1'000);
  // Each endpoint gets its own subchannel, never shared with another Connection's.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return args;
}

}  // namespace

absl::Status FromGrpc(const grpc::Status& status, const std::string& endpoint) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat("etcd ", endpoint, ": ", status.error_message()));
}

bool IsEndpointFailure(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:        // down, no leader, leader changed, timed out
    case grpc::StatusCode::DEADLINE_EXCEEDED:  // the attempt's own deadline: no answer
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::INTERNAL:  // a broken transport
      return true;
    default:
      return false;
  }
}

bool IsInvalidToken(const grpc::Status& status) {
  // etcd 3.4 answers a token issued before an auth change with UNKNOWN "revision in header is
  // old"; logging in again fixes both.
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         absl::StrContains(status.error_message(), "invalid auth token") ||
         absl::StrContains(status.error_message(), "revision in header is old");
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Create(const EtcdOptions& options) {
  if (options.endpoints.empty()) return absl::InvalidArgumentError("etcd: no endpoint given");
  if (options.request_timeout <= absl::ZeroDuration() ||
      options.dial_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("etcd: request_timeout and dial_timeout must be positive");
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<Connection> connection(new Connection(options));
  for (const std::string& address : options.endpoints) {
    if (address.empty() || address.find(':') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("etcd: endpoint '", address, "' is not host:port"));
    }
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->address = address;
    endpoint->channel = grpc::CreateCustomChannel(address, *credentials, ChannelArgs());
    endpoint->kv = etcdserverpb::KV::NewStub(endpoint->channel);
    endpoint->lease = etcdserverpb::Lease::NewStub(endpoint->channel);
    endpoint->watch = etcdserverpb::Watch::NewStub(endpoint->channel);
    endpoint->auth = etcdserverpb::Auth::NewStub(endpoint->channel);
    endpoint->maintenance = etcdserverpb::Maintenance::NewStub(endpoint->channel);
    connection->endpoints_.push_back(std::move(endpoint));
  }
  return connection;
}

absl::StatusOr<Endpoint*> Connection::Connected(absl::Time deadline) {
  size_t start;
  {
    absl::MutexLock lock(&mu_);
    start = current_;
  }
  const size_t n = endpoints_.size();
  // Wait no longer than the dial timeout on the endpoint in use before the others count too:
  // a member that just went away should not cost a whole dial timeout per call.
  const absl::Time prefer_current_until =
      absl::Now() + std::min(options_.dial_timeout, absl::Milliseconds(200));
  while (true) {
    for (size_t i = 0; i < n; ++i) {
      Endpoint& endpoint = *endpoints_[(start + i) % n];
      grpc_connectivity_state state = endpoint.channel->GetState(/*try_to_connect=*/true);
      if (state == GRPC_CHANNEL_READY && (i == 0 || absl::Now() >= prefer_current_until)) {
        absl::MutexLock lock(&mu_);
        current_ = (start + i) % n;
        return &endpoint;
      }
    }
    const absl::Time slice_end = absl::Now() + kConnectPollInterval;
    if (slice_end >= deadline) break;
    // Waiting on a channel's state drives gRPC's poller, which makes every channel's connection
    // attempt progress; merely sleeping would leave them to gRPC's 5 s backup poller.
    Endpoint& preferred = *endpoints_[start];
    preferred.channel->WaitForStateChange(preferred.channel->GetState(false),
                                          absl::ToChronoTime(slice_end));
  }
  std::vector<std::string> tried;
  for (const auto& endpoint : endpoints_) tried.push_back(endpoint->address);
  return absl::UnavailableError(absl::StrCat("etcd: no endpoint reachable before the deadline (",
                                             absl::StrJoin(tried, ", "), ")"));
}

void Connection::ReportFailure(const Endpoint& endpoint) {
  absl::MutexLock lock(&mu_);
  if (endpoints_[current_].get() == &endpoint) current_ = (current_ + 1) % endpoints_.size();
}

absl::StatusOr<std::string> Connection::Token(Endpoint& endpoint, absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (!token_.empty()) return token_;
  }
  etcdserverpb::AuthenticateRequest request;
  request.set_name(options_.username);
  request.set_password(options_.password);
  etcdserverpb::AuthenticateResponse response;
  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(std::min(deadline, absl::Now() + options_.request_timeout)));
  grpc::Status status = endpoint.auth->Authenticate(&context, request, &response);
  if (!status.ok()) {
    if (IsEndpointFailure(status)) return FromGrpc(status, endpoint.address);
    // etcd answers a bad user or password with INVALID_ARGUMENT; say what it means.
    return absl::PermissionDeniedError(absl::StrCat("etcd ", endpoint.address,
                                                    ": authentication of user '", options_.username,
                                                    "' failed: ", status.error_message()));
  }
  absl::MutexLock lock(&mu_);
  token_ = response.token();
  return token_;
}

void Connection::ForgetToken() {
  absl::MutexLock lock(&mu_);
  token_.clear();
}

absl::Status Connection::PrepareContext(Endpoint& endpoint, grpc::ClientContext& context,
                                        bool require_leader, absl::Time deadline) {
  if (require_leader) context.AddMetadata("hasleader", "true");
  if (options_.username.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> token = Token(endpoint, deadline);
  if (!token.ok()) return token.status();
  context.AddMetadata("token", *token);
  return absl::OkStatus();
}

absl::StatusOr<Connection::StreamStart> Connection::StartStream() {
  absl::StatusOr<Endpoint*> endpoint = Connected(absl::Now() + options_.dial_timeout);
  if (!endpoint.ok()) return endpoint.status();
  auto context = std::make_unique<grpc::ClientContext>();
  absl::Status prepared = PrepareContext(**endpoint, *context, /*require_leader=*/true,
                                         absl::Now() + options_.request_timeout);
  if (!prepared.ok()) return prepared;
  return StreamStart{*endpoint, std::move(context)};
}

absl::Status Connection::Invoke(absl::Time deadline, Retry retry, const UnaryCall& call) {
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError("deadline passed before the call was sent");
  }
  absl::Status last;
  bool reauthenticated = false;
  while (true) {
    absl::StatusOr<Endpoint*> endpoint = Connected(deadline);
    if (!endpoint.ok()) return last.ok() ? endpoint.status() : last;
    const absl::Time attempt_deadline = std::min(deadline, absl::Now() + options_.request_timeout);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(attempt_deadline));
    if (absl::Status s = PrepareContext(**endpoint, context, false, deadline); !s.ok()) {
      if (s.code() != absl::StatusCode::kUnavailable) return s;
      last = s;
      ReportFailure(**endpoint);
      continue;
    }
    grpc::Status status = call(**endpoint, context);
    if (status.ok()) {
      (*endpoint)->NoteAnswer();
      return absl::OkStatus();
    }
    if (IsInvalidToken(status) && !reauthenticated && !options_.username.empty()) {
      // Tokens expire (etcd's simple tokens after 5 minutes idle); fetch one and try again.
      reauthenticated = true;
      ForgetToken();
      continue;
    }
    last = FromGrpc(status, (*endpoint)->address);
    if (!IsEndpointFailure(status)) return last;
    ReportFailure(**endpoint);
    if (retry == Retry::kOnlyUnsent || absl::Now() >= deadline) return last;
  }
}

}  // namespace warden::etcd_internal
