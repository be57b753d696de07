// crypto/secret_bytes.h: a byte string for secrets.
//
// `SecretBytes` owns its bytes, zeroes them (sodium_memzero) when destroyed or overwritten,
// compares in constant time, and has no printing or implicit conversion. Copies are explicit
// (`Clone()`). Not thread-safe; treat like any value.
#pragma once

#include <cstdint>
#include <memory>

#include "base/bytes.h"

namespace entente::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);
  explicit SecretBytes(ByteView data);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const { return SecretBytes(view()); }

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_.get(), size_}; }

  // Constant-time comparison of contents (sizes are not secret).
  bool Equals(const SecretBytes& other) const;

 private:
  void Wipe();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

}  // namespace entente::crypto
