#include "testing/sample_node.h"

#include <filesystem>

#include "base/file.h"
#include "crypto/random.h"
#include "ledger/event.h"
#include "ledger/note.h"
#include "store/checkpointer.h"
#include "store/sqlite_store.h"

namespace entente::testing {
namespace {

crypto::SigningKey FromByte(uint8_t b) {
  return crypto::SigningKey::FromSeed(Bytes(32, b)).value();
}

Result<std::vector<store::NewEvent>> MakeEvents(const store::LogKey& log, uint64_t first,
                                                uint64_t count) {
  crypto::SigningKey device = FromByte(0x0d);
  std::vector<store::NewEvent> out;
  for (uint64_t i = first; i < first + count; ++i) {
    ledger::EventBody body{ToBytes(R"({"channel":"plenary"})"), crypto::RandomBytes(64)};
    ENTENTE_ASSIGN_OR_RETURN(Bytes body_bytes, ledger::EncodeBody(body));
    ledger::EventHeader h;
    h.kind = 0x0300;
    h.space_id = log.space;
    h.origin = log.origin;
    h.event_id = ledger::EventId(crypto::RandomArray<16>());
    h.created_ms = 1'795'861'020'000 + i * 1000;
    h.label = "USKR;S;P:REL=KOR,USA";
    h.subject = ToBytes("plenary");
    h.seen = {{log.origin, i}};
    h.body_hash = ledger::BodyHash(body_bytes);
    ENTENTE_RETURN_IF_ERROR(ledger::SignHeader(h, device));
    ENTENTE_ASSIGN_OR_RETURN(Bytes header, ledger::EncodeHeader(h));
    out.push_back({h.event_id, std::move(header), std::move(body_bytes)});
  }
  return out;
}

}  // namespace

crypto::SigningKey SampleNodeKey() { return FromByte(0x01); }
crypto::SigningKey SampleCosignerKey() { return FromByte(0x02); }

Result<SampleNode> MakeSampleNode(const std::string& dir, uint64_t events) {
  std::filesystem::create_directories(dir);
  ENTENTE_ASSIGN_OR_RETURN(auto db, store::SqliteStore::Open(dir + "/node.db"));
  SampleNode node;
  ENTENTE_ASSIGN_OR_RETURN(node.log.space,
                           ledger::SpaceId::FromHex("4e434700000000000000000000000001"));
  node.log.origin = "USA";
  ENTENTE_RETURN_IF_ERROR(db->CreateLog(node.log, store::LogRole::kOwn));

  crypto::SigningKey node_key = SampleNodeKey();
  crypto::SigningKey cosigner_key = SampleCosignerKey();
  ENTENTE_ASSIGN_OR_RETURN(auto half, MakeEvents(node.log, 0, events / 2));
  ENTENTE_RETURN_IF_ERROR(db->AppendEvents(node.log, half));
  ENTENTE_ASSIGN_OR_RETURN(auto first, store::SignLatestCheckpoint(*db, node.log, node_key));
  node.first_checkpoint = first.note;
  ENTENTE_ASSIGN_OR_RETURN(auto rest, MakeEvents(node.log, events / 2, events - events / 2));
  ENTENTE_RETURN_IF_ERROR(db->AppendEvents(node.log, rest));
  ENTENTE_ASSIGN_OR_RETURN(auto latest, store::SignLatestCheckpoint(*db, node.log, node_key));

  ENTENTE_ASSIGN_OR_RETURN(auto log_verifier,
                           store::CheckpointVerifier(node.log, node_key.public_key()));
  ENTENTE_ASSIGN_OR_RETURN(
      auto cosigner,
      ledger::Verifier::Create("kor-node.example", ledger::NoteKeyType::kCosignatureV1,
                               cosigner_key.public_key()));
  ENTENTE_ASSIGN_OR_RETURN(auto checkpoint, ledger::OpenCheckpoint(latest.note, log_verifier, {}));
  ENTENTE_ASSIGN_OR_RETURN(auto cosig, ledger::Cosign(checkpoint.checkpoint, cosigner.name(),
                                                      cosigner_key, 1'795'861'100));
  ENTENTE_RETURN_IF_ERROR(store::AddCosignature(*db, node.log, latest.tree_size, cosigner, cosig));

  node.node_vkey = log_verifier.ToString();
  node.cosigner_vkey = cosigner.ToString();
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/node.vkey", AsBytes(node.node_vkey + "\n"), 0644, false));
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/cosigner.vkey", AsBytes(node.cosigner_vkey + "\n"), 0644, false));
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/space", AsBytes(node.log.space.ToHex() + "\n"), 0644, false));
  ENTENTE_RETURN_IF_ERROR(
      WriteFileAtomic(dir + "/first.checkpoint", AsBytes(node.first_checkpoint), 0644, false));
  return node;
}

}  // namespace entente::testing
