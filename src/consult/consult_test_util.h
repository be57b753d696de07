// consult/consult_test_util.h (tests and fuzz targets only): a bilateral policy whose
// consultation deadlines are seconds long, for folding consultations on a manual clock.
#pragma once

namespace entente::consult::testing {

// USA and KOR; co-chairs may author every consult.* and decision.* kind, officers some; FLASH
// is acknowledged within 10 s; escalation: officers (5 s, working), then co-chairs (10 s,
// senior), twice; no silence procedure (append "  silence: PT30S\n" for one).
inline constexpr char kConsultPolicy[] = R"(policy: USKR
title: Consultation test policy
partners:
  USA: {name: United States}
  KOR: {name: Republic of Korea}
levels:
  - {id: U, marking: {USA: UNCLASSIFIED, KOR: UNCLASSIFIED}}
  - {id: S, marking: {USA: SECRET, KOR: SECRET}}
tagsets:
  REL: {kind: permissive, values: partners, banner: REL TO}
roles:
  co-chair: {may_author: [consult.*, decision.*]}
  officer: {may_author: [consult.request, consult.ack, consult.report, consult.task.add,
                         consult.task.done, decision.propose, decision.revise, decision.object]}
consultation:
  precedence:
    FLASH: {acknowledge: PT10S, report_every: PT60S}
    IMMEDIATE: {acknowledge: PT1M, report_every: PT5M}
    PRIORITY: {acknowledge: PT1H, report_every: PT6H}
    ROUTINE: {acknowledge: P1D, report_every: P7D}
  escalation:
    loops: 2
    rules:
      - {targets: [role:officer], timeout: PT5S, level: working}
      - {targets: [role:co-chair], timeout: PT10S, level: senior}
  decision_authority: co-chair
)";

}  // namespace entente::consult::testing
