// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Running PostgreSQL's programs (initdb, pg_basebackup, pg_rewind, pg_controldata, pg_ctl and the
// postmaster) as child processes: fork and exec with an exact environment, an optional switch to
// an unprivileged user, output capture or redirection, deadlines, and a guarantee that no child
// (nor anything in its process group) is left running or unreaped by accident.
//
// The child side of fork() only makes async-signal-safe system calls: everything it needs (argv,
// environment, the user's groups, the output file) is prepared before the fork, so the functions
// here are safe to call from a multi-threaded process. They do rely on nobody else reaping warden's
// children: SIGCHLD must not be set to SIG_IGN and no other thread may call waitpid(-1).

#ifndef WARDEN_SRC_PG_SUBPROCESS_H_
#define WARDEN_SRC_PG_SUBPROCESS_H_

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace warden::pg_internal {

// What to run and how.
struct Command {
  // The program and its arguments; argv[0] must be an absolute path (no PATH search).
  std::vector<std::string> argv = {};
  // The child's whole environment: nothing is inherited. PATH=/usr/bin:/bin is added if absent,
  // and HOME (the user's home) if absent and `run_as_user` applies.
  std::map<std::string, std::string> env = {};
  // If non-empty and warden runs as root, the child switches to this user (supplementary groups,
  // gid, then uid) before exec. Ignored when warden is not root.
  std::string run_as_user = {};
  // The child's working directory (entered after the user switch), if non-empty.
  std::string working_dir = {};
  // If non-empty, the child's stdout and stderr are appended to this file instead of being
  // captured. It is opened by warden with O_APPEND|O_CREAT|O_NOFOLLOW and mode 0600, must be a
  // regular file, and is given to `run_as_user` (when that applies) if owned by someone else.
  std::string stdout_file = {};
};

// How a command ended.
struct CommandResult {
  int exit_code = -1;   // the exit status if the child exited, else -1
  int term_signal = 0;  // the signal that killed the child, else 0
  std::string output =
      {};  // captured stdout+stderr (at most the last 64 KiB); empty with stdout_file
};

// The most output a CommandResult keeps (its tail).
inline constexpr size_t kMaxCapturedOutput = size_t{64} * 1024;

// How long a child gets after SIGTERM before SIGKILL when a deadline passes.
inline constexpr absl::Duration kTerminationGrace = absl::Seconds(2);

// Runs `command` to completion or until `deadline`. At the deadline the child's process group gets
// SIGTERM, then SIGKILL after kTerminationGrace, and the result is DEADLINE_EXCEEDED naming the
// command and quoting the last 4 KiB of output (also, without running anything, if `deadline` has
// already passed). When the child exits, whatever is left in its process group is killed, and the
// child is always reaped. `on_output`, if set, receives each chunk of output as it arrives (raw:
// progress lines ending in \r are not split). A non-zero exit is not an error: it is in the
// result. Errors: INVALID_ARGUMENT for a malformed command; NOT_FOUND if argv[0] does not exist or
// is not executable, or `run_as_user` or `working_dir` does not exist; PERMISSION_DENIED or
// FAILED_PRECONDITION for an unusable `working_dir` or `stdout_file`; INTERNAL if fork, pipe or
// the user switch fails.
absl::StatusOr<CommandResult> RunCommand(
    const Command& command, absl::Time deadline,
    const std::function<void(std::string_view)>& on_output = nullptr);

// Waits until process `pid`, which need not be a child of this one (a postmaster left by an
// earlier agent), has terminated or `deadline` passes; true if it terminated (a zombie counts:
// its parent, not warden, reaps it). Waits on a pidfd where the kernel has pidfd_open, else
// polls /proc every 10 ms.
bool WaitForProcessExit(pid_t pid, absl::Time deadline);

// A long-running child (the postmaster) in its own process group. Thread-safe.
class ChildProcess {
 public:
  // Starts `command` and returns at once. Without `stdout_file` the child writes to warden's own
  // stdout and stderr; its stdin is /dev/null. With `die_with_parent` the child gets SIGKILL when
  // warden dies (PR_SET_PDEATHSIG). Note that Linux ties that to the *thread* that forks: call
  // Spawn from a thread that lives as long as the child should. Errors as for RunCommand.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const Command& command,
                                                             bool die_with_parent = false);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // If the child still runs, SIGKILLs its process group and reaps it, so that a forgotten child
  // is never leaked. (PostgreSQL's backends put themselves in process groups of their own: stop a
  // postmaster with Signal() and WaitForExit() rather than relying on this.)
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // Whether the child still runs. Non-blocking; reaps the child once it has exited.
  bool Running();

  // The exit status, if the child has exited normally.
  std::optional<int> ExitCode();

  // The signal that killed the child, if it was killed by one.
  std::optional<int> TermSignal();

  // Sends `sig` to the child alone (not its process group). FAILED_PRECONDITION once the child
  // has been reaped or released, INTERNAL if kill() fails.
  absl::Status Signal(int sig);

  // Waits until the child exits or `deadline` passes (without spinning); true if it exited.
  bool WaitForExit(absl::Time deadline);

  // Forgets the child without killing it, for a deliberate hand-over: the destructor then does
  // nothing and nobody reaps the child here.
  void Release();

 private:
  ChildProcess(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}

  // Reaps the child if it has exited. Returns whether it is still running (false once reaped or
  // released).
  bool PollLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const pid_t pid_;
  const int pidfd_;  // from pidfd_open, or -1 where unavailable; closed by the destructor

  absl::Mutex mu_;
  bool reaped_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<int> wait_status_ ABSL_GUARDED_BY(mu_);  // from waitpid, once reaped (if known)
};

// Whether this process runs as root (effective uid 0).
bool RunningAsRoot();

// An operating-system user account.
struct OsUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home = {};
  std::string name = {};
};

// Looks up the user `name`. NOT_FOUND naming the user if there is none.
absl::StatusOr<OsUser> LookupUser(const std::string& name);

// Replaces `path` atomically with `contents`: a temporary file in the same directory, written,
// given `mode` (and `owner` when that is set and warden runs as root), fsynced and renamed over
// `path`; the directory is then fsynced.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents, mode_t mode,
                                 const OsUser* owner);

}  // namespace warden::pg_internal

#endif  // WARDEN_SRC_PG_SUBPROCESS_H_
