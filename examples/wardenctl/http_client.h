// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// wardenctl calls the agents' REST APIs with the agent library's HTTP client, the one the
// agents' own probes use.

#ifndef WARDEN_EXAMPLES_WARDENCTL_HTTP_CLIENT_H_
#define WARDEN_EXAMPLES_WARDENCTL_HTTP_CLIENT_H_

#include "src/agent/http_client.h"

namespace warden::ctl {

using ::warden::BasicAuthorization;
using ::warden::CallHttp;
using ::warden::EndpointUrl;
using ::warden::HttpFn;
using ::warden::HttpRequest;
using ::warden::HttpResponse;

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_HTTP_CLIENT_H_
