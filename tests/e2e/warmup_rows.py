#!/usr/bin/python3
"""The entity tables without --warmup-rows are exactly those with it, filtered to the counted years:
donors and transplants from day 0, the candidates not gone before day 0, and all episodes of those
candidates; /summary, /groups and /series are the same. Usage: warmup_rows.py COUNTED.h5 FULL.h5"""
import sys, h5py, numpy as np
c = h5py.File(sys.argv[1], "r"); w = h5py.File(sys.argv[2], "r")
for t in ("summary", "groups", "series"):
    assert (c[t][:] == w[t][:]).all(), t
def same(a, b, t):
    assert len(a) == len(b), (t, len(a), len(b))
    for n in a.dtype.names:
        x, y = a[n], b[n]
        ok = (x == y) | (np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else (x == y)
        assert ok.all(), (t, n)
W = {t: w[t][:] for t in ("candidates", "donors", "transplants", "episodes")}
same(c["donors"][:], W["donors"][W["donors"]["day"] >= 0], "donors")
same(c["transplants"][:], W["transplants"][W["transplants"]["day"] >= 0], "transplants")
wc = W["candidates"]; keep = ~(wc["end_day"] < 0)
same(c["candidates"][:], wc[keep], "candidates")
gone = set(zip(wc["replication"][~keep].tolist(), wc["seq"][~keep].tolist()))
e = W["episodes"]
ke = np.array([(r, s) not in gone for r, s in zip(e["replication"].tolist(), e["candidate"].tolist())])
same(c["episodes"][:], e[ke], "episodes")
assert c.attrs["warmup_rows"] == 0 and w.attrs["warmup_rows"] == 1
print("ok")
