#!/bin/sh
# Benchmarks (make bench): event-queue throughput, seconds per replication of the default
# scenario on one core and on all cores, and peak memory for a small and a 4x larger number of
# replications (it must not grow). Wall-clock times of whole runs of the real binary; each
# figure is the best of 3 runs. Prints the machine it ran on.
set -eu
B=${1:-build}
BIN=$B/wlsim
SC=scenarios/default.yaml
R=${BENCH_REPS:-40}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
NCPU=$(nproc)

echo "== machine"
echo "$(uname -srm); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $NCPU cores; $(free -g | awk '/Mem:/{print $2}') GiB"
echo "wlsim $($BIN --version)"
echo
echo "== event queue (hold model, one core)"
$B/tests/bench_evq
echo

best() { # best wall seconds of 3 runs of "$@"
    b=""
    for i in 1 2 3; do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
    done
    echo "$b"
}
echo "== default scenario ($SC: both programmes, warm-up + counted years), $R replications"
for mode in summary entities; do
    flag=""; [ $mode = summary ] && flag="--summary-only"
    t1=$(best $BIN run $SC -r $R -j 1 -q $flag -o "$T/b.h5")
    tn=$(best $BIN run $SC -r $R -j $NCPU -q $flag -o "$T/b.h5")
    printf "%-9s 1 core: %.4f s/replication   %d cores: %.4f s/replication   speed-up %.2f\n" \
        $mode "$(echo "$t1 / $R" | bc -l)" $NCPU "$(echo "$tn / $R" | bc -l)" "$(echo "$t1 / $tn" | bc -l)"
    if [ $mode = entities ]; then
        # Entity-table throughput: rows of /candidates, /donors, /transplants, /episodes, /groups
        # and /series written per second of the whole run, and the file's size per replication.
        rows=$(h5ls "$T/b.h5" | awk '$1 ~ /^(candidates|donors|transplants|episodes|groups|series)$/ {
            gsub(/[{}]/, "", $3); split($3, a, "/"); n += a[1] } END { print n + 0 }')
        printf "          entity rows: %d per replication, %.0f rows/s on 1 core, %.0f rows/s on %d cores; file %.2f MB per replication\n" \
            "$((rows / R))" "$(echo "$rows / $t1" | bc -l)" "$(echo "$rows / $tn" | bc -l)" $NCPU \
            "$(echo "$(stat -c %s "$T/b.h5") / $R / 1000000" | bc -l)"
    fi
done
echo
echo "== score policies: the guideline rule restated as a score against the built-in rule, 1 core, summary only"
t0=$(best $BIN run $SC -r $R -j 1 -q --summary-only -o "$T/b.h5")
for sc in heart-score-bak2021 pancreas-score-bak2026; do
    t1=$(best $BIN run scenarios/$sc.yaml -r $R -j 1 -q --summary-only -o "$T/b.h5")
    printf "%-24s %.4f s/replication   built-in %.4f   ratio %.2f (target <= 1.20)\n" $sc \
        "$(echo "$t1 / $R" | bc -l)" "$(echo "$t0 / $R" | bc -l)" "$(echo "$t1 / $t0" | bc -l)"
done
echo
echo "== list size: listings and donors x1, x2, x4 (same scenario otherwise), 1 core, summary only"
echo "   (target: x4 costs at most 5 times x1)"
RS=${BENCH_SCALE_REPS:-4}
t1=""
for f in 1 2 4; do
    cat > "$T/x$f.yaml" <<EOF2
base: $PWD/$SC
population:
  heart: {listings_per_year: $((443 * f))}
  pancreas: {listings_per_year: $((175 * f))}
  donors: {per_year: $((884 * f))}
EOF2
    tf=$(best $BIN run "$T/x$f.yaml" -r $RS -j 1 -q --summary-only -o "$T/b.h5")
    [ -z "$t1" ] && t1=$tf
    printf "  x%d: %.4f s/replication   %.2f x the x1 time\n" $f "$(echo "$tf / $RS" | bc -l)" "$(echo "$tf / $t1" | bc -l)"
done
echo
echo "== replay of an exported replication (export of replication 0 of $SC, then a run of it)"
$BIN export $SC -o "$T/exp" -r 0 >/dev/null 2>&1
printf "  candidates %s, history rows %s, donors %s\n" "$(($(wc -l < "$T/exp/candidates.csv") - 1))" \
    "$(($(wc -l < "$T/exp/history.csv") - 1))" "$(($(wc -l < "$T/exp/donors.csv") - 1))"
tr=$(best $BIN run "$T/exp/scenario.yaml" -r 1 -j 1 -q --summary-only -o "$T/b.h5")
tc=$(best $BIN check "$T/exp/scenario.yaml")
printf "  whole process: run %.3f s, check (loading only) %.3f s\n" "$tr" "$tc"
echo
echo "== peak memory (max RSS) against replications, $NCPU threads, summary only"
for r in $R $((4 * R)); do
    /usr/bin/time -f "%M" -o "$T/mem" $BIN run $SC -r $r -j $NCPU -q --summary-only -o "$T/b.h5" >/dev/null
    echo "  $r replications: $(cat "$T/mem") KiB"
done
echo "== peak memory with entity tables"
for r in $R $((4 * R)); do
    /usr/bin/time -f "%M" -o "$T/mem" $BIN run $SC -r $r -j $NCPU -q -o "$T/b.h5" >/dev/null
    echo "  $r replications: $(cat "$T/mem") KiB, file $(du -k "$T/b.h5" | cut -f1) KiB"
done
echo
echo "method: wall time of whole runs (scenario load, simulation, HDF5 writing), best of 3;"
echo "per-replication figure = wall / replications. Memory: GNU time's maximum resident set size."
