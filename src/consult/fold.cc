#include "consult/fold.h"

#include "base/clock.h"

namespace entente::consult {

void FoldSpaceLogs(const std::map<std::string, std::vector<FoldEntry>>& logs,
                   const space::Directory& directory, space::SpaceState& state, Book& book) {
  for (bool consultations : {false, true}) {
    std::vector<std::vector<uint64_t>> times;
    std::vector<std::string> origins;
    std::vector<std::vector<const FoldEntry*>> foldable;
    for (const auto& [origin, entries] : logs) {
      origins.push_back(origin);
      auto& t = times.emplace_back();
      auto& f = foldable.emplace_back();
      for (const auto& e : entries) {
        if (e.header->kind == 0x0300 || IsConsultKind(e.header->kind) != consultations) continue;
        t.push_back(e.header->created_ms);
        f.push_back(&e);
      }
    }
    for (auto [log, position] : space::MergeOrder(times, origins)) {
      const FoldEntry& e = *foldable[log][position];
      space::FoldEvent event{*e.header, *e.meta, e.recipients};
      if (consultations) {
        book.Apply(event, e.index, directory);
      } else {
        state.Apply(event, directory);
      }
    }
  }
}

nlohmann::json EntryJson(const EntryRef& at) {
  return {{"origin", at.origin},
          {"index", at.index},
          {"event", at.event_id},
          {"at", FormatRfc3339(FromUnixMs(at.created_ms))},
          {"member", at.member}};
}

namespace {

nlohmann::json VoteJson(const Vote& v) {
  return {{"partner", v.partner},
          {"version", v.version},
          {"text_sha256", v.text_sha256},
          {"entry", EntryJson(v.at)}};
}

}  // namespace

nlohmann::json DecisionJson(const Book& book, const Consultation& c, const Decision& d) {
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& v : d.versions) {
    versions.push_back(
        {{"version", v.number}, {"text_sha256", v.text_sha256}, {"entry", EntryJson(v.at)}});
  }
  nlohmann::json approvals = nlohmann::json::array();
  for (const auto& v : d.approvals) approvals.push_back(VoteJson(v));
  nlohmann::json voided = nlohmann::json::array();
  for (const auto& v : d.voided) voided.push_back(VoteJson(v));
  nlohmann::json objections = nlohmann::json::array();
  for (const auto& v : d.objections) objections.push_back(VoteJson(v));
  std::vector<std::string> awaiting;
  for (const auto& p : c.participants()) {
    if (!d.ApprovedBy(p)) awaiting.push_back(p);
  }
  nlohmann::json out = {{"id", d.id},
                        {"consultation", c.id},
                        {"consultation_state", std::string(StateName(c.state))},
                        {"partners", c.participants()},
                        {"current_version", d.current().number},
                        {"current_sha256", d.current().text_sha256},
                        {"versions", versions},
                        {"approvals", approvals},
                        {"voided_approvals", voided},
                        {"objections", objections},
                        {"awaiting", awaiting},
                        {"adopted", d.adopted()}};
  if (d.adopted()) {
    out["adopted_at"] = FormatRfc3339(FromUnixMs(*d.adopted_ms));
    out["adopted_by"] = d.adopted_by;
  } else if (auto deadline = book.SilenceDeadline(d)) {
    out["silence_deadline"] = FormatRfc3339(FromUnixMs(*deadline));
  }
  return out;
}

}  // namespace entente::consult
