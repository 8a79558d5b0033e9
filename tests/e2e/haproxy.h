// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Haproxy: a /usr/sbin/haproxy process on loopback with the configuration Patroni's users run
// (the field notes' haproxy.cfg): a write port whose servers are checked with `option httpchk`
// + `http-check expect status 200` on each node's REST port (only the primary answers 200 to
// OPTIONS /), and a read port with `expect status 503` (the replicas). Started in the
// foreground (-db) as a child of the test, killed by pid on destruction.

#ifndef WARDEN_TESTS_E2E_HAPROXY_H_
#define WARDEN_TESTS_E2E_HAPROXY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/pg/subprocess.h"

namespace warden::test {

// One PostgreSQL node behind HAProxy.
struct HaproxyBackend {
  std::string name;  // server name in the config, e.g. "n1"
  int pg_port = 0;
  int rest_port = 0;  // `check port`
};

struct HaproxyOptions {
  // Health-check interval; the field notes use 3 s with fall 3 rise 2. Tests use shorter.
  int check_interval_ms = 3000;
  int fall = 3;
  int rise = 2;
  // Where haproxy.cfg and haproxy.log go (must exist).
  std::string dir;
};

class Haproxy {
 public:
  // Writes <dir>/haproxy.cfg, checks it with `haproxy -c`, starts haproxy on two free ports of
  // 127.0.0.1 and returns once both accept connections (within 10 s).
  static absl::StatusOr<std::unique_ptr<Haproxy>> Start(const std::vector<HaproxyBackend>& nodes,
                                                        HaproxyOptions options);
  // SIGKILLs haproxy (by pid) and reaps it.
  ~Haproxy();
  Haproxy(const Haproxy&) = delete;
  Haproxy& operator=(const Haproxy&) = delete;

  // Port of `listen postgres_write` (the primary) and `listen postgres_read` (the replicas).
  int write_port() const { return write_port_; }
  int read_port() const { return read_port_; }
  // The generated configuration, for logs and the demo.
  const std::string& config_text() const { return config_text_; }

 private:
  Haproxy() = default;
  int write_port_ = 0;
  int read_port_ = 0;
  std::string config_text_;
  std::unique_ptr<pg_internal::ChildProcess> process_;
};

}  // namespace warden::test

#endif  // WARDEN_TESTS_E2E_HAPROXY_H_
