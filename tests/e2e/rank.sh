#!/bin/sh
# End-to-end tests of `wlsim rank`: the fixture corpus in tests/fixtures/rank/ (good cases: stdout
# equals expected.csv, exit 0, nothing on stderr; bad cases: exit 2, nothing on stdout, stderr
# contains the `expect` line naming file, line and column), then the command line itself (help,
# argument errors, the default scenario and WLSIM_SCENARIO_DIR, a failing write).
# Corpus layout: tests/fixtures/rank/README.md. Adding a case is adding a folder.
# Usage: tests/e2e/rank.sh path/to/wlsim   (from the repository root). Exits non-zero on failure;
# the last line is "rank e2e: N passed, M failed".
# shellcheck disable=SC2015 # ok() cannot fail, so A && ok || bad is an if-then-else
set -u
BIN=${1:?usage: rank.sh path/to/wlsim}
F=tests/fixtures/rank
. tests/e2e/lib.sh

# pick CASE FILE: the case's own file, else the shared one in base/.
pick() { if [ -f "$1/$2" ]; then echo "$1/$2"; else echo "$F/base/$2"; fi; }

# run_case CASE: runs the binary on the case into $T/out, $T/err; sets rc.
run_case() {
    # shellcheck disable=SC2046 # args is a word list on purpose
    "$BIN" rank --candidates "$(pick "$1" cands.csv)" --history "$(pick "$1" history.csv)" \
        --donor "$(pick "$1" donor.csv)" $(cat "$(pick "$1" args)") >"$T/out" 2>"$T/err"
    rc=$?
}

# --- good cases: exact output ---------------------------------------------------------------
for d in "$F"/good/*/; do
    d=${d%/}
    run_case "$d"
    [ "$rc" -eq 0 ] && ok || bad "$d: exit $rc, expected 0; stderr: $(head -c 400 "$T/err")"
    [ -s "$T/err" ] && bad "$d: stderr not empty: $(head -c 400 "$T/err")" || ok
    if cmp -s "$T/out" "$d/expected.csv"; then ok; else
        bad "$d: output differs from expected.csv:"; diff "$d/expected.csv" "$T/out" | head -n 20
    fi
done

# --- bad cases: exit 2, the message, nothing on stdout ------------------------------------------
for d in "$F"/bad/*/; do
    d=${d%/}
    run_case "$d"
    exp=$(head -n 1 "$d/expect")
    [ "$rc" -eq 2 ] && ok || bad "$d: exit $rc, expected 2; stderr: $(head -c 400 "$T/err")"
    grep -qF -- "$exp" "$T/err" && ok || bad "$d: message '$(cat "$T/err")' lacks '$exp'"
    [ -s "$T/out" ] && bad "$d: printed on stdout: $(head -c 200 "$T/out")" || ok
done

# --- command line ---------------------------------------------------------------------------
B="--candidates $F/base/cands.csv --history $F/base/history.csv --donor $F/base/donor.csv"
S="--scenario $F/simple.yaml"

# expect CODE MESSAGE -- args...: exit code and a fixed string on stderr.
expect() {
    code=$1; msg=$2; shift 3
    "$BIN" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq "$code" ] && ok || bad "wlsim $*: exit $rc, expected $code; stderr: $(head -c 400 "$T/err")"
    grep -qF -- "$msg" "$T/err" && ok || bad "wlsim $*: message '$(cat "$T/err")' lacks '$msg'"
}

"$BIN" rank --help >"$T/out" 2>"$T/err" && ok || bad "rank --help: exit $?"
grep -q "^Usage: wlsim rank --candidates C.csv" "$T/out" && ok || bad "rank --help prints the usage"
grep -q "WLSIM_SCENARIO_DIR" "$T/out" && ok || bad "rank --help explains the default scenario"
# shellcheck disable=SC2086
{
expect 2 "wlsim rank: expected --day DAY, found none" -- rank $B $S
expect 2 "wlsim rank: expected --candidates C.csv, found none" -- rank --history x --donor y --day 1
expect 2 "wlsim rank: argument --day: expected a whole number in [-10000000, 10000000], found '1.5'" -- rank $B $S --day 1.5
expect 2 "wlsim rank: argument --day: expected a value, found none" -- rank $B $S --day
expect 2 "wlsim rank: expected an option of rank (see 'wlsim rank --help'), found '--frob'" -- rank $B $S --day 1 --frob
expect 2 "wlsim rank: expected only options (see 'wlsim rank --help'), found 'extra'" -- rank $B $S --day 1 extra
expect 2 "wlsim rank: $F/nope.csv: expected a readable CSV file, found none (No such file or directory)" -- \
    rank --candidates $F/nope.csv --history $F/base/history.csv --donor $F/base/donor.csv --day 100 $S
expect 2 "wlsim rank: $F: expected a regular CSV file, found a directory" -- \
    rank --candidates $F --history $F/base/history.csv --donor $F/base/donor.csv --day 100 $S
# The default scenario: from $WLSIM_SCENARIO_DIR ...
WLSIM_SCENARIO_DIR=$F/scenario_dir "$BIN" rank $B --day 100 >"$T/out" 2>"$T/err" && ok || bad "WLSIM_SCENARIO_DIR: exit $?: $(cat "$T/err")"
cmp -s "$T/out" "$F/good/basic/expected.csv" && ok || bad "WLSIM_SCENARIO_DIR: output differs from good/basic"
WLSIM_SCENARIO_DIR=$T/none expect 2 "argument --scenario: expected a scenario file, or the default scenario at $T/none/default.yaml, found neither" -- rank $B --day 100
# ... else scenarios/default.yaml (the shipped guideline policies): a list comes out.
env -u WLSIM_SCENARIO_DIR "$BIN" rank $B --day 100 --all >"$T/out" 2>"$T/err" && ok || bad "default scenario: exit $?: $(cat "$T/err")"
[ "$(head -n 1 "$T/out")" = "rank,id,program,group,abo_step,points,reason" ] && ok || bad "default scenario: header '$(head -n 1 "$T/out")'"
[ "$(wc -l <"$T/out")" -eq 11 ] && ok || bad "default scenario --all: expected 10 rows, found $(($(wc -l <"$T/out") - 1))"
}
# --strict (docs/rank.md, the --strict option): grants older than their validity without a renewal row lapse.
# Without it the history's statuses hold (expected.csv, nothing on stderr); with it the list is
# expected_strict.csv and stderr names each lapsed grant's row and day (warnings.txt).
SD=$F/strict
SA="--candidates $SD/cands.csv --history $SD/history.csv --donor $SD/donor.csv --day 100 --scenario $SD/scenario.yaml --all"
# shellcheck disable=SC2086
"$BIN" rank $SA >"$T/out" 2>"$T/err" && ok || bad "strict fixture without --strict: exit $?"
cmp -s "$T/out" "$SD/expected.csv" && ok || { bad "strict fixture without --strict: output differs"; diff "$SD/expected.csv" "$T/out" | head; }
[ -s "$T/err" ] && bad "strict fixture without --strict: stderr not empty: $(cat "$T/err")" || ok
# shellcheck disable=SC2086
"$BIN" rank $SA --strict >"$T/out" 2>"$T/err" && ok || bad "--strict: exit $?"
cmp -s "$T/out" "$SD/expected_strict.csv" && ok || { bad "--strict: output differs"; diff "$SD/expected_strict.csv" "$T/out" | head; }
cmp -s "$T/err" "$SD/warnings.txt" && ok || { bad "--strict: warnings differ"; diff "$SD/warnings.txt" "$T/err" | head; }
# a bad donor file: exit 2 and no warning left behind
# shellcheck disable=SC2086
"$BIN" rank --candidates $SD/cands.csv --history $SD/history.csv --donor $F/nope.csv --day 100 --scenario $SD/scenario.yaml --strict >"$T/out" 2>"$T/err"
[ "$?" -eq 2 ] && ok || bad "--strict with a bad donor file: exit not 2"
grep -q warning "$T/err" && bad "--strict with a bad donor file: a warning was printed" || ok
# A failing write is an internal failure (exit 1), not bad input.
if [ -w /dev/full ]; then
    # shellcheck disable=SC2086
    "$BIN" rank $B $S --day 100 >/dev/full 2>"$T/err"
    rc=$?
    [ "$rc" -eq 1 ] && ok || bad "write to /dev/full: exit $rc, expected 1"
    grep -qF "wlsim rank: writing the match list" "$T/err" && ok || bad "write error message: $(cat "$T/err")"
fi

echo "rank e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
