// Labels and clearances: the grammar of DESIGN.md §4.4, canonical form, and access, dominance and
// join (STANAG 4774 semantics). docs/formats/label.md is the contract this file implements.
#include "label/label.h"

#include <algorithm>
#include <utility>

#include "label/text.h"

namespace entente::label {
namespace {

// Splits `text` at each `separator`; an empty text gives one empty piece.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string NotAToken(std::string_view what, std::string_view token) {
  return std::string(what) + " " + internal::Quote(token) +
         " is not a token (1 to 63 letters, digits, '-' or '.')";
}

bool SamePolicy(const Policy& a, const Policy& b) { return &a == &b || a.Equivalent(b); }

// The values of `set` in tagset `t` as text, joined by `separator`.
std::string ValueText(const Policy& policy, TagsetIndex t, const ValueSet& set,
                      std::string_view separator) {
  std::string out;
  set.ForEach([&](ValueIndex v) {
    if (!out.empty()) out += separator;
    out += policy.value(t, v);
  });
  return out;
}

// Parses "v1,v2,..." into a set of tagset `t`'s values.
Result<ValueSet> ParseValues(const Policy& policy, TagsetIndex t, std::string_view text) {
  const Tagset& tagset = policy.tagset(t);
  if (text.empty()) return InvalidArgument(tagset.id + " has no values");
  ValueSet set;
  for (std::string_view value : Split(text, ',')) {
    if (value.empty()) {
      return InvalidArgument("empty value in " + tagset.id +
                             " (two ',' in a row, or a ',' at an end)");
    }
    if (!internal::IsToken(value)) return InvalidArgument(NotAToken("value", value));
    std::optional<ValueIndex> v = policy.FindValue(t, value);
    if (!v) {
      if (tagset.values_are_partners) {
        return InvalidArgument(std::string(value) + " is not a partner in policy " + policy.id() +
                               " (known: " + policy.ValueList(t) + ")");
      }
      return InvalidArgument(std::string(value) + " is not a value of " + tagset.id +
                             " in policy " + policy.id() + " (known: " + policy.ValueList(t) + ")");
    }
    set.Add(*v);
  }
  return set;
}

// Parses "POLICY;LEVEL" and hands each further field to `parse_category(field)`; shared by
// labels and clearances.
template <class ParseCategory>
Result<std::pair<LevelRank, std::vector<Category>>> ParseCommon(const Policy& policy,
                                                                std::string_view text,
                                                                size_t max_size,
                                                                ParseCategory&& parse_category) {
  if (text.empty()) return InvalidArgument("empty");
  if (text.size() > max_size) {
    return InvalidArgument(std::to_string(text.size()) + " bytes, over the limit of " +
                           std::to_string(max_size));
  }
  std::vector<std::string_view> fields = Split(text, ';');
  if (!internal::IsToken(fields[0])) return InvalidArgument(NotAToken("policy", fields[0]));
  if (fields[0] != policy.id()) {
    return InvalidArgument("policy " + std::string(fields[0]) + " is not the policy in use, " +
                           policy.id());
  }
  if (fields.size() < 2) return InvalidArgument("no level (expected " + policy.id() + ";LEVEL...)");
  if (!internal::IsToken(fields[1])) return InvalidArgument(NotAToken("level", fields[1]));
  std::optional<LevelRank> level = policy.FindLevel(fields[1]);
  if (!level) {
    return InvalidArgument("level " + std::string(fields[1]) + " is not in policy " + policy.id() +
                           " (known: " + policy.LevelList() + ")");
  }
  std::vector<Category> categories;
  for (size_t i = 2; i < fields.size(); ++i) {
    if (fields[i].empty()) {
      return InvalidArgument("empty category (two ';' in a row, or a ';' at the end)");
    }
    ENTENTE_ASSIGN_OR_RETURN(Category category, parse_category(fields[i]));
    for (const Category& c : categories) {
      if (c.tagset == category.tagset) {
        return InvalidArgument("tagset " + policy.tagset(c.tagset).id + " appears twice");
      }
    }
    categories.push_back(category);
  }
  std::sort(categories.begin(), categories.end(),
            [](const Category& a, const Category& b) { return a.tagset < b.tagset; });
  return std::pair{*level, std::move(categories)};
}

// Parses "TAGSET=VALUES" (the part of a category after the kind letter).
Result<Category> ParseTagsetValues(const Policy& policy, std::string_view field,
                                   std::string_view category_text) {
  size_t equals = field.find('=');
  if (equals == std::string_view::npos) {
    return InvalidArgument("category " + internal::Quote(category_text) + " has no '='");
  }
  std::string_view id = field.substr(0, equals);
  if (!internal::IsToken(id)) return InvalidArgument(NotAToken("tagset", id));
  std::optional<TagsetIndex> t = policy.FindTagset(id);
  if (!t) {
    return InvalidArgument("tagset " + std::string(id) + " is not in policy " + policy.id() +
                           " (known: " + policy.TagsetList() + ")");
  }
  ENTENTE_ASSIGN_OR_RETURN(ValueSet values, ParseValues(policy, *t, field.substr(equals + 1)));
  return Category{*t, values};
}

// The byte length of the canonical text of a label (`kind_letters`) or clearance.
size_t CanonicalSize(const Policy& policy, LevelRank level, std::span<const Category> categories,
                     bool kind_letters) {
  size_t size = policy.id().size() + 1 + policy.level(level).id.size();
  for (const Category& c : categories) {
    size += 1 + (kind_letters ? 2 : 0) + policy.tagset(c.tagset).id.size() + 1;
    size_t n = 0;
    c.values.ForEach([&](ValueIndex v) {
      size += policy.value(c.tagset, v).size();
      ++n;
    });
    size += n - 1;  // commas
  }
  return size;
}

// Checks the parts of a label or clearance, as Label::Create and Clearance::Create promise.
Status CheckParts(const std::shared_ptr<const Policy>& policy, LevelRank level,
                  std::span<const Category> categories) {
  if (policy == nullptr) return InvalidArgument("no policy");
  if (level.value() >= policy->levels().size()) {
    return InvalidArgument("level rank " + std::to_string(level.value()) + " is not in policy " +
                           policy->id());
  }
  for (size_t i = 0; i < categories.size(); ++i) {
    const Category& c = categories[i];
    if (c.tagset.value() >= policy->tagsets().size()) {
      return InvalidArgument("tagset index " + std::to_string(c.tagset.value()) +
                             " is not in policy " + policy->id());
    }
    if (i > 0 && !(categories[i - 1].tagset < c.tagset)) {
      return InvalidArgument("categories must be sorted by tagset index, each tagset once");
    }
    const Tagset& tagset = policy->tagset(c.tagset);
    if (c.values.empty()) return InvalidArgument(tagset.id + " has no values");
    if (c.values.End() > tagset.values.size()) {
      return InvalidArgument("a value index of " + tagset.id + " is not in policy " + policy->id());
    }
  }
  return {};
}

const ValueSet* FindIn(std::span<const Category> categories, TagsetIndex tagset) {
  for (const Category& c : categories) {
    if (c.tagset == tagset) return &c.values;
  }
  return nullptr;
}

// Calls `f(tagset, a_values_or_null, b_values_or_null)` for every tagset in `a` or `b`, in index
// order. Both must be sorted by tagset index.
template <class F>
void Merge(std::span<const Category> a, std::span<const Category> b, F&& f) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].tagset < b[j].tagset)) {
      f(a[i].tagset, &a[i].values, static_cast<const ValueSet*>(nullptr));
      ++i;
    } else if (i == a.size() || b[j].tagset < a[i].tagset) {
      f(b[j].tagset, static_cast<const ValueSet*>(nullptr), &b[j].values);
      ++j;
    } else {
      f(a[i].tagset, &a[i].values, &b[j].values);
      ++i;
      ++j;
    }
  }
}

}  // namespace

// ---- Label ----

Result<Label> Label::Create(std::shared_ptr<const Policy> policy, LevelRank level,
                            std::vector<Category> categories) {
  ENTENTE_RETURN_IF_ERROR(CheckParts(policy, level, categories));
  if (std::optional<LevelRank> above = policy->rel_required_above();
      above && level > *above && !FindIn(categories, *policy->rel_tagset())) {
    return InvalidArgument("level " + policy->level(level).id + " is above " +
                           policy->level(*above).id + ", so the label needs a P:REL category");
  }
  if (size_t size = CanonicalSize(*policy, level, categories, /*kind_letters=*/true);
      size > kMaxLabelSize) {
    return InvalidArgument("the label would be " + std::to_string(size) +
                           " bytes, over the limit of " + std::to_string(kMaxLabelSize));
  }
  return Label(std::move(policy), level, std::move(categories));
}

const ValueSet* Label::Find(TagsetIndex tagset) const { return FindIn(categories_, tagset); }

std::string Label::ToString() const {
  const Policy& p = *policy_;
  std::string out;
  out.reserve(CanonicalSize(p, level_, categories_, /*kind_letters=*/true));
  out += p.id();
  out += ';';
  out += p.level(level_).id;
  for (const Category& c : categories_) {
    const Tagset& tagset = p.tagset(c.tagset);
    out += ';';
    out += KindLetter(tagset.kind);
    out += ':';
    out += tagset.id;
    out += '=';
    out += ValueText(p, c.tagset, c.values, ",");
  }
  return out;
}

bool operator==(const Label& a, const Label& b) {
  return SamePolicy(*a.policy_, *b.policy_) && a.level_ == b.level_ &&
         a.categories_ == b.categories_;
}

Result<Label> ParseLabel(const std::shared_ptr<const Policy>& policy, std::string_view text) {
  auto parse = [&]() -> Result<Label> {
    if (policy == nullptr) return InvalidArgument("no policy");
    auto category = [&](std::string_view field) -> Result<Category> {
      if (field.size() < 2 || field[1] != ':') {
        return InvalidArgument("category " + internal::Quote(field) +
                               " must start with a kind letter: R:, P: or I:");
      }
      char letter = field[0];
      if (letter != 'R' && letter != 'P' && letter != 'I') {
        return InvalidArgument("category " + internal::Quote(field) + " has kind " +
                               internal::Quote(field.substr(0, 1)) + "; expected R, P or I");
      }
      ENTENTE_ASSIGN_OR_RETURN(Category c, ParseTagsetValues(*policy, field.substr(2), field));
      const Tagset& tagset = policy->tagset(c.tagset);
      if (KindLetter(tagset.kind) != letter) {
        return InvalidArgument(tagset.id + " is " + std::string(KindName(tagset.kind)) +
                               " in policy " + policy->id() + ", so it is written " +
                               KindLetter(tagset.kind) + ":" + tagset.id + "=...");
      }
      return c;
    };
    ENTENTE_ASSIGN_OR_RETURN(auto parts, ParseCommon(*policy, text, kMaxLabelSize, category));
    return Label::Create(policy, parts.first, std::move(parts.second));
  };
  Result<Label> label = parse();
  if (!label) return std::unexpected(label.error().WithContext("label " + internal::Quote(text)));
  return label;
}

// ---- Clearance ----

Result<Clearance> Clearance::Create(std::shared_ptr<const Policy> policy, LevelRank level,
                                    std::vector<Category> categories) {
  ENTENTE_RETURN_IF_ERROR(CheckParts(policy, level, categories));
  for (const Category& c : categories) {
    const Tagset& tagset = policy->tagset(c.tagset);
    if (tagset.kind == TagKind::kInformative) {
      return InvalidArgument(tagset.id + " is informative and has no place in a clearance");
    }
  }
  if (size_t size = CanonicalSize(*policy, level, categories, /*kind_letters=*/false);
      size > kMaxClearanceSize) {
    return InvalidArgument("the clearance would be " + std::to_string(size) +
                           " bytes, over the limit of " + std::to_string(kMaxClearanceSize));
  }
  return Clearance(std::move(policy), level, std::move(categories));
}

const ValueSet* Clearance::Find(TagsetIndex tagset) const { return FindIn(categories_, tagset); }

std::string Clearance::ToString() const {
  const Policy& p = *policy_;
  std::string out;
  out.reserve(CanonicalSize(p, level_, categories_, /*kind_letters=*/false));
  out += p.id();
  out += ';';
  out += p.level(level_).id;
  for (TagsetIndex t : p.id_order()) {
    const ValueSet* values = Find(t);
    if (values == nullptr) continue;
    out += ';';
    out += p.tagset(t).id;
    out += '=';
    out += ValueText(p, t, *values, ",");
  }
  return out;
}

bool operator==(const Clearance& a, const Clearance& b) {
  return SamePolicy(*a.policy_, *b.policy_) && a.level_ == b.level_ &&
         a.categories_ == b.categories_;
}

Result<Clearance> ParseClearance(const std::shared_ptr<const Policy>& policy,
                                 std::string_view text) {
  auto parse = [&]() -> Result<Clearance> {
    if (policy == nullptr) return InvalidArgument("no policy");
    auto category = [&](std::string_view field) -> Result<Category> {
      size_t colon = field.find(':');
      if (colon != std::string_view::npos && colon < field.find('=')) {
        return InvalidArgument("category " + internal::Quote(field) +
                               ": a clearance lists TAGSET=VALUES, without a kind letter");
      }
      return ParseTagsetValues(*policy, field, field);
    };
    ENTENTE_ASSIGN_OR_RETURN(auto parts, ParseCommon(*policy, text, kMaxClearanceSize, category));
    return Clearance::Create(policy, parts.first, std::move(parts.second));
  };
  Result<Clearance> clearance = parse();
  if (!clearance) {
    return std::unexpected(clearance.error().WithContext("clearance " + internal::Quote(text)));
  }
  return clearance;
}

// ---- Access, dominance, join ----

AccessDecision Access(const Clearance& clearance, const Label& label) {
  AccessDecision d;
  d.label_policy_ = &label.policy();
  d.clearance_policy_ = &clearance.policy();
  if (!SamePolicy(label.policy(), clearance.policy())) {
    d.why_ = AccessDecision::Why::kOtherPolicy;
    return d;
  }
  if (clearance.level() < label.level()) {
    d.why_ = AccessDecision::Why::kLevel;
    d.label_level_ = label.level();
    d.clearance_level_ = clearance.level();
    return d;
  }
  static const ValueSet kNone;
  std::span<const Category> held = clearance.categories();
  size_t j = 0;
  for (const Category& c : label.categories()) {
    // Both lists are sorted by tagset index: walk the clearance's alongside.
    while (j < held.size() && held[j].tagset < c.tagset) ++j;
    const ValueSet& have = j < held.size() && held[j].tagset == c.tagset ? held[j].values : kNone;
    switch (label.policy().tagset(c.tagset).kind) {
      case TagKind::kInformative:
        break;
      case TagKind::kRestrictive:
        if (!c.values.IsSubsetOf(have)) {
          d.why_ = AccessDecision::Why::kRestrictive;
          d.tagset_ = c.tagset;
          d.values_ = c.values.Minus(have);
          return d;
        }
        break;
      case TagKind::kPermissive:
        if (!c.values.Intersects(have)) {
          d.why_ = AccessDecision::Why::kPermissive;
          d.tagset_ = c.tagset;
          d.values_ = have;
          return d;
        }
        break;
    }
  }
  return d;
}

std::string AccessDecision::Reason() const {
  switch (why_) {
    case Why::kAdmitted:
      return "";
    case Why::kOtherPolicy:
      if (label_policy_->id() != clearance_policy_->id()) {
        return "denied: label is under policy " + label_policy_->id() +
               ", clearance under policy " + clearance_policy_->id();
      }
      return "denied: label and clearance are under different versions of policy " +
             label_policy_->id();
    case Why::kLevel:
      return "denied: level " + label_policy_->level(label_level_).id + " above clearance " +
             label_policy_->level(clearance_level_).id;
    case Why::kRestrictive:
      return "denied: " + label_policy_->tagset(tagset_).id + " " +
             ValueText(*label_policy_, tagset_, values_, ", ") + " not held";
    case Why::kPermissive:
      if (values_.empty()) {
        return "denied: clearance holds no " + label_policy_->tagset(tagset_).id + " value";
      }
      return "denied: " + label_policy_->tagset(tagset_).id + " does not include " +
             ValueText(*label_policy_, tagset_, values_, ", ");
  }
  return "denied";
}

bool Dominates(const Label& a, const Label& b) {
  if (!SamePolicy(a.policy(), b.policy())) return false;
  if (a.level() < b.level()) return false;
  bool dominates = true;
  Merge(a.categories(), b.categories(),
        [&](TagsetIndex t, const ValueSet* in_a, const ValueSet* in_b) {
          switch (a.policy().tagset(t).kind) {
            case TagKind::kInformative:
              break;
            case TagKind::kRestrictive:  // a missing set is empty
              if (in_b != nullptr && (in_a == nullptr || !in_b->IsSubsetOf(*in_a))) {
                dominates = false;
              }
              break;
            case TagKind::kPermissive:  // a missing set is the universe
              if (in_b != nullptr && (in_a == nullptr || !in_a->IsSubsetOf(*in_b))) {
                dominates = false;
              }
              break;
          }
        });
  return dominates;
}

Result<Label> Join(const Label& a, const Label& b) {
  const Policy& policy = a.policy();
  if (!SamePolicy(policy, b.policy())) {
    return InvalidArgument("join: the labels are under different policies (" + policy.id() +
                           " and " + b.policy().id() + ")");
  }
  std::vector<Category> categories;
  std::optional<Error> error;
  Merge(a.categories(), b.categories(),
        [&](TagsetIndex t, const ValueSet* in_a, const ValueSet* in_b) {
          if (in_a == nullptr || in_b == nullptr) {
            // A missing set is empty (restrictive, informative) or the universe (permissive):
            // either way the join keeps the one that is present.
            categories.push_back({t, in_a != nullptr ? *in_a : *in_b});
            return;
          }
          if (policy.tagset(t).kind != TagKind::kPermissive) {
            categories.push_back({t, in_a->Union(*in_b)});
            return;
          }
          ValueSet both = in_a->Intersection(*in_b);
          if (both.empty() && !error) {
            error.emplace(ErrorCode::kInvalidArgument,
                          "join: " + policy.tagset(t).id + " sets do not intersect (" +
                              ValueText(policy, t, *in_a, ",") + " vs " +
                              ValueText(policy, t, *in_b, ",") + ")");
          }
          categories.push_back({t, both});
        });
  if (error) return std::unexpected(*error);
  Result<Label> joined =
      Label::Create(a.shared_policy(), std::max(a.level(), b.level()), std::move(categories));
  if (!joined) return std::unexpected(joined.error().WithContext("join"));
  return joined;
}

}  // namespace entente::label
