#include "consult/timers.h"

#include <algorithm>

#include "base/encoding.h"

namespace entente::consult {
namespace {

std::string Short(const std::string& id) { return id.substr(0, 8); }

Notification Base(const Consultation& c, std::string_view partner) {
  Notification n;
  n.consultation = c.id;
  n.partner = std::string(partner);
  n.precedence = c.precedence;
  n.label = c.label;
  n.exercise = HexEncode(c.exercise_id);
  return n;
}

std::string EventText(const Consultation& c, const TimelineEntry& e) {
  std::string who = e.at.member.empty() ? e.at.origin : e.at.member;
  std::string what = e.kind;
  if (e.kind == "consult.request") {
    std::string to;
    for (const auto& cp : c.counterparts) to += (to.empty() ? "" : ", ") + cp;
    return c.precedence + " consultation " + Short(c.id) + " requested by " + who + " of " +
           e.at.origin + " (counterparts: " + to + ")";
  }
  std::string text = what + " by " + who + " in " + c.precedence + " consultation " + Short(c.id);
  if (!e.note.empty()) text += ": " + e.note;
  return text;
}

// When the reports of `partner` are due next: a cadence after convening or its last report.
std::optional<uint64_t> ReportDue(const Book& book, const Consultation& c,
                                  std::string_view partner) {
  if (c.state != State::kConvened && c.state != State::kDecided && c.state != State::kMonitoring) {
    return std::nullopt;
  }
  const auto* policy = book.policy();
  if (policy == nullptr || !c.convened_ms) return std::nullopt;
  auto rule = policy->precedence.find(c.precedence);
  if (rule == policy->precedence.end() || rule->second.report_every_ms == 0) return std::nullopt;
  uint64_t base = std::max(*c.convened_ms, c.LastReportBy(partner).value_or(0));
  return base + rule->second.report_every_ms;
}

}  // namespace

nlohmann::json Notification::ToJson() const {
  return {{"key", key},
          {"type", type},
          {"space", space},
          {"due_ms", due_ms},
          {"consultation", consultation},
          {"partner", partner},
          {"targets", targets},
          {"level", level},
          {"precedence", precedence},
          {"label", label},
          {"exercise", exercise},
          {"text", text}};
}

Result<Notification> Notification::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return InvalidArgument("notification: expected an object");
  Notification n;
  auto text_field = [&](const char* name, std::string& out) -> Status {
    auto it = json.find(name);
    if (it == json.end() || !it->is_string()) {
      return InvalidArgument(std::string("notification: ") + name + ": expected text");
    }
    out = it->get<std::string>();
    return {};
  };
  ENTENTE_RETURN_IF_ERROR(text_field("key", n.key));
  ENTENTE_RETURN_IF_ERROR(text_field("type", n.type));
  ENTENTE_RETURN_IF_ERROR(text_field("space", n.space));
  ENTENTE_RETURN_IF_ERROR(text_field("consultation", n.consultation));
  ENTENTE_RETURN_IF_ERROR(text_field("partner", n.partner));
  ENTENTE_RETURN_IF_ERROR(text_field("level", n.level));
  ENTENTE_RETURN_IF_ERROR(text_field("precedence", n.precedence));
  ENTENTE_RETURN_IF_ERROR(text_field("label", n.label));
  ENTENTE_RETURN_IF_ERROR(text_field("exercise", n.exercise));
  ENTENTE_RETURN_IF_ERROR(text_field("text", n.text));
  auto due = json.find("due_ms");
  if (due == json.end() || !due->is_number_unsigned()) {
    return InvalidArgument("notification: due_ms: expected an integer");
  }
  n.due_ms = due->get<uint64_t>();
  auto targets = json.find("targets");
  if (targets == json.end() || !targets->is_array()) {
    return InvalidArgument("notification: targets: expected a list");
  }
  for (const auto& t : *targets) {
    if (!t.is_string()) return InvalidArgument("notification: targets: expected text");
    n.targets.push_back(t.get<std::string>());
  }
  return n;
}

std::vector<std::string> ResolveTargets(const std::vector<std::string>& targets,
                                        const space::Directory& directory,
                                        std::string_view partner) {
  std::vector<std::string> out;
  for (const auto& target : targets) {
    if (target.starts_with("role:")) {
      std::string role = target.substr(5);
      for (const auto& [id, member] : directory.members()) {
        if (!member.revoked && member.partner == partner && member.HasRole(role)) {
          out.push_back(id);
        }
      }
    } else if (target.starts_with("member:")) {
      std::string id = target.substr(7);
      const space::Member* member = directory.FindMember(id);
      if (member != nullptr && !member->revoked && member->partner == partner) out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

EscalationStatus EscalationOf(const Consultation& c, std::string_view counterpart,
                              uint64_t now_ms) {
  EscalationStatus status;
  if (c.AcknowledgedBy(counterpart) || c.state != State::kRequested) return status;
  for (const auto& step : c.escalation.Steps(c.ack_deadline_ms)) {
    if (step.due_ms > now_ms) {
      status.next_ms = step.due_ms;
      break;
    }
    status.level = c.escalation.rules[step.rule].level;
    ++status.steps_fired;
  }
  return status;
}

std::vector<Notification> Due(const Book& book, const Consultation& c,
                              const space::Directory& directory, std::string_view partner,
                              uint64_t now_ms) {
  std::vector<Notification> out;
  if (!c.IsParticipant(partner)) return out;
  // Events, as they are folded (the node records each once).
  for (const auto& e : c.timeline) {
    if (!e.applied) continue;
    Notification n = Base(c, partner);
    n.type = "event";
    n.due_ms = e.at.created_ms;
    n.key = e.at.event_id.empty()
                ? "event/" + c.id + "/" + e.kind + "/" + std::to_string(e.at.created_ms)
                : "event/" + e.at.event_id;
    n.text = EventText(c, e);
    out.push_back(std::move(n));
  }
  // The acknowledgement deadline, to the requester; escalation, to the silent counterpart.
  if (c.state == State::kRequested) {
    for (const auto& cp : c.counterparts) {
      if (c.AcknowledgedBy(cp)) continue;
      if (partner == c.requester && now_ms >= c.ack_deadline_ms) {
        Notification n = Base(c, partner);
        n.type = "deadline";
        n.due_ms = c.ack_deadline_ms;
        n.key = "deadline/" + c.id + "/" + cp;
        n.targets = {c.requested.member};
        n.text = cp + " has not acknowledged " + c.precedence + " consultation " + Short(c.id) +
                 " by its deadline";
        out.push_back(std::move(n));
      }
      if (partner != cp) continue;
      for (const auto& step : c.escalation.Steps(c.ack_deadline_ms)) {
        if (step.due_ms > now_ms) break;
        const auto& rule = c.escalation.rules[step.rule];
        Notification n = Base(c, partner);
        n.type = "escalation";
        n.due_ms = step.due_ms;
        n.key = "escalation/" + c.id + "/" + cp + "/" + std::to_string(step.loop) + "/" +
                std::to_string(step.rule);
        n.targets = ResolveTargets(rule.targets, directory, cp);
        n.level = rule.level;
        n.text = "ESCALATION (" + rule.level + ", rule " + std::to_string(step.rule + 1) +
                 ", loop " + std::to_string(step.loop + 1) + "): " + c.precedence +
                 " consultation " + Short(c.id) + " from " + c.requester + " awaits " + cp +
                 "'s acknowledgement (entente consult ack " + c.id + ")";
        out.push_back(std::move(n));
      }
    }
  }
  // Status reports due.
  if (auto due = ReportDue(book, c, partner); due && *due <= now_ms) {
    Notification n = Base(c, partner);
    n.type = "report-due";
    n.due_ms = *due;
    n.key = "report-due/" + c.id + "/" + std::string(partner) + "/" + std::to_string(*due);
    for (const auto& [id, member] : directory.members()) {
      if (member.revoked || member.partner != partner) continue;
      if (book.space().MayAuthor(member, "consult.report")) n.targets.push_back(id);
    }
    n.text = "a status report (conditions, actions, needs) from " + std::string(partner) +
             " is due in " + c.precedence + " consultation " + Short(c.id);
    out.push_back(std::move(n));
  }
  // Overdue tasks, to their owners.
  if (IsOpen(c.state)) {
    for (const auto& t : c.tasks) {
      if (t.resolved() || !t.resolve_by_ms || *t.resolve_by_ms > now_ms) continue;
      const space::Member* owner = directory.FindMember(t.owner);
      if (owner == nullptr || owner->partner != partner) continue;
      Notification n = Base(c, partner);
      n.type = "task-overdue";
      n.due_ms = *t.resolve_by_ms;
      n.key = "task-overdue/" + c.id + "/" + t.id;
      n.targets = {t.owner};
      n.text = "task " + Short(t.id) + " of consultation " + Short(c.id) + " is overdue";
      out.push_back(std::move(n));
    }
  }
  return out;
}

std::vector<Deadline> Upcoming(const Book& book, const Consultation& c, uint64_t now_ms) {
  std::vector<Deadline> out;
  if (c.state == State::kRequested) {
    for (const auto& cp : c.counterparts) {
      if (c.AcknowledgedBy(cp)) continue;
      out.push_back({"acknowledgement by " + cp, cp, c.ack_deadline_ms});
      auto esc = EscalationOf(c, cp, now_ms);
      if (esc.next_ms) out.push_back({"next escalation step for " + cp, cp, *esc.next_ms});
    }
  }
  for (const auto& p : c.participants()) {
    if (auto due = ReportDue(book, c, p)) out.push_back({"status report by " + p, p, *due});
  }
  if (IsOpen(c.state)) {
    for (const auto& t : c.tasks) {
      if (!t.resolved() && t.resolve_by_ms) {
        out.push_back({"task " + Short(t.id) + " (" + t.owner + ")",
                       t.owner.substr(t.owner.find('@') + 1), *t.resolve_by_ms});
      }
    }
  }
  if (const Decision* d = c.OpenDecision(); d != nullptr && c.state == State::kConvened) {
    if (auto deadline = book.SilenceDeadline(*d)) {
      out.push_back({"silence procedure on decision " + Short(d->id), "", *deadline});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Deadline& a, const Deadline& b) { return a.due_ms < b.due_ms; });
  return out;
}

}  // namespace entente::consult
