// What a node does for every event it delivers: parse the event's label and check it against a
// member's clearance. Measured together and apart, plus the relations and banner rendering.
#include <benchmark/benchmark.h>

#include "label/banner.h"
#include "label/label.h"
#include "label/policy.h"

namespace entente::label {
namespace {

// The bilateral example policy (examples/policy-uskr.yaml), embedded so the benchmark needs no
// files.
constexpr std::string_view kPolicy = R"(policy: USKR
title: United States – Republic of Korea bilateral security policy
partners:
  USA: {name: United States}
  KOR: {name: Republic of Korea}
levels:
  - {id: U,  marking: {USA: UNCLASSIFIED, KOR: 평문}}
  - {id: C,  marking: {USA: CONFIDENTIAL, KOR: III급비밀}}
  - {id: S,  marking: {USA: SECRET,       KOR: II급비밀}}
  - {id: TS, marking: {USA: TOP SECRET,   KOR: I급비밀}}
tagsets:
  REL: {kind: permissive, values: partners, banner: REL TO}
  SAP: {kind: restrictive, values: [ALPHA, BRAVO], banner: SAP}
  HDL: {kind: informative, values: [EXDIS, NODIS], banner: HANDLE}
rel_required_above: U
)";

constexpr std::string_view kLabel = "USKR;S;I:HDL=NODIS;P:REL=KOR,USA;R:SAP=ALPHA";
constexpr std::string_view kClearance = "USKR;TS;REL=USA;SAP=ALPHA,BRAVO";

std::shared_ptr<const Policy> ThePolicy() { return LoadPolicy(kPolicy).value(); }

void BM_ParseLabel(benchmark::State& state) {
  auto policy = ThePolicy();
  for (auto _ : state) benchmark::DoNotOptimize(ParseLabel(policy, kLabel));
  state.SetItemsProcessed(state.iterations());
}

void BM_Access(benchmark::State& state) {
  auto policy = ThePolicy();
  Label label = ParseLabel(policy, kLabel).value();
  Clearance clearance = ParseClearance(policy, kClearance).value();
  for (auto _ : state) benchmark::DoNotOptimize(Access(clearance, label).admitted());
  state.SetItemsProcessed(state.iterations());
}

void BM_AccessDenied(benchmark::State& state) {
  auto policy = ThePolicy();
  Label label = ParseLabel(policy, kLabel).value();
  Clearance clearance = ParseClearance(policy, "USKR;TS;REL=USA;SAP=BRAVO").value();
  for (auto _ : state) benchmark::DoNotOptimize(Access(clearance, label).admitted());
  state.SetItemsProcessed(state.iterations());
}

void BM_ParseLabelAndAccess(benchmark::State& state) {
  auto policy = ThePolicy();
  Clearance clearance = ParseClearance(policy, kClearance).value();
  for (auto _ : state) {
    auto label = ParseLabel(policy, kLabel);
    benchmark::DoNotOptimize(label.has_value() && Access(clearance, *label).admitted());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LabelToString(benchmark::State& state) {
  Label label = ParseLabel(ThePolicy(), kLabel).value();
  for (auto _ : state) benchmark::DoNotOptimize(label.ToString());
  state.SetItemsProcessed(state.iterations());
}

void BM_Dominates(benchmark::State& state) {
  auto policy = ThePolicy();
  Label a = ParseLabel(policy, kLabel).value();
  Label b = ParseLabel(policy, "USKR;C;P:REL=KOR,USA").value();
  for (auto _ : state) benchmark::DoNotOptimize(Dominates(a, b));
  state.SetItemsProcessed(state.iterations());
}

void BM_Join(benchmark::State& state) {
  auto policy = ThePolicy();
  Label a = ParseLabel(policy, kLabel).value();
  Label b = ParseLabel(policy, "USKR;C;P:REL=USA;R:SAP=BRAVO").value();
  for (auto _ : state) benchmark::DoNotOptimize(Join(a, b));
  state.SetItemsProcessed(state.iterations());
}

void BM_RenderBanner(benchmark::State& state) {
  auto policy = ThePolicy();
  Label label = ParseLabel(policy, kLabel).value();
  PartnerIndex kor = policy->FindPartner("KOR").value();
  for (auto _ : state) benchmark::DoNotOptimize(RenderBanner(label, kor));
  state.SetItemsProcessed(state.iterations());
}

void BM_ParseBanner(benchmark::State& state) {
  auto policy = ThePolicy();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ParseBanner(policy, "II급비밀//SAP ALPHA//HANDLE NODIS//REL TO KOR, USA"));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LoadPolicy(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LoadPolicy(kPolicy));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ParseLabel);
BENCHMARK(BM_Access);
BENCHMARK(BM_AccessDenied);
BENCHMARK(BM_ParseLabelAndAccess);
BENCHMARK(BM_LabelToString);
BENCHMARK(BM_Dominates);
BENCHMARK(BM_Join);
BENCHMARK(BM_RenderBanner);
BENCHMARK(BM_ParseBanner);
BENCHMARK(BM_LoadPolicy);

}  // namespace
}  // namespace entente::label

BENCHMARK_MAIN();
