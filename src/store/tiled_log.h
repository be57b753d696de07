// store/tiled_log.h: a log as a static C2SP tlog-tiles directory, written from the store and
// verified from the files alone.
//
//   OUT/checkpoint                    the signed checkpoint with every cosignature
//   OUT/tile/<L>/<N>[.p/<W>]          Merkle tiles, height 8 (docs/formats/tiles.md)
//   OUT/tile/entries/<N>[.p/<W>]      entry bundles: the event headers
//   OUT/bodies.jsonl                  Entente's extension: the event bodies this node holds, one
//                                     {"index":N,"body":b64url} per line (docs/formats/tiles.md)
//
// Any standard tlog client can serve and verify such a directory; `VerifyTiledLog` is ours.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/note.h"
#include "ledger/tiles.h"
#include "store/store.h"

namespace entente::store {

struct ExportSummary {
  uint64_t tree_size = 0;
  uint64_t tiles = 0;
  uint64_t bundles = 0;
  std::string checkpoint;  // the note written to OUT/checkpoint
};

// Writes the log's latest cosigned checkpoint and every tile and entry bundle of its tree into
// `out_dir` (created if missing; existing files are replaced atomically). `progress`, if given,
// is called with (entries written, total) after each bundle. NotFound if the log has no
// checkpoint yet.
[[nodiscard]] Result<ExportSummary> ExportTiledLog(
    Store& store, const LogKey& log, const std::string& out_dir,
    const std::function<void(uint64_t, uint64_t)>& progress = {});

// The contents of tile `id` of `log` from the store: any tile of the tree at its current size or
// an earlier one (a partial tile of an older checkpoint too). InvalidArgument if the tree does
// not hold it yet.
[[nodiscard]] Result<Bytes> StoreTile(Store& store, const LogKey& log, const ledger::TileId& id);
// The entry bundle `id` (the event headers of level-0 tile `id.index`), likewise.
[[nodiscard]] Result<Bytes> StoreBundle(Store& store, const LogKey& log,
                                        const ledger::BundleId& id);

struct VerifyOptions {
  ledger::Verifier log_key;                 // the origin node's checkpoint key (vkey)
  std::vector<ledger::Verifier> cosigners;  // every one must have cosigned
  std::optional<std::string>
      since_checkpoint;       // an older checkpoint note to prove consistency with
  bool keep_entries = false;  // return the headers and bodies (VerifySummary)
};

struct VerifySummary {
  std::string origin;
  uint64_t tree_size = 0;
  ledger::Hash root{};
  uint64_t entries = 0;                     // event headers whose signature was verified
  uint64_t tiles = 0;                       // tiles verified against the root
  std::optional<uint64_t> consistent_with;  // the size of the `since` checkpoint, if given
  // With keep_entries: every event header, in log order, and the bodies of bodies.jsonl by
  // index, each checked against its header's body_hash.
  std::vector<Bytes> headers;
  std::map<uint64_t, Bytes> bodies;
};

// Verifies a tiled log directory: the checkpoint's signature and required cosignatures, every
// tile against the checkpoint root, every entry bundle against its level-0 tile, every event
// header's signature and that it belongs to the checkpoint's space and origin, and, if given,
// consistency with an older checkpoint. The first failure is returned: Unauthenticated for a bad
// signature or a hash mismatch, InvalidArgument for a malformed file, NotFound for a missing one,
// FailedPrecondition for an inconsistent older checkpoint.
[[nodiscard]] Result<VerifySummary> VerifyTiledLog(const std::string& dir,
                                                   const VerifyOptions& options);

}  // namespace entente::store
