// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// RestServer: serves the REST API (HandleRestRequest) over HTTP/1.1, or HTTPS when a certificate
// is configured, with Boost.Beast on the caller's io_context. Private to warden::agent.
//
// Health checks must answer while a switchover takes seconds, so reads (GET, HEAD, OPTIONS, from
// the agent's status snapshot) are answered on the I/O thread at once, and requests that may wait
// on the DCS or PostgreSQL run on two worker threads owned by the server, their replies posted
// back. Each connection has a deadline per request (so a slow client cannot hold it open), keeps
// alive between requests, and answers 400 to garbage, 413 to a body over max_body_bytes, 431 to
// oversized headers.
//
// Threading: the io_context may be run by any number of threads. Start() and Stop() may be called
// from any thread; the destructor from any thread but a worker's, before the io_context is
// destroyed. The destructor waits for a request still running on the agent.

#ifndef WARDEN_AGENT_REST_SERVER_H_
#define WARDEN_AGENT_REST_SERVER_H_

#include <memory>

#include "absl/status/status.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/thread_pool.hpp"
#include "warden/agent/rest_api.h"
#include "warden/agent/status.h"

namespace warden {
namespace rest_internal {
class ServerState;
}  // namespace rest_internal

class RestServer {
 public:
  // `agent` must outlive the server.
  RestServer(boost::asio::io_context& io, AgentControl& agent, RestApiOptions options);
  ~RestServer();  // stops, then waits for requests still running on the agent

  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;

  // Binds options.listen ("host:port", "[v6]:port"; an empty host or "*" is every interface;
  // port 0 picks a free one) and accepts. With options.certfile it serves TLS only (the key in
  // options.keyfile, or in the certificate file when keyfile is empty). INVALID_ARGUMENT for a
  // bad address or certificate, UNAVAILABLE when the address cannot be bound.
  absl::Status Start();
  // The bound port; 0 before Start() succeeded.
  int port() const;
  // Closes the listening socket and every connection (on the I/O threads, as soon as they run);
  // a request still running on the agent finishes, its reply is dropped. Idempotent.
  void Stop();

 private:
  std::shared_ptr<rest_internal::ServerState> state_;
  std::unique_ptr<boost::asio::thread_pool> workers_;
};

}  // namespace warden

#endif  // WARDEN_AGENT_REST_SERVER_H_
