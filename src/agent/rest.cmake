# The REST API: request handling (rest_api.h) and its Boost.Beast server.
set(WARDEN_AGENT_REST_SOURCES
  agent/rest_api.cc
  agent/rest_request.cc
  agent/rest_status.cc
  agent/rest_health.cc
  agent/rest_json.cc
  agent/rest_metrics.cc
  agent/rest_switchover.cc
  agent/rest_actions.cc
  agent/rest_server.cc)
