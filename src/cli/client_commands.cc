// The member's commands: `admin bootstrap`, `member`, `device`, `space`, `channel`, `send`,
// `read`. Each opens the client home (--home, else $ENTENTE_HOME, else ~/.entente), unlocks the
// device key (passphrase from $ENTENTE_PASSPHRASE, else asked), calls the client library and
// prints.
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include "base/encoding.h"
#include "cli/cli.h"
#include "cli/client_common.h"
#include "client/client.h"
#include "node/peers.h"

namespace entente::cli {

void AddCommon(CLI::App* cmd, Common& c, bool json) {
  cmd->add_option("--home", c.home, "Client home (default $ENTENTE_HOME, else ~/.entente)");
  if (json) cmd->add_flag("--json", c.json, "Print JSON");
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Result<std::unique_ptr<client::Client>> OpenClient(const Common& c) {
  ENTENTE_ASSIGN_OR_RETURN(auto passphrase, ReadPassphrase(/*confirm=*/false));
  return client::Client::Open(c.Home(), passphrase, SystemClock::Instance());
}

Result<std::function<Result<crypto::PublicKey>(const std::string&)>> NodeKeys(
    const std::vector<std::string>& items, const std::string& node_dir) {
  std::map<std::string, crypto::PublicKey> keys;
  for (const auto& item : items) {
    auto eq = item.find('=');
    auto key = eq == std::string::npos ? Result<Bytes>(InvalidArgument("no ="))
                                       : Base64UrlDecode(item.substr(eq + 1));
    auto parsed = key ? crypto::PublicKey::FromBytes(*key)
                      : Result<crypto::PublicKey>(std::unexpected(key.error()));
    if (!parsed) {
      return InvalidArgument("--node-key \"" + item + "\": expected PARTNER=KEY (base64url)");
    }
    keys.emplace(item.substr(0, eq), *parsed);
  }
  return [keys, node_dir](const std::string& partner) -> Result<crypto::PublicKey> {
    if (auto it = keys.find(partner); it != keys.end()) return it->second;
    if (!node_dir.empty()) return node::PinnedNodeKey(node_dir, partner);
    return NotFound("no node key for " + partner + ": pass --node-key " + partner +
                    "=KEY or --node-dir");
  };
}

void AddTarget(CLI::App* cmd, Target& t) {
  AddCommon(cmd, t.common);
  cmd->add_option("--space", t.space, "The space (default: the only one you are in)");
}

Status SyncAndWarn(client::Client& client) {
  ENTENTE_ASSIGN_OR_RETURN(auto warnings, client.SyncDirectory());
  for (const auto& w : warnings) std::cerr << "entente: " << w << "\n";
  return {};
}

namespace {

nlohmann::json ConfigJson(const client::HomeConfig& config) {
  return {{"member", config.member},
          {"device", config.device},
          {"partner", config.partner},
          {"node", config.node_url},
          {"fingerprint", config.fingerprint}};
}

struct EnrolArgs {
  Common common;
  std::string node, fingerprint, token, handle, name, clearance, device_name;
};

int RunEnrol(const EnrolArgs& a, bool bootstrap) {
  auto passphrase = ReadPassphrase(/*confirm=*/true);
  if (!passphrase) return Fail(passphrase.error());
  client::EnrolOptions options;
  options.home = a.common.Home();
  options.node_url = a.node;
  options.fingerprint = a.fingerprint;
  options.token = a.token;
  options.passphrase = std::move(*passphrase);
  options.device_name = a.device_name;
  options.handle = a.handle;
  options.name = a.name;
  options.clearance = a.clearance;
  auto config = bootstrap ? client::BootstrapAdmin(options, SystemClock::Instance())
                          : client::EnrolDevice(options, SystemClock::Instance());
  if (!config) return Fail(config.error());
  if (a.common.json) {
    PrintJson(ConfigJson(*config));
  } else {
    std::cout << "enrolled device " << config->device << "\n"
              << "member:  " << config->member << "\n"
              << "node:    " << config->node_url << " (" << config->fingerprint << ")\n"
              << "home:    " << options.home << "\n";
  }
  return kExitOk;
}

struct MemberAddArgs {
  Common common;
  std::string handle, name, roles, clearance;
};

int RunMemberAdd(const MemberAddArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  auto token = (*client)->AddMember(a.handle, a.name, SplitList(a.roles), a.clearance);
  if (!token) return Fail(token.error());
  std::string member = a.handle + "@" + (*client)->config().partner;
  if (a.common.json) {
    PrintJson({{"member", member}, {"device_token", *token}});
  } else {
    std::cout << "enrolled member " << member << "\n"
              << "device token: " << *token << "\n\n"
              << "Give the token to " << member << " over a trusted channel; it enrols one\n"
              << "device, once, within 7 days:\n"
              << "  entente device enrol --node " << (*client)->config().node_url
              << " --fingerprint " << (*client)->config().fingerprint << " --token TOKEN\n";
  }
  return kExitOk;
}

int RunMemberList(const Common& c) {
  auto client = OpenClient(c);
  if (!client) return Fail(client.error());
  if (auto s = SyncAndWarn(**client); !s) return Fail(s.error());
  const auto& dir = (*client)->directory();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, m] : dir.members()) {
    size_t active = 0;
    for (const auto& d : m.devices) active += !dir.FindDevice(d)->revoked;
    out.push_back({{"member", id},
                   {"name", m.name},
                   {"roles", m.roles},
                   {"clearance", m.clearance},
                   {"revoked", m.revoked},
                   {"devices", active}});
  }
  if (c.json) {
    PrintJson(out);
    return kExitOk;
  }
  for (const auto& m : out) {
    std::string roles;
    for (const auto& r : m["roles"]) roles += (roles.empty() ? "" : ",") + r.get<std::string>();
    std::cout << m["member"].get<std::string>() << "  " << m["name"].get<std::string>()
              << "  roles=" << roles << "  clearance=" << m["clearance"].get<std::string>()
              << "  devices=" << m["devices"].get<size_t>()
              << (m["revoked"].get<bool>() ? "  REVOKED" : "") << "\n";
  }
  return kExitOk;
}

struct DeviceArgs {
  Common common;
  std::string id, reason, member;
};

int RunDeviceList(const DeviceArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  if (auto s = SyncAndWarn(**client); !s) return Fail(s.error());
  std::string member = a.member.empty() ? (*client)->config().member : a.member;
  const auto& dir = (*client)->directory();
  const space::Member* m = dir.FindMember(member);
  if (m == nullptr) return Fail(Error(ErrorCode::kNotFound, "no member " + member));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : m->devices) {
    const space::Device* d = dir.FindDevice(id);
    out.push_back({{"device", id},
                   {"name", d->name},
                   {"added", FormatRfc3339(FromUnixMs(d->added_ms))},
                   {"added_by", d->added_by},
                   {"revoked", d->revoked},
                   {"this_device", id == (*client)->config().device},
                   {"encryption_key_until",
                    d->encryption ? FormatRfc3339(FromUnixMs(d->encryption->not_after_ms)) : ""}});
  }
  if (a.common.json) {
    PrintJson(out);
    return kExitOk;
  }
  for (const auto& d : out) {
    std::cout << d["device"].get<std::string>() << "  " << d["name"].get<std::string>()
              << "  added " << d["added"].get<std::string>()
              << (d["revoked"].get<bool>() ? "  REVOKED" : "")
              << (d["this_device"].get<bool>() ? "  (this device)" : "") << "\n";
  }
  return kExitOk;
}

int RunDeviceRevoke(const DeviceArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  auto status = (*client)->RevokeDevice(a.id, a.reason);
  if (!status) return Fail(status.error());
  if (a.common.json) {
    PrintJson({{"revoked", a.id}});
  } else {
    std::cout << "revoked device " << a.id << "\n";
  }
  return kExitOk;
}

int RunDeviceInvite(const DeviceArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  std::string member = a.member.empty() ? (*client)->config().member : a.member;
  auto token = (*client)->DeviceToken(member);
  if (!token) return Fail(token.error());
  if (a.common.json) {
    PrintJson({{"member", member}, {"device_token", *token}});
  } else {
    std::cout << "device token for " << member << ": " << *token << "\n";
  }
  return kExitOk;
}

struct SpaceArgs {
  Common common;
  std::string name, policy, partners;
};

int RunSpaceCreate(const SpaceArgs& a) {
  auto policy = ReadFileText(a.policy);
  if (!policy) return Fail(policy.error());
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  auto partners = SplitList(a.partners);
  if (partners.empty()) partners.push_back((*client)->config().partner);
  auto id = (*client)->CreateSpace(a.name, *policy, partners);
  if (!id) return Fail(id.error());
  if (a.common.json) {
    PrintJson({{"space", a.name}, {"id", id->ToHex()}, {"partners", partners}});
  } else {
    std::cout << "created space " << a.name << " (" << id->ToHex() << ")\n";
  }
  return kExitOk;
}

int RunSpaceJoin(const SpaceArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  if (auto joined = (*client)->JoinSpace(a.name); !joined) return Fail(joined.error());
  auto info = (*client)->FindSpace(a.name);
  if (!info) return Fail(info.error());
  if (a.common.json) {
    PrintJson({{"space", info->name},
               {"id", info->id.ToHex()},
               {"joined", info->joined},
               {"in_force", info->in_force}});
  } else {
    std::cout << (*client)->config().partner << " joined space " << info->name << "; "
              << (info->in_force ? "it is in force"
                                 : "it is in force once every partner has joined")
              << "\n";
  }
  return kExitOk;
}

int RunSpaceList(const Common& c) {
  auto client = OpenClient(c);
  if (!client) return Fail(client.error());
  auto spaces = (*client)->Spaces();
  if (!spaces) return Fail(spaces.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : *spaces) {
    nlohmann::json channels = nlohmann::json::array();
    for (const auto& ch : s.channels) {
      channels.push_back({{"name", ch.name}, {"ceiling", ch.ceiling}, {"members", ch.members}});
    }
    out.push_back({{"name", s.name},
                   {"id", s.id.ToHex()},
                   {"partners", s.partners},
                   {"joined", s.joined},
                   {"in_force", s.in_force},
                   {"policy", s.policy},
                   {"entries", s.size},
                   {"logs", s.logs},
                   {"channels", channels}});
  }
  if (c.json) {
    PrintJson(out);
    return kExitOk;
  }
  for (const auto& s : out) {
    std::cout << s["name"].get<std::string>() << "  " << s["id"].get<std::string>()
              << "  policy=" << s["policy"].get<std::string>()
              << "  entries=" << s["entries"].get<uint64_t>()
              << (s["in_force"].get<bool>() ? "" : "  (not in force: waiting for partners to join)")
              << "\n";
    for (const auto& ch : s["channels"]) {
      std::cout << "  #" << ch["name"].get<std::string>()
                << "  ceiling=" << ch["ceiling"].get<std::string>() << "\n";
    }
  }
  return kExitOk;
}

struct ChannelArgs {
  Common common;
  std::string space, name, ceiling, members;
};

int RunChannelCreate(const ChannelArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  auto status = (*client)->CreateChannel(a.space, a.name, a.ceiling, SplitList(a.members));
  if (!status) return Fail(status.error());
  if (a.common.json) {
    PrintJson({{"space", a.space}, {"channel", a.name}});
  } else {
    std::cout << "created channel " << a.name << " in " << a.space << "\n";
  }
  return kExitOk;
}

struct SendArgs {
  Common common;
  std::string space, channel, label, text;
};

int RunSend(const SendArgs& a) {
  std::string text = a.text;
  if (text == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  auto sent = (*client)->Send(a.space, a.channel, a.label, text);
  if (!sent) return Fail(sent.error());
  if (a.common.json) {
    PrintJson({{"index", sent->index},
               {"event_id", sent->event_id},
               {"recipients", sent->recipients},
               {"receipt_verified", sent->receipt_verified}});
  } else {
    std::cout << "sent: entry " << sent->index << ", sealed to " << sent->recipients
              << " device(s), receipt verified\n";
  }
  return kExitOk;
}

struct ReadArgs {
  Common common;
  std::string space, channel;
  bool follow = false;
};

nlohmann::json MessageJson(const client::Message& m) {
  nlohmann::json j = {{"origin", m.origin},
                      {"index", m.index},
                      {"event_id", m.event_id},
                      {"channel", m.channel},
                      {"author", m.author},
                      {"device", m.device},
                      {"created", FormatRfc3339(FromUnixMs(m.created_ms))},
                      {"label", m.label},
                      {"banner", m.banner},
                      {"signature_verified", m.signature_ok},
                      {"inclusion_verified", m.included},
                      {"readable", m.readable}};
  if (m.readable) {
    j["text"] = m.text;
  } else {
    j["unreadable"] = m.unreadable;
  }
  return j;
}

void PrintMessage(const client::Message& m, bool json) {
  if (json) {
    std::cout << MessageJson(m).dump() << "\n" << std::flush;
    return;
  }
  std::cout << "[" << m.banner << "]\n"
            << m.author << "  " << FormatRfc3339(FromUnixMs(m.created_ms)) << "  " << m.origin
            << "#" << m.index << "  signature " << (m.signature_ok ? "ok" : "BAD") << ", log "
            << (m.included ? "ok" : "NOT VERIFIED") << "\n"
            << (m.readable ? m.text : "(" + m.unreadable + ")") << "\n\n"
            << std::flush;
}

int RunRead(const ReadArgs& a) {
  auto client = OpenClient(a.common);
  if (!client) return Fail(client.error());
  if (auto s = SyncAndWarn(**client); !s) return Fail(s.error());
  if (a.follow) {
    // --json prints one JSON object per line (JSON Lines) as messages arrive. A lost connection
    // is retried, resuming after the last message printed: nothing is skipped or repeated.
    std::map<std::string, uint64_t> next;  // per partner's log
    int failures = 0;
    for (;;) {
      auto status = (*client)->Follow(a.space, a.channel, next, [&](const client::Message& m) {
        PrintMessage(m, a.common.json);
        next[m.origin] = m.index + 1;
        failures = 0;
        return true;
      });
      if (status) return kExitOk;
      if (status.error().code() != ErrorCode::kUnavailable || ++failures > 60) {
        return Fail(status.error());
      }
      std::cerr << "entente: " << status.error().message() << "; reconnecting\n" << std::flush;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  auto messages = (*client)->Read(a.space, a.channel);
  if (!messages) return Fail(messages.error());
  if (a.common.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : *messages) out.push_back(MessageJson(m));
    PrintJson(out);
    return kExitOk;
  }
  for (const auto& m : *messages) PrintMessage(m, false);
  return kExitOk;
}

}  // namespace

void AddClientCommands(CLI::App& app, int* exit_code) {
  // admin bootstrap
  auto* admin = app.add_subcommand("admin", "A partner's first administrator");
  admin->require_subcommand(1);
  auto* bootstrap =
      admin->add_subcommand("bootstrap", "Enrol the first admin with the node's token");
  bootstrap->footer(
      "Pins the node's TLS certificate (refusing any other), creates this device's keys in the\n"
      "home (passphrase from $ENTENTE_PASSPHRASE, else asked twice) and enrols handle@PARTNER\n"
      "as the partner's first admin with the one-time token from `entente node init`.\n"
      "Without --clearance the admin reads no labelled content.\nExample:\n"
      "  entente admin bootstrap --node https://127.0.0.1:8443 --fingerprint sha256:... \\\n"
      "    --token entente-enrol-... --handle admin --name \"Jordan Lee\"");
  auto ba = std::make_shared<EnrolArgs>();
  AddCommon(bootstrap, ba->common);
  bootstrap->add_option("--node", ba->node, "Node URL (https://HOST:PORT)")->required();
  bootstrap->add_option("--fingerprint", ba->fingerprint, "Node TLS fingerprint (sha256:...)")
      ->required();
  bootstrap->add_option("--token", ba->token, "The node's admin enrolment token")->required();
  bootstrap->add_option("--handle", ba->handle, "Your handle, e.g. admin")->required();
  bootstrap->add_option("--name", ba->name, "Your name");
  bootstrap->add_option("--clearance", ba->clearance, "Your clearance, e.g. USKR;TS;REL=USA");
  bootstrap->add_option("--device-name", ba->device_name, "A name for this device");
  bootstrap->callback([ba, exit_code] { *exit_code = RunEnrol(*ba, true); });

  // member
  auto* member = app.add_subcommand("member", "Enrol and list a partner's members");
  member->require_subcommand(1);
  auto* add = member->add_subcommand("add", "Enrol a member of your partner (admin)");
  add->footer(
      "Appends a member.enroll event to your partner's directory and prints a one-time device\n"
      "token for the member's first device. Roles and clearance follow the spaces' policies.\n"
      "Example:\n  entente member add alice --name \"Alice Park\" --roles co-chair "
      "--clearance \"USKR;S;REL=USA\"");
  auto ma = std::make_shared<MemberAddArgs>();
  AddCommon(add, ma->common);
  add->add_option("handle", ma->handle, "The member's handle (becomes handle@PARTNER)")->required();
  add->add_option("--name", ma->name, "The member's name");
  add->add_option("--roles", ma->roles, "Comma-separated roles, e.g. co-chair")->required();
  add->add_option("--clearance", ma->clearance, "Clearance, e.g. USKR;S;REL=USA")->required();
  add->callback([ma, exit_code] { *exit_code = RunMemberAdd(*ma); });
  auto* list = member->add_subcommand("list", "List your partner's members");
  auto ml = std::make_shared<Common>();
  AddCommon(list, *ml);
  list->callback([ml, exit_code] { *exit_code = RunMemberList(*ml); });

  // device
  auto* device = app.add_subcommand("device", "Enrol, list and revoke devices");
  device->require_subcommand(1);
  auto* enrol = device->add_subcommand("enrol", "Enrol this device with a device token");
  enrol->footer(
      "Pins the node's TLS certificate, creates this device's keys (passphrase from\n"
      "$ENTENTE_PASSPHRASE, else asked twice) and enrols it for the member the token was\n"
      "issued to.\nExample:\n  entente device enrol --node https://127.0.0.1:8443 "
      "--fingerprint sha256:... --token entente-device-...");
  auto ea = std::make_shared<EnrolArgs>();
  AddCommon(enrol, ea->common);
  enrol->add_option("--node", ea->node, "Node URL (https://HOST:PORT)")->required();
  enrol->add_option("--fingerprint", ea->fingerprint, "Node TLS fingerprint (sha256:...)")
      ->required();
  enrol->add_option("--token", ea->token, "Device enrolment token")->required();
  enrol->add_option("--device-name", ea->device_name, "A name for this device");
  enrol->callback([ea, exit_code] { *exit_code = RunEnrol(*ea, false); });
  auto* dlist = device->add_subcommand("list", "List a member's devices (yours by default)");
  auto dl = std::make_shared<DeviceArgs>();
  AddCommon(dlist, dl->common);
  dlist->add_option("--member", dl->member, "Another member, e.g. alice@USA");
  dlist->callback([dl, exit_code] { *exit_code = RunDeviceList(*dl); });
  auto* revoke = device->add_subcommand("revoke", "Revoke a device (yours, or any as admin)");
  revoke->footer("Example:\n  entente device revoke <device-id> --reason \"laptop lost\"");
  auto dr = std::make_shared<DeviceArgs>();
  AddCommon(revoke, dr->common);
  revoke->add_option("id", dr->id, "Device id (from `entente device list`)")->required();
  revoke->add_option("--reason", dr->reason, "Why");
  revoke->callback([dr, exit_code] { *exit_code = RunDeviceRevoke(*dr); });
  auto* invite = device->add_subcommand("invite", "Get a token to enrol another device");
  invite->footer("Example:\n  entente device invite            # for your own next device");
  auto di = std::make_shared<DeviceArgs>();
  AddCommon(invite, di->common);
  invite->add_option("--member", di->member, "For another member (admin)");
  invite->callback([di, exit_code] { *exit_code = RunDeviceInvite(*di); });

  // space
  auto* space = app.add_subcommand("space", "Create, join and list spaces");
  space->require_subcommand(1);
  auto* screate = space->add_subcommand("create", "Charter a space under a policy (admin)");
  screate->footer(
      "Each other partner's admin then joins it (entente space join NAME) through its own\n"
      "node; the space takes channels and messages once every partner has joined.\nExample:\n"
      "  entente space create --name NCG --policy examples/policy-uskr.yaml --partners USA,KOR");
  auto sa = std::make_shared<SpaceArgs>();
  AddCommon(screate, sa->common);
  screate->add_option("--name", sa->name, "Space name, e.g. NCG")->required();
  screate->add_option("--policy", sa->policy, "Policy YAML file")->required();
  screate->add_option("--partners", sa->partners, "Comma-separated partner codes");
  screate->callback([sa, exit_code] { *exit_code = RunSpaceCreate(*sa); });
  auto* sjoin = space->add_subcommand("join", "Join a space another partner chartered (admin)");
  sjoin->footer(
      "Records your partner's joining in its own log of the space. The charter reaches your\n"
      "node from the chartering partner's node (entente node peer add).\nExample:\n"
      "  entente space join NCG");
  auto sj = std::make_shared<SpaceArgs>();
  AddCommon(sjoin, sj->common);
  sjoin->add_option("space", sj->name, "Space name or id")->required();
  sjoin->callback([sj, exit_code] { *exit_code = RunSpaceJoin(*sj); });
  auto* slist = space->add_subcommand("list", "List the spaces you can see");
  auto sl = std::make_shared<Common>();
  AddCommon(slist, *sl);
  slist->callback([sl, exit_code] { *exit_code = RunSpaceList(*sl); });

  // channel
  auto* channel = app.add_subcommand("channel", "Create channels");
  channel->require_subcommand(1);
  auto* ccreate = channel->add_subcommand("create", "Create a channel with a ceiling label");
  ccreate->footer(
      "You are always a member. Example:\n  entente channel create --space NCG --name plenary "
      "--ceiling \"USKR;S;P:REL=USA\" --members alice@USA,bob@USA");
  auto ca = std::make_shared<ChannelArgs>();
  AddCommon(ccreate, ca->common);
  ccreate->add_option("--space", ca->space, "Space name")->required();
  ccreate->add_option("--name", ca->name, "Channel name (a-z, 0-9, -)")->required();
  ccreate->add_option("--ceiling", ca->ceiling, "Highest label (canonical or banner)")->required();
  ccreate->add_option("--members", ca->members, "Comma-separated member ids");
  ccreate->callback([ca, exit_code] { *exit_code = RunChannelCreate(*ca); });

  // send / read
  auto* send = app.add_subcommand("send", "Send a labelled, end-to-end encrypted message");
  send->footer(
      "Seals the text to exactly the devices of channel members cleared for the label.\n"
      "Example:\n  entente send --space NCG --channel plenary --label \"SECRET//REL TO USA\" "
      "\"Draft agenda attached\"\n  echo text | entente send --space NCG --channel plenary "
      "--label \"USKR;U\" -");
  auto na = std::make_shared<SendArgs>();
  AddCommon(send, na->common);
  send->add_option("--space", na->space, "Space name")->required();
  send->add_option("--channel", na->channel, "Channel name")->required();
  send->add_option("--label", na->label, "Label, canonical or a banner")->required();
  send->add_option("text", na->text, "The message; - reads standard input")->required();
  send->callback([na, exit_code] { *exit_code = RunSend(*na); });
  auto* read = app.add_subcommand("read", "Read a channel, verified, in your national marking");
  read->footer(
      "Each message shows its banner, author, time and whether its signature and log\n"
      "inclusion verify. --follow keeps printing new messages (JSON Lines with --json).\n"
      "Example:\n  entente read --space NCG --channel plenary --follow");
  auto ra = std::make_shared<ReadArgs>();
  AddCommon(read, ra->common);
  read->add_option("--space", ra->space, "Space name")->required();
  read->add_option("--channel", ra->channel, "Channel name")->required();
  read->add_flag("--follow", ra->follow, "Keep printing new messages");
  read->callback([ra, exit_code] { *exit_code = RunRead(*ra); });
}

}  // namespace entente::cli
