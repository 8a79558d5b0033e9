// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// restart, reload and reinit: one REST call per chosen member, each result on its own line in
// patronictl's words. Members are chosen as patronictl's get_members does: those named (all of
// them for restart and reload when none is), filtered by --role, after showing the cluster.
// The exit code is 1 when any member failed.

#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cluster_read.h"
#include "commands.h"
#include "members_table.h"
#include "prompt.h"
#include "py_json.h"

namespace warden::ctl {
namespace {

using Members = std::vector<const Member*>;

std::vector<std::string> NamesWithRole(const ClusterView& view, const std::string& role) {
  const std::string leader = view.leader ? view.leader->name : "";
  std::vector<std::string> names;
  for (const Member& m : view.members) {
    const bool is_leader = m.name == leader;
    const bool leader_role = role == "leader" || role == "primary" || role == "master";
    if (role == "any" || (leader_role && is_leader) || (role == "replica" && !is_leader)) {
      names.push_back(m.name);
    }
  }
  return names;
}

// The names the user gave, kept to those with the role; or, without names, all with the role.
absl::StatusOr<std::vector<std::string>> FilterByRole(const ClusterView& view,
                                                      std::vector<std::string> names,
                                                      const std::string& role) {
  const std::vector<std::string> with_role = NamesWithRole(view, role);
  if (names.empty()) return with_role;
  std::erase_if(names, [&](const std::string& n) {
    return std::find(with_role.begin(), with_role.end(), n) == with_role.end();
  });
  if (names.empty())
    return absl::NotFoundError(absl::StrCat("No ", role, " among provided members"));
  return names;
}

absl::StatusOr<Members> ChooseMembers(CtlContext& ctx, const ClusterView& view,
                                      const std::string& action,
                                      const std::optional<std::string>& role) {
  std::vector<std::string> names(ctx.args.positionals.begin() + 1, ctx.args.positionals.end());
  if (!ctx.args.force || role) {
    if (names.empty() && view.members.empty()) {
      return absl::NotFoundError(absl::StrCat(ctx.scope, " cluster doesn't have any members"));
    }
    ctx.out << FormatMembers(view, ctx.scope, "pretty", false);
  }
  // Unknown names first: patronictl would report them as "No any among provided members".
  for (const std::string& name : names) {
    if (view.FindMember(name) == nullptr) {
      return absl::NotFoundError(absl::StrCat(name, " is not a member of cluster"));
    }
  }
  if (role) {
    absl::StatusOr<std::vector<std::string>> filtered = FilterByRole(view, names, *role);
    if (!filtered.ok()) return filtered.status();
    names = *std::move(filtered);
  }
  if (names.empty() && !ctx.args.force) {
    std::vector<std::string> all;
    for (const Member& m : view.members) all.push_back(m.name);
    std::optional<std::string> answer = Prompt(
        ctx.in, ctx.out,
        absl::StrCat("Which member do you want to ", action, " [", absl::StrJoin(all, ", "), "]?"),
        "");
    if (!answer) return absl::CancelledError("Aborted!");
    names.push_back(*answer);
  }
  if (names.empty()) return absl::InvalidArgumentError(absl::StrCat("No member to ", action));
  Members members;
  for (const std::string& name : names) {
    const Member* m = view.FindMember(name);
    if (m == nullptr) return absl::NotFoundError(absl::StrCat(name, " is not a member of cluster"));
    members.push_back(m);
  }
  return members;
}

absl::Status ConfirmMembers(CtlContext& ctx, const Members& members, const std::string& action) {
  if (ctx.args.force) return absl::OkStatus();
  std::vector<std::string> names;
  for (const Member* m : members) names.push_back(m->name);
  const std::string question = absl::StrCat("Are you sure you want to ", action, " members ",
                                            absl::StrJoin(names, ", "), "?");
  if (!Confirm(ctx.in, ctx.out, question)) return absl::CancelledError("Aborted " + action);
  return absl::OkStatus();
}

// Reads the cluster, chooses and confirms: the members to act on, or the exit code.
struct Chosen {
  ClusterView view;
  Members members;  // point into view
  int exit_code = 0;
};

std::unique_ptr<Chosen> Choose(CtlContext& ctx, const std::string& action,
                               const std::optional<std::string>& role) {
  auto chosen = std::make_unique<Chosen>();
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (!view.ok()) {
    chosen->exit_code = Fail(ctx, view.status());
    return chosen;
  }
  chosen->view = *std::move(view);
  absl::StatusOr<Members> members = ChooseMembers(ctx, chosen->view, action, role);
  absl::Status confirmed = members.ok() ? ConfirmMembers(ctx, *members, action) : members.status();
  if (!confirmed.ok()) {
    chosen->exit_code = Fail(ctx, confirmed);
    return chosen;
  }
  chosen->members = *std::move(members);
  return chosen;
}

std::string Failure(const std::string& action, const Member& m, const HttpResponse& r) {
  return absl::StrCat("Failed: ", action, " for member ", m.name, ", status code=", r.status, ", (",
                      r.body, ")");
}

std::string Unreachable(const std::string& action, const Member& m, const absl::Status& s) {
  return absl::StrCat("Failed: ", action, " for member ", m.name, ", (", s.message(), ")");
}

bool Restart(CtlContext& ctx, const Member& m) {
  absl::StatusOr<HttpResponse> r =
      CallMember(ctx, m, "POST", "restart", "{}", ctx.timeouts.rest_action);
  if (!r.ok()) {
    ctx.out << Unreachable("restart", m, r.status()) << "\n";
    return false;
  }
  if (r->status == 200) {
    ctx.out << "Success: restart on member " << m.name << "\n";
  } else if (r->status == 202) {
    ctx.out << "Success: restart scheduled on member " << m.name << "\n";
  } else if (r->status == 409) {
    ctx.out << "Failed: another restart is already scheduled on member " << m.name << "\n";
  } else {
    ctx.out << Failure("restart", m, *r) << "\n";
  }
  return r->status == 200 || r->status == 202;
}

bool Reload(CtlContext& ctx, const Member& m, absl::Duration loop_wait) {
  absl::StatusOr<HttpResponse> r =
      CallMember(ctx, m, "POST", "reload", "", ctx.timeouts.rest_action);
  if (!r.ok()) {
    ctx.out << Unreachable("reload", m, r.status()) << "\n";
    return false;
  }
  if (r->status == 200) {
    ctx.out << "No changes to apply on member " << m.name << "\n";
  } else if (r->status == 202) {
    ctx.out << "Reload request received for member " << m.name << " and will be processed within "
            << absl::ToInt64Seconds(loop_wait) << " seconds\n";
  } else {
    ctx.out << Failure("reload", m, *r) << "\n";
  }
  return r->status == 200 || r->status == 202;
}

// POST /reinitialize; offers to force it when one is already running.
bool Reinitialize(CtlContext& ctx, const Member& m) {
  bool force = ctx.args.force;
  for (;;) {
    const std::string body = Json{{"force", force}}.dump();
    absl::StatusOr<HttpResponse> r =
        CallMember(ctx, m, "POST", "reinitialize", body, ctx.timeouts.rest_action);
    if (!r.ok()) {
      ctx.out << Unreachable("reinitialize", m, r.status()) << "\n";
      return false;
    }
    if (r->status < 400) {
      ctx.out << "Success: reinitialize for member " << m.name << "\n";
      return true;
    }
    ctx.out << Failure("reinitialize", m, *r) << "\n";
    if (force || !r->body.ends_with(" already in progress") ||
        !Confirm(ctx.in, ctx.out, "Do you want to cancel it and reinitialize anyway?")) {
      return false;
    }
    force = true;
  }
}

// Polls each member's GET /patroni until it no longer says "creating replica".
void WaitForReinit(CtlContext& ctx, Members waiting) {
  std::vector<std::string> shown;
  while (!waiting.empty()) {
    std::vector<std::string> names;
    for (const Member* m : waiting) names.push_back(m->name);
    if (names != shown) {
      ctx.out << "Waiting for reinitialize to complete on: " << absl::StrJoin(names, ", ") << "\n";
      shown = names;
    }
    ctx.sleep(ctx.timeouts.poll_interval);
    std::erase_if(waiting, [&](const Member* m) {
      absl::StatusOr<HttpResponse> r =
          CallMember(ctx, *m, "GET", "patroni", "", ctx.timeouts.rest_read);
      if (!r.ok() || r->status != 200) return false;  // restarting: ask again
      const Json status = ParseJsonOrDiscarded(r->body);
      if (!status.is_object() || status.value("state", "") == "creating replica") return false;
      ctx.out << "Reinitialize is completed on: " << m->name << "\n";
      return true;
    });
  }
}

}  // namespace

int RunRestart(CtlContext& ctx) {
  std::unique_ptr<Chosen> chosen = Choose(ctx, "restart", ctx.args.role.value_or("any"));
  if (chosen->exit_code != 0) return chosen->exit_code;
  bool ok = true;
  for (const Member* m : chosen->members) ok = Restart(ctx, *m) && ok;
  return ok ? 0 : 1;
}

int RunReload(CtlContext& ctx) {
  std::unique_ptr<Chosen> chosen = Choose(ctx, "reload", ctx.args.role.value_or("any"));
  if (chosen->exit_code != 0) return chosen->exit_code;
  bool ok = true;
  for (const Member* m : chosen->members) ok = Reload(ctx, *m, chosen->view.config.loop_wait) && ok;
  return ok ? 0 : 1;
}

int RunReinit(CtlContext& ctx) {
  std::unique_ptr<Chosen> chosen = Choose(ctx, "reinitialize", std::nullopt);
  if (chosen->exit_code != 0) return chosen->exit_code;
  bool ok = true;
  Members started;
  for (const Member* m : chosen->members) {
    const bool done = Reinitialize(ctx, *m);
    if (done) started.push_back(m);
    ok = done && ok;
  }
  if (ctx.args.wait) WaitForReinit(ctx, started);
  return ok ? 0 : 1;
}

}  // namespace warden::ctl
