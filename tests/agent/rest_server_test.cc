// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// RestServer over loopback with a Beast client: status codes, HEAD and OPTIONS, keep-alive,
// protocol errors, writes on a worker while health checks flow, TLS, and Stop(). Every wait is on
// an event or a socket with a deadline; nothing sleeps.

#include "src/agent/rest_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "gtest/gtest.h"
#include "src/agent/member_prober.h"
#include "tests/agent/fake_agent_control.h"

namespace warden {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;

constexpr auto kClientTimeout = std::chrono::seconds(10);

AgentStatus PrimaryStatus() {
  AgentStatus s;
  s.name = "n1";
  s.scope = "demo";
  s.state = "running";
  s.is_leader = true;
  s.last_loop = absl::Now();
  s.postgres.running = true;
  s.postgres.role = PgRole::kPrimary;
  return s;
}

http::request<http::string_body> Request(http::verb verb, const std::string& target,
                                         const std::string& body = "") {
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.body() = body;
  request.prepare_payload();
  return request;
}

// A blocking HTTP client whose every operation has a deadline. Stream is beast::tcp_stream or
// beast::ssl_stream<beast::tcp_stream>.
template <class Stream>
class BasicClient {
 public:
  template <class... Args>
  explicit BasicClient(Args&&... args) : stream_(io_, std::forward<Args>(args)...) {}

  beast::error_code Connect(int port) {
    const tcp::endpoint server(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port));
    beast::error_code ec = Await([&](auto done) { Lowest().async_connect(server, done); });
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      if (!ec)
        ec = Await([&](auto done) { stream_.async_handshake(ssl::stream_base::client, done); });
    }
    return ec;
  }
  beast::error_code Write(const http::request<http::string_body>& request) {
    return Await([&](auto done) { http::async_write(stream_, request, done); });
  }
  beast::error_code WriteRaw(const std::string& bytes) {
    return Await([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }
  // Reads one response; `head` when it answers a HEAD request (no body follows).
  std::optional<Response> Read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    if (Await([&](auto done) { http::async_read(stream_, buffer_, parser, done); })) {
      return std::nullopt;
    }
    return parser.release();
  }
  std::optional<Response> Send(const http::request<http::string_body>& request) {
    if (Write(request)) return std::nullopt;
    return Read(request.method() == http::verb::head);
  }
  // True when the server closes the connection (EOF or reset) before the deadline.
  bool ClosedByServer() {
    char byte;
    beast::error_code ec =
        Await([&](auto done) { stream_.async_read_some(asio::buffer(&byte, 1), done); });
    return ec && ec != beast::error::timeout;
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  template <class Start>
  beast::error_code Await(Start start) {
    beast::error_code result = asio::error::would_block;
    Lowest().expires_after(kClientTimeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  asio::io_context io_;
  Stream stream_;
  beast::flat_buffer buffer_;
};
using Client = BasicClient<beast::tcp_stream>;

class RestServerTest : public ::testing::Test {
 protected:
  RestServerTest() { agent_.SetStatus(PrimaryStatus()); }
  ~RestServerTest() override {
    server_.reset();  // while the io thread still runs the closes it posts
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void StartServer(RestApiOptions options = {}) {
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<RestServer>(io_, agent_, options);
    const absl::Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started;
    ASSERT_GT(server_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }

  std::unique_ptr<Client> Connect() {
    auto client = std::make_unique<Client>();
    EXPECT_FALSE(client->Connect(server_->port()));
    return client;
  }

  FakeAgentControl agent_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      asio::make_work_guard(io_)};
  std::unique_ptr<RestServer> server_;
  std::thread thread_;
};

TEST_F(RestServerTest, PrimaryCheckAnswers200ThenWhenDemoted503) {
  StartServer();
  auto client = Connect();
  std::optional<Response> primary = client->Send(Request(http::verb::get, "/primary"));
  ASSERT_TRUE(primary);
  EXPECT_EQ(primary->result_int(), 200);
  EXPECT_EQ((*primary)[http::field::content_type], "application/json");
  EXPECT_NE(primary->body().find("\"role\":\"master\""), std::string::npos);
  AgentStatus demoted = PrimaryStatus();
  demoted.is_leader = false;
  agent_.SetStatus(demoted);
  std::optional<Response> after = Connect()->Send(Request(http::verb::get, "/primary"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->result_int(), 503);
}

TEST_F(RestServerTest, HeadAndOptionsAnswerWithoutABody) {
  StartServer();
  auto client = Connect();
  for (http::verb verb : {http::verb::head, http::verb::options}) {
    std::optional<Response> response = client->Send(Request(verb, "/primary"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ(response->body(), "");
  }
  std::optional<Response> replica = client->Send(Request(http::verb::options, "/replica"));
  ASSERT_TRUE(replica);
  EXPECT_EQ(replica->result_int(), 503);
}

// What HAProxy's `option httpchk OPTIONS /primary` sends: HTTP/1.0, no headers.
TEST_F(RestServerTest, HaproxyStyleHttp10CheckIsAnsweredAndClosed) {
  StartServer();
  auto client = Connect();
  ASSERT_FALSE(client->WriteRaw("OPTIONS /primary HTTP/1.0\r\n\r\n"));
  std::optional<Response> response = client->Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->version(), 10u);
  EXPECT_TRUE(client->ClosedByServer());
}

TEST_F(RestServerTest, KeepAliveServesRequestsOnOneConnection) {
  StartServer();
  auto client = Connect();
  for (const char* path : {"/health", "/patroni", "/metrics"}) {
    std::optional<Response> response = client->Send(Request(http::verb::get, path));
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->result_int(), 200) << path;
    EXPECT_TRUE(response->keep_alive()) << path;
  }
}

TEST_F(RestServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  auto client = Connect();
  auto request = Request(http::verb::get, "/health");
  request.keep_alive(false);
  std::optional<Response> response = client->Send(request);
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client->ClosedByServer());
}

TEST_F(RestServerTest, OversizedBodyIs413AndCloses) {
  RestApiOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  auto client = Connect();
  std::optional<Response> response =
      client->Send(Request(http::verb::post, "/switchover", std::string(4096, 'x')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_TRUE(client->ClosedByServer());
  EXPECT_TRUE(agent_.calls().switchovers.empty());
}

TEST_F(RestServerTest, GarbageIs400AndCloses) {
  StartServer();
  auto client = Connect();
  ASSERT_FALSE(client->WriteRaw("\x01\x02\x03 hello\r\n\r\n"));
  std::optional<Response> response = client->Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400);
  EXPECT_TRUE(client->ClosedByServer());
}

TEST_F(RestServerTest, OversizedHeadersAre431) {
  StartServer();
  auto request = Request(http::verb::get, "/health");
  request.set("X-Padding", std::string(size_t{32} * 1024, 'a'));
  std::optional<Response> response = Connect()->Send(request);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 431);
}

TEST_F(RestServerTest, UnknownPathAndMethodOverTheWire) {
  StartServer();
  auto client = Connect();
  std::optional<Response> missing = client->Send(Request(http::verb::get, "/nowhere"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 404);
  std::optional<Response> wrong = client->Send(Request(http::verb::put, "/primary", "{}"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->result_int(), 405);
  EXPECT_EQ((*wrong)[http::field::allow], "GET, HEAD, OPTIONS");
}

TEST_F(RestServerTest, ConfigIsReadOffTheIoThread) {
  StartServer();
  std::optional<Response> config = Connect()->Send(Request(http::verb::get, "/config"));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->result_int(), 200);
  EXPECT_EQ(config->body(), R"({"ttl":30,"loop_wait":10})");
  EXPECT_EQ(agent_.calls().config_reads, 1);
}

TEST_F(RestServerTest, BasicAuthChallengeAndSuccess) {
  RestApiOptions options;
  options.username = "admin";
  options.password = "pw";
  StartServer(options);
  auto client = Connect();
  std::optional<Response> denied = client->Send(Request(http::verb::post, "/reload"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->result_int(), 401);
  EXPECT_EQ((*denied)[http::field::www_authenticate], "Basic realm=\"warden\"");
  auto request = Request(http::verb::post, "/reload");
  request.set(http::field::authorization, "Basic " + absl::Base64Escape("admin:pw"));
  std::optional<Response> accepted = client->Send(request);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->result_int(), 202);
}

TEST_F(RestServerTest, SlowWriteDoesNotDelayHealthChecks) {
  absl::Notification entered;
  absl::Notification release;
  agent_.SetSwitchoverHook([&] {
    entered.Notify();
    release.WaitForNotification();
  });
  // Whatever fails below, the worker must not stay blocked: the server waits for it.
  absl::Cleanup unblock = [&release] {
    if (!release.HasBeenNotified()) release.Notify();
  };
  StartServer();
  auto writer = Connect();
  ASSERT_FALSE(writer->Write(Request(http::verb::post, "/switchover", R"({"leader":"n1"})")));
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // The switchover is held open in the agent; checks on other connections still answer.
  auto checker = Connect();
  for (const char* path : {"/health", "/primary", "/liveness"}) {
    std::optional<Response> check = checker->Send(Request(http::verb::get, path));
    ASSERT_TRUE(check) << path;
    EXPECT_EQ(check->result_int(), 200) << path;
  }
  std::move(unblock).Invoke();
  std::optional<Response> switched = writer->Read();
  ASSERT_TRUE(switched);
  EXPECT_EQ(switched->result_int(), 200);
  EXPECT_EQ(switched->body(), "Successfully switched over");
}

TEST_F(RestServerTest, StopClosesTheListenerAndOpenConnections) {
  StartServer();
  const int port = server_->port();
  auto idle = Connect();
  ASSERT_TRUE(idle->Send(Request(http::verb::get, "/health")));
  server_->Stop();
  EXPECT_TRUE(idle->ClosedByServer());
  Client late;
  EXPECT_TRUE(late.Connect(port));  // refused: the listener closed before the connections
  server_->Stop();                  // idempotent
}

TEST_F(RestServerTest, StartReportsAPortInUseAndBadAddresses) {
  StartServer();
  RestApiOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(server_->port());
  RestServer second(io_, agent_, taken);
  EXPECT_EQ(second.Start().code(), absl::StatusCode::kUnavailable);
  for (const char* listen : {"127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:8008"}) {
    RestApiOptions bad;
    bad.listen = listen;
    RestServer server(io_, agent_, bad);
    EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument) << listen;
  }
}

// ---------------------------------------------------------------------------------------------
// TLS, with a self-signed certificate made by the openssl command at test time.

class RestServerTlsTest : public RestServerTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("warden_rest_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;  // NOLINT(concurrency-mt-unsafe)
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RestApiOptions TlsOptions() const {
    RestApiOptions options;
    options.certfile = (dir_ / "cert.pem").string();
    options.keyfile = (dir_ / "key.pem").string();
    return options;
  }

  std::filesystem::path dir_;
};

TEST_F(RestServerTlsTest, ServesHttpsVerifiedAgainstItsCertificate) {
  StartServer(TlsOptions());
  ssl::context context(ssl::context::tls_client);
  context.load_verify_file((dir_ / "cert.pem").string());
  context.set_verify_mode(ssl::verify_peer);
  BasicClient<beast::ssl_stream<beast::tcp_stream>> client(context);
  ASSERT_FALSE(client.Connect(server_->port()));
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS too
    std::optional<Response> response = client.Send(Request(http::verb::get, "/primary"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200);
  }
}

TEST_F(RestServerTlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  StartServer(TlsOptions());
  auto client = Connect();
  EXPECT_FALSE(client->Send(Request(http::verb::get, "/primary")));
}

TEST_F(RestServerTlsTest, MissingCertificateFailsStart) {
  RestApiOptions options = TlsOptions();
  options.certfile = (dir_ / "absent.pem").string();
  options.listen = "127.0.0.1:0";
  RestServer server(io_, agent_, options);
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument);
}

// The member prober reaches a member whose REST API uses TLS and basic auth, as Patroni's
// requests do: it reads /patroni and gets the failsafe confirmation, which needs the credentials
// (before, https api_urls were skipped and no credentials sent: such a cluster had no healthy
// candidates and failsafe_mode never held).
TEST_F(RestServerTlsTest, TheMemberProberSpeaksHttpsWithTheRestCredentials) {
  RestApiOptions options = TlsOptions();
  options.username = "admin";
  options.password = "secret";
  StartServer(options);
  agent_.SetAcceptFailsafe(true);
  ClusterView view;
  Member member;
  member.name = "n2";
  member.api_url = "https://127.0.0.1:" + std::to_string(server_->port()) + "/patroni";
  view.members = {member};
  auto probe = [&](PeerHttpOptions peer) {
    std::vector<MemberProbe> probes =
        NewHttpMemberProber(std::move(peer))->Probe(view, "n1", absl::Seconds(5), true);
    EXPECT_EQ(probes.size(), 1u);
    return probes.empty() ? MemberProbe{} : probes[0];
  };
  const std::string ca = (dir_ / "cert.pem").string();
  MemberProbe p = probe({.username = "admin", .password = "secret", .cacert = ca});
  EXPECT_TRUE(p.reachable);
  EXPECT_TRUE(p.running);
  EXPECT_EQ(p.role, PgRole::kPrimary);
  EXPECT_TRUE(p.confirms_primary);
  p = probe({.username = "admin", .password = "wrong", .cacert = ca});
  EXPECT_TRUE(p.reachable);  // GETs stay open
  EXPECT_FALSE(p.confirms_primary);
  p = probe({.username = "admin", .password = "secret"});  // no CA: not checked, as Patroni
  EXPECT_TRUE(p.confirms_primary);
  const std::string other = (dir_ / "other.pem").string();
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=other -keyout " +
      (dir_ / "other-key.pem").string() + " -out " + other + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);  // NOLINT(concurrency-mt-unsafe)
  p = probe({.username = "admin", .password = "secret", .cacert = other});
  EXPECT_FALSE(p.reachable);  // a certificate the configured CA did not sign
}

}  // namespace
}  // namespace warden
