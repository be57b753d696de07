// Fuzzes the consultation rules with what a node checks and folds: a run of consult.* and
// decision.* events with arbitrary metadata, from four members of two partners, in a chartered
// space. Input: events separated by newlines, each three bytes (kind, author, seconds since the
// previous event) then meta JSON; "@" in the meta's text is replaced by the id of the latest
// consultation, "#" by the latest decision, so runs reach deep states. Checks that Check and
// Apply never crash or throw, that an event Check accepts is applied by Apply, and that the
// timers and the JSON readers accept whatever the fold produced.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "consult/consult_test_util.h"
#include "consult/consultation.h"
#include "consult/fold.h"
#include "consult/timers.h"
#include "crypto/hash.h"
#include "space/space_test_util.h"

namespace {

using namespace entente;  // NOLINT(google-build-using-namespace)



struct Fixture {
  space::testing::World world;
  space::testing::TestDevice usa_admin, kor_admin, members[4];
  const char* names[4] = {"alice@USA", "bob@USA", "kim@KOR", "lee@KOR"};
  space::SpaceState space{ledger::SpaceId(std::array<uint8_t, 16>{3})};

  Fixture() {
    (void)world.Enrol(usa_admin, "admin@USA", usa_admin, {"admin"}, "USKR;S;REL=USA");
    (void)world.Enrol(kor_admin, "admin@KOR", kor_admin, {"admin"}, "USKR;S;REL=KOR");
    const char* roles[4] = {"co-chair", "officer", "co-chair", "officer"};
    const char* clearances[4] = {"USKR;S;REL=USA", "USKR;S;REL=USA", "USKR;S;REL=KOR",
                                 "USKR;S;REL=KOR"};
    for (int i = 0; i < 4; ++i) {
      (void)world.Enrol(i < 2 ? usa_admin : kor_admin, names[i], members[i], {roles[i]},
                        clearances[i]);
    }
    std::string policy = std::string(consult::testing::kConsultPolicy) + "  silence: PT30S\n";
    auto h = world.Header(0x0001, space.id(), "USA", usa_admin, "USKR;U");
    nlohmann::json meta = {{"name", "NCG"},
                           {"partners", {"KOR", "USA"}},
                           {"policy", policy},
                           {"policy_sha256", HexEncode(crypto::Sha256(AsBytes(policy)))}};
    if (!space.Fold(space::FoldEvent{h, meta}, world.directory)) std::abort();
    world.now_ms += 1000;
    auto j = world.Header(0x0002, space.id(), "KOR", kor_admin, "USKR;U");
    nlohmann::json join = {{"partner", "KOR"}, {"charter_event", space.charter_event().ToHex()}};
    if (!space.Fold(space::FoldEvent{j, join}, world.directory)) std::abort();
    start_ms = world.now_ms + 1000;  // 1'800'000'002'000: corpus files rely on it
  }
  uint64_t start_ms = 0;
};

std::string Replace(std::string text, char marker, const std::string& with) {
  for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
    text.replace(at, 1, with);
    at += with.size();
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  Fixture& f = *fixture;
  uint64_t start_ms = f.start_ms;
  consult::Book book(f.space);
  std::string input(reinterpret_cast<const char*>(data), size);
  std::string consultation(32, '0'), decision(32, '0');
  std::map<std::string, uint64_t> next_index;
  uint64_t now = start_ms;
  size_t begin = 0;
  for (int events = 0; begin < input.size() && events < 64; ++events) {
    size_t end = input.find('\n', begin);
    if (end == std::string::npos) end = input.size();
    std::string line = input.substr(begin, end - begin);
    begin = end + 1;
    if (line.size() < 3) continue;
    static const uint16_t kKinds[] = {0x0400, 0x0401, 0x0402, 0x0403, 0x0404,
                                      0x0405, 0x0406, 0x0407, 0x0408, 0x0409,
                                      0x040a, 0x0500, 0x0501, 0x0502, 0x0503};
    uint16_t kind = kKinds[static_cast<uint8_t>(line[0]) % std::size(kKinds)];
    int author = static_cast<uint8_t>(line[1]) % 4;
    now += static_cast<uint8_t>(line[2]) * 1000;
    std::string text = Replace(Replace(line.substr(3), '@', consultation), '#', decision);
    (void)consult::Escalation::FromJson(nlohmann::json::parse(text, nullptr, false));
    (void)consult::Notification::FromJson(nlohmann::json::parse(text, nullptr, false));
    auto meta = nlohmann::json::parse(text, nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) continue;

    std::string origin = author < 2 ? "USA" : "KOR";
    f.world.now_ms = now;
    auto h = f.world.Header(kind, f.space.id(), origin, f.members[author], "USKR;S;P:REL=KOR,USA");
    if (kind != 0x0400)
      h.subject = HexDecode(meta.value("consultation", consultation)).value_or(Bytes());
    space::FoldEvent event{h, meta};
    bool accepted = f.space.Check(event, f.world.directory).has_value() &&
                    book.Check(event, f.world.directory, space::RecipientRule::kNoLeak).has_value();
    book.Apply(event, next_index[origin]++, f.world.directory);
    if (kind == 0x0400 && book.Find(h.event_id.ToHex()) != nullptr)
      consultation = h.event_id.ToHex();
    if (kind == 0x0500 && accepted) decision = h.event_id.ToHex();
    if (accepted && kind != 0x0400) {
      const consult::Consultation* c = book.Find(HexEncode(h.subject));
      if (c == nullptr || c->timeline.empty() || !c->timeline.back().applied) std::abort();
    }
  }
  book.AdvanceTo(now + 3'600'000);
  for (const auto& [id, c] : book.consultations()) {
    for (uint64_t at : {start_ms, now, now + 60'000, now + 3'600'000}) {
      for (const auto& partner : {"USA", "KOR"}) {
        for (const auto& n : consult::Due(book, c, f.world.directory, partner, at)) {
          auto back = consult::Notification::FromJson(n.ToJson());
          if (!back || back->key != n.key) std::abort();
        }
      }
      (void)consult::Upcoming(book, c, at);
    }
    for (const auto& d : c.decisions) (void)consult::DecisionJson(book, c, d);
    auto frozen = consult::Escalation::FromJson(c.escalation.ToJson());
    if (!frozen || !(*frozen == c.escalation)) std::abort();
  }
  return 0;
}
