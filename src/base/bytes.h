// base/bytes.h: byte strings and views.
//
// `Bytes` owns, `ByteView` borrows (the viewed bytes must outlive the view). Secrets never live
// in `Bytes`: they go in `crypto::SecretBytes`, which zeroes itself.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace entente {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteView b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
inline bool Equal(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}
inline void Append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

// Returns the fixed-size array held in `b`; `b.size()` must be N (checked by the caller).
template <size_t N>
std::array<uint8_t, N> ToArray(ByteView b) {
  std::array<uint8_t, N> out{};
  if (b.size() == N) std::memcpy(out.data(), b.data(), N);
  return out;
}

}  // namespace entente
