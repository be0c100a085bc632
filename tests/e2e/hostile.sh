#!/bin/sh
# End-to-end tests of hostile input and faults (docs/testing.md, "Hostile input and faults"):
# `wlsim verify` on tampered and crafted files, output paths that must be refused before any
# simulation, size bombs, non-regular inputs, signals during loading, a full disk, and the resume
# side file's durability rules.
# Usage: tests/e2e/hostile.sh path/to/wlsim   (from the repository root). The last line is
# "hostile e2e: N passed, M failed".
# shellcheck disable=SC2015 # ok() cannot fail, so A && ok || bad is an if-then-else
set -u
BIN=${1:?usage: hostile.sh path/to/wlsim}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
PY=/usr/bin/python3
. tests/e2e/lib.sh
TINY=tests/scenarios/good/tiny.yaml
trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT

# elapsed_ms COMMAND...: runs the command (output to $T/out, $T/err), sets rc and ms.
elapsed_ms() {
    t0=$(date +%s%N)
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
}

# --- verify: every tampering is caught -------------------------------------------------------
expect_exit 0 "run two variants" -- "$BIN" run $TINY scenarios/pancreas-ecd-age50.yaml -r 2 -j 2 -q -o "$T/two.h5"
expect_exit 0 "verify the untouched file" -- "$BIN" verify "$T/two.h5"
grep -q "^tables and attributes: identical" "$T/out" && ok || bad "verify reports the layout check: $(cat "$T/out")"
# tamper NAME PYTHON: a copy of two.h5 changed by the Python snippet (f is the open file) must
# fail verify (exit 1, "does NOT match") with a reason that contains the second argument.
tamper() {
    name=$1; want=$2; code=$3
    cp "$T/two.h5" "$T/$name.h5"
    $PY -c "
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
$code
f.close()
" "$T/$name.h5" || { bad "tamper $name: the Python snippet failed"; return; }
    expect_exit 1 "verify after $name" -- "$BIN" verify "$T/$name.h5"
    grep -q "does NOT match" "$T/out" && ok || bad "verify after $name: $(cat "$T/out")"
    grep -qF -- "$want" "$T/out" && ok || bad "verify after $name: reason lacks '$want': $(cat "$T/out")"
}
tamper no_transplants "/transplants is missing" "del f['transplants']"
tamper parameter "/parameters row" "
p = f['parameters'][:]; i = int(np.nonzero(p['name'] == b'policy.heart.nt.cap_days')[0][0])
p['value'][i] = b'31'; f['parameters'][...] = p"
tamper variants "/variants row 1, field heart_policy" "
v = f['variants'][:]; v['heart_policy'][1] = b'guideline-xx'; f['variants'][...] = v"
tamper variant_seed "/variants row 0, field seed" "
v = f['variants'][:]; v['seed'][0] = v['seed'][0] + np.uint64(1); f['variants'][...] = v"
tamper title "/summary: attribute TITLE differs" "f['summary'].attrs['TITLE'] = np.bytes_('per row')"
tamper field_name "/donors: attribute FIELD_3_NAME is missing" "del f['donors'].attrs['FIELD_3_NAME']"
tamper root_attr "/: attribute rng is missing" "del f.attrs['rng']"
tamper extra_attr "attribute note is not one a run writes" "f.attrs['note'] = np.bytes_('x')"
tamper extra_table "/extra is not an object a run writes" "f.create_dataset('extra', data=[1, 2])"
tamper extra_rows "/episodes has more than" "
d = f['episodes']; n = d.shape[0]; d.resize((n + 3,)); d[n:] = d[n - 3:n]"
tamper comparison_row "/comparison row 0, field diff_mean" "
c = f['comparison'][:]; c['diff_mean'][0] += 1; f['comparison'][...] = c"

# The tables an --uncertainty run writes at its end are checked like the others.
sed 's/^name: tiny/name: tiny-ecd50/' $TINY >"$T/ecd50.yaml"
echo "policy: {pancreas: {ecd: {age_max: 50}}}" >>"$T/ecd50.yaml"
expect_exit 0 "run with --uncertainty" -- "$BIN" run $TINY "$T/ecd50.yaml" -r 3 -j 2 -q \
    --uncertainty tests/uncertainty/tiny.yaml -o "$T/unc.h5"
for what in "del f['sensitivity']" "f['uncertainty'].attrs['TITLE'] = np.bytes_('x')" "del f.attrs['uncertainty_path']"; do
    cp "$T/unc.h5" "$T/unc2.h5"
    $PY -c "
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
$what
" "$T/unc2.h5"
    expect_exit 1 "verify an --uncertainty file after: $what" -- "$BIN" verify "$T/unc2.h5"
done

# --- verify: the file is untrusted --------------------------------------------------------------
# Replication and variant counts beyond the file's own rows are refused before anything runs.
cp "$T/two.h5" "$T/reps.h5"
$PY -c "import sys, h5py, numpy as np; f = h5py.File(sys.argv[1], 'r+'); f.attrs['replications'] = np.int32(100000000)" "$T/reps.h5"
elapsed_ms "$BIN" verify "$T/reps.h5"
[ "$rc" -eq 2 ] && [ "$ms" -lt 5000 ] && ok || bad "verify with replications 1e8: exit $rc after $ms ms: $(cat "$T/err")"
grep -q "expected /variants with 2 rows and /summary with 400000000 rows" "$T/err" && ok || bad "replication bound message: $(cat "$T/err")"
cp "$T/two.h5" "$T/nv.h5"
$PY -c "import sys, h5py, numpy as np; f = h5py.File(sys.argv[1], 'r+'); f.attrs['variants'] = np.int32(2000000000)" "$T/nv.h5"
expect_exit 2 "verify with variants 2e9" -- "$BIN" verify "$T/nv.h5"
# A replay path in the stored scenario that leaves the folder is refused, and no file's content
# is echoed even when the path is allowed.
mkdir -p "$T/rp"
cp scenarios/replay-example/*.csv "$T/rp/"
cp scenarios/replay-example/scenario.yaml "$T/rp/scenario.yaml"
echo "secret-first-line,of,a,file" >"$T/secret.txt"
(cd "$T/rp" && "$BIN" run scenario.yaml -r 1 -q -o replay.h5) && ok || bad "replay run for verify"
# evil PATH: the stored scenario text of rp/replay.h5 with its candidates file replaced by PATH.
evil() {
    cp "$T/rp/replay.h5" "$T/rp/evil.h5"
    $PY - "$T/rp/evil.h5" "$1" <<'PY'
import sys, re, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
t = f.attrs['scenario_text_0']; t = t.decode() if isinstance(t, bytes) else t
t2 = re.sub(r'candidates: *\S+', 'candidates: ' + sys.argv[2], t)
assert t2 != t, t
f.attrs['scenario_text_0'] = np.bytes_(t2)
PY
}
evil "$T/secret.txt"
(cd "$T/rp" && "$BIN" verify evil.h5 >"$T/out" 2>"$T/err"); rc=$?
[ "$rc" -eq 2 ] && ok || bad "verify with an absolute replay path: exit $rc"
grep -q "population.candidates: expected a path inside the folder" "$T/err" && ok || bad "absolute replay path message: $(cat "$T/err")"
grep -q "secret-first-line" "$T/out" "$T/err" && bad "verify echoed a file's content" || ok
evil "../secret.txt"
(cd "$T/rp" && "$BIN" verify evil.h5 >"$T/out" 2>"$T/err"); rc=$?
[ "$rc" -eq 2 ] && grep -q "expected a path inside the folder" "$T/err" && ok || bad "verify with a '..' replay path: exit $rc: $(cat "$T/err")"
(cd "$T/rp" && "$BIN" verify --allow-paths evil.h5 >"$T/out" 2>"$T/err"); rc=$?
[ "$rc" -eq 2 ] && ok || bad "verify --allow-paths on a non-CSV: exit $rc"
grep -q "secret-first-line" "$T/out" "$T/err" && bad "verify --allow-paths echoed a file's content: $(cat "$T/err")" || ok
(cd "$T/rp" && "$BIN" verify replay.h5 >"$T/out" 2>"$T/err") && ok || bad "verify of a replay file: $(cat "$T/err")"
# A NUL inside a stored scenario text is refused, not cut short.
cp "$T/two.h5" "$T/nul.h5"
$PY - "$T/nul.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
t = f.attrs['scenario_text_0']; t = t if isinstance(t, bytes) else t.encode()
del f.attrs['scenario_text_0']
f.attrs.create('scenario_text_0', np.bytes_(t + b'\0horizon: {years: 400}\n'), dtype=h5py.string_dtype('ascii', len(t) + 23))
PY
expect_exit 2 "verify with a NUL in the scenario text" -- "$BIN" verify "$T/nul.h5"
# SIGTERM is honoured while verify runs.
# (30 replications of the default scenario: several seconds on one thread, so verify still runs)
"$BIN" run scenarios/default.yaml -r 30 -j 2 -q --summary-only -o "$T/long.h5" && ok || bad "run for the verify signal test"
"$BIN" verify "$T/long.h5" -j 1 >/dev/null 2>&1 &
pid=$!
sleep 0.5
kill -TERM "$pid"
t0=$(date +%s%N)
wait "$pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 130 ] && [ "$ms" -lt 2000 ] && ok || bad "SIGTERM during verify: exit $rc after $ms ms"

# --- output paths ---------------------------------------------------------------------------------
# The default path comes from the name, which must not lead outside output/.
mkdir -p "$T/cwd"
printf 'name: ../escaped\nhorizon: {years: 0.1, warmup_years: 0}\nreplications: 1\n' >"$T/cwd/esc.yaml"
(cd "$T/cwd" && "$BIN" run esc.yaml -q) && ok || bad "run with name ../escaped"
[ ! -e "$T/escaped.h5" ] && [ -f "$T/cwd/output/_._escaped.h5" ] && ok || bad "name ../escaped: $(ls "$T" "$T/cwd/output" 2>&1 | tr '\n' ' ')"
# An -o that exists and is not a regular file: exit 2 at once, nothing simulated or created.
mkdir "$T/adir"
ln -s "$T/target" "$T/link.h5"
mkfifo "$T/fifo.h5"
for o in adir link.h5 fifo.h5; do
    elapsed_ms "$BIN" run $TINY -r 100000 -q -o "$T/$o"
    [ "$rc" -eq 2 ] && [ "$ms" -lt 3000 ] && ok || bad "-o $o: exit $rc after $ms ms"
    grep -q "argument -o: expected a regular file or a new name, found" "$T/err" && ok || bad "-o $o message: $(cat "$T/err")"
    [ ! -e "$T/$o.resume" ] && ok || bad "-o $o left a side file"
done
[ -L "$T/link.h5" ] && [ ! -e "$T/target" ] && [ -p "$T/fifo.h5" ] && [ -d "$T/adir" ] && ok || bad "a refused -o was changed"

# --- durability: the result and its folder reach the disk before the side file goes -------------
if command -v strace >/dev/null 2>&1; then
    # LeakSanitizer cannot run under ptrace (make asan): leaks are checked by the other runs.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat -o "$T/st.txt" \
        "$BIN" run $TINY -r 1 -q -o "$T/dur.h5" >/dev/null 2>&1 && ok || bad "run under strace"
    $PY - "$T/st.txt" "$T/dur.h5" <<'PY' >"$T/dur.out" 2>&1 && ok || bad "fsync order: $(cat "$T/dur.out")"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
out = sys.argv[2]
fds, synced, events = {}, set(), []
for l in lines:
    m = re.search(r'openat\(AT_FDCWD, "([^"]*)", [^)]*\) = (\d+)', l)
    if m: fds[m.group(2)] = m.group(1); continue
    m = re.search(r'\bf(?:data)?sync\((\d+)\)', l)
    if m: events.append(('sync', fds.get(m.group(1), '?'))); continue
    m = re.search(r'rename(?:at2?)?\(.*"([^"]*\.tmp\.\d+)"', l)
    if m: events.append(('rename', m.group(1))); continue
    m = re.search(r'unlink(?:at)?\(.*"([^"]*\.resume)"', l)
    if m: events.append(('unlink', m.group(1)))
kinds = [k for k, _ in events]
r, u = kinds.index('rename'), kinds.index('unlink')
tmp = events[r][1]
folder = out.rsplit('/', 1)[0]
assert ('sync', tmp) in events[:r], f'no fsync of {tmp} before the rename: {events}'
assert ('sync', folder) in events[r:u], f'no fsync of {folder} between the rename and the side file removal: {events}'
PY
else
    echo "hostile.sh: strace is missing: the fsync order test is skipped"
fi
# An empty side file counts as none.
: >"$T/empty.h5.resume"
expect_exit 0 "run over an empty side file" -- "$BIN" run $TINY -r 1 -q -o "$T/empty.h5"
[ -f "$T/empty.h5" ] && [ ! -e "$T/empty.h5.resume" ] && ok || bad "empty side file: output or side file wrong"
# A run on an output another run is writing: "locked by a running run", never "delete".
"$BIN" run $TINY -r 100000 -j 1 -q -o "$T/busy.h5" 2>/dev/null &
pid=$!
i=0
while [ ! -s "$T/busy.h5.resume" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
expect_exit 2 "run on a locked output" -- "$BIN" run $TINY -r 100000 -j 1 -q -o "$T/busy.h5"
grep -q "locked by a running run" "$T/err" && ! grep -q "delete" "$T/err" && ok || bad "locked output message: $(cat "$T/err")"
kill -TERM "$pid"
wait "$pid"

# --- a full disk: exit 1 with the one message, no crash, nothing half-written left ----------------
mkdir -p "$T/small"
if mount -t tmpfs -o size=600k tmpfs "$T/small" 2>/dev/null; then
    # Full at different moments: the side file, the first tables, the metadata, the creation.
    for case in 0: 300: 560:--summary-only 590:--summary-only 595:--summary-only; do
        fill=${case%%:*}; opt=${case#*:}
        rm -rf "${T:?}/small/"*
        [ "$fill" -gt 0 ] && dd if=/dev/zero of="$T/small/fill" bs=1k count="$fill" 2>/dev/null
        {
            # shellcheck disable=SC2086
            "$BIN" run $TINY -r 6 -j 2 -q $opt -o "$T/small/x.h5" >"$T/out" 2>"$T/err"
            rc=$?
            [ "$rc" -eq 1 ] && ok || bad "full disk (fill $fill k $opt): exit $rc, expected 1; stderr: $(head -c 300 "$T/err")"
            [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^wlsim run: .*No space left on device\|^wlsim run: .*cannot" "$T/err" \
                && ok || bad "full disk (fill $fill k $opt): message: $(cat "$T/err")"
            ls "$T/small"/x.h5.tmp* >/dev/null 2>&1 && bad "full disk (fill $fill k $opt): temporary file left" || ok
            rm -f "$T/small/x.h5.resume"
        }
    done
    umount "$T/small"
else
    echo "hostile.sh: cannot mount a tmpfs here (not root, or no permission): the full-disk test is skipped"
fi

# --- signals during loading and rank: exit 130 at once ---------------------------------------------
$PY -c "
print('id,program,abo,age_years,listed_day')
for i in range(300000): print(f'C{i},heart,A,40,{i % 1000}')" >"$T/big.csv"
RF=tests/fixtures/rank
"$BIN" rank --candidates "$T/big.csv" --history $RF/base/history.csv --donor $RF/base/donor.csv --day 5000 \
    --scenario $RF/simple.yaml >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -TERM "$pid"
t0=$(date +%s%N)
wait "$pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" -eq 130 ] && [ "$ms" -lt 1000 ] && ok || bad "SIGTERM while rank loads: exit $rc after $ms ms"

echo "hostile e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
