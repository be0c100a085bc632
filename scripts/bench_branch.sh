#!/bin/sh
# bench_branch.sh BUILD [REPS] [CI_REPS] — what --branch saves and what it does to the intervals
# (docs/bench.md, "Branching"; docs/compare.md):
#  1. CPU time (user + system; on a shared machine wall time mostly measures the neighbours) of
#     the shipped sweep (scenarios/sweep-heart-hu.yaml: the baseline and 9 grid
#     points, 15 warm-up + 10 counted years) on one core, --summary-only, with and without
#     --branch, interleaved, best of 3;
#  2. the half-width of the paired 95 % intervals of the ECD age-limit comparison
#     (scenarios/default.yaml vs scenarios/pancreas-ecd-age50.yaml) with and without --branch at
#     the same replications.
set -eu
B=${1:-build}
R=${2:-4}
CR=${3:-40}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
secs() { /usr/bin/time -f "%U %S" -o "$T/time" "$@" >/dev/null 2>&1; awk '{printf "%.2f", $1 + $2}' "$T/time"; }
best_plain=999999; best_branch=999999
for i in 1 2 3; do
    t=$(secs "$B/wlsim" run scenarios/sweep-heart-hu.yaml -r "$R" -j 1 -q --summary-only -o "$T/p.h5")
    best_plain=$(echo "$best_plain $t" | awk '{print ($2 < $1) ? $2 : $1}')
    t=$(secs "$B/wlsim" run scenarios/sweep-heart-hu.yaml -r "$R" -j 1 -q --summary-only --branch -o "$T/b.h5")
    best_branch=$(echo "$best_branch $t" | awk '{print ($2 < $1) ? $2 : $1}')
done
echo "sweep (10 variants) x $R replications, 1 core, summary only: CPU $best_plain s without --branch, $best_branch s with (ratio $(echo "$best_branch $best_plain" | awk '{printf "%.3f", $1 / $2}'))"
"$B/wlsim" run scenarios/default.yaml scenarios/pancreas-ecd-age50.yaml -r "$CR" -q --summary-only -o "$T/ci0.h5"
"$B/wlsim" run scenarios/default.yaml scenarios/pancreas-ecd-age50.yaml -r "$CR" -q --summary-only --branch -o "$T/ci1.h5"
$PY - "$T/ci0.h5" "$T/ci1.h5" "$CR" <<'PY'
import sys, h5py
a, b = (h5py.File(p, "r")["comparison"][:] for p in sys.argv[1:3])
print(f"ECD age limit 60 -> 50, pancreas, {sys.argv[3]} replications: paired 95 % half-widths")
print(f"{'metric':28s} {'diff (apart)':>13s} {'half-width':>11s} {'diff (branch)':>14s} {'half-width':>11s} {'ratio':>6s}")
for ra in a[a["program"] == 1]:
    rb = b[(b["program"] == 1) & (b["metric"] == ra["metric"])][0]
    ha, hb = (ra["ci_high"] - ra["ci_low"]) / 2, (rb["ci_high"] - rb["ci_low"]) / 2
    print(f"{ra['metric'].decode():28s} {ra['diff_mean']:13.3f} {ha:11.3f} {rb['diff_mean']:14.3f} {hb:11.3f} {hb / ha if ha else float('nan'):6.2f}")
PY
