// Fuzzes the signed-note, checkpoint, vkey and origin parsers. Whatever a parser accepts must
// re-encode to the same bytes; opening a note against known keys (the Go reference keys and the
// testdata keys) must never crash, and what it reports verified must be consistent.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ledger/note.h"

namespace {

using namespace entente;
using namespace entente::ledger;

const std::vector<Verifier>& Known() {
  static const std::vector<Verifier>* known = [] {
    auto* v = new std::vector<Verifier>;
    for (std::string_view vkey : {
             "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
             "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
             "entente/00112233445566778899aabbccddeeff/USA+d27e37fc+"
             "AWkW1Xrrula5ekYxluXru4n/68v0cQZApctnxy95gPU2",
             "entente/00112233445566778899aabbccddeeff/KOR+45766b06+"
             "BGlYw6A4AuqUDj/CN/rLP8PGmNpLWPbQIW6pZXF0uNfy",
         }) {
      auto parsed = Verifier::Parse(vkey);
      if (!parsed) std::abort();
      v->push_back(*parsed);
    }
    return v;
  }();
  return *known;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto note = Note::Parse(input);
  if (note) {
    auto encoded = note->Encode();
    if (!encoded || *encoded != input) std::abort();
  }
  auto opened = OpenNote(input, Known());
  if (opened) {
    if (!note || opened->text != note->text || opened->verified.empty()) std::abort();
  }
  auto checkpoint = Checkpoint::Parse(note ? std::string_view(note->text) : input);
  if (checkpoint) {
    auto text = checkpoint->Text();
    if (!text || *text != (note ? std::string_view(note->text) : input)) std::abort();
  }
  const std::vector<Verifier>& known = Known();
  auto verified = OpenCheckpoint(input, known[2], std::span<const Verifier>(known).subspan(3));
  if (verified && (!checkpoint || verified->cosignatures.size() != 1)) std::abort();

  auto vkey = Verifier::Parse(input);
  if (vkey && vkey->ToString() != input) std::abort();
  auto origin = ParseEntenteOrigin(input);
  if (origin) {
    auto again = EntenteOrigin(origin->space_id, origin->partner);
    if (!again || *again != input) std::abort();
  }
  return 0;
}
