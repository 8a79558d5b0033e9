// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/e2e/write_checker.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <thread>  // NOLINT(build/c++11): the writer is a plain thread
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"

namespace warden::test {
namespace {

// How long Start keeps trying to create the table, and how often.
constexpr absl::Duration kCreateTimeout = absl::Seconds(30);
constexpr absl::Duration kCreateRetry = absl::Milliseconds(200);
// How long Verify keeps trying to reach the primary, and how long its query may take.
constexpr absl::Duration kVerifyTimeout = absl::Seconds(15);
constexpr absl::Duration kVerifyQueryTimeout = absl::Seconds(60);
// The least pause after a write that was not acknowledged, so a down cluster is not hammered.
constexpr absl::Duration kMinRetryPause = absl::Milliseconds(50);

enum class Outcome { kOk, kFailed, kUnknown };

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kUnknown:
      return "unknown";
  }
  return "?";
}

std::string Trimmed(const char* message) {
  std::string out = message != nullptr ? message : "";
  absl::StripTrailingAsciiWhitespace(&out);
  return out;
}

// A table name the checker can splice into SQL: [schema.]name of letters, digits and '_'.
bool ValidTableName(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  int dots = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (++dots > 1 || name[i + 1] == '.') return false;
    } else if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return !absl::ascii_isdigit(static_cast<unsigned char>(name.front()));
}

// A timeline as 8 hex digits, as a number; 0 when it does not parse.
uint64_t TimelineNumber(const std::string& tl) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(tl.data(), tl.data() + tl.size(), value, 16);
  return error == std::errc() && end == tl.data() + tl.size() ? value : 0;
}

std::string TimeText(absl::Time t) {
  if (t == absl::InfinitePast()) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

// What one statement produced.
struct Reply {
  // Exactly one result, PGRES_TUPLES_OK or PGRES_COMMAND_OK, then the end of the results, and
  // the connection still good: the statement (and in autocommit its commit) succeeded.
  bool clean = false;
  // The rows of the first PGRES_TUPLES_OK result, as text ("" for NULL).
  std::vector<std::vector<std::string>> rows = {};
  // The connection broke before the end of the results, or `deadline` passed first.
  bool lost = false;
  bool timed_out = false;
  // The first error result's SQLSTATE ("" when it had none: libpq's own errors) and severity.
  bool error = false;
  std::string sqlstate = {};
  std::string severity = {};
  // What went wrong, for messages.
  std::string message = {};
  // The notices and warnings the server sent meanwhile.
  std::string notices = {};
};

// One libpq connection in non-blocking mode, with the server's notices captured rather than
// printed.
class Connection {
 public:
  // Connects through `conninfo` (a key=value string or a URI), with `connect_timeout` unless
  // `conninfo` sets its own. nullptr and `*error` on failure.
  static std::unique_ptr<Connection> Open(const std::string& conninfo, const char* connect_timeout,
                                          std::string* error) {
    // Keywords before the expanded "dbname" are overridden by the caller's connection string.
    const char* keys[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {connect_timeout, conninfo.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn == nullptr) {
      *error = "libpq: out of memory";
      return nullptr;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
      *error = absl::StrCat("connect: ", Trimmed(PQerrorMessage(conn)));
      PQfinish(conn);
      return nullptr;
    }
    auto connection = std::unique_ptr<Connection>(new Connection(conn));
    PQsetNoticeProcessor(conn, &Connection::OnNotice, connection.get());
    if (PQsetnonblocking(conn, 1) != 0) {
      *error = absl::StrCat("PQsetnonblocking: ", Trimmed(PQerrorMessage(conn)));
      return nullptr;
    }
    return connection;
  }

  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Whether an idle connection is still usable: anything the server sent meanwhile is read, and
  // a server that ended the session (shutdown, terminated backend, a proxy that closed it) shows
  // as a broken connection here rather than as a lost write later.
  bool IdleUsable() {
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (poll(&fd, 1, 0) > 0) {
      if (PQconsumeInput(conn_) == 0) return false;
      while (PGnotify* notify = PQnotifies(conn_)) PQfreemem(notify);
    }
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

  // Runs one statement with text parameters and collects all its results, giving up at
  // `deadline` (the caller then drops the connection: the statement may still run).
  Reply Run(const std::string& sql, const std::vector<std::string>& params, absl::Time deadline) {
    Reply reply;
    notices_.clear();
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                          values.data(), nullptr, nullptr, 0) == 0) {
      // Maybe partly sent: the outcome is not known.
      reply.lost = true;
      reply.message = absl::StrCat("send: ", Trimmed(PQerrorMessage(conn_)));
      return reply;
    }
    // Non-blocking: push the query out, reading meanwhile so that the server never waits on us.
    while (true) {
      const int flushed = PQflush(conn_);
      if (flushed == 0) break;
      if (flushed < 0 || !Wait(POLLOUT | POLLIN, deadline, &reply) || PQconsumeInput(conn_) == 0) {
        reply.lost = true;
        if (reply.message.empty()) reply.message = Trimmed(PQerrorMessage(conn_));
        reply.notices = notices_;
        return reply;
      }
    }
    int results = 0;
    bool all_ok = true;
    while (true) {
      while (PQisBusy(conn_) != 0) {
        if (!Wait(POLLIN, deadline, &reply) || PQconsumeInput(conn_) == 0) {
          reply.lost = true;
          if (reply.message.empty()) reply.message = Trimmed(PQerrorMessage(conn_));
          reply.notices = notices_;
          return reply;
        }
      }
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) break;
      ++results;
      const ExecStatusType status = PQresultStatus(result);
      if (status == PGRES_TUPLES_OK && results == 1) {
        for (int r = 0; r < PQntuples(result); ++r) {
          std::vector<std::string>& row = reply.rows.emplace_back();
          for (int c = 0; c < PQnfields(result); ++c) row.emplace_back(PQgetvalue(result, r, c));
        }
      } else if (status != PGRES_COMMAND_OK || results != 1) {
        all_ok = false;
        if (!reply.error && (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR)) {
          reply.error = true;
          const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
          const char* severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
          reply.sqlstate = sqlstate != nullptr ? sqlstate : "";
          reply.severity = severity != nullptr ? severity : "";
          reply.message = Trimmed(PQresultErrorMessage(result));
        } else if (reply.message.empty()) {
          reply.message = absl::StrCat("unexpected result ", PQresStatus(status));
        }
      }
      PQclear(result);
    }
    reply.notices = notices_;
    if (PQstatus(conn_) != CONNECTION_OK) {
      reply.lost = true;
      if (reply.message.empty()) reply.message = Trimmed(PQerrorMessage(conn_));
      return reply;
    }
    reply.clean = all_ok && results == 1;
    return reply;
  }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}

  static void OnNotice(void* arg, const char* message) {
    absl::StrAppend(&static_cast<Connection*>(arg)->notices_, message);
  }

  // Waits for `events` on the socket until `deadline`; false (and `reply` marked timed out) when
  // the deadline passed or the socket failed.
  bool Wait(short events, absl::Time deadline, Reply* reply) {  // NOLINT(runtime/int): pollfd
    while (true) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        reply->timed_out = true;
        reply->message = "no answer before the deadline (write_timeout); connection dropped";
        return false;
      }
      pollfd fd{PQsocket(conn_), events, 0};
      const int ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1000));
      const int ready = poll(&fd, 1, ms);
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) {
        reply->message = absl::StrCat("poll failed: errno ", errno);
        return false;
      }
    }
  }

  PGconn* conn_;
  std::string notices_;
};

// Whether an error that ended a write leaves its commit unknown: the session ended (class 08,
// admin/crash shutdown, cannot connect now) or the server crashed (PANIC) rather than rejecting
// the statement.
bool OutcomeUnknownAfterError(const Reply& reply) {
  const std::string& s = reply.sqlstate;
  return s.empty() || absl::StartsWith(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" ||
         reply.severity == "PANIC";
}

}  // namespace

std::string WriteReport::ToString() const {
  std::string out = absl::StrFormat(
      "attempted=%d ok=%d failed=%d unknown=%d final=%d lost=%d phantom=%d failed_but_present=%d "
      "unknown_present=%d acks_on_older_timeline_after_newer=%d longest_gap=%s gap_start=%s tl",
      attempted, ok, failed, unknown, final_rows, lost, phantom, failed_but_present,
      unknown_present, acks_on_older_timeline_after_newer, absl::FormatDuration(longest_gap),
      TimeText(longest_gap_start));
  if (rows_per_timeline.empty()) absl::StrAppend(&out, " -");
  for (const auto& [tl, rows] : rows_per_timeline) absl::StrAppend(&out, " ", tl, ":", rows);
  return out;
}

class WriteChecker::Impl {
 public:
  Impl(std::string conninfo, WriteCheckerOptions options)
      : conninfo_(std::move(conninfo)),
        options_(std::move(options)),
        insert_sql_(
            absl::StrCat("INSERT INTO ", options_.table, " (id) VALUES ($1) RETURNING tl")) {}

  ~Impl() { Stop(); }

  // Creates the table (retrying until kCreateTimeout) and checks that it is empty.
  absl::Status CreateTable() {
    const std::string create = absl::StrCat(
        "CREATE TABLE IF NOT EXISTS ", options_.table,
        " (id bigint PRIMARY KEY,"
        " tl text NOT NULL DEFAULT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8),"
        " at timestamptz NOT NULL DEFAULT clock_timestamp())");
    const absl::Time give_up = absl::Now() + kCreateTimeout;
    std::string last_error;
    while (true) {
      std::string error;
      std::unique_ptr<Connection> conn = Connection::Open(conninfo_, "2", &error);
      if (conn != nullptr) {
        const Reply created = conn->Run(create, {}, absl::Now() + absl::Seconds(10));
        if (created.clean) {
          const Reply rows = conn->Run(absl::StrCat("SELECT count(*) FROM ", options_.table), {},
                                       absl::Now() + absl::Seconds(10));
          if (rows.clean && rows.rows.size() == 1 && rows.rows[0].size() == 1) {
            if (rows.rows[0][0] != "0") {
              return absl::FailedPreconditionError(absl::StrCat(
                  "WriteChecker: table ", options_.table, " already has ", rows.rows[0][0],
                  " rows; its ids would collide with this checker's: use another table name"));
            }
            return absl::OkStatus();
          }
          error = rows.message;
        } else {
          error = created.message;
        }
      }
      last_error = error;
      if (absl::Now() + kCreateRetry >= give_up) break;
      absl::SleepFor(kCreateRetry);
    }
    return absl::UnavailableError(
        absl::StrCat("WriteChecker: could not create table ", options_.table, " within ",
                     absl::FormatDuration(kCreateTimeout), ": ", last_error));
  }

  void StartThread() {
    thread_ = std::thread([this] { WriteLoop(); });
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  int64_t acknowledged() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int64_t>(ack_times_.size());
  }

  absl::Time FirstAckAfter(absl::Time t) const {
    absl::MutexLock lock(&mu_);
    const auto it = std::upper_bound(ack_times_.begin(), ack_times_.end(), t);
    return it != ack_times_.end() ? *it : absl::InfiniteFuture();
  }

  absl::Time LastAckBefore(absl::Time t) const {
    absl::MutexLock lock(&mu_);
    const auto it = std::upper_bound(ack_times_.begin(), ack_times_.end(), t);
    return it != ack_times_.begin() ? *std::prev(it) : absl::InfinitePast();
  }

  absl::StatusOr<WriteReport> Verify(const std::string& primary_conninfo) const {
    // The final table, read straight from the primary.
    const absl::Time give_up = absl::Now() + kVerifyTimeout;
    Reply table;
    while (true) {
      std::string error;
      std::unique_ptr<Connection> conn = Connection::Open(primary_conninfo, "5", &error);
      if (conn != nullptr) {
        table = conn->Run(absl::StrCat("SELECT id, tl FROM ", options_.table), {},
                          absl::Now() + kVerifyQueryTimeout);
        if (table.clean) break;
        // A table that is not there is an answer, not something to wait out.
        if (table.error && !OutcomeUnknownAfterError(table)) {
          return absl::FailedPreconditionError(
              absl::StrCat("WriteChecker: reading ", options_.table, ": ", table.message));
        }
        error = table.message;
      }
      if (absl::Now() + kCreateRetry >= give_up) {
        return absl::UnavailableError(
            absl::StrCat("WriteChecker: could not read ", options_.table, ": ", error));
      }
      absl::SleepFor(kCreateRetry);
    }

    absl::MutexLock lock(&mu_);
    WriteReport report;
    report.attempted = static_cast<int64_t>(records_.size());
    for (const Record& record : records_) {
      switch (record.outcome) {
        case Outcome::kOk:
          ++report.ok;
          break;
        case Outcome::kFailed:
          ++report.failed;
          break;
        case Outcome::kUnknown:
          ++report.unknown;
          break;
      }
    }
    std::vector<bool> present(records_.size(), false);
    for (const std::vector<std::string>& row : table.rows) {
      if (row.size() != 2) return absl::InternalError("WriteChecker: unexpected row shape");
      ++report.final_rows;
      ++report.rows_per_timeline[row[1]];
      int64_t id = 0;
      if (!absl::SimpleAtoi(row[0], &id) || id < 1 || id > report.attempted) {
        ++report.phantom;
        continue;
      }
      present[id - 1] = true;
      const Outcome outcome = records_[id - 1].outcome;
      if (outcome == Outcome::kFailed) ++report.failed_but_present;
      if (outcome == Outcome::kUnknown) ++report.unknown_present;
    }
    // Acknowledged writes in the order they were acknowledged (the order of the ids, as one
    // thread writes; sorted anyway).
    std::vector<const Record*> acks;
    for (size_t i = 0; i < records_.size(); ++i) {
      if (records_[i].outcome != Outcome::kOk) continue;
      if (!present[i]) ++report.lost;
      acks.push_back(&records_[i]);
    }
    std::stable_sort(acks.begin(), acks.end(),
                     [](const Record* a, const Record* b) { return a->ack < b->ack; });
    uint64_t newest_tl = 0;
    for (size_t i = 0; i < acks.size(); ++i) {
      const uint64_t tl = TimelineNumber(acks[i]->tl);
      if (tl < newest_tl) ++report.acks_on_older_timeline_after_newer;
      newest_tl = std::max(newest_tl, tl);
      if (i > 0 && acks[i]->ack - acks[i - 1]->ack > report.longest_gap) {
        report.longest_gap = acks[i]->ack - acks[i - 1]->ack;
        report.longest_gap_start = acks[i - 1]->ack;
      }
    }
    return report;
  }

 private:
  struct Record {
    Outcome outcome = Outcome::kFailed;
    absl::Time ack = absl::InfinitePast();  // when acknowledged (ok only)
    std::string tl = {};                    // the timeline it was written on (ok only)
  };

  bool stopping() const {
    absl::MutexLock lock(&mu_);
    return stop_;
  }

  // Writes ids 1, 2, ... until Stop.
  void WriteLoop() {
    std::unique_ptr<Connection> conn;
    Outcome previous = Outcome::kOk;
    int64_t id = 0;
    while (!stopping()) {
      // A connection the server (or a proxy) closed while idle is replaced before a write is
      // spent on it.
      if (conn != nullptr && !conn->IdleUsable()) conn.reset();
      ++id;
      Record record;
      std::string message;
      if (conn == nullptr) conn = Connection::Open(conninfo_, "2", &message);
      if (conn != nullptr) {
        const Reply reply =
            conn->Run(insert_sql_, {absl::StrCat(id)}, absl::Now() + options_.write_timeout);
        message = reply.message;
        if (reply.clean && reply.rows.size() == 1 && reply.rows[0].size() == 1 &&
            !absl::StrContains(reply.notices, "synchronous replication")) {
          // A commit whose wait for a synchronous standby was cancelled comes back "ok" with a
          // warning that it is only committed locally: that is not a clean acknowledgement.
          record.outcome = Outcome::kOk;
          record.ack = absl::Now();
          record.tl = reply.rows[0][0];
        } else if (reply.error && !OutcomeUnknownAfterError(reply)) {
          // Rejected by the server: the implicit transaction is aborted, even if the connection
          // broke afterwards.
          record.outcome = Outcome::kFailed;
        } else {
          record.outcome = Outcome::kUnknown;
          if (message.empty()) message = Trimmed(reply.notices.c_str());
        }
        if (record.outcome != Outcome::kOk) conn.reset();  // next write on a new connection
      }
      if (record.outcome != previous) {
        // One line per change of outcome (libpq's messages span lines).
        message = absl::StrReplaceAll(message, {{"\n\t", " "}, {"\n", " "}});
        std::fprintf(stderr, "[write checker %s] id %lld: %s -> %s%s%s\n", options_.table.c_str(),
                     static_cast<long long>(id), OutcomeName(previous),  // NOLINT(runtime/int)
                     OutcomeName(record.outcome), message.empty() ? "" : ": ", message.c_str());
        previous = record.outcome;
      }
      const Outcome outcome = record.outcome;
      {
        absl::MutexLock lock(&mu_);
        if (outcome == Outcome::kOk) ack_times_.push_back(record.ack);
        records_.push_back(std::move(record));
      }
      absl::Duration pause = options_.interval;
      if (outcome != Outcome::kOk) pause = std::max(pause, kMinRetryPause);
      if (pause > absl::ZeroDuration()) {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stop_), pause);
      }
    }
  }

  const std::string conninfo_;
  const WriteCheckerOptions options_;
  const std::string insert_sql_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // records_[id - 1]: the outcome of each write, in id order.
  std::vector<Record> records_ ABSL_GUARDED_BY(mu_);
  // When each acknowledged write was acknowledged, in order.
  std::vector<absl::Time> ack_times_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<WriteChecker>> WriteChecker::Start(std::string conninfo,
                                                                  WriteCheckerOptions options) {
  if (!ValidTableName(options.table)) {
    return absl::InvalidArgumentError(
        absl::StrCat("WriteChecker: table name '", options.table,
                     "' must be [schema.]name of letters, digits and '_'"));
  }
  if (options.write_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("WriteChecker: write_timeout must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(conninfo), std::move(options));
  if (absl::Status created = impl->CreateTable(); !created.ok()) return created;
  impl->StartThread();
  return std::unique_ptr<WriteChecker>(new WriteChecker(std::move(impl)));
}

WriteChecker::WriteChecker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WriteChecker::~WriteChecker() { Stop(); }

int64_t WriteChecker::acknowledged() const { return impl_->acknowledged(); }

absl::Time WriteChecker::FirstAckAfter(absl::Time t) const { return impl_->FirstAckAfter(t); }

absl::Time WriteChecker::LastAckBefore(absl::Time t) const { return impl_->LastAckBefore(t); }

void WriteChecker::Stop() { impl_->Stop(); }

absl::StatusOr<WriteReport> WriteChecker::Verify(const std::string& primary_conninfo) const {
  return impl_->Verify(primary_conninfo);
}

}  // namespace warden::test
