#include "node/node_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/file.h"
#include "crypto/keyfile.h"
#include "crypto/tls_cert.h"
#include "testing/testdata.h"

namespace entente::node {
namespace {

namespace fs = std::filesystem;

InitOptions Options(const std::string& dir) {
  return InitOptions{dir,          "USA",        "127.0.0.1:8443",
                     std::nullopt, std::nullopt, crypto::SecretBytes(AsBytes("node passphrase"))};
}

mode_t Mode(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(NodeDir, InitCreatesEverythingAndInfoReadsItBack) {
  entente::testing::TempDir tmp;
  std::string dir = (tmp.path() / "usa").string();
  ManualClock clock(FromUnixMs(1'795'861'020'000));
  InitResult result = InitNodeDir(Options(dir), clock).value();
  EXPECT_EQ(result.info.url, "https://127.0.0.1:8443");
  EXPECT_TRUE(result.info.self_signed);
  EXPECT_EQ(result.admin_token.rfind("entente-enrol-", 0), 0u);
  for (const char* f :
       {"node.json", "node.key", "tls.crt", "tls.key", "node.db", "enrolment.json"}) {
    EXPECT_TRUE(fs::exists(fs::path(dir) / f)) << f;
  }
  EXPECT_EQ(Mode(fs::path(dir) / "node.key"), 0600u);
  EXPECT_EQ(Mode(fs::path(dir) / "tls.key"), 0600u);
  EXPECT_EQ(Mode(fs::path(dir) / "enrolment.json"), 0600u);
  EXPECT_EQ(Mode(dir), 0700u);
  // The token itself is never stored, only its hash.
  std::string tokens = ToString(ReadFile(dir + "/enrolment.json").value());
  EXPECT_EQ(tokens.find(result.admin_token), std::string::npos);

  NodeInfo info = ReadNodeInfo(dir).value();
  EXPECT_EQ(info.partner, "USA");
  EXPECT_EQ(info.listen.ToString(), "127.0.0.1:8443");
  EXPECT_EQ(info.node_key, result.info.node_key);
  EXPECT_EQ(info.tls_fingerprint, result.info.tls_fingerprint);
  // The key file unlocks with the passphrase to the key the info shows.
  auto identity = crypto::DecodeKeyFile(ReadFile(dir + "/node.key").value(),
                                        crypto::SecretBytes(AsBytes("node passphrase")));
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->signing.public_key(), info.node_key);
}

TEST(NodeDir, NeverOverwritesANode) {
  entente::testing::TempDir tmp;
  std::string dir = (tmp.path() / "usa").string();
  ManualClock clock(FromUnixMs(0));
  ASSERT_TRUE(InitNodeDir(Options(dir), clock).has_value());
  Bytes key_before = ReadFile(dir + "/node.key").value();
  auto again = InitNodeDir(Options(dir), clock);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir + "/node.key").value(), key_before);
}

TEST(NodeDir, BadInputLeavesNothingBehind) {
  entente::testing::TempDir tmp;
  ManualClock clock(FromUnixMs(0));
  for (auto [partner, listen] :
       std::vector<std::pair<const char*, const char*>>{{"usa", "127.0.0.1:8443"},
                                                        {"USA", "127.0.0.1"},
                                                        {"USA", "127.0.0.1:0"},
                                                        {"USA", "127.0.0.1:99999"},
                                                        {"USA", "[::1:8443"},
                                                        {"USA", "::1:8443"},
                                                        {"USA", "bad host:1"}}) {
    std::string dir = (tmp.path() / "n").string();
    InitOptions o = Options(dir);
    o.partner = partner;
    o.listen = listen;
    auto r = InitNodeDir(o, clock);
    EXPECT_FALSE(r.has_value()) << partner << " " << listen;
    EXPECT_FALSE(fs::exists(dir)) << partner << " " << listen;
  }
}

TEST(NodeDir, ProvidedTlsFilesMustMatch) {
  entente::testing::TempDir tmp;
  ManualClock clock(FromUnixMs(0));
  auto a = crypto::GenerateSelfSignedCertificate("a", {"node.usa.example"}, {}, 30).value();
  auto b = crypto::GenerateSelfSignedCertificate("b", {}, {}, 30).value();
  std::string cert = (tmp.path() / "a.crt").string(), key_b = (tmp.path() / "b.key").string(),
              key_a = (tmp.path() / "a.key").string();
  ASSERT_TRUE(WriteFileAtomic(cert, AsBytes(a.certificate_pem), 0644, false).has_value());
  ASSERT_TRUE(WriteFileAtomic(key_a, a.private_key_pem.view(), 0600, false).has_value());
  ASSERT_TRUE(WriteFileAtomic(key_b, b.private_key_pem.view(), 0600, false).has_value());
  InitOptions o = Options((tmp.path() / "mismatch").string());
  o.tls_cert = cert;
  o.tls_key = key_b;
  EXPECT_FALSE(InitNodeDir(o, clock).has_value());
  EXPECT_FALSE(fs::exists(o.dir));
  o.dir = (tmp.path() / "ok").string();
  o.tls_key = key_a;
  auto r = InitNodeDir(o, clock).value();
  EXPECT_FALSE(r.info.self_signed);
  EXPECT_EQ(r.info.tls_fingerprint, crypto::CertificateFingerprint(a.certificate_pem).value());
}

TEST(NodeDir, InfoRejectsWhatItDoesNotUnderstand) {
  entente::testing::TempDir tmp;
  EXPECT_EQ(ReadNodeInfo(tmp.path().string()).error().code(), ErrorCode::kNotFound);
  std::string dir = (tmp.path() / "usa").string();
  ManualClock clock(FromUnixMs(0));
  ASSERT_TRUE(InitNodeDir(Options(dir), clock).has_value());
  std::string config = ToString(ReadFile(dir + "/node.json").value());
  std::string changed = config;
  changed.replace(changed.find("\"version\": 1"), 12, "\"version\": 2");
  ASSERT_TRUE(WriteFileAtomic(dir + "/node.json", AsBytes(changed), 0644, false).has_value());
  EXPECT_NE(ReadNodeInfo(dir).error().message().find("unsupported"), std::string::npos);
  changed = config;
  changed.replace(changed.find("{"), 1, "{\"surprise\": 1,");
  ASSERT_TRUE(WriteFileAtomic(dir + "/node.json", AsBytes(changed), 0644, false).has_value());
  EXPECT_NE(ReadNodeInfo(dir).error().message().find("unknown field \"surprise\""),
            std::string::npos);
}

}  // namespace
}  // namespace entente::node
