#include "exercise/observe.h"

#include <algorithm>
#include <cmath>

#include "consult/timers.h"
#include "space/meta.h"

namespace entente::exercise {

uint64_t ExerciseClock::ToScenario(uint64_t unix_ms) const {
  if (unix_ms <= startex_unix_ms) return 0;
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(unix_ms - startex_unix_ms) * speed));
}

uint64_t ExerciseClock::ToUnix(uint64_t scenario_ms) const {
  return startex_unix_ms +
         static_cast<uint64_t>(std::llround(static_cast<double>(scenario_ms) / speed));
}

void FoldExercise(const std::map<std::string, std::vector<consult::FoldEntry>>& logs,
                  const Bytes& exercise_id, const ExerciseClock& clock,
                  const space::Directory& directory, consult::Book& book) {
  struct Moved {
    ledger::EventHeader header;
    nlohmann::json meta;
    std::span<const crypto::EncryptionPublicKey> recipients;
    uint64_t index;
  };
  std::vector<std::vector<Moved>> moved;
  std::vector<std::vector<uint64_t>> times;
  std::vector<std::string> origins;
  for (const auto& [origin, entries] : logs) {
    auto& log = moved.emplace_back();
    auto& t = times.emplace_back();
    origins.push_back(origin);
    for (const auto& e : entries) {
      if (!consult::IsConsultKind(e.header->kind) || e.header->exercise_id != exercise_id) continue;
      Moved m{*e.header, *e.meta, e.recipients, e.index};
      uint64_t created = clock.startex_unix_ms + clock.ToScenario(e.header->created_ms);
      if (auto deadline = m.meta.find("ack_deadline_ms");
          deadline != m.meta.end() && deadline->is_number_integer() &&
          deadline->get<int64_t>() >= 0 && deadline->get<uint64_t>() >= e.header->created_ms) {
        *deadline = created + (deadline->get<uint64_t>() - e.header->created_ms);
      }
      m.header.created_ms = created;
      t.push_back(created);
      log.push_back(std::move(m));
    }
  }
  for (auto [log, position] : space::MergeOrder(times, origins)) {
    const Moved& m = moved[log][position];
    book.Apply(space::FoldEvent{m.header, m.meta, m.recipients}, m.index, directory);
  }
}

std::string_view ActionOf(std::string_view kind) {
  static const std::pair<std::string_view, std::string_view> kMap[] = {
      {"consult.request", "request"},  {"consult.ack", "acknowledge"},
      {"consult.convene", "convene"},  {"consult.report", "report"},
      {"consult.close", "close"},      {"decision.propose", "propose"},
      {"decision.approve", "approve"}, {"decision.object", "object"},
  };
  for (const auto& [k, action] : kMap) {
    if (k == kind) return action;
  }
  return "";
}

Record Observe(const consult::Book& book, const Bytes& exercise_id, uint64_t epoch_ms,
               uint64_t now_ms) {
  Record record;
  auto scenario = [&](uint64_t t) { return t > epoch_ms ? t - epoch_ms : 0; };
  for (const auto& [id, c] : book.consultations()) {
    if (c.exercise_id != exercise_id) continue;
    ++record.consultations;
    for (const auto& entry : c.timeline) {
      std::string_view action = ActionOf(entry.kind);
      if (!entry.applied || action.empty() || scenario(entry.at.created_ms) > now_ms) continue;
      record.observations.push_back(Observation{entry.at.origin, entry.at.member,
                                                std::string(action), c.id,
                                                scenario(entry.at.created_ms)});
    }
    for (const auto& d : c.decisions) {
      if (!d.adopted() || scenario(*d.adopted_ms) > now_ms) continue;
      ++record.decisions_adopted;
      record.observations.push_back(
          Observation{"ALL", "", "decide", c.id, scenario(*d.adopted_ms)});
    }
    for (const auto& partner : c.counterparts) {
      DeadlineResult deadline{c.id, "acknowledgement by " + partner, partner,
                              scenario(c.ack_deadline_ms), std::nullopt};
      auto ack = c.acks.find(partner);
      if (ack != c.acks.end() && scenario(ack->second.created_ms) <= now_ms) {
        deadline.met_ms = scenario(ack->second.created_ms);
      }
      if (deadline.due_ms <= now_ms || deadline.met_ms) record.deadlines.push_back(deadline);
      // Escalation runs from the deadline until the acknowledgement.
      for (const auto& step : c.escalation.Steps(c.ack_deadline_ms)) {
        uint64_t at = scenario(step.due_ms);
        if (at > now_ms || (deadline.met_ms && *deadline.met_ms <= at)) break;
        record.escalations.push_back(
            EscalationEvent{c.id, partner, c.escalation.rules[step.rule].level, at});
      }
    }
  }
  std::stable_sort(record.observations.begin(), record.observations.end(),
                   [](const Observation& a, const Observation& b) { return a.at_ms < b.at_ms; });
  std::stable_sort(
      record.escalations.begin(), record.escalations.end(),
      [](const EscalationEvent& a, const EscalationEvent& b) { return a.at_ms < b.at_ms; });
  return record;
}

}  // namespace entente::exercise
