// Replays fuzz corpora without libFuzzer: each argument is a file or a directory of files, and
// each file is passed once to LLVMFuzzerTestOneInput. Built with the sanitizers by `make test`,
// so a corpus entry that crashes, leaks or trips UB fails the test.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {
void RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Copy into an exactly-sized heap buffer so that AddressSanitizer sees reads past the end.
  std::vector<uint8_t> exact(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
}
}  // namespace

int main(int argc, char** argv) {
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (!entry.is_regular_file()) continue;
        RunFile(entry.path());
        ++count;
      }
    } else {
      RunFile(arg);
      ++count;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "fuzz replay: no corpus files found\n");
    return 1;
  }
  std::printf("fuzz replay: %zu inputs ran clean\n", count);
  return 0;
}
