// net/nonce_cache.h: the replay guard of request authentication.
//
// RFC 9421 §7.2.2 leaves replay protection to the application: a signature is valid as long as
// its `created` time is within the verifier's window, so within that window the same signed
// request could be sent twice. Entente's profile (docs/formats/http-signatures.md) gives every
// request a random `nonce` and has the verifier remember each (keyid, nonce) it accepted until
// the request's `created` time plus the window has passed, after which the request would be
// rejected as stale anyway. A second request with a remembered pair is a replay.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "base/error.h"

namespace entente::net {

// Remembers which (keyid, nonce) pairs were accepted. Implementations are thread-safe.
class NonceCache {
 public:
  virtual ~NonceCache() = default;

  // Records (keyid, nonce) until `expiry`, if it is not recorded yet. `now` is the verifier's
  // current time; entries whose expiry is before `now` may be forgotten. Returns OK if the pair
  // was new (and is now recorded); AlreadyExists if it is recorded and not expired (a replay);
  // ResourceExhausted if there is no room to record it (then it is not recorded, and the request
  // must be refused: accepting it would open a replay window).
  [[nodiscard]] virtual Status Remember(std::string_view keyid, std::string_view nonce,
                                        TimeMs expiry, TimeMs now) = 0;
};

// A NonceCache in memory, for one node process: at most `capacity` live entries; expired entries
// are dropped as time passes, and when the cache is full of live entries new pairs are refused
// (fail closed) rather than forgetting a live one. Thread-safe: one mutex guards both indexes.
class InMemoryNonceCache final : public NonceCache {
 public:
  // About 200 bytes per entry: the default holds 100,000 live requests (about 830 requests a
  // second sustained over a 120 s window) in about 20 MB.
  static constexpr size_t kDefaultCapacity = 100'000;

  explicit InMemoryNonceCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  [[nodiscard]] Status Remember(std::string_view keyid, std::string_view nonce, TimeMs expiry,
                                TimeMs now) override;

  // The number of entries held, live or not yet dropped.
  size_t size() const;

 private:
  // Drops every entry whose expiry is before `now`.
  void DropExpired(TimeMs now);

  const size_t capacity_;
  mutable std::mutex mutex_;
  // keyid || '\n' || nonce -> expiry. Neither part contains '\n' (both are base64url).
  std::unordered_map<std::string, TimeMs> entries_;  // GUARDED_BY(mutex_)
  std::multimap<TimeMs, std::string> by_expiry_;     // GUARDED_BY(mutex_), same entries
};

}  // namespace entente::net
