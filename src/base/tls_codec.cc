#include "base/tls_codec.h"

namespace entente {

namespace {
std::string RangeText(uint64_t min, uint64_t max) {
  return "<" + std::to_string(min) + ".." + std::to_string(max) + ">";
}
}  // namespace

void Writer::Uint(uint64_t v, size_t width) {
  for (size_t i = width; i-- > 0;) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void Writer::Fixed(std::string_view field, ByteView data, size_t size) {
  if (data.size() != size) {
    Fail(std::string(field) + " must be " + std::to_string(size) + " bytes, got " +
         std::to_string(data.size()));
    return;
  }
  Append(out_, data);
}

void Writer::Vector(std::string_view field, ByteView data, uint64_t min, uint64_t max) {
  if (data.size() < min || data.size() > max) {
    Fail(std::string(field) + " length " + std::to_string(data.size()) + " outside " +
         RangeText(min, max));
    return;
  }
  Uint(data.size(), LengthPrefixBytes(max));
  Append(out_, data);
}

Writer::VectorToken Writer::BeginVector(std::string_view field, uint64_t min, uint64_t max) {
  VectorToken token{out_.size(), min, max, field};
  Uint(0, LengthPrefixBytes(max));
  return token;
}

void Writer::EndVector(const VectorToken& token) {
  size_t width = LengthPrefixBytes(token.max);
  uint64_t length = out_.size() - token.length_at - width;
  if (length < token.min || length > token.max) {
    Fail(std::string(token.field) + " length " + std::to_string(length) + " outside " +
         RangeText(token.min, token.max));
    return;
  }
  for (size_t i = 0; i < width; ++i) {
    out_[token.length_at + i] = static_cast<uint8_t>(length >> (8 * (width - 1 - i)));
  }
}

void Writer::Fail(const std::string& message) {
  if (!error_) error_.emplace(ErrorCode::kInvalidArgument, what_ + ": " + message);
}

Result<Bytes> Writer::Finish() && {
  if (error_) return std::unexpected(std::move(*error_));
  return std::move(out_);
}

bool Reader::Need(std::string_view field, size_t n) {
  if (error_) return false;
  if (data_.size() - pos_ < n) {
    Fail("truncated at " + std::string(field) + " (offset " + std::to_string(pos_) + ", need " +
         std::to_string(n) + " bytes, have " + std::to_string(data_.size() - pos_) + ")");
    return false;
  }
  return true;
}

uint64_t Reader::Uint(std::string_view field, size_t width) {
  if (!Need(field, width)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += width;
  return v;
}

ByteView Reader::Fixed(std::string_view field, size_t size) {
  if (!Need(field, size)) return {};
  ByteView out = data_.subspan(pos_, size);
  pos_ += size;
  return out;
}

ByteView Reader::Vector(std::string_view field, uint64_t min, uint64_t max) {
  size_t at = pos_;
  uint64_t length = Uint(field, LengthPrefixBytes(max));
  if (error_) return {};
  if (length < min || length > max) {
    Fail(std::string(field) + " length " + std::to_string(length) + " outside " +
         RangeText(min, max) + " (offset " + std::to_string(at) + ")");
    return {};
  }
  return Fixed(field, static_cast<size_t>(length));
}

Reader Reader::SubVector(std::string_view field, uint64_t min, uint64_t max) {
  ByteView body = Vector(field, min, max);
  return Reader(body, what_ + " " + std::string(field));
}

void Reader::Absorb(Status status) {
  if (!status && !error_) error_.emplace(std::move(status).error());
}

void Reader::Fail(const std::string& message) {
  if (!error_) error_.emplace(ErrorCode::kInvalidArgument, what_ + ": " + message);
}

Status Reader::Finish() const {
  if (error_) return std::unexpected(*error_);
  if (pos_ != data_.size()) {
    return InvalidArgument(what_ + ": " + std::to_string(data_.size() - pos_) +
                           " trailing bytes at offset " + std::to_string(pos_));
  }
  return {};
}

}  // namespace entente
