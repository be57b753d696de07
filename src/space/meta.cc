#include "space/meta.h"

namespace entente::space {

Result<nlohmann::json> ParseMeta(ByteView meta) {
  if (meta.empty()) return nlohmann::json::object();
  auto json = nlohmann::json::parse(meta.begin(), meta.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return InvalidArgument("meta is not a JSON object");
  return json;
}

std::string MetaString(const nlohmann::json& meta, const char* field) {
  auto it = meta.find(field);
  return it != meta.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> MetaStrings(const nlohmann::json& meta, const char* field) {
  std::vector<std::string> out;
  auto it = meta.find(field);
  if (it == meta.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace entente::space
