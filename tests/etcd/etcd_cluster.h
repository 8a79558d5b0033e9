// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Real etcd servers for integration tests. EtcdCluster starts /usr/bin/etcd members on free
// ports of 127.0.0.1 in a fresh temporary directory, waits until every member is healthy, lets a
// test kill, pause, resume and restart members, runs etcdctl against them, and on destruction
// SIGKILLs every member and removes the directory, whether the test passed or not.
//
//   absl::StatusOr<std::unique_ptr<EtcdCluster>> etcd = EtcdCluster::Start({.members = 3});
//   ASSERT_TRUE(etcd.ok()) << etcd.status();
//   (*etcd)->Etcdctl({"put", "/k", "v"});
//   (*etcd)->Kill(0);     // the other two still have a quorum
//   (*etcd)->Restart(0);  // same data dir and ports; returns once it is healthy again
//
// Members get SIGKILL when the thread that started them (Start or Restart) exits
// (PR_SET_PDEATHSIG), so no etcd outlives a crashed test; call those from a thread that lives as
// long as the cluster (the test's main thread does). Only the temp dir is left after a crash.

#ifndef WARDEN_TESTS_ETCD_ETCD_CLUSTER_H_
#define WARDEN_TESTS_ETCD_ETCD_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace warden::test {

// What EtcdCluster::Start starts.
struct EtcdClusterOptions {
  // Number of members, at least 1.
  int members = 1;
  // Serve clients over https with client-certificate auth. A throw-away CA, a server certificate
  // for IP 127.0.0.1 and a client certificate (CN "warden-test-client") are made with openssl in
  // the temp dir. Peers always talk plain http.
  bool tls = false;
  // Appended to every member's command line, split on whitespace (no quoting), e.g.
  // "--auto-compaction-retention=0". For a flag the fixture also sets, the last value wins.
  std::string extra_flags = {};
};

// A running etcd cluster owned by a test. Thread-safe. Kill, Pause, Resume, Restart and
// WaitHealthy are serialized, and Pid and IsRunning wait for them; Etcdctl runs concurrently.
class EtcdCluster {
 public:
  // Starts the members and returns once each answers {"health":"true"}, within 20 s. On failure
  // the error names the member and quotes the tail of its log. Retries once on new ports when a
  // port turned out to be taken.
  static absl::StatusOr<std::unique_ptr<EtcdCluster>> Start(EtcdClusterOptions options = {});

  // SIGKILLs every member still running, reaps it and removes the temp dir.
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  // Number of members, running or not.
  int size() const;
  // "127.0.0.1:PORT" of each member's client listener, in member order.
  std::vector<std::string> ClientEndpoints() const;
  // "127.0.0.1:PORT" of member `member`'s client listener.
  std::string ClientEndpoint(int member) const;
  // "http://127.0.0.1:PORT", or https with tls: the base URL of the member's grpc-gateway and
  // /health.
  std::string HttpUrl(int member) const;

  // SIGKILLs the member and reaps it. FAILED_PRECONDITION if it is not running.
  absl::Status Kill(int member);
  // SIGSTOPs the member and returns once it is stopped. Its sockets stay open but it answers
  // nothing, as a hung server or a partitioned host.
  absl::Status Pause(int member);
  // SIGCONTs a paused member.
  absl::Status Resume(int member);
  // Starts a killed member again with the same data dir, ports and flags
  // (--initial-cluster-state existing) and returns once it is healthy, which needs a quorum.
  absl::Status Restart(int member);
  // Waits until the member answers {"health":"true"} (it knows a leader and a quorum read
  // succeeds), within 20 s. After killing the leader, do this before writing: a write sent in
  // the election may fail with "request timed out, possibly due to previous leader failure".
  absl::Status WaitHealthy(int member);
  // Whether the member's process exists and has not exited (a paused member is running).
  bool IsRunning(int member) const;
  // The member's process id, or -1 when it is not running.
  pid_t Pid(int member) const;

  // TLS material in the temp dir; empty strings without tls.
  std::string CaFile() const;
  std::string ClientCertFile() const;
  std::string ClientKeyFile() const;

  // Runs `etcdctl <args>` (API v3) against all members, with the TLS flags and, when `user` is
  // not empty, --user=`user` ("name:password") filled in. An --endpoints flag in `args` replaces
  // the fixture's. Returns stdout on exit status 0; otherwise UNKNOWN with etcdctl's error
  // message, or DEADLINE_EXCEEDED if it ran for over 30 s.
  absl::StatusOr<std::string> Etcdctl(const std::vector<std::string>& args,
                                      const std::string& user = "") const;

  // Creates user root with `root_password` (role root) and user `user` with `password` (role
  // "readwrite-all": readwrite on every key), then enables auth. With tls, a request without a
  // user is then made as the client certificate's CN, which is no user, and is denied.
  absl::Status EnableAuth(const std::string& root_password, const std::string& user,
                          const std::string& password);

  // The temp dir: data dirs m<i>/, logs m<i>.log, TLS material tls/.
  std::string dir() const;

 private:
  // A member's fixed identity; set by Init and constant after.
  struct Member {
    std::string name;      // m<i>
    int client_port = 0;   // clients and the grpc-gateway
    int peer_port = 0;     // raft, plain http
    int metrics_port = 0;  // plain http /health, polled while waiting, tls or not
  };

  explicit EtcdCluster(EtcdClusterOptions options);

  // Makes the temp dir, TLS material and ports, starts every member and waits until healthy.
  // Sets *port_taken when a member failed because an address was in use.
  absl::Status Init(bool* port_taken);
  // Makes the CA, server and client certificates with openssl.
  absl::Status MakeCertificates();
  // The command line of member `i`; `state` is "new" or "existing".
  std::vector<std::string> MemberArgs(int i, const char* state) const;
  // Spawns member `i` with its log as stdout and stderr.
  absl::Status SpawnMember(int i, const char* state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits until each member in `which` is healthy; fails if one exits, or after 20 s.
  absl::Status AwaitHealthy(const std::vector<int>& which, bool* port_taken)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // OK if `member` is a valid index whose process is running; FAILED_PRECONDITION otherwise.
  absl::Status CheckRunning(int member) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // OUT_OF_RANGE unless 0 <= member < size().
  absl::Status CheckIndex(int member) const;
  // The last lines of member `i`'s log.
  std::string LogTail(int i) const;
  // The scheme and address of member `i`'s client listener.
  std::string ClientUrl(int i) const;

  const EtcdClusterOptions options_;
  // Set by Init, constant after; read without mu_.
  std::string dir_;
  std::string token_;  // --initial-cluster-token, unique per cluster
  std::vector<Member> members_;
  // Serializes control calls. pids_[i] is -1 while member i is not running.
  mutable absl::Mutex mu_;
  std::vector<pid_t> pids_ ABSL_GUARDED_BY(mu_);
};

// A free TCP port on 127.0.0.1 (binds port 0, reads it back, closes), or -1 on error. Another
// process may take it before it is used.
int FreePort();

}  // namespace warden::test

#endif  // WARDEN_TESTS_ETCD_ETCD_CLUSTER_H_
