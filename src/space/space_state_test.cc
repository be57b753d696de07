#include "space/space_state.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "space/space_test_util.h"
#include "testing/testdata.h"

namespace entente::space {
namespace {

using testing::CodeOf;
using testing::TestDevice;
using testing::World;

constexpr uint16_t kCharter = 0x0001, kChannelCreate = 0x0200, kPost = 0x0300;

class SpaceStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(w_.Enrol(admin_, "admin@USA", admin_, {"admin"}, "USKR;TS;REL=USA"));
    ASSERT_TRUE(w_.Enrol(admin_, "alice@USA", alice_, {"co-chair"}, "USKR;TS;REL=USA"));
    ASSERT_TRUE(w_.Enrol(admin_, "bob@USA", bob_, {"officer"}, "USKR;C;REL=USA"));
    ASSERT_TRUE(w_.Enrol(admin_, "olga@USA", olga_, {"observer"}, "USKR;TS;REL=USA"));
    policy_ = entente::testing::ReadSourceFile("examples/policy-uskr.yaml");
  }

  Status Charter(const TestDevice& author, std::vector<std::string> partners = {"USA"}) {
    auto h = w_.Header(kCharter, space_.id(), "USA", author, "USKR;U");
    nlohmann::json meta = {{"name", "NCG"},
                           {"partners", partners},
                           {"policy", policy_},
                           {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy_)))}};
    return space_.Fold(FoldEvent{h, meta}, w_.directory);
  }

  std::vector<crypto::EncryptionPublicKey> Keys(std::initializer_list<const TestDevice*> devices) {
    std::vector<crypto::EncryptionPublicKey> keys;
    for (const auto* d : devices) keys.push_back(d->encryption.public_key());
    return keys;
  }

  Status CreateChannel(const TestDevice& author, const std::string& name, std::string ceiling,
                       std::vector<std::string> members,
                       std::vector<crypto::EncryptionPublicKey> recipients) {
    auto h = w_.Header(kChannelCreate, space_.id(), "USA", author, "USKR;U");
    nlohmann::json meta = {{"channel", name}, {"ceiling", ceiling}, {"members", members}};
    return space_.Fold(FoldEvent{h, meta, recipients}, w_.directory);
  }

  Status Post(const TestDevice& author, const std::string& channel, std::string label,
              std::vector<crypto::EncryptionPublicKey> recipients) {
    auto h = w_.Header(kPost, space_.id(), "USA", author, std::move(label));
    const Channel* c = space_.FindChannel(channel);
    if (c != nullptr) h.subject = Bytes(c->id.bytes().begin(), c->id.bytes().end());
    nlohmann::json meta = {{"channel", channel}};
    return space_.Check(FoldEvent{h, meta, recipients}, w_.directory);
  }

  World w_;
  TestDevice admin_, alice_, bob_, olga_;
  SpaceState space_{ledger::SpaceId(std::array<uint8_t, 16>{7})};
  std::string policy_;
};

TEST_F(SpaceStateTest, CharterByAnAdminOnce) {
  EXPECT_EQ(CodeOf(Post(alice_, "plenary", "USKR;U", {})), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Charter(alice_)), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(Charter(admin_, {"KOR"})), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Charter(admin_, {"USA", "FRA"})), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Charter(admin_));
  EXPECT_EQ(space_.name(), "NCG");
  EXPECT_EQ(space_.policy()->id(), "USKR");
  EXPECT_EQ(CodeOf(Charter(admin_)), ErrorCode::kAlreadyExists);
}

TEST_F(SpaceStateTest, PolicyRolesMustNameKinds) {
  EXPECT_TRUE(CheckMayAuthorEntry("message.post"));
  EXPECT_TRUE(CheckMayAuthorEntry("consult.*"));
  EXPECT_FALSE(CheckMayAuthorEntry("message"));
  EXPECT_FALSE(CheckMayAuthorEntry("nothing.*"));
  EXPECT_TRUE(MayAuthorCovers("message.*", "message.post"));
  EXPECT_FALSE(MayAuthorCovers("message.*", "messages.post"));
  policy_.replace(policy_.find("[exercise.*, message.*]"), 23, "[exercise.*, chat]");
  auto status = Charter(admin_);
  ASSERT_FALSE(status);
  EXPECT_NE(
      status.error().message().find("roles.controller.may_author: \"chat\" names no event kind"),
      std::string::npos)
      << status.error().message();
}

TEST_F(SpaceStateTest, ChannelsAndMessagesFollowPolicy) {
  ASSERT_TRUE(Charter(admin_));
  // Observers author nothing; members must exist; recipients are the members' devices.
  EXPECT_EQ(
      CodeOf(CreateChannel(olga_, "plenary", "USKR;S;P:REL=USA", {"olga@USA"}, Keys({&olga_}))),
      ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(CreateChannel(alice_, "plenary", "USKR;S;P:REL=USA", {"alice@USA", "nobody@USA"},
                                 Keys({&alice_}))),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf(CreateChannel(alice_, "plenary", "USKR;S;P:REL=USA", {"alice@USA", "bob@USA"},
                                 Keys({&alice_}))),
            ErrorCode::kPermissionDenied);  // bob's device is missing
  ASSERT_TRUE(CreateChannel(alice_, "plenary", "USKR;S;P:REL=USA",
                            {"alice@USA", "bob@USA", "olga@USA"}, Keys({&alice_, &bob_, &olga_})));
  const Channel* plenary = space_.FindChannel("plenary");
  ASSERT_NE(plenary, nullptr);
  EXPECT_EQ(plenary->ceiling.ToString(), "USKR;S;P:REL=USA");

  // A SECRET message goes to alice and olga, not to bob (cleared CONFIDENTIAL).
  auto secret = label::ParseLabel(space_.policy(), "USKR;S;P:REL=USA").value();
  EXPECT_EQ(space_.Readers(w_.directory, *plenary, secret),
            (std::vector<std::string>{"alice@USA", "olga@USA"}));
  EXPECT_TRUE(Post(alice_, "plenary", "USKR;S;P:REL=USA", Keys({&alice_, &olga_})));
  EXPECT_EQ(CodeOf(Post(alice_, "plenary", "USKR;S;P:REL=USA", Keys({&alice_, &olga_, &bob_}))),
            ErrorCode::kPermissionDenied);  // bob not admitted
  EXPECT_EQ(CodeOf(Post(alice_, "plenary", "USKR;S;P:REL=USA", Keys({&alice_}))),
            ErrorCode::kPermissionDenied);  // olga missing
  // Above the ceiling; not canonical; unknown channel; bob may not write above his clearance.
  EXPECT_EQ(CodeOf(Post(alice_, "plenary", "USKR;TS;P:REL=USA", Keys({&alice_, &olga_}))),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(Post(alice_, "plenary", "USKR;S;P:REL=USA,USA", Keys({&alice_, &olga_}))),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Post(alice_, "nowhere", "USKR;U", {})), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf(Post(bob_, "plenary", "USKR;S;P:REL=USA", Keys({&alice_, &olga_}))),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(Post(bob_, "plenary", "USKR;C;P:REL=USA", Keys({&alice_, &bob_, &olga_})));
  // Observers may not post; a revoked device may not either.
  EXPECT_EQ(CodeOf(Post(olga_, "plenary", "USKR;U", Keys({&alice_, &bob_, &olga_}))),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(w_.Dir(0x0112, "USA", admin_, {{"device_key", bob_.id()}}));
  EXPECT_EQ(CodeOf(Post(bob_, "plenary", "USKR;U", Keys({&alice_, &olga_}))),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(Post(alice_, "plenary", "USKR;U", Keys({&alice_, &olga_})));
}

// Exercises (docs/formats/exercise.md): only a controller starts one, its id is the start's
// event id, injects come from the controller's partner while it runs, its events are sealed to
// every member the label admits, and consultation events that claim an exercise need a running one.
TEST_F(SpaceStateTest, ExercisesStartRunAndEnd) {
  TestDevice carl;
  ASSERT_TRUE(w_.Enrol(admin_, "carl@USA", carl, {"controller"}, "USKR;S;REL=USA"));
  ASSERT_TRUE(Charter(admin_));
  const std::string label = "USKR;S;P:REL=USA";
  // Members the label admits: every active member of the space's partners but bob (C).
  auto audience = Keys({&admin_, &alice_, &olga_, &carl});
  std::sort(audience.begin(), audience.end());
  struct Ev {
    ledger::EventHeader h;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> keys;
    FoldEvent fold() const { return FoldEvent{h, meta, keys}; }
  };
  auto event = [&](uint16_t kind, const TestDevice& author, const Bytes& exercise,
                   nlohmann::json meta, std::vector<crypto::EncryptionPublicKey> keys) {
    auto h = w_.Header(kind, space_.id(), "USA", author, label);
    h.exercise_id =
        exercise.empty() ? Bytes(h.event_id.bytes().begin(), h.event_id.bytes().end()) : exercise;
    w_.now_ms += 1000;
    return Ev{h, std::move(meta), std::move(keys)};
  };
  nlohmann::json start = {{"name", "SHORT FUSE"}, {"scenario_sha256", std::string(64, 'a')}};
  // Not a controller: refused.
  auto by_alice = event(0x0600, alice_, {}, start, audience);
  EXPECT_EQ(CodeOf(space_.Check(by_alice.fold(), w_.directory)), ErrorCode::kPermissionDenied)
      << space_.Check(by_alice.fold(), w_.directory).error().message();
  // An exercise id that is not the start's own event id: refused.
  auto wrong_id = event(0x0600, carl, Bytes(16, 0x42), start, audience);
  EXPECT_EQ(CodeOf(space_.Check(wrong_id.fold(), w_.directory)), ErrorCode::kInvalidArgument);
  // Sealed to fewer members than the label admits: refused.
  auto too_few = event(0x0600, carl, {}, start, Keys({&carl}));
  EXPECT_FALSE(space_.Check(too_few.fold(), w_.directory));
  auto good = event(0x0600, carl, {}, start, audience);
  ASSERT_TRUE(space_.Fold(good.fold(), w_.directory));
  std::string id = good.h.event_id.ToHex();
  ASSERT_NE(space_.FindExercise(id), nullptr);
  EXPECT_EQ(space_.FindExercise(id)->controller, "carl@USA");
  EXPECT_TRUE(space_.FindExercise(id)->running());
  EXPECT_EQ(CodeOf(space_.Check(good.fold(), w_.directory)), ErrorCode::kAlreadyExists);

  Bytes xid = good.h.exercise_id;
  nlohmann::json inject = {{"inject", "1"}, {"to", {"USA"}}};
  auto ok_inject = event(0x0601, carl, xid, inject, audience);
  EXPECT_TRUE(space_.Fold(ok_inject.fold(), w_.directory));
  auto unknown = event(0x0601, carl, Bytes(16, 0x11), inject, audience);
  EXPECT_EQ(CodeOf(space_.Check(unknown.fold(), w_.directory)), ErrorCode::kNotFound);
  auto to_stranger = event(0x0601, carl, xid, {{"inject", "2"}, {"to", {"FRA"}}}, audience);
  EXPECT_EQ(CodeOf(space_.Check(to_stranger.fold(), w_.directory)), ErrorCode::kInvalidArgument);
  // A consultation event that claims a running exercise passes the space's checks...
  auto request = event(0x0400, alice_, xid, {}, {});
  EXPECT_TRUE(space_.Check(request.fold(), w_.directory));
  // ...one that claims an unknown exercise does not.
  auto stray = event(0x0400, alice_, Bytes(16, 0x11), {}, {});
  EXPECT_EQ(CodeOf(space_.Check(stray.fold(), w_.directory)), ErrorCode::kNotFound);

  auto end = event(0x0602, carl, xid, nlohmann::json::object(), audience);
  ASSERT_TRUE(space_.Fold(end.fold(), w_.directory));
  EXPECT_FALSE(space_.FindExercise(id)->running());
  auto late = event(0x0601, carl, xid, inject, audience);
  EXPECT_EQ(CodeOf(space_.Check(late.fold(), w_.directory)), ErrorCode::kFailedPrecondition);
  auto after_end = event(0x0400, alice_, xid, {}, {});
  EXPECT_EQ(CodeOf(space_.Check(after_end.fold(), w_.directory)), ErrorCode::kFailedPrecondition);
}

TEST(MergeOrder, SortsByTimeThenOriginAndIsStableWhenEntriesAreMissing) {
  // KOR [5, 20], USA [10, 20]: ties go to the smaller origin, a log keeps its own order.
  auto order = MergeOrder({{5, 20}, {10, 20}}, {"KOR", "USA"});
  using P = std::pair<size_t, size_t>;
  EXPECT_EQ(order, (std::vector<P>{{0, 0}, {1, 0}, {0, 1}, {1, 1}}));
  // A party that lacks USA's first entry (withheld, flagged) orders the rest the same way.
  auto without = MergeOrder({{5, 20}, {20}}, {"KOR", "USA"});
  EXPECT_EQ(without, (std::vector<P>{{0, 0}, {0, 1}, {1, 0}}));
}

}  // namespace
}  // namespace entente::space
