#include "space/directory.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "space/space_test_util.h"

namespace entente::space {
namespace {

using testing::CodeOf;
using testing::TestDevice;
using testing::World;

constexpr uint16_t kEnroll = 0x0100, kRevoke = 0x0102, kDeviceAdd = 0x0110, kKeys = 0x0111,
                   kDeviceRevoke = 0x0112;

nlohmann::json EnrolMeta(const std::string& member, const std::string& partner,
                         std::vector<std::string> roles = {"officer"},
                         std::string clearance = "USKR;S;REL=USA") {
  return {{"member", member}, {"partner", partner}, {"roles", roles}, {"clearance", clearance}};
}

TEST(Names, MembersDevicesChannels) {
  auto name = ParseMemberName("alice@USA").value();
  EXPECT_EQ(name.handle, "alice");
  EXPECT_EQ(name.partner, "USA");
  EXPECT_FALSE(ParseMemberName("alice"));
  EXPECT_FALSE(ParseMemberName("Alice@USA"));
  EXPECT_FALSE(ParseMemberName("alice@us a"));
  EXPECT_FALSE(ParseMemberName("@USA"));
  TestDevice d;
  EXPECT_EQ(ParseDeviceId(d.id()).value(), d.signing.public_key());
  EXPECT_FALSE(ParseDeviceId("abc"));
  EXPECT_TRUE(CheckChannelName("plenary"));
  EXPECT_FALSE(CheckChannelName("Plenary"));
  EXPECT_FALSE(CheckChannelName(""));
  EXPECT_TRUE(CheckClearanceSyntax("USKR;S;REL=USA"));
  EXPECT_TRUE(CheckClearanceSyntax("USKR;TS;REL=USA;SAP=ALPHA,BRAVO"));
  EXPECT_FALSE(CheckClearanceSyntax("USKR"));
  EXPECT_FALSE(CheckClearanceSyntax("USKR;S;REL"));
  EXPECT_FALSE(CheckClearanceSyntax("USKR;;REL=USA"));
  EXPECT_NE(DirectorySpaceId("USA"), DirectorySpaceId("KOR"));
}

TEST(Directory, BootstrapThenAdminEnrolsMembers) {
  World w;
  TestDevice admin, alice, mallory;
  // The first member must be an admin.
  EXPECT_EQ(CodeOf(w.Dir(kEnroll, "USA", admin, EnrolMeta("admin@USA", "USA"))),
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(w.Enrol(admin, "admin@USA", admin, {"admin"}, "USKR;TS;REL=USA"));
  // A second bootstrap by an unknown key is refused now that USA has an admin.
  EXPECT_EQ(CodeOf(w.Dir(kEnroll, "USA", mallory, EnrolMeta("mallory@USA", "USA", {"admin"}))),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(w.Enrol(admin, "alice@USA", alice, {"co-chair"}, "USKR;S;REL=USA"));
  const Member* m = w.directory.FindMember("alice@USA");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->devices, std::vector<std::string>{alice.id()});
  EXPECT_EQ(w.directory.ActiveMemberOf(alice.signing.public_key()), m);
  EXPECT_EQ(w.directory.ReceivingKeys(*m, w.now_ms).size(), 1u);
  // Only admins enrol; nobody enrols another partner's members; no one twice.
  TestDevice bob;
  EXPECT_EQ(CodeOf(w.Dir(kEnroll, "USA", alice, EnrolMeta("bob@USA", "USA"))),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(w.Dir(kEnroll, "USA", admin, EnrolMeta("kim@KOR", "KOR"))),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(w.Dir(kEnroll, "USA", admin, EnrolMeta("alice@USA", "USA"))),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(w.Dir(kEnroll, "USA", admin, EnrolMeta("bob@USA", "USA", {"officer"}, "USKR"))),
            ErrorCode::kInvalidArgument);
}

TEST(Directory, DevicesKeysAndRevocation) {
  World w;
  TestDevice admin, alice, alice2, stranger;
  ASSERT_TRUE(w.Enrol(admin, "admin@USA", admin, {"admin"}, "USKR;TS;REL=USA"));
  ASSERT_TRUE(w.Enrol(admin, "alice@USA", alice, {"officer"}, "USKR;S;REL=USA"));
  // A stranger cannot add a device to alice; alice's own device can.
  EXPECT_EQ(CodeOf(w.Dir(kDeviceAdd, "USA", stranger,
                         {{"member", "alice@USA"}, {"device_key", alice2.id()}, {"name", "x"}})),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(
      w.Dir(kDeviceAdd, "USA", alice, {{"member", "alice@USA"}, {"device_key", alice2.id()}}));
  EXPECT_EQ(w.directory.FindDevice(alice2.id())->added_by, alice.id());
  // No key yet: alice2 cannot receive. After publishing, it can until the key expires.
  const Member& m = *w.directory.FindMember("alice@USA");
  EXPECT_EQ(w.directory.ReceivingKeys(m, w.now_ms).size(), 1u);
  ASSERT_TRUE(w.PublishKey("USA", alice2, 1000));
  EXPECT_EQ(w.directory.ReceivingKeys(m, w.now_ms).size(), 2u);
  EXPECT_EQ(w.directory.ReceivingKeys(m, w.now_ms + 1000).size(), 1u);
  // A key that expires before it is published is refused.
  EXPECT_FALSE(w.Dir(kKeys, "USA", alice2, {{"encryption_key", "AAAA"}, {"not_after_ms", 1}}));
  // Only alice's devices or an admin revoke; a revoked device authors nothing more.
  TestDevice bob;
  ASSERT_TRUE(w.Enrol(admin, "bob@USA", bob, {"officer"}, "USKR;S;REL=USA"));
  EXPECT_EQ(CodeOf(w.Dir(kDeviceRevoke, "USA", bob, {{"device_key", alice2.id()}})),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(w.Dir(kDeviceRevoke, "USA", alice, {{"device_key", alice2.id()}}));
  EXPECT_EQ(w.directory.ReceivingKeys(m, w.now_ms).size(), 1u);
  EXPECT_EQ(w.directory.ActiveMemberOf(alice2.signing.public_key()), nullptr);
  EXPECT_EQ(CodeOf(w.PublishKey("USA", alice2)), ErrorCode::kPermissionDenied);
  // Revoking a member revokes every device.
  ASSERT_TRUE(w.Dir(kRevoke, "USA", admin, {{"member", "alice@USA"}}));
  EXPECT_EQ(w.directory.ActiveMemberOf(alice.signing.public_key()), nullptr);
  EXPECT_TRUE(w.directory.ReceivingKeys(m, w.now_ms).empty());
}

TEST(Directory, EventsMustBeInTheirPartnersDirectory) {
  World w;
  TestDevice admin;
  auto h = w.Header(kEnroll, DirectorySpaceId("KOR"), "USA", admin, "DIRECTORY");
  nlohmann::json meta = EnrolMeta("admin@USA", "USA", {"admin"});
  EXPECT_EQ(CodeOf(w.directory.Check(FoldEvent{h, meta})), ErrorCode::kInvalidArgument);
  auto h2 = w.Header(kEnroll, DirectorySpaceId("USA"), "USA", admin, "USKR;U");
  EXPECT_EQ(CodeOf(w.directory.Check(FoldEvent{h2, meta})), ErrorCode::kInvalidArgument);
}

TEST(Directory, APartnerNeverRevokesAnotherPartnersDevicesOrCopiesTheirKeys) {
  World w;
  TestDevice usa_admin, alice, kor_admin, kim;
  ASSERT_TRUE(w.Enrol(usa_admin, "admin@USA", usa_admin, {"admin"}, "USKR;TS;REL=USA"));
  ASSERT_TRUE(w.Enrol(usa_admin, "alice@USA", alice, {"officer"}, "USKR;S;REL=USA"));
  ASSERT_TRUE(w.Enrol(kor_admin, "admin@KOR", kor_admin, {"admin"}, "USKR;TS;REL=KOR"));
  ASSERT_TRUE(w.Enrol(kor_admin, "kim@KOR", kim, {"officer"}, "USKR;S;REL=KOR"));
  // KOR's admin, in KOR's directory, cannot revoke alice's device.
  EXPECT_EQ(CodeOf(w.Dir(kDeviceRevoke, "KOR", kor_admin, {{"device_key", alice.id()}})),
            ErrorCode::kPermissionDenied);
  EXPECT_NE(w.directory.ActiveMemberOf(alice.signing.public_key()), nullptr);
  // kim cannot publish alice's encryption key as hers (bodies sealed to alice would look
  // releasable to KOR).
  EXPECT_EQ(
      CodeOf(w.Dir(kKeys, "KOR", kim,
                   {{"encryption_key", Base64UrlEncode(alice.encryption.public_key().bytes())},
                    {"not_after_ms", w.now_ms + 1000}})),
      ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace entente::space
