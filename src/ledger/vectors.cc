#include "ledger/vectors.h"

#include "base/encoding.h"

namespace entente::ledger {

EventBody ExampleBody(const Bytes& envelope) {
  return EventBody{ToBytes(R"({"channel":"plenary","reply_to":"AAAAAAAAAAAAAAAAAAAAAA"})"),
                   envelope};
}

Result<EventHeader> ExampleHeader(const EventBody& body) {
  Bytes seed(32);
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i + 1);
  ENTENTE_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::FromSeed(seed));
  EventHeader h;
  h.kind = 0x0300;  // message.post
  ENTENTE_ASSIGN_OR_RETURN(h.space_id, SpaceId::FromHex("4e434700000000000000000000000001"));
  h.origin = "USA";
  ENTENTE_ASSIGN_OR_RETURN(h.event_id, EventId::FromHex("0102030405060708090a0b0c0d0e0f10"));
  h.created_ms = 1'795'861'020'123;  // 2026-11-28T10:17:00.123Z
  h.label = "USKR;S;P:REL=KOR,USA";
  h.subject = ToBytes("plenary");
  h.seen = {{"KOR", 41}, {"USA", 1234}};
  ENTENTE_ASSIGN_OR_RETURN(Bytes body_bytes, EncodeBody(body));
  h.body_hash = BodyHash(body_bytes);
  ENTENTE_RETURN_IF_ERROR(SignHeader(h, key));
  return h;
}

nlohmann::json HeaderToJson(const EventHeader& h) {
  nlohmann::json seen = nlohmann::json::array();
  for (const Ref& ref : h.seen)
    seen.push_back({{"origin", ref.origin}, {"tree_size", ref.tree_size}});
  return {
      {"version", h.version},
      {"kind", h.kind},
      {"space_id", h.space_id.ToHex()},
      {"origin", h.origin},
      {"event_id", h.event_id.ToHex()},
      {"created_ms", h.created_ms},
      {"author", HexEncode(h.author.view())},
      {"label", h.label},
      {"exercise_id", HexEncode(h.exercise_id)},
      {"subject", HexEncode(h.subject)},
      {"seen", seen},
      {"body_hash", HexEncode(h.body_hash)},
      {"signature", HexEncode(h.signature)},
  };
}

}  // namespace entente::ledger
