#include "store/tiled_log.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/file.h"
#include "ledger/event.h"
#include "ledger/tiles.h"
#include "store/checkpointer.h"

namespace entente::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTileFile = ledger::kTileWidth * ledger::kHashSize;
constexpr size_t kMaxBundleFile = ledger::kTileWidth * (2 + ledger::kMaxEntrySize);
constexpr size_t kMaxBodiesFile = size_t{16} << 30;  // 16 GiB: read whole, only when asked

Status WriteAt(const fs::path& root, const std::string& relative, ByteView data) {
  fs::path path = root / relative;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return InvalidArgument(path.parent_path().string() + ": cannot create: " + ec.message());
  return WriteFileAtomic(path.string(), data, 0644, /*exclusive=*/false);
}

// Reads tiles from an exported directory.
class DirTileReader final : public ledger::TileReader {
 public:
  explicit DirTileReader(fs::path dir) : dir_(std::move(dir)) {}
  Result<Bytes> ReadTile(const ledger::TileId& id) override {
    return ReadFile((dir_ / ledger::TilePath(id)).string(), kMaxTileFile);
  }

 private:
  fs::path dir_;
};

}  // namespace

Result<Bytes> StoreTile(Store& store, const LogKey& log, const ledger::TileId& id) {
  uint8_t node_level = static_cast<uint8_t>(id.level * ledger::kTileHeight);
  uint64_t first = id.index * ledger::kTileWidth;
  ENTENTE_ASSIGN_OR_RETURN(auto hashes, store.NodeHashes(log, node_level, first, first + id.width));
  Bytes data;
  data.reserve(hashes.size() * ledger::kHashSize);
  for (const auto& h : hashes) Append(data, h);
  return data;
}

Result<Bytes> StoreBundle(Store& store, const LogKey& log, const ledger::BundleId& id) {
  uint64_t first = id.index * ledger::kTileWidth;
  ENTENTE_ASSIGN_OR_RETURN(auto entries, store.Leaves(log, first, first + id.width));
  return ledger::EncodeEntryBundle(entries);
}

Result<ExportSummary> ExportTiledLog(Store& store, const LogKey& log, const std::string& out_dir,
                                     const std::function<void(uint64_t, uint64_t)>& progress) {
  ExportSummary summary;
  // One read: a checkpoint signed while exporting must not pair a newer note with older tiles.
  ENTENTE_ASSIGN_OR_RETURN(StoredCheckpoint checkpoint, CosignedCheckpoint(store, log));
  summary.checkpoint = std::move(checkpoint.note);
  summary.tree_size = checkpoint.tree_size;
  ledger::TreeSize size(summary.tree_size);
  fs::path root(out_dir);

  for (const ledger::TileId& tile : ledger::TilesForTree(size)) {
    ENTENTE_ASSIGN_OR_RETURN(Bytes data, StoreTile(store, log, tile));
    ENTENTE_RETURN_IF_ERROR(WriteAt(root, ledger::TilePath(tile), data));
    ++summary.tiles;
    if (tile.level != 0) continue;
    ledger::BundleId bundle_id = ledger::BundleFor(tile);
    ENTENTE_ASSIGN_OR_RETURN(Bytes bundle, StoreBundle(store, log, bundle_id));
    ENTENTE_RETURN_IF_ERROR(WriteAt(root, ledger::BundlePath(bundle_id), bundle));
    ++summary.bundles;
    if (progress) progress(bundle_id.index * ledger::kTileWidth + tile.width, summary.tree_size);
  }
  // The bodies held here (withheld and shredded ones are absent).
  std::string bodies;
  for (uint64_t i = 0; i < summary.tree_size; ++i) {
    ENTENTE_ASSIGN_OR_RETURN(auto body, store.Body(log, i));
    if (!body) continue;
    bodies += nlohmann::json({{"index", i}, {"body", Base64UrlEncode(*body)}}).dump() + "\n";
  }
  ENTENTE_RETURN_IF_ERROR(WriteAt(root, "bodies.jsonl", AsBytes(bodies)));
  // The checkpoint last: a reader that sees it finds every tile it names.
  ENTENTE_RETURN_IF_ERROR(WriteAt(root, "checkpoint", AsBytes(summary.checkpoint)));
  return summary;
}

namespace {

// Reads OUT/bodies.jsonl, if there is one: each body must match its header's body_hash.
Status ReadBodies(const fs::path& root, VerifySummary& summary) {
  auto text = ReadFile((root / "bodies.jsonl").string(), kMaxBodiesFile);
  if (!text) {
    return text.error().code() == ErrorCode::kNotFound ? Status()
                                                       : Status(std::unexpected(text.error()));
  }
  std::string all = ToString(*text);
  std::string_view rest = all;
  for (size_t line = 1; !rest.empty(); ++line) {
    size_t end = rest.find('\n');
    std::string_view row = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    std::string where = "bodies.jsonl line " + std::to_string(line);
    auto json = nlohmann::json::parse(row, nullptr, false);
    if (!json.is_object() || !json["index"].is_number_unsigned() || !json["body"].is_string()) {
      return InvalidArgument(where + R"(: expected {"index": N, "body": base64url})");
    }
    uint64_t index = json["index"].get<uint64_t>();
    auto body = Base64UrlDecode(json["body"].get<std::string>());
    if (!body) return InvalidArgument(where + ": the body is not base64url");
    if (index >= summary.headers.size())
      return InvalidArgument(where + ": no entry " + std::to_string(index));
    auto header = ledger::DecodeHeader(summary.headers[index]);
    if (!header || !ledger::CheckBodyHash(*header, *body)) {
      return Unauthenticated(where + ": the body of entry " + std::to_string(index) +
                             " does not match its header");
    }
    if (!summary.bodies.emplace(index, std::move(*body)).second) {
      return InvalidArgument(where + ": entry " + std::to_string(index) + " twice");
    }
  }
  return {};
}

}  // namespace

Result<VerifySummary> VerifyTiledLog(const std::string& dir, const VerifyOptions& options) {
  fs::path root(dir);
  VerifySummary summary;
  ENTENTE_ASSIGN_OR_RETURN(Bytes note_bytes,
                           ReadFile((root / "checkpoint").string(), ledger::kMaxNoteSize));
  auto opened = ledger::OpenCheckpoint(ToString(note_bytes), options.log_key, options.cosigners);
  if (!opened) return std::unexpected(opened.error().WithContext("checkpoint"));
  const ledger::Checkpoint& cp = opened->checkpoint;
  summary.origin = cp.origin;
  summary.tree_size = cp.size.value();
  summary.root = cp.root;
  ENTENTE_ASSIGN_OR_RETURN(auto origin, ledger::ParseEntenteOrigin(cp.origin));

  DirTileReader reader(root);
  auto source = ledger::TileHashSource::Open(reader, cp.size, cp.root);
  if (!source) return std::unexpected(source.error().WithContext("tiles"));
  for (const ledger::TileId& tile : ledger::TilesForTree(cp.size)) {
    auto hashes = source->Tile(tile);
    if (!hashes) return std::unexpected(hashes.error().WithContext(ledger::TilePath(tile)));
    ++summary.tiles;
    if (tile.level != 0) continue;
    ledger::BundleId bundle_id = ledger::BundleFor(tile);
    std::string bundle_path = ledger::BundlePath(bundle_id);
    ENTENTE_ASSIGN_OR_RETURN(Bytes bundle, ReadFile((root / bundle_path).string(), kMaxBundleFile));
    auto entries = ledger::DecodeEntryBundle(bundle_id, bundle);
    if (!entries) return std::unexpected(entries.error().WithContext(bundle_path));
    if (auto match = ledger::VerifyEntryBundle(*entries, *hashes); !match) {
      return std::unexpected(match.error().WithContext(bundle_path));
    }
    for (size_t i = 0; i < entries->size(); ++i) {
      std::string where = "entry " + std::to_string(tile.index * ledger::kTileWidth + i);
      auto header = ledger::DecodeHeader((*entries)[i]);
      if (!header) return std::unexpected(header.error().WithContext(where));
      if (auto sig = ledger::VerifyHeaderSignature(*header); !sig) {
        return std::unexpected(sig.error().WithContext(where));
      }
      if (header->space_id.bytes() != origin.space_id || header->origin != origin.partner) {
        return Unauthenticated(where + ": event of space " + header->space_id.ToHex() + " origin " +
                               header->origin + " in the log of " + cp.origin);
      }
      ++summary.entries;
      if (options.keep_entries) summary.headers.push_back(std::move((*entries)[i]));
    }
  }
  if (options.keep_entries) ENTENTE_RETURN_IF_ERROR(ReadBodies(root, summary));

  if (options.since_checkpoint) {
    auto old = ledger::OpenCheckpoint(*options.since_checkpoint, options.log_key, {});
    if (!old) return std::unexpected(old.error().WithContext("older checkpoint"));
    const ledger::Checkpoint& before = old->checkpoint;
    if (before.origin != cp.origin) {
      return FailedPrecondition("older checkpoint is of " + before.origin + ", not " + cp.origin);
    }
    if (before.size > cp.size) {
      return FailedPrecondition("older checkpoint has " + std::to_string(before.size.value()) +
                                " entries, more than the log's " + std::to_string(cp.size.value()));
    }
    // RFC 9162 §2.1.4: a consistency proof from the authenticated tiles, verified against both
    // signed roots.
    auto proof = ledger::ProveConsistency(*source, before.size, cp.size);
    if (!proof) return std::unexpected(proof.error().WithContext("consistency proof"));
    if (auto consistent = ledger::VerifyConsistency(*proof, before.root, cp.root); !consistent) {
      return FailedPrecondition("the log is not consistent with the older checkpoint of size " +
                                std::to_string(before.size.value()) + ": history was rewritten");
    }
    summary.consistent_with = before.size.value();
  }
  return summary;
}

}  // namespace entente::store
