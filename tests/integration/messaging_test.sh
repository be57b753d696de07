#!/usr/bin/env bash
# One partner's members enrol, charter a space, open a channel and exchange labelled, end-to-end
# encrypted messages through a real node process on loopback (issue 4). Usage:
# messaging_test.sh ENTENTE (CTest passes it).
set -uo pipefail
E=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
NODE_PID=
cleanup() { [[ -n $NODE_PID ]] && kill -9 "$NODE_PID" 2>/dev/null; jobs -p | xargs -r kill -9 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
pass=0 fail=0
. "$(dirname "$0")/lib.sh"


export ENTENTE_PASSPHRASE="correct horse battery staple"
start_node() {
  "$E" node run --dir "$T/usa" --listen "127.0.0.1:${1:-0}" >"$T/run.out" 2>>"$T/run.err" &
  NODE_PID=$!
  for _ in $(seq 1 300); do grep -q '^ready ' "$T/run.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^ready //p' "$T/run.out")
  [[ -n $URL ]] || { echo "FAIL: node did not start"; cat "$T/run.err"; exit 1; }
}

"$E" node init --dir "$T/usa" --partner USA --listen 127.0.0.1:1 --json >"$T/init.json" || exit 1
TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_token"])' "$T/init.json")
FP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tls_fingerprint"])' "$T/init.json")
start_node 0
PORT=${URL##*:}

# --- enrolment
BAD_FP="sha256:$(printf '0%.0s' $(seq 1 64))"
expect 2 "bootstrap refuses a certificate that is not the pinned one" -- \
  "$E" admin bootstrap --home "$T/admin" --node "$URL" --fingerprint "$BAD_FP" --token "$TOKEN" --handle admin
contains "pinned" "pinning failure explained"
expect 2 "bootstrap with a wrong token" -- \
  "$E" admin bootstrap --home "$T/admin" --node "$URL" --fingerprint "$FP" --token entente-enrol-nope --handle admin
contains "enrolment token is not valid" "token failure explained"
expect 0 "admin bootstrap" -- "$E" admin bootstrap --home "$T/admin" --node "$URL" --fingerprint "$FP" \
  --token "$TOKEN" --handle admin --name "Jordan Lee" --clearance "USKR;TS;REL=USA" --json
contains '"member": "admin@USA"' "admin member id"
check "home key file is 0600" -- test "$(stat -c %a "$T/admin/device.key")" = 600
expect 2 "the admin token works once" -- "$E" admin bootstrap --home "$T/admin2" --node "$URL" \
  --fingerprint "$FP" --token "$TOKEN" --handle eve

A=(--home "$T/admin")
member_token() { python3 -c 'import json,sys; print(json.load(sys.stdin)["device_token"])'; }
ALICE_TOKEN=$("$E" member add alice "${A[@]}" --name "Alice Park" --roles co-chair --clearance "USKR;TS;REL=USA" --json | member_token)
BOB_TOKEN=$("$E" member add bob "${A[@]}" --name "Bob Stone" --roles officer --clearance "USKR;C;REL=USA" --json | member_token)
OLGA_TOKEN=$("$E" member add olga "${A[@]}" --name "Olga Ray" --roles observer --clearance "USKR;S;REL=USA" --json | member_token)
check "member add prints device tokens" -- test -n "$ALICE_TOKEN" -a -n "$BOB_TOKEN" -a -n "$OLGA_TOKEN"
expect 2 "a bad clearance is refused" -- "$E" member add dave "${A[@]}" --roles officer --clearance "USKR"
contains "clearance" "clearance named"
expect 0 "device enrol alice" -- "$E" device enrol --home "$T/alice" --node "$URL" --fingerprint "$FP" --token "$ALICE_TOKEN" --device-name "alice laptop"
contains "alice@USA" "alice enrolled as herself"
expect 0 "device enrol bob" -- "$E" device enrol --home "$T/bob" --node "$URL" --fingerprint "$FP" --token "$BOB_TOKEN"
expect 0 "device enrol olga" -- "$E" device enrol --home "$T/olga" --node "$URL" --fingerprint "$FP" --token "$OLGA_TOKEN"
expect 2 "a device token works once" -- "$E" device enrol --home "$T/bob2" --node "$URL" --fingerprint "$FP" --token "$BOB_TOKEN"
expect 1 "only admins enrol members" -- "$E" member add mallory --home "$T/bob" --roles admin --clearance "USKR;TS;REL=USA"
expect 0 "member list" -- "$E" member list --home "$T/bob" --json
contains '"member": "alice@USA"' "alice listed"
contains '"clearance": "USKR;C;REL=USA"' "bob's clearance listed"

# --- space and channel
expect 1 "a co-chair cannot charter a space" -- "$E" space create --home "$T/alice" --name NCG --policy "$ROOT/examples/policy-uskr.yaml"
expect 0 "admin charters NCG" -- "$E" space create "${A[@]}" --name NCG --policy "$ROOT/examples/policy-uskr.yaml" --partners USA
expect 2 "a second NCG is refused" -- "$E" space create "${A[@]}" --name NCG --policy "$ROOT/examples/policy-uskr.yaml"
expect 1 "an observer cannot create a channel" -- "$E" channel create --home "$T/olga" --space NCG --name side --ceiling "USKR;S;P:REL=USA"
expect 0 "alice creates #plenary" -- "$E" channel create --home "$T/alice" --space NCG --name plenary \
  --ceiling "SECRET//REL TO USA" --members bob@USA,olga@USA
expect 0 "space list" -- "$E" space list --home "$T/bob" --json
contains '"name": "plenary"' "bob sees the channel"
contains '"ceiling": "USKR;S;P:REL=USA"' "ceiling canonical"

# --- messages
expect 0 "alice sends SECRET" -- "$E" send --home "$T/alice" --space NCG --channel plenary --label "USKR;S;P:REL=USA" "the SECRET text"
contains "sealed to 2 device(s)" "SECRET sealed to alice and olga, not bob"
expect 0 "alice sends CONFIDENTIAL by banner" -- "$E" send --home "$T/alice" --space NCG --channel plenary --label "CONFIDENTIAL//REL TO USA" "the CONFIDENTIAL text"
echo "from standard input" | "$E" send --home "$T/bob" --space NCG --channel plenary --label "USKR;U" - >"$T/out" 2>&1
check "bob sends from stdin" -- grep -q "sent: entry" "$T/out"
expect 1 "a label above the ceiling is refused" -- "$E" send --home "$T/alice" --space NCG --channel plenary --label "USKR;TS;P:REL=USA" "too high"
contains "ceiling" "ceiling named"
expect 1 "bob cannot write above his clearance" -- "$E" send --home "$T/bob" --space NCG --channel plenary --label "USKR;S;P:REL=USA" "no"
expect 1 "an observer cannot post" -- "$E" send --home "$T/olga" --space NCG --channel plenary --label "USKR;U" "no"
expect 2 "an unknown channel" -- "$E" send --home "$T/alice" --space NCG --channel nowhere --label "USKR;U" "x"
contains 'no channel "nowhere"' "unknown channel named"
expect 2 "a malformed label" -- "$E" send --home "$T/alice" --space NCG --channel plenary --label "USKR;Q" "x"
head -c 17000000 /dev/zero | tr '\0' 'x' >"$T/huge.txt"
expect 2 "an oversized message is refused" -- bash -c "\"$E\" send --home \"$T/alice\" --space NCG --channel plenary --label USKR\\;U - <\"$T/huge.txt\""
contains "the limit is" "size limit named"
rm -f "$T/huge.txt"

expect 0 "bob reads" -- "$E" read --home "$T/bob" --space NCG --channel plenary --json
contains "the CONFIDENTIAL text" "bob reads CONFIDENTIAL"
lacks "the SECRET text" "bob never gets SECRET"
contains "withheld by the node" "the SECRET body was withheld from bob"
contains '"signature_verified": true' "signatures verified"
contains '"inclusion_verified": true' "inclusion verified"
expect 0 "alice reads" -- "$E" read --home "$T/alice" --space NCG --channel plenary
contains "SECRET//REL TO USA" "banner in the U.S. marking"
contains "the SECRET text" "alice reads SECRET"
contains "signature ok, log ok" "verification shown"
expect 0 "olga reads SECRET" -- "$E" read --home "$T/olga" --space NCG --channel plenary --json
contains "the SECRET text" "olga reads SECRET"
expect 2 "a wrong passphrase" -- env ENTENTE_PASSPHRASE=wrong "$E" read --home "$T/alice" --space NCG --channel plenary
contains "wrong passphrase" "passphrase error"

# --- key transparency and revocation
INVITE=$("$E" device invite --home "$T/alice" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["device_token"])')
expect 0 "alice enrols a second device" -- "$E" device enrol --home "$T/alice2" --node "$URL" --fingerprint "$FP" --token "$INVITE" --device-name phone
NEW_DEVICE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["device"])' "$T/alice2/config.json")
expect 0 "alice's first device reads" -- "$E" read --home "$T/alice" --space NCG --channel plenary
contains "WARNING: a new device was enrolled for alice@USA: $NEW_DEVICE" "key transparency warning"
expect 0 "the warning is given once" -- "$E" device list --home "$T/alice" --json
lacks "WARNING" "no second warning"
contains "$NEW_DEVICE" "new device listed"
expect 0 "alice revokes it" -- "$E" device revoke --home "$T/alice" "$NEW_DEVICE" --reason "not mine"
expect 2 "a revoked device is refused" -- "$E" send --home "$T/alice2" --space NCG --channel plenary --label "USKR;U" "x"
contains "request signature rejected" "revoked device unauthenticated"

# --- live delivery and catch-up
"$E" read --home "$T/bob" --space NCG --channel plenary --follow --json >"$T/follow.out" 2>"$T/follow.err" &
FOLLOW_PID=$!
expect 0 "alice sends while bob follows" -- "$E" send --home "$T/alice" --space NCG --channel plenary --label "USKR;C;P:REL=USA" "live one"
for _ in $(seq 1 100); do grep -q "live one" "$T/follow.out" && break; sleep 0.1; done
check "bob's follow received the live message" -- grep -q "live one" "$T/follow.out"
check "follow never showed SECRET text" -- bash -c "! grep -q 'the SECRET text' '$T/follow.out'"

# --- kill -9 during a send storm: every acknowledged message survives
: >"$T/acked"
( for i in $(seq 1 40); do
    if "$E" send --home "$T/alice" --space NCG --channel plenary --label "USKR;U" "storm $i" >/dev/null 2>&1; then echo "storm $i" >>"$T/acked"; fi
  done ) &
STORM=$!
sleep 4
kill -9 "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
wait "$STORM"
: >"$T/run.out"
start_node "$PORT"
expect 0 "read after the crash" -- "$E" read --home "$T/alice" --space NCG --channel plenary --json
missing=0
while read -r line; do grep -qF "\"$line\"" "$T/out" || { missing=$((missing + 1)); echo "lost: $line"; }; done <"$T/acked"
check "every acknowledged message survived kill -9 ($(wc -l <"$T/acked") acknowledged)" -- test "$missing" = 0
check "some sends were acknowledged before the kill" -- test -s "$T/acked"
# bob's follow lost its connection with the node and caught up after the restart.
expect 0 "a message after the restart" -- "$E" send --home "$T/alice" --space NCG --channel plenary --label "USKR;U" "after restart"
for _ in $(seq 1 150); do grep -q "after restart" "$T/follow.out" && break; sleep 0.2; done
check "follow reconnected and caught up" -- grep -q "after restart" "$T/follow.out"
check "follow said it reconnected" -- grep -q "reconnecting" "$T/follow.err"
kill "$FOLLOW_PID" 2>/dev/null; wait "$FOLLOW_PID" 2>/dev/null
python3 - "$T/follow.out" "$T/acked" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: follow output has gaps or duplicates"; cat "$T/follow.out"; }
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
idx = [m["index"] for m in msgs]
assert idx == sorted(set(idx)), idx            # in order, no duplicates
texts = {m.get("text") for m in msgs}
for line in open(sys.argv[2]):                 # every acknowledged storm message was delivered
    assert line.strip() in texts, line
assert all(m["inclusion_verified"] for m in msgs)
PY
echo "kill -9 storm: $(wc -l <"$T/acked") acknowledged before the kill, $missing lost"

kill -TERM "$NODE_PID"; wait "$NODE_PID"; rc=$?
check "graceful stop" -- test "$rc" = 0
NODE_PID=
echo "messaging_test: $pass passed, $fail failed"
[[ $fail == 0 ]]
