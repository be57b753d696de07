#include "net/nonce_cache.h"

namespace entente::net {

Status InMemoryNonceCache::Remember(std::string_view keyid, std::string_view nonce, TimeMs expiry,
                                    TimeMs now) {
  std::string key;
  key.reserve(keyid.size() + 1 + nonce.size());
  key.append(keyid).append(1, '\n').append(nonce);

  std::lock_guard lock(mutex_);
  DropExpired(now);
  if (entries_.contains(key)) return AlreadyExists("nonce already used");
  if (entries_.size() >= capacity_) return ResourceExhausted("replay cache is full");
  entries_.emplace(key, expiry);
  by_expiry_.emplace(expiry, std::move(key));
  return {};
}

size_t InMemoryNonceCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void InMemoryNonceCache::DropExpired(TimeMs now) {
  auto end = by_expiry_.lower_bound(now);  // entries expiring at `now` are still live
  for (auto it = by_expiry_.begin(); it != end; ++it) entries_.erase(it->second);
  by_expiry_.erase(by_expiry_.begin(), end);
}

}  // namespace entente::net
