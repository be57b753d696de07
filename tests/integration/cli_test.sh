#!/usr/bin/env bash
# End-to-end tests of the `entente` command as a user runs it: real binary, real files, exit
# codes and the one-line errors. Usage: cli_test.sh ENTENTE SAMPLE_NODE (CTest passes both).
set -uo pipefail
E=$1
SAMPLE_NODE=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
. "$(dirname "$0")/lib.sh"

# one_line DESCRIPTION: the last command printed exactly one line (a clear error, no trace)
one_line() {
  local n; n=$(wc -l <"$T/out")
  if [[ $n == 1 ]]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1: $n lines of output, want 1"; sed 's/^/    /' "$T/out"; fi
}

# --- help and usage
expect 0 "top-level help" -- "$E" --help
contains "label" "help lists label"
expect 2 "no command is bad input" -- "$E"
expect 2 "unknown command" -- "$E" frobnicate

# --- keys
export ENTENTE_PASSPHRASE="correct horse battery staple"
expect 0 "keygen" -- "$E" keygen --out "$T/alice.key" --comment "Alice, USA"
[[ $(stat -c %a "$T/alice.key") == 600 ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: key file mode"; }
expect 2 "keygen never overwrites" -- "$E" keygen --out "$T/alice.key"
contains "refusing to overwrite" "overwrite message"
one_line "overwrite error is one line"
expect 0 "key show json" -- "$E" key show "$T/alice.key" --json
contains '"comment": "Alice, USA"' "comment shown"
if grep -qiE 'secret|seed' "$T/out"; then fail=$((fail + 1)); echo "FAIL: key show mentions a secret"; else pass=$((pass + 1)); fi
expect 0 "key show --verify with the passphrase" -- "$E" key show "$T/alice.key" --verify
ENTENTE_PASSPHRASE=wrong expect 2 "wrong passphrase" -- "$E" key show "$T/alice.key" --verify
contains "wrong passphrase or tampered key file" "vague passphrase error"
one_line "wrong passphrase is one line"
head -c 40 "$T/alice.key" >"$T/short.key"
expect 2 "truncated key file" -- "$E" key show "$T/short.key"
contains "truncated" "truncation named"
one_line "truncation is one line"
expect 2 "missing key file" -- "$E" key show "$T/nope.key"
contains "nope.key" "missing file named"

# --- nodes
expect 0 "node init" -- "$E" node init --dir "$T/usa" --partner USA --listen 127.0.0.1:8443 --json
contains '"admin_token": "entente-enrol-' "token printed once"
FP=$(openssl x509 -in "$T/usa/tls.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
expect 0 "node info" -- "$E" node info --dir "$T/usa" --json
contains "\"tls_fingerprint\": \"sha256:$FP\"" "fingerprint agrees with openssl"
if grep -q "entente-enrol-" "$T/out"; then fail=$((fail + 1)); echo "FAIL: node info shows the token"; else pass=$((pass + 1)); fi
expect 2 "node init never overwrites" -- "$E" node init --dir "$T/usa" --partner USA --listen 127.0.0.1:8443
contains "already holds a node" "overwrite refused"
expect 2 "node init with a bad partner" -- "$E" node init --dir "$T/bad" --partner usa --listen 127.0.0.1:1
one_line "bad partner is one line"
expect 2 "node info of a non-node" -- "$E" node info --dir "$T"
contains "entente node init" "hint to init"

# --- a running node: HTTPS, health, metrics, graceful SIGTERM
ENTENTE_PASSPHRASE=wrong expect 2 "node run with a wrong passphrase" -- "$E" node run --dir "$T/usa"
contains "wrong passphrase" "wrong passphrase explained"
"$E" node run --dir "$T/usa" --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
RUN_PID=$!
for _ in $(seq 1 100); do grep -q '^ready ' "$T/run.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^ready //p' "$T/run.out")
PORT=${URL##*:}
expect 0 "GET /healthz over TLS 1.3, certificate pinned" -- curl -sS --fail --cacert "$T/usa/tls.crt" "https://localhost:$PORT/healthz"
contains "ok" "health body"
expect 0 "GET /v1/node" -- curl -sS --fail --cacert "$T/usa/tls.crt" "https://localhost:$PORT/v1/node"
contains "\"partner\": \"USA\"" "node identity served"
expect 0 "GET /metrics" -- curl -sS --fail --cacert "$T/usa/tls.crt" "https://localhost:$PORT/metrics"
contains 'entente_http_requests_total{code="2xx"} 2' "requests counted"
expect 22 "unknown endpoint is 404" -- curl -sS --fail --cacert "$T/usa/tls.crt" "https://localhost:$PORT/nope"
expect 35 "TLS 1.2 is refused" -- curl -sS --tls-max 1.2 --cacert "$T/usa/tls.crt" "https://localhost:$PORT/healthz"
expect 60 "an unpinned certificate is not trusted" -- curl -sS "https://localhost:$PORT/healthz"
kill -TERM "$RUN_PID"
wait "$RUN_PID"
rc=$?
if [[ $rc == 0 ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: node run exit $rc after SIGTERM"; cat "$T/run.err"; fi
if grep -q '"msg":"stopped"' "$T/run.err" && grep -q '"target":"/healthz"' "$T/run.err"; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL: structured logs"; cat "$T/run.err"; fi

# --- logs
"$SAMPLE_NODE" "$T/node" 600 >/dev/null || { echo "FAIL: sample_node"; exit 1; }
SPACE=$(cat "$T/node/space")
VKEY=$(cat "$T/node/node.vkey")
COSIGNER=$(cat "$T/node/cosigner.vkey")
expect 0 "log export" -- "$E" log export --node-dir "$T/node" --space "$SPACE" --origin USA --out "$T/log"
contains "exported 600 entries" "export summary"
expect 0 "log verify" -- "$E" log verify "$T/log" --key "$VKEY" --cosigner "$COSIGNER" --since "$T/node/first.checkpoint"
contains "consistent with the older checkpoint of 300" "consistency reported"
expect 0 "log verify --json" -- "$E" log verify "$T/log" --key "$VKEY" --json
contains '"entries_verified": 600' "json figures"
expect 2 "export of an unknown partner" -- "$E" log export --node-dir "$T/node" --space "$SPACE" --origin JPN --out "$T/x"
contains "no log" "unknown log named"
expect 2 "export with a bad space id" -- "$E" log export --node-dir "$T/node" --space xyz --origin USA --out "$T/x"
expect 2 "export from a non-node dir" -- "$E" log export --node-dir "$T" --space "$SPACE" --origin USA --out "$T/x"
contains "no node store" "non-node dir explained"
expect 2 "verify with a malformed key" -- "$E" log verify "$T/log" --key "not-a-vkey"
# tamper with an entry: verification fails with exit 1 naming the bundle
cp -r "$T/log" "$T/tampered"
printf '\x00' | dd of="$T/tampered/tile/entries/001" bs=1 seek=30 conv=notrunc status=none
expect 1 "tampered entry" -- "$E" log verify "$T/tampered" --key "$VKEY"
contains "tile/entries/001" "tampered bundle named"
# a cosigner that did not cosign
expect 1 "missing cosignature" -- "$E" log verify "$T/log" --key "$VKEY" --cosigner "$VKEY"

# --- labels (examples/)
P="$ROOT/examples/policy-uskr.yaml"
P3="$ROOT/examples/policy-usjpkr.yaml"
expect 0 "canon of a banner" -- "$E" label canon --policy "$P" "SECRET//REL TO USA, KOR"
contains "USKR;S;P:REL=KOR,USA" "canonical label"
expect 0 "render for KOR" -- "$E" label render --policy "$P" --for KOR "USKR;S;R:SAP=ALPHA;P:REL=KOR,USA"
contains "II급비밀//SAP ALPHA//REL TO KOR, USA" "Korean banner"
expect 0 "check admits" -- "$E" label check --policy "$P" --clearance "USKR;TS;REL=USA;SAP=ALPHA" --label "USKR;S;P:REL=KOR,USA"
expect 1 "check denies by level" -- "$E" label check --policy "$P" --clearance "USKR;C;REL=USA" --label "USKR;S;P:REL=KOR,USA"
contains "denied: level S above clearance C" "level denial reason"
expect 1 "dominates: no" -- "$E" label dominates --policy "$P" "USKR;C;P:REL=KOR,USA" "USKR;S;P:REL=KOR,USA"
expect 0 "dominates: yes" -- "$E" label dominates --policy "$P" "USKR;S;P:REL=USA" "USKR;C;P:REL=KOR,USA"
expect 0 "join" -- "$E" label join --policy "$P" "USKR;C;P:REL=KOR,USA" "USKR;S;P:REL=USA"
contains "USKR;S;P:REL=USA" "join result"
expect 2 "unknown partner in a label" -- "$E" label canon --policy "$P" "USKR;S;P:REL=FRA"
contains "FRA" "unknown partner named"
one_line "unknown partner is one line"
expect 2 "broken policy file" -- "$E" label canon --policy "$T/alice.key" "USKR;U"
one_line "broken policy is one line"
expect 0 "trilateral render" -- "$E" label render --policy "$P3" --for JPN "USJPKR;S;P:REL=JPN,KOR,USA"
contains "REL TO JPN, KOR, USA" "Japanese reader first"

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
