// label/value_set.h: a set of a tagset's values, as a fixed 256-bit bitset.
//
// A value is named by its `ValueIndex`: its position in the tagset's sorted value list
// (`Tagset::values`), so iterating a set in index order yields the values in canonical (sorted)
// order. Set algebra is a few word operations and never allocates, which keeps access checks,
// dominance and joins free of strings. Copyable value type; not synchronised.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "base/error.h"
#include "base/strong.h"

namespace entente::label {

// A value's position in its tagset's sorted value list.
using ValueIndex = StrongInt<struct ValueIndexTag, uint16_t>;

class ValueSet {
 public:
  // The most values a tagset may have (Policy enforces it when it loads).
  static constexpr size_t kCapacity = 256;

  constexpr ValueSet() = default;

  // Adds `v`; `v.value()` must be below kCapacity (checked).
  void Add(ValueIndex v) {
    ENTENTE_CHECK(v.value() < kCapacity);
    words_[v.value() / 64] |= uint64_t{1} << (v.value() % 64);
  }
  bool Contains(ValueIndex v) const {
    return v.value() < kCapacity && ((words_[v.value() / 64] >> (v.value() % 64)) & 1) != 0;
  }
  bool empty() const {
    for (uint64_t w : words_) {
      if (w != 0) return false;
    }
    return true;
  }
  size_t size() const {
    size_t n = 0;
    for (uint64_t w : words_) n += static_cast<size_t>(std::popcount(w));
    return n;
  }
  // The largest index in the set plus one (0 for the empty set).
  size_t End() const {
    for (size_t i = words_.size(); i-- > 0;) {
      if (words_[i] != 0) return i * 64 + 64 - static_cast<size_t>(std::countl_zero(words_[i]));
    }
    return 0;
  }
  bool IsSubsetOf(const ValueSet& other) const {
    for (size_t i = 0; i < words_.size(); ++i) {
      if ((words_[i] & ~other.words_[i]) != 0) return false;
    }
    return true;
  }
  bool Intersects(const ValueSet& other) const {
    for (size_t i = 0; i < words_.size(); ++i) {
      if ((words_[i] & other.words_[i]) != 0) return true;
    }
    return false;
  }
  ValueSet Union(const ValueSet& other) const {
    ValueSet out;
    for (size_t i = 0; i < words_.size(); ++i) out.words_[i] = words_[i] | other.words_[i];
    return out;
  }
  ValueSet Intersection(const ValueSet& other) const {
    ValueSet out;
    for (size_t i = 0; i < words_.size(); ++i) out.words_[i] = words_[i] & other.words_[i];
    return out;
  }
  // The values of this set that are not in `other`.
  ValueSet Minus(const ValueSet& other) const {
    ValueSet out;
    for (size_t i = 0; i < words_.size(); ++i) out.words_[i] = words_[i] & ~other.words_[i];
    return out;
  }
  // Calls `f(ValueIndex)` for each value, in ascending order.
  template <class F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < words_.size(); ++i) {
      for (uint64_t w = words_[i]; w != 0; w &= w - 1) {
        f(ValueIndex(static_cast<uint16_t>(i * 64 + static_cast<size_t>(std::countr_zero(w)))));
      }
    }
  }

  friend bool operator==(const ValueSet&, const ValueSet&) = default;

 private:
  std::array<uint64_t, kCapacity / 64> words_{};
};

}  // namespace entente::label
