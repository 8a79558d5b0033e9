// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/pg/subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace warden::pg_internal {
namespace {

// Not in every libc's headers; the values are the kernel's ABI.
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// The credential system calls with 32-bit ids (on some 32-bit architectures the plain ones take
// 16-bit ids).
#ifdef SYS_setuid32
constexpr long kSysSetGroups = SYS_setgroups32;
constexpr long kSysSetGid = SYS_setgid32;
constexpr long kSysSetUid = SYS_setuid32;
#else
constexpr long kSysSetGroups = SYS_setgroups;
constexpr long kSysSetGid = SYS_setgid;
constexpr long kSysSetUid = SYS_setuid;
#endif

// How much output a DEADLINE_EXCEEDED message quotes.
constexpr size_t kOutputInMessage = 4096;
// The most output read after the child has exited (a grandchild that escaped the process group
// may hold the pipe open and keep writing).
constexpr size_t kMaxDrainAfterExit = 1 << 20;
// The polling interval where pidfd_open is unavailable.
constexpr int kPollIntervalMs = 10;

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A status for the failed system call `what` with `err`: NOT_FOUND for a missing file,
// PERMISSION_DENIED for a refusal, INTERNAL otherwise.
absl::Status ErrnoStatus(int err, const std::string& what) {
  std::string message = absl::StrCat(what, ": ", std::generic_category().message(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

// The command line for messages, shortened if long.
std::string Describe(const Command& command) {
  std::string text = absl::StrJoin(command.argv, " ");
  constexpr size_t kMax = 200;
  if (text.size() > kMax) text = absl::StrCat(text.substr(0, kMax), "...");
  return text;
}

// The last `n` bytes of `text`.
std::string Tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : text.substr(text.size() - n);
}

// Milliseconds from now until `until` for poll(), rounded up; -1 for the infinite future.
int PollTimeoutMs(absl::Time until) {
  if (until == absl::InfiniteFuture()) return -1;
  absl::Duration left = until - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))),
                        absl::ToInt64Milliseconds(absl::Hours(1))));
}

// A pidfd for `pid` (Linux 5.3+), or an invalid one where the kernel lacks pidfd_open.
UniqueFd OpenPidFd(pid_t pid) {
#ifdef SYS_pidfd_open
  return UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  return UniqueFd();
#endif
}

// The step of the child's preparation that failed, reported to the parent through a pipe.
enum class Stage : int {
  kRedirect,
  kProcessGroup,
  kSetGroups,
  kSetGid,
  kSetUid,
  kParentDeath,
  kChdir,
  kExec,
};

struct ChildFailure {
  Stage stage;
  int err;
};

// Everything the child needs, prepared before fork() so that the child only makes system calls.
struct ChildPlan {
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int output_fd = -1;   // becomes stdout and stderr; -1 keeps the parent's
  int failure_fd = -1;  // the write end of the CLOEXEC failure pipe
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  size_t group_count = 0;
  const char* working_dir = nullptr;  // nullptr: stay
  bool die_with_parent = false;
  pid_t parent = 0;
};

// Writes `text` to stderr from the child (async-signal-safe).
void ChildMessage(const char* text) {
  ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
  (void)ignored;
}

// Reports a failed step to the parent and on stderr, then exits the child.
[[noreturn]] void ChildFail(const ChildPlan& plan, Stage stage, int err, const char* message) {
  ChildFailure failure{stage, err};
  ssize_t ignored = write(plan.failure_fd, &failure, sizeof(failure));
  (void)ignored;
  // strerror is not async-signal-safe: the parent turns errno into words for the Status.
  char errno_text[16];
  char* digits = errno_text + sizeof(errno_text);
  *--digits = '\0';
  unsigned value = err > 0 ? static_cast<unsigned>(err) : 0;
  do {
    *--digits = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && digits > errno_text);
  ChildMessage("warden: ");
  ChildMessage(message);
  ChildMessage(" for ");
  ChildMessage(plan.argv[0]);
  ChildMessage(" (errno ");
  ChildMessage(digits);
  ChildMessage(")\n");
  _exit(127);
}

// Returns `fd` if it is above stderr, else a CLOEXEC duplicate that is (so that setting up
// descriptors 0-2 cannot overwrite it).
int AboveStdio(int fd) {
  if (fd < 0 || fd > STDERR_FILENO) return fd;
  return fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
}

// Marks every descriptor above stderr close-on-exec (the failure pipe must stay open until exec).
void CloseInheritedFds(int keep) {
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  struct rlimit limit;
  int max_fd = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    max_fd = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
  }
  for (int fd = STDERR_FILENO + 1; fd < max_fd; ++fd) {
    if (fd != keep) close(fd);
  }
}

// The child between fork() and exec: async-signal-safe calls only. Signals arrive blocked.
[[noreturn]] void RunChild(ChildPlan plan) {
  int failure_fd = AboveStdio(plan.failure_fd);
  if (failure_fd < 0) ChildFail(plan, Stage::kRedirect, errno, "cannot move a descriptor");
  plan.failure_fd = failure_fd;
  int output_fd = AboveStdio(plan.output_fd);
  if (plan.output_fd >= 0 && output_fd < 0) {
    ChildFail(plan, Stage::kRedirect, errno, "cannot move a descriptor");
  }
  plan.output_fd = output_fd;

  // Handlers are meaningless after exec, but ignored signals (e.g. SIGPIPE) would stay ignored.
  struct sigaction default_action;
  memset(&default_action, 0, sizeof(default_action));
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &default_action, nullptr);

  if (setpgid(0, 0) != 0) {
    ChildFail(plan, Stage::kProcessGroup, errno, "setpgid failed");
  }
  int null_fd = AboveStdio(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0) {
    ChildFail(plan, Stage::kRedirect, errno, "cannot redirect stdin");
  }
  if (plan.output_fd >= 0 &&
      (dup2(plan.output_fd, STDOUT_FILENO) < 0 || dup2(plan.output_fd, STDERR_FILENO) < 0)) {
    ChildFail(plan, Stage::kRedirect, errno, "cannot redirect stdout and stderr");
  }
  if (plan.switch_user) {
    // Raw system calls, sidestepping glibc's machinery that applies credential changes to every
    // thread (the child has only one). Groups first: after setuid they can no longer change.
    if (syscall(kSysSetGroups, plan.group_count, plan.groups) != 0) {
      ChildFail(plan, Stage::kSetGroups, errno, "setgroups failed");
    }
    if (syscall(kSysSetGid, plan.gid) != 0) ChildFail(plan, Stage::kSetGid, errno, "setgid failed");
    if (syscall(kSysSetUid, plan.uid) != 0) ChildFail(plan, Stage::kSetUid, errno, "setuid failed");
  }
  if (plan.die_with_parent) {
    // After the user switch: a credential change clears the parent-death signal.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
      ChildFail(plan, Stage::kParentDeath, errno, "prctl(PR_SET_PDEATHSIG) failed");
    }
    if (getppid() != plan.parent) {
      ChildFail(plan, Stage::kParentDeath, ESRCH, "the parent died before exec");
    }
  }
  if (plan.working_dir != nullptr && chdir(plan.working_dir) != 0) {
    ChildFail(plan, Stage::kChdir, errno, "cannot enter the working directory");
  }
  CloseInheritedFds(plan.failure_fd);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(plan.argv[0], plan.argv, plan.envp);
  ChildFail(plan, Stage::kExec, errno, "exec failed");
}

// The status for a child that reported `failure` before exec.
absl::Status FailureStatus(const ChildFailure& failure, const Command& command,
                           const std::string& user) {
  const std::string as_user = user.empty() ? "" : absl::StrCat(" (as user ", user, ")");
  switch (failure.stage) {
    case Stage::kExec:
      switch (failure.err) {
        case ENOENT:
        case ENOTDIR:
        case EACCES:
        case ENOEXEC:
        case ELOOP:
          return absl::NotFoundError(absl::StrCat(command.argv[0],
                                                  " does not exist or is not executable", as_user,
                                                  ": ", strerror(failure.err)));
        default:
          return ErrnoStatus(failure.err, absl::StrCat("cannot execute ", command.argv[0]));
      }
    case Stage::kChdir:
      return ErrnoStatus(failure.err, absl::StrCat("cannot enter ", command.working_dir, as_user,
                                                   " to run ", command.argv[0]));
    case Stage::kSetGroups:
    case Stage::kSetGid:
    case Stage::kSetUid:
      return absl::InternalError(absl::StrCat("cannot switch to user ", user, " to run ",
                                              command.argv[0], ": ", strerror(failure.err)));
    case Stage::kRedirect:
    case Stage::kProcessGroup:
    case Stage::kParentDeath:
      break;
  }
  return absl::InternalError(absl::StrCat("cannot prepare the child process for ", command.argv[0],
                                          ": ", strerror(failure.err)));
}

absl::Status ValidateCommand(const Command& command) {
  if (command.argv.empty() || command.argv[0].empty() || command.argv[0][0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("a command needs an absolute program path, got `", Describe(command), "`"));
  }
  for (const std::string& arg : command.argv) {
    if (arg.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("an argument of `", Describe(command), "` contains a NUL byte"));
    }
  }
  for (const auto& [name, value] : command.env) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid environment variable name or value: ", name));
    }
  }
  return absl::OkStatus();
}

// The supplementary groups of `user`, looked up before fork (initgroups is not safe after it).
absl::StatusOr<std::vector<gid_t>> GroupsOf(const OsUser& user) {
  std::vector<gid_t> groups(32);
  for (int attempt = 0; attempt < 8; ++attempt) {
    int count = static_cast<int>(groups.size());
    if (getgrouplist(user.name.c_str(), user.gid, groups.data(), &count) >= 0) {
      groups.resize(count);
      return groups;
    }
    groups.resize(std::max<size_t>(static_cast<size_t>(count), groups.size() * 2));
  }
  return absl::InternalError(absl::StrCat("cannot list the groups of user ", user.name));
}

// Opens the file that takes a child's output, giving it to `user` (if set) when owned by another.
absl::StatusOr<UniqueFd> OpenOutputFile(const std::string& path, const OsUser* user) {
  UniqueFd fd(
      open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("cannot open output file ", path));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot stat output file ", path));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("output file ", path, " is not a regular file"));
  }
  if (user != nullptr && (st.st_uid != user->uid || st.st_gid != user->gid)) {
    // Never hand a file with other names to the user: it could be a link to a system file.
    if (st.st_nlink > 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("output file ", path, " has several hard links; not changing its owner"));
    }
    if (fchown(fd.get(), user->uid, user->gid) != 0) {
      return ErrnoStatus(errno, absl::StrCat("cannot give output file ", path, " to ", user->name));
    }
  }
  return fd;
}

// A started child: its pid and, when its output is captured, the read end of the pipe.
struct Started {
  pid_t pid = -1;
  UniqueFd output;
};

// Forks and execs `command`. The output goes to `stdout_file` if set, else to a pipe if
// `capture`, else to warden's own stdout and stderr. Returns once the exec has succeeded.
absl::StatusOr<Started> StartChild(const Command& command, bool capture, bool die_with_parent) {
  if (absl::Status valid = ValidateCommand(command); !valid.ok()) return valid;

  std::optional<OsUser> user;
  std::vector<gid_t> groups;
  std::map<std::string, std::string> env = command.env;
  env.emplace("PATH", "/usr/bin:/bin");
  if (!command.run_as_user.empty() && RunningAsRoot()) {
    absl::StatusOr<OsUser> found = LookupUser(command.run_as_user);
    if (!found.ok()) return found.status();
    user = *std::move(found);
    absl::StatusOr<std::vector<gid_t>> user_groups = GroupsOf(*user);
    if (!user_groups.ok()) return user_groups.status();
    groups = *std::move(user_groups);
    env.emplace("HOME", user->home);
  }

  std::vector<std::string> env_strings;
  env_strings.reserve(env.size());
  for (const auto& [name, value] : env) env_strings.push_back(absl::StrCat(name, "=", value));
  std::vector<char*> argv;
  for (const std::string& arg : command.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& entry : env_strings) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  UniqueFd output_read;
  UniqueFd output_write;
  if (!command.stdout_file.empty()) {
    absl::StatusOr<UniqueFd> file =
        OpenOutputFile(command.stdout_file, user.has_value() ? &*user : nullptr);
    if (!file.ok()) return file.status();
    output_write = *std::move(file);
  } else if (capture) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus(errno, "cannot create the output pipe");
    output_read.Reset(fds[0]);
    output_write.Reset(fds[1]);
    if (fcntl(output_read.get(), F_SETFL, O_NONBLOCK) != 0) {
      return ErrnoStatus(errno, "cannot make the output pipe non-blocking");
    }
  }
  int failure_fds[2];
  if (pipe2(failure_fds, O_CLOEXEC) != 0) {
    return ErrnoStatus(errno, "cannot create the exec status pipe");
  }
  UniqueFd failure_read(failure_fds[0]);
  UniqueFd failure_write(failure_fds[1]);

  ChildPlan plan;
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.output_fd = output_write.get();
  plan.failure_fd = failure_write.get();
  plan.switch_user = user.has_value();
  if (user.has_value()) {
    plan.uid = user->uid;
    plan.gid = user->gid;
    plan.groups = groups.data();
    plan.group_count = groups.size();
  }
  plan.working_dir = command.working_dir.empty() ? nullptr : command.working_dir.c_str();
  plan.die_with_parent = die_with_parent;
  plan.parent = getpid();

  // Block every signal across fork() so that no handler of warden's runs in the child; the child
  // resets the dispositions and then unblocks.
  sigset_t all;
  sigset_t saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t pid = fork();
  if (pid == 0) RunChild(plan);
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) {
    return ErrnoStatus(fork_errno, absl::StrCat("cannot fork to run ", command.argv[0]));
  }
  output_write.Reset();
  failure_write.Reset();

  // The pipe closes at exec (CLOEXEC) or carries the reason the child gave up.
  ChildFailure failure;
  ssize_t n;
  do {
    n = read(failure_read.get(), &failure, sizeof(failure));
  } while (n < 0 && errno == EINTR);
  if (n != 0) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof(failure))) {
      return FailureStatus(failure, command, user.has_value() ? user->name : "");
    }
    return absl::InternalError(
        absl::StrCat("lost the exec status of the child for ", command.argv[0]));
  }
  return Started{pid, std::move(output_read)};
}

// The parent's side of RunCommand: reads the output and watches for the child's exit.
class Supervisor {
 public:
  Supervisor(Started started, const std::function<void(std::string_view)>& on_output)
      : pid_(started.pid),
        pidfd_(OpenPidFd(started.pid)),
        output_fd_(std::move(started.output)),
        on_output_(on_output) {}

  const std::string& output() const { return output_; }

  // Reads output until the child exits (true) or `until` passes (false). The child is not
  // reaped, so that its pid (the process group's id) cannot be reused meanwhile.
  bool Pump(absl::Time until) {
    while (true) {
      if (Exited()) return true;
      int timeout = PollTimeoutMs(until);
      if (timeout == 0) return false;
      pollfd fds[2];
      nfds_t count = 0;
      if (output_fd_.valid()) fds[count++] = {output_fd_.get(), POLLIN, 0};
      if (pidfd_.valid()) {
        fds[count++] = {pidfd_.get(), POLLIN, 0};
      } else if (timeout < 0 || timeout > kPollIntervalMs) {
        timeout = kPollIntervalMs;
      }
      if (poll(fds, count, timeout) > 0 && output_fd_.valid() && fds[0].revents != 0) {
        ReadOnce();
      }
    }
  }

  // Reads what output is left once the child has exited, without waiting for more.
  void Drain() {
    size_t total = 0;
    while (output_fd_.valid() && total < kMaxDrainAfterExit) {
      ssize_t n = ReadOnce();
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    output_fd_.Reset();
  }

  // Sends `sig` to the child's process group and to the child itself (should it have left it).
  void SignalAll(int sig) {
    kill(-pid_, sig);
    kill(pid_, sig);
  }

  // Waits for the child and returns its wait status (-1 if someone else reaped it).
  int Reap() {
    int status = -1;
    while (waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) return -1;
    }
    return status;
  }

 private:
  // Whether the child has exited (it stays a zombie until Reap).
  bool Exited() {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      return errno != EINTR;  // ECHILD: reaped behind our back; do not wait forever
    }
    return info.si_pid == pid_;
  }

  // One read from the pipe; closes it at EOF. Returns the byte count, 0 at EOF, -1 if nothing.
  ssize_t ReadOnce() {
    char buffer[16384];
    ssize_t n = read(output_fd_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      output_.append(buffer, static_cast<size_t>(n));
      if (output_.size() > 2 * kMaxCapturedOutput) {
        output_.erase(0, output_.size() - kMaxCapturedOutput);
      }
      if (on_output_) on_output_(std::string_view(buffer, static_cast<size_t>(n)));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      output_fd_.Reset();
      return 0;
    }
    return n;
  }

  const pid_t pid_;
  UniqueFd pidfd_;
  UniqueFd output_fd_;
  const std::function<void(std::string_view)>& on_output_;
  std::string output_;
};

}  // namespace

bool WaitForProcessExit(pid_t pid, absl::Time deadline) {
  const auto terminated = [pid] {
    std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
    std::string text;
    std::getline(stat, text);
    const size_t close_paren = text.rfind(')');
    if (!stat.good() || close_paren == std::string::npos || close_paren + 2 >= text.size()) {
      return true;  // gone altogether
    }
    const char state = text[close_paren + 2];
    return state == 'Z' || state == 'X';
  };
  const UniqueFd pidfd = OpenPidFd(pid);
  while (!terminated()) {
    int timeout = PollTimeoutMs(deadline);
    if (timeout == 0) return false;
    if (!pidfd.valid()) {
      if (timeout < 0 || timeout > kPollIntervalMs) timeout = kPollIntervalMs;
      poll(nullptr, 0, timeout);
      continue;
    }
    pollfd fd = {pidfd.get(), POLLIN, 0};
    poll(&fd, 1, timeout);  // readable once the process has terminated
  }
  return true;
}

absl::StatusOr<CommandResult> RunCommand(const Command& command, absl::Time deadline,
                                         const std::function<void(std::string_view)>& on_output) {
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError(
        absl::StrCat("deadline passed before starting `", Describe(command), "`"));
  }
  absl::StatusOr<Started> started = StartChild(command, /*capture=*/true, false);
  if (!started.ok()) return started.status();
  Supervisor child(*std::move(started), on_output);

  if (!child.Pump(deadline)) {
    child.SignalAll(SIGTERM);
    child.Pump(absl::Now() + kTerminationGrace);
    child.SignalAll(SIGKILL);
    child.Pump(absl::InfiniteFuture());
    child.Drain();
    child.Reap();
    return absl::DeadlineExceededError(
        absl::StrCat("`", Describe(command), "` did not finish by its deadline and was killed",
                     child.output().empty() ? "" : "; output ends with: ",
                     Tail(child.output(), kOutputInMessage)));
  }
  // The exited child, unreaped, still holds its process group's id: clean up the group.
  child.SignalAll(SIGKILL);
  child.Drain();
  int status = child.Reap();

  CommandResult result;
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (status != -1 && WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  result.output = Tail(child.output(), kMaxCapturedOutput);
  return result;
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const Command& command,
                                                                  bool die_with_parent) {
  absl::StatusOr<Started> started = StartChild(command, /*capture=*/false, die_with_parent);
  if (!started.ok()) return started.status();
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(started->pid, OpenPidFd(started->pid).Release()));
}

ChildProcess::~ChildProcess() {
  {
    absl::MutexLock lock(&mu_);
    if (!released_ && !reaped_) {
      // Even an exited child is a zombie until reaped, so its group id is still ours to signal.
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      int status;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  if (pidfd_ >= 0) close(pidfd_);
}

bool ChildProcess::PollLocked() {
  if (released_ || reaped_) return false;
  while (true) {
    int status;
    pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == 0) return true;
    if (reaped == pid_) {
      reaped_ = true;
      wait_status_ = status;
      return false;
    }
    if (errno != EINTR) {  // ECHILD: reaped elsewhere; the status is unknown
      reaped_ = true;
      return false;
    }
  }
}

bool ChildProcess::Running() {
  absl::MutexLock lock(&mu_);
  return PollLocked();
}

std::optional<int> ChildProcess::ExitCode() {
  absl::MutexLock lock(&mu_);
  PollLocked();
  if (!wait_status_.has_value() || !WIFEXITED(*wait_status_)) return std::nullopt;
  return WEXITSTATUS(*wait_status_);
}

std::optional<int> ChildProcess::TermSignal() {
  absl::MutexLock lock(&mu_);
  PollLocked();
  if (!wait_status_.has_value() || !WIFSIGNALED(*wait_status_)) return std::nullopt;
  return WTERMSIG(*wait_status_);
}

absl::Status ChildProcess::Signal(int sig) {
  absl::MutexLock lock(&mu_);
  if (released_) {
    return absl::FailedPreconditionError(absl::StrCat("child ", pid_, " was released"));
  }
  if (reaped_) {
    return absl::FailedPreconditionError(absl::StrCat("child ", pid_, " has exited"));
  }
  if (kill(pid_, sig) != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot send signal ", sig, " to child ", pid_));
  }
  return absl::OkStatus();
}

bool ChildProcess::WaitForExit(absl::Time deadline) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (!PollLocked()) return true;
    }
    int timeout = PollTimeoutMs(deadline);
    if (timeout == 0) return false;
    if (pidfd_ >= 0) {
      pollfd fd = {pidfd_, POLLIN, 0};
      poll(&fd, 1, timeout);
    } else {
      poll(nullptr, 0, timeout < 0 ? kPollIntervalMs : std::min(timeout, kPollIntervalMs));
    }
  }
}

void ChildProcess::Release() {
  absl::MutexLock lock(&mu_);
  released_ = true;
}

bool RunningAsRoot() { return geteuid() == 0; }

absl::StatusOr<OsUser> LookupUser(const std::string& name) {
  long size_hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size_hint > 0 ? static_cast<size_t>(size_hint) : 16384);
  while (true) {
    struct passwd entry;
    struct passwd* found = nullptr;
    int rc = getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc == EINTR) continue;
    if (rc == ERANGE && buffer.size() < (1 << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0) return ErrnoStatus(rc, absl::StrCat("cannot look up user ", name));
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("no such user: ", name));
    return OsUser{entry.pw_uid, entry.pw_gid, entry.pw_dir, entry.pw_name};
  }
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode,
                                 const OsUser* owner) {
  std::string temp = absl::StrCat(path, ".tmp.XXXXXX");
  UniqueFd fd(mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat("cannot create a file next to ", path));

  auto fail = [&temp](const std::string& what) {
    absl::Status status = ErrnoStatus(errno, absl::StrCat(what, " ", temp));
    unlink(temp.c_str());
    return status;
  };
  if (fchmod(fd.get(), mode) != 0) return fail("cannot set the mode of");
  if (owner != nullptr && RunningAsRoot() && fchown(fd.get(), owner->uid, owner->gid) != 0) {
    return fail("cannot set the owner of");
  }
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = write(fd.get(), contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    written += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) return fail("cannot sync");
  if (close(fd.Release()) != 0) return fail("cannot close");
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status status = ErrnoStatus(errno, absl::StrCat("cannot rename ", temp, " to ", path));
    unlink(temp.c_str());
    return status;
  }

  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid() || fsync(dir_fd.get()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot sync directory ", dir));
  }
  return absl::OkStatus();
}

}  // namespace warden::pg_internal
