#!/usr/bin/env bash
# Joint statements, workstreams and meetings across two partners' nodes: a bilingual statement
# approved version by version (a new version voids approvals), its release refused above
# UNCLASSIFIED, before every approval and before its embargo, then released and exported with its
# log proofs and verified offline (and a tampered export refused); a workstream with milestones,
# status and updates from both partners and its progress report; meeting minutes approved by both
# partners; the same state through either partner's node. Usage: agenda_test.sh ENTENTE.
set -uo pipefail
E=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
declare -A PID=() URL=()
pass=0 fail=0
. "$(dirname "$0")/lib.sh"
trap stop_everything EXIT
export ENTENTE_PASSPHRASE="correct horse battery staple"
S=(--space NCG)

step "1. two nodes, members of both partners, the space NCG"
two_nodes
expect 0 "USA admin" -- "$E" admin bootstrap --home "$T/usa-admin" --node "${URL[usa]}" --fingerprint "$USA_FP" --token "$USA_TOKEN" --handle admin
expect 0 "KOR admin" -- "$E" admin bootstrap --home "$T/kor-admin" --node "${URL[kor]}" --fingerprint "$KOR_FP" --token "$KOR_TOKEN" --handle admin
expect 0 "alice@USA co-chair" -- enrol "$T/usa-admin" alice co-chair "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "bob@USA officer" -- enrol "$T/usa-admin" bob officer "USKR;S;REL=USA" "${URL[usa]}" "$USA_FP"
expect 0 "kim@KOR co-chair" -- enrol "$T/kor-admin" kim co-chair "USKR;S;REL=KOR" "${URL[kor]}" "$KOR_FP"
expect 0 "lee@KOR officer" -- enrol "$T/kor-admin" lee officer "USKR;S;REL=KOR" "${URL[kor]}" "$KOR_FP"
expect 0 "charter" -- "$E" space create --home "$T/usa-admin" --name NCG --policy "$ROOT/examples/policy-uskr.yaml" --partners USA,KOR
eventually "KOR joins" 30 -- "$E" space join NCG --home "$T/kor-admin"
eventually "NCG is in force for USA" 30 -- bash -c "'$E' space list --home '$T/alice' --json | grep -q '\"in_force\": true'"

step "2. a bilingual joint statement, drafted SECRET with an embargo"
printf 'The United States and the Republic of Korea condemn the launch.\n' >"$T/en1.txt"
printf '한미 양국은 발사를 규탄한다.\n' >"$T/ko1.txt"
EMBARGO=$(date -u -d '+20 seconds' +%Y-%m-%dT%H:%M:%SZ)
expect 0 "alice drafts" -- "$E" statement draft "${S[@]}" --home "$T/alice" --title "Joint statement on the launch" \
  --text en="$T/en1.txt" --text ko="$T/ko1.txt" --authoritative equal --label "SECRET//REL TO USA, KOR" --embargo "$EMBARGO" --json
ST=$(json_field "$T/out" id)
eventually "kim reads both texts through KOR" 30 -- bash -c "'$E' statement show ${ST:0:8} --space NCG --home '$T/kim' | grep -q '규탄'"
expect 0 "kim comments" -- "$E" statement comment "${ST:0:8}" "${S[@]}" --home "$T/kim" "Add the date of the launch."
"$E" statement show "$ST" "${S[@]}" --home "$T/kim" --json >"$T/st.json"
H1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["versions"][-1]["text_sha256"])' "$T/st.json")
expect 1 "lee (officer) may not approve" -- "$E" statement approve "$ST" "${S[@]}" --home "$T/lee" --version "$H1"
expect 0 "kim approves version 1 for KOR" -- "$E" statement approve "$ST" "${S[@]}" --home "$T/kim" --version "${H1:0:12}"
eventually "alice holds KOR's approval" 30 -- bash -c "'$E' statement show $ST --space NCG --home '$T/alice' --json | grep -q '\"partner\": \"KOR\"'"
expect 0 "alice approves version 1 for USA" -- "$E" statement approve "$ST" "${S[@]}" --home "$T/alice" --version "$H1"
expect 2 "release refused: the version is SECRET, not UNCLASSIFIED" -- "$E" statement release "$ST" "${S[@]}" --home "$T/alice"
contains "USKR;U" "the refusal names the label needed"

step "3. a new version at UNCLASSIFIED voids the approvals; both approve it again"
printf 'The United States and the Republic of Korea condemn the launch of 3 December.\n' >"$T/en2.txt"
printf '한미 양국은 12월 3일 발사를 규탄한다.\n' >"$T/ko2.txt"
expect 0 "bob revises, lowering the label" -- "$E" statement revise "$ST" "${S[@]}" --home "$T/bob" --title "Joint statement on the launch" \
  --text en="$T/en2.txt" --text ko="$T/ko2.txt" --label UNCLASSIFIED --embargo "$EMBARGO"
eventually "KOR sees version 2" 30 -- bash -c "'$E' statement show $ST --space NCG --home '$T/kim' --json | grep -q '\"version\": 2'"
"$E" statement show "$ST" "${S[@]}" --home "$T/kim" --json >"$T/st.json"
check "version 2 voided both approvals" -- python3 -c '
import json,sys; j=json.load(open(sys.argv[1])); assert j["approvals"] == [] and len(j["voided_approvals"]) == 2, j' "$T/st.json"
H2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["versions"][-1]["text_sha256"])' "$T/st.json")
expect 2 "approving the voided version is refused" -- "$E" statement approve "$ST" "${S[@]}" --home "$T/kim" --version "$H1"
expect 2 "release refused before every partner approved" -- "$E" statement release "$ST" "${S[@]}" --home "$T/alice"
contains "KOR" "the refusal names who must approve"
expect 0 "kim approves version 2" -- "$E" statement approve "$ST" "${S[@]}" --home "$T/kim" --version "$H2"
eventually "alice holds it" 30 -- bash -c "'$E' statement show $ST --space NCG --home '$T/alice' --json | grep -q '\"partner\": \"KOR\"'"
expect 0 "alice approves version 2" -- "$E" statement approve "$ST" "${S[@]}" --home "$T/alice" --version "$H2"
# A second statement, UNCLASSIFIED from the start and approved by both, under a far embargo.
printf 'Plenary 7 will meet in Seoul.\n' >"$T/en3.txt"
expect 0 "alice drafts a second statement under a far embargo" -- "$E" statement draft "${S[@]}" --home "$T/alice" \
  --title "Plenary notice" --text en="$T/en3.txt" --authoritative en --label UNCLASSIFIED --embargo 2030-01-01 --json
ST2=$(json_field "$T/out" id)
"$E" statement show "$ST2" "${S[@]}" --home "$T/alice" --json >"$T/st2.json"
H3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["versions"][-1]["text_sha256"])' "$T/st2.json")
expect 0 "alice approves it" -- "$E" statement approve "$ST2" "${S[@]}" --home "$T/alice" --version "$H3"
eventually "kim approves it through KOR" 30 -- "$E" statement approve "${ST2:0:8}" "${S[@]}" --home "$T/kim" --version "$H3"
eventually "release refused before the embargo (once USA holds KOR's approval)" 30 -- bash -c "
  ! '$E' statement release $ST2 --space NCG --home '$T/alice' >'$T/rel.out' 2>&1 && grep -q embargo '$T/rel.out'"
eventually "released once the embargo passed" 90 -- "$E" statement release "$ST" "${S[@]}" --home "$T/alice"
eventually "KOR sees it released" 30 -- bash -c "'$E' statement show $ST --space NCG --home '$T/kim' --json | grep -q '\"released\": true'"

step "4. the export is verifiable offline; a tampered one is not"
eventually "export (once the release is in a signed checkpoint)" 30 -- "$E" statement export "$ST" "${S[@]}" --home "$T/kim" --out "$T/statement.json"
expect 0 "verify with KOR's pinned keys" -- "$E" statement verify "$T/statement.json" --node-dir "$T/kor"
contains "VERIFIED" "verified"
contains "approved by KOR, USA" "names both approvals"
python3 - "$T/statement.json" "$T/forged.json" <<'PY'
import base64, json, sys
j = json.load(open(sys.argv[1]))
text = json.loads(base64.urlsafe_b64decode(j["content"] + "=" * (-len(j["content"]) % 4)))
text["texts"]["en"] = "The United States and the Republic of Korea welcome the launch."
j["content"] = base64.urlsafe_b64encode(json.dumps(text).encode()).decode().rstrip("=")
json.dump(j, open(sys.argv[2], "w"))
PY
expect 1 "a changed text is refused" -- "$E" statement verify "$T/forged.json" --node-dir "$T/kor"
contains "does not match its hash" "the refusal says why"
expect 2 "without the partners' keys it is refused" -- "$E" statement verify "$T/statement.json"

step "5. a workstream: co-leads from both partners, milestones, status, updates"
expect 0 "alice creates" -- "$E" workstream create "${S[@]}" --home "$T/alice" --title "Security and information sharing" \
  --description "Secure channels and sharing rules" --co-leads alice@USA,kim@KOR --label "SECRET//REL TO USA, KOR" --json
W=$(json_field "$T/out" id)
expect 0 "milestone M1, overdue" -- "$E" workstream milestone "$W" "${S[@]}" --home "$T/alice" --id M1 --title "Secure VTC certified" --owner alice@USA --due 2026-01-15
expect 0 "milestone M2, done" -- "$E" workstream milestone "$W" "${S[@]}" --home "$T/bob" --id M2 --title "Sharing rules drafted" --owner bob@USA --due 2030-01-01 --status done
expect 2 "an unknown status is refused" -- "$E" workstream status "$W" "${S[@]}" --home "$T/alice" green --rationale x
expect 0 "status at risk" -- "$E" workstream status "$W" "${S[@]}" --home "$T/alice" at-risk --rationale "Certification slipped"
eventually "kim sees the workstream through KOR" 30 -- bash -c "'$E' workstream show ${W:0:8} --space NCG --home '$T/kim' | grep -q 'Certification slipped'"
expect 0 "kim adds progress" -- "$E" workstream update "$W" "${S[@]}" --home "$T/kim" "ROK side of the VTC installed"
expect 0 "lee hands over an improvement item" -- "$E" workstream update "$W" "${S[@]}" --home "$T/lee" --item "Exercise IRON MERIDIAN: pre-delegate acknowledgement"
eventually "both partners' nodes show the same workstream" 30 -- bash -c "
  '$E' workstream show $W --space NCG --home '$T/alice' --json >'$T/w_usa.json' &&
  '$E' workstream show $W --space NCG --home '$T/kim' --json >'$T/w_kor.json' && cmp -s '$T/w_usa.json' '$T/w_kor.json' &&
  grep -q 'pre-delegate' '$T/w_usa.json'"
expect 0 "progress report" -- "$E" workstream report "${S[@]}" --home "$T/kim" --out "$T/report" --json
check "the report's figures" -- python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
w = j["workstreams"][0]
assert w["status"] == "at-risk", w
m = w["counts"]["milestones"]
assert m["done"] == 1 and m["late"] == 1 and m["total"] == 2, m
assert w["counts"]["open_items"] == 1, w' "$T/report/report.json"
check "the HTML report is well-formed" -- python3 -c '
import sys, xml.dom.minidom; t = open(sys.argv[1]).read(); xml.dom.minidom.parseString(t)
assert "Security and information sharing" in t' "$T/report/report.html"

step "6. a plenary: agenda, minutes approved by both partners, action items"
expect 0 "alice schedules" -- "$E" meeting schedule "${S[@]}" --home "$T/alice" --title "Plenary 7" --level plenary \
  --starts 2027-05-14T01:00Z --location Seoul --attendee "USA:DoD:Alice Park" --attendee "KOR:MND:Kim Ji-woo" \
  --item "Workstream review=workstream:$W" --item "Joint statement=statement:$ST" --label "SECRET//REL TO USA, KOR" --json
M=$(json_field "$T/out" id)
printf 'The plenary reviewed the workstreams and the joint statement.\n' >"$T/min1.txt"
expect 0 "bob publishes minutes with an action item" -- "$E" meeting minutes "$M" "${S[@]}" --home "$T/bob" --text "$T/min1.txt" \
  --action "A1|kim@KOR|2026-02-01|Certify the ROK VTC"
eventually "KOR's node reminds kim of the overdue action item" 30 -- \
  bash -c "timeout 10 '$E' watch --home '$T/kim' --json --after 0 --count 1 | grep -q 'action-due'"
eventually "kim reads the minutes" 30 -- bash -c "'$E' meeting show ${M:0:8} --space NCG --home '$T/kim' | grep -q 'reviewed the workstreams'"
"$E" meeting show "$M" "${S[@]}" --home "$T/kim" --json >"$T/m.json"
MH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["minutes"]["versions"][-1]["text_sha256"])' "$T/m.json")
expect 0 "kim approves the minutes" -- "$E" meeting approve "$M" "${S[@]}" --home "$T/kim" --version "$MH"
eventually "alice holds it" 30 -- bash -c "'$E' meeting show $M --space NCG --home '$T/alice' --json | grep -q '\"partner\": \"KOR\"'"
expect 0 "alice approves the minutes" -- "$E" meeting approve "$M" "${S[@]}" --home "$T/alice" --version "$MH"
eventually "KOR shows them approved by every partner" 30 -- bash -c "'$E' meeting show $M --space NCG --home '$T/kim' | grep -q 'APPROVED by every partner'"
expect 0 "action items" -- "$E" meeting actions "${S[@]}" --home "$T/kim"
contains "OVERDUE" "the overdue action item is flagged"
contains "Certify the ROK VTC" "with its text"

echo "agenda_test: $pass passed, $fail failed"
((fail == 0))
