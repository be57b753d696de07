#include "crypto/tls_cert.h"

#include <gtest/gtest.h>

namespace entente::crypto {
namespace {

TEST(TlsCert, SelfSignedCertificateMatchesItsKeyAndHasAStableFingerprint) {
  auto creds =
      GenerateSelfSignedCertificate("usa-node", {"localhost"}, {"127.0.0.1", "::1"}, 365).value();
  EXPECT_NE(creds.certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_TRUE(CheckKeyMatchesCertificate(creds.certificate_pem, creds.private_key_pem).has_value());
  std::string fp = CertificateFingerprint(creds.certificate_pem).value();
  EXPECT_EQ(fp.size(), 7u + 64u);
  EXPECT_EQ(fp.rfind("sha256:", 0), 0u);
  EXPECT_EQ(CertificateFingerprint(creds.certificate_pem).value(), fp);

  auto other = GenerateSelfSignedCertificate("usa-node", {}, {}, 365).value();
  EXPECT_NE(CertificateFingerprint(other.certificate_pem).value(), fp);
  auto mismatch = CheckKeyMatchesCertificate(creds.certificate_pem, other.private_key_pem);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message().find("does not match"), std::string::npos);
}

TEST(TlsCert, RejectsBadInput) {
  EXPECT_FALSE(GenerateSelfSignedCertificate("x", {}, {"not-an-ip"}, 1).has_value());
  EXPECT_FALSE(CertificateFingerprint("not a certificate").has_value());
  auto creds = GenerateSelfSignedCertificate("x", {}, {}, 1).value();
  EXPECT_FALSE(CheckKeyMatchesCertificate(creds.certificate_pem, SecretBytes(AsBytes("garbage")))
                   .has_value());
}

}  // namespace
}  // namespace entente::crypto
