#include "consult/consultation.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "consult/consult_test_util.h"
#include "consult/timers.h"
#include "crypto/hash.h"
#include "ledger/kinds.h"
#include "space/space_test_util.h"

namespace entente::consult {
namespace {

using space::testing::CodeOf;
using space::testing::TestDevice;
using space::testing::World;

constexpr uint16_t kCharter = 0x0001, kJoin = 0x0002, kRequest = 0x0400, kAck = 0x0401,
                   kConvene = 0x0402, kReport = 0x0403, kTaskAdd = 0x0404, kTaskDone = 0x0405,
                   kWithdraw = 0x0406, kClose = 0x0407, kReopen = 0x0408, kReview = 0x0409,
                   kPropose = 0x0500, kRevise = 0x0501, kApprove = 0x0502, kObject = 0x0503;

constexpr const char* kPolicy = testing::kConsultPolicy;

constexpr char kLabel[] = "USKR;S;P:REL=KOR,USA";

std::string Sha(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }

// Two partners, each with a co-chair and an officer, in a chartered and joined space; events
// are checked as the origin would (space, then book) and folded when they pass.
class ConsultTest : public ::testing::Test {
 protected:
  void SetUp() override { Setup(kPolicy); }

  void Setup(const std::string& policy) {
    ASSERT_TRUE(w_.Enrol(usa_admin_, "admin@USA", usa_admin_, {"admin"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "admin@KOR", kor_admin_, {"admin"}, "USKR;S;REL=KOR"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "alice@USA", alice_, {"co-chair"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "bob@USA", bob_, {"officer"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "kim@KOR", kim_, {"co-chair"}, "USKR;S;REL=KOR"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "lee@KOR", lee_, {"officer"}, "USKR;S;REL=KOR"));
    auto h = w_.Header(kCharter, space_.id(), "USA", usa_admin_, "USKR;U");
    nlohmann::json meta = {{"name", "NCG"},
                           {"partners", {"KOR", "USA"}},
                           {"policy", policy},
                           {"policy_sha256", Sha(policy)}};
    ASSERT_TRUE(space_.Fold(space::FoldEvent{h, meta}, w_.directory));
    Tick();
    auto j = w_.Header(kJoin, space_.id(), "KOR", kor_admin_, "USKR;U");
    nlohmann::json join = {{"partner", "KOR"}, {"charter_event", space_.charter_event().ToHex()}};
    ASSERT_TRUE(space_.Fold(space::FoldEvent{j, join}, w_.directory));
    Tick();
  }

  void Tick(uint64_t ms = 1000) { w_.now_ms += ms; }

  std::string Origin(const TestDevice& d) {
    return w_.directory.FindMember(AuthorMember(w_.directory, w_.Header(0, {}, "", d, "")))
        ->partner;
  }

  std::vector<crypto::EncryptionPublicKey> AudienceKeys(const Consultation& c,
                                                        const std::string& label) {
    auto parsed = label::ParseLabel(space_.policy(), label).value();
    return space_.Recipients(w_.directory, book_.Audience(c, w_.directory).value(), parsed,
                             w_.now_ms);
  }

  // Checks an event as its origin node would and folds it if it passes.
  Status Submit(uint16_t kind, const TestDevice& author, nlohmann::json meta,
                const std::string& consultation = "", std::string label = kLabel) {
    std::string origin = Origin(author);
    auto h = w_.Header(kind, space_.id(), origin, author, label);
    std::vector<crypto::EncryptionPublicKey> keys;
    if (kind == kRequest) {
      Consultation draft;
      draft.requester = origin;
      draft.counterparts = meta["counterparts"].get<std::vector<std::string>>();
      draft.label = label;
      keys = AudienceKeys(draft, label);
    } else {
      auto id = HexDecode(consultation).value_or(Bytes());
      h.subject = id;
      if (const Consultation* c = book_.Find(consultation)) keys = AudienceKeys(*c, label);
    }
    if (kind == kPropose || kind == kTaskAdd) {
      meta[kind == kPropose ? "decision" : "task"] = h.event_id.ToHex();
    }
    const auto* info = ledger::FindKind(kind);
    if (!info->has_envelope) keys.clear();
    last_id_ = h.event_id.ToHex();
    space::FoldEvent event{h, meta, keys};
    ENTENTE_RETURN_IF_ERROR(space_.Check(event, w_.directory));
    ENTENTE_RETURN_IF_ERROR(book_.Check(event, w_.directory));
    book_.Apply(event, next_index_[origin]++, w_.directory);
    events_.push_back({h, meta, keys});
    Tick();
    return {};
  }

  // A FLASH request from bob@USA to KOR; its id.
  std::string Request(const std::string& precedence = "FLASH") {
    const auto& policy = *space_.policy()->consultation();
    nlohmann::json meta = {
        {"precedence", precedence},
        {"counterparts", {"KOR"}},
        {"ack_deadline_ms", w_.now_ms + policy.precedence.at(precedence).acknowledge_ms},
        {"escalation", Escalation::Freeze(policy).ToJson()}};
    EXPECT_TRUE(Submit(kRequest, bob_, meta));
    return last_id_;
  }

  nlohmann::json Step(const std::string& c) { return {{"consultation", c}}; }
  nlohmann::json Vote(const std::string& d, uint64_t version, const std::string& text) {
    return {{"decision", d}, {"version", version}, {"text_sha256", Sha(text)}};
  }

  // Request, acknowledge, convene; the consultation's id.
  std::string Convened() {
    std::string c = Request();
    EXPECT_TRUE(Submit(kAck, lee_, Step(c), c));
    EXPECT_TRUE(Submit(kConvene, alice_, Step(c), c));
    return c;
  }

  State StateOf(const std::string& c) { return book_.Find(c)->state; }

  struct Recorded {
    ledger::EventHeader header;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> keys;
  };

  World w_;
  TestDevice usa_admin_, kor_admin_, alice_, bob_, kim_, lee_;
  space::SpaceState space_{ledger::SpaceId(std::array<uint8_t, 16>{9})};
  Book book_{space_};
  std::map<std::string, uint64_t> next_index_;
  std::string last_id_;
  std::vector<Recorded> events_;
};

TEST_F(ConsultTest, WholeLifecycle) {
  std::string c = Request();
  EXPECT_EQ(StateOf(c), State::kRequested);
  EXPECT_EQ(book_.Find(c)->requester, "USA");
  ASSERT_TRUE(Submit(kAck, lee_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kAcknowledged);
  ASSERT_TRUE(Submit(kConvene, kim_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kConvened);
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "text v1"), c));
  std::string d = last_id_;
  ASSERT_TRUE(Submit(kApprove, alice_, Vote(d, 1, "text v1"), c));
  EXPECT_EQ(StateOf(c), State::kConvened);
  ASSERT_TRUE(Submit(kApprove, kim_, Vote(d, 1, "text v1"), c));
  EXPECT_EQ(StateOf(c), State::kDecided);
  EXPECT_EQ(book_.Find(c)->FindDecision(d)->adopted_by, "unanimity");
  ASSERT_TRUE(Submit(kReport, lee_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kMonitoring);
  nlohmann::json task = Step(c);
  task["owner"] = "lee@KOR";
  task["resolve_by_ms"] = w_.now_ms + 5000;
  ASSERT_TRUE(Submit(kTaskAdd, bob_, task, c));
  std::string t = last_id_;
  auto refused = Submit(kClose, alice_, Step(c), c);
  EXPECT_EQ(CodeOf(refused), ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message().find("1 open task"), std::string::npos);
  nlohmann::json done = Step(c);
  done["task"] = t;
  ASSERT_TRUE(Submit(kTaskDone, lee_, done, c));
  ASSERT_TRUE(Submit(kClose, alice_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kClosed);
  ASSERT_TRUE(Submit(kReopen, kim_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kConvened);
  ASSERT_TRUE(Submit(kReport, bob_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kConvened);  // a report in convened changes no state
  EXPECT_EQ(book_.Find(c)->timeline.size(), 12u);
}

TEST_F(ConsultTest, EveryRefusedTransitionSaysWhy) {
  std::string c = Request();
  auto convene = Submit(kConvene, alice_, Step(c), c);
  EXPECT_EQ(CodeOf(convene), ErrorCode::kFailedPrecondition);
  EXPECT_NE(convene.error().message().find("waiting for KOR"), std::string::npos);
  EXPECT_EQ(CodeOf(Submit(kAck, alice_, Step(c), c)), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(Submit(kReview, alice_, Step(c), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kClose, alice_, Step(c), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kReopen, alice_, Step(c), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kPropose, bob_, Vote("", 1, "x"), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kWithdraw, kim_, Step(c), c)), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(Submit(kAck, lee_, Step(c), c));
  EXPECT_EQ(CodeOf(Submit(kAck, kim_, Step(c), c)), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(Submit(kConvene, alice_, Step(c), c));
  EXPECT_EQ(CodeOf(Submit(kConvene, alice_, Step(c), c)), ErrorCode::kFailedPrecondition);
  // An officer may not withdraw (the policy's roles), a label above the consultation's is out.
  EXPECT_EQ(CodeOf(Submit(kWithdraw, bob_, Step(c), c)), ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(Submit(kReport, bob_, Step(c), c, "USKR;S;P:REL=USA")),
            ErrorCode::kPermissionDenied);
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "x"), c));
  std::string d = last_id_;
  // A second proposal while one is open; a vote by a member without the decision authority.
  EXPECT_EQ(CodeOf(Submit(kPropose, bob_, Vote("", 1, "y"), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kApprove, lee_, Vote(d, 1, "x"), c)), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(Submit(kApprove, kim_, Vote(d, 1, "x"), c));
  EXPECT_EQ(CodeOf(Submit(kApprove, kim_, Vote(d, 1, "x"), c)), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(Submit(kApprove, alice_, Vote(d, 1, "x"), c));
  EXPECT_EQ(StateOf(c), State::kDecided);
  EXPECT_EQ(CodeOf(Submit(kWithdraw, alice_, Step(c), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kRevise, bob_, Vote(d, 2, "z"), c)), ErrorCode::kFailedPrecondition);
  auto close = Submit(kClose, alice_, Step(c), c);
  EXPECT_NE(close.error().message().find("monitoring first"), std::string::npos);
  // Unknown consultation; an event timed before the consultation's latest (a clock behind).
  EXPECT_EQ(CodeOf(Submit(kReport, bob_, Step(std::string(32, 'a')), std::string(32, 'a'))),
            ErrorCode::kNotFound);
  // The meta must name the consultation the header's subject names.
  EXPECT_EQ(CodeOf(Submit(kReport, bob_, Step(std::string(32, 'b')), c)),
            ErrorCode::kInvalidArgument);
  w_.now_ms -= 3000;
  auto behind = Submit(kReport, bob_, Step(c), c);
  EXPECT_NE(behind.error().message().find("clock behind"), std::string::npos)
      << behind.error().message();
}

TEST_F(ConsultTest, WithdrawnOnlyBeforeDecision) {
  std::string c = Request();
  ASSERT_TRUE(Submit(kWithdraw, alice_, Step(c), c));
  EXPECT_EQ(StateOf(c), State::kWithdrawn);
  EXPECT_EQ(CodeOf(Submit(kAck, lee_, Step(c), c)), ErrorCode::kFailedPrecondition);
}

TEST_F(ConsultTest, RequestMustFreezeThePolicy) {
  const auto& policy = *space_.policy()->consultation();
  nlohmann::json meta = {{"precedence", "FLASH"},
                         {"counterparts", {"KOR"}},
                         {"ack_deadline_ms", w_.now_ms + 1},
                         {"escalation", Escalation::Freeze(policy).ToJson()}};
  EXPECT_EQ(CodeOf(Submit(kRequest, bob_, meta)), ErrorCode::kInvalidArgument);
  meta["ack_deadline_ms"] = w_.now_ms + 10'000;
  meta["escalation"]["loops"] = 5;
  EXPECT_EQ(CodeOf(Submit(kRequest, bob_, meta)), ErrorCode::kInvalidArgument);
  meta["escalation"] = Escalation::Freeze(policy).ToJson();
  meta["precedence"] = "URGENT";
  EXPECT_EQ(CodeOf(Submit(kRequest, bob_, meta)), ErrorCode::kInvalidArgument);
  meta["precedence"] = "FLASH";
  meta["counterparts"] = {"USA"};
  EXPECT_EQ(CodeOf(Submit(kRequest, bob_, meta)), ErrorCode::kInvalidArgument);
  meta["counterparts"] = {"KOR"};
  // A label no KOR member may read.
  EXPECT_EQ(CodeOf(Submit(kRequest, bob_, meta, "", "USKR;S;P:REL=USA")),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(Submit(kRequest, bob_, meta));
}

TEST_F(ConsultTest, ANewVersionVoidsApprovals) {
  std::string c = Convened();
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "v1"), c));
  std::string d = last_id_;
  ASSERT_TRUE(Submit(kApprove, alice_, Vote(d, 1, "v1"), c));
  ASSERT_TRUE(Submit(kRevise, lee_, Vote(d, 2, "v2"), c));
  const Decision* decision = book_.Find(c)->FindDecision(d);
  EXPECT_TRUE(decision->approvals.empty());
  ASSERT_EQ(decision->voided.size(), 1u);
  EXPECT_EQ(decision->voided[0].partner, "USA");
  // The old version can no longer be approved; the new one needs both again.
  EXPECT_EQ(CodeOf(Submit(kApprove, kim_, Vote(d, 1, "v1"), c)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kApprove, kim_, Vote(d, 2, "v1"), c)), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(Submit(kApprove, kim_, Vote(d, 2, "v2"), c));
  EXPECT_EQ(StateOf(c), State::kConvened);
  ASSERT_TRUE(Submit(kApprove, alice_, Vote(d, 2, "v2"), c));
  EXPECT_EQ(StateOf(c), State::kDecided);
  EXPECT_EQ(book_.Find(c)->FindDecision(d)->current().number, 2u);
}

TEST_F(ConsultTest, EscalationOrderLevelsAndLoops) {
  std::string c = Request();  // FLASH: acknowledge within 10 s; rules 5 s working, 10 s senior
  const Consultation& k = *book_.Find(c);
  uint64_t deadline = k.ack_deadline_ms;
  auto types = [&](std::string_view partner, uint64_t now) {
    std::vector<std::string> out;
    for (const auto& n : Due(book_, k, w_.directory, partner, now)) {
      if (n.type != "event") out.push_back(n.key.substr(0, n.key.find('/')) + ":" + n.level);
    }
    return out;
  };
  EXPECT_TRUE(types("KOR", deadline - 1).empty());
  EXPECT_TRUE(types("USA", deadline - 1).empty());
  EXPECT_EQ(types("USA", deadline), std::vector<std::string>{"deadline:"});
  EXPECT_EQ(types("KOR", deadline), std::vector<std::string>{"escalation:working"});
  auto due = Due(book_, k, w_.directory, "KOR", deadline);
  auto step = std::find_if(due.begin(), due.end(), [](auto& n) { return n.type == "escalation"; });
  EXPECT_EQ(step->targets, std::vector<std::string>{"lee@KOR"});
  EXPECT_EQ(types("KOR", deadline + 5000),
            (std::vector<std::string>{"escalation:working", "escalation:senior"}));
  due = Due(book_, k, w_.directory, "KOR", deadline + 5000);
  EXPECT_EQ(due.back().targets, std::vector<std::string>{"kim@KOR"});
  EXPECT_EQ(due.back().key, "escalation/" + c + "/KOR/0/1");
  // Loop two starts after the senior rule's 10 s, and there is no third loop.
  EXPECT_EQ(types("KOR", deadline + 15'000).size(), 3u);
  EXPECT_EQ(types("KOR", deadline + 1'000'000).size(), 4u);
  EXPECT_EQ(EscalationOf(k, "KOR", deadline + 15'000).level, "working");
  EXPECT_EQ(EscalationOf(k, "KOR", deadline + 15'000).steps_fired, 3u);
  // The counterpart's acknowledgement stops escalation.
  w_.now_ms = deadline + 16'000;
  ASSERT_TRUE(Submit(kAck, kim_, Step(c), c));
  EXPECT_TRUE(types("KOR", deadline + 1'000'000).empty());
  EXPECT_EQ(EscalationOf(k, "KOR", deadline + 1'000'000).level, "");
}

TEST_F(ConsultTest, ReportsAndTasksAreReminded) {
  std::string c = Convened();
  const Consultation& k = *book_.Find(c);
  uint64_t convened = *k.convened_ms;
  auto of_type = [&](std::string_view partner, uint64_t now, std::string_view type) {
    size_t n = 0;
    for (const auto& x : Due(book_, k, w_.directory, partner, now)) n += x.type == type;
    return n;
  };
  EXPECT_EQ(of_type("USA", convened + 59'999, "report-due"), 0u);
  EXPECT_EQ(of_type("USA", convened + 60'000, "report-due"), 1u);
  ASSERT_TRUE(Submit(kReport, bob_, Step(c), c));
  EXPECT_EQ(of_type("USA", convened + 60'000, "report-due"), 0u);  // reported since
  EXPECT_EQ(of_type("KOR", convened + 60'000, "report-due"), 1u);  // KOR has not
  nlohmann::json task = Step(c);
  task["owner"] = "lee@KOR";
  task["resolve_by_ms"] = w_.now_ms + 30'000;
  ASSERT_TRUE(Submit(kTaskAdd, bob_, task, c));
  EXPECT_EQ(of_type("KOR", w_.now_ms + 28'000, "task-overdue"), 0u);
  EXPECT_EQ(of_type("KOR", w_.now_ms + 30'000, "task-overdue"), 1u);
  EXPECT_EQ(of_type("USA", w_.now_ms + 30'000, "task-overdue"), 0u);  // not USA's member
}

TEST_F(ConsultTest, SilenceProcedureAdoptsWithoutObjection) {
  // A policy with the silence procedure.
  std::string policy = std::string(kPolicy) + "  silence: PT30S\n";
  space_ = space::SpaceState(space_.id());
  w_ = World();
  Setup(policy);
  std::string c = Convened();
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "v1"), c));
  std::string d = last_id_;
  uint64_t deadline = *book_.SilenceDeadline(*book_.Find(c)->FindDecision(d));
  book_.AdvanceTo(deadline - 1);
  EXPECT_EQ(StateOf(c), State::kConvened);
  book_.AdvanceTo(deadline);
  EXPECT_EQ(StateOf(c), State::kDecided);
  EXPECT_EQ(book_.Find(c)->FindDecision(d)->adopted_by, "silence");

  // An objection before the deadline stops it; a new version starts a new period.
  std::string c2 = Convened();
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "w1"), c2));
  std::string d2 = last_id_;
  ASSERT_TRUE(Submit(kObject, lee_, Vote(d2, 1, "w1"), c2));
  book_.AdvanceTo(w_.now_ms + 60'000);
  EXPECT_EQ(StateOf(c2), State::kConvened);
  w_.now_ms += 60'000;
  ASSERT_TRUE(Submit(kRevise, bob_, Vote(d2, 2, "w2"), c2));
  book_.AdvanceTo(w_.now_ms + 30'000);
  EXPECT_EQ(StateOf(c2), State::kDecided);
}

// Both partners act during a partition; every party folds the union in merge order and reaches
// the same state, whatever order the entries arrived in.
TEST_F(ConsultTest, PartnersActingAtOnceConverge) {
  std::string c = Convened();
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "v1"), c));
  std::string d = last_id_;
  // The partition: USA revises (voiding nothing yet) while KOR approves version 1. Each origin
  // checked its own event against its own view, so build them by hand.
  auto make = [&](uint16_t kind, const TestDevice& author, std::string origin,
                  nlohmann::json meta) {
    auto h = w_.Header(kind, space_.id(), origin, author, kLabel);
    h.subject = HexDecode(c).value();
    return Recorded{h, meta, {}};
  };
  Recorded revise = make(kRevise, bob_, "USA", Vote(d, 2, "v2"));
  Recorded approve = make(kApprove, kim_, "KOR", Vote(d, 1, "v1"));
  approve.header.created_ms = revise.header.created_ms + 5;  // KOR acted a moment later
  revise.keys = AudienceKeys(*book_.Find(c), kLabel);

  auto fold = [&](std::vector<Recorded> extra) {
    std::vector<Recorded> all = events_;
    all.insert(all.end(), extra.begin(), extra.end());
    std::vector<std::vector<uint64_t>> times(2);
    std::vector<std::vector<const Recorded*>> logs(2);
    std::vector<std::string> origins = {"KOR", "USA"};
    for (const auto& e : all) {
      size_t log = e.header.origin == "KOR" ? 0 : 1;
      times[log].push_back(e.header.created_ms);
      logs[log].push_back(&e);
    }
    Book book(space_);
    for (auto [log, position] : space::MergeOrder(times, origins)) {
      const Recorded& e = *logs[log][position];
      book.Apply(space::FoldEvent{e.header, e.meta, e.keys}, position, w_.directory);
    }
    const Consultation& k = *book.Find(c);
    std::string digest = std::string(StateName(k.state));
    for (const auto& t : k.timeline) digest += "|" + t.kind + (t.applied ? "+" : "-");
    return digest;
  };
  std::string at_usa = fold({revise, approve});
  std::string at_kor = fold({approve, revise});
  EXPECT_EQ(at_usa, at_kor);
  // KOR's approval of version 1 came after USA's revision: it is kept, not applied.
  EXPECT_NE(at_usa.find("decision.approve-"), std::string::npos);
  EXPECT_EQ(at_usa.substr(0, at_usa.find('|')), "convened");
}

// What makes adoption checkable from the logs alone: on every party, an approval counts only
// from its partner's decision authority, whatever the node that appended it checked.
TEST_F(ConsultTest, FoldCountsApprovalsOnlyFromTheDecisionAuthority) {
  std::string c = Convened();
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "v1"), c));
  std::string d = last_id_;
  ASSERT_TRUE(Submit(kApprove, alice_, Vote(d, 1, "v1"), c));
  // lee (an officer) approving, as a dishonest KOR node could append it.
  auto h = w_.Header(kApprove, space_.id(), "KOR", lee_, kLabel);
  h.subject = HexDecode(c).value();
  nlohmann::json meta = Vote(d, 1, "v1");
  book_.Apply(space::FoldEvent{h, meta}, 99, w_.directory);
  const auto& timeline = book_.Find(c)->timeline;
  EXPECT_FALSE(timeline.back().applied);
  EXPECT_NE(timeline.back().note.find("decision authority"), std::string::npos);
  EXPECT_EQ(StateOf(c), State::kConvened);
}

// An approval is judged by the roles its author held when approving: a later change of roles
// does not undo an adoption when the logs are folded again.
TEST_F(ConsultTest, ALaterRoleChangeDoesNotUndoAnAdoption) {
  std::string c = Convened();
  ASSERT_TRUE(Submit(kPropose, bob_, Vote("", 1, "v1"), c));
  std::string d = last_id_;
  ASSERT_TRUE(Submit(kApprove, alice_, Vote(d, 1, "v1"), c));
  ASSERT_TRUE(Submit(kApprove, kim_, Vote(d, 1, "v1"), c));
  ASSERT_EQ(StateOf(c), State::kDecided);
  ASSERT_TRUE(w_.Dir(0x0101, "USA", usa_admin_, {{"member", "alice@USA"}, {"roles", {"officer"}}}));
  EXPECT_FALSE(w_.directory.FindMember("alice@USA")->HasRole("co-chair"));
  Book again(space_);
  uint64_t index = 0;
  for (const auto& e : events_) {
    again.Apply(space::FoldEvent{e.header, e.meta, e.keys}, index++, w_.directory);
  }
  EXPECT_EQ(again.Find(c)->state, State::kDecided);
  EXPECT_TRUE(again.Find(c)->FindDecision(d)->adopted());
}

TEST_F(ConsultTest, NotificationsRoundTripThroughJson) {
  std::string c = Request();
  const Consultation& k = *book_.Find(c);
  auto due = Due(book_, k, w_.directory, "KOR", k.ack_deadline_ms + 100'000);
  ASSERT_FALSE(due.empty());
  for (const auto& n : due) {
    auto back = Notification::FromJson(n.ToJson());
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->ToJson(), n.ToJson());
  }
  EXPECT_FALSE(Notification::FromJson(nlohmann::json::array()));
  auto broken = due.front().ToJson();
  broken["due_ms"] = "soon";
  EXPECT_FALSE(Notification::FromJson(broken));
}

}  // namespace
}  // namespace entente::consult
