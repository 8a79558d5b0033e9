// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The patroni.yml loader: every field of a full file, the seed documents' files as users run
// them, PATRONI_* overrides, and the diagnostics (warnings and errors with their line).

#include "warden/agent/agent_config.h"

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using Env = std::map<std::string, std::string>;

std::string Testdata(const std::string& name) {
  std::ifstream file(std::string(WARDEN_CONFIG_TESTDATA) + "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Eight lines: what follows starts at line 9.
constexpr char kMinimal[] = R"(scope: demo
name: n1
etcd3:
  hosts: 127.0.0.1:2379
postgresql:
  listen: 127.0.0.1:5432
  connect_address: 127.0.0.1:5432
  data_dir: /tmp/pg
)";

std::string Minimal(const std::string& more = "") { return std::string(kMinimal) + more; }

// The error message of a parse that must fail.
std::string ErrorOf(const std::string& yaml, const Env& env = {}) {
  absl::StatusOr<AgentConfig> config = ParseAgentConfig(yaml, env);
  EXPECT_FALSE(config.ok()) << yaml;
  if (config.ok()) return "";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

std::vector<std::string> WarningsOf(const std::string& yaml) {
  absl::StatusOr<AgentConfig> config = ParseAgentConfig(yaml);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? config->warnings : std::vector<std::string>{};
}

TEST(AgentConfigTest, FullFileMapsEveryField) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Testdata("full.yml"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->warnings, IsEmpty());
  const AgentOptions& a = c->agent;
  EXPECT_EQ(a.scope, "prod");
  EXPECT_EQ(a.namespace_, "/db");
  EXPECT_EQ(a.name, "node1");
  EXPECT_EQ(a.connect_address, "10.0.0.1:5433");
  EXPECT_EQ(a.restapi.listen, "0.0.0.0:8008");
  EXPECT_EQ(a.restapi.connect_address, "10.0.0.1:8008");
  EXPECT_EQ(a.restapi.username, "admin");
  EXPECT_EQ(a.restapi.password, "s3cret");
  EXPECT_EQ(a.restapi.certfile, "/etc/warden/rest.crt");
  EXPECT_EQ(a.restapi.keyfile, "/etc/warden/rest.key");

  EXPECT_THAT(c->dcs.hosts, ElementsAre("10.0.0.11:2379", "10.0.0.12:2379", "10.0.0.13:2379"));
  EXPECT_EQ(c->dcs.protocol, "https");
  EXPECT_EQ(c->dcs.username, "etcduser");
  EXPECT_EQ(c->dcs.password, "etcdpass");
  EXPECT_EQ(c->dcs.cacert, "/etc/warden/ca.crt");
  EXPECT_EQ(c->dcs.cert, "/etc/warden/etcd.crt");
  EXPECT_EQ(c->dcs.key, "/etc/warden/etcd.key");

  const DynamicConfig& d = a.bootstrap_config;
  EXPECT_EQ(d.ttl, absl::Seconds(40));
  EXPECT_EQ(d.loop_wait, absl::Seconds(5));
  EXPECT_EQ(d.retry_timeout, absl::Seconds(15));
  EXPECT_EQ(d.maximum_lag_on_failover, 33554432);
  EXPECT_TRUE(d.check_timeline);
  EXPECT_EQ(d.synchronous_mode, SynchronousMode::kOn);
  EXPECT_TRUE(d.synchronous_mode_strict);
  EXPECT_EQ(d.synchronous_node_count, 2);
  EXPECT_TRUE(d.failsafe_mode);
  EXPECT_EQ(d.primary_start_timeout, absl::Seconds(120));
  EXPECT_EQ(d.primary_stop_timeout, absl::Seconds(30));
  EXPECT_FALSE(d.use_pg_rewind);  // bootstrap.dcs's, for the config key
  EXPECT_FALSE(d.use_slots);
  EXPECT_TRUE(d.remove_data_directory_on_diverged_timelines);
  // The local section's, for this member only (as Patroni).
  EXPECT_EQ(a.use_pg_rewind, std::optional<bool>(true));
  EXPECT_EQ(a.remove_data_directory_on_diverged_timelines, std::optional<bool>(true));
  EXPECT_NE(a.bootstrap_config_json.find(R"("use_pg_rewind":false)"), std::string::npos);
  EXPECT_EQ(a.bootstrap_config_json.find("check_timeline\":false"), std::string::npos)
      << "only what the file says, no defaults";
  EXPECT_EQ(d.postgresql_parameters, (std::map<std::string, std::string>{
                                         {"hot_standby", "on"}, {"max_connections", "200"}}));
  EXPECT_EQ(d.unknown_json, "{}");

  EXPECT_EQ(a.initdb.encoding, "SQL_ASCII");
  EXPECT_EQ(a.initdb.locale, "en_US.UTF-8");
  EXPECT_TRUE(a.initdb.data_checksums);
  EXPECT_THAT(a.initdb.initdb_args, ElementsAre("--wal-segsize=32", "--no-sync"));

  const LocalControllerOptions& pg = c->postgres;
  EXPECT_EQ(pg.name, "node1");
  EXPECT_EQ(pg.listen_host, "10.0.0.1");
  EXPECT_EQ(pg.port, 5433);
  EXPECT_EQ(pg.data_dir, "/var/lib/postgresql/15/main");
  EXPECT_EQ(pg.bin_dir, "/usr/lib/postgresql/15/bin");
  EXPECT_EQ(pg.pgpass_path, "/var/lib/postgresql/.pgpass_warden");
  EXPECT_EQ(pg.superuser.name, "postgres");
  EXPECT_EQ(pg.superuser.password, "supersecret");
  EXPECT_EQ(pg.replication.name, "replicator");
  EXPECT_EQ(pg.replication.password, "replsecret");
  EXPECT_THAT(pg.bootstrap_pg_hba,
              ElementsAre("host replication replicator 10.0.0.0/24 scram-sha-256"));
  EXPECT_THAT(pg.pg_hba, ElementsAre("host all all 10.0.0.0/24 scram-sha-256"));
  EXPECT_EQ(a.postgresql_parameters,
            (std::map<std::string, std::string>{{"checkpoint_completion_target", "0.9"},
                                                {"shared_buffers", "256MB"},
                                                {"synchronous_commit", "off"},
                                                {"unix_socket_permissions", "0770"}}));

  EXPECT_EQ(a.callbacks.on_start, "/usr/local/bin/cb.sh");
  EXPECT_EQ(a.callbacks.on_stop, "/usr/local/bin/cb.sh");
  EXPECT_EQ(a.callbacks.on_restart, "/usr/local/bin/cb.sh");
  EXPECT_EQ(a.callbacks.on_reload, "/usr/local/bin/cb.sh");
  EXPECT_EQ(a.callbacks.on_role_change, "/usr/local/bin/role.sh");

  EXPECT_FALSE(a.tags.nofailover);
  EXPECT_EQ(a.tags.failover_priority, 3);
  EXPECT_TRUE(a.tags.nosync);
  EXPECT_EQ(a.tags.sync_priority, 2);
  EXPECT_TRUE(a.tags.noloadbalance);
  EXPECT_TRUE(a.tags.clonefrom);
  EXPECT_EQ(a.tags.replicatefrom, "node2");
  EXPECT_FALSE(a.tags.nostream);
  EXPECT_EQ(a.tags.unknown_json, R"({"dc":"east"})");
}

// Seed 004's patroni_pg.yml, an `etcd:` section with a comma list of hosts, Patroni 1.6.5.
TEST(AgentConfigTest, Seed004ParsesAsWritten) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Testdata("seed_004_etcd.yml"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(
      c->warnings,
      ElementsAre(HasSubstr("'bootstrap.users' is not supported"),
                  HasSubstr("line 62: postgresql.parameters.unix_socket_directories is ignored"),
                  HasSubstr("line 64: postgresql.parameters.synchronous_standby_names is ignored"),
                  HasSubstr("line 65: postgresql.parameters.max_wal_senders is ignored: every "
                            "member must share it"),
                  HasSubstr("line 66: postgresql.parameters.wal_keep_segments is ignored"),
                  HasSubstr("line 67: postgresql.parameters.wal_level is ignored"),
                  HasSubstr("line 68: postgresql.parameters.wal_log_hints is ignored")));
  EXPECT_EQ(c->agent.scope, "pgcluster");
  EXPECT_EQ(c->agent.name, "ty-db1");
  EXPECT_EQ(c->agent.namespace_, "/service");
  EXPECT_EQ(c->agent.restapi.listen, "0.0.0.0:8008");
  EXPECT_EQ(c->agent.restapi.connect_address, "ty-db1:8008");
  EXPECT_THAT(c->dcs.hosts, ElementsAre("ty-db1:2379", "ty-db2:2379", "ty-db3:2379"));
  EXPECT_EQ(c->dcs.protocol, "http");
  EXPECT_EQ(c->agent.bootstrap_config.ttl, absl::Seconds(30));
  EXPECT_EQ(c->agent.bootstrap_config.maximum_lag_on_failover, 1048576);
  EXPECT_TRUE(c->agent.bootstrap_config.use_pg_rewind);
  EXPECT_EQ(c->agent.initdb.encoding, "UTF8");
  EXPECT_TRUE(c->agent.initdb.data_checksums);
  EXPECT_THAT(c->postgres.pg_hba, IsEmpty());  // bootstrap.pg_hba: appended to initdb's file
  EXPECT_THAT(c->postgres.bootstrap_pg_hba, SizeIs(4));
  EXPECT_EQ(c->postgres.bootstrap_pg_hba[3], "host all all 0.0.0.0/0 md5");
  EXPECT_EQ(c->agent.connect_address, "ty-db1:5432");
  EXPECT_EQ(c->postgres.listen_host, "0.0.0.0");
  EXPECT_EQ(c->postgres.port, 5432);
  EXPECT_EQ(c->postgres.data_dir, "/var/lib/pgsql/10/data");
  EXPECT_EQ(c->postgres.bin_dir, "/usr/pgsql-10/bin");
  EXPECT_EQ(c->postgres.pgpass_path, "/tmp/pgpass0");
  EXPECT_EQ(c->postgres.superuser.name, "admin");
  EXPECT_EQ(c->postgres.replication.name, "rep");
  EXPECT_EQ(c->postgres.replication.password, "test%123");
  // Patroni ignores the parameters every member must share in a member's own section, and sets
  // the socket and synchronous_standby_names itself: said, not dropped silently.
  EXPECT_EQ(c->agent.postgresql_parameters,
            (std::map<std::string, std::string>{{"synchronous_commit", "remote_write"}}));
  EXPECT_FALSE(c->agent.tags.nofailover);
  EXPECT_FALSE(c->agent.tags.noloadbalance);
}

TEST(AgentConfigTest, Seed004RunsWithItsSectionRenamedToEtcd3) {
  const std::string renamed =
      absl::StrReplaceAll(Testdata("seed_004_etcd.yml"), {{"\netcd:\n", "\netcd3:\n"}});
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(renamed);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->dcs.hosts, SizeIs(3));
  EXPECT_THAT(c->warnings, SizeIs(7));
}

// Seed 000 shows only its restapi section and a bootstrap.pg_hba; the rest comes from the
// environment, as a container deployment of Patroni would give it.
TEST(AgentConfigTest, Seed000FragmentsRunWithTheEnvironment) {
  const Env env = {{"PATRONI_SCOPE", "madrid"},
                   {"PATRONI_NAME", "postgres-cluster-madrid"},
                   {"PATRONI_ETCD3_HOSTS", "'127.0.0.1:2379','127.0.0.2:2379'"},
                   {"PATRONI_POSTGRESQL_LISTEN", "0.0.0.0:5432"},
                   {"PATRONI_POSTGRESQL_CONNECT_ADDRESS", "192.168.1.1:5432"},
                   {"PATRONI_POSTGRESQL_DATA_DIR", "/var/lib/postgresql/15/main"}};
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Testdata("seed_000_fragments.yml"), env);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->warnings, IsEmpty());
  EXPECT_EQ(c->agent.restapi.connect_address, "PUBLIC_IP:8008");
  EXPECT_EQ(c->agent.restapi.username, "admin");
  EXPECT_EQ(c->agent.restapi.password, "密码");
  EXPECT_THAT(c->postgres.bootstrap_pg_hba,
              ElementsAre("host replication postgres 0.0.0.0/0 md5", "host all all 0.0.0.0/0 md5"));
  EXPECT_EQ(c->agent.name, "postgres-cluster-madrid");
  EXPECT_THAT(c->dcs.hosts, ElementsAre("127.0.0.1:2379", "127.0.0.2:2379"));
}

TEST(AgentConfigTest, MinimalFileTakesDefaults) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->warnings, IsEmpty());
  EXPECT_EQ(c->agent.namespace_, "/service");
  EXPECT_EQ(c->agent.restapi.listen, "127.0.0.1:8008");
  EXPECT_EQ(c->agent.bootstrap_config, DynamicConfig{});
  EXPECT_TRUE(c->agent.initdb.data_checksums);
  // As under Patroni, initdb takes its encoding and locale from the agent's environment.
  EXPECT_EQ(c->agent.initdb.encoding, "");
  EXPECT_EQ(c->agent.initdb.locale, "");
  EXPECT_EQ(c->postgres.name, "n1");
  EXPECT_EQ(c->postgres.listen_host, "127.0.0.1");
  EXPECT_EQ(c->postgres.port, 5432);
}

TEST(AgentConfigTest, EnvironmentFillsAndOverridesTheFile) {
  const std::string yaml = R"(postgresql:
  listen: 127.0.0.1:5432
  connect_address: 127.0.0.1:5432
  data_dir: /tmp/pg
restapi:
  listen: 127.0.0.1:8008
)";
  const Env env = {{"PATRONI_NAME", "envnode"},
                   {"PATRONI_SCOPE", "envscope"},
                   {"PATRONI_NAMESPACE", "/envns/"},
                   {"PATRONI_RESTAPI_LISTEN", "0.0.0.0:9008"},
                   {"PATRONI_RESTAPI_USERNAME", "u"},
                   {"PATRONI_RESTAPI_PASSWORD", "p"},
                   {"PATRONI_POSTGRESQL_DATA_DIR", "/data/env"},
                   {"PATRONI_SUPERUSER_PASSWORD", "sup"},
                   {"PATRONI_REPLICATION_USERNAME", "repl"},
                   {"PATRONI_ETCD_HOSTS", "10.1.1.1:2379"},
                   {"PATRONI_ETCD3_PROTOCOL", "https"},
                   {"PATRONI_ETCD3_CACERT", "/ca.pem"}};
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(yaml, env);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.name, "envnode");
  EXPECT_EQ(c->postgres.name, "envnode");
  EXPECT_EQ(c->agent.scope, "envscope");
  EXPECT_EQ(c->agent.namespace_, "/envns");
  EXPECT_EQ(c->agent.restapi.listen, "0.0.0.0:9008");
  EXPECT_EQ(c->agent.restapi.username, "u");
  EXPECT_EQ(c->postgres.data_dir, "/data/env");
  EXPECT_EQ(c->postgres.superuser.password, "sup");
  EXPECT_EQ(c->postgres.replication.name, "repl");
  EXPECT_THAT(c->dcs.hosts, ElementsAre("10.1.1.1:2379"));
  EXPECT_EQ(c->dcs.protocol, "https");
  EXPECT_EQ(c->dcs.cacert, "/ca.pem");
}

TEST(AgentConfigTest, Etcd3HostsVariableWinsOverEtcdAndTheFile) {
  const Env env = {{"PATRONI_ETCD_HOSTS", "a:1"}, {"PATRONI_ETCD3_HOSTS", "b:2, c"}};
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal(), env);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->dcs.hosts, ElementsAre("b:2", "c:2379"));
}

TEST(AgentConfigTest, BadValueFromTheEnvironmentNamesTheVariable) {
  EXPECT_THAT(ErrorOf(Minimal(), {{"PATRONI_RESTAPI_LISTEN", "nope"}}),
              HasSubstr("PATRONI_RESTAPI_LISTEN: 'restapi.listen'"));
}

TEST(AgentConfigTest, UnknownKeyWarnsWithLineAndPath) {
  EXPECT_THAT(WarningsOf(Minimal("  foo: 1\nbar:\n  baz: 2\n")),
              ElementsAre("line 9: unknown key 'postgresql.foo' (ignored)",
                          "line 10: unknown key 'bar' (ignored)"));
  EXPECT_THAT(WarningsOf(Minimal("restapi:\n  authentication:\n    user: x\n")),
              ElementsAre("line 11: unknown key 'restapi.authentication.user' (ignored)"));
}

TEST(AgentConfigTest, WrongTypesAreErrorsAtTheirLine) {
  std::string e = ErrorOf(Minimal("bootstrap:\n  dcs:\n    loop_wait: 5\n    ttl: \"abc\"\n"));
  EXPECT_THAT(e, HasSubstr("line 12"));
  EXPECT_THAT(e, HasSubstr("bootstrap.dcs.ttl"));
  e = ErrorOf(Minimal("tags:\n  nofailover: [1]\n"));
  EXPECT_THAT(e, HasSubstr("line 10"));
  EXPECT_THAT(e, HasSubstr("tags.nofailover"));
  e = ErrorOf(Minimal("bootstrap:\n  dcs:\n    postgresql:\n      use_pg_rewind: maybe\n"));
  EXPECT_THAT(e, HasSubstr("line 12: 'bootstrap.dcs.postgresql.use_pg_rewind'"));
  e = ErrorOf(Minimal("  parameters:\n    - a\n"));
  EXPECT_THAT(e, HasSubstr("line 10: 'postgresql.parameters' must be a mapping"));
  e = ErrorOf(Minimal("restapi:\n  listen:\n    host: x\n"));
  EXPECT_THAT(e, HasSubstr("line 10: 'restapi.listen' must be a string"));
  e = ErrorOf(Minimal("  use_pg_rewind: sometimes\n"));
  EXPECT_THAT(e, HasSubstr("line 9: 'postgresql.use_pg_rewind' must be a boolean"));
  e = ErrorOf(Minimal("tags: [a]\n"));
  EXPECT_THAT(e, HasSubstr("line 9: 'tags' must be a mapping"));
}

TEST(AgentConfigTest, MissingRequiredKeysAreErrors) {
  const std::map<std::string, std::string> cases = {
      {"scope: demo\n", "'scope'"},
      {"name: n1\n", "'name'"},
      {"  data_dir: /tmp/pg\n", "'postgresql.data_dir' in the 'postgresql' section at line 5"},
      {"  connect_address: 127.0.0.1:5432\n", "'postgresql.connect_address'"},
      {"  listen: 127.0.0.1:5432\n", "'postgresql.listen'"},
  };
  for (const auto& [line, key] : cases) {
    const std::string yaml = absl::StrReplaceAll(Minimal(), {{line, ""}});
    ASSERT_NE(yaml, Minimal()) << line;
    const std::string e = ErrorOf(yaml);
    EXPECT_THAT(e, HasSubstr("missing required key " + key));
  }
}

TEST(AgentConfigTest, BrokenTimingRuleIsAnErrorAtItsLine) {
  std::string e = ErrorOf(
      Minimal("bootstrap:\n  dcs:\n    ttl: 30\n    loop_wait: 10\n    retry_timeout: 15\n"));
  EXPECT_THAT(e, HasSubstr("line 11: 'bootstrap.dcs': loop_wait + 2 * retry_timeout"));
  e = ErrorOf(Minimal("bootstrap:\n  dcs:\n    loop_wait: 0\n"));
  EXPECT_THAT(e, HasSubstr("line 11: 'bootstrap.dcs.loop_wait' must be positive"));
  e = ErrorOf(Minimal("bootstrap:\n  dcs:\n    retry_timeout: -1\n"));
  EXPECT_THAT(e, HasSubstr("line 11: 'bootstrap.dcs.retry_timeout'"));
}

TEST(AgentConfigTest, YamlSyntaxErrorNamesItsLine) {
  EXPECT_THAT(ErrorOf(Minimal("restapi:\n  listen: [oops\n")),
              HasSubstr("line 11, column 1: YAML error"));
  EXPECT_THAT(ErrorOf("scope: a\nname: b\n  bad indent: c\n"),
              HasSubstr("line 3, column 13: YAML error"));
  EXPECT_THAT(ErrorOf("- a list\n- not a mapping\n"), HasSubstr("must be a YAML mapping"));
}

TEST(AgentConfigTest, OtherDcsSectionIsAnErrorWithoutEtcd) {
  const std::string yaml = absl::StrReplaceAll(
      Minimal(), {{"etcd3:\n  hosts: 127.0.0.1:2379\n", "consul:\n  host: 127.0.0.1:8500\n"}});
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("line 3: only etcd3 is supported: rename the 'consul'"));
  // Next to an etcd3 section, it is only left unused.
  EXPECT_THAT(WarningsOf(Minimal("zookeeper:\n  hosts: [z1]\n")),
              ElementsAre(HasSubstr("line 9: 'zookeeper' is not supported")));
}

TEST(AgentConfigTest, NoDcsSectionIsAnError) {
  const std::string yaml =
      absl::StrReplaceAll(Minimal(), {{"etcd3:\n  hosts: 127.0.0.1:2379\n", ""}});
  EXPECT_THAT(ErrorOf(yaml), HasSubstr("no DCS configured"));
}

TEST(AgentConfigTest, UnsupportedSectionsWarnByName) {
  const std::vector<std::string> warnings = WarningsOf(Minimal(R"(  authentication:
    rewind:
      username: rewinder
log:
  level: INFO
ctl:
  insecure: true
citus:
  group: 0
watchdog:
  mode: automatic
bootstrap:
  users:
    admin:
      password: x
)"));
  EXPECT_THAT(
      warnings,
      ElementsAre(HasSubstr("line 21: 'bootstrap.users' is not supported"),
                  HasSubstr("line 10: 'postgresql.authentication.rewind' is not supported"),
                  "line 18: watchdog not supported, running without (watchdog.mode automatic)",
                  HasSubstr("line 15: 'ctl.insecure' is not supported"),
                  HasSubstr("line 12: 'log' is not supported"),
                  HasSubstr("line 16: 'citus' is not supported")));
  // Patroni with watchdog.mode required does not lead without one: running on would be unsafe.
  EXPECT_THAT(ErrorOf(Minimal("watchdog:\n  mode: required\n")),
              HasSubstr("line 9: watchdog.mode required, but warden has no watchdog"));
}

TEST(AgentConfigTest, WatchdogOffIsSilent) {
  EXPECT_THAT(WarningsOf(Minimal("watchdog:\n  mode: off\n")), IsEmpty());
  EXPECT_THAT(WarningsOf(Minimal("watchdog:\n  mode: \"off\"\n")), IsEmpty());
  EXPECT_THAT(WarningsOf(Minimal("watchdog:\n  mode: false\n")), IsEmpty());
  EXPECT_THAT(WarningsOf(Minimal("watchdog:\n  device: /dev/watchdog\n")),
              ElementsAre(HasSubstr("watchdog not supported")));
}

TEST(AgentConfigTest, InitdbListForms) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal(R"(bootstrap:
  initdb:
    - encoding: LATIN1
    - locale: de_DE.UTF-8
    - lc-messages: C
    - auth-host: scram-sha-256
    - --no-instructions
)"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.initdb.encoding, "LATIN1");
  EXPECT_EQ(c->agent.initdb.locale, "de_DE.UTF-8");
  EXPECT_FALSE(c->agent.initdb.data_checksums);  // not listed: Patroni would not ask for them
  EXPECT_THAT(c->agent.initdb.initdb_args,
              ElementsAre("--lc-messages=C", "--auth-host=scram-sha-256", "--no-instructions"));
  EXPECT_THAT(ErrorOf(Minimal("bootstrap:\n  initdb: data-checksums\n")),
              HasSubstr("line 10: 'bootstrap.initdb' must be a list"));
}

TEST(AgentConfigTest, EtcdHostsAsListCommaStringHostAndUrls) {
  const auto hosts = [](const std::string& section) {
    const std::string yaml =
        absl::StrReplaceAll(Minimal(), {{"etcd3:\n  hosts: 127.0.0.1:2379\n", section}});
    absl::StatusOr<AgentConfig> c = ParseAgentConfig(yaml);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->dcs : DcsSettings{};
  };
  EXPECT_THAT(hosts("etcd3:\n  hosts: [e1:2379, 'e2:2380']\n").hosts,
              ElementsAre("e1:2379", "e2:2380"));
  EXPECT_THAT(hosts("etcd3:\n  hosts: e1:2379,e2:2380 , e3\n").hosts,
              ElementsAre("e1:2379", "e2:2380", "e3:2379"));
  EXPECT_THAT(hosts("etcd:\n  host: '[::1]:2379'\n").hosts, ElementsAre("[::1]:2379"));
  const DcsSettings urls = hosts("etcd3:\n  urls:\n    - https://e1:2379\n    - https://e2/\n");
  EXPECT_THAT(urls.hosts, ElementsAre("e1:2379", "e2:2379"));
  EXPECT_EQ(urls.protocol, "https");
  const DcsSettings explicit_protocol = hosts("etcd3:\n  url: https://e1:2379\n  protocol: http\n");
  EXPECT_EQ(explicit_protocol.protocol, "http");
  EXPECT_THAT(
      ErrorOf(absl::StrReplaceAll(Minimal(), {{"hosts: 127.0.0.1:2379", "hosts: e:99999"}})),
      HasSubstr("line 4: 'etcd3.hosts'"));
}

TEST(AgentConfigTest, BothEtcdSectionsUseEtcd3) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal("etcd:\n  hosts: other:2379\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->dcs.hosts, ElementsAre("127.0.0.1:2379"));
  EXPECT_THAT(c->warnings, ElementsAre(HasSubstr("line 9: 'etcd' is not supported")));
}

TEST(AgentConfigTest, SynchronousModeQuorum) {
  absl::StatusOr<AgentConfig> c =
      ParseAgentConfig(Minimal("bootstrap:\n  dcs:\n    synchronous_mode: quorum\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.bootstrap_config.synchronous_mode, SynchronousMode::kQuorum);
  EXPECT_THAT(ErrorOf(Minimal("bootstrap:\n  dcs:\n    synchronous_mode: sometimes\n")),
              HasSubstr("line 11: 'bootstrap.dcs.synchronous_mode'"));
}

TEST(AgentConfigTest, UnknownBootstrapDcsKeysAreKeptForTheConfigKey) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal(R"(bootstrap:
  dcs:
    citus_group_hint: 3
    max_timelines_history: 0
    postgresql:
      recovery_conf: {restore_command: 'cp /a/%f %p'}
)"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.bootstrap_config.unknown_json,
            R"({"citus_group_hint":3,"max_timelines_history":0,)"
            R"("postgresql":{"recovery_conf":{"restore_command":"cp /a/%f %p"}}})");
  // Kept for Patroni members, but warden says it does not act on the ones Patroni knows.
  EXPECT_THAT(c->warnings,
              ElementsAre(HasSubstr("line 14: 'bootstrap.dcs.postgresql.recovery_conf': not "
                                    "supported"),
                          HasSubstr("line 12: 'bootstrap.dcs.max_timelines_history': not "
                                    "supported")));
}

// Every key warden would silently not honour, each named with its line: the unsafe ones refuse
// the file, all of them in one error, the harmless ones are warnings.
TEST(AgentConfigTest, BootstrapDcsKeysWardenLacksAreRefusedOrWarnedEachWithItsLine) {
  const std::string yaml = Minimal(R"(bootstrap:
  dcs:
    ttl: 30
    standby_cluster:
      host: 10.9.9.9
      port: 5432
    slots:
      cdc: {type: logical, database: app, plugin: pgoutput}
    ignore_slots: [{name: keep}]
    postgresql:
      pg_hba: [host all all 0.0.0.0/0 md5]
)");
  const std::string error = ErrorOf(yaml);
  EXPECT_THAT(error, HasSubstr("line 12: 'bootstrap.dcs.standby_cluster': warden has no standby "
                               "cluster mode yet"));
  EXPECT_THAT(error, HasSubstr("line 15: 'bootstrap.dcs.slots'"));
  EXPECT_THAT(error, HasSubstr("line 19: 'bootstrap.dcs.postgresql.pg_hba'"));
  // ignore_slots is honoured (DynamicConfig::ignore_slots); an empty standby_cluster is none.
  EXPECT_THAT(WarningsOf(Minimal("bootstrap:\n  dcs:\n    ignore_slots: [{name: keep}]\n"
                                 "    maximum_lag_on_syncnode: 1000\n    standby_cluster: {}\n")),
              ElementsAre(HasSubstr("line 12: 'bootstrap.dcs.maximum_lag_on_syncnode'")));
}

// The probes of other members use what Patroni's PatroniRequest uses: the REST credentials, and
// ctl's CA and client certificate, else restapi's.
TEST(AgentConfigTest, PeerCallsTakeTheRestCredentialsAndCtlThenRestapiTls) {
  const std::string restapi = R"(restapi:
  listen: 127.0.0.1:8008
  certfile: /etc/warden/server.pem
  keyfile: /etc/warden/server.key
  cafile: /etc/warden/ca.pem
  authentication: {username: admin, password: secret}
)";
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal(restapi));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->warnings, IsEmpty());
  const PeerHttpOptions& peer = c->agent.peer_http;
  EXPECT_EQ(peer.username, "admin");
  EXPECT_EQ(peer.password, "secret");
  EXPECT_EQ(peer.cacert, "/etc/warden/ca.pem");
  EXPECT_EQ(peer.certfile, "/etc/warden/server.pem");
  EXPECT_EQ(peer.keyfile, "/etc/warden/server.key");
  c = ParseAgentConfig(Minimal(restapi + R"(ctl:
  cacert: /etc/warden/ctl-ca.pem
  certfile: /etc/warden/ctl.pem
  keyfile: /etc/warden/ctl.key
)"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.peer_http.cacert, "/etc/warden/ctl-ca.pem");
  EXPECT_EQ(c->agent.peer_http.certfile, "/etc/warden/ctl.pem");
  EXPECT_EQ(c->agent.peer_http.keyfile, "/etc/warden/ctl.key");
  c = ParseAgentConfig(Minimal(restapi), {{"PATRONI_RESTAPI_PASSWORD", "from-env"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.peer_http.password, "from-env");
}

// warden-agent --validate: every key with what warden does with it.
TEST(AgentConfigTest, TheKeyReportGivesEveryKeyItsVerdict) {
  absl::StatusOr<std::vector<ConfigKeyReport>> report = ReportConfigKeys(Minimal(R"(bootstrap:
  dcs:
    ttl: 30
    citus_group_hint: 3
    standby_cluster:
      host: 10.9.9.9
  users:
    admin: {password: x}
)"));
  ASSERT_TRUE(report.ok()) << report.status();
  std::map<std::string, std::string> verdicts;
  for (const ConfigKeyReport& key : *report) verdicts[key.path] = key.verdict;
  EXPECT_EQ(verdicts["scope"], "honoured");
  EXPECT_EQ(verdicts["postgresql.data_dir"], "honoured");
  EXPECT_EQ(verdicts["bootstrap.dcs.ttl"], "honoured");
  EXPECT_EQ(verdicts["bootstrap.dcs.standby_cluster"], "refused");
  EXPECT_EQ(verdicts["bootstrap.dcs.standby_cluster.host"], "refused");
  report =
      ReportConfigKeys(Minimal("bootstrap:\n  dcs:\n    citus_group_hint: 3\n"
                               "  users:\n    admin: {password: x}\n"));
  ASSERT_TRUE(report.ok()) << report.status();
  verdicts.clear();
  for (const ConfigKeyReport& key : *report) verdicts[key.path] = key.verdict;
  EXPECT_EQ(verdicts["bootstrap.dcs.citus_group_hint"], "kept");
  EXPECT_EQ(verdicts["bootstrap.users"], "warned");
  EXPECT_EQ(verdicts["bootstrap.users.admin"], "warned");
  EXPECT_EQ(verdicts["bootstrap.users.admin.password"], "warned");
}

TEST(AgentConfigTest, NostreamIsWarnedNotSilentlyIgnored) {
  EXPECT_THAT(WarningsOf(Minimal("tags:\n  nostream: true\n")),
              ElementsAre(HasSubstr("line 10: 'tags.nostream' is not supported")));
  EXPECT_THAT(WarningsOf(Minimal("tags:\n  nostream: false\n")), IsEmpty());
}

TEST(AgentConfigTest, PostgresClusterNameIsTheScopeAsInPatroni) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->postgres.cluster_name, "demo");
}

TEST(AgentConfigTest, UnknownTagsAreKept) {
  absl::StatusOr<AgentConfig> c =
      ParseAgentConfig(Minimal("tags:\n  rack: r1\n  weight: 3\n  nofailover: yes\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->agent.tags.nofailover);
  EXPECT_EQ(c->agent.tags.unknown_json, R"({"rack":"r1","weight":3})");
  EXPECT_THAT(c->warnings, IsEmpty());
}

TEST(AgentConfigTest, AddressesAreCheckedAtTheirLine) {
  EXPECT_THAT(ErrorOf(Minimal("restapi:\n  listen: 0.0.0.0:80800\n")),
              HasSubstr("line 10: 'restapi.listen'"));
  EXPECT_THAT(ErrorOf(Minimal("restapi:\n  connect_address: host-without-port\n")),
              HasSubstr("line 10: 'restapi.connect_address'"));
  const std::string no_port =
      absl::StrReplaceAll(Minimal(), {{"connect_address: 127.0.0.1:5432", "connect_address: x"}});
  EXPECT_THAT(ErrorOf(no_port), HasSubstr("line 7: 'postgresql.connect_address'"));
  const std::string bad_listen =
      absl::StrReplaceAll(Minimal(), {{"listen: 127.0.0.1:5432", "listen: 127.0.0.1:http"}});
  EXPECT_THAT(ErrorOf(bad_listen), HasSubstr("line 6: 'postgresql.listen'"));
}

TEST(AgentConfigTest, PostgresListenForms) {
  const auto listen = [](const std::string& value) {
    const std::string yaml =
        absl::StrReplaceAll(Minimal(), {{"listen: 127.0.0.1:5432", "listen: '" + value + "'"}});
    absl::StatusOr<AgentConfig> c = ParseAgentConfig(yaml);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : AgentConfig{};
  };
  AgentConfig c = listen("*:6543");
  EXPECT_EQ(c.postgres.listen_host, "0.0.0.0");
  EXPECT_EQ(c.postgres.port, 6543);
  EXPECT_THAT(c.warnings, ElementsAre(HasSubstr("line 6: 'postgresql.listen'")));
  c = listen("127.0.0.1,10.0.0.5:5433");
  EXPECT_EQ(c.postgres.listen_host, "10.0.0.5");
  EXPECT_THAT(c.warnings, SizeIs(1));
  c = listen("10.0.0.5");  // no port: Patroni's 5432
  EXPECT_EQ(c.postgres.listen_host, "10.0.0.5");
  EXPECT_EQ(c.postgres.port, 5432);
  EXPECT_THAT(c.warnings, IsEmpty());
  c = listen("[::1]:5444");
  EXPECT_EQ(c.postgres.listen_host, "::1");
  EXPECT_EQ(c.postgres.port, 5444);
}

TEST(AgentConfigTest, NamespaceIsNormalised) {
  const auto ns = [](const std::string& value) {
    absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal("namespace: '" + value + "'\n"));
    return c.ok() ? c->agent.namespace_ : c.status().ToString();
  };
  EXPECT_EQ(ns("/db/"), "/db");
  EXPECT_EQ(ns("db"), "/db");
  EXPECT_EQ(ns("/a/b"), "/a/b");
  EXPECT_EQ(ns("/"), "/");
}

TEST(AgentConfigTest, LocalParametersAsPostgresqlText) {
  absl::StatusOr<AgentConfig> c = ParseAgentConfig(Minimal(R"(  parameters:
    archive_mode: on
    fsync: False
    jit: 'off'
    max_connections: 100
    work_mem: 4MB
    empty:
)"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.postgresql_parameters,
            (std::map<std::string, std::string>{
                {"archive_mode", "on"}, {"fsync", "off"}, {"jit", "off"}, {"work_mem", "4MB"}}));
  EXPECT_THAT(c->warnings,
              ElementsAre(HasSubstr("line 13: postgresql.parameters.max_connections is ignored: "
                                    "every member must share it, so it is taken from the cluster "
                                    "config only"),
                          "line 15: 'postgresql.parameters.empty' has no value (ignored)"));
}

TEST(AgentConfigTest, LoadAgentConfigReadsAFile) {
  absl::StatusOr<AgentConfig> c =
      LoadAgentConfig(std::string(WARDEN_CONFIG_TESTDATA) + "/seed_004_etcd.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->agent.scope, "pgcluster");
  absl::StatusOr<AgentConfig> missing = LoadAgentConfig("/nonexistent/patroni.yml");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

// Random byte flips, insertions and truncations of a full file: each must come back as a config
// or an error, never a crash, a hang or an exception.
TEST(AgentConfigTest, MutatedFilesNeverCrash) {
  const std::string good = Testdata("full.yml");
  ASSERT_FALSE(good.empty());
  std::mt19937 rng(20261121);
  const std::string specials = ":-[]{}\n\t '\"&*!|>#%@,?";
  int parsed = 0, failed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          text[at] = specials[rng() % specials.size()];
          break;
        case 2:
          text.insert(at, 1, specials[rng() % specials.size()]);
          break;
        default:
          text.resize(at);
      }
    }
    absl::StatusOr<AgentConfig> c = ParseAgentConfig(text);
    if (c.ok()) {
      ++parsed;
    } else {
      ++failed;
      EXPECT_FALSE(c.status().message().empty());
    }
  }
  // Both outcomes occur, so the loop exercised more than the error path.
  EXPECT_GT(parsed, 0);
  EXPECT_GT(failed, 0);
}

}  // namespace
}  // namespace warden
