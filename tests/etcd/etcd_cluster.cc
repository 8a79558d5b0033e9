// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/etcd/etcd_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

extern char** environ;

namespace warden::test {
namespace {

constexpr char kEtcd[] = "/usr/bin/etcd";
constexpr char kEtcdctl[] = "/usr/bin/etcdctl";
constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr char kClientCn[] = "warden-test-client";
constexpr absl::Duration kHealthTimeout = absl::Seconds(20);
constexpr absl::Duration kPollInterval = absl::Milliseconds(50);
constexpr absl::Duration kCommandTimeout = absl::Seconds(30);

// The text of an errno value (thread-safe, unlike strerror).
std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// The environment for a child: ours without ETCD_* and ETCDCTL_* (etcd refuses to start when a
// flag is also set in the environment), plus `extra` ("NAME=value" each).
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view var(*e);
    bool etcd_var =
        absl::StartsWith(var, "ETCD_") && !absl::StartsWith(var, "ETCD_UNSUPPORTED_ARCH=");
    if (etcd_var || absl::StartsWith(var, "ETCDCTL_")) continue;
    env.emplace_back(var);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// A null-terminated array of pointers into `strings`, which must outlive it.
std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// Forks and execs argv[0], an absolute path, with `env` and the given fds as stdin, stdout and
// stderr. The child is SIGKILLed when the calling thread exits, so it never outlives the test.
absl::StatusOr<pid_t> Spawn(std::vector<std::string> argv, std::vector<std::string> env, int in_fd,
                            int out_fd, int err_fd) {
  if (access(argv[0].c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot execute ", argv[0], ": ", ErrnoText(errno)));
  }
  // Everything the child needs is allocated before fork: it may only make async-signal-safe calls.
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", ErrnoText(errno)));
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(127);
    close_range(3, ~0U, 0);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
  return pid;
}

// waitpid without EINTR; returns its result.
pid_t WaitPid(pid_t pid, int* status, int flags) {
  pid_t r;
  do {
    r = waitpid(pid, status, flags);
  } while (r < 0 && errno == EINTR);
  return r;
}

// "exit status N" or "killed by signal N".
std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

// What a finished command printed and how it ended.
struct CommandResult {
  int status = 0;  // as from waitpid
  std::string out;
  std::string err;
};

// Runs argv (argv[0] an absolute path) with `env` and stdin from /dev/null, collecting stdout
// and stderr. DEADLINE_EXCEEDED (and the command killed) if it runs longer than kCommandTimeout.
absl::StatusOr<CommandResult> RunCommand(std::vector<std::string> argv,
                                         std::vector<std::string> env) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe2: " + ErrnoText(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    return absl::InternalError("pipe2: " + ErrnoText(err));
  }
  const std::string name = argv[0];
  int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  absl::StatusOr<pid_t> pid =
      Spawn(std::move(argv), std::move(env), dev_null, out_pipe[1], err_pipe[1]);
  if (dev_null >= 0) close(dev_null);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (!pid.ok()) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return pid.status();
  }

  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  const absl::Time deadline = absl::Now() + kCommandTimeout;
  bool timed_out = false;
  int open_fds = 2;
  while (open_fds > 0) {
    const int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (wait_ms <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(wait_ms)) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (timed_out) kill(*pid, SIGKILL);
  WaitPid(*pid, &result.status, 0);
  if (timed_out) {
    return absl::DeadlineExceededError(absl::StrCat(
        name, " ran for over ", absl::FormatDuration(kCommandTimeout), " and was killed"));
  }
  return result;
}

// The useful part of etcdctl's or openssl's stderr: etcdctl's "Error: ..." lines if any,
// otherwise its last 2000 characters.
std::string ErrorText(const std::string& err) {
  std::vector<std::string> errors;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (absl::StartsWith(line, "Error:")) errors.emplace_back(line);
  }
  if (!errors.empty()) return absl::StrJoin(errors, "\n");
  absl::string_view tail = absl::StripAsciiWhitespace(err);
  if (tail.size() > 2000) tail = tail.substr(tail.size() - 2000);
  return std::string(tail);
}

// Whether GET /health on 127.0.0.1:`port` answers {"health":"true"} within about a second.
bool Healthy(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    constexpr char kRequest[] = "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, kRequest, sizeof(kRequest) - 1, MSG_NOSIGNAL) ==
        static_cast<ssize_t>(sizeof(kRequest) - 1)) {
      char buf[1024];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return absl::StrContains(response, "\"health\":\"true\"");
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

EtcdCluster::EtcdCluster(EtcdClusterOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(EtcdClusterOptions options) {
  if (options.members < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("an etcd cluster needs at least 1 member, not ", options.members));
  }
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<EtcdCluster> cluster(new EtcdCluster(options));
    bool port_taken = false;
    absl::Status status = cluster->Init(&port_taken);
    if (status.ok()) return cluster;
    if (!port_taken || attempt == 2) return status;
    // The failed cluster is destroyed here; the next attempt gets a new dir and new ports.
  }
}

absl::Status EtcdCluster::Init(bool* port_taken) {
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string dir = (tmp / "warden-etcd-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", dir, ": ", ErrnoText(errno)));
  }
  dir_ = dir;
  token_ = absl::StrCat("warden-", std::filesystem::path(dir_).filename().string());
  if (options_.tls) {
    absl::Status certs = MakeCertificates();
    if (!certs.ok()) return certs;
  }

  std::set<int> used;
  auto new_port = [&used]() -> int {
    for (int tries = 0; tries < 100; ++tries) {
      int port = FreePort();
      if (port < 0) return -1;
      if (used.insert(port).second) return port;
    }
    return -1;
  };
  for (int i = 0; i < options_.members; ++i) {
    Member m;
    m.name = absl::StrCat("m", i);
    m.client_port = new_port();
    m.peer_port = new_port();
    m.metrics_port = new_port();
    if (m.client_port < 0 || m.peer_port < 0 || m.metrics_port < 0) {
      return absl::InternalError("found no free port on 127.0.0.1");
    }
    members_.push_back(std::move(m));
  }

  absl::MutexLock lock(&mu_);
  pids_.assign(members_.size(), -1);
  for (int i = 0; i < size(); ++i) {
    absl::Status spawned = SpawnMember(i, "new");
    if (!spawned.ok()) return spawned;
  }
  std::vector<int> all(members_.size());
  std::iota(all.begin(), all.end(), 0);
  return AwaitHealthy(all, port_taken);
}

absl::Status EtcdCluster::MakeCertificates() {
  const std::string tls = dir_ + "/tls";
  if (mkdir(tls.c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", tls, ": ", ErrnoText(errno)));
  }
  // The server certificate is also a client certificate: etcd 3.4's grpc-gateway dials its own
  // gRPC server with it, which --client-cert-auth checks.
  const std::pair<const char*, const char*> extensions[] = {
      {"server.ext", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"},
      {"client.ext", "extendedKeyUsage=clientAuth\n"},
  };
  for (const auto& [file, text] : extensions) {
    std::ofstream out(tls + "/" + file);
    out << text;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", tls, "/", file));
  }
  auto openssl = [](std::vector<std::string> args) -> absl::Status {
    args.insert(args.begin(), kOpenssl);
    const std::string command = absl::StrJoin(args, " ");
    absl::StatusOr<CommandResult> result = RunCommand(std::move(args), ChildEnvironment({}));
    if (!result.ok()) return result.status();
    if (result->status != 0) {
      return absl::InternalError(absl::StrCat(command, " failed (", DescribeExit(result->status),
                                              "): ", ErrorText(result->err)));
    }
    return absl::OkStatus();
  };
  // P-256 keys: generated in milliseconds, unlike RSA.
  const std::vector<std::string> new_key = {"-newkey", "ec", "-pkeyopt",
                                            "ec_paramgen_curve:prime256v1", "-nodes"};
  std::vector<std::string> ca = {"req", "-x509"};
  ca.insert(ca.end(), new_key.begin(), new_key.end());
  ca.insert(ca.end(), {"-keyout", tls + "/ca.key", "-out", tls + "/ca.crt", "-days", "7", "-subj",
                       "/CN=warden-test-ca"});
  absl::Status status = openssl(ca);
  if (!status.ok()) return status;
  const std::pair<const char*, std::string> leaves[] = {{"server", "127.0.0.1"},
                                                        {"client", kClientCn}};
  int serial = 1;
  for (const auto& [name, cn] : leaves) {
    const std::string base = absl::StrCat(tls, "/", name);
    std::vector<std::string> request = {"req", "-new"};
    request.insert(request.end(), new_key.begin(), new_key.end());
    request.insert(request.end(),
                   {"-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=" + cn});
    status = openssl(request);
    if (!status.ok()) return status;
    status = openssl({"x509", "-req", "-in", base + ".csr", "-CA", tls + "/ca.crt", "-CAkey",
                      tls + "/ca.key", "-set_serial", absl::StrCat(++serial), "-days", "7",
                      "-extfile", base + ".ext", "-out", base + ".crt"});
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::vector<std::string> EtcdCluster::MemberArgs(int i, const char* state) const {
  const Member& m = members_[i];
  std::vector<std::string> peers;
  for (const Member& p : members_) {
    peers.push_back(absl::StrCat(p.name, "=http://127.0.0.1:", p.peer_port));
  }
  const std::string client_url = ClientUrl(i);
  const std::string peer_url = absl::StrCat("http://127.0.0.1:", m.peer_port);
  std::vector<std::string> args = {
      kEtcd,
      "--name=" + m.name,
      absl::StrCat("--data-dir=", dir_, "/", m.name),
      "--listen-client-urls=" + client_url,
      "--advertise-client-urls=" + client_url,
      "--listen-peer-urls=" + peer_url,
      "--initial-advertise-peer-urls=" + peer_url,
      "--initial-cluster=" + absl::StrJoin(peers, ","),
      "--initial-cluster-token=" + token_,
      absl::StrCat("--initial-cluster-state=", state),
      absl::StrCat("--listen-metrics-urls=http://127.0.0.1:", m.metrics_port),
      "--logger=zap",
      absl::StrCat("--log-outputs=", dir_, "/", m.name, ".log"),
  };
  if (options_.tls) {
    args.push_back(absl::StrCat("--cert-file=", dir_, "/tls/server.crt"));
    args.push_back(absl::StrCat("--key-file=", dir_, "/tls/server.key"));
    args.push_back("--trusted-ca-file=" + CaFile());
    args.push_back("--client-cert-auth");
  }
  for (absl::string_view flag :
       absl::StrSplit(options_.extra_flags, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
    args.emplace_back(flag);
  }
  return args;
}

absl::Status EtcdCluster::SpawnMember(int i, const char* state) {
  const std::string log = absl::StrCat(dir_, "/", members_[i].name, ".log");
  // O_APPEND, as etcd's own logger opens it: the two writers interleave whole writes.
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("open ", log, ": ", ErrnoText(errno)));
  int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  absl::StatusOr<pid_t> pid = Spawn(MemberArgs(i, state), ChildEnvironment({}),
                                    dev_null >= 0 ? dev_null : log_fd, log_fd, log_fd);
  close(log_fd);
  if (dev_null >= 0) close(dev_null);
  if (!pid.ok()) return pid.status();
  pids_[i] = *pid;
  return absl::OkStatus();
}

absl::Status EtcdCluster::AwaitHealthy(const std::vector<int>& which, bool* port_taken) {
  const absl::Time deadline = absl::Now() + kHealthTimeout;
  std::vector<int> pending = which;
  while (true) {
    for (auto it = pending.begin(); it != pending.end();) {
      const int i = *it;
      int status = 0;
      if (WaitPid(pids_[i], &status, WNOHANG) == pids_[i]) {
        pids_[i] = -1;
        const std::string tail = LogTail(i);
        if (absl::StrContains(tail, "address already in use")) *port_taken = true;
        return absl::UnavailableError(absl::StrCat(
            "etcd member ", members_[i].name, " exited (", DescribeExit(status),
            ") before it was healthy; the end of ", dir_, "/", members_[i].name, ".log:\n", tail));
      }
      it = Healthy(members_[i].metrics_port) ? pending.erase(it) : it + 1;
    }
    if (pending.empty()) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      const Member& m = members_[pending.front()];
      return absl::DeadlineExceededError(absl::StrCat(
          "etcd member ", m.name, " not healthy after ", absl::FormatDuration(kHealthTimeout),
          "; the end of ", dir_, "/", m.name, ".log:\n", LogTail(pending.front())));
    }
    absl::SleepFor(kPollInterval);
  }
}

std::string EtcdCluster::LogTail(int i) const {
  constexpr size_t kMaxBytes = 4096;
  constexpr size_t kMaxLines = 15;
  std::ifstream in(absl::StrCat(dir_, "/", members_[i].name, ".log"), std::ios::binary);
  if (!in) return "(no log)";
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > kMaxBytes) text = text.substr(text.size() - kMaxBytes);
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.size() > kMaxLines) lines.erase(lines.begin(), lines.end() - kMaxLines);
  return absl::StrJoin(lines, "\n");
}

EtcdCluster::~EtcdCluster() {
  {
    absl::MutexLock lock(&mu_);
    for (pid_t& pid : pids_) {
      if (pid <= 0) continue;
      kill(pid, SIGKILL);
      int status;
      WaitPid(pid, &status, 0);
      pid = -1;
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

int EtcdCluster::size() const { return static_cast<int>(members_.size()); }

std::vector<std::string> EtcdCluster::ClientEndpoints() const {
  std::vector<std::string> endpoints;
  for (int i = 0; i < size(); ++i) endpoints.push_back(ClientEndpoint(i));
  return endpoints;
}

std::string EtcdCluster::ClientEndpoint(int member) const {
  if (!CheckIndex(member).ok()) return "";
  return absl::StrCat("127.0.0.1:", members_[member].client_port);
}

std::string EtcdCluster::ClientUrl(int i) const {
  return absl::StrCat(options_.tls ? "https://" : "http://", ClientEndpoint(i));
}

std::string EtcdCluster::HttpUrl(int member) const {
  if (!CheckIndex(member).ok()) return "";
  return ClientUrl(member);
}

absl::Status EtcdCluster::CheckIndex(int member) const {
  if (member < 0 || member >= size()) {
    return absl::OutOfRangeError(
        absl::StrCat("no etcd member ", member, " in a cluster of ", size()));
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::CheckRunning(int member) const {
  absl::Status status = CheckIndex(member);
  if (!status.ok()) return status;
  if (pids_[member] <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("etcd member ", members_[member].name, " is not running"));
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::Kill(int member) {
  absl::MutexLock lock(&mu_);
  absl::Status status = CheckRunning(member);
  if (!status.ok()) return status;
  kill(pids_[member], SIGKILL);
  int wait_status;
  WaitPid(pids_[member], &wait_status, 0);
  pids_[member] = -1;
  return absl::OkStatus();
}

absl::Status EtcdCluster::Pause(int member) {
  absl::MutexLock lock(&mu_);
  absl::Status status = CheckRunning(member);
  if (!status.ok()) return status;
  const pid_t pid = pids_[member];
  if (kill(pid, SIGSTOP) != 0) return absl::InternalError("SIGSTOP: " + ErrnoText(errno));
  // Returns once the process is stopped, or has exited (then it is reaped here).
  int wait_status = 0;
  if (WaitPid(pid, &wait_status, WUNTRACED) == pid && !WIFSTOPPED(wait_status)) {
    pids_[member] = -1;
    return absl::FailedPreconditionError(absl::StrCat(
        "etcd member ", members_[member].name, " had exited (", DescribeExit(wait_status), ")"));
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::Resume(int member) {
  absl::MutexLock lock(&mu_);
  absl::Status status = CheckRunning(member);
  if (!status.ok()) return status;
  if (kill(pids_[member], SIGCONT) != 0) return absl::InternalError("SIGCONT: " + ErrnoText(errno));
  return absl::OkStatus();
}

absl::Status EtcdCluster::Restart(int member) {
  absl::MutexLock lock(&mu_);
  absl::Status status = CheckIndex(member);
  if (!status.ok()) return status;
  if (pids_[member] > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("etcd member ", members_[member].name, " is running; Kill it first"));
  }
  status = SpawnMember(member, "existing");
  if (!status.ok()) return status;
  bool port_taken = false;
  return AwaitHealthy({member}, &port_taken);
}

absl::Status EtcdCluster::WaitHealthy(int member) {
  absl::MutexLock lock(&mu_);
  absl::Status status = CheckRunning(member);
  if (!status.ok()) return status;
  bool port_taken = false;
  return AwaitHealthy({member}, &port_taken);
}

bool EtcdCluster::IsRunning(int member) const {
  absl::ReaderMutexLock lock(&mu_);
  if (!CheckRunning(member).ok()) return false;
  // WNOWAIT: look whether it has exited without reaping it.
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pids_[member]), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0;
}

pid_t EtcdCluster::Pid(int member) const {
  absl::ReaderMutexLock lock(&mu_);
  if (!CheckIndex(member).ok()) return -1;
  return pids_[member];
}

std::string EtcdCluster::CaFile() const { return options_.tls ? dir_ + "/tls/ca.crt" : ""; }
std::string EtcdCluster::ClientCertFile() const {
  return options_.tls ? dir_ + "/tls/client.crt" : "";
}
std::string EtcdCluster::ClientKeyFile() const {
  return options_.tls ? dir_ + "/tls/client.key" : "";
}

std::string EtcdCluster::dir() const { return dir_; }

absl::StatusOr<std::string> EtcdCluster::Etcdctl(const std::vector<std::string>& args,
                                                 const std::string& user) const {
  std::vector<std::string> argv = {kEtcdctl};
  if (std::none_of(args.begin(), args.end(),
                   [](const std::string& arg) { return absl::StartsWith(arg, "--endpoints"); })) {
    std::vector<std::string> urls;
    for (int i = 0; i < size(); ++i) urls.push_back(ClientUrl(i));
    argv.push_back("--endpoints=" + absl::StrJoin(urls, ","));
  }
  if (options_.tls) {
    argv.push_back("--cacert=" + CaFile());
    argv.push_back("--cert=" + ClientCertFile());
    argv.push_back("--key=" + ClientKeyFile());
  }
  if (!user.empty()) argv.push_back("--user=" + user);
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<CommandResult> result =
      RunCommand(std::move(argv), ChildEnvironment({"ETCDCTL_API=3"}));
  if (!result.ok()) return result.status();
  if (result->status != 0) {
    return absl::UnknownError(absl::StrCat("etcdctl ", absl::StrJoin(args, " "), " failed (",
                                           DescribeExit(result->status),
                                           "): ", ErrorText(result->err)));
  }
  return std::move(result->out);
}

absl::Status EtcdCluster::EnableAuth(const std::string& root_password, const std::string& user,
                                     const std::string& password) {
  if (user.empty() || user == "root" || absl::StrContains(user, ":")) {
    return absl::InvalidArgumentError(
        absl::StrCat("EnableAuth needs a user other than root, without ':', not '", user, "'"));
  }
  constexpr char kRole[] = "readwrite-all";
  const std::vector<std::vector<std::string>> steps = {
      {"user", "add", "root", "--new-user-password=" + root_password},
      {"role", "add", "root"},
      {"user", "grant-role", "root", "root"},
      {"role", "add", kRole},
      // Key "" with --prefix: every key.
      {"role", "grant-permission", "--prefix=true", kRole, "readwrite", ""},
      {"user", "add", user, "--new-user-password=" + password},
      {"user", "grant-role", user, kRole},
      {"auth", "enable"},
  };
  for (const std::vector<std::string>& step : steps) {
    absl::StatusOr<std::string> out = Etcdctl(step);
    if (!out.ok()) return out.status();
  }
  return absl::OkStatus();
}

}  // namespace warden::test
