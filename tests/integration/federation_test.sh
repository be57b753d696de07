#!/usr/bin/env bash
# Two partners' nodes federate a space: USA charters it, KOR joins, and their members exchange
# labelled messages across nodes, through a partition, cut connections, a kill -9 and a forking
# node. Node-to-node traffic goes through faultproxy.py, one proxy in front of each node; members
# talk to their own node directly. Usage: federation_test.sh ENTENTE (CTest passes it); with
# KEEP_TMP=1 the node directories and logs are kept for inspection.
#
#   alice ──> USA node <── proxy P_USA <── KOR pushes
#   kim   ──> KOR node <── proxy P_KOR <── USA pushes
set -uo pipefail
E=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
declare -A PID=() URL=()
pass=0 fail=0
. "$(dirname "$0")/lib.sh"
trap stop_everything EXIT

export ENTENTE_PASSPHRASE="correct horse battery staple"

# space_is HOME WANT: prints NCG's state as HOME sees it ("joined=KOR,USA in_force=true": the
# partners that joined, sorted; or "absent") and
# succeeds when that equals WANT.
space_is() {
  "$E" space list --home "$1" --json >"$T/spaces.json" || return 1
  local got
  got=$(python3 - "$T/spaces.json" <<'PY'
import json, sys
s = [s for s in json.load(open(sys.argv[1])) if s["name"] == "NCG"]
print("absent" if not s else "joined=%s in_force=%s" % (",".join(sorted(s[0]["joined"])), str(s[0]["in_force"]).lower()))
PY
)
  echo "$got"
  [[ $got == "$2" ]]
}

# reads HOME TEXT...: HOME reads #plenary (saved in $T/read.json) and every TEXT is there,
# readable, exactly once. Prints what it read when it fails.
reads() {
  local home=$1; shift
  "$E" read --home "$home" --space NCG --channel plenary --json >"$T/read.json" || { cat "$T/read.json"; return 1; }
  python3 - "$T/read.json" "$@" <<'PY'
import collections, json, sys
msgs = json.load(open(sys.argv[1]))
counts = collections.Counter(m.get("text") for m in msgs if m.get("readable"))
bad = {t: counts[t] for t in sys.argv[2:] if counts[t] != 1}
if bad:
    print("not exactly once (text: count):", bad)
    for m in msgs:
        print("  %s#%s %s readable=%s %s" % (m["origin"], m["index"], m.get("author"), m.get("readable"), m.get("text", m.get("unreadable"))))
    sys.exit(1)
PY
}

# audit_log DIR ORIGIN EXPR: audit verify --json on DIR; EXPR (Python, over the log `l` of ORIGIN
# and the whole report `a`) must be true. Prints the report.
audit_log() {
  "$E" audit verify --dir "$1" --space NCG --json >"$T/audit.json"
  cat "$T/audit.json"
  python3 - "$T/audit.json" "$2" "$3" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
l = next((l for l in a["logs"] if l["origin"] == sys.argv[2]), None)
sys.exit(0 if l is not None and eval(sys.argv[3]) else 1)
PY
}

# ============================================================================================
step "1. two nodes, a proxy in front of each, peers pinned both ways through the proxies"
two_nodes
expect 0 "peer list" -- "$E" node peer list --dir "$T/usa" --json
contains "\"url\": \"$P_KOR\"" "USA lists KOR's proxy URL"
contains "$KOR_KEY" "USA lists KOR's node key"

step "2. admins and members"
expect 0 "USA admin bootstrap" -- "$E" admin bootstrap --home "$T/usa-admin" --node "${URL[usa]}" \
  --fingerprint "$USA_FP" --token "$USA_TOKEN" --handle admin --clearance "USKR;TS;REL=USA"
expect 0 "KOR admin bootstrap" -- "$E" admin bootstrap --home "$T/kor-admin" --node "${URL[kor]}" \
  --fingerprint "$KOR_FP" --token "$KOR_TOKEN" --handle admin --clearance "USKR;TS;REL=KOR"
expect 0 "USA adds alice" -- "$E" member add alice --home "$T/usa-admin" --roles co-chair --clearance "USKR;S;REL=USA" --json
ALICE_TOKEN=$(json_field "$T/out" device_token 2>/dev/null)
expect 0 "KOR adds kim" -- "$E" member add kim --home "$T/kor-admin" --roles co-chair --clearance "USKR;S;REL=KOR" --json
KIM_TOKEN=$(json_field "$T/out" device_token 2>/dev/null)
expect 0 "alice enrols with USA" -- "$E" device enrol --home "$T/alice" --node "${URL[usa]}" --fingerprint "$USA_FP" --token "$ALICE_TOKEN"
contains "alice@USA" "alice is alice@USA"
expect 0 "kim enrols with KOR" -- "$E" device enrol --home "$T/kim" --node "${URL[kor]}" --fingerprint "$KOR_FP" --token "$KIM_TOKEN"
contains "kim@KOR" "kim is kim@KOR"

step "3. USA charters NCG, KOR joins"
expect 0 "USA admin charters NCG with KOR" -- "$E" space create --home "$T/usa-admin" --name NCG \
  --policy "$ROOT/examples/policy-uskr.yaml" --partners USA,KOR
expect 0 "USA: NCG not in force before KOR joins" -- space_is "$T/usa-admin" "joined=USA in_force=false"
eventually "KOR's admin sees the charter, joined by USA only, not in force" 30 -- \
  space_is "$T/kor-admin" "joined=USA in_force=false"
expect 0 "KOR admin joins NCG" -- "$E" space join NCG --home "$T/kor-admin"
eventually "KOR sees NCG in force" 30 -- space_is "$T/kor-admin" "joined=KOR,USA in_force=true"
eventually "USA sees NCG in force" 30 -- space_is "$T/usa-admin" "joined=KOR,USA in_force=true"
SPACE_ID=$(python3 -c 'import json,sys; print(next(s["id"] for s in json.load(open(sys.argv[1])) if s["name"] == "NCG"))' "$T/spaces.json")

step "4. a channel across partners"
# The ceiling must dominate both labels sent below; REL is permissive, so REL=USA is the higher.
expect 0 "alice creates #plenary with kim" -- "$E" channel create --home "$T/alice" --space NCG --name plenary \
  --ceiling "USKR;S;P:REL=USA" --members alice@USA,kim@KOR
expect 0 "alice sends SECRET REL KOR, USA" -- "$E" send --home "$T/alice" --space NCG --channel plenary \
  --label "USKR;S;P:REL=KOR,USA" "hello kim from alice"
contains "sealed to 2 device(s)" "sealed to alice's and kim's devices"
eventually "kim reads alice's message through KOR" 30 -- reads "$T/kim" "hello kim from alice"
python3 - "$T/read.json" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: kim's view of alice's message"; cat "$T/read.json"; }
import json, sys
m = next(m for m in json.load(open(sys.argv[1])) if m.get("text") == "hello kim from alice")
assert m["origin"] == "USA" and m["author"] == "alice@USA", m
assert m["readable"] and m["signature_verified"] and m["inclusion_verified"], m
PY
expect 0 "alice sends SECRET REL USA only" -- "$E" send --home "$T/alice" --space NCG --channel plenary --json \
  --label "USKR;S;P:REL=USA" "for US eyes only"
USONLY_INDEX=$(json_field "$T/out" index 2>/dev/null)
expect 0 "alice sends a marker after it" -- "$E" send --home "$T/alice" --space NCG --channel plenary \
  --label "USKR;S;P:REL=KOR,USA" "marker after US-only"
eventually "kim gets the marker" 30 -- reads "$T/kim" "marker after US-only"
cp "$T/read.json" "$T/out"
lacks "for US eyes only" "kim never gets the REL USA text"
python3 - "$T/read.json" "$USONLY_INDEX" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: the REL USA message is listed to kim as unreadable"; cat "$T/read.json"; }
import json, sys
m = [m for m in json.load(open(sys.argv[1])) if m["origin"] == "USA" and str(m["index"]) == sys.argv[2]]
assert len(m) == 1 and m[0]["readable"] is False and "text" not in m[0], m
PY
expect 0 "kim replies" -- "$E" send --home "$T/kim" --space NCG --channel plenary --label "USKR;S;P:REL=KOR,USA" "reply from kim"
eventually "alice reads kim's reply through USA" 30 -- reads "$T/alice" "reply from kim"
python3 - "$T/read.json" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: alice's view of kim's reply"; cat "$T/read.json"; }
import json, sys
m = next(m for m in json.load(open(sys.argv[1])) if m.get("text") == "reply from kim")
assert m["origin"] == "KOR" and m["author"] == "kim@KOR", m
assert m["readable"] and m["signature_verified"] and m["inclusion_verified"], m
PY
# kim follows the channel from here to the end of step 6 (partition, cuts, KOR's kill -9).
"$E" read --home "$T/kim" --space NCG --channel plenary --follow --json >"$T/follow.out" 2>"$T/follow.err" &
FOLLOW_PID=$!

step "5. partition, cut connections, heal"
set_mode usa drop
set_mode kor drop
A_TEXTS=() K_TEXTS=()
for i in 1 2 3 4 5; do
  A_TEXTS+=("alice partitioned $i") K_TEXTS+=("kim partitioned $i")
  expect 0 "alice sends while partitioned ($i)" -- "$E" send --home "$T/alice" --space NCG --channel plenary \
    --label "USKR;S;P:REL=KOR,USA" "alice partitioned $i"
  expect 0 "kim sends while partitioned ($i)" -- "$E" send --home "$T/kim" --space NCG --channel plenary \
    --label "USKR;S;P:REL=KOR,USA" "kim partitioned $i"
done
eventually "USA's metrics show KOR unreachable" 30 -- metric usa entente_peers_unreachable 1
eventually "KOR's metrics show USA unreachable" 30 -- metric kor entente_peers_unreachable 1
expect 0 "kim reads while partitioned" -- "$E" read --home "$T/kim" --space NCG --channel plenary --json
contains "kim partitioned 5" "kim's own messages are there"
lacks "alice partitioned" "nothing crossed the partition"
cut_before=$(cat "$T"/p_*.err | grep -c '^close .* cut ')
set_mode usa cut 3000
set_mode kor cut 3000
# Let the retries run into cut connections for a while (at most 30 s): until both proxies cut some.
for _ in $(seq 1 60); do
  (($(grep -c '^close .* cut ' "$T/p_usa.err") > 0 && $(grep -c '^close .* cut ' "$T/p_kor.err") > 0)) && break
  sleep 0.5
done
sleep 2
echo "    connections cut mid-transfer: $(($(cat "$T"/p_*.err | grep -c '^close .* cut ') - cut_before))"
set_mode usa pass
set_mode kor pass
eventually "kim sees each of alice's partitioned messages exactly once" 30 -- reads "$T/kim" "${A_TEXTS[@]}"
eventually "alice sees each of kim's partitioned messages exactly once" 30 -- reads "$T/alice" "${K_TEXTS[@]}"
eventually "USA: KOR reachable again" 30 -- metric usa entente_peers_unreachable 0
eventually "USA: KOR mirrored and cosigned everything" 30 -- metric usa entente_peer_lag_entries 0
eventually "KOR: USA mirrored and cosigned everything" 30 -- metric kor entente_peer_lag_entries 0

step "5b. one-way link: USA cannot reach KOR, KOR pulls USA's log"
set_mode kor drop
O_TEXTS=()
for i in 1 2 3; do
  O_TEXTS+=("alice one-way $i")
  expect 0 "alice sends over a one-way link ($i)" -- "$E" send --home "$T/alice" --space NCG --channel plenary \
    --label "USKR;S;P:REL=KOR,USA" "alice one-way $i"
done
eventually "USA's metrics show KOR unreachable (one way)" 30 -- metric usa entente_peers_unreachable 1
eventually "kim gets alice's messages by KOR's pull" 30 -- reads "$T/kim" "${O_TEXTS[@]}"
set_mode kor pass
eventually "USA: KOR reachable again after the one-way link" 30 -- metric usa entente_peers_unreachable 0

step "6. kill -9 KOR, USA keeps sending, KOR restarts and catches up"
kill_node kor
C_TEXTS=("while KOR was down 1" "while KOR was down 2" "while KOR was down 3")
for t in "${C_TEXTS[@]}"; do
  expect 0 "alice sends while KOR is down" -- "$E" send --home "$T/alice" --space NCG --channel plenary \
    --label "USKR;S;P:REL=KOR,USA" "$t"
done
start_node kor "$KOR_PORT"
check "KOR restarted on the same port" -- test "${URL[kor]}" = "https://127.0.0.1:$KOR_PORT"
eventually "kim sees the 3 messages sent while KOR was down, once each" 30 -- reads "$T/kim" "${C_TEXTS[@]}"
check "and alice's earlier messages still once each" -- reads "$T/kim" "hello kim from alice" "${A_TEXTS[@]}"
# kim's follow lost KOR, reconnected and resumed: every message once, in order per log.
for _ in $(seq 1 60); do grep -q "while KOR was down 3" "$T/follow.out" && break; sleep 0.5; done
kill "$FOLLOW_PID" 2>/dev/null; wait "$FOLLOW_PID" 2>/dev/null
python3 - "$T/follow.out" "${A_TEXTS[@]}" "${K_TEXTS[@]}" "${C_TEXTS[@]}" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: kim's follow missed or repeated messages"; sed 's/^/    /' "$T/follow.out" "$T/follow.err"; }
import collections, json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for origin in ("USA", "KOR"):
    idx = [m["index"] for m in msgs if m["origin"] == origin]
    assert idx == sorted(set(idx)), (origin, idx)   # in order, no duplicates
counts = collections.Counter(m.get("text") for m in msgs)
bad = {t: counts[t] for t in sys.argv[2:] if counts[t] != 1}
assert not bad, bad
PY
eventually "USA's log is cosigned by KOR up to its size (audit on USA)" 30 -- \
  audit_log "$T/usa" USA 'l["role"] == "own" and l["size"] > 0 and l["cosigned_size"] == l["size"]'
eventually "KOR's log is cosigned by USA up to its size (audit on KOR)" 30 -- \
  audit_log "$T/kor" KOR 'l["role"] == "own" and l["size"] > 0 and l["cosigned_size"] == l["size"]'
expect 0 "audit verify on KOR" -- "$E" audit verify --dir "$T/kor" --space NCG --json
python3 - "$T/out" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: KOR's audit report"; sed 's/^/    /' "$T/out"; }
import json, sys
a = json.load(open(sys.argv[1]))
assert a["ok"] and not a["alarms"], a
assert sorted(l["origin"] for l in a["logs"]) == ["KOR", "USA"], a["logs"]
for l in a["logs"]:
    assert l["checkpoint_verified"] and not l["problems"], l
    assert l["role"] == ("own" if l["origin"] == "KOR" else "mirror"), l
PY
expect 0 "audit verify on USA" -- "$E" audit verify --dir "$T/usa" --space NCG
contains "OK" "USA's audit is OK"
lacks "PROBLEM" "no problems on USA"

step "7. USA's log exported from KOR's mirror"
expect 0 "log export of USA's log from KOR's node dir" -- "$E" log export --node-dir "$T/kor" \
  --space "$SPACE_ID" --origin USA --out "$T/usa-log" --json
check "the mirror export has a checkpoint" -- test -s "$T/usa-log/checkpoint"
# Verified offline with the keys KOR pinned: USA's checkpoint key and KOR's own cosigner key.
"$E" log vkey --node-dir "$T/kor" --space "$SPACE_ID" --origin USA --cosigner KOR >"$T/vkeys"
USA_VKEY=$(sed -n 1p "$T/vkeys")
KOR_COSIGNER=$(sed -n 2p "$T/vkeys")
check "log vkey prints USA's checkpoint vkey and KOR's cosigner vkey" -- test -n "$USA_VKEY" -a -n "$KOR_COSIGNER"
expect 0 "the mirror export verifies with USA's key and KOR's cosignature" -- \
  "$E" log verify "$T/usa-log" --key "$USA_VKEY" --cosigner "$KOR_COSIGNER"
# Served live as tlog-tiles too: KOR's member kim fetches USA's checkpoint from the KOR node.

step "8. USA forks its log"
stop_node usa; rc=$?
check "USA stops on SIGTERM (exit $rc)" -- test "$rc" = 0
start_node usa "$USA_PORT" --test-only-fork
expect 0 "alice sends through the forking node" -- "$E" send --home "$T/alice" --space NCG --channel plenary \
  --label "USKR;S;P:REL=KOR,USA" "after the fork"
# USA's directory and its NCG log both fork: one alarm each (a refused log no longer holds up
# the others).
eventually "KOR's metrics show a fork alarm for each forked log" 30 -- metric kor entente_fork_alarms 2
check "KOR's log mentions the fork" -- grep -qi fork "$T/kor.err"
expect 1 "audit verify on KOR fails" -- "$E" audit verify --dir "$T/kor" --space NCG
contains "ALARM" "the alarm is reported"
contains "FAILED" "the audit says FAILED"
expect 1 "audit verify --json on KOR fails" -- "$E" audit verify --dir "$T/kor" --space NCG --json
contains '"ok": false' "json ok false"

for n in kor usa; do
  stop_node "$n"; rc=$?
  check "$n stops on SIGTERM (exit $rc)" -- test "$rc" = 0
done
echo "federation_test: $pass passed, $fail failed (${SECONDS}s)"
[[ $fail == 0 ]]
