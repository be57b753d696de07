// The cost of the consultation rules beside the physical limit of ingest: folding a
// consultation's events (Book::Apply, what every party does for every event), checking them
// (Book::Check, what the origin does before it appends), and one timer tick over many open
// consultations (consult::Due), next to one Ed25519 verification of an event header, which every
// node pays for every event it accepts or mirrors.
#include <benchmark/benchmark.h>

#include "base/encoding.h"
#include "consult/consult_test_util.h"
#include "consult/consultation.h"
#include "consult/timers.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "space/space_test_util.h"

namespace entente::consult {
namespace {

constexpr char kLabel[] = "USKR;S;P:REL=KOR,USA";

// A bilateral space and, for `n` consultations, the nine events of a whole lifecycle each
// (request, ack, convene, propose, two approvals, report, close, review), in time order.
struct Run {
  struct Event {
    ledger::EventHeader header;
    nlohmann::json meta;
  };
  space::testing::World world;
  space::testing::TestDevice usa_admin, kor_admin, alice, bob, kim, lee;
  space::SpaceState space{ledger::SpaceId(std::array<uint8_t, 16>{4})};
  std::vector<Event> events;

  explicit Run(int n, bool lifecycle = true) {
    (void)world.Enrol(usa_admin, "admin@USA", usa_admin, {"admin"}, "USKR;S;REL=USA");
    (void)world.Enrol(kor_admin, "admin@KOR", kor_admin, {"admin"}, "USKR;S;REL=KOR");
    (void)world.Enrol(usa_admin, "alice@USA", alice, {"co-chair"}, "USKR;S;REL=USA");
    (void)world.Enrol(usa_admin, "bob@USA", bob, {"officer"}, "USKR;S;REL=USA");
    (void)world.Enrol(kor_admin, "kim@KOR", kim, {"co-chair"}, "USKR;S;REL=KOR");
    (void)world.Enrol(kor_admin, "lee@KOR", lee, {"officer"}, "USKR;S;REL=KOR");
    std::string policy = testing::kConsultPolicy;
    auto h = world.Header(0x0001, space.id(), "USA", usa_admin, "USKR;U");
    (void)space.Fold(
        space::FoldEvent{h,
                         {{"name", "NCG"},
                          {"partners", {"KOR", "USA"}},
                          {"policy", policy},
                          {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy)))}}},
        world.directory);
    world.now_ms += 1000;
    auto j = world.Header(0x0002, space.id(), "KOR", kor_admin, "USKR;U");
    (void)space.Fold(
        space::FoldEvent{j, {{"partner", "KOR"}, {"charter_event", space.charter_event().ToHex()}}},
        world.directory);
    const auto& p = *space.policy()->consultation();
    std::string sha = HexEncode(crypto::Sha256(AsBytes(std::string("text"))));
    for (int i = 0; i < n; ++i) {
      world.now_ms += 1000;
      auto request =
          Add(0x0400, "USA", bob, "",
              {{"precedence", "FLASH"},
               {"counterparts", {"KOR"}},
               {"ack_deadline_ms", world.now_ms + 1 + p.precedence.at("FLASH").acknowledge_ms},
               {"escalation", Escalation::Freeze(p).ToJson()}});
      if (!lifecycle) continue;
      std::string c = request;
      nlohmann::json step = {{"consultation", c}};
      Add(0x0401, "KOR", lee, c, step);
      Add(0x0402, "KOR", kim, c, step);
      std::string d = Add(0x0500, "USA", bob, c, {{"version", 1}, {"text_sha256", sha}});
      nlohmann::json vote = {{"decision", d}, {"version", 1}, {"text_sha256", sha}};
      Add(0x0502, "USA", alice, c, vote);
      Add(0x0502, "KOR", kim, c, vote);
      Add(0x0403, "KOR", lee, c, step);
      Add(0x0407, "USA", alice, c, step);
      Add(0x0409, "KOR", kim, c, step);
    }
  }

  // Appends an event 1 ms after the previous one; its id (hex).
  std::string Add(uint16_t kind, const std::string& origin, const space::testing::TestDevice& who,
                  const std::string& consultation, nlohmann::json meta) {
    world.now_ms += 1;
    auto h = world.Header(kind, space.id(), origin, who, kLabel);
    if (!consultation.empty()) h.subject = HexDecode(consultation).value();
    if (kind == 0x0500) meta["decision"] = h.event_id.ToHex();
    events.push_back({h, std::move(meta)});
    return h.event_id.ToHex();
  }
};

void BM_FoldConsultationEvents(benchmark::State& state) {
  Run run(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Book book(run.space);
    uint64_t index = 0;
    for (const auto& e : run.events) {
      book.Apply(space::FoldEvent{e.header, e.meta}, index++, run.world.directory);
    }
    if (book.consultations().begin()->second.state != State::kReviewed) {
      state.SkipWithError("the lifecycle did not complete");
    }
    benchmark::DoNotOptimize(book);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(run.events.size()));
}
BENCHMARK(BM_FoldConsultationEvents)->Arg(100);

void BM_CheckThenFold(benchmark::State& state) {
  Run run(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Book book(run.space);
    uint64_t index = 0;
    for (const auto& e : run.events) {
      space::FoldEvent event{e.header, e.meta};
      if (auto ok = book.Check(event, run.world.directory, space::RecipientRule::kNoLeak); !ok) {
        state.SkipWithError(("an event was refused: " + ok.error().message()).c_str());
        break;
      }
      book.Apply(event, index++, run.world.directory);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(run.events.size()));
}
BENCHMARK(BM_CheckThenFold)->Arg(100);

// One timer tick of a node: every notification due in `n` open, unacknowledged FLASH
// consultations, an hour after they were requested (every escalation step has fired).
void BM_TimerTick(benchmark::State& state) {
  Run run(static_cast<int>(state.range(0)), /*lifecycle=*/false);
  Book book(run.space);
  uint64_t index = 0;
  for (const auto& e : run.events) {
    book.Apply(space::FoldEvent{e.header, e.meta}, index++, run.world.directory);
  }
  uint64_t now = run.world.now_ms + 3'600'000;
  size_t due = 0;
  for (auto _ : state) {
    due = 0;
    for (const auto& [id, c] : book.consultations()) {
      due += Due(book, c, run.world.directory, "KOR", now).size();
    }
    benchmark::DoNotOptimize(due);
  }
  state.counters["notifications"] = static_cast<double>(due);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TimerTick)->Arg(1000);

// The limit beside them: one Ed25519 verification of a typical event header.
void BM_VerifyEventSignature_Limit(benchmark::State& state) {
  auto key = crypto::SigningKey::Generate();
  Bytes header = crypto::RandomBytes(300);
  auto signature = key.Sign("entente/event/v1\n", header);
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.public_key().Verify("entente/event/v1\n", header, signature));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyEventSignature_Limit);

}  // namespace
}  // namespace entente::consult

BENCHMARK_MAIN();
