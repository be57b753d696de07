#include "crypto/tls_cert.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace entente::crypto {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<Ptr<X509>> ReadCertificate(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Internal("tls: out of memory");
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return InvalidArgument("tls: no PEM certificate found");
  return cert;
}

}  // namespace

Result<TlsCredentials> GenerateSelfSignedCertificate(const std::string& common_name,
                                                     const std::vector<std::string>& dns_names,
                                                     const std::vector<std::string>& ip_addresses,
                                                     int days) {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return Internal("tls: cannot generate a P-256 key");
  Ptr<X509> cert(X509_new());
  if (!cert) return Internal("tls: out of memory");
  X509_set_version(cert.get(), 2);  // v3
  // RFC 5280 §4.1.2.2: a positive serial of up to 20 octets; 16 random bytes, top bit clear.
  auto serial_bytes = RandomArray<16>();
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes.data(), serial_bytes.size(), nullptr);
  ASN1_INTEGER* serial_asn1 = serial ? BN_to_ASN1_INTEGER(serial, nullptr) : nullptr;
  bool serial_set = serial_asn1 && X509_set_serialNumber(cert.get(), serial_asn1) == 1;
  ASN1_INTEGER_free(serial_asn1);
  BN_free(serial);
  if (!serial_set) return Internal("tls: cannot set the certificate serial");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);  // tolerate small clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);

  Ptr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  if (!names) return Internal("tls: out of memory");
  for (const std::string& dns : dns_names) {
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (gn == nullptr || ia5 == nullptr ||
        ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(gn);
      ASN1_IA5STRING_free(ia5);
      return Internal("tls: out of memory");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  for (const std::string& ip : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) return InvalidArgument("tls: \"" + ip + "\" is not an IP address");
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (gn == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      return Internal("tls: out of memory");
    }
    GENERAL_NAME_set0_value(gn, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names.get(), gn);
  }
  if (sk_GENERAL_NAME_num(names.get()) > 0) {
    X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT);
  }
  BASIC_CONSTRAINTS* bc = BASIC_CONSTRAINTS_new();
  if (bc == nullptr) return Internal("tls: out of memory");
  bc->ca = 0;
  X509_add1_ext_i2d(cert.get(), NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT);
  BASIC_CONSTRAINTS_free(bc);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return Internal("tls: cannot sign the certificate");
  }

  Ptr<BIO> cert_bio(BIO_new(BIO_s_mem()));
  Ptr<BIO> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return Internal("tls: cannot encode the credentials");
  }
  std::string key_text = BioText(key_bio.get());
  TlsCredentials out{BioText(cert_bio.get()), SecretBytes(AsBytes(key_text))};
  // The key bytes were copied into SecretBytes; wipe the temporary copies.
  OPENSSL_cleanse(key_text.data(), key_text.size());
  char* bio_data = nullptr;
  long bio_size = BIO_get_mem_data(key_bio.get(), &bio_data);
  if (bio_data != nullptr) OPENSSL_cleanse(bio_data, static_cast<size_t>(bio_size));
  return out;
}

Result<std::string> CertificateFingerprint(const std::string& certificate_pem) {
  ENTENTE_ASSIGN_OR_RETURN(Ptr<X509> cert, ReadCertificate(certificate_pem));
  unsigned char* der = nullptr;
  int size = i2d_X509(cert.get(), &der);
  if (size <= 0) return InvalidArgument("tls: cannot encode the certificate");
  auto fingerprint = CertificateFingerprintDer(ByteView(der, static_cast<size_t>(size)));
  OPENSSL_free(der);
  return fingerprint;
}

Result<std::string> CertificateFingerprintDer(ByteView der) {
  if (der.empty()) return InvalidArgument("tls: no certificate");
  return "sha256:" + HexEncode(Sha256(der));
}

Status CheckKeyMatchesCertificate(const std::string& certificate_pem,
                                  const SecretBytes& private_key_pem) {
  ENTENTE_ASSIGN_OR_RETURN(Ptr<X509> cert, ReadCertificate(certificate_pem));
  Ptr<BIO> bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return InvalidArgument("tls: no PEM private key found");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return InvalidArgument("tls: the private key does not match the certificate");
  }
  return {};
}

}  // namespace entente::crypto
