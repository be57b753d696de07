#!/usr/bin/env bash
# Self-test of faultproxy.py: a Python echo server on loopback, the proxy in front of it, and a
# client that checks each fault mode does what the proxy promises. Usage: faultproxy_test.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
PIDS=()
cleanup() {
  local status=$? pid
  set +e
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$T"
  exit "$status"
}
trap cleanup EXIT

fail() { echo "not ok - $*"; echo "  proxy stderr:"; sed 's/^/    /' "$T/proxy.err"; exit 1; }
# check DESCRIPTION COMMAND...: COMMAND must succeed
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else fail "$what"; fi; }

# wait_for_file FILE: until FILE is non-empty, for at most 5 s
wait_for_file() {
  local _
  for _ in $(seq 1 100); do [[ -s $1 ]] && return 0; sleep 0.05; done
  fail "$1 never appeared"
}

# set_mode MODE...: rewrites the control file and waits until the proxy reports the new mode
set_mode() {
  local want="mode $*" before _
  before=$(grep -cxF -- "$want" "$T/proxy.err" || true)
  printf '%s\n' "$*" >"$T/control.tmp"
  mv "$T/control.tmp" "$T/control"
  for _ in $(seq 1 100); do
    (( $(grep -cxF -- "$want" "$T/proxy.err" || true) > before )) && return 0
    sleep 0.02
  done
  fail "the proxy did not switch to '$*'"
}

# client CODE [ARG]: runs Python CODE against the proxy with these helpers defined
CLIENT_HELPERS='
import socket, sys, time
PORT = int(sys.argv[1])
def conn():
    return socket.create_connection(("127.0.0.1", PORT), timeout=3)
def echo(s, data):
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        d = s.recv(len(data) - len(got))
        if not d: break
        got += d
    return got
def closed(s, timeout=3):  # the peer closes (EOF or reset) within timeout, sending nothing
    s.settimeout(timeout)
    try: return s.recv(100) == b""
    except ConnectionError: return True
    except TimeoutError: return False
def silent(s, timeout):  # nothing arrives and nothing closes within timeout
    s.settimeout(timeout)
    try: s.recv(100); return False
    except TimeoutError: return True
    except ConnectionError: return False
'
client() { python3 -c "$CLIENT_HELPERS$1" "$PROXY" "${@:2}"; }

python3 -c '
import socketserver
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while d := self.request.recv(65536): self.request.sendall(d)
        except OSError: pass
class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
s = Server(("127.0.0.1", 0), Echo)
print(s.server_address[1], flush=True)
s.serve_forever()
' >"$T/echo.port" &
PIDS+=($!)
wait_for_file "$T/echo.port"
ECHO=$(cat "$T/echo.port")

touch "$T/proxy.err"
python3 "$HERE/faultproxy.py" --listen 127.0.0.1:0 --target "127.0.0.1:$ECHO" \
  --control "$T/control" --port-file "$T/proxy.port" >"$T/proxy.out" 2>"$T/proxy.err" &
PROXY_PID=$!
PIDS+=($PROXY_PID)
wait_for_file "$T/proxy.port"
PROXY=$(cat "$T/proxy.port")
check "port file and stdout agree" grep -qx "listening $PROXY" "$T/proxy.out"
check "a missing control file means pass" grep -qx "mode pass" "$T/proxy.err"

check "pass echoes" client 'assert echo(conn(), b"hello") == b"hello"'
check "pass carries 1 MB both ways" client 'assert echo(conn(), b"x" * 1000000) == b"x" * 1000000'

# An open connection, then the link goes down under it.
client '
s = conn(); assert echo(s, b"hello") == b"hello"
open(sys.argv[2], "w").write("up")
sys.exit(0 if closed(s, 5) else 1)' "$T/up" &
HELD=$!
PIDS+=($HELD)
wait_for_file "$T/up"
set_mode drop
check "drop closes open connections" wait "$HELD"
check "drop closes new connections" client '
s = conn()
try: s.sendall(b"hello")
except ConnectionError: pass
assert closed(s, 2)'

set_mode pass
check "pass works after drop" client 'assert echo(conn(), b"hello") == b"hello"'

set_mode cut 10
check "cut 10 closes after 5 bytes each way" client '
s = conn(); assert echo(s, b"hello") == b"hello"; assert closed(s, 2)'
check "cut 10 lets 10 of 20 bytes through, then closes" client '
s = conn(); s.sendall(b"0123456789abcdefghij"); got = b""; s.settimeout(2)
try:
    while d := s.recv(100): got += d
except ConnectionError: pass
assert got == b"0123456789"[:len(got)] and len(got) <= 10, got'

set_mode delay 300
check "delay 300 adds at least 250 ms to a round trip" client '
s = conn(); t = time.monotonic(); assert echo(s, b"hello") == b"hello"
rtt = time.monotonic() - t; assert 0.25 <= rtt < 3, rtt'

# A partition: nothing arrives and nothing closes, then it heals and the held bytes flow.
set_mode blackhole
rm -f "$T/up"
client '
s = conn(); s.sendall(b"hello"); assert silent(s, 0.5)
open(sys.argv[2], "w").write("up")
s.settimeout(3); got = b""
while len(got) < 5 and (d := s.recv(5)): got += d
assert got == b"hello", got' "$T/up" &
HELD=$!
PIDS+=($HELD)
wait_for_file "$T/up"
set_mode pass
check "blackhole holds bytes, pass delivers them" wait "$HELD"

check "pass has no delay" client '
s = conn(); t = time.monotonic(); assert echo(s, b"hello") == b"hello"
rtt = time.monotonic() - t; assert rtt < 0.2, rtt'
check "every accept is logged" test "$(grep -c '^accept ' "$T/proxy.err")" -eq 10
check "every close is logged" test "$(grep -c '^close ' "$T/proxy.err")" -eq 10

kill -TERM "$PROXY_PID"
for _ in $(seq 1 40); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$PROXY_PID" 2>/dev/null && fail "the proxy outlived SIGTERM by 2 s"
status=0
wait "$PROXY_PID" || status=$?
check "SIGTERM exits 0 promptly" test "$status" -eq 0
