#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace entente {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<Bytes> ReadFile(const std::string& path, size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return InvalidArgument(path + ": cannot open: " + ErrnoText());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidArgument(path + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    return InvalidArgument(path + ": larger than " + std::to_string(max_size) + " bytes");
  }
  Bytes out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InvalidArgument(path + ": read failed: " + ErrnoText());
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Status WriteFileAtomic(const std::string& path, ByteView data, mode_t mode, bool exclusive) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  if (exclusive && ::access(path.c_str(), F_OK) == 0) {
    return AlreadyExists(path + ": exists; refusing to overwrite it");
  }
  std::string tmp = (dir / ("." + target.filename().string() + ".tmpXXXXXX")).string();
  int raw = ::mkstemp(tmp.data());
  if (raw < 0) return InvalidArgument(path + ": cannot create a file here: " + ErrnoText());
  Fd fd(raw);
  auto fail = [&](const std::string& what) -> Status {
    std::string message = path + ": " + what + ": " + ErrnoText();
    ::unlink(tmp.c_str());
    return InvalidArgument(message);
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("chmod failed");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write failed");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync failed");
  if (exclusive) {
    // link() fails if the target appeared meanwhile; rename() would silently replace it.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) {
        ::unlink(tmp.c_str());
        return AlreadyExists(path + ": exists; refusing to overwrite it");
      }
      return fail("link failed");
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("rename failed");
  }
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return {};
}

}  // namespace entente
