// Two nodes' cores (USA and KOR), each on its own SQLite file, federating by handing each other
// the batches the replicator would send: mirroring, cosigning, shared spaces, label-based body
// release, and fork detection. The HTTP transport is covered by the integration test.
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "node/core.h"
#include "space/author.h"
#include "space/names.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::node {
namespace {

constexpr char kAdminToken[] = "entente-enrol-test-admin-token";
constexpr uint16_t kCharter = 0x0001, kJoin = 0x0002, kChannelCreate = 0x0200, kPost = 0x0300;

WireEvent Wire(const space::AuthoredEvent& e) { return {e.header_bytes, e.body_bytes}; }

// One partner's node core and its admin.
struct Node {
  Node(const std::string& partner, const crypto::Identity& key, const Clock& clock,
       const std::string& dir)
      : partner(partner) {
    nlohmann::json tokens = {{"version", 1},
                             {"tokens",
                              {{{"sha256", HexEncode(crypto::Sha256(AsBytes(kAdminToken)))},
                                {"role", "admin"},
                                {"used", false}}}}};
    EXPECT_TRUE(WriteFileAtomic(dir + "/enrolment.json", AsBytes(tokens.dump()), 0600, false));
    store = store::SqliteStore::Open(dir + "/node.db").value();
    book = std::make_unique<TokenBook>(dir + "/enrolment.json");
    core = std::make_unique<NodeCore>(
        partner, crypto::SigningKey::FromSeed(key.signing.seed().view()).value(), *store, clock,
        *book);
    EXPECT_TRUE(core->Load());
  }
  std::string partner;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<TokenBook> book;
  std::unique_ptr<NodeCore> core;
  crypto::Identity admin = crypto::Identity::Generate();
};

class FederationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "usa");
    std::filesystem::create_directories(dir_.path() / "kor");
    usa_ = std::make_unique<Node>("USA", usa_key_, clock_, (dir_.path() / "usa").string());
    kor_ = std::make_unique<Node>("KOR", kor_key_, clock_, (dir_.path() / "kor").string());
    usa_->core->SetPeers({{"KOR", "https://kor.invalid:1", kor_key_.signing.public_key(),
                           "sha256:" + std::string(64, '0')}});
    kor_->core->SetPeers({{"USA", "https://usa.invalid:1", usa_key_.signing.public_key(),
                           "sha256:" + std::string(64, '0')}});
    Bootstrap(*usa_, "admin@USA", "USKR;TS;REL=USA");
    Bootstrap(*kor_, "admin@KOR", "USKR;TS;REL=KOR");
  }

  uint64_t Now() const { return ToUnixMs(clock_.Now()); }

  void Bootstrap(Node& n, const std::string& member, const std::string& clearance) {
    auto& d = n.admin;
    std::vector<WireEvent> events = {
        Wire(space::MemberEnrollEvent(d.signing, member, "Admin", {"admin", "co-chair"}, clearance,
                                      Now())
                 .value()),
        Wire(space::DeviceAddEvent(d.signing, member, d.signing.public_key(), "laptop", Now())
                 .value()),
        Wire(space::DeviceKeysEvent(d.signing, n.partner, d.encryption.public_key(),
                                    Now() + space::kEncryptionKeyLifetimeMs, Now())
                 .value())};
    ASSERT_TRUE(n.core->Enrol(kAdminToken, events));
  }

  // What the replicator does for one log: send from what the peer holds, store the cosignature.
  Result<MirrorOutcome> Sync(Node& from, Node& to, const store::LogKey& log) {
    uint64_t held = to.store->TreeSize(log).value_or(0);
    ENTENTE_ASSIGN_OR_RETURN(auto batch, from.core->BatchFor(to.partner, log, held, 1000));
    ENTENTE_ASSIGN_OR_RETURN(auto outcome, to.core->AcceptMirror(from.partner, batch));
    if (!outcome.cosignature.empty()) {
      ENTENTE_RETURN_IF_ERROR(from.core->AddCosignature(
          to.partner, log, batch.from + batch.entries.size(), outcome.cosignature));
    }
    return outcome;
  }
  void SyncAll() {
    for (auto [a, b] : {std::pair{usa_.get(), kor_.get()}, std::pair{kor_.get(), usa_.get()}}) {
      for (const auto& log : a->core->LogsSharedWith(b->partner)) {
        auto synced = Sync(*a, *b, log);
        ASSERT_TRUE(synced) << synced.error().message();
      }
    }
  }

  Status Submit(Node& n, const space::EventDraft& draft) {
    ENTENTE_ASSIGN_OR_RETURN(auto event, space::Author(draft, n.admin.signing));
    ENTENTE_ASSIGN_OR_RETURN(auto receipt,
                             n.core->Submit(n.admin.signing.public_key(), Wire(event)));
    (void)receipt;
    return {};
  }

  space::EventDraft Draft(uint16_t kind, const std::string& origin, nlohmann::json meta) {
    space::EventDraft draft;
    draft.kind = kind;
    draft.space = space_;
    draft.origin = origin;
    draft.label = "USKR;U";
    draft.meta = std::move(meta);
    draft.created_ms = Now();
    return draft;
  }

  // USA charters NCG for USA and KOR; KOR joins; a channel with both admins.
  void SharedSpace() {
    std::string policy = testing::ReadSourceFile("examples/policy-uskr.yaml");
    ASSERT_TRUE(
        Submit(*usa_, Draft(kCharter, "USA",
                            {{"name", "NCG"},
                             {"partners", {"KOR", "USA"}},
                             {"policy", policy},
                             {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy)))}})));
    SyncAll();
    auto leaves = usa_->store->Leaves({space_, "USA"}, 0, 1).value();
    charter_id_ = ledger::DecodeHeader(leaves[0]).value().event_id;
  }

  Status Join() {
    clock_.Advance(std::chrono::milliseconds(10));
    return Submit(
        *kor_, Draft(kJoin, "KOR", {{"partner", "KOR"}, {"charter_event", charter_id_.ToHex()}}));
  }

  testing::TempDir dir_;
  ManualClock clock_{FromUnixMs(1'800'000'000'000)};
  crypto::Identity usa_key_ = crypto::Identity::Generate(), kor_key_ = crypto::Identity::Generate();
  std::unique_ptr<Node> usa_, kor_;
  ledger::SpaceId space_{std::array<uint8_t, 16>{0x5f}};
  ledger::EventId charter_id_;
};

TEST_F(FederationTest, DirectoriesAreMirroredAndCosignedBothWays) {
  SyncAll();
  // Each node holds the other's directory and knows its admin.
  EXPECT_EQ(kor_->store->TreeSize({space::DirectorySpaceId("USA"), "USA"}).value(), 3u);
  EXPECT_EQ(usa_->store->TreeSize({space::DirectorySpaceId("KOR"), "KOR"}).value(), 3u);
  // USA's directory checkpoint now carries KOR's cosignature, which verifies with KOR's key.
  store::LogKey log{space::DirectorySpaceId("USA"), "USA"};
  auto cosigned = usa_->core->CosignedCheckpoint(log).value();
  ASSERT_TRUE(cosigned);
  auto origin = ledger::EntenteOrigin(log.space.view(), "USA").value();
  auto usa_v =
      ledger::Verifier::Create(origin, ledger::NoteKeyType::kEd25519, usa_key_.signing.public_key())
          .value();
  auto kor_v = ledger::Verifier::Create("KOR", ledger::NoteKeyType::kCosignatureV1,
                                        kor_key_.signing.public_key())
                   .value();
  auto opened = ledger::OpenCheckpoint(*cosigned, usa_v, std::span(&kor_v, 1));
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->checkpoint.size.value(), 3u);
  // A second sync is a no-op that cosigns again without resending.
  auto again = Sync(*usa_, *kor_, log);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size, 3u);
  EXPECT_FALSE(again->cosignature.empty());
}

TEST_F(FederationTest, SharedSpaceIsInForceOnlyWhenEveryPartnerJoined) {
  SharedSpace();
  // KOR holds the charter from USA's log, but may not open channels before joining.
  auto channel =
      Draft(kChannelCreate, "KOR",
            {{"channel", "kor-only"}, {"ceiling", "USKR;S"}, {"members", {"admin@KOR"}}});
  std::string topic = "{}";
  channel.plaintext = Bytes(topic.begin(), topic.end());
  channel.recipients = {kor_->admin.encryption.public_key()};
  // At the charter's very millisecond, from another partner's log: refused, since every party
  // must fold the charter first.
  auto same_ms = Submit(*kor_, channel);
  ASSERT_FALSE(same_ms);
  EXPECT_NE(same_ms.error().message().find("not after the charter"), std::string::npos)
      << same_ms.error().message();
  clock_.Advance(std::chrono::milliseconds(5));
  channel.created_ms = Now();
  auto early = Submit(*kor_, channel);
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message().find("not in force"), std::string::npos)
      << early.error().message();
  // Joining is an admin's act in KOR's own log; then both nodes see the space in force.
  ASSERT_TRUE(Join());
  SyncAll();
  for (auto* n : {usa_.get(), kor_.get()}) {
    auto spaces = n->core->Spaces(n->admin.signing.public_key());
    ASSERT_EQ(spaces.size(), 1u) << n->partner;
    EXPECT_EQ(spaces[0].joined, (std::vector<std::string>{"KOR", "USA"})) << n->partner;
  }
  // Joining twice is refused.
  clock_.Advance(std::chrono::milliseconds(10));
  EXPECT_FALSE(Join());
}

TEST_F(FederationTest, BodiesLeaveTheOriginOnlyForPartnersTheLabelReleasesThemTo) {
  SharedSpace();
  ASSERT_TRUE(Join());
  SyncAll();
  std::vector<std::string> members = {"admin@KOR", "admin@USA"};
  auto channel =
      Draft(kChannelCreate, "USA",
            {{"channel", "plenary"}, {"ceiling", "USKR;S;P:REL=USA"}, {"members", members}});
  std::string topic = "{}";
  channel.plaintext = Bytes(topic.begin(), topic.end());
  channel.recipients = {kor_->admin.encryption.public_key(), usa_->admin.encryption.public_key()};
  std::sort(channel.recipients.begin(), channel.recipients.end());
  auto created = space::Author(channel, usa_->admin.signing).value();
  auto channel_receipt = usa_->core->Submit(usa_->admin.signing.public_key(), Wire(created));
  ASSERT_TRUE(channel_receipt) << channel_receipt.error().message();
  auto post = [&](const std::string& label, std::vector<crypto::EncryptionPublicKey> to) {
    auto d = Draft(kPost, "USA", {{"channel", "plenary"}});
    d.label = label;
    d.subject =
        Bytes(created.header.event_id.bytes().begin(), created.header.event_id.bytes().end());
    std::string text = "text";
    d.plaintext = Bytes(text.begin(), text.end());
    d.recipients = std::move(to);
    std::sort(d.recipients.begin(), d.recipients.end());
    auto e = space::Author(d, usa_->admin.signing).value();
    return usa_->core->Submit(usa_->admin.signing.public_key(), Wire(e));
  };
  // Released to both (REL KOR, USA), and USA eyes only (REL USA).
  auto shared = post("USKR;S;P:REL=KOR,USA",
                     {kor_->admin.encryption.public_key(), usa_->admin.encryption.public_key()});
  ASSERT_TRUE(shared) << shared.error().message();
  auto usa_only = post("USKR;S;P:REL=USA", {usa_->admin.encryption.public_key()});
  ASSERT_TRUE(usa_only) << usa_only.error().message();
  SyncAll();
  store::LogKey log{space_, "USA"};
  EXPECT_TRUE(kor_->store->Body(log, shared->index).value().has_value());
  EXPECT_FALSE(kor_->store->Body(log, usa_only->index).value().has_value());
  // The withheld message is still in KOR's mirror (headers are complete), and nothing is flagged.
  EXPECT_EQ(kor_->store->TreeSize(log).value(), usa_->store->TreeSize(log).value());
  EXPECT_EQ(kor_->core->flagged_entries(), 0u);
  // KOR's admin reads the shared body through the KOR node, and not the other.
  auto page = kor_->core->ReadLog(kor_->admin.signing.public_key(), space_, "USA", 0, 100).value();
  EXPECT_TRUE(page.entries[shared->index].body.has_value());
  EXPECT_FALSE(page.entries[usa_only->index].body.has_value());
}

TEST_F(FederationTest, AForkedLogRaisesAnAlarmAndIsNeverCosignedAgain) {
  SyncAll();
  store::LogKey log{space::DirectorySpaceId("USA"), "USA"};
  // A second USA store with the same node key and a different history: a fork.
  std::filesystem::create_directories(dir_.path() / "fork");
  Node fork("USA", usa_key_, clock_, (dir_.path() / "fork").string());
  fork.core->SetPeers({{"KOR", "https://kor.invalid:1", kor_key_.signing.public_key(),
                        "sha256:" + std::string(64, '0')}});
  Bootstrap(fork, "mallory@USA", "USKR;TS;REL=USA");
  auto batch = fork.core->BatchFor("KOR", log, 0, 1000).value();
  // Same size, different root: two inconsistent checkpoints signed by USA's key.
  auto refused = kor_->core->AcceptMirror("USA", batch);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  auto alarms = kor_->core->alarms();
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].log, log);
  EXPECT_TRUE(alarms[0].evidence.contains("checkpoint"));
  EXPECT_TRUE(alarms[0].evidence.contains("cosigned_checkpoint"));
  // The honest log is not cosigned any more either, and the alarm survives a restart.
  EXPECT_FALSE(Sync(*usa_, *kor_, log));
  kor_->core = std::make_unique<NodeCore>(
      "KOR", crypto::SigningKey::FromSeed(kor_key_.signing.seed().view()).value(), *kor_->store,
      clock_, *kor_->book);
  ASSERT_TRUE(kor_->core->Load());
  EXPECT_EQ(kor_->core->alarms().size(), 1u);
}

TEST_F(FederationTest, AnEntryThatBreaksTheRulesIsKeptFlaggedAndLeftOutOfState) {
  // USA's node signs a directory with a fourth entry whose author signature does not verify
  // (a misbehaving origin): the log is what USA signed, so KOR keeps it, but flags the entry.
  store::LogKey log{space::DirectorySpaceId("USA"), "USA"};
  auto batch = usa_->core->BatchFor("KOR", log, 0, 1000).value();
  auto forged = space::MemberEnrollEvent(usa_->admin.signing, "mallory@USA", "", {"admin"},
                                         "USKR;TS;REL=USA", Now())
                    .value();
  forged.header_bytes.back() ^= 1;  // the signature's last byte
  batch.entries.push_back({forged.header_bytes, forged.body_bytes});
  ledger::MerkleTree tree;
  for (const auto& e : batch.entries) tree.AppendLeaf(e.header);
  ledger::Checkpoint checkpoint{
      ledger::EntenteOrigin(log.space.view(), "USA").value(), tree.size(), tree.Root(), {}};
  auto usa_signer = crypto::SigningKey::FromSeed(usa_key_.signing.seed().view()).value();
  batch.checkpoint = ledger::SignCheckpoint(checkpoint, usa_signer).value();
  auto outcome = kor_->core->AcceptMirror("USA", batch);
  ASSERT_TRUE(outcome) << outcome.error().message();
  EXPECT_EQ(outcome->size, 4u);
  EXPECT_EQ(outcome->flagged, 1u);
  EXPECT_FALSE(outcome->cosignature.empty());
  auto flags = kor_->store->Flags(log).value();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].first, 3u);
  // KOR's members see the flag on the entry (and clients leave it out of state).
  auto page =
      kor_->core->ReadLog(kor_->admin.signing.public_key(), log.space, "USA", 0, 10).value();
  ASSERT_EQ(page.entries.size(), 4u);
  EXPECT_NE(page.entries[3].flagged.find("signature"), std::string::npos)
      << page.entries[3].flagged;
  EXPECT_TRUE(page.entries[2].flagged.empty());
  EXPECT_EQ(kor_->core->flagged_entries(), 1u);
}

TEST_F(FederationTest, APeerMaySendOnlyItsOwnLogsSignedByItsKey) {
  store::LogKey log{space::DirectorySpaceId("USA"), "USA"};
  auto batch = usa_->core->BatchFor("KOR", log, 0, 1000).value();
  // KOR refuses USA's log from anyone but USA.
  usa_->core->SetPeers({});
  EXPECT_EQ(kor_->core->AcceptMirror("KOR", batch).error().code(), ErrorCode::kPermissionDenied);
  // A checkpoint not signed by USA's pinned key is refused, and nothing is stored.
  auto other = crypto::Identity::Generate();
  kor_->core->SetPeers({{"USA", "https://usa.invalid:1", other.signing.public_key(),
                         "sha256:" + std::string(64, '0')}});
  EXPECT_EQ(kor_->core->AcceptMirror("USA", batch).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(kor_->store->TreeSize(log).value_or(0), 0u);
}

}  // namespace
}  // namespace entente::node
