#include "label/label.h"

#include <gtest/gtest.h>

#include "label/example_policies_testing.h"
#include "testing/testdata.h"

namespace entente::label {
namespace {

class LabelTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Policy> uskr_ = LoadExample("examples/policy-uskr.yaml");
  std::shared_ptr<const Policy> usjpkr_ = LoadExample("examples/policy-usjpkr.yaml");

  Label L(std::string_view text) const { return L(uskr_, text); }
  static Label L(const std::shared_ptr<const Policy>& policy, std::string_view text) {
    auto label = ParseLabel(policy, text);
    EXPECT_TRUE(label.has_value()) << label.error().message();
    return std::move(label).value();
  }
  Clearance C(std::string_view text) const { return C(uskr_, text); }
  static Clearance C(const std::shared_ptr<const Policy>& policy, std::string_view text) {
    auto clearance = ParseClearance(policy, text);
    EXPECT_TRUE(clearance.has_value()) << clearance.error().message();
    return std::move(clearance).value();
  }
  std::string LabelError(std::string_view text) const {
    auto label = ParseLabel(uskr_, text);
    if (label.has_value()) {
      ADD_FAILURE() << "accepted " << text << " as " << label->ToString();
      return "";
    }
    EXPECT_EQ(label.error().code(), ErrorCode::kInvalidArgument);
    return label.error().message();
  }
  std::string ClearanceError(std::string_view text) const {
    auto clearance = ParseClearance(uskr_, text);
    if (clearance.has_value()) {
      ADD_FAILURE() << "accepted " << text << " as " << clearance->ToString();
      return "";
    }
    EXPECT_EQ(clearance.error().code(), ErrorCode::kInvalidArgument);
    return clearance.error().message();
  }
};

TEST_F(LabelTest, CanonicalLabelsRoundTrip) {
  for (std::string_view text : {
           "USKR;U",
           "USKR;U;P:REL=USA",
           "USKR;S;P:REL=KOR,USA",
           "USKR;TS;P:REL=USA;R:SAP=ALPHA,BRAVO",
           "USKR;C;I:HDL=EXDIS;P:REL=KOR",
           "USKR;S;I:HDL=EXDIS,NODIS;P:REL=KOR,USA;R:SAP=BRAVO",
           "USKR;U;R:SAP=ALPHA",
       }) {
    EXPECT_EQ(L(text).ToString(), text);
  }
}

TEST_F(LabelTest, ParsingYieldsTheCanonicalForm) {
  // Values sorted, without duplicates.
  EXPECT_EQ(L("USKR;S;P:REL=USA,KOR").ToString(), "USKR;S;P:REL=KOR,USA");
  EXPECT_EQ(L("USKR;S;P:REL=USA,USA,KOR,USA").ToString(), "USKR;S;P:REL=KOR,USA");
  // Categories sorted by (kind letter, tagset): I before P before R.
  EXPECT_EQ(L("USKR;S;R:SAP=BRAVO,ALPHA;P:REL=USA;I:HDL=NODIS").ToString(),
            "USKR;S;I:HDL=NODIS;P:REL=USA;R:SAP=ALPHA,BRAVO");
  EXPECT_EQ(L("USKR;S;P:REL=USA;I:HDL=NODIS"), L("USKR;S;I:HDL=NODIS;P:REL=USA"));
  EXPECT_NE(L("USKR;S;P:REL=USA"), L("USKR;S;P:REL=KOR,USA"));
  EXPECT_NE(L("USKR;S;P:REL=USA"), L("USKR;TS;P:REL=USA"));
}

TEST_F(LabelTest, ExposesIndices) {
  Label label = L("USKR;S;P:REL=KOR,USA;R:SAP=BRAVO");
  EXPECT_EQ(label.level(), uskr_->FindLevel("S"));
  EXPECT_EQ(&label.policy(), uskr_.get());
  ASSERT_EQ(label.categories().size(), 2u);
  TagsetIndex rel = uskr_->FindTagset("REL").value();
  TagsetIndex sap = uskr_->FindTagset("SAP").value();
  TagsetIndex hdl = uskr_->FindTagset("HDL").value();
  EXPECT_EQ(label.categories()[0].tagset, rel);
  ASSERT_NE(label.Find(sap), nullptr);
  EXPECT_EQ(label.Find(sap)->size(), 1u);
  EXPECT_TRUE(label.Find(sap)->Contains(uskr_->FindValue(sap, "BRAVO").value()));
  EXPECT_EQ(label.Find(hdl), nullptr);
}

TEST_F(LabelTest, RejectsBadLabelsNamingTheProblem) {
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"", "label \"\": empty"},
      {"USKR", "label \"USKR\": no level (expected USKR;LEVEL...)"},
      {"USKR;", "label \"USKR;\": level \"\" is not a token (1 to 63 letters, digits, '-' or '.')"},
      {"US KR;S", "label \"US KR;S\": policy \"US KR\" is not a token"},
      {"USJPKR;S;P:REL=USA",
       "label \"USJPKR;S;P:REL=USA\": policy USJPKR is not the policy in "
       "use, USKR"},
      {"USKR;X", "label \"USKR;X\": level X is not in policy USKR (known: U, C, S, TS)"},
      {"USKR;s;P:REL=USA", "level s is not in policy USKR"},
      {"USKR;S#;P:REL=USA", "level \"S#\" is not a token"},
      {"USKR;S;P:REL=FRA",
       "label \"USKR;S;P:REL=FRA\": FRA is not a partner in policy USKR (known: KOR, USA)"},
      {"USKR;S;P:REL=USA;R:SAP=CHARLIE",
       "CHARLIE is not a value of SAP in policy USKR (known: ALPHA, BRAVO)"},
      {"USKR;S;P:REL=USA;R:XYZ=A", "tagset XYZ is not in policy USKR (known: HDL, REL, SAP)"},
      {"USKR;S;R:REL=USA", "REL is permissive in policy USKR, so it is written P:REL=..."},
      {"USKR;S;P:REL=USA;P:SAP=ALPHA",
       "SAP is restrictive in policy USKR, so it is written R:SAP=..."},
      {"USKR;S;P:REL=USA;I:SAP=ALPHA", "SAP is restrictive"},
      {"USKR;S;X:REL=USA", "category \"X:REL=USA\" has kind \"X\"; expected R, P or I"},
      {"USKR;S;REL=USA", "category \"REL=USA\" must start with a kind letter: R:, P: or I:"},
      {"USKR;S;p:REL=USA", "has kind \"p\"; expected R, P or I"},
      {"USKR;S;P:REL", "category \"P:REL\" has no '='"},
      {"USKR;S;P:REL=", "REL has no values"},
      {"USKR;S;P:REL=USA,", "empty value in REL"},
      {"USKR;S;P:REL=,USA", "empty value in REL"},
      {"USKR;S;P:REL=USA,,KOR", "empty value in REL"},
      {"USKR;S;P:REL=U SA", "value \"U SA\" is not a token"},
      {"USKR;S;P:REL=USA;", "empty category (two ';' in a row, or a ';' at the end)"},
      {"USKR;;S", "level \"\" is not a token"},
      {"USKR;S;;P:REL=USA", "empty category"},
      {"USKR;S;P:REL=USA;P:REL=KOR", "tagset REL appears twice"},
      {"USKR;S;P:REL=USA;R:SAP=ALPHA;R:SAP=BRAVO", "tagset SAP appears twice"},
      {"USKR;S;P:=USA", "tagset \"\" is not a token"},
      {" USKR;S;P:REL=USA", "policy \" USKR\" is not a token"},
      {"USKR;S;P:REL=USA\n", "value \"USA\\x0a\" is not a token"},
      {"USKR;S", "label \"USKR;S\": level S is above U, so the label needs a P:REL category"},
      {"USKR;C;R:SAP=ALPHA", "level C is above U, so the label needs a P:REL category"},
      {"USKR;S;P:REL=USA=KOR", "value \"USA=KOR\" is not a token"},
      {"USKR;S;P:REL=평문", "value \"평문\" is not a token"},
  };
  for (const Case& c : cases) {
    std::string error = LabelError(c.text);
    EXPECT_NE(error.find(c.error), std::string::npos)
        << "label " << c.text << "\n  got:  " << error << "\n  want: " << c.error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "not one line: " << error;
  }
}

TEST_F(LabelTest, EnforcesTheWireFieldLimit) {
  // 1024 bytes is the most a label may take; longer input is refused before it is read.
  std::string long_label = "USKR;S;P:REL=" + std::string(1024, 'K');
  std::string error = LabelError(long_label);
  EXPECT_NE(error.find("1037 bytes, over the limit of 1024"), std::string::npos) << error;
  EXPECT_LT(error.size(), 200u);  // the text is cut short in the message

  // Repeated values that make the text long but the canonical form short are fine up to 1024.
  std::string repeated = "USKR;S;P:REL=USA";
  while (repeated.size() + 4 <= kMaxLabelSize) repeated += ",USA";
  EXPECT_EQ(L(repeated).ToString(), "USKR;S;P:REL=USA");
}

TEST_F(LabelTest, CreateChecksItsParts) {
  TagsetIndex rel = uskr_->FindTagset("REL").value();
  TagsetIndex sap = uskr_->FindTagset("SAP").value();
  ValueSet usa;
  usa.Add(uskr_->FindValue(rel, "USA").value());
  ValueSet alpha;
  alpha.Add(uskr_->FindValue(sap, "ALPHA").value());
  LevelRank s = uskr_->FindLevel("S").value();

  auto ok = Label::Create(uskr_, s, {{rel, usa}, {sap, alpha}});
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(ok->ToString(), "USKR;S;P:REL=USA;R:SAP=ALPHA");

  auto error = [&](std::shared_ptr<const Policy> policy, LevelRank level,
                   std::vector<Category> categories) {
    auto label = Label::Create(std::move(policy), level, std::move(categories));
    return label.has_value() ? std::string("accepted") : label.error().message();
  };
  EXPECT_EQ(error(nullptr, s, {}), "no policy");
  EXPECT_EQ(error(uskr_, LevelRank(4), {{rel, usa}}), "level rank 4 is not in policy USKR");
  EXPECT_EQ(error(uskr_, s, {{sap, alpha}, {rel, usa}}),
            "categories must be sorted by tagset index, each tagset once");
  EXPECT_EQ(error(uskr_, s, {{rel, usa}, {rel, usa}}),
            "categories must be sorted by tagset index, each tagset once");
  EXPECT_EQ(error(uskr_, s, {{rel, ValueSet()}}), "REL has no values");
  EXPECT_EQ(error(uskr_, s, {{TagsetIndex(9), usa}}), "tagset index 9 is not in policy USKR");
  ValueSet beyond;
  beyond.Add(ValueIndex(2));
  EXPECT_EQ(error(uskr_, s, {{rel, beyond}}), "a value index of REL is not in policy USKR");
  EXPECT_EQ(error(uskr_, s, {{sap, alpha}}),
            "level S is above U, so the label needs a P:REL category");
}

TEST_F(LabelTest, CreateRefusesLabelsLongerThanTheWireField) {
  // A policy whose full label is longer than 1024 bytes: 100 values of 13 bytes.
  std::string yaml =
      "policy: BIG\ntitle: t\npartners: {USA: {name: U}}\n"
      "levels: [{id: U, marking: {USA: UNCL}}]\ntagsets:\n  T: {kind: restrictive, values: [";
  for (int i = 0; i < 100; ++i) yaml += (i ? ", V" : "V") + std::to_string(100000000000 + i);
  yaml += "]}\n";
  auto policy = LoadPolicy(yaml).value();
  ValueSet all;
  for (uint16_t i = 0; i < 100; ++i) all.Add(ValueIndex(i));
  auto label = Label::Create(policy, LevelRank(0), {{TagsetIndex(0), all}});
  ASSERT_FALSE(label.has_value());
  EXPECT_EQ(label.error().message(), "the label would be 1409 bytes, over the limit of 1024");
}

TEST_F(LabelTest, ClearancesAreCanonicalAndHaveNoKindLetters) {
  EXPECT_EQ(C("USKR;TS;SAP=BRAVO,ALPHA;REL=USA").ToString(), "USKR;TS;REL=USA;SAP=ALPHA,BRAVO");
  EXPECT_EQ(C("USKR;C").ToString(), "USKR;C");
  EXPECT_EQ(C("USKR;S;REL=USA,KOR,USA").ToString(), "USKR;S;REL=KOR,USA");
  EXPECT_EQ(C("USKR;S;SAP=ALPHA;REL=KOR"), C("USKR;S;REL=KOR;SAP=ALPHA"));
  EXPECT_EQ(C(usjpkr_, "USJPKR;TS;REL=JPN").ToString(), "USJPKR;TS;REL=JPN");
}

TEST_F(LabelTest, RejectsBadClearances) {
  EXPECT_EQ(ClearanceError("USKR;S;P:REL=USA"),
            "clearance \"USKR;S;P:REL=USA\": category \"P:REL=USA\": a clearance lists "
            "TAGSET=VALUES, without a kind letter");
  EXPECT_EQ(ClearanceError("USKR;S;HDL=EXDIS"),
            "clearance \"USKR;S;HDL=EXDIS\": HDL is informative and has no place in a clearance");
  EXPECT_EQ(ClearanceError("USKR;S;REL=FRA"),
            "clearance \"USKR;S;REL=FRA\": FRA is not a partner in policy USKR (known: KOR, USA)");
  EXPECT_NE(ClearanceError("USKR;S;REL=USA;REL=KOR").find("tagset REL appears twice"),
            std::string::npos);
  EXPECT_NE(ClearanceError("USKR;Q").find("level Q is not in policy USKR"), std::string::npos);
  EXPECT_NE(ClearanceError("USKR;S;REL").find("has no '='"), std::string::npos);
  EXPECT_NE(ClearanceError("USKR;S;REL=").find("REL has no values"), std::string::npos);
  EXPECT_NE(ClearanceError("").find("empty"), std::string::npos);
  EXPECT_NE(ClearanceError(std::string(4097, 'A')).find("over the limit of 4096"),
            std::string::npos);
  EXPECT_NE(ClearanceError("OTHER;S").find("policy OTHER is not the policy in use"),
            std::string::npos);
}

TEST_F(LabelTest, AccessFollowsStanag4774) {
  struct Case {
    std::string clearance, label, reason;  // empty reason: admitted
  };
  const std::vector<Case> cases = {
      {"USKR;S;REL=USA", "USKR;S;P:REL=KOR,USA", ""},
      {"USKR;TS;REL=KOR", "USKR;S;P:REL=KOR,USA", ""},
      {"USKR;C;REL=USA", "USKR;S;P:REL=KOR,USA", "denied: level S above clearance C"},
      {"USKR;U", "USKR;C;P:REL=USA", "denied: level C above clearance U"},
      {"USKR;TS;REL=KOR", "USKR;S;P:REL=USA", "denied: REL does not include KOR"},
      {"USKR;TS", "USKR;S;P:REL=USA", "denied: clearance holds no REL value"},
      {"USKR;TS;SAP=ALPHA", "USKR;S;P:REL=USA", "denied: clearance holds no REL value"},
      // A label without REL is unrestricted in REL.
      {"USKR;U", "USKR;U", ""},
      {"USKR;U", "USKR;U;I:HDL=NODIS", ""},
      {"USKR;S;REL=KOR", "USKR;U", ""},
      // Restrictive: every value of the label must be held.
      {"USKR;TS;REL=USA;SAP=ALPHA", "USKR;S;P:REL=USA;R:SAP=ALPHA", ""},
      {"USKR;TS;REL=USA;SAP=ALPHA,BRAVO", "USKR;S;P:REL=USA;R:SAP=ALPHA", ""},
      {"USKR;TS;REL=USA;SAP=ALPHA", "USKR;S;P:REL=USA;R:SAP=ALPHA,BRAVO",
       "denied: SAP BRAVO not held"},
      {"USKR;TS;REL=USA", "USKR;S;P:REL=USA;R:SAP=ALPHA,BRAVO",
       "denied: SAP ALPHA, BRAVO not held"},
      {"USKR;TS;REL=USA", "USKR;U;R:SAP=ALPHA", "denied: SAP ALPHA not held"},
      // Informative tags never matter.
      {"USKR;S;REL=USA", "USKR;S;I:HDL=EXDIS,NODIS;P:REL=USA", ""},
      // The level is checked first, then categories in canonical order.
      {"USKR;C", "USKR;S;P:REL=KOR;R:SAP=BRAVO", "denied: level S above clearance C"},
      {"USKR;TS;REL=USA", "USKR;S;P:REL=KOR;R:SAP=BRAVO", "denied: REL does not include USA"},
  };
  for (const Case& c : cases) {
    AccessDecision decision = Access(C(c.clearance), L(c.label));
    EXPECT_EQ(decision.admitted(), c.reason.empty()) << c.clearance << " / " << c.label;
    EXPECT_EQ(static_cast<bool>(decision), decision.admitted());
    EXPECT_EQ(decision.Reason(), c.reason) << c.clearance << " / " << c.label;
  }
}

TEST_F(LabelTest, TrilateralAccessNamesTheClearancesValues) {
  Clearance japanese = C(usjpkr_, "USJPKR;TS;REL=JPN");
  AccessDecision decision = Access(japanese, L(usjpkr_, "USJPKR;S;P:REL=KOR,USA"));
  EXPECT_FALSE(decision.admitted());
  EXPECT_EQ(decision.Reason(), "denied: REL does not include JPN");
  EXPECT_TRUE(Access(japanese, L(usjpkr_, "USJPKR;S;P:REL=JPN,KOR,USA")).admitted());
  // A clearance holding several values is admitted if any one is in the label.
  Clearance dual = C(usjpkr_, "USJPKR;S;REL=JPN,KOR");
  EXPECT_TRUE(Access(dual, L(usjpkr_, "USJPKR;S;P:REL=KOR")).admitted());
  EXPECT_EQ(Access(dual, L(usjpkr_, "USJPKR;S;P:REL=USA")).Reason(),
            "denied: REL does not include JPN, KOR");
  EXPECT_EQ(Access(C(usjpkr_, "USJPKR;TS;REL=USA;SAP=ALPHA,CHARLIE"),
                   L(usjpkr_, "USJPKR;TS;P:REL=USA;R:SAP=ALPHA,BRAVO,CHARLIE"))
                .Reason(),
            "denied: SAP BRAVO not held");
}

TEST_F(LabelTest, AccessAcrossPoliciesIsDenied) {
  AccessDecision decision = Access(C("USKR;TS;REL=USA"), L(usjpkr_, "USJPKR;S;P:REL=USA"));
  EXPECT_FALSE(decision.admitted());
  EXPECT_EQ(decision.Reason(), "denied: label is under policy USJPKR, clearance under policy USKR");

  // The same policy loaded twice is the same policy.
  auto again = LoadExample("examples/policy-uskr.yaml");
  EXPECT_TRUE(Access(C(again, "USKR;S;REL=USA"), L("USKR;S;P:REL=USA")).admitted());
  EXPECT_EQ(L(again, "USKR;S;P:REL=USA"), L("USKR;S;P:REL=USA"));

  // A policy with the same id but other values is another version.
  std::string yaml = testing::ReadSourceFile("examples/policy-uskr.yaml");
  yaml.replace(yaml.find("[ALPHA, BRAVO]"), 14, "[ALPHA, BRAVO, CHARLIE]");
  auto changed = LoadPolicy(yaml).value();
  decision = Access(C(changed, "USKR;S;REL=USA"), L("USKR;S;P:REL=USA"));
  EXPECT_EQ(decision.Reason(),
            "denied: label and clearance are under different versions of policy USKR");
  EXPECT_NE(L(changed, "USKR;S;P:REL=USA"), L("USKR;S;P:REL=USA"));
}

TEST_F(LabelTest, Dominance) {
  struct Case {
    std::string a, b;
    bool dominates;
  };
  const std::vector<Case> cases = {
      {"USKR;S;P:REL=USA", "USKR;S;P:REL=USA", true},
      {"USKR;TS;P:REL=USA", "USKR;S;P:REL=USA", true},
      {"USKR;S;P:REL=USA", "USKR;TS;P:REL=USA", false},
      // Permissive: fewer releasable partners dominates more.
      {"USKR;S;P:REL=USA", "USKR;S;P:REL=KOR,USA", true},
      {"USKR;S;P:REL=KOR,USA", "USKR;S;P:REL=USA", false},
      {"USKR;S;P:REL=KOR", "USKR;S;P:REL=USA", false},
      // A missing permissive set is the universe.
      {"USKR;S;P:REL=USA", "USKR;U", true},
      {"USKR;U", "USKR;U;P:REL=USA", false},
      // Restrictive: more compartments dominates fewer; a missing set is empty.
      {"USKR;S;P:REL=USA;R:SAP=ALPHA,BRAVO", "USKR;S;P:REL=USA;R:SAP=ALPHA", true},
      {"USKR;S;P:REL=USA;R:SAP=ALPHA", "USKR;S;P:REL=USA;R:SAP=ALPHA,BRAVO", false},
      {"USKR;S;P:REL=USA;R:SAP=ALPHA", "USKR;S;P:REL=USA", true},
      {"USKR;S;P:REL=USA", "USKR;S;P:REL=USA;R:SAP=ALPHA", false},
      // Informative tags never matter.
      {"USKR;S;P:REL=USA", "USKR;S;I:HDL=NODIS;P:REL=USA", true},
      {"USKR;S;I:HDL=NODIS;P:REL=USA", "USKR;S;P:REL=USA", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Dominates(L(c.a), L(c.b)), c.dominates) << c.a << " dominates " << c.b;
  }
  EXPECT_FALSE(Dominates(L(usjpkr_, "USJPKR;TS;P:REL=USA"), L("USKR;U")));
}

TEST_F(LabelTest, Join) {
  struct Case {
    std::string a, b, join;
  };
  const std::vector<Case> cases = {
      {"USKR;S;P:REL=KOR,USA", "USKR;C;P:REL=USA", "USKR;S;P:REL=USA"},
      {"USKR;S;P:REL=USA;R:SAP=ALPHA", "USKR;TS;P:REL=USA;R:SAP=BRAVO",
       "USKR;TS;P:REL=USA;R:SAP=ALPHA,BRAVO"},
      {"USKR;U", "USKR;S;P:REL=KOR", "USKR;S;P:REL=KOR"},
      {"USKR;U", "USKR;U;R:SAP=ALPHA", "USKR;U;R:SAP=ALPHA"},
      {"USKR;S;I:HDL=EXDIS;P:REL=USA", "USKR;S;I:HDL=NODIS;P:REL=KOR,USA",
       "USKR;S;I:HDL=EXDIS,NODIS;P:REL=USA"},
      {"USKR;U", "USKR;U", "USKR;U"},
  };
  for (const Case& c : cases) {
    auto joined = Join(L(c.a), L(c.b));
    ASSERT_TRUE(joined.has_value()) << joined.error().message();
    EXPECT_EQ(joined->ToString(), c.join) << c.a << " join " << c.b;
    EXPECT_EQ(Join(L(c.b), L(c.a))->ToString(), c.join) << "join is commutative";
  }
}

TEST_F(LabelTest, JoinOfDisjointReleasabilityIsAnError) {
  auto joined = Join(L("USKR;S;P:REL=KOR"), L("USKR;C;P:REL=USA"));
  ASSERT_FALSE(joined.has_value());
  EXPECT_EQ(joined.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(joined.error().message(), "join: REL sets do not intersect (KOR vs USA)");

  auto tri = Join(L(usjpkr_, "USJPKR;S;P:REL=JPN,KOR"), L(usjpkr_, "USJPKR;S;P:REL=USA"));
  ASSERT_FALSE(tri.has_value());
  EXPECT_EQ(tri.error().message(), "join: REL sets do not intersect (JPN,KOR vs USA)");

  auto policies = Join(L("USKR;U"), L(usjpkr_, "USJPKR;U"));
  ASSERT_FALSE(policies.has_value());
  EXPECT_EQ(policies.error().message(),
            "join: the labels are under different policies (USKR and USJPKR)");
}

// Every label of the bilateral policy: 4 levels x REL (none or 3 sets) x SAP (4) x HDL (4),
// less those the REL rule forbids.
std::vector<Label> AllLabels(const std::shared_ptr<const Policy>& policy) {
  std::vector<Label> labels;
  const std::vector<std::string> rels = {"", ";P:REL=KOR", ";P:REL=USA", ";P:REL=KOR,USA"};
  const std::vector<std::string> saps = {"", ";R:SAP=ALPHA", ";R:SAP=BRAVO", ";R:SAP=ALPHA,BRAVO"};
  const std::vector<std::string> hdls = {"", ";I:HDL=EXDIS", ";I:HDL=NODIS", ";I:HDL=EXDIS,NODIS"};
  for (const Level& level : policy->levels()) {
    for (const std::string& rel : rels) {
      for (const std::string& sap : saps) {
        for (const std::string& hdl : hdls) {
          auto label = ParseLabel(policy, "USKR;" + level.id + hdl + rel + sap);
          if (label) labels.push_back(*label);
        }
      }
    }
  }
  return labels;
}

std::vector<Clearance> AllClearances(const std::shared_ptr<const Policy>& policy) {
  std::vector<Clearance> clearances;
  for (const Level& level : policy->levels()) {
    for (std::string rel : {"", ";REL=KOR", ";REL=USA", ";REL=KOR,USA"}) {
      for (std::string sap : {"", ";SAP=ALPHA", ";SAP=BRAVO", ";SAP=ALPHA,BRAVO"}) {
        clearances.push_back(ParseClearance(policy, "USKR;" + level.id + rel + sap).value());
      }
    }
  }
  return clearances;
}

TEST_F(LabelTest, PropertiesHoldOverEveryLabel) {
  std::vector<Label> labels = AllLabels(uskr_);
  std::vector<Clearance> clearances = AllClearances(uskr_);
  ASSERT_EQ(labels.size(), 4u * 4 * 4 + 3u * 3 * 4 * 4);  // U without REL is allowed
  ASSERT_EQ(clearances.size(), 64u);
  for (const Label& a : labels) {
    // Canonical text re-parses to the same label.
    EXPECT_EQ(L(a.ToString()), a);
    EXPECT_TRUE(Dominates(a, a));
    for (const Label& b : labels) {
      bool dominates = Dominates(a, b);
      // Dominance means: whoever may read a may read b.
      if (dominates) {
        for (const Clearance& c : clearances) {
          if (Access(c, a).admitted()) {
            EXPECT_TRUE(Access(c, b).admitted())
                << c.ToString() << " reads " << a.ToString() << " but not " << b.ToString();
          }
        }
      }
      // The join dominates both and is the least such label.
      auto joined = Join(a, b);
      if (!joined) {
        EXPECT_NE(joined.error().message().find("REL sets do not intersect"), std::string::npos);
        continue;
      }
      EXPECT_TRUE(Dominates(*joined, a)) << a.ToString() << " join " << b.ToString();
      EXPECT_TRUE(Dominates(*joined, b)) << a.ToString() << " join " << b.ToString();
      if (Dominates(a, b)) {
        // Joining with something a dominates adds nothing that matters for access.
        EXPECT_TRUE(Dominates(a, *joined));
      }
    }
  }
}

TEST(ValueSet, SetAlgebra) {
  ValueSet a, b;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.End(), 0u);
  a.Add(ValueIndex(0));
  a.Add(ValueIndex(200));
  b.Add(ValueIndex(200));
  b.Add(ValueIndex(63));
  b.Add(ValueIndex(64));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.End(), 201u);
  EXPECT_TRUE(a.Contains(ValueIndex(200)));
  EXPECT_FALSE(a.Contains(ValueIndex(1)));
  EXPECT_FALSE(a.Contains(ValueIndex(1000)));
  EXPECT_TRUE(a.Intersects(b));
  EXPECT_FALSE(a.IsSubsetOf(b));
  EXPECT_TRUE(a.Intersection(b).IsSubsetOf(b));
  EXPECT_EQ(a.Union(b).size(), 4u);
  EXPECT_EQ(a.Minus(b).size(), 1u);
  std::vector<int> order;
  a.Union(b).ForEach([&](ValueIndex v) { order.push_back(v.value()); });
  EXPECT_EQ(order, (std::vector<int>{0, 63, 64, 200}));
  EXPECT_FALSE(a.Minus(b).Intersects(b));
}

}  // namespace
}  // namespace entente::label
