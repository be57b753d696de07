// sample_node DIR [EVENTS]: writes a sample node directory (see testing/sample_node.h) for the
// CLI integration test and the demo.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "testing/sample_node.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sample_node DIR [EVENTS]\n");
    return 2;
  }
  uint64_t events = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 600;
  auto node = entente::testing::MakeSampleNode(argv[1], events);
  if (!node) {
    std::fprintf(stderr, "sample_node: %s\n", node.error().message().c_str());
    return 1;
  }
  std::printf("%s\n", node->node_vkey.c_str());
  return 0;
}
