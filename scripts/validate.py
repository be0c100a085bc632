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

    # ---------------------------------------------------------------- after transplant
    F += outcome_figures(summ, cands, tx, reps, years, s)

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


def km(times, events, at):
    """Kaplan–Meier survival at each time of `at` (events at that time included)."""
    times = np.asarray(times, float)
    events = np.asarray(events, bool)
    out = []
    ev_times = np.unique(times[events])
    surv, k = 1.0, 0
    steps = []
    for u in ev_times:
        surv *= 1 - ((times == u) & events).sum() / (times >= u).sum()
        steps.append((u, surv))
    for a in at:
        s = 1.0
        for u, v in steps:
            if u > a:
                break
            s = v
        out.append(s if len(times) else math.nan)
    return out


def followed(t, c):
    """Per transplant row of t: (patient time, patient event, graft time, graft event) from the
    transplant, following the person through /candidates' death_day and followed_day."""
    by = {int(q): i for i, q in enumerate(c["seq"])}
    idx = np.array([by[int(q)] for q in t["candidate_seq"]], dtype=int)
    death, last = c["death_day"][idx], c["followed_day"][idx]
    dead = ~np.isnan(death)
    pt = np.where(dead, death, last) - t["day"]
    g = np.fmin(np.where(np.isnan(t["graft_fail_day"]), np.inf, t["graft_fail_day"]),
                np.where(dead, death, np.inf))
    gev = np.isfinite(g)
    gt = np.where(gev, g, last) - t["day"]
    return pt, dead, gt, gev


def outcome_figures(summ, cands, tx, reps, years, s):
    """Rows of docs/calibration.md "Outcomes after transplant" (targets: data/calibration.csv (docs/model.md §Outcomes after
    transplant). Survival is Kaplan–Meier over the counted years' transplants, per replication."""
    end = years * DAYS_PER_YEAR
    Y = DAYS_PER_YEAR
    pct = "{:.1f} %"
    F = []
    h, p = HEART_PROG, PANCREAS_PROG
    have = tx is not None and cands is not None
    cby = {int(r): cands[cands["replication"] == r] for r in reps} if have else {}

    def per(fn, progs, sel=None):
        """fn(pt, pev, gt, gev, t) per replication over the counted transplants of progs."""
        if not have:
            return None

        def one(t):
            if not len(t):
                return math.nan
            t = t[np.isin(t["program"], progs) & (t["day"] >= 0) & (t["day"] < end)]
            if sel is not None:
                t = t[sel(t)]
            if not len(t):
                return math.nan
            return fn(*followed(t, cby[int(t["replication"][0])]), t)
        return per_rep(tx, reps, one)

    HEARTS, SPK, PA = [P_HEART, P_HEART_LUNG], [P_PANCREAS_KIDNEY], [P_PANCREAS]
    surv = lambda at: (lambda pt, pe, gt, ge, t: 100 * km(pt, pe, [at])[0])
    graft = lambda at: (lambda pt, pe, gt, ge, t: 100 * km(gt, ge, [at])[0])

    sec = "After a heart transplant"
    F.append(fig(sec, "heart_surv_tx_1y", 100 * s(h, "surv_tx_1y"), pct))
    F.append(fig(sec, "heart_surv_tx_3y", per(surv(3 * Y), HEARTS), pct))
    F.append(fig(sec, "heart_surv_tx_5y", per(surv(5 * Y), HEARTS), pct))

    def first_month(pt, pe, gt, ge, t):
        d1 = (pe & (pt <= Y)).sum()
        return 100 * (pe & (pt <= 30)).sum() / d1 if d1 else math.nan

    F.append(fig(sec, "heart_first_month_deaths", per(first_month, HEARTS), pct))
    F.append(fig(sec, "heart_graft_tx_1y", 100 * s(h, "graft_tx_1y"), pct))

    def retx(pt, pe, gt, ge, t):
        return 100 * ((t["candidate_seq"] >> 30) & 1).mean()

    F.append(fig(sec, "heart_retransplants", per(retx, HEARTS), pct))

    def ratio(fn_a, fn_b):
        """-ln S(1y) of group a over group b: the hazard ratio over the first year."""
        def f(pt, pe, gt, ge, t):
            a, b = fn_a(t), fn_b(t)
            if a.sum() < 5 or b.sum() < 5:
                return math.nan
            sa, sb = km(pt[a], pe[a], [Y])[0], km(pt[b], pe[b], [Y])[0]
            return math.log(sa) / math.log(sb) if 0 < sa < 1 and 0 < sb < 1 else math.nan
        return f

    F.append(fig(sec, "heart_hr_donor_age",
                 per(ratio(lambda t: t["donor_age"] >= 55, lambda t: t["donor_age"] < 40), HEARTS), "{:.2f}"))
    F.append(fig(sec, "heart_hr_hu",
                 per(ratio(lambda t: t["status"] == 1, lambda t: t["status"] == 0), HEARTS), "{:.2f}"))

    sec = "After a pancreas transplant"
    F.append(fig(sec, "spk_graft_1y", per(graft(Y), SPK), pct))
    F.append(fig(sec, "pa_graft_1y", per(graft(Y), PA), pct))
    F.append(fig(sec, "spk_surv_1y", per(surv(Y), SPK), pct))
    F.append(fig(sec, "pa_surv_1y", per(surv(Y), PA), pct))
    F.append(fig(sec, "spk_graft_3y", per(graft(3 * Y), SPK), pct))
    F.append(fig(sec, "pa_graft_3y", per(graft(3 * Y), PA), pct))
    F.append(fig(sec, "spk_graft_1y_donor40", per(graft(Y), SPK, lambda t: t["donor_age"] >= 40), pct))
    F.append(fig(sec, "spk_graft_1y_donor_young", per(graft(Y), SPK, lambda t: t["donor_age"] < 40), pct))
    F.append(fig(sec, "pancreas_graft_tx_1y", 100 * s(p, "graft_tx_1y"), pct))

    sec = "Survival from listing"
    for prog, name in ((h, "heart"), (p, "pancreas")):
        F.append(fig(sec, f"{name}_rmst_listing", s(prog, "rmst_listing_5y"), "{:.2f}"))
        F.append(fig(sec, f"{name}_deaths_after_tx", s(prog, "deaths_after_tx") / years, "{:.0f}"))
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


SENS_CMPS = (
    ("ecd", 1, "pancreas extended-criteria age limit 50 (scenarios/pancreas-ecd-age50.yaml) minus "
     "the default's 60",
     (("transplants_per_year", "pancreas transplants per year", 1, "{:+.1f}"),
      ("graft_tx_1y", "1-year graft survival after transplant, points", 100, "{:+.2f}"),
      ("surv_tx_1y", "1-year patient survival after transplant, points", 100, "{:+.2f}"),
      ("deaths_all_per_year", "all-cause deaths per year", 1, "{:+.1f}"),
      ("rmst_listing_5y", "mean years alive of 5 from listing, days", DAYS_PER_YEAR, "{:+.1f}"))),
    ("hu", 0, "heart HU granted for 2, then 4 weeks (scenarios/heart-hu-2-4weeks.yaml) minus the "
     "default's 4, then 8 weeks",
     (("transplants_urgent_per_year", "heart transplants in HU per year", 1, "{:+.1f}"),
      ("deaths_waiting_per_year", "deaths on the heart list per year", 1, "{:+.1f}"),
      ("surv_tx_1y", "1-year survival after transplant, points", 100, "{:+.2f}"),
      ("deaths_all_per_year", "all-cause deaths per year", 1, "{:+.1f}"),
      ("rmst_listing_5y", "mean years alive of 5 from listing, days", DAYS_PER_YEAR, "{:+.1f}"))),
)
SENS_K = ("0.5", "1", "2")


def sensitivity(d):
    """Markdown section from scripts/sensitivity.sh's files in directory d."""
    out = ["", "## Sensitivity: the donor-age effect halved and doubled", "",
           "`scripts/sensitivity.sh` (run by `make validate`) runs two shipped comparisons with the "
           "donor-age effect on outcomes after transplant scaled by k on the log scale (k = 0.5: "
           "halved, 1: the default, 2: doubled): pancreas graft failure `beta_age` × k, heart donor-age "
           "hazard ratios hr^k, in both variants of each pair (same seed). Each cell is the paired "
           "difference, variant minus default, with its 95 % CI over replications "
           "(`/comparison`).", ""]
    for tag, prog, title, metrics in SENS_CMPS:
        files = {k: f"{d}/{tag}-{k}.h5" for k in SENS_K}
        rows, reps = {}, None
        for k, path in files.items():
            try:
                with h5py.File(path, "r") as f:
                    c = f["comparison"][:]
                    reps = int(len(np.unique(f["summary"][:]["replication"])))
            except OSError as e:
                out += [f"({path}: {e})", ""]
                return out
            c = c[(c["program"] == prog) & (c["variant"] == 1)]
            rows[k] = {m.decode() if isinstance(m, bytes) else str(m): r for m, r in zip(c["metric"], c)}
        out += [f"### {title} ({reps} replications per k)", "",
                "| metric | k = 0.5 (halved) | k = 1 (default) | k = 2 (doubled) |", "|---|---|---|---|"]
        for metric, label, scale, fmt in metrics:
            cells = []
            for k in SENS_K:
                r = rows[k].get(metric)
                if r is None or not math.isfinite(r["diff_mean"]):
                    cells.append("–")
                    continue
                lo, hi = r["ci_low"] * scale, r["ci_high"] * scale
                cells.append(fmt.format(r["diff_mean"] * scale) +
                             (f" ({fmt.format(lo)} to {fmt.format(hi)})" if math.isfinite(lo) else ""))
            out.append(f"| {label} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="HDF5 results file of scenarios/default.yaml")
    ap.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown to PATH")
    ap.add_argument("--variant", type=int, default=0, help="variant to validate (default 0)")
    ap.add_argument("--sensitivity", metavar="DIR",
                    help="also write the donor-age sensitivity from scripts/sensitivity.sh's DIR")
    a = ap.parse_args(argv)
    try:
        summ, cands, donors, tx, meta = load(a.results, a.variant)
    except OSError as e:
        print(f"validate.py: {a.results}: {e}", file=sys.stderr)
        return 2
    F = figures(summ, cands, donors, tx, meta)
    print(text_table(F, meta))
    if a.markdown:
        text = markdown(F, meta)
        if a.sensitivity:
            text += "\n".join(sensitivity(a.sensitivity)) + "\n"
        with open(a.markdown, "w", encoding="utf-8") as fh:
            fh.write(text)
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
