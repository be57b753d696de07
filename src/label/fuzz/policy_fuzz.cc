// Fuzzes the policy loader with arbitrary bytes as YAML. Loading must never crash, throw or
// leak; a policy that loads must be usable: for each level, the lowest label it allows parses,
// prints canonically, and reads back from its banner in every partner's marking. Any violation
// aborts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "label/banner.h"
#include "label/label.h"
#include "label/policy.h"

namespace {
void Require(bool condition) {
  if (!condition) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente::label;
  auto policy = LoadPolicy(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!policy) {
    Require(!policy.error().message().empty());
    return 0;
  }
  const Policy& p = **policy;
  Require(!p.partners().empty() && !p.levels().empty());
  for (const Level& level : p.levels()) {
    std::string text = p.id() + ";" + level.id;
    // Above rel_required_above a label needs REL: release it to every partner.
    LevelRank rank = p.FindLevel(level.id).value();
    if (p.rel_required_above() && rank > *p.rel_required_above()) {
      const Tagset& rel = p.tagset(*p.rel_tagset());
      text += ";P:REL=";
      for (size_t i = 0; i < rel.values.size(); ++i) text += (i ? "," : "") + rel.values[i];
    }
    auto label = ParseLabel(*policy, text);
    if (!label) {
      // Only a label too long for the wire field may fail.
      Require(text.size() > kMaxLabelSize);
      continue;
    }
    Require(label->ToString() == text);
    for (uint16_t i = 0; i < p.partners().size(); ++i) {
      auto back = ParseBanner(*policy, RenderBanner(*label, PartnerIndex(i)));
      Require(back.has_value() && *back == *label);
    }
  }
  return 0;
}
