// node/node_dir.h: a node's directory — what `entente node init` creates and every other node
// command reads. Layout (docs/operations.md):
//
//   DIR/node.json       configuration: format version, partner code, listen address, URL
//   DIR/node.key        the node identity (Ed25519 signs checkpoints and node-to-node requests),
//                       a passphrase-protected key file (docs/formats/keyfile.md), mode 0600
//   DIR/tls.crt         the TLS certificate (PEM); partners pin its SHA-256 fingerprint
//   DIR/tls.key         its private key (PEM, PKCS#8), mode 0600
//   DIR/node.db         the store (docs/formats/store.md)
//   DIR/enrolment.json  SHA-256 hashes of one-time enrolment tokens (never the tokens), mode 0600
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "crypto/sign.h"

namespace entente::node {

// A listen address: host (IPv4, IPv6 without brackets, or a DNS name) and port.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
  // "HOST:PORT", with brackets around an IPv6 host.
  std::string ToString() const;
  // Parses "HOST:PORT" or "[IPV6]:PORT"; InvalidArgument naming what is wrong. Port 0 ("any
  // free port") only when `allow_port_zero` (for `node run --listen` in tests).
  static Result<ListenAddress> Parse(std::string_view text, bool allow_port_zero = false);
};

struct InitOptions {
  std::string dir;
  std::string partner;                  // partner code, e.g. USA
  std::string listen;                   // HOST:PORT
  std::optional<std::string> tls_cert;  // PEM files to use instead of a self-signed certificate
  std::optional<std::string> tls_key;
  crypto::SecretBytes passphrase;  // protects node.key
};

struct NodeInfo {
  std::string dir;
  std::string partner;
  ListenAddress listen;
  std::string url;              // https://HOST:PORT
  crypto::PublicKey node_key;   // Ed25519
  std::string tls_fingerprint;  // sha256:<hex>
  bool self_signed = false;
};

struct InitResult {
  NodeInfo info;
  std::string admin_token;  // shown once: enrols the partner's first admin
};

// Creates a node directory. FailedPrecondition if `dir` already holds a node (never overwrites
// a key); InvalidArgument for a bad partner code, listen address, or TLS files that do not
// match; the directory is left as it was on any error before the first file is written.
[[nodiscard]] Result<InitResult> InitNodeDir(const InitOptions& options, const Clock& clock);

// Reads a node directory without unlocking the node key. NotFound if `dir` holds no node.
[[nodiscard]] Result<NodeInfo> ReadNodeInfo(const std::string& dir);

}  // namespace entente::node
