#include "node/node_dir.h"

#include <sys/stat.h>

#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "crypto/random.h"
#include "crypto/tls_cert.h"
#include "ledger/ids.h"
#include "store/sqlite_store.h"

namespace entente::node {
namespace {

namespace fs = std::filesystem;

constexpr int kConfigVersion = 1;
constexpr int kCertificateDays = 825;
constexpr size_t kTokenBytes = 32;

bool IsIpAddress(const std::string& host) {
  return host.find(':') != std::string::npos ||
         (!host.empty() && host.find_first_not_of("0123456789.") == std::string::npos);
}

std::string Path(const std::string& dir, const char* name) {
  return (fs::path(dir) / name).string();
}

}  // namespace

std::string ListenAddress::ToString() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

Result<ListenAddress> ListenAddress::Parse(std::string_view text, bool allow_port_zero) {
  ListenAddress out;
  std::string_view port_text;
  if (text.starts_with("[")) {
    size_t close = text.find("]:");
    if (close == std::string_view::npos) {
      return InvalidArgument("listen address \"" + std::string(text) + "\": expected [IPV6]:PORT");
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return InvalidArgument("listen address \"" + std::string(text) +
                             "\": expected HOST:PORT (IPv6 in brackets)");
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty())
    return InvalidArgument("listen address \"" + std::string(text) + "\": no host");
  for (char c : out.host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':')) {
      return InvalidArgument("listen address \"" + std::string(text) + "\": bad character in host");
    }
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() ||
      (port == 0 && !allow_port_zero) || port > 65535) {
    return InvalidArgument("listen address \"" + std::string(text) + "\": port must be 1..65535");
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

Result<InitResult> InitNodeDir(const InitOptions& options, const Clock& clock) {
  ENTENTE_ASSIGN_OR_RETURN(auto partner, ledger::PartnerCode::Parse(options.partner));
  ENTENTE_ASSIGN_OR_RETURN(ListenAddress listen, ListenAddress::Parse(options.listen));
  if (options.tls_cert.has_value() != options.tls_key.has_value()) {
    return InvalidArgument("give both --tls-cert and --tls-key, or neither");
  }
  if (options.passphrase.empty()) return InvalidArgument("the node key needs a passphrase");
  if (fs::exists(Path(options.dir, "node.json")) || fs::exists(Path(options.dir, "node.key"))) {
    return FailedPrecondition(options.dir +
                              " already holds a node; refusing to overwrite its keys");
  }

  // Everything that can fail on bad input happens before the first file is written.
  crypto::TlsCredentials tls;
  bool self_signed = !options.tls_cert.has_value();
  if (self_signed) {
    std::vector<std::string> dns = {"localhost"}, ips = {"127.0.0.1", "::1"};
    if (IsIpAddress(listen.host)) {
      if (listen.host != "127.0.0.1" && listen.host != "::1") ips.push_back(listen.host);
    } else if (listen.host != "localhost") {
      dns.push_back(listen.host);
    }
    ENTENTE_ASSIGN_OR_RETURN(tls, crypto::GenerateSelfSignedCertificate(
                                      "entente node " + partner.str(), dns, ips, kCertificateDays));
  } else {
    ENTENTE_ASSIGN_OR_RETURN(Bytes cert, ReadFile(*options.tls_cert));
    ENTENTE_ASSIGN_OR_RETURN(Bytes key, ReadFile(*options.tls_key));
    tls.certificate_pem = ToString(cert);
    tls.private_key_pem = crypto::SecretBytes(key);
    crypto::RandomFill(key.data(), key.size());  // overwrite the plain copy
    ENTENTE_RETURN_IF_ERROR(
        crypto::CheckKeyMatchesCertificate(tls.certificate_pem, tls.private_key_pem));
  }
  ENTENTE_ASSIGN_OR_RETURN(std::string fingerprint,
                           crypto::CertificateFingerprint(tls.certificate_pem));
  crypto::Identity identity = crypto::Identity::Generate();
  ENTENTE_ASSIGN_OR_RETURN(
      Bytes key_file, crypto::EncodeKeyFile(identity, "entente node " + partner.str(),
                                            options.passphrase, crypto::KdfParams::Interactive()));
  Bytes token_bytes = crypto::RandomBytes(kTokenBytes);
  std::string token = "entente-enrol-" + Base64UrlEncode(token_bytes);

  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return InvalidArgument(options.dir + ": cannot create: " + ec.message());
  ::chmod(options.dir.c_str(), 0700);
  ENTENTE_RETURN_IF_ERROR(WriteFileAtomic(Path(options.dir, "node.key"), key_file, 0600, true));
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(Path(options.dir, "tls.key"), tls.private_key_pem.view(), 0600, false));
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(Path(options.dir, "tls.crt"), AsBytes(tls.certificate_pem), 0644, false));
  { ENTENTE_ASSIGN_OR_RETURN(auto store, store::SqliteStore::Open(Path(options.dir, "node.db"))); }
  uint64_t now = ToUnixMs(clock.Now());
  nlohmann::json tokens = {{"version", 1},
                           {"tokens",
                            {{{"sha256", HexEncode(crypto::Sha256(AsBytes(token)))},
                              {"role", "admin"},
                              {"created_ms", now},
                              {"used", false}}}}};
  ENTENTE_RETURN_IF_ERROR(WriteFileAtomic(Path(options.dir, "enrolment.json"),
                                          AsBytes(tokens.dump(2) + "\n"), 0600, false));
  NodeInfo info{options.dir,
                partner.str(),
                listen,
                "https://" + listen.ToString(),
                identity.signing.public_key(),
                fingerprint,
                self_signed};
  nlohmann::json config = {{"version", kConfigVersion},
                           {"partner", info.partner},
                           {"listen", listen.ToString()},
                           {"url", info.url},
                           {"tls", self_signed ? "self-signed" : "provided"},
                           {"created_ms", now}};
  // node.json last: its presence marks a complete node directory.
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(Path(options.dir, "node.json"), AsBytes(config.dump(2) + "\n"), 0644, true));
  return InitResult{std::move(info), std::move(token)};
}

Result<NodeInfo> ReadNodeInfo(const std::string& dir) {
  auto config_bytes = ReadFile(Path(dir, "node.json"), 64 * 1024);
  if (!config_bytes) {
    if (config_bytes.error().code() == ErrorCode::kNotFound) {
      return NotFound(dir + " holds no node (no node.json); create one with `entente node init`");
    }
    return std::unexpected(config_bytes.error());
  }
  auto config = nlohmann::json::parse(config_bytes->begin(), config_bytes->end(), nullptr, false);
  std::string where = Path(dir, "node.json");
  if (config.is_discarded() || !config.is_object())
    return InvalidArgument(where + ": not a JSON object");
  for (const auto& [key, value] : config.items()) {
    static constexpr const char* kKnown[] = {"version", "partner", "listen",
                                             "url",     "tls",     "created_ms"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      return InvalidArgument(where + ": unknown field \"" + key + "\"");
    }
  }
  if (!config.contains("version") || !config["version"].is_number_integer() ||
      config["version"].get<int>() != kConfigVersion) {
    return InvalidArgument(where + ": unsupported or missing version (this build reads 1)");
  }
  for (const char* field : {"partner", "listen", "url", "tls"}) {
    if (!config.contains(field) || !config[field].is_string()) {
      return InvalidArgument(where + ": \"" + field + "\" must be a string");
    }
  }
  NodeInfo info;
  info.dir = dir;
  ENTENTE_ASSIGN_OR_RETURN(auto partner,
                           ledger::PartnerCode::Parse(config["partner"].get<std::string>()));
  info.partner = partner.str();
  ENTENTE_ASSIGN_OR_RETURN(info.listen, ListenAddress::Parse(config["listen"].get<std::string>()));
  info.url = config["url"].get<std::string>();
  info.self_signed = config["tls"].get<std::string>() == "self-signed";
  ENTENTE_ASSIGN_OR_RETURN(Bytes key_file, ReadFile(Path(dir, "node.key")));
  auto key_info = crypto::InspectKeyFile(key_file);
  if (!key_info) return std::unexpected(key_info.error().WithContext(Path(dir, "node.key")));
  info.node_key = key_info->signing_public;
  ENTENTE_ASSIGN_OR_RETURN(Bytes cert, ReadFile(Path(dir, "tls.crt")));
  auto fingerprint = crypto::CertificateFingerprint(ToString(cert));
  if (!fingerprint) return std::unexpected(fingerprint.error().WithContext(Path(dir, "tls.crt")));
  info.tls_fingerprint = *fingerprint;
  return info;
}

}  // namespace entente::node
