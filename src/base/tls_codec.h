// base/tls_codec.h: the TLS presentation language (RFC 8446 §3) as used by every signed
// Entente structure: big-endian integers, fixed-length opaque fields, and variable-length
// vectors `opaque x<min..max>` prefixed by a length of as many bytes as `max` needs.
//
// `Writer` appends to a byte string it owns. `Reader` borrows the bytes it reads: they must
// outlive the Reader and every `ByteView` it returns.
//
// Both keep the first error they meet ("sticky" error) so that encoders and decoders read as
// straight-line code; after an error a Reader returns zeros and empty views, and `Finish()`
// returns the error. Every read of untrusted bytes is bounds-checked; `Finish()` rejects
// trailing bytes; vector lengths are checked against their declared ranges on both sides.
// Neither class is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/error.h"

namespace entente {

// The length-prefix width, in bytes, of a vector whose maximum length is `max`.
constexpr size_t LengthPrefixBytes(uint64_t max) {
  return max <= 0xff ? 1 : max <= 0xffff ? 2 : max <= 0xffffff ? 3 : max <= 0xffffffffULL ? 4 : 8;
}

// Encodes a structure. `what` names it in error messages ("event header").
class Writer {
 public:
  explicit Writer(std::string_view what = "structure") : what_(what) {}

  void U8(uint8_t v) { Uint(v, 1); }
  void U16(uint16_t v) { Uint(v, 2); }
  void U24(uint32_t v) { Uint(v, 3); }
  void U32(uint32_t v) { Uint(v, 4); }
  void U64(uint64_t v) { Uint(v, 8); }

  // Appends `data` as a fixed-length field of exactly `size` bytes.
  void Fixed(std::string_view field, ByteView data, size_t size);
  // Appends `data` as `opaque field<min..max>`.
  void Vector(std::string_view field, ByteView data, uint64_t min, uint64_t max);

  // Starts a vector of structures `T field<min..max>` whose byte length is known only at the
  // end: returns a token to pass to `EndVector` once its elements are written.
  struct VectorToken {
    size_t length_at;
    uint64_t min, max;
    std::string_view field;
  };
  VectorToken BeginVector(std::string_view field, uint64_t min, uint64_t max);
  void EndVector(const VectorToken& token);

  // Records an error found by the caller (e.g. an out-of-range value); the first one wins.
  void Fail(const std::string& message);

  // The bytes written so far (valid also after an error; then they are incomplete).
  const Bytes& bytes() const { return out_; }
  bool ok() const { return !error_.has_value(); }

  // Returns the encoding, or the first error.
  [[nodiscard]] Result<Bytes> Finish() &&;

 private:
  void Uint(uint64_t v, size_t width);

  std::string what_;
  Bytes out_;
  std::optional<Error> error_;
};

// Decodes a structure from untrusted bytes. `what` names it in error messages.
class Reader {
 public:
  explicit Reader(ByteView data, std::string_view what = "structure") : data_(data), what_(what) {}

  uint8_t U8(std::string_view field) { return static_cast<uint8_t>(Uint(field, 1)); }
  uint16_t U16(std::string_view field) { return static_cast<uint16_t>(Uint(field, 2)); }
  uint32_t U24(std::string_view field) { return static_cast<uint32_t>(Uint(field, 3)); }
  uint32_t U32(std::string_view field) { return static_cast<uint32_t>(Uint(field, 4)); }
  uint64_t U64(std::string_view field) { return Uint(field, 8); }

  // Reads a fixed-length field of `size` bytes.
  ByteView Fixed(std::string_view field, size_t size);
  // Reads `opaque field<min..max>`.
  ByteView Vector(std::string_view field, uint64_t min, uint64_t max);
  // Reads the body of a vector of structures `T field<min..max>` and returns a Reader over it;
  // the caller decodes elements until `sub.empty()` and passes `sub.Finish()` to `Absorb`.
  Reader SubVector(std::string_view field, uint64_t min, uint64_t max);

  // Takes over the error of a sub-reader, if it has one and this reader has none.
  void Absorb(Status status);
  // Records an error found by the caller (a bad value); the first one wins.
  void Fail(const std::string& message);

  bool empty() const { return pos_ == data_.size(); }
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool ok() const { return !error_.has_value(); }

  // OK if every read succeeded and every byte was consumed; else the first error (or
  // "N trailing bytes").
  [[nodiscard]] Status Finish() const;

 private:
  uint64_t Uint(std::string_view field, size_t width);
  bool Need(std::string_view field, size_t n);

  ByteView data_;
  size_t pos_ = 0;
  std::string what_;
  std::optional<Error> error_;
};

}  // namespace entente
