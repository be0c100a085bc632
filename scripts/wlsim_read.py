#!/usr/bin/python3
"""Read a wlsim results file as pandas DataFrames with labels (docs/output.md, "Reading with pandas").

    import sys; sys.path.insert(0, "scripts")        # from the repository root
    import wlsim_read
    tx = wlsim_read.table("output/default.h5", "transplants")
    tx.groupby(["variant_name", "program"]).size()   # labels, not codes

Every code column (program, abo, sex, outcome, status, region, ...) becomes a pandas categorical
with the labels of docs/output.md: the file stores code columns as HDF5 enum types, and their
labels are taken from there (files written before that have plain integers, labelled from CODES
below, the same labels). Text columns become str, and each row gets `variant_name`
beside its `variant` number. Entity tables hold the counted years only unless warmup=True, by the
rule of `wlsim run` (docs/output.md, "Entity tables"): transplants and donors from day 0, the
candidates on the list at some time from day 0 (end_day >= 0, or still waiting) and every episode
of those; /series from day 0. A file written without --warmup-rows holds only these rows already
(warmup=True cannot bring the others back). /summary, /groups and /comparison count the counted
years either way.

Command line: /usr/bin/python3 scripts/wlsim_read.py OUT.h5 [TABLE ...] prints each table's size
and first rows. Needs Debian's python3-h5py and python3-pandas.
"""
import sys

import h5py
import numpy as np
import pandas as pd

STATUS = ["T", "HU", "NT", "SU"]
REGION = ["Nord", "Nord-Ost", "Nordrhein-Westfalen", "Mitte", "Ost", "Bayern", "Baden-Wuerttemberg"]
ABO = ["O", "A", "B", "AB"]
ORGAN = ["heart", "pancreas"]  # the `program` of /summary, /groups, /series, /comparison

# Files without HDF5 enum types: table -> field -> labels of codes 0, 1, 2, ... (the labels the
# enum types of newer files carry, sim/rec.c)
CODES = {
    "summary": {"program": ORGAN},
    "groups": {"program": ORGAN, "dim": ["blood group", "age at listing", "region", "sex"]},
    "series": {"program": ORGAN},
    "comparison": {"program": ORGAN},
    "sensitivity": {"program": ORGAN},
    "uncertainty": {"program": ORGAN},
    "candidates": {
        "program": ["heart", "heart-lung", "pancreas", "pancreas-kidney"],
        "abo": ABO, "sex": ["unknown", "female", "male"],
        "outcome": ["waiting", "transplanted", "died", "removed"],
        "status_listed": STATUS, "status_end": STATUS, "region": REGION,
    },
    "donors": {
        "abo": ABO, "sex": ["unknown", "female", "male"],
        "heart_outcome": ["not offered", "transplanted", "discarded"],
        "pancreas_outcome": ["not offered", "transplanted", "islets", "discarded"],
        "pancreas_procedure": ["standard", "accelerated", "islet programme"],
        "region": REGION,
    },
    "transplants": {"program": ["heart", "heart-lung", "pancreas", "pancreas-kidney"], "status": STATUS},
    "episodes": {"status": STATUS},
}

# /groups: the labels of `group` depend on `dim`
GROUP_LABELS = {0: ABO, 1: ["under 16", "16-39", "40-59", "60 and over"], 2: REGION, 3: ["female", "male"]}


def _enum_labels(dtype):
    """The labels of codes 0, 1, 2, ... of an HDF5 enum type (as h5py reads it), or None."""
    m = h5py.check_enum_dtype(dtype) if dtype is not None else None
    if not m or min(m.values()) < 0:
        return None
    labels = [None] * (max(m.values()) + 1)
    for k, v in m.items():
        labels[v] = k
    return labels if None not in labels else None


def _categorical(codes, labels):
    codes = np.asarray(codes).astype(np.int64)
    bad = (codes < 0) | (codes >= len(labels))
    codes = np.where(bad, -1, codes)  # an unknown code becomes NaN rather than a wrong label
    return pd.Categorical.from_codes(codes, categories=labels)


def _counted(name, df, f):
    if name in ("transplants", "donors", "series"):
        return df[df["day"] >= 0]
    if name == "candidates":
        return df[(df["end_day"] >= 0) | df["end_day"].isna()]
    if name == "episodes" and "candidates" in f:
        c = f["candidates"][:]
        gone = c[c["end_day"] < 0]
        if len(gone):
            key = lambda r, s: r.astype(np.int64) * (1 << 32) + s.astype(np.int64)  # noqa: E731
            return df[~np.isin(key(df["replication"].values, df["candidate"].values),
                               key(gone["replication"], gone["seq"]))]
    return df


def table(path, name, warmup=False):
    """Table `name` of results file `path` as a DataFrame with labels (see the module text)."""
    with h5py.File(path, "r") as f:
        if name not in f:
            raise KeyError(f"{path}: no table /{name} (tables: {', '.join(f.keys())})")
        arr = f[name][:]
        ftypes = {k: arr.dtype.fields[k][0] for k in arr.dtype.names}
        names = [n.decode() for n in f["variants"]["name"]] if "variants" in f else []
        df = pd.DataFrame({k: arr[k] for k in arr.dtype.names})
        if not warmup:
            df = _counted(name, df, f)
    for k in df.columns:
        if df[k].dtype.kind == "S" or df[k].dtype == object:
            df[k] = df[k].map(lambda b: b.decode() if isinstance(b, bytes) else b)
    if name == "groups":
        df["group"] = [GROUP_LABELS[d][g] if 0 <= g < len(GROUP_LABELS[d]) else None
                       for d, g in zip(df["dim"], df["group"])]
    for k in list(df.columns):
        labels = _enum_labels(ftypes.get(k)) or CODES.get(name, {}).get(k)
        if labels and k != "group":
            df[k] = _categorical(df[k], labels)
    if "variant" in df.columns and names:
        df.insert(1, "variant_name", pd.Categorical([names[v] for v in df["variant"]], categories=names))
    return df.reset_index(drop=True)


def tables(path):
    """The names of the tables in `path`."""
    with h5py.File(path, "r") as f:
        return list(f.keys())


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    path = argv[1]
    for name in argv[2:] or tables(path):
        df = table(path, name)
        print(f"/{name}: {len(df)} rows (counted years)" if name in ("candidates", "donors", "transplants",
                                                                       "episodes", "series") else f"/{name}: {len(df)} rows")
        with pd.option_context("display.width", 160, "display.max_columns", 12):
            print(df.head(5).to_string(max_colwidth=40), "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
