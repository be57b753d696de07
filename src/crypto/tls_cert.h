// crypto/tls_cert.h: TLS credentials for a node: a self-signed X.509 certificate with an ECDSA
// P-256 key (what every TLS 1.3 client accepts), and certificate fingerprints for pinning.
//
// Partners pin each other's certificate by its fingerprint, `sha256:<hex of SHA-256(DER)>`, so
// no certificate authority is trusted (DESIGN §5, federation).
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace entente::crypto {

struct TlsCredentials {
  std::string certificate_pem;
  SecretBytes private_key_pem;  // PKCS#8, unencrypted: the file holding it is mode 0600
};

// Creates a key pair and a certificate for `common_name`, valid from now for `days`, with a
// subjectAltName for each of `dns_names` and `ip_addresses` (textual IPv4 or IPv6).
// InvalidArgument for an address that does not parse; Internal if OpenSSL fails.
[[nodiscard]] Result<TlsCredentials> GenerateSelfSignedCertificate(
    const std::string& common_name, const std::vector<std::string>& dns_names,
    const std::vector<std::string>& ip_addresses, int days);

// "sha256:<64 lower-case hex digits>" of the certificate's DER encoding. InvalidArgument if
// `certificate_pem` holds no PEM certificate.
[[nodiscard]] Result<std::string> CertificateFingerprint(const std::string& certificate_pem);

// "sha256:<64 lower-case hex digits>" of `der`, a certificate's DER encoding (as a TLS peer
// presents it), for comparing with a pinned fingerprint. InvalidArgument if `der` is empty.
[[nodiscard]] Result<std::string> CertificateFingerprintDer(ByteView der);

// OK if `private_key_pem` is the private key of `certificate_pem`; InvalidArgument otherwise.
[[nodiscard]] Status CheckKeyMatchesCertificate(const std::string& certificate_pem,
                                                const SecretBytes& private_key_pem);

}  // namespace entente::crypto
