#!/bin/sh
# End-to-end tests of the wlsim binary: command line, the broken-scenario corpus (exit 2, exact
# message, nothing written), thread-count invariance of the results file, an existing output
# surviving failing and interrupted runs, and the file being readable by h5py.
# Usage: tests/e2e/run.sh path/to/wlsim   (from the repository root)
set -u
BIN=${1:?usage: run.sh path/to/wlsim}
BINABS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")   # for tests that change folder
ROOT=$(pwd)
PY=/usr/bin/python3
. tests/e2e/lib.sh

# --- command line ---------------------------------------------------------------------------
expect_exit 0 "--version" -- "$BIN" --version
grep -q "^wlsim " "$T/out" && ok || bad "--version prints 'wlsim VERSION'"
expect_exit 0 "--help" -- "$BIN" --help
grep -q "wlsim run SCENARIO.yaml" "$T/out" && ok || bad "--help shows the run usage"
grep -q "wlsim export SCENARIO.yaml" "$T/out" && ok || bad "--help shows the export usage"
for cmd in run check verify rank export info; do
    expect_exit 0 "$cmd --help" -- "$BIN" $cmd --help
    grep -q "wlsim $cmd" "$T/out" && ok || bad "$cmd --help does not show its usage: $(head -n 2 "$T/out")"
done
expect_exit 2 "no command" -- "$BIN"
expect_exit 2 "unknown command" -- "$BIN" frobnicate
expect_exit 2 "run without scenario" -- "$BIN" run
expect_exit 2 "-r 0" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 0 -o "$T/x.h5"
grep -q "argument -r: expected an integer in \[1, 100000000\], found '0'" "$T/err" && ok || bad "-r 0 message: $(cat "$T/err")"
expect_exit 2 "-j abc" -- "$BIN" run tests/scenarios/good/tiny.yaml -j abc -o "$T/x.h5"
expect_exit 2 "-s 0" -- "$BIN" run tests/scenarios/good/tiny.yaml -s 0 -o "$T/x.h5"
expect_exit 2 "unknown option" -- "$BIN" run tests/scenarios/good/tiny.yaml --frob
expect_exit 2 "unwritable output folder" -- "$BIN" run tests/scenarios/good/tiny.yaml -o "$T/no/such/dir/x.h5"
grep -q "argument -o: expected a file in a writable folder" "$T/err" && ok || bad "-o message: $(cat "$T/err")"
[ ! -e "$T/x.h5" ] && ok || bad "argument errors wrote $T/x.h5"

# --- check ------------------------------------------------------------------------------------
for f in scenarios/*.yaml tests/scenarios/good/*.yaml; do
    case $f in scenarios/uncertainty-*) continue ;; esac   # --uncertainty files, tests/e2e/uncert.sh
    expect_exit 0 "check $f" -- "$BIN" check "$f"
    [ "$(cat "$T/out")" = "ok" ] && ok || bad "check $f prints only ok"
done
# A synthetic scenario with a warm-up shorter than the steady state needs: a warning, not a failure.
for f in scenarios/*.yaml; do
    "$BIN" check "$f" 2>&1 >/dev/null | grep -q "warning" && bad "check $f warns: every shipped scenario has the default's warm-up" || ok
done
expect_exit 0 "check a short warm-up" -- "$BIN" check tests/scenarios/good/tiny.yaml
grep -qF "tests/scenarios/good/tiny.yaml: warning: horizon.warmup_years: 1 years is shorter than the 15 years" "$T/err" \
    && ok || bad "short warm-up warning: $(cat "$T/err")"
[ "$(cat "$T/out")" = "ok" ] && ok || bad "check with a warning prints ok"
expect_exit 0 "check --list" -- "$BIN" check --list
grep -q '^| `horizon.years` | (required)' "$T/out" && ok || bad "--list names horizon.years"
cmp -s "$T/out" docs/parameters.md && ok || bad "docs/parameters.md is not current: run 'make docs'"
cp docs/model.md "$T/model.md" && $PY scripts/model_params.py "$T/out" "$T/model.md" && cmp -s "$T/model.md" docs/model.md \
    && ok || bad "the parameter appendix of docs/model.md is not current: run 'make docs'"
cp docs/model.md "$T/model.md" && cp docs/rules.md "$T/rules.md" \
    && $PY scripts/model_params.py "$T/out" "$T/model.md" "$T/rules.md" && cmp -s "$T/rules.md" docs/rules.md \
    && ok || bad "the parameter table of docs/rules.md §2.3 is not current: run 'make docs'"
expect_exit 0 "info --fields" -- "$BIN" info --fields
cp docs/output.md "$T/output.md" && $PY scripts/output_fields.py "$T/out" "$T/output.md" && cmp -s "$T/output.md" docs/output.md \
    && ok || bad "the field tables of docs/output.md are not current: run 'make docs'"

# --- broken scenarios: exit 2, exact message, nothing written, existing file kept ---------------
echo "precious" >"$T/keep.h5"
for f in tests/scenarios/bad/*.yaml; do
    exp=$(head -n 1 "$f" | sed 's/^# expect: //')
    expect_exit 2 "check $f" -- "$BIN" check "$f"
    grep -qF "$exp" "$T/err" && ok || bad "$f: message '$(cat "$T/err")' lacks '$exp'"
    [ -s "$T/out" ] && bad "$f: check printed on stdout" || ok
    expect_exit 2 "run $f" -- "$BIN" run "$f" -o "$T/keep.h5" -q
    [ "$(cat "$T/keep.h5")" = "precious" ] && ok || bad "$f: existing output was touched"
done
ls "$T"/keep.h5.tmp* >/dev/null 2>&1 && bad "temporary file left behind" || ok

# --- results: thread-count invariance -----------------------------------------------------------
expect_exit 0 "run -j 1" -- "$BIN" run tests/scenarios/good/tiny.yaml -o "$T/j1.h5" -j 1 -q
expect_exit 0 "run -j 2" -- "$BIN" run tests/scenarios/good/tiny.yaml -o "$T/j2.h5" -j 2 -q
expect_exit 0 "run -j 3" -- "$BIN" run tests/scenarios/good/tiny.yaml -o "$T/j3.h5" -j 3 -q
for d in summary candidates donors transplants episodes parameters variants; do
    same_ds "$T/j1.h5" "$T/j2.h5" "/$d" && ok || bad "/$d differs between -j 1 and -j 2"
    same_ds "$T/j1.h5" "$T/j3.h5" "/$d" && ok || bad "/$d differs between -j 1 and -j 3"
done
# Raw bytes of the summary too (h5diff compares values; this also catches stray padding).
h5dump -b LE -d /summary -o "$T/s1.bin" "$T/j1.h5" >/dev/null 2>&1
h5dump -b LE -d /summary -o "$T/s2.bin" "$T/j2.h5" >/dev/null 2>&1
cmp -s "$T/s1.bin" "$T/s2.bin" && ok || bad "/summary raw bytes differ between -j 1 and -j 2"
# A different seed gives different results (the comparison above can fail).
expect_exit 0 "run -s 2" -- "$BIN" run tests/scenarios/good/tiny.yaml -o "$T/s2.h5" -s 2 -q
same_ds "$T/j1.h5" "$T/s2.h5" /summary && bad "seed 2 gave the same /summary as seed 7" || ok

# --- /series snapshots draw nothing: turning them off leaves every other dataset identical -------
{ cat tests/scenarios/good/tiny.yaml; echo "output: {series_days: 0}"; } >"$T/noseries.yaml"
expect_exit 0 "run without series" -- "$BIN" run "$T/noseries.yaml" -o "$T/ns.h5" -q
for d in summary candidates donors transplants episodes groups; do
    same_ds "$T/j1.h5" "$T/ns.h5" "/$d" && ok || bad "/$d changed when /series was turned off"
done
h5dump -H -d /series "$T/j1.h5" | grep -q "DATASPACE  SIMPLE { ( 0 )" && bad "/series empty by default" || ok

# --- ready-made comparisons differ from the default scenario in exactly the keys they declare -----
for f in scenarios/*.yaml; do
    keys=$(sed -n 's/^# differs from default.yaml only in: //p' "$f")
    [ -n "$keys" ] || continue
    expect_exit 0 "run default + $f" -- "$BIN" run scenarios/default.yaml "$f" -r 1 -q --summary-only -o "$T/drift.h5"
    $PY -c "
import h5py, sys
p = h5py.File(sys.argv[1], 'r')['parameters'][:]
a = {r['name']: r['value'] for r in p[p['variant'] == 0]}
b = {r['name']: r['value'] for r in p[p['variant'] == 1]}
diff = sorted(k.decode() for k in a if a[k] != b.get(k))
want = sorted(k.strip() for k in sys.argv[2].split(','))
assert diff == want, f'differs in {diff}, declares {want}'
" "$T/drift.h5" "$keys" >"$T/drift.out" 2>&1 && ok || bad "$f: $(tail -n 1 "$T/drift.out")"
done

# --- base: a variant naming one change gives the same comparison as a full copy ---------------
{ cat scenarios/default.yaml; echo "policy.heart.nt.cap_days: 0"; } | sed 's/^name: default$/name: heart-nt-cap0/' >"$T/fullcopy.yaml"
expect_exit 0 "run default + full copy" -- "$BIN" run scenarios/default.yaml "$T/fullcopy.yaml" -r 2 -q -o "$T/full.h5"
expect_exit 0 "run default + base: variant" -- "$BIN" run scenarios/default.yaml scenarios/heart-nt-cap0.yaml -r 2 -q -o "$T/based.h5"
for d in summary candidates donors transplants episodes groups series parameters comparison; do
    same_ds "$T/full.h5" "$T/based.h5" "/$d" && ok || bad "base: variant: /$d differs from the full copy's"
done
# A file with only horizon.years runs the calibrated model: the same results as default.yaml.
printf 'horizon: {years: 10}\n' >"$T/minimal.yaml"
expect_exit 0 "run a file with only horizon.years" -- "$BIN" run "$T/minimal.yaml" -r 2 -q -o "$T/minimal.h5"
expect_exit 0 "run default.yaml" -- "$BIN" run scenarios/default.yaml -r 2 -q -o "$T/def2.h5"
for d in summary candidates donors transplants episodes groups series parameters; do
    same_ds "$T/minimal.h5" "$T/def2.h5" "/$d" && ok || bad "horizon.years only: /$d differs from default.yaml's"
done
# The stored text inlines the base: verify re-runs it from a folder without the scenario files.
(cd "$T" && "$BINABS" verify based.h5 -r 1 -q >/dev/null 2>"$T/verr") && ok || bad "verify of a base: run: $(cat "$T/verr")"

# --- the answer on stdout, messages on stderr, progress only without -q --------------------------
expect_exit 0 "run two variants" -- "$BIN" run tests/scenarios/good/tiny.yaml tests/scenarios/good/one_blood_group.yaml -r 3 -j 2 --warmup-rows -o "$T/two.h5"
head -n 1 "$T/out" | grep -q "^Differences against variant 0 (tiny)" && ok || bad "first stdout line of a two-variant run: $(head -n 1 "$T/out")"
grep -q "^variant 1 (one_blood_group), 3 replications: [0-9]* difference" "$T/out" && ok || bad "no difference block on stdout"
grep -q "\[[-+0-9.]*, [-+0-9.]*\]" "$T/out" && ok || bad "no interval on stdout"
grep -q "^wrote $T/two.h5" "$T/err" && ok || bad "the 'wrote' message is not on stderr"
grep -q "^3/6 replications\|^6/6 replications" "$T/err" && ok || bad "no progress line on stderr when it is not a terminal: $(cat "$T/err")"
grep -q "Differences" "$T/err" && bad "results on stderr" || ok
expect_exit 0 "run two variants -q" -- "$BIN" run tests/scenarios/good/tiny.yaml tests/scenarios/good/one_blood_group.yaml -r 3 -j 2 -q -o "$T/twoq.h5"
grep -q "^Differences against variant 0" "$T/out" && ok || bad "-q silenced the results"
grep -q "replications, .*/s" "$T/err" && bad "-q printed progress: $(cat "$T/err")" || ok
# wlsim info: version, variants and what differs, tables
expect_exit 0 "info" -- "$BIN" info "$T/two.h5"
grep -q "written by wlsim" "$T/out" && grep -q "^  1  one_blood_group" "$T/out" && grep -q "population.abo.A = 1 (baseline 0.43)" "$T/out" \
    && grep -q "^  /transplants *[0-9]* rows" "$T/out" && ok || bad "info output: $(cat "$T/out")"
expect_exit 2 "info of a non-results file" -- "$BIN" info tests/scenarios/good/tiny.yaml
# scripts/wlsim_read.py: labels instead of codes, counted years only unless warmup=True
$PY - "$T/two.h5" <<'PY' && ok || bad "scripts/wlsim_read.py"
import sys
sys.path.insert(0, "scripts")
import h5py, wlsim_read
tx = wlsim_read.table(sys.argv[1], "transplants")
raw = h5py.File(sys.argv[1], "r")["transplants"][:]
assert (tx.day >= 0).all() and len(tx) == (raw["day"] >= 0).sum() < len(raw), (len(tx), len(raw))  # --warmup-rows file
assert len(wlsim_read.table(sys.argv[1], "transplants", warmup=True)) == len(raw)
assert set(tx.status.cat.categories) == {"T", "HU", "NT", "SU"} and "heart" in set(tx.program)
assert list(tx.variant_name.cat.categories) == ["tiny", "one_blood_group"]
c = wlsim_read.table(sys.argv[1], "candidates")
assert ((c.end_day >= 0) | c.end_day.isna()).all() and "transplanted" in set(c.outcome)
g = wlsim_read.table(sys.argv[1], "groups")
assert set(g[g.dim == "sex"].group) == {"female", "male"}
# code columns are HDF5 enums with the labels; a file without them (older) reads the same
f = h5py.File(sys.argv[1], "r")
assert h5py.check_enum_dtype(raw.dtype["status"]) == {"T": 0, "HU": 1, "NT": 2, "SU": 3}
assert h5py.check_enum_dtype(f["summary"].dtype["program"]) == {"heart": 0, "pancreas": 1}
assert h5py.check_enum_dtype(raw.dtype["abo_step"]) is None
import os, tempfile
with tempfile.TemporaryDirectory() as d:
    old = os.path.join(d, "old.h5")
    with h5py.File(old, "w") as g5:
        g5["transplants"] = raw.astype([(k, raw.dtype[k].str) for k in raw.dtype.names])
        g5["variants"] = f["variants"][:]
    assert h5py.check_enum_dtype(h5py.File(old, "r")["transplants"].dtype["status"]) is None
    o = wlsim_read.table(old, "transplants", warmup=True)
    n = wlsim_read.table(sys.argv[1], "transplants", warmup=True)
    assert o.status.equals(n.status) and o.program.equals(n.program), "labels of a file without enum types"
PY

# --- entity tables: the counted years only unless --warmup-rows ---------------------------------
expect_exit 0 "run counted rows" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 2 -q -o "$T/counted.h5"
expect_exit 0 "run --warmup-rows" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 2 -q --warmup-rows -o "$T/wrows.h5"
$PY tests/e2e/warmup_rows.py "$T/counted.h5" "$T/wrows.h5" >"$T/wr.out" 2>&1 && ok || bad "--warmup-rows: $(tail -n 2 "$T/wr.out")"
expect_exit 0 "verify counted rows" -- "$BIN" verify "$T/counted.h5" -q
expect_exit 0 "verify --warmup-rows" -- "$BIN" verify "$T/wrows.h5" -r 1 -q

# --- replay: the example's transplant list is the hand-derived one (scenarios/replay-example) ----
expect_exit 0 "check replay example" -- "$BIN" check scenarios/replay-example/scenario.yaml
expect_exit 0 "run replay example" -- "$BIN" run scenarios/replay-example/scenario.yaml -r 2 -j 2 -q -o "$T/replay.h5"
$PY -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r')
t = f['transplants'][:]
for rep in (0, 1):  # acceptance: all makes every replication the same
    got = [(float(r['day']), r['donor'].decode(), r['candidate'].decode()) for r in t[t['replication'] == rep]]
    assert got == [(40.0, 'D1', 'H2'), (40.0, 'D1', 'P1'), (50.0, 'D2', 'H3'), (100.0, 'D3', 'P2')], got
c = f['candidates'][:]
out = {int(x['seq']): int(x['outcome']) for x in c[c['replication'] == 0]}
assert out == {0: 2, 1: 1, 2: 1, 3: 0, 4: 1, 5: 1}, out  # H1 died, H4 waiting, the rest transplanted
s = f['summary'][:]
assert list(s['deaths_waiting'][s['replication'] == 0]) == [1, 0]
" "$T/replay.h5" && ok || bad "replay example transplant list"
expect_exit 0 "run replay example -j 1" -- "$BIN" run scenarios/replay-example/scenario.yaml -r 2 -j 1 -q -o "$T/replay1.h5"
for d in summary candidates donors transplants episodes; do
    same_ds "$T/replay.h5" "$T/replay1.h5" "/$d" && ok || bad "replay /$d differs between -j 2 and -j 1"
done
$PY scripts/report.py "$T/replay.h5" -o "$T/replay-report" >"$T/rr.out" 2>&1 && [ -s "$T/replay-report/index.html" ] && ok \
    || bad "report.py on a replay: $(tail -n 3 "$T/rr.out")"

# --- replay: NT cap and HU renewal rows, hand-checked (tests/scenarios/replay/nt_cap) -----------
NTC=tests/scenarios/replay/nt_cap
expect_exit 0 "replay nt_cap" -- "$BIN" run $NTC/scenario.yaml -q -o "$T/ntcap.h5"
{ cat $NTC/scenario.yaml; echo "policy.heart.nt.cap_days: 1000"; } >$NTC/.nocap.yaml
expect_exit 0 "replay nt_cap without cap" -- "$BIN" run $NTC/.nocap.yaml -q -o "$T/nocap.h5"
rm -f $NTC/.nocap.yaml
$PY -c "
import h5py, sys
def tx(p): return [(r['donor'].decode(), r['candidate'].decode(), float(r['points'])) for r in h5py.File(p, 'r')['transplants'][:]]
assert tx(sys.argv[1]) == [('D1', 'B1', 90.0), ('D2', 'C1', 60.0)], tx(sys.argv[1])
assert tx(sys.argv[2])[0] == ('D1', 'A1', 140.0), tx(sys.argv[2])
" "$T/ntcap.h5" "$T/nocap.h5" && ok || bad "replay nt_cap transplant lists"

# --- replay: population.strict lapses a grant without a renewal row (tests/scenarios/replay/strict)
STR=tests/scenarios/replay/strict
expect_exit 0 "replay strict" -- "$BIN" run $STR/scenario.yaml -q -o "$T/strict.h5"
grep -qF "wlsim: $STR/history.csv:2: warning: candidate 'S1': the HU grant of this row (day 50) ran out on day 78 without a renewal row; T from day 78 (population.strict)" "$T/err" \
    && ok || bad "replay strict warning: $(cat "$T/err")"
sed 's/  strict: true/  strict: false/' $STR/scenario.yaml >$STR/.lenient.yaml
expect_exit 0 "replay lenient" -- "$BIN" run $STR/.lenient.yaml -q -o "$T/lenient.h5"
rm -f $STR/.lenient.yaml
grep -v "^wrote " "$T/err" | grep -q . && bad "replay lenient warned: $(cat "$T/err")" || ok   # -q keeps the 'wrote' message
$PY -c "
import h5py, sys
def tx(p): return [(r['donor'].decode(), r['candidate'].decode(), float(r['points'])) for r in h5py.File(p, 'r')['transplants'][:]]
assert tx(sys.argv[1]) == [('D1', 'S2', 100.0)], tx(sys.argv[1])
assert tx(sys.argv[2]) == [('D1', 'S1', 50.0)], tx(sys.argv[2])
" "$T/strict.h5" "$T/lenient.h5" && ok || bad "replay strict / lenient transplant lists"

# --- export: a synthetic replication written as replay files replays to the same transplants ----
# same_tx A.h5 REP B.h5: /transplants of replication REP of A equal those of B's replication 0
# (donor, candidate, day, program, status), and so do the /summary figures.
same_tx() {
    $PY -c "
import h5py, sys
def rows(p, rep):
    f = h5py.File(p, 'r'); t = f['transplants'][:]; t = t[t['replication'] == rep]
    s = f['summary'][:]; s = s[s['replication'] == rep]
    tx = [(r['donor'].decode(), r['candidate'].decode(), float(r['day']), int(r['program']), int(r['status'])) for r in t]
    sm = [tuple(x[k] for k in s.dtype.names if k not in ('variant', 'replication')) for x in s]
    return tx, repr(sm)
a, b = rows(sys.argv[1], int(sys.argv[2])), rows(sys.argv[3], 0)
assert len(a[0]) > 100, len(a[0])
assert a[0] == b[0], f'{len(a[0])} vs {len(b[0])} transplants, first difference ' + str(next((x, y) for x, y in zip(a[0] + [None], b[0] + [None]) if x != y))
assert a[1] == b[1], 'summary differs'
" "$1" "$2" "$3" >"$T/same.out" 2>&1
}
expect_exit 0 "export tiny" -- "$BIN" export tests/scenarios/good/tiny.yaml -o "$T/exp" -q
for f in candidates.csv history.csv donors.csv scenario.yaml; do [ -s "$T/exp/$f" ] && ok || bad "export wrote no $f"; done
ls -A "$T/exp" | grep -q '^\.' && bad "export left a temporary file in $T/exp" || ok
expect_exit 0 "run tiny -r 3" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 3 -q -o "$T/syn.h5"
expect_exit 0 "replay the export" -- "$BIN" run "$T/exp/scenario.yaml" -q -o "$T/rt.h5"
same_tx "$T/syn.h5" 0 "$T/rt.h5" && ok || bad "export round trip: $(tail -n 1 "$T/same.out")"
# The engine takes each file as a stream by day (sim/sim.c, replay_next): candidate rows in
# reverse and status rows grouped by candidate (each candidate's rows still in day order) give
# the same transplants as the files in day order.
cp -r "$T/exp" "$T/expo"
(head -n 1 "$T/exp/candidates.csv"; tail -n +2 "$T/exp/candidates.csv" | tac) >"$T/expo/candidates.csv"
(head -n 1 "$T/exp/history.csv"; tail -n +2 "$T/exp/history.csv" | sort -s -t, -k1,1) >"$T/expo/history.csv"
cmp -s "$T/exp/history.csv" "$T/expo/history.csv" && bad "regrouped history is the same file" || ok
expect_exit 0 "replay rows out of day order" -- "$BIN" run "$T/expo/scenario.yaml" -q -o "$T/rto.h5"
same_tx "$T/rt.h5" 0 "$T/rto.h5" && ok || bad "rows out of day order changed the replay: $(tail -n 1 "$T/same.out")"
# A region outside the DSO names, in both files, is one region for candidates and donors (the
# same transplants as under its DSO name), and when several files are bad the message is the
# first file's: candidates, then history, then donors.
cp -r "$T/exp" "$T/expr"
sed -i 's/,Bayern,/,Atlantis,/g' "$T/expr/candidates.csv" "$T/expr/donors.csv"
grep -q ',Atlantis,' "$T/expr/candidates.csv" && grep -q ',Atlantis,' "$T/expr/donors.csv" && ok \
    || bad "renamed region missing from the replay files"
expect_exit 0 "replay with a region outside the DSO names" -- "$BIN" run "$T/expr/scenario.yaml" -q -o "$T/rtr.h5"
same_tx "$T/rt.h5" 0 "$T/rtr.h5" && ok || bad "renamed region changed the replay: $(tail -n 1 "$T/same.out")"
cp "$T/expr/donors.csv" "$T/expr/donors.good"
sed -i '3s/^\([^,]*\),[^,]*,/\1,yesterday,/' "$T/expr/donors.csv"
expect_exit 2 "replay with a bad donor day" -- "$BIN" check "$T/expr/scenario.yaml"
grep -q "donors.csv:3:2: " "$T/err" && ok || bad "bad donor day message: $(cat "$T/err")"
cp "$T/expr/history.csv" "$T/expr/history.good"
sed -i '2s/^\([^,]*\),[^,]*,/\1,soon,/' "$T/expr/history.csv"
expect_exit 2 "replay with bad history and donors" -- "$BIN" check "$T/expr/scenario.yaml"
grep -q "history.csv:2:2: " "$T/err" && ! grep -q "donors.csv" "$T/err" && ok \
    || bad "bad history and donors message: $(cat "$T/err")"
sed -i '2s/^\([^,]*\),[^,]*,/\1,nobody,/' "$T/expr/candidates.csv"
expect_exit 2 "replay with bad candidates, history and donors" -- "$BIN" check "$T/expr/scenario.yaml"
grep -q "candidates.csv:2:2: " "$T/err" && ! grep -q "donors.csv\|history.csv" "$T/err" && ok \
    || bad "bad candidates, history and donors message: $(cat "$T/err")"
# Another replication, through population.replication (its offer decisions are its own).
expect_exit 0 "export -r 2" -- "$BIN" export tests/scenarios/good/tiny.yaml -r 2 -o "$T/exp2" -q
expect_exit 0 "replay the export of -r 2" -- "$BIN" run "$T/exp2/scenario.yaml" -q -o "$T/rt2.h5"
same_tx "$T/syn.h5" 2 "$T/rt2.h5" && ok || bad "export round trip -r 2: $(tail -n 1 "$T/same.out")"
# The comparison can fail: every offer accepted, or the streams of another replication, or a
# changed rule give other transplants from the same files.
sed 's/^acceptance: "model"$/acceptance: "all"/' "$T/exp/scenario.yaml" >"$T/exp/all.yaml"
sed 's/^  replication: 0 /  replication: 1 /' "$T/exp/scenario.yaml" >"$T/exp/rep1.yaml"
sed 's/^policy.heart.nt.cap_days: 30$/policy.heart.nt.cap_days: 0/' "$T/exp/scenario.yaml" >"$T/exp/cap0.yaml"
for v in all rep1 cap0; do
    cmp -s "$T/exp/scenario.yaml" "$T/exp/$v.yaml" && bad "counter-check $v: sed changed nothing"
    expect_exit 0 "replay $v" -- "$BIN" run "$T/exp/$v.yaml" -q -o "$T/rt-$v.h5"
    same_tx "$T/syn.h5" 0 "$T/rt-$v.h5" && bad "counter-check $v: same transplants as the synthetic run" || ok
done
# Errors: bad scenario, a replay scenario, an unusable -o, bad arguments; nothing left behind.
expect_exit 2 "export a bad scenario" -- "$BIN" export tests/scenarios/bad/duplicate_key.yaml -o "$T/expbad"
grep -q "duplicate_key.yaml:[0-9]*:[0-9]*: " "$T/err" && ok || bad "export bad scenario message: $(cat "$T/err")"
[ ! -e "$T/expbad" ] && ok || bad "export of a bad scenario created $T/expbad"
expect_exit 2 "export a replay" -- "$BIN" export "$T/exp/scenario.yaml" -o "$T/expbad"
grep -q "population.source: expected a synthetic scenario to export, found a replay" "$T/err" && ok || bad "export replay message: $(cat "$T/err")"
echo x >"$T/afile"
expect_exit 2 "export below a file" -- "$BIN" export tests/scenarios/good/tiny.yaml -o "$T/afile/sub/dir"
grep -q "wlsim export: argument -o: expected a folder, found the file '$T/afile'" "$T/err" \
    && ok || bad "export -o message: $(cat "$T/err")"
# A relative -o whose parents do not exist yet (the README's `-o out/r1`): created, and the
# replay runs from there.
mkdir "$T/fresh"
(cd "$T/fresh" && "$BINABS" export "$ROOT/tests/scenarios/good/tiny.yaml" -r 1 -o out/r1 -q 2>"$T/err" &&
    "$BINABS" run out/r1/scenario.yaml -q -o r1.h5 >/dev/null 2>>"$T/err") && ok || bad "export -o out/r1: $(cat "$T/err")"
expect_exit 2 "export to a file" -- "$BIN" export tests/scenarios/good/tiny.yaml -o "$T/afile"
[ "$(cat "$T/afile")" = "x" ] && ok || bad "export -o FILE touched the file"
expect_exit 2 "export without -o" -- "$BIN" export tests/scenarios/good/tiny.yaml
expect_exit 2 "export -r -1" -- "$BIN" export tests/scenarios/good/tiny.yaml -r -1 -o "$T/expbad"
[ ! -e "$T/expbad" ] && ok || bad "a failed export left $T/expbad"
expect_exit 0 "export --help" -- "$BIN" export --help
grep -q "wlsim export SCENARIO.yaml -o DIR" "$T/out" && ok || bad "export --help"

# --- a sweep expands into named variants ----------------------------------------------------------
expect_exit 0 "run a sweep" -- "$BIN" run scenarios/sweep-heart-hu.yaml -r 1 -q --summary-only -o "$T/sweep.h5"
$PY -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r'); v = [x.decode() for x in f['variants'][:]['name']]
assert len(v) == 10 and v[0] == 'sweep-heart-hu' and v[1].endswith('[policy.heart.hu.renewal_days=42,policy.heart.nt.cap_days=0]'), v
p = f['parameters'][:]
assert p[(p['variant'] == 9) & (p['name'] == b'policy.heart.nt.cap_days')]['value'][0] == b'90'
assert len(f['comparison'][:]) > 0
# Grid point 5 (56 days, cap 30) has the guideline's values: bit-identical to the baseline.
s = f['summary'][:]
names = [n for n in s.dtype.names if n != 'variant']
a, b = s[s['variant'] == 0], s[s['variant'] == 5]
assert all((a[n] == b[n]).all() for n in names), 'grid point equal to the baseline differs'
" "$T/sweep.h5" && ok || bad "sweep variants"

# --- --branch: variants continue one shared warm-up (docs/compare.md) ----------------------------
# Variant 1 repeats variant 0's rules (another name), variant 2 lowers the pancreas ECD age limit.
{ cat tests/scenarios/good/tiny.yaml; echo "description: the same rules"; } | sed 's/^name: tiny/name: tiny-same/' >"$T/same.yaml"
{ cat tests/scenarios/good/tiny.yaml; printf 'policy:\n  pancreas:\n    ecd: {age_max: 50}\n'; } | sed 's/^name: tiny/name: tiny-ecd50/' >"$T/ecd50.yaml"
BR="tests/scenarios/good/tiny.yaml $T/same.yaml $T/ecd50.yaml"
# --warmup-rows: the checks below compare the shared warm-up's records (and "plain" is $T/j1w.h5).
expect_exit 0 "run -j 1 --warmup-rows" -- "$BIN" run tests/scenarios/good/tiny.yaml -o "$T/j1w.h5" -j 1 -q --warmup-rows
expect_exit 0 "--branch -j 1" -- "$BIN" run $BR --branch -r 3 -j 1 -q --warmup-rows -o "$T/br1.h5"
expect_exit 0 "--branch -j 2" -- "$BIN" run $BR --branch -r 3 -j 2 -q --warmup-rows -o "$T/br2.h5"
expect_exit 0 "the same without --branch" -- "$BIN" run $BR -r 3 -j 2 -q --warmup-rows -o "$T/nobr.h5"
for d in summary candidates donors transplants episodes groups series comparison; do
    same_ds "$T/br1.h5" "$T/br2.h5" "/$d" && ok || bad "--branch: /$d differs between -j 1 and -j 2"
done
$PY - "$T/br2.h5" "$T/nobr.h5" "$T/j1w.h5" >"$T/br.out" 2>&1 <<'EOF2' && ok || bad "--branch: $(tail -n 3 "$T/br.out")"
import sys, h5py, numpy as np
b, n, plain = (h5py.File(p, "r") for p in sys.argv[1:4])
assert b.attrs["branch"] == 1 and n.attrs["branch"] == 0, (b.attrs["branch"], n.attrs["branch"])
def rows(f, t, v, reps=3):
    x = f[t][:]
    x = x[(x["variant"] == v) & (x["replication"] < reps)]
    return {k: x[k] for k in x.dtype.names if k != "variant"}
def same(a, c):
    return all(np.array_equal(a[k], c[k], equal_nan=a[k].dtype.kind == "f") for k in a)
for t in ("summary", "candidates", "donors", "transplants", "episodes", "groups", "series"):
    # variant 0 under --branch is the plain run; a variant with variant 0's rules reproduces it
    assert same(rows(b, t, 0), rows(plain, t, 0)), f"{t}: variant 0 under --branch differs from the plain run"
    assert same(rows(b, t, 0), rows(b, t, 1)), f"{t}: the identical variant differs from variant 0"
# the warm-up is shared: every record before day 0 is the same in the ECD variant ...
for t, day in (("donors", "day"), ("transplants", "day"), ("episodes", "day"), ("series", "day")):
    a, c = rows(b, t, 0), rows(b, t, 2)
    ma, mc = a[day] < 0, c[day] < 0
    assert ma.sum() > 0 and same({k: v[ma] for k, v in a.items()}, {k: v[mc] for k, v in c.items()}), f"{t} before day 0 differ"
# ... without --branch it is not (the ECD variant had its own warm-up under its own rule: its
# donors aged 51-60 were extended-criteria donors already before day 0) ...
a, c = rows(n, "donors", 0), rows(n, "donors", 2)
assert not same({k: v[a["day"] < 0] for k, v in a.items()}, {k: v[c["day"] < 0] for k, v in c.items()}), "warm-ups equal without --branch"
# ... and after day 0 the pancreas programme differs while the heart rows stay identical
s0, s2 = rows(b, "summary", 0), rows(b, "summary", 2)
h = s0["program"] == 0
assert same({k: v[h] for k, v in s0.items()}, {k: v[h] for k, v in s2.items()}), "heart rows differ"
assert not same({k: v[~h] for k, v in s0.items()}, {k: v[~h] for k, v in s2.items()}), "ECD change had no effect after day 0"
print("ok")
EOF2
expect_exit 0 "verify a --branch file" -- "$BIN" verify "$T/br2.h5" -j 2
grep -q "3 of 3 replications identical" "$T/out" && ok || bad "verify --branch: $(cat "$T/out")"
# A --branch file re-run without branching does not match: verify really follows the attribute.
cp "$T/br2.h5" "$T/br0.h5"
$PY -c "import h5py,sys,numpy as np; f=h5py.File(sys.argv[1],'r+'); f.attrs['branch']=np.int32(0); f.close()" "$T/br0.h5"
expect_exit 1 "verify a --branch file as unbranched" -- "$BIN" verify "$T/br0.h5"
expect_exit 0 "--branch --summary-only" -- "$BIN" run $BR --branch --summary-only -r 3 -j 2 -q -o "$T/brs.h5"
same_ds "$T/br1.h5" "$T/brs.h5" /summary && ok || bad "--branch --summary-only: /summary differs"
expect_exit 0 "verify a --branch --summary-only file" -- "$BIN" verify "$T/brs.h5"
expect_exit 2 "--branch=x" -- "$BIN" run $BR --branch=x -q -o "$T/brx.h5"
grep -q "argument --branch: expected keep or redraw, found 'x'" "$T/err" && ok || bad "--branch=x message: $(cat "$T/err")"
expect_exit 0 "--branch=redraw" -- "$BIN" run $BR --branch=redraw -r 2 -j 2 -q -o "$T/brr.h5"
$PY -c "import h5py,sys; assert h5py.File(sys.argv[1])['summary'].file.attrs['branch'] == 2" "$T/brr.h5" && ok || bad "--branch=redraw: attribute branch is not 2"
expect_exit 0 "verify a --branch=redraw file" -- "$BIN" verify "$T/brr.h5"
# With --uncertainty every variant of a replication draws the same values, so branching composes.
expect_exit 0 "--branch --uncertainty" -- "$BIN" run tests/scenarios/good/tiny.yaml "$T/same.yaml" --branch --uncertainty tests/uncertainty/tiny.yaml -r 3 -j 2 -q --summary-only -o "$T/bru.h5"
expect_exit 0 "verify a --branch --uncertainty file" -- "$BIN" verify "$T/bru.h5"
# Only policy.*, name and description may differ: anything else is exit 2 naming the key.
sed 's/^name: tiny/name: tiny-donors/; s/donors: {per_year: 400}/donors: {per_year: 300}/' tests/scenarios/good/tiny.yaml >"$T/donors.yaml"
expect_exit 0 "the other-population scenario is valid" -- "$BIN" check "$T/donors.yaml"
expect_exit 2 "--branch with another population" -- "$BIN" run tests/scenarios/good/tiny.yaml "$T/donors.yaml" --branch -q -o "$T/brbad.h5"
grep -qF "$T/donors.yaml: population.donors.per_year: expected 400 as in tests/scenarios/good/tiny.yaml (variant 0) under --branch, found 300" "$T/err" \
    && ok || bad "--branch bad variant message: $(cat "$T/err")"
sed 's/years: 3}/years: 4}/' "$T/same.yaml" >"$T/longer.yaml"
expect_exit 2 "--branch with another horizon" -- "$BIN" run tests/scenarios/good/tiny.yaml "$T/longer.yaml" --branch -q -o "$T/brbad.h5"
grep -q "horizon.years: expected 3 as in" "$T/err" && ok || bad "--branch horizon message: $(cat "$T/err")"
[ ! -e "$T/brbad.h5" ] && [ ! -e "$T/brbad.h5.resume" ] && ok || bad "--branch refusal wrote files"
expect_exit 0 "the same two without --branch" -- "$BIN" run tests/scenarios/good/tiny.yaml "$T/donors.yaml" -r 1 -q -o "$T/brbad.h5"

# --- the file as users read it ------------------------------------------------------------------
if $PY - "$T/j1.h5" >"$T/py.out" 2>&1 <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for a in ["wlsim_version", "git_commit", "seed", "replications", "rng", "threads", "created", "scenario_text_0"]:
    assert a in f.attrs, a
assert f.attrs["replications"] == 4 and f.attrs["seed"] == 7
assert "name: tiny" in f.attrs["scenario_text_0"].decode() if isinstance(f.attrs["scenario_text_0"], bytes) else "name: tiny" in f.attrs["scenario_text_0"]
s = f["summary"][:]
assert len(s) == 4 * 2, len(s)
assert list(s["replication"]) == [0, 0, 1, 1, 2, 2, 3, 3], list(s["replication"])
assert list(s["program"]) == [0, 1] * 4
for k in ["variant", "replication", "program", "years", "listings", "transplants", "transplants_urgent",
          "deaths_waiting", "removed", "waiting_end", "median_wait_days"]:
    assert k in s.dtype.names, k
assert (s["years"] == 3).all()
tx = f["transplants"][:]
for r in range(4):
    for p in (0, 1):
        n = ((tx["replication"] == r) & (tx["day"] >= 0) & (tx["day"] < 3 * 365.25) &
             (np.isin(tx["program"], [0, 1] if p == 0 else [2, 3]))).sum()
        row = s[(s["replication"] == r) & (s["program"] == p)][0]
        assert n == row["transplants"], (r, p, n, row["transplants"])
v = f["variants"][:]
assert v["name"][0] == b"tiny"
print("ok")
EOF
then ok; else bad "h5py read-back: $(cat "$T/py.out")"; fi

# --- invariants on real runs (no NT/ABO-incompatible transplant, HU/SU expiry, children HU ...) ---
expect_exit 0 "run for invariants" -- "$BIN" run scenarios/default.yaml -r 3 -j 2 -q -o "$T/inv.h5"
if $PY tests/e2e/invariants.py "$T/inv.h5" >"$T/inv.out" 2>&1; then ok; else bad "invariants: $(grep FAIL "$T/inv.out")"; fi
# With the warm-up's rows every death after a transplant is in the file: the exact count is checked.
expect_exit 0 "run for invariants --warmup-rows" -- "$BIN" run scenarios/default.yaml -r 2 -j 2 -q --warmup-rows -o "$T/invw.h5"
if $PY tests/e2e/invariants.py "$T/invw.h5" >"$T/inv.out" 2>&1; then ok; else bad "invariants --warmup-rows: $(grep FAIL "$T/inv.out")"; fi
# The checker can fail: a transplant moved to NT status must be reported.
cp "$T/inv.h5" "$T/tampered.h5"
$PY -c "
import h5py, sys
f = h5py.File(sys.argv[1], 'r+'); t = f['transplants'][:]; t['status'][0] = 2; f['transplants'][...] = t
" "$T/tampered.h5"
if $PY tests/e2e/invariants.py "$T/tampered.h5" >"$T/inv.out" 2>&1; then bad "invariants missed an NT transplant"; else
    grep -q "FAIL no NT candidate transplanted" "$T/inv.out" && ok || bad "invariants: wrong failure $(cat "$T/inv.out")"; fi

# --- two variants with common random numbers: a pancreas-only rule change keeps heart identical ---
# --warmup-rows: every listing of both variants, so the listings can be compared one to one
expect_exit 0 "run two variants" -- "$BIN" run scenarios/default.yaml scenarios/pancreas-ecd-age50.yaml -r 2 -j 2 -q --warmup-rows -o "$T/ab.h5"
if $PY - "$T/ab.h5" >"$T/ab.out" 2>&1 <<'EOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s = f["summary"][:]
names = [n for n in s.dtype.names if n != "variant"]
h0, h1 = s[(s["variant"] == 0) & (s["program"] == 0)], s[(s["variant"] == 1) & (s["program"] == 0)]
assert len(h0) == 2 and all((h0[n] == h1[n]).all() for n in names), "heart rows differ"
p0, p1 = s[(s["variant"] == 0) & (s["program"] == 1)], s[(s["variant"] == 1) & (s["program"] == 1)]
assert any((p0[n] != p1[n]).any() for n in names), "pancreas rows identical: the age limit had no effect"
c = f["candidates"][:]
c0, c1 = c[c["variant"] == 0], c[c["variant"] == 1]
l0 = c0[(c0["relist_of"] == 4294967295)]; l1 = c1[(c1["relist_of"] == 4294967295)]
assert (l0["seq"] == l1["seq"]).all() and (l0["listed_day"] == l1["listed_day"]).all(), "listings differ"
v = f["variants"][:]
assert [x.decode() for x in v["name"]] == ["default", "pancreas-ecd-age50"]
cmp = f["comparison"][:]
heart = cmp[cmp["program"] == 0]
assert len(heart) > 20 and (heart["diff_mean"][~np.isnan(heart["diff_mean"])] == 0).all(), "heart differences not 0"
t = cmp[(cmp["program"] == 1) & (cmp["metric"] == b"transplants_per_year")][0]
assert t["n"] == 2 and t["ci_low"] <= t["diff_mean"] <= t["ci_high"], t
assert abs(t["diff_mean"] - (p1["transplants"] / p1["years"] - p0["transplants"] / p0["years"]).mean()) < 1e-9, t
print("ok")
EOF
then ok; else bad "variants/CRN: $(cat "$T/ab.out")"; fi

# --- the report renders from a real two-variant run -------------------------------------------
if $PY scripts/report.py "$T/ab.h5" -o "$T/report" >"$T/rep.out" 2>&1; then ok; else bad "report.py: $(tail -n 5 "$T/rep.out")"; fi
grep -q "Differences against variant 0" "$T/report/index.html" 2>/dev/null && ok || bad "report lacks the comparison table"
grep -q "pancreas-ecd-age50" "$T/report/index.html" 2>/dev/null && ok || bad "report lacks the variant name"
grep -q "<h2>In brief</h2>" "$T/report/index.html" 2>/dev/null && ok || bad "report does not open with sentences"
grep -q "identical to variant 0 in every replication" "$T/report/index.html" && ok || bad "report: identical rows not folded"
grep -q "<dt><b>dMCS</b></dt>" "$T/report/index.html" && ok || bad "report: no glossary"
head -c 8 "$T/report/forest.png" 2>/dev/null | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" && ok || bad "report: no forest plot"
grep -q "graft_tx_1y" "$T/report/index.html" 2>/dev/null && ok || bad "report lacks the outcome rows of the comparison"
for png in cif_heart cif_pancreas survival_listing survival_tx waits groups series; do
    head -c 8 "$T/report/$png.png" 2>/dev/null | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" && ok || bad "report: $png.png missing or not a PNG"
    grep -q "src=\"$png.png\"" "$T/report/index.html" 2>/dev/null && ok || bad "report: index.html does not show $png.png"
done
expect_exit 2 "report.py on a non-results file" -- $PY scripts/report.py tests/scenarios/good/tiny.yaml -o "$T/r2"

# --- a fractional allocation.max_offers allows ceil(max_offers) offers on every path --------------
sed 's/^name: tiny/name: tiny-offers/' tests/scenarios/good/tiny.yaml >"$T/offers.yaml"
printf 'allocation: {max_offers: 2.5}\n' >>"$T/offers.yaml"
expect_exit 0 "run max_offers 2.5" -- "$BIN" run "$T/offers.yaml" -r 2 -q -o "$T/offers.h5"
$PY - "$T/offers.h5" <<'PY' && ok || bad "max_offers 2.5: offers per organ are not capped at 3, or 3 is never reached"
import sys, h5py
t = h5py.File(sys.argv[1])["transplants"][:]
heart = t[t["program"] <= 1]      # heart and heart-lung: the path that selects the best few
assert heart["offer_no"].max() == 3, heart["offer_no"].max()
assert t["offer_no"].max() == 3, t["offer_no"].max()
PY

# --- an interrupted run leaves the existing file and no temporary ------------------------------
echo "precious" >"$T/keep2.h5"
"$BIN" run tests/scenarios/good/tiny.yaml -r 100000 -j 2 -q -o "$T/keep2.h5" 2>"$T/err" &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && ok || bad "SIGTERM: exit $rc, expected 130 ($(cat "$T/err"))"
[ "$(cat "$T/keep2.h5")" = "precious" ] && ok || bad "SIGTERM: existing output was touched"
ls "$T"/keep2.h5.tmp* >/dev/null 2>&1 && bad "SIGTERM: temporary file left behind" || ok
# The finished work stays in the side file, and the message says how to go on.
[ -s "$T/keep2.h5.resume" ] && ok || bad "SIGTERM: no resume side file kept"
grep -q -- "--resume" "$T/err" && ok || bad "SIGTERM: message does not mention --resume ($(cat "$T/err"))"
expect_exit 2 "run over an unfinished run without --resume" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 1 -q -o "$T/keep2.h5"
expect_exit 2 "--resume with other settings" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 1 -q -o "$T/keep2.h5" --resume
[ "$(cat "$T/keep2.h5")" = "precious" ] && ok || bad "refused runs touched the existing output"
rm -f "$T/keep2.h5.resume"
# ... and a completed run does replace it.
expect_exit 0 "run replaces" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 1 -q -o "$T/keep2.h5"
h5dump -H "$T/keep2.h5" >/dev/null 2>&1 && ok || bad "completed run did not replace the file"

# --- wlsim rank (its own script) ---------------------------------------------------------------
if [ -f tests/e2e/rank.sh ]; then
    if sh tests/e2e/rank.sh "$BIN" >"$T/rank.out" 2>&1; then ok; else bad "tests/e2e/rank.sh: $(tail -n 20 "$T/rank.out")"; fi
    tail -n 1 "$T/rank.out"
fi

# --- score policies (their own script) -----------------------------------------------------------
if sh tests/e2e/score.sh "$BIN" >"$T/score.out" 2>&1; then ok; else bad "tests/e2e/score.sh: $(tail -n 20 "$T/score.out")"; fi
tail -n 1 "$T/score.out"

# --- hostile input and faults (their own script) ---------------------------------------------
if sh tests/e2e/hostile.sh "$BIN" >"$T/hostile.out" 2>&1; then ok; else bad "tests/e2e/hostile.sh: $(grep FAIL "$T/hostile.out" | head -n 20)"; fi
tail -n 1 "$T/hostile.out"

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
