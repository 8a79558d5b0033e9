warden_add_test(NAME agent_config_test COMPONENT agent TIER unit
  SOURCES agent_config_test.cc
  LIBS warden::agent)
# The seed patroni.yml files and the full example the tests read.
target_compile_definitions(agent_config_test PRIVATE
  WARDEN_CONFIG_TESTDATA="${CMAKE_CURRENT_SOURCE_DIR}/testdata")
