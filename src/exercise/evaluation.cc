// exercise/evaluation.cc: observations matched to expected actions, objectives rated, the
// improvement plan drafted (evaluation.h).
//
// The rules beyond the header:
//
//   Matching    An expectation counts from the first sending of its inject. It is done by the
//               first observation with the same partner and action at or after WindowStart (an
//               action already taken before the inject counts as done on its sending);
//               "ALL decide" by any `decide`; "ALL <other action>" once every partner of the
//               scenario has done it (the last of their first times). When ENDEX is known
//               (endex_ms > 0), observations after it do not count.
//   Order       Expectations in MSEL order, then in the order of each inject's `expected`; an
//               inject that never went out (a contingency not needed, or ENDEX came first) gives
//               not-sent expectations, kept so that the report shows them.
//   Ratings     Over the expectations of the objective's injects that were sent: all met P; all
//               done, some late S; at least half done M; else U. An objective with no such
//               expectation is rated U with an observation starting "not tested:": HSEEP has no
//               rating for "not exercised", and an objective that was not shown to be performed
//               must not look performed. Deadline and escalation lines are added for the
//               partners that had to acknowledge within the objective; they inform the reader
//               but do not change the rating.
//   Plan        One item per late or missed expectation, in the order of the first objective it
//               supports (items supporting none last); its `objective` lists every objective of
//               the inject, joined by ", ". Then one item per missed consultation deadline whose
//               partner has no late or missed `acknowledge` item already. Due 90 days after the
//               scenario's date, "" if that date is not a valid YYYY-MM-DD.
//   Medians     The lower median of a partner's response times (the middle one, of an even count
//               the lower of the two middle ones), so that a median is always a measured time.
#include "exercise/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "base/duration.h"
#include "exercise/text.h"

namespace entente::exercise {
namespace {

using Outcome = ExpectationResult::Outcome;

constexpr std::string_view kAll = "ALL";
constexpr uint64_t kImprovementDueDays = 90;

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// The first sending of inject `number`, if it was sent.
std::optional<uint64_t> FirstSending(const Record& record, std::string_view number) {
  std::optional<uint64_t> first;
  for (const SentInject& sent : record.injects) {
    if (sent.number == number && (!first || sent.sent_ms < *first)) first = sent.sent_ms;
  }
  return first;
}

// The earliest observation of `action` at or after `from` (and by ENDEX) for which `who` holds.
template <class Predicate>
std::optional<uint64_t> FirstObservation(const Record& record, std::string_view action,
                                         uint64_t from, Predicate who) {
  std::optional<uint64_t> first;
  for (const Observation& o : record.observations) {
    if (o.action != action || o.at_ms < from) continue;
    if (record.endex_ms > 0 && o.at_ms > record.endex_ms) continue;
    if (!who(o)) continue;
    if (!first || o.at_ms < *first) first = o.at_ms;
  }
  return first;
}

std::optional<uint64_t> DoneAt(const Scenario& scenario, const Record& record,
                               const ExpectedAction& expected, uint64_t from) {
  if (expected.partner != kAll) {
    return FirstObservation(record, expected.action, from,
                            [&](const Observation& o) { return o.partner == expected.partner; });
  }
  if (expected.action == "decide" || scenario.partners.empty()) {
    return FirstObservation(record, expected.action, from, [](const Observation&) { return true; });
  }
  uint64_t last = 0;
  for (const std::string& partner : scenario.partners) {
    auto done = FirstObservation(record, expected.action, from, [&](const Observation& o) {
      return o.partner == partner || o.partner == kAll;
    });
    if (!done) return std::nullopt;
    last = std::max(last, *done);
  }
  return std::make_optional(last);
}

bool Concerns(const ExpectedAction& expected, std::string_view partner) {
  return expected.partner == partner || expected.partner == kAll;
}

// "KOR acknowledge within 10m".
std::string Describe(const ExpectedAction& expected) {
  return expected.partner + " " + expected.action + " within " + HumanDuration(expected.within_ms);
}

std::string ObservationLine(const ExpectationResult& e) {
  std::string line = "Inject " + e.inject + ": " + Describe(e.expected) + " \u2014 ";
  switch (e.outcome) {
    case Outcome::kMet:
      return line + "met in " + HumanDuration(*e.response_ms());
    case Outcome::kLate:
      return line + "late: done in " + HumanDuration(*e.response_ms()) + ", " +
             HumanDuration(*e.done_ms - e.due_ms) + " after the target";
    case Outcome::kMissed:
      return line + "missed: not done by ENDEX";
    case Outcome::kNotSent:
      return line + "not sent";
  }
  return line;
}

std::string DeadlineLine(const DeadlineResult& d) {
  std::string line = "Deadline: " + d.what;
  if (!d.consultation.empty()) line += " (consultation " + ShortId(d.consultation) + ")";
  line += " \u2014 ";
  if (d.met()) {
    return line + "met at " + FormatScenarioTime(*d.met_ms) + ", due " +
           FormatScenarioTime(d.due_ms);
  }
  if (d.met_ms) {
    return line + "missed: done at " + FormatScenarioTime(*d.met_ms) + ", due " +
           FormatScenarioTime(d.due_ms);
  }
  return line + "missed: not done, due " + FormatScenarioTime(d.due_ms);
}

std::string EscalationLine(const EscalationEvent& e) {
  std::string line = "Escalation: " + e.partner + " silent";
  if (!e.consultation.empty()) line += " in consultation " + ShortId(e.consultation);
  return line + ", escalated to " + e.level + " level at " + FormatScenarioTime(e.at_ms);
}

char Rate(size_t tested, size_t met, size_t done) {
  if (met == tested) return 'P';
  if (done == tested) return 'S';
  if (2 * done >= tested) return 'M';
  return 'U';
}

// What to do about a late or missed action, and the POETE capability element it falls under.
struct Guidance {
  std::string_view action;
  std::string_view corrective_action;
  std::string_view capability_element;
};
constexpr Guidance kGuidance[] = {
    {"acknowledge",
     "Review the duty roster and alerting chain so that the acknowledgement is made within the "
     "precedence deadline, at any hour",
     "Organization"},
    {"request",
     "Define the triggers and a drafting template for consultation requests, so that the request "
     "goes out within the target",
     "Planning"},
    {"convene",
     "Pre-designate the participants of each partner and their deputies, so that the "
     "consultation convenes within the target",
     "Organization"},
    {"propose",
     "Prepare decision options in advance and name who drafts the proposal, so that a text is "
     "on the table within the target",
     "Planning"},
    {"approve",
     "Confirm that each decision authority or a deputy is reachable, and pre-delegate approval "
     "for time-critical decisions",
     "Planning"},
    {"object",
     "Confirm that each decision authority or a deputy is reachable, and agree when and how an "
     "objection is raised",
     "Planning"},
    {"decide",
     "Confirm that every partner's decision authority or a deputy is reachable, and pre-delegate "
     "approval for time-critical decisions",
     "Planning"},
    {"report",
     "Train the staff on the status-report cadence and template, and assign who files each "
     "report",
     "Training"},
    {"close", "Set the criteria for closing a consultation and who closes it in the plan",
     "Planning"},
};
constexpr Guidance kDefaultGuidance = {
    "", "Review the procedure for this action in the exercise plan and train the staff on it",
    "Planning"};

const Guidance& GuidanceFor(std::string_view action) {
  for (const Guidance& g : kGuidance) {
    if (g.action == action) return g;
  }
  return kDefaultGuidance;
}

// `date` (YYYY-MM-DD) plus `days` days, "" if `date` is not a valid calendar date.
std::string AddDays(std::string_view date, uint64_t days) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return "";
  auto number = [&](size_t from, size_t length) -> std::optional<int> {
    int value = 0;
    for (size_t i = from; i < from + length; ++i) {
      if (date[i] < '0' || date[i] > '9') return std::nullopt;
      value = value * 10 + (date[i] - '0');
    }
    return value;
  };
  auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d) return "";
  std::chrono::year_month_day ymd{std::chrono::year(*y),
                                  std::chrono::month(static_cast<unsigned>(*m)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return "";
  std::chrono::year_month_day due{std::chrono::sys_days(ymd) +
                                  std::chrono::days(static_cast<int64_t>(days))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(due.year()),
                static_cast<unsigned>(due.month()), static_cast<unsigned>(due.day()));
  return text;
}

std::string ResponsiblePartner(const Scenario& scenario, const ExpectedAction& expected) {
  if (expected.partner == kAll && !scenario.partners.empty()) return Join(scenario.partners, ", ");
  return expected.partner;
}

std::vector<ExpectationResult> MatchExpectations(const Scenario& scenario, const Record& record) {
  std::vector<ExpectationResult> out;
  for (const Inject& inject : scenario.injects) {
    std::optional<uint64_t> sent = FirstSending(record, inject.number);
    for (const ExpectedAction& expected : inject.expected) {
      ExpectationResult e;
      e.inject = inject.number;
      e.expected = expected;
      if (!sent) {
        e.outcome = Outcome::kNotSent;
      } else {
        e.sent_ms = *sent;
        e.due_ms = SaturatingAdd(*sent, expected.within_ms);
        // An action the players took before the inject asked for it counts, as done when it
        // was asked for, unless an earlier inject's same expectation already counts it.
        e.done_ms = DoneAt(
            scenario, record, expected,
            WindowStart(scenario, record.injects, inject.number, expected, record.observations));
        if (e.done_ms) e.done_ms = std::max(*e.done_ms, *sent);
        e.outcome = !e.done_ms               ? Outcome::kMissed
                    : *e.done_ms <= e.due_ms ? Outcome::kMet
                                             : Outcome::kLate;
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

ObjectiveRating RateObjective(const Scenario& scenario, const Record& record,
                              const std::vector<ExpectationResult>& expectations,
                              const Objective& objective) {
  ObjectiveRating rating;
  rating.objective = objective.id;
  std::vector<std::string> injects, unsent;
  size_t tested = 0, met = 0, done = 0;
  std::vector<std::string> acknowledging;  // partners that had to acknowledge
  auto add_acknowledging = [&](const std::string& partner) {
    if (std::find(acknowledging.begin(), acknowledging.end(), partner) == acknowledging.end()) {
      acknowledging.push_back(partner);
    }
  };
  for (const Inject& inject : scenario.injects) {
    if (std::find(inject.objectives.begin(), inject.objectives.end(), objective.id) ==
        inject.objectives.end()) {
      continue;
    }
    injects.push_back(inject.number);
    for (const ExpectationResult& e : expectations) {
      if (e.inject != inject.number) continue;
      if (e.outcome == Outcome::kNotSent) {
        if (std::find(unsent.begin(), unsent.end(), e.inject) == unsent.end()) {
          unsent.push_back(e.inject);
        }
        continue;
      }
      ++tested;
      if (e.outcome == Outcome::kMet) ++met;
      if (e.outcome == Outcome::kMet || e.outcome == Outcome::kLate) ++done;
      rating.observations.push_back(ObservationLine(e));
      if (e.expected.action == "acknowledge") {
        if (e.expected.partner == kAll) {
          for (const std::string& p : scenario.partners) add_acknowledging(p);
        } else {
          add_acknowledging(e.expected.partner);
        }
      }
    }
  }
  if (tested == 0) {
    // Not tested: say why, so that a U from silence is not read as a U from failure.
    std::string why = "no inject of the MSEL supports this objective";
    if (!unsent.empty()) {
      why = "inject " + Join(unsent, ", ") +
            " was not sent, so no expected action of this objective was tested";
    } else if (!injects.empty()) {
      why = "inject " + Join(injects, ", ") + " expects no action of the players";
    }
    rating.rating = 'U';
    rating.observations.push_back("not tested: " + why);
    return rating;
  }
  rating.rating = Rate(tested, met, done);
  if (!unsent.empty()) {
    rating.observations.push_back("Inject " + Join(unsent, ", ") + " not sent: its expected " +
                                  "actions were not tested");
  }
  for (const DeadlineResult& d : record.deadlines) {
    if (std::find(acknowledging.begin(), acknowledging.end(), d.partner) != acknowledging.end()) {
      rating.observations.push_back(DeadlineLine(d));
    }
  }
  for (const EscalationEvent& esc : record.escalations) {
    if (std::find(acknowledging.begin(), acknowledging.end(), esc.partner) != acknowledging.end()) {
      rating.observations.push_back(EscalationLine(esc));
    }
  }
  return rating;
}

std::vector<ImprovementItem> DraftPlan(const Scenario& scenario, const Record& record,
                                       const std::vector<ExpectationResult>& expectations) {
  std::string due = AddDays(scenario.date, kImprovementDueDays);
  auto objective_rank = [&](const Inject* inject) {
    size_t rank = scenario.objectives.size();
    if (inject == nullptr) return rank;
    for (size_t i = 0; i < scenario.objectives.size(); ++i) {
      if (std::find(inject->objectives.begin(), inject->objectives.end(),
                    scenario.objectives[i].id) != inject->objectives.end()) {
        return std::min(rank, i);
      }
    }
    return rank;
  };

  std::vector<std::pair<size_t, ImprovementItem>> ranked;
  std::vector<std::string> acknowledge_covered;
  for (const ExpectationResult& e : expectations) {
    if (e.outcome != Outcome::kLate && e.outcome != Outcome::kMissed) continue;
    const Inject* inject = scenario.FindInject(e.inject);
    const Guidance& guidance = GuidanceFor(e.expected.action);
    ImprovementItem item;
    if (inject != nullptr) item.objective = Join(inject->objectives, ", ");
    std::string target = HumanDuration(e.expected.within_ms);
    if (e.outcome == Outcome::kMissed) {
      item.issue = e.expected.partner + " " + e.expected.action + " missed its " + target +
                   " target (inject " + e.inject + ")";
    } else {
      item.issue = e.expected.partner + " " + e.expected.action + " late: done in " +
                   HumanDuration(*e.response_ms()) + " against its " + target + " target (inject " +
                   e.inject + ")";
    }
    item.corrective_action = std::string(guidance.corrective_action);
    item.capability_element = std::string(guidance.capability_element);
    item.partner = ResponsiblePartner(scenario, e.expected);
    item.due = due;
    if (e.expected.action == "acknowledge") {
      if (e.expected.partner == kAll) {
        acknowledge_covered.insert(acknowledge_covered.end(), scenario.partners.begin(),
                                   scenario.partners.end());
      } else {
        acknowledge_covered.push_back(e.expected.partner);
      }
    }
    ranked.emplace_back(objective_rank(inject), std::move(item));
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  std::vector<ImprovementItem> plan;
  plan.reserve(ranked.size() + record.deadlines.size());
  for (auto& [rank, item] : ranked) plan.push_back(std::move(item));
  const Guidance& acknowledge = GuidanceFor("acknowledge");
  for (const DeadlineResult& d : record.deadlines) {
    if (d.met()) continue;
    if (std::find(acknowledge_covered.begin(), acknowledge_covered.end(), d.partner) !=
        acknowledge_covered.end()) {
      continue;
    }
    ImprovementItem item;
    item.issue = "Deadline missed: " + d.what;
    if (!d.consultation.empty()) item.issue += " in consultation " + ShortId(d.consultation);
    item.issue += " (due " + FormatScenarioTime(d.due_ms) + ", " +
                  (d.met_ms ? "done " + FormatScenarioTime(*d.met_ms) : std::string("not done")) +
                  ")";
    item.corrective_action = std::string(acknowledge.corrective_action);
    item.capability_element = std::string(acknowledge.capability_element);
    item.partner = d.partner;
    item.due = due;
    plan.push_back(std::move(item));
  }
  return plan;
}

std::vector<PartnerFigures> FiguresPerPartner(const Scenario& scenario,
                                              const std::vector<ExpectationResult>& expectations) {
  std::vector<PartnerFigures> out;
  for (const std::string& partner : scenario.partners) {
    PartnerFigures f;
    f.partner = partner;
    for (const ExpectationResult& e : expectations) {
      if (e.outcome == Outcome::kNotSent || !Concerns(e.expected, partner)) continue;
      ++f.expected;
      switch (e.outcome) {
        case Outcome::kMet:
          ++f.met;
          break;
        case Outcome::kLate:
          ++f.late;
          break;
        case Outcome::kMissed:
          ++f.missed;
          break;
        case Outcome::kNotSent:
          break;
      }
      if (auto response = e.response_ms()) f.response_ms.push_back(*response);
    }
    if (!f.response_ms.empty()) {
      std::vector<uint64_t> sorted = f.response_ms;
      std::sort(sorted.begin(), sorted.end());
      f.median_response_ms = sorted[(sorted.size() - 1) / 2];
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::string_view OutcomeName(ExpectationResult::Outcome outcome) {
  switch (outcome) {
    case Outcome::kMet:
      return "met";
    case Outcome::kLate:
      return "late";
    case Outcome::kMissed:
      return "missed";
    case Outcome::kNotSent:
      return "not-sent";
  }
  return "missed";
}

Evaluation Evaluate(const Scenario& scenario, Record record) {
  Evaluation evaluation;
  evaluation.scenario = scenario;
  evaluation.record = std::move(record);
  const Record& seen = evaluation.record;
  evaluation.expectations = MatchExpectations(scenario, seen);
  for (const Objective& objective : scenario.objectives) {
    evaluation.ratings.push_back(RateObjective(scenario, seen, evaluation.expectations, objective));
  }
  evaluation.improvement_plan = DraftPlan(scenario, seen, evaluation.expectations);
  evaluation.partners = FiguresPerPartner(scenario, evaluation.expectations);
  return evaluation;
}

nlohmann::json Evaluation::ToJson() const {
  using nlohmann::json;
  json objectives = json::array();
  for (const Objective& o : scenario.objectives) {
    objectives.push_back({{"id", o.id},
                          {"text", o.text},
                          {"capability", o.capability},
                          {"critical_tasks", o.critical_tasks}});
  }
  json scenario_json = {
      {"name", scenario.name},         {"type", scenario.type},
      {"date", scenario.date},         {"classification", scenario.classification},
      {"partners", scenario.partners}, {"objectives", std::move(objectives)},
      {"end_ms", scenario.end_ms}};

  json injects = json::array();
  for (const SentInject& s : record.injects) {
    injects.push_back({{"number", s.number},
                       {"sent_ms", s.sent_ms},
                       {"sent", FormatScenarioTime(s.sent_ms)},
                       {"event_id", s.event_id},
                       {"contingency", s.contingency}});
  }
  json observations = json::array();
  for (const Observation& o : record.observations) {
    observations.push_back({{"partner", o.partner},
                            {"member", o.member},
                            {"action", o.action},
                            {"consultation", o.consultation},
                            {"at_ms", o.at_ms},
                            {"at", FormatScenarioTime(o.at_ms)}});
  }
  json deadlines = json::array();
  for (const DeadlineResult& d : record.deadlines) {
    deadlines.push_back({{"consultation", d.consultation},
                         {"what", d.what},
                         {"partner", d.partner},
                         {"due_ms", d.due_ms},
                         {"due", FormatScenarioTime(d.due_ms)},
                         {"met_ms", OptionalMs(d.met_ms)},
                         {"met", d.met()}});
  }
  json escalations = json::array();
  for (const EscalationEvent& e : record.escalations) {
    escalations.push_back({{"consultation", e.consultation},
                           {"partner", e.partner},
                           {"level", e.level},
                           {"at_ms", e.at_ms},
                           {"at", FormatScenarioTime(e.at_ms)}});
  }
  json record_json = {{"exercise_id", record.exercise_id},
                      {"startex_unix_ms", record.startex_unix_ms},
                      {"startex", record.startex_unix_ms == 0
                                      ? json(nullptr)
                                      : json(FormatRfc3339(FromUnixMs(record.startex_unix_ms)))},
                      {"speed", record.speed},
                      {"endex_ms", record.endex_ms},
                      {"endex", FormatScenarioTime(record.endex_ms)},
                      {"injects", std::move(injects)},
                      {"observations", std::move(observations)},
                      {"deadlines", std::move(deadlines)},
                      {"escalations", std::move(escalations)},
                      {"consultations", record.consultations},
                      {"decisions_adopted", record.decisions_adopted}};

  json expectations_json = json::array();
  size_t counts[4] = {0, 0, 0, 0};
  for (const ExpectationResult& e : expectations) {
    ++counts[static_cast<size_t>(e.outcome)];
    std::optional<uint64_t> response = e.response_ms();
    expectations_json.push_back(
        {{"inject", e.inject},
         {"partner", e.expected.partner},
         {"action", e.expected.action},
         {"within_ms", e.expected.within_ms},
         {"within", HumanDuration(e.expected.within_ms)},
         {"contingency", e.expected.contingency},
         {"sent_ms", e.sent_ms},
         {"due_ms", e.due_ms},
         {"done_ms", OptionalMs(e.done_ms)},
         {"response_ms", OptionalMs(response)},
         {"response", response ? json(HumanDuration(*response)) : json(nullptr)},
         {"outcome", OutcomeName(e.outcome)}});
  }
  json totals = {{"expected", expectations.size()},
                 {"met", counts[static_cast<size_t>(Outcome::kMet)]},
                 {"late", counts[static_cast<size_t>(Outcome::kLate)]},
                 {"missed", counts[static_cast<size_t>(Outcome::kMissed)]},
                 {"not_sent", counts[static_cast<size_t>(Outcome::kNotSent)]}};

  json ratings_json = json::array();
  for (const ObjectiveRating& r : ratings) {
    ratings_json.push_back({{"objective", r.objective},
                            {"rating", std::string(1, r.rating)},
                            {"observations", r.observations}});
  }
  json plan = json::array();
  for (const ImprovementItem& i : improvement_plan) {
    plan.push_back({{"objective", i.objective},
                    {"issue", i.issue},
                    {"corrective_action", i.corrective_action},
                    {"capability_element", i.capability_element},
                    {"partner", i.partner},
                    {"due", i.due}});
  }
  json partners_json = json::array();
  for (const PartnerFigures& f : partners) {
    partners_json.push_back(
        {{"partner", f.partner},
         {"expected", f.expected},
         {"met", f.met},
         {"late", f.late},
         {"missed", f.missed},
         {"response_ms", f.response_ms},
         {"median_response_ms", OptionalMs(f.median_response_ms)},
         {"median_response",
          f.median_response_ms ? json(HumanDuration(*f.median_response_ms)) : json(nullptr)}});
  }
  return {{"scenario", std::move(scenario_json)}, {"record", std::move(record_json)},
          {"totals", std::move(totals)},          {"expectations", std::move(expectations_json)},
          {"ratings", std::move(ratings_json)},   {"improvement_plan", std::move(plan)},
          {"partners", std::move(partners_json)}};
}

}  // namespace entente::exercise
