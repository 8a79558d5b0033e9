// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/etcd/convert.h"

#include "warden/dcs/validate.h"

namespace warden::etcd_internal {

KeyValue FromProto(const mvccpb::KeyValue& kv) {
  return KeyValue{kv.key(),          kv.value(),   kv.create_revision(),
                  kv.mod_revision(), kv.version(), kv.lease()};
}

WatchEvent FromProto(const mvccpb::Event& event) {
  WatchEvent out;
  out.type =
      event.type() == mvccpb::Event::DELETE ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
  out.kv = FromProto(event.kv());
  if (out.type == WatchEvent::Type::kDelete) {
    // Keep only what the interface promises for a deletion: the key and its revision.
    out.kv = KeyValue{out.kv.key, "", 0, out.kv.mod_revision, 0, kNoLease};
  }
  return out;
}

void SetPrefixRange(std::string_view prefix, std::string* key, std::string* range_end) {
  *key = prefix.empty() ? std::string(1, '\0') : std::string(prefix);
  *range_end = PrefixRangeEnd(prefix);
  if (range_end->empty()) *range_end = std::string(1, '\0');
}

etcdserverpb::Compare ToProto(const Compare& compare) {
  etcdserverpb::Compare out;
  out.set_key(compare.key);
  switch (compare.op) {
    case Compare::Op::kEqual:
      out.set_result(etcdserverpb::Compare::EQUAL);
      break;
    case Compare::Op::kNotEqual:
      out.set_result(etcdserverpb::Compare::NOT_EQUAL);
      break;
    case Compare::Op::kLess:
      out.set_result(etcdserverpb::Compare::LESS);
      break;
    case Compare::Op::kGreater:
      out.set_result(etcdserverpb::Compare::GREATER);
      break;
  }
  switch (compare.target) {
    case Compare::Target::kValue:
      out.set_target(etcdserverpb::Compare::VALUE);
      out.set_value(compare.value);
      break;
    case Compare::Target::kVersion:
      out.set_target(etcdserverpb::Compare::VERSION);
      out.set_version(compare.number);
      break;
    case Compare::Target::kCreateRevision:
      out.set_target(etcdserverpb::Compare::CREATE);
      out.set_create_revision(compare.number);
      break;
    case Compare::Target::kModRevision:
      out.set_target(etcdserverpb::Compare::MOD);
      out.set_mod_revision(compare.number);
      break;
  }
  return out;
}

etcdserverpb::RequestOp ToProto(const TxnOp& op) {
  etcdserverpb::RequestOp out;
  switch (op.type) {
    case TxnOp::Type::kGet:
      out.mutable_request_range()->set_key(op.key);
      break;
    case TxnOp::Type::kList: {
      auto* range = out.mutable_request_range();
      SetPrefixRange(op.key, range->mutable_key(), range->mutable_range_end());
      break;
    }
    case TxnOp::Type::kPut: {
      auto* put = out.mutable_request_put();
      put->set_key(op.key);
      put->set_value(op.value);
      put->set_lease(op.lease);
      break;
    }
    case TxnOp::Type::kDelete:
      out.mutable_request_delete_range()->set_key(op.key);
      break;
    case TxnOp::Type::kDeletePrefix: {
      auto* del = out.mutable_request_delete_range();
      SetPrefixRange(op.key, del->mutable_key(), del->mutable_range_end());
      break;
    }
  }
  return out;
}

etcdserverpb::TxnRequest ToProto(const TxnRequest& txn) {
  etcdserverpb::TxnRequest out;
  for (const Compare& c : txn.compares) *out.add_compare() = ToProto(c);
  for (const TxnOp& op : txn.success) *out.add_success() = ToProto(op);
  for (const TxnOp& op : txn.failure) *out.add_failure() = ToProto(op);
  return out;
}

TxnResult FromProto(const etcdserverpb::TxnResponse& response) {
  TxnResult out;
  out.succeeded = response.succeeded();
  out.revision = response.header().revision();
  out.results.reserve(response.responses_size());
  for (const etcdserverpb::ResponseOp& op : response.responses()) {
    TxnOpResult result;
    if (op.has_response_range()) {
      for (const mvccpb::KeyValue& kv : op.response_range().kvs()) {
        result.kvs.push_back(FromProto(kv));
      }
    } else if (op.has_response_delete_range()) {
      result.deleted = op.response_delete_range().deleted();
    }
    out.results.push_back(std::move(result));
  }
  return out;
}

}  // namespace warden::etcd_internal
