// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// MemberProber: asks the other members how they are, as Patroni does before a leader race
// (GET /patroni on each member's api_url, in parallel, with a short timeout), and asks them to
// confirm a primary in failsafe mode (POST /failsafe). The HA core decides on the answers.

#ifndef WARDEN_SRC_AGENT_MEMBER_PROBER_H_
#define WARDEN_SRC_AGENT_MEMBER_PROBER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "warden/agent/agent.h"
#include "warden/core/cluster.h"
#include "warden/core/decide.h"

namespace warden {

class MemberProber {
 public:
  virtual ~MemberProber() = default;
  // Probes every member of `view` (and of its failsafe key) other than `self`, in parallel, each
  // within `timeout`. With `ask_failsafe`, also asks each to confirm `self` as primary. A member
  // that does not answer in time is unreachable.
  virtual std::vector<MemberProbe> Probe(const ClusterView& view, const std::string& self,
                                         absl::Duration timeout, bool ask_failsafe) = 0;
};

// Probes over HTTP or HTTPS, as the api_url says, with `peer`'s credentials (the shared client,
// src/agent/http_client.h).
std::unique_ptr<MemberProber> NewHttpMemberProber(PeerHttpOptions peer = {});

// Reads a member's GET /patroni reply (Patroni's JSON: state, role, xlog, timeline).
MemberProbe ParsePatroniStatus(const std::string& name, const std::string& text);

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_MEMBER_PROBER_H_
