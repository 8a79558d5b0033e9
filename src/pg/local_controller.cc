// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// LocalController: the Controller for a PostgreSQL node on this machine. See
// warden/pg/local_controller.h for the design; the steps of each operation are below.

#include "warden/pg/local_controller.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "src/pg/config_files.h"
#include "src/pg/sql.h"
#include "src/pg/subprocess.h"

namespace warden {
namespace {

namespace fs = std::filesystem;
using pg_internal::ChildProcess;
using pg_internal::Command;
using pg_internal::CommandResult;
using pg_internal::OsUser;
using pg_internal::Row;
using pg_internal::SqlSession;

// How long the controller waits between two connection attempts while the server starts.
constexpr absl::Duration kStartPollInterval = absl::Milliseconds(50);
constexpr absl::Duration kReloadPollInterval = absl::Milliseconds(10);
// How long StateIfIdle waits for a running operation to end before it answers UNAVAILABLE.
constexpr absl::Duration kIdleWait = absl::Milliseconds(300);

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The last lines of a text, for error messages.
std::string Tail(const std::string& text, size_t lines = 12) {
  std::vector<std::string> all = absl::StrSplit(text, '\n', absl::SkipEmpty());
  const size_t from = all.size() > lines ? all.size() - lines : 0;
  std::string out;
  for (size_t i = from; i < all.size(); ++i) absl::StrAppend(&out, "\n  ", all[i]);
  return out;
}

bool PortInUse(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = host == "127.0.0.1" ? htonl(INADDR_LOOPBACK) : htonl(INADDR_ANY);
  const bool in_use = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0;
  close(fd);
  return in_use;
}

// A postmaster recorded in postmaster.pid that is alive and not a zombie, or 0.
pid_t LivePostmaster(const std::string& data_dir) {
  const std::string pid_file = ReadText(data_dir + "/postmaster.pid");
  int64_t pid = 0;
  if (!absl::SimpleAtoi(pid_file.substr(0, pid_file.find('\n')), &pid) || pid <= 0) return 0;
  const std::string stat = ReadText(absl::StrCat("/proc/", pid, "/stat"));
  const size_t close_paren = stat.rfind(')');
  if (stat.empty() || close_paren == std::string::npos || close_paren + 2 >= stat.size()) return 0;
  // A stale postmaster.pid may name a pid since reused by another program.
  if (stat.find("(postgres)") == std::string::npos) return 0;
  const char state = stat[close_paren + 2];
  return state == 'Z' || state == 'X' ? 0 : static_cast<pid_t>(pid);
}

bool HasData(const std::string& data_dir) { return fs::exists(data_dir + "/PG_VERSION"); }

bool EmptyOrAbsent(const std::string& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || fs::is_empty(dir, ec);
}

// pg_basebackup -P prints "123456/7890123 kB (1%), 0/1 tablespace".
std::optional<CloneProgress> ParseProgress(const std::string& chunk) {
  static const std::regex kProgress(R"((\d+)/(\d+) kB)");
  std::smatch match;
  std::optional<CloneProgress> last;
  for (auto it = std::sregex_iterator(chunk.begin(), chunk.end(), kProgress);
       it != std::sregex_iterator(); ++it) {
    CloneProgress progress;
    progress.done_bytes = std::stoll((*it)[1]) * 1024;
    progress.total_bytes = std::stoll((*it)[2]) * 1024;
    last = progress;
  }
  return last;
}

class LocalController final : public Controller {
 public:
  LocalController(LocalControllerOptions options, std::optional<OsUser> os_user)
      : options_(std::move(options)), os_user_(std::move(os_user)) {}

  ~LocalController() override {
    // A controller going away takes its postmaster down cleanly rather than orphaning it.
    if (postmaster_ != nullptr && postmaster_->Running()) {
      (void)StopLocked(StopMode::kFast, absl::Seconds(10), absl::Now() + absl::Seconds(30));
    }
  }

  absl::Status Bootstrap(const BootstrapOptions& bootstrap, absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    if (!EmptyOrAbsent(options_.data_dir)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot bootstrap: data directory ", options_.data_dir,
          " is not empty. Remove it to create a new cluster, or start the existing one."));
    }
    if (absl::Status s = PrepareDirectories(); !s.ok()) return s;
    const std::string pwfile = SideFile("initdb-pw");
    if (absl::Status s = WriteOwned(pwfile, options_.superuser.password + "\n", 0600); !s.ok()) {
      return s;
    }
    std::vector<std::string> argv = {Tool("initdb"), "-D", options_.data_dir,
                                     "--username=" + options_.superuser.name, "--pwfile=" + pwfile};
    if (!bootstrap.encoding.empty()) argv.push_back("--encoding=" + bootstrap.encoding);
    if (!bootstrap.locale.empty()) argv.push_back("--locale=" + bootstrap.locale);
    if (!pg_internal::HasInitdbAuthArgument(bootstrap.initdb_args)) {
      argv.insert(argv.end(), {"--auth-local=scram-sha-256", "--auth-host=scram-sha-256"});
    }
    if (bootstrap.data_checksums) argv.push_back("--data-checksums");
    argv.insert(argv.end(), bootstrap.initdb_args.begin(), bootstrap.initdb_args.end());
    Command command = MakeCommand(std::move(argv));
    if (bootstrap.locale.empty()) InheritLocale(command.env);
    absl::StatusOr<CommandResult> initdb = pg_internal::RunCommand(command, deadline);
    std::error_code ignored;
    fs::remove(pwfile, ignored);
    if (absl::Status s = Check(initdb, "initdb"); !s.ok()) return s;
    // A local pg_hba (the whole file) is written by StartLocked, before every start; only the
    // bootstrap lines are appended to initdb's file here.
    const std::string hba_path = options_.data_dir + "/pg_hba.conf";
    if (options_.pg_hba.empty()) {
      if (absl::Status s =
              WriteOwned(hba_path, pg_internal::PgHba(options_, ReadText(hba_path)), 0600);
          !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = EnsureInclude(); !s.ok()) return s;
    if (absl::Status s = StartLocked(deadline); !s.ok()) return s;
    return WithAccessHint(CreateReplicationUser(deadline));
  }

  absl::Status Start(absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    return StartLocked(deadline);
  }

  absl::Status Stop(StopMode mode, absl::Duration escalate_after, absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    return StopLocked(mode, escalate_after, deadline);
  }

  absl::Status Restart(absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = StopLocked(StopMode::kFast, absl::Seconds(30), deadline); !s.ok()) {
      return s;
    }
    return StartLocked(deadline);
  }

  absl::Status Reload(absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    return ReloadLocked(deadline);
  }

  absl::Status SetParameters(const std::map<std::string, std::string>& parameters,
                             absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    if (parameters == options_.parameters) return absl::OkStatus();
    std::map<std::string, std::string> previous = std::exchange(options_.parameters, parameters);
    if (!HasData(options_.data_dir)) return absl::OkStatus();  // written when there is one
    absl::Status written = WriteConfig();
    if (written.ok()) written = ValidateConfigFiles(deadline);
    if (!written.ok()) {
      options_.parameters = std::move(previous);
      (void)WriteConfig();
      return written;
    }
    return ReloadLocked(deadline);
  }

  absl::Status Promote(absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<bool> recovering = InRecovery(deadline);
    if (!recovering.ok()) return recovering.status();
    if (!*recovering) return absl::OkStatus();  // already a primary
    absl::StatusOr<std::unique_ptr<SqlSession>> session = Connect(deadline);
    if (!session.ok()) return session.status();
    const int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(deadline - absl::Now()));
    absl::StatusOr<std::vector<Row>> promoted =
        (*session)->Query("SELECT pg_promote(true, $1)", {std::to_string(seconds)}, deadline);
    if (!promoted.ok()) return promoted.status();
    // pg_promote returns once recovery ended; make sure writes are accepted before saying so.
    while (true) {
      absl::StatusOr<bool> still = InRecovery(deadline);
      if (!still.ok()) return still.status();
      if (!*still) break;
      if (absl::Now() + kStartPollInterval >= deadline) {
        return absl::DeadlineExceededError("promotion did not finish before the deadline");
      }
      absl::SleepFor(kStartPollInterval);
    }
    upstream_.reset();
    return WriteConfig();
  }

  absl::Status Follow(const Upstream& upstream, absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    if (!HasData(options_.data_dir)) {
      return absl::FailedPreconditionError(absl::StrCat("cannot follow ", upstream.host, ":",
                                                        upstream.port, ": no data directory at ",
                                                        options_.data_dir, "; clone it first"));
    }
    if (absl::Status s = CheckSameCluster(upstream, deadline); !s.ok()) return s;
    upstream_ = upstream;
    if (absl::Status s = WriteOwned(options_.data_dir + "/standby.signal", "", 0600); !s.ok()) {
      return s;
    }
    if (absl::Status s = WriteConfig(); !s.ok()) return s;
    if (!PostmasterRunning()) return absl::OkStatus();
    absl::StatusOr<bool> recovering = InRecovery(deadline);
    if (!recovering.ok()) return recovering.status();
    if (*recovering) return ReloadLocked(deadline);  // primary_conninfo reloads in PostgreSQL 13+
    // A primary becomes a replica only through a restart.
    if (absl::Status s = StopLocked(StopMode::kFast, absl::Seconds(30), deadline); !s.ok()) {
      return s;
    }
    return StartLocked(deadline);
  }

  absl::Status Rewind(const Upstream& source, absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    if (!HasData(options_.data_dir)) {
      return absl::FailedPreconditionError("cannot rewind: no data directory; clone instead");
    }
    if (absl::Status s = CheckSameCluster(source, deadline); !s.ok()) return s;
    absl::StatusOr<int64_t> source_timeline = CheckpointRewindSource(source, deadline);
    if (!source_timeline.ok()) return source_timeline.status();
    if (absl::Status s = StopLocked(StopMode::kFast, absl::Seconds(30), deadline); !s.ok()) {
      return s;
    }
    const std::string source_server =
        absl::StrCat("host=", source.host, " port=", source.port, " user=", options_.superuser.name,
                     " dbname=postgres passfile=", PgpassPath(), " connect_timeout=5");
    // A target not shut down cleanly (a replica stopped in immediate mode, a crashed primary) is
    // first recovered by pg_rewind in single-user mode, which refuses to run with a standby
    // signal: take the signals away for the rewind, and put standby.signal back whatever happens
    // so that nothing starts this node as a writable primary.
    std::error_code ignored;
    fs::remove(options_.data_dir + "/standby.signal", ignored);
    fs::remove(options_.data_dir + "/recovery.signal", ignored);
    const absl::Status recovered = RecoverStaleRestartpoint(*source_timeline, deadline);
    absl::StatusOr<CommandResult> rewind =
        !recovered.ok() ? absl::StatusOr<CommandResult>(recovered)
                        : RunTool({Tool("pg_rewind"), "--target-pgdata=" + options_.data_dir,
                                   "--source-server=" + source_server, "--progress"},
                                  deadline);
    absl::Status standby = WriteOwned(options_.data_dir + "/standby.signal", "", 0600);
    if (absl::Status s = Check(rewind, "pg_rewind"); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(s.message(),
                                                 "\nThe data directory was left as pg_rewind "
                                                 "left it; reinitialize this node to recover."));
    }
    if (!standby.ok()) return standby;
    // pg_rewind copied the source's configuration files, warden.conf among them.
    upstream_ = source;
    return WriteConfig();
  }

  absl::Status Clone(const Upstream& source, const CloneProgressCallback& progress,
                     absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    return CloneLocked(source, progress, deadline);
  }

  absl::Status Reinitialize(const Upstream& source, const CloneProgressCallback& progress,
                            absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    // Never wipe a node whose source cannot even be reached: it would be left with nothing.
    if (absl::Status s = ReachableOrError(source, deadline); !s.ok()) return s;
    if (absl::Status s = StopLocked(StopMode::kImmediate, absl::Seconds(10), deadline); !s.ok()) {
      return s;
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options_.data_dir, ec)) {
      fs::remove_all(entry.path(), ec);
    }
    return CloneLocked(source, progress, deadline);
  }

  absl::Status SetSynchronousStandbyNames(const SyncStandbys& sync, absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    synchronous_standby_names_ = FormatSynchronousStandbyNames(sync);
    if (absl::Status s = WriteConfig(); !s.ok()) return s;
    return PostmasterRunning() ? ReloadLocked(deadline) : absl::OkStatus();
  }

  absl::Status CreateReplicationSlot(std::string_view name, absl::Time deadline) override {
    return Exec(
        "SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS "
        "(SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)",
        {std::string(name)}, deadline);
  }

  absl::Status DropReplicationSlot(std::string_view name, absl::Time deadline) override {
    return Exec(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
        "WHERE slot_name = $1",
        {std::string(name)}, deadline);
  }

  absl::Status Checkpoint(absl::Time deadline) override { return Exec("CHECKPOINT", {}, deadline); }

  absl::StatusOr<LocalPostgres> State(absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    return StateLocked(deadline);
  }

  absl::StatusOr<LocalPostgres> StateIfIdle(absl::Time deadline) override {
    // Short operations (a slot, a reload) end within the reader's budget; a clone does not. A
    // blocking lock cannot be bounded, so try it a few times a millisecond or two apart.
    const absl::Time give_up = std::min(deadline, absl::Now() + kIdleWait);
    while (!mu_.TryLock()) {
      if (absl::Now() >= give_up) return absl::UnavailableError("busy with another operation");
      absl::SleepFor(absl::Milliseconds(2));
    }
    absl::StatusOr<LocalPostgres> state = StateLocked(deadline);
    mu_.Unlock();
    return state;
  }

 private:
  absl::StatusOr<LocalPostgres> StateLocked(absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    LocalPostgres state;
    state.running = PostmasterRunning() || LivePostmaster(options_.data_dir) != 0;
    if (!HasData(options_.data_dir)) return state;
    if (state.running) {
      absl::Status s = ReadRunningState(state, deadline);
      // A server that runs but does not answer yet (starting, recovering) still counts as
      // running; what SQL would have said stays unknown.
      if (!s.ok() && s.code() != absl::StatusCode::kUnavailable) return s;
    } else if (absl::Status s = ReadStoppedState(state, deadline); !s.ok()) {
      return s;
    }
    state.timeline_history = ReadTimelineHistory(state.timeline);
    return state;
  }

  // --- Paths and processes ----------------------------------------------------------------------

  std::string Tool(const char* name) const { return options_.bin_dir + "/" + name; }
  std::string SocketDir() const {
    if (!options_.socket_dir.empty()) return options_.socket_dir;
    return DataDirParent().string();
  }
  std::string SideFile(const std::string& suffix) const {
    return (DataDirParent() / (options_.name + "." + suffix)).string();
  }
  // The directory holding data_dir ("/a/data/" counts as "/a/data").
  fs::path DataDirParent() const {
    fs::path data(options_.data_dir);
    if (!data.has_filename()) data = data.parent_path();
    return data.parent_path();
  }
  std::string PgpassPath() const {
    return options_.pgpass_path.empty() ? SideFile("pgpass") : options_.pgpass_path;
  }
  std::string LogPath() const {
    return options_.log_file.empty() ? SideFile("log") : options_.log_file;
  }

  absl::Status WriteOwned(const std::string& path, const std::string& contents, mode_t mode) {
    return pg_internal::WriteFileAtomically(path, contents, mode,
                                            os_user_.has_value() ? &*os_user_ : nullptr);
  }

  Command MakeCommand(std::vector<std::string> argv) const {
    Command command;
    command.argv = std::move(argv);
    command.env = {{"LANG", "C"}, {"LC_ALL", "C"}, {"PGPASSFILE", PgpassPath()}};
    if (os_user_.has_value()) command.run_as_user = os_user_->name;
    return command;
  }

  // The tools run with LANG=C so that their output reads the same everywhere; initdb without a
  // locale takes this process's instead, which is the one it gives the new cluster.
  static void InheritLocale(std::map<std::string, std::string>& env) {
    env.erase("LANG");
    env.erase("LC_ALL");
    for (const char* name : {"LANG", "LANGUAGE", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MESSAGES",
                             "LC_MONETARY", "LC_NUMERIC", "LC_TIME"}) {
      // NOLINTNEXTLINE(concurrency-mt-unsafe): warden never changes its own environment.
      if (const char* value = std::getenv(name); value != nullptr) env[name] = value;
    }
  }

  absl::StatusOr<CommandResult> RunTool(
      std::vector<std::string> argv, absl::Time deadline,
      const std::function<void(std::string_view)>& on_output = nullptr) {
    return pg_internal::RunCommand(MakeCommand(std::move(argv)), deadline, on_output);
  }

  // Turns a tool's result into a Status that quotes its output when it failed.
  // Whether PostgreSQL accepts its configuration files as they are now written: `postgres -C`
  // reads them as a start would (also beside a running server) and fails on any value it
  // rejects, naming it, where a reload would only log the rejection and a restart would fail.
  absl::Status ValidateConfigFiles(absl::Time deadline) {
    absl::StatusOr<CommandResult> result =
        RunTool({Tool("postgres"), "-D", options_.data_dir, "-C", "port"}, deadline);
    if (!result.ok()) return result.status();
    if (result->exit_code == 0) return absl::OkStatus();
    std::vector<std::string> reasons;
    for (absl::string_view line : absl::StrSplit(result->output, '\n')) {
      const size_t log = line.find("LOG:  ");
      if (log != absl::string_view::npos) reasons.emplace_back(line.substr(log + 6));
    }
    if (reasons.empty()) reasons.emplace_back(Tail(result->output));
    return absl::InvalidArgumentError(
        absl::StrCat("PostgreSQL rejects the parameters: ", absl::StrJoin(reasons, "; "),
                     "; the previous parameters stay in force"));
  }

  static absl::Status Check(const absl::StatusOr<CommandResult>& result, const char* tool) {
    if (!result.ok()) return result.status();
    if (result->exit_code == 0) return absl::OkStatus();
    return absl::InternalError(
        absl::StrCat(tool, " failed (exit ", result->exit_code, "):", Tail(result->output)));
  }

  absl::Status PrepareDirectories() {
    std::error_code ec;
    fs::create_directories(options_.data_dir, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot create data directory ", options_.data_dir, ": ", ec.message()));
    }
    fs::permissions(options_.data_dir, fs::perms::owner_all, ec);
    if (os_user_.has_value() &&
        chown(options_.data_dir.c_str(), os_user_->uid, os_user_->gid) != 0) {
      return absl::InternalError(
          absl::StrCat("cannot give ", options_.data_dir, " to ", os_user_->name));
    }
    return WriteOwned(PgpassPath(), pg_internal::Pgpass(options_), 0600);
  }

  absl::Status EnsureInclude() {
    const std::string conf = options_.data_dir + "/postgresql.conf";
    std::string text = ReadText(conf);
    if (!absl::StrContains(text, pg_internal::kIncludeLine)) {
      absl::StrAppend(&text, "\n", pg_internal::kIncludeLine, "\n");
      if (absl::Status s = WriteOwned(conf, text, 0600); !s.ok()) return s;
    }
    return WriteConfig();
  }

  absl::Status WriteConfig() {
    return WriteOwned(options_.data_dir + "/warden.conf",
                      pg_internal::WardenConf(options_, SocketDir(), upstream_, PgpassPath(),
                                              synchronous_standby_names_),
                      0600);
  }

  bool PostmasterRunning() { return postmaster_ != nullptr && postmaster_->Running(); }

  // --- Start and stop ---------------------------------------------------------------------------

  absl::Status StartLocked(absl::Time deadline) {
    if (PostmasterRunning()) return absl::OkStatus();
    if (!HasData(options_.data_dir)) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot start: ", options_.data_dir,
                       " holds no PostgreSQL data directory (no PG_VERSION)"));
    }
    if (pid_t other = LivePostmaster(options_.data_dir); other != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", options_.data_dir, " is already in use by postmaster pid ", other,
          ", which this controller did not start. Stop that server (pg_ctl stop -D ",
          options_.data_dir, ") and let warden start it; warden never runs a second one."));
    }
    if (PortInUse(options_.listen_host, options_.port)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "port ", options_.port, " on ", options_.listen_host,
          " is in use by another process; stop it or configure another postgresql.listen port"));
    }
    if (absl::Status s = WriteOwned(PgpassPath(), pg_internal::Pgpass(options_), 0600); !s.ok()) {
      return s;
    }
    if (absl::Status s = EnsureInclude(); !s.ok()) return s;
    if (!options_.pg_hba.empty()) {  // postgresql.pg_hba: the whole file, as Patroni writes it
      if (absl::Status s = WriteOwned(options_.data_dir + "/pg_hba.conf",
                                      pg_internal::PgHba(options_, ""), 0600);
          !s.ok()) {
        return s;
      }
    }
    Command command = MakeCommand({Tool("postgres"), "-D", options_.data_dir});
    command.stdout_file = LogPath();
    absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(command);
    if (!child.ok()) return child.status();
    postmaster_ = std::move(*child);
    return WithAccessHint(AwaitAcceptingConnections(deadline));
  }

  absl::Status AwaitAcceptingConnections(absl::Time deadline) {
    absl::Status last;
    while (true) {
      if (!postmaster_->Running()) {
        return absl::InternalError(absl::StrCat("PostgreSQL exited while starting; its log ",
                                                LogPath(),
                                                " ends with:", Tail(ReadText(LogPath()))));
      }
      absl::StatusOr<std::unique_ptr<SqlSession>> session =
          Connect(std::min(deadline, absl::Now() + absl::Seconds(1)));
      if (session.ok()) return absl::OkStatus();
      last = session.status();
      if (last.code() == absl::StatusCode::kPermissionDenied ||
          last.code() == absl::StatusCode::kNotFound) {
        return last;  // running, but warden's superuser cannot log in: say so at once
      }
      if (absl::Now() + kStartPollInterval >= deadline) {
        (void)StopLocked(StopMode::kImmediate, absl::Seconds(5), absl::Now() + absl::Seconds(10));
        return absl::DeadlineExceededError(
            absl::StrCat("PostgreSQL did not accept connections before the deadline (",
                         last.message(), "); it was stopped. Log:", Tail(ReadText(LogPath()))));
      }
      absl::SleepFor(kStartPollInterval);
    }
  }

  absl::Status StopLocked(StopMode mode, absl::Duration escalate_after, absl::Time deadline) {
    session_.reset();  // a smart shutdown would wait for it to end
    if (PostmasterRunning()) {
      absl::Status stopped = Escalate(
          mode, escalate_after, deadline, [this](int sig) { (void)postmaster_->Signal(sig); },
          [this](absl::Time until) { return postmaster_->WaitForExit(until); });
      if (stopped.ok()) postmaster_.reset();
      return stopped;
    }
    postmaster_.reset();
    // A postmaster this controller did not start: an earlier agent's, still running after that
    // agent died or was restarted. The HA loop must be able to demote it, so it is stopped by
    // pid the same way (Patroni adopts such a postmaster, too).
    const pid_t other = LivePostmaster(options_.data_dir);
    if (other == 0) return absl::OkStatus();
    return Escalate(
        mode, escalate_after, deadline, [other](int sig) { ::kill(other, sig); },
        [other](absl::Time until) { return pg_internal::WaitForProcessExit(other, until); });
  }

  // Sends the stop signals from `mode`'s on, each given `escalate_after` before the next,
  // harsher one, until `wait_exit` sees the postmaster gone.
  static absl::Status Escalate(StopMode mode, absl::Duration escalate_after, absl::Time deadline,
                               const std::function<void(int)>& signal,
                               const std::function<bool(absl::Time)>& wait_exit) {
    static constexpr int kSignals[] = {SIGTERM, SIGINT, SIGQUIT, SIGKILL};
    int step = mode == StopMode::kSmart ? 0 : mode == StopMode::kFast ? 1 : 2;
    for (; step < 4; ++step) {
      signal(kSignals[step]);
      const absl::Time until =
          step == 3 ? deadline : std::min(deadline, absl::Now() + escalate_after);
      if (wait_exit(until)) return absl::OkStatus();
      if (absl::Now() >= deadline) break;
    }
    return absl::DeadlineExceededError("PostgreSQL did not stop before the deadline");
  }

  // pg_reload_conf() only signals the postmaster, which reads the files a moment later. Returns
  // once a session has them read (its pg_conf_load_time moved), at most 2 s on, so that a state
  // read next (pending restarts, synchronous_standby_names) shows the reload.
  absl::Status ReloadLocked(absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!PostmasterRunning() && LivePostmaster(options_.data_dir) == 0) return absl::OkStatus();
    absl::StatusOr<std::vector<Row>> before = QueryKept("SELECT pg_conf_load_time()", {}, deadline);
    if (!before.ok()) return before.status();
    const std::string loaded = before->at(0).at(0).value_or("");
    if (absl::Status s = ExecLocked("SELECT pg_reload_conf()", {}, deadline); !s.ok()) return s;
    const absl::Time give_up = std::min(deadline, absl::Now() + absl::Seconds(2));
    while (absl::Now() < give_up) {
      absl::StatusOr<std::vector<Row>> moved =
          QueryKept("SELECT pg_conf_load_time() > $1::timestamptz", {loaded}, deadline);
      if (!moved.ok()) return moved.status();
      if (moved->at(0).at(0).value_or("f") == "t") return absl::OkStatus();
      absl::SleepFor(kReloadPollInterval);  // the postmaster gives no event to wait on
    }
    return absl::OkStatus();  // asked for; it lands a little later
  }

  // --- Clone ------------------------------------------------------------------------------------

  absl::Status CloneLocked(const Upstream& source, const CloneProgressCallback& progress,
                           absl::Time deadline) {
    if (PostmasterRunning() || HasData(options_.data_dir)) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot clone into ", options_.data_dir,
                       ": it already holds a data directory; reinitialize to replace it"));
    }
    if (absl::Status s = PrepareDirectories(); !s.ok()) return s;
    const std::string conninfo = absl::StrCat(
        "host=", source.host, " port=", source.port, " user=", options_.replication.name,
        " passfile=", PgpassPath(), " application_name=", options_.name, " connect_timeout=5");
    absl::StatusOr<CommandResult> backup =
        RunTool({Tool("pg_basebackup"), "-D", options_.data_dir, "-d", conninfo, "-X", "stream",
                 "-c", "fast", "-P"},
                deadline, [&progress](std::string_view chunk) {
                  if (!progress) return;
                  if (auto p = ParseProgress(std::string(chunk)); p.has_value()) progress(*p);
                });
    if (absl::Status s = ExplainCloneFailure(backup, source); !s.ok()) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(options_.data_dir, ec)) {
        fs::remove_all(entry.path(), ec);  // a half copy is no data directory
      }
      return s;
    }
    if (progress) progress(CloneProgress{1, 1});
    upstream_ = source;
    if (absl::Status s = WriteOwned(options_.data_dir + "/standby.signal", "", 0600); !s.ok()) {
      return s;
    }
    return EnsureInclude();
  }

  // The seed troubles, said plainly: a missing replication role, a missing pg_hba line.
  absl::Status ExplainCloneFailure(const absl::StatusOr<CommandResult>& result,
                                   const Upstream& source) {
    absl::Status status = Check(result, "pg_basebackup");
    if (status.ok() || !result.ok()) return status;
    const std::string& out = result->output;
    const std::string where = absl::StrCat(source.host, ":", source.port);
    const std::string& user = options_.replication.name;
    if (absl::StrContains(out, "role \"" + user + "\" does not exist")) {
      return absl::NotFoundError(absl::StrCat(
          "replication user '", user, "' does not exist on ", where,
          ". Create it there (CREATE ROLE ", user,
          " WITH REPLICATION LOGIN PASSWORD '...') or set postgresql.authentication.replication "
          "to an existing role.",
          Tail(out, 3)));
    }
    if (absl::StrContains(out, "no pg_hba.conf entry for replication")) {
      return absl::PermissionDeniedError(absl::StrCat(
          where, " refuses replication connections of user '", user,
          "' from this node: its pg_hba.conf needs a line 'host replication ", user,
          " <this node's address>/32 scram-sha-256' (a line for database 'all' does not cover "
          "replication).",
          Tail(out, 3)));
    }
    if (absl::StrContains(out, "password authentication failed")) {
      return absl::PermissionDeniedError(
          absl::StrCat("password authentication of replication user '", user, "' failed on ", where,
                       Tail(out, 3)));
    }
    return status;
  }

  // UNAVAILABLE unless `source` accepts a connection (any answer, even an authentication
  // failure, proves a server is there).
  absl::Status ReachableOrError(const Upstream& source, absl::Time deadline) {
    absl::StatusOr<std::unique_ptr<SqlSession>> session =
        ConnectAs(source.host, source.port, std::min(deadline, absl::Now() + absl::Seconds(5)));
    if (session.ok() || session.status().code() != absl::StatusCode::kUnavailable) {
      return absl::OkStatus();
    }
    return absl::UnavailableError(absl::StrCat("cannot reinitialize from ", source.host, ":",
                                               source.port, ": ", session.status().message(),
                                               ". Nothing was deleted."));
  }

  // --- SQL --------------------------------------------------------------------------------------

  // A session as warden's superuser on `host` (a socket directory or an address).
  absl::StatusOr<std::unique_ptr<SqlSession>> ConnectAs(const std::string& host, int port,
                                                        absl::Time deadline) {
    return SqlSession::Connect({{"host", host},
                                {"port", std::to_string(port)},
                                {"user", options_.superuser.name},
                                {"dbname", "postgres"},
                                {"passfile", PgpassPath()},
                                {"application_name", "warden"}},
                               deadline);
  }

  // A session on this node, through its unix socket.
  absl::StatusOr<std::unique_ptr<SqlSession>> Connect(absl::Time deadline) {
    return ConnectAs(SocketDir(), options_.port, deadline);
  }

  absl::StatusOr<std::vector<Row>> QueryLocked(const std::string& sql,
                                               const std::vector<std::string>& params,
                                               absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!PostmasterRunning() && LivePostmaster(options_.data_dir) == 0) {
      return absl::FailedPreconditionError("PostgreSQL is not running");
    }
    return QueryKept(sql, params, deadline);
  }

  // Runs a statement on this node's kept session. Every HA loop reads the state, and a new
  // session each time costs a backend fork on the server and an authentication exchange here
  // (SCRAM's key derivation was most of an idle agent's CPU). A kept session outlives a
  // restarted postmaster: its first statement fails UNAVAILABLE and runs once more on a new
  // session, so only statements that may run twice (reads, CHECKPOINT, reload, slot changes
  // guarded by their existence) go through here.
  absl::StatusOr<std::vector<Row>> QueryKept(const std::string& sql,
                                             const std::vector<std::string>& params,
                                             absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const bool reused = session_ != nullptr && session_->Idle();
    if (!reused) {
      session_.reset();
      absl::StatusOr<std::unique_ptr<SqlSession>> session = Connect(deadline);
      if (!session.ok()) return session.status();
      session_ = *std::move(session);
    }
    absl::StatusOr<std::vector<Row>> rows = session_->Query(sql, params, deadline);
    if (rows.ok()) return rows;
    session_.reset();
    if (reused && rows.status().code() == absl::StatusCode::kUnavailable) {
      return QueryKept(sql, params, deadline);
    }
    return rows;
  }

  absl::Status ExecLocked(const std::string& sql, const std::vector<std::string>& params,
                          absl::Time deadline) {
    return QueryLocked(sql, params, deadline).status();
  }

  absl::Status Exec(const std::string& sql, const std::vector<std::string>& params,
                    absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    return ExecLocked(sql, params, deadline);
  }

  absl::StatusOr<bool> InRecovery(absl::Time deadline) {
    absl::StatusOr<std::vector<Row>> rows = QueryLocked("SELECT pg_is_in_recovery()", {}, deadline);
    if (!rows.ok()) return rows.status();
    return rows->at(0).at(0).value_or("f") == "t";
  }

  // A refused login of warden's own, said with the line that admits it: the pg_hba lines are the
  // user's (as in Patroni), so a method that does not fit the stored passwords shows up here.
  absl::Status WithAccessHint(absl::Status status) {
    if (status.code() != absl::StatusCode::kPermissionDenied) return status;
    return absl::PermissionDeniedError(absl::StrCat(
        status.message(), ". warden connects to its PostgreSQL as '", options_.superuser.name,
        "' over the unix socket in ", SocketDir(), ": pg_hba.conf needs a line such as 'local all ",
        options_.superuser.name,
        " scram-sha-256' before any line that refuses it; a password method must match "
        "password_encryption, which initdb sets to md5 when an initdb auth option is md5 (then "
        "use md5 or trust)"));
  }

  absl::Status CreateReplicationUser(absl::Time deadline) {
    absl::StatusOr<std::unique_ptr<SqlSession>> session = Connect(deadline);
    if (!session.ok()) return session.status();
    // The statement carries a password: keep it out of the server log, even if it fails.
    for (const char* quiet :
         {"SET log_statement TO 'none'", "SET log_min_error_statement TO 'panic'",
          "SET log_min_duration_statement TO -1"}) {
      if (auto r = (*session)->Query(quiet, {}, deadline); !r.ok()) return r.status();
    }
    const PgUser& user = options_.replication;
    return (*session)
        ->Query(
            absl::StrCat("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ",
                         pg_internal::SqlLiteral(user.name), ") THEN CREATE ROLE ",
                         pg_internal::SqlIdentifier(user.name), " WITH REPLICATION LOGIN PASSWORD ",
                         pg_internal::SqlLiteral(user.password), "; END IF; END $$"),
            {}, deadline)
        .status();
  }

  // Refuses to tie this data directory to a node of another cluster (the seed's "system ID
  // mismatch"), naming both identifiers and the way out.
  absl::Status CheckSameCluster(const Upstream& upstream, absl::Time deadline) {
    LocalPostgres local;
    if (absl::Status s = ReadStoppedState(local, deadline); !s.ok()) return s;
    absl::StatusOr<std::unique_ptr<SqlSession>> session =
        ConnectAs(upstream.host, upstream.port, std::min(deadline, absl::Now() + absl::Seconds(5)));
    if (!session.ok()) return absl::OkStatus();  // unreachable now: streaming will tell later
    absl::StatusOr<std::vector<Row>> rows =
        (*session)->Query("SELECT system_identifier FROM pg_control_system()", {}, deadline);
    uint64_t theirs = 0;
    if (!rows.ok() || !absl::SimpleAtoi(rows->at(0).at(0).value_or(""), &theirs)) {
      return absl::OkStatus();
    }
    if (theirs == local.system_identifier) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "system ID mismatch: data directory ", options_.data_dir, " belongs to cluster ",
        local.system_identifier, " but ", upstream.host, ":", upstream.port, " belongs to cluster ",
        theirs,
        ". This node cannot follow it: reinitialize it from the right cluster (wardenctl reinit), "
        "or point it at the cluster it belongs to."));
  }

  // pg_rewind reads the source's timeline from its control file, which a promotion updates only
  // at its next checkpoint; until then a rewind from a new primary takes the old timeline for
  // the source's, and leaves a node that cannot start ("requested timeline N does not contain
  // minimum recovery point"). So the source checkpoints first, and must be a primary already.
  // Before anything is stopped: a source that cannot do this leaves this node as it was.
  absl::StatusOr<int64_t> CheckpointRewindSource(const Upstream& source, absl::Time deadline) {
    const absl::Time connect_by = std::min(deadline, absl::Now() + absl::Seconds(5));
    absl::StatusOr<std::unique_ptr<SqlSession>> session =
        ConnectAs(source.host, source.port, connect_by);
    if (!session.ok()) {
      return absl::UnavailableError(absl::StrCat("pg_rewind cannot use ", source.host, ":",
                                                 source.port,
                                                 " as its source: ", session.status().message()));
    }
    absl::StatusOr<std::vector<Row>> recovering =
        (*session)->Query("SELECT pg_is_in_recovery()", {}, deadline);
    if (!recovering.ok()) return recovering.status();
    if (recovering->at(0).at(0).value_or("") != "f") {
      return absl::UnavailableError(absl::StrCat("pg_rewind cannot use ", source.host, ":",
                                                 source.port, " yet: it is still in recovery"));
    }
    absl::StatusOr<std::vector<Row>> checkpoint = (*session)->Query("CHECKPOINT", {}, deadline);
    if (!checkpoint.ok()) {
      return absl::Status(checkpoint.status().code(),
                          absl::StrCat("pg_rewind needs a CHECKPOINT on its source first: ",
                                       checkpoint.status().message()));
    }
    absl::StatusOr<std::vector<Row>> timeline =
        (*session)->Query("SELECT timeline_id FROM pg_control_checkpoint()", {}, deadline);
    if (!timeline.ok()) return timeline.status();
    int64_t id = 0;
    if (!absl::SimpleAtoi(timeline->at(0).at(0).value_or(""), &id)) {
      return absl::InternalError("cannot read the rewind source's timeline");
    }
    return id;
  }

  // pg_rewind (15) takes the target's timeline from its latest checkpoint alone. A node that
  // was a replica when stopped (a killed primary restarted as one before it was found
  // diverged, say) may have no checkpoint record of its newest timeline yet: its restartpoint
  // names an older one, and pg_rewind looks for the fork on the wrong timeline ("could not find
  // previous WAL record") and fails for good. Crash recovery in single-user mode, with the
  // signal files out of the way, follows the timeline switches up to the minimum recovery
  // point and ends with a checkpoint on the newest timeline, as pg_rewind does itself for a
  // target that crashed. Only for a target that left the source's timeline: the checkpoint
  // it writes is WAL the source does not have, which only a rewind takes away again.
  absl::Status RecoverStaleRestartpoint(int64_t source_timeline, absl::Time deadline) {
    absl::StatusOr<std::map<std::string, std::string>> fields = ReadControlData(deadline);
    if (!fields.ok()) return fields.status();
    int64_t checkpoint_timeline = 0;
    int64_t replayed_timeline = 0;
    (void)absl::SimpleAtoi((*fields)["Latest checkpoint's TimeLineID"], &checkpoint_timeline);
    (void)absl::SimpleAtoi((*fields)["Min recovery ending loc's timeline"], &replayed_timeline);
    if ((*fields)["Database cluster state"] != "shut down in recovery" ||
        checkpoint_timeline >= replayed_timeline || replayed_timeline == source_timeline) {
      return absl::OkStatus();
    }
    return Check(RunTool({Tool("postgres"), "--single", "-F", "-D", options_.data_dir, "template1"},
                         deadline),
                 "crash recovery (postgres --single) before pg_rewind");
  }

  // --- State ------------------------------------------------------------------------------------

  // Without a WAL receiver (its upstream just died, say) a replica's timeline can only be read
  // from its last restartpoint, which lags a promotion upstream: a replica that streamed
  // timeline 3 would read 2 and look diverged from its new leader, and be rewound for nothing.
  // A running server never goes back a timeline, so report the highest one seen since this
  // postmaster started.
  void KeepReplicaTimeline(LocalPostgres& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (state.postmaster_start_time != replica_timeline_since_) {
      replica_timeline_since_ = state.postmaster_start_time;
      highest_replica_timeline_ = 0;
    }
    highest_replica_timeline_ = std::max(highest_replica_timeline_, state.timeline);
    state.timeline = highest_replica_timeline_;
  }

  absl::Status ReadRunningState(LocalPostgres& state, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::StatusOr<std::vector<Row>> rows = QueryKept(
        "SELECT pg_is_in_recovery(), "
        "CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END, "
        "pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
        "CASE WHEN pg_is_in_recovery() THEN COALESCE((SELECT received_tli FROM "
        "pg_stat_wal_receiver), (SELECT timeline_id FROM pg_control_checkpoint())) "
        "ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint END, "
        "(SELECT system_identifier FROM pg_control_system()), "
        "extract(epoch FROM pg_postmaster_start_time()), "
        "current_setting('server_version_num'), "
        "(SELECT count(*) FROM pg_settings WHERE pending_restart), "
        "(SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver), "
        "(SELECT status FROM pg_stat_wal_receiver), "
        "current_setting('synchronous_standby_names'), "
        "(SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots "
        "WHERE slot_type = 'physical' AND NOT temporary)",
        {}, deadline);
    if (!rows.ok()) return rows.status();
    const Row& r = rows->at(0);
    const bool recovering = r[0].value_or("f") == "t";
    state.role = recovering ? PgRole::kReplica : PgRole::kPrimary;
    auto lsn = [](const std::optional<std::string>& text) {
      return text.has_value() ? ParseLsn(*text).value_or(0) : Lsn{0};
    };
    state.wal_lsn = lsn(r[1]);
    state.received_lsn = lsn(r[2]);
    state.replayed_lsn = lsn(r[3]);
    if (state.received_lsn > state.replayed_lsn) {
      state.replay_lag_bytes = state.received_lsn - state.replayed_lsn;
    }
    (void)absl::SimpleAtoi(r[4].value_or("0"), &state.timeline);
    (void)absl::SimpleAtoi(r[5].value_or("0"), &state.system_identifier);
    double start_epoch = 0;
    if (absl::SimpleAtod(r[6].value_or("0"), &start_epoch)) {
      state.postmaster_start_time = absl::FromUnixMicros(static_cast<int64_t>(start_epoch * 1e6));
    }
    (void)absl::SimpleAtoi(r[7].value_or("0"), &state.server_version);
    state.pending_restart = r[8].value_or("0") != "0";
    state.upstream = r[9].value_or("");
    state.streaming = r[10].value_or("") == "streaming";
    state.synchronous_standby_names = r[11].value_or("");
    // Slot names are PostgreSQL names: a comma cannot be in one.
    if (r[12].has_value()) state.replication_slots = absl::StrSplit(*r[12], ',');
    if (recovering) KeepReplicaTimeline(state);
    absl::StatusOr<std::vector<Row>> senders = QueryKept(
        "SELECT application_name, COALESCE(host(client_addr), ''), state, sync_state, "
        "sent_lsn, write_lsn, flush_lsn, replay_lsn, usename FROM pg_stat_replication "
        "ORDER BY application_name",
        {}, deadline);
    if (!senders.ok()) return senders.status();
    for (const Row& s : *senders) {
      state.replication.push_back(ReplicationConnection{
          s[0].value_or(""), s[1].value_or(""), s[2].value_or(""), s[3].value_or(""), lsn(s[4]),
          lsn(s[5]), lsn(s[6]), lsn(s[7]), s[8].value_or("")});
    }
    return absl::OkStatus();
  }

  // pg_wal/<timeline>.history lists every ancestor: "parent<TAB>switchpoint<TAB>reason" per line,
  // the child of each line's parent being the next line's parent (or `timeline` for the last).
  std::vector<TimelineFork> ReadTimelineHistory(int64_t timeline) const {
    std::vector<TimelineFork> forks;
    if (timeline <= 1) return forks;
    std::ifstream file(absl::StrFormat("%s/pg_wal/%08X.history", options_.data_dir, timeline));
    std::string line;
    while (std::getline(file, line)) {
      std::vector<std::string> fields =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      int64_t parent = 0;
      if (fields.size() < 2 || !absl::SimpleAtoi(fields[0], &parent)) continue;  // comments
      std::optional<Lsn> fork = ParseLsn(fields[1]);
      if (!fork.has_value()) continue;
      if (!forks.empty()) forks.back().timeline = parent;
      forks.push_back(TimelineFork{.timeline = timeline, .fork_lsn = *fork});
    }
    return forks;
  }

  // pg_controldata's fields by name.
  absl::StatusOr<std::map<std::string, std::string>> ReadControlData(absl::Time deadline) {
    absl::StatusOr<CommandResult> result =
        RunTool({Tool("pg_controldata"), "-D", options_.data_dir}, deadline);
    if (absl::Status s = Check(result, "pg_controldata"); !s.ok()) return s;
    std::map<std::string, std::string> fields;
    for (absl::string_view line : absl::StrSplit(result->output, '\n')) {
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos) continue;
      fields[std::string(line.substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
    return fields;
  }

  absl::Status ReadStoppedState(LocalPostgres& state, absl::Time deadline) {
    absl::StatusOr<std::map<std::string, std::string>> read = ReadControlData(deadline);
    if (!read.ok()) return read.status();
    std::map<std::string, std::string>& fields = *read;
    (void)absl::SimpleAtoi(fields["Database system identifier"], &state.system_identifier);
    (void)absl::SimpleAtoi(fields["Latest checkpoint's TimeLineID"], &state.timeline);
    // A replica that streamed a new timeline but was stopped before its upstream checkpointed
    // the promotion has only the old timeline in its latest (re)start point; what it replayed
    // shows in the minimum recovery point's timeline. Reading the checkpoint's alone made such
    // a replica look diverged, and a needless pg_rewind of it failed for good.
    int64_t min_recovery_timeline = 0;
    (void)absl::SimpleAtoi(fields["Min recovery ending loc's timeline"], &min_recovery_timeline);
    state.timeline = std::max(state.timeline, min_recovery_timeline);
    state.cluster_state = fields["Database cluster state"];
    for (const char* field : {"Latest checkpoint location", "Minimum recovery ending location"}) {
      state.stopped_lsn = std::max(state.stopped_lsn, ParseLsn(fields[field]).value_or(0));
    }
    state.role =
        fs::exists(options_.data_dir + "/standby.signal") ? PgRole::kReplica : PgRole::kPrimary;
    return absl::OkStatus();
  }

  // Fixed at construction but for `parameters`, which SetParameters replaces (under mu_).
  LocalControllerOptions options_;
  const std::optional<OsUser> os_user_;
  absl::Mutex mu_;
  std::unique_ptr<ChildProcess> postmaster_ ABSL_GUARDED_BY(mu_);
  std::optional<Upstream> upstream_ ABSL_GUARDED_BY(mu_);
  // KeepReplicaTimeline's memory, per postmaster (by its start time).
  absl::Time replica_timeline_since_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t highest_replica_timeline_ ABSL_GUARDED_BY(mu_) = 0;
  std::string synchronous_standby_names_ ABSL_GUARDED_BY(mu_);
  // QueryKept's session, kept between statements; reset whenever PostgreSQL is stopped.
  std::unique_ptr<SqlSession> session_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Controller>> NewLocalController(LocalControllerOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("postgresql.data_dir is not set");
  if (options.name.empty()) return absl::InvalidArgumentError("the node's name is not set");
  for (const char* tool : {"postgres", "initdb", "pg_basebackup", "pg_rewind", "pg_controldata"}) {
    const std::string path = options.bin_dir + "/" + tool;
    if (access(path.c_str(), X_OK) != 0) {
      return absl::NotFoundError(absl::StrCat(
          "PostgreSQL tool ", path,
          " not found or not executable: install PostgreSQL 15 "
          "(Debian: postgresql-15) or set postgresql.bin_dir to where its binaries are"));
    }
  }
  options.data_dir = fs::absolute(options.data_dir).lexically_normal().string();
  std::optional<OsUser> os_user;
  if (pg_internal::RunningAsRoot()) {
    absl::StatusOr<OsUser> user = pg_internal::LookupUser(options.os_user);
    if (!user.ok()) return user.status();
    os_user = *user;
  }
  return std::unique_ptr<Controller>(new LocalController(std::move(options), std::move(os_user)));
}

}  // namespace warden
