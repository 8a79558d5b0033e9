// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The REST API's HTTP/1.1 server on Boost.Beast, after Beast's advanced server example: one
// strand per connection, a deadline on every read and write, and a listener that keeps accepting
// after transient errors. ServerState is shared by the listener, the connections and the worker
// tasks, so that it outlives whichever of them finishes last; RestServer detaches the agent from
// it before it goes, so nothing reaches the agent after the destructor.

#include "src/agent/rest_server.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "src/agent/rest_internal.h"
#include "warden/agent/agent.h"

namespace warden {
namespace rest_internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// A whole request must arrive within this (slowloris), as must a whole response be taken.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// After an error reply, how long and how much of the rest of the request is read and dropped
// before closing, so that the client sees the reply rather than a reset.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;
constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr size_t kMaxConnections = 512;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr int kWorkerThreads = 2;

// ParseHostPort's "host:port" and "[v6]:port", plus ":port" and "*:port" for every interface.
absl::StatusOr<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  std::string address = listen;
  if (absl::StartsWith(address, ":")) {
    address = "0.0.0.0" + address;
  } else if (absl::StartsWith(address, "*:")) {
    address = "0.0.0.0" + address.substr(1);
  }
  absl::StatusOr<std::pair<std::string, int>> parsed = ParseHostPort(address);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("restapi listen: ", parsed.status().message()));
  }
  return std::make_pair(parsed->first, static_cast<uint16_t>(parsed->second));
}

absl::StatusOr<tcp::endpoint> ResolveListen(asio::io_context& io, const std::string& listen) {
  absl::StatusOr<std::pair<std::string, uint16_t>> split = SplitListen(listen);
  if (!split.ok()) return split.status();
  const auto& [host, port] = *split;
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("restapi listen \"", listen, "\": cannot resolve ", host));
  }
  return results.begin()->endpoint();
}

absl::StatusOr<std::unique_ptr<ssl::context>> MakeTlsContext(const RestApiOptions& options) {
  const std::string& keyfile = options.keyfile.empty() ? options.certfile : options.keyfile;
  try {
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    beast::error_code ec;
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                             ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                             ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                         ec);
    if (!ec) context->use_certificate_chain_file(options.certfile, ec);
    if (!ec) context->use_private_key_file(keyfile, ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat("restapi certificate ", options.certfile,
                                                     " / key ", keyfile, ": ", ec.message()));
    }
    return context;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("TLS context: ", e.what()));
  }
}

std::string ToString(beast::string_view text) { return std::string(text.data(), text.size()); }

RestRequest ToRestRequest(http::request<http::string_body>&& request) {
  RestRequest out;
  out.method = ToString(request.method_string());
  out.target = ToString(request.target());
  for (const auto& field : request) {
    std::string name = absl::AsciiStrToLower(ToString(field.name_string()));
    auto [it, inserted] = out.headers.emplace(std::move(name), ToString(field.value()));
    if (!inserted) absl::StrAppend(&it->second, ", ", ToString(field.value()));
  }
  out.body = std::move(request.body());
  return out;
}

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category();
}

}  // namespace

// What Stop() needs of a connection.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection on its strand. Thread-safe.
  virtual void Close() = 0;
};

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(asio::io_context& io, AgentControl& agent, RestApiOptions options)
      : io_(io), options_(std::move(options)), agent_(&agent) {}

  const RestApiOptions& options() const { return options_; }
  int port() const { return port_.load(); }

  absl::Status Listen();
  void Stop();
  // Answers on the calling thread; 503 once the server is going away.
  RestResponse Handle(const RestRequest& request) ABSL_LOCKS_EXCLUDED(agent_mu_);
  // Runs `work` on a worker thread; false once stopped.
  bool PostWork(std::function<void()> work) ABSL_LOCKS_EXCLUDED(mu_);
  // Tracks a connection for Stop(); nullopt when stopped or full (the caller drops it).
  std::optional<uint64_t> Register(std::weak_ptr<Connection> connection) ABSL_LOCKS_EXCLUDED(mu_);
  void Unregister(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  // For ~RestServer: no new work, and wait until no request is running on the agent.
  void DetachWorkers() ABSL_LOCKS_EXCLUDED(mu_);
  void DetachAgent() ABSL_LOCKS_EXCLUDED(agent_mu_);
  void AttachWorkers(asio::thread_pool* workers) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  template <class Stream>
  void StartSession(Stream stream);

  asio::io_context& io_;
  const RestApiOptions options_;
  std::unique_ptr<ssl::context> tls_;  // set before accepting; null: plain HTTP
  // The listener lives on its own strand: the io_context may be run by several threads.
  tcp::acceptor acceptor_{asio::make_strand(io_)};
  asio::steady_timer accept_retry_{acceptor_.get_executor()};
  std::atomic<int> port_{0};

  absl::Mutex agent_mu_;
  AgentControl* agent_ ABSL_GUARDED_BY(agent_mu_);
  // Set before the destructor waits for agent_mu_, so that reads arriving meanwhile do not queue
  // behind a long write on the I/O thread.
  std::atomic<bool> detaching_{false};

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  asio::thread_pool* workers_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<uint64_t, std::weak_ptr<Connection>> connections_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

namespace {

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// One client connection: read a request, answer it (inline or from a worker), repeat while the
// client keeps the connection alive. Every handler runs on the connection's strand.
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<ServerState> state, Stream stream)
      : state_(std::move(state)), stream_(std::move(stream)), executor_(stream_.get_executor()) {}
  ~Session() override {
    if (id_ != 0) state_->Unregister(id_);
  }

  void Start(uint64_t id) {
    id_ = id;
    asio::dispatch(executor_, beast::bind_front_handler(&Session::Begin, this->shared_from_this()));
  }

  void Close() override {
    asio::post(executor_, [self = this->shared_from_this()] { self->CloseNow(); });
  }

 private:
  tcp::socket& Socket() { return beast::get_lowest_layer(stream_).socket(); }

  void Begin() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(
          ssl::stream_base::server,
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      ReadRequest();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return CloseNow();
    ReadRequest();
  }

  void ReadRequest() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(state_->options().max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (closed_) return;
    if (ec == http::error::end_of_stream) return Finish();  // the client is done
    if (ec == http::error::body_limit) return Refuse(413, "request body too large");
    if (ec == http::error::header_limit) return Refuse(431, "request header fields too large");
    if (ec == http::error::partial_message || (ec && !IsParseError(ec))) return CloseNow();
    if (ec) return Refuse(400, absl::StrCat("bad request: ", ec.message()));
    try {
      Dispatch();
    } catch (const std::exception&) {  // allocation failure: drop this client, not the server
      CloseNow();
    }
  }

  void Dispatch() {
    version_ = parser_->get().version();
    const bool keep_alive = parser_->get().keep_alive();
    RestRequest request = ToRestRequest(parser_->release());
    if (!MayBlock(request)) return Respond(state_->Handle(request), keep_alive);
    // A write may wait on the DCS or PostgreSQL: off the I/O thread, so checks keep flowing.
    auto self = this->shared_from_this();
    const bool posted = state_->PostWork([self, request = std::move(request), keep_alive] {
      try {
        RestResponse response = self->state_->Handle(request);
        asio::post(self->executor_, [self, response = std::move(response), keep_alive]() mutable {
          self->Respond(std::move(response), keep_alive);
        });
      } catch (const std::exception&) {  // allocation failure: the client sees the close
        self->Close();
      }
    });
    if (!posted) CloseNow();
  }

  // An error found while reading: answer, then close, since the rest of the request was not read.
  void Refuse(int status, std::string message) {
    Respond(TextResponse(status, std::move(message)), /*keep_alive=*/false);
  }

  void Respond(RestResponse response, bool keep_alive) {
    if (closed_) return;
    try {
      response_ = {};
      response_.version(version_);
      response_.result(response.status >= 100 && response.status <= 999
                           ? static_cast<unsigned>(response.status)
                           : 500u);
      response_.set(http::field::server, "warden");
      response_.set(http::field::content_type, response.content_type);
      for (const auto& [name, value] : response.headers) response_.set(name, value);
      response_.body() = std::move(response.body);
      response_.keep_alive(keep_alive);
      response_.prepare_payload();
    } catch (const std::exception&) {
      return CloseNow();
    }
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, size_t /*bytes*/) {
    if (closed_) return;
    if (ec) return CloseNow();
    if (!keep_alive) return Finish();
    ReadRequest();
  }

  // A graceful close: TLS says close_notify; TCP sends FIN and drains what the client still
  // sends, for a while, so that unread input does not turn the close into a reset.
  void Finish() {
    beast::get_lowest_layer(stream_).expires_after(kLingerTimeout);
    if constexpr (kIsTls<Stream>) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseNow(); });
    } else {
      beast::error_code ignored;
      Socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    if (closed_) return;
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t bytes) {
                              self->drained_ += bytes;
                              if (ec || self->drained_ > kLingerBytes) return self->CloseNow();
                              self->Drain();
                            });
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  std::shared_ptr<ServerState> state_;
  Stream stream_;
  asio::any_io_executor executor_;  // the connection's strand
  uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  unsigned version_ = 11;
  http::response<http::string_body> response_;  // alive until its write completes
  char drain_buffer_[4096];
  size_t drained_ = 0;
  bool closed_ = false;
};

}  // namespace

absl::Status ServerState::Listen() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return absl::FailedPreconditionError("the REST API server was stopped");
  }
  if (!options_.certfile.empty() || !options_.keyfile.empty()) {
    if (options_.certfile.empty()) {
      return absl::InvalidArgumentError("restapi keyfile is set but certfile is not");
    }
    absl::StatusOr<std::unique_ptr<ssl::context>> tls = MakeTlsContext(options_);
    if (!tls.ok()) return tls.status();
    tls_ = *std::move(tls);
  }
  absl::StatusOr<tcp::endpoint> endpoint = ResolveListen(io_, options_.listen);
  if (!endpoint.ok()) return endpoint.status();
  beast::error_code ec;
  acceptor_.open(endpoint->protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(*endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_.local_endpoint(ec).port();
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return absl::UnavailableError(
        absl::StrCat("restapi cannot listen on ", options_.listen, ": ", ec.message()));
  }
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->Accept(); });
  return absl::OkStatus();
}

void ServerState::Accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         beast::bind_front_handler(&ServerState::OnAccept, shared_from_this()));
}

void ServerState::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
  if (ec) {  // out of descriptors, say: try again shortly rather than spin or give up
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->Accept();
    });
    return;
  }
  if (tls_ != nullptr) {
    StartSession(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_));
  } else {
    StartSession(beast::tcp_stream(std::move(socket)));
  }
  Accept();
}

template <class Stream>
void ServerState::StartSession(Stream stream) {
  auto session = std::make_shared<Session<Stream>>(shared_from_this(), std::move(stream));
  std::optional<uint64_t> id = Register(session);
  if (id) session->Start(*id);  // otherwise dropping it closes the socket
}

void ServerState::Stop() {
  std::vector<std::weak_ptr<Connection>> open;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    for (const auto& [id, connection] : connections_) open.push_back(connection);
  }
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->accept_retry_.cancel();
  });
  for (const std::weak_ptr<Connection>& weak : open) {
    if (std::shared_ptr<Connection> connection = weak.lock()) connection->Close();
  }
}

RestResponse ServerState::Handle(const RestRequest& request) {
  if (detaching_) return TextResponse(503, "the REST API is shutting down");
  absl::ReaderMutexLock lock(&agent_mu_);
  if (agent_ == nullptr) return TextResponse(503, "the REST API is shutting down");
  return HandleRestRequest(*agent_, options_, request);
}

bool ServerState::PostWork(std::function<void()> work) {
  absl::MutexLock lock(&mu_);
  if (stopped_ || workers_ == nullptr) return false;
  asio::post(*workers_, std::move(work));
  return true;
}

std::optional<uint64_t> ServerState::Register(std::weak_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  if (stopped_ || connections_.size() >= kMaxConnections) return std::nullopt;
  const uint64_t id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void ServerState::Unregister(uint64_t id) {
  absl::MutexLock lock(&mu_);
  connections_.erase(id);
}

void ServerState::AttachWorkers(asio::thread_pool* workers) {
  absl::MutexLock lock(&mu_);
  workers_ = workers;
}

void ServerState::DetachWorkers() {
  absl::MutexLock lock(&mu_);
  workers_ = nullptr;
}

void ServerState::DetachAgent() {
  detaching_ = true;
  absl::WriterMutexLock lock(&agent_mu_);
  agent_ = nullptr;
}

}  // namespace rest_internal

RestServer::RestServer(boost::asio::io_context& io, AgentControl& agent, RestApiOptions options)
    : state_(std::make_shared<rest_internal::ServerState>(io, agent, std::move(options))),
      workers_(std::make_unique<boost::asio::thread_pool>(rest_internal::kWorkerThreads)) {
  state_->AttachWorkers(workers_.get());
}

RestServer::~RestServer() {
  Stop();
  state_->DetachWorkers();
  state_->DetachAgent();  // waits for a request running on the agent
  workers_->join();       // what is still queued answers 503 at once
}

absl::Status RestServer::Start() {
  if (port() != 0) return absl::FailedPreconditionError("the REST API server is already started");
  return state_->Listen();
}

int RestServer::port() const { return state_->port(); }

void RestServer::Stop() { state_->Stop(); }

}  // namespace warden
