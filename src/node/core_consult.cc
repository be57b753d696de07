// NodeCore: the timers of consultations (docs/formats/consult.md, "Timers and notifications").
#include "base/encoding.h"
#include "label/label.h"
#include "node/core.h"

namespace entente::node {

Result<std::vector<consult::Notification>> NodeCore::RunTimers() {
  {
    std::lock_guard lock(notify_mu_);
    if (!notified_loaded_) {
      // The keys recorded before this start: those are never raised again.
      uint64_t after = 0;
      for (;;) {
        ENTENTE_ASSIGN_OR_RETURN(auto page, store_.Notifications(after, 4096));
        if (page.empty()) break;
        for (const auto& n : page) notified_.insert(n.key);
        after = page.back().seq;
      }
      notified_loaded_ = true;
    }
  }
  uint64_t now_ms = ToUnixMs(clock_.Now());
  std::vector<consult::Notification> due;
  {
    // Exclusive, briefly: advancing a book to now may adopt decisions under the silence
    // procedure. What is due is then worked out beside ingest, which only reads.
    std::unique_lock lock(state_mu_);
    for (auto& [space, book] : books_) book->AdvanceTo(now_ms);
  }
  {
    std::shared_lock lock(state_mu_);
    std::lock_guard notify_lock(notify_mu_);
    for (const auto& [space, book] : books_) {
      for (const auto& [id, c] : book->consultations()) {
        // An exercise's consultations run on the exercise's clock, not the real world's: their
        // deadlines are the controller's to watch (exercise/controller.h).
        if (!c.exercise_id.empty()) continue;
        for (auto& n : consult::Due(*book, c, directory_, partner_, now_ms)) {
          if (notified_.contains(n.key)) continue;
          n.space = space.ToHex();
          due.push_back(std::move(n));
        }
      }
    }
    // Action items of the latest minutes, reminded to their owners (ours) when due.
    for (const auto& [space, book] : agendas_) {
      for (const auto& [id, m] : book->meetings()) {
        if (!m.exercise_id.empty() || m.minutes.versions.empty()) continue;
        uint32_t version = m.minutes.current().number;
        auto actions = m.actions.find(version);
        if (actions == m.actions.end()) continue;
        for (const auto& a : actions->second) {
          const space::Member* owner = directory_.FindMember(a.owner);
          if (a.due_ms > now_ms || owner == nullptr || owner->partner != partner_) continue;
          consult::Notification n;
          n.key = "action-due/" + id + "/" + std::to_string(version) + "/" + a.id;
          if (notified_.contains(n.key)) continue;
          n.type = "action-due";
          n.space = space.ToHex();
          n.due_ms = a.due_ms;
          n.partner = partner_;
          n.targets = {a.owner};
          n.label = m.label;
          n.text = "action item " + a.id + " of meeting " + id.substr(0, 8) + " (minutes version " +
                   std::to_string(version) + ") is due: entente meeting actions " + id.substr(0, 8);
          due.push_back(std::move(n));
        }
      }
    }
  }
  std::vector<consult::Notification> recorded;
  for (auto& n : due) {
    ENTENTE_ASSIGN_OR_RETURN(bool inserted,
                             store_.PutNotification(n.key, n.due_ms, n.ToJson().dump()));
    std::lock_guard lock(notify_mu_);
    notified_.insert(n.key);
    if (inserted) recorded.push_back(std::move(n));
  }
  notifications_.fetch_add(recorded.size());
  return recorded;
}

uint64_t NodeCore::notification_generation() const { return notifications_.load(); }

Result<std::vector<std::pair<uint64_t, consult::Notification>>> NodeCore::NotificationsFor(
    const crypto::PublicKey& reader, uint64_t after, size_t limit, uint64_t* scanned) const {
  std::vector<std::pair<uint64_t, consult::Notification>> out;
  if (scanned != nullptr) *scanned = after;
  while (out.size() < limit) {
    ENTENTE_ASSIGN_OR_RETURN(auto page, store_.Notifications(after, limit));
    if (page.empty()) break;
    std::shared_lock lock(state_mu_);
    const space::Member* member = directory_.ActiveMemberOf(reader);
    if (member == nullptr) return PermissionDenied("notifications: not an active member");
    for (const auto& stored : page) {
      after = stored.seq;
      if (scanned != nullptr) *scanned = after;
      auto json = nlohmann::json::parse(stored.body, nullptr, false);
      auto n = consult::Notification::FromJson(json);
      if (!n || n->partner != member->partner) continue;
      auto id = ledger::SpaceId::FromHex(n->space);
      if (!id) continue;
      auto space = spaces_.find(*id);
      if (space == spaces_.end()) continue;
      auto clearance = space->second->ClearanceOf(*member);
      auto label = label::ParseLabel(space->second->policy(), n->label);
      if (!clearance || !label || !label::Access(*clearance, *label).admitted()) continue;
      out.emplace_back(stored.seq, std::move(*n));
      if (out.size() == limit) break;
    }
  }
  return out;
}

size_t NodeCore::open_consultations() const {
  std::shared_lock lock(state_mu_);
  size_t open = 0;
  for (const auto& [space, book] : books_) {
    for (const auto& [id, c] : book->consultations())
      open += c.exercise_id.empty() && consult::IsOpen(c.state);
  }
  return open;
}

}  // namespace entente::node
