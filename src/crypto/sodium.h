// crypto/sodium.h (private to crypto/): initialises libsodium once per process.
#pragma once

namespace entente::crypto::internal {

// Calls sodium_init() the first time; aborts if libsodium cannot start (no entropy source),
// since nothing in Entente can run safely without it. Thread-safe and cheap after the first call.
void EnsureSodium();

}  // namespace entente::crypto::internal
