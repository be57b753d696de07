#!/usr/bin/env bash
# A tabletop exercise through two partners' real nodes: the controller (casey@USA) runs a short
# scenario at 60x with bots playing both partners' officers and co-chairs through their own
# nodes; a contingency inject fires when USA is slow to acknowledge; a decision is adopted; the
# exercise's events never reach the real world's lists or timers; KOR rebuilds the same
# evaluation from its own copy of the logs; the after-action report is well-formed.
# Usage: exercise_test.sh ENTENTE; KEEP_TMP=1 keeps the directories.
set -uo pipefail
E=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
declare -A PID=() URL=()
pass=0 fail=0
. "$(dirname "$0")/lib.sh"
trap stop_everything EXIT
export ENTENTE_PASSPHRASE="correct horse battery staple"

# A short scenario: KOR requests; USA's officer always takes about 8 minutes to acknowledge, so
# the 5-minute expectation is missed and contingency 1A reminds USA; then a decision.
cat >"$T/short.yaml" <<'YAML'
exercise:
  name: SHORT FUSE
  type: tabletop
  date: 2027-02-01
  classification: "SECRET//REL TO USA, KOR"
  partners: [USA, KOR]
objectives:
  - {id: OBJ-1, text: Consult within the deadlines, capability: Operational Coordination, critical_tasks: [request, acknowledge]}
  - {id: OBJ-2, text: Agree a joint decision, capability: Planning, critical_tasks: [propose, approve]}
injects:
  - number: "1"
    time: T+00:00
    type: action
    method: message
    from: SimCell
    to: [KOR]
    synopsis: Launch indications; KOR asks for consultation
    message: Request a FLASH consultation with the United States.
    precedence: FLASH
    expected:
      - KOR request within PT5M
      - USA acknowledge within PT5M else 1A
    objectives: [OBJ-1]
  - number: 1A
    type: contingency
    method: phone
    from: SimCell
    to: [USA]
    synopsis: Reminder that KOR's FLASH request awaits acknowledgement
    message: KOR's request is waiting.
    expected:
      - USA acknowledge within PT10M
    objectives: [OBJ-1]
  - number: "2"
    time: T+00:15
    type: action
    method: message
    from: SimCell
    to: [KOR, USA]
    synopsis: Leaders want one joint response
    message: Agree a joint response.
    decision: Both partners raise readiness and speak with one voice.
    expected:
      - KOR propose within PT10M
      - ALL decide within PT25M
    objectives: [OBJ-2]
players:
  - role: officer
    partner: KOR
    respond:
      request: {median: PT1M, p90: PT2M}
      propose: {median: PT2M, p90: PT3M}
  - role: officer
    partner: USA
    respond:
      acknowledge: {median: PT8M, p90: PT9M}
  - role: co-chair
    respond:
      convene: {median: PT1M, p90: PT2M}
      approve: {median: PT3M, p90: PT4M}
YAML

step "1. scenarios are checked before anything runs"
expect 0 "the short scenario is valid" -- "$E" exercise validate "$T/short.yaml"
contains "scenario is valid" "validate says so"
sed 's/KOR propose within PT10M/KOR proposes within PT10M/' "$T/short.yaml" >"$T/bad.yaml"
expect 2 "a scenario with an unknown action is refused" -- "$E" exercise validate "$T/bad.yaml"
contains "bad.yaml:" "the error names the file and line"
contains "proposes" "and the offending word"
expect 0 "the bundled bilateral scenario is valid (YAML)" -- "$E" exercise validate "$ROOT/examples/exercise-bilateral.yaml" --json
expect 0 "and as a spreadsheet export (CSV)" -- "$E" exercise validate "$ROOT/examples/exercise-bilateral.csv" --json

step "2. two nodes, peered; members of both partners; the space NCG"
two_nodes
expect 0 "USA admin" -- "$E" admin bootstrap --home "$T/usa-admin" --node "${URL[usa]}" --fingerprint "$USA_FP" --token "$USA_TOKEN" --handle admin
expect 0 "KOR admin" -- "$E" admin bootstrap --home "$T/kor-admin" --node "${URL[kor]}" --fingerprint "$KOR_FP" --token "$KOR_TOKEN" --handle admin
expect 0 "alice@USA co-chair" -- enrol "$T/usa-admin" alice co-chair "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "bob@USA officer" -- enrol "$T/usa-admin" bob officer "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "casey@USA controller" -- enrol "$T/usa-admin" casey controller "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "kim@KOR co-chair" -- enrol "$T/kor-admin" kim co-chair "USKR;S;REL=KOR" "${URL[kor]}" "$KOR_FP"
expect 0 "lee@KOR officer" -- enrol "$T/kor-admin" lee officer "USKR;S;REL=KOR" "${URL[kor]}" "$KOR_FP"
expect 0 "charter" -- "$E" space create --home "$T/usa-admin" --name NCG --policy "$ROOT/examples/policy-uskr.yaml" --partners USA,KOR
eventually "KOR joins" 30 -- "$E" space join NCG --home "$T/kor-admin"
eventually "NCG is in force for USA" 30 -- bash -c "'$E' space list --home '$T/casey' --json | grep -q '\"in_force\": true'"
eventually "and for KOR" 30 -- bash -c "'$E' space list --home '$T/kim' --json | grep -q '\"in_force\": true'"

step "3. only a controller may start an exercise"
expect 1 "alice (co-chair) may not" -- "$E" exercise run "$T/short.yaml" --home "$T/alice" --space NCG --players people
contains "exercise.start" "the refusal names the kind"
expect 2 "bots need members to play" -- "$E" exercise run "$T/short.yaml" --home "$T/casey" --space NCG --players bots
contains "--bot" "the refusal says how"

step "4. the exercise runs at 60x with bots on both sides"
expect 0 "exercise run" -- "$E" exercise run "$T/short.yaml" --home "$T/casey" --space NCG --speed 60 \
  --players bots --bot "$T/alice" --bot "$T/bob" --bot "$T/kim" --bot "$T/lee" --seed 3 \
  --report "$T/aar" --json
cp "$T/out" "$T/run.json"
X=$(json_field "$T/run.json" id)
python3 - "$T/run.json" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: the run's outcome"; cat "$T/run.json"; }
import json, sys
run = json.load(open(sys.argv[1]))
ev = run["evaluation"]
sent = [i["number"] for i in ev["record"]["injects"]]
assert sent == ["1", "1A", "2"], sent                         # the contingency went out, in order
assert ev["record"]["consultations"] == 1, ev["record"]
assert ev["record"]["decisions_adopted"] == 1, ev["record"]
out = {(x["inject"], x["partner"], x["action"]): x["outcome"] for x in ev["expectations"]}
assert out[("1", "USA", "acknowledge")] == "missed" or out[("1", "USA", "acknowledge")] == "late", out
assert out[("1", "KOR", "request")] == "met", out
assert out[("2", "ALL", "decide")] == "met", out
assert run["running"] is False and run["exercise"] is True
ratings = {r["objective"]: r["rating"] for r in ev["ratings"]}
assert ratings["OBJ-2"] == "P" and ratings["OBJ-1"] in "SMU", ratings
PY
check "the report is written" -- test -s "$T/aar/aar.html" -a -s "$T/aar/aar.md" -a -s "$T/aar/aar.json"
check "the HTML report is well-formed and marked EXERCISE" -- python3 -c '
import sys, xml.dom.minidom
t = open(sys.argv[1]).read(); xml.dom.minidom.parseString(t)
assert "EXERCISE" in t and "SECRET" in t and "<svg" in t and "SHORT FUSE" in t' "$T/aar/aar.html"

step "5. the exercise never mixes with the real world"
expect 0 "real consultations through KOR" -- "$E" consult list --home "$T/kim" --space NCG
contains "no consultations" "the exercise's consultation is not a real one"
expect 0 "exercise consultations through KOR" -- "$E" consult list --home "$T/kim" --space NCG --exercise
contains "EXERCISE" "it is marked EXERCISE"
check "KOR's node raised no real notification for it" -- metric kor entente_notifications_total 0
check "nor did USA's" -- metric usa entente_notifications_total 0
check "no real consultation is open on KOR" -- metric kor entente_open_consultations 0

step "6. KOR rebuilds the same evaluation from its own copy of the logs"
eventually "KOR sees the exercise ended" 30 -- bash -c "'$E' exercise show ${X:0:8} --home '$T/kim' --space NCG --json | grep -q '\"running\": false'"
expect 0 "exercise list through KOR" -- "$E" exercise list --home "$T/kim" --space NCG
contains "SHORT FUSE" "the list names it"
expect 0 "exercise report through KOR" -- "$E" exercise report "${X:0:8}" --home "$T/kim" --space NCG --out "$T/kor-aar"
python3 - "$T/aar/aar.json" "$T/kor-aar/aar.json" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: the evaluations differ"; }
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda j: [(x["inject"], x["partner"], x["action"], x["outcome"], x.get("done_ms")) for x in j["expectations"]]
assert key(a) == key(b), (key(a), key(b))
assert [r["rating"] for r in a["ratings"]] == [r["rating"] for r in b["ratings"]]
PY
expect 2 "an unknown exercise id is refused" -- "$E" exercise report 000000 --home "$T/kim" --space NCG --out "$T/none"
contains "no exercise" "the refusal says so"

step "7. the simulator runs the same scenario; same seed, same result"
expect 0 "simulate" -- "$E" simulate "$T/short.yaml" --policy "$ROOT/examples/policy-uskr.yaml" --runs 200 --seed 5 --json
cp "$T/out" "$T/sim1.json"
expect 0 "simulate again" -- "$E" simulate "$T/short.yaml" --policy "$ROOT/examples/policy-uskr.yaml" --runs 200 --seed 5 --json
python3 - "$T/sim1.json" "$T/out" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: simulation not deterministic"; }
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for j in (a, b):
    j.pop("wall_seconds"); j.pop("runs_per_minute")
assert a == b
assert a["runs"] == 200 and a["decided_within_target"] == 200, a
PY

echo "exercise_test: $pass passed, $fail failed"
((fail == 0))
