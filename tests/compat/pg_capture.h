// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// What PostgreSQL itself says on each node, whoever manages it: the settings that do not come
// from PostgreSQL's defaults, the pg_hba rules in file order, the replication slots.

#ifndef WARDEN_TESTS_COMPAT_PG_CAPTURE_H_
#define WARDEN_TESTS_COMPAT_PG_CAPTURE_H_

#include "tests/compat/snapshot.h"

namespace warden::test {

// Adds, for each node:
//   pg_settings/<node>/<name>  the setting, with " (pending restart)" when so;
//   pg_settings/<node>/<name>/source   where it comes from ("configuration file", ...);
//   pg_hba/<node>              the rules, one per line "type database user address netmask auth";
//   slots/<node>               the slots, one per line "name type active temporary".
void CapturePostgres(const CaptureContext& context, Snapshot* out);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_PG_CAPTURE_H_
