#The REST API : request handling against a fake agent, and the Beast server over loopback.
warden_add_test(NAME agent_rest_api_test COMPONENT agent TIER unit SOURCES rest_api_test.cc LIBS
                    warden::agent nlohmann_json::nlohmann_json)
    warden_add_test(NAME agent_rest_server_test COMPONENT agent TIER unit SOURCES
                        rest_server_test.cc LIBS warden::agent Boost::headers OpenSSL::SSL
                            OpenSSL::Crypto absl::synchronization absl::cleanup Threads::Threads)
