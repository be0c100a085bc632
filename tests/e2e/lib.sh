# tests/e2e/lib.sh — the shared harness of the end-to-end scripts (sourced, not run): a scratch
# folder $T removed on exit, pass/fail counters, and expect_exit.
# shellcheck shell=sh disable=SC2015 # ok() cannot fail, so A && ok || bad is an if-then-else
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESCRIPTION -- command...: runs the command into $T/out and $T/err and counts
# a pass when it exits with CODE.
expect_exit() {
    code=$1; desc=$2; shift 3
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok; else bad "$desc: exit $rc, expected $code; stderr: $(head -c 400 "$T/err")"; fi
}
