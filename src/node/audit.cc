#include "node/audit.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/clock.h"
#include "base/encoding.h"
#include "ledger/envelope.h"
#include "ledger/event.h"
#include "ledger/kinds.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "node/node_dir.h"
#include "node/peers.h"
#include "space/directory.h"
#include "space/meta.h"
#include "space/names.h"
#include "space/space_state.h"
#include "store/sqlite_store.h"

namespace entente::node {
namespace {

using namespace ledger::kind;  // NOLINT(google-build-using-namespace)

struct Entry {
  uint64_t index;
  ledger::EventHeader header;
  Bytes header_bytes;
  std::optional<Bytes> body;
};

// Reads a whole log, verifying each header; recomputes the tree.
Result<std::vector<Entry>> ReadAll(store::Store& store, const store::LogKey& log, LogAudit& out,
                                   ledger::MerkleTree& tree) {
  ENTENTE_ASSIGN_OR_RETURN(out.size, store.TreeSize(log));
  std::vector<Entry> entries;
  constexpr uint64_t kChunk = 1024;
  for (uint64_t begin = 0; begin < out.size; begin += kChunk) {
    uint64_t end = std::min(out.size, begin + kChunk);
    ENTENTE_ASSIGN_OR_RETURN(auto leaves, store.Leaves(log, begin, end));
    for (uint64_t i = begin; i < end; ++i) {
      Bytes& bytes = leaves[i - begin];
      tree.AppendLeaf(bytes);
      auto header = ledger::DecodeHeader(bytes);
      if (!header || !ledger::VerifyHeaderSignature(*header) || header->space_id != log.space ||
          header->origin != log.origin) {
        ++out.bad_headers;
        continue;
      }
      ENTENTE_ASSIGN_OR_RETURN(auto body, store.Body(log, i));
      if (body && !ledger::CheckBodyHash(*header, *body)) {
        out.problems.push_back("entry " + std::to_string(i) + ": the body does not match its hash");
        body.reset();
      }
      out.bodies_held += body.has_value();
      entries.push_back({i, std::move(*header), std::move(bytes), std::move(body)});
    }
  }
  return entries;
}

// Checks the latest checkpoint signed by the origin against the recomputed tree, and the latest
// one carrying every witness's cosignature.
void AuditCheckpoints(store::Store& store, const store::LogKey& log, const crypto::PublicKey& key,
                      const std::map<std::string, crypto::PublicKey>& keys,
                      const std::vector<std::string>& witnesses, const ledger::MerkleTree& tree,
                      LogAudit& out) {
  auto origin = ledger::EntenteOrigin(log.space.view(), log.origin);
  auto verifier = ledger::Verifier::Create(*origin, ledger::NoteKeyType::kEd25519, key);
  auto latest = store.LatestCheckpoint(log);
  if (latest && *latest) {
    auto opened = ledger::OpenCheckpoint((*latest)->note, *verifier, {});
    if (!opened) {
      out.problems.push_back("latest checkpoint: " + opened.error().message());
    } else {
      out.checkpoint_size = opened->checkpoint.size.value();
      auto root = tree.RootAt(opened->checkpoint.size);
      out.checkpoint_ok = root && *root == opened->checkpoint.root;
      if (!out.checkpoint_ok) {
        out.problems.push_back("the leaves held do not hash to the root " + log.origin +
                               " signed at size " + std::to_string(out.checkpoint_size));
      }
    }
  } else if (out.size > 0) {
    out.problems.push_back("no checkpoint signed by " + log.origin + " is held");
  }
  // The cosigned checkpoint: the largest size every witness cosigned, verified per cosigner.
  auto latest_cosigs = store.LatestCosignatures(log);
  if (!latest_cosigs) return;
  std::set<uint64_t, std::greater<>> sizes;
  for (const auto& c : *latest_cosigs) sizes.insert(c.tree_size);
  for (uint64_t size : sizes) {
    auto cosigs = store.Cosignatures(log, size);
    auto root = tree.RootAt(ledger::TreeSize(size));
    if (!cosigs || !root) continue;
    ledger::Checkpoint cp{*origin, ledger::TreeSize(size), *root, {}};
    auto text = cp.Text();
    if (!text) continue;
    std::vector<std::string> verified;
    for (const auto& c : *cosigs) {
      auto k = keys.find(c.cosigner);
      if (k == keys.end()) continue;
      auto cv =
          ledger::Verifier::Create(c.cosigner, ledger::NoteKeyType::kCosignatureV1, k->second);
      auto note = ledger::Note::Parse(*text + "\n" + c.line);
      if (cv && note && !note->signatures.empty() &&
          cv->Verify(*text, note->signatures.back().signature)) {
        verified.push_back(c.cosigner);
      } else {
        out.problems.push_back("the cosignature by " + c.cosigner + " at size " +
                               std::to_string(size) + " does not verify");
      }
    }
    bool all = std::all_of(witnesses.begin(), witnesses.end(), [&](const std::string& w) {
      return std::find(verified.begin(), verified.end(), w) != verified.end();
    });
    if (all) {
      out.cosigned_size = size;
      out.cosigners = verified;
      return;
    }
  }
}

}  // namespace

bool SpaceAudit::ok() const {
  if (!alarms.empty()) return false;
  // Flagged entries are reported, not failures: the log is append-only and they are excluded
  // from state. Headers whose signature fails are flagged too; any unflagged one is a problem.
  return std::all_of(logs.begin(), logs.end(), [](const LogAudit& l) {
    return l.problems.empty() && l.bad_headers <= l.flagged.size();
  });
}

Result<SpaceAudit> AuditSpace(const std::string& dir, const std::string& name_or_id) {
  ENTENTE_ASSIGN_OR_RETURN(NodeInfo info, ReadNodeInfo(dir));
  ENTENTE_ASSIGN_OR_RETURN(auto peers, ReadPeers(dir));
  ENTENTE_ASSIGN_OR_RETURN(auto store, store::SqliteStore::Open(dir + "/node.db"));
  std::map<std::string, crypto::PublicKey> keys{{info.partner, info.node_key}};
  for (const auto& p : peers) keys.emplace(p.partner, p.node_key);
  ENTENTE_ASSIGN_OR_RETURN(auto logs, store->Logs());

  // Every directory held, folded: members and devices of every partner.
  space::Directory directory;
  for (const auto& [log, role] : logs) {
    if (space::DirectorySpaceId(log.origin) != log.space) continue;
    LogAudit ignored;
    ledger::MerkleTree tree;
    ENTENTE_ASSIGN_OR_RETURN(auto entries, ReadAll(*store, log, ignored, tree));
    for (const auto& e : entries) {
      if (!e.body) continue;
      auto body = ledger::DecodeBody(*e.body);
      if (!body) continue;
      auto meta = space::ParseMeta(body->meta);
      if (meta) (void)directory.Fold(space::FoldEvent{e.header, *meta});
    }
  }

  // The space's logs: found by id, or by the name in a charter.
  SpaceAudit audit;
  std::vector<std::pair<store::LogKey, store::LogRole>> space_logs;
  std::optional<ledger::SpaceId> id;
  if (auto parsed = ledger::SpaceId::FromHex(name_or_id)) id = *parsed;
  for (const auto& [log, role] : logs) {
    if (space::DirectorySpaceId(log.origin) == log.space) continue;
    if (!id) {
      auto first = store->Leaves(log, 0, std::min<uint64_t>(1, store->TreeSize(log).value_or(0)));
      if (!first || first->empty()) continue;
      auto header = ledger::DecodeHeader(first->front());
      if (!header || header->kind != kSpaceCharter) continue;
      auto body = store->Body(log, 0);
      if (!body || !*body) continue;
      auto decoded = ledger::DecodeBody(**body);
      if (!decoded) continue;
      auto meta = space::ParseMeta(decoded->meta);
      if (meta && space::MetaString(*meta, "name") == name_or_id) id = log.space;
    }
  }
  if (!id) return NotFound("no space \"" + name_or_id + "\" in " + dir);
  for (const auto& [log, role] : logs) {
    if (log.space == *id) space_logs.emplace_back(log, role);
  }
  if (space_logs.empty()) return NotFound("no log of space " + id->ToHex() + " in " + dir);
  audit.id = id->ToHex();

  // Read and fold every log in merge order, checking each entry against the state before it.
  struct Held {
    LogAudit audit;
    std::vector<Entry> entries;
    ledger::MerkleTree tree;
  };
  std::vector<Held> held(space_logs.size());
  std::vector<std::vector<uint64_t>> times;
  std::vector<std::string> origins;
  for (size_t i = 0; i < space_logs.size(); ++i) {
    const auto& [log, role] = space_logs[i];
    held[i].audit.origin = log.origin;
    held[i].audit.mirror = role == store::LogRole::kMirror;
    ENTENTE_ASSIGN_OR_RETURN(held[i].entries, ReadAll(*store, log, held[i].audit, held[i].tree));
    ENTENTE_ASSIGN_OR_RETURN(auto flags, store->Flags(log));
    for (const auto& f : flags) held[i].audit.flagged.push_back(f.first);
    origins.push_back(log.origin);
    auto& t = times.emplace_back();
    for (const auto& e : held[i].entries) t.push_back(e.header.created_ms);
  }
  // The state (name, partners) from the structural events in merge order. Policy is not
  // re-checked here: it depends on the directory at each event's time, which a fold of today's
  // directory does not give; entries the node found to break policy when they arrived are its
  // flags, reported per log.
  space::SpaceState state(*id);
  for (auto [i, position] : space::MergeOrder(times, origins)) {
    const Entry& e = held[i].entries[position];
    if (!e.body || e.header.kind == kMessagePost) continue;
    auto body = ledger::DecodeBody(*e.body);
    if (!body) continue;
    auto meta = space::ParseMeta(body->meta);
    if (meta) state.Apply(space::FoldEvent{e.header, *meta}, directory);
  }
  audit.space = state.name();
  audit.partners = state.partners();

  for (size_t i = 0; i < space_logs.size(); ++i) {
    const auto& log = space_logs[i].first;
    auto key = keys.find(log.origin);
    if (key == keys.end()) {
      held[i].audit.problems.push_back("no pinned key for " + log.origin);
    } else {
      std::vector<std::string> witnesses;
      for (const auto& p : audit.partners) {
        if (p != log.origin) witnesses.push_back(p);
      }
      AuditCheckpoints(*store, log, key->second, keys, witnesses, held[i].tree, held[i].audit);
    }
    audit.logs.push_back(std::move(held[i].audit));
  }
  ENTENTE_ASSIGN_OR_RETURN(auto alarms, store->Alarms());
  for (const auto& a : alarms) {
    // The space's own logs, and the directories of its partners (whose members author in it).
    bool partner_directory = space::DirectorySpaceId(a.log.origin) == a.log.space &&
                             std::find(audit.partners.begin(), audit.partners.end(),
                                       a.log.origin) != audit.partners.end();
    if (a.log.space != *id && !partner_directory) continue;
    audit.alarms.push_back({{"space", a.log.space.ToHex()},
                            {"origin", a.log.origin},
                            {"at", FormatRfc3339(FromUnixMs(a.at_ms))},
                            {"evidence", nlohmann::json::parse(a.evidence, nullptr, false)}});
  }
  return audit;
}

nlohmann::json AuditJson(const SpaceAudit& audit) {
  nlohmann::json logs = nlohmann::json::array();
  for (const auto& l : audit.logs) {
    logs.push_back({{"origin", l.origin},
                    {"role", l.mirror ? "mirror" : "own"},
                    {"size", l.size},
                    {"bad_headers", l.bad_headers},
                    {"bodies_held", l.bodies_held},
                    {"flagged", l.flagged},
                    {"checkpoint_size", l.checkpoint_size},
                    {"checkpoint_verified", l.checkpoint_ok},
                    {"cosigned_size", l.cosigned_size},
                    {"cosigners", l.cosigners},
                    {"problems", l.problems}});
  }
  return {{"space", audit.space}, {"id", audit.id}, {"partners", audit.partners},
          {"ok", audit.ok()},     {"logs", logs},   {"alarms", audit.alarms}};
}

}  // namespace entente::node
