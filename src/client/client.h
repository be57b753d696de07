// client/client.h: the client library (DESIGN §3): a device's home directory and keys, the
// signed API client for its node, authoring (seal, sign, submit), and reading with
// verification (signatures, body hashes, the node's signed checkpoint over every entry).
//
// Home directory (docs/operations.md):
//   HOME/config.json    node URL, pinned TLS fingerprint and node key, partner, member, device
//   HOME/device.key     the device identity (Ed25519 + X25519), passphrase-protected
//   HOME/known.json     the devices of this member the client has seen (key transparency)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "crypto/keyfile.h"
#include "crypto/secret_bytes.h"
#include "ledger/event.h"
#include "net/http_client.h"
#include "space/author.h"
#include "space/directory.h"
#include "space/space_state.h"

namespace entente::client {

struct SpaceView;  // client/space_view.h

// $ENTENTE_HOME, else $HOME/.entente.
std::string DefaultHome();

struct HomeConfig {
  std::string node_url;
  std::string fingerprint;  // sha256:<hex> of the node's TLS certificate
  crypto::PublicKey node_key;
  std::string partner;
  std::string member;  // alice@USA
  std::string device;  // device id
};

struct EnrolOptions {
  std::string home;
  std::string node_url;
  std::string fingerprint;
  std::string token;
  crypto::SecretBytes passphrase;  // protects HOME/device.key
  std::string device_name;
  // Admin bootstrap only.
  std::string handle;
  std::string name;
  std::string clearance;
  crypto::KdfParams kdf = crypto::KdfParams::Interactive();
};

// The first admin of the node's partner, with the node's admin token. Creates the home.
[[nodiscard]] Result<HomeConfig> BootstrapAdmin(const EnrolOptions& options, const Clock& clock);
// A device of the member a device token was issued for. Creates the home.
[[nodiscard]] Result<HomeConfig> EnrolDevice(const EnrolOptions& options, const Clock& clock);

// A message as a reader sees it.
struct Message {
  std::string origin;    // the partner whose log holds it
  uint64_t index = 0;    // in that log
  std::string event_id;  // hex
  std::string channel;
  std::string author;  // member id, or the device id if unknown
  std::string device;
  uint64_t created_ms = 0;
  std::string label;   // canonical
  std::string banner;  // in the reader's national marking
  bool signature_ok = false;
  bool included = false;   // the entry is in the tree of a checkpoint its origin node signed
  bool readable = false;   // the body was delivered and opened
  std::string text;        // when readable
  std::string unreadable;  // why not, when not readable
};

struct SpaceInfo {
  ledger::SpaceId id;
  std::string name;
  std::vector<std::string> partners;
  std::string policy;
  uint64_t size = 0;  // of this partner's log
  std::vector<std::string> joined;
  bool in_force = false;
  std::map<std::string, uint64_t> logs;  // origin -> entries held by this node
  struct ChannelInfo {
    std::string name, ceiling;
    std::vector<std::string> members;
  };
  std::vector<ChannelInfo> channels;
};

struct SendResult {
  uint64_t index = 0;
  std::string event_id;
  size_t recipients = 0;
  std::string checkpoint;
  bool receipt_verified = false;
};

class Client {
 public:
  // Opens the home and unlocks the device key. NotFound if there is no home;
  // Unauthenticated for a wrong passphrase.
  [[nodiscard]] static Result<std::unique_ptr<Client>> Open(const std::string& home,
                                                            const crypto::SecretBytes& passphrase,
                                                            const Clock& clock);
  ~Client();

  const HomeConfig& config() const { return config_; }

  // Fetches and verifies the partner's directory. Returns one warning per device of this
  // member that this client has not seen before and did not add itself (key transparency);
  // they are remembered so each is reported once.
  [[nodiscard]] Result<std::vector<std::string>> SyncDirectory();
  const space::Directory& directory() const { return directory_; }

  // Admin: enrols a member and returns the one-time device token to hand to them.
  [[nodiscard]] Result<std::string> AddMember(const std::string& handle, const std::string& name,
                                              const std::vector<std::string>& roles,
                                              const std::string& clearance);
  // A device token for `member` (an admin for anyone of the partner; a member for themselves).
  [[nodiscard]] Result<std::string> DeviceToken(const std::string& member);
  [[nodiscard]] Status RevokeDevice(const std::string& device_id, const std::string& reason);

  [[nodiscard]] Result<std::vector<SpaceInfo>> Spaces();
  [[nodiscard]] Result<SpaceInfo> FindSpace(const std::string& name_or_id);
  [[nodiscard]] Result<ledger::SpaceId> CreateSpace(const std::string& name,
                                                    const std::string& policy_yaml,
                                                    const std::vector<std::string>& partners);
  // Joins a space another partner chartered for this partner (admins only): a space.join in
  // this partner's log of the space. The space is in force once every partner has joined.
  [[nodiscard]] Status JoinSpace(const std::string& space);
  [[nodiscard]] Status CreateChannel(const std::string& space, const std::string& channel,
                                     const std::string& ceiling, std::vector<std::string> members);
  // Seals `text` to exactly the devices the label admits in the channel and submits it. A label
  // is canonical text or a banner in any partner's marking.
  [[nodiscard]] Result<SendResult> Send(const std::string& space, const std::string& channel,
                                        const std::string& label, const std::string& text);
  // Every message of the channel from every partner's log, verified and opened where this
  // device may, in (created_ms, origin, index) order.
  [[nodiscard]] Result<std::vector<Message>> Read(const std::string& space,
                                                  const std::string& channel);
  // Calls `on_message` for each message of the channel in each partner's log held by the node,
  // from index `from[origin]` (0 if absent) of that log, first those already there, then each
  // new one as the node pushes it, until `on_message` returns false (OK) or a connection ends
  // (Unavailable). A message is passed on only once a checkpoint signed by its origin's node
  // covers it and matches the tree this client computed from every entry, so `included` is
  // always true. To resume after an outage, call again with each log's next index: nothing is
  // skipped or repeated.
  [[nodiscard]] Status Follow(const std::string& space, const std::string& channel,
                              std::map<std::string, uint64_t> from,
                              const std::function<bool(const Message&)>& on_message);

  // The signed HTTP request, for tools and tests.
  [[nodiscard]] Result<net::HttpResponse> Call(std::string_view method, std::string_view target,
                                               const std::optional<nlohmann::json>& body);

  // ---- For the parts of the library that work in a space (consult.h) ----

  // Every log of the space this node holds, verified, and the state folded from them.
  [[nodiscard]] Result<std::unique_ptr<SpaceView>> LoadSpace(const std::string& space);
  // Signs `draft` with this device's key, submits it and verifies the receipt.
  [[nodiscard]] Result<SendResult> Publish(const space::EventDraft& draft);
  // Opens an event body's envelope with this device's key.
  [[nodiscard]] Result<crypto::SecretBytes> OpenEnvelope(const ledger::EventHeader& header,
                                                         const Bytes& body) const;
  const Clock& clock() const { return clock_; }
  // A WebSocket to `target` on the node, authenticated by this device's signature.
  [[nodiscard]] Result<std::unique_ptr<net::WebSocketClient>> ConnectStream(
      const std::string& target);

 private:
  Client(std::string home, HomeConfig config, crypto::Identity identity, const Clock& clock,
         std::unique_ptr<net::HttpClient> http);
  Result<nlohmann::json> Submit(const std::string& header_b64, const std::string& body_b64);
  Message ToMessage(const SpaceView& view, const std::string& origin, uint64_t index,
                    const ledger::EventHeader& header, const std::optional<Bytes>& body,
                    bool included) const;
  // The node key of `origin`: this node's (pinned at enrolment), or a peer's as this node
  // pinned it. NotFound for a partner the node does not peer with.
  Result<crypto::PublicKey> NodeKeyOf(const std::string& origin);
  Status LoadPeerKeys();

  std::string home_;
  HomeConfig config_;
  crypto::Identity identity_;
  const Clock& clock_;
  std::unique_ptr<net::HttpClient> http_;
  space::Directory directory_;
  std::map<std::string, crypto::PublicKey> peer_keys_;
  bool peers_loaded_ = false;
};

}  // namespace entente::client
