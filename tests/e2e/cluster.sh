#!/bin/sh
# End-to-end tests of long-run features: resuming a killed run from its side file, `wlsim verify`,
# and the MPI build (1, 2 and 3 ranks against the single-process binary).
# Usage: tests/e2e/cluster.sh path/to/wlsim [path/to/wlsim-mpi]   (from the repository root)
# The MPI part is skipped, with a notice, when mpirun or the MPI binary is missing.
set -u
BIN=${1:?usage: cluster.sh path/to/wlsim [path/to/wlsim-mpi]}
MPIBIN=${2:-}
PY=/usr/bin/python3
. tests/e2e/lib.sh
TABLES="summary candidates donors transplants episodes groups series parameters variants comparison"
# same_tables A B WHAT: every table of A equals B's (h5diff compares values; attributes such as
# `created` and `threads` are allowed to differ).
same_tables() {
    for d in $TABLES; do
        if [ "$d" = comparison ] && ! h5ls "$1/comparison" >/dev/null 2>&1; then
            h5ls "$2/comparison" >/dev/null 2>&1 && bad "$3: /comparison only in $2" || ok
            continue
        fi
        same_ds "$1" "$2" "/$d" && ok || bad "$3: /$d differs"
    done
}
# start_and_kill OUT COMMAND...: starts the run in the background and kills it (SIGKILL) as soon
# as OUT.resume holds about a megabyte, i.e. a few finished replications and perhaps a torn one.
start_and_kill() {
    out=$1; shift
    "$@" 2>/dev/null &
    pid=$!
    i=0
    while [ "$(stat -c %s "$out.resume" 2>/dev/null || echo 0)" -lt 1000000 ] && [ $i -lt 3000 ]; do
        sleep 0.01; i=$((i + 1))
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
# Two variants (two scenario files), so work items interleave variants.
RUN="tests/scenarios/good/tiny.yaml scenarios/pancreas-ecd-age50.yaml"

# --- reference --------------------------------------------------------------------------------
expect_exit 0 "reference run" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 6 -j 2 -q -o "$T/ref.h5"
[ ! -e "$T/ref.h5.resume" ] && ok || bad "a completed run left its side file"

# --- resume after SIGKILL ---------------------------------------------------------------------
# Long enough to be killed mid-way: many replications; the kill comes as soon as the side file
# holds its first record, which may itself be torn (that is part of the test).
expect_exit 0 "long reference" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 120 -j 2 -q -o "$T/long_ref.h5"
start_and_kill "$T/long.h5" "$BIN" run tests/scenarios/good/tiny.yaml -r 120 -j 2 -q -o "$T/long.h5"
[ ! -e "$T/long.h5" ] && ok || bad "SIGKILL: the run finished before the kill (make the test run longer)"
[ -s "$T/long.h5.resume" ] && ok || bad "SIGKILL: no side file"
# Cut into the last record as a crash mid-write would.
size=$(stat -c %s "$T/long.h5.resume")
truncate -s $((size - 7)) "$T/long.h5.resume"
expect_exit 2 "rerun without --resume" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 120 -j 2 -q -o "$T/long.h5"
grep -q "add --resume" "$T/err" && ok || bad "the refusal does not say --resume: $(cat "$T/err")"
expect_exit 2 "--resume with another seed" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 120 -j 2 -s 99 -q -o "$T/long.h5" --resume
grep -q "different run" "$T/err" && ok || bad "fingerprint message: $(cat "$T/err")"
expect_exit 0 "--resume" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 120 -j 1 -o "$T/long.h5" --resume
grep -q "^resuming: [1-9][0-9]* of 120 work items read back from .* in [0-9.]* s" "$T/err" && ok || bad "resume message: $(grep resuming "$T/err")"
grep -q "incomplete last record was dropped" "$T/err" && ok || bad "the torn record was not reported"
same_tables "$T/long_ref.h5" "$T/long.h5" "killed and resumed run"
[ ! -e "$T/long.h5.resume" ] && ok || bad "the side file stayed after the resumed run completed"
ls "$T"/long.h5.tmp* >/dev/null 2>&1 && bad "the killed run's temporary file stayed" || ok
# --resume without a side file is a plain run.
expect_exit 0 "--resume, nothing to resume" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 6 -j 2 -q -o "$T/fresh.h5" --resume
same_tables "$T/ref.h5" "$T/fresh.h5" "--resume without a side file"
# A garbage side file is refused, not overwritten.
echo "not a side file" >"$T/junk.h5.resume"
expect_exit 2 "garbage side file" -- "$BIN" run tests/scenarios/good/tiny.yaml -r 2 -q -o "$T/junk.h5" --resume
grep -q "expected a wlsim resume file" "$T/err" && ok || bad "garbage side file message: $(cat "$T/err")"
[ "$(cat "$T/junk.h5.resume")" = "not a side file" ] && ok || bad "the garbage side file was changed"

# --- --branch: resume after SIGKILL, also inside a replication's variants ----------------------
# Under --branch a work unit is one replication with both variants; a side file cut after the
# first variant of a replication makes the resumed run simulate that replication again and drop
# the variant it already has.
{ cat tests/scenarios/good/tiny.yaml; printf 'policy:\n  pancreas:\n    ecd: {age_max: 50}\n'; } | sed 's/^name: tiny/name: tiny-ecd50/' >"$T/ecd50.yaml"
BR="tests/scenarios/good/tiny.yaml $T/ecd50.yaml"
expect_exit 0 "--branch reference" -- "$BIN" run $BR --branch -r 60 -j 2 -q -o "$T/br_ref.h5"
start_and_kill "$T/br.h5" "$BIN" run $BR --branch -r 60 -j 2 -q -o "$T/br.h5"
[ ! -e "$T/br.h5" ] && ok || bad "--branch SIGKILL: the run finished before the kill"
# Keep an odd number of whole records (header 24 bytes; a record is 16 bytes of item and length,
# then the bytes): the last replication is cut after its variant 0.
$PY - "$T/br.h5.resume" >"$T/cut.out" 2>&1 <<'PY' && ok || bad "cutting the side file: $(cat "$T/cut.out")"
import os, struct, sys
p = sys.argv[1]
data = open(p, "rb").read()
off, ends = 24, []
while off + 16 <= len(data):
    item, n = struct.unpack_from("<QQ", data, off)
    if off + 16 + n > len(data): break
    off += 16 + n
    ends.append(off)
keep = len(ends) if len(ends) % 2 else len(ends) - 1
assert keep >= 1, len(ends)
os.truncate(p, ends[keep - 1])
print(keep)
PY
cp "$T/br.h5.resume" "$T/brmpi.h5.resume"
expect_exit 2 "--resume of a --branch run without --branch" -- "$BIN" run $BR -r 60 -j 2 -q -o "$T/br.h5" --resume
grep -q "different run" "$T/err" && ok || bad "--branch fingerprint message: $(cat "$T/err")"
expect_exit 0 "--branch --resume" -- "$BIN" run $BR --branch -r 60 -j 1 -o "$T/br.h5" --resume
grep -q "^resuming: $(cat "$T/cut.out") of 120 work items read back" "$T/err" && ok || bad "--branch resume message: $(grep resuming "$T/err")"
same_tables "$T/br_ref.h5" "$T/br.h5" "--branch killed and resumed mid-replication"

# --- verify -----------------------------------------------------------------------------------
expect_exit 0 "run two variants" -- "$BIN" run $RUN -r 3 -j 2 -q -o "$T/two.h5"
expect_exit 0 "verify a fresh file" -- "$BIN" verify "$T/two.h5"
[ "$(grep -c '^replication [0-9]*: identical$' "$T/out")" -eq 3 ] && ok || bad "verify prints 3 identical replications: $(cat "$T/out")"
grep -q "^comparison: identical" "$T/out" && ok || bad "verify checks /comparison: $(cat "$T/out")"
expect_exit 0 "verify -r 1" -- "$BIN" verify "$T/two.h5" -r 1 -j 1
grep -q "1 of 1 replications identical" "$T/out" && ok || bad "verify -r 1: $(cat "$T/out")"
expect_exit 0 "verify a summary-only file" -- sh -c "'$BIN' run tests/scenarios/good/tiny.yaml -r 2 -q --summary-only -o '$T/so.h5' && '$BIN' verify '$T/so.h5'"
# Alter one value of one replication: that replication, and only it, must fail.
cp "$T/two.h5" "$T/alt.h5"
$PY - "$T/alt.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    d = f["donors"]
    rows = np.nonzero((d["replication"][:] == 1) & (d["variant"][:] == 1))[0]
    r = d[rows[5]]
    r["age_years"] += 0.5
    d[rows[5]] = r
PY
expect_exit 1 "verify an altered file" -- "$BIN" verify "$T/alt.h5"
grep -q "^replication 1: DIFFERS (variant 1: /donors row [0-9]*, field age_years)" "$T/out" && ok || bad "verify names the difference: $(cat "$T/out")"
grep -q "^replication 0: identical" "$T/out" && ok || bad "verify: untouched replication 0 reported as different"
grep -q "does NOT match" "$T/out" && ok || bad "verify summary line: $(cat "$T/out")"
# A dropped row is caught too.
$PY - "$T/two.h5" "$T/cut.h5" <<'PY'
import sys, h5py, shutil
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    d = f["transplants"]
    d[-2] = d[-1]
    d.resize((d.shape[0] - 1,))
PY
expect_exit 1 "verify a file with a missing row" -- "$BIN" verify "$T/cut.h5"
grep -q "^replication 2: DIFFERS" "$T/out" && ok || bad "missing row: $(cat "$T/out")"
# Another program version: a note, and still a clean pass when the results agree.
cp "$T/two.h5" "$T/ver.h5"
$PY -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); import numpy as np; f.attrs['git_commit']=np.bytes_('0123456789ab'); f.close()" "$T/ver.h5"
expect_exit 0 "verify a file from another commit" -- "$BIN" verify "$T/ver.h5" -r 1
grep -q "^note: .* was written by wlsim .*(git 0123456789ab)" "$T/out" && ok || bad "version note: $(cat "$T/out")"
expect_exit 2 "verify without file" -- "$BIN" verify
expect_exit 2 "verify a missing file" -- "$BIN" verify "$T/nope.h5"
expect_exit 2 "verify a non-HDF5 file" -- "$BIN" verify tests/scenarios/good/tiny.yaml
grep -q "expected an HDF5 results file of wlsim" "$T/err" && ok || bad "non-HDF5 message: $(cat "$T/err")"
expect_exit 2 "verify -r beyond the file" -- "$BIN" verify "$T/two.h5" -r 4
$PY -c "import h5py,sys; h5py.File(sys.argv[1],'w').create_dataset('x', data=[1])" "$T/other.h5"
expect_exit 2 "verify an HDF5 file that is not wlsim's" -- "$BIN" verify "$T/other.h5"
grep -q "expected the root attributes of a wlsim results file" "$T/err" && ok || bad "foreign HDF5 message: $(cat "$T/err")"

# --- MPI --------------------------------------------------------------------------------------
if [ -n "$MPIBIN" ] && [ -x "$MPIBIN" ] && command -v mpirun >/dev/null 2>&1; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    # Under AddressSanitizer (make asan), Open MPI's own allocations at exit (mostly in plug-ins
    # it has already unloaded, so they cannot be suppressed by name) would fail every run: the
    # leak check is off for MPI runs only. Our code on these paths is leak-checked by the
    # single-process runs above; mpiw.c frees what it allocates on every path.
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    MPIRUN="mpirun --oversubscribe --bind-to none"
    expect_exit 0 "serial run for MPI" -- "$BIN" run $RUN -r 4 -j 2 -q -o "$T/serial.h5"
    expect_exit 0 "mpirun -np 1" -- $MPIRUN -np 1 "$MPIBIN" run $RUN -r 4 -j 2 -q -o "$T/np1.h5"
    same_tables "$T/serial.h5" "$T/np1.h5" "1 rank vs serial"
    expect_exit 0 "mpirun -np 3" -- $MPIRUN -np 3 "$MPIBIN" run $RUN -r 4 -j 2 -q -o "$T/np3.h5"
    same_tables "$T/serial.h5" "$T/np3.h5" "3 ranks vs serial"
    expect_exit 0 "mpirun -np 2 -j 1" -- $MPIRUN -np 2 "$MPIBIN" run $RUN -r 4 -j 1 -q -o "$T/np2.h5"
    same_tables "$T/serial.h5" "$T/np2.h5" "2 ranks x 1 thread vs serial"
    expect_exit 0 "verify an MPI file with the serial binary" -- "$BIN" verify -q "$T/np3.h5"
    # --branch over ranks: a replication with all its variants is one unit; the file is the same.
    expect_exit 0 "--branch serial -j 1" -- "$BIN" run $BR --branch -r 4 -j 1 -q -o "$T/brser.h5"
    expect_exit 0 "--branch mpirun -np 3" -- $MPIRUN -np 3 "$MPIBIN" run $BR --branch -r 4 -j 2 -q -o "$T/brnp3.h5"
    same_tables "$T/brser.h5" "$T/brnp3.h5" "--branch: 3 ranks vs -j 1"
    expect_exit 0 "verify a --branch MPI file" -- "$BIN" verify -q "$T/brnp3.h5"
    expect_exit 0 "--branch resume mid-replication under mpirun -np 3" -- $MPIRUN -np 3 "$MPIBIN" run $BR --branch -r 60 -j 1 -q -o "$T/brmpi.h5" --resume
    same_tables "$T/br_ref.h5" "$T/brmpi.h5" "--branch: single-process kill, MPI resume"
    # A side file of a killed single-process run resumed under MPI (one program, one format).
    start_and_kill "$T/mix.h5" "$BIN" run tests/scenarios/good/tiny.yaml -r 120 -j 2 -q -o "$T/mix.h5"
    expect_exit 0 "resume under mpirun -np 3" -- $MPIRUN -np 3 "$MPIBIN" run tests/scenarios/good/tiny.yaml -r 120 -j 1 -o "$T/mix.h5" --resume
    same_tables "$T/long_ref.h5" "$T/mix.h5" "single-process kill, MPI resume"
    # Bad input under MPI: exit 2 from mpirun, one message, nothing written.
    expect_exit 2 "mpirun with a broken scenario" -- $MPIRUN -np 3 "$MPIBIN" run tests/scenarios/bad/duplicate_key.yaml -q -o "$T/bad.h5"
    [ "$(grep -c 'duplicate_key.yaml' "$T/err")" -eq 1 ] && ok || bad "broken scenario under MPI: expected one message, found: $(cat "$T/err")"
    [ ! -e "$T/bad.h5" ] && [ ! -e "$T/bad.h5.resume" ] && ok || bad "broken scenario under MPI wrote files"
    echo "precious" >"$T/busy.h5"
    echo "an unfinished run" >"$T/busy.h5.resume"   # not empty: an empty side file counts as none
    expect_exit 2 "mpirun over an unfinished run" -- $MPIRUN -np 3 "$MPIBIN" run tests/scenarios/good/tiny.yaml -r 2 -q -o "$T/busy.h5"
    [ "$(cat "$T/busy.h5")" = "precious" ] && ok || bad "refused MPI run touched the output"
else
    echo "cluster.sh: mpirun or the MPI binary is missing: MPI tests skipped"
fi

# --- parameter uncertainty: threads, resume, verify, MPI ranks (its own script) -------------------
if sh tests/e2e/uncert.sh "$BIN" "$MPIBIN" >"$T/uncert.out" 2>&1; then ok; else bad "tests/e2e/uncert.sh: $(grep -v '^uncert' "$T/uncert.out" | tail -n 20)"; fi
tail -n 1 "$T/uncert.out"

echo "cluster e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
