// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/pg/sql.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace warden::pg_internal {
namespace {

// Waits until the connection's socket is ready for `events` or `deadline`.
bool WaitSocket(PGconn* conn, short events, absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return false;
  pollfd fd{PQsocket(conn), events, 0};
  const int ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 60'000));
  return poll(&fd, 1, ms) > 0;
}

std::string Trimmed(const char* message) {
  std::string out = message != nullptr ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

absl::Status ConnectionError(PGconn* conn) {
  std::string message = Trimmed(PQerrorMessage(conn));
  if (absl::StrContains(message, "password authentication failed") ||
      absl::StrContains(message, "no password supplied") ||
      absl::StrContains(message, "no pg_hba.conf entry")) {
    return absl::PermissionDeniedError(message);
  }
  if (absl::StrContains(message, "does not exist") && absl::StrContains(message, "role")) {
    return absl::NotFoundError(message);
  }
  return absl::UnavailableError(message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqlSession>> SqlSession::Connect(
    const std::map<std::string, std::string>& keywords, absl::Time deadline) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : keywords) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return absl::ResourceExhaustedError("libpq: out of memory");
  if (PQstatus(conn) == CONNECTION_BAD) {
    absl::Status error = ConnectionError(conn);
    PQfinish(conn);
    return error;
  }
  // Drive the non-blocking connect ourselves, so the deadline holds at sub-second precision.
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) {
      absl::Status error = ConnectionError(conn);
      PQfinish(conn);
      return error;
    }
    if (!WaitSocket(conn, state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
      PQfinish(conn);
      return absl::DeadlineExceededError("PostgreSQL did not accept the connection in time");
    }
    state = PQconnectPoll(conn);
  }
  return std::unique_ptr<SqlSession>(new SqlSession(conn));
}

SqlSession::~SqlSession() { PQfinish(conn_); }

bool SqlSession::Idle() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

absl::StatusOr<std::vector<Row>> SqlSession::Query(const std::string& sql,
                                                   const std::vector<std::string>& params,
                                                   absl::Time deadline) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                        nullptr, nullptr, 0) == 0) {
    return absl::UnavailableError(Trimmed(PQerrorMessage(conn_)));
  }
  PQsetnonblocking(conn_, 1);
  while (PQflush(conn_) == 1) {
    if (!WaitSocket(conn_, POLLOUT, deadline)) break;
  }
  std::vector<Row> rows;
  absl::Status status;
  while (true) {
    while (PQisBusy(conn_) != 0) {
      if (!WaitSocket(conn_, POLLIN, deadline)) {
        // Ask the server to stop, then report the deadline.
        if (PGcancel* cancel = PQgetCancel(conn_); cancel != nullptr) {
          char error[256];
          PQcancel(cancel, error, sizeof(error));
          PQfreeCancel(cancel);
        }
        return absl::DeadlineExceededError(absl::StrCat("query did not finish in time: ", sql));
      }
      if (PQconsumeInput(conn_) == 0) return absl::UnavailableError(Trimmed(PQerrorMessage(conn_)));
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    const ExecStatusType kind = PQresultStatus(result);
    if (kind == PGRES_TUPLES_OK) {
      for (int r = 0; r < PQntuples(result); ++r) {
        Row row;
        for (int c = 0; c < PQnfields(result); ++c) {
          if (PQgetisnull(result, r, c) != 0) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(PQgetvalue(result, r, c));
          }
        }
        rows.push_back(std::move(row));
      }
    } else if (kind != PGRES_COMMAND_OK && status.ok()) {
      const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
      std::string message = Trimmed(PQresultErrorMessage(result));
      status = sqlstate != nullptr && std::string(sqlstate) == "42704"
                   ? absl::NotFoundError(message)
                   : absl::InternalError(message);
    }
    PQclear(result);
  }
  if (!status.ok()) return status;
  return rows;
}

}  // namespace warden::pg_internal
