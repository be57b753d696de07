# Shared by the integration tests: checks that count passes and failures. The sourcing script
# sets T (its temporary directory) and pass=0 fail=0 before using them.

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
