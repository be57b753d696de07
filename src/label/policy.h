// label/policy.h: a space's security policy, loaded from a YAML policy file
// (docs/formats/policy.md).
//
// A policy names the partners, the classification levels in rank order with each partner's
// national marking for each, the tagsets (categories in STANAG 4774 terms: restrictive,
// permissive or informative, each with its allowed values and banner name), the rule that labels
// above some level must carry REL, the roles with the event kinds each may author, and (revision
// 2) how consultations run: deadlines by precedence, escalation and decision authority.
//
// Everything else in this module works on small integer indices into a Policy: a level is its
// rank, a tagset its position in canonical order, a value its position in the tagset's sorted
// value list. That keeps labels compact and access checks free of strings.
//
// A Policy is immutable once loaded and safe to share between threads; it is handed out as a
// `std::shared_ptr<const Policy>`, and every Label and Clearance keeps its policy alive.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/strong.h"
#include "label/value_set.h"

namespace entente::label {

// A level's rank: 0 is the lowest level of the policy.
using LevelRank = StrongInt<struct LevelRankTag, uint8_t>;
// A tagset's position in the policy's canonical tagset order (see Policy::tagsets()).
using TagsetIndex = StrongInt<struct TagsetIndexTag, uint8_t>;
// A partner's position in the policy's partner list (sorted by code).
using PartnerIndex = StrongInt<struct PartnerIndexTag, uint16_t>;

// How a tagset restricts access (STANAG 4774). The enumerators are in the order of their kind
// letters (I < P < R), which is the order of categories in a canonical label.
enum class TagKind : uint8_t {
  kInformative,  // "I": shown in banners, never affects access
  kPermissive,   // "P": a reader must hold at least one of the label's values (REL TO)
  kRestrictive,  // "R": a reader must hold every one of the label's values (SAP compartments)
};

// 'I', 'P' or 'R'.
char KindLetter(TagKind kind);
// "informative", "permissive" or "restrictive".
std::string_view KindName(TagKind kind);

struct Partner {
  std::string code;  // a token, e.g. "USA"
  std::string name;  // for people, e.g. "United States"
};

struct Level {
  std::string id;                     // a token, e.g. "S"
  std::vector<std::string> markings;  // indexed by PartnerIndex: "SECRET", "II급비밀"
};

struct Tagset {
  std::string id;  // a token, e.g. "REL"
  TagKind kind;
  std::string banner;  // the name shown in banners, e.g. "REL TO"
  // True when the values are the partners' codes (`values: partners`); banners then show the
  // viewer's own partner first.
  bool values_are_partners = false;
  std::vector<std::string> values;  // sorted, unique; ValueIndex is the position here
};

struct Role {
  std::string id;                       // a name, e.g. "co-chair"
  std::vector<std::string> may_author;  // event kind names, sorted, unique; may be empty
  std::string description;
};

// An escalation step: while a consultation request is unacknowledged, the rules fire in turn; each
// alerts its targets and waits `timeout_ms` for the acknowledgement before the next one fires.
struct EscalationRule {
  // "role:<role id>" (a role of the policy) or "member:<handle>@<PARTNER>" (a partner of the
  // policy), in the order written.
  std::vector<std::string> targets;
  uint64_t timeout_ms = 0;  // > 0
  std::string level;        // "working", "senior" or "leader"
};

// The deadlines of one precedence (ACP 121).
struct PrecedenceRule {
  uint64_t acknowledge_ms = 0;   // > 0: acknowledgement deadline after the request
  uint64_t report_every_ms = 0;  // > 0: status report cadence while convened, decided, monitoring
};

// How consultations run under the policy (the optional `consultation` section, revision 2).
struct ConsultationPolicy {
  // Keys exactly FLASH, IMMEDIATE, PRIORITY, ROUTINE (ACP 121), all four present.
  std::map<std::string, PrecedenceRule, std::less<>> precedence;
  std::vector<EscalationRule> escalation;  // in order; empty: no escalation
  uint32_t loops = 1;                      // how many times the rules run, 1 to 10
  // A role of the policy: who approves a decision for its partner.
  std::string decision_authority;
  // When set, a decision version is adopted if nobody objects within this time (> 0).
  std::optional<uint64_t> silence_ms;
};

// Limits a policy file must keep (docs/formats/policy.md).
constexpr size_t kMaxPolicyFileSize = 1024 * 1024;
constexpr size_t kMaxLevels = 64;
constexpr size_t kMaxTagsets = 64;
constexpr size_t kMaxPartners = ValueSet::kCapacity;
constexpr size_t kMaxTagsetValues = ValueSet::kCapacity;

class Policy {
 public:
  const std::string& id() const { return id_; }
  const std::string& title() const { return title_; }

  // Sorted by code; PartnerIndex is the position here.
  const std::vector<Partner>& partners() const { return partners_; }
  // Lowest first; LevelRank is the position here.
  const std::vector<Level>& levels() const { return levels_; }
  // In canonical order, sorted by (kind letter, id); TagsetIndex is the position here.
  const std::vector<Tagset>& tagsets() const { return tagsets_; }
  // Sorted by id.
  const std::vector<Role>& roles() const { return roles_; }
  // The consultation section; nullopt when the policy has none.
  const std::optional<ConsultationPolicy>& consultation() const { return consultation_; }

  // Labels above this level must carry the permissive tagset `REL`; nullopt: never required.
  std::optional<LevelRank> rel_required_above() const { return rel_required_above_; }
  // The tagset `REL`, if the policy has one.
  std::optional<TagsetIndex> rel_tagset() const { return rel_tagset_; }

  // Preconditions: the index is in range (checked).
  const Level& level(LevelRank rank) const;
  const Tagset& tagset(TagsetIndex index) const;
  const Partner& partner(PartnerIndex index) const;
  const std::string& value(TagsetIndex tagset, ValueIndex value) const;

  // Lookups by text; nullopt (nullptr) when the policy has no such thing.
  std::optional<PartnerIndex> FindPartner(std::string_view code) const;
  std::optional<LevelRank> FindLevel(std::string_view id) const;
  std::optional<TagsetIndex> FindTagset(std::string_view id) const;
  std::optional<ValueIndex> FindValue(TagsetIndex tagset, std::string_view value) const;
  // The level that some partner marks as `marking`.
  std::optional<LevelRank> FindMarking(std::string_view marking) const;
  const Role* FindRole(std::string_view id) const;

  // Tagset indices in the order a banner shows them: restrictive, then informative, then
  // permissive; by id within a kind.
  std::span<const TagsetIndex> banner_order() const { return banner_order_; }
  // Tagset indices sorted by id alone (the order of a canonical clearance).
  std::span<const TagsetIndex> id_order() const { return id_order_; }

  // True if labels and clearances under `other` mean the same as under this policy: the same
  // id, levels in the same order, and the same tagsets with the same kinds and values.
  // Markings, banner names, partner names, roles and the consultation section may differ.
  bool Equivalent(const Policy& other) const;

  // "U, C, S, TS": the known level ids (tagset ids, values of a tagset, partner codes, role ids)
  // for error messages.
  std::string LevelList() const;
  std::string TagsetList() const;
  std::string ValueList(TagsetIndex tagset) const;
  std::string PartnerList() const;
  std::string RoleList() const;

 private:
  friend class PolicyLoader;
  Policy() = default;

  std::string id_, title_;
  std::vector<Partner> partners_;
  std::vector<Level> levels_;
  std::vector<Tagset> tagsets_;
  std::vector<Role> roles_;
  std::optional<ConsultationPolicy> consultation_;
  std::optional<LevelRank> rel_required_above_;
  std::optional<TagsetIndex> rel_tagset_;
  std::vector<TagsetIndex> banner_order_, id_order_;
  // Every (marking, level) pair, sorted by marking, for FindMarking.
  std::vector<std::pair<std::string, LevelRank>> marking_index_;
};

// Loads a policy from the YAML text of a policy file. `source` names the text in error messages
// (a file path). On failure returns InvalidArgument with one line naming the problem and where:
// "<source>:<line>: <field path>: <problem>", e.g.
// "policy.yaml:9: levels[1].marking: unknown partner FRA (partners: KOR, USA)".
// Never throws; YAML syntax errors are reported the same way.
[[nodiscard]] Result<std::shared_ptr<const Policy>> LoadPolicy(std::string_view yaml,
                                                               std::string_view source = "policy");

// Reads and loads the policy file at `path` (errors as LoadPolicy, with the path as source;
// NotFound if there is no such file).
[[nodiscard]] Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path);

}  // namespace entente::label
