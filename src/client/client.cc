#include "client/client.h"

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <tuple>

#include "base/encoding.h"
#include "base/file.h"
#include "client/space_view.h"
#include "consult/fold.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "label/banner.h"
#include "label/label.h"
#include "ledger/kinds.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "net/http_signatures.h"
#include "net/http_status.h"
#include "space/author.h"
#include "space/meta.h"
#include "space/names.h"

namespace entente::client {
namespace fs = std::filesystem;
namespace {

constexpr int kHomeVersion = 1;
using namespace ledger::kind;  // NOLINT(google-build-using-namespace)
// The most a message carries: its request (base64 in JSON) stays well under the node's 64 MiB.
constexpr size_t kMaxMessageBytes = 16 * 1024 * 1024;
// A clearance under no space's policy: an admin enrolled without one reads nothing labelled.
constexpr char kNoClearance[] = "NONE;NONE";

std::string Path(const std::string& home, const char* file) { return home + "/" + file; }

Result<nlohmann::json> JsonOf(const net::HttpResponse& response) {
  if (response.status != 200) {
    Error error = net::ErrorFromResponse(response.status, response.body);
    return std::unexpected(Error(error.code(), "node: " + error.message()));
  }
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) return DataLoss("node: the response is not JSON");
  return json;
}

Result<std::string> JsonString(const nlohmann::json& json, const char* field) {
  if (!json.is_object() || !json.contains(field) || !json[field].is_string()) {
    return DataLoss(std::string("node: the response lacks ") + field);
  }
  return json[field].get<std::string>();
}

// Checks a receipt: the checkpoint is the node's and its tree holds `header` at `index`.
Status VerifyReceipt(const nlohmann::json& receipt, const ledger::SpaceId& space,
                     const std::string& origin, const crypto::PublicKey& node_key,
                     ByteView header) {
  ENTENTE_ASSIGN_OR_RETURN(std::string note, JsonString(receipt, "checkpoint"));
  ENTENTE_ASSIGN_OR_RETURN(auto checkpoint, OpenNodeCheckpoint(note, space, origin, node_key));
  ledger::InclusionProof proof;
  proof.tree_size = checkpoint.size;
  proof.leaf_index = ledger::LeafIndex(receipt.value("index", uint64_t{0}));
  if (receipt.value("tree_size", uint64_t{0}) != checkpoint.size.value()) {
    return DataLoss("receipt: the proof is not for the checkpoint's tree");
  }
  for (const auto& hash : receipt.value("inclusion_proof", nlohmann::json::array())) {
    if (!hash.is_string()) return DataLoss("receipt: bad proof");
    auto bytes = Base64UrlDecode(hash.get<std::string>());
    if (!bytes || bytes->size() != ledger::kHashSize) return DataLoss("receipt: bad proof hash");
    proof.path.push_back(ToArray<ledger::kHashSize>(*bytes));
  }
  auto verified = ledger::VerifyInclusion(proof, ledger::HashLeaf(header), checkpoint.root);
  if (!verified) return DataLoss("receipt: the inclusion proof does not verify");
  return {};
}

nlohmann::json WireJson(const space::AuthoredEvent& event) {
  return {{"header", Base64UrlEncode(event.header_bytes)},
          {"body", Base64UrlEncode(event.body_bytes)}};
}

Result<std::unique_ptr<net::HttpClient>> Connect(const std::string& url,
                                                 const std::string& fingerprint) {
  net::ClientOptions options;
  options.url = url;
  options.fingerprint = fingerprint;
  return net::HttpClient::Connect(options);
}

Status CheckNewHome(const std::string& home) {
  if (fs::exists(Path(home, "config.json"))) {
    return FailedPrecondition(home +
                              " already holds an enrolled device (config.json); use "
                              "another --home");
  }
  std::error_code ec;
  fs::create_directories(home, ec);
  if (ec) return InvalidArgument(home + ": cannot create: " + ec.message());
  fs::permissions(home, fs::perms::owner_all, ec);
  return {};
}

Status WriteConfig(const std::string& home, const HomeConfig& config) {
  nlohmann::json json = {{"version", kHomeVersion},
                         {"node_url", config.node_url},
                         {"fingerprint", config.fingerprint},
                         {"node_public_key", Base64UrlEncode(config.node_key.view())},
                         {"partner", config.partner},
                         {"member", config.member},
                         {"device", config.device}};
  return WriteFileAtomic(Path(home, "config.json"), AsBytes(json.dump(2) + "\n"), 0600, true);
}

Result<HomeConfig> ReadConfig(const std::string& home) {
  auto bytes = ReadFile(Path(home, "config.json"), 1 << 20);
  if (!bytes) {
    return NotFound(home +
                    ": no enrolled device here (run `entente device enrol` or `entente "
                    "admin bootstrap`, or pass --home)");
  }
  auto json = nlohmann::json::parse(ToString(*bytes), nullptr, false);
  if (!json.is_object() || json.value("version", 0) != kHomeVersion) {
    return InvalidArgument(home + "/config.json: not a version 1 client configuration");
  }
  HomeConfig config;
  config.node_url = json.value("node_url", "");
  config.fingerprint = json.value("fingerprint", "");
  config.partner = json.value("partner", "");
  config.member = json.value("member", "");
  config.device = json.value("device", "");
  auto key = Base64UrlDecode(json.value("node_public_key", ""));
  if (!key) return InvalidArgument(home + "/config.json: bad node_public_key");
  ENTENTE_ASSIGN_OR_RETURN(config.node_key, crypto::PublicKey::FromBytes(*key));
  return config;
}

std::vector<std::string> ReadKnown(const std::string& home) {
  std::vector<std::string> known;
  auto bytes = ReadFile(Path(home, "known.json"), 16 << 20);
  if (!bytes) return known;
  auto json = nlohmann::json::parse(ToString(*bytes), nullptr, false);
  if (json.is_object() && json["devices"].is_array()) {
    for (const auto& d : json["devices"]) {
      if (d.is_string()) known.push_back(d.get<std::string>());
    }
  }
  return known;
}

Status WriteKnown(const std::string& home, const std::vector<std::string>& known) {
  nlohmann::json json = {{"version", 1}, {"devices", known}};
  return WriteFileAtomic(Path(home, "known.json"), AsBytes(json.dump(2) + "\n"), 0600, false);
}

// The shared part of both enrolments: pins the node, makes the device, posts, writes the home.
Result<HomeConfig> EnrolWith(const EnrolOptions& options, const Clock& clock, bool bootstrap) {
  ENTENTE_RETURN_IF_ERROR(CheckNewHome(options.home));
  ENTENTE_ASSIGN_OR_RETURN(auto http, Connect(options.node_url, options.fingerprint));
  ENTENTE_ASSIGN_OR_RETURN(auto node_response, http->Request("GET", "/v1/node", {}, {}));
  ENTENTE_ASSIGN_OR_RETURN(auto node, JsonOf(node_response));
  HomeConfig config;
  config.node_url = options.node_url;
  config.fingerprint = options.fingerprint;
  ENTENTE_ASSIGN_OR_RETURN(config.partner, JsonString(node, "partner"));
  ENTENTE_ASSIGN_OR_RETURN(std::string node_key_text, JsonString(node, "node_public_key"));
  auto node_key = Base64UrlDecode(node_key_text);
  if (!node_key) return DataLoss("node: bad node_public_key");
  ENTENTE_ASSIGN_OR_RETURN(config.node_key, crypto::PublicKey::FromBytes(*node_key));

  if (bootstrap) {
    ENTENTE_RETURN_IF_ERROR(space::CheckHandle(options.handle));
    config.member = options.handle + "@" + config.partner;
  } else {
    ENTENTE_ASSIGN_OR_RETURN(
        auto lookup_response,
        http->Request("POST", "/v1/enrol/lookup", {{"content-type", "application/json"}},
                      AsBytes(nlohmann::json({{"token", options.token}}).dump())));
    ENTENTE_ASSIGN_OR_RETURN(auto lookup, JsonOf(lookup_response));
    ENTENTE_ASSIGN_OR_RETURN(config.member, JsonString(lookup, "member"));
  }
  crypto::Identity identity = crypto::Identity::Generate();
  config.device = space::DeviceIdOf(identity.signing.public_key());
  uint64_t now = ToUnixMs(clock.Now());
  nlohmann::json events = nlohmann::json::array();
  std::vector<space::AuthoredEvent> authored;
  if (bootstrap) {
    std::string clearance = options.clearance.empty() ? kNoClearance : options.clearance;
    ENTENTE_ASSIGN_OR_RETURN(auto enroll,
                             space::MemberEnrollEvent(identity.signing, config.member, options.name,
                                                      {"admin"}, clearance, now));
    authored.push_back(std::move(enroll));
  }
  ENTENTE_ASSIGN_OR_RETURN(
      auto add, space::DeviceAddEvent(identity.signing, config.member,
                                      identity.signing.public_key(), options.device_name, now));
  authored.push_back(std::move(add));
  ENTENTE_ASSIGN_OR_RETURN(
      auto keys,
      space::DeviceKeysEvent(identity.signing, config.partner, identity.encryption.public_key(),
                             now + space::kEncryptionKeyLifetimeMs, now));
  authored.push_back(std::move(keys));
  for (const auto& e : authored) events.push_back(WireJson(e));

  // The key file first: if the enrolment then fails, nothing is lost but a fresh key.
  ENTENTE_ASSIGN_OR_RETURN(Bytes key_file,
                           crypto::EncodeKeyFile(identity, "entente device " + config.member,
                                                 options.passphrase, options.kdf));
  ENTENTE_RETURN_IF_ERROR(WriteFileAtomic(Path(options.home, "device.key"), key_file, 0600, false));
  ENTENTE_ASSIGN_OR_RETURN(
      auto enrol_response,
      http->Request(
          "POST", "/v1/enrol", {{"content-type", "application/json"}},
          AsBytes(nlohmann::json({{"token", options.token}, {"events", events}}).dump())));
  ENTENTE_ASSIGN_OR_RETURN(auto enrolled, JsonOf(enrol_response));
  auto receipts = enrolled.value("receipts", nlohmann::json::array());
  if (receipts.size() != authored.size()) return DataLoss("node: wrong number of receipts");
  for (size_t i = 0; i < authored.size(); ++i) {
    ENTENTE_RETURN_IF_ERROR(VerifyReceipt(receipts[i], space::DirectorySpaceId(config.partner),
                                          config.partner, config.node_key,
                                          authored[i].header_bytes));
  }
  ENTENTE_RETURN_IF_ERROR(WriteKnown(options.home, {config.device}));
  ENTENTE_RETURN_IF_ERROR(WriteConfig(options.home, config));
  return config;
}

}  // namespace

Result<ledger::Checkpoint> OpenNodeCheckpoint(const std::string& note, const ledger::SpaceId& space,
                                              const std::string& origin,
                                              const crypto::PublicKey& node_key) {
  ENTENTE_ASSIGN_OR_RETURN(std::string name, ledger::EntenteOrigin(space.view(), origin));
  ENTENTE_ASSIGN_OR_RETURN(auto verifier,
                           ledger::Verifier::Create(name, ledger::NoteKeyType::kEd25519, node_key));
  ENTENTE_ASSIGN_OR_RETURN(auto opened, ledger::OpenCheckpoint(note, verifier, {}));
  return opened.checkpoint;
}

std::string DefaultHome() {
  if (const char* env = std::getenv("ENTENTE_HOME"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.entente";
}

Result<HomeConfig> BootstrapAdmin(const EnrolOptions& options, const Clock& clock) {
  return EnrolWith(options, clock, true);
}

Result<HomeConfig> EnrolDevice(const EnrolOptions& options, const Clock& clock) {
  return EnrolWith(options, clock, false);
}

Status LogView::Add(const nlohmann::json& entry) {
  auto header_bytes = Base64UrlDecode(entry.value("header", ""));
  if (!header_bytes) return DataLoss("log: bad entry encoding");
  tree.AppendLeaf(*header_bytes);
  ENTENTE_ASSIGN_OR_RETURN(auto header, ledger::DecodeHeader(*header_bytes));
  std::optional<Bytes> body;
  if (entry.contains("body")) {
    auto decoded = Base64UrlDecode(entry.value("body", ""));
    if (!decoded) return DataLoss("log: bad body encoding");
    body = std::move(*decoded);
  }
  entries.push_back({entries.size(), std::move(*header_bytes), std::move(header), std::move(body),
                     entry.value("flagged", "")});
  return {};
}

Status LogView::Verify(const std::string& note, const ledger::SpaceId& space,
                       const crypto::PublicKey& key) {
  ENTENTE_ASSIGN_OR_RETURN(auto checkpoint, OpenNodeCheckpoint(note, space, origin, key));
  if (checkpoint.size.value() > tree.size().value()) return {};
  ENTENTE_ASSIGN_OR_RETURN(auto root, tree.RootAt(checkpoint.size));
  if (root != checkpoint.root) {
    return DataLoss("log " + origin + ": the entries do not match " + origin +
                    "'s signed checkpoint");
  }
  if (checkpoint.size.value() >= verified_size) {
    verified_size = checkpoint.size.value();
    verified_note = note;
  }
  return {};
}

namespace {

// The meta of an entry that state is folded from (not a message; not flagged by the node), if
// its signature and body verify.
std::optional<nlohmann::json> FoldableMeta(const LogView::Entry& e) {
  if (e.header.kind == kMessagePost || !e.body || !e.flagged.empty() ||
      !ledger::VerifyHeaderSignature(e.header) || !ledger::CheckBodyHash(e.header, *e.body)) {
    return std::nullopt;
  }
  auto body = ledger::DecodeBody(*e.body);
  if (!body) return std::nullopt;
  auto meta = space::ParseMeta(body->meta);
  if (!meta) return std::nullopt;
  return *meta;
}

// Pages through /v1/logs/{space}?origin=O and checks every entry against O's signed checkpoint
// (`key` is O's node key). NotFound if the node holds no log of O for the space.
Result<LogView> FetchLog(Client& client, const std::string& space_text, const ledger::SpaceId& id,
                         const std::string& origin, const crypto::PublicKey& key) {
  LogView view;
  view.origin = origin;
  std::string note;
  uint64_t size = 0;
  do {
    ENTENTE_ASSIGN_OR_RETURN(auto response,
                             client.Call("GET",
                                         "/v1/logs/" + space_text + "?origin=" + origin +
                                             "&from=" + std::to_string(view.entries.size()),
                                         std::nullopt));
    ENTENTE_ASSIGN_OR_RETURN(auto page, JsonOf(response));
    size = page.value("tree_size", uint64_t{0});
    note = page.value("checkpoint", "");
    auto entries = page.value("entries", nlohmann::json::array());
    if (entries.empty()) break;
    for (const auto& entry : entries) ENTENTE_RETURN_IF_ERROR(view.Add(entry));
  } while (view.entries.size() < size);
  if (!note.empty()) ENTENTE_RETURN_IF_ERROR(view.Verify(note, id, key));
  if (view.verified_size != view.entries.size()) {
    return DataLoss("log " + space_text + "/" + origin +
                    ": the origin's signed checkpoint does not cover the entries served");
  }
  return view;
}

// Folds a directory log; returns a warning per entry that breaks the rules (ignored).
Result<std::vector<std::string>> FoldDirectory(const LogView& log, space::Directory& directory) {
  std::vector<std::string> flagged;
  for (const auto& e : log.entries) {
    if (!e.body) return DataLoss("directory of " + log.origin + ": an entry has no body");
    ENTENTE_RETURN_IF_ERROR(ledger::VerifyHeaderSignature(e.header));
    ENTENTE_RETURN_IF_ERROR(ledger::CheckBodyHash(e.header, *e.body));
    ENTENTE_ASSIGN_OR_RETURN(auto body, ledger::DecodeBody(*e.body));
    ENTENTE_ASSIGN_OR_RETURN(auto meta, space::ParseMeta(body.meta));
    auto folded = directory.Fold(space::FoldEvent{e.header, meta});
    if (!folded) {
      flagged.push_back("directory entry " + log.origin + "/" + std::to_string(e.index) +
                        " breaks the directory rules and is ignored: " + folded.error().message());
    }
  }
  return flagged;
}

}  // namespace

void SpaceView::Rebuild(const space::Directory& directory, uint64_t now_ms) {
  state = space::SpaceState(state.id());
  book = consult::Book(state);
  std::deque<nlohmann::json> metas;  // stable addresses for the fold
  consult::FoldSpaceLogs(Foldable(metas), directory, state, book);
  book.AdvanceTo(now_ms);
}

std::map<std::string, std::vector<consult::FoldEntry>> SpaceView::Foldable(
    std::deque<nlohmann::json>& metas) const {
  std::map<std::string, std::vector<consult::FoldEntry>> foldable;
  for (const auto& [origin, log] : logs) {
    auto& entries = foldable[origin];
    for (const auto& e : log.entries) {
      auto meta = FoldableMeta(e);
      if (!meta) continue;
      metas.push_back(std::move(*meta));
      entries.push_back({&e.header, &metas.back(), {}, e.index});
    }
  }
  return foldable;
}

const LogView::Entry* SpaceView::Find(const std::string& origin, uint64_t index) const {
  auto it = logs.find(origin);
  if (it == logs.end() || index >= it->second.entries.size()) return nullptr;
  return &it->second.entries[index];
}

Client::Client(std::string home, HomeConfig config, crypto::Identity identity, const Clock& clock,
               std::unique_ptr<net::HttpClient> http)
    : home_(std::move(home)),
      config_(std::move(config)),
      identity_(std::move(identity)),
      clock_(clock),
      http_(std::move(http)) {}

Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Open(const std::string& home,
                                             const crypto::SecretBytes& passphrase,
                                             const Clock& clock) {
  ENTENTE_ASSIGN_OR_RETURN(HomeConfig config, ReadConfig(home));
  ENTENTE_ASSIGN_OR_RETURN(Bytes key_file, ReadFile(Path(home, "device.key")));
  auto identity = crypto::DecodeKeyFile(key_file, passphrase);
  if (!identity) return std::unexpected(identity.error().WithContext(home + "/device.key"));
  ENTENTE_ASSIGN_OR_RETURN(auto http, Connect(config.node_url, config.fingerprint));
  return std::unique_ptr<Client>(
      new Client(home, std::move(config), std::move(*identity), clock, std::move(http)));
}

Result<net::HttpResponse> Client::Call(std::string_view method, std::string_view target,
                                       const std::optional<nlohmann::json>& body) {
  std::string body_text = body ? body->dump() : std::string();
  std::string uri = config_.node_url + std::string(target);
  ENTENTE_ASSIGN_OR_RETURN(auto signed_headers, net::SignRequest({method, uri, AsBytes(body_text)},
                                                                 identity_.signing, clock_));
  net::HeaderMap headers;
  signed_headers.AddTo(headers);
  if (body) headers.emplace("content-type", "application/json");
  return http_->Request(method, target, headers, AsBytes(body_text));
}

Result<nlohmann::json> Client::Submit(const std::string& header_b64, const std::string& body_b64) {
  ENTENTE_ASSIGN_OR_RETURN(
      auto response,
      Call("POST", "/v1/events", nlohmann::json{{"header", header_b64}, {"body", body_b64}}));
  return JsonOf(response);
}

Status Client::LoadPeerKeys() {
  if (peers_loaded_) return {};
  // The partners' node keys as this node pinned them (`entente node peer add`).
  ENTENTE_ASSIGN_OR_RETURN(auto response, Call("GET", "/v1/node", std::nullopt));
  ENTENTE_ASSIGN_OR_RETURN(auto node, JsonOf(response));
  for (const auto& p : node.value("peers", nlohmann::json::array())) {
    auto key = Base64UrlDecode(p.value("node_public_key", ""));
    if (!key) return DataLoss("node: bad peer key");
    ENTENTE_ASSIGN_OR_RETURN(auto pk, crypto::PublicKey::FromBytes(*key));
    peer_keys_.emplace(p.value("partner", ""), pk);
  }
  peers_loaded_ = true;
  return {};
}

Result<crypto::PublicKey> Client::NodeKeyOf(const std::string& origin) {
  if (origin == config_.partner) return config_.node_key;
  ENTENTE_RETURN_IF_ERROR(LoadPeerKeys());
  auto it = peer_keys_.find(origin);
  if (it == peer_keys_.end()) {
    return NotFound("this node has no peer " + origin + " (entente node peer add)");
  }
  return it->second;
}

Result<std::vector<std::string>> Client::SyncDirectory() {
  space::Directory directory;
  ENTENTE_ASSIGN_OR_RETURN(auto own,
                           FetchLog(*this, "directory", space::DirectorySpaceId(config_.partner),
                                    config_.partner, config_.node_key));
  ENTENTE_ASSIGN_OR_RETURN(std::vector<std::string> flagged, FoldDirectory(own, directory));
  if (own.entries.empty()) return DataLoss("directory: the node served an empty directory");
  // The partners' directories, mirrored by this node: their members and devices.
  ENTENTE_RETURN_IF_ERROR(LoadPeerKeys());
  for (const auto& [partner, key] : peer_keys_) {
    auto log = FetchLog(*this, "directory", space::DirectorySpaceId(partner), partner, key);
    if (!log) {
      if (log.error().code() == ErrorCode::kNotFound) continue;  // not mirrored yet
      return std::unexpected(log.error());
    }
    ENTENTE_ASSIGN_OR_RETURN(auto more, FoldDirectory(*log, directory));
    flagged.insert(flagged.end(), more.begin(), more.end());
  }
  directory_ = std::move(directory);

  // Key transparency: every device of this member must be one this client knows of.
  std::vector<std::string> warnings = flagged;
  auto known = ReadKnown(home_);
  const space::Member* me = directory_.FindMember(config_.member);
  bool changed = false;
  if (me != nullptr) {
    for (const auto& device_id : me->devices) {
      if (std::find(known.begin(), known.end(), device_id) != known.end()) continue;
      const space::Device* device = directory_.FindDevice(device_id);
      warnings.push_back(
          "WARNING: a new device was enrolled for " + config_.member + ": " + device_id +
          (device->name.empty() ? "" : " (\"" + device->name + "\")") + ", added at " +
          FormatRfc3339(FromUnixMs(device->added_ms)) + " by " +
          (device->added_by == device_id ? "itself, with a device token" : device->added_by) +
          ". If it is not yours, revoke it now: entente device revoke " + device_id);
      known.push_back(device_id);
      changed = true;
    }
  }
  if (changed) ENTENTE_RETURN_IF_ERROR(WriteKnown(home_, known));
  return warnings;
}

Result<std::string> Client::AddMember(const std::string& handle, const std::string& name,
                                      const std::vector<std::string>& roles,
                                      const std::string& clearance) {
  ENTENTE_RETURN_IF_ERROR(space::CheckHandle(handle));
  std::string member = handle + "@" + config_.partner;
  ENTENTE_ASSIGN_OR_RETURN(
      auto event, space::MemberEnrollEvent(identity_.signing, member, name, roles, clearance,
                                           ToUnixMs(clock_.Now())));
  ENTENTE_ASSIGN_OR_RETURN(
      auto receipt, Submit(Base64UrlEncode(event.header_bytes), Base64UrlEncode(event.body_bytes)));
  ENTENTE_RETURN_IF_ERROR(VerifyReceipt(receipt, space::DirectorySpaceId(config_.partner),
                                        config_.partner, config_.node_key, event.header_bytes));
  return DeviceToken(member);
}

Result<std::string> Client::DeviceToken(const std::string& member) {
  ENTENTE_ASSIGN_OR_RETURN(auto response,
                           Call("POST", "/v1/device-tokens", nlohmann::json{{"member", member}}));
  ENTENTE_ASSIGN_OR_RETURN(auto json, JsonOf(response));
  return JsonString(json, "token");
}

Status Client::RevokeDevice(const std::string& device_id, const std::string& reason) {
  ENTENTE_ASSIGN_OR_RETURN(auto key, space::ParseDeviceId(device_id));
  ENTENTE_ASSIGN_OR_RETURN(auto event,
                           space::DeviceRevokeEvent(identity_.signing, config_.partner, key, reason,
                                                    ToUnixMs(clock_.Now())));
  ENTENTE_ASSIGN_OR_RETURN(
      auto receipt, Submit(Base64UrlEncode(event.header_bytes), Base64UrlEncode(event.body_bytes)));
  return VerifyReceipt(receipt, space::DirectorySpaceId(config_.partner), config_.partner,
                       config_.node_key, event.header_bytes);
}

Result<std::vector<SpaceInfo>> Client::Spaces() {
  ENTENTE_ASSIGN_OR_RETURN(auto response, Call("GET", "/v1/spaces", std::nullopt));
  ENTENTE_ASSIGN_OR_RETURN(auto json, JsonOf(response));
  std::vector<SpaceInfo> out;
  for (const auto& s : json.value("spaces", nlohmann::json::array())) {
    SpaceInfo info;
    auto id = ledger::SpaceId::FromHex(s.value("id", ""));
    if (!id) return DataLoss("node: bad space id");
    info.id = *id;
    info.name = s.value("name", "");
    info.partners = s.value("partners", std::vector<std::string>{});
    info.policy = s.value("policy", "");
    info.size = s.value("size", uint64_t{0});
    info.joined = s.value("joined", std::vector<std::string>{});
    info.in_force = s.value("in_force", false);
    info.logs = s.value("logs", std::map<std::string, uint64_t>{});
    for (const auto& c : s.value("channels", nlohmann::json::array())) {
      info.channels.push_back({c.value("name", ""), c.value("ceiling", ""),
                               c.value("members", std::vector<std::string>{})});
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<SpaceInfo> Client::FindSpace(const std::string& name_or_id) {
  ENTENTE_ASSIGN_OR_RETURN(auto spaces, Spaces());
  for (auto& s : spaces) {
    if (s.name == name_or_id || s.id.ToHex() == name_or_id) return std::move(s);
  }
  return NotFound("no space \"" + name_or_id + "\" that " + config_.member + " can see");
}

Result<ledger::SpaceId> Client::CreateSpace(const std::string& name, const std::string& policy_yaml,
                                            const std::vector<std::string>& partners) {
  ENTENTE_ASSIGN_OR_RETURN(auto policy, space::LoadSpacePolicy(policy_yaml, "policy"));
  space::EventDraft draft;
  draft.kind = kSpaceCharter;
  ENTENTE_ASSIGN_OR_RETURN(draft.space, ledger::SpaceId::FromBytes(crypto::RandomBytes(16)));
  draft.origin = config_.partner;
  draft.label = policy->id() + ";" + policy->levels().front().id;  // the charter is not secret
  draft.meta = {{"name", name},
                {"partners", partners},
                {"policy", policy_yaml},
                {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy_yaml)))}};
  draft.created_ms = ToUnixMs(clock_.Now());
  ENTENTE_ASSIGN_OR_RETURN(auto event, space::Author(draft, identity_.signing));
  ENTENTE_ASSIGN_OR_RETURN(
      auto receipt, Submit(Base64UrlEncode(event.header_bytes), Base64UrlEncode(event.body_bytes)));
  ENTENTE_RETURN_IF_ERROR(
      VerifyReceipt(receipt, draft.space, config_.partner, config_.node_key, event.header_bytes));
  return draft.space;
}

Result<std::unique_ptr<SpaceView>> Client::LoadSpace(const std::string& space) {
  ENTENTE_ASSIGN_OR_RETURN(auto info, FindSpace(space));
  auto view = std::make_unique<SpaceView>(info.id);
  for (const auto& partner : info.partners) {
    auto key = NodeKeyOf(partner);
    if (!key) continue;  // a partner this node does not peer with: nothing of it is held here
    auto log = FetchLog(*this, info.id.ToHex(), info.id, partner, *key);
    if (!log) {
      if (log.error().code() == ErrorCode::kNotFound) continue;
      return std::unexpected(log.error());
    }
    view->logs.emplace(partner, std::move(*log));
  }
  view->Rebuild(directory_, ToUnixMs(clock_.Now()));
  return view;
}

Status Client::JoinSpace(const std::string& space) {
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, SyncDirectory());
  (void)warnings;
  ENTENTE_ASSIGN_OR_RETURN(auto view, LoadSpace(space));
  if (!view->state.chartered())
    return FailedPrecondition("space " + space + " has no charter here yet");
  const auto& policy = view->state.policy();
  space::EventDraft draft;
  draft.kind = kSpaceJoin;
  draft.space = view->state.id();
  draft.origin = config_.partner;
  draft.label = policy->id() + ";" + policy->levels().front().id;
  draft.meta = {{"partner", config_.partner},
                {"charter_event", view->state.charter_event().ToHex()}};
  draft.created_ms = ToUnixMs(clock_.Now());
  ENTENTE_ASSIGN_OR_RETURN(auto event, space::Author(draft, identity_.signing));
  ENTENTE_ASSIGN_OR_RETURN(
      auto receipt, Submit(Base64UrlEncode(event.header_bytes), Base64UrlEncode(event.body_bytes)));
  return VerifyReceipt(receipt, draft.space, config_.partner, config_.node_key, event.header_bytes);
}

Status Client::CreateChannel(const std::string& space, const std::string& channel,
                             const std::string& ceiling, std::vector<std::string> members) {
  ENTENTE_RETURN_IF_ERROR(space::CheckChannelName(channel));
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, SyncDirectory());
  (void)warnings;
  ENTENTE_ASSIGN_OR_RETURN(auto view, LoadSpace(space));
  if (!view->state.chartered()) return FailedPrecondition("space " + space + " has no charter");
  ENTENTE_ASSIGN_OR_RETURN(auto ceiling_label,
                           label::ParseLabelOrBanner(view->state.policy(), ceiling));
  if (std::find(members.begin(), members.end(), config_.member) == members.end()) {
    members.push_back(config_.member);
  }
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  const auto& policy = view->state.policy();
  auto label = label::ParseLabel(policy, policy->id() + ";" + policy->levels().front().id).value();
  space::Channel draft_channel{channel, {}, ceiling_label, members, config_.member, 0};
  space::EventDraft draft;
  draft.kind = kChannelCreate;
  draft.space = view->state.id();
  draft.origin = config_.partner;
  draft.label = label.ToString();
  draft.meta = {{"channel", channel}, {"ceiling", ceiling_label.ToString()}, {"members", members}};
  std::string topic = nlohmann::json({{"topic", channel}}).dump();
  draft.plaintext = Bytes(topic.begin(), topic.end());
  draft.created_ms = ToUnixMs(clock_.Now());
  draft.recipients = view->state.Recipients(directory_, draft_channel, label, draft.created_ms);
  ENTENTE_ASSIGN_OR_RETURN(auto event, space::Author(draft, identity_.signing));
  ENTENTE_ASSIGN_OR_RETURN(
      auto receipt, Submit(Base64UrlEncode(event.header_bytes), Base64UrlEncode(event.body_bytes)));
  return VerifyReceipt(receipt, draft.space, config_.partner, config_.node_key, event.header_bytes);
}

Result<SendResult> Client::Send(const std::string& space, const std::string& channel,
                                const std::string& label_text, const std::string& text) {
  if (text.size() > kMaxMessageBytes) {
    return ResourceExhausted("message: " + std::to_string(text.size()) + " bytes; the limit is " +
                             std::to_string(kMaxMessageBytes) + " bytes (16 MiB)");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, SyncDirectory());
  (void)warnings;
  ENTENTE_ASSIGN_OR_RETURN(auto view, LoadSpace(space));
  const space::Channel* ch = view->state.FindChannel(channel);
  if (ch == nullptr) return NotFound("no channel \"" + channel + "\" in space " + space);
  ENTENTE_ASSIGN_OR_RETURN(auto label, label::ParseLabelOrBanner(view->state.policy(), label_text));
  if (!label::Dominates(ch->ceiling, label)) {
    return PermissionDenied("label " + label.ToString() + " is above channel " + channel +
                            "'s ceiling " + ch->ceiling.ToString());
  }
  space::EventDraft draft;
  draft.kind = kMessagePost;
  draft.space = view->state.id();
  draft.origin = config_.partner;
  draft.label = label.ToString();
  draft.subject = Bytes(ch->id.bytes().begin(), ch->id.bytes().end());
  draft.meta = {{"channel", channel}};
  draft.plaintext = Bytes(text.begin(), text.end());
  draft.created_ms = ToUnixMs(clock_.Now());
  draft.recipients = view->state.Recipients(directory_, *ch, label, draft.created_ms);
  if (draft.recipients.empty()) {
    return PermissionDenied("no device in channel " + channel + " may read " + label.ToString() +
                            ", not even this one: is it within your clearance?");
  }
  return Publish(draft);
}

Result<SendResult> Client::Publish(const space::EventDraft& draft) {
  ENTENTE_ASSIGN_OR_RETURN(auto event, space::Author(draft, identity_.signing));
  ENTENTE_ASSIGN_OR_RETURN(
      auto receipt, Submit(Base64UrlEncode(event.header_bytes), Base64UrlEncode(event.body_bytes)));
  SendResult result;
  result.index = receipt.value("index", uint64_t{0});
  result.event_id = event.header.event_id.ToHex();
  result.recipients = draft.recipients.size();
  result.checkpoint = receipt.value("checkpoint", "");
  ENTENTE_RETURN_IF_ERROR(
      VerifyReceipt(receipt, draft.space, config_.partner, config_.node_key, event.header_bytes));
  result.receipt_verified = true;
  return result;
}

Result<std::unique_ptr<net::WebSocketClient>> Client::ConnectStream(const std::string& target) {
  net::ClientOptions options;
  options.url = config_.node_url;
  options.fingerprint = config_.fingerprint;
  ENTENTE_ASSIGN_OR_RETURN(
      auto signed_headers,
      net::SignRequest({"GET", config_.node_url + target, {}}, identity_.signing, clock_));
  net::HeaderMap headers;
  signed_headers.AddTo(headers);
  return net::WebSocketClient::Connect(options, target, headers);
}

Result<crypto::SecretBytes> Client::OpenEnvelope(const ledger::EventHeader& header,
                                                 const Bytes& body) const {
  if (!ledger::CheckBodyHash(header, body)) {
    return DataLoss("the body does not match the signed header");
  }
  ENTENTE_ASSIGN_OR_RETURN(auto decoded, ledger::DecodeBody(body));
  const crypto::EncryptionKey* keys[] = {&identity_.encryption};
  return space::OpenBody(header, decoded, keys);
}

Message Client::ToMessage(const SpaceView& view, const std::string& origin, uint64_t index,
                          const ledger::EventHeader& header, const std::optional<Bytes>& body,
                          bool included) const {
  Message m;
  m.origin = origin;
  m.index = index;
  m.event_id = header.event_id.ToHex();
  m.device = space::DeviceIdOf(header.author);
  const space::Device* device = directory_.FindDevice(header.author);
  m.author = device != nullptr ? device->member : m.device;
  m.created_ms = header.created_ms;
  m.label = header.label;
  const space::Channel* channel =
      header.subject.size() == ledger::EventId::kSize
          ? view.state.FindChannel(ledger::EventId::FromBytes(header.subject).value())
          : nullptr;
  m.channel = channel != nullptr ? channel->name : "";
  m.signature_ok = ledger::VerifyHeaderSignature(header).has_value();
  m.included = included;
  auto label = view.state.policy() ? label::ParseLabel(view.state.policy(), header.label)
                                   : Result<label::Label>(InvalidArgument("no policy"));
  if (label) {
    auto banner = label::RenderBanner(*label, config_.partner);
    m.banner = banner ? *banner : header.label;
  } else {
    m.banner = header.label;
  }
  if (!body) {
    m.unreadable = "withheld by the node: your clearance or channel membership does not admit it";
    return m;
  }
  if (!ledger::CheckBodyHash(header, *body)) {
    m.unreadable = "the body does not match the signed header";
    return m;
  }
  auto decoded = ledger::DecodeBody(*body);
  if (!decoded) {
    m.unreadable = "malformed body";
    return m;
  }
  const crypto::EncryptionKey* keys[] = {&identity_.encryption};
  auto plaintext = space::OpenBody(header, *decoded, keys);
  if (!plaintext) {
    m.unreadable = "not sealed to this device";
    return m;
  }
  m.readable = true;
  m.text = ToString(plaintext->view());
  return m;
}

namespace {

// A message the reader's node flagged as breaking policy is shown as such, never as content.
void Flag(Message& m, const std::string& reason) {
  if (reason.empty()) return;
  m.readable = false;
  m.text.clear();
  m.unreadable = "FLAGGED by your node as breaking policy: " + reason;
}

bool InChannel(const ledger::EventHeader& header, const space::Channel& channel) {
  return header.kind == kMessagePost && header.subject.size() == ledger::EventId::kSize &&
         std::equal(header.subject.begin(), header.subject.end(), channel.id.bytes().begin());
}

}  // namespace

Result<std::vector<Message>> Client::Read(const std::string& space, const std::string& channel) {
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, SyncDirectory());
  (void)warnings;
  ENTENTE_ASSIGN_OR_RETURN(auto view, LoadSpace(space));
  const space::Channel* ch = view->state.FindChannel(channel);
  if (ch == nullptr) return NotFound("no channel \"" + channel + "\" in space " + space);
  std::vector<Message> out;
  for (const auto& [origin, log] : view->logs) {
    for (const auto& e : log.entries) {
      if (!InChannel(e.header, *ch)) continue;
      out.push_back(
          ToMessage(*view, origin, e.index, e.header, e.body, e.index < log.verified_size));
      Flag(out.back(), e.flagged);
    }
  }
  // One conversation across the partners' logs: by author time, then origin and index.
  std::stable_sort(out.begin(), out.end(), [](const Message& a, const Message& b) {
    return std::tie(a.created_ms, a.origin, a.index) < std::tie(b.created_ms, b.origin, b.index);
  });
  return out;
}

Status Client::Follow(const std::string& space, const std::string& channel,
                      std::map<std::string, uint64_t> from,
                      const std::function<bool(const Message&)>& on_message) {
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, SyncDirectory());
  (void)warnings;
  ENTENTE_ASSIGN_OR_RETURN(auto info, FindSpace(space));
  // One stream per partner's log held here, each from 0: every entry builds the tree the
  // origin's checkpoints are checked against; messages wait until a checkpoint covers them.
  struct Stream {
    std::string origin;
    crypto::PublicKey key;
    std::unique_ptr<net::WebSocketClient> socket;
    std::vector<size_t> pending;
  };
  std::vector<Stream> streams;
  SpaceView view(info.id);
  for (const auto& partner : info.partners) {
    auto key = NodeKeyOf(partner);
    if (!key) continue;
    if (partner != config_.partner && !info.logs.contains(partner)) continue;
    std::string target = "/v1/logs/" + info.id.ToHex() + "/stream?from=0&origin=" + partner;
    ENTENTE_ASSIGN_OR_RETURN(auto socket, ConnectStream(target));
    view.logs[partner].origin = partner;
    streams.push_back({partner, *key, std::move(socket), {}});
  }
  if (streams.empty()) return NotFound("no log of space " + space + " to follow");
  // With several logs, each is polled in turn for a short while.
  auto slice = streams.size() == 1 ? std::chrono::milliseconds(std::chrono::minutes(10))
                                   : std::chrono::milliseconds(20);
  for (size_t turn = 0;; turn = (turn + 1) % streams.size()) {
    Stream& stream = streams[turn];
    LogView& log = view.logs[stream.origin];
    ENTENTE_ASSIGN_OR_RETURN(auto text, stream.socket->Receive(slice));
    if (!text) continue;  // quiet
    auto json = nlohmann::json::parse(*text, nullptr, false);
    std::string type = json.is_object() ? json.value("type", "") : "";
    if (type == "error") return Unavailable("node: " + json.value("message", "stream ended"));
    if (type == "event") {
      uint64_t index = json.value("index", uint64_t{0});
      if (index != log.entries.size()) {
        return DataLoss("stream " + stream.origin + ": expected entry " +
                        std::to_string(log.entries.size()) + ", got " + std::to_string(index));
      }
      ENTENTE_RETURN_IF_ERROR(log.Add(json));
      const auto& e = log.entries.back();
      if (e.header.kind != kMessagePost) {
        view.Rebuild(directory_, ToUnixMs(clock_.Now()));
      } else if (index >= from[stream.origin]) {
        stream.pending.push_back(log.entries.size() - 1);
      }
      continue;
    }
    if (type == "checkpoint") {
      ENTENTE_RETURN_IF_ERROR(log.Verify(json.value("checkpoint", ""), info.id, stream.key));
      const space::Channel* ch = view.state.FindChannel(channel);
      size_t done = 0;
      for (size_t i : stream.pending) {
        const auto& e = log.entries[i];
        if (e.index >= log.verified_size) break;
        ++done;
        if (ch == nullptr || !InChannel(e.header, *ch)) continue;
        Message m = ToMessage(view, stream.origin, e.index, e.header, e.body, true);
        Flag(m, e.flagged);
        if (!on_message(m)) {
          for (auto& s : streams) s.socket->Close();
          return {};
        }
      }
      stream.pending.erase(stream.pending.begin(),
                           stream.pending.begin() + static_cast<std::ptrdiff_t>(done));
    }
  }
}

}  // namespace entente::client
