// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/cluster_cache.h"

#include <algorithm>
#include <utility>

namespace warden {

void ClusterCache::Fill(const ListResult& listing) {
  keys_.clear();
  for (const KeyValue& kv : listing.kvs) keys_[kv.key] = kv;
  revision_ = listing.revision;
  listed_revision_ = listing.revision;
}

void ClusterCache::Start(const ListResult& listing) {
  absl::MutexLock lock(&mu_);
  Fill(listing);
  live_ = true;
}

void ClusterCache::Refresh(const ListResult& listing) {
  absl::MutexLock lock(&mu_);
  uncertain_ = false;  // the List was sent after any write of this node
  if (live_ && listing.revision > revision_) Fill(listing);
}

void ClusterCache::Apply(const WatchResponse& response) {
  absl::MutexLock lock(&mu_);
  if (!live_) return;
  if (!response.status.ok()) {
    live_ = false;
    keys_.clear();
    return;
  }
  for (const WatchEvent& event : response.events) {
    // Already in the List the cache was last filled from. Compared with the List's revision, not
    // the last event's: one transaction or one lease expiry changes several keys at the same
    // revision (a dead leader's leader and member keys), and each of its events must apply.
    if (event.kv.mod_revision <= listed_revision_) continue;
    if (event.type == WatchEvent::Type::kDelete) {
      keys_.erase(event.kv.key);
    } else {
      keys_[event.kv.key] = event.kv;
    }
    revision_ = std::max(revision_, event.kv.mod_revision);
  }
}

void ClusterCache::Stop() {
  absl::MutexLock lock(&mu_);
  live_ = false;
  keys_.clear();
}

void ClusterCache::NoteWrite(Revision revision) {
  absl::MutexLock lock(&mu_);
  own_write_ = std::max(own_write_, revision);
}

void ClusterCache::NoteUncertainWrite() {
  absl::MutexLock lock(&mu_);
  uncertain_ = true;
}

std::optional<ListResult> ClusterCache::Read(absl::Duration patience) {
  absl::MutexLock lock(&mu_);
  auto caught_up = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return CaughtUp(); };
  mu_.AwaitWithTimeout(absl::Condition(&caught_up), patience);
  if (!live_ || uncertain_ || revision_ < own_write_) return std::nullopt;
  ListResult out;
  out.revision = revision_;
  out.kvs.reserve(keys_.size());
  for (const auto& [key, kv] : keys_) out.kvs.push_back(kv);
  return out;
}

bool ClusterCache::live() const {
  absl::MutexLock lock(&mu_);
  return live_;
}

}  // namespace warden
