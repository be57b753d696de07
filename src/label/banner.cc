// Banners: rendering a label in a partner's national markings, and reading one back.
#include "label/banner.h"

#include <algorithm>
#include <vector>

#include "label/text.h"

namespace entente::label {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Splits `text` at each "//".
std::vector<std::string_view> SplitSegments(std::string_view text) {
  std::vector<std::string_view> segments;
  while (true) {
    size_t end = text.find("//");
    if (end == std::string_view::npos) {
      segments.push_back(text);
      return segments;
    }
    segments.push_back(text.substr(0, end));
    text.remove_prefix(end + 2);
  }
}

std::string MarkingList(const Policy& policy) {
  std::vector<std::string_view> markings;
  for (const Level& level : policy.levels()) {
    for (const std::string& m : level.markings) {
      if (std::find(markings.begin(), markings.end(), m) == markings.end()) markings.push_back(m);
    }
  }
  return internal::Join(markings, ", ");
}

std::string BannerList(const Policy& policy) {
  std::vector<std::string_view> banners;
  for (TagsetIndex t : policy.banner_order()) banners.push_back(policy.tagset(t).banner);
  return banners.empty() ? "none" : internal::Join(banners, ", ");
}

// Parses one "BANNER VALUES" segment.
Result<Category> ParseSegment(const Policy& policy, std::string_view segment) {
  // The longest banner name followed by a space; values never contain spaces, so a shorter
  // name that also matches would leave a space inside a value.
  std::optional<TagsetIndex> match;
  for (size_t i = 0; i < policy.tagsets().size(); ++i) {
    const std::string& name = policy.tagsets()[i].banner;
    if (segment == name) {
      return InvalidArgument(internal::Quote(name) + " has no values");
    }
    if (segment.size() > name.size() && segment.starts_with(name) && segment[name.size()] == ' ' &&
        (!match || policy.tagset(*match).banner.size() < name.size())) {
      match = TagsetIndex(static_cast<uint8_t>(i));
    }
  }
  if (!match) {
    return InvalidArgument("unknown banner " + internal::Quote(segment) +
                           " (known: " + BannerList(policy) + ")");
  }
  const Tagset& tagset = policy.tagset(*match);
  std::string_view values = segment.substr(tagset.banner.size() + 1);
  ValueSet set;
  for (size_t start = 0; start <= values.size();) {
    size_t end = values.find(',', start);
    if (end == std::string_view::npos) end = values.size();
    std::string_view value = TrimSpaces(values.substr(start, end - start));
    start = end + 1;
    if (value.empty()) {
      return InvalidArgument("empty value in " + internal::Quote(tagset.banner));
    }
    std::optional<ValueIndex> v;
    if (internal::IsToken(value)) v = policy.FindValue(*match, value);
    if (!v) {
      return InvalidArgument(internal::Quote(value) + " is not a value of " +
                             internal::Quote(tagset.banner) + " in policy " + policy.id() +
                             " (known: " + policy.ValueList(*match) + ")");
    }
    set.Add(*v);
  }
  return Category{*match, set};
}

}  // namespace

std::string RenderBanner(const Label& label, PartnerIndex viewer) {
  const Policy& policy = label.policy();
  ENTENTE_CHECK(viewer.value() < policy.partners().size());
  std::string out = policy.level(label.level()).markings[viewer.value()];
  for (TagsetIndex t : policy.banner_order()) {
    const ValueSet* values = label.Find(t);
    if (values == nullptr) continue;
    const Tagset& tagset = policy.tagset(t);
    out += "//";
    out += tagset.banner;
    out += ' ';
    bool first = true;
    auto add = [&](ValueIndex v) {
      if (!first) out += ", ";
      out += policy.value(t, v);
      first = false;
    };
    // In a partner-valued tagset, value i is partner i (both lists are sorted by code).
    ValueIndex own(viewer.value());
    bool own_first = tagset.values_are_partners && values->Contains(own);
    if (own_first) add(own);
    values->ForEach([&](ValueIndex v) {
      if (!(own_first && v == own)) add(v);
    });
  }
  return out;
}

Result<std::string> RenderBanner(const Label& label, std::string_view viewer) {
  std::optional<PartnerIndex> partner = label.policy().FindPartner(viewer);
  if (!partner) {
    return InvalidArgument("partner " + internal::Quote(viewer) + " is not in policy " +
                           label.policy().id() + " (known: " + label.policy().PartnerList() + ")");
  }
  return RenderBanner(label, *partner);
}

Result<Label> ParseBanner(const std::shared_ptr<const Policy>& policy, std::string_view banner) {
  auto parse = [&]() -> Result<Label> {
    if (policy == nullptr) return InvalidArgument("no policy");
    if (banner.size() > kMaxBannerSize) {
      return InvalidArgument(std::to_string(banner.size()) + " bytes, over the limit of " +
                             std::to_string(kMaxBannerSize));
    }
    std::vector<std::string_view> segments = SplitSegments(banner);
    std::string_view marking = TrimSpaces(segments[0]);
    if (marking.empty()) return InvalidArgument("no marking");
    std::optional<LevelRank> level = policy->FindMarking(marking);
    if (!level) {
      return InvalidArgument("unknown marking " + internal::Quote(marking) +
                             " (known: " + MarkingList(*policy) + ")");
    }
    std::vector<Category> categories;
    for (size_t i = 1; i < segments.size(); ++i) {
      std::string_view segment = TrimSpaces(segments[i]);
      if (segment.empty()) return InvalidArgument("empty segment between '//'");
      ENTENTE_ASSIGN_OR_RETURN(Category category, ParseSegment(*policy, segment));
      for (const Category& c : categories) {
        if (c.tagset == category.tagset) {
          return InvalidArgument(internal::Quote(policy->tagset(c.tagset).banner) +
                                 " appears twice");
        }
      }
      categories.push_back(category);
    }
    std::sort(categories.begin(), categories.end(),
              [](const Category& a, const Category& b) { return a.tagset < b.tagset; });
    return Label::Create(policy, *level, std::move(categories));
  };
  Result<Label> label = parse();
  if (!label)
    return std::unexpected(label.error().WithContext("banner " + internal::Quote(banner)));
  return label;
}

Result<Label> ParseLabelOrBanner(const std::shared_ptr<const Policy>& policy,
                                 std::string_view text) {
  if (text.find(';') != std::string_view::npos) return ParseLabel(policy, text);
  return ParseBanner(policy, text);
}

}  // namespace entente::label
