# The REST API: request handling (rest_api.h) and its Boost.Beast server.
set(WARDEN_AGENT_REST_SOURCES)
