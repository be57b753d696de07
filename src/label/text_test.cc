#include "label/text.h"

#include <gtest/gtest.h>

namespace entente::label::internal {
namespace {

TEST(Text, TokensAreLettersDigitsDashAndDot) {
  EXPECT_TRUE(IsToken("USKR"));
  EXPECT_TRUE(IsToken("TS"));
  EXPECT_TRUE(IsToken("a-b.c9"));
  EXPECT_TRUE(IsToken(std::string(63, 'A')));
  EXPECT_FALSE(IsToken(""));
  EXPECT_FALSE(IsToken(std::string(64, 'A')));
  EXPECT_FALSE(IsToken("TOP SECRET"));
  EXPECT_FALSE(IsToken("a_b"));
  EXPECT_FALSE(IsToken("REL=USA"));
  EXPECT_FALSE(IsToken("평문"));
  EXPECT_FALSE(IsToken(std::string("A\0B", 3)));
  EXPECT_TRUE(IsName("consult.request"));
  EXPECT_TRUE(IsName("status_report"));
  EXPECT_FALSE(IsName("status report"));
}

TEST(Text, Utf8FollowsRfc3629) {
  EXPECT_TRUE(IsUtf8("SECRET"));
  EXPECT_TRUE(IsUtf8("II급비밀"));
  EXPECT_TRUE(IsUtf8("機密"));
  EXPECT_TRUE(IsUtf8("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_FALSE(IsUtf8("\xff"));
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsUtf8("\xea\xb8"));          // truncated
}

TEST(Text, DisplayTextRules) {
  EXPECT_EQ(DisplayTextProblem("TOP SECRET"), "");
  EXPECT_EQ(DisplayTextProblem("I급비밀"), "");
  EXPECT_EQ(DisplayTextProblem(""), "is empty");
  EXPECT_EQ(DisplayTextProblem("A/B"), "contains '/'");
  EXPECT_EQ(DisplayTextProblem("A;B"), "contains ';'");
  EXPECT_EQ(DisplayTextProblem("A,B"), "contains ','");
  EXPECT_EQ(DisplayTextProblem("A\tB"), "contains a control character");
  EXPECT_EQ(DisplayTextProblem(" A"), "has a leading or trailing space");
  EXPECT_EQ(DisplayTextProblem("A  B"), "has two spaces in a row");
  EXPECT_EQ(DisplayTextProblem("\xff"), "is not valid UTF-8");
  EXPECT_EQ(DisplayTextProblem(std::string(128, 'A')), "is 128 bytes, over the limit of 127");
}

TEST(Text, QuoteKeepsMessagesOnOneLine) {
  EXPECT_EQ(Quote("USKR;S"), "\"USKR;S\"");
  EXPECT_EQ(Quote("II급비밀"), "\"II급비밀\"");
  EXPECT_EQ(Quote("a\nb\"c\\"), "\"a\\x0ab\\\"c\\\\\"");
  EXPECT_EQ(Quote("\xff"), "\"\\xff\"");
  std::string quoted = Quote(std::string(500, 'A'));
  EXPECT_LT(quoted.size(), 100u);
  EXPECT_TRUE(quoted.ends_with("...\""));
}

}  // namespace
}  // namespace entente::label::internal
