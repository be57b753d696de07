// `entente keygen` and `entente key show`.
#include <iostream>

#include "base/encoding.h"
#include "base/file.h"
#include "cli/cli.h"
#include "crypto/keyfile.h"

namespace entente::cli {
namespace {

nlohmann::json InfoJson(const crypto::KeyFileInfo& info) {
  return {
      {"version", info.version},
      {"signing_public_key", Base64UrlEncode(info.signing_public.view())},
      {"encryption_public_key", Base64UrlEncode(info.encryption_public.view())},
      {"comment", info.comment},
      {"kdf",
       {{"algorithm", "argon2id13"},
        {"opslimit", info.kdf.opslimit},
        {"memlimit_kib", info.kdf.memlimit_kib}}},
  };
}

void PrintInfo(const crypto::KeyFileInfo& info) {
  std::cout << "signing public key:    " << Base64UrlEncode(info.signing_public.view()) << "\n"
            << "encryption public key: " << Base64UrlEncode(info.encryption_public.view()) << "\n"
            << "comment:               " << info.comment << "\n"
            << "kdf:                   argon2id13, opslimit " << info.kdf.opslimit << ", "
            << info.kdf.memlimit_kib / 1024 << " MiB\n";
}

int RunKeygen(const std::string& out, const std::string& comment, bool json) {
  auto passphrase = ReadPassphrase(/*confirm=*/true);
  if (!passphrase) return Fail(passphrase.error());
  crypto::Identity identity = crypto::Identity::Generate();
  auto file =
      crypto::EncodeKeyFile(identity, comment, *passphrase, crypto::KdfParams::Interactive());
  if (!file) return Fail(file.error());
  if (auto written = WriteFileAtomic(out, *file, 0600, /*exclusive=*/true); !written) {
    return Fail(written.error());
  }
  auto info = crypto::InspectKeyFile(*file);
  if (!info) return Fail(info.error());
  if (json) {
    nlohmann::json j = InfoJson(*info);
    j["file"] = out;
    PrintJson(j);
  } else {
    std::cout << "wrote " << out << "\n";
    PrintInfo(*info);
  }
  return kExitOk;
}

int RunKeyShow(const std::string& path, bool verify, bool json) {
  auto bytes = ReadFile(path);
  if (!bytes) return Fail(bytes.error());
  auto info = crypto::InspectKeyFile(*bytes);
  if (!info) return Fail(info.error().WithContext(path));
  if (verify) {
    auto passphrase = ReadPassphrase(/*confirm=*/false);
    if (!passphrase) return Fail(passphrase.error());
    auto identity = crypto::DecodeKeyFile(*bytes, *passphrase);
    if (!identity) return Fail(identity.error().WithContext(path));
  }
  if (json) {
    nlohmann::json j = InfoJson(*info);
    j["verified"] = verify;
    PrintJson(j);
  } else {
    PrintInfo(*info);
    std::cout << "verified:              "
              << (verify ? "yes (unlocked with the passphrase)" : "no (use --verify)") << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddKeyCommands(CLI::App& app, int* exit_code) {
  auto* keygen = app.add_subcommand(
      "keygen", "Create an identity (Ed25519 signing + X25519 encryption key) in a key file");
  keygen->footer(
      "The passphrase comes from $ENTENTE_PASSPHRASE, else it is asked on the terminal.\n"
      "Example:\n  entente keygen --out alice.key --comment 'Alice, USA'");
  struct KeygenOptions {
    std::string out, comment;
    bool json = false;
  };
  // Options live as long as the callback that holds them, i.e. as long as `app`.
  auto keygen_opts = std::make_shared<KeygenOptions>();
  keygen->add_option("--out", keygen_opts->out, "Key file to create (never overwritten)")
      ->required();
  keygen->add_option("--comment", keygen_opts->comment, "A note stored in clear in the file");
  keygen->add_flag("--json", keygen_opts->json, "Print JSON");
  keygen->callback([keygen_opts, exit_code] {
    *exit_code = RunKeygen(keygen_opts->out, keygen_opts->comment, keygen_opts->json);
  });

  auto* key = app.add_subcommand("key", "Inspect key files");
  key->require_subcommand(1);
  auto* show = key->add_subcommand("show", "Print a key file's public keys (never a secret)");
  show->footer(
      "Without --verify the public keys are read from the clear part of the file; --verify\n"
      "unlocks the file with the passphrase and checks them.\n"
      "Example:\n  entente key show alice.key --json");
  struct ShowOptions {
    std::string path;
    bool verify = false, json = false;
  };
  auto show_opts = std::make_shared<ShowOptions>();
  show->add_option("FILE", show_opts->path, "Key file")->required();
  show->add_flag("--verify", show_opts->verify, "Unlock with the passphrase and check the keys");
  show->add_flag("--json", show_opts->json, "Print JSON");
  show->callback([show_opts, exit_code] {
    *exit_code = RunKeyShow(show_opts->path, show_opts->verify, show_opts->json);
  });
}

}  // namespace entente::cli
