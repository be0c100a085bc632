#!/usr/bin/python3
"""months.py RESULTS.h5 [--program heart|pancreas] [--variant V] [--last M]

The month-by-month list around day 0, variant V against variant 0, from a results file with
entity tables (docs/compare.md, "A rule change on a date"): per month the mean list size at the
month's end (/series), the mean transplants in the month (/transplants), the paired difference
of the list size and the cumulative paired difference of transplants since day 0, each with a
95 % interval over replications (normal approximation). Month 0 is the last month before day 0;
month 1 the first after it.
"""
import argparse
import sys

import h5py
import numpy as np

MONTH = 365.25 / 12


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("--program", choices=["heart", "pancreas"], default="pancreas")
    ap.add_argument("--variant", type=int, default=1)
    ap.add_argument("--last", type=int, default=24, help="last month shown (default 24)")
    a = ap.parse_args()
    try:
        f = h5py.File(a.results, "r")
        s, t = f["series"][:], f["transplants"][:]
    except (OSError, KeyError) as e:
        sys.exit(f"months.py: {a.results}: expected a wlsim results file with /series and /transplants, found {e}")
    prog = 0 if a.program == "heart" else 1
    s = s[s["program"] == prog]
    t = t[np.isin(t["program"], [0, 1] if prog == 0 else [2, 3])]
    reps = int(f.attrs["replications"])
    months = np.arange(-3, a.last)               # month index m covers days [m, m + 1) x MONTH
    size = np.zeros((2, reps, len(months)))
    tx = np.zeros((2, reps, len(months)))
    for k, v in enumerate((0, a.variant)):
        for r in range(reps):
            sv = s[(s["variant"] == v) & (s["replication"] == r)]
            tv = t[(t["variant"] == v) & (t["replication"] == r)]
            if len(sv) == 0:
                sys.exit(f"months.py: no /series rows for variant {v} replication {r}")
            for j, m in enumerate(months):
                size[k, r, j] = sv["listed"][np.argmin(np.abs(sv["day"] - (m + 1) * MONTH))]
            tm = np.floor(tv["day"] / MONTH).astype(int)
            tx[k, r] = [(tm == m).sum() for m in months]

    def ci(d):
        h = 1.96 * d.std(0, ddof=1) / np.sqrt(d.shape[0]) if d.shape[0] > 1 else np.full(d.shape[1], np.nan)
        return d.mean(0), h

    dl, hl = ci(size[1] - size[0])
    dc, hc = ci((tx[1] - tx[0]) * (months >= 0) @ np.triu(np.ones((len(months), len(months)))))
    print(f"{a.program}, variant {a.variant} against variant 0, {reps} replications")
    print("| month | list, variant 0 | list, variant | difference (95 % CI) | transplants, variant 0 | variant | cumulative difference since day 0 (95 % CI) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for j, m in enumerate(months):
        if m >= 12 and m % 3 != 2 and m != len(months) - 4:
            continue
        cum = f"{dc[j]:+.2f} ± {hc[j]:.2f}" if m >= 0 else "—"
        print(f"| {m + 1} | {size[0, :, j].mean():.1f} | {size[1, :, j].mean():.1f} | {dl[j]:+.2f} ± {hl[j]:.2f} "
              f"| {tx[0, :, j].mean():.2f} | {tx[1, :, j].mean():.2f} | {cum} |")


if __name__ == "__main__":
    main()
