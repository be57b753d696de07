#include "exercise/controller.h"

#include <algorithm>
#include <limits>

namespace entente::exercise {

uint64_t WindowStart(const Scenario& scenario, const std::vector<SentInject>& sent,
                     std::string_view number, const ExpectedAction& expected,
                     const std::vector<Observation>& observed) {
  uint64_t start = 0;
  for (const auto& earlier : sent) {
    if (earlier.number == number) break;
    const Inject* inject = scenario.FindInject(earlier.number);
    if (inject == nullptr) continue;
    // The same expectation, unless it is the one whose miss sent this contingency: the action
    // that comes late for that one is what the contingency asks for.
    bool same =
        std::any_of(inject->expected.begin(), inject->expected.end(), [&](const ExpectedAction& e) {
          return e.partner == expected.partner && e.action == expected.action &&
                 e.contingency != number;
        });
    if (!same) continue;
    for (const auto& o : observed) {
      if (o.at_ms >= start && o.action == expected.action &&
          (expected.partner == "ALL" || o.partner == expected.partner)) {
        start = o.at_ms + 1;  // claimed by the earlier inject
        break;
      }
    }
  }
  return start;
}

bool Happened(const std::vector<Observation>& observed, const ExpectedAction& expected,
              uint64_t from_ms, uint64_t until_ms) {
  return std::any_of(observed.begin(), observed.end(), [&](const Observation& o) {
    return o.action == expected.action &&
           (expected.partner == "ALL" || o.partner == expected.partner) && o.at_ms >= from_ms &&
           o.at_ms <= until_ms;
  });
}

const SentInject* Controller::FindSent(std::string_view number) const {
  auto it = std::find_if(sent_.begin(), sent_.end(),
                         [&](const SentInject& s) { return s.number == number; });
  return it == sent_.end() ? nullptr : &*it;
}

bool Controller::WasSent(std::string_view number) const { return FindSent(number) != nullptr; }

void Controller::SetEventId(const std::string& number, std::string event_id) {
  for (auto& s : sent_) {
    if (s.number == number) s.event_id = std::move(event_id);
  }
}

std::optional<uint64_t> Controller::TimeOf(const Inject& inject) const {
  if (inject.at_ms) return inject.at_ms;
  if (inject.after.empty()) return std::nullopt;
  const SentInject* before = FindSent(inject.after);
  if (before == nullptr) return std::nullopt;
  return before->sent_ms + inject.delay_ms;
}

std::vector<const Inject*> Controller::Due(uint64_t now_ms,
                                           const std::vector<Observation>& observed) {
  std::vector<const Inject*> out;
  // Sending one inject can make another due (`after` with no delay, a contingency): repeat
  // until nothing more is, taking the earliest each time so sending times never go back.
  for (;;) {
    const Inject* next = nullptr;
    uint64_t next_ms = std::numeric_limits<uint64_t>::max();
    for (const auto& inject : scenario_->injects) {
      if (WasSent(inject.number)) continue;
      std::optional<uint64_t> at;
      if (inject.contingency()) {
        // Due at the first deadline it stands behind that passed with the action not seen.
        for (const auto& sent : sent_) {
          const Inject* parent = scenario_->FindInject(sent.number);
          if (parent == nullptr) continue;
          for (const auto& e : parent->expected) {
            if (e.contingency != inject.number) continue;
            uint64_t deadline = sent.sent_ms + e.within_ms;
            uint64_t from = WindowStart(*scenario_, sent_, sent.number, e, observed);
            if (deadline > now_ms || Happened(observed, e, from, deadline)) continue;
            at = std::min(at.value_or(deadline), deadline);
          }
        }
      } else {
        at = TimeOf(inject);
      }
      if (!at || *at > now_ms || *at >= next_ms) continue;
      next = &inject;
      next_ms = *at;
    }
    if (next == nullptr) return out;
    uint64_t sent_ms = std::max(next_ms, sent_.empty() ? 0 : sent_.back().sent_ms);
    sent_.push_back(SentInject{next->number, sent_ms, "", next->contingency()});
    out.push_back(next);
  }
}

bool Controller::Finished(uint64_t now_ms, const std::vector<Observation>& observed) const {
  if (now_ms >= scenario_->end_ms) return true;
  for (const auto& inject : scenario_->injects) {
    if (!inject.contingency() && !WasSent(inject.number)) return false;
  }
  for (const auto& sent : sent_) {
    const Inject* inject = scenario_->FindInject(sent.number);
    if (inject == nullptr) continue;
    for (const auto& e : inject->expected) {
      uint64_t from = WindowStart(*scenario_, sent_, sent.number, e, observed);
      if (!Happened(observed, e, from, std::numeric_limits<uint64_t>::max())) {
        return false;
      }
    }
  }
  return true;
}

uint64_t Controller::NextWake(uint64_t now_ms) const {
  uint64_t next = scenario_->end_ms;
  auto consider = [&](uint64_t t) {
    if (t > now_ms) next = std::min(next, t);
  };
  for (const auto& inject : scenario_->injects) {
    if (WasSent(inject.number) || inject.contingency()) continue;
    if (auto at = TimeOf(inject)) consider(*at);
  }
  for (const auto& sent : sent_) {
    const Inject* inject = scenario_->FindInject(sent.number);
    if (inject == nullptr) continue;
    for (const auto& e : inject->expected) {
      if (!e.contingency.empty()) consider(sent.sent_ms + e.within_ms);
    }
  }
  return std::max(next, now_ms + 1);
}

}  // namespace entente::exercise
