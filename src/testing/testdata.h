// testing/testdata.h: locating and reading files under the source tree's testdata/ and examples/.
#pragma once

#include <filesystem>
#include <string>

#include "base/bytes.h"

namespace entente::testing {

// The source tree's root: $ENTENTE_SOURCE_DIR (set by CTest), else the working directory.
std::filesystem::path SourceDir();

// Returns the contents of `path` relative to the source root; fails the test if unreadable.
std::string ReadSourceFile(const std::string& path);

// A fresh, empty directory under the system's temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace entente::testing
