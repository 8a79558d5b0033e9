# The agent runtime: executor, HA loop, lease keeper, member probes, callbacks, Agent.
set(WARDEN_AGENT_RUNTIME_SOURCES
  agent/executor.cc)
