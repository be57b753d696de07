#include "label/policy.h"

#include <gtest/gtest.h>

#include "base/duration.h"
#include "testing/testdata.h"

namespace entente::label {
namespace {

std::string Bilateral() { return testing::ReadSourceFile("examples/policy-uskr.yaml"); }
std::string Trilateral() { return testing::ReadSourceFile("examples/policy-usjpkr.yaml"); }

// A small policy with every field, one per line, so that tests can break one line at a time.
constexpr std::string_view kMinimal = R"(policy: P1
title: Test policy
partners:
  USA:
    name: United States
  KOR:
    name: Republic of Korea
levels:
  - id: U
    marking:
      USA: UNCLASSIFIED
      KOR: 평문
  - id: S
    marking:
      USA: SECRET
      KOR: II급비밀
tagsets:
  REL:
    kind: permissive
    values: partners
    banner: REL TO
  SAP:
    kind: restrictive
    values: [ALPHA, BRAVO]
    banner: SAP
rel_required_above: U
roles:
  officer:
    may_author: [message]
    description: Working level.
)";

// kMinimal with the first occurrence of `from` replaced by `to`.
std::string With(std::string_view from, std::string_view to) {
  std::string text(kMinimal);
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A consultation section for kMinimal (which it follows, from line 31), one field per line.
constexpr std::string_view kConsultation = R"(consultation:
  precedence:
    FLASH: {acknowledge: PT10M, report_every: PT1H}
    IMMEDIATE: {acknowledge: PT1H, report_every: PT6H}
    PRIORITY: {acknowledge: PT4H, report_every: P1D}
    ROUTINE: {acknowledge: P1D, report_every: P7D}
  escalation:
    loops: 2
    rules:
      - {targets: [role:officer], timeout: PT5M, level: working}
      - {targets: [role:officer, member:kim@KOR], timeout: PT10M, level: senior}
  decision_authority: officer
  silence: PT24H
)";

// The escalation rules of kConsultation (lines 39 to 41).
constexpr std::string_view kRules =
    "    rules:\n"
    "      - {targets: [role:officer], timeout: PT5M, level: working}\n"
    "      - {targets: [role:officer, member:kim@KOR], timeout: PT10M, level: senior}\n";

// kMinimal followed by kConsultation, with the first occurrence of `from` in kConsultation
// replaced by `to`.
std::string WithConsultation(std::string_view from = "", std::string_view to = "") {
  std::string section(kConsultation);
  if (!from.empty()) {
    size_t at = section.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) section.replace(at, from.size(), to);
  }
  return std::string(kMinimal) + section;
}

// The error message of loading `yaml`, which must fail with InvalidArgument.
std::string LoadError(std::string_view yaml) {
  auto policy = LoadPolicy(yaml, "p.yaml");
  if (policy.has_value()) {
    ADD_FAILURE() << "loaded:\n" << yaml;
    return "";
  }
  EXPECT_EQ(policy.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(policy.error().message().find('\n'), std::string::npos) << "not one line";
  return policy.error().message();
}

TEST(Policy, LoadsTheBilateralExample) {
  auto policy = LoadPolicy(Bilateral()).value();
  EXPECT_EQ(policy->id(), "USKR");
  EXPECT_EQ(policy->title(), "United States – Republic of Korea bilateral security policy");
  ASSERT_EQ(policy->partners().size(), 2u);
  EXPECT_EQ(policy->partners()[0].code, "KOR");  // sorted by code
  EXPECT_EQ(policy->partners()[1].code, "USA");
  EXPECT_EQ(policy->partners()[0].name, "Republic of Korea");
  ASSERT_EQ(policy->levels().size(), 4u);
  EXPECT_EQ(policy->LevelList(), "U, C, S, TS");
  PartnerIndex usa = policy->FindPartner("USA").value();
  PartnerIndex kor = policy->FindPartner("KOR").value();
  LevelRank s = policy->FindLevel("S").value();
  EXPECT_EQ(s.value(), 2);
  EXPECT_EQ(policy->level(s).markings[usa.value()], "SECRET");
  EXPECT_EQ(policy->level(s).markings[kor.value()], "II급비밀");
  EXPECT_EQ(policy->FindMarking("II급비밀"), s);
  EXPECT_EQ(policy->FindMarking("SECRET"), s);
  EXPECT_EQ(policy->FindMarking("TOP SECRET"), policy->FindLevel("TS"));
  EXPECT_EQ(policy->FindMarking("secret"), std::nullopt);

  // Canonical tagset order is (kind letter, id): I:HDL, P:REL, R:SAP.
  ASSERT_EQ(policy->tagsets().size(), 3u);
  EXPECT_EQ(policy->tagsets()[0].id, "HDL");
  EXPECT_EQ(policy->tagsets()[0].kind, TagKind::kInformative);
  EXPECT_EQ(policy->tagsets()[1].id, "REL");
  EXPECT_EQ(policy->tagsets()[1].kind, TagKind::kPermissive);
  EXPECT_TRUE(policy->tagsets()[1].values_are_partners);
  EXPECT_EQ(policy->tagsets()[1].values, (std::vector<std::string>{"KOR", "USA"}));
  EXPECT_EQ(policy->tagsets()[1].banner, "REL TO");
  EXPECT_EQ(policy->tagsets()[2].id, "SAP");
  EXPECT_EQ(policy->tagsets()[2].kind, TagKind::kRestrictive);
  EXPECT_EQ(policy->rel_tagset(), TagsetIndex(1));
  EXPECT_EQ(policy->rel_required_above(), policy->FindLevel("U"));

  // Banners show restrictive, informative, permissive; clearances sort by id.
  std::vector<std::string> banner, by_id;
  for (TagsetIndex t : policy->banner_order()) banner.push_back(policy->tagset(t).id);
  for (TagsetIndex t : policy->id_order()) by_id.push_back(policy->tagset(t).id);
  EXPECT_EQ(banner, (std::vector<std::string>{"SAP", "HDL", "REL"}));
  EXPECT_EQ(by_id, (std::vector<std::string>{"HDL", "REL", "SAP"}));
  ASSERT_EQ(policy->roles().size(), 4u);
  EXPECT_EQ(policy->FindRole("co-chair")->may_author.front(), "channel.*");

  ASSERT_TRUE(policy->consultation().has_value());
  const ConsultationPolicy& consultation = *policy->consultation();
  EXPECT_EQ(consultation.precedence.at("FLASH").acknowledge_ms, 10 * kMsPerMinute);
  EXPECT_EQ(consultation.precedence.at("ROUTINE").report_every_ms, 7 * kMsPerDay);
  ASSERT_EQ(consultation.escalation.size(), 2u);
  EXPECT_EQ(consultation.escalation[0].targets, (std::vector<std::string>{"role:officer"}));
  EXPECT_EQ(consultation.escalation[1].targets, (std::vector<std::string>{"role:co-chair"}));
  EXPECT_EQ(consultation.escalation[1].level, "senior");
  EXPECT_EQ(consultation.decision_authority, "co-chair");
  EXPECT_EQ(consultation.silence_ms, 24 * kMsPerHour);
}

TEST(Policy, LoadsTheTrilateralExampleWithRoles) {
  auto policy = LoadPolicy(Trilateral()).value();
  EXPECT_EQ(policy->id(), "USJPKR");
  EXPECT_EQ(policy->PartnerList(), "JPN, KOR, USA");
  PartnerIndex jpn = policy->FindPartner("JPN").value();
  EXPECT_EQ(policy->level(policy->FindLevel("TS").value()).markings[jpn.value()], "機密");
  EXPECT_EQ(policy->FindMarking("極秘"), policy->FindLevel("S"));
  EXPECT_EQ(policy->ValueList(policy->FindTagset("SAP").value()), "ALPHA, BRAVO, CHARLIE");
  ASSERT_EQ(policy->roles().size(), 4u);
  EXPECT_EQ(policy->roles()[0].id, "co-chair");  // sorted by id
  const Role* officer = policy->FindRole("officer");
  ASSERT_NE(officer, nullptr);
  EXPECT_EQ(officer->may_author.front(), "channel.create");  // sorted
  EXPECT_EQ(officer->description,
            "Working-level official; drafts, consults, keeps workstreams and minutes.");
  const Role* observer = policy->FindRole("observer");
  ASSERT_NE(observer, nullptr);
  EXPECT_TRUE(observer->may_author.empty());
  EXPECT_EQ(policy->FindRole("admin"), nullptr);

  ASSERT_TRUE(policy->consultation().has_value());
  EXPECT_EQ(policy->consultation()->precedence.size(), 4u);
  EXPECT_EQ(policy->consultation()->loops, 3u);
  EXPECT_EQ(policy->consultation()->decision_authority, "co-chair");
}

TEST(Policy, MinimalPolicyLoadsAndOptionalFieldsMayBeLeftOut) {
  ASSERT_TRUE(LoadPolicy(kMinimal).has_value());
  auto bare = LoadPolicy(
      "policy: X\ntitle: t\npartners: {USA: {name: U}}\nlevels: [{id: U, marking: {USA: UNCL}}]\n");
  ASSERT_TRUE(bare.has_value()) << bare.error().message();
  EXPECT_TRUE((*bare)->tagsets().empty());
  EXPECT_EQ((*bare)->rel_required_above(), std::nullopt);
  EXPECT_EQ((*bare)->rel_tagset(), std::nullopt);
  EXPECT_EQ((*bare)->TagsetList(), "none");
  // A banner defaults to the tagset id.
  auto tagset =
      LoadPolicy(std::string(kMinimal).replace(kMinimal.find("    banner: SAP\n"), 16, ""));
  ASSERT_TRUE(tagset.has_value()) << tagset.error().message();
  EXPECT_EQ((*tagset)->tagset((*tagset)->FindTagset("SAP").value()).banner, "SAP");
}

TEST(Policy, TwoPartnersMayShareAMarkingForOneLevel) {
  auto policy = LoadPolicy(With("KOR: II급비밀", "KOR: SECRET"));
  ASSERT_TRUE(policy.has_value()) << policy.error().message();
  EXPECT_EQ((*policy)->FindMarking("SECRET"), (*policy)->FindLevel("S"));
}

TEST(Policy, EquivalenceIgnoresMarkingsAndNames) {
  auto a = LoadPolicy(kMinimal).value();
  auto b = LoadPolicy(kMinimal).value();
  EXPECT_TRUE(a->Equivalent(*b));
  EXPECT_TRUE(a->Equivalent(*LoadPolicy(With("USA: SECRET", "USA: SEKRIT")).value()));
  EXPECT_TRUE(a->Equivalent(*LoadPolicy(With("banner: SAP", "banner: PROGRAM")).value()));
  EXPECT_FALSE(a->Equivalent(*LoadPolicy(With("[ALPHA, BRAVO]", "[ALPHA, CHARLIE]")).value()));
  EXPECT_FALSE(a->Equivalent(*LoadPolicy(With("kind: restrictive", "kind: informative")).value()));
  EXPECT_FALSE(a->Equivalent(*LoadPolicy(With("policy: P1", "policy: P2")).value()));
  EXPECT_FALSE(a->Equivalent(*LoadPolicy(With("id: S", "id: SECRET")).value()));
}

TEST(Policy, ErrorsNameTheFileLineFieldAndProblem) {
  EXPECT_EQ(LoadError(With("      KOR: 평문", "      FRA: 평문")),
            "p.yaml:12: levels[0].marking: unknown partner \"FRA\" (partners: KOR, USA)");
  EXPECT_EQ(LoadError(With("      KOR: 평문\n", "")),
            "p.yaml:11: levels[0].marking: no marking for partner KOR");
}

TEST(Policy, RejectsUnknownFields) {
  EXPECT_EQ(LoadError(With("title: Test policy", "title: Test policy\ncolour: red")),
            "p.yaml:3: unknown field \"colour\" (expected policy, title, partners, levels, "
            "tagsets, rel_required_above, roles, consultation)");
  EXPECT_EQ(LoadError(With("    marking:\n      USA: UN", "    markings:\n      USA: UN")),
            "p.yaml:10: levels[0]: unknown field \"markings\" (expected id, marking)");
  EXPECT_EQ(LoadError(With("    name: United States", "    name: United States\n    flag: x")),
            "p.yaml:6: partners.USA: unknown field \"flag\" (expected name)");
  EXPECT_EQ(LoadError(With("    banner: SAP", "    banner: SAP\n    colour: red")),
            "p.yaml:26: tagsets.SAP: unknown field \"colour\" (expected kind, values, banner)");
  EXPECT_EQ(LoadError(With("    may_author: [message]", "    may_author: [message]\n    x: 1")),
            "p.yaml:30: roles.officer: unknown field \"x\" (expected may_author, description)");
}

TEST(Policy, RejectsDuplicateKeys) {
  EXPECT_EQ(LoadError(With("title: Test policy", "title: Test policy\npolicy: P2")),
            "p.yaml:3: duplicate key \"policy\" (first at line 1)");
  EXPECT_EQ(LoadError(With("  KOR:\n    name: Republic of Korea",
                           "  KOR:\n    name: Republic of Korea\n  USA:\n    name: again")),
            "p.yaml:8: partners: duplicate key \"USA\" (first at line 4)");
  EXPECT_EQ(LoadError(With("      KOR: 평문", "      KOR: 평문\n      USA: U2")),
            "p.yaml:13: levels[0].marking: duplicate key \"USA\" (first at line 11)");
  EXPECT_NE(LoadError(With("  SAP:\n", "  REL:\n")).find("tagsets: duplicate key \"REL\""),
            std::string::npos);
  EXPECT_NE(LoadError("{policy: A, policy: B}").find("duplicate key \"policy\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("    kind: permissive", "    kind: permissive\n    kind: restrictive"))
                .find("tagsets.REL: duplicate key \"kind\""),
            std::string::npos);
}

TEST(Policy, RejectsMarkingsAndBannersThatNameTwoThings) {
  EXPECT_EQ(LoadError(With("USA: SECRET", "USA: UNCLASSIFIED")),
            "p.yaml:15: levels[1].marking.USA: marking \"UNCLASSIFIED\" is already level U's "
            "(line 11); each marking must name one level");
  // Across partners too: a Korean marking equal to a U.S. marking of another level.
  EXPECT_NE(LoadError(With("KOR: II급비밀", "KOR: UNCLASSIFIED")).find("is already level U's"),
            std::string::npos);
  EXPECT_EQ(LoadError(With("banner: SAP", "banner: REL TO")),
            "p.yaml:25: tagsets.SAP.banner: banner \"REL TO\" is also tagset REL's; each banner "
            "must name one tagset");
  // A defaulted banner (the tagset id) counts too.
  std::string defaulted = With("    banner: SAP\n", "");
  defaulted.replace(defaulted.find("banner: REL TO"), 14, "banner: SAP");
  EXPECT_NE(LoadError(defaulted).find("banner \"SAP\" is also tagset"), std::string::npos);
}

TEST(Policy, RejectsBadTokens) {
  EXPECT_EQ(LoadError(With("policy: P1", "policy: P 1")),
            "p.yaml:1: policy: bad policy id \"P 1\": use 1 to 63 letters, digits, '-' or '.'");
  EXPECT_NE(LoadError(With("  USA:\n", "  U_SA:\n")).find("partners: bad partner code \"U_SA\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("id: S", "id: S#")).find("levels[1].id: bad level id \"S#\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("  SAP:\n", "  SA;P:\n")).find("bad tagset id \"SA;P\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("[ALPHA, BRAVO]", "[ALPHA, BRA VO]"))
                .find("p.yaml:24: tagsets.SAP.values[1]: bad value \"BRA VO\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("id: S", "id: " + std::string(64, 'S'))).find("bad level id"),
            std::string::npos);
  EXPECT_NE(LoadError(With("[message]", "[send message]")).find("bad kind name \"send message\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("  officer:", "  off icer:")).find("bad role id \"off icer\""),
            std::string::npos);
}

TEST(Policy, RejectsBadDisplayText) {
  EXPECT_EQ(LoadError(With("USA: SECRET", "USA: SECRET//NOFORN")),
            "p.yaml:15: levels[1].marking.USA: marking \"SECRET//NOFORN\" contains '/'");
  EXPECT_NE(LoadError(With("USA: SECRET", "USA: \"SECRET;X\"")).find("contains ';'"),
            std::string::npos);
  EXPECT_NE(LoadError(With("banner: REL TO", "banner: \"REL TO \"")).find("trailing space"),
            std::string::npos);
  EXPECT_NE(LoadError(With("USA: SECRET", "USA: \"SEC\\x01RET\"")).find("control character"),
            std::string::npos);
  EXPECT_EQ(LoadError(With("USA: SECRET",
                           "USA: SE\xff\xfe"
                           "CRET")),
            "p.yaml:15: levels[1].marking.USA: marking \"SE\\xff\\xfeCRET\" is not valid UTF-8");
  EXPECT_NE(LoadError(With("USA: SECRET", "USA: \"\"")).find("is empty"), std::string::npos);
}

TEST(Policy, RejectsEmptyListsAndMaps) {
  EXPECT_EQ(LoadError(With("[ALPHA, BRAVO]", "[]")), "p.yaml:24: tagsets.SAP.values: empty list");
  EXPECT_NE(LoadError(With("[message]", "[]")).find("roles.officer.may_author: empty list"),
            std::string::npos);
  EXPECT_NE(LoadError("policy: X\ntitle: t\npartners: {USA: {name: U}}\nlevels: []\n")
                .find("p.yaml:4: levels: empty list"),
            std::string::npos);
  EXPECT_NE(
      LoadError("policy: X\ntitle: t\npartners: {}\nlevels: []\n").find("partners: no partners"),
      std::string::npos);
  EXPECT_NE(LoadError("policy: X\ntitle: t\npartners: {USA: {name: U}}\n"
                      "levels: [{id: U, marking: {USA: UNCL}}]\ntagsets: {}\n")
                .find("p.yaml:5: tagsets: no tagsets"),
            std::string::npos);
}

TEST(Policy, RejectsRelRequiredAboveProblems) {
  EXPECT_EQ(LoadError(With("rel_required_above: U", "rel_required_above: R")),
            "p.yaml:26: rel_required_above: unknown level \"R\" (levels: U, S)");
  std::string no_rel = With("  REL:\n", "  RELTO:\n");
  EXPECT_NE(LoadError(no_rel).find("rel_required_above: needs a permissive tagset REL"),
            std::string::npos);
  EXPECT_NE(LoadError(With("kind: permissive", "kind: informative")).find("needs a permissive"),
            std::string::npos);
}

TEST(Policy, RejectsWrongTypes) {
  EXPECT_EQ(LoadError("policy: X\ntitle: t\npartners: {USA: {name: U}}\nlevels: {U: x}\n"),
            "p.yaml:4: levels: expected a list, got a map");
  EXPECT_EQ(LoadError("policy: X\ntitle: t\npartners: [USA, KOR]\nlevels: [x]\n"),
            "p.yaml:3: partners: expected a map, got a list");
  EXPECT_EQ(LoadError(With("title: Test policy", "title: [a, b]")),
            "p.yaml:2: title: expected text, got a list");
  EXPECT_NE(
      LoadError(With("title: Test policy", "title:")).find("title: expected text, got nothing"),
      std::string::npos);
  EXPECT_NE(LoadError(With("    values: partners", "    values: people"))
                .find("tagsets.REL.values: expected a list of values or the word partners, got "
                      "text \"people\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("kind: restrictive", "kind: secret")).find("unknown kind \"secret\""),
            std::string::npos);
  EXPECT_NE(LoadError(With("[ALPHA, BRAVO]", "[ALPHA, [BRAVO]]"))
                .find("tagsets.SAP.values[1]: expected text, got a list"),
            std::string::npos);
  EXPECT_NE(LoadError(With("    marking:\n      USA: UNCLASSIFIED\n      KOR: 평문",
                           "    marking: UNCLASSIFIED"))
                .find("levels[0].marking: expected a map, got text"),
            std::string::npos);
  EXPECT_NE(LoadError(With("  - id: U", "  - ? [a]\n    : b\n    id: U")).find("keys must be text"),
            std::string::npos);
  EXPECT_EQ(LoadError("- a\n- b\n"), "p.yaml:1: expected a map, got a list");
  EXPECT_EQ(LoadError("just text"), "p.yaml:1: expected a map, got text \"just text\"");
}

TEST(Policy, RejectsMissingFieldsAndRepeats) {
  EXPECT_EQ(LoadError(With("title: Test policy\n", "")), "p.yaml:1: missing field title");
  EXPECT_NE(LoadError(With("    name: United States\n", "    {}\n")).find("missing field name"),
            std::string::npos);
  EXPECT_NE(LoadError(With("    kind: permissive\n", "")).find("tagsets.REL: missing field kind"),
            std::string::npos);
  EXPECT_NE(LoadError(With("id: S", "id: U")).find("levels[1].id: level U is listed twice"),
            std::string::npos);
  EXPECT_NE(LoadError(With("[ALPHA, BRAVO]", "[ALPHA, ALPHA]")).find("value ALPHA is listed twice"),
            std::string::npos);
  EXPECT_NE(LoadError(With("[message]", "[message, message]")).find("kind message is listed twice"),
            std::string::npos);
}

TEST(Policy, RejectsYamlSyntaxErrorsWithTheirLine) {
  EXPECT_EQ(LoadError(With("[ALPHA, BRAVO]", "[ALPHA, BRAVO")),
            "p.yaml:25: YAML syntax error: end of sequence flow not found");
  EXPECT_NE(LoadError("policy: 'unterminated").find("p.yaml:1: YAML syntax error"),
            std::string::npos);
  EXPECT_NE(LoadError("a: *nowhere").find("YAML syntax error"), std::string::npos);
  EXPECT_NE(LoadError(std::string(10000, '[')).find("YAML syntax error"), std::string::npos);
  // yaml-cpp's parser does not advance past a "," at document level and reports empty
  // documents without end (found by policy_fuzz: fuzz/policy_corpus/regression_stuck_parser).
  EXPECT_EQ(LoadError(",olicy: &a [*a]\nti|le: &t {xt}\npartners: *t\n"),
            "p.yaml:1: YAML syntax error: unexpected \",\"");
  EXPECT_EQ(LoadError("  ,"), "p.yaml:1: YAML syntax error: unexpected \",\"");
  EXPECT_EQ(LoadError(""),
            "p.yaml: the file is empty; expected a map with policy, partners and "
            "levels");
  EXPECT_EQ(LoadError(std::string(kMinimal) + "---\npolicy: again\n"),
            "p.yaml:31: expected one YAML document, found more");
}

TEST(Policy, RejectsAnchorsAndAliases) {
  EXPECT_EQ(LoadError(With("tagsets:\n  REL:\n    kind: permissive",
                           "tagsets:\n  REL:\n    kind: &k permissive")),
            "p.yaml:19: YAML anchors and aliases (& and *) are not allowed in a policy file; write "
            "each value out");
  EXPECT_EQ(LoadError(With("    values: [ALPHA, BRAVO]", "    values: *v")),
            "p.yaml:24: YAML syntax error: the referenced anchor is not defined");
  // Self-referencing aliases.
  EXPECT_EQ(LoadError("policy: &a [*a]\ntitle: &t {x: *t}\npartners: *t\nlevels: *a\n"),
            "p.yaml:1: YAML anchors and aliases (& and *) are not allowed in a policy file; write "
            "each value out");
  EXPECT_NE(LoadError("policy: &a [*a]\n").find("anchors and aliases"), std::string::npos);
}

TEST(Policy, EnforcesLimits) {
  std::string many = "policy: X\ntitle: t\npartners: {USA: {name: U}}\nlevels:\n";
  for (size_t i = 0; i <= kMaxLevels; ++i) {
    many += "  - {id: L" + std::to_string(i) + ", marking: {USA: M" + std::to_string(i) + "}}\n";
  }
  EXPECT_NE(LoadError(many).find("more than 64 levels"), std::string::npos);
  EXPECT_NE(LoadError(std::string(kMaxPolicyFileSize + 1, '#')).find("over the limit"),
            std::string::npos);
}

TEST(Policy, LoadsTheConsultationSection) {
  auto policy = LoadPolicy(WithConsultation(), "p.yaml");
  ASSERT_TRUE(policy.has_value()) << policy.error().message();
  ASSERT_TRUE((*policy)->consultation().has_value());
  const ConsultationPolicy& consultation = *(*policy)->consultation();

  ASSERT_EQ(consultation.precedence.size(), 4u);
  const PrecedenceRule& flash = consultation.precedence.at("FLASH");
  EXPECT_EQ(flash.acknowledge_ms, 10 * kMsPerMinute);
  EXPECT_EQ(flash.report_every_ms, kMsPerHour);
  EXPECT_EQ(consultation.precedence.at("IMMEDIATE").acknowledge_ms, kMsPerHour);
  EXPECT_EQ(consultation.precedence.at("IMMEDIATE").report_every_ms, 6 * kMsPerHour);
  EXPECT_EQ(consultation.precedence.at("PRIORITY").acknowledge_ms, 4 * kMsPerHour);
  EXPECT_EQ(consultation.precedence.at("PRIORITY").report_every_ms, kMsPerDay);
  EXPECT_EQ(consultation.precedence.at("ROUTINE").acknowledge_ms, kMsPerDay);
  EXPECT_EQ(consultation.precedence.at("ROUTINE").report_every_ms, 7 * kMsPerDay);

  EXPECT_EQ(consultation.loops, 2u);
  ASSERT_EQ(consultation.escalation.size(), 2u);
  const EscalationRule& first = consultation.escalation[0];
  EXPECT_EQ(first.targets, (std::vector<std::string>{"role:officer"}));
  EXPECT_EQ(first.timeout_ms, 5 * kMsPerMinute);
  EXPECT_EQ(first.level, "working");
  const EscalationRule& second = consultation.escalation[1];
  // Targets keep the order they are written in.
  EXPECT_EQ(second.targets, (std::vector<std::string>{"role:officer", "member:kim@KOR"}));
  EXPECT_EQ(second.timeout_ms, 10 * kMsPerMinute);
  EXPECT_EQ(second.level, "senior");

  EXPECT_EQ(consultation.decision_authority, "officer");
  EXPECT_EQ(consultation.silence_ms, 24 * kMsPerHour);

  // The section changes how consultations run, not what labels mean.
  EXPECT_TRUE((*policy)->Equivalent(*LoadPolicy(kMinimal).value()));
}

TEST(Policy, ConsultationSectionIsOptionalAndSoAreSilenceAndEscalation) {
  EXPECT_EQ(LoadPolicy(kMinimal).value()->consultation(), std::nullopt);

  auto no_silence = LoadPolicy(WithConsultation("  silence: PT24H\n", ""));
  ASSERT_TRUE(no_silence.has_value()) << no_silence.error().message();
  ASSERT_TRUE((*no_silence)->consultation().has_value());
  EXPECT_EQ((*no_silence)->consultation()->silence_ms, std::nullopt);

  auto no_escalation =
      LoadPolicy(WithConsultation("  escalation:\n    loops: 2\n" + std::string(kRules), ""));
  ASSERT_TRUE(no_escalation.has_value()) << no_escalation.error().message();
  EXPECT_TRUE((*no_escalation)->consultation()->escalation.empty());
  EXPECT_EQ((*no_escalation)->consultation()->loops, 1u);

  // Without loops, the rules run once.
  auto once = LoadPolicy(WithConsultation("    loops: 2\n", ""));
  ASSERT_TRUE(once.has_value()) << once.error().message();
  EXPECT_EQ((*once)->consultation()->loops, 1u);
  EXPECT_EQ((*once)->consultation()->escalation.size(), 2u);
}

TEST(Policy, ConsultationNeedsEveryPrecedence) {
  EXPECT_EQ(LoadError(WithConsultation("  precedence:\n"
                                       "    FLASH: {acknowledge: PT10M, report_every: PT1H}\n"
                                       "    IMMEDIATE: {acknowledge: PT1H, report_every: PT6H}\n"
                                       "    PRIORITY: {acknowledge: PT4H, report_every: P1D}\n"
                                       "    ROUTINE: {acknowledge: P1D, report_every: P7D}\n",
                                       "")),
            "p.yaml:32: consultation: missing field precedence");
  EXPECT_EQ(LoadError(WithConsultation("    ROUTINE: {acknowledge: P1D, report_every: P7D}\n", "")),
            "p.yaml:33: consultation.precedence: missing field ROUTINE");
  EXPECT_EQ(LoadError(WithConsultation("ROUTINE:", "URGENT:")),
            "p.yaml:36: consultation.precedence: unknown field \"URGENT\" (expected FLASH, "
            "IMMEDIATE, PRIORITY, ROUTINE)");
  // Precedence names are case-sensitive, like every key.
  EXPECT_NE(LoadError(WithConsultation("FLASH:", "Flash:")).find("unknown field \"Flash\""),
            std::string::npos);
  EXPECT_EQ(LoadError(WithConsultation("PT10M, report_every: PT1H", "PT10M")),
            "p.yaml:33: consultation.precedence.FLASH: missing field report_every");
}

TEST(Policy, ConsultationDurationsAreIso8601AndPositive) {
  EXPECT_EQ(LoadError(WithConsultation("acknowledge: PT10M", "acknowledge: P1M")),
            "p.yaml:33: consultation.precedence.FLASH.acknowledge: duration \"P1M\": months and "
            "years have no fixed length; use days (P30D)");
  EXPECT_EQ(LoadError(WithConsultation("report_every: P7D", "report_every: 7 days")),
            "p.yaml:36: consultation.precedence.ROUTINE.report_every: duration \"7 days\": "
            "designators must be upper-case: \"7 DAYS\"");
  EXPECT_EQ(LoadError(WithConsultation("report_every: P1D", "report_every: PT0S")),
            "p.yaml:35: consultation.precedence.PRIORITY.report_every: duration \"PT0S\" is "
            "zero; give a positive duration");
  EXPECT_EQ(LoadError(WithConsultation("timeout: PT10M", "timeout: PT10")),
            "p.yaml:41: consultation.escalation.rules[1].timeout: duration \"PT10\": number 10 "
            "has no designator after it (D, H, M or S)");
  EXPECT_NE(LoadError(WithConsultation("timeout: PT5M", "timeout: P0D")).find("is zero"),
            std::string::npos);
  EXPECT_EQ(LoadError(WithConsultation("silence: PT24H", "silence: -PT24H")),
            "p.yaml:43: consultation.silence: duration \"-PT24H\": negative durations are not "
            "allowed");
  EXPECT_EQ(LoadError(WithConsultation("silence: PT24H", "silence: [PT24H]")),
            "p.yaml:43: consultation.silence: expected text, got a list");
}

TEST(Policy, ConsultationTargetsNameRolesAndMembersOfThePolicy) {
  EXPECT_EQ(LoadError(WithConsultation("[role:officer]", "[role:co-chair]")),
            "p.yaml:40: consultation.escalation.rules[0].targets[0]: unknown role \"co-chair\" "
            "(roles: officer)");
  EXPECT_EQ(LoadError(WithConsultation("member:kim@KOR", "member:kim@JPN")),
            "p.yaml:41: consultation.escalation.rules[1].targets[1]: unknown partner \"JPN\" "
            "(partners: KOR, USA)");
  EXPECT_NE(LoadError(WithConsultation("member:kim@KOR", "member:Kim@KOR"))
                .find("rules[1].targets[1]: bad member \"Kim@KOR\": expected handle@PARTNER"),
            std::string::npos);
  EXPECT_NE(LoadError(WithConsultation("member:kim@KOR", "member:kim")).find("bad member \"kim\""),
            std::string::npos);
  EXPECT_EQ(LoadError(WithConsultation("[role:officer]", "[officer]")),
            "p.yaml:40: consultation.escalation.rules[0].targets[0]: bad target \"officer\": "
            "expected role:<role> or member:<handle>@<PARTNER>");
  EXPECT_NE(LoadError(WithConsultation("member:kim@KOR", "role:officer"))
                .find("rules[1].targets[1]: target \"role:officer\" is listed twice"),
            std::string::npos);
  EXPECT_EQ(LoadError(WithConsultation("[role:officer]", "[]")),
            "p.yaml:40: consultation.escalation.rules[0].targets: empty list");
  // decision_authority is a role of the policy too.
  EXPECT_EQ(LoadError(WithConsultation("decision_authority: officer", "decision_authority: admin")),
            "p.yaml:42: consultation.decision_authority: unknown role \"admin\" (roles: officer)");
  EXPECT_NE(LoadError(WithConsultation("  decision_authority: officer\n", ""))
                .find("consultation: missing field decision_authority"),
            std::string::npos);
}

TEST(Policy, ConsultationEscalationRules) {
  EXPECT_EQ(LoadError(WithConsultation("level: senior", "level: boss")),
            "p.yaml:41: consultation.escalation.rules[1].level: unknown level \"boss\" (expected "
            "working, senior or leader)");
  EXPECT_NE(LoadError(WithConsultation(", level: working}", "}"))
                .find("consultation.escalation.rules[0]: missing field level"),
            std::string::npos);
  EXPECT_EQ(LoadError(WithConsultation("loops: 2", "loops: 11")),
            "p.yaml:38: consultation.escalation.loops: expected a whole number from 1 to 10, got "
            "\"11\"");
  EXPECT_NE(LoadError(WithConsultation("loops: 2", "loops: 0")).find("from 1 to 10"),
            std::string::npos);
  EXPECT_NE(LoadError(WithConsultation("loops: 2", "loops: two")).find("from 1 to 10"),
            std::string::npos);
  // An escalation needs rules: leave the escalation out for none.
  EXPECT_EQ(LoadError(WithConsultation(kRules, "")),
            "p.yaml:38: consultation.escalation: missing field rules");
  EXPECT_EQ(LoadError(WithConsultation(kRules, "    rules: []\n")),
            "p.yaml:39: consultation.escalation.rules: empty list");
}

TEST(Policy, ConsultationRejectsUnknownFields) {
  EXPECT_EQ(LoadError(WithConsultation("  silence: PT24H", "  silence: PT24H\n  quorum: 2")),
            "p.yaml:44: consultation: unknown field \"quorum\" (expected precedence, escalation, "
            "decision_authority, silence)");
  EXPECT_EQ(LoadError(WithConsultation("level: working}", "level: working, after: PT1M}")),
            "p.yaml:40: consultation.escalation.rules[0]: unknown field \"after\" (expected "
            "targets, timeout, level)");
  EXPECT_EQ(LoadError(WithConsultation("report_every: PT1H}", "report_every: PT1H, ack: PT1M}")),
            "p.yaml:33: consultation.precedence.FLASH: unknown field \"ack\" (expected "
            "acknowledge, report_every)");
  EXPECT_EQ(LoadError(WithConsultation("    loops: 2", "    loops: 2\n    max: 3")),
            "p.yaml:39: consultation.escalation: unknown field \"max\" (expected loops, rules)");
  EXPECT_NE(LoadError(WithConsultation("    loops: 2", "    loops: 2\n    loops: 3"))
                .find("consultation.escalation: duplicate key \"loops\" (first at line 38)"),
            std::string::npos);
}

TEST(Policy, LoadPolicyFileNamesThePath) {
  testing::TempDir dir;
  auto missing = LoadPolicyFile((dir.path() / "none.yaml").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  auto example = LoadPolicyFile((testing::SourceDir() / "examples/policy-uskr.yaml").string());
  ASSERT_TRUE(example.has_value()) << example.error().message();
}

TEST(Policy, KindLettersAndNames) {
  EXPECT_EQ(KindLetter(TagKind::kRestrictive), 'R');
  EXPECT_EQ(KindLetter(TagKind::kPermissive), 'P');
  EXPECT_EQ(KindLetter(TagKind::kInformative), 'I');
  EXPECT_EQ(KindName(TagKind::kPermissive), "permissive");
}

}  // namespace
}  // namespace entente::label
