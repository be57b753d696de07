#include "node/core.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "ledger/envelope.h"
#include "ledger/note.h"
#include "space/author.h"
#include "space/names.h"
#include "store/checkpointer.h"
#include "store/sqlite_store.h"
#include "testing/testdata.h"

namespace entente::node {
namespace {

constexpr char kAdminToken[] = "entente-enrol-test-admin-token";
constexpr uint16_t kCharter = 0x0001, kMemberEnroll = 0x0100, kChannelCreate = 0x0200,
                   kPost = 0x0300;

std::optional<ErrorCode> CodeOf(const auto& result) {
  if (result) return std::nullopt;
  return result.error().code();
}

WireEvent Wire(const space::AuthoredEvent& e) { return {e.header_bytes, e.body_bytes}; }

// A node core on a real SQLite file, and its partner's people.
class NodeCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nlohmann::json tokens = {{"version", 1},
                             {"tokens",
                              {{{"sha256", HexEncode(crypto::Sha256(AsBytes(kAdminToken)))},
                                {"role", "admin"},
                                {"used", false}}}}};
    ASSERT_TRUE(WriteFileAtomic((dir_.path() / "enrolment.json").string(), AsBytes(tokens.dump()),
                                0600, false));
    store_ = store::SqliteStore::Open((dir_.path() / "node.db").string()).value();
    tokens_ = std::make_unique<TokenBook>((dir_.path() / "enrolment.json").string());
    core_ = std::make_unique<NodeCore>(
        "USA", crypto::SigningKey::FromSeed(node_key_.signing.seed().view()).value(), *store_,
        clock_, *tokens_);
    ASSERT_TRUE(core_->Load());
  }

  uint64_t Now() const { return ToUnixMs(clock_.Now()); }

  // Bootstraps admin@USA and enrols alice (co-chair, TS), bob (officer, C) and olga (observer).
  void EnrolEveryone() {
    ASSERT_TRUE(core_->Enrol(kAdminToken, Bootstrap(admin_, "admin@USA")));
    Enrol(alice_, "alice@USA", {"co-chair"}, "USKR;TS;REL=USA");
    Enrol(bob_, "bob@USA", {"officer"}, "USKR;C;REL=USA");
    Enrol(olga_, "olga@USA", {"observer"}, "USKR;TS;REL=USA");
  }

  std::vector<WireEvent> Bootstrap(const crypto::Identity& device, const std::string& member) {
    return {Wire(space::MemberEnrollEvent(device.signing, member, "Admin", {"admin"},
                                          "USKR;TS;REL=USA", Now())
                     .value()),
            DeviceEvents(device, member)[0], DeviceEvents(device, member)[1]};
  }

  std::vector<WireEvent> DeviceEvents(const crypto::Identity& device, const std::string& member) {
    return {Wire(space::DeviceAddEvent(device.signing, member, device.signing.public_key(),
                                       "laptop", Now())
                     .value()),
            Wire(space::DeviceKeysEvent(device.signing, "USA", device.encryption.public_key(),
                                        Now() + space::kEncryptionKeyLifetimeMs, Now())
                     .value())};
  }

  void Enrol(const crypto::Identity& device, const std::string& member,
             std::vector<std::string> roles, std::string clearance) {
    auto enroll =
        space::MemberEnrollEvent(admin_.signing, member, "", roles, clearance, Now()).value();
    ASSERT_TRUE(core_->Submit(admin_.signing.public_key(), Wire(enroll)));
    auto token = core_->IssueDeviceToken(admin_.signing.public_key(), member).value();
    ASSERT_TRUE(core_->Enrol(token, DeviceEvents(device, member)));
  }

  void Charter() {
    policy_ = testing::ReadSourceFile("examples/policy-uskr.yaml");
    space::EventDraft draft;
    draft.kind = kCharter;
    draft.space = space_;
    draft.origin = "USA";
    draft.label = "USKR;U";
    draft.meta = {{"name", "NCG"},
                  {"partners", {"USA"}},
                  {"policy", policy_},
                  {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy_)))}};
    draft.created_ms = Now();
    ASSERT_TRUE(core_->Submit(admin_.signing.public_key(),
                              Wire(space::Author(draft, admin_.signing).value())));
  }

  space::EventDraft ChannelDraft(std::vector<std::string> members,
                                 std::vector<crypto::EncryptionPublicKey> recipients) {
    space::EventDraft draft;
    draft.kind = kChannelCreate;
    draft.space = space_;
    draft.origin = "USA";
    draft.label = "USKR;U";
    draft.meta = {{"channel", "plenary"}, {"ceiling", "USKR;S;P:REL=USA"}, {"members", members}};
    std::string topic = "{\"topic\":\"plenary\"}";
    draft.plaintext = Bytes(topic.begin(), topic.end());
    draft.recipients = std::move(recipients);
    draft.created_ms = Now();
    return draft;
  }

  space::EventDraft Post(std::string label, std::vector<crypto::EncryptionPublicKey> recipients,
                         std::string text = "hello") {
    space::EventDraft draft;
    draft.kind = kPost;
    draft.space = space_;
    draft.origin = "USA";
    draft.label = std::move(label);
    draft.subject = Bytes(channel_id_.bytes().begin(), channel_id_.bytes().end());
    draft.meta = {{"channel", "plenary"}};
    draft.plaintext = Bytes(text.begin(), text.end());
    draft.recipients = std::move(recipients);
    draft.created_ms = Now();
    return draft;
  }

  Result<Receipt> Submit(const crypto::Identity& device, const space::EventDraft& draft) {
    auto event = space::Author(draft, device.signing);
    if (!event) return std::unexpected(event.error());
    return core_->Submit(device.signing.public_key(), Wire(*event));
  }

  uint64_t SpaceSize() { return store_->TreeSize({space_, "USA"}).value(); }

  testing::TempDir dir_;
  ManualClock clock_{FromUnixMs(1'800'000'000'000)};
  crypto::Identity node_key_ = crypto::Identity::Generate();
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<TokenBook> tokens_;
  std::unique_ptr<NodeCore> core_;
  crypto::Identity admin_ = crypto::Identity::Generate(), alice_ = crypto::Identity::Generate(),
                   bob_ = crypto::Identity::Generate(), olga_ = crypto::Identity::Generate();
  ledger::SpaceId space_{std::array<uint8_t, 16>{0x5e}};
  ledger::EventId channel_id_;
  std::string policy_;
};

TEST_F(NodeCoreTest, AdminTokenBootstrapsOnceAndReceiptsProveInclusion) {
  EXPECT_EQ(CodeOf(core_->Enrol("entente-enrol-wrong", Bootstrap(admin_, "admin@USA"))),
            ErrorCode::kUnauthenticated);
  auto receipts = core_->Enrol(kAdminToken, Bootstrap(admin_, "admin@USA"));
  ASSERT_TRUE(receipts) << receipts.error().message();
  ASSERT_EQ(receipts->size(), 3u);
  EXPECT_EQ((*receipts)[2].index, 2u);
  // The receipt's checkpoint is signed by the node and its tree holds the event.
  auto log = (*receipts)[2].log;
  auto verifier = store::CheckpointVerifier(log, node_key_.signing.public_key()).value();
  auto checkpoint = ledger::OpenCheckpoint((*receipts)[2].checkpoint, verifier, {}).value();
  auto leaf = store_->Leaves(log, 2, 3).value()[0];
  EXPECT_TRUE(ledger::VerifyInclusion((*receipts)[2].proof, ledger::HashLeaf(leaf),
                                      checkpoint.checkpoint.root));
  // The token is spent; a second admin cannot bootstrap.
  auto other = crypto::Identity::Generate();
  EXPECT_EQ(CodeOf(core_->Enrol(kAdminToken, Bootstrap(other, "eve@USA"))),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(core_->MemberOf(admin_.signing.public_key()), "admin@USA");
}

TEST_F(NodeCoreTest, DeviceTokensAreForOneMemberAndOneUse) {
  EnrolEveryone();
  // bob (not an admin) may not get a token for alice, only for himself.
  EXPECT_EQ(CodeOf(core_->IssueDeviceToken(bob_.signing.public_key(), "alice@USA")),
            ErrorCode::kPermissionDenied);
  auto token = core_->IssueDeviceToken(bob_.signing.public_key(), "bob@USA").value();
  auto laptop = crypto::Identity::Generate();
  // The token enrols a device of bob, not of alice.
  EXPECT_EQ(CodeOf(core_->Enrol(token, DeviceEvents(laptop, "alice@USA"))),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(core_->Enrol(token, DeviceEvents(laptop, "bob@USA")));
  EXPECT_EQ(core_->MemberOf(laptop.signing.public_key()), "bob@USA");
  auto again = crypto::Identity::Generate();
  EXPECT_EQ(CodeOf(core_->Enrol(token, DeviceEvents(again, "bob@USA"))),
            ErrorCode::kUnauthenticated);
}

TEST_F(NodeCoreTest, IngestEnforcesPolicyAndStoresNothingRefused) {
  EnrolEveryone();
  Charter();
  auto created =
      Submit(alice_, ChannelDraft({"alice@USA", "bob@USA", "olga@USA"},
                                  {alice_.encryption.public_key(), bob_.encryption.public_key(),
                                   olga_.encryption.public_key()}));
  ASSERT_TRUE(created) << created.error().message();
  auto header = ledger::DecodeHeader(store_->Leaves({space_, "USA"}, 1, 2).value()[0]).value();
  channel_id_ = header.event_id;

  std::vector<crypto::EncryptionPublicKey> secret_readers = {alice_.encryption.public_key(),
                                                             olga_.encryption.public_key()};
  auto ok = Submit(alice_, Post("USKR;S;P:REL=USA", secret_readers));
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->index, 2u);
  uint64_t size = SpaceSize();

  // Each refusal leaves the log as it was.
  EXPECT_EQ(CodeOf(Submit(alice_, Post("USKR;TS;P:REL=USA", secret_readers))),
            ErrorCode::kPermissionDenied);  // above the ceiling
  EXPECT_EQ(CodeOf(Submit(alice_, Post("USKR;S;P:REL=USA", {alice_.encryption.public_key(),
                                                            bob_.encryption.public_key(),
                                                            olga_.encryption.public_key()}))),
            ErrorCode::kPermissionDenied);  // bob is not cleared for SECRET
  EXPECT_EQ(CodeOf(Submit(olga_, Post("USKR;U", secret_readers))),
            ErrorCode::kPermissionDenied);  // observers author nothing
  auto unknown = Post("USKR;U", secret_readers);
  unknown.meta["channel"] = "nowhere";
  EXPECT_EQ(CodeOf(Submit(alice_, unknown)), ErrorCode::kNotFound);
  auto stale = Post("USKR;S;P:REL=USA", secret_readers);
  stale.created_ms -= 121'000;
  EXPECT_EQ(CodeOf(Submit(alice_, stale)), ErrorCode::kFailedPrecondition);
  auto future = Post("USKR;S;P:REL=USA", secret_readers);
  future.created_ms += 121'000;
  EXPECT_EQ(CodeOf(Submit(alice_, future)), ErrorCode::kFailedPrecondition);
  // A flipped byte breaks the signature; a device may not submit another's event.
  auto event = space::Author(Post("USKR;S;P:REL=USA", secret_readers), alice_.signing).value();
  auto flipped = Wire(event);
  flipped.header[flipped.header.size() - 10] ^= 1;  // in the signature
  EXPECT_EQ(CodeOf(core_->Submit(alice_.signing.public_key(), flipped)),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(CodeOf(core_->Submit(bob_.signing.public_key(), Wire(event))),
            ErrorCode::kPermissionDenied);
  auto body_swapped = Wire(event);
  body_swapped.body->back() ^= 1;
  EXPECT_EQ(CodeOf(core_->Submit(alice_.signing.public_key(), body_swapped)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(SpaceSize(), size);

  // The same event again is the same entry (a retry), not a second one.
  auto first = core_->Submit(alice_.signing.public_key(), Wire(event));
  ASSERT_TRUE(first);
  auto retry = core_->Submit(alice_.signing.public_key(), Wire(event));
  ASSERT_TRUE(retry);
  EXPECT_EQ(first->index, retry->index);

  // A revoked device is refused.
  auto revoke =
      space::DeviceRevokeEvent(admin_.signing, "USA", alice_.signing.public_key(), "lost", Now())
          .value();
  ASSERT_TRUE(core_->Submit(admin_.signing.public_key(), Wire(revoke)));
  EXPECT_FALSE(core_->ActiveDevice(space::DeviceIdOf(alice_.signing.public_key())));
  EXPECT_EQ(CodeOf(Submit(alice_, Post("USKR;U", {olga_.encryption.public_key()}))),
            ErrorCode::kPermissionDenied);
}

TEST_F(NodeCoreTest, ReadersGetOnlyTheBodiesTheirClearanceAdmits) {
  EnrolEveryone();
  Charter();
  ASSERT_TRUE(
      Submit(alice_, ChannelDraft({"alice@USA", "bob@USA"},
                                  {alice_.encryption.public_key(), bob_.encryption.public_key()})));
  channel_id_ =
      ledger::DecodeHeader(store_->Leaves({space_, "USA"}, 1, 2).value()[0]).value().event_id;
  ASSERT_TRUE(Submit(alice_, Post("USKR;S;P:REL=USA", {alice_.encryption.public_key()}, "secret")));
  ASSERT_TRUE(Submit(alice_, Post("USKR;C;P:REL=USA",
                                  {alice_.encryption.public_key(), bob_.encryption.public_key()},
                                  "confidential")));
  auto for_bob = core_->ReadLog(bob_.signing.public_key(), space_, "USA", 0, 100).value();
  ASSERT_EQ(for_bob.entries.size(), 4u);
  EXPECT_TRUE(for_bob.entries[0].body);   // charter
  EXPECT_TRUE(for_bob.entries[1].body);   // channel
  EXPECT_FALSE(for_bob.entries[2].body);  // SECRET: withheld
  ASSERT_TRUE(for_bob.entries[3].body);
  // Bob could not open the SECRET one even with its body: he is not a recipient.
  auto for_alice = core_->ReadLog(alice_.signing.public_key(), space_, "USA", 0, 100).value();
  ASSERT_TRUE(for_alice.entries[2].body);
  auto header = ledger::DecodeHeader(for_alice.entries[2].header).value();
  auto body = ledger::DecodeBody(*for_alice.entries[2].body).value();
  const crypto::EncryptionKey* bob_key[] = {&bob_.encryption};
  EXPECT_EQ(CodeOf(space::OpenBody(header, body, bob_key)), ErrorCode::kUnauthenticated);
  const crypto::EncryptionKey* alice_key[] = {&alice_.encryption};
  EXPECT_EQ(ToString(space::OpenBody(header, body, alice_key).value().view()), "secret");
  // olga is not in the channel: no channel bodies at all.
  auto for_olga = core_->ReadLog(olga_.signing.public_key(), space_, "USA", 0, 100).value();
  EXPECT_FALSE(for_olga.entries[1].body);
  EXPECT_FALSE(for_olga.entries[3].body);
}

TEST_F(NodeCoreTest, StateSurvivesARestart) {
  EnrolEveryone();
  Charter();
  core_ = std::make_unique<NodeCore>(
      "USA", crypto::SigningKey::FromSeed(node_key_.signing.seed().view()).value(), *store_, clock_,
      *tokens_);
  ASSERT_TRUE(core_->Load());
  EXPECT_EQ(core_->MemberOf(bob_.signing.public_key()), "bob@USA");
  EXPECT_EQ(core_->FindSpace("NCG").value(), space_);
  EXPECT_EQ(core_->Spaces(alice_.signing.public_key()).size(), 1u);
}

}  // namespace
}  // namespace entente::node
