// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// switchover and failover, patronictl 3.0's _do_failover_or_switchover: validate against the
// cluster as the DCS shows it, ask what was not given (unless --force), confirm, then ask the
// agents over REST. Only when no agent can be reached at all (nothing was sent) is the request
// written to the failover key directly; an agent that answered, even with an error, is never
// second-guessed through the DCS.

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cluster_read.h"
#include "commands.h"
#include "members_table.h"
#include "prompt.h"
#include "py_json.h"
#include "warden/core/codec.h"

namespace warden::ctl {
namespace {

struct Plan {
  std::string action;  // "switchover" or "failover"
  std::string leader;  // the leader to demote; empty for a failover without one
  std::string candidate;
  std::optional<absl::Time> scheduled_at;
};

// A failed step: the message for ctx.err. (Returning it keeps each step a short function.)
using Step = absl::Status;

absl::Status Refuse(const std::string& message) { return absl::FailedPreconditionError(message); }

std::string Capitalized(std::string word) {
  if (!word.empty()) word[0] = absl::ascii_toupper(word[0]);
  return word;
}

// Members that may take over, sorted: not the leader, not tagged nofailover.
std::vector<std::string> CandidateNames(const ClusterView& view, const std::string& leader) {
  std::vector<std::string> names;
  for (const Member& m : view.members) {
    if (m.name != leader && m.tags.CanFailover()) names.push_back(m.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Python's repr of a list of strings: ['node2', 'node3'].
std::string PythonList(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  quoted.reserve(names.size());
  for (const std::string& name : names) quoted.push_back("'" + name + "'");
  return "[" + absl::StrJoin(quoted, ", ") + "]";
}

// ISO 8601 with or without an offset (without: local time, as dateutil assumes), or "now".
absl::StatusOr<std::optional<absl::Time>> ParseScheduled(const std::string& text,
                                                         absl::TimeZone tz) {
  if (text.empty() || absl::AsciiStrToLower(text) == "now") return std::nullopt;
  absl::Time time;
  for (const char* format : {"%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%d %H:%M:%E*S%Ez",
                             "%Y-%m-%dT%H:%M%Ez", "%Y-%m-%d %H:%M%Ez"}) {
    if (absl::ParseTime(format, text, &time, nullptr)) return time;
  }
  for (const char* format :
       {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%d %H:%M:%E*S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"}) {
    if (absl::ParseTime(format, text, tz, &time, nullptr)) return time;
  }
  return Refuse(absl::StrCat("Unable to parse scheduled timestamp (", text,
                             "). It should be in an unambiguous format (e.g. ISO 8601)"));
}

// Python's isoformat() in the local zone: 2026-05-04T11:00:00+02:00.
std::string IsoLocal(absl::Time time, absl::TimeZone tz) {
  const bool whole = absl::ToUnixMicros(time) % 1'000'000 == 0;
  return absl::FormatTime(whole ? "%Y-%m-%dT%H:%M:%S%Ez" : "%Y-%m-%dT%H:%M:%E6S%Ez", time, tz);
}

// Asks when unless given (or --force: now).
Step ChooseSchedule(CtlContext& ctx, const ClusterView& view, Plan* plan) {
  std::optional<std::string> when = ctx.args.scheduled;
  if (!when && !ctx.args.force) {
    const std::string next_hour =
        absl::FormatTime("%Y-%m-%dT%H:%M", ctx.now() + absl::Hours(1), ctx.time_zone);
    when = Prompt(ctx.in, ctx.out,
                  "When should the switchover take place (e.g. " + next_hour + " ) ", "now");
    if (!when) return Refuse("Aborted!");
  }
  absl::StatusOr<std::optional<absl::Time>> at =
      ParseScheduled(when.value_or("now"), ctx.time_zone);
  if (!at.ok()) return at.status();
  plan->scheduled_at = *at;
  if (plan->scheduled_at && view.config.pause) {
    return Refuse("Can't schedule switchover in the paused state");
  }
  return absl::OkStatus();
}

Step ChooseLeader(CtlContext& ctx, const ClusterView& view, Plan* plan) {
  const std::string current = view.leader ? view.leader->name : "";
  if (plan->action == "switchover" && current.empty()) return Refuse("This cluster has no leader");
  if (ctx.args.leader) {
    plan->leader = *ctx.args.leader;
  } else if (ctx.args.force || plan->action == "failover") {
    plan->leader = current;
  } else {
    std::optional<std::string> answer = Prompt(ctx.in, ctx.out, "Primary", current);
    if (!answer) return Refuse("Aborted!");
    plan->leader = *answer;
  }
  if (!plan->leader.empty() && plan->leader != current) {
    return Refuse(
        absl::StrCat("Member ", plan->leader, " is not the leader of cluster ", ctx.scope));
  }
  return absl::OkStatus();
}

Step ChooseCandidate(CtlContext& ctx, const ClusterView& view, Plan* plan) {
  const std::vector<std::string> names = CandidateNames(view, plan->leader);
  if (names.empty()) return Refuse(absl::StrCat("No candidates found to ", plan->action, " to"));
  if (ctx.args.candidate) {
    plan->candidate = *ctx.args.candidate;
  } else if (!ctx.args.force) {
    std::optional<std::string> answer =
        Prompt(ctx.in, ctx.out, "Candidate " + PythonList(names), "");
    if (!answer) return Refuse("Aborted!");
    plan->candidate = *answer;
  }
  if (plan->action == "failover" && plan->candidate.empty()) {
    return Refuse("Failover could be performed only to a specific candidate");
  }
  if (!plan->candidate.empty() && plan->candidate == plan->leader) {
    return Refuse(Capitalized(plan->action) + " target and source are the same.");
  }
  if (!plan->candidate.empty() &&
      std::find(names.begin(), names.end(), plan->candidate) == names.end()) {
    return Refuse(absl::StrCat("Member ", plan->candidate, " does not exist in cluster ", ctx.scope,
                               " or is tagged as nofailover"));
  }
  return absl::OkStatus();
}

Step Confirmed(CtlContext& ctx, const Plan& plan) {
  if (ctx.args.force) return absl::OkStatus();
  const std::string demote =
      plan.leader.empty() ? "" : absl::StrCat(", demoting current leader ", plan.leader);
  if (plan.scheduled_at) {
    const std::string question =
        absl::StrCat("Are you sure you want to schedule ", plan.action, " of cluster ", ctx.scope,
                     " at ", IsoLocal(*plan.scheduled_at, ctx.time_zone), demote, "?");
    if (!Confirm(ctx.in, ctx.out, question)) return Refuse("Aborting scheduled " + plan.action);
  } else {
    const std::string question =
        absl::StrCat("Are you sure you want to ", plan.action, " cluster ", ctx.scope, demote, "?");
    if (!Confirm(ctx.in, ctx.out, question)) return Refuse("Aborting " + plan.action);
  }
  return absl::OkStatus();
}

std::string RequestBody(const Plan& plan, absl::TimeZone tz) {
  Json body = Json::object();
  if (plan.action == "switchover") body["leader"] = plan.leader;
  if (!plan.candidate.empty()) body["candidate"] = plan.candidate;
  if (plan.scheduled_at) body["scheduled_at"] = IsoLocal(*plan.scheduled_at, tz);
  return body.dump();
}

// Who to ask: a switchover only the leader (it must step down); a failover the leader if it
// still answers, else the candidate.
std::vector<const Member*> Targets(const ClusterView& view, const Plan& plan) {
  std::vector<const Member*> targets;
  if (const Member* leader = LeaderMember(view)) targets.push_back(leader);
  if (plan.action == "failover") {
    if (const Member* candidate = view.FindMember(plan.candidate)) targets.push_back(candidate);
  }
  return targets;
}

int PrintCluster(CtlContext& ctx) {
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (view.ok()) ctx.out << FormatMembers(*view, ctx.scope, "pretty", false);
  return 0;
}

// The agents could not be reached: write the request where every agent reads it.
int FallBackToDcs(CtlContext& ctx, const Plan& plan) {
  ctx.out << Timestamp(ctx) << " Could not " << plan.action
          << " using Patroni api, falling back to DCS\n";
  FailoverRequest request;
  request.leader = plan.action == "switchover" ? plan.leader : "";
  request.candidate = plan.candidate;
  request.scheduled_at = plan.scheduled_at;
  absl::StatusOr<Revision> put =
      ctx.dcs.Put(ctx.keys.failover(), EncodeFailover(request), kNoLease, ctx.DcsDeadline());
  if (!put.ok()) {
    return Fail(ctx,
                absl::StrCat("cannot write ", ctx.keys.failover(), ": ", put.status().message()));
  }
  ctx.out << "Wrote the " << plan.action << " request to " << ctx.keys.failover() << "\n";
  return PrintCluster(ctx);
}

int Send(CtlContext& ctx, const ClusterView& view, const Plan& plan) {
  const std::string body = RequestBody(plan, ctx.time_zone);
  for (const Member* target : Targets(view, plan)) {
    absl::StatusOr<HttpResponse> reply =
        CallMember(ctx, *target, "POST", plan.action, body, ctx.timeouts.rest_action);
    if (!reply.ok() && reply.status().code() == absl::StatusCode::kUnavailable) {
      ctx.err << "Warning: " << reply.status().message() << "\n";
      continue;  // nothing was sent: try the next one
    }
    if (!reply.ok()) {  // sent, outcome unknown: do not write the DCS behind the agent's back
      return Fail(ctx, absl::StrCat(Capitalized(plan.action),
                                    " status unknown: ", reply.status().message()));
    }
    if (reply->status != 200 && reply->status != 202) {
      return Fail(ctx, absl::StrCat(Capitalized(plan.action), " failed, details: ", reply->status,
                                    ", ", reply->body));
    }
    ctx.out << Timestamp(ctx) << " " << reply->body << "\n";
    return PrintCluster(ctx);
  }
  return FallBackToDcs(ctx, plan);
}

int DoFailoverOrSwitchover(CtlContext& ctx, const std::string& action) {
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (!view.ok()) return Fail(ctx, view.status());
  Plan plan;
  plan.action = action;
  for (auto step : {ChooseLeader, ChooseCandidate}) {
    if (Step s = step(ctx, *view, &plan); !s.ok()) return Fail(ctx, s);
  }
  if (action == "switchover") {
    if (Step s = ChooseSchedule(ctx, *view, &plan); !s.ok()) return Fail(ctx, s);
  }
  ctx.out << "Current cluster topology\n" << FormatMembers(*view, ctx.scope, "pretty", false);
  if (Step s = Confirmed(ctx, plan); !s.ok()) return Fail(ctx, s);
  return Send(ctx, *view, plan);
}

}  // namespace

int RunSwitchover(CtlContext& ctx) { return DoFailoverOrSwitchover(ctx, "switchover"); }

// patronictl 3.0: a failover naming the leader is a switchover.
int RunFailover(CtlContext& ctx) {
  if (ctx.args.leader) {
    ctx.err << "Warning: failover with --leader is a switchover; use 'wardenctl switchover'\n";
    return DoFailoverOrSwitchover(ctx, "switchover");
  }
  return DoFailoverOrSwitchover(ctx, "failover");
}

}  // namespace warden::ctl
