# The YAML configuration (agent_config.h): the YAML plumbing (scalar typing, line numbers, key
# bookkeeping) apart from the mapping of patroni.yml's sections onto the agent's options.
set(WARDEN_AGENT_CONFIG_SOURCES
  agent/yaml_reader.cc
  agent/agent_config.cc
  agent/agent_config_check.cc
  agent/config_report.cc)
