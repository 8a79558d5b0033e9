// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Turns a JSON document into snapshot entries, one per leaf, so that two documents differ entry
// by entry ("dcs/config/postgresql.parameters.work_mem") rather than as a whole.

#ifndef WARDEN_TESTS_COMPAT_JSON_FLATTEN_H_
#define WARDEN_TESTS_COMPAT_JSON_FLATTEN_H_

#include <string>

#include "nlohmann/json.hpp"
#include "tests/compat/normalizer.h"
#include "tests/compat/snapshot.h"

namespace warden::test {

// Adds "<prefix>/<a.b.c>" for each leaf of `value` (objects are walked; arrays, scalars and empty
// objects are leaves, compared whole), or "<prefix>" itself when `value` is not an object.
void FlattenJson(const nlohmann::json& value, const std::string& prefix,
                 const Normalizer& normalizer, Snapshot* out);

// Adds "<prefix>/<field>" -> the field's JSON type ("string", "number", ...) for each top-level
// field of an object, so that a missing, extra or retyped field is one entry; for anything else
// "<prefix>" -> its kind ("<array of 3>", "<empty>", ...).
void AddFieldTypes(const nlohmann::json& value, const std::string& prefix, Snapshot* out);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_JSON_FLATTEN_H_
