#!/usr/bin/python3
"""Compare a results file of the default scenario with the calibration targets.

Usage: /usr/bin/python3 scripts/validate.py OUT.h5 [--markdown docs/validation.md] [--variant V]

The targets, their tolerance bands and sources are data/calibration.csv (one row per figure: key,
section, figure, target, low, high, source; the figures themselves are docs/calibration.md).
For every figure that the simulation produces, prints the target (and the
tolerance band), the simulated mean over the replications with its 95 % confidence interval
(Student t over replications) and whether the mean lies inside the band. Figures without a
stated band are shown for information. Exits 1 if a figure with a band is outside it, 2 on a
usage or file error. `make validate` runs it on 200 replications of scenarios/default.yaml.

The per-entity tables (/candidates, /donors, /transplants) are needed for the donor-age,
offer-count, one-year and graft-loss figures; with a --summary-only file those rows are
reported as not available (and do not fail).

How each figure is measured is documented in docs/model.md ("Validation").
"""
import argparse
import csv
import math
import os
import sys

import h5py
import numpy as np

DAYS_PER_YEAR = 365.25
HEART_PROG, PANCREAS_PROG = 0, 1                     # /summary program
P_HEART, P_HEART_LUNG, P_PANCREAS, P_PANCREAS_KIDNEY = 0, 1, 2, 3   # /candidates program
TRANSPLANTED, DIED = 1, 2
NO_RELIST = 4294967295
TARGETS_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "calibration.csv")


def load_targets(path=TARGETS_CSV):
    """key -> row of data/calibration.csv, with low and high as floats (None when empty)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = {}
        for r in csv.DictReader(fh):
            r["low"] = float(r["low"]) if r["low"].strip() else None
            r["high"] = float(r["high"]) if r["high"].strip() else None
            rows[r["key"]] = r
    return rows


TARGETS = load_targets()


def t_quantile(df):
    """0.975 quantile of Student's t with df degrees of freedom."""
    try:
        from scipy.stats import t as student_t
        return float(student_t.ppf(0.975, df))
    except ImportError:  # Cornish-Fisher expansion, good to 1e-3 for df >= 3
        z = 1.959963984540054
        g1 = (z ** 3 + z) / 4
        g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
        g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
        return z + g1 / df + g2 / df ** 2 + g3 / df ** 3


def mean_ci(x):
    """Mean and 95 % t interval of the finite values of x (NaN when undefined)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan, 1
    h = t_quantile(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - h, m + h, n


class Figure:
    def __init__(self, section, name, target, lo, hi, values, fmt, note=""):
        self.section, self.name, self.target = section, name, target
        self.lo, self.hi, self.fmt, self.note = lo, hi, fmt, note
        self.values = values  # per replication, or None when not available
        if values is None:
            self.mean = self.ci_lo = self.ci_hi = math.nan
            self.n = 0
        else:
            self.mean, self.ci_lo, self.ci_hi, self.n = mean_ci(values)

    @property
    def banded(self):
        return self.lo is not None and self.hi is not None

    @property
    def status(self):
        if self.values is None or not math.isfinite(self.mean):
            return "n/a"
        if not self.banded:
            return "info"
        return "within" if self.lo <= self.mean <= self.hi else "OUTSIDE"

    def f(self, v):
        return "–" if v is None or not math.isfinite(v) else self.fmt.format(v)

    def band(self):
        return f"{self.f(self.lo)}–{self.f(self.hi)}" if self.banded else "(information)"

    def ci(self):
        if not math.isfinite(self.ci_lo):
            return "–"
        return f"{self.f(self.ci_lo)}–{self.f(self.ci_hi)}"


def fig(sec, key, values, fmt):
    """The Figure of target `key` (data/calibration.csv) with the simulated per-replication values."""
    t = TARGETS[key]
    return Figure(t["section"] or sec, t["figure"], t["target"] or "no figure", t["low"], t["high"], values, fmt)


def per_rep(rows, reps, fn):
    """fn(rows of one replication) for every replication in reps."""
    out = np.full(len(reps), np.nan)
    if rows is None:
        return None
    by = rows["replication"]
    order = np.argsort(by, kind="stable")
    rows, by = rows[order], by[order]
    starts = np.searchsorted(by, reps, side="left")
    ends = np.searchsorted(by, reps, side="right")
    for i, (a, b) in enumerate(zip(starts, ends)):
        out[i] = fn(rows[a:b])
    return out


def safe_median(x):
    return float(np.median(x)) if len(x) else math.nan


def safe_ratio(a, b):
    return a / b if b > 0 else math.nan


def load(path, variant):
    f = h5py.File(path, "r")
    summ = f["summary"][:]
    summ = summ[summ["variant"] == variant]
    if len(summ) == 0:
        raise SystemExit(f"validate.py: {path}: no /summary rows for variant {variant}")
    ent = int(f.attrs.get("entity_tables", 0)) == 1 and "donors" in f

    def table(name):
        if not ent or name not in f:
            return None
        t = f[name][:]
        return t[t["variant"] == variant]

    meta = {
        "path": path,
        "replications": int(len(np.unique(summ["replication"]))),
        "years": float(summ["years"][0]),
        "seed": int(f.attrs.get("seed", 0)),
        "git_commit": f.attrs.get("git_commit", b"?"),
        "version": f.attrs.get("wlsim_version", b"?"),
        "created": f.attrs.get("created", b"?"),
        "name": "?",
    }
    for k in ("git_commit", "version", "created"):
        if isinstance(meta[k], bytes):
            meta[k] = meta[k].decode()
    if "variants" in f:
        v = f["variants"][:]
        v = v[v["variant"] == variant]
        if len(v):
            meta["name"] = v["name"][0].decode() if isinstance(v["name"][0], bytes) else str(v["name"][0])
    return summ, table("candidates"), table("donors"), table("transplants"), meta


def figures(summ, cands, donors, tx, meta):
    years = meta["years"]
    end = years * DAYS_PER_YEAR
    reps = np.unique(summ["replication"])

    def s(prog, field):
        rows = summ[summ["program"] == prog]
        rows = rows[np.argsort(rows["replication"])]
        return rows[field].astype(float)

    h, p = HEART_PROG, PANCREAS_PROG
    F = []
    pct = "{:.1f} %"

    # ---------------------------------------------------------------- heart
    sec = "Heart and heart-lung"
    F.append(fig(sec, "heart_transplants",
                    s(h, "transplants") / years, "{:.0f}"))
    F.append(fig(sec, "heart_listings",
                    s(h, "listings") / years, "{:.0f}"))
    F.append(fig(sec, "heart_waiting_end",
                    s(h, "waiting_end"), "{:.0f}"))
    F.append(fig(sec, "heart_deaths",
                    s(h, "deaths_waiting") / years, "{:.0f}"))
    F.append(fig(sec, "heart_hu_share",
                    100 * s(h, "transplants_urgent") / s(h, "transplants"), pct))
    F.append(fig(sec, "heart_hu_end",
                    s(h, "urgent_end"), "{:.0f}"))
    F.append(fig(sec, "heart_lung_transplants",
                    s(h, "transplants_combined") / years, "{:.1f}"))
    F.append(fig(sec, "heart_offered",
                    s(h, "organs_offered") / years, "{:.0f}"))
    F.append(fig(sec, "heart_removed",
                    s(h, "removed") / years, "{:.0f}"))

    def one_year(c, what):
        sel = ((c["program"] == P_HEART) | (c["program"] == P_HEART_LUNG)) & \
              (c["listed_day"] >= 0) & (c["listed_day"] < end - DAYS_PER_YEAR)
        c = c[sel]
        if len(c) == 0:
            return math.nan
        within = (c["outcome"] == what) & (c["end_day"] - c["listed_day"] <= DAYS_PER_YEAR)
        return 100.0 * within.sum() / len(c)

    F.append(fig(sec, "heart_died_1y",
                    per_rep(cands, reps, lambda c: one_year(c, DIED)), pct))
    F.append(fig(sec, "heart_transplanted_1y",
                    per_rep(cands, reps, lambda c: one_year(c, TRANSPLANTED)), pct))

    def in_period(d):
        return d[(d["day"] >= 0) & (d["day"] < end)]

    F.append(fig(sec, "heart_donor_age",
                    per_rep(donors, reps,
                                        lambda d: safe_median(in_period(d)[in_period(d)["heart_offered"] == 1]["age_years"])),
                    "{:.1f}"))

    # ---------------------------------------------------------------- pancreas
    sec = "Pancreas and pancreas-kidney"
    F.append(fig(sec, "pancreas_transplants",
                    s(p, "transplants") / years, "{:.0f}"))
    F.append(fig(sec, "pancreas_listings",
                    s(p, "listings") / years, "{:.0f}"))

    def relistings(c):
        c = c[((c["program"] == P_PANCREAS) | (c["program"] == P_PANCREAS_KIDNEY))
              & (c["listed_day"] >= 0) & (c["listed_day"] < end)]
        return (c["relist_of"] != NO_RELIST).sum() / years

    F.append(fig(sec, "pancreas_relistings",
                    per_rep(cands, reps, relistings), "{:.1f}"))
    F.append(fig(sec, "pancreas_waiting_end",
                    s(p, "waiting_end"), "{:.0f}"))
    F.append(fig(sec, "pancreas_death_ratio",
                    100 * s(p, "deaths_waiting") / years / s(p, "waiting_end"), pct))
    F.append(fig(sec, "pancreas_placed_share",
                    100 * s(p, "transplants") / s(p, "organs_offered"), pct))

    def offers_median(d, outcome_ok):
        d = in_period(d)
        d = d[d["pancreas_offered"] == 1]
        sel = d["pancreas_outcome"] == 1 if outcome_ok else d["pancreas_outcome"] != 1
        return safe_median(d[sel]["pancreas_offers"])

    F.append(fig(sec, "pancreas_offers_placed",
                    per_rep(donors, reps, lambda d: offers_median(d, True)), "{:.2f}"))
    F.append(fig(sec, "pancreas_offers_withdrawn",
                    per_rep(donors, reps, lambda d: offers_median(d, False)), "{:.2f}"))

    def graft_loss_1y(t, c):
        t = t[((t["program"] == P_PANCREAS) | (t["program"] == P_PANCREAS_KIDNEY))
              & (t["day"] >= 0) & (t["day"] < end - DAYS_PER_YEAR)]
        if len(t) == 0:
            return math.nan
        r = c[c["relist_of"] != NO_RELIST]
        relisted = dict(zip(r["relist_of"].tolist(), r["listed_day"].tolist()))
        lost = sum(1 for seq, day in zip(t["candidate_seq"].tolist(), t["day"].tolist())
                   if seq in relisted and relisted[seq] - day <= DAYS_PER_YEAR)
        return 100.0 * lost / len(t)

    if tx is not None and cands is not None:
        cands_by = {int(r): cands[cands["replication"] == r] for r in reps}
        gl = per_rep(tx, reps, lambda t: graft_loss_1y(t, cands_by[int(t["replication"][0])])
                     if len(t) else math.nan)
    else:
        gl = None
    F.append(fig(sec, "pancreas_graft_loss_1y",
                    gl, pct))

    def page(d, outcome):
        d = in_period(d)
        d = d[d["pancreas_offered"] == 1]
        if outcome == "used":
            d = d[d["pancreas_outcome"] == 1]
        elif outcome == "unused":
            d = d[d["pancreas_outcome"] != 1]
        return safe_median(d["age_years"])

    F.append(fig(sec, "pancreas_donor_age_used",
                    per_rep(donors, reps, lambda d: page(d, "used")), "{:.1f}"))
    F.append(fig(sec, "pancreas_donor_age_offered",
                    per_rep(donors, reps, lambda d: page(d, "all")), "{:.1f}"))
    F.append(fig(sec, "pancreas_donor_age_unused",
                    per_rep(donors, reps, lambda d: page(d, "unused")), "{:.1f}"))
    F.append(fig(sec, "pancreas_offered",
                    s(p, "organs_offered") / years,
                    "{:.0f}"))
    F.append(fig(sec, "pancreas_accelerated",
                    s(p, "accelerated") / years, "{:.0f}"))
    F.append(fig(sec, "pancreas_su_share",
                    100 * s(p, "transplants_urgent") / s(p, "transplants"), pct))

    # ---------------------------------------------------------------- general
    sec = "Donors"

    def donors_per_year(d):
        return len(in_period(d)) / years

    F.append(fig(sec, "donors",
                    per_rep(donors, reps, donors_per_year), "{:.0f}"))
    for code, name, share in ((0, "O", 41), (1, "A", 43), (2, "B", 11), (3, "AB", 5)):
        F.append(fig(sec, f"donors_abo_{name}",
                        per_rep(donors, reps,
                                lambda d, code=code: 100.0 * (in_period(d)["abo"] == code).mean()
                                if len(in_period(d)) else math.nan), pct))
    return F


def text_table(F, meta):
    lines = [f"{meta['path']}: scenario {meta['name']}, {meta['replications']} replications x "
             f"{meta['years']:g} years, seed {meta['seed']}, wlsim {meta['version']} "
             f"({meta['git_commit']})", ""]
    w = max(len(x.name) for x in F)
    sec = None
    for x in F:
        if x.section != sec:
            sec = x.section
            lines.append(f"== {sec}")
        lines.append(f"  {x.name:<{w}}  {x.status:<7}  mean {x.f(x.mean):>9}  "
                     f"CI {x.ci():>17}  band {x.band():<15}  target {x.target}")
    return "\n".join(lines)


def markdown(F, meta):
    out = ["# Validation against the calibration targets", "",
           "Generated by `scripts/validate.py` (`make validate`): do not edit by hand. Each row "
           "compares the mean over the replications of the default scenario with a target of "
           "`data/calibration.csv` (the figures and their sources: `docs/calibration.md`); the 95 % confidence interval is a Student t interval over "
           "replications. A figure with a band is *within* when the simulated mean lies in the "
           "band; rows marked *info* have no stated tolerance (or the figure is not comparable) and "
           "are shown for information. How each figure is measured and how the parameters were "
           "derived: docs/model.md.", "",
           f"- results file: `{meta['path']}` (scenario `{meta['name']}`)",
           f"- {meta['replications']} replications x {meta['years']:g} counted years, seed "
           f"{meta['seed']}",
           f"- wlsim {meta['version']}, commit `{meta['git_commit']}`, run {meta['created']}", ""]
    sec = None
    for x in F:
        if x.section != sec:
            sec = x.section
            out += ["", f"## {sec}", "",
                    "| figure | target (data/calibration.csv) | band | simulated mean | 95 % CI | status |",
                    "|---|---|---|---|---|---|"]
        st = {"OUTSIDE": "**outside**"}.get(x.status, x.status)
        out.append(f"| {x.name} | {x.target} | {x.band()} | {x.f(x.mean)} | {x.ci()} | {st} |")
    n_band = sum(1 for x in F if x.banded and x.status != "n/a")
    n_in = sum(1 for x in F if x.status == "within")
    out += ["", f"{n_in} of {n_band} figures with a tolerance band are within it.", ""]
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="HDF5 results file of scenarios/default.yaml")
    ap.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown to PATH")
    ap.add_argument("--variant", type=int, default=0, help="variant to validate (default 0)")
    a = ap.parse_args(argv)
    try:
        summ, cands, donors, tx, meta = load(a.results, a.variant)
    except OSError as e:
        print(f"validate.py: {a.results}: {e}", file=sys.stderr)
        return 2
    F = figures(summ, cands, donors, tx, meta)
    print(text_table(F, meta))
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as fh:
            fh.write(markdown(F, meta))
    bad = [x for x in F if x.status == "OUTSIDE"]
    if any(x.status == "n/a" and x.banded for x in F):
        print("note: some figures need the per-entity tables (run without --summary-only)")
    if bad:
        print(f"{len(bad)} figure(s) outside the tolerance: " + "; ".join(x.name for x in bad))
        return 1
    print("all figures with a tolerance are within it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
