// label/banner.h: national banners, the human form of a label (docs/formats/label.md §Banners).
//
// A banner shows the level in one partner's national marking, then each category as its banner
// name and values, separated by "//":
//
//   USKR;S;P:REL=KOR,USA;R:SAP=ALPHA   U.S. reader:   SECRET//SAP ALPHA//REL TO USA, KOR
//                                      Korean reader: II급비밀//SAP ALPHA//REL TO KOR, USA
//
// Categories appear restrictive first, then informative, then permissive, by tagset id within a
// kind; values are sorted, except that in a tagset whose values are the partners the reader's
// own partner comes first. ParseBanner reads a banner in any partner's marking back into the
// canonical label.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "label/label.h"
#include "label/policy.h"

namespace entente::label {

// The most banner text ParseBanner reads. It exceeds the longest banner RenderBanner can produce
// for a valid label (a 127-byte marking, 64 tagsets with 127-byte banner names, and the values
// of a 1024-byte label with ", " between them: under 11 KiB), so every banner reads back.
constexpr size_t kMaxBannerSize = 16384;

// Renders `label` for a reader of partner `viewer` (a PartnerIndex of the label's policy,
// checked).
std::string RenderBanner(const Label& label, PartnerIndex viewer);

// Renders `label` for a reader of the partner whose code is `viewer` ("USA"). InvalidArgument if
// the label's policy has no such partner.
[[nodiscard]] Result<std::string> RenderBanner(const Label& label, std::string_view viewer);

// Parses a banner written in any partner's marking into the canonical label. Categories may come
// in any order; values are separated by "," with optional spaces; spaces around "//" are
// ignored; markings and banner names must match the policy exactly. InvalidArgument
// `banner "<text>": <problem>` for an unknown marking, banner name or value, a tagset twice, or
// a label the policy forbids (e.g. above rel_required_above without REL).
[[nodiscard]] Result<Label> ParseBanner(const std::shared_ptr<const Policy>& policy,
                                        std::string_view banner);

// Parses `text` as a label if it contains ';' (banners never do), else as a banner.
[[nodiscard]] Result<Label> ParseLabelOrBanner(const std::shared_ptr<const Policy>& policy,
                                               std::string_view text);

}  // namespace entente::label
