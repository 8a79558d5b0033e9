// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// A minimal libpq session: connect with a deadline, run a query, get rows of text.

#ifndef WARDEN_SRC_PG_SQL_H_
#define WARDEN_SRC_PG_SQL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct pg_conn;

namespace warden::pg_internal {

// One row: each column as text, nullopt for NULL.
using Row = std::vector<std::optional<std::string>>;

class SqlSession {
 public:
  // Connects with libpq keywords (host, port, user, dbname, passfile, ...), giving up at
  // `deadline`. UNAVAILABLE when the server cannot be reached or is starting up;
  // PERMISSION_DENIED/UNAUTHENTICATED for authentication failures.
  static absl::StatusOr<std::unique_ptr<SqlSession>> Connect(
      const std::map<std::string, std::string>& keywords, absl::Time deadline);
  ~SqlSession();
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  // Runs one statement with text parameters ($1, $2, ...), cancelled at `deadline`.
  absl::StatusOr<std::vector<Row>> Query(const std::string& sql,
                                         const std::vector<std::string>& params,
                                         absl::Time deadline);

  // True when the session can run another statement: connected, and no statement or
  // transaction left open (a query that ran past its deadline leaves one).
  bool Idle() const;

 private:
  explicit SqlSession(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

}  // namespace warden::pg_internal

#endif  // WARDEN_SRC_PG_SQL_H_
