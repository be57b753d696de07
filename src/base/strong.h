// base/strong.h: strong types for ids, indices and sizes.
//
// `StrongInt<Tag, T>` is an integer that does not mix with other integers: a `LeafIndex` is not a
// `TreeSize`. `FixedId<Tag, N>` is an N-byte identifier (event id, space id) with hex I/O.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/encoding.h"
#include "base/error.h"

namespace entente {

template <class Tag, class T = uint64_t>
class StrongInt {
 public:
  using value_type = T;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(T v) : value_(v) {}
  constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongInt&) const = default;

 private:
  T value_ = 0;
};

template <class Tag, size_t N>
class FixedId {
 public:
  static constexpr size_t kSize = N;
  constexpr FixedId() = default;
  constexpr explicit FixedId(const std::array<uint8_t, N>& bytes) : bytes_(bytes) {}

  // Returns the id held in `bytes`, or InvalidArgument if it is not exactly N bytes.
  static Result<FixedId> FromBytes(ByteView bytes) {
    if (bytes.size() != N) {
      return InvalidArgument("id must be " + std::to_string(N) + " bytes, got " +
                             std::to_string(bytes.size()));
    }
    return FixedId(ToArray<N>(bytes));
  }
  // Parses 2N hex digits.
  static Result<FixedId> FromHex(std::string_view hex) {
    auto bytes = HexDecode(hex);
    if (!bytes) return std::unexpected(bytes.error());
    return FromBytes(*bytes);
  }

  ByteView view() const { return bytes_; }
  const std::array<uint8_t, N>& bytes() const { return bytes_; }
  std::string ToHex() const { return HexEncode(bytes_); }
  auto operator<=>(const FixedId&) const = default;

 private:
  std::array<uint8_t, N> bytes_{};
};

}  // namespace entente
