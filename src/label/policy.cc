// Loading a policy file: YAML (yaml-cpp) into an immutable Policy. The schema is in
// docs/formats/policy.md. yaml-cpp throws, and does not reject duplicate map keys; both are dealt
// with here, so that every problem becomes one InvalidArgument line with the YAML line number.
#include "label/policy.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <exception>
#include <initializer_list>
#include <map>
#include <sstream>

#include "base/duration.h"
#include "base/file.h"
#include "label/text.h"

namespace entente::label {
namespace {

// "<source>:<line>" (1-based), or just "<source>" when yaml-cpp has no position.
std::string Where(std::string_view source, const YAML::Mark& mark) {
  std::string where(source);
  if (!mark.is_null() && mark.line >= 0) where += ":" + std::to_string(mark.line + 1);
  return where;
}

// A member handle as space/names.h defines it (this module cannot depend on space, which
// depends on it): 1 to 32 of a-z 0-9 . _ -, starting with a letter or digit.
bool IsHandle(std::string_view handle) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (handle.empty() || handle.size() > 32 || !lower_alnum(handle.front())) return false;
  return std::all_of(handle.begin(), handle.end(),
                     [&](char c) { return lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

}  // namespace

char KindLetter(TagKind kind) {
  switch (kind) {
    case TagKind::kInformative:
      return 'I';
    case TagKind::kPermissive:
      return 'P';
    case TagKind::kRestrictive:
      return 'R';
  }
  return '?';
}

std::string_view KindName(TagKind kind) {
  switch (kind) {
    case TagKind::kInformative:
      return "informative";
    case TagKind::kPermissive:
      return "permissive";
    case TagKind::kRestrictive:
      return "restrictive";
  }
  return "unknown";
}

const Level& Policy::level(LevelRank rank) const {
  ENTENTE_CHECK(rank.value() < levels_.size());
  return levels_[rank.value()];
}

const Tagset& Policy::tagset(TagsetIndex index) const {
  ENTENTE_CHECK(index.value() < tagsets_.size());
  return tagsets_[index.value()];
}

const Partner& Policy::partner(PartnerIndex index) const {
  ENTENTE_CHECK(index.value() < partners_.size());
  return partners_[index.value()];
}

const std::string& Policy::value(TagsetIndex tagset, ValueIndex value) const {
  const Tagset& t = this->tagset(tagset);
  ENTENTE_CHECK(value.value() < t.values.size());
  return t.values[value.value()];
}

std::optional<PartnerIndex> Policy::FindPartner(std::string_view code) const {
  auto it = std::lower_bound(partners_.begin(), partners_.end(), code,
                             [](const Partner& p, std::string_view c) { return p.code < c; });
  if (it == partners_.end() || it->code != code) return std::nullopt;
  return PartnerIndex(static_cast<uint16_t>(it - partners_.begin()));
}

std::optional<LevelRank> Policy::FindLevel(std::string_view id) const {
  for (size_t i = 0; i < levels_.size(); ++i) {
    if (levels_[i].id == id) return LevelRank(static_cast<uint8_t>(i));
  }
  return std::nullopt;
}

std::optional<TagsetIndex> Policy::FindTagset(std::string_view id) const {
  for (size_t i = 0; i < tagsets_.size(); ++i) {
    if (tagsets_[i].id == id) return TagsetIndex(static_cast<uint8_t>(i));
  }
  return std::nullopt;
}

std::optional<ValueIndex> Policy::FindValue(TagsetIndex tagset, std::string_view value) const {
  const std::vector<std::string>& values = this->tagset(tagset).values;
  auto it = std::lower_bound(values.begin(), values.end(), value);
  if (it == values.end() || *it != value) return std::nullopt;
  return ValueIndex(static_cast<uint16_t>(it - values.begin()));
}

std::optional<LevelRank> Policy::FindMarking(std::string_view marking) const {
  auto it = std::lower_bound(
      marking_index_.begin(), marking_index_.end(), marking,
      [](const std::pair<std::string, LevelRank>& e, std::string_view m) { return e.first < m; });
  if (it == marking_index_.end() || it->first != marking) return std::nullopt;
  return it->second;
}

const Role* Policy::FindRole(std::string_view id) const {
  auto it = std::lower_bound(roles_.begin(), roles_.end(), id,
                             [](const Role& r, std::string_view i) { return r.id < i; });
  if (it == roles_.end() || it->id != id) return nullptr;
  return &*it;
}

bool Policy::Equivalent(const Policy& other) const {
  if (this == &other) return true;
  if (id_ != other.id_ || levels_.size() != other.levels_.size() ||
      tagsets_.size() != other.tagsets_.size()) {
    return false;
  }
  for (size_t i = 0; i < levels_.size(); ++i) {
    if (levels_[i].id != other.levels_[i].id) return false;
  }
  for (size_t i = 0; i < tagsets_.size(); ++i) {
    const Tagset& a = tagsets_[i];
    const Tagset& b = other.tagsets_[i];
    if (a.id != b.id || a.kind != b.kind || a.values != b.values) return false;
  }
  return true;
}

std::string Policy::LevelList() const {
  std::vector<std::string_view> ids;
  ids.reserve(levels_.size());
  for (const Level& l : levels_) ids.push_back(l.id);
  return internal::Join(ids, ", ");
}

std::string Policy::TagsetList() const {
  std::vector<std::string_view> ids;
  ids.reserve(id_order_.size());
  for (TagsetIndex t : id_order_) ids.push_back(tagset(t).id);
  return ids.empty() ? "none" : internal::Join(ids, ", ");
}

std::string Policy::ValueList(TagsetIndex tagset) const {
  return internal::Join(this->tagset(tagset).values, ", ");
}

std::string Policy::PartnerList() const {
  std::vector<std::string_view> codes;
  codes.reserve(partners_.size());
  for (const Partner& p : partners_) codes.push_back(p.code);
  return internal::Join(codes, ", ");
}

std::string Policy::RoleList() const {
  std::vector<std::string_view> ids;
  ids.reserve(roles_.size());
  for (const Role& r : roles_) ids.push_back(r.id);
  return ids.empty() ? "none" : internal::Join(ids, ", ");
}

// Reads the YAML tree into a Policy, checking every rule of docs/formats/policy.md. Each check
// that fails returns an Error naming the source, the YAML line, the field path and the problem.
class PolicyLoader {
 public:
  explicit PolicyLoader(std::string_view source) : source_(source) {}

  Result<std::shared_ptr<const Policy>> Load(const YAML::Node& root);

 private:
  // The entries of a map whose keys were checked: text, unique, each one of the allowed fields.
  struct Entry {
    std::string key;
    YAML::Node key_node, value;
  };
  struct Fields {
    std::vector<Entry> entries;
    const YAML::Node* Find(std::string_view key) const {
      for (const Entry& e : entries) {
        if (e.key == key) return &e.value;
      }
      return nullptr;
    }
  };

  Error Problem(const YAML::Node& at, std::string_view path, std::string_view problem) const;
  static std::string TypeName(const YAML::Node& node);

  // Checks that `node` is a map with text keys, no key twice and, unless `fields` is empty,
  // no key outside `fields`.
  Result<Fields> Map(const YAML::Node& node, std::string_view path,
                     std::initializer_list<std::string_view> fields) const;
  Result<Fields> Map(const YAML::Node& node, std::string_view path) const {
    return Map(node, path, {});
  }
  // Returns the value of a required field, or an error naming the map that lacks it.
  Result<YAML::Node> Required(const Fields& fields, const YAML::Node& map, std::string_view path,
                              std::string_view key) const;
  // Checks that `node` is a non-empty list.
  Status NonEmptyList(const YAML::Node& node, std::string_view path) const;
  Result<std::string> Text(const YAML::Node& node, std::string_view path) const;
  Result<std::string> Token(const YAML::Node& node, std::string_view path,
                            std::string_view what) const;
  Result<std::string> TokenKey(const std::string& key, const YAML::Node& node,
                               std::string_view path, std::string_view what) const;
  Result<std::string> Display(const YAML::Node& node, std::string_view path,
                              std::string_view what) const;
  // A positive ISO 8601 duration (base/duration.h), in milliseconds.
  Result<uint64_t> Duration(const YAML::Node& node, std::string_view path) const;
  // Checks that the policy defines the role `id` (read from `node`).
  Status KnownRole(std::string_view id, const YAML::Node& node, std::string_view path) const;

  Status LoadPartners(const YAML::Node& node);
  Status LoadLevels(const YAML::Node& node);
  Status LoadTagsets(const YAML::Node& node);
  Status LoadRoles(const YAML::Node& node);
  Status LoadRelRequiredAbove(const YAML::Node& node);
  Status LoadConsultation(const YAML::Node& node);
  Status LoadEscalation(const YAML::Node& node, ConsultationPolicy& consultation) const;
  Result<std::string> EscalationTarget(const YAML::Node& node, std::string_view path) const;

  std::string source_;
  // Policy() is private: PolicyLoader is its friend.
  std::shared_ptr<Policy> policy_ = std::shared_ptr<Policy>(new Policy());
};

Error PolicyLoader::Problem(const YAML::Node& at, std::string_view path,
                            std::string_view problem) const {
  std::string message = Where(source_, at.Mark()) + ": ";
  if (!path.empty()) message += std::string(path) + ": ";
  message += problem;
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string PolicyLoader::TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "text " + internal::Quote(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

Result<PolicyLoader::Fields> PolicyLoader::Map(
    const YAML::Node& node, std::string_view path,
    std::initializer_list<std::string_view> fields) const {
  if (!node.IsMap())
    return std::unexpected(Problem(node, path, "expected a map, got " + TypeName(node)));
  Fields out;
  std::map<std::string, int, std::less<>> lines;
  // yaml-cpp's iterators yield a temporary pair: copy the nodes (cheap handles) out of it.
  for (const auto& entry : node) {
    YAML::Node key = entry.first;
    if (!key.IsScalar()) {
      return std::unexpected(Problem(key, path, "keys must be text, got " + TypeName(key)));
    }
    const std::string& name = key.Scalar();
    if (auto [at, inserted] = lines.emplace(name, key.Mark().line + 1); !inserted) {
      return std::unexpected(Problem(key, path,
                                     "duplicate key " + internal::Quote(name) + " (first at line " +
                                         std::to_string(at->second) + ")"));
    }
    if (fields.size() > 0 && std::find(fields.begin(), fields.end(), name) == fields.end()) {
      std::vector<std::string_view> allowed(fields.begin(), fields.end());
      return std::unexpected(Problem(key, path,
                                     "unknown field " + internal::Quote(name) + " (expected " +
                                         internal::Join(allowed, ", ") + ")"));
    }
    out.entries.push_back({name, key, entry.second});
  }
  return out;
}

Result<YAML::Node> PolicyLoader::Required(const Fields& fields, const YAML::Node& map,
                                          std::string_view path, std::string_view key) const {
  const YAML::Node* value = fields.Find(key);
  if (value == nullptr) {
    return std::unexpected(Problem(map, path, "missing field " + std::string(key)));
  }
  return *value;
}

Status PolicyLoader::NonEmptyList(const YAML::Node& node, std::string_view path) const {
  if (!node.IsSequence()) {
    return std::unexpected(Problem(node, path, "expected a list, got " + TypeName(node)));
  }
  if (node.size() == 0) return std::unexpected(Problem(node, path, "empty list"));
  return {};
}

Result<std::string> PolicyLoader::Text(const YAML::Node& node, std::string_view path) const {
  if (!node.IsScalar()) {
    return std::unexpected(Problem(node, path, "expected text, got " + TypeName(node)));
  }
  const std::string& text = node.Scalar();
  if (!internal::IsUtf8(text)) return std::unexpected(Problem(node, path, "not valid UTF-8"));
  return text;
}

Result<std::string> PolicyLoader::Token(const YAML::Node& node, std::string_view path,
                                        std::string_view what) const {
  ENTENTE_ASSIGN_OR_RETURN(std::string text, Text(node, path));
  return TokenKey(text, node, path, what);
}

Result<std::string> PolicyLoader::TokenKey(const std::string& key, const YAML::Node& node,
                                           std::string_view path, std::string_view what) const {
  if (!internal::IsToken(key)) {
    return std::unexpected(Problem(node, path,
                                   "bad " + std::string(what) + " " + internal::Quote(key) +
                                       ": use 1 to 63 letters, digits, '-' or '.'"));
  }
  return key;
}

Result<std::string> PolicyLoader::Display(const YAML::Node& node, std::string_view path,
                                          std::string_view what) const {
  if (!node.IsScalar()) {
    return std::unexpected(Problem(node, path, "expected text, got " + TypeName(node)));
  }
  const std::string& text = node.Scalar();
  if (std::string problem = internal::DisplayTextProblem(text); !problem.empty()) {
    return std::unexpected(
        Problem(node, path, std::string(what) + " " + internal::Quote(text) + " " + problem));
  }
  return text;
}

Result<uint64_t> PolicyLoader::Duration(const YAML::Node& node, std::string_view path) const {
  ENTENTE_ASSIGN_OR_RETURN(std::string text, Text(node, path));
  Result<uint64_t> ms = ParseDuration(text);
  if (!ms) return std::unexpected(Problem(node, path, ms.error().message()));
  if (*ms == 0) {
    return std::unexpected(Problem(
        node, path, "duration " + internal::Quote(text) + " is zero; give a positive duration"));
  }
  return *ms;
}

Status PolicyLoader::KnownRole(std::string_view id, const YAML::Node& node,
                               std::string_view path) const {
  if (policy_->FindRole(id) == nullptr) {
    return std::unexpected(
        Problem(node, path,
                "unknown role " + internal::Quote(id) + " (roles: " + policy_->RoleList() + ")"));
  }
  return {};
}

Status PolicyLoader::LoadPartners(const YAML::Node& node) {
  ENTENTE_ASSIGN_OR_RETURN(Fields partners, Map(node, "partners"));
  if (partners.entries.empty()) return std::unexpected(Problem(node, "partners", "no partners"));
  if (partners.entries.size() > kMaxPartners) {
    return std::unexpected(
        Problem(node, "partners", "more than " + std::to_string(kMaxPartners) + " partners"));
  }
  for (const auto& [code, key_node, value] : partners.entries) {
    std::string path = "partners." + code;
    ENTENTE_RETURN_IF_ERROR(TokenKey(code, key_node, "partners", "partner code"));
    ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(value, path, {"name"}));
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node name_node, Required(fields, value, path, "name"));
    ENTENTE_ASSIGN_OR_RETURN(std::string name, Text(name_node, path + ".name"));
    if (name.empty()) return std::unexpected(Problem(name_node, path + ".name", "empty name"));
    policy_->partners_.push_back({code, std::move(name)});
  }
  std::sort(policy_->partners_.begin(), policy_->partners_.end(),
            [](const Partner& a, const Partner& b) { return a.code < b.code; });
  return {};
}

Status PolicyLoader::LoadLevels(const YAML::Node& node) {
  ENTENTE_RETURN_IF_ERROR(NonEmptyList(node, "levels"));
  if (node.size() > kMaxLevels) {
    return std::unexpected(
        Problem(node, "levels", "more than " + std::to_string(kMaxLevels) + " levels"));
  }
  const std::vector<Partner>& partners = policy_->partners_;
  // marking -> (rank, line) of the first level that uses it
  std::map<std::string, std::pair<size_t, int>, std::less<>> markings;
  for (size_t rank = 0; rank < node.size(); ++rank) {
    const YAML::Node& entry = node[rank];
    std::string path = "levels[" + std::to_string(rank) + "]";
    ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(entry, path, {"id", "marking"}));
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node id_node, Required(fields, entry, path, "id"));
    ENTENTE_ASSIGN_OR_RETURN(std::string id, Token(id_node, path + ".id", "level id"));
    if (policy_->FindLevel(id)) {
      return std::unexpected(Problem(id_node, path + ".id", "level " + id + " is listed twice"));
    }
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node marking_node, Required(fields, entry, path, "marking"));
    std::string marking_path = path + ".marking";
    ENTENTE_ASSIGN_OR_RETURN(Fields by_partner, Map(marking_node, marking_path));
    Level level{id, std::vector<std::string>(partners.size())};
    std::vector<bool> seen(partners.size());
    for (const auto& [code, key_node, text_node] : by_partner.entries) {
      std::optional<PartnerIndex> partner = policy_->FindPartner(code);
      if (!partner) {
        return std::unexpected(Problem(key_node, marking_path,
                                       "unknown partner " + internal::Quote(code) +
                                           " (partners: " + policy_->PartnerList() + ")"));
      }
      std::string text_path = marking_path + "." + code;
      ENTENTE_ASSIGN_OR_RETURN(std::string text, Display(text_node, text_path, "marking"));
      int line = text_node.Mark().line + 1;
      if (auto [at, inserted] = markings.emplace(text, std::pair{rank, line});
          !inserted && at->second.first != rank) {
        return std::unexpected(Problem(text_node, text_path,
                                       "marking " + internal::Quote(text) + " is already level " +
                                           policy_->levels_[at->second.first].id + "'s (line " +
                                           std::to_string(at->second.second) +
                                           "); each marking must name one level"));
      }
      level.markings[partner->value()] = std::move(text);
      seen[partner->value()] = true;
    }
    for (size_t p = 0; p < partners.size(); ++p) {
      if (!seen[p]) {
        return std::unexpected(
            Problem(marking_node, marking_path, "no marking for partner " + partners[p].code));
      }
    }
    policy_->levels_.push_back(std::move(level));
  }
  for (auto& [text, at] : markings) {
    policy_->marking_index_.emplace_back(text, LevelRank(static_cast<uint8_t>(at.first)));
  }
  return {};
}

Status PolicyLoader::LoadTagsets(const YAML::Node& node) {
  ENTENTE_ASSIGN_OR_RETURN(Fields tagsets, Map(node, "tagsets"));
  if (tagsets.entries.empty()) {
    return std::unexpected(Problem(node, "tagsets", "no tagsets (leave the field out instead)"));
  }
  if (tagsets.entries.size() > kMaxTagsets) {
    return std::unexpected(
        Problem(node, "tagsets", "more than " + std::to_string(kMaxTagsets) + " tagsets"));
  }
  std::map<std::string, std::string, std::less<>> banners;  // banner name -> tagset id
  for (const auto& [id, key_node, value] : tagsets.entries) {
    std::string path = "tagsets." + id;
    ENTENTE_RETURN_IF_ERROR(TokenKey(id, key_node, "tagsets", "tagset id"));
    ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(value, path, {"kind", "values", "banner"}));
    Tagset tagset{.id = id, .kind = TagKind::kInformative, .banner = id};

    ENTENTE_ASSIGN_OR_RETURN(YAML::Node kind_node, Required(fields, value, path, "kind"));
    ENTENTE_ASSIGN_OR_RETURN(std::string kind, Text(kind_node, path + ".kind"));
    if (kind == "restrictive") {
      tagset.kind = TagKind::kRestrictive;
    } else if (kind == "permissive") {
      tagset.kind = TagKind::kPermissive;
    } else if (kind == "informative") {
      tagset.kind = TagKind::kInformative;
    } else {
      return std::unexpected(Problem(kind_node, path + ".kind",
                                     "unknown kind " + internal::Quote(kind) +
                                         " (expected restrictive, permissive or informative)"));
    }

    ENTENTE_ASSIGN_OR_RETURN(YAML::Node values_node, Required(fields, value, path, "values"));
    std::string values_path = path + ".values";
    if (values_node.IsScalar()) {
      if (values_node.Scalar() != "partners") {
        return std::unexpected(Problem(
            values_node, values_path,
            "expected a list of values or the word partners, got " + TypeName(values_node)));
      }
      tagset.values_are_partners = true;
      for (const Partner& p : policy_->partners_) tagset.values.push_back(p.code);
    } else {
      ENTENTE_RETURN_IF_ERROR(NonEmptyList(values_node, values_path));
      if (values_node.size() > kMaxTagsetValues) {
        return std::unexpected(Problem(
            values_node, values_path, "more than " + std::to_string(kMaxTagsetValues) + " values"));
      }
      for (size_t i = 0; i < values_node.size(); ++i) {
        std::string item_path = values_path + "[" + std::to_string(i) + "]";
        ENTENTE_ASSIGN_OR_RETURN(std::string v, Token(values_node[i], item_path, "value"));
        if (std::find(tagset.values.begin(), tagset.values.end(), v) != tagset.values.end()) {
          return std::unexpected(
              Problem(values_node[i], item_path, "value " + v + " is listed twice"));
        }
        tagset.values.push_back(std::move(v));
      }
      std::sort(tagset.values.begin(), tagset.values.end());
    }

    if (const YAML::Node* banner_node = fields.Find("banner")) {
      ENTENTE_ASSIGN_OR_RETURN(tagset.banner, Display(*banner_node, path + ".banner", "banner"));
    }
    if (auto [at, inserted] = banners.emplace(tagset.banner, id); !inserted) {
      const YAML::Node* banner_node = fields.Find("banner");
      return std::unexpected(Problem(banner_node ? *banner_node : key_node, path + ".banner",
                                     "banner " + internal::Quote(tagset.banner) +
                                         " is also tagset " + at->second +
                                         "'s; each banner must name one tagset"));
    }
    policy_->tagsets_.push_back(std::move(tagset));
  }
  return {};
}

Status PolicyLoader::LoadRoles(const YAML::Node& node) {
  ENTENTE_ASSIGN_OR_RETURN(Fields roles, Map(node, "roles"));
  if (roles.entries.empty()) {
    return std::unexpected(Problem(node, "roles", "no roles (leave the field out instead)"));
  }
  for (const auto& [id, key_node, value] : roles.entries) {
    std::string path = "roles." + id;
    if (!internal::IsName(id)) {
      return std::unexpected(Problem(
          key_node, "roles",
          "bad role id " + internal::Quote(id) + ": use 1 to 63 letters, digits, '-', '.' or '_'"));
    }
    ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(value, path, {"may_author", "description"}));
    Role role{.id = id};
    if (const YAML::Node* kinds = fields.Find("may_author")) {
      std::string kinds_path = path + ".may_author";
      ENTENTE_RETURN_IF_ERROR(NonEmptyList(*kinds, kinds_path));
      for (size_t i = 0; i < kinds->size(); ++i) {
        const YAML::Node& kind_node = (*kinds)[i];
        std::string item_path = kinds_path + "[" + std::to_string(i) + "]";
        ENTENTE_ASSIGN_OR_RETURN(std::string kind, Text(kind_node, item_path));
        // A kind name, or a family of kinds: "message.*".
        std::string_view stem = kind;
        if (stem.size() > 2 && stem.ends_with(".*")) stem.remove_suffix(2);
        if (!internal::IsName(stem)) {
          return std::unexpected(
              Problem(kind_node, item_path,
                      "bad kind name " + internal::Quote(kind) +
                          ": use 1 to 63 letters, digits, '-', '.' or '_', or a family like "
                          "message.*"));
        }
        if (std::find(role.may_author.begin(), role.may_author.end(), kind) !=
            role.may_author.end()) {
          return std::unexpected(
              Problem(kind_node, item_path, "kind " + kind + " is listed twice"));
        }
        role.may_author.push_back(std::move(kind));
      }
      std::sort(role.may_author.begin(), role.may_author.end());
    }
    if (const YAML::Node* description = fields.Find("description")) {
      ENTENTE_ASSIGN_OR_RETURN(role.description, Text(*description, path + ".description"));
    }
    policy_->roles_.push_back(std::move(role));
  }
  std::sort(policy_->roles_.begin(), policy_->roles_.end(),
            [](const Role& a, const Role& b) { return a.id < b.id; });
  return {};
}

Status PolicyLoader::LoadRelRequiredAbove(const YAML::Node& node) {
  constexpr std::string_view kPath = "rel_required_above";
  ENTENTE_ASSIGN_OR_RETURN(std::string id, Token(node, kPath, "level id"));
  std::optional<LevelRank> rank = policy_->FindLevel(id);
  if (!rank) {
    return std::unexpected(Problem(
        node, kPath,
        "unknown level " + internal::Quote(id) + " (levels: " + policy_->LevelList() + ")"));
  }
  std::optional<TagsetIndex> rel = policy_->rel_tagset_;
  if (!rel || policy_->tagset(*rel).kind != TagKind::kPermissive) {
    return std::unexpected(
        Problem(node, kPath, "needs a permissive tagset REL, which the policy does not define"));
  }
  policy_->rel_required_above_ = rank;
  return {};
}

Result<std::string> PolicyLoader::EscalationTarget(const YAML::Node& node,
                                                   std::string_view path) const {
  ENTENTE_ASSIGN_OR_RETURN(std::string target, Text(node, path));
  std::string_view text = target;
  if (text.starts_with("role:")) {
    ENTENTE_RETURN_IF_ERROR(KnownRole(text.substr(5), node, path));
    return target;
  }
  if (text.starts_with("member:")) {
    std::string_view member = text.substr(7);
    size_t at = member.find('@');
    if (at == std::string_view::npos || !IsHandle(member.substr(0, at))) {
      return std::unexpected(Problem(node, path,
                                     "bad member " + internal::Quote(member) +
                                         ": expected handle@PARTNER, the handle 1 to 32 of a-z, "
                                         "0-9, '.', '_' or '-', starting with a letter or digit"));
    }
    std::string_view partner = member.substr(at + 1);
    if (!policy_->FindPartner(partner)) {
      return std::unexpected(Problem(node, path,
                                     "unknown partner " + internal::Quote(partner) +
                                         " (partners: " + policy_->PartnerList() + ")"));
    }
    return target;
  }
  return std::unexpected(Problem(node, path,
                                 "bad target " + internal::Quote(target) +
                                     ": expected role:<role> or member:<handle>@<PARTNER>"));
}

Status PolicyLoader::LoadEscalation(const YAML::Node& node,
                                    ConsultationPolicy& consultation) const {
  const std::string path = "consultation.escalation";
  ENTENTE_ASSIGN_OR_RETURN(Fields fields, Map(node, path, {"loops", "rules"}));
  if (const YAML::Node* loops = fields.Find("loops")) {
    ENTENTE_ASSIGN_OR_RETURN(std::string text, Text(*loops, path + ".loops"));
    bool digits =
        !text.empty() && text.size() <= 2 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    uint32_t count = digits ? static_cast<uint32_t>(std::stoul(text)) : 0;
    if (count < 1 || count > 10) {
      return std::unexpected(
          Problem(*loops, path + ".loops",
                  "expected a whole number from 1 to 10, got " + internal::Quote(text)));
    }
    consultation.loops = count;
  }

  ENTENTE_ASSIGN_OR_RETURN(YAML::Node rules, Required(fields, node, path, "rules"));
  const std::string rules_path = path + ".rules";
  ENTENTE_RETURN_IF_ERROR(NonEmptyList(rules, rules_path));
  for (size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node& entry = rules[i];
    std::string rule_path = rules_path + "[" + std::to_string(i) + "]";
    ENTENTE_ASSIGN_OR_RETURN(Fields rule_fields,
                             Map(entry, rule_path, {"targets", "timeout", "level"}));
    EscalationRule rule;

    ENTENTE_ASSIGN_OR_RETURN(YAML::Node targets,
                             Required(rule_fields, entry, rule_path, "targets"));
    std::string targets_path = rule_path + ".targets";
    ENTENTE_RETURN_IF_ERROR(NonEmptyList(targets, targets_path));
    for (size_t t = 0; t < targets.size(); ++t) {
      std::string item_path = targets_path + "[" + std::to_string(t) + "]";
      ENTENTE_ASSIGN_OR_RETURN(std::string target, EscalationTarget(targets[t], item_path));
      if (std::find(rule.targets.begin(), rule.targets.end(), target) != rule.targets.end()) {
        return std::unexpected(Problem(targets[t], item_path,
                                       "target " + internal::Quote(target) + " is listed twice"));
      }
      rule.targets.push_back(std::move(target));
    }

    ENTENTE_ASSIGN_OR_RETURN(YAML::Node timeout,
                             Required(rule_fields, entry, rule_path, "timeout"));
    ENTENTE_ASSIGN_OR_RETURN(rule.timeout_ms, Duration(timeout, rule_path + ".timeout"));

    ENTENTE_ASSIGN_OR_RETURN(YAML::Node level, Required(rule_fields, entry, rule_path, "level"));
    ENTENTE_ASSIGN_OR_RETURN(rule.level, Text(level, rule_path + ".level"));
    if (rule.level != "working" && rule.level != "senior" && rule.level != "leader") {
      return std::unexpected(Problem(level, rule_path + ".level",
                                     "unknown level " + internal::Quote(rule.level) +
                                         " (expected working, senior or leader)"));
    }
    consultation.escalation.push_back(std::move(rule));
  }
  return {};
}

Status PolicyLoader::LoadConsultation(const YAML::Node& node) {
  const std::string path = "consultation";
  ENTENTE_ASSIGN_OR_RETURN(
      Fields fields,
      Map(node, path, {"precedence", "escalation", "decision_authority", "silence"}));
  ConsultationPolicy consultation;

  // ACP 121 precedences, highest first; each needs its deadlines.
  const std::initializer_list<std::string_view> precedences = {"FLASH", "IMMEDIATE", "PRIORITY",
                                                               "ROUTINE"};
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node precedence, Required(fields, node, path, "precedence"));
  const std::string precedence_path = path + ".precedence";
  ENTENTE_ASSIGN_OR_RETURN(Fields by_name, Map(precedence, precedence_path, precedences));
  for (std::string_view name : precedences) {
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node value,
                             Required(by_name, precedence, precedence_path, name));
    std::string rule_path = precedence_path + "." + std::string(name);
    ENTENTE_ASSIGN_OR_RETURN(Fields rule_fields,
                             Map(value, rule_path, {"acknowledge", "report_every"}));
    PrecedenceRule rule;
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node acknowledge,
                             Required(rule_fields, value, rule_path, "acknowledge"));
    ENTENTE_ASSIGN_OR_RETURN(rule.acknowledge_ms,
                             Duration(acknowledge, rule_path + ".acknowledge"));
    ENTENTE_ASSIGN_OR_RETURN(YAML::Node report_every,
                             Required(rule_fields, value, rule_path, "report_every"));
    ENTENTE_ASSIGN_OR_RETURN(rule.report_every_ms,
                             Duration(report_every, rule_path + ".report_every"));
    consultation.precedence.emplace(name, rule);
  }

  if (const YAML::Node* escalation = fields.Find("escalation")) {
    ENTENTE_RETURN_IF_ERROR(LoadEscalation(*escalation, consultation));
  }
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node authority,
                           Required(fields, node, path, "decision_authority"));
  ENTENTE_ASSIGN_OR_RETURN(consultation.decision_authority,
                           Text(authority, path + ".decision_authority"));
  ENTENTE_RETURN_IF_ERROR(
      KnownRole(consultation.decision_authority, authority, path + ".decision_authority"));
  if (const YAML::Node* silence = fields.Find("silence")) {
    ENTENTE_ASSIGN_OR_RETURN(consultation.silence_ms, Duration(*silence, path + ".silence"));
  }
  policy_->consultation_ = std::move(consultation);
  return {};
}

Result<std::shared_ptr<const Policy>> PolicyLoader::Load(const YAML::Node& root) {
  if (root.IsNull()) {
    return std::unexpected(
        Problem(root, "", "the file is empty; expected a map with policy, partners and levels"));
  }
  ENTENTE_ASSIGN_OR_RETURN(Fields top, Map(root, "",
                                           {"policy", "title", "partners", "levels", "tagsets",
                                            "rel_required_above", "roles", "consultation"}));
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node id_node, Required(top, root, "", "policy"));
  ENTENTE_ASSIGN_OR_RETURN(policy_->id_, Token(id_node, "policy", "policy id"));
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node title_node, Required(top, root, "", "title"));
  ENTENTE_ASSIGN_OR_RETURN(policy_->title_, Text(title_node, "title"));
  if (policy_->title_.empty()) return std::unexpected(Problem(title_node, "title", "empty title"));

  ENTENTE_ASSIGN_OR_RETURN(YAML::Node partners, Required(top, root, "", "partners"));
  ENTENTE_RETURN_IF_ERROR(LoadPartners(partners));
  ENTENTE_ASSIGN_OR_RETURN(YAML::Node levels, Required(top, root, "", "levels"));
  ENTENTE_RETURN_IF_ERROR(LoadLevels(levels));
  if (const YAML::Node* tagsets = top.Find("tagsets")) {
    ENTENTE_RETURN_IF_ERROR(LoadTagsets(*tagsets));
  }

  // Canonical tagset order, (kind letter, id), and the two other orders derived from it.
  Policy& p = *policy_;
  std::sort(p.tagsets_.begin(), p.tagsets_.end(), [](const Tagset& a, const Tagset& b) {
    return std::pair(a.kind, a.id) < std::pair(b.kind, b.id);
  });
  for (size_t i = 0; i < p.tagsets_.size(); ++i) {
    p.id_order_.emplace_back(static_cast<uint8_t>(i));
    if (p.tagsets_[i].id == "REL") p.rel_tagset_ = TagsetIndex(static_cast<uint8_t>(i));
  }
  p.banner_order_ = p.id_order_;
  std::sort(p.id_order_.begin(), p.id_order_.end(),
            [&](TagsetIndex a, TagsetIndex b) { return p.tagset(a).id < p.tagset(b).id; });
  auto banner_rank = [](TagKind kind) {
    return kind == TagKind::kRestrictive ? 0 : kind == TagKind::kInformative ? 1 : 2;
  };
  std::stable_sort(p.banner_order_.begin(), p.banner_order_.end(),
                   [&](TagsetIndex a, TagsetIndex b) {
                     return banner_rank(p.tagset(a).kind) < banner_rank(p.tagset(b).kind);
                   });

  if (const YAML::Node* rel = top.Find("rel_required_above")) {
    ENTENTE_RETURN_IF_ERROR(LoadRelRequiredAbove(*rel));
  }
  if (const YAML::Node* roles = top.Find("roles")) {
    ENTENTE_RETURN_IF_ERROR(LoadRoles(*roles));
  }
  // After roles and partners: its targets and decision authority name them.
  if (const YAML::Node* consultation = top.Find("consultation")) {
    ENTENTE_RETURN_IF_ERROR(LoadConsultation(*consultation));
  }
  return std::shared_ptr<const Policy>(std::move(policy_));
}

namespace {

// A first pass over the YAML events, before any node is built, that finds what yaml-cpp 0.7
// would mishandle (both found by policy_fuzz):
//   - On some malformed input (a "," at document level) its parser stops advancing and reports
//     empty documents without end, so YAML::LoadAll never returns. The pass stops at the second
//     document, and a document that starts where the one before it started is a syntax error.
//   - Anchors and aliases: a person reviewing a policy must see each value where it applies, so
//     policy files may not use them (and yaml-cpp's handling of self-referencing ones is fragile).
class YamlPrescan : public YAML::EventHandler {
 public:
  int documents = 0;
  std::optional<YAML::Mark> first_document, second_document, anchor;

  // Whether the parser reported a second document without moving past the first one's start.
  bool Stuck() const { return second_document && second_document->pos <= first_document->pos; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    (documents == 1 ? first_document : second_document) = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t a) override { Check(mark, a); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Check(mark, 1); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    Check(mark, a);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    Check(mark, a);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    Check(mark, a);
  }
  void OnMapEnd() override {}
  void OnAnchor(const YAML::Mark& mark, const std::string&) override { Check(mark, 1); }

 private:
  void Check(const YAML::Mark& mark, YAML::anchor_t a) {
    if (a != YAML::NullAnchor && !anchor) anchor = mark;
  }
};

}  // namespace

Result<std::shared_ptr<const Policy>> LoadPolicy(std::string_view yaml, std::string_view source) {
  if (yaml.size() > kMaxPolicyFileSize) {
    return InvalidArgument(std::string(source) + ": policy file is " + std::to_string(yaml.size()) +
                           " bytes, over the limit of " + std::to_string(kMaxPolicyFileSize));
  }
  // yaml-cpp reports problems by throwing; none of that may leave this function.
  try {
    std::string text(yaml);
    YamlPrescan prescan;
    {
      std::istringstream stream(text);
      YAML::Parser parser(stream);
      while (prescan.documents < 2 && parser.HandleNextDocument(prescan)) {
      }
    }
    if (prescan.Stuck()) {
      std::string_view rest = std::string_view(text).substr(
          std::min(text.size(), static_cast<size_t>(std::max(0, prescan.second_document->pos))));
      return InvalidArgument(Where(source, *prescan.second_document) +
                             ": YAML syntax error: unexpected " +
                             internal::Quote(rest.substr(0, 1)));
    }
    if (prescan.anchor) {
      return InvalidArgument(Where(source, *prescan.anchor) +
                             ": YAML anchors and aliases (& and *) are not allowed in a policy "
                             "file; write each value out");
    }
    if (prescan.documents > 1) {
      return InvalidArgument(Where(source, *prescan.second_document) +
                             ": expected one YAML document, found more");
    }
    PolicyLoader loader(source);
    return loader.Load(prescan.documents == 0 ? YAML::Node() : YAML::Load(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(Where(source, e.mark) + ": YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(source) + ": cannot read the policy: " + e.what());
  } catch (...) {
    return InvalidArgument(std::string(source) + ": cannot read the policy");
  }
}

Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path) {
  ENTENTE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, kMaxPolicyFileSize));
  return LoadPolicy(ToString(bytes), path);
}

}  // namespace entente::label
