// base/file.h: whole-file reads and crash-safe whole-file writes.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/bytes.h"
#include "base/error.h"

namespace entente {

// Upper bound on ReadFile, so a wrong path (a device, a huge log) fails instead of exhausting
// memory.
constexpr size_t kMaxReadFileSize = 64 * 1024 * 1024;

// Returns the contents of `path`. NotFound if it does not exist; InvalidArgument naming the path
// if it cannot be read, is not a regular file, or is larger than `max_size`.
[[nodiscard]] Result<Bytes> ReadFile(const std::string& path, size_t max_size = kMaxReadFileSize);

// Writes `data` to `path` atomically and durably: a temporary file in the same directory with
// permissions `mode`, fsync, rename over `path`, fsync of the directory. When `exclusive`, fails
// with AlreadyExists if `path` exists (never overwrites a key).
[[nodiscard]] Status WriteFileAtomic(const std::string& path, ByteView data, mode_t mode,
                                     bool exclusive);

}  // namespace entente
