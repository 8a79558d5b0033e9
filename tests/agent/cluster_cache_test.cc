// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/cluster_cache.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace warden {
namespace {

KeyValue Kv(const std::string& key, const std::string& value, Revision revision) {
  return KeyValue{.key = key,
                  .value = value,
                  .create_revision = revision,
                  .mod_revision = revision,
                  .version = 1,
                  .lease = kNoLease};
}

WatchEvent Put(const std::string& key, const std::string& value, Revision revision) {
  return WatchEvent{.type = WatchEvent::Type::kPut, .kv = Kv(key, value, revision)};
}

WatchEvent Deleted(const std::string& key, Revision revision) {
  WatchEvent event;
  event.type = WatchEvent::Type::kDelete;
  event.kv.key = key;
  event.kv.mod_revision = revision;
  return event;
}

WatchResponse Events(std::vector<WatchEvent> events) {
  WatchResponse response;
  response.revision = events.empty() ? 0 : events.back().kv.mod_revision;
  response.events = std::move(events);
  return response;
}

// The values of the keys a Read returns, "key=value" in key order.
std::vector<std::string> Contents(const ListResult& listing) {
  std::vector<std::string> out;
  for (const KeyValue& kv : listing.kvs) out.push_back(kv.key + "=" + kv.value);
  return out;
}

ListResult Listing(std::vector<KeyValue> kvs, Revision revision) {
  return ListResult{.kvs = std::move(kvs), .revision = revision};
}

TEST(ClusterCacheTest, AnswersNothingBeforeItIsStarted) {
  ClusterCache cache;
  EXPECT_FALSE(cache.Read(absl::ZeroDuration()).has_value());
  cache.Apply(Events({Put("/s/c/leader", "n1", 5)}));
  EXPECT_FALSE(cache.Read(absl::ZeroDuration()).has_value());
}

TEST(ClusterCacheTest, KeepsTheListCurrentWithTheWatchEvents) {
  ClusterCache cache;
  cache.Start(Listing({Kv("/s/c/leader", "n1", 3), Kv("/s/c/members/n1", "a", 4)}, 4));
  cache.Apply(Events({Put("/s/c/members/n2", "b", 5), Put("/s/c/members/n1", "a2", 6)}));
  cache.Apply(Events({Deleted("/s/c/leader", 7)}));
  const std::optional<ListResult> read = cache.Read(absl::ZeroDuration());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->revision, 7);
  EXPECT_EQ(Contents(*read), (std::vector<std::string>{"/s/c/members/n1=a2", "/s/c/members/n2=b"}));
}

// A lease expiry deletes every key on the lease at one revision, in an order etcd does not fix
// (here the member key first): each event applies. The cache once kept the dead leader's key
// whenever its member key came first, and that replica never saw the leader go.
TEST(ClusterCacheTest, EveryEventOfOneRevisionApplies) {
  ClusterCache cache;
  cache.Start(Listing(
      {Kv("/s/c/leader", "n1", 3), Kv("/s/c/members/n1", "{}", 4), Kv("/s/c/members/n2", "{}", 5)},
      5));
  cache.Apply(Events({Deleted("/s/c/members/n1", 9), Deleted("/s/c/leader", 9)}));
  cache.Apply(Events({Put("/s/c/a", "1", 10), Put("/s/c/b", "2", 10)}));
  std::optional<ListResult> read = cache.Read(absl::ZeroDuration());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(Contents(*read),
            (std::vector<std::string>{"/s/c/a=1", "/s/c/b=2", "/s/c/members/n2={}"}));
  EXPECT_EQ(read->revision, 10);
}

TEST(ClusterCacheTest, AWatchErrorEmptiesItUntilTheNextStart) {
  ClusterCache cache;
  cache.Start(Listing({Kv("/s/c/leader", "n1", 3)}, 3));
  WatchResponse compacted;
  compacted.status = absl::OutOfRangeError("compacted");
  cache.Apply(compacted);
  EXPECT_FALSE(cache.live());
  EXPECT_FALSE(cache.Read(absl::ZeroDuration()).has_value());
  cache.Apply(Events({Put("/s/c/leader", "n2", 9)}));  // a late event changes nothing
  cache.Start(Listing({Kv("/s/c/leader", "n3", 10)}, 10));
  EXPECT_EQ(Contents(*cache.Read(absl::ZeroDuration())),
            (std::vector<std::string>{"/s/c/leader=n3"}));
}

TEST(ClusterCacheTest, ANewerListReplacesItAndOlderEventsAreSkipped) {
  ClusterCache cache;
  cache.Start(Listing({Kv("/s/c/leader", "n1", 3)}, 3));
  cache.Refresh(Listing({Kv("/s/c/leader", "n2", 8)}, 8));
  cache.Apply(Events({Put("/s/c/leader", "old", 5), Put("/s/c/failover", "x", 9)}));
  cache.Refresh(Listing({Kv("/s/c/leader", "stale", 2)}, 2));  // older than the cache: ignored
  const std::optional<ListResult> read = cache.Read(absl::ZeroDuration());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->revision, 9);
  EXPECT_EQ(Contents(*read), (std::vector<std::string>{"/s/c/failover=x", "/s/c/leader=n2"}));
}

TEST(ClusterCacheTest, AReadWaitsForThisNodesOwnWrite) {
  ClusterCache cache;
  cache.Start(Listing({}, 3));
  cache.NoteWrite(4);
  EXPECT_FALSE(cache.Read(absl::ZeroDuration()).has_value()) << "the write is not in yet";
  std::thread watch([&cache] { cache.Apply(Events({Put("/s/c/leader", "n1", 4)})); });
  const std::optional<ListResult> read = cache.Read(absl::Seconds(30));
  watch.join();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(Contents(*read), (std::vector<std::string>{"/s/c/leader=n1"}));
}

TEST(ClusterCacheTest, AnUncertainWriteNeedsAListBeforeTheCacheAnswersAgain) {
  ClusterCache cache;
  cache.Start(Listing({}, 3));
  cache.NoteUncertainWrite();
  cache.Apply(Events({Put("/s/c/leader", "n1", 4)}));
  EXPECT_FALSE(cache.Read(absl::ZeroDuration()).has_value());
  cache.Refresh(Listing({Kv("/s/c/leader", "n1", 4)}, 4));
  EXPECT_TRUE(cache.Read(absl::ZeroDuration()).has_value());
}

}  // namespace
}  // namespace warden
