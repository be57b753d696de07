#include "testing/testdata.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace entente::testing {

std::filesystem::path SourceDir() {
  if (const char* dir = std::getenv("ENTENTE_SOURCE_DIR")) return dir;
  return std::filesystem::current_path();
}

std::string ReadSourceFile(const std::string& path) {
  std::ifstream in(SourceDir() / path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << (SourceDir() / path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "entente-test-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace entente::testing
