// Writes testdata/http-signatures/ (key.txt, and <name>.txt and <name>.base per example). Run
// from the source root: build/<dir>/http_signatures_vectors. The examples are deterministic, so
// a new run rewrites the same bytes; net_test fails if the files and the code disagree.
#include <cstdio>

#include "base/file.h"
#include "net/vectors.h"

namespace {

using namespace entente;
using namespace entente::net;

Status Write(const std::string& path, std::string_view text) {
  return WriteFileAtomic(path, AsBytes(text), 0644, false);
}

Status Run() {
  const std::string dir = "testdata/http-signatures/";
  ENTENTE_RETURN_IF_ERROR(Write(dir + "key.txt", ExampleKeyText()));
  ENTENTE_ASSIGN_OR_RETURN(auto examples, SignatureExamples());
  for (const SignatureExample& e : examples) {
    ENTENTE_RETURN_IF_ERROR(Write(dir + e.name + ".txt", ExampleText(e)));
    ENTENTE_RETURN_IF_ERROR(Write(dir + e.name + ".base", e.headers.signature_base));
  }
  return {};
}

}  // namespace

int main() {
  if (Status s = Run(); !s) {
    std::fprintf(stderr, "http_signatures_vectors: %s\n", s.error().ToString().c_str());
    return 1;
  }
  std::printf("wrote testdata/http-signatures/\n");
  return 0;
}
