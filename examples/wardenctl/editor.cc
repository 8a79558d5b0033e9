// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "editor.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace warden::ctl {
namespace {

// wardenctl runs commands on one thread: reading the environment is safe.
std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  return value == nullptr ? "" : value;
}

bool OnPath(const std::string& program) {
  const std::string path = Env("PATH");
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    if (!dir.empty() && ::access(absl::StrCat(dir, "/", program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

absl::StatusOr<std::string> EditorCommand() {
  if (std::string editor = Env("EDITOR"); !editor.empty()) return editor;
  for (const char* fallback : {"editor", "vi"}) {
    if (OnPath(fallback)) return std::string(fallback);
  }
  return absl::FailedPreconditionError(
      "EDITOR environment variable is not set. editor or vi are not available");
}

// The path quoted for the shell: mkstemps names hold no quote, but be safe anyway.
std::string ShellQuoted(const std::string& path) {
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

absl::StatusOr<std::string> RunEditor(const std::string& editor, const std::string& path) {
  // Through the shell, as EDITOR may carry arguments ("code --wait").
  const std::string command = absl::StrCat(editor, " ", ShellQuoted(path));
  const int rc = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (rc != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("Editor exited with return code ", WIFEXITED(rc) ? WEXITSTATUS(rc) : rc));
  }
  std::ifstream file(path);
  std::stringstream edited;
  edited << file.rdbuf();
  if (!file) return absl::FailedPreconditionError(absl::StrCat("cannot read back ", path));
  return edited.str();
}

}  // namespace

absl::StatusOr<std::string> EditInEditor(const std::string& text) {
  absl::StatusOr<std::string> editor = EditorCommand();
  if (!editor.ok()) return editor.status();
  const std::string tmpdir = Env("TMPDIR");
  std::string path =
      absl::StrCat(tmpdir.empty() ? "/tmp" : tmpdir, "/wardenctl-config-XXXXXX.yaml");
  const int fd = ::mkstemps(path.data(), 5);
  if (fd < 0) return absl::FailedPreconditionError("cannot create a temporary file");
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  absl::StatusOr<std::string> edited =
      written ? RunEditor(*editor, path)
              : absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  ::unlink(path.c_str());
  return edited;
}

}  // namespace warden::ctl
