// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// ClusterCache: the cluster's keys as the agent's prefix watch delivers them, so that an idle HA
// loop reads its view without a request to the DCS (Patroni's etcd3 KVCache does the same). It is
// filled from a List, then kept current by the watch that starts right after that List's
// revision; a watch error empties it until the next Start.
//
// The loop must see its own writes: each write of this node is noted (NoteWrite), and Read waits
// a little for the watch to deliver it, else answers nothing and the loop lists as before.
// Thread-safe: the watch feeds it from a backend thread while the HA loop reads it.

#ifndef WARDEN_SRC_AGENT_CLUSTER_CACHE_H_
#define WARDEN_SRC_AGENT_CLUSTER_CACHE_H_

#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "warden/dcs/types.h"
#include "warden/dcs/watch.h"

namespace warden {

class ClusterCache {
 public:
  // Fills the cache from `listing`; the watch that feeds it must start at listing.revision + 1.
  void Start(const ListResult& listing) ABSL_LOCKS_EXCLUDED(mu_);
  // A watch response, in order. A non-OK one ends the cache's validity until the next Start.
  void Apply(const WatchResponse& response) ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets everything (the watch is gone); Read answers nothing until the next Start.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // A List done by the loop itself, newer than what the watch has delivered: taken in, so that
  // the watch's later events apply on top of it and earlier ones are skipped.
  void Refresh(const ListResult& listing) ABSL_LOCKS_EXCLUDED(mu_);

  // This node wrote under the prefix at `revision`: no Read answers before the watch has
  // delivered that revision.
  void NoteWrite(Revision revision) ABSL_LOCKS_EXCLUDED(mu_);
  // A write of this node failed in a way that leaves open whether the DCS applied it (a lost
  // answer): no Read answers until a List (Refresh) has shown what happened.
  void NoteUncertainWrite() ABSL_LOCKS_EXCLUDED(mu_);

  // The keys, when the cache is live and has seen this node's writes, waiting at most `patience`
  // for the watch to deliver them. nullopt means: List instead.
  std::optional<ListResult> Read(absl::Duration patience) ABSL_LOCKS_EXCLUDED(mu_);

  bool live() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Replaces the keys and the revision with the List's.
  void Fill(const ListResult& listing) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool CaughtUp() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !live_ || revision_ >= own_write_;
  }

  mutable absl::Mutex mu_;
  bool live_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, KeyValue> keys_ ABSL_GUARDED_BY(mu_);
  // The newest revision the cache reflects: a List's read revision or the last applied event.
  Revision revision_ ABSL_GUARDED_BY(mu_) = 0;
  // The revision of the List the cache was last filled from: events up to it are in it.
  Revision listed_revision_ ABSL_GUARDED_BY(mu_) = 0;
  // The newest revision written by this node.
  Revision own_write_ ABSL_GUARDED_BY(mu_) = 0;
  bool uncertain_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_CLUSTER_CACHE_H_
