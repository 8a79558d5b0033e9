// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// What the cluster keeps in etcd under /service/<scope>/ (Patroni's layout, which warden shares so
// that patronictl and dashboards read either), read with etcdctl.

#ifndef WARDEN_TESTS_COMPAT_DCS_CAPTURE_H_
#define WARDEN_TESTS_COMPAT_DCS_CAPTURE_H_

#include "tests/compat/snapshot.h"

namespace warden::test {

// Adds:
//   dcs/keys             the key names relative to the prefix ("config, initialize, ...");
//   dcs-lease/<key>      "lease" or "none": whether the key dies with its writer's lease;
//   dcs/<key>/<a.b>      each field of a JSON object value (members/n1, config, status, sync);
//   dcs/<key>            any other value (leader, initialize, history), normalised.
void CaptureDcs(const CaptureContext& context, Snapshot* out);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_DCS_CAPTURE_H_
