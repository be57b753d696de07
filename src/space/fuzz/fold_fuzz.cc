// Fuzzes what a node does with the clear part of a submitted event: the name parsers, and the
// directory and space rules applied to arbitrary metadata. Input: one byte choosing the kind,
// then meta JSON text. Checks that Check never crashes, that Apply after a passing Check never
// throws, and that a directory never ends up with a device of an unknown member.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "space/directory.h"
#include "space/names.h"
#include "space/space_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente;
  if (size < 1) return 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)space::ParseMemberName(text);
  (void)space::CheckClearanceSyntax(text);
  (void)space::ParseDeviceId(text);
  (void)space::CheckChannelName(text);
  (void)space::CheckMayAuthorEntry(text);

  static const uint16_t kKinds[] = {0x0100, 0x0101, 0x0102, 0x0110, 0x0111,
                                    0x0112, 0x0001, 0x0200, 0x0201, 0x0300};
  uint16_t kind = kKinds[data[0] % (sizeof kKinds / sizeof kKinds[0])];
  auto meta = nlohmann::json::parse(text, nullptr, false);
  if (meta.is_discarded() || !meta.is_object()) return 0;

  // A fixed author: its key is the device id "AAAA...A" (all zero bytes).
  ledger::EventHeader h;
  h.kind = kind;
  h.origin = "USA";
  h.created_ms = 1'800'000'000'000;
  h.author = crypto::PublicKey::FromBytes(Bytes(32, 0)).value();
  space::Directory directory;
  bool is_directory = kind >= 0x0100 && kind < 0x0200;
  h.space_id = is_directory ? space::DirectorySpaceId("USA") : ledger::SpaceId();
  h.label = is_directory ? std::string(space::kDirectoryLabel) : "USKR;U";
  space::FoldEvent event{h, meta};
  if (is_directory) {
    // Twice: the first may bootstrap, the second then meets the ordinary rules.
    for (int i = 0; i < 2; ++i) (void)directory.Fold(event);
    for (const auto& [id, device] : directory.devices()) {
      if (directory.FindMember(device.member) == nullptr) std::abort();
    }
  } else {
    space::SpaceState state(h.space_id);
    (void)state.Fold(event, directory);
  }
  return 0;
}
