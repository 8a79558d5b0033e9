// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Everything but the public calls runs on the proxy's one io thread, so the connection set and
// each connection's state need no lock. Cut() flips an atomic first so that a read completing
// right after Cut() returns is already dropped, then marks the existing connections on the io
// thread; Heal() does all its work there. Both wait for that work, so a test can act on the new
// state as soon as they return.

#include "tests/e2e/tcp_proxy.h"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/write.hpp"

namespace warden::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr size_t kBufferSize = size_t{16} * 1024;

// One client connection and, unless it was accepted during a cut, its upstream twin.
struct Connection {
  explicit Connection(asio::io_context& io) : client(io), upstream(io) {}

  tcp::socket client;
  tcp::socket upstream;
  std::array<char, kBufferSize> client_to_upstream{};
  std::array<char, kBufferSize> upstream_to_client{};
  // Set for every connection alive during a cut: from then on its bytes are dropped, and Heal()
  // closes it, since whatever the client believes it sent is lost.
  bool blackholed = false;
  // Directions not yet ended by an EOF; both sockets are closed when none is left.
  int open_directions = 2;
};

using ConnectionPtr = std::shared_ptr<Connection>;

}  // namespace

class TcpProxy::Impl {
 public:
  explicit Impl(int target_port)
      : target_(asio::ip::address_v4::loopback(), static_cast<uint16_t>(target_port)) {}

  ~Impl() { Stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  absl::Status Listen();
  // Starts accepting and the io thread.
  void Run();
  // Closes every socket and joins the io thread. Idempotent.
  void Stop();

  int port() const { return port_; }
  bool cut() const { return cut_.load(); }
  void Cut();
  void Heal();

 private:
  // Runs `work` on the io thread and waits until it has run.
  void RunOnIo(std::function<void()> work);

  void Accept();
  void OnAccepted(const ConnectionPtr& conn);
  void ConnectUpstream(const ConnectionPtr& conn);
  // Copies `from` to `to` until either ends; drops what it reads while the connection is cut.
  void Pump(const ConnectionPtr& conn, tcp::socket& from, tcp::socket& to,
            std::array<char, kBufferSize>& buffer);
  void OnReadEnded(const ConnectionPtr& conn, tcp::socket& from, tcp::socket& to,
                   const error_code& ec);
  // Whether the connection's bytes are to be dropped; marks it for Heal() if a cut began.
  bool Blackholed(Connection& conn);
  void Close(const ConnectionPtr& conn);

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  tcp::acceptor acceptor_{io_};
  const tcp::endpoint target_;
  int port_ = 0;
  std::atomic<bool> cut_{false};
  std::thread thread_;

  // Touched only on the io thread.
  std::set<ConnectionPtr> connections_;
  bool stopping_ = false;
};

absl::Status TcpProxy::Impl::Listen() {
  error_code ec;
  const tcp::endpoint local(asio::ip::address_v4::loopback(), 0);
  if (acceptor_.open(local.protocol(), ec); !ec) acceptor_.bind(local, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::InternalError(absl::StrCat("tcp proxy: cannot listen: ", ec.message()));
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return absl::InternalError(absl::StrCat("tcp proxy: no local port: ", ec.message()));
  return absl::OkStatus();
}

void TcpProxy::Impl::Run() {
  Accept();
  thread_ = std::thread([this] { io_.run(); });
}

void TcpProxy::Impl::Stop() {
  if (!thread_.joinable()) return;
  // Closing every socket completes their pending operations with errors that re-arm nothing, so
  // run() returns once the work guard is gone.
  asio::post(io_, [this] {
    stopping_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    for (const ConnectionPtr& conn : std::set<ConnectionPtr>(connections_)) Close(conn);
  });
  work_.reset();
  thread_.join();
}

void TcpProxy::Impl::RunOnIo(std::function<void()> work) {
  std::promise<void> done;
  asio::post(io_, [&] {
    work();
    done.set_value();
  });
  done.get_future().wait();
}

void TcpProxy::Impl::Cut() {
  cut_.store(true);
  RunOnIo([this] {
    for (const ConnectionPtr& conn : connections_) conn->blackholed = true;
  });
}

void TcpProxy::Impl::Heal() {
  RunOnIo([this] {
    cut_.store(false);
    std::vector<ConnectionPtr> held;
    for (const ConnectionPtr& conn : connections_) {
      if (conn->blackholed) held.push_back(conn);
    }
    for (const ConnectionPtr& conn : held) Close(conn);
  });
}

void TcpProxy::Impl::Accept() {
  auto conn = std::make_shared<Connection>(io_);
  acceptor_.async_accept(conn->client, [this, conn](const error_code& ec) {
    if (stopping_ || ec == asio::error::operation_aborted) return;
    // Other accept errors (a client that reset while queued, fd exhaustion) concern that one
    // connection: keep listening.
    if (!ec) OnAccepted(conn);
    Accept();
  });
}

void TcpProxy::Impl::OnAccepted(const ConnectionPtr& conn) {
  connections_.insert(conn);
  if (Blackholed(*conn)) {
    // Held: accepted, so the client sees no refusal, and read so that it sees no reset either.
    Pump(conn, conn->client, conn->upstream, conn->client_to_upstream);
    return;
  }
  ConnectUpstream(conn);
}

void TcpProxy::Impl::ConnectUpstream(const ConnectionPtr& conn) {
  conn->upstream.async_connect(target_, [this, conn](const error_code& ec) {
    if (ec) {
      Close(conn);
      return;
    }
    Pump(conn, conn->client, conn->upstream, conn->client_to_upstream);
    Pump(conn, conn->upstream, conn->client, conn->upstream_to_client);
  });
}

void TcpProxy::Impl::Pump(const ConnectionPtr& conn, tcp::socket& from, tcp::socket& to,
                          std::array<char, kBufferSize>& buffer) {
  from.async_read_some(
      asio::buffer(buffer), [this, conn, &from, &to, &buffer](const error_code& ec, size_t n) {
        if (ec) {
          OnReadEnded(conn, from, to, ec);
        } else if (Blackholed(*conn)) {
          Pump(conn, from, to, buffer);
        } else {
          asio::async_write(to, asio::buffer(buffer.data(), n),
                            [this, conn, &from, &to, &buffer](const error_code& write_ec, size_t) {
                              if (write_ec) {
                                Close(conn);
                              } else {
                                Pump(conn, from, to, buffer);
                              }
                            });
        }
      });
}

void TcpProxy::Impl::OnReadEnded(const ConnectionPtr& conn, tcp::socket& from, tcp::socket& to,
                                 const error_code& ec) {
  if (stopping_ || ec == asio::error::operation_aborted) return;
  error_code ignored;
  if (conn->blackholed) {
    // Across a partition the other side hears nothing of this; only the dead side is let go.
    from.close(ignored);
    if (!conn->client.is_open() && !conn->upstream.is_open()) connections_.erase(conn);
    return;
  }
  if (ec == asio::error::eof && --conn->open_directions > 0) {
    // Half-close: pass the FIN on and keep the other direction flowing.
    to.shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  Close(conn);
}

bool TcpProxy::Impl::Blackholed(Connection& conn) {
  if (cut_.load()) conn.blackholed = true;
  return conn.blackholed;
}

void TcpProxy::Impl::Close(const ConnectionPtr& conn) {
  error_code ignored;
  conn->client.close(ignored);
  conn->upstream.close(ignored);
  connections_.erase(conn);
}

TcpProxy::TcpProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TcpProxy::~TcpProxy() = default;

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int target_port) {
  if (target_port <= 0 || target_port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("tcp proxy: bad target port ", target_port));
  }
  auto impl = std::make_unique<Impl>(target_port);
  if (absl::Status status = impl->Listen(); !status.ok()) return status;
  impl->Run();
  return std::unique_ptr<TcpProxy>(new TcpProxy(std::move(impl)));
}

int TcpProxy::port() const { return impl_->port(); }

std::string TcpProxy::endpoint() const { return absl::StrCat("127.0.0.1:", impl_->port()); }

void TcpProxy::Cut() { impl_->Cut(); }

void TcpProxy::Heal() { impl_->Heal(); }

bool TcpProxy::cut() const { return impl_->cut(); }

}  // namespace warden::test
