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
