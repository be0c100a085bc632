#!/bin/sh
# End-to-end tests of `wlsim run --uncertainty` (docs/scenario.md, "Parameter uncertainty"): the
# same draws for any -j, after a kill and --resume, and under MPI ranks; every variant of a
# replication on the same parameter set; a zero-width distribution reproducing the run without
# --uncertainty bit for bit; `wlsim verify` re-drawing; and every error path of U.yaml (exit 2,
# FILE:LINE:COL, nothing written).
# Usage: tests/e2e/uncert.sh path/to/wlsim [path/to/wlsim-mpi]   (from the repository root)
set -u
BIN=${1:?usage: uncert.sh path/to/wlsim [path/to/wlsim-mpi]}
MPIBIN=${2:-}
PY=/usr/bin/python3
. tests/e2e/lib.sh
U=tests/uncertainty/tiny.yaml
TINY=tests/scenarios/good/tiny.yaml
# Two variants: tiny and tiny with the pre-2026 ECD age limit; a third identical to the baseline.
sed 's/^name: tiny/name: tiny-ecd50/' $TINY >"$T/ecd50.yaml"
echo "policy: {pancreas: {ecd: {age_max: 50}}}" >>"$T/ecd50.yaml"
sed 's/^name: tiny/name: tiny-again/' $TINY >"$T/again.yaml"
RUN="$TINY $T/ecd50.yaml $T/again.yaml"
ALL="summary candidates donors transplants episodes groups series parameters variants comparison draws sensitivity uncertainty"
same() { # same A B WHAT DATASETS...
    a=$1; b=$2; what=$3; shift 3
    for d in "$@"; do
        same_ds "$a" "$b" "/$d" && ok || bad "$what: /$d differs"
    done
}

# --- the same draws for any thread count ---------------------------------------------------------
expect_exit 0 "run -j 1 --uncertainty" -- "$BIN" run $RUN -r 12 -j 1 -q --warmup-rows -o "$T/u1.h5" --uncertainty $U
expect_exit 0 "run -j 2 --uncertainty" -- "$BIN" run $RUN -r 12 -j 2 --warmup-rows -o "$T/u2.h5" --uncertainty $U
same "$T/u1.h5" "$T/u2.h5" "-j 1 vs -j 2 under --uncertainty" $ALL
grep -q "^Under parameter uncertainty" "$T/out" && ok || bad "the summary has no uncertainty part: $(cat "$T/err")"
grep -Eq "tiny-ecd50, pancreas transplants_per_year: .* of draws; (depends most on|no parameter stands out \(largest:) [a-z]" "$T/out" && ok \
    || bad "the summary does not name the parameter a difference depends on: $(cat "$T/err")"

# --- what the file holds -----------------------------------------------------------------------
if $PY - "$T/u1.h5" $U >"$T/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["uncertainty_text"].decode() == open(sys.argv[2]).read()
d = f["draws"][:]
names = [l.split(":")[0] for l in open(sys.argv[2]) if l[0] not in "# \n"]
assert len(d) == 12 * len(names), len(d)
assert [x.decode() for x in d["parameter"][:len(names)]] == names
assert (d["replication"] == np.repeat(np.arange(12), len(names))).all()
v = d["value"].reshape(12, len(names))
assert len(np.unique(v[:, 0])) == 12, "draws do not vary over replications"
assert ((v[:, 1] >= 300) & (v[:, 1] <= 500)).all() and ((v[:, 2] >= 0.08) & (v[:, 2] <= 0.15)).all()
# Every variant of a replication ran on the same parameter set: the variant identical to the
# baseline (variant 2) reproduces it exactly, although every replication has other parameters.
s = f["summary"][:]
names_s = [n for n in s.dtype.names if n != "variant"]
s0, s2 = s[s["variant"] == 0], s[s["variant"] == 2]
assert all((s0[n] == s2[n]).all() for n in names_s), "variant 2 differs from variant 0"
t = f["transplants"][:]
t0, t2 = t[t["variant"] == 0], t[t["variant"] == 2]
assert (t0["candidate_seq"] == t2["candidate_seq"]).all() and (t0["day"] == t2["day"]).all()
# The donors arrive at the rate drawn for their replication (Poisson: 5 standard deviations).
don = f["donors"][:]
for r in range(12):
    n = ((don["variant"] == 0) & (don["replication"] == r) & (don["day"] >= -365.25)).sum()
    rate = v[r, 1] * 4
    assert abs(n - rate) < 5 * np.sqrt(rate), (r, n, rate)
sens = f["sensitivity"][:]
assert len(sens) == len(f["comparison"][:]) * len(names), len(sens)
unc = f["uncertainty"][:]
assert len(unc) == len(f["comparison"][:])
z = unc[unc["variant"] == 2]
assert (z["diff_mean"][~np.isnan(z["diff_mean"])] == 0).all() and (z["top_parameter"] == b"").all()
print("ok")
PY
then ok; else bad "contents of an --uncertainty file: $(cat "$T/py.out")"; fi

# --- the report: a tornado chart and a scatter per main metric, and the sign sentence ----------------
if $PY scripts/report.py "$T/u1.h5" -o "$T/report" >"$T/rep.out" 2>&1; then ok; else bad "report.py: $(tail -n 5 "$T/rep.out")"; fi
for png in tornado_transplants_per_year scatter_transplants_per_year tornado_deaths_waiting_per_year; do
    head -c 8 "$T/report/$png.png" 2>/dev/null | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" && ok || bad "report: $png.png missing"
    grep -q "src=\"$png.png\"" "$T/report/index.html" 2>/dev/null && ok || bad "report: index.html does not show $png.png"
done
grep -q "How sure are we, really?" "$T/report/index.html" && ok || bad "report lacks the uncertainty section"
grep -Eq "the sign of the difference \((positive|negative)\) (holds|does <b>not</b> hold) in at least 95 % of the parameter draws" \
    "$T/report/index.html" && ok || bad "report lacks the sentence on the sign"

# --- zero-width distributions reproduce the run without --uncertainty, bit for bit ---------------
expect_exit 0 "run without --uncertainty" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 3 -j 2 -q -o "$T/plain.h5"
expect_exit 0 "run with a degenerate --uncertainty" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 3 -j 2 -q -o "$T/degen.h5" \
    --uncertainty tests/uncertainty/degenerate.yaml
same "$T/plain.h5" "$T/degen.h5" "zero-width uncertainty vs none" summary candidates donors transplants episodes groups series comparison parameters
for d in summary transplants comparison; do
    h5dump -b LE -d /$d -o "$T/p.bin" "$T/plain.h5" >/dev/null 2>&1
    h5dump -b LE -d /$d -o "$T/d.bin" "$T/degen.h5" >/dev/null 2>&1
    cmp -s "$T/p.bin" "$T/d.bin" && ok || bad "/$d raw bytes differ between a degenerate --uncertainty and none"
done
h5ls "$T/plain.h5/draws" >/dev/null 2>&1 && bad "a run without --uncertainty has /draws" || ok
h5dump -A -a uncertainty_text "$T/plain.h5" >/dev/null 2>&1 && bad "a run without --uncertainty has uncertainty_text" || ok
# ... and a real distribution does change the results (the comparison above can fail).
expect_exit 0 "run with --uncertainty, same runs" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 3 -j 2 -q -o "$T/real.h5" --uncertainty $U
same_ds "$T/plain.h5" "$T/real.h5" /summary && bad "--uncertainty changed nothing" || ok

# Heart parameters cannot act on the pancreas list: uncertain heart hazards leave every pancreas
# row as it was without --uncertainty, and change the heart rows.
expect_exit 0 "run with heart-only uncertainty" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 3 -j 2 -q -o "$T/heart.h5" \
    --uncertainty tests/uncertainty/heart-only.yaml
$PY - "$T/plain.h5" "$T/heart.h5" <<'PY' && ok || bad "heart-only uncertainty: pancreas rows changed, or heart rows did not"
import sys, h5py
a, b = (h5py.File(p)["summary"][:] for p in sys.argv[1:3])
assert (a[a["program"] == 1] == b[b["program"] == 1]).all()
assert not (a[a["program"] == 0] == b[b["program"] == 0]).all()
PY

# --- verify re-draws ------------------------------------------------------------------------------
expect_exit 0 "verify an --uncertainty file" -- "$BIN" verify "$T/u1.h5" -j 2
grep -q "^draws: identical" "$T/out" && ok || bad "verify does not check /draws: $(cat "$T/out")"
grep -q "^sensitivity: identical" "$T/out" && ok || bad "verify does not check /sensitivity: $(cat "$T/out")"
grep -q "12 of 12 replications identical" "$T/out" && ok || bad "verify: $(cat "$T/out")"
cp "$T/u1.h5" "$T/ualt.h5"
$PY -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    d = f['draws']; r = d[5]; r['value'] *= 1.01; d[5] = r
" "$T/ualt.h5"
expect_exit 1 "verify an altered draw" -- "$BIN" verify "$T/ualt.h5" -r 2
grep -q "^draws: DIFFERS (/draws row 5, field value)" "$T/out" && ok || bad "verify names the altered draw: $(cat "$T/out")"

# --- resume after SIGKILL, and a side file of other distributions is refused ----------------------
expect_exit 0 "long reference" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 60 -j 2 -q -o "$T/lref.h5" --uncertainty $U
"$BIN" run $TINY "$T/ecd50.yaml" -r 60 -j 2 -q -o "$T/long.h5" --uncertainty $U 2>/dev/null &
pid=$!
i=0
while [ "$(stat -c %s "$T/long.h5.resume" 2>/dev/null || echo 0)" -lt 1000000 ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -s "$T/long.h5.resume" ] && [ ! -e "$T/long.h5" ] && ok || bad "the run was not killed mid-way"
expect_exit 2 "--resume without --uncertainty" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 60 -j 2 -q -o "$T/long.h5" --resume
grep -q "different run" "$T/err" && ok || bad "fingerprint without --uncertainty: $(cat "$T/err")"
expect_exit 2 "--resume with other distributions" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 60 -j 2 -q -o "$T/long.h5" --resume \
    --uncertainty tests/uncertainty/degenerate.yaml
expect_exit 0 "--resume --uncertainty" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 60 -j 1 -q -o "$T/long.h5" --resume --uncertainty $U
same "$T/lref.h5" "$T/long.h5" "killed and resumed --uncertainty run" $ALL

# --- the shipped distributions load against the default scenario and its ECD variant --------------
expect_exit 0 "scenarios/uncertainty-default.yaml" -- "$BIN" run scenarios/default.yaml scenarios/pancreas-ecd-age50.yaml \
    -r 1 -q --summary-only -o "$T/shipped.h5" --uncertainty scenarios/uncertainty-default.yaml

expect_exit 0 "check --uncertainty scenarios/uncertainty-default.yaml" -- "$BIN" check scenarios/default.yaml \
    scenarios/pancreas-ecd-age50.yaml --uncertainty scenarios/uncertainty-default.yaml
[ "$(cat "$T/out")" = "ok" ] && ok || bad "check --uncertainty prints only ok"
expect_exit 2 "check --uncertainty of a bad file" -- "$BIN" check $TINY --uncertainty tests/uncertainty/bad/unknown.yaml
grep -qF "$(head -n 1 tests/uncertainty/bad/unknown.yaml | sed 's/^# expect: //')" "$T/err" && ok || bad "check --uncertainty message: $(cat "$T/err")"
expect_exit 2 "check --uncertainty without a file" -- "$BIN" check $TINY --uncertainty

# --- errors: exit 2, FILE:LINE:COL, nothing written -----------------------------------------------
echo "precious" >"$T/keep.h5"
for f in tests/uncertainty/bad/*.yaml; do
    exp=$(head -n 1 "$f" | sed 's/^# expect: //')
    expect_exit 2 "run --uncertainty $f" -- "$BIN" run $TINY scenarios/default.yaml -o "$T/keep.h5" -q --uncertainty "$f"
    grep -qF "$exp" "$T/err" && ok || bad "$f: message '$(cat "$T/err")' lacks '$exp'"
    [ "$(cat "$T/keep.h5")" = "precious" ] && [ ! -e "$T/keep.h5.resume" ] && ok || bad "$f: files were touched"
done
expect_exit 2 "--uncertainty of a missing file" -- "$BIN" run $TINY -o "$T/keep.h5" -q --uncertainty "$T/nope.yaml"
grep -q "nope.yaml: cannot open" "$T/err" && ok || bad "missing file message: $(cat "$T/err")"
expect_exit 2 "--uncertainty without a value" -- "$BIN" run $TINY -o "$T/keep.h5" -q --uncertainty

# --- MPI ranks draw the same ----------------------------------------------------------------------
if [ -n "$MPIBIN" ] && [ -x "$MPIBIN" ] && command -v mpirun >/dev/null 2>&1; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    MPIRUN="mpirun --oversubscribe --bind-to none"
    expect_exit 0 "mpirun -np 3 --uncertainty" -- $MPIRUN -np 3 "$MPIBIN" run $RUN -r 12 -j 1 -q --warmup-rows -o "$T/np3.h5" --uncertainty $U
    same "$T/u1.h5" "$T/np3.h5" "3 MPI ranks vs -j 1 under --uncertainty" $ALL
    expect_exit 2 "mpirun with a bad U.yaml" -- $MPIRUN -np 3 "$MPIBIN" run $TINY -q -o "$T/mbad.h5" --uncertainty tests/uncertainty/bad/policy.yaml
    [ "$(grep -c 'policy.yaml' "$T/err")" -eq 1 ] && ok || bad "bad U.yaml under MPI: expected one message: $(cat "$T/err")"
else
    echo "uncert.sh: mpirun or the MPI binary is missing: MPI tests skipped"
fi

echo "uncertainty e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
