// Fuzzes label, clearance and banner parsing against the bilateral example policy (embedded, so
// the target needs no files). Parsing must never crash, and whatever parses must be canonical:
//   - a label's canonical text re-parses to an equal label with the same text, fits the wire
//     field, and reads back from its banner in each partner's marking;
//   - a clearance's canonical text re-parses to an equal clearance;
//   - when the input holds two lines that both parse, their join (if any) dominates both and
//     every access decision between them can be put into words.
// Any violation aborts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "label/banner.h"
#include "label/label.h"
#include "label/policy.h"

namespace {

using namespace entente::label;

constexpr std::string_view kPolicy = R"(policy: USKR
title: United States – Republic of Korea bilateral security policy
partners:
  USA: {name: United States}
  KOR: {name: Republic of Korea}
levels:
  - {id: U,  marking: {USA: UNCLASSIFIED, KOR: 평문}}
  - {id: C,  marking: {USA: CONFIDENTIAL, KOR: III급비밀}}
  - {id: S,  marking: {USA: SECRET,       KOR: II급비밀}}
  - {id: TS, marking: {USA: TOP SECRET,   KOR: I급비밀}}
tagsets:
  REL: {kind: permissive, values: partners, banner: REL TO}
  SAP: {kind: restrictive, values: [ALPHA, BRAVO], banner: SAP}
  HDL: {kind: informative, values: [EXDIS, NODIS], banner: HANDLE}
rel_required_above: U
)";

void Require(bool condition) {
  if (!condition) std::abort();
}

const std::shared_ptr<const Policy>& ThePolicy() {
  static const std::shared_ptr<const Policy> policy = [] {
    auto loaded = LoadPolicy(kPolicy);
    Require(loaded.has_value());
    return *loaded;
  }();
  return policy;
}

void CheckLabel(const Label& label) {
  const auto& policy = ThePolicy();
  std::string text = label.ToString();
  Require(!text.empty() && text.size() <= kMaxLabelSize);
  auto again = ParseLabel(policy, text);
  Require(again.has_value() && *again == label && again->ToString() == text);
  for (uint16_t p = 0; p < policy->partners().size(); ++p) {
    auto back = ParseBanner(policy, RenderBanner(label, PartnerIndex(p)));
    Require(back.has_value() && *back == label);
  }
  Require(Dominates(label, label));
  auto self = Join(label, label);
  Require(self.has_value() && *self == label);
}

void CheckClearance(const Clearance& clearance) {
  std::string text = clearance.ToString();
  auto again = ParseClearance(ThePolicy(), text);
  Require(again.has_value() && *again == clearance && again->ToString() == text);
}

void CheckPair(const Label& a, const Label& b) {
  auto joined = Join(a, b);
  if (joined) {
    CheckLabel(*joined);
    Require(Dominates(*joined, a) && Dominates(*joined, b));
  }
  if (Dominates(a, b) && Dominates(b, a)) Require(a.level() == b.level());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& policy = ThePolicy();
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto label = ParseLabel(policy, input);
  if (label) CheckLabel(*label);
  auto banner = ParseBanner(policy, input);
  if (banner) CheckLabel(*banner);
  auto clearance = ParseClearance(policy, input);
  if (clearance) {
    CheckClearance(*clearance);
    if (label) (void)Access(*clearance, *label).Reason();
  }

  // Two lines: a label or banner each, or a clearance and a label.
  size_t newline = input.find('\n');
  if (newline != std::string_view::npos) {
    std::string_view first = input.substr(0, newline), second = input.substr(newline + 1);
    auto a = ParseLabelOrBanner(policy, first);
    auto b = ParseLabelOrBanner(policy, second);
    if (a && b) CheckPair(*a, *b);
    auto c = ParseClearance(policy, first);
    if (c && b) {
      AccessDecision decision = Access(*c, *b);
      Require(decision.admitted() == decision.Reason().empty());
      // Whoever may read something may read whatever it dominates.
      if (a && decision.admitted() && Dominates(*b, *a)) Require(Access(*c, *a).admitted());
    }
  }
  return 0;
}
