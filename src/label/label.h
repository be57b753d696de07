// label/label.h: security labels and clearances (DESIGN.md §4.4, docs/formats/label.md), and the
// three relations between them: access, dominance and join (STANAG 4774 semantics).
//
//   label     = policy ";" level *( ";" category )
//   clearance = policy ";" level *( ";" tagset "=" values )
//   category  = kind ":" tagset "=" values      ; kind: R restrictive, P permissive, I informative
//   values    = value *( "," value )
//   policy, level, tagset, value = 1*( ALPHA / DIGIT / "-" / "." )
//
// A Label or Clearance exists only in canonical form and only if it is valid under its policy:
// every token is known to the policy (fail closed), each category's kind letter is its tagset's
// kind, each tagset appears at most once, and a label above the policy's `rel_required_above`
// level carries REL. Parsing accepts values and categories in any order and repeated values,
// and yields the canonical object; `ToString()` gives the canonical text back.
//
// Both hold small integers (level rank, tagset index, value bitsets) and a shared pointer to
// their policy, so access checks, dominance and joins never touch strings. Both are immutable
// value types, safe to share between threads.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "label/policy.h"
#include "label/value_set.h"

namespace entente::label {

// A label's canonical text goes into the `opaque label<1..1024>` field of an event header.
constexpr size_t kMaxLabelSize = 1024;
// Clearances are not sent on the wire; the limit only bounds what a parser will read.
constexpr size_t kMaxClearanceSize = 4096;

// One tagset of a label or clearance and its (non-empty) set of values.
struct Category {
  TagsetIndex tagset;
  ValueSet values;
  friend bool operator==(const Category&, const Category&) = default;
};

// A security label: the policy, a level and categories, in canonical form.
class Label {
 public:
  // Returns the label with these parts after checking everything a parsed label is checked for:
  // `categories` sorted by tagset index with each tagset once, every value set non-empty and
  // within its tagset, REL present above `rel_required_above`, canonical text at most
  // kMaxLabelSize bytes. InvalidArgument naming the problem otherwise.
  [[nodiscard]] static Result<Label> Create(std::shared_ptr<const Policy> policy, LevelRank level,
                                            std::vector<Category> categories);

  const Policy& policy() const { return *policy_; }
  const std::shared_ptr<const Policy>& shared_policy() const { return policy_; }
  LevelRank level() const { return level_; }
  // Sorted by tagset index, which is canonical order.
  std::span<const Category> categories() const { return categories_; }
  // The values for `tagset`, or nullptr when the label has no such category.
  const ValueSet* Find(TagsetIndex tagset) const;

  // The canonical text, e.g. "USKR;S;P:REL=KOR,USA".
  std::string ToString() const;

  // Equal under equivalent policies (Policy::Equivalent), with the same level and categories.
  friend bool operator==(const Label& a, const Label& b);

 private:
  Label(std::shared_ptr<const Policy> policy, LevelRank level, std::vector<Category> categories)
      : policy_(std::move(policy)), level_(level), categories_(std::move(categories)) {}

  std::shared_ptr<const Policy> policy_;  // never null
  LevelRank level_;
  std::vector<Category> categories_;
};

// A member's clearance: the highest level they may read and, for each restrictive or permissive
// tagset, the values they hold (e.g. REL=USA for a U.S. official). Informative tagsets have no
// place in a clearance.
class Clearance {
 public:
  // Like Label::Create, for a clearance: only restrictive and permissive tagsets, canonical text
  // at most kMaxClearanceSize bytes, no REL rule.
  [[nodiscard]] static Result<Clearance> Create(std::shared_ptr<const Policy> policy,
                                                LevelRank level, std::vector<Category> categories);

  const Policy& policy() const { return *policy_; }
  const std::shared_ptr<const Policy>& shared_policy() const { return policy_; }
  LevelRank level() const { return level_; }
  // Sorted by tagset index.
  std::span<const Category> categories() const { return categories_; }
  const ValueSet* Find(TagsetIndex tagset) const;

  // The canonical text: tagsets sorted by id, values sorted, e.g. "USKR;TS;REL=USA;SAP=ALPHA".
  std::string ToString() const;

  friend bool operator==(const Clearance& a, const Clearance& b);

 private:
  Clearance(std::shared_ptr<const Policy> policy, LevelRank level, std::vector<Category> categories)
      : policy_(std::move(policy)), level_(level), categories_(std::move(categories)) {}

  std::shared_ptr<const Policy> policy_;  // never null
  LevelRank level_;
  std::vector<Category> categories_;
};

// Parses label text against `policy`. InvalidArgument on any departure from the grammar or the
// policy, with a message of the form `label "<text>": <problem>`, e.g.
// `label "USKR;S;P:REL=FRA": FRA is not a partner in policy USKR (known: KOR, USA)`.
// `policy` must not be null.
[[nodiscard]] Result<Label> ParseLabel(const std::shared_ptr<const Policy>& policy,
                                       std::string_view text);

// Parses clearance text against `policy`; errors as ParseLabel, prefixed `clearance "<text>": `.
[[nodiscard]] Result<Clearance> ParseClearance(const std::shared_ptr<const Policy>& policy,
                                               std::string_view text);

// The outcome of an access check. Cheap to make and to copy: the reason for a denial is put
// into words only when Reason() is called. It points to the policies of the checked label and
// clearance, which must still be alive when Reason() is called (they are while either object is).
class AccessDecision {
 public:
  bool admitted() const { return why_ == Why::kAdmitted; }
  explicit operator bool() const { return admitted(); }

  // "" when admitted; otherwise one line such as "denied: level S above clearance C",
  // "denied: REL does not include JPN" (naming the clearance's values) or
  // "denied: SAP BRAVO not held" (naming the label's values the clearance lacks).
  std::string Reason() const;

 private:
  friend AccessDecision Access(const Clearance& clearance, const Label& label);
  enum class Why : uint8_t {
    kAdmitted,
    kOtherPolicy,  // the clearance is under another policy
    kLevel,        // the label's level is above the clearance's
    kRestrictive,  // `values`: the label's values in `tagset` the clearance does not hold
    kPermissive,   // `values`: the clearance's values in `tagset`, none of them in the label
  };
  Why why_ = Why::kAdmitted;
  const Policy* label_policy_ = nullptr;
  const Policy* clearance_policy_ = nullptr;
  LevelRank label_level_, clearance_level_;
  TagsetIndex tagset_;
  ValueSet values_;
};

// Whether `clearance` admits `label` (DESIGN.md §4.4): the same policy (Policy::Equivalent);
// the clearance's level at least the label's; every restrictive set of the label within the
// clearance's values for that tagset; every permissive set of the label meeting the clearance's
// values for that tagset; informative tagsets ignored. A label without some permissive tagset
// is unrestricted in it. Allocates nothing.
AccessDecision Access(const Clearance& clearance, const Label& label);

// Whether `a` dominates `b`: the same policy; level(a) >= level(b); every restrictive set of a
// contains b's (a missing set is empty); every permissive set of a is contained in b's (a
// missing set is the universe). Then every clearance that admits `a` admits `b`.
bool Dominates(const Label& a, const Label& b);

// The least label that dominates both (for a reply to both, or an aggregate): the higher level,
// the union of restrictive and informative sets, the intersection of permissive sets (a missing
// set is the universe). InvalidArgument if the policies differ, if a permissive intersection is
// empty ("join: REL sets do not intersect (KOR vs USA)"), or if the result is not a valid
// label.
[[nodiscard]] Result<Label> Join(const Label& a, const Label& b);

}  // namespace entente::label
