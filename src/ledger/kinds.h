// ledger/kinds.h: the registry of event kinds and the schema of each kind's clear metadata.
// The registry is written up in docs/formats/kinds.md; a kind's code never changes meaning.
//
// Ranges: 0x00xx space, 0x01xx members and devices, 0x02xx channels, 0x03xx messages,
// 0x04xx consultations, 0x05xx decisions, 0x06xx exercises, 0x07xx agenda (statements,
// workstreams, meetings), 0xF0xx-0xFFxx private use (never accepted by a node by default).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"

namespace entente::ledger {

// The codes of the kinds that code refers to by name (the registry is in kinds.cc).
namespace kind {
inline constexpr uint16_t kSpaceCharter = 0x0001;
inline constexpr uint16_t kSpaceJoin = 0x0002;
inline constexpr uint16_t kMemberEnroll = 0x0100;
inline constexpr uint16_t kMemberUpdate = 0x0101;
inline constexpr uint16_t kMemberRevoke = 0x0102;
inline constexpr uint16_t kDeviceAdd = 0x0110;
inline constexpr uint16_t kDeviceKeys = 0x0111;
inline constexpr uint16_t kDeviceRevoke = 0x0112;
inline constexpr uint16_t kChannelCreate = 0x0200;
inline constexpr uint16_t kChannelUpdate = 0x0201;
inline constexpr uint16_t kMessagePost = 0x0300;
inline constexpr uint16_t kExerciseStart = 0x0600;
inline constexpr uint16_t kExerciseInject = 0x0601;
inline constexpr uint16_t kExerciseEnd = 0x0602;
}  // namespace kind

enum class MetaType : uint8_t { kString, kInteger, kBoolean, kStringArray, kObject };

struct MetaField {
  std::string_view name;
  MetaType type;
  bool required;
};

struct KindInfo {
  uint16_t code;
  std::string_view name;  // "message.post"
  bool has_envelope;      // whether the kind carries private content
  std::span<const MetaField> meta;
};

// Every registered kind, in code order.
std::span<const KindInfo> AllKinds();
// The kind with this code or name, or nullptr.
const KindInfo* FindKind(uint16_t code);
const KindInfo* FindKind(std::string_view name);

// OK if `meta` (canonical JSON, possibly empty for kinds without fields) fits the kind's schema:
// every required field present with its type, no field the schema does not name, and an
// envelope present exactly when the kind has private content. NotFound for an unregistered kind;
// InvalidArgument naming the field otherwise.
[[nodiscard]] Status ValidateMeta(uint16_t kind, ByteView meta, bool has_envelope);

}  // namespace entente::ledger
