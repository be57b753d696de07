#include "node/archive.h"

#include <deque>

#include "base/encoding.h"
#include "base/file.h"
#include "consult/fold.h"
#include "ledger/kinds.h"
#include "ledger/note.h"
#include "space/meta.h"
#include "space/names.h"
#include "store/checkpointer.h"
#include "store/tiled_log.h"

namespace entente::node {

struct Archive::Space {
  explicit Space(ledger::SpaceId id) : state(id), book(state) {}
  space::SpaceState state;
  consult::Book book;
  // What the fold refers to.
  std::deque<ledger::EventHeader> headers;
  std::deque<nlohmann::json> metas;
  std::map<std::string, std::vector<consult::FoldEntry>> entries;
};

Archive::~Archive() = default;

Result<std::unique_ptr<Archive>> Archive::Load(const ArchiveOptions& options) {
  std::unique_ptr<Archive> archive(new Archive());
  struct Loaded {
    ArchivedLog log;
    store::VerifySummary summary;
  };
  std::vector<Loaded> loaded;
  for (const auto& dir : options.dirs) {
    ENTENTE_ASSIGN_OR_RETURN(Bytes note, ReadFile(dir + "/checkpoint", ledger::kMaxNoteSize));
    std::string text = ToString(note);
    ENTENTE_ASSIGN_OR_RETURN(auto origin,
                             ledger::ParseEntenteOrigin(text.substr(0, text.find('\n'))));
    ArchivedLog log;
    log.dir = dir;
    log.origin = origin.partner;
    log.space = ledger::SpaceId(origin.space_id);
    log.directory = log.space == space::DirectorySpaceId(log.origin);
    auto key = options.node_key(log.origin);
    if (!key) return std::unexpected(key.error().WithContext(dir));
    ENTENTE_ASSIGN_OR_RETURN(auto verifier,
                             store::CheckpointVerifier({log.space, log.origin}, *key));
    store::VerifyOptions verify{verifier, {}, std::nullopt, true};
    auto summary = store::VerifyTiledLog(dir, verify);
    if (!summary) return std::unexpected(summary.error().WithContext(dir));
    log.size = summary->tree_size;
    log.bodies = summary->bodies.size();
    loaded.push_back({std::move(log), std::move(*summary)});
  }
  // Directories first: the space's events name their members and devices.
  std::stable_partition(loaded.begin(), loaded.end(),
                        [](const Loaded& l) { return l.log.directory; });
  for (auto& [log, summary] : loaded) {
    archive->logs_.push_back(log);
    Space* space = nullptr;
    if (!log.directory) {
      auto& slot = archive->spaces_[log.space];
      if (!slot) slot = std::make_unique<Space>(log.space);
      space = slot.get();
    }
    for (uint64_t i = 0; i < summary.headers.size(); ++i) {
      std::string where = log.origin + "/" + std::to_string(i);
      auto body = summary.bodies.find(i);
      auto header = ledger::DecodeHeader(summary.headers[i]);
      if (!header) return std::unexpected(header.error().WithContext(where));
      if (body == summary.bodies.end()) continue;  // withheld from the exporting node
      auto decoded = ledger::DecodeBody(body->second);
      if (!decoded) return std::unexpected(decoded.error().WithContext(where));
      if (auto valid =
              ledger::ValidateMeta(header->kind, decoded->meta, !decoded->envelope.empty());
          !valid) {
        archive->warnings_.push_back(where + ": " + valid.error().message());
        continue;
      }
      auto meta = space::ParseMeta(decoded->meta);
      if (!meta) return std::unexpected(meta.error().WithContext(where));
      if (log.directory) {
        if (auto folded = archive->directory_.Fold(space::FoldEvent{*header, *meta}); !folded) {
          archive->warnings_.push_back(where + ": " + folded.error().message());
        }
        continue;
      }
      space->headers.push_back(std::move(*header));
      space->metas.push_back(std::move(*meta));
      space->entries[log.origin].push_back({&space->headers.back(), &space->metas.back(), {}, i});
    }
  }
  for (auto& [id, space] : archive->spaces_) {
    consult::FoldSpaceLogs(space->entries, archive->directory_, space->state, space->book);
    space->book.AdvanceTo(options.now_ms);
  }
  return archive;
}

Result<nlohmann::json> Archive::DecisionRecord(std::string_view id) const {
  std::vector<std::pair<const Space*, const consult::Consultation*>> found;
  std::string wanted(id);
  if (wanted.size() < 6) return InvalidArgument("give at least 6 hex digits of the decision's id");
  for (const auto& [space_id, space] : spaces_) {
    for (const auto& [cid, c] : space->book.consultations()) {
      for (const auto& d : c.decisions) {
        if (d.id.starts_with(wanted)) found.emplace_back(space.get(), &c);
      }
    }
  }
  if (found.empty()) return NotFound("no decision " + wanted + " in these logs");
  if (found.size() > 1) return InvalidArgument("decision " + wanted + " is ambiguous");
  auto [space, c] = found.front();
  for (const auto& d : c->decisions) {
    if (!d.id.starts_with(wanted)) continue;
    nlohmann::json record = consult::DecisionJson(space->book, *c, d);
    record["space"] = space->state.name();
    return record;
  }
  return NotFound("no decision " + wanted);
}

}  // namespace entente::node
