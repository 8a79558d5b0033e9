# The YAML configuration (agent_config.h).
set(WARDEN_AGENT_CONFIG_SOURCES)
