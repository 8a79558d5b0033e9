# The agent runtime: executor, HA loop, lease keeper, member probes, callbacks, Agent.
set(WARDEN_AGENT_RUNTIME_SOURCES
  agent/executor.cc
  agent/host_port.cc
  agent/http_url.cc
  agent/http_client.cc
  agent/lease_keeper.cc
  agent/member_prober.cc
  agent/callbacks.cc
  agent/cluster_cache.cc
  agent/write_noting_dcs.cc
  agent/ha_node.cc
  agent/cluster_commands.cc
  agent/agent.cc)
