#include "exercise/run.h"

#include <algorithm>

#include "base/encoding.h"
#include "exercise/observe.h"

namespace entente::exercise {

Run::Run(const Scenario& scenario, Port& port, std::string controller_partner,
         std::map<std::string, std::vector<BotMember>> bots, uint64_t seed)
    : scenario_(&scenario),
      port_(&port),
      controller_partner_(std::move(controller_partner)),
      controller_(scenario),
      players_(scenario, bots, seed),
      bots_(!bots.empty()) {}

Result<Record> Run::Observed(uint64_t now_ms) {
  ENTENTE_ASSIGN_OR_RETURN(const consult::Book* book, port_->View(controller_partner_, now_ms));
  Record record = Observe(*book, port_->exercise_id(), port_->epoch_ms(), now_ms);
  record.exercise_id = HexEncode(port_->exercise_id());
  record.injects = controller_.sent();
  record.endex_ms = now_ms;
  return record;
}

Result<bool> Run::Step(uint64_t now_ms) {
  ENTENTE_ASSIGN_OR_RETURN(Record seen, Observed(now_ms));
  for (const Inject* inject : controller_.Due(now_ms, seen.observations)) {
    const SentInject& sent = controller_.sent().back();
    ENTENTE_ASSIGN_OR_RETURN(std::string event_id, port_->SendInject(*inject, sent.sent_ms));
    controller_.SetEventId(inject->number, event_id);
    std::string to;
    for (const auto& p : inject->to) to += (to.empty() ? "" : ", ") + p;
    Emit({sent.sent_ms, "inject", "",
          "Inject " + inject->number + (inject->contingency() ? " (contingency)" : "") + " to " +
              to + ": " + inject->synopsis});
  }
  if (bots_) {
    for (const auto& partner : scenario_->partners) {
      ENTENTE_ASSIGN_OR_RETURN(const consult::Book* book, port_->View(partner, now_ms));
      auto received = port_->Received(partner, now_ms, controller_.sent());
      for (const auto& action : players_.Due(partner, now_ms, received, *book, port_->exercise_id(),
                                             port_->epoch_ms())) {
        Status done = port_->Act(action, std::max(action.due_ms, now_ms));
        if (done) {
          ++taken_;
          Emit({now_ms, "action", partner,
                partner + " " + action.action + " (" + action.member + ")"});
        } else {
          ++refused_;
          Emit({now_ms, "refused", partner,
                partner + " " + action.action + " refused: " + done.error().message()});
        }
      }
    }
  }
  ENTENTE_ASSIGN_OR_RETURN(Record after, Observed(now_ms));
  if (controller_.Finished(now_ms, after.observations)) {
    Emit({now_ms, "endex", "", "ENDEX"});
    return false;
  }
  return true;
}

uint64_t Run::NextWake(uint64_t now_ms) const {
  return std::max(now_ms + 1, std::min({controller_.NextWake(now_ms), players_.NextDue(),
                                        port_->NextWake(now_ms)}));
}

}  // namespace entente::exercise
