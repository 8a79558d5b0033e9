// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Tests of the subprocess utility with real programs (/bin/sh, /bin/sleep, /usr/bin/env, ...).
// The tests that switch users need root and a "postgres" account; they skip otherwise.

#include "src/pg/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace warden::pg_internal {
namespace {

// A generous deadline for commands that should finish at once.
absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

// Whether process `pid` no longer runs: gone, or a zombie waiting for someone else to reap it.
bool Dead(pid_t pid) {
  if (kill(pid, 0) == -1 && errno == ESRCH) return true;
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

// Waits up to a second for `pid` to die (signals and reaping by init are asynchronous).
bool DiesSoon(pid_t pid) {
  absl::Time until = absl::Now() + absl::Seconds(1);
  while (absl::Now() < until) {
    if (Dead(pid)) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return Dead(pid);
}

// A scratch directory, removed with its contents at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = "/tmp/warden_subprocess_test.XXXXXX";
    path_ = mkdtemp(templ.data()) != nullptr ? templ : "";
  }
  ~ScratchDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The "postgres" account, or nullopt if the tests cannot switch to it.
std::optional<OsUser> PostgresUser() {
  if (!RunningAsRoot()) return std::nullopt;
  absl::StatusOr<OsUser> user = LookupUser("postgres");
  if (!user.ok()) return std::nullopt;
  return *user;
}

TEST(RunCommandTest, CapturesOutput) {
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/echo", "hello", "world"}}, Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->term_signal, 0);
  EXPECT_EQ(result->output, "hello world\n");
}

TEST(RunCommandTest, ReportsNonZeroExitAndStderr) {
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/sh", "-c", "echo oops >&2; exit 3"}}, Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->output, "oops\n");
}

TEST(RunCommandTest, ReportsDeathBySignal) {
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/sh", "-c", "kill -KILL $$"}}, Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, -1);
  EXPECT_EQ(result->term_signal, SIGKILL);
}

TEST(RunCommandTest, DeadlineTerminatesTheChild) {
  absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/sh", "-c", "echo started; exec /bin/sleep 30"}},
                 start + absl::Milliseconds(200));
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_TRUE(absl::StrContains(result.status().message(), "/bin/sleep 30")) << result.status();
  EXPECT_TRUE(absl::StrContains(result.status().message(), "started")) << result.status();
  EXPECT_GE(took, absl::Milliseconds(200));
  EXPECT_LT(took, absl::Milliseconds(2500));
}

TEST(RunCommandTest, DeadlineKillsTheWholeProcessGroup) {
  std::string output;
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/sh", "-c", "/bin/sleep 30 & echo $!; wait"}},
                 absl::Now() + absl::Milliseconds(300),
                 [&output](std::string_view chunk) { output.append(chunk); });
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(output), &grandchild)) << output;
  EXPECT_TRUE(DiesSoon(grandchild));
}

TEST(RunCommandTest, SigkillFollowsAnIgnoredSigterm) {
  absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> result = RunCommand(
      {.argv = {"/bin/sh", "-c", "trap '' TERM; /bin/sleep 30"}}, start + absl::Milliseconds(100));
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_GE(took, absl::Milliseconds(100) + kTerminationGrace);
  EXPECT_LT(took, absl::Milliseconds(1000) + kTerminationGrace);
}

TEST(RunCommandTest, BackgroundLeftoversDoNotDelayTheResultAndAreKilled) {
  absl::Time start = absl::Now();
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/sh", "-c", "/bin/sleep 30 & echo $!"}}, Soon());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0);
  int leftover = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(result->output), &leftover))
      << result->output;
  EXPECT_TRUE(DiesSoon(leftover));
}

TEST(RunCommandTest, MissingOrNonExecutableProgramIsNotFound) {
  absl::StatusOr<CommandResult> missing = RunCommand({.argv = {"/no/such/program"}}, Soon());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "/no/such/program"));

  absl::StatusOr<CommandResult> not_executable = RunCommand({.argv = {"/etc/hostname"}}, Soon());
  EXPECT_EQ(not_executable.status().code(), absl::StatusCode::kNotFound) << not_executable.status();
}

TEST(RunCommandTest, RejectsMalformedCommands) {
  EXPECT_EQ(RunCommand({}, Soon()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunCommand({.argv = {"echo", "hi"}}, Soon()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunCommand({.argv = {"/bin/true"}, .env = {{"A=B", "c"}}}, Soon()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RunCommandTest, EnvironmentIsExactlyWhatWasGiven) {
  setenv("WARDEN_TEST_LEAK", "1", 1);
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/usr/bin/env"}, .env = {{"FOO", "bar baz"}, {"PGDATA", "/x"}}}, Soon());
  unsetenv("WARDEN_TEST_LEAK");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output, "FOO=bar baz\nPATH=/usr/bin:/bin\nPGDATA=/x\n");

  absl::StatusOr<CommandResult> own_path =
      RunCommand({.argv = {"/usr/bin/env"}, .env = {{"PATH", "/opt/bin"}}}, Soon());
  ASSERT_TRUE(own_path.ok()) << own_path.status();
  EXPECT_EQ(own_path->output, "PATH=/opt/bin\n");
}

TEST(RunCommandTest, SignalsAndDescriptorsAreNotInherited) {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction saved_action;
  sigaction(SIGUSR1, &ignore, &saved_action);
  sigset_t block;
  sigset_t saved_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, &saved_mask);
  int leaked_fd = open("/dev/null", O_RDONLY);  // no O_CLOEXEC

  absl::StatusOr<CommandResult> status =
      RunCommand({.argv = {"/bin/grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"}}, Soon());
  absl::StatusOr<CommandResult> fds = RunCommand({.argv = {"/bin/ls", "/proc/self/fd"}}, Soon());

  close(leaked_fd);
  sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
  sigaction(SIGUSR1, &saved_action, nullptr);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->output, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  ASSERT_TRUE(fds.ok()) << fds.status();
  EXPECT_EQ(fds->output, "0\n1\n2\n3\n");  // 3 is ls's own handle on the directory
}

TEST(RunCommandTest, RunsInTheWorkingDirectory) {
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/pwd"}, .working_dir = "/usr/share"}, Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output, "/usr/share\n");

  absl::StatusOr<CommandResult> missing =
      RunCommand({.argv = {"/bin/pwd"}, .working_dir = "/no/such/dir"}, Soon());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
}

TEST(RunCommandTest, DeliversOutputChunksAsTheyArrive) {
  std::vector<std::string> chunks;
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/sh", "-c", "printf '1%%\\r' >&2; sleep 0.1; printf '2%%\\r'"}},
                 Soon(), [&chunks](std::string_view chunk) { chunks.emplace_back(chunk); });
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0], "1%\r");
  EXPECT_EQ(chunks[1], "2%\r");
  EXPECT_EQ(result->output, "1%\r2%\r");
}

TEST(RunCommandTest, KeepsTheTailOfLongOutput) {
  absl::StatusOr<CommandResult> result = RunCommand(
      {.argv = {"/bin/sh", "-c", "/usr/bin/head -c 300000 /dev/zero; echo; echo end"}}, Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output.size(), kMaxCapturedOutput);
  EXPECT_TRUE(absl::EndsWith(result->output, "\nend\n"));
}

TEST(RunCommandTest, AppendsOutputToAFile) {
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string log = dir.path() + "/out.log";
  Command command = {.argv = {"/bin/sh", "-c", "echo out; echo err >&2"}, .stdout_file = log};
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<CommandResult> result = RunCommand(command, Soon());
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->exit_code, 0);
    EXPECT_EQ(result->output, "");
  }
  EXPECT_EQ(ReadFile(log), "out\nerr\nout\nerr\n");
  struct stat st;
  ASSERT_EQ(stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  std::filesystem::create_symlink("/etc/hostname", dir.path() + "/link.log");
  command.stdout_file = dir.path() + "/link.log";
  EXPECT_FALSE(RunCommand(command, Soon()).ok());
}

TEST(RunCommandTest, RunsAsAnotherUser) {
  std::optional<OsUser> postgres = PostgresUser();
  if (!postgres.has_value()) GTEST_SKIP() << "needs root and a postgres account";

  absl::StatusOr<CommandResult> uid =
      RunCommand({.argv = {"/usr/bin/id", "-u"}, .run_as_user = "postgres"}, Soon());
  ASSERT_TRUE(uid.ok()) << uid.status();
  EXPECT_EQ(uid->output, absl::StrCat(postgres->uid, "\n"));

  absl::StatusOr<CommandResult> gid =
      RunCommand({.argv = {"/usr/bin/id", "-g"}, .run_as_user = "postgres"}, Soon());
  ASSERT_TRUE(gid.ok()) << gid.status();
  EXPECT_EQ(gid->output, absl::StrCat(postgres->gid, "\n"));

  absl::StatusOr<CommandResult> groups =
      RunCommand({.argv = {"/usr/bin/id", "-G"}, .run_as_user = "postgres"}, Soon());
  absl::StatusOr<CommandResult> expected_groups =
      RunCommand({.argv = {"/usr/bin/id", "-G", "postgres"}}, Soon());
  ASSERT_TRUE(groups.ok() && expected_groups.ok());
  EXPECT_EQ(groups->output, expected_groups->output);

  absl::StatusOr<CommandResult> env =
      RunCommand({.argv = {"/usr/bin/env"}, .run_as_user = "postgres"}, Soon());
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->output, absl::StrCat("HOME=", postgres->home, "\nPATH=/usr/bin:/bin\n"));
}

TEST(RunCommandTest, OutputFileBelongsToTheUser) {
  std::optional<OsUser> postgres = PostgresUser();
  if (!postgres.has_value()) GTEST_SKIP() << "needs root and a postgres account";
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string log = dir.path() + "/pg.log";
  absl::StatusOr<CommandResult> result = RunCommand(
      {.argv = {"/usr/bin/id", "-un"}, .run_as_user = "postgres", .stdout_file = log}, Soon());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(ReadFile(log), "postgres\n");
  struct stat st;
  ASSERT_EQ(stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, postgres->uid);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(RunCommandTest, UnknownUserIsNotFound) {
  if (!RunningAsRoot()) GTEST_SKIP() << "run_as_user is ignored when not root";
  absl::StatusOr<CommandResult> result =
      RunCommand({.argv = {"/bin/true"}, .run_as_user = "no-such-user-42"}, Soon());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound) << result.status();
  EXPECT_TRUE(absl::StrContains(result.status().message(), "no-such-user-42"));
}

TEST(RunCommandTest, RunsFromManyThreadsAtOnce) {
  constexpr int kThreads = 8;
  constexpr int kRuns = 10;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < kRuns; ++i) {
        std::string word = absl::StrCat(t, "-", i);
        absl::StatusOr<CommandResult> result = RunCommand({.argv = {"/bin/echo", word}}, Soon());
        if (!result.ok() || result->exit_code != 0 || result->output != word + "\n") ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(kThreads, 0));
}

TEST(ChildProcessTest, RunsUntilKilled) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = {"/bin/sleep", "30"}});
  ASSERT_TRUE(child.ok()) << child.status();
  ChildProcess& process = **child;
  EXPECT_GT(process.pid(), 0);
  EXPECT_EQ(getpgid(process.pid()), process.pid());
  EXPECT_TRUE(process.Running());
  EXPECT_EQ(process.ExitCode(), std::nullopt);

  absl::Time start = absl::Now();
  EXPECT_FALSE(process.WaitForExit(start + absl::Milliseconds(50)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));

  ASSERT_TRUE(process.Signal(SIGKILL).ok());
  EXPECT_TRUE(process.WaitForExit(absl::Now() + absl::Seconds(5)));
  EXPECT_FALSE(process.Running());
  EXPECT_EQ(process.TermSignal(), SIGKILL);
  EXPECT_EQ(process.ExitCode(), std::nullopt);
  EXPECT_EQ(process.Signal(SIGTERM).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ChildProcessTest, ReportsTheExitCode) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = {"/bin/sh", "-c", "exit 7"}});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE((*child)->WaitForExit(absl::Now() + absl::Seconds(5)));
  EXPECT_EQ((*child)->ExitCode(), 7);
  EXPECT_EQ((*child)->TermSignal(), std::nullopt);
}

TEST(ChildProcessTest, MissingProgramIsNotFound) {
  EXPECT_EQ(ChildProcess::Spawn({.argv = {"/no/such/postgres"}}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ChildProcessTest, DestructorKillsARunningChild) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = {"/bin/sleep", "30"}});
  ASSERT_TRUE(child.ok()) << child.status();
  pid_t pid = (*child)->pid();
  child->reset();
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcessTest, ReleaseLeavesTheChildRunning) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = {"/bin/sleep", "30"}});
  ASSERT_TRUE(child.ok()) << child.status();
  pid_t pid = (*child)->pid();
  (*child)->Release();
  EXPECT_FALSE((*child)->Running());
  child->reset();
  EXPECT_EQ(kill(pid, 0), 0);
  kill(pid, SIGKILL);
  int status;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
}

TEST(ChildProcessTest, OutputGoesToTheFile) {
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string log = dir.path() + "/postmaster.log";
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn({.argv = {"/bin/sh", "-c", "echo ready >&2"}, .stdout_file = log});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE((*child)->WaitForExit(absl::Now() + absl::Seconds(5)));
  EXPECT_EQ(ReadFile(log), "ready\n");
}

// The child of a process that dies gets SIGKILL, also after a user switch (which would clear the
// parent-death signal if it came first). A forked helper acts as subreaper to observe this.
TEST(ChildProcessTest, DieWithParent) {
  pid_t helper = fork();
  ASSERT_GE(helper, 0);
  if (helper == 0) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    int pid_pipe[2];
    if (pipe(pid_pipe) != 0) _exit(2);
    pid_t parent = fork();
    if (parent == 0) {
      Command command = {.argv = {"/bin/sleep", "30"}};
      if (PostgresUser().has_value()) command.run_as_user = "postgres";
      absl::StatusOr<std::unique_ptr<ChildProcess>> child =
          ChildProcess::Spawn(command, /*die_with_parent=*/true);
      if (!child.ok()) _exit(2);
      pid_t pid = (*child)->pid();
      (*child)->Release();
      _exit(write(pid_pipe[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 2);
    }
    int status;
    pid_t orphan = 0;
    if (waitpid(parent, &status, 0) != parent || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        read(pid_pipe[0], &orphan, sizeof(orphan)) != sizeof(orphan)) {
      _exit(3);
    }
    // The orphan is now the helper's child; it must die at once.
    for (int i = 0; i < 500; ++i) {
      if (waitpid(orphan, &status, WNOHANG) == orphan) {
        _exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 4);
      }
      usleep(10000);
    }
    kill(orphan, SIGKILL);
    waitpid(orphan, &status, 0);
    _exit(5);
  }
  int status;
  ASSERT_EQ(waitpid(helper, &status, 0), helper);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(UserTest, LookupUser) {
  absl::StatusOr<OsUser> root = LookupUser("root");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->uid, 0u);
  EXPECT_EQ(root->gid, 0u);
  EXPECT_EQ(root->name, "root");
  EXPECT_FALSE(root->home.empty());

  absl::StatusOr<OsUser> missing = LookupUser("no-such-user-42");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "no-such-user-42"));
}

TEST(WriteFileAtomicallyTest, WritesWithModeAndReplaces) {
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/postgresql.auto.conf";
  ASSERT_TRUE(WriteFileAtomically(path, "first\n", 0600, nullptr).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second\n", 0640, nullptr).ok());
  EXPECT_EQ(ReadFile(path), "second\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);  // no temporary file left behind

  EXPECT_EQ(WriteFileAtomically(dir.path() + "/no/such/dir/f", "x", 0600, nullptr).code(),
            absl::StatusCode::kNotFound);
}

TEST(WriteFileAtomicallyTest, SetsTheOwner) {
  std::optional<OsUser> postgres = PostgresUser();
  if (!postgres.has_value()) GTEST_SKIP() << "needs root and a postgres account";
  ScratchDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string path = dir.path() + "/standby.signal";
  ASSERT_TRUE(WriteFileAtomically(path, "", 0600, &*postgres).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, postgres->uid);
  EXPECT_EQ(st.st_gid, postgres->gid);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

}  // namespace
}  // namespace warden::pg_internal
