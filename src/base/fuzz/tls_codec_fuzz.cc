// Fuzzes the TLS-syntax Reader with a structure shaped like an event header: integers, fixed
// fields, bounded vectors and a nested vector of structures. The Reader must never read out of
// bounds, and whatever it accepts must re-encode to the same bytes.
#include <cstdint>
#include <cstdlib>

#include "base/tls_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  Reader r(ByteView(data, size), "fuzz");
  uint8_t version = r.U8("version");
  uint16_t kind = r.U16("kind");
  ByteView id = r.Fixed("id", 16);
  ByteView origin = r.Vector("origin", 1, 63);
  Reader refs = r.SubVector("refs", 0, 0xffff);
  Writer w("fuzz");
  w.U8(version);
  w.U16(kind);
  w.Fixed("id", id, 16);
  w.Vector("origin", origin, 1, 63);
  auto token = w.BeginVector("refs", 0, 0xffff);
  while (refs.ok() && !refs.empty()) {
    w.Vector("ref", refs.Vector("ref", 1, 63), 1, 63);
    w.U64(refs.U64("size"));
  }
  w.EndVector(token);
  r.Absorb(refs.Finish());
  ByteView tail = r.Vector("tail", 0, 0xffffffff);
  w.Vector("tail", tail, 0, 0xffffffff);
  if (r.Finish().has_value()) {
    auto encoded = std::move(w).Finish();
    if (!encoded || !Equal(*encoded, ByteView(data, size))) std::abort();
  }
  return 0;
}
