#include "agenda/agenda.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/encoding.h"
#include "crypto/hash.h"
#include "ledger/kinds.h"
#include "space/space_test_util.h"

namespace entente::agenda {
namespace {

using space::testing::CodeOf;
using space::testing::TestDevice;
using space::testing::World;

constexpr uint16_t kCharter = 0x0001, kJoin = 0x0002, kMemberUpdate = 0x0101;

// USA and KOR. Co-chairs may author every agenda kind and are the decision authority; officers
// may author most, approvals included, so that the approver rule is Book::Check's to enforce.
constexpr char kPolicy[] = R"(policy: USKR
title: Agenda test policy
partners:
  USA: {name: United States}
  KOR: {name: Republic of Korea}
levels:
  - {id: U, marking: {USA: UNCLASSIFIED, KOR: UNCLASSIFIED}}
  - {id: S, marking: {USA: SECRET, KOR: SECRET}}
tagsets:
  REL: {kind: permissive, values: partners, banner: REL TO}
roles:
  co-chair: {may_author: [statement.*, workstream.*, meeting.*]}
  officer: {may_author: [statement.draft, statement.revise, statement.comment, statement.approve,
                         workstream.*, meeting.schedule, meeting.minutes, meeting.approve]}
)";
constexpr char kConsultation[] = R"(consultation:
  precedence:
    FLASH: {acknowledge: PT10S, report_every: PT60S}
    IMMEDIATE: {acknowledge: PT1M, report_every: PT5M}
    PRIORITY: {acknowledge: PT1H, report_every: PT6H}
    ROUTINE: {acknowledge: P1D, report_every: P7D}
  decision_authority: co-chair
)";

constexpr char kLabel[] = "USKR;S;P:REL=KOR,USA";
constexpr char kUnclassified[] = "USKR;U";

// A refusal's message, or a marker that it was accepted (so a test fails instead of crashing).
std::string Why(const Status& status) { return status ? "(accepted)" : status.error().message(); }

std::string Sha(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }

nlohmann::json StatementText(const std::string& title, const std::string& en,
                             const std::string& ko) {
  return {{"salt", "c2FsdA"},
          {"title", title},
          {"texts", {{"en", en}, {"ko", ko}}},
          {"authoritative", "equal"}};
}

// Two partners, each with a co-chair and an officer, and a USA officer cleared only for U, in a
// chartered and joined space; events are checked as the origin would (space, then book) and
// folded, with their content, when they pass.
class AgendaTest : public ::testing::Test {
 protected:
  void SetUp() override { Setup(std::string(kPolicy) + kConsultation); }

  void Setup(const std::string& policy) {
    ASSERT_TRUE(w_.Enrol(usa_admin_, "admin@USA", usa_admin_, {"admin"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(kor_admin_, "admin@KOR", kor_admin_, {"admin"}, "USKR;S;REL=KOR"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "alice@USA", alice_, {"co-chair"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "bob@USA", bob_, {"officer"}, "USKR;S;REL=USA"));
    ASSERT_TRUE(w_.Enrol(usa_admin_, "uma@USA", uma_, {"officer"}, "USKR;U;REL=USA"));
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
    return w_.directory.FindMember(w_.directory.FindDevice(d.id())->member)->partner;
  }

  // The keys of the devices that may read `label` in its agenda audience.
  std::vector<crypto::EncryptionPublicKey> Keys(const std::string& label) {
    auto parsed = label::ParseLabel(space_.policy(), label).value();
    return space_.Recipients(w_.directory, book_.Audience(label, w_.directory).value(), parsed,
                             w_.now_ms);
  }

  struct Recorded {
    ledger::EventHeader header;
    nlohmann::json meta;
    std::vector<crypto::EncryptionPublicKey> keys;
    std::optional<nlohmann::json> content;
    uint64_t index = 0;
  };

  // Builds an event as a client would: a creating event's meta id (given as "") is its own
  // event id, a text_sha256 given as "" the hash of the content, and the envelope is sealed to
  // the audience of `seal_to` (default: a statement's ceiling, else the event's label; "-": to
  // no one).
  Recorded Make(uint16_t kind, const TestDevice& author, nlohmann::json meta,
                const std::string& object, const std::string& label,
                std::optional<nlohmann::json> content, std::optional<std::string> seal_to) {
    std::string origin = Origin(author);
    Recorded r{w_.Header(kind, space_.id(), origin, author, label), {}, {}, content, 0};
    if (!object.empty()) r.header.subject = HexDecode(object).value_or(Bytes());
    for (const char* field : {"document", "workstream", "meeting"}) {
      if (meta.contains(field) && meta[field] == "") meta[field] = r.header.event_id.ToHex();
    }
    if (content && meta.contains("text_sha256") && meta["text_sha256"] == "") {
      meta["text_sha256"] = Sha(content->dump());
    }
    std::string audience = seal_to.value_or(label);
    if (!seal_to && (kind >> 4) == 0x070 && !object.empty()) {
      if (const Statement* s = book_.FindStatement(object)) audience = s->ceiling;
    }
    if (ledger::FindKind(kind)->has_envelope && audience != "-") r.keys = Keys(audience);
    r.meta = std::move(meta);
    return r;
  }

  // Checks an event as its origin node would and folds it, with its content, if it passes.
  Status Submit(uint16_t kind, const TestDevice& author, nlohmann::json meta,
                const std::string& object = "", const std::string& label = kLabel,
                std::optional<nlohmann::json> content = std::nullopt,
                std::optional<std::string> seal_to = std::nullopt) {
    Recorded r = Make(kind, author, std::move(meta), object, label, content, seal_to);
    last_id_ = r.header.event_id.ToHex();
    space::FoldEvent event{r.header, r.meta, r.keys};
    ENTENTE_RETURN_IF_ERROR(space_.Check(event, w_.directory));
    ENTENTE_RETURN_IF_ERROR(book_.Check(event, w_.directory));
    r.index = next_index_[r.header.origin]++;
    book_.Apply(event, r.index, w_.directory, r.content ? &*r.content : nullptr);
    events_.push_back(std::move(r));
    Tick();
    return {};
  }

  // A statement drafted by bob@USA at `label`; its id.
  std::string Draft(const std::string& label = kLabel,
                    std::optional<uint64_t> embargo_ms = std::nullopt) {
    nlohmann::json meta = {{"document", ""}, {"version", 1}, {"text_sha256", ""}};
    if (embargo_ms) meta["embargo_ms"] = *embargo_ms;
    EXPECT_TRUE(Submit(kStatementDraft, bob_, meta, "", label,
                       StatementText("Joint statement", "Text v1", "본문 v1")));
    return last_id_;
  }

  Status Revise(const std::string& id, const std::string& label, const std::string& en,
                std::optional<uint64_t> embargo_ms = std::nullopt) {
    const Statement* s = book_.FindStatement(id);
    nlohmann::json meta = {
        {"document", id}, {"version", s->doc.current().number + 1}, {"text_sha256", ""}};
    if (embargo_ms) meta["embargo_ms"] = *embargo_ms;
    return Submit(kStatementRevise, bob_, meta, id, label,
                  StatementText("Joint statement", en, "본문"));
  }

  // An approval of `id`'s current version by `who` (or of `version`/`sha`, when given).
  Status Approve(const TestDevice& who, const std::string& id, std::optional<uint64_t> version = {},
                 std::optional<std::string> sha = {}, uint16_t kind = kStatementApprove) {
    const Document& doc =
        kind == kStatementApprove ? book_.FindStatement(id)->doc : book_.FindMeeting(id)->minutes;
    uint64_t v = version.value_or(doc.versions.empty() ? 1 : doc.current().number);
    std::string h = sha.value_or(doc.versions.empty() ? Sha("x") : doc.current().text_sha256);
    std::string label = kind == kStatementApprove ? book_.FindStatement(id)->doc.current().label
                                                  : book_.FindMeeting(id)->label;
    return Submit(kind, who, {{"document", id}, {"version", v}, {"text_sha256", h}}, id, label);
  }

  Status Release(const TestDevice& who, const std::string& id) {
    const Statement* s = book_.FindStatement(id);
    return Submit(kStatementRelease, who, {{"document", id}, {"version", s->doc.current().number}},
                  id, kUnclassified, nlohmann::json{{"note", "released"}});
  }

  // Folds `events` as a party holding both logs does: each log in index order, the logs in
  // space::MergeOrder, with content or without. The JSON of everything folded.
  nlohmann::json Fold(const std::vector<Recorded>& events, std::vector<std::string> origins,
                      bool with_content = true) {
    std::vector<std::vector<const Recorded*>> logs(origins.size());
    for (const auto& e : events) {
      auto at = std::find(origins.begin(), origins.end(), e.header.origin) - origins.begin();
      logs[at].push_back(&e);
    }
    std::vector<std::vector<uint64_t>> times;
    for (auto& log : logs) {
      std::sort(log.begin(), log.end(),
                [](const Recorded* a, const Recorded* b) { return a->index < b->index; });
      auto& t = times.emplace_back();
      for (const auto* e : log) t.push_back(e->header.created_ms);
    }
    Book book(space_);
    for (auto [log, position] : space::MergeOrder(times, origins)) {
      const Recorded& e = *logs[log][position];
      book.Apply(space::FoldEvent{e.header, e.meta, e.keys}, e.index, w_.directory,
                 with_content && e.content ? &*e.content : nullptr);
    }
    return BookJson(book);
  }

  static nlohmann::json BookJson(const Book& book) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [id, s] : book.statements()) out["statements"][id] = StatementJson(book, s);
    for (const auto& [id, w] : book.workstreams()) out["workstreams"][id] = WorkstreamJson(w);
    for (const auto& [id, m] : book.meetings()) out["meetings"][id] = MeetingJson(book, m);
    return out;
  }

  const Statement& S(const std::string& id) { return *book_.FindStatement(id); }

  World w_;
  TestDevice usa_admin_, kor_admin_, alice_, bob_, uma_, kim_, lee_;
  space::SpaceState space_{ledger::SpaceId(std::array<uint8_t, 16>{7})};
  Book book_{space_};
  std::map<std::string, uint64_t> next_index_;
  std::string last_id_;
  std::vector<Recorded> events_;
};

TEST_F(AgendaTest, KindsRolesAndReleaseLabel) {
  EXPECT_TRUE(IsAgendaKind(kStatementDraft));
  EXPECT_TRUE(IsAgendaKind(kMeetingApprove));
  EXPECT_FALSE(IsAgendaKind(0x0705));
  EXPECT_FALSE(IsAgendaKind(0x0502));
  EXPECT_EQ(book_.approver_role(), "co-chair");
  EXPECT_EQ(book_.release_label(), "USKR;U");
  // The audience of a label: the active members of the partners cleared for it.
  auto audience = book_.Audience(kLabel, w_.directory).value();
  EXPECT_EQ(audience.members, (std::vector<std::string>{"admin@KOR", "admin@USA", "alice@USA",
                                                        "bob@USA", "kim@KOR", "lee@KOR"}));
  EXPECT_EQ(book_.Audience(kUnclassified, w_.directory)->members.size(), 7u);
  auto bad = book_.Audience("USKR;X", w_.directory);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

// Revision 3 of the registry: the new optional fields are accepted, unknown ones still refused.
TEST_F(AgendaTest, RegistryRevision3Fields) {
  auto valid = [](uint16_t kind, std::string_view meta, bool envelope) {
    return static_cast<bool>(ledger::ValidateMeta(kind, AsBytes(meta), envelope));
  };
  std::string sha(64, 'a');
  EXPECT_TRUE(valid(kStatementDraft,
                    R"({"document":"d","embargo_ms":5,"text_sha256":")" + sha + R"(","version":1})",
                    true));
  EXPECT_TRUE(valid(kStatementRevise,
                    R"({"document":"d","embargo_ms":5,"text_sha256":")" + sha + R"(","version":2})",
                    true));
  EXPECT_FALSE(valid(kStatementComment, R"({"document":"d","embargo_ms":5})", true));
  EXPECT_TRUE(valid(kStatementApprove, R"({"document":"d","text_sha256":"x","version":1})", false));
  EXPECT_TRUE(valid(kStatementApprove, R"({"document":"d","version":1})", false));  // r1 form
  EXPECT_TRUE(valid(kMeetingApprove, R"({"document":"d","text_sha256":"x","version":1})", false));
  EXPECT_TRUE(valid(kWorkstreamUpdate,
                    R"({"milestone":"m1","update":"milestone","workstream":"w"})", true));
  EXPECT_FALSE(valid(kWorkstreamCreate, R"({"update":"status","workstream":"w"})", true));
  EXPECT_FALSE(valid(kWorkstreamUpdate, R"({"update":7,"workstream":"w"})", true));
  EXPECT_FALSE(valid(kMeetingApprove, R"({"document":"d","embargo_ms":1})", false));
}

TEST_F(AgendaTest, StatementLoweredApprovedAndReleased) {
  std::string id = Draft();
  EXPECT_EQ(S(id).ceiling, kLabel);
  EXPECT_EQ(S(id).content.at(1).title, "Joint statement");
  EXPECT_EQ(S(id).content.at(1).texts.at("ko"), "본문 v1");
  ASSERT_TRUE(Approve(alice_, id));
  ASSERT_TRUE(Approve(kim_, id));
  EXPECT_TRUE(S(id).doc.ApprovedByAll(space_.partners()));
  EXPECT_EQ(S(id).timeline.back().note, "every partner approved version 1");
  // Approved, but SECRET: releasing needs a version at U that every partner approved.
  auto secret = Release(alice_, id);
  EXPECT_EQ(CodeOf(secret), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(secret).find("is labelled " + std::string(kLabel)), std::string::npos)
      << Why(secret);
  // The lowering is a new version: it voids both approvals and says what it did.
  ASSERT_TRUE(Revise(id, kUnclassified, "Text v2"));
  EXPECT_EQ(S(id).doc.current().label, kUnclassified);
  EXPECT_EQ(S(id).ceiling, kLabel);
  EXPECT_EQ(S(id).doc.voided.size(), 2u);
  EXPECT_NE(S(id).timeline.back().note.find("label lowered from USKR;S;P:REL=KOR,USA to USKR;U"),
            std::string::npos)
      << S(id).timeline.back().note;
  auto unapproved = Release(alice_, id);
  EXPECT_EQ(CodeOf(unapproved), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(unapproved).find("waiting for KOR, USA"), std::string::npos) << Why(unapproved);
  ASSERT_TRUE(Approve(alice_, id));
  auto half = Release(alice_, id);
  EXPECT_NE(Why(half).find("waiting for KOR)"), std::string::npos);
  ASSERT_TRUE(Approve(kim_, id));
  // A release names the current version and is itself at the release label.
  EXPECT_EQ(CodeOf(Submit(kStatementRelease, alice_, {{"document", id}, {"version", 1}}, id,
                          kUnclassified, nlohmann::json::object())),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Submit(kStatementRelease, alice_, {{"document", id}, {"version", 2}}, id, kLabel,
                          nlohmann::json::object())),
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Release(kim_, id));
  EXPECT_TRUE(S(id).released.has_value());
  EXPECT_EQ(S(id).released_version, 2u);
  EXPECT_EQ(S(id).released->origin, "KOR");
  auto json = StatementJson(book_, S(id));
  EXPECT_EQ(json["released"], true);
  EXPECT_EQ(json["released_version"], 2);
  EXPECT_EQ(json["approvals"].size(), 2u);
  EXPECT_EQ(json["voided_approvals"].size(), 2u);
  EXPECT_EQ(json["content"]["2"]["texts"]["en"], "Text v2");
}

TEST_F(AgendaTest, ANewVersionVoidsApprovals) {
  std::string id = Draft();
  std::string v1 = S(id).doc.current().text_sha256;
  ASSERT_TRUE(Approve(alice_, id));
  ASSERT_TRUE(Revise(id, kLabel, "Text v2"));
  EXPECT_TRUE(S(id).doc.approvals.empty());
  ASSERT_EQ(S(id).doc.voided.size(), 1u);
  EXPECT_EQ(S(id).doc.voided[0].partner, "USA");
  EXPECT_EQ(S(id).doc.voided[0].version, 1u);
  EXPECT_EQ(S(id).timeline.back().note, "1 approval(s) of version 1 voided");
  // The old version, or the new version with the old hash, can no longer be approved.
  auto stale = Approve(kim_, id, 1, v1);
  EXPECT_EQ(CodeOf(stale), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(stale).find("current version of statement"), std::string::npos);
  EXPECT_EQ(CodeOf(Approve(kim_, id, 2, v1)), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Approve(kim_, id, 2, std::string(64, 'A'))), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Approve(kim_, id));
  EXPECT_TRUE(S(id).doc.ApprovedBy("KOR"));
  EXPECT_EQ(S(id).doc.AwaitingApproval(space_.partners()), std::vector<std::string>{"USA"});
  // A version must follow the current one.
  EXPECT_EQ(
      CodeOf(Submit(kStatementRevise, bob_, {{"document", id}, {"version", 4}, {"text_sha256", ""}},
                    id, kLabel, StatementText("t", "x", "y"))),
      ErrorCode::kInvalidArgument);
}

TEST_F(AgendaTest, OnlyTheApproverApprovesOncePerPartner) {
  std::string id = Draft();
  // lee's roles may author statement.approve, but lee is not KOR's decision authority.
  auto officer = Approve(lee_, id);
  EXPECT_EQ(CodeOf(officer), ErrorCode::kPermissionDenied);
  EXPECT_NE(Why(officer).find("decision authority"), std::string::npos);
  ASSERT_TRUE(Approve(kim_, id));
  EXPECT_EQ(CodeOf(Approve(kim_, id)), ErrorCode::kAlreadyExists);
  // The hash is required (optional in the registry only for compatibility).
  auto no_hash = Submit(kStatementApprove, alice_, {{"document", id}, {"version", 1}}, id, kLabel);
  EXPECT_EQ(CodeOf(no_hash), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Submit(kStatementApprove, alice_,
                          {{"document", id}, {"text_sha256", S(id).doc.current().text_sha256}}, id,
                          kLabel)),
            ErrorCode::kInvalidArgument);
  // Once demoted, alice no longer approves.
  ASSERT_TRUE(
      w_.Dir(kMemberUpdate, "USA", usa_admin_, {{"member", "alice@USA"}, {"roles", {"officer"}}}));
  Tick();
  EXPECT_EQ(CodeOf(Approve(alice_, id)), ErrorCode::kPermissionDenied);
}

// An approval is judged by the roles its author held when approving: on every party, whatever
// node appended it, and whatever changed since.
TEST_F(AgendaTest, FoldJudgesApprovalsByTheRoleHeldAtTheirTime) {
  std::string id = Draft();
  ASSERT_TRUE(Approve(alice_, id));
  // lee's approval, as a dishonest KOR node could append it without checking.
  Recorded forged =
      Make(kStatementApprove, lee_,
           {{"document", id}, {"version", 1}, {"text_sha256", S(id).doc.current().text_sha256}}, id,
           kLabel, std::nullopt, std::nullopt);
  book_.Apply(space::FoldEvent{forged.header, forged.meta}, 99, w_.directory);
  EXPECT_FALSE(S(id).timeline.back().applied);
  EXPECT_NE(S(id).timeline.back().note.find("decision authority"), std::string::npos);
  EXPECT_FALSE(S(id).doc.ApprovedBy("KOR"));
  Tick();
  ASSERT_TRUE(Approve(kim_, id));
  // alice is demoted later: folding the logs again still counts her approval.
  ASSERT_TRUE(
      w_.Dir(kMemberUpdate, "USA", usa_admin_, {{"member", "alice@USA"}, {"roles", {"officer"}}}));
  auto again = Fold(events_, {"KOR", "USA"});
  EXPECT_EQ(again["statements"][id]["approved"], true);
  EXPECT_EQ(again["statements"][id]["awaiting"], nlohmann::json::array());
}

TEST_F(AgendaTest, WithoutAConsultationSectionNoOneApproves) {
  space_ = space::SpaceState(space_.id());
  w_ = World();
  Setup(kPolicy);
  EXPECT_EQ(book_.approver_role(), "");
  std::string id = Draft();
  auto refused = Approve(kim_, id);
  EXPECT_EQ(CodeOf(refused), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(refused).find("no consultation section"), std::string::npos) << Why(refused);
}

TEST_F(AgendaTest, ReleaseWaitsForTheEmbargo) {
  uint64_t embargo = w_.now_ms + 60'000;
  std::string id = Draft(kUnclassified, embargo);
  EXPECT_EQ(S(id).doc.current().embargo_ms, embargo);
  ASSERT_TRUE(Approve(alice_, id));
  ASSERT_TRUE(Approve(kim_, id));
  auto early = Release(alice_, id);
  EXPECT_EQ(CodeOf(early), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(early).find("embargoed until"), std::string::npos);
  EXPECT_EQ(StatementJson(book_, S(id))["release_needs"], nlohmann::json::array());
  w_.now_ms = embargo;
  ASSERT_TRUE(Release(alice_, id));
  EXPECT_EQ(S(id).released->created_ms, embargo);
}

TEST_F(AgendaTest, AReleasedStatementNoLongerChanges) {
  std::string id = Draft(kUnclassified);
  ASSERT_TRUE(Approve(alice_, id));
  ASSERT_TRUE(Approve(kim_, id));
  ASSERT_TRUE(Release(alice_, id));
  EXPECT_EQ(CodeOf(Revise(id, kUnclassified, "later")), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(Approve(kim_, id)), ErrorCode::kFailedPrecondition);
  auto twice = Release(kim_, id);
  EXPECT_EQ(CodeOf(twice), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(twice).find("was released"), std::string::npos);
}

TEST_F(AgendaTest, LabelsStayAtOrBelowTheCeiling) {
  std::string id = Draft(kUnclassified);
  auto above = Revise(id, kLabel, "raised");
  EXPECT_EQ(CodeOf(above), ErrorCode::kPermissionDenied);
  EXPECT_NE(Why(above).find("above statement"), std::string::npos);
  std::string secret = Draft();
  // REL=USA is not below REL=KOR,USA (it admits fewer): a different, not a lower, label.
  EXPECT_EQ(CodeOf(Revise(secret, "USKR;S;P:REL=USA", "national")), ErrorCode::kPermissionDenied);
  // A draft no member of a partner may read is refused: every partner approves it.
  auto national =
      Submit(kStatementDraft, bob_, {{"document", ""}, {"version", 1}, {"text_sha256", ""}}, "",
             "USKR;S;P:REL=USA", StatementText("t", "x", "y"));
  EXPECT_EQ(CodeOf(national), ErrorCode::kPermissionDenied);
  EXPECT_NE(Why(national).find("no member of KOR"), std::string::npos);
}

TEST_F(AgendaTest, StatementEventsAreSealedToTheCeilingAudience) {
  std::string id = Draft();
  // A lowered version sealed to the U audience would reach uma, who may not read the draft.
  auto leak =
      Submit(kStatementRevise, bob_, {{"document", id}, {"version", 2}, {"text_sha256", ""}}, id,
             kUnclassified, StatementText("t", "x", "y"), kUnclassified);
  EXPECT_EQ(CodeOf(leak), ErrorCode::kPermissionDenied);
  EXPECT_NE(Why(leak).find("1 not admitted"), std::string::npos) << Why(leak);
  auto none = Submit(kStatementComment, lee_, {{"document", id}}, id, kLabel,
                     nlohmann::json{{"text", "hm"}}, "-");
  EXPECT_EQ(CodeOf(none), ErrorCode::kPermissionDenied);
  auto draft =
      Submit(kStatementDraft, bob_, {{"document", ""}, {"version", 1}, {"text_sha256", ""}}, "",
             kLabel, StatementText("t", "x", "y"), "-");
  EXPECT_EQ(CodeOf(draft), ErrorCode::kPermissionDenied);
  // Sealed to the ceiling's audience, a lowered version and a comment are accepted.
  ASSERT_TRUE(Revise(id, kUnclassified, "lowered"));
  ASSERT_TRUE(Submit(kStatementComment, lee_, {{"document", id}, {"version", 2}}, id, kUnclassified,
                     nlohmann::json{{"text", "fine by KOR"}}));
  ASSERT_EQ(S(id).comments.size(), 1u);
  EXPECT_EQ(S(id).comments[0].version, 2u);
  EXPECT_EQ(S(id).comments[0].text, "fine by KOR");
  EXPECT_EQ(CodeOf(Submit(kStatementComment, lee_, {{"document", id}, {"version", 3}}, id, kLabel,
                          nlohmann::json{{"text", "x"}})),
            ErrorCode::kInvalidArgument);
}

TEST_F(AgendaTest, IdsSubjectsAndOrder) {
  std::string id = Draft();
  // A draft must name itself and have no subject.
  Recorded r = Make(kStatementDraft, bob_,
                    {{"document", std::string(32, 'a')}, {"version", 1}, {"text_sha256", Sha("x")}},
                    "", kLabel, std::nullopt, std::nullopt);
  EXPECT_EQ(CodeOf(book_.Check(space::FoldEvent{r.header, r.meta, r.keys}, w_.directory)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      CodeOf(Submit(kStatementDraft, bob_, {{"document", ""}, {"version", 2}, {"text_sha256", ""}},
                    "", kLabel, StatementText("t", "x", "y"))),
      ErrorCode::kInvalidArgument);
  // A later event's meta id must be its subject; an unknown subject names nothing.
  EXPECT_EQ(CodeOf(Submit(kStatementComment, lee_, {{"document", std::string(32, 'b')}}, id)),
            ErrorCode::kInvalidArgument);
  std::string unknown(32, 'c');
  EXPECT_EQ(CodeOf(Submit(kStatementComment, lee_, {{"document", unknown}}, unknown)),
            ErrorCode::kNotFound);
  // The exercise id must be the statement's.
  Recorded ex = Make(kStatementComment, lee_, {{"document", id}}, id, kLabel,
                     nlohmann::json{{"text", "x"}}, std::nullopt);
  ex.header.exercise_id = Bytes(16, 1);
  EXPECT_EQ(CodeOf(book_.Check(space::FoldEvent{ex.header, ex.meta, ex.keys}, w_.directory)),
            ErrorCode::kInvalidArgument);
  // An event timed before the statement's latest: refused, and kept as not applied by a fold.
  w_.now_ms -= 1500;  // before the draft, after the charter
  auto behind = Submit(kStatementComment, lee_, {{"document", id}}, id, kLabel,
                       nlohmann::json{{"text", "late"}});
  EXPECT_EQ(CodeOf(behind), ErrorCode::kFailedPrecondition);
  EXPECT_NE(Why(behind).find("clock behind"), std::string::npos) << Why(behind);
  Recorded late = Make(kStatementComment, lee_, {{"document", id}}, id, kLabel,
                       nlohmann::json{{"text", "late"}}, std::nullopt);
  book_.Apply(space::FoldEvent{late.header, late.meta, late.keys}, 50, w_.directory);
  EXPECT_FALSE(S(id).timeline.back().applied);
  EXPECT_TRUE(S(id).comments.empty());
}

TEST_F(AgendaTest, WorkstreamsCreateAndUpdate) {
  ASSERT_TRUE(Submit(kWorkstreamCreate, bob_, {{"workstream", ""}, {"status", "on-track"}}, "",
                     kLabel,
                     nlohmann::json{{"title", "Extended deterrence planning"},
                                    {"description", "Joint planning"},
                                    {"co_leads", {"alice@USA", "kim@KOR"}}}));
  std::string ws = last_id_;
  const Workstream& w = *book_.FindWorkstream(ws);
  EXPECT_EQ(w.title, "Extended deterrence planning");
  EXPECT_EQ(w.co_leads, (std::vector<std::string>{"alice@USA", "kim@KOR"}));
  EXPECT_EQ(w.status, "on-track");
  ASSERT_TRUE(Submit(kWorkstreamUpdate, lee_,
                     {{"workstream", ws}, {"status", "at-risk"}, {"update", "status"}}, ws, kLabel,
                     nlohmann::json{{"text", "staffing gap"}}));
  EXPECT_EQ(w.status, "at-risk");
  EXPECT_EQ(w.rationale, "staffing gap");
  EXPECT_EQ(CodeOf(Submit(kWorkstreamUpdate, lee_, {{"workstream", ws}, {"status", "late"}}, ws)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Submit(kWorkstreamUpdate, lee_, {{"workstream", ws}, {"update", "gossip"}}, ws)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      CodeOf(Submit(kWorkstreamUpdate, lee_, {{"workstream", ws}, {"update", "milestone"}}, ws)),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(Submit(kWorkstreamCreate, lee_, {{"workstream", ""}, {"status", "fine"}})),
            ErrorCode::kInvalidArgument);
  std::string unknown(32, 'd');
  EXPECT_EQ(CodeOf(Submit(kWorkstreamUpdate, lee_,
                          {{"workstream", unknown}, {"update", "progress"}}, unknown)),
            ErrorCode::kNotFound);
  // A milestone, set then done; its due date travels in clear meta too.
  uint64_t due = w_.now_ms + 86'400'000;
  auto milestone = [&](const std::string& status) {
    return nlohmann::json{{"milestone",
                           {{"id", "m1"},
                            {"title", "Tabletop exercise"},
                            {"owner", "lee@KOR"},
                            {"due_ms", due},
                            {"status", status}}}};
  };
  ASSERT_TRUE(
      Submit(kWorkstreamUpdate, bob_,
             {{"workstream", ws}, {"update", "milestone"}, {"milestone", "m1"}, {"due_ms", due}},
             ws, kLabel, milestone("planned")));
  ASSERT_EQ(w.milestones.count("m1"), 1u);
  EXPECT_EQ(w.milestones.at("m1").due_ms, due);
  EXPECT_FALSE(w.milestones.at("m1").done_ms);
  EXPECT_FALSE(w.due_ms);  // a milestone's due date is not the workstream's
  uint64_t done_at = w_.now_ms;
  ASSERT_TRUE(Submit(kWorkstreamUpdate, lee_,
                     {{"workstream", ws}, {"update", "milestone"}, {"milestone", "m1"}}, ws, kLabel,
                     milestone("done")));
  EXPECT_EQ(w.milestones.at("m1").status, "done");
  EXPECT_EQ(w.milestones.at("m1").done_ms, done_at);
  ASSERT_TRUE(Submit(kWorkstreamUpdate, kim_,
                     {{"workstream", ws}, {"status", "on-track"}, {"update", "status"}}, ws, kLabel,
                     nlohmann::json{{"text", "recovered"}}));
  ASSERT_TRUE(Submit(kWorkstreamUpdate, kim_, {{"workstream", ws}, {"update", "item"}}, ws, kLabel,
                     nlohmann::json{{"text", "improve alerting"}}));
  EXPECT_EQ(w.updates.size(), 5u);
  EXPECT_EQ(w.updates.back().type, "item");
  auto json = WorkstreamJson(w);
  ASSERT_EQ(json["status_history"].size(), 2u);
  EXPECT_EQ(json["status_history"][0]["status"], "at-risk");
  EXPECT_EQ(json["status_history"][1]["status"], "on-track");
  EXPECT_EQ(json["status_history"][1]["rationale"], "recovered");
  EXPECT_EQ(json["milestones"][0]["status"], "done");
  // Labels stay at or below the workstream's; recipients are its label's audience.
  ASSERT_TRUE(Submit(kWorkstreamCreate, uma_, {{"workstream", ""}}, "", kUnclassified,
                     nlohmann::json{{"title", "Public diplomacy"}}));
  std::string open = last_id_;
  EXPECT_EQ(CodeOf(Submit(kWorkstreamUpdate, bob_, {{"workstream", open}, {"update", "progress"}},
                          open, kLabel, nlohmann::json{{"text", "secret"}})),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(CodeOf(Submit(kWorkstreamUpdate, bob_, {{"workstream", open}, {"update", "progress"}},
                          open, kUnclassified, nlohmann::json{{"text", "x"}}, kLabel)),
            ErrorCode::kPermissionDenied);
}

TEST_F(AgendaTest, MeetingsScheduleAmendAndMinutes) {
  uint64_t starts = w_.now_ms + 3'600'000;
  nlohmann::json plan = {
      {"title", "Plenary"},
      {"location", "Seoul"},
      {"attendees", {{{"partner", "USA"}, {"organisation", "DoD"}, {"name", "Alice"}}}},
      {"agenda", {{{"title", "Workstream review"}, {"refers", "workstream:abc"}}}}};
  ASSERT_TRUE(Submit(kMeetingSchedule, bob_,
                     {{"meeting", ""}, {"starts_ms", starts}, {"level", "plenary"}}, "", kLabel,
                     plan));
  std::string id = last_id_;
  const Meeting& m = *book_.FindMeeting(id);
  EXPECT_EQ(m.level, "plenary");
  EXPECT_EQ(m.starts_ms, starts);
  EXPECT_EQ(m.title, "Plenary");
  ASSERT_EQ(m.agenda.size(), 1u);
  EXPECT_EQ(m.agenda[0].refers, "workstream:abc");
  EXPECT_EQ(CodeOf(Submit(kMeetingSchedule, bob_, {{"meeting", ""}, {"level", "summit"}})),
            ErrorCode::kInvalidArgument);
  // Approving minutes that do not exist yet.
  EXPECT_EQ(CodeOf(Approve(kim_, id, 1, Sha("x"), kMeetingApprove)),
            ErrorCode::kFailedPrecondition);
  // An amendment names the meeting by its subject.
  plan["title"] = "Plenary (moved)";
  plan["agenda"].push_back({{"title", "Statement"}, {"refers", "statement:def"}});
  ASSERT_TRUE(Submit(kMeetingSchedule, lee_, {{"meeting", id}, {"starts_ms", starts + 3'600'000}},
                     id, kLabel, plan));
  EXPECT_EQ(book_.meetings().size(), 1u);
  EXPECT_EQ(m.title, "Plenary (moved)");
  EXPECT_EQ(m.starts_ms, starts + 3'600'000);
  EXPECT_EQ(m.level, "plenary");
  EXPECT_EQ(m.agenda.size(), 2u);
  // Minutes: the first version is 1; every partner approves it; a new version voids that.
  auto minutes = [](const std::string& text) {
    return nlohmann::json{{"salt", "c2FsdA"},
                          {"text", text},
                          {"actions",
                           {{{"id", "a1"},
                             {"text", "Draft the statement"},
                             {"owner", "bob@USA"},
                             {"due_ms", 1'900'000'000'000}}}}};
  };
  EXPECT_EQ(
      CodeOf(Submit(kMeetingMinutes, bob_, {{"document", id}, {"version", 2}, {"text_sha256", ""}},
                    id, kLabel, minutes("x"))),
      ErrorCode::kInvalidArgument);
  ASSERT_TRUE(Submit(kMeetingMinutes, bob_, {{"document", id}, {"version", 1}, {"text_sha256", ""}},
                     id, kLabel, minutes("We met.")));
  EXPECT_EQ(m.minutes_text.at(1), "We met.");
  ASSERT_EQ(m.actions.at(1).size(), 1u);
  EXPECT_EQ(m.actions.at(1)[0].owner, "bob@USA");
  EXPECT_EQ(CodeOf(Approve(lee_, id, {}, {}, kMeetingApprove)), ErrorCode::kPermissionDenied);
  ASSERT_TRUE(Approve(alice_, id, {}, {}, kMeetingApprove));
  EXPECT_FALSE(m.minutes_approved(space_.partners()));
  ASSERT_TRUE(Approve(kim_, id, {}, {}, kMeetingApprove));
  EXPECT_TRUE(m.minutes_approved(space_.partners()));
  EXPECT_EQ(CodeOf(Approve(kim_, id, {}, {}, kMeetingApprove)), ErrorCode::kAlreadyExists);
  std::string v1 = m.minutes.current().text_sha256;
  ASSERT_TRUE(Submit(kMeetingMinutes, lee_, {{"document", id}, {"version", 2}, {"text_sha256", ""}},
                     id, kLabel, minutes("We met, corrected.")));
  EXPECT_FALSE(m.minutes_approved(space_.partners()));
  EXPECT_EQ(m.minutes.voided.size(), 2u);
  EXPECT_EQ(CodeOf(Approve(kim_, id, 1, v1, kMeetingApprove)), ErrorCode::kFailedPrecondition);
  auto json = MeetingJson(book_, m);
  EXPECT_EQ(json["minutes"]["current_version"], 2);
  EXPECT_EQ(json["minutes"]["awaiting"], (nlohmann::json{"KOR", "USA"}));
  EXPECT_EQ(json["minutes"]["texts"]["2"], "We met, corrected.");
  EXPECT_EQ(json["agenda"][1]["refers"], "statement:def");
  // A meeting's events stay at or below its label.
  EXPECT_EQ(CodeOf(Submit(kMeetingSchedule, lee_, {{"meeting", id}}, id, "USKR;S;P:REL=KOR", plan)),
            ErrorCode::kPermissionDenied);
}

// Minutes carry each action item's owner and due time in clear (meta `actions`, r3), so a node,
// which cannot open the minutes, knows whom to remind and when; malformed or unknown owners are
// refused.
TEST_F(AgendaTest, ActionItemsInClearForReminders) {
  ASSERT_TRUE(Submit(kMeetingSchedule, bob_, {{"meeting", ""}, {"level", "working"}}, "", kLabel,
                     nlohmann::json{{"title", "Working group"}}));
  std::string id = last_id_;
  auto minutes = [&](nlohmann::json actions) {
    nlohmann::json meta = {{"document", id}, {"version", 1}, {"text_sha256", ""}};
    meta["actions"] = std::move(actions);
    // The sealed content holds no action list: the clear one is all the fold sees.
    return Submit(kMeetingMinutes, bob_, meta, id, kLabel,
                  nlohmann::json{{"salt", "c2FsdA"}, {"text", "We met."}});
  };
  EXPECT_EQ(CodeOf(minutes({{"a1", {{"owner", "nobody@KOR"}, {"due_ms", 5}}}})),
            ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf(minutes({{"a1", {{"owner", "kim@KOR"}}}})), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(minutes({{"a1", {{"owner", "kim@KOR"}, {"due_ms", 5}, {"text", "x"}}}})),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(minutes(nlohmann::json::array())), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(minutes({{"a1", {{"owner", "kim@KOR"}, {"due_ms", 1'900'000'000'000}}},
                       {"a2", {{"owner", "bob@USA"}, {"due_ms", 1'800'000'000'000}}}}));
  const Meeting& m = *book_.FindMeeting(id);
  ASSERT_EQ(m.actions.at(1).size(), 2u);
  EXPECT_EQ(m.actions.at(1)[0].id, "a1");
  EXPECT_EQ(m.actions.at(1)[0].owner, "kim@KOR");
  EXPECT_EQ(m.actions.at(1)[0].due_ms, 1'900'000'000'000u);
  EXPECT_EQ(m.actions.at(1)[1].owner, "bob@USA");
}

// Both partners act during a partition; every party folds the union in merge order and reaches
// the same state, and the event that no longer fits is kept as not applied, with the reason.
TEST_F(AgendaTest, PartnersApprovingDifferentVersionsConverge) {
  std::string id = Draft();
  // USA revises to version 2 while KOR, cut off, approves version 1 a moment later.
  Recorded revise =
      Make(kStatementRevise, bob_, {{"document", id}, {"version", 2}, {"text_sha256", ""}}, id,
           kLabel, StatementText("Joint statement", "Text v2", "본문 v2"), std::nullopt);
  Recorded approve =
      Make(kStatementApprove, kim_,
           {{"document", id}, {"version", 1}, {"text_sha256", S(id).doc.current().text_sha256}}, id,
           kLabel, std::nullopt, std::nullopt);
  approve.header.created_ms = revise.header.created_ms + 5;
  revise.index = next_index_["USA"]++;
  approve.index = next_index_["KOR"]++;
  std::vector<Recorded> all = events_;
  all.push_back(approve);
  all.push_back(revise);
  auto at_usa = Fold(all, {"USA", "KOR"});
  auto at_kor = Fold(all, {"KOR", "USA"});
  EXPECT_EQ(at_usa, at_kor);
  const auto& timeline = at_usa["statements"][id]["timeline"];
  ASSERT_EQ(timeline.size(), 3u);
  EXPECT_EQ(timeline[1]["kind"], "statement.revise");
  EXPECT_EQ(timeline[2]["kind"], "statement.approve");
  EXPECT_EQ(timeline[2]["applied"], false);
  EXPECT_NE(timeline[2]["note"].get<std::string>().find("current version of statement"),
            std::string::npos);
  EXPECT_EQ(at_usa["statements"][id]["current_version"], 2);
  EXPECT_EQ(at_usa["statements"][id]["approvals"], nlohmann::json::array());
  // Had KOR approved first, its approval would count, then be voided by the revision.
  approve.header.created_ms = revise.header.created_ms - 5;
  all[all.size() - 2] = approve;
  auto earlier = Fold(all, {"USA", "KOR"});
  EXPECT_EQ(earlier["statements"][id]["voided_approvals"].size(), 1u);
  EXPECT_EQ(earlier["statements"][id]["timeline"][1]["applied"], true);
}

// The rules never depend on content: a party that opened nothing folds the same state.
TEST_F(AgendaTest, ContentOnlyFillsWhatContentHolds) {
  std::string id = Draft();
  ASSERT_TRUE(Approve(alice_, id));
  auto with = Fold(events_, {"KOR", "USA"}, true);
  auto without = Fold(events_, {"KOR", "USA"}, false);
  EXPECT_EQ(with["statements"][id]["content"]["1"]["title"], "Joint statement");
  EXPECT_EQ(without["statements"][id]["content"], nlohmann::json::object());
  for (auto* j : {&with, &without}) (*j)["statements"][id].erase("content");
  EXPECT_EQ(with, without);
}

// Every kind of object, folded from the two partners' logs in merge order, gives the same JSON
// on either partner, and the same as the book that checked and applied them one by one.
TEST_F(AgendaTest, FoldingTheSameLogsGivesIdenticalJson) {
  std::string id = Draft();
  ASSERT_TRUE(Approve(kim_, id));
  ASSERT_TRUE(Revise(id, kUnclassified, "Text v2"));
  ASSERT_TRUE(Approve(kim_, id));
  ASSERT_TRUE(Approve(alice_, id));
  ASSERT_TRUE(Release(alice_, id));
  ASSERT_TRUE(Submit(kWorkstreamCreate, lee_, {{"workstream", ""}}, "", kLabel,
                     nlohmann::json{{"title", "W"}, {"co_leads", {"bob@USA", "lee@KOR"}}}));
  std::string ws = last_id_;
  ASSERT_TRUE(Submit(kWorkstreamUpdate, bob_, {{"workstream", ws}, {"status", "off-track"}}, ws,
                     kLabel, nlohmann::json{{"text", "blocked"}}));
  ASSERT_TRUE(Submit(kMeetingSchedule, kim_, {{"meeting", ""}}, "", kLabel,
                     nlohmann::json{{"title", "Working group"}}));
  std::string mt = last_id_;
  ASSERT_TRUE(Submit(kMeetingMinutes, lee_, {{"document", mt}, {"version", 1}, {"text_sha256", ""}},
                     mt, kLabel, nlohmann::json{{"salt", "s"}, {"text", "notes"}}));
  ASSERT_TRUE(Approve(alice_, mt, {}, {}, kMeetingApprove));
  auto at_usa = Fold(events_, {"USA", "KOR"});
  auto at_kor = Fold(events_, {"KOR", "USA"});
  EXPECT_EQ(at_usa, at_kor);
  EXPECT_EQ(at_usa, BookJson(book_));
  EXPECT_EQ(at_usa["meetings"][mt]["level"], "working");
  EXPECT_EQ(at_usa["workstreams"][ws]["status"], "off-track");
  EXPECT_EQ(at_usa["statements"][id]["released"], true);
}

}  // namespace
}  // namespace entente::agenda
