#!/bin/sh
# MPI benchmark (part of make bench): throughput of build/wlsim-mpi for 1, 2, ... ranks on this
# machine, next to the single-process binary, and the writer's own rate (the ceiling of any
# number of ranks, since rank 0 writes alone).
#
#   scripts/bench_mpi.sh [BUILD]          environment: BENCH_MPI_REPS (default 24),
#                                         BENCH_MPI_NP (rank counts, default "1 2 3"),
#                                         BENCH_MPI_THREADS (threads per worker rank, default
#                                         cores / (ranks - 1), at least 1)
#
# On a cluster, run it inside an allocation with BENCH_MPI_NP set to the rank counts to compare
# and MPIRUN="srun --mpi=pmix" (or mpirun); see docs/cluster.md, "Measuring scaling".
set -eu
B=${1:-build}
BIN=$B/wlsim
MPIBIN=$B/wlsim-mpi
SC=${BENCH_MPI_SCENARIO:-scenarios/default.yaml}
R=${BENCH_MPI_REPS:-24}
NPS=${BENCH_MPI_NP:-1 2 3}
NCPU=$(nproc)
MPIRUN=${MPIRUN:-mpirun --oversubscribe --bind-to none}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ ! -x "$MPIBIN" ] || ! command -v mpirun >/dev/null 2>&1; then
    echo "== MPI: $MPIBIN or mpirun missing (make mpi); skipped"
    exit 0
fi
secs() { s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
echo "== MPI ranks ($SC, $R replications, $NCPU cores; wall time of the whole job incl. MPI start-up)"
for mode in summary entities; do
    flag=""; [ $mode = summary ] && flag="--summary-only"
    t=$(secs $BIN run $SC -r $R -j $NCPU -q $flag -o "$T/s.h5")
    printf "%-9s single process, %d threads:            %6.2f replications/s\n" $mode $NCPU "$(echo "$R / $t" | bc -l)"
    for np in $NPS; do
        if [ "$np" -le 1 ]; then th=$NCPU; else th=${BENCH_MPI_THREADS:-$((NCPU / (np - 1)))}; fi
        [ "$th" -ge 1 ] || th=1
        t=$(secs $MPIRUN -np $np $MPIBIN run $SC -r $R -j $th -q $flag -o "$T/m.h5")
        printf "%-9s %d rank(s), %d thread(s) per worker rank: %6.2f replications/s\n" $mode $np $th "$(echo "$R / $t" | bc -l)"
    done
done
# The writer's rate: results read back from the side file of a killed run go through exactly
# the path rank 0 uses (unpack, summary, comparison, HDF5 with compression, side file), with no
# simulation; `--resume` reports how long that took.
$BIN run $SC -r $R -j $NCPU -q -o "$T/w.h5" 2>/dev/null &
pid=$!
while [ "$(stat -c %s "$T/w.h5.resume" 2>/dev/null || echo 0)" -lt $((R * 2500000)) ] && kill -0 $pid 2>/dev/null; do
    sleep 0.05
done
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
if [ -e "$T/w.h5.resume" ]; then
    $BIN run $SC -r $R -j $NCPU -o "$T/w.h5" --resume 2>"$T/err" >/dev/null
    sed -n 's/^resuming: \([0-9]*\) of.* in \([0-9.]*\) s.*/\1 \2/p' "$T/err" | {
        read -r k s
        printf "writer (rank 0's path, entity tables): %d results in %.2f s = %.1f results/s; the ceiling of any number of ranks\n" \
            "$k" "$s" "$(echo "$k / $s" | bc -l)"
    }
fi
