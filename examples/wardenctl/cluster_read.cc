// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "cluster_read.h"

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace warden::ctl {

absl::StatusOr<ClusterView> ReadCluster(CtlContext& ctx) {
  absl::StatusOr<ListResult> listing = ctx.dcs.List(ctx.keys.prefix(), ctx.DcsDeadline());
  if (!listing.ok()) {
    return absl::Status(listing.status().code(),
                        absl::StrCat("cannot read ", ctx.keys.prefix(),
                                     " from the DCS: ", listing.status().message()));
  }
  ClusterView view = DecodeCluster(ctx.keys, *listing);
  for (const std::string& error : view.decode_errors) ctx.err << "Warning: " << error << "\n";
  return view;
}

absl::Status CheckClusterExists(CtlContext& ctx) {
  absl::StatusOr<ListResult> listing = ctx.dcs.List(ctx.keys.prefix(), ctx.DcsDeadline());
  if (!listing.ok()) {
    return absl::Status(listing.status().code(),
                        absl::StrCat("cannot read ", ctx.keys.prefix(),
                                     " from the DCS: ", listing.status().message()));
  }
  if (listing->kvs.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no cluster '", ctx.scope, "' in the DCS (nothing under ", ctx.keys.prefix(), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> CallMember(CtlContext& ctx, const Member& member,
                                        const std::string& method, const std::string& endpoint,
                                        const std::string& body, absl::Duration timeout) {
  if (member.api_url.empty()) {
    return absl::UnavailableError(
        absl::StrCat("member ", member.name, " publishes no REST API URL"));
  }
  HttpRequest request;
  request.method = method;
  request.url = EndpointUrl(member.api_url, endpoint);
  request.body = body;
  request.username = ctx.rest_username;
  request.password = ctx.rest_password;
  request.timeout = timeout;
  request.cacert = ctx.cacert;
  request.insecure = ctx.insecure;
  request.user_agent = "wardenctl";
  return ctx.http(request);
}

const Member* LeaderMember(const ClusterView& view) {
  if (!view.leader || view.leader->name.empty()) return nullptr;
  return view.FindMember(view.leader->name);
}

}  // namespace warden::ctl
