#!/usr/bin/python3
"""Fixed-seed reference outputs: guard against results that change by accident.

Each case in CASES runs the real binary on shipped scenarios with a fixed seed and a few
replications. `check` compares the new file with the stored reference field by field; `update`
rewrites the references (only when a change is *meant* to alter results: docs/testing.md).

A reference (tests/ref/<case>.json) holds, for every dataset, its row count and, for every field,
a digest of each block of BLOCK rows, plus the full values of small tables, so that a difference is
reported as table, field and the first differing row (or block of rows). Root attributes that
describe the run rather than its results (creation time, commit, version, thread count) are not
compared, nor is the source citation of each parameter in /parameters; everything else is.

Usage: refcheck.py check|update [--wlsim build/wlsim] [--case NAME ...]
Exit 0 when every case matches (or after update), 1 on a difference, 2 on usage errors.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BLOCK = 4096          # rows per digest block of a large table
FULL_ROWS = 400       # tables up to this size are stored value by value
VOLATILE_ATTRS = {"created", "git_commit", "wlsim_version", "threads"}
# Fields that document a result rather than being one: the source citation of a parameter.
DOC_FIELDS = {("parameters", "source")}

# name -> arguments of `wlsim run` (paths relative to the repository root). Every shipped
# scenario appears: the default alone, the default against each shipped single-rule variant (so
# /comparison is covered), the sweep, and the replay example.
CASES = {
    "default": ["scenarios/default.yaml", "-r", "3"],
    "variants": ["scenarios/default.yaml", "scenarios/heart-hu-2-4weeks.yaml",
                 "scenarios/heart-hu-6-12weeks.yaml", "scenarios/heart-nt-cap0.yaml",
                 "scenarios/pancreas-ecd-age50.yaml", "scenarios/pancreas-no-regional-bonus.yaml",
                 "-r", "2"],
    "sweep": ["scenarios/sweep-heart-hu.yaml", "-r", "1"],
    "replay-example": ["scenarios/replay-example/scenario.yaml", "-r", "1"],
    "score": ["scenarios/heart-score-bak2021.yaml", "scenarios/pancreas-score-bak2026.yaml",
              "scenarios/heart-score-no-hu-tier.yaml", "scenarios/pancreas-score-national.yaml",
              "scenarios/heart-score-urgency-survival.yaml", "-r", "1"],
}


def digest(data):
    return hashlib.sha256(data).hexdigest()[:20]


def column_bytes(col):
    """The bytes of one field's values, independent of the compound layout around it."""
    if col.dtype.kind == "O":
        return b"\0".join(bytes(v) if isinstance(v, bytes) else str(v).encode() for v in col)
    return np.ascontiguousarray(col).astype(col.dtype.newbyteorder("<")).tobytes()


def plain(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return repr(v)        # exact, and NaN / inf survive JSON
    return v


def describe(path):
    """The comparable content of one results file."""
    out = {"attrs": {}, "tables": {}}
    with h5py.File(path, "r") as f:
        for k in sorted(f.attrs):
            if k not in VOLATILE_ATTRS:
                v = f.attrs[k]
                out["attrs"][k] = digest(np.asarray(v).tobytes()) if not isinstance(v, (bytes, str)) \
                    else digest(v.encode() if isinstance(v, str) else v)
        for name in sorted(f):
            data = f[name][()]
            t = {"rows": int(len(data)), "fields": {}}
            names = data.dtype.names or ("value",)
            for field in names:
                if (name, field) in DOC_FIELDS:
                    continue
                col = data[field] if data.dtype.names else data
                blocks = [digest(column_bytes(col[i:i + BLOCK])) for i in range(0, len(col), BLOCK)]
                entry = {"dtype": str(col.dtype), "blocks": blocks}
                if len(col) <= FULL_ROWS:
                    entry["values"] = [plain(v) for v in col]
                t["fields"][field] = entry
            out["tables"][name] = t
    return out


def compare(case, ref, new):
    """Lists every difference as a line naming table, field and rows."""
    diffs = []
    for k in sorted(set(ref["attrs"]) | set(new["attrs"])):
        if ref["attrs"].get(k) != new["attrs"].get(k):
            diffs.append(f"{case}: root attribute {k}: differs (or is new / missing)")
    for t in sorted(set(ref["tables"]) | set(new["tables"])):
        if t not in new["tables"]:
            diffs.append(f"{case}: /{t}: missing from the new file")
            continue
        if t not in ref["tables"]:
            diffs.append(f"{case}: /{t}: not in the reference (a new table)")
            continue
        rt, nt = ref["tables"][t], new["tables"][t]
        if rt["rows"] != nt["rows"]:
            diffs.append(f"{case}: /{t}: {nt['rows']} rows, reference {rt['rows']}")
        for field in list(rt["fields"]) + [x for x in nt["fields"] if x not in rt["fields"]]:
            rf, nf = rt["fields"].get(field), nt["fields"].get(field)
            if nf is None:
                diffs.append(f"{case}: /{t}.{field}: missing from the new file")
                continue
            if rf is None:
                diffs.append(f"{case}: /{t}.{field}: not in the reference (a new field)")
                continue
            if rf["dtype"] != nf["dtype"]:
                diffs.append(f"{case}: /{t}.{field}: type {nf['dtype']}, reference {rf['dtype']}")
                continue
            if rf["blocks"] == nf["blocks"]:
                continue
            where = ""
            if "values" in rf and "values" in nf:
                for i, (a, b) in enumerate(zip(rf["values"], nf["values"])):
                    if a != b:
                        where = f"first at row {i}: {b!r}, reference {a!r}"
                        break
            if not where:
                for i, (a, b) in enumerate(zip(rf["blocks"], nf["blocks"])):
                    if a != b:
                        where = f"first in rows {i * BLOCK}-{(i + 1) * BLOCK - 1}"
                        break
            diffs.append(f"{case}: /{t}.{field}: differs, {where or 'in length'}")
    return diffs


def run_case(wlsim, case, out, extra=()):
    cmd = [wlsim, "run", *CASES[case], *extra, "-j", "2", "-q", "-o", out]
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"refcheck: {' '.join(cmd)} failed with exit {r.returncode}:\n{r.stderr}")


def selftest(wlsim):
    """The check must be able to fail: another seed must be reported as a difference in the
    transplants, and a reference with one altered summary value must name that row."""
    with tempfile.TemporaryDirectory(prefix="wlsim-ref-") as tmp:
        out = os.path.join(tmp, "seed.h5")
        run_case(wlsim, "replay-example", out)
        ref = describe(out)
        run_case(wlsim, "default", out, ["-s", "99"])
        with open(os.path.join(HERE, "default.json")) as fh:
            diffs = compare("default", json.load(fh), describe(out))
        if not any("/transplants." in d for d in diffs):
            print("ref selftest: FAIL, another seed was not reported as a difference")
            return 1
        tampered = json.loads(json.dumps(ref))
        col = tampered["tables"]["summary"]["fields"]["transplants"]
        col["values"][1] += 1
        col["blocks"][0] = "0" * 20
        diffs = compare("replay-example", tampered, ref)
        if diffs != ["replay-example: /summary.transplants: differs, first at row 1: "
                     f"{ref['tables']['summary']['fields']['transplants']['values'][1]!r}, "
                     f"reference {col['values'][1]!r}"]:
            print("ref selftest: FAIL, an altered value was reported as", diffs)
            return 1
    print("ref selftest: a changed seed and an altered value are both reported")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["check", "update", "selftest"])
    ap.add_argument("--wlsim", default=os.path.join(ROOT, "build", "wlsim"))
    ap.add_argument("--case", action="append", choices=sorted(CASES))
    a = ap.parse_args()
    wlsim = os.path.abspath(a.wlsim)
    if a.mode == "selftest":
        return selftest(wlsim)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="wlsim-ref-") as tmp:
        for case in a.case or list(CASES):
            out = os.path.join(tmp, case + ".h5")
            run_case(wlsim, case, out)
            new = describe(out)
            ref_path = os.path.join(HERE, case + ".json")
            if a.mode == "update":
                with open(ref_path, "w") as fh:
                    json.dump(new, fh, indent=0, sort_keys=True)
                    fh.write("\n")
                print(f"ref: {case}: written ({sum(t['rows'] for t in new['tables'].values())} rows)")
                continue
            if not os.path.exists(ref_path):
                print(f"ref: {case}: FAIL no reference {os.path.relpath(ref_path, ROOT)} "
                      "(make ref-update)")
                failed += 1
                continue
            with open(ref_path) as fh:
                ref = json.load(fh)
            diffs = compare(case, ref, new)
            if diffs:
                failed += 1
                print(f"ref: {case}: FAIL, {len(diffs)} difference(s):")
                for d in diffs[:40]:
                    print("  " + d)
                if len(diffs) > 40:
                    print(f"  ... and {len(diffs) - 40} more")
            else:
                print(f"ref: {case}: identical")
    if failed:
        print(f"ref: {failed} case(s) differ from tests/ref. If the change is meant to alter "
              "results, run `make ref-update` and say why in the commit message (docs/testing.md).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
