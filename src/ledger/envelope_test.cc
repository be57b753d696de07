#include "ledger/envelope.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "ledger/vectors.h"
#include "testing/testdata.h"

namespace entente::ledger {
namespace {

struct Fixture {
  std::vector<crypto::EncryptionKey> keys;
  EventHeader header;
  crypto::Digest aad;
  Envelope envelope;
  Bytes encoded;
};

Fixture Make(size_t recipients) {
  Fixture f;
  for (size_t i = 0; i < recipients + 1; ++i) f.keys.push_back(crypto::EncryptionKey::Generate());
  f.header = ExampleHeader(ExampleBody({})).value();
  f.aad = EnvelopeAad(f.header);
  std::vector<crypto::EncryptionPublicKey> to;
  for (size_t i = 0; i < recipients; ++i) to.push_back(f.keys[i].public_key());
  f.envelope = SealEnvelope(AsBytes("the content"), f.aad, to).value();
  f.encoded = EncodeEnvelope(f.envelope).value();
  return f;
}

void ExpectVague(const Result<crypto::SecretBytes>& r) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(r.error().message(), "envelope: cannot open");
}

TEST(Envelope, EveryRecipientOpensNoOneElse) {
  Fixture f = Make(3);
  EXPECT_EQ(f.envelope.recipients.size(), 3u);
  Envelope decoded = DecodeEnvelope(f.encoded).value();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ToString(OpenEnvelope(decoded, f.aad, f.keys[i]).value().view()), "the content");
  }
  ExpectVague(OpenEnvelope(decoded, f.aad, f.keys[3]));
}

TEST(Envelope, RecipientsAreSortedAndDeduplicated) {
  auto a = crypto::EncryptionKey::Generate();
  auto b = crypto::EncryptionKey::Generate();
  std::vector<crypto::EncryptionPublicKey> to = {b.public_key(), a.public_key(), b.public_key()};
  crypto::Digest aad{};
  Envelope env = SealEnvelope(AsBytes("x"), aad, to).value();
  ASSERT_EQ(env.recipients.size(), 2u);
  EXPECT_LT(env.recipients[0].key_id, env.recipients[1].key_id);
  EXPECT_FALSE(SealEnvelope(AsBytes("x"), aad, {}).has_value());
}

TEST(Envelope, AnyFlippedByteFailsToOpenWithOneVagueError) {
  Fixture f = Make(2);
  for (size_t i = 0; i < f.encoded.size(); ++i) {
    Bytes flipped = f.encoded;
    flipped[i] ^= 0x01;
    auto decoded = DecodeEnvelope(flipped);
    if (!decoded) continue;  // structurally broken (e.g. recipients out of order)
    // A flip in the other recipient's entry leaves key 0's own entry intact; test the one whose
    // entry or shared fields changed.
    bool opens0 = OpenEnvelope(*decoded, f.aad, f.keys[0]).has_value();
    bool opens1 = OpenEnvelope(*decoded, f.aad, f.keys[1]).has_value();
    EXPECT_FALSE(opens0 && opens1) << "byte " << i << " changed nothing";
  }
}

TEST(Envelope, HeaderFieldsAreBoundThroughAad) {
  Fixture f = Make(1);
  auto with = [&](auto mutate) {
    EventHeader h = f.header;
    mutate(h);
    return OpenEnvelope(f.envelope, EnvelopeAad(h), f.keys[0]);
  };
  ExpectVague(with([](EventHeader& h) { h.label = "USKR;TS;P:REL=KOR,USA"; }));
  ExpectVague(with([](EventHeader& h) { h.origin = "KOR"; }));
  ExpectVague(with([](EventHeader& h) { h.kind ^= 1; }));
  ExpectVague(with([](EventHeader& h) { h.event_id = EventId(); }));
  ExpectVague(with([](EventHeader& h) { h.space_id = SpaceId(); }));
  ExpectVague(with([](EventHeader& h) { h.author = crypto::PublicKey(); }));
  // Fields outside the aad (clock, seen) do not matter to the envelope; the signature covers them.
  EXPECT_TRUE(with([](EventHeader& h) { h.created_ms += 1; }).has_value());
}

TEST(Envelope, WrappedKeyFromAnotherEventIsRefused) {
  // Same recipient, two events with different labels: splicing event B's wrapped key into event
  // A's envelope gives a DEK whose wrapped aad is B's, which A's header does not produce.
  Fixture a = Make(1);
  EventHeader other = a.header;
  other.label = "USKR;U";
  crypto::Digest other_aad = EnvelopeAad(other);
  std::vector<crypto::EncryptionPublicKey> to = {a.keys[0].public_key()};
  Envelope b = SealEnvelope(AsBytes("other"), other_aad, to).value();
  Envelope spliced = a.envelope;
  spliced.recipients[0] = b.recipients[0];
  ExpectVague(OpenEnvelope(spliced, a.aad, a.keys[0]));
  // And B's ciphertext under A's aad does not open either.
  spliced = b;
  ExpectVague(OpenEnvelope(spliced, a.aad, a.keys[0]));
}

TEST(Envelope, MalformedEncodingsAreRejected) {
  Fixture f = Make(2);
  for (size_t n = 0; n < f.encoded.size(); n += 7) {
    EXPECT_FALSE(DecodeEnvelope(ByteView(f.encoded).first(n)).has_value()) << n;
  }
  Bytes trailing = f.encoded;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeEnvelope(trailing).has_value());
  // Recipients out of order.
  Envelope swapped = f.envelope;
  std::swap(swapped.recipients[0], swapped.recipients[1]);
  EXPECT_FALSE(EncodeEnvelope(swapped).has_value());
}

// testdata/envelope/v1.json: recipients 1 and 2 open it; 3 does not.
TEST(Envelope, KnownAnswerVector) {
  auto v = nlohmann::json::parse(entente::testing::ReadSourceFile("testdata/envelope/v1.json"));
  EventHeader header = ExampleHeader(ExampleBody({})).value();
  crypto::Digest aad = EnvelopeAad(header);
  EXPECT_EQ(HexEncode(aad), v["aad"].get<std::string>());
  Envelope env =
      DecodeEnvelope(HexDecode(v["envelope_encoding"].get<std::string>()).value()).value();
  for (const auto& secret : v["recipient_secrets"]) {
    auto key =
        crypto::EncryptionKey::FromSecret(HexDecode(secret.get<std::string>()).value()).value();
    EXPECT_EQ(ToString(OpenEnvelope(env, aad, key).value().view()),
              v["plaintext"].get<std::string>());
  }
  auto outsider = crypto::EncryptionKey::FromSecret(
                      HexDecode(v["non_recipient_secret"].get<std::string>()).value())
                      .value();
  ExpectVague(OpenEnvelope(env, aad, outsider));
}

}  // namespace
}  // namespace entente::ledger
