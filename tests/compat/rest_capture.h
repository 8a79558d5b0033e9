// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// What each agent's REST API answers, on every node in its current role: the status of every
// GET endpoint Patroni serves, the field names of its JSON, and for /patroni and /cluster the
// fields' values too. With restapi.authentication, also what unsafe requests get without,
// with wrong and with the right credentials.

#ifndef WARDEN_TESTS_COMPAT_REST_CAPTURE_H_
#define WARDEN_TESTS_COMPAT_REST_CAPTURE_H_

#include "tests/compat/snapshot.h"

namespace warden::test {

// Adds, for each node and endpoint (the endpoint's path without its slash, "root" for "/"):
//   rest/<node>/<endpoint>/status           the HTTP status;
//   rest/<node>/<endpoint>/fields/<field>   the JSON type of each top-level field of the body
//                                           (not for /metrics, Prometheus text);
//   rest/<node>/patroni/<a.b>               instead, each field of GET /patroni, normalised;
//   rest/<node>/cluster/members/<member>/fields/<field>   each member's fields in GET /cluster;
//   rest/<node>/<METHOD> <endpoint> (<no|bad|good> auth)/status   with restapi.authentication.
void CaptureRest(const CaptureContext& context, Snapshot* out);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_REST_CAPTURE_H_
