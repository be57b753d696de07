// space/meta.h: reading an event's clear metadata (canonical JSON, docs/formats/kinds.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"

namespace entente::space {

// Parses a body's meta: an object (empty meta is `{}`); InvalidArgument otherwise.
[[nodiscard]] Result<nlohmann::json> ParseMeta(ByteView meta);

// A string field, or "" when it is missing or not a string (schemas are checked before).
std::string MetaString(const nlohmann::json& meta, const char* field);
// A string-array field's strings, or {} when missing.
std::vector<std::string> MetaStrings(const nlohmann::json& meta, const char* field);

}  // namespace entente::space
