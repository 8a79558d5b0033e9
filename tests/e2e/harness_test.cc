// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Self-tests of the e2e harness parts: TcpProxy, Haproxy, WriteChecker.
//
// The servers behind the proxy and HAProxy are small Asio coroutines on a thread of their own;
// clients are plain blocking sockets whose every read has a deadline. Waits are on events (a
// reply, an EOF); only HAProxy's health checks, an external process, are polled with a deadline.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/read_until.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/asio/write.hpp"
#include "gtest/gtest.h"
#include "src/pg/sql.h"
#include "src/pg/subprocess.h"
#include "tests/e2e/haproxy.h"
#include "tests/e2e/tcp_proxy.h"
#include "tests/e2e/write_checker.h"
#include "tests/etcd/etcd_cluster.h"
#include "warden/pg/local_controller.h"

namespace warden::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// How long a cut connection must stay silent to count as blackholed.
constexpr absl::Duration kSilence = absl::Milliseconds(300);
// Generous bound for anything that is expected to happen.
constexpr absl::Duration kPatience = absl::Seconds(10);

// A TCP server on a free port of 127.0.0.1 that runs `session` for each connection, on an io
// thread of its own. Destruction stops it and frees every socket.
class LoopbackServer {
 public:
  using Session = std::function<asio::awaitable<void>(tcp::socket)>;

  explicit LoopbackServer(Session session) : session_(std::move(session)) {
    const tcp::endpoint local(asio::ip::address_v4::loopback(), 0);
    acceptor_.open(local.protocol());
    acceptor_.bind(local);
    acceptor_.listen();
    asio::co_spawn(io_, AcceptLoop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoopbackServer() {
    io_.stop();
    thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return acceptor_.local_endpoint().port(); }
  // Sessions running now.
  int active() const { return active_.load(); }

 private:
  asio::awaitable<void> AcceptLoop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(io_, Run(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> Run(tcp::socket socket) {
    ++active_;
    co_await session_(std::move(socket));
    --active_;
  }

  // Before io_: the coroutines it destroys on the way out run inside session_'s closure.
  Session session_;
  std::atomic<int> active_{0};
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
};

// Echoes everything back and counts what it received.
std::unique_ptr<LoopbackServer> EchoServer(std::atomic<size_t>* received) {
  return std::make_unique<LoopbackServer>([received](tcp::socket socket) -> asio::awaitable<void> {
    std::array<char, 16384> buffer{};
    for (;;) {
      auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(buffer), kNoThrow);
      if (read_ec) co_return;
      *received += n;
      auto [write_ec, written] =
          co_await asio::async_write(socket, asio::buffer(buffer.data(), n), kNoThrow);
      if (write_ec) co_return;
    }
  });
}

// A stand-in for PostgreSQL: says its name on accept, then holds the connection until the
// client leaves.
std::unique_ptr<LoopbackServer> NameServer(std::string name) {
  return std::make_unique<LoopbackServer>(
      [name = std::move(name)](tcp::socket socket) -> asio::awaitable<void> {
        const std::string line = name + "\n";
        auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(line), kNoThrow);
        std::array<char, 1024> buffer{};
        while (!write_ec) {
          auto [read_ec, n] = co_await socket.async_read_some(asio::buffer(buffer), kNoThrow);
          if (read_ec) co_return;
        }
      });
}

// A stand-in for a node's REST API as HAProxy's check sees it: any request gets `*status` and
// an empty body. Keeps the last request line.
struct FakeRest {
  std::string LastRequestLine() {
    absl::MutexLock lock(&mu);
    return last_request_line;
  }

  std::atomic<int> status{200};
  std::atomic<int> requests{0};
  absl::Mutex mu;
  std::string last_request_line ABSL_GUARDED_BY(mu);
  std::unique_ptr<LoopbackServer> server;
};

void StartFakeRest(FakeRest* rest) {
  rest->server =
      std::make_unique<LoopbackServer>([rest](tcp::socket socket) -> asio::awaitable<void> {
        std::string request;
        auto [read_ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(request),
                                                            "\r\n\r\n", kNoThrow);
        if (read_ec) co_return;
        {
          absl::MutexLock lock(&rest->mu);
          rest->last_request_line = request.substr(0, request.find("\r\n"));
        }
        ++rest->requests;
        const int status = rest->status.load();
        const std::string response = absl::StrCat(
            "HTTP/1.0 ", status, status == 200 ? " OK" : " Nope", "\r\nContent-Length: 0\r\n\r\n");
        co_await asio::async_write(socket, asio::buffer(response), kNoThrow);
      });
}

// What a read found.
enum class ReadEnd { kData, kTimeout, kEof, kReset };

// A blocking loopback client; every read has a deadline.
class Client {
 public:
  Client() = default;
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool Connect(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    return fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // Reads what arrives within `timeout` (at most 64 KiB) into `data`.
  ReadEnd ReadSome(absl::Duration timeout, std::string* data) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) {
      return ReadEnd::kTimeout;
    }
    std::array<char, 65536> buffer{};
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      data->append(buffer.data(), static_cast<size_t>(n));
      return ReadEnd::kData;
    }
    return n == 0 ? ReadEnd::kEof : ReadEnd::kReset;
  }

  // Reads until `size` bytes or the end, within `timeout` in all.
  std::string ReadExactly(size_t size, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string data;
    while (data.size() < size && ReadSome(deadline - absl::Now(), &data) == ReadEnd::kData) {
    }
    return data;
  }

  // The first line (without its newline) that arrives within `timeout`, or what came before the
  // end.
  std::string ReadLine(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string data;
    while (!absl::StrContains(data, '\n') &&
           ReadSome(deadline - absl::Now(), &data) == ReadEnd::kData) {
    }
    return data.substr(0, data.find('\n'));
  }

  // How the connection ends within `timeout`, discarding data.
  ReadEnd ReadToEnd(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string ignored;
    ReadEnd end = ReadEnd::kData;
    while (end == ReadEnd::kData) end = ReadSome(deadline - absl::Now(), &ignored);
    return end;
  }

 private:
  int fd_ = -1;
};

std::string Echoed(Client& client, const std::string& text) {
  if (!client.Send(text)) return "<send failed>";
  return client.ReadExactly(text.size(), kPatience);
}

int OpenFds() {
  return static_cast<int>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                        std::filesystem::directory_iterator()));
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition, absl::Duration timeout = kPatience) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

class TcpProxyTest : public testing::Test {
 protected:
  void SetUp() override {
    echo_ = EchoServer(&received_);
    absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(echo_->port());
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
  }

  std::atomic<size_t> received_{0};
  std::unique_ptr<LoopbackServer> echo_;
  std::unique_ptr<TcpProxy> proxy_;
};

TEST_F(TcpProxyTest, ForwardsBothWays) {
  EXPECT_EQ(proxy_->endpoint(), absl::StrCat("127.0.0.1:", proxy_->port()));
  EXPECT_NE(proxy_->port(), echo_->port());
  Client client;
  ASSERT_TRUE(client.Connect(proxy_->port()));
  EXPECT_EQ(Echoed(client, "hello"), "hello");
  EXPECT_EQ(Echoed(client, "again"), "again");
  EXPECT_FALSE(proxy_->cut());
}

TEST_F(TcpProxyTest, PassesHalfCloseOn) {
  Client client;
  ASSERT_TRUE(client.Connect(proxy_->port()));
  ASSERT_TRUE(client.Send("last words"));
  client.ShutdownWrite();
  // The echo server answers, sees the FIN the proxy passed on, and closes.
  EXPECT_EQ(client.ReadExactly(10, kPatience), "last words");
  EXPECT_EQ(client.ReadToEnd(kPatience), ReadEnd::kEof);
}

TEST_F(TcpProxyTest, CarriesManyConnectionsIntact) {
  constexpr int kConnections = 8;
  constexpr size_t kBytes = size_t{1} << 20;
  std::mt19937 random(42);
  std::vector<std::string> payloads(kConnections, std::string(kBytes, '\0'));
  for (std::string& payload : payloads) {
    for (char& c : payload) c = static_cast<char>(random());
  }
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::thread> writers;
  writers.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<Client>());
    ASSERT_TRUE(clients.back()->Connect(proxy_->port()));
  }
  // Writers of their own: the echo comes back while the rest is still being sent.
  for (int i = 0; i < kConnections; ++i) {
    writers.emplace_back([&, i] { EXPECT_TRUE(clients[i]->Send(payloads[i])); });
  }
  for (int i = 0; i < kConnections; ++i) {
    EXPECT_TRUE(clients[i]->ReadExactly(kBytes, kPatience) == payloads[i]) << "connection " << i;
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(received_.load(), kConnections * kBytes);
}

TEST_F(TcpProxyTest, CutDropsBytesWithoutResetting) {
  Client before;
  ASSERT_TRUE(before.Connect(proxy_->port()));
  ASSERT_EQ(Echoed(before, "ping"), "ping");
  const size_t received_before_cut = received_.load();

  proxy_->Cut();
  EXPECT_TRUE(proxy_->cut());
  std::string data;
  ASSERT_TRUE(before.Send("lost"));
  EXPECT_EQ(before.ReadSome(kSilence, &data), ReadEnd::kTimeout) << data;

  // Accepted, so not refused, but never forwarded.
  Client during;
  ASSERT_TRUE(during.Connect(proxy_->port()));
  ASSERT_TRUE(during.Send("also lost"));
  EXPECT_EQ(during.ReadSome(kSilence, &data), ReadEnd::kTimeout) << data;
  EXPECT_EQ(before.ReadSome(absl::ZeroDuration(), &data), ReadEnd::kTimeout) << data;
  EXPECT_EQ(echo_->active(), 1);

  proxy_->Heal();
  EXPECT_FALSE(proxy_->cut());
  ReadEnd end = before.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);
  end = during.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);
  // The upstream side of the old connection is closed as well.
  EXPECT_TRUE(Eventually([&] { return echo_->active() == 0; }));

  Client after;
  ASSERT_TRUE(after.Connect(proxy_->port()));
  EXPECT_EQ(Echoed(after, "pong"), "pong");
  // Nothing sent during the cut reached the server.
  EXPECT_EQ(received_.load(), received_before_cut + 4);
}

TEST_F(TcpProxyTest, CutAndHealAreIdempotent) {
  Client live;
  ASSERT_TRUE(live.Connect(proxy_->port()));
  ASSERT_EQ(Echoed(live, "a"), "a");
  // Healing what was never cut closes nothing.
  proxy_->Heal();
  EXPECT_EQ(Echoed(live, "b"), "b");

  proxy_->Cut();
  proxy_->Cut();
  EXPECT_TRUE(proxy_->cut());
  proxy_->Heal();
  proxy_->Heal();
  EXPECT_FALSE(proxy_->cut());
  const ReadEnd end = live.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);

  Client after;
  ASSERT_TRUE(after.Connect(proxy_->port()));
  EXPECT_EQ(Echoed(after, "c"), "c");
}

TEST_F(TcpProxyTest, ClosesClientsWhoseTargetRefuses) {
  const int dead_port = echo_->port();
  proxy_.reset();
  echo_.reset();
  absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(dead_port);
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  Client client;
  ASSERT_TRUE(client.Connect((*proxy)->port()));
  const ReadEnd end = client.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);
}

TEST_F(TcpProxyTest, RejectsBadTargetPort) {
  EXPECT_EQ(TcpProxy::Start(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TcpProxy::Start(70000).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TcpProxyTest, DestructionClosesEverySocket) {
  proxy_.reset();
  const int fds_before = OpenFds();
  absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(echo_->port());
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  Client forwarded;
  ASSERT_TRUE(forwarded.Connect((*proxy)->port()));
  ASSERT_EQ(Echoed(forwarded, "x"), "x");
  (*proxy)->Cut();
  Client held;
  ASSERT_TRUE(held.Connect((*proxy)->port()));
  ASSERT_TRUE(held.Send("y"));

  proxy->reset();
  ReadEnd end = forwarded.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);
  end = held.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);
  forwarded.Close();
  held.Close();
  // The echo server notices the upstream socket's close on its own thread.
  EXPECT_TRUE(Eventually([&] { return echo_->active() == 0; }));
  EXPECT_EQ(OpenFds(), fds_before);
}

// A fresh directory under $TMPDIR or /tmp; "" if none could be made.
std::string MakeTempDir() {
  std::error_code ec;
  std::filesystem::path root = std::filesystem::temp_directory_path(ec);
  if (ec) root = "/tmp";
  std::string dir = (root / "warden-haproxy-XXXXXX").string();
  return mkdtemp(dir.data()) != nullptr ? dir : "";
}

class HaproxyTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    StartFakeRest(&rest_[0]);
    StartFakeRest(&rest_[1]);
    rest_[1].status = 503;
    pg_[0] = NameServer("n1");
    pg_[1] = NameServer("n2");
  }
  void TearDown() override {
    haproxy_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::vector<HaproxyBackend> Backends() const {
    return {{.name = "n1", .pg_port = pg_[0]->port(), .rest_port = rest_[0].server->port()},
            {.name = "n2", .pg_port = pg_[1]->port(), .rest_port = rest_[1].server->port()}};
  }

  void StartHaproxy() {
    absl::StatusOr<std::unique_ptr<Haproxy>> haproxy =
        Haproxy::Start(Backends(), {.check_interval_ms = 200, .fall = 1, .rise = 1, .dir = dir_});
    ASSERT_TRUE(haproxy.ok()) << haproxy.status();
    haproxy_ = std::move(*haproxy);
  }

  std::string dir_;
  std::array<FakeRest, 2> rest_;
  std::array<std::unique_ptr<LoopbackServer>, 2> pg_;
  std::unique_ptr<Haproxy> haproxy_;
};

// The name of the server a new connection to `port` reaches, "" if none.
std::string Reach(int port) {
  Client client;
  if (!client.Connect(port)) return "";
  return client.ReadLine(absl::Seconds(2));
}

// Whether connections to `port` come to reach `name` alone: five in a row, since while the
// checks settle HAProxy may still spread them over both servers.
bool SettlesOn(int port, const std::string& name) {
  int in_a_row = 0;
  return Eventually([&] {
    in_a_row = Reach(port) == name ? in_a_row + 1 : 0;
    return in_a_row >= 5;
  });
}

TEST_F(HaproxyTest, RoutesWritesToThePrimaryAndReadsToReplicas) {
  ASSERT_NO_FATAL_FAILURE(StartHaproxy());
  const std::string& config = haproxy_->config_text();
  EXPECT_TRUE(absl::StrContains(config, absl::StrCat("bind 127.0.0.1:", haproxy_->write_port())));
  EXPECT_TRUE(absl::StrContains(config, "default-server inter 200ms fall 1 rise 1"));
  EXPECT_FALSE(absl::StrContains(config, "bind *"));
  EXPECT_NE(haproxy_->write_port(), haproxy_->read_port());

  EXPECT_TRUE(SettlesOn(haproxy_->write_port(), "n1"));
  EXPECT_TRUE(SettlesOn(haproxy_->read_port(), "n2"));
  // Patroni's REST API is asked the way `option httpchk` asks by default.
  EXPECT_GT(rest_[0].requests.load(), 0);
  EXPECT_EQ(rest_[0].LastRequestLine(), "OPTIONS / HTTP/1.0");
}

TEST_F(HaproxyTest, FollowsAFailover) {
  ASSERT_NO_FATAL_FAILURE(StartHaproxy());
  ASSERT_TRUE(SettlesOn(haproxy_->write_port(), "n1"));
  Client session;
  ASSERT_TRUE(session.Connect(haproxy_->write_port()));
  ASSERT_EQ(session.ReadLine(kPatience), "n1");

  rest_[0].status = 503;
  rest_[1].status = 200;
  EXPECT_TRUE(SettlesOn(haproxy_->write_port(), "n2"));
  EXPECT_TRUE(SettlesOn(haproxy_->read_port(), "n1"));
  // on-marked-down shutdown-sessions: the old primary's sessions were cut, not left writing.
  const ReadEnd end = session.ReadToEnd(kPatience);
  EXPECT_TRUE(end == ReadEnd::kEof || end == ReadEnd::kReset);
}

TEST_F(HaproxyTest, RejectsNoBackends) {
  absl::StatusOr<std::unique_ptr<Haproxy>> haproxy = Haproxy::Start({}, {.dir = dir_});
  EXPECT_EQ(haproxy.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HaproxyTest, ReportsAConfigHaproxyRejects) {
  std::vector<HaproxyBackend> backends = Backends();
  backends[1].name = backends[0].name;
  absl::StatusOr<std::unique_ptr<Haproxy>> haproxy = Haproxy::Start(backends, {.dir = dir_});
  ASSERT_FALSE(haproxy.ok());
  EXPECT_TRUE(absl::StrContains(haproxy.status().message(), "haproxy -c")) << haproxy.status();
  EXPECT_TRUE(absl::StrContains(haproxy.status().message(), "n1")) << haproxy.status();
}

}  // namespace
}  // namespace warden::test

// ---------------------------------------------------------------------------------------------
// WriteChecker on a real PostgreSQL 15 (a LocalController node, run as the OS user postgres when
// the tests run as root, on 127.0.0.1 and a free port, in a temp dir).

namespace warden::test {
namespace {

class WriteCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/warden-checker-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    base_ = pattern;
    options_.name = "pg1";
    options_.data_dir = base_ + "/data";
    options_.socket_dir = base_;
    options_.port = FreePort();
    ASSERT_GT(options_.port, 0);
    options_.superuser = {"postgres", "su-secret"};
    options_.replication = {"replicator", "rep-secret"};
    if (pg_internal::RunningAsRoot()) {
      absl::StatusOr<pg_internal::OsUser> postgres = pg_internal::LookupUser("postgres");
      ASSERT_TRUE(postgres.ok()) << postgres.status();
      ASSERT_EQ(chown(base_.c_str(), postgres->uid, postgres->gid), 0);
    }
    absl::StatusOr<std::unique_ptr<Controller>> controller = NewLocalController(options_);
    ASSERT_TRUE(controller.ok()) << controller.status();
    pg_ = std::move(*controller);
    const absl::Status booted = pg_->Bootstrap({}, absl::Now() + absl::Seconds(90));
    ASSERT_TRUE(booted.ok()) << booted;
  }

  void TearDown() override {
    pg_.reset();  // stops the postmaster
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  }

  std::string Conninfo() const {
    return absl::StrCat("host=127.0.0.1 port=", options_.port,
                        " user=postgres password=su-secret dbname=postgres");
  }

  // Runs one statement on the server as the superuser; its rows as text.
  std::vector<pg_internal::Row> Sql(pg_internal::SqlSession& session, const std::string& sql) {
    absl::StatusOr<std::vector<pg_internal::Row>> rows =
        session.Query(sql, {}, absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(rows.ok()) << rows.status() << " in " << sql;
    return rows.value_or(std::vector<pg_internal::Row>{});
  }
  std::unique_ptr<pg_internal::SqlSession> Session() {
    absl::StatusOr<std::unique_ptr<pg_internal::SqlSession>> session =
        pg_internal::SqlSession::Connect({{"host", "127.0.0.1"},
                                          {"port", absl::StrCat(options_.port)},
                                          {"user", "postgres"},
                                          {"password", "su-secret"},
                                          {"dbname", "postgres"}},
                                         absl::Now() + absl::Seconds(10));
    EXPECT_TRUE(session.ok()) << session.status();
    return session.ok() ? std::move(*session) : nullptr;
  }
  std::vector<pg_internal::Row> Sql(const std::string& sql) {
    std::unique_ptr<pg_internal::SqlSession> session = Session();
    return session != nullptr ? Sql(*session, sql) : std::vector<pg_internal::Row>{};
  }

  // Waits until `checker` has acknowledged `n` writes in all.
  static bool WaitForAcks(const WriteChecker& checker, int64_t n,
                          absl::Duration timeout = absl::Seconds(30)) {
    const absl::Time give_up = absl::Now() + timeout;
    while (checker.acknowledged() < n) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(10));  // polling another thread's progress
    }
    return true;
  }

  static std::unique_ptr<WriteChecker> MustStart(const std::string& conninfo,
                                                 WriteCheckerOptions options = {}) {
    absl::StatusOr<std::unique_ptr<WriteChecker>> checker =
        WriteChecker::Start(conninfo, std::move(options));
    EXPECT_TRUE(checker.ok()) << checker.status();
    return checker.ok() ? std::move(*checker) : nullptr;
  }

  std::string base_;
  LocalControllerOptions options_;
  std::unique_ptr<Controller> pg_;
};

TEST_F(WriteCheckerTest, HealthyServerAcknowledgesEveryWrite) {
  std::unique_ptr<WriteChecker> checker = MustStart(Conninfo());
  ASSERT_NE(checker, nullptr);
  const absl::Time started = absl::Now();
  ASSERT_TRUE(WaitForAcks(*checker, 50));
  EXPECT_LT(checker->FirstAckAfter(started), absl::InfiniteFuture());
  EXPECT_EQ(checker->FirstAckAfter(absl::Now() + absl::Hours(1)), absl::InfiniteFuture());
  checker->Stop();
  const int64_t acked = checker->acknowledged();
  checker->Stop();  // idempotent

  absl::StatusOr<WriteReport> report = checker->Verify(Conninfo());
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(report->ToString());
  std::printf("[report] %s\n", report->ToString().c_str());
  EXPECT_GE(report->ok, 50);
  EXPECT_EQ(report->ok, acked);
  EXPECT_EQ(report->attempted, report->ok);
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->unknown, 0);
  EXPECT_EQ(report->lost, 0);
  EXPECT_EQ(report->phantom, 0);
  EXPECT_EQ(report->final_rows, report->ok);
  EXPECT_EQ(report->acks_on_older_timeline_after_newer, 0);
  EXPECT_EQ(report->rows_per_timeline,
            (std::map<std::string, int64_t>{{"00000001", report->final_rows}}));
  EXPECT_GT(report->longest_gap, absl::ZeroDuration());
  EXPECT_LT(report->longest_gap, absl::Seconds(5));
  EXPECT_GE(report->longest_gap_start, started - absl::Seconds(1));
  EXPECT_TRUE(absl::StrContains(report->ToString(), "lost=0 phantom=0 "));
  EXPECT_TRUE(
      absl::StrContains(report->ToString(), absl::StrCat(" tl 00000001:", report->final_rows)));
}

TEST_F(WriteCheckerTest, CrashAndRestartLosesNoAcknowledgedWrite) {
  std::unique_ptr<WriteChecker> checker = MustStart(Conninfo());
  ASSERT_NE(checker, nullptr);
  ASSERT_TRUE(WaitForAcks(*checker, 50));

  // Crash the server (immediate: no shutdown checkpoint, crash recovery at the next start), keep
  // it down a while, start it again.
  const absl::Status stopped =
      pg_->Stop(StopMode::kImmediate, absl::Seconds(5), absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(stopped.ok()) << stopped;
  const absl::Time down = absl::Now();
  absl::SleepFor(absl::Seconds(1));  // the downtime itself, not a wait for a condition
  const int64_t acked_while_down = checker->acknowledged();
  const absl::Time restarting = absl::Now();
  const absl::Status started = pg_->Start(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(started.ok()) << started;
  ASSERT_TRUE(WaitForAcks(*checker, acked_while_down + 50));
  // No write is acknowledged while the server is down (a little slack for an ack recorded just
  // as it went down).
  EXPECT_GE(checker->FirstAckAfter(down + absl::Milliseconds(100)), restarting);
  checker->Stop();

  absl::StatusOr<WriteReport> report = checker->Verify(Conninfo());
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(report->ToString());
  std::printf("[report] %s\n", report->ToString().c_str());
  EXPECT_EQ(report->lost, 0);
  EXPECT_EQ(report->phantom, 0);
  EXPECT_EQ(report->failed_but_present, 0);
  EXPECT_GE(report->failed + report->unknown, 1);  // refused connections while down
  EXPECT_LE(report->unknown, 2);                   // the write in flight at the crash, at most
  EXPECT_LE(report->unknown_present, report->unknown);
  EXPECT_EQ(report->final_rows, report->ok + report->unknown_present);
  EXPECT_EQ(report->attempted, report->ok + report->failed + report->unknown);
  EXPECT_EQ(report->acks_on_older_timeline_after_newer, 0);
  // Crash recovery stays on timeline 1.
  EXPECT_EQ(report->rows_per_timeline,
            (std::map<std::string, int64_t>{{"00000001", report->final_rows}}));
  EXPECT_GE(report->longest_gap, restarting - down);
  EXPECT_LE(report->longest_gap_start, down);
}

TEST_F(WriteCheckerTest, DetectsPhantomAndLostRows) {
  std::unique_ptr<WriteChecker> checker = MustStart(Conninfo());
  ASSERT_NE(checker, nullptr);
  ASSERT_TRUE(WaitForAcks(*checker, 20));
  checker->Stop();
  absl::StatusOr<WriteReport> clean = checker->Verify(Conninfo());
  ASSERT_TRUE(clean.ok()) << clean.status();
  ASSERT_EQ(clean->lost, 0) << clean->ToString();
  ASSERT_EQ(clean->phantom, 0) << clean->ToString();

  // A row nobody attempted, and an acknowledged row gone.
  Sql("INSERT INTO warden_checker (id) VALUES (1000000000)");
  Sql("DELETE FROM warden_checker WHERE id = 7");
  absl::StatusOr<WriteReport> report = checker->Verify(Conninfo());
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(report->ToString());
  EXPECT_EQ(report->phantom, 1);
  EXPECT_EQ(report->lost, 1);
  EXPECT_EQ(report->final_rows, clean->final_rows);
  EXPECT_TRUE(absl::StrContains(report->ToString(), "lost=1 phantom=1 "));
}

TEST_F(WriteCheckerTest, ReadOnlyServerMakesWritesFailed) {
  std::unique_ptr<WriteChecker> checker = MustStart(Conninfo());
  ASSERT_NE(checker, nullptr);
  ASSERT_TRUE(WaitForAcks(*checker, 20));

  Sql("ALTER SYSTEM SET default_transaction_read_only = on");
  Sql("SELECT pg_reload_conf()");
  // New sessions see it once the postmaster has reloaded; the checker's session at its next
  // statement (one more write may be acknowledged if it was under way).
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  std::vector<pg_internal::Row> shown;
  while ((shown = Sql("SHOW default_transaction_read_only")).empty() || shown[0][0] != "on") {
    ASSERT_LT(absl::Now(), give_up) << "the reload did not take";
    absl::SleepFor(absl::Milliseconds(20));
  }
  const int64_t acked = checker->acknowledged();
  absl::SleepFor(absl::Seconds(1));  // the read-only stretch itself
  EXPECT_LE(checker->acknowledged(), acked + 1);
  checker->Stop();

  absl::StatusOr<WriteReport> report = checker->Verify(Conninfo());
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(report->ToString());
  std::printf("[report] %s\n", report->ToString().c_str());
  EXPECT_GE(report->failed, 3);  // 25006 read_only_sql_transaction: rejected, not unknown
  EXPECT_EQ(report->unknown, 0);
  EXPECT_EQ(report->failed_but_present, 0);
  EXPECT_EQ(report->lost, 0);
  EXPECT_EQ(report->phantom, 0);
  EXPECT_EQ(report->final_rows, report->ok);
}

TEST_F(WriteCheckerTest, HungWriteIsAbandonedAsUnknown) {
  WriteCheckerOptions options;
  options.write_timeout = absl::Milliseconds(300);
  std::unique_ptr<WriteChecker> checker = MustStart(Conninfo(), options);
  ASSERT_NE(checker, nullptr);
  ASSERT_TRUE(WaitForAcks(*checker, 20));

  // A lock that every INSERT waits behind: the server hangs as far as the checker can tell.
  std::unique_ptr<pg_internal::SqlSession> locker = Session();
  ASSERT_NE(locker, nullptr);
  Sql(*locker, "BEGIN");
  Sql(*locker, "LOCK TABLE warden_checker IN ACCESS EXCLUSIVE MODE");
  const absl::Time locked = absl::Now();
  absl::SleepFor(absl::Milliseconds(1200));  // the hang itself
  const absl::Time unlocking = absl::Now();
  Sql(*locker, "COMMIT");
  const int64_t acked = checker->acknowledged();
  ASSERT_TRUE(WaitForAcks(*checker, acked + 20));
  EXPECT_GE(checker->FirstAckAfter(locked + absl::Milliseconds(100)), unlocking);
  checker->Stop();

  absl::StatusOr<WriteReport> report = checker->Verify(Conninfo());
  ASSERT_TRUE(report.ok()) << report.status();
  SCOPED_TRACE(report->ToString());
  std::printf("[report] %s\n", report->ToString().c_str());
  EXPECT_GE(report->unknown, 2);  // each abandoned after 300 ms, then a new connection
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->lost, 0);
  EXPECT_EQ(report->phantom, 0);
  // The abandoned INSERTs were still queued on the lock; they may commit once it is released.
  EXPECT_LE(report->unknown_present, report->unknown);
  EXPECT_EQ(report->final_rows, report->ok + report->unknown_present);
  EXPECT_GE(report->longest_gap, unlocking - locked - absl::Milliseconds(100));
}

}  // namespace
}  // namespace warden::test
