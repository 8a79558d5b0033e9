// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The Patroni-compatible codec. The layout and the JSON mirror what Patroni 3.0 reads and writes
// (patroni/dcs/__init__.py: Member, Leader, Failover, ClusterConfig, SyncState, TimelineHistory,
// Status and AbstractDCS's writers; patroni/dcs/etcd3.py: _cluster_from_nodes; patroni/ha.py:
// touch_member, update_cluster_history), accepting what newer versions add.
//
// Reading rules, applied to every key:
//  - Text that is not JSON, JSON nested deeper than kMaxJsonDepth, or a value of the wrong JSON
//    type makes the key unreadable: the decoder returns INVALID_ARGUMENT naming the field.
//  - Where Patroni itself accepts another form, so do we: numbers written as strings ("30"),
//    integral floats (30.0), and for on/off settings the strings Patroni's parse_bool knows
//    ("on", "yes", "1", ...). A JSON null reads as an absent field.
//  - Fields we do not model are kept in the struct's unknown_json and written back after ours.
// Writing never fails: a string that is not valid UTF-8 is written with U+FFFD in its place.

#include "warden/core/codec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "src/core/json_depth.h"

namespace warden {
namespace {

// Ordered so that what we write back keeps the order it was read in.
using Json = nlohmann::ordered_json;

// Patroni's own documents nest four levels at most. The limit keeps hostile input from driving
// nlohmann's recursive dump (and our walks) into a stack overflow.
constexpr int kMaxJsonDepth = 64;

// Patroni 3.x writes the primary's role as "master" (4.0 switched to "primary"); 3.0 readers only
// know "master", so that is what we write, and we read both.
constexpr char kPatroniPrimaryRole[] = "master";
constexpr char kPrimaryRole[] = "primary";

// ---------------------------------------------------------------------------------------------
// JSON plumbing.

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

absl::StatusOr<Json> ParseJson(std::string_view text) {
  if (JsonNestingDepth(text) > kMaxJsonDepth) {
    return Invalid(absl::StrCat("JSON nested deeper than ", kMaxJsonDepth, " levels"));
  }
  try {
    Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return Invalid("not valid JSON");
    return parsed;
  } catch (const std::exception& e) {  // allocation failure; parse errors do not throw here
    return Invalid(absl::StrCat("not valid JSON: ", e.what()));
  }
}

absl::StatusOr<Json> ParseObject(std::string_view text) {
  absl::StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return Invalid(absl::StrCat("expected a JSON object, got ", parsed->type_name()));
  }
  return parsed;
}

std::string Dump(const Json& json) {
  try {
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    return "null";
  }
}

// unknown_json as an object to write from; anything else (a caller's typo) writes nothing.
Json UnknownObject(const std::string& unknown_json) {
  absl::StatusOr<Json> parsed = ParseObject(unknown_json);
  return parsed.ok() ? *std::move(parsed) : Json::object();
}

// Runs a decoder so that no exception escapes the API, whatever nlohmann does.
template <typename T, typename F>
absl::StatusOr<T> NoThrow(F decode) {
  try {
    return decode();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("decoder failed: ", e.what()));
  }
}

template <typename F>
std::string NoThrowEncode(F encode) {
  try {
    return encode();
  } catch (const std::exception&) {
    return "{}";
  }
}

// ---------------------------------------------------------------------------------------------
// Scalar conversions. Each returns nullopt when the value cannot be read as asked.

std::optional<int64_t> FloatToInt64(double d) {
  if (!std::isfinite(d) || d != std::trunc(d) || d < -0x1p63 || d >= 0x1p63) return std::nullopt;
  return static_cast<int64_t>(d);
}

// Integers, integral floats and decimal strings, like Patroni's parse_int for plain numbers.
std::optional<int64_t> ToInt64(const Json& value) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) return FloatToInt64(value.get<double>());
  int64_t parsed;
  if (value.is_string() && absl::SimpleAtoi(value.get_ref<const std::string&>(), &parsed)) {
    return parsed;
  }
  return std::nullopt;
}

// A WAL position or another byte count: a non-negative integer up to 2^64 - 1.
std::optional<uint64_t> ToUint64(const Json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    const int64_t i = value.get<int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<uint64_t>(i);
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!std::isfinite(d) || d != std::trunc(d) || d < 0 || d >= 0x1p64) return std::nullopt;
    return static_cast<uint64_t>(d);
  }
  uint64_t parsed;
  if (value.is_string() && absl::SimpleAtoi(value.get_ref<const std::string&>(), &parsed)) {
    return parsed;
  }
  return std::nullopt;
}

std::optional<int> ToInt(const Json& value) {
  std::optional<int64_t> wide = ToInt64(value);
  if (!wide || *wide < std::numeric_limits<int>::min() || *wide > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(*wide);
}

// Patroni's parse_bool: true/false, and (any case) on/off, yes/no, 1/0 as strings or numbers.
std::optional<bool> ToSwitch(const Json& value) {
  if (value.is_boolean()) return value.get<bool>();
  std::string text;
  if (value.is_string()) {
    text = absl::AsciiStrToLower(value.get_ref<const std::string&>());
  } else if (value.is_number_integer()) {
    text = Dump(value);
  }
  if (text == "on" || text == "true" || text == "yes" || text == "1") return true;
  if (text == "off" || text == "false" || text == "no" || text == "0") return false;
  return std::nullopt;
}

// Tags are tested for truth the Python way (bool(value)); we accept the non-string forms that
// way and strings the parse_bool way, so that a written "false" does not read as true.
std::optional<bool> ToTruthy(const Json& value) {
  if (value.is_number()) return value.get<double>() != 0;
  return ToSwitch(value);
}

// Seconds as a number or a numeric string; negative, non-finite and absurd values are refused.
std::optional<absl::Duration> ToSeconds(const Json& value) {
  double seconds;
  if (value.is_number()) {
    seconds = value.get<double>();
  } else if (!value.is_string() ||
             !absl::SimpleAtod(value.get_ref<const std::string&>(), &seconds)) {
    return std::nullopt;
  }
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e10) return std::nullopt;
  if (std::optional<int64_t> whole = FloatToInt64(seconds)) return absl::Seconds(*whole);
  return absl::Seconds(seconds);
}

// Whole seconds as an integer (what Patroni writes), fractions as a float.
Json SecondsJson(absl::Duration d) {
  const int64_t whole = absl::ToInt64Seconds(d);
  if (absl::Seconds(whole) == d) return whole;
  return absl::ToDoubleSeconds(d);
}

// ---------------------------------------------------------------------------------------------
// FieldReader: takes the fields of one JSON object out one by one, so that what remains is the
// object's unknown part. The first error sticks and names its field.

class FieldReader {
 public:
  explicit FieldReader(Json object, std::string context = "")
      : rest_(std::move(object)), context_(std::move(context)) {}

  // Each Take* leaves `out` as it was when the field is absent or null.
  void TakeString(const char* key, std::string* out) {
    Take(key, out, "a string", [](const Json& v) -> std::optional<std::string> {
      if (!v.is_string()) return std::nullopt;
      return v.get<std::string>();
    });
  }
  void TakeInt(const char* key, int* out) { Take(key, out, "an integer", ToInt); }
  void TakeInt(const char* key, std::optional<int>* out) { Take(key, out, "an integer", ToInt); }
  void TakeInt64(const char* key, int64_t* out) { Take(key, out, "an integer", ToInt64); }
  void TakeNonNegative(const char* key, std::optional<int64_t>* out) {
    Take(key, out, "a non-negative integer", [](const Json& v) -> std::optional<int64_t> {
      std::optional<int64_t> i = ToInt64(v);
      if (i && *i < 0) return std::nullopt;
      return i;
    });
  }
  void TakeLsn(const char* key, std::optional<Lsn>* out) {
    Take(key, out, "a non-negative integer (bytes)", ToUint64);
  }
  void TakeSwitch(const char* key, bool* out) {
    Take(key, out, "a boolean (true/false, on/off, yes/no, 1/0)", ToSwitch);
  }
  void TakeTruthy(const char* key, bool* out) { Take(key, out, "a boolean", ToTruthy); }
  void TakeSeconds(const char* key, absl::Duration* out) {
    Take(key, out, "a non-negative number of seconds", ToSeconds);
  }
  // An object field, whole (nullopt when absent, null or of another type, the latter an error).
  std::optional<Json> TakeObject(const char* key) {
    std::optional<Json> value = TakeRaw(key);
    if (value && !value->is_object()) {
      Fail(key, "an object", *value);
      return std::nullopt;
    }
    return value;
  }
  // The field as it is, removed from the rest; nullopt when absent or null.
  std::optional<Json> TakeRaw(const char* key) {
    auto it = rest_.find(key);
    if (it == rest_.end()) return std::nullopt;
    Json value = std::move(it.value());
    rest_.erase(key);
    if (value.is_null()) return std::nullopt;
    return value;
  }
  bool Has(const char* key) const { return rest_.contains(key); }
  void Fail(const std::string& key, const std::string& expected, const Json& got) {
    if (!status_.ok()) return;
    status_ = Invalid(absl::StrCat("field \"", context_, key, "\": expected ", expected, ", got ",
                                   got.type_name(), " ", Abbreviated(got)));
  }
  void Fail(const absl::Status& status) {
    if (status_.ok()) status_ = status;
  }

  const absl::Status& status() const { return status_; }
  Json& rest() { return rest_; }

 private:
  template <typename T, typename Convert>
  void Take(const char* key, T* out, const char* expected, Convert convert) {
    std::optional<Json> value = TakeRaw(key);
    if (!value) return;
    auto converted = convert(*value);
    if (!converted) return Fail(key, expected, *value);
    *out = *std::move(converted);
  }
  static std::string Abbreviated(const Json& value) {
    std::string text = Dump(value);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
  }

  Json rest_;
  std::string context_;
  absl::Status status_;
};

// Puts `extra`'s keys after the ones `json` already has; ours win a collision.
void AppendUnknown(Json* json, const Json& extra) {
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (!json->contains(it.key())) (*json)[it.key()] = it.value();
  }
}

// ---------------------------------------------------------------------------------------------
// Members and tags.

absl::StatusOr<MemberTags> DecodeTags(Json object) {
  FieldReader r(std::move(object), "tags.");
  MemberTags tags;
  r.TakeTruthy("nofailover", &tags.nofailover);
  r.TakeInt("failover_priority", &tags.failover_priority);
  r.TakeTruthy("nosync", &tags.nosync);
  r.TakeInt("sync_priority", &tags.sync_priority);
  r.TakeTruthy("noloadbalance", &tags.noloadbalance);
  r.TakeTruthy("clonefrom", &tags.clonefrom);
  r.TakeString("replicatefrom", &tags.replicatefrom);
  r.TakeTruthy("nostream", &tags.nostream);
  if (!r.status().ok()) return r.status();
  tags.unknown_json = Dump(r.rest());
  return tags;
}

// Like Patroni's Tags._filter_tags: the boolean tags only when set.
Json EncodeTags(const MemberTags& tags) {
  Json json = Json::object();
  if (tags.nofailover) json["nofailover"] = true;
  if (tags.failover_priority) json["failover_priority"] = *tags.failover_priority;
  if (tags.nosync) json["nosync"] = true;
  if (tags.sync_priority != 1) json["sync_priority"] = tags.sync_priority;
  if (tags.noloadbalance) json["noloadbalance"] = true;
  if (tags.clonefrom) json["clonefrom"] = true;
  if (!tags.replicatefrom.empty()) json["replicatefrom"] = tags.replicatefrom;
  if (tags.nostream) json["nostream"] = true;
  AppendUnknown(&json, UnknownObject(tags.unknown_json));
  return json;
}

std::string RoleFromPatroni(const std::string& role) {
  return role == kPatroniPrimaryRole ? kPrimaryRole : role;
}

std::string RoleToPatroni(const std::string& role) {
  return role == kPrimaryRole ? kPatroniPrimaryRole : role;
}

int HexDigit(char c) {
  if (absl::ascii_isdigit(static_cast<unsigned char>(c))) return c - '0';
  if (absl::ascii_isxdigit(static_cast<unsigned char>(c))) return absl::ascii_tolower(c) - 'a' + 10;
  return -1;
}

// %XX escapes and '+' as Python's parse_qsl undoes them.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

// The Governor-era member value Patroni still reads: a postgres:// URL whose application_name
// query parameter is the REST API URL.
Member MemberFromUrl(std::string_view name, std::string_view url) {
  Member member;
  member.name = std::string(name);
  const size_t query_start = url.find('?');
  const size_t fragment_start = url.find('#', query_start == url.npos ? 0 : query_start);
  member.conn_url = std::string(url.substr(0, query_start));
  if (query_start == url.npos) return member;
  if (fragment_start != url.npos) member.conn_url += std::string(url.substr(fragment_start));
  const std::string query(url.substr(query_start + 1, fragment_start - query_start - 1));
  for (absl::string_view pair : absl::StrSplit(query, absl::ByAnyChar("&;"))) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (PercentDecode(kv.first) == "application_name") {
      member.api_url = PercentDecode(kv.second);
      break;
    }
  }
  return member;
}

absl::StatusOr<Member> DecodeMemberJson(std::string_view name, std::string_view json) {
  absl::StatusOr<Json> parsed = ParseObject(json);
  if (!parsed.ok()) return parsed.status();
  FieldReader r(*std::move(parsed));
  Member member;
  member.name = std::string(name);
  r.TakeString("conn_url", &member.conn_url);
  r.TakeString("api_url", &member.api_url);
  r.TakeString("state", &member.state);
  r.TakeString("role", &member.role);
  member.role = RoleFromPatroni(member.role);
  r.TakeString("version", &member.version);
  r.TakeLsn("xlog_location", &member.xlog_location);
  r.TakeNonNegative("timeline", &member.timeline);
  if (std::optional<Json> tags = r.TakeObject("tags")) {
    absl::StatusOr<MemberTags> decoded = DecodeTags(*std::move(tags));
    r.Fail(decoded.status());
    if (decoded.ok()) member.tags = *std::move(decoded);
  }
  if (!r.status().ok()) return r.status();
  member.unknown_json = Dump(r.rest());
  return member;
}

// ---------------------------------------------------------------------------------------------
// The dynamic configuration.

// postgresql.parameters values are numbers, booleans or strings in JSON; we hold them as the
// text that goes into postgresql.conf. Numbers keep their JSON spelling ("0.9"), booleans read
// as "on"/"off". Other JSON types are not valid settings and stay in unknown_json.
std::optional<std::string> ParameterText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "on" : "off");
  if (value.is_number()) return Dump(value);
  return std::nullopt;
}

// The reverse rule, the one documented in codec.h: text that is exactly how JSON spells a number
// ("100", "0.9", "-1") is written as that number, everything else as a string. A number read
// back is therefore written as the same number; a string "100" is written as 100, which Patroni
// and PostgreSQL treat alike.
Json ParameterJson(const std::string& text) {
  if (text.empty() || text.size() > 32) return text;
  absl::StatusOr<Json> parsed = ParseJson(text);
  if (parsed.ok() && parsed->is_number() && Dump(*parsed) == text) return *std::move(parsed);
  return text;
}

// Moves the modeled parameters out of `parameters`, leaving what we cannot hold as text.
void TakeParameters(Json* parameters, std::map<std::string, std::string>* out) {
  for (auto it = parameters->begin(); it != parameters->end();) {
    std::optional<std::string> text = ParameterText(it.value());
    if (!text) {
      ++it;
      continue;
    }
    (*out)[it.key()] = *std::move(text);
    it = parameters->erase(it);
  }
}

// Reads config["postgresql"] into `config`; returns what is left of it (pg_hba, recovery_conf...).
Json TakePostgresql(Json postgresql, DynamicConfig* config, FieldReader* top) {
  FieldReader r(std::move(postgresql), "postgresql.");
  r.TakeSwitch("use_pg_rewind", &config->use_pg_rewind);
  r.TakeSwitch("use_slots", &config->use_slots);
  r.TakeSwitch("remove_data_directory_on_diverged_timelines",
               &config->remove_data_directory_on_diverged_timelines);
  if (std::optional<Json> parameters = r.TakeObject("parameters")) {
    TakeParameters(&*parameters, &config->postgresql_parameters);
    if (!parameters->empty()) r.rest()["parameters"] = *std::move(parameters);
  }
  top->Fail(r.status());
  return std::move(r.rest());
}

void TakeSynchronousMode(FieldReader* r, SynchronousMode* mode) {
  std::optional<Json> value = r->TakeRaw("synchronous_mode");
  if (!value) return;
  if (value->is_string() && absl::AsciiStrToLower(value->get<std::string>()) == "quorum") {
    *mode = SynchronousMode::kQuorum;
  } else if (std::optional<bool> on = ToSwitch(*value)) {
    *mode = *on ? SynchronousMode::kOn : SynchronousMode::kOff;
  } else {
    r->Fail("synchronous_mode", "a boolean or \"quorum\"", *value);
  }
}

// primary_*_timeout, or the older master_*_timeout when it is absent (Patroni's GlobalConfig
// rule). The old key is left in unknown_json: EncodeConfig keeps it equal to the new one.
void TakeTimeout(FieldReader* r, const char* key, const char* old_key, absl::Duration* out) {
  if (r->Has(key)) return r->TakeSeconds(key, out);
  const auto old = r->rest().find(old_key);
  if (old == r->rest().end() || old->is_null()) return;
  if (std::optional<absl::Duration> seconds = ToSeconds(*old)) {
    *out = *seconds;
  } else {
    r->Fail(old_key, "a non-negative number of seconds", *old);
  }
}

// ignore_slots: a list of objects whose name, type, database and plugin are strings.
absl::Status ReadIgnoreSlots(const Json& value, std::vector<SlotMatcher>* out) {
  if (!value.is_array()) return Invalid("field \"ignore_slots\": expected a list of objects");
  for (const Json& entry : value) {
    if (!entry.is_object()) return Invalid("field \"ignore_slots\": expected a list of objects");
    SlotMatcher matcher;
    FieldReader r(entry, "ignore_slots.");
    r.TakeString("name", &matcher.name);
    r.TakeString("type", &matcher.type);
    r.TakeString("database", &matcher.database);
    r.TakeString("plugin", &matcher.plugin);
    if (!r.status().ok()) return r.status();
    out->push_back(std::move(matcher));
  }
  return absl::OkStatus();
}

Json IgnoreSlotsJson(const std::vector<SlotMatcher>& matchers) {
  Json list = Json::array();
  for (const SlotMatcher& m : matchers) {
    Json entry = Json::object();
    if (!m.name.empty()) entry["name"] = m.name;
    if (!m.type.empty()) entry["type"] = m.type;
    if (!m.database.empty()) entry["database"] = m.database;
    if (!m.plugin.empty()) entry["plugin"] = m.plugin;
    list.push_back(std::move(entry));
  }
  return list;
}

absl::StatusOr<DynamicConfig> DecodeConfigJson(std::string_view json) {
  absl::StatusOr<Json> parsed = ParseObject(json);
  if (!parsed.ok()) return parsed.status();
  FieldReader r(*std::move(parsed));
  DynamicConfig config;
  r.TakeSeconds("ttl", &config.ttl);
  r.TakeSeconds("loop_wait", &config.loop_wait);
  r.TakeSeconds("retry_timeout", &config.retry_timeout);
  r.TakeInt64("maximum_lag_on_failover", &config.maximum_lag_on_failover);
  r.TakeSwitch("check_timeline", &config.check_timeline);
  TakeSynchronousMode(&r, &config.synchronous_mode);
  r.TakeSwitch("synchronous_mode_strict", &config.synchronous_mode_strict);
  r.TakeInt("synchronous_node_count", &config.synchronous_node_count);
  r.TakeSwitch("failsafe_mode", &config.failsafe_mode);
  r.TakeSwitch("pause", &config.pause);
  TakeTimeout(&r, "primary_start_timeout", "master_start_timeout", &config.primary_start_timeout);
  TakeTimeout(&r, "primary_stop_timeout", "master_stop_timeout", &config.primary_stop_timeout);
  if (std::optional<Json> postgresql = r.TakeObject("postgresql")) {
    Json rest = TakePostgresql(*std::move(postgresql), &config, &r);
    if (!rest.empty()) r.rest()["postgresql"] = std::move(rest);
  }
  if (std::optional<Json> ignore = r.TakeRaw("ignore_slots")) {
    r.Fail(ReadIgnoreSlots(*ignore, &config.ignore_slots));
  }
  if (!r.status().ok()) return r.status();
  config.unknown_json = Dump(r.rest());
  return config;
}

Json SynchronousModeJson(SynchronousMode mode) {
  switch (mode) {
    case SynchronousMode::kOn:
      return true;
    case SynchronousMode::kQuorum:
      return "quorum";
    case SynchronousMode::kOff:
      break;
  }
  return false;
}

Json PostgresqlJson(const DynamicConfig& config, const Json& unknown) {
  Json postgresql = Json::object();
  postgresql["use_pg_rewind"] = config.use_pg_rewind;
  postgresql["use_slots"] = config.use_slots;
  if (config.remove_data_directory_on_diverged_timelines) {
    postgresql["remove_data_directory_on_diverged_timelines"] = true;
  }
  Json parameters = Json::object();
  for (const auto& [name, text] : config.postgresql_parameters)
    parameters[name] = ParameterJson(text);
  const auto old = unknown.find("postgresql");
  if (old != unknown.end() && old->is_object()) {
    const auto old_parameters = old->find("parameters");
    if (old_parameters != old->end() && old_parameters->is_object()) {
      AppendUnknown(&parameters, *old_parameters);
    }
  }
  postgresql["parameters"] = std::move(parameters);
  if (old != unknown.end() && old->is_object()) AppendUnknown(&postgresql, *old);
  return postgresql;
}

// The old spelling of a timeout is written only where it was read, with the current value, so
// that members that read either name agree.
void SyncOldTimeout(Json* json, const char* old_key, absl::Duration value) {
  if (json->contains(old_key)) (*json)[old_key] = SecondsJson(value);
}

std::string EncodeConfigJson(const DynamicConfig& config) {
  const Json unknown = UnknownObject(config.unknown_json);
  Json json = Json::object();
  json["ttl"] = SecondsJson(config.ttl);
  json["loop_wait"] = SecondsJson(config.loop_wait);
  json["retry_timeout"] = SecondsJson(config.retry_timeout);
  json["maximum_lag_on_failover"] = config.maximum_lag_on_failover;
  json["check_timeline"] = config.check_timeline;
  json["synchronous_mode"] = SynchronousModeJson(config.synchronous_mode);
  json["synchronous_mode_strict"] = config.synchronous_mode_strict;
  json["synchronous_node_count"] = config.synchronous_node_count;
  json["failsafe_mode"] = config.failsafe_mode;
  json["pause"] = config.pause;
  json["primary_start_timeout"] = SecondsJson(config.primary_start_timeout);
  json["primary_stop_timeout"] = SecondsJson(config.primary_stop_timeout);
  json["postgresql"] = PostgresqlJson(config, unknown);
  if (!config.ignore_slots.empty()) json["ignore_slots"] = IgnoreSlotsJson(config.ignore_slots);
  AppendUnknown(&json, unknown);
  SyncOldTimeout(&json, "master_start_timeout", config.primary_start_timeout);
  SyncOldTimeout(&json, "master_stop_timeout", config.primary_stop_timeout);
  return Dump(json);
}

// ---------------------------------------------------------------------------------------------
// Failover, sync, history, status, failsafe.

// ISO 8601 with a time zone, as Python's isoformat() and dateutil write it: "T" or a space
// between date and time, any fraction of a second, "Z" or a numeric offset.
absl::StatusOr<absl::Time> ParseIsoTime(const std::string& text) {
  absl::Time time;
  for (const char* format : {"%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d %H:%M:%E*S%Ez"}) {
    if (absl::ParseTime(format, text, &time, nullptr)) return time;
  }
  return Invalid(absl::StrCat("scheduled_at \"", text.substr(0, 40),
                              "\" is not an ISO 8601 time with a time zone"));
}

// UTC with "+00:00" and microseconds only when there are any, as Python's isoformat() writes.
std::string FormatIsoTime(absl::Time time) {
  time = absl::FromUnixMicros(absl::ToUnixMicros(time));
  const bool whole = absl::ToUnixMicros(time) % 1'000'000 == 0;
  return absl::FormatTime(whole ? "%Y-%m-%dT%H:%M:%S+00:00" : "%Y-%m-%dT%H:%M:%E6S+00:00", time,
                          absl::UTCTimeZone());
}

absl::StatusOr<FailoverRequest> DecodeFailoverJson(std::string_view json) {
  absl::StatusOr<Json> parsed = ParseObject(json);
  if (!parsed.ok()) return parsed.status();
  FieldReader r(*std::move(parsed));
  FailoverRequest failover;
  r.TakeString("leader", &failover.leader);
  r.TakeString("member", &failover.candidate);
  std::string scheduled_at;
  r.TakeString("scheduled_at", &scheduled_at);
  if (!r.status().ok()) return r.status();
  if (!scheduled_at.empty()) {  // Patroni too ignores an empty one
    absl::StatusOr<absl::Time> time = ParseIsoTime(scheduled_at);
    if (!time.ok()) return time.status();
    failover.scheduled_at = *time;
  }
  return failover;
}

std::string EncodeFailoverJson(const FailoverRequest& failover) {
  Json json = Json::object();
  if (!failover.leader.empty()) json["leader"] = failover.leader;
  if (!failover.candidate.empty()) json["member"] = failover.candidate;
  if (failover.scheduled_at) json["scheduled_at"] = FormatIsoTime(*failover.scheduled_at);
  return Dump(json);
}

// sync_standby: "a,b" (Patroni 3.0), a list (some versions), or null.
absl::Status ReadSyncStandby(const Json& value, std::vector<std::string>* out) {
  if (value.is_string()) {
    for (absl::string_view name : absl::StrSplit(value.get_ref<const std::string&>(), ',')) {
      name = absl::StripAsciiWhitespace(name);
      if (!name.empty()) out->emplace_back(name);
    }
    return absl::OkStatus();
  }
  if (!value.is_array()) {
    return Invalid(absl::StrCat("field \"sync_standby\": expected a string or a list, got ",
                                value.type_name()));
  }
  for (const Json& name : value) {
    if (!name.is_string()) return Invalid("field \"sync_standby\": expected a list of strings");
    out->push_back(name.get<std::string>());
  }
  return absl::OkStatus();
}

absl::StatusOr<SyncState> DecodeSyncJson(std::string_view json) {
  absl::StatusOr<Json> parsed = ParseObject(json);
  if (!parsed.ok()) return parsed.status();
  FieldReader r(*std::move(parsed));
  SyncState sync;
  r.TakeString("leader", &sync.leader);
  if (std::optional<Json> standby = r.TakeRaw("sync_standby")) {
    r.Fail(ReadSyncStandby(*standby, &sync.sync_standby));
  }
  r.TakeInt("quorum", &sync.quorum);
  if (sync.quorum && *sync.quorum < 0) return Invalid("field \"quorum\": negative");
  if (!r.status().ok()) return r.status();
  return sync;
}

// As Patroni's AbstractDCS.sync_state: names sorted and comma-joined, null when there are none;
// quorum only when set (Patroni 3.0 does not write it).
std::string EncodeSyncJson(const SyncState& sync) {
  Json json = Json::object();
  json["leader"] = sync.leader;
  std::vector<std::string> names = sync.sync_standby;
  std::sort(names.begin(), names.end());
  json["sync_standby"] = names.empty() ? Json(nullptr) : Json(absl::StrJoin(names, ","));
  if (sync.quorum) json["quorum"] = *sync.quorum;
  return Dump(json);
}

// One line: [timeline, lsn, reason, timestamp?, new_leader?], the last two strings or null.
absl::StatusOr<TimelineHistoryEntry> DecodeHistoryLine(const Json& line) {
  if (!line.is_array() || line.size() < 3 || line.size() > 5) {
    return Invalid("expected a list of 3 to 5 items");
  }
  TimelineHistoryEntry entry;
  std::optional<int64_t> timeline = ToInt64(line[0]);
  std::optional<uint64_t> lsn = ToUint64(line[1]);
  if (!timeline || *timeline < 0) return Invalid("timeline is not a non-negative integer");
  if (!lsn) return Invalid("lsn is not a non-negative integer");
  if (!line[2].is_string()) return Invalid("reason is not a string");
  entry.timeline = *timeline;
  entry.lsn = *lsn;
  entry.reason = line[2].get<std::string>();
  for (size_t i = 3; i < line.size(); ++i) {
    if (line[i].is_null()) continue;
    if (!line[i].is_string())
      return Invalid(i == 3 ? "timestamp is not a string" : "new_leader is not a string");
    (i == 3 ? entry.timestamp : entry.new_leader) = line[i].get<std::string>();
  }
  return entry;
}

absl::StatusOr<std::vector<TimelineHistoryEntry>> DecodeHistoryJson(std::string_view json) {
  absl::StatusOr<Json> parsed = ParseJson(json);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_array())
    return Invalid(absl::StrCat("expected a list, got ", parsed->type_name()));
  std::vector<TimelineHistoryEntry> history;
  for (size_t i = 0; i < parsed->size(); ++i) {
    absl::StatusOr<TimelineHistoryEntry> entry = DecodeHistoryLine((*parsed)[i]);
    if (!entry.ok()) return Invalid(absl::StrCat("line ", i, ": ", entry.status().message()));
    history.push_back(*std::move(entry));
  }
  return history;
}

// Lines are as long as what they carry: 3 items, 4 with a timestamp, 5 with the new leader.
std::string EncodeHistoryJson(const std::vector<TimelineHistoryEntry>& history) {
  Json json = Json::array();
  for (const TimelineHistoryEntry& entry : history) {
    Json line = Json::array({entry.timeline, entry.lsn, entry.reason});
    if (!entry.timestamp.empty() || !entry.new_leader.empty()) {
      line.push_back(entry.timestamp.empty() ? Json(nullptr) : Json(entry.timestamp));
    }
    if (!entry.new_leader.empty()) line.push_back(entry.new_leader);
    json.push_back(std::move(line));
  }
  return Dump(json);
}

// slots: {name: lsn}, or that object serialized into a string (Patroni reads both).
absl::Status ReadSlots(const Json& value, std::map<std::string, Lsn>* out) {
  if (value.is_string()) {
    absl::StatusOr<Json> inner = ParseObject(value.get_ref<const std::string&>());
    if (!inner.ok()) return Invalid(absl::StrCat("field \"slots\": ", inner.status().message()));
    return ReadSlots(*inner, out);
  }
  if (!value.is_object()) return Invalid("field \"slots\": expected an object");
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::optional<uint64_t> lsn = ToUint64(it.value());
    if (!lsn) return Invalid(absl::StrCat("slot \"", it.key(), "\": not a non-negative integer"));
    (*out)[it.key()] = *lsn;
  }
  return absl::OkStatus();
}

absl::StatusOr<ClusterStatus> DecodeStatusJson(std::string_view json) {
  absl::StatusOr<Json> parsed = ParseJson(json);
  if (!parsed.ok()) return parsed.status();
  ClusterStatus status;
  if (parsed->is_number()) {  // the legacy optime/leader value: a bare position
    std::optional<uint64_t> optime = ToUint64(*parsed);
    if (!optime) return Invalid("optime is not a non-negative integer");
    status.optime = *optime;
    return status;
  }
  if (!parsed->is_object())
    return Invalid(absl::StrCat("expected a JSON object, got ", parsed->type_name()));
  FieldReader r(*std::move(parsed));
  std::optional<Lsn> optime;
  r.TakeLsn("optime", &optime);
  status.optime = optime.value_or(0);
  if (std::optional<Json> slots = r.TakeRaw("slots")) r.Fail(ReadSlots(*slots, &status.slots));
  if (!r.status().ok()) return r.status();
  return status;
}

std::string EncodeStatusJson(const ClusterStatus& status) {
  Json json = Json::object();
  json["optime"] = status.optime;
  if (!status.slots.empty()) {
    Json slots = Json::object();
    for (const auto& [name, lsn] : status.slots) slots[name] = lsn;
    json["slots"] = std::move(slots);
  }
  return Dump(json);
}

absl::StatusOr<std::map<std::string, std::string>> DecodeFailsafeJson(std::string_view json) {
  absl::StatusOr<Json> parsed = ParseObject(json);
  if (!parsed.ok()) return parsed.status();
  std::map<std::string, std::string> failsafe;
  for (auto it = parsed->begin(); it != parsed->end(); ++it) {
    if (!it.value().is_string()) {
      return Invalid(absl::StrCat("member \"", it.key(), "\": api_url is not a string"));
    }
    failsafe[it.key()] = it.value().get<std::string>();
  }
  return failsafe;
}

std::string EncodeFailsafeJson(const std::map<std::string, std::string>& failsafe) {
  Json json = Json::object();
  for (const auto& [name, api_url] : failsafe) json[name] = api_url;
  return Dump(json);
}

// ---------------------------------------------------------------------------------------------
// The whole cluster.

// The listing being decoded, and what we gather before the view is final.
struct ClusterDecoder {
  ClusterView* view;
  std::map<std::string, Member> members;
  bool saw_status = false;
  const KeyValue* legacy_optime = nullptr;

  void Report(const KeyValue& kv, const absl::Status& status) {
    view->decode_errors.push_back(absl::StrCat(kv.key, ": ", status.message()));
  }
};

// An unreadable initialize key still means someone claimed the cluster: reading it as absent
// would invite a second bootstrap. It reads as 0, like the empty value Patroni writes while the
// bootstrap runs.
void DecodeInitialize(const KeyValue& kv, ClusterDecoder* d) {
  uint64_t system_id = 0;
  if (!kv.value.empty() && !absl::SimpleAtoi(kv.value, &system_id)) {
    d->Report(kv, Invalid("not a decimal system identifier; read as 0 (claimed, unknown)"));
  }
  d->view->initialize = system_id;
}

void DecodeConfigKey(const KeyValue& kv, ClusterDecoder* d) {
  absl::StatusOr<DynamicConfig> config = DecodeConfig(kv.value);
  if (!config.ok()) return d->Report(kv, config.status());
  d->view->config = *std::move(config);
  d->view->config_revision = kv.mod_revision;
}

void DecodeMemberKey(const KeyValue& kv, std::string_view name, ClusterDecoder* d) {
  if (name.empty()) return d->Report(kv, Invalid("empty member name"));
  absl::StatusOr<Member> member = DecodeMember(name, kv.value);
  if (!member.ok()) return d->Report(kv, member.status());
  member->mod_revision = kv.mod_revision;
  member->lease = kv.lease;
  const std::string key = member->name;
  d->members[key] = *std::move(member);
}

void DecodeStatusKey(const KeyValue& kv, ClusterDecoder* d) {
  d->saw_status = true;
  absl::StatusOr<ClusterStatus> status = DecodeStatus(kv.value);
  if (!status.ok()) return d->Report(kv, status.status());
  d->view->status = *std::move(status);
}

void DecodeFailoverKey(const KeyValue& kv, ClusterDecoder* d) {
  absl::StatusOr<FailoverRequest> failover = DecodeFailover(kv.value);
  if (!failover.ok()) return d->Report(kv, failover.status());
  // Patroni empties the key ({}) once a switchover is done, and a Failover naming neither a
  // leader nor a member is no request to it (its __len__ is 0): read as "switch over to anyone",
  // a cluster taken over from Patroni would switch over at once.
  if (failover->leader.empty() && failover->candidate.empty()) return;
  failover->mod_revision = kv.mod_revision;
  d->view->failover = *std::move(failover);
}

void DecodeSyncKey(const KeyValue& kv, ClusterDecoder* d) {
  absl::StatusOr<SyncState> sync = DecodeSync(kv.value);
  if (!sync.ok()) return d->Report(kv, sync.status());
  sync->mod_revision = kv.mod_revision;
  d->view->sync = *std::move(sync);
}

void DecodeHistoryKey(const KeyValue& kv, ClusterDecoder* d) {
  absl::StatusOr<std::vector<TimelineHistoryEntry>> history = DecodeHistory(kv.value);
  if (!history.ok()) return d->Report(kv, history.status());
  d->view->history = *std::move(history);
}

void DecodeFailsafeKey(const KeyValue& kv, ClusterDecoder* d) {
  absl::StatusOr<std::map<std::string, std::string>> failsafe = DecodeFailsafe(kv.value);
  if (!failsafe.ok()) return d->Report(kv, failsafe.status());
  d->view->failsafe = *std::move(failsafe);
}

// `name` is the key without the cluster prefix. Keys we do not know are not errors: Patroni
// versions and tools add their own.
void DecodeKey(const KeyValue& kv, std::string_view name, ClusterDecoder* d) {
  constexpr std::string_view kMembers = "members/";
  if (name == "initialize") return DecodeInitialize(kv, d);
  if (name == "config") return DecodeConfigKey(kv, d);
  if (name == "leader") {
    d->view->leader = LeaderKey{kv.value, kv.create_revision, kv.mod_revision, kv.lease};
    return;
  }
  if (name.starts_with(kMembers) && name.find('/', kMembers.size()) == name.npos) {
    return DecodeMemberKey(kv, name.substr(kMembers.size()), d);
  }
  if (name == "status") return DecodeStatusKey(kv, d);
  if (name == "optime/leader") {
    d->legacy_optime = &kv;
    return;
  }
  if (name == "failover") return DecodeFailoverKey(kv, d);
  if (name == "sync") return DecodeSyncKey(kv, d);
  if (name == "history") return DecodeHistoryKey(kv, d);
  if (name == "failsafe") return DecodeFailsafeKey(kv, d);
}

// Patroni before 2.1 kept only the leader's position, as a bare integer in optime/leader.
void DecodeLegacyOptime(ClusterDecoder* d) {
  if (d->saw_status || d->legacy_optime == nullptr) return;
  absl::StatusOr<ClusterStatus> status = DecodeStatus(d->legacy_optime->value);
  if (!status.ok()) return d->Report(*d->legacy_optime, status.status());
  d->view->status = *std::move(status);
}

ClusterView DecodeClusterUnguarded(const ClusterKeys& keys, const ListResult& listing) {
  ClusterView view;
  view.revision = listing.revision;
  ClusterDecoder decoder{.view = &view, .members = {}};
  for (const KeyValue& kv : listing.kvs) {
    if (!kv.key.starts_with(keys.prefix())) continue;
    DecodeKey(kv, std::string_view(kv.key).substr(keys.prefix().size()), &decoder);
  }
  DecodeLegacyOptime(&decoder);
  for (auto& [name, member] : decoder.members) view.members.push_back(std::move(member));
  return view;
}

// Collapses runs of '/' as Patroni's re.sub('/+', '/', ...) does.
std::string CollapseSlashes(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c != '/' || out.empty() || out.back() != '/') out.push_back(c);
  }
  return out;
}

}  // namespace

ClusterKeys::ClusterKeys(std::string_view namespace_path, std::string_view scope)
    : prefix_(CollapseSlashes(
          absl::StrCat("/", std::string(namespace_path), "/", std::string(scope), "/"))) {}

ClusterView DecodeCluster(const ClusterKeys& keys, const ListResult& listing) {
  try {
    return DecodeClusterUnguarded(keys, listing);
  } catch (const std::exception& e) {  // not expected: every decoder is guarded already
    ClusterView view;
    view.revision = listing.revision;
    view.decode_errors.push_back(absl::StrCat(keys.prefix(), ": decoding failed: ", e.what()));
    return view;
  }
}

std::string EncodeMember(const Member& member) {
  return NoThrowEncode([&] {
    Json json = Json::object();
    json["conn_url"] = member.conn_url;
    json["api_url"] = member.api_url;
    json["state"] = member.state;
    json["role"] = RoleToPatroni(member.role);
    json["version"] = member.version;
    Json tags = EncodeTags(member.tags);
    if (!tags.empty()) json["tags"] = std::move(tags);
    if (member.xlog_location) json["xlog_location"] = *member.xlog_location;
    if (member.timeline) json["timeline"] = *member.timeline;
    AppendUnknown(&json, UnknownObject(member.unknown_json));
    return Dump(json);
  });
}

absl::StatusOr<Member> DecodeMember(std::string_view name, std::string_view json) {
  return NoThrow<Member>([&]() -> absl::StatusOr<Member> {
    if (json.starts_with("postgres")) return MemberFromUrl(name, json);
    return DecodeMemberJson(name, json);
  });
}

std::string EncodeConfig(const DynamicConfig& config) {
  return NoThrowEncode([&] { return EncodeConfigJson(config); });
}

absl::StatusOr<DynamicConfig> DecodeConfig(std::string_view json) {
  return NoThrow<DynamicConfig>([&] { return DecodeConfigJson(json); });
}

std::string EncodeFailover(const FailoverRequest& failover) {
  return NoThrowEncode([&] { return EncodeFailoverJson(failover); });
}

absl::StatusOr<FailoverRequest> DecodeFailover(std::string_view json) {
  return NoThrow<FailoverRequest>([&] { return DecodeFailoverJson(json); });
}

std::string EncodeSync(const SyncState& sync) {
  return NoThrowEncode([&] { return EncodeSyncJson(sync); });
}

absl::StatusOr<SyncState> DecodeSync(std::string_view json) {
  return NoThrow<SyncState>([&] { return DecodeSyncJson(json); });
}

std::string EncodeHistory(const std::vector<TimelineHistoryEntry>& history) {
  return NoThrowEncode([&] { return EncodeHistoryJson(history); });
}

absl::StatusOr<std::vector<TimelineHistoryEntry>> DecodeHistory(std::string_view json) {
  return NoThrow<std::vector<TimelineHistoryEntry>>([&] { return DecodeHistoryJson(json); });
}

std::string EncodeStatus(const ClusterStatus& status) {
  return NoThrowEncode([&] { return EncodeStatusJson(status); });
}

absl::StatusOr<ClusterStatus> DecodeStatus(std::string_view json) {
  return NoThrow<ClusterStatus>([&] { return DecodeStatusJson(json); });
}

std::string EncodeFailsafe(const std::map<std::string, std::string>& failsafe) {
  return NoThrowEncode([&] { return EncodeFailsafeJson(failsafe); });
}

absl::StatusOr<std::map<std::string, std::string>> DecodeFailsafe(std::string_view json) {
  return NoThrow<std::map<std::string, std::string>>([&] { return DecodeFailsafeJson(json); });
}

std::vector<std::pair<std::string, std::string>> EncodeCluster(const ClusterKeys& keys,
                                                               const ClusterView& view) {
  std::vector<std::pair<std::string, std::string>> out;
  if (view.initialize) {
    out.emplace_back(keys.initialize(),
                     *view.initialize == 0 ? "" : absl::StrCat(*view.initialize));
  }
  if (view.config_revision != 0 || !(view.config == DynamicConfig{})) {
    out.emplace_back(keys.config(), EncodeConfig(view.config));
  }
  if (view.leader) out.emplace_back(keys.leader(), view.leader->name);
  for (const Member& member : view.members) {
    out.emplace_back(keys.member(member.name), EncodeMember(member));
  }
  if (!(view.status == ClusterStatus{})) out.emplace_back(keys.status(), EncodeStatus(view.status));
  if (view.failover) out.emplace_back(keys.failover(), EncodeFailover(*view.failover));
  if (view.sync) out.emplace_back(keys.sync(), EncodeSync(*view.sync));
  if (!view.history.empty()) out.emplace_back(keys.history(), EncodeHistory(view.history));
  if (!view.failsafe.empty()) out.emplace_back(keys.failsafe(), EncodeFailsafe(view.failsafe));
  return out;
}

}  // namespace warden
