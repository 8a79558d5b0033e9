// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Conversions between warden's DCS types and etcd's protocol messages.

#ifndef WARDEN_SRC_ETCD_CONVERT_H_
#define WARDEN_SRC_ETCD_CONVERT_H_

#include <string>
#include <string_view>

#include "kv.pb.h"
#include "rpc.pb.h"
#include "warden/dcs/txn.h"
#include "warden/dcs/types.h"
#include "warden/dcs/watch.h"

namespace warden::etcd_internal {

KeyValue FromProto(const mvccpb::KeyValue& kv);
WatchEvent FromProto(const mvccpb::Event& event);

// etcd's range for "every key starting with prefix": [prefix, range_end). An empty prefix, or
// one of only 0xFF bytes, has no upper bound, which etcd spells "\0".
void SetPrefixRange(std::string_view prefix, std::string* key, std::string* range_end);

etcdserverpb::Compare ToProto(const Compare& compare);
etcdserverpb::RequestOp ToProto(const TxnOp& op);
etcdserverpb::TxnRequest ToProto(const TxnRequest& txn);
TxnResult FromProto(const etcdserverpb::TxnResponse& response);

}  // namespace warden::etcd_internal

#endif  // WARDEN_SRC_ETCD_CONVERT_H_
