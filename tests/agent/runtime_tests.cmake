warden_add_test(NAME agent_ha_node_cluster_test COMPONENT agent TIER unit
  SOURCES ha_node_cluster_test.cc
  LIBS warden::agent)
warden_add_test(NAME agent_cluster_cache_test COMPONENT agent TIER unit
  SOURCES cluster_cache_test.cc
  LIBS warden::agent)
warden_add_test(NAME agent_test COMPONENT agent TIER unit
  SOURCES agent_test.cc
  LIBS warden::agent Boost::headers)
warden_add_test(NAME agent_callbacks_test COMPONENT agent TIER unit
  SOURCES callbacks_test.cc
  LIBS warden::agent absl::synchronization)
