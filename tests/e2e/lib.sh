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

# same_ds A.h5 B.h5 /NAME: 0 when dataset NAME holds the same values in both files. h5diff alone
# is not enough: it exits 0 when the two datasets have different sizes ("not comparable"), so a
# run that wrote fewer rows would pass; that case is caught from its report.
same_ds() {
    h5diff -c "$1" "$2" "$3" "$3" >"$T/h5diff.out" 2>&1 || return 1
    ! grep -qi "not comparable" "$T/h5diff.out"
}
