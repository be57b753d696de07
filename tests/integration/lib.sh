# Shared by the integration tests: checks that count passes and failures, and running nodes and
# fault proxies. The sourcing script sets T (its temporary directory), pass=0 fail=0, E (the
# entente binary), ROOT (the source tree) and `declare -A PID=() URL=()` before using them.

# stop_everything: kills every node, proxy and background job, and removes $T unless KEEP_TMP is set.
# A script installs it with `trap stop_everything EXIT` once it has sourced this file.
stop_everything() {
  local p
  exec 2>/dev/null  # no "Killed" job notices
  for p in "${PID[@]}"; do kill -9 "$p"; done
  jobs -p | xargs -r kill -9
  wait
  if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $T"; else rm -rf "$T"; fi
}

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND, checks its exit code; stdout+stderr in $T/out
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$T/out" 2>&1
  local got=$?
  if [[ $got == "$want" ]]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $what: exit $got, want $want"; sed 's/^/    /' "$T/out"; fi
}
# contains TEXT DESCRIPTION: the last command's output contains TEXT
contains() {
  if grep -qF -- "$1" "$T/out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $2: output lacks '$1'"; sed 's/^/    /' "$T/out"; fi
}
# lacks TEXT DESCRIPTION: the last command's output does not contain TEXT
lacks() {
  if grep -qF -- "$1" "$T/out"; then
    fail=$((fail + 1)); echo "FAIL: $2: output has '$1'"; sed 's/^/    /' "$T/out"; else pass=$((pass + 1)); fi
}
# check DESCRIPTION -- COMMAND: COMMAND must succeed
check() {
  local what=$1; shift 2
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}

# eventually DESCRIPTION SECONDS -- COMMAND: COMMAND must succeed within SECONDS; it is retried
# every half second with its output in $T/out, which is shown if it never succeeds.
eventually() {
  local what=$1 deadline=$((SECONDS + $2)); shift 3
  until "$@" >"$T/out" 2>&1; do
    if ((SECONDS >= deadline)); then
      fail=$((fail + 1)); echo "FAIL: $what (not within $2 s; last output:)"; sed 's/^/    /' "$T/out"
      return 1
    fi
    sleep 0.5
  done
  pass=$((pass + 1))
}
# Each step prints its name and the seconds since the start, to locate slow or hung steps.
step() { echo "--- $* (${SECONDS}s)"; }

# json_field FILE FIELD: prints a top-level field of a JSON file.
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }

# start_node NAME PORT [FLAGS...]: runs the node in $T/NAME; sets PID[NAME] and URL[NAME].
start_node() {
  local n=$1 port=$2 _; shift 2
  : >"$T/$n.out"
  "$E" node run --dir "$T/$n" --listen "127.0.0.1:$port" --peer-poll-ms 200 "$@" \
    >"$T/$n.out" 2>>"$T/$n.err" &
  PID[$n]=$!
  for _ in $(seq 1 600); do grep -q '^ready ' "$T/$n.out" 2>/dev/null && break; sleep 0.1; done
  URL[$n]=$(sed -n 's/^ready //p' "$T/$n.out")
  [[ -n ${URL[$n]} ]] || { echo "FAIL: node $n did not start"; tail -20 "$T/$n.err"; exit 1; }
}
# stop_node NAME: SIGTERM, then SIGKILL if it has not stopped after 30 s; returns its exit status.
stop_node() {
  local n=$1 p=${PID[$1]} _ rc
  kill -TERM "$p"
  for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null
  wait "$p"; rc=$?
  unset "PID[$n]"
  return "$rc"
}
kill_node() { kill -9 "${PID[$1]}"; wait "${PID[$1]}" 2>/dev/null; unset "PID[$1]"; }

# start_proxy NAME TARGET_PORT: a fault proxy in front of a node; sets PID[p_NAME], PPORT_NAME.
start_proxy() {
  local n=$1 _
  python3 "$ROOT/tests/integration/faultproxy.py" --listen 127.0.0.1:0 --target "127.0.0.1:$2" \
    --control "$T/p_$n.ctl" --port-file "$T/p_$n.port" >/dev/null 2>"$T/p_$n.err" &
  PID[p_$n]=$!
  for _ in $(seq 1 100); do [[ -s $T/p_$n.port ]] && break; sleep 0.1; done
  [[ -s $T/p_$n.port ]] || { echo "FAIL: proxy $n did not start"; cat "$T/p_$n.err"; exit 1; }
}
# set_mode NAME MODE...: rewrites proxy NAME's control file; waits until the proxy applies it.
set_mode() {
  local n=$1 _ before; shift
  before=$(grep -cxF -- "mode $*" "$T/p_$n.err")
  printf '%s\n' "$*" >"$T/p_$n.ctl.tmp" && mv "$T/p_$n.ctl.tmp" "$T/p_$n.ctl"
  for _ in $(seq 1 200); do
    (($(grep -cxF -- "mode $*" "$T/p_$n.err") > before)) && return 0
    sleep 0.05
  done
  echo "FAIL: proxy $n did not switch to '$*'"; cat "$T/p_$n.err"; exit 1
}

# metric NAME_OF_NODE METRIC VALUE: the node's /metrics has "METRIC VALUE".
metric() {
  curl -sS -k --max-time 10 "${URL[$1]}/metrics" >"$T/metrics" || return 1
  grep "^$2 " "$T/metrics"
  grep -qx "$2 $3" "$T/metrics"
}


# two_nodes: USA's and KOR's nodes in $T/usa and $T/kor, a fault proxy in front of each, and each
# pinning the other through the other's proxy. Sets USA_/KOR_TOKEN (admin tokens), _FP (TLS
# fingerprints), _KEY (node keys), _PORT, and P_USA, P_KOR (the proxies' URLs).
two_nodes() {
  local n
  for n in usa kor; do
    "$E" node init --dir "$T/$n" --partner "${n^^}" --listen 127.0.0.1:1 --json >"$T/$n.init.json" || exit 1
  done
  USA_TOKEN=$(json_field "$T/usa.init.json" admin_token); USA_FP=$(json_field "$T/usa.init.json" tls_fingerprint)
  KOR_TOKEN=$(json_field "$T/kor.init.json" admin_token); KOR_FP=$(json_field "$T/kor.init.json" tls_fingerprint)
  USA_KEY=$(json_field "$T/usa.init.json" node_public_key); KOR_KEY=$(json_field "$T/kor.init.json" node_public_key)
  start_node usa 0
  start_node kor 0
  USA_PORT=${URL[usa]##*:} KOR_PORT=${URL[kor]##*:}
  start_proxy usa "$USA_PORT"
  start_proxy kor "$KOR_PORT"
  P_USA=https://127.0.0.1:$(cat "$T/p_usa.port") P_KOR=https://127.0.0.1:$(cat "$T/p_kor.port")
  expect 0 "USA pins KOR (through KOR's proxy)" -- "$E" node peer add --dir "$T/usa" --partner KOR \
    --url "$P_KOR" --node-key "$KOR_KEY" --fingerprint "$KOR_FP"
  expect 0 "KOR pins USA (through USA's proxy)" -- "$E" node peer add --dir "$T/kor" --partner USA \
    --url "$P_USA" --node-key "$USA_KEY" --fingerprint "$USA_FP"
}

# enrol ADMIN_HOME HANDLE ROLE CLEARANCE NODE FP: the admin adds member HANDLE, whose device then
# enrols into $T/HANDLE on NODE (pinned by FP).
enrol() {  # enrol ADMIN_HOME HANDLE ROLE CLEARANCE NODE FP
  "$E" member add "$2" --home "$1" --roles "$3" --clearance "$4" --json >"$T/m.json" || return 1
  "$E" device enrol --home "$T/$2" --node "$5" --fingerprint "$6" --token "$(json_field "$T/m.json" device_token)"
}
