// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// patroni.yml's sections onto AgentConfig. Each section is read by a MapReader that takes the
// keys warden uses; what is left becomes a warning, so a Patroni user learns what warden ignores
// without the file being refused. bootstrap.dcs and tags go through the JSON codec (the same
// rules and unknown-key keeping as the DCS's /config key and member tags), after converting the
// YAML with PyYAML's typing.

#include "warden/agent/agent_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <exception>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "src/agent/agent_config_internal.h"
#include "src/agent/yaml_reader.h"
#include "warden/core/codec.h"
#include "warden/core/pg_parameters.h"

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace warden {
namespace {

using agent_config_internal::Diagnostics;
using agent_config_internal::LineOf;
using agent_config_internal::MapReader;
using agent_config_internal::ParseState;
using agent_config_internal::ResolveScalar;
using agent_config_internal::ScalarKind;
using agent_config_internal::ScalarText;
using agent_config_internal::YamlBool;
using agent_config_internal::YamlToJson;

// Sections of other DCSs: fine to leave in the file next to etcd, an error instead of it.
constexpr const char* kOtherDcs[] = {"consul", "zookeeper", "kubernetes", "raft", "exhibitor"};
// Sections Patroni has that warden does without.
constexpr const char* kUnsupportedSections[] = {"log", "citus"};

// bootstrap.dcs keys Patroni acts on and warden does not (yet). The codec keeps them in the
// config key for Patroni members to read; the file is told what warden does with them: refused
// where running on without them is unsafe, warned where it is harmless.
struct DcsKeyWardenLacks {
  const char* path;
  bool refuse;
  const char* why;
};
constexpr DcsKeyWardenLacks kDcsKeysWardenLacks[] = {
    {"standby_cluster", true,
     "warden has no standby cluster mode yet: this node would run initdb and start a second, "
     "independent primary instead of replicating from the remote cluster"},
    {"slots", true,
     "warden does not keep permanent replication slots yet: their consumers would lose them at "
     "the first failover"},
    {"postgresql.pg_hba", true,
     "warden takes pg_hba from each node's postgresql.pg_hba or bootstrap.pg_hba, not from the "
     "cluster config: move the lines there"},
    {"postgresql.pg_ident", false, "not supported: pg_ident.conf is left as it is"},
    {"postgresql.recovery_conf", false, "not supported: replicas stream only"},
    {"maximum_lag_on_syncnode", false,
     "not supported: a lagging synchronous standby stays synchronous"},
    {"member_slots_ttl", false,
     "not supported (Patroni 4): a departed member's slot is dropped once its key expires, as "
     "Patroni 3 does"},
    {"max_timelines_history", false, "not supported: the history key keeps every timeline"},
};

// The key node at dotted `path` below the mapping `root`, or a null node when it is absent or
// its value is null or empty.
YAML::Node PresentKey(const YAML::Node& root, const std::string& path) {
  YAML::Node node = root;
  YAML::Node key;
  for (const std::string& part : std::vector<std::string>(absl::StrSplit(path, '.'))) {
    if (!node.IsMap()) return YAML::Node(YAML::NodeType::Null);
    YAML::Node next_key, next;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == part) {
        // reset(), not operator=: assigning a YAML::Node writes through into the document.
        next_key.reset(it->first);
        next.reset(it->second);
      }
    }
    if (!next_key.IsDefined() || next_key.IsNull()) return YAML::Node(YAML::NodeType::Null);
    key.reset(next_key);
    node.reset(next);
  }
  const bool empty = node.IsNull() || ((node.IsMap() || node.IsSequence()) && node.size() == 0);
  return empty ? YAML::Node(YAML::NodeType::Null) : key;
}

class ConfigReader {
 public:
  ConfigReader(ParseState* state, Diagnostics* diag) : s_(*state), c_(state->config), d_(*diag) {}

  void Read(const YAML::Node& root) {
    MapReader top(root, "", &d_);
    if (!d_.ok()) return;
    Text(top, "scope", "scope", &c_.agent.scope);
    Text(top, "namespace", "namespace", &c_.agent.namespace_);
    Text(top, "name", "name", &c_.agent.name);
    ReadRestApi(top);
    ReadDcs(top);
    ReadBootstrap(top);
    ReadPostgresql(top);
    ReadTags(top);
    ReadWatchdog(top);
    ReadCtl(top);
    for (const char* section : kUnsupportedSections) {
      top.Unsupported(section, absl::StrCat("warden has no '", section, "' section"));
    }
    top.WarnUnknown();
  }

 private:
  // A string key, its line noted under `path` for the checks after the environment is in.
  bool Text(MapReader& r, const std::string& key, const std::string& path, std::string* out) {
    if (!r.TakeString(key, out)) return false;
    s_.origin[path] = LineOf(r.KeyNode(key));
    return true;
  }

  void NoteSection(MapReader& parent, const std::string& key, const std::string& path) {
    if (parent.Has(key)) s_.origin[path] = LineOf(parent.KeyNode(key));
  }

  void ReadRestApi(MapReader& top) {
    NoteSection(top, "restapi", "restapi");
    MapReader r(top.Take("restapi"), "restapi", &d_);
    RestApiOptions& api = c_.agent.restapi;
    Text(r, "listen", "restapi.listen", &api.listen);
    Text(r, "connect_address", "restapi.connect_address", &api.connect_address);
    Text(r, "certfile", "restapi.certfile", &api.certfile);
    Text(r, "keyfile", "restapi.keyfile", &api.keyfile);
    MapReader auth(r.Take("authentication"), "restapi.authentication", &d_);
    Text(auth, "username", "restapi.authentication.username", &api.username);
    Text(auth, "password", "restapi.authentication.password", &api.password);
    auth.WarnUnknown();
    Text(r, "cafile", "restapi.cafile", &s_.restapi_cafile);
    for (const char* key :
         {"keyfile_password", "ciphers", "verify_client", "allowlist", "allowlist_include_members",
          "http_extra_headers", "https_extra_headers", "request_queue_size", "server_tokens"}) {
      r.Unsupported(key);
    }
    r.WarnUnknown();
  }

  // etcd3, else etcd (read as-is: both speak to etcd's v3 API here); other DCSs are an error
  // only when no etcd is configured at all (see Finish).
  void ReadDcs(MapReader& top) {
    const char* chosen = top.Has("etcd3") ? "etcd3" : top.Has("etcd") ? "etcd" : nullptr;
    if (chosen != nullptr) ReadEtcd(top, chosen);
    if (chosen != nullptr && std::string(chosen) == "etcd3") {
      top.Unsupported("etcd", "the 'etcd3' section is used");
    }
    for (const char* other : kOtherDcs) {
      if (!top.Has(other)) continue;
      if (chosen == nullptr && s_.other_dcs.empty()) {
        top.Take(other);
        s_.other_dcs = other;
        s_.origin[other] = LineOf(top.KeyNode(other));
      } else {
        top.Unsupported(other, "only etcd3 is supported");
      }
    }
  }

  void ReadEtcd(MapReader& top, const std::string& name) {
    s_.dcs_section = name;
    NoteSection(top, name, name);
    MapReader r(top.Take(name), name, &d_);
    DcsSettings& dcs = c_.dcs;
    s_.dcs_protocol_set = Text(r, "protocol", name + ".protocol", &dcs.protocol);
    Text(r, "username", name + ".username", &dcs.username);
    Text(r, "password", name + ".password", &dcs.password);
    Text(r, "cacert", name + ".cacert", &dcs.cacert);
    Text(r, "cert", name + ".cert", &dcs.cert);
    Text(r, "key", name + ".key", &dcs.key);
    // Patroni looks at these in this order and uses the first one present.
    for (const char* key : {"urls", "url", "hosts", "host"}) {
      if (r.Has(key)) {
        ReadEtcdHosts(r, key);
        break;
      }
    }
    for (const char* key : {"urls", "url", "hosts", "host"}) {
      r.Unsupported(key, "another of url(s)/host(s) is used");
    }
    for (const char* key : {"srv", "srv_suffix", "proxy", "key_password", "use_proxies"}) {
      r.Unsupported(key);
    }
    r.WarnUnknown();
  }

  // A YAML list of entries, or one string holding a comma list.
  void ReadEtcdHosts(MapReader& r, const std::string& key) {
    const YAML::Node value = r.Take(key);
    const std::string path = r.PathOf(key);
    const std::string where = absl::StrCat(LineOf(r.KeyNode(key)), ": '", path, "'");
    if (value.IsSequence()) {
      for (const YAML::Node& item : value) {
        std::optional<std::string> entry = ScalarText(item, path, &d_);
        if (entry) d_.Fail(agent_config_internal::AddEtcdHost(*entry, where, &s_));
      }
    } else if (std::optional<std::string> list = ScalarText(value, path, &d_)) {
      d_.Fail(agent_config_internal::AddEtcdHostList(*list, where, &s_));
    }
  }

  void ReadBootstrap(MapReader& top) {
    MapReader r(top.Take("bootstrap"), "bootstrap", &d_);
    // As Patroni: initdb gets an encoding or a locale only where bootstrap.initdb names one, and
    // otherwise chooses them from the agent's environment (LANG, LC_*).
    c_.agent.initdb.encoding.clear();
    c_.agent.initdb.locale.clear();
    if (r.Has("dcs")) ReadBootstrapDcs(r.Take("dcs"), r.KeyNode("dcs"));
    if (r.Has("initdb")) ReadInitdb(r.Take("initdb"), r.KeyNode("initdb"));
    ReadStringList(r, "pg_hba", &c_.postgres.bootstrap_pg_hba);
    r.Unsupported("users", "Patroni 3 dropped it; create the users before or after bootstrap");
    for (const char* key : {"post_bootstrap", "post_init"}) r.Unsupported(key);
    if (r.Has("method")) {
      std::string method;
      r.TakeString("method", &method);
      if (method != "initdb") {
        d_.Warn(r.KeyNode("method"), absl::StrCat("'bootstrap.method' ", method,
                                                  " is not supported: warden runs initdb"));
      }
    }
    r.WarnUnknown();
  }

  // Through the codec, so bootstrap.dcs reads exactly as the /config key would, keeping every
  // key the codec does not model; then Patroni's timing rule, as an error rather than Patroni's
  // silent adjustment, since the file is the one place to fix it.
  void ReadBootstrapDcs(const YAML::Node& dcs, const YAML::Node& key) {
    if (!dcs.IsDefined() || dcs.IsNull()) return;
    if (!dcs.IsMap()) return d_.Fail(key, "'bootstrap.dcs' must be a mapping");
    absl::StatusOr<nlohmann::ordered_json> json = YamlToJson(dcs);
    if (!json.ok()) return d_.Fail(json.status());
    absl::StatusOr<DynamicConfig> config = DecodeConfig(json->dump());
    if (!config.ok()) return FailCodec(config.status(), dcs, key, "bootstrap.dcs.");
    c_.agent.bootstrap_config = *std::move(config);
    c_.agent.bootstrap_config_json = json->dump();
    CheckTiming(dcs, key);
    WarnIgnoredClusterParameters(dcs);
    for (const DcsKeyWardenLacks& lack : kDcsKeysWardenLacks) {
      const YAML::Node at = PresentKey(dcs, lack.path);
      if (!at.IsDefined() || at.IsNull()) continue;
      const std::string text = absl::StrCat("'bootstrap.dcs.", lack.path, "': ", lack.why);
      if (lack.refuse) {
        d_.Fail(at, text);
      } else {
        d_.Warn(at, text);
      }
    }
  }

  // The codec names the field ('field "postgresql.use_pg_rewind": expected ...'); we add the
  // line by walking the same path in the YAML.
  void FailCodec(const absl::Status& status, const YAML::Node& root, const YAML::Node& root_key,
                 const std::string& prefix) {
    const std::string message(status.message());
    const std::string marker = "field \"";
    const size_t start = message.find(marker);
    const size_t end =
        start == std::string::npos ? start : message.find('"', start + marker.size());
    if (end == std::string::npos) {
      return d_.Fail(root_key,
                     absl::StrCat("'", prefix.substr(0, prefix.size() - 1), "': ", message));
    }
    std::string field = message.substr(start + marker.size(), end - start - marker.size());
    if (prefix == "tags." && field.rfind("tags.", 0) == 0) field = field.substr(5);
    std::string rest = message.substr(end + 1);
    if (!rest.empty() && rest[0] == ':') rest = rest.substr(1);
    d_.Fail(KeyAt(root, root_key, field), absl::StrCat("'", prefix, field, "':", rest));
  }

  // The key node at a dotted path below `root`, or the deepest one found on the way.
  static YAML::Node KeyAt(const YAML::Node& root, const YAML::Node& root_key,
                          const std::string& path) {
    YAML::Node node = root, key = root_key;
    const std::vector<std::string> parts = absl::StrSplit(path, '.');
    for (const std::string& part : parts) {
      if (!node.IsMap()) break;
      YAML::Node next_key, next;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == part) {
          // reset(), not operator=: assigning a YAML::Node writes through into the document.
          next_key.reset(it->first);
          next.reset(it->second);
        }
      }
      if (!next_key.IsDefined() || next_key.IsNull()) break;
      key.reset(next_key);
      node.reset(next);
    }
    return key;
  }

  // bootstrap.dcs.postgresql.parameters that fail Patroni's checks for the parameters every
  // member shares (max_connections >= 25, ...), which Patroni and warden run without.
  void WarnIgnoredClusterParameters(const YAML::Node& dcs) {
    for (const auto& [name, value] : c_.agent.bootstrap_config.postgresql_parameters) {
      std::vector<std::string> ignored;
      EffectivePostgresParameters({{name, value}}, {}, &ignored);
      const YAML::Node at = PresentKey(dcs, "postgresql.parameters." + name);
      for (const std::string& why : ignored) d_.Warn(at, why);
    }
  }

  void CheckTiming(const YAML::Node& dcs, const YAML::Node& dcs_key) {
    const DynamicConfig& config = c_.agent.bootstrap_config;
    const std::pair<const char*, absl::Duration> timings[] = {
        {"ttl", config.ttl},
        {"loop_wait", config.loop_wait},
        {"retry_timeout", config.retry_timeout}};
    for (const auto& [name, value] : timings) {
      if (value <= absl::ZeroDuration()) {
        return d_.Fail(KeyAt(dcs, dcs_key, name),
                       absl::StrCat("'bootstrap.dcs.", name, "' must be positive"));
      }
    }
    if (config.loop_wait + 2 * config.retry_timeout <= config.ttl) return;
    const char* at = dcs["ttl"] ? "ttl" : dcs["loop_wait"] ? "loop_wait" : "retry_timeout";
    d_.Fail(KeyAt(dcs, dcs_key, at),
            absl::StrCat("'bootstrap.dcs': loop_wait + 2 * retry_timeout must not exceed ttl "
                         "(Patroni's rule), got loop_wait ",
                         absl::FormatDuration(config.loop_wait), ", retry_timeout ",
                         absl::FormatDuration(config.retry_timeout), ", ttl ",
                         absl::FormatDuration(config.ttl)));
  }

  // Patroni's list form: "- data-checksums" (a flag) and "- encoding: UTF8" (an option). A
  // file that lists initdb options gets exactly those: no data checksums unless listed.
  void ReadInitdb(const YAML::Node& list, const YAML::Node& key) {
    if (list.IsNull()) return;
    if (!list.IsSequence()) return d_.Fail(key, "'bootstrap.initdb' must be a list");
    BootstrapOptions& initdb = c_.agent.initdb;
    initdb.data_checksums = false;
    for (const YAML::Node& item : list) {
      if (item.IsMap()) {
        for (auto it = item.begin(); it != item.end(); ++it) InitdbOption(it->first, it->second);
      } else if (std::optional<std::string> flag = ScalarText(item, "bootstrap.initdb", &d_)) {
        InitdbFlag(*flag);
      }
    }
  }

  void InitdbFlag(std::string flag) {
    while (!flag.empty() && flag[0] == '-') flag.erase(0, 1);
    if (flag == "data-checksums" || flag == "k") {
      c_.agent.initdb.data_checksums = true;
    } else if (!flag.empty()) {
      c_.agent.initdb.initdb_args.push_back("--" + flag);
    }
  }

  void InitdbOption(const YAML::Node& key, const YAML::Node& value) {
    const std::string path = "bootstrap.initdb";
    std::optional<std::string> name = ScalarText(key, path, &d_);
    std::optional<std::string> text = ScalarText(value, path + "." + name.value_or(""), &d_);
    if (!name || !text) return;
    BootstrapOptions& initdb = c_.agent.initdb;
    if (*name == "encoding") {
      initdb.encoding = *text;
    } else if (*name == "locale") {
      initdb.locale = *text;
    } else if (*name == "data-checksums" && YamlBool(*text)) {
      initdb.data_checksums = *YamlBool(*text);
    } else {
      initdb.initdb_args.push_back(absl::StrCat("--", *name, "=", *text));
    }
  }

  void ReadStringList(MapReader& r, const std::string& key, std::vector<std::string>* out) {
    const YAML::Node list = r.Take(key);
    if (!list.IsDefined() || list.IsNull()) return;
    if (!list.IsSequence()) {
      return d_.Fail(r.KeyNode(key), absl::StrCat("'", r.PathOf(key), "' must be a list"));
    }
    for (const YAML::Node& item : list) {
      if (std::optional<std::string> line = ScalarText(item, r.PathOf(key), &d_)) {
        out->push_back(*line);
      }
    }
  }

  void ReadPostgresql(MapReader& top) {
    NoteSection(top, "postgresql", "postgresql");
    MapReader r(top.Take("postgresql"), "postgresql", &d_);
    LocalControllerOptions& pg = c_.postgres;
    Text(r, "listen", "postgresql.listen", &s_.postgres_listen);
    Text(r, "connect_address", "postgresql.connect_address", &c_.agent.connect_address);
    Text(r, "data_dir", "postgresql.data_dir", &pg.data_dir);
    Text(r, "bin_dir", "postgresql.bin_dir", &pg.bin_dir);
    Text(r, "pgpass", "postgresql.pgpass", &pg.pgpass_path);
    ReadAuthentication(r.Take("authentication"));
    ReadParameters(r.Take("parameters"), "postgresql.parameters", &c_.agent.postgresql_parameters);
    ReadStringList(r, "pg_hba", &pg.pg_hba);  // the whole file, bootstrap.pg_hba unused
    ReadCallbacks(r.Take("callbacks"));
    // Patroni lets the local section override these dynamic settings, for this member only.
    TakeOptionalBool(r, "use_pg_rewind", &c_.agent.use_pg_rewind);
    TakeOptionalBool(r, "remove_data_directory_on_diverged_timelines",
                     &c_.agent.remove_data_directory_on_diverged_timelines);
    r.Unsupported("use_slots",
                  "replication slots are on or off for the whole cluster (Patroni "
                  "ignores it here too): set it in bootstrap.dcs.postgresql");
    for (const char* key :
         {"config_dir", "proxy_address", "pg_ident", "create_replica_methods", "basebackup",
          "recovery_conf", "custom_conf", "bin_name", "pg_ctl_timeout", "use_unix_socket",
          "use_unix_socket_repl", "remove_data_directory_on_rewind_failure", "replica_method",
          "rewind", "pre_promote", "before_stop", "database"}) {
      r.Unsupported(key);
    }
    r.WarnUnknown();
  }

  static void TakeOptionalBool(MapReader& r, const std::string& key, std::optional<bool>* out) {
    bool value = false;
    if (r.TakeBool(key, &value)) *out = value;
  }

  void ReadAuthentication(const YAML::Node& node) {
    MapReader r(node, "postgresql.authentication", &d_);
    ReadUser(r, "superuser", &c_.postgres.superuser);
    ReadUser(r, "replication", &c_.postgres.replication);
    r.Unsupported("rewind", "pg_rewind runs as the superuser");
    r.WarnUnknown();
  }

  void ReadUser(MapReader& parent, const std::string& role, PgUser* user) {
    const std::string path = parent.PathOf(role);
    MapReader r(parent.Take(role), path, &d_);
    Text(r, "username", path + ".username", &user->name);
    Text(r, "password", path + ".password", &user->password);
    for (const char* key : {"sslmode", "sslkey", "sslcert", "sslrootcert", "sslpassword", "sslcrl",
                            "sslcrldir", "gssencmode", "channel_binding"}) {
      r.Unsupported(key);
    }
    r.WarnUnknown();
  }

  // Values as postgresql.conf text: booleans as on/off (PyYAML reads `on` as True), numbers as
  // written (so 0770 stays octal for PostgreSQL too).
  void ReadParameters(const YAML::Node& node, const std::string& path,
                      std::map<std::string, std::string>* out) {
    MapReader r(node, path, &d_);
    if (!node.IsMap()) return;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) continue;  // MapReader has failed already
      const std::string name = it->first.Scalar();
      const YAML::Node value = it->second;  // a copy: it->second lives in a temporary
      if (value.IsNull()) {
        d_.Warn(it->first, absl::StrCat("'", path, ".", name, "' has no value (ignored)"));
      } else if (!value.IsScalar()) {
        d_.Fail(it->first, absl::StrCat("'", path, ".", name, "' must be a scalar"));
      } else if (IsLocalParameterIgnored(name)) {
        std::vector<std::string> ignored;
        EffectivePostgresParameters({}, {{name, value.Scalar()}}, &ignored);
        for (const std::string& why : ignored) d_.Warn(it->first, why);
      } else if (ResolveScalar(value) == ScalarKind::kBool) {
        (*out)[name] = *YamlBool(value.Scalar()) ? "on" : "off";
      } else {
        (*out)[name] = value.Scalar();
      }
    }
  }

  void ReadCallbacks(const YAML::Node& node) {
    MapReader r(node, "postgresql.callbacks", &d_);
    CallbackOptions& cb = c_.agent.callbacks;
    const std::pair<const char*, std::string*> scripts[] = {{"on_start", &cb.on_start},
                                                            {"on_stop", &cb.on_stop},
                                                            {"on_restart", &cb.on_restart},
                                                            {"on_reload", &cb.on_reload},
                                                            {"on_role_change", &cb.on_role_change}};
    for (const auto& [key, out] : scripts) {
      Text(r, key, r.PathOf(key), out);
    }
    r.WarnUnknown();
  }

  // Through the member codec: the same tag rules as a member key, unknown tags kept.
  void ReadTags(MapReader& top) {
    const YAML::Node tags = top.Take("tags");
    if (!tags.IsDefined() || tags.IsNull()) return;
    const YAML::Node key = top.KeyNode("tags");
    if (!tags.IsMap()) return d_.Fail(key, "'tags' must be a mapping");
    absl::StatusOr<nlohmann::ordered_json> json = YamlToJson(tags);
    if (!json.ok()) return d_.Fail(json.status());
    nlohmann::ordered_json member = {{"tags", *std::move(json)}};
    absl::StatusOr<Member> decoded = DecodeMember(c_.agent.name, member.dump());
    if (!decoded.ok()) return FailCodec(decoded.status(), tags, key, "tags.");
    c_.agent.tags = decoded->tags;
    if (c_.agent.tags.nostream) {
      d_.Warn(PresentKey(tags, "nostream"),
              "'tags.nostream' is not supported: this member streams from its upstream like the "
              "others (warden replicas have no restore_command to live on instead)");
    }
  }

  // ctl: what patronictl, and Patroni's calls to other members, use to reach the REST APIs.
  void ReadCtl(MapReader& top) {
    MapReader r(top.Take("ctl"), "ctl", &d_);
    PeerHttpOptions& peer = c_.agent.peer_http;
    Text(r, "cacert", "ctl.cacert", &peer.cacert);
    Text(r, "certfile", "ctl.certfile", &peer.certfile);
    Text(r, "keyfile", "ctl.keyfile", &peer.keyfile);
    for (const char* key : {"insecure", "keyfile_password"}) r.Unsupported(key);
    r.WarnUnknown();
  }

  // warden has no watchdog; saying nothing would let a user believe one protects them.
  void ReadWatchdog(MapReader& top) {
    if (!top.Has("watchdog")) return;
    const YAML::Node node = top.Take("watchdog");
    const YAML::Node key = top.KeyNode("watchdog");
    std::string mode = "automatic";  // Patroni's default when the section has no mode
    if (node.IsMap() && node["mode"] && node["mode"].IsScalar()) mode = node["mode"].Scalar();
    if (mode == "off" || mode == "false" || YamlBool(mode) == false) return;
    if (mode == "required") {
      return d_.Fail(key,
                     "watchdog.mode required, but warden has no watchdog: Patroni would not "
                     "become leader without one; use automatic or off to run without");
    }
    d_.Warn(key,
            absl::StrCat("watchdog not supported, running without (watchdog.mode ", mode, ")"));
  }

  ParseState& s_;
  AgentConfig& c_;
  Diagnostics& d_;
};

// Patroni's PatroniRequest falls back from ctl to restapi for each of these; after the
// environment, which may set the REST credentials.
void ApplyPeerDefaults(ParseState* state) {
  PeerHttpOptions& peer = state->config.agent.peer_http;
  const RestApiOptions& api = state->config.agent.restapi;
  if (peer.cacert.empty()) peer.cacert = state->restapi_cafile;
  if (peer.certfile.empty()) {
    peer.certfile = api.certfile;
    peer.keyfile = api.keyfile;
  }
  peer.username = api.username;
  peer.password = api.password;
}

absl::Status SyntaxError(const YAML::Exception& e) {
  if (e.mark.is_null()) return absl::InvalidArgumentError(absl::StrCat("YAML error: ", e.msg));
  return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ", column ",
                                                 e.mark.column + 1, ": YAML error: ", e.msg));
}

absl::StatusOr<AgentConfig> Parse(std::string_view yaml,
                                  const std::map<std::string, std::string>& env) {
  const YAML::Node root = YAML::Load(std::string(yaml));
  ParseState state;
  Diagnostics diag;
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return absl::InvalidArgumentError("the configuration must be a YAML mapping");
  }
  ConfigReader(&state, &diag).Read(root);
  if (!diag.ok()) return diag.status();
  state.config.warnings = diag.TakeWarnings();
  if (absl::Status s = agent_config_internal::ApplyEnvironment(env, &state); !s.ok()) return s;
  ApplyPeerDefaults(&state);
  if (absl::Status s = agent_config_internal::Finish(&state); !s.ok()) return s;
  return std::move(state.config);
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::pair<std::string, std::string> kv = absl::StrSplit(*entry, absl::MaxSplits('=', 1));
    if (kv.first.rfind("PATRONI_", 0) == 0) env.insert(std::move(kv));
  }
  return env;
}

}  // namespace

absl::StatusOr<AgentConfig> ParseAgentConfig(std::string_view yaml,
                                             const std::map<std::string, std::string>& env) {
  // yaml-cpp reports everything, syntax errors included, by throwing.
  try {
    return Parse(yaml, env);
  } catch (const YAML::Exception& e) {
    return SyntaxError(e);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("reading the configuration failed: ", e.what()));
  }
}

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const std::string reason = std::error_code(errno, std::generic_category()).message();
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", reason));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::vector<ConfigKeyReport>> ReportConfigFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ReportConfigKeys(*text, ProcessEnvironment());
}

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<AgentConfig> config = ParseAgentConfig(*text, ProcessEnvironment());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace warden
