#include "base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/testdata.h"

namespace entente {
namespace {

TEST(File, WritesAtomicallyWithModeAndReadsBack) {
  testing::TempDir dir;
  std::string path = (dir.path() / "key").string();
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("secret"), 0600, true).has_value());
  EXPECT_EQ(ToString(ReadFile(path).value()), "secret");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(File, ExclusiveWriteNeverOverwrites) {
  testing::TempDir dir;
  std::string path = (dir.path() / "key").string();
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("first"), 0600, true).has_value());
  auto again = WriteFileAtomic(path, AsBytes("second"), 0600, true);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(ToString(ReadFile(path).value()), "first");
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("third"), 0644, false).has_value());
  EXPECT_EQ(ToString(ReadFile(path).value()), "third");
}

TEST(File, ReadErrorsNameThePath) {
  testing::TempDir dir;
  auto missing = ReadFile((dir.path() / "nope").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find("nope"), std::string::npos);
  EXPECT_FALSE(ReadFile(dir.path().string()).has_value());  // a directory
  std::string path = (dir.path() / "big").string();
  ASSERT_TRUE(WriteFileAtomic(path, Bytes(100), 0600, false).has_value());
  EXPECT_FALSE(ReadFile(path, 99).has_value());
}

}  // namespace
}  // namespace entente
