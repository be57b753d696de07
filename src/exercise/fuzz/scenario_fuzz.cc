// Fuzzes the scenario parsers: the input is read both as YAML and as CSV. Parsing must never
// crash; an error must name the source; a scenario that parses must keep the invariants the
// rest of the exercise module relies on (docs/formats/scenario.md). Any violation aborts.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "exercise/scenario.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckScenario(const entente::exercise::Scenario& s) {
  using namespace entente::exercise;
  Require(!s.name.empty());
  Require(s.partners.size() >= 2);
  Require(std::is_sorted(s.partners.begin(), s.partners.end()));
  Require(std::adjacent_find(s.partners.begin(), s.partners.end()) == s.partners.end());
  Require(!s.injects.empty() && s.injects.size() <= 1000);
  for (const Inject& inject : s.injects) {
    Require(s.FindInject(inject.number) == &inject);  // numbers are unique
    Require(!inject.synopsis.empty() && !inject.to.empty());
    if (inject.contingency()) {
      Require(!inject.at_ms && inject.after.empty());
    } else {
      Require(inject.at_ms.has_value() != !inject.after.empty());
    }
    if (inject.at_ms) {
      Require(*inject.at_ms <= s.end_ms);
      Require(ParseScenarioTime(FormatScenarioTime(*inject.at_ms)) == *inject.at_ms);
    }
    if (!inject.after.empty()) {
      const Inject* followed = s.FindInject(inject.after);
      Require(followed != nullptr && !followed->contingency());
    }
    for (const ExpectedAction& e : inject.expected) {
      Require(IsAction(e.action) && e.within_ms > 0);
      Require((e.partner == "ALL") == (e.action == "decide"));
      if (e.partner != "ALL") {
        Require(std::binary_search(s.partners.begin(), s.partners.end(), e.partner));
      }
      if (!e.contingency.empty()) {
        const Inject* contingency = s.FindInject(e.contingency);
        Require(contingency != nullptr && contingency->contingency());
      }
    }
    for (const std::string& id : inject.objectives) Require(s.FindObjective(id) != nullptr);
  }
  for (const Player& player : s.players) {
    Require(!player.responses.empty());
    for (const Response& r : player.responses) {
      Require(IsAction(r.action) && r.action != "decide");
      Require(r.probability >= 0 && r.probability <= 1);
      Require(r.delay.median_ms > 0 && r.delay.p90_ms >= r.delay.median_ms);
      Require(player.Find(r.action) == &r);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace entente::exercise;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool csv : {false, true}) {
    std::string_view source = csv ? "fuzz.csv" : "fuzz.yaml";
    auto scenario = csv ? ParseScenarioCsv(text, source) : ParseScenarioYaml(text, source);
    if (!scenario) {
      Require(scenario.error().message().starts_with(source));
      Require(scenario.error().message().size() > source.size());
      continue;
    }
    CheckScenario(*scenario);
  }
  // The scenario time grammar on its own.
  if (auto ms = ParseScenarioTime(text)) {
    Require(ParseScenarioTime(FormatScenarioTime(*ms)) == *ms);
  }
  return 0;
}
