#include "node/core.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "base/encoding.h"
#include "ledger/envelope.h"
#include "ledger/kinds.h"
#include "ledger/note.h"
#include "space/meta.h"
#include "space/names.h"
#include "store/store_hash_source.h"

namespace entente::node {
namespace {

using namespace ledger::kind;  // NOLINT(google-build-using-namespace)

}  // namespace

NodeCore::NodeCore(std::string partner, crypto::SigningKey node_key, store::Store& store,
                   const Clock& clock, TokenBook& tokens)
    : partner_(std::move(partner)),
      node_key_(std::move(node_key)),
      store_(store),
      clock_(clock),
      tokens_(tokens),
      directory_id_(space::DirectorySpaceId(partner_)),
      committer_(store) {}

Result<NodeCore::Decoded> NodeCore::Decode(const WireEvent& event) const {
  Decoded d;
  ENTENTE_ASSIGN_OR_RETURN(d.header, ledger::DecodeHeader(event.header));
  if (!event.body) return InvalidArgument("event: the body is missing");
  if (!ledger::CheckBodyHash(d.header, *event.body)) {
    return InvalidArgument("event: the body does not match the header's body_hash");
  }
  ENTENTE_ASSIGN_OR_RETURN(d.body, ledger::DecodeBody(*event.body));
  auto valid = ledger::ValidateMeta(d.header.kind, d.body.meta, !d.body.envelope.empty());
  if (!valid) return std::unexpected(valid.error().WithContext("event meta"));
  ENTENTE_ASSIGN_OR_RETURN(d.meta, space::ParseMeta(d.body.meta));
  if (!d.body.envelope.empty()) {
    ENTENTE_ASSIGN_OR_RETURN(auto envelope, ledger::DecodeEnvelope(d.body.envelope));
    d.recipients = envelope.RecipientKeys();
  }
  return d;
}

Result<NodeCore::Decoded> NodeCore::Admit(const crypto::PublicKey& submitter,
                                          const WireEvent& event) const {
  ENTENTE_ASSIGN_OR_RETURN(Decoded d, Decode(event));
  ENTENTE_RETURN_IF_ERROR(ledger::VerifyHeaderSignature(d.header));
  if (d.header.author != submitter) {
    return PermissionDenied("event: the author is not the submitting device");
  }
  if (d.header.origin != partner_) {
    return PermissionDenied("event: this node records only " + partner_ + "'s events, not " +
                            d.header.origin + "'s");
  }
  ENTENTE_RETURN_IF_ERROR(ledger::CheckClockSkew(d.header, clock_.Now()));
  return d;
}

void NodeCore::Apply(const Decoded& d, uint64_t index) {
  space::FoldEvent fold{d.header, d.meta, d.recipients};
  if (space::DirectorySpaceId(d.header.origin) == d.header.space_id) {
    directory_.Apply(fold);
    return;
  }
  if (d.header.kind == kMessagePost) return;  // changes no state
  if (consult::IsConsultKind(d.header.kind)) {
    consult_events_[d.header.space_id][d.header.origin].push_back(
        ConsultEntry{d.header, d.meta, d.recipients, index});
    // In merge order after every event folded so far (the usual case): fold just this one.
    auto book = books_.find(d.header.space_id);
    auto key = std::tie(d.header.created_ms, d.header.origin, index);
    auto& last = last_consult_[d.header.space_id];
    if (book != books_.end() && (!last || key > std::tie(last->ms, last->origin, last->index)) &&
        d.header.created_ms >= book->second->adopted_by_time_until()) {
      book->second->Apply(fold, index, directory_);
      last = LastFolded{d.header.created_ms, d.header.origin, index};
      return;
    }
    RebuildBook(d.header.space_id);
    return;
  }
  if (agenda::IsAgendaKind(d.header.kind)) {
    agenda_events_[d.header.space_id][d.header.origin].push_back(
        ConsultEntry{d.header, d.meta, d.recipients, index});
    RebuildAgenda(d.header.space_id);
    return;
  }
  structural_[d.header.space_id][d.header.origin].push_back(
      Structural{d.header, d.meta, d.recipients});
  RebuildSpace(d.header.space_id);
}

void NodeCore::RebuildAgenda(const ledger::SpaceId& space) {
  auto state = spaces_.find(space);
  if (state == spaces_.end()) return;
  auto book = std::make_unique<agenda::Book>(*state->second);
  std::vector<const std::vector<ConsultEntry>*> logs;
  std::vector<std::vector<uint64_t>> times;
  std::vector<std::string> origins;
  for (const auto& [origin, events] : agenda_events_[space]) {
    logs.push_back(&events);
    origins.push_back(origin);
    auto& t = times.emplace_back();
    for (const auto& e : events) t.push_back(e.header.created_ms);
  }
  for (auto [log, position] : space::MergeOrder(times, origins)) {
    const ConsultEntry& e = (*logs[log])[position];
    book->Apply(space::FoldEvent{e.header, e.meta, e.recipients}, e.index, directory_);
  }
  agendas_[space] = std::move(book);
}

void NodeCore::RebuildBook(const ledger::SpaceId& space) {
  auto state = spaces_.find(space);
  if (state == spaces_.end()) return;
  auto book = std::make_unique<consult::Book>(*state->second);
  std::vector<const std::vector<ConsultEntry>*> logs;
  std::vector<std::vector<uint64_t>> times;
  std::vector<std::string> origins;
  for (const auto& [origin, events] : consult_events_[space]) {
    logs.push_back(&events);
    origins.push_back(origin);
    auto& t = times.emplace_back();
    for (const auto& e : events) t.push_back(e.header.created_ms);
  }
  std::optional<LastFolded> last;
  for (auto [log, position] : space::MergeOrder(times, origins)) {
    const ConsultEntry& e = (*logs[log])[position];
    book->Apply(space::FoldEvent{e.header, e.meta, e.recipients}, e.index, directory_);
    last = LastFolded{e.header.created_ms, e.header.origin, e.index};
  }
  books_[space] = std::move(book);
  last_consult_[space] = last;
}

bool NodeCore::ConsultationIncludes(const ledger::EventHeader& header,
                                    std::string_view partner) const {
  auto book = books_.find(header.space_id);
  if (book == books_.end()) return false;
  std::string id = header.kind == 0x0400 ? header.event_id.ToHex() : HexEncode(header.subject);
  const consult::Consultation* c = book->second->Find(id);
  return c != nullptr && c->IsParticipant(partner);
}

void NodeCore::RebuildSpace(const ledger::SpaceId& space) {
  const auto& by_origin = structural_[space];
  std::vector<const std::vector<Structural>*> logs;
  std::vector<std::vector<uint64_t>> times;
  std::vector<std::string> origins;
  for (const auto& [origin, events] : by_origin) {
    logs.push_back(&events);
    origins.push_back(origin);
    auto& t = times.emplace_back();
    for (const auto& e : events) t.push_back(e.header.created_ms);
  }
  auto state = std::make_unique<space::SpaceState>(space);
  for (auto [log, position] : space::MergeOrder(times, origins)) {
    const Structural& e = (*logs[log])[position];
    // Each was checked when it was appended or mirrored; folding them in the merge order makes
    // every party's state the same.
    state->Apply(space::FoldEvent{e.header, e.meta, e.recipients}, directory_);
  }
  if (state->chartered()) {
    spaces_[space] = std::move(state);
    RebuildBook(space);  // the books refer to the space's state
    RebuildAgenda(space);
  }
}

Status NodeCore::Load() {
  ENTENTE_RETURN_IF_ERROR(store_.CreateLog({directory_id_, partner_}, store::LogRole::kOwn));
  ENTENTE_ASSIGN_OR_RETURN(auto logs, store_.Logs());
  // Directories first: space events refer to members and devices.
  std::stable_partition(logs.begin(), logs.end(), [&](const auto& log) {
    return space::DirectorySpaceId(log.first.origin) == log.first.space;
  });
  std::unique_lock lock(state_mu_);
  for (const auto& [log, role] : logs) {
    if (role == store::LogRole::kOwn && log.origin != partner_) continue;
    ENTENTE_ASSIGN_OR_RETURN(auto flags, store_.Flags(log));
    std::set<uint64_t> flagged;
    for (const auto& f : flags) flagged.insert(f.first);
    flagged_.fetch_add(flags.size(), std::memory_order_relaxed);
    ENTENTE_ASSIGN_OR_RETURN(uint64_t size, store_.TreeSize(log));
    constexpr uint64_t kChunk = 1024;
    for (uint64_t begin = 0; begin < size; begin += kChunk) {
      uint64_t end = std::min(size, begin + kChunk);
      ENTENTE_ASSIGN_OR_RETURN(auto leaves, store_.Leaves(log, begin, end));
      for (uint64_t i = begin; i < end; ++i) {
        if (flagged.contains(i)) continue;
        ENTENTE_ASSIGN_OR_RETURN(auto body, store_.Body(log, i));
        if (!body) continue;  // withheld or shredded: no state in it
        auto d = Decode(WireEvent{std::move(leaves[i - begin]), std::move(body)});
        if (!d) {
          return DataLoss("log " + log.space.ToHex() + "/" + log.origin + " entry " +
                          std::to_string(i) + ": " + d.error().message());
        }
        Apply(*d, i);
      }
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(auto stored_alarms, store_.Alarms());
  std::lock_guard peers_lock(peers_mu_);
  for (auto& a : stored_alarms) {
    alarms_.push_back({a.log, a.at_ms, nlohmann::json::parse(a.evidence, nullptr, false)});
  }
  return {};
}

std::optional<crypto::PublicKey> NodeCore::ActiveDevice(std::string_view device_id) const {
  auto key = space::ParseDeviceId(device_id);
  if (!key) return std::nullopt;
  std::shared_lock lock(state_mu_);
  const space::Member* member = directory_.ActiveMemberOf(*key);
  if (member == nullptr || member->partner != partner_) return std::nullopt;
  return *key;
}

std::string NodeCore::MemberOf(const crypto::PublicKey& device) const {
  std::shared_lock lock(state_mu_);
  const space::Member* member = directory_.ActiveMemberOf(device);
  return member != nullptr ? member->id : "";
}

Result<std::pair<uint64_t, std::string>> NodeCore::CheckpointCovering(const store::LogKey& log,
                                                                      uint64_t min_size) {
  std::lock_guard lock(checkpoint_mu_);
  auto it = checkpoints_.find(log);
  if (it == checkpoints_.end()) {
    ENTENTE_ASSIGN_OR_RETURN(auto latest, store_.LatestCheckpoint(log));
    if (latest) {
      it = checkpoints_.emplace(log, SignedCheckpoint{latest->tree_size, latest->note, true}).first;
    }
  }
  if (it != checkpoints_.end() && min_size > 0 && it->second.size >= min_size) {
    return std::pair{it->second.size, it->second.note};
  }
  ENTENTE_ASSIGN_OR_RETURN(uint64_t size, store_.TreeSize(log));
  if (it == checkpoints_.end() || it->second.size != size) {
    // One signature covers everything appended so far, so a group commit pays for one. The
    // log only grows, so every checkpoint signed here is consistent with every earlier one.
    ledger::Checkpoint checkpoint;
    ENTENTE_ASSIGN_OR_RETURN(checkpoint.origin,
                             ledger::EntenteOrigin(log.space.view(), log.origin));
    checkpoint.size = ledger::TreeSize(size);
    ENTENTE_ASSIGN_OR_RETURN(checkpoint.root, store_.RootHash(log, size));
    ENTENTE_ASSIGN_OR_RETURN(std::string note, ledger::SignCheckpoint(checkpoint, node_key_));
    it = checkpoints_.insert_or_assign(log, SignedCheckpoint{size, std::move(note), false}).first;
  }
  // Stored at most once a second: a checkpoint not yet stored when the node crashes
  // is signed again, byte for byte the same (Ed25519 is deterministic), when next needed.
  auto now = std::chrono::steady_clock::now();
  if (!it->second.stored && now - last_stored_ >= std::chrono::seconds(1)) {
    ENTENTE_RETURN_IF_ERROR(store_.PutCheckpoint(log, {it->second.size, it->second.note}));
    it->second.stored = true;
    last_stored_ = now;
  }
  return std::pair{it->second.size, it->second.note};
}

Result<Receipt> NodeCore::MakeReceipt(const store::LogKey& log, uint64_t index) {
  ENTENTE_ASSIGN_OR_RETURN(auto checkpoint, CheckpointCovering(log, index + 1));
  store::StoreHashSource source(store_, log);
  ENTENTE_ASSIGN_OR_RETURN(auto proof, ledger::ProveInclusion(source, ledger::LeafIndex(index),
                                                              ledger::TreeSize(checkpoint.first)));
  return Receipt{log, index, checkpoint.second, std::move(proof)};
}

Result<Receipt> NodeCore::Submit(const crypto::PublicKey& submitter, const WireEvent& event) {
  ENTENTE_ASSIGN_OR_RETURN(Decoded d, Admit(submitter, event));
  const auto& h = d.header;
  store::LogKey log{h.space_id, partner_};
  store::NewEvent stored{h.event_id, event.header, event.body};
  space::FoldEvent fold{d.header, d.meta, d.recipients};
  uint64_t index = 0;
  if (h.kind == kMessagePost && !IsDirectory(h.space_id)) {
    // Messages change no state: they share the lock and commit in groups.
    std::shared_lock lock(state_mu_);
    auto it = spaces_.find(h.space_id);
    if (it == spaces_.end()) return NotFound("no space " + h.space_id.ToHex() + " on this node");
    ENTENTE_RETURN_IF_ERROR(it->second->Check(fold, directory_));
    ENTENTE_ASSIGN_OR_RETURN(index, committer_.Append(log, stored));
  } else {
    std::unique_lock lock(state_mu_);
    if (IsDirectory(h.space_id)) {
      ENTENTE_RETURN_IF_ERROR(directory_.Check(fold));
    } else {
      auto it = spaces_.find(h.space_id);
      if (h.kind == kSpaceCharter) {
        if (it != spaces_.end()) return AlreadyExists("space " + h.space_id.ToHex() + " exists");
        std::string name = d.meta.value("name", "");
        for (const auto& [id, other] : spaces_) {
          if (other->name() == name) return AlreadyExists("a space named " + name + " exists");
        }
        space::SpaceState draft(h.space_id);
        ENTENTE_RETURN_IF_ERROR(draft.Check(fold, directory_));
      } else {
        if (it == spaces_.end())
          return NotFound("no space " + h.space_id.ToHex() + " on this node");
        ENTENTE_RETURN_IF_ERROR(it->second->Check(fold, directory_));
        if (consult::IsConsultKind(h.kind)) {
          auto book = books_.find(h.space_id);
          if (book == books_.end()) return Internal("space " + h.space_id.ToHex() + " has no book");
          ENTENTE_RETURN_IF_ERROR(book->second->Check(fold, directory_));
        }
        if (agenda::IsAgendaKind(h.kind)) {
          auto book = agendas_.find(h.space_id);
          if (book == agendas_.end()) {
            return Internal("space " + h.space_id.ToHex() + " has no agenda");
          }
          ENTENTE_RETURN_IF_ERROR(book->second->Check(fold, directory_));
        }
      }
      // A partner's first event in a space it joins opens its log of the space.
      ENTENTE_RETURN_IF_ERROR(store_.CreateLog(log, store::LogRole::kOwn));
    }
    ENTENTE_ASSIGN_OR_RETURN(index, committer_.Append(log, stored));
    Apply(d, index);
  }
  ingested_.fetch_add(1, std::memory_order_relaxed);
  if (listener_) listener_(log, index + 1);
  return MakeReceipt(log, index);
}

Result<std::vector<Receipt>> NodeCore::Enrol(std::string_view token,
                                             const std::vector<WireEvent>& events) {
  ENTENTE_ASSIGN_OR_RETURN(TokenGrant grant, tokens_.Peek(token, clock_.Now()));
  std::vector<uint16_t> expected =
      grant.kind == TokenGrant::Kind::kAdmin
          ? std::vector<uint16_t>{kMemberEnroll, kDeviceAdd, kDeviceKeys}
          : std::vector<uint16_t>{kDeviceAdd, kDeviceKeys};
  if (events.size() != expected.size()) {
    return InvalidArgument("enrol: expected " + std::to_string(expected.size()) + " events, got " +
                           std::to_string(events.size()));
  }
  std::vector<Decoded> decoded;
  for (size_t i = 0; i < events.size(); ++i) {
    ENTENTE_ASSIGN_OR_RETURN(Decoded d, Decode(events[i]));
    if (d.header.kind != expected[i]) {
      const auto* kind = ledger::FindKind(expected[i]);
      return InvalidArgument("enrol: event " + std::to_string(i) + " must be " +
                             std::string(kind->name));
    }
    // Every event is the new device's own.
    crypto::PublicKey author = decoded.empty() ? d.header.author : decoded.front().header.author;
    ENTENTE_ASSIGN_OR_RETURN(d, Admit(author, events[i]));
    if (!IsDirectory(d.header.space_id)) {
      return InvalidArgument("enrol: events belong in " + partner_ + "'s directory");
    }
    decoded.push_back(std::move(d));
  }
  const auto& device_add = decoded[expected.size() - 2];
  if (device_add.meta.value("device_key", "") != space::DeviceIdOf(device_add.header.author)) {
    return InvalidArgument("enrol: device.add must add the enrolling device itself");
  }
  if (grant.kind == TokenGrant::Kind::kDevice &&
      device_add.meta.value("member", "") != grant.member) {
    return PermissionDenied("enrol: this token enrols a device of " + grant.member);
  }
  store::LogKey log{directory_id_, partner_};
  std::vector<uint64_t> indices;
  {
    std::unique_lock lock(state_mu_);
    space::Directory next = directory_;
    for (const auto& d : decoded) {
      ENTENTE_RETURN_IF_ERROR(next.Fold(space::FoldEvent{d.header, d.meta, d.recipients}));
    }
    // Consumed before the append: a crash in between wastes the token, never reuses it.
    ENTENTE_RETURN_IF_ERROR(tokens_.Consume(token, clock_.Now()));
    std::vector<store::NewEvent> batch;
    batch.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      batch.push_back({decoded[i].header.event_id, events[i].header, events[i].body});
    }
    ENTENTE_ASSIGN_OR_RETURN(indices, store_.AppendEvents(log, batch));
    directory_ = std::move(next);
  }
  ingested_.fetch_add(events.size(), std::memory_order_relaxed);
  if (listener_) listener_(log, indices.back() + 1);
  std::vector<Receipt> receipts;
  for (uint64_t index : indices) {
    ENTENTE_ASSIGN_OR_RETURN(auto receipt, MakeReceipt(log, index));
    receipts.push_back(std::move(receipt));
  }
  return receipts;
}

Result<std::string> NodeCore::IssueDeviceToken(const crypto::PublicKey& requester,
                                               std::string_view member_id) {
  {
    std::shared_lock lock(state_mu_);
    const space::Member* asker = directory_.ActiveMemberOf(requester);
    if (asker == nullptr || asker->partner != partner_) {
      return PermissionDenied("device token: the requester is not an active device");
    }
    const space::Member* member = directory_.FindMember(member_id);
    if (member == nullptr || member->partner != partner_ || member->revoked) {
      return NotFound("device token: no active member " + std::string(member_id) + " at " +
                      partner_);
    }
    if (asker->id != member->id && !asker->HasRole(space::kAdminRole)) {
      return PermissionDenied("device token: only an admin or " + member->id +
                              " may enrol a device for " + member->id);
    }
  }
  return tokens_.IssueDeviceToken(std::string(member_id), clock_.Now());
}

std::vector<SpaceSummary> NodeCore::Spaces(const crypto::PublicKey& reader) const {
  std::shared_lock lock(state_mu_);
  std::vector<SpaceSummary> out;
  const space::Member* member = directory_.ActiveMemberOf(reader);
  if (member == nullptr) return out;
  for (const auto& [id, state] : spaces_) {
    if (!state->HasPartner(member->partner)) continue;
    SpaceSummary s{id, state->name(), state->partners(), state->policy()->id(), 0, {}, {}, {}};
    for (const auto& p : state->partners()) {
      auto size = store_.TreeSize({id, p});
      if (size) s.logs[p] = *size;
    }
    s.size = s.logs.contains(partner_) ? s.logs[partner_] : 0;
    s.joined = state->joined();
    for (const auto& [name, channel] : state->channels()) {
      if (!channel.HasMember(member->id)) continue;
      s.channels.push_back({name, channel.ceiling.ToString(), channel.members});
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<ledger::SpaceId> NodeCore::FindSpace(std::string_view name_or_id) const {
  std::shared_lock lock(state_mu_);
  for (const auto& [id, state] : spaces_) {
    if (state->name() == name_or_id || id.ToHex() == name_or_id) return id;
  }
  if (name_or_id == "directory" || name_or_id == directory_id_.ToHex()) return directory_id_;
  return NotFound("no space \"" + std::string(name_or_id) + "\" on this node");
}

Status NodeCore::MayFollow(const crypto::PublicKey& reader, const ledger::SpaceId& space) const {
  std::shared_lock lock(state_mu_);
  const space::Member* member = directory_.ActiveMemberOf(reader);
  if (member == nullptr) return PermissionDenied("the reader is not an active device");
  if (IsDirectory(space)) return {};
  {
    std::lock_guard peers_lock(peers_mu_);
    for (const auto& p : peers_) {
      if (space::DirectorySpaceId(p.partner) == space) return {};
    }
  }
  auto it = spaces_.find(space);
  if (it == spaces_.end()) return NotFound("no space " + space.ToHex() + " on this node");
  if (!it->second->HasPartner(member->partner)) {
    return PermissionDenied(member->partner + " is not a partner of space " + it->second->name());
  }
  return {};
}

bool NodeCore::MayReadBody(const crypto::PublicKey& reader,
                           const ledger::EventHeader& header) const {
  std::shared_lock lock(state_mu_);
  const space::Member* member = directory_.ActiveMemberOf(reader);
  if (member == nullptr) return false;
  if (space::DirectorySpaceId(header.origin) == header.space_id) return true;
  auto it = spaces_.find(header.space_id);
  if (it == spaces_.end() || !it->second->HasPartner(member->partner)) return false;
  const auto* kind = ledger::FindKind(header.kind);
  if (kind == nullptr) return false;
  if (consult::IsConsultKind(header.kind)) {
    // A consultation's events go to its participants' members whose clearance admits them.
    if (!ConsultationIncludes(header, member->partner)) return false;
    auto clearance = it->second->ClearanceOf(*member);
    auto label = label::ParseLabel(it->second->policy(), header.label);
    return clearance && label && label::Access(*clearance, *label).admitted();
  }
  if ((header.kind >> 8) == 0x06 || agenda::IsAgendaKind(header.kind)) {
    // An exercise's own events and the agenda's (statements, workstreams, meetings) go to every
    // member of the space whose clearance admits them.
    auto clearance = it->second->ClearanceOf(*member);
    auto label = label::ParseLabel(it->second->policy(), header.label);
    return clearance && label && label::Access(*clearance, *label).admitted();
  }
  if (!kind->has_envelope) return true;
  const space::Channel* channel = nullptr;
  if (header.kind == kChannelCreate) {
    channel = it->second->FindChannel(header.event_id);
  } else if (header.subject.size() == ledger::EventId::kSize) {
    channel = it->second->FindChannel(ledger::EventId::FromBytes(header.subject).value());
  }
  if (channel == nullptr) return false;
  auto label = label::ParseLabel(it->second->policy(), header.label);
  return label && it->second->MayRead(*member, *channel, *label);
}

Result<LogPage> NodeCore::ReadLog(const crypto::PublicKey& reader, const ledger::SpaceId& space,
                                  const std::string& origin, uint64_t from, size_t limit) {
  if (!IsDirectory(space) || origin != partner_) {
    ENTENTE_RETURN_IF_ERROR(MayFollow(reader, space));
  }
  LogPage page;
  page.log = {space, origin};
  if (origin == partner_) {
    ENTENTE_ASSIGN_OR_RETURN(auto checkpoint, CheckpointCovering(page.log, 0));
    page.tree_size = checkpoint.first;
    page.checkpoint = checkpoint.second;
  } else {
    // A mirror: the origin's latest checkpoint verified here, which covers every entry held.
    {
      std::lock_guard lock(checkpoint_mu_);
      auto it = mirror_checkpoints_.find(page.log);
      if (it != mirror_checkpoints_.end()) {
        page.tree_size = it->second.checkpoint.tree_size;
        page.checkpoint = it->second.checkpoint.note;
      }
    }
    auto latest = page.checkpoint.empty()
                      ? store_.LatestCheckpoint(page.log)
                      : Result<std::optional<store::StoredCheckpoint>>(
                            store::StoredCheckpoint{page.tree_size, page.checkpoint});
    if (!latest) {
      if (latest.error().code() == ErrorCode::kNotFound) {
        return NotFound("no log of " + origin + " for space " + space.ToHex() + " here (yet)");
      }
      return std::unexpected(latest.error());
    }
    if (!*latest) return page;
    page.tree_size = (*latest)->tree_size;
    page.checkpoint = (*latest)->note;
  }
  uint64_t end = std::min<uint64_t>(page.tree_size, from + std::min<size_t>(limit, 10'000));
  if (from >= end) return page;
  ENTENTE_ASSIGN_OR_RETURN(auto leaves, store_.Leaves(page.log, from, end));
  std::map<uint64_t, std::string> flags;
  if (origin != partner_) {
    ENTENTE_ASSIGN_OR_RETURN(auto all, store_.Flags(page.log));
    flags.insert(all.begin(), all.end());
  }
  for (uint64_t i = from; i < end; ++i) {
    LogPage::Entry entry{i, std::move(leaves[i - from]), std::nullopt, ""};
    auto header = ledger::DecodeHeader(entry.header);
    if (header && MayReadBody(reader, *header)) {
      ENTENTE_ASSIGN_OR_RETURN(entry.body, store_.Body(page.log, i));
    }
    if (auto f = flags.find(i); f != flags.end()) entry.flagged = f->second;
    page.entries.push_back(std::move(entry));
  }
  return page;
}

uint64_t NodeCore::events_ingested() const { return ingested_.load(std::memory_order_relaxed); }

}  // namespace entente::node
