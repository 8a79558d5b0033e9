// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// TcpProxy: a loopback TCP forwarder a test controls, put between one agent and etcd so that
// the test can cut that node off from the DCS alone, the way a network partition does.
//
//   absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(2379);
//   // give the agent (*proxy)->endpoint() instead of etcd's
//   (*proxy)->Cut();   // bytes in flight and new connections go nowhere; nothing is reset
//   (*proxy)->Heal();  // held connections are closed, new ones are forwarded again
//
// It runs its own thread (Boost.Asio) and stops it, closing every socket, on destruction.

#ifndef WARDEN_TESTS_E2E_TCP_PROXY_H_
#define WARDEN_TESTS_E2E_TCP_PROXY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace warden::test {

class TcpProxy {
 public:
  // Listens on a free port of 127.0.0.1 and forwards each connection to 127.0.0.1:target_port.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const;
  // "127.0.0.1:PORT".
  std::string endpoint() const;

  // A partition: established connections stay open but every byte either way is dropped, and
  // new connections are accepted and then held without being forwarded, so clients see
  // timeouts, not resets. Idempotent.
  void Cut();
  // Ends the partition: connections held or blackholed while cut are closed (their clients
  // reconnect), new ones are forwarded. Idempotent.
  void Heal();
  bool cut() const;

 private:
  class Impl;
  explicit TcpProxy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::test

#endif  // WARDEN_TESTS_E2E_TCP_PROXY_H_
