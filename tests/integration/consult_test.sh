#!/usr/bin/env bash
# Crisis consultation across two partners' nodes: a FLASH request from USA, its deadline and
# escalation run by KOR's node (also across a KOR restart), acknowledgement, convening, a decision
# approved by both decision authorities, a partition in which both partners act and after which
# both nodes show the same state, refusals by role, and adoption checked offline from exported
# logs. Usage: consult_test.sh ENTENTE; KEEP_TMP=1 keeps the directories.
#
#   bob, alice ──> USA node <── proxy P_USA <── KOR
#   lee, kim   ──> KOR node <── proxy P_KOR <── USA
set -uo pipefail
E=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
declare -A PID=() URL=()
pass=0 fail=0
. "$(dirname "$0")/lib.sh"
trap stop_everything EXIT
export ENTENTE_PASSPHRASE="correct horse battery staple"

# The bilateral example policy with deadlines in seconds, so the test runs them for real.
sed -e 's/FLASH:     {acknowledge: PT10M, report_every: PT1H}/FLASH:     {acknowledge: PT6S, report_every: PT1H}/' \
    -e 's/timeout: PT5M, level: working/timeout: PT3S, level: working/' \
    -e 's/timeout: PT10M, level: senior/timeout: PT3S, level: senior/' \
    -e 's/silence: PT24H/silence: PT1H/' \
    "$ROOT/examples/policy-uskr.yaml" >"$T/policy.yaml"
grep -q 'acknowledge: PT6S' "$T/policy.yaml" || { echo "FAIL: the test policy was not derived"; exit 1; }

# cjson HOME ID FILE: `consult show --json` of ID as HOME sees it, into FILE.
cjson() { "$E" consult show "$2" --home "$1" --json >"$3"; }
# state_is HOME ID STATE
state_is() { cjson "$1" "$2" "$T/c.json" && [[ $(json_field "$T/c.json" state) == "$3" ]]; }
step "1. two nodes behind fault proxies, peered both ways"
two_nodes

step "2. admins and members: a co-chair (decision authority) and an officer each"
expect 0 "USA admin" -- "$E" admin bootstrap --home "$T/usa-admin" --node "${URL[usa]}" --fingerprint "$USA_FP" --token "$USA_TOKEN" --handle admin
expect 0 "KOR admin" -- "$E" admin bootstrap --home "$T/kor-admin" --node "${URL[kor]}" --fingerprint "$KOR_FP" --token "$KOR_TOKEN" --handle admin
expect 0 "alice@USA co-chair" -- enrol "$T/usa-admin" alice co-chair "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "bob@USA officer" -- enrol "$T/usa-admin" bob officer "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "kim@KOR co-chair" -- enrol "$T/kor-admin" kim co-chair "USKR;S;REL=KOR" "${URL[kor]}" "$KOR_FP"
expect 0 "lee@KOR officer" -- enrol "$T/kor-admin" lee officer "USKR;S;REL=KOR" "${URL[kor]}" "$KOR_FP"

step "3. USA charters NCG under the fast policy, KOR joins"
expect 0 "charter" -- "$E" space create --home "$T/usa-admin" --name NCG --policy "$T/policy.yaml" --partners USA,KOR
eventually "KOR sees the charter" 30 -- "$E" space join NCG --home "$T/kor-admin"
eventually "USA sees NCG in force" 30 -- bash -c "'$E' space list --home '$T/alice' --json | grep -q '\"in_force\": true'"

step "4. bob requests a FLASH consultation of KOR"
expect 0 "request" -- "$E" consult request --home "$T/bob" --space NCG --precedence FLASH \
  --subject "Unannounced launch detected" --details "Track data attached in channel" \
  --label "SECRET//REL TO USA, KOR" --json
C=$(json_field "$T/out" id)
contains '"state": "requested"' "the request is requested"
eventually "lee reads the request through KOR" 30 -- bash -c "'$E' consult show ${C:0:8} --home '$T/lee' --json | grep -q 'Unannounced launch detected'"
expect 0 "consult list --open through KOR" -- "$E" consult list --home "$T/lee" --open
contains "${C:0:8}" "the list shows the consultation"
contains "FLASH" "the list shows the precedence"
expect 2 "KOR may not convene before acknowledging (refused, says why)" -- "$E" consult convene "$C" --home "$T/kim"
contains "waiting for KOR" "the refusal names who must acknowledge"
expect 1 "bob (the requester's side) may not acknowledge" -- "$E" consult ack "$C" --home "$T/bob"
contains "only a counterpart" "the refusal says only a counterpart acknowledges"

step "5. KOR's node is down when the deadline passes; it escalates when it starts"
stop_node kor || true
sleep 8  # past the 6 s deadline and into the first escalation step
start_node kor "$KOR_PORT"
eventually "USA's requester is told the deadline passed" 30 -- \
  bash -c "timeout 10 '$E' watch --home '$T/bob' --json --after 0 --count 2 | grep -q '\"type\": *\"deadline\"\|\"type\":\"deadline\"'"
eventually "KOR's officer (rule 1, working) is alerted after the restart" 30 -- \
  bash -c "timeout 10 '$E' watch --home '$T/lee' --json --after 0 --count 2 | grep '\"type\":\"escalation\"' | grep -q '\"for_you\":true'"
eventually "then KOR's co-chair (rule 2, senior)" 30 -- \
  bash -c "timeout 10 '$E' watch --home '$T/kim' --json --after 0 --count 3 | grep '\"level\":\"senior\"' | grep -q '\"for_you\":true'"
expect 0 "KOR's node logs the escalation for its operators" -- grep -q '"msg":"consultation escalation"' "$T/kor.err"
expect 1 "neither node's log holds the sealed subject" -- grep -q "Unannounced launch" "$T/kor.err" "$T/usa.err"
expect 0 "consult show reports the escalation level" -- "$E" consult show "$C" --home "$T/kim"
contains "ESCALATED to" "the show output names the escalation"
expect 0 "KOR's metrics count notifications" -- curl -sSk --max-time 10 "${URL[kor]}/metrics"
contains "entente_open_consultations 1" "one open consultation"
# A restart records nothing twice.
stop_node kor || true
start_node kor "$KOR_PORT"
expect 0 "lee's notifications after a second restart" -- bash -c "timeout 10 '$E' watch --home '$T/lee' --json --after 0 --count 4 >'$T/w.jsonl'; cat '$T/w.jsonl'"
python3 - "$T/w.jsonl" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: a notification key repeated"; cat "$T/w.jsonl"; }
import collections, json, sys
keys = collections.Counter(json.loads(l)["key"] for l in open(sys.argv[1]) if l.strip())
assert keys and max(keys.values()) == 1, keys
PY

step "6. KOR acknowledges, escalation stops; KOR convenes"
expect 0 "lee acknowledges" -- "$E" consult ack "${C:0:10}" --home "$T/lee"
contains "now acknowledged" "acknowledged"
expect 0 "kim convenes" -- "$E" consult convene "$C" --home "$T/kim" --note "VTC at 0300Z"
eventually "USA sees it convened" 30 -- state_is "$T/alice" "$C" convened

step "7. a decision: proposed by USA, approved by both decision authorities"
printf 'Both partners raise readiness and issue a joint statement at 0600Z.\n' >"$T/d1.txt"
expect 0 "bob proposes" -- "$E" decision propose --home "$T/bob" --consult "$C" --text "$T/d1.txt" --json
D=$(json_field "$T/out" id); H1=$(json_field "$T/out" current_sha256)
eventually "kim reads the decision through KOR" 30 -- bash -c "'$E' decision show ${D:0:8} --home '$T/kim' | grep -q 'raise readiness'"
expect 1 "lee (officer) may not approve" -- "$E" decision approve "$D" --home "$T/lee" --version "$H1"
contains "may not author decision.approve" "the refusal names the role's limit"
expect 2 "approving a version hash that is not the current one" -- "$E" decision approve "$D" --home "$T/kim" --version 00000000
expect 0 "kim approves for KOR" -- "$E" decision approve "$D" --home "$T/kim" --version "${H1:0:12}"
contains "awaiting approval by: USA" "USA's approval is awaited"
eventually "USA holds KOR's approval" 30 -- bash -c "'$E' decision show '$D' --home '$T/alice' --json | grep -q '\"partner\": \"KOR\"'"
expect 0 "alice approves for USA" -- "$E" decision approve "$D" --home "$T/alice" --version "$H1"
contains "ADOPTED (unanimity)" "adopted by unanimity"
eventually "KOR sees the decision adopted and the consultation decided" 30 -- state_is "$T/kim" "$C" decided
expect 0 "decision show through KOR" -- "$E" decision show "$D" --home "$T/kim"
contains "approved by alice@USA" "the approvals name their authors"
contains "entry USA/" "and the log entries that prove them"

step "8. a partition in which both partners act; both nodes converge"
set_mode usa drop
set_mode kor drop
expect 0 "bob reports while partitioned" -- "$E" consult report "$C" --home "$T/bob" \
  --conditions "Launch site quiet" --actions "ISR tasked" --needs "KOR radar feed"
expect 0 "lee reports while partitioned" -- "$E" consult report "$C" --home "$T/lee" \
  --conditions "Coastal units alert" --actions "Radar feed prepared" --needs "None"
expect 0 "lee adds a task for kim" -- "$E" consult task add "$C" --home "$T/lee" --title "Share radar feed" --owner kim@KOR --due PT1H --json
TASK=$(json_field "$T/out" task)
set_mode usa pass
set_mode kor pass
same_state() {
  cjson "$T/alice" "$C" "$T/a.json" && cjson "$T/kim" "$C" "$T/k.json" || return 1
  python3 - "$T/a.json" "$T/k.json" <<'PY'
import json, sys
def essence(path):
    c = json.load(open(path))
    return (c["state"], [(t["kind"], t["applied"], t["entry"]["origin"], t["entry"]["index"]) for t in c["timeline"]],
            len(c["reports"]), [t["id"] for t in c["tasks"]])
a, k = essence(sys.argv[1]), essence(sys.argv[2])
print("USA:", a); print("KOR:", k)
sys.exit(0 if a == k and a[0] == "monitoring" and a[2] == 2 and len(a[3]) == 1 else 1)
PY
}
eventually "both nodes show the same consultation after the partition heals" 60 -- same_state

step "9. closing needs every task resolved"
expect 2 "close with an open task is refused" -- "$E" consult close "$C" --home "$T/alice"
contains "open task" "the refusal counts the open tasks"
expect 0 "kim hands the task to a workstream" -- "$E" consult task done "${TASK:0:8}" --home "$T/kim" --workstream information-sharing
eventually "USA sees the task handed over" 30 -- bash -c "'$E' consult show '$C' --home '$T/alice' --json | grep -q information-sharing"
expect 0 "alice closes" -- "$E" consult close "$C" --home "$T/alice"
eventually "KOR sees it closed" 30 -- state_is "$T/kim" "$C" closed
expect 0 "kim reviews" -- "$E" consult review "$C" --home "$T/kim"
eventually "both see it reviewed" 30 -- state_is "$T/alice" "$C" reviewed

step "10. adoption checked offline from the exported logs"
SPACE_ID=$("$E" space list --home "$T/alice" --json | python3 -c 'import json,sys; print(next(s["id"] for s in json.load(sys.stdin) if s["name"] == "NCG"))')
stop_node usa || true
for o in USA KOR; do
  expect 0 "export NCG/$o from USA's node" -- "$E" log export --node-dir "$T/usa" --space "$SPACE_ID" --origin "$o" --out "$T/x/ncg-$o"
  expect 0 "export $o's directory from USA's node" -- "$E" log export --node-dir "$T/usa" --space directory --origin "$o" --out "$T/x/dir-$o"
done
LOGS=(--log "$T/x/ncg-USA" --log "$T/x/ncg-KOR" --log "$T/x/dir-USA" --log "$T/x/dir-KOR")
expect 0 "decision verify from the exported logs (trusting USA's pinned keys)" -- \
  "$E" decision verify "${D:0:8}" "${LOGS[@]}" --node-dir "$T/usa" --json
contains '"adopted": true' "adopted, according to the logs alone"
contains '"adopted_by": "unanimity"' "by unanimity"
python3 - "$T/out" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: the offline record"; cat "$T/out"; }
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted(a["partner"] for a in r["approvals"]) == ["KOR", "USA"], r["approvals"]
assert {a["entry"]["origin"] for a in r["approvals"]} == {"KOR", "USA"}, r["approvals"]
assert r["consultation_state"] == "reviewed", r["consultation_state"]
assert len(r["logs"]) == 4, r["logs"]
PY
expect 0 "the same from KOR's exports" -- bash -c "
  '$E' log export --node-dir '$T/kor' --space '$SPACE_ID' --origin USA --out '$T/y/ncg-USA' &&
  '$E' log export --node-dir '$T/kor' --space '$SPACE_ID' --origin KOR --out '$T/y/ncg-KOR' &&
  '$E' log export --node-dir '$T/kor' --space directory --origin USA --out '$T/y/dir-USA' &&
  '$E' log export --node-dir '$T/kor' --space directory --origin KOR --out '$T/y/dir-KOR' &&
  '$E' decision verify '$D' --log '$T/y/ncg-USA' --log '$T/y/ncg-KOR' --log '$T/y/dir-USA' --log '$T/y/dir-KOR' --node-dir '$T/kor'"
contains "ADOPTED (unanimity)" "KOR's archive agrees"
# A tampered body is caught: flip a byte of one body in bodies.jsonl.
python3 - "$T/x/ncg-KOR/bodies.jsonl" <<'PY'
import base64, json, sys
lines = open(sys.argv[1]).read().splitlines()
row = json.loads(lines[-1]); raw = bytearray(base64.urlsafe_b64decode(row["body"] + "=" * (-len(row["body"]) % 4)))
raw[len(raw) // 2] ^= 1
row["body"] = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
lines[-1] = json.dumps(row); open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
expect 2 "a tampered body is refused" -- "$E" decision verify "$D" "${LOGS[@]}" --node-dir "$T/usa"
contains "does not match its header" "the refusal names the mismatch"
expect 2 "a log without its partner's key is refused" -- "$E" decision verify "$D" --log "$T/y/ncg-USA"
contains "no node key for USA" "the refusal says which key is missing"

echo "consult_test: $pass passed, $fail failed"
((fail == 0))
