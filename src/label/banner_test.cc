#include "label/banner.h"

#include <gtest/gtest.h>

#include "label/example_policies_testing.h"
#include "testing/testdata.h"

namespace entente::label {
namespace {

class BannerTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Policy> uskr_ = LoadExample("examples/policy-uskr.yaml");
  std::shared_ptr<const Policy> usjpkr_ = LoadExample("examples/policy-usjpkr.yaml");

  std::string Render(std::string_view label, std::string_view viewer) const {
    return Render(uskr_, label, viewer);
  }
  static std::string Render(const std::shared_ptr<const Policy>& policy, std::string_view label,
                            std::string_view viewer) {
    auto parsed = ParseLabel(policy, label);
    EXPECT_TRUE(parsed.has_value()) << parsed.error().message();
    if (!parsed) return "";
    auto banner = RenderBanner(*parsed, viewer);
    EXPECT_TRUE(banner.has_value()) << banner.error().message();
    return banner.value_or("");
  }
  std::string Canon(std::string_view banner) const { return Canon(uskr_, banner); }
  static std::string Canon(const std::shared_ptr<const Policy>& policy, std::string_view banner) {
    auto label = ParseBanner(policy, banner);
    EXPECT_TRUE(label.has_value()) << label.error().message();
    return label ? label->ToString() : "";
  }
  std::string BannerError(std::string_view banner) const {
    auto label = ParseBanner(uskr_, banner);
    if (label.has_value()) {
      ADD_FAILURE() << "accepted " << banner << " as " << label->ToString();
      return "";
    }
    EXPECT_EQ(label.error().code(), ErrorCode::kInvalidArgument);
    return label.error().message();
  }
};

TEST_F(BannerTest, RendersForEachPartnerWithTheirOwnPartnerFirst) {
  EXPECT_EQ(Render("USKR;S;P:REL=KOR,USA", "USA"), "SECRET//REL TO USA, KOR");
  EXPECT_EQ(Render("USKR;S;P:REL=KOR,USA", "KOR"), "II급비밀//REL TO KOR, USA");
  EXPECT_EQ(Render("USKR;S;P:REL=KOR,USA;R:SAP=ALPHA", "USA"),
            "SECRET//SAP ALPHA//REL TO USA, KOR");
  EXPECT_EQ(Render("USKR;S;P:REL=KOR,USA;R:SAP=ALPHA", "KOR"),
            "II급비밀//SAP ALPHA//REL TO KOR, USA");
  // Restrictive, then informative, then permissive; values joined by ", ".
  EXPECT_EQ(Render("USKR;TS;I:HDL=NODIS,EXDIS;P:REL=USA;R:SAP=BRAVO,ALPHA", "USA"),
            "TOP SECRET//SAP ALPHA, BRAVO//HANDLE EXDIS, NODIS//REL TO USA");
  EXPECT_EQ(Render("USKR;TS;I:HDL=NODIS;P:REL=USA;R:SAP=BRAVO", "KOR"),
            "I급비밀//SAP BRAVO//HANDLE NODIS//REL TO USA");
  EXPECT_EQ(Render("USKR;U", "USA"), "UNCLASSIFIED");
  EXPECT_EQ(Render("USKR;U", "KOR"), "평문");
  EXPECT_EQ(Render("USKR;C;P:REL=KOR", "USA"), "CONFIDENTIAL//REL TO KOR");
}

TEST_F(BannerTest, RendersTrilateral) {
  const std::string label = "USJPKR;S;P:REL=JPN,KOR,USA";
  EXPECT_EQ(Render(usjpkr_, label, "USA"), "SECRET//REL TO USA, JPN, KOR");
  EXPECT_EQ(Render(usjpkr_, label, "JPN"), "極秘//REL TO JPN, KOR, USA");
  EXPECT_EQ(Render(usjpkr_, label, "KOR"), "II급비밀//REL TO KOR, JPN, USA");
  EXPECT_EQ(Render(usjpkr_, "USJPKR;TS;I:HDL=LIMDIS;P:REL=JPN,USA;R:SAP=CHARLIE", "JPN"),
            "機密//SAP CHARLIE//HANDLE LIMDIS//REL TO JPN, USA");
  EXPECT_EQ(Render(usjpkr_, "USJPKR;U", "JPN"), "取扱注意");
}

TEST_F(BannerTest, RenderRejectsAnUnknownViewer) {
  Label label = ParseLabel(uskr_, "USKR;U").value();
  auto banner = RenderBanner(label, "JPN");
  ASSERT_FALSE(banner.has_value());
  EXPECT_EQ(banner.error().message(), "partner \"JPN\" is not in policy USKR (known: KOR, USA)");
}

TEST_F(BannerTest, ParsesBannersInEitherPartnersMarkings) {
  EXPECT_EQ(Canon("SECRET//REL TO USA, KOR"), "USKR;S;P:REL=KOR,USA");
  EXPECT_EQ(Canon("II급비밀//REL TO KOR, USA"), "USKR;S;P:REL=KOR,USA");
  EXPECT_EQ(Canon("SECRET//SAP ALPHA//REL TO USA, KOR"), "USKR;S;P:REL=KOR,USA;R:SAP=ALPHA");
  EXPECT_EQ(Canon("II급비밀//SAP ALPHA//REL TO KOR, USA"), "USKR;S;P:REL=KOR,USA;R:SAP=ALPHA");
  EXPECT_EQ(Canon("평문"), "USKR;U");
  EXPECT_EQ(Canon("I급비밀//HANDLE NODIS//REL TO USA"), "USKR;TS;I:HDL=NODIS;P:REL=USA");
  // Optional spaces after commas and around "//"; categories and values in any order.
  EXPECT_EQ(Canon("SECRET//REL TO USA,KOR"), "USKR;S;P:REL=KOR,USA");
  EXPECT_EQ(Canon("SECRET // REL TO KOR ,USA // SAP BRAVO, ALPHA"),
            "USKR;S;P:REL=KOR,USA;R:SAP=ALPHA,BRAVO");
  EXPECT_EQ(Canon("SECRET//REL TO USA, USA"), "USKR;S;P:REL=USA");
  // Markings of the two partners mean the same level.
  EXPECT_EQ(ParseBanner(uskr_, "III급비밀//REL TO KOR").value(),
            ParseBanner(uskr_, "CONFIDENTIAL//REL TO KOR").value());
}

TEST_F(BannerTest, ParsesTrilateralBanners) {
  EXPECT_EQ(Canon(usjpkr_, "極秘//REL TO JPN, KOR, USA"), "USJPKR;S;P:REL=JPN,KOR,USA");
  EXPECT_EQ(Canon(usjpkr_, "機密//SAP CHARLIE//REL TO JPN"), "USJPKR;TS;P:REL=JPN;R:SAP=CHARLIE");
  EXPECT_EQ(Canon(usjpkr_, "秘//REL TO KOR"), "USJPKR;C;P:REL=KOR");
}

TEST_F(BannerTest, RejectsBadBannersNamingTheProblem) {
  struct Case {
    std::string banner, error;
  };
  const std::vector<Case> cases = {
      {"", "banner \"\": no marking"},
      {"SEKRET//REL TO USA",
       "banner \"SEKRET//REL TO USA\": unknown marking \"SEKRET\" (known: 평문, UNCLASSIFIED, "
       "III급비밀, CONFIDENTIAL, II급비밀, SECRET, I급비밀, TOP SECRET)"},
      {"secret//REL TO USA", "unknown marking \"secret\""},
      {"SECRET//RELTO USA", "unknown banner \"RELTO USA\" (known: SAP, HANDLE, REL TO)"},
      {"SECRET//REL TO FRA",
       "\"FRA\" is not a value of \"REL TO\" in policy USKR (known: KOR, USA)"},
      {"SECRET//REL TO USA//SAP CHARLIE", "\"CHARLIE\" is not a value of \"SAP\""},
      {"SECRET//REL TO", "\"REL TO\" has no values"},
      {"SECRET//REL TO USA,", "empty value in \"REL TO\""},
      {"SECRET//REL TO USA,,KOR", "empty value in \"REL TO\""},
      {"SECRET//REL TO U SA", "\"U SA\" is not a value of \"REL TO\""},
      {"SECRET//REL TO USA//REL TO KOR", "\"REL TO\" appears twice"},
      {"SECRET//REL TO USA//", "empty segment between '//'"},
      {"SECRET////REL TO USA", "empty segment between '//'"},
      {"//REL TO USA", "no marking"},
      {"SECRET", "banner \"SECRET\": level S is above U, so the label needs a P:REL category"},
      {"SECRET//SAP ALPHA", "level S is above U, so the label needs a P:REL category"},
      {"SECRET/REL TO USA", "unknown marking \"SECRET/REL TO USA\""},
      {"SECRET//REL TO USA\n", "\"USA\\x0a\" is not a value"},
  };
  for (const Case& c : cases) {
    std::string error = BannerError(c.banner);
    EXPECT_NE(error.find(c.error), std::string::npos)
        << "banner " << c.banner << "\n  got:  " << error << "\n  want: " << c.error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "not one line: " << error;
  }
  std::string huge = "SECRET//REL TO USA" + std::string(kMaxBannerSize, ' ');
  EXPECT_NE(BannerError(huge).find("over the limit of 16384"), std::string::npos);
}

TEST_F(BannerTest, LongestBannerNameWins) {
  // "REL" and "REL TO" are both banner names: "REL TO USA" is REL TO, "REL USA" is REL.
  auto policy = LoadPolicy(
                    "policy: X\ntitle: t\npartners: {USA: {name: U}, KOR: {name: K}}\n"
                    "levels: [{id: U, marking: {USA: UNCL, KOR: 평문}}]\n"
                    "tagsets:\n"
                    "  A: {kind: permissive, values: partners, banner: REL TO}\n"
                    "  B: {kind: informative, values: [TO, USA], banner: REL}\n")
                    .value();
  EXPECT_EQ(Canon(policy, "UNCL//REL TO USA"), "X;U;P:A=USA");
  EXPECT_EQ(Canon(policy, "UNCL//REL USA"), "X;U;I:B=USA");
  EXPECT_EQ(Canon(policy, "UNCL//REL TO, USA"), "X;U;I:B=TO,USA");
}

TEST_F(BannerTest, EveryLabelRoundTripsThroughEveryPartnersBanner) {
  size_t checked = 0;
  for (const auto& policy : {uskr_, usjpkr_}) {
    std::vector<std::string> rels, saps, hdls = {""};
    for (int mask = 0; mask < (1 << policy->partners().size()); ++mask) {
      std::string rel;
      for (size_t p = 0; p < policy->partners().size(); ++p) {
        if (mask & (1 << p)) rel += (rel.empty() ? ";P:REL=" : ",") + policy->partners()[p].code;
      }
      rels.push_back(rel);
    }
    saps = {"", ";R:SAP=ALPHA", ";R:SAP=ALPHA,BRAVO"};
    hdls = {"", ";I:HDL=NODIS", ";I:HDL=EXDIS,NODIS"};
    for (const Level& level : policy->levels()) {
      for (const auto& rel : rels) {
        for (const auto& sap : saps) {
          for (const auto& hdl : hdls) {
            auto label = ParseLabel(policy, policy->id() + ";" + level.id + hdl + rel + sap);
            if (!label) continue;
            for (size_t p = 0; p < policy->partners().size(); ++p) {
              std::string banner = RenderBanner(*label, PartnerIndex(static_cast<uint16_t>(p)));
              auto back = ParseBanner(policy, banner);
              ASSERT_TRUE(back.has_value()) << banner << ": " << back.error().message();
              EXPECT_EQ(*back, *label) << banner;
              ++checked;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 500u);
}

TEST_F(BannerTest, ParseLabelOrBannerAcceptsEither) {
  EXPECT_EQ(ParseLabelOrBanner(uskr_, "USKR;S;P:REL=USA,KOR")->ToString(), "USKR;S;P:REL=KOR,USA");
  EXPECT_EQ(ParseLabelOrBanner(uskr_, "II급비밀//REL TO KOR, USA")->ToString(),
            "USKR;S;P:REL=KOR,USA");
  auto bad_label = ParseLabelOrBanner(uskr_, "USKR;S;P:REL=FRA");
  ASSERT_FALSE(bad_label.has_value());
  EXPECT_TRUE(bad_label.error().message().starts_with("label \""));
  auto bad_banner = ParseLabelOrBanner(uskr_, "SECRET//REL TO FRA");
  ASSERT_FALSE(bad_banner.has_value());
  EXPECT_TRUE(bad_banner.error().message().starts_with("banner \""));
}

}  // namespace
}  // namespace entente::label
