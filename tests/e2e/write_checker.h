// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// WriteChecker: the no-data-loss checker. A thread inserts unique ids, one autocommit INSERT
// each, through one connection string (HAProxy's write port in the scenarios), reconnecting
// after errors, and records for every id whether the write was
//   ok       the commit was acknowledged (the row's timeline comes back with it),
//   failed   PostgreSQL rejected it before it could commit (an SQLSTATE error such as
//            read-only transaction), or no connection could be made, and
//   unknown  the connection broke while the write was in flight, or the server ended the
//            session (SQLSTATE class 08, 57P01..57P03) with the commit outcome unknown.
// Each row carries the timeline it was written on (from pg_walfile_name on the server), so the
// report can tell whether two timelines both acknowledged writes after a failover (split brain).
//
//   auto checker = WriteChecker::Start("host=127.0.0.1 port=5000 ...");
//   ... kill the primary, let it heal ...
//   (*checker)->Stop();
//   absl::StatusOr<WriteReport> report = (*checker)->Verify(conninfo_of_the_primary);
//   EXPECT_EQ(report->lost, 0) << report->ToString();

#ifndef WARDEN_TESTS_E2E_WRITE_CHECKER_H_
#define WARDEN_TESTS_E2E_WRITE_CHECKER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace warden::test {

struct WriteReport {
  int64_t attempted = 0;
  int64_t ok = 0;
  int64_t failed = 0;
  int64_t unknown = 0;
  int64_t final_rows = 0;          // ids of this checker's table on the primary at Verify
  int64_t lost = 0;                // acknowledged but not in the final table
  int64_t phantom = 0;             // in the final table but never attempted
  int64_t failed_but_present = 0;  // classified failed yet committed (a classification error)
  int64_t unknown_present = 0;     // unknown outcome, committed after all
  // Final rows per timeline (8 hex digits, as in WAL file names).
  std::map<std::string, int64_t> rows_per_timeline;
  // Acknowledged writes on a timeline after an acknowledged write on a later timeline: the old
  // primary still accepting writes once the new one had. Must be 0.
  int64_t acks_on_older_timeline_after_newer = 0;
  // The longest stretch without an acknowledged write, from the last ack before it to the first
  // after (write-unavailability), and when it began.
  absl::Duration longest_gap = absl::ZeroDuration();
  absl::Time longest_gap_start = absl::InfinitePast();

  // One line: "attempted=.. ok=.. failed=.. unknown=.. final=.. lost=.. phantom=.. ...".
  std::string ToString() const;
};

struct WriteCheckerOptions {
  // Pause between two writes (0: back to back).
  absl::Duration interval = absl::Milliseconds(5);
  // Per write: connect_timeout and statement_timeout are not used (a sync commit may wait as long
  // as it must); a write that takes longer than this is abandoned as unknown (the connection is
  // closed from the client side).
  absl::Duration write_timeout = absl::Seconds(30);
  // Table name; created with CREATE TABLE IF NOT EXISTS through the connection string at Start.
  std::string table = "warden_checker";
};

class WriteChecker {
 public:
  // Creates the table (retrying every 200 ms for up to 30 s until a primary answers; UNAVAILABLE
  // with the last error otherwise) and starts writing. FAILED_PRECONDITION if the table already
  // has rows (its ids would collide with this checker's: use another `table`).
  static absl::StatusOr<std::unique_ptr<WriteChecker>> Start(std::string conninfo,
                                                             WriteCheckerOptions options = {});
  // Stops the writer thread if still running.
  ~WriteChecker();
  WriteChecker(const WriteChecker&) = delete;
  WriteChecker& operator=(const WriteChecker&) = delete;

  // Acknowledged writes so far (thread-safe), to wait for progress.
  int64_t acknowledged() const;
  // Time of the first acknowledged write after `t`, absl::InfiniteFuture() if none yet
  // (thread-safe).
  absl::Time FirstAckAfter(absl::Time t) const;
  // Time of the last acknowledged write at or before `t`, absl::InfinitePast() if none
  // (thread-safe): with FirstAckAfter, the write-unavailability around a fault at `t`.
  absl::Time LastAckBefore(absl::Time t) const;
  // Stops writing; waits for the write in flight (at most write_timeout).
  void Stop();
  // Reads the table through `primary_conninfo` (connect straight to the final primary) and
  // compares it with what was recorded. Call after Stop.
  absl::StatusOr<WriteReport> Verify(const std::string& primary_conninfo) const;

 private:
  class Impl;
  explicit WriteChecker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::test

#endif  // WARDEN_TESTS_E2E_WRITE_CHECKER_H_
