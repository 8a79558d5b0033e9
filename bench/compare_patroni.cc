// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// compare_patroni: the side-by-side benchmark of issue 8. The same 3-node cluster on loopback
// (one etcd, PostgreSQL 15, the same generated patroni.yml) runs under Patroni (Debian's
// /usr/bin/patroni) and then under warden-agent, at equal ttl/loop_wait/retry_timeout, and the
// program prints every measurement as it is taken ("raw:" lines) and then a table of medians with
// the ratio warden/Patroni. See Usage() for the flags; bench/compare_patroni.sh builds and runs it.
//
// What is measured, and on which cluster. Starting a cluster costs 10-20 s, so clusters are
// reused where a trial leaves the cluster as it found it (healthy: one primary, two streaming
// replicas answering /replica 200), and a trial only starts once the cluster is healthy again:
//  - the "main" cluster of a profile (no HAProxy, whose health checks would be idle load):
//    bootstrap trial 1 (its own start), then one idle window (RSS, CPU, etcd requests; the median
//    is over the three agents, not over trials) and one wrk run on /primary and on /replica, then
//    every kill -9, graceful-stop and switchover trial one after the other, each healed (the
//    killed or stopped node restarted) before the next;
//  - bootstrap trials 2..N: a fresh cluster each (empty data dirs are the point);
//  - write-unavailability: one cluster with HAProxy per mode (async, synchronous_mode_strict),
//    one WriteChecker writing through HAProxy's primary port across all its kill trials, so the
//    lost/phantom counts are totals over those kills.
// The warden-only profile (5/1/2) runs the kill -9 and write-unavailability scenarios only.
// Failures of the agents (no new primary in time, a cluster that does not heal) are results:
// they are printed and counted in the table; a cluster that does not heal ends that scenario.
// The exit status is non-zero only when the harness itself failed (a cluster, checker or wrk
// could not start, an exception).

#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "nlohmann/json.hpp"
#include "src/pg/subprocess.h"
#include "tests/common/http_status.h"
#include "tests/e2e/e2e_cluster.h"
#include "tests/e2e/write_checker.h"

namespace warden::bench {
namespace {

using test::AgentKind;
using test::E2eCluster;
using test::E2eClusterOptions;
using test::WriteChecker;
using test::WriteReport;

// ---------------------------------------------------------------------------------------------
// Flags

enum class Scenario {
  kBootstrap,
  kFailover,
  kGraceful,
  kSwitchover,
  kLoadAsync,
  kLoadSync,
  kIdle,
  kRest
};

constexpr std::array<std::pair<Scenario, const char*>, 8> kScenarioNames = {{
    {Scenario::kBootstrap, "bootstrap"},
    {Scenario::kFailover, "failover"},
    {Scenario::kGraceful, "graceful"},
    {Scenario::kSwitchover, "switchover"},
    {Scenario::kLoadAsync, "load-async"},
    {Scenario::kLoadSync, "load-sync"},
    {Scenario::kIdle, "idle"},
    {Scenario::kRest, "rest"},
}};

// ttl/loop_wait/retry_timeout. A warden-only profile has no Patroni column and runs only the
// scenarios RunsUnder lets it.
struct Profile {
  std::string name = {};
  int ttl = 0;
  int loop_wait = 0;
  int retry_timeout = 0;
  bool warden_only = false;
};

// Patroni's defaults, a short profile Patroni 3.0.2 accepts, and warden's shortest safe one:
// AdjustTiming's floor is ttl 5 s, and with it loop_wait 1 s and retry_timeout (5 - 1) / 2 = 2 s
// (warden keeps its lease alive every ttl / 3 on a timer of its own, not from the HA loop).
const std::vector<Profile>& AllProfiles() {
  static const std::vector<Profile> profiles = {
      {.name = "30/10/10", .ttl = 30, .loop_wait = 10, .retry_timeout = 10},
      {.name = "10/2/3", .ttl = 10, .loop_wait = 2, .retry_timeout = 3},
      {.name = "5/1/2", .ttl = 5, .loop_wait = 1, .retry_timeout = 2, .warden_only = true},
  };
  return profiles;
}

// The warden-only row is about failing over fast; the rest does not depend on the profile
// enough to be worth the runtime.
bool RunsUnder(const Profile& profile, Scenario s) {
  if (!profile.warden_only) return true;
  return s == Scenario::kFailover || s == Scenario::kLoadAsync || s == Scenario::kLoadSync;
}

struct Flags {
  int trials = 5;
  std::set<Scenario> scenarios = {};
  std::vector<AgentKind> agents = {AgentKind::kPatroni, AgentKind::kWarden};
  std::vector<Profile> profiles = {};
  absl::Duration idle = absl::Seconds(60);
  int wrk_seconds = 10;
};

const char* Usage() {
  return "usage: compare_patroni [--trials=N] [--only=S,S,...] [--agents=patroni,warden]\n"
         "                       [--profiles=30/10/10,10/2/3,5/1/2] [--idle-seconds=N]\n"
         "                       [--wrk-seconds=N] [--quick]\n"
         "  scenarios: bootstrap failover graceful switchover load-async load-sync idle rest\n"
         "             (load = load-async,load-sync); default all\n"
         "  --quick: 1 trial, profiles 10/2/3 and 5/1/2, 10 s idle, 3 s wrk (a smoke test)\n";
}

// Parses "a,b,c" with `one`, which returns false for an unknown item.
bool ParseList(absl::string_view list, const std::function<bool(absl::string_view)>& one) {
  for (absl::string_view item : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    if (!one(item)) return false;
  }
  return true;
}

bool AddScenario(absl::string_view name, std::set<Scenario>* out) {
  if (name == "load") {
    out->insert({Scenario::kLoadAsync, Scenario::kLoadSync});
    return true;
  }
  for (const auto& [s, n] : kScenarioNames) {
    if (name == n) {
      out->insert(s);
      return true;
    }
  }
  return false;
}

bool AddProfile(absl::string_view name, std::vector<Profile>* out) {
  for (const Profile& p : AllProfiles()) {
    if (name == p.name) {
      out->push_back(p);
      return true;
    }
  }
  return false;
}

bool AddAgent(absl::string_view name, std::vector<AgentKind>* out) {
  if (name == "patroni") out->push_back(AgentKind::kPatroni);
  if (name == "warden") out->push_back(AgentKind::kWarden);
  return name == "patroni" || name == "warden";
}

// Matches one "--name=N" argument (N >= 1); false if it is another flag, *bad if N is not valid.
bool IntFlag(absl::string_view arg, absl::string_view name, int* value, bool* bad) {
  if (!absl::ConsumePrefix(&arg, name) || !absl::ConsumePrefix(&arg, "=")) return false;
  *bad = !absl::SimpleAtoi(arg, value) || *value < 1;
  return true;
}

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  bool quick = false;
  std::set<Scenario> only;
  std::vector<AgentKind> agents;
  std::vector<Profile> profiles;
  std::optional<int> trials, idle_seconds, wrk_seconds;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    bool bad = false;
    int n = 0;
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", Usage());
      std::exit(0);
    } else if (arg == "--quick") {
      quick = true;
    } else if (IntFlag(arg, "--trials", &n, &bad)) {
      trials = n;
    } else if (IntFlag(arg, "--idle-seconds", &n, &bad)) {
      idle_seconds = n;
    } else if (IntFlag(arg, "--wrk-seconds", &n, &bad)) {
      wrk_seconds = n;
    } else if (absl::ConsumePrefix(&arg, "--only=")) {
      bad = !ParseList(arg, [&](absl::string_view s) { return AddScenario(s, &only); });
    } else if (absl::ConsumePrefix(&arg, "--agents=")) {
      bad = !ParseList(arg, [&](absl::string_view s) { return AddAgent(s, &agents); });
    } else if (absl::ConsumePrefix(&arg, "--profiles=")) {
      bad = !ParseList(arg, [&](absl::string_view s) { return AddProfile(s, &profiles); });
    } else {
      bad = true;
    }
    if (bad) {
      std::fprintf(stderr, "compare_patroni: bad argument '%s'\n%s", argv[i], Usage());
      return std::nullopt;
    }
  }
  if (quick) {
    flags.trials = 1;
    flags.idle = absl::Seconds(10);
    flags.wrk_seconds = 3;
    AddProfile("10/2/3", &flags.profiles);
    AddProfile("5/1/2", &flags.profiles);
  } else {
    flags.profiles = AllProfiles();
  }
  if (trials) flags.trials = *trials;
  if (idle_seconds) flags.idle = absl::Seconds(*idle_seconds);
  if (wrk_seconds) flags.wrk_seconds = *wrk_seconds;
  if (!profiles.empty()) flags.profiles = profiles;
  if (!agents.empty()) flags.agents = agents;
  flags.scenarios = only;
  if (flags.scenarios.empty()) {
    for (const auto& [s, n] : kScenarioNames) flags.scenarios.insert(s);
  }
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Results

enum class Metric {
  kBootstrap,
  kKillToPrimary,
  kKillToWrite,
  kGracefulToWrite,
  kSwitchoverToWrite,
  kGapAsync,
  kLostAsync,
  kPhantomAsync,
  kGapSync,
  kLostSync,
  kPhantomSync,
  kRss,
  kPss,
  kPrivate,
  kCpu,
  kEtcd,
  kRestPrimaryRate,
  kRestPrimaryP99,
  kRestReplicaRate,
  kRestReplicaP99,
};

struct MetricInfo {
  Metric metric;
  const char* label;
  const char* unit;
  bool total = false;  // summed over the trials rather than their median
};

constexpr std::array<MetricInfo, 20> kMetrics = {{
    {Metric::kBootstrap, "bootstrap -> 1 primary + 2 streaming", "s"},
    {Metric::kKillToPrimary, "kill -9 primary -> GET /primary 200", "s"},
    {Metric::kKillToWrite, "kill -9 primary -> first write", "s"},
    {Metric::kGracefulToWrite, "graceful stop -> first write", "s"},
    {Metric::kSwitchoverToWrite, "switchover (REST) -> first write", "s"},
    {Metric::kGapAsync, "write gap under load, async", "s"},
    {Metric::kLostAsync, "  acked writes lost, async (total)", "", true},
    {Metric::kPhantomAsync, "  phantom writes, async (total)", "", true},
    {Metric::kGapSync, "write gap under load, sync strict", "s"},
    {Metric::kLostSync, "  acked writes lost, sync strict (total)", "", true},
    {Metric::kPhantomSync, "  phantom writes, sync strict (total)", "", true},
    {Metric::kRss, "idle VmRSS per agent", "MiB"},
    {Metric::kPss, "  of it proportional (PSS)", "MiB"},
    {Metric::kPrivate, "  of it private (RssAnon)", "MiB"},
    {Metric::kCpu, "idle CPU per agent", "s/min"},
    {Metric::kEtcd, "etcd requests per idle member", "/min"},
    {Metric::kRestPrimaryRate, "REST GET /primary (wrk -c4)", "req/s"},
    {Metric::kRestPrimaryP99, "REST GET /primary p99", "ms"},
    {Metric::kRestReplicaRate, "REST GET /replica (wrk -c4)", "req/s"},
    {Metric::kRestReplicaP99, "REST GET /replica p99", "ms"},
}};

const MetricInfo& Info(Metric m) {
  for (const MetricInfo& info : kMetrics) {
    if (info.metric == m) return info;
  }
  return kMetrics[0];
}

const char* AgentName(AgentKind agent) {
  return agent == AgentKind::kPatroni ? "patroni" : "warden";
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

class Results {
 public:
  // Records one figure and prints it as a raw line at once (a long run shows progress).
  void Add(Metric m, AgentKind agent, const std::string& profile, double value,
           const std::string& note = "") {
    const MetricInfo& info = Info(m);
    samples_[{m, profile, agent}].push_back(value);
    std::printf("raw: %-7s %-8s %s: %.3f %s%s%s\n", AgentName(agent), profile.c_str(),
                std::string(absl::StripLeadingAsciiWhitespace(info.label)).c_str(), value,
                info.unit, note.empty() ? "" : "  ", note.c_str());
    std::fflush(stdout);
  }

  // Records a trial that produced no figure (the agents did not get there in time).
  void Fail(Metric m, AgentKind agent, const std::string& profile, const std::string& why) {
    ++failures_[{m, profile, agent}];
    std::printf("raw: %-7s %-8s %s: FAILED: %s\n", AgentName(agent), profile.c_str(),
                std::string(absl::StripLeadingAsciiWhitespace(Info(m).label)).c_str(), why.c_str());
    std::fflush(stdout);
  }

  void PrintTable(const std::vector<Profile>& profiles) const {
    std::printf("\n%-42s %-8s %12s %12s %8s  %s\n", "metric (median of trials)", "profile",
                "Patroni", "warden", "w/P", "unit");
    for (const MetricInfo& info : kMetrics) {
      for (const Profile& p : profiles) PrintRow(info, p.name);
    }
    std::printf(
        "(n) = figures the median is of: trials, or for idle RSS and CPU the three agents of one "
        "window;\n\"+k fail\" = trials where the agents did not get there in time; w/P = "
        "warden / Patroni\n");
    std::fflush(stdout);
  }

 private:
  using Key = std::tuple<Metric, std::string, AgentKind>;

  std::optional<double> Value(const MetricInfo& info, const Key& key) const {
    const auto it = samples_.find(key);
    if (it == samples_.end() || it->second.empty()) return std::nullopt;
    if (!info.total) return Median(it->second);
    double sum = 0;
    for (double v : it->second) sum += v;
    return sum;
  }

  std::string Cell(const MetricInfo& info, const Key& key) const {
    const std::optional<double> v = Value(info, key);
    const auto s = samples_.find(key);
    const auto f = failures_.find(key);
    const int n = s == samples_.end() ? 0 : static_cast<int>(s->second.size());
    const int failed = f == failures_.end() ? 0 : f->second;
    if (!v && failed == 0) return "";
    // Counts (totals) are whole; rates in the hundreds need no decimals, idle CPU needs three.
    const int decimals = info.total || (v && *v >= 100) ? 0 : (v && *v < 1 ? 3 : 2);
    std::string cell = v ? absl::StrFormat("%.*f", decimals, *v) : "-";
    if (!info.total) absl::StrAppend(&cell, " (", n, ")");
    if (failed > 0) absl::StrAppend(&cell, " +", failed, " fail");
    return cell;
  }

  void PrintRow(const MetricInfo& info, const std::string& profile) const {
    const Key patroni{info.metric, profile, AgentKind::kPatroni};
    const Key warden{info.metric, profile, AgentKind::kWarden};
    const std::string p = Cell(info, patroni);
    const std::string w = Cell(info, warden);
    if (p.empty() && w.empty()) return;
    const std::optional<double> pv = Value(info, patroni);
    const std::optional<double> wv = Value(info, warden);
    std::string ratio = "-";
    if (pv && wv && *pv > 0 && !info.total) ratio = absl::StrFormat("%.2f", *wv / *pv);
    std::printf("%-42s %-8s %12s %12s %8s  %s\n", info.label, profile.c_str(), p.c_str(), w.c_str(),
                ratio.c_str(), info.unit);
  }

  std::map<Key, std::vector<double>> samples_;
  std::map<Key, int> failures_;
};

// ---------------------------------------------------------------------------------------------
// Measuring tools: /proc, etcd's /metrics, wrk, a write probe

// utime + stime of a process, and of its reaped children, in seconds.
struct CpuTimes {
  double self = 0;
  double children = 0;
};

absl::StatusOr<CpuTimes> ReadCpu(int pid) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/stat"));
  std::stringstream text;
  text << file.rdbuf();
  const std::string stat = text.str();
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return absl::NotFoundError(absl::StrCat("no process ", pid));
  const std::vector<std::string> fields =
      absl::StrSplit(stat.substr(close + 2), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14..17.
  std::array<double, 4> ticks = {};
  for (size_t i = 0; i < ticks.size(); ++i) {
    if (fields.size() < 15 || !absl::SimpleAtod(fields[11 + i], &ticks[i])) {
      return absl::InternalError(absl::StrCat("unparsable /proc/", pid, "/stat"));
    }
  }
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return CpuTimes{.self = (ticks[0] + ticks[1]) / hz, .children = (ticks[2] + ticks[3]) / hz};
}

// The time the process's live threads have run, from the scheduler's nanosecond clock
// (/proc/<pid>/task/*/schedstat): utime and stime come in 10 ms ticks, too coarse to tell
// 0.005 from 0.01 s per minute over a one-minute window. Threads that exit are not counted.
double ReadSchedSeconds(int pid) {
  double total = 0;
  std::error_code error;
  for (const auto& task :
       std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), error)) {
    std::ifstream file(task.path() / "schedstat");
    double ns = 0;
    if (file >> ns) total += ns / 1e9;
  }
  return total;
}

// A "Field:   N kB" line of a /proc file, in MiB.
absl::StatusOr<double> ReadProcMib(const std::string& path, absl::string_view field) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, field) || !absl::ConsumePrefix(&rest, ":")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, " kB");
    double kib = 0;
    if (absl::SimpleAtod(rest, &kib)) return kib / 1024;
  }
  return absl::NotFoundError(absl::StrCat("no ", field, " in ", path));
}

// Resident memory three ways: VmRSS counts every shared library page the process touched (the
// same pages serve every process that maps the library), PSS divides shared pages among the
// processes mapping them, RssAnon is the process's own heap and stacks.
struct Memory {
  double rss = 0, pss = 0, anon = 0;  // MiB
};

absl::StatusOr<Memory> ReadMemory(int pid) {
  const std::string proc = absl::StrCat("/proc/", pid);
  absl::StatusOr<double> rss = ReadProcMib(proc + "/status", "VmRSS");
  absl::StatusOr<double> pss = ReadProcMib(proc + "/smaps_rollup", "Pss");
  absl::StatusOr<double> anon = ReadProcMib(proc + "/status", "RssAnon");
  for (const auto* read : {&rss, &pss, &anon}) {
    if (!read->ok()) return read->status();
  }
  return Memory{*rss, *pss, *anon};
}

// The body of GET `target` on 127.0.0.1:`port`.
absl::StatusOr<std::string> HttpGet(int port, const std::string& target) {
  test::HttpReply reply = test::HttpExchange(port, "GET", target);
  if (reply.status != 200) {
    return absl::UnavailableError(absl::StrCat("GET ", target, ": HTTP ", reply.status));
  }
  return std::move(reply.body);
}

// etcd's gRPC request messages received, by method. A unary call is one message; on a stream
// (LeaseKeepAlive, Watch) every keep-alive or watch request is one, so that this counts the
// requests a client makes whichever way it sends them (Patroni through the JSON gateway, which
// etcd 3.4 forwards to its own gRPC server, warden over gRPC).
absl::StatusOr<std::map<std::string, double>> EtcdRequests(E2eCluster& cluster) {
  const std::string endpoint = cluster.etcd().ClientEndpoint(0);
  int port = 0;
  if (!absl::SimpleAtoi(endpoint.substr(endpoint.rfind(':') + 1), &port)) {
    return absl::InternalError(absl::StrCat("bad etcd endpoint ", endpoint));
  }
  absl::StatusOr<std::string> metrics = HttpGet(port, "/metrics");
  if (!metrics.ok()) return metrics.status();
  std::map<std::string, double> by_method;
  constexpr absl::string_view kName = "grpc_server_msg_received_total{";
  for (absl::string_view line : absl::StrSplit(*metrics, '\n')) {
    if (!absl::ConsumePrefix(&line, kName)) continue;
    const size_t method_at = line.find("grpc_method=\"");
    const size_t close = line.rfind('}');
    double value = 0;
    if (method_at == std::string::npos || close == std::string::npos ||
        !absl::SimpleAtod(absl::StripAsciiWhitespace(line.substr(close + 1)), &value)) {
      continue;
    }
    const size_t start = method_at + 13;
    by_method[std::string(line.substr(start, line.find('"', start) - start))] += value;
  }
  return by_method;
}

// A duration as wrk prints it ("812.00us", "6.98ms", "1.02s", "2.00m"), in milliseconds.
std::optional<double> WrkMillis(absl::string_view text) {
  constexpr std::array<std::pair<const char*, double>, 4> kUnits = {
      {{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"m", 60000}}};
  for (const auto& [unit, scale] : kUnits) {
    absl::string_view number = text;
    double value = 0;
    if (absl::ConsumeSuffix(&number, unit) && absl::SimpleAtod(number, &value)) {
      return value * scale;
    }
  }
  return std::nullopt;
}

struct WrkResult {
  double rate = 0;     // Requests/sec
  double p99_ms = 0;   // the 99% line of --latency
  std::string errors;  // "Non-2xx or 3xx responses" and socket errors, if any
};

absl::StatusOr<WrkResult> RunWrk(int port, const std::string& path, int seconds) {
  pg_internal::Command command;
  command.argv = {"/usr/bin/wrk", "-t2",
                  "-c4",          absl::StrCat("-d", seconds, "s"),
                  "--latency",    absl::StrCat("http://127.0.0.1:", port, path)};
  absl::StatusOr<pg_internal::CommandResult> run =
      pg_internal::RunCommand(command, absl::Now() + absl::Seconds(seconds + 30));
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    return absl::InternalError(absl::StrCat("wrk exited ", run->exit_code, ": ", run->output));
  }
  WrkResult result;
  bool rate = false, p99 = false;
  for (absl::string_view line : absl::StrSplit(run->output, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, "Requests/sec:")) {
      rate = absl::SimpleAtod(absl::StripAsciiWhitespace(line), &result.rate);
    } else if (absl::ConsumePrefix(&line, "99%")) {
      const std::optional<double> ms = WrkMillis(absl::StripAsciiWhitespace(line));
      p99 = ms.has_value();
      if (ms) result.p99_ms = *ms;
    } else if (absl::StartsWith(line, "Non-2xx") || absl::StartsWith(line, "Socket errors")) {
      absl::StrAppend(&result.errors, result.errors.empty() ? "" : "; ", line);
    }
  }
  if (!rate || !p99)
    return absl::InternalError(absl::StrCat("unparsable wrk output: ", run->output));
  return result;
}

// One superuser connection per node, kept open, to try a write on every candidate every poll
// without forking a backend per attempt (which on two cores would slow the agents measured). A
// session opened on a standby can write once that standby is promoted. TryWrite may run for
// different nodes in different threads at once (each node's connection is its own).
class WriteProbe {
 public:
  explicit WriteProbe(const E2eCluster& cluster)
      : cluster_(cluster), conns_(cluster.size(), nullptr) {}
  ~WriteProbe() {
    for (PGconn* c : conns_) PQfinish(c);
  }
  WriteProbe(const WriteProbe&) = delete;
  WriteProbe& operator=(const WriteProbe&) = delete;

  // Whether an INSERT on `node` committed.
  bool TryWrite(int node) {
    PGconn*& conn = conns_[node];
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      // A bound on each statement: a promotion in progress must not stall the poll.
      conn = PQconnectdb(
          absl::StrCat(cluster_.Conninfo(node), " options='-c statement_timeout=3000'").c_str());
      if (PQstatus(conn) != CONNECTION_OK) return false;
    }
    PGresult* result = PQexec(conn, "INSERT INTO bench_probe DEFAULT VALUES");
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    return ok;
  }

 private:
  const E2eCluster& cluster_;
  std::vector<PGconn*> conns_;
};

// ---------------------------------------------------------------------------------------------
// Waits

constexpr absl::Duration kPoll = absl::Milliseconds(50);
constexpr absl::Duration kHealTimeout = absl::Seconds(180);
constexpr absl::Duration kBootstrapTimeout = absl::Seconds(180);

// Long enough for Patroni's worst case at a profile: the leader key expires a ttl after its last
// refresh, then the replicas need a loop or two.
absl::Duration TakeoverTimeout(const Profile& p) {
  return absl::Seconds(2 * p.ttl + 2 * p.loop_wait + 30);
}

struct Takeover {
  int node = -1;
  absl::Time primary_at = absl::InfiniteFuture();  // its GET /primary first answered 200
  absl::Time write_at = absl::InfiniteFuture();    // its first INSERT committed
};

// Polls every node but `old` until one has answered GET /primary 200 and committed a write
// (each timed on its own: a write may succeed before the REST API says so, or after). One
// thread per node, so that a node slow to answer (an agent busy failing over, a PostgreSQL
// restarting) does not delay the clock of another.
Takeover AwaitTakeover(const E2eCluster& cluster, WriteProbe& probe, int old,
                       absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  absl::Mutex mu;
  Takeover first;  // guarded by mu
  auto poll = [&](int node) {
    Takeover t;
    while (true) {
      {
        absl::MutexLock lock(&mu);
        if (first.node >= 0 || absl::Now() > give_up) return;
      }
      if (t.primary_at == absl::InfiniteFuture() && cluster.Http(node, "GET", "/primary") == 200) {
        t.primary_at = absl::Now();
      }
      if (t.write_at == absl::InfiniteFuture() && probe.TryWrite(node)) t.write_at = absl::Now();
      if (t.primary_at != absl::InfiniteFuture() && t.write_at != absl::InfiniteFuture()) {
        absl::MutexLock lock(&mu);
        if (first.node < 0) {
          first = t;
          first.node = node;
        }
        return;
      }
      absl::SleepFor(kPoll);
    }
  };
  std::vector<std::thread> pollers;
  for (int i = 0; i < cluster.size(); ++i) {
    if (i != old) pollers.emplace_back(poll, i);
  }
  for (std::thread& p : pollers) p.join();
  return first;
}

bool AwaitHealthy(const E2eCluster& cluster, absl::Duration timeout) {
  return E2eCluster::WaitFor([&] { return cluster.Healthy(); }, timeout);
}

double Seconds(absl::Time from, absl::Time to) { return absl::ToDoubleSeconds(to - from); }

// ---------------------------------------------------------------------------------------------
// Ctrl-C

// A full run takes most of an hour, so it gets interrupted. The agents, etcd and HAProxy die
// with this process (PR_SET_PDEATHSIG), but a postmaster outlives its agent by design and the
// clusters' directories would stay in /tmp. Main blocks SIGINT and SIGTERM before any thread
// starts (children get a clean mask from the harness); a thread waits for them and then kills
// this process's children first (so that no agent restarts its PostgreSQL meanwhile), then the
// postmasters of the clusters alive, removes their directories and exits.
class Interrupts {
 public:
  static Interrupts& Get() {
    static Interrupts* const interrupts = new Interrupts();
    return *interrupts;
  }

  void Watch(E2eCluster& c) {
    Dirs dirs;
    for (int i = 0; i < c.size(); ++i) dirs.data.push_back(c.data_dir(i));
    // <cluster dir>/<node>/data
    if (c.size() > 0) {
      dirs.remove.push_back(std::filesystem::path(c.data_dir(0)).parent_path().parent_path());
    }
    dirs.remove.push_back(c.etcd().dir());
    absl::MutexLock lock(&mu_);
    clusters_[&c] = std::move(dirs);
  }
  void Forget(const E2eCluster* c) {
    absl::MutexLock lock(&mu_);
    clusters_.erase(c);
  }

  // Call from main before any other thread exists.
  void Start() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    std::thread([this] { WaitAndCleanUp(); }).detach();
  }

 private:
  void WaitAndCleanUp() {
    int sig = 0;
    if (sigwait(&signals_, &sig) != 0) return;
    std::fprintf(stderr, "compare_patroni: signal %d, stopping the clusters\n", sig);
    absl::MutexLock lock(&mu_);
    KillChildren();
    for (const auto& [cluster, dirs] : clusters_) {
      for (const std::string& data_dir : dirs.data) {
        std::ifstream pid_file(data_dir + "/postmaster.pid");
        int pid = 0;
        if (pid_file >> pid && pid > 1) ::kill(pid, SIGKILL);
      }
    }
    for (const auto& [cluster, dirs] : clusters_) {
      for (const std::string& dir : dirs.remove) {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
      }
    }
    std::_Exit(128 + sig);
  }

  // SIGKILLs every process whose parent is this one.
  static void KillChildren() {
    const std::string self = std::to_string(::getpid());
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
      std::ifstream stat(entry.path() / "stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      const size_t close = line.rfind(')');
      if (close == std::string::npos || close + 2 > line.size()) continue;
      const std::vector<std::string> fields =
          absl::StrSplit(line.substr(close + 2), ' ', absl::SkipEmpty());
      int pid = 0;
      if (fields.size() > 1 && fields[1] == self &&
          absl::SimpleAtoi(entry.path().filename().string(), &pid)) {
        ::kill(pid, SIGKILL);
      }
    }
  }

  struct Dirs {
    std::vector<std::string> data;    // each node's data directory (postmaster.pid)
    std::vector<std::string> remove;  // the cluster's and its etcd's temp directories
  };

  sigset_t signals_ = {};
  absl::Mutex mu_;
  std::map<const E2eCluster*, Dirs> clusters_ ABSL_GUARDED_BY(mu_);
};

// A cluster that Interrupts cleans up after, from its start to its destruction.
struct ForgetOnDelete {
  void operator()(E2eCluster* c) const {
    Interrupts::Get().Forget(c);
    delete c;
  }
};
using ClusterPtr = std::unique_ptr<E2eCluster, ForgetOnDelete>;

absl::StatusOr<ClusterPtr> StartCluster(const E2eClusterOptions& options) {
  absl::StatusOr<std::unique_ptr<E2eCluster>> started = E2eCluster::Start(options);
  if (!started.ok()) return started.status();
  ClusterPtr cluster(started->release());
  Interrupts::Get().Watch(*cluster);
  return cluster;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

// What every scenario needs: where to record, under which agent and profile.
struct Run {
  const Flags& flags;
  AgentKind agent;
  const Profile& profile;
  Results& results;
  std::mt19937& random;

  void Add(Metric m, double v, const std::string& note = "") const {
    results.Add(m, agent, profile.name, v, note);
  }
  void Fail(Metric m, const std::string& why) const { results.Fail(m, agent, profile.name, why); }
  // A pause before a fault, uniform over one HA loop: the fault then falls at a random phase of
  // the loop and of the leader key's refresh, as in production, rather than at a fixed one.
  void PauseBeforeFault() const {
    std::uniform_int_distribution<int> ms(300, 300 + 1000 * profile.loop_wait);
    absl::SleepFor(absl::Milliseconds(ms(random)));
  }
  E2eClusterOptions Options() const {
    return {.agent = agent,
            .ttl_seconds = profile.ttl,
            .loop_wait_seconds = profile.loop_wait,
            .retry_timeout_seconds = profile.retry_timeout};
  }
};

void PrintLogs(const E2eCluster& cluster) { std::fprintf(stderr, "%s\n", cluster.Logs().c_str()); }

// Starts a cluster whose agents start together on empty data dirs and times them to one primary
// and two streaming replicas. A null cluster with OK status: they did not get there (recorded
// as a failed bootstrap trial when `record`).
absl::StatusOr<ClusterPtr> Bootstrap(const Run& run, E2eClusterOptions options, bool record) {
  options.race_bootstrap = true;
  options.start_agents = false;
  absl::StatusOr<ClusterPtr> cluster = StartCluster(options);
  if (!cluster.ok()) return cluster.status();
  E2eCluster& c = **cluster;
  const absl::Time start = absl::Now();
  for (int i = 0; i < c.size(); ++i) {
    if (absl::Status s = c.StartAgent(i); !s.ok()) return s;
  }
  if (!E2eCluster::WaitFor([&] { return c.Healthy(); }, kBootstrapTimeout)) {
    if (record) run.Fail(Metric::kBootstrap, "not healthy within 180 s");
    std::fprintf(stderr, "bootstrap failed (%s %s):\n", AgentName(run.agent),
                 run.profile.name.c_str());
    PrintLogs(c);
    return nullptr;
  }
  if (record) run.Add(Metric::kBootstrap, Seconds(start, absl::Now()));
  return cluster;
}

// Idle footprint: a settle time after the last change, then one window in which nothing but
// the agents' own loops runs (no HAProxy, no polling from here).
absl::Status MeasureIdle(const Run& run, E2eCluster& c) {
  absl::SleepFor(std::max(absl::Seconds(5), absl::Seconds(2 * run.profile.loop_wait)));
  std::vector<CpuTimes> before(c.size());
  std::vector<double> sched_before(c.size());
  for (int i = 0; i < c.size(); ++i) {
    absl::StatusOr<CpuTimes> cpu = ReadCpu(c.AgentPid(i));
    if (!cpu.ok()) return cpu.status();
    before[i] = *cpu;
    sched_before[i] = ReadSchedSeconds(c.AgentPid(i));
  }
  absl::StatusOr<std::map<std::string, double>> etcd_before = EtcdRequests(c);
  if (!etcd_before.ok()) return etcd_before.status();
  const absl::Time start = absl::Now();
  absl::SleepFor(run.flags.idle);
  absl::StatusOr<std::map<std::string, double>> etcd_after = EtcdRequests(c);
  if (!etcd_after.ok()) return etcd_after.status();
  const double minutes = absl::ToDoubleMinutes(absl::Now() - start);
  const int primary = c.Primary();
  for (int i = 0; i < c.size(); ++i) {
    absl::StatusOr<CpuTimes> cpu = ReadCpu(c.AgentPid(i));
    if (!cpu.ok()) return cpu.status();
    const std::string who = absl::StrCat(c.name(i), i == primary ? " (primary)" : " (replica)");
    absl::StatusOr<Memory> memory = ReadMemory(c.AgentPid(i));
    if (!memory.ok()) return memory.status();
    run.Add(Metric::kRss, memory->rss, who);
    run.Add(Metric::kPss, memory->pss, who);
    run.Add(Metric::kPrivate, memory->anon, who);
    const double sched = (ReadSchedSeconds(c.AgentPid(i)) - sched_before[i]) / minutes;
    run.Add(Metric::kCpu, (cpu->self - before[i].self) / minutes,
            absl::StrFormat("%s; by schedstat %.4f s/min; reaped children %.3f s/min", who, sched,
                            (cpu->children - before[i].children) / minutes));
  }
  double total = 0;
  std::vector<std::string> methods;
  for (const auto& [method, after] : *etcd_after) {
    const auto it = etcd_before->find(method);
    const double delta = after - (it == etcd_before->end() ? 0 : it->second);
    total += delta;
    if (delta > 0) methods.push_back(absl::StrFormat("%s %.0f", method, delta));
  }
  run.Add(Metric::kEtcd, total / c.size() / minutes,
          absl::StrCat("window ", absl::StrFormat("%.1f", minutes * 60),
                       " s: ", absl::StrJoin(methods, ", ")));
  return absl::OkStatus();
}

absl::Status MeasureRest(const Run& run, E2eCluster& c) {
  const int primary = c.Primary();
  if (primary < 0) {  // not healthy: nothing honest to measure
    std::fprintf(stderr, "no primary for wrk; REST not measured\n");
    return absl::OkStatus();
  }
  const int replica = (primary + 1) % c.size();
  const std::array<std::tuple<int, const char*, Metric, Metric>, 2> targets = {{
      {primary, "/primary", Metric::kRestPrimaryRate, Metric::kRestPrimaryP99},
      {replica, "/replica", Metric::kRestReplicaRate, Metric::kRestReplicaP99},
  }};
  for (const auto& [node, path, rate, p99] : targets) {
    absl::StatusOr<WrkResult> wrk = RunWrk(c.rest_port(node), path, run.flags.wrk_seconds);
    if (!wrk.ok()) return wrk.status();
    run.Add(rate, wrk->rate, wrk->errors);
    run.Add(p99, wrk->p99_ms);
  }
  return absl::OkStatus();
}

// Restarts `node`'s agent and waits for the cluster to be healthy; false (recorded against `m`)
// if it does not heal, which ends the scenario on this cluster.
absl::StatusOr<bool> Heal(const Run& run, E2eCluster& c, int node, Metric m) {
  if (node >= 0) {
    if (absl::Status s = c.StartAgent(node); !s.ok()) return s;
  }
  if (AwaitHealthy(c, kHealTimeout)) return true;
  run.Fail(m, "cluster not healthy again within 180 s; no more trials on it");
  PrintLogs(c);
  return false;
}

// Records a takeover against `to_primary` (if given) and `to_write`; false if there was none.
bool RecordTakeover(const Run& run, const E2eCluster& c, const Takeover& t, absl::Time fault,
                    std::optional<Metric> to_primary, Metric to_write) {
  if (t.node < 0) {
    if (to_primary) run.Fail(*to_primary, "no new primary in time");
    run.Fail(to_write, "no new primary in time");
    PrintLogs(c);
    return false;
  }
  const std::string who = absl::StrCat("new primary ", c.name(t.node));
  if (to_primary) run.Add(*to_primary, Seconds(fault, t.primary_at), who);
  run.Add(to_write, Seconds(fault, t.write_at), who);
  return true;
}

absl::Status KillTrials(const Run& run, E2eCluster& c) {
  WriteProbe probe(c);
  for (int trial = 0; trial < run.flags.trials; ++trial) {
    const int old = c.Primary();
    if (old < 0) break;  // Heal saw it healthy; a primary lost since is a later trial's story
    run.PauseBeforeFault();
    const absl::Time killed = absl::Now();
    c.KillAgent(old, /*with_postgres=*/true);
    const Takeover t = AwaitTakeover(c, probe, old, TakeoverTimeout(run.profile));
    RecordTakeover(run, c, t, killed, Metric::kKillToPrimary, Metric::kKillToWrite);
    absl::StatusOr<bool> healed = Heal(run, c, old, Metric::kKillToWrite);
    if (!healed.ok()) return healed.status();
    if (!*healed) break;
  }
  return absl::OkStatus();
}

absl::Status GracefulTrials(const Run& run, E2eCluster& c) {
  WriteProbe probe(c);
  for (int trial = 0; trial < run.flags.trials; ++trial) {
    const int old = c.Primary();
    if (old < 0) break;  // Heal saw it healthy; a primary lost since is a later trial's story
    run.PauseBeforeFault();
    const absl::Time stopped = absl::Now();
    // StopAgent sends SIGTERM and blocks until the agent has exited; the new primary may take
    // writes before that, so it runs beside the poll.
    absl::Status stop_status;
    std::thread stopper([&] { stop_status = c.StopAgent(old, absl::Seconds(120)); });
    const Takeover t = AwaitTakeover(c, probe, old, TakeoverTimeout(run.profile));
    stopper.join();
    RecordTakeover(run, c, t, stopped, std::nullopt, Metric::kGracefulToWrite);
    if (!stop_status.ok()) {
      run.Fail(Metric::kGracefulToWrite, std::string(stop_status.message()));
      c.KillAgent(old, /*with_postgres=*/true);
    }
    absl::StatusOr<bool> healed = Heal(run, c, old, Metric::kGracefulToWrite);
    if (!healed.ok()) return healed.status();
    if (!*healed) break;
  }
  return absl::OkStatus();
}

absl::Status SwitchoverTrials(const Run& run, E2eCluster& c) {
  WriteProbe probe(c);
  for (int trial = 0; trial < run.flags.trials; ++trial) {
    const int old = c.Primary();
    if (old < 0) break;
    const int candidate = (old + 1) % c.size();
    const std::string body = absl::StrCat(R"({"leader": ")", c.name(old), R"(", "candidate": ")",
                                          c.name(candidate), R"("})");
    run.PauseBeforeFault();
    const absl::Time asked = absl::Now();
    // Both answer once the switchover is done (or failed); the write may come first.
    int answer = 0;
    std::thread request([&] { answer = c.Http(old, "POST", "/switchover", body); });
    const Takeover t = AwaitTakeover(c, probe, old, TakeoverTimeout(run.profile));
    request.join();
    if (answer != 200) {
      run.Fail(Metric::kSwitchoverToWrite, absl::StrCat("POST /switchover: HTTP ", answer));
    } else {
      RecordTakeover(run, c, t, asked, std::nullopt, Metric::kSwitchoverToWrite);
    }
    absl::StatusOr<bool> healed = Heal(run, c, /*node=*/-1, Metric::kSwitchoverToWrite);
    if (!healed.ok()) return healed.status();
    if (!*healed) break;
  }
  return absl::OkStatus();
}

// In synchronous_mode_strict, waits until the sync key is the primary's and names a standby:
// killing a primary before it has one rightly leaves nobody allowed to take over.
bool AwaitSyncStandby(E2eCluster& c, int primary) {
  return E2eCluster::WaitFor(
      [&] {
        absl::StatusOr<std::string> value =
            c.etcd().Etcdctl({"get", "/service/e2e/sync", "--print-value-only"});
        if (!value.ok()) return false;
        const nlohmann::json key = nlohmann::json::parse(*value, nullptr, false);
        // Either may be null (no sync standby yet), which json::value would throw on.
        auto text = [&](const char* field) {
          return key.is_object() && key.contains(field) && key[field].is_string()
                     ? key[field].get<std::string>()
                     : std::string();
        };
        return text("leader") == c.name(primary) && !text("sync_standby").empty();
      },
      absl::Seconds(60));
}

// One kill -9 of the primary under the checker's load; false when the cluster did not get
// through it (recorded), which ends the trials.
absl::StatusOr<bool> LoadTrial(const Run& run, E2eCluster& c, WriteChecker& checker, bool sync) {
  const Metric gap = sync ? Metric::kGapSync : Metric::kGapAsync;
  const int old = c.Primary();
  if (old < 0) {
    run.Fail(gap, "no primary before the kill");
    return false;
  }
  if (sync && !AwaitSyncStandby(c, old)) {
    run.Fail(gap, "no synchronous standby named within 60 s");
    return false;
  }
  const int64_t before = checker.acknowledged();
  if (!E2eCluster::WaitFor([&] { return checker.acknowledged() > before + 20; },
                           absl::Seconds(30))) {
    run.Fail(gap, "no writes acknowledged through HAProxy before the kill");
    return false;
  }
  run.PauseBeforeFault();
  const absl::Time killed = absl::Now();
  c.KillAgent(old, /*with_postgres=*/true);
  // A write in flight at the kill may still be acknowledged by the dying backend, within
  // milliseconds; later acks come from the new primary.
  const absl::Time cut = killed + absl::Milliseconds(200);
  absl::Time resumed = absl::InfiniteFuture();
  const bool back = E2eCluster::WaitFor(
      [&] {
        resumed = checker.FirstAckAfter(cut);
        return resumed != absl::InfiniteFuture();
      },
      TakeoverTimeout(run.profile));
  if (!back) {
    run.Fail(gap, "writes did not resume in time");
    PrintLogs(c);
  } else {
    const absl::Time last = checker.LastAckBefore(cut);
    run.Add(gap, Seconds(last, resumed),
            absl::StrFormat("kill -> first ack %.3f s", Seconds(killed, resumed)));
  }
  absl::StatusOr<bool> healed = Heal(run, c, old, gap);
  if (!healed.ok()) return healed.status();
  return back && *healed;
}

absl::Status LoadTrials(const Run& run, bool sync) {
  E2eClusterOptions options = run.Options();
  options.haproxy = true;
  if (sync)
    options.extra_dcs_yaml = "    synchronous_mode: true\n    synchronous_mode_strict: true\n";
  absl::StatusOr<ClusterPtr> cluster = Bootstrap(run, options, false);
  if (!cluster.ok()) return cluster.status();
  const Metric gap = sync ? Metric::kGapSync : Metric::kGapAsync;
  if (*cluster == nullptr) {
    run.Fail(gap, "the cluster did not bootstrap");
    return absl::OkStatus();
  }
  E2eCluster& c = **cluster;
  absl::StatusOr<std::unique_ptr<WriteChecker>> checker = WriteChecker::Start(c.WriteConninfo());
  if (!checker.ok()) return checker.status();
  for (int trial = 0; trial < run.flags.trials; ++trial) {
    absl::StatusOr<bool> ok = LoadTrial(run, c, **checker, sync);
    if (!ok.ok()) return ok.status();
    if (!*ok) break;
  }
  (*checker)->Stop();
  int primary = -1;
  E2eCluster::WaitFor([&] { return (primary = c.Primary()) >= 0; }, absl::Seconds(30));
  if (primary < 0) {
    run.Fail(gap, "no primary to verify the writes on");
    return absl::OkStatus();
  }
  absl::StatusOr<WriteReport> report = (*checker)->Verify(c.Conninfo(primary));
  if (!report.ok()) return report.status();
  run.Add(sync ? Metric::kLostSync : Metric::kLostAsync, static_cast<double>(report->lost),
          report->ToString());
  run.Add(sync ? Metric::kPhantomSync : Metric::kPhantomAsync,
          static_cast<double>(report->phantom));
  return absl::OkStatus();
}

bool Wants(const Run& run, Scenario s) {
  return run.flags.scenarios.contains(s) && RunsUnder(run.profile, s);
}

// The main cluster of a profile: bootstrap trial 1, idle, REST, then the failover trials.
absl::Status MainClusterScenarios(const Run& run) {
  constexpr std::array<Scenario, 6> kOnMain = {Scenario::kBootstrap, Scenario::kIdle,
                                               Scenario::kRest,      Scenario::kFailover,
                                               Scenario::kGraceful,  Scenario::kSwitchover};
  if (std::none_of(kOnMain.begin(), kOnMain.end(), [&](Scenario s) { return Wants(run, s); })) {
    return absl::OkStatus();
  }
  absl::StatusOr<ClusterPtr> cluster =
      Bootstrap(run, run.Options(), Wants(run, Scenario::kBootstrap));
  if (!cluster.ok()) return cluster.status();
  if (*cluster == nullptr) return absl::OkStatus();
  E2eCluster& c = **cluster;
  if (absl::StatusOr<std::string> made = c.Sql(c.Primary(),
                                               "CREATE TABLE bench_probe "
                                               "(at timestamptz DEFAULT now())");
      !made.ok()) {
    return made.status();
  }
  using Step = absl::Status (*)(const Run&, E2eCluster&);
  const std::array<std::pair<Scenario, Step>, 5> steps = {{
      {Scenario::kIdle, &MeasureIdle},
      {Scenario::kRest, &MeasureRest},
      {Scenario::kFailover, &KillTrials},
      {Scenario::kGraceful, &GracefulTrials},
      {Scenario::kSwitchover, &SwitchoverTrials},
  }};
  for (const auto& [scenario, step] : steps) {
    if (!Wants(run, scenario)) continue;
    if (!AwaitHealthy(c, kHealTimeout)) {
      std::fprintf(stderr, "cluster not healthy; skipping the rest of its scenarios\n");
      break;
    }
    if (absl::Status s = step(run, c); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ProfileScenarios(const Run& run) {
  if (absl::Status s = MainClusterScenarios(run); !s.ok()) return s;
  if (Wants(run, Scenario::kBootstrap)) {
    for (int trial = 1; trial < run.flags.trials; ++trial) {
      absl::StatusOr<ClusterPtr> fresh = Bootstrap(run, run.Options(), true);
      if (!fresh.ok()) return fresh.status();
    }
  }
  if (Wants(run, Scenario::kLoadAsync)) {
    if (absl::Status s = LoadTrials(run, /*sync=*/false); !s.ok()) return s;
  }
  if (Wants(run, Scenario::kLoadSync)) {
    if (absl::Status s = LoadTrials(run, /*sync=*/true); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// An exception (a bug here or in the harness) unwinds to here, so that the clusters' destructors
// stop their postmasters, and counts as a harness error.
absl::Status ProfileScenariosOrError(const Run& run) {
  try {
    return ProfileScenarios(run);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("exception: ", e.what()));
  }
}

// ---------------------------------------------------------------------------------------------
// main

std::string FirstLine(const std::vector<std::string>& argv) {
  pg_internal::Command command;
  command.argv = argv;
  absl::StatusOr<pg_internal::CommandResult> run =
      pg_internal::RunCommand(command, absl::Now() + absl::Seconds(30));
  if (!run.ok()) return std::string(run.status().message());
  return std::string(absl::StripAsciiWhitespace(run->output.substr(0, run->output.find('\n'))));
}

void PrintMachine() {
  utsname u = {};
  ::uname(&u);
  std::string cpu = "?";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name")) {
      cpu = std::string(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)));
      break;
    }
  }
  std::printf("machine: %s %s, %s, %ld cores; %s\n", u.sysname, u.release, cpu.c_str(),
              ::sysconf(_SC_NPROCESSORS_ONLN),
              absl::FormatTime("%Y-%m-%d %H:%M %Z", absl::Now(), absl::UTCTimeZone()).c_str());
  std::printf("versions: %s; %s; %s; warden-agent from this tree\n",
              FirstLine({"/usr/bin/patroni", "--version"}).c_str(),
              FirstLine({"/usr/bin/etcd", "--version"}).c_str(),
              FirstLine({"/usr/lib/postgresql/15/bin/postgres", "--version"}).c_str());
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  std::optional<Flags> flags = ParseFlags(argc, argv);
  if (!flags) return 2;
  Interrupts::Get().Start();
  PrintMachine();
  std::vector<std::string> names;
  for (Scenario s : flags->scenarios) names.push_back(kScenarioNames[static_cast<int>(s)].second);
  std::printf("trials: %d; scenarios: %s; idle window %s; wrk %d s\n", flags->trials,
              absl::StrJoin(names, ",").c_str(), absl::FormatDuration(flags->idle).c_str(),
              flags->wrk_seconds);
  Results results;
  std::mt19937 random(20260808);  // fixed: reruns pause alike
  int harness_errors = 0;
  for (AgentKind agent : flags->agents) {
    for (const Profile& profile : flags->profiles) {
      if (profile.warden_only && agent != AgentKind::kWarden) continue;
      std::printf("== %s, ttl/loop_wait/retry_timeout %s\n", AgentName(agent),
                  profile.name.c_str());
      std::fflush(stdout);
      const Run run{*flags, agent, profile, results, random};
      if (absl::Status s = ProfileScenariosOrError(run); !s.ok()) {
        ++harness_errors;
        std::fprintf(stderr, "compare_patroni: harness error (%s %s): %s\n", AgentName(agent),
                     profile.name.c_str(), s.ToString().c_str());
      }
    }
  }
  results.PrintTable(flags->profiles);
  return harness_errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace warden::bench

int main(int argc, char** argv) { return warden::bench::Main(argc, argv); }
