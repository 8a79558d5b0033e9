// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Normalizer: rewrites what differs between any two runs of the same cluster into placeholders,
// so that a Patroni cluster and a warden cluster compare: the nodes' ports (<pg:n1>, <rest:n1>),
// their temp dirs (<dir:n1>, the cluster's <dir>), and values no two runs share, picked by the
// JSON field that holds them (LSNs, times, system ids, the agent's version).

#ifndef WARDEN_TESTS_COMPAT_NORMALIZER_H_
#define WARDEN_TESTS_COMPAT_NORMALIZER_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_cluster.h"

namespace warden::test {

class Normalizer {
 public:
  explicit Normalizer(const E2eCluster& cluster);

  // `text` with the cluster's dirs and ports replaced. A port is only replaced as a whole
  // number, never inside a longer one.
  std::string Text(std::string_view text) const;
  // A JSON leaf as compact JSON text: a volatile `field` by its placeholder, strings through
  // Text.
  std::string Leaf(const nlohmann::json& value, std::string_view field) const;

 private:
  std::string Ports(std::string_view text) const;

  std::vector<std::pair<std::string, std::string>> dirs_;  // longest first
  std::map<std::string, std::string> ports_;               // "5432" -> "<pg:n1>"
};

// The placeholder of a field whose value differs on every run ("xlog_location" -> "<lsn>"), or
// an empty string when the field's value is comparable.
std::string VolatilePlaceholder(std::string_view field);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_NORMALIZER_H_
