#!/bin/sh
# End-to-end tests of score policies (`policy.<organ>.rule: score`, docs/rules.md "Score
# policies"): the guideline rules restated as scores give the guideline's transplants bit for bit
# at the same seed (and a changed score does not, so the comparison can fail); the national
# pancreas score equals bak2026 without the regional bonus; each reform (the expected-survival
# one included) runs against the default and changes its own programme only; `wlsim rank` with a score ranks as the guideline and
# explains tier, keys and points.
# Usage: tests/e2e/score.sh path/to/wlsim   (from the repository root); the last line is
# "score e2e: N passed, M failed".
# shellcheck disable=SC2015 # ok() cannot fail, so A && ok || bad is an if-then-else
set -u
BIN=${1:?usage: score.sh path/to/wlsim}
PY=/usr/bin/python3
. tests/e2e/lib.sh

# same_programme A.h5 VA VB PROGRAMS: the /transplants rows of PROGRAMS ("0,1" heart, "2,3"
# pancreas) of variant VA equal those of variant VB in every field; also /summary of that
# programme. NaN equals NaN (e.g. death_day of a recipient alive at the end). Exits 1 on a
# difference (printing the first one).
same_programme() {
    $PY - "$@" <<'EOF'
import sys, h5py, numpy as np
def same(x, y):
    eq = x == y
    return eq | (np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else eq
f = h5py.File(sys.argv[1], "r"); va, vb = int(sys.argv[2]), int(sys.argv[3])
progs = [int(x) for x in sys.argv[4].split(",")]
t = f["transplants"][:]
a = t[(t["variant"] == va) & np.isin(t["program"], progs)]
b = t[(t["variant"] == vb) & np.isin(t["program"], progs)]
assert len(a) > 100, f"only {len(a)} transplants"
assert len(a) == len(b), f"{len(a)} vs {len(b)} transplants"
for n in t.dtype.names:
    if n == "variant": continue
    d = np.flatnonzero(~same(a[n], b[n]))
    assert len(d) == 0, f"{n} differs first at row {d[0]}: {a[d[0]]} vs {b[d[0]]}"
s = f["summary"][:]; organ = 0 if progs[0] < 2 else 1
sa, sb = s[(s["variant"] == va) & (s["program"] == organ)], s[(s["variant"] == vb) & (s["program"] == organ)]
for n in s.dtype.names:
    if n != "variant": assert same(sa[n], sb[n]).all(), f"summary {n} differs"
EOF
}

# --- the guideline rules as scores: bit-identical transplants at the same seed ------------------
expect_exit 0 "run default + score equivalents" -- "$BIN" run scenarios/default.yaml \
    scenarios/heart-score-bak2021.yaml scenarios/pancreas-score-bak2026.yaml -r 2 -j 2 -q -o "$T/eq.h5"
same_programme "$T/eq.h5" 0 1 0,1 >"$T/o" 2>&1 && ok || bad "heart score vs bak2021: $(tail -n 1 "$T/o")"
same_programme "$T/eq.h5" 0 2 2,3 >"$T/o" 2>&1 && ok || bad "pancreas score vs bak2026: $(tail -n 1 "$T/o")"
# ... and the other programme is untouched by either.
same_programme "$T/eq.h5" 0 1 2,3 >"$T/o" 2>&1 && ok || bad "heart score changed pancreas: $(tail -n 1 "$T/o")"
same_programme "$T/eq.h5" 0 2 0,1 >"$T/o" 2>&1 && ok || bad "pancreas score changed heart: $(tail -n 1 "$T/o")"

# The comparison can fail: the same scores with one key moved, or the NT cap changed, or the
# regional weight rounded, give other transplants.
sed 's/keys: \[heart_lung, immunised, abo_step\]$/keys: [abo_step, immunised, heart_lung]/' \
    scenarios/heart-score-bak2021.yaml >"$T/h-keys.yaml"
sed 's/{feature: nt_days, weight: 1, cap: 30}/{feature: nt_days, weight: 1, cap: 0}/' \
    scenarios/heart-score-bak2021.yaml >"$T/h-cap.yaml"
sed 's/weight: 0.66666666666666663}/weight: 0.6667}/' scenarios/pancreas-score-bak2026.yaml >"$T/p-w.yaml"
# ... or the inherited step after ranking (child.inpatient: among_children) turned off.
awk '{print} /^    rule: score/ && !d {print "    child: {inpatient: \"off\"}"; d=1}' \
    scenarios/heart-score-bak2021.yaml >"$T/h-off.yaml"
for v in h-keys h-cap p-w h-off; do
    cmp -s "$T/$v.yaml" scenarios/heart-score-bak2021.yaml && bad "counter-check $v: sed changed nothing"
    cmp -s "$T/$v.yaml" scenarios/pancreas-score-bak2026.yaml && bad "counter-check $v: sed changed nothing"
done
expect_exit 0 "run the counter-checks" -- "$BIN" run scenarios/default.yaml "$T/h-keys.yaml" "$T/h-cap.yaml" \
    "$T/p-w.yaml" "$T/h-off.yaml" -r 2 -j 2 -q -o "$T/cc.h5"
same_programme "$T/cc.h5" 0 1 0,1 >/dev/null 2>&1 && bad "counter-check: heart keys reordered, same transplants" || ok
same_programme "$T/cc.h5" 0 2 0,1 >/dev/null 2>&1 && bad "counter-check: NT cap 0, same transplants" || ok
same_programme "$T/cc.h5" 0 3 2,3 >/dev/null 2>&1 && bad "counter-check: regional weight 0.6667, same transplants" || ok
same_programme "$T/cc.h5" 0 4 0,1 >/dev/null 2>&1 && bad "counter-check: children's in-patient step off, same transplants" || ok

# --- the national pancreas order is bak2026 without the regional bonus -----------------------------
expect_exit 0 "run national vs no bonus" -- "$BIN" run scenarios/pancreas-no-regional-bonus.yaml \
    scenarios/pancreas-score-national.yaml -r 2 -j 2 -q -o "$T/nat.h5"
same_programme "$T/nat.h5" 0 1 2,3 >"$T/o" 2>&1 && ok || bad "national score vs bonus 0: $(tail -n 1 "$T/o")"

# --- each reform runs against the default and changes its own programme only ---------------------
# (heart-score-urgency-survival adds the expected one-year survival, survival_1y, to the no-HU-tier
# points: it must run, change the heart and leave the pancreas bit-identical.)
for r in heart-score-no-hu-tier:0,1:2,3 heart-score-urgency-survival:0,1:2,3 pancreas-score-national:2,3:0,1; do
    f=${r%%:*}; rest=${r#*:}; own=${rest%%:*}; other=${rest#*:}
    expect_exit 0 "run default + $f" -- "$BIN" run scenarios/default.yaml "scenarios/$f.yaml" -r 2 -j 2 -q \
        --summary-only -o "$T/ref-$f.h5"
    $PY - "$T/ref-$f.h5" "$own" <<'EOF' >"$T/o" 2>&1 && ok || bad "$f against default: $(tail -n 1 "$T/o")"
import sys, h5py, numpy as np
def same(x, y):  # NaN equals NaN
    eq = x == y
    return eq | (np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else eq
f = h5py.File(sys.argv[1], "r"); organ = 0 if sys.argv[2].startswith("0") else 1
s = f["summary"][:]
names = [n for n in s.dtype.names if n != "variant"]
a, b = s[(s["variant"] == 0) & (s["program"] == organ)], s[(s["variant"] == 1) & (s["program"] == organ)]
oa, ob = s[(s["variant"] == 0) & (s["program"] != organ)], s[(s["variant"] == 1) & (s["program"] != organ)]
assert any((~same(a[n], b[n])).any() for n in names), "the reform changed nothing in its programme"
bad = [n for n in names if not same(oa[n], ob[n]).all()]
assert not bad, f"the reform changed the other programme: {bad}"
c = f["comparison"][:]
assert len(c[c["program"] == organ]) > 10, "no comparison rows"
EOF
done

# The survival term is not inert: the same order without it (the no-HU-tier reform) gives other
# heart transplants, and the same pancreas ones.
expect_exit 0 "run no-HU-tier + urgency-survival" -- "$BIN" run scenarios/heart-score-no-hu-tier.yaml \
    scenarios/heart-score-urgency-survival.yaml -r 1 -j 2 -q -o "$T/surv.h5"
same_programme "$T/surv.h5" 0 1 0,1 >/dev/null 2>&1 && bad "survival_1y x 1000 changed no heart transplant" || ok
same_programme "$T/surv.h5" 0 1 2,3 >"$T/o" 2>&1 && ok || bad "survival term changed pancreas: $(tail -n 1 "$T/o")"

# --- export: a score scenario's replication replays to the same transplants ------------------------
# The exported scenario.yaml carries the score section (written back with 17 significant digits,
# so the regional weight is the same double); replayed, it gives the synthetic run's transplants.
expect_exit 0 "export a score scenario" -- "$BIN" export scenarios/pancreas-score-bak2026.yaml -o "$T/exp" -q
grep -q '^policy.pancreas.score:$' "$T/exp/scenario.yaml" && ok || bad "export wrote no score section"
grep -q 'weight: 0.66666666666666663}' "$T/exp/scenario.yaml" && ok || bad "export changed the regional weight"
expect_exit 0 "replay the exported score scenario" -- "$BIN" run "$T/exp/scenario.yaml" -q -o "$T/rt.h5"
expect_exit 0 "run the score scenario -r 1" -- "$BIN" run scenarios/pancreas-score-bak2026.yaml -r 1 -q -o "$T/syn.h5"
$PY - "$T/syn.h5" "$T/rt.h5" <<'EOF' >"$T/o" 2>&1 && ok || bad "score export round trip: $(tail -n 1 "$T/o")"
import sys, h5py
def rows(p):
    t = h5py.File(p, "r")["transplants"][:]; t = t[t["replication"] == 0]
    return [(r["donor"], r["candidate"], float(r["day"]), int(r["program"]), int(r["status"]), float(r["points"])) for r in t]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert len(a) > 100 and a == b, f"{len(a)} vs {len(b)} transplants"
EOF

# --- wlsim rank: the score ranks as the guideline and explains itself -----------------------------
# Every good fixture case of the guideline policies is ranked again with its fixture scenario
# turned into a score (the rule replaced by `score` and the shipped restatement's score section
# added as a dotted key): rank, id, program, abo_step and points must be the guideline's (group
# and reason are the score's words). Pancreas cases include the accelerated procedure.
F=tests/fixtures/rank
# as_score FIXTURE.yaml ORGAN SHIPPED.yaml OUT.yaml
as_score() {
    $PY - "$@" <<'EOF'
import re, sys
fix, organ, shipped, out = sys.argv[1:]
text = open(fix).read()
text, n = re.subn(r"rule: bak20\d\d", "rule: score", text)
assert n == 1, "expected one guideline rule in " + fix
lines = open(shipped).read().splitlines()
p = lines.index("policy:"); i = lines.index("  " + organ + ":", p)
k = lines.index("    score:", i); j = k + 1
while j < len(lines) and (lines[j].startswith("      ") or not lines[j].strip()): j += 1
block = [l[4:] for l in lines[k + 1:j]]
open(out, "w").write(text + "policy." + organ + ".score:\n" + "\n".join(block) + "\n")
EOF
}
for fx in heart pancreas pancreas_accel pancreas_ecd_sodium; do
    case $fx in heart) organ=heart; sh=scenarios/heart-score-bak2021.yaml ;;
                *) organ=pancreas; sh=scenarios/pancreas-score-bak2026.yaml ;; esac
    as_score "$F/$fx.yaml" $organ $sh "$T/$fx-score.yaml" >"$T/o" 2>&1 || bad "as_score $fx: $(tail -n 1 "$T/o")"
    expect_exit 0 "check $fx as a score" -- "$BIN" check "$T/$fx-score.yaml"
    n=0
    for d in "$F"/good/*/; do
        d=${d%/}
        args=$(cat "$d/args")
        case "$args" in *"rank/$fx.yaml"*) ;; *) continue ;; esac
        n=$((n + 1))
        pick() { if [ -f "$d/$1" ]; then echo "$d/$1"; else echo "$F/base/$1"; fi; }
        # shellcheck disable=SC2086 # args is a word list on purpose
        "$BIN" rank --candidates "$(pick cands.csv)" --history "$(pick history.csv)" --donor "$(pick donor.csv)" \
            $(echo $args | sed "s|tests/fixtures/rank/$fx.yaml|$T/$fx-score.yaml|") >"$T/rank.csv" 2>"$T/err" \
            && ok || bad "$d with the score: $(cat "$T/err")"
        cut -d, -f1-3,5-6 "$d/expected.csv" >"$T/want"
        cut -d, -f1-3,5-6 "$T/rank.csv" >"$T/got"
        cmp -s "$T/want" "$T/got" && ok || { bad "$d: score ranks differ from the guideline"; diff "$T/want" "$T/got" | head -n 8; }
    done
    [ "$n" -gt 0 ] && ok || bad "no fixture case uses $fx.yaml"
done
"$BIN" rank --candidates "$F/base/cands.csv" --history "$F/base/history.csv" --donor "$F/base/donor.csv" \
    --day 1000 --scenario scenarios/heart-score-bak2021.yaml >"$T/r.csv" 2>"$T/err"
grep -q '^1,H1,heart,HU,1,970,"tier HU (urgent); keys: heart_lung no, immunised no, abo_step 1; points 970 = hu_wait_days 970 x 1"$' "$T/r.csv" \
    && ok || bad "rank reason of a score: $(head -n 3 "$T/r.csv")"
grep -q 'tier T; .*; points 950 = listed_days 950 x 1 + nt_days 0 x -1 + nt_days 0 cap 30 x 1' "$T/r.csv" \
    && ok || bad "rank reason of a T candidate: $(cat "$T/r.csv")"

echo "score e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
