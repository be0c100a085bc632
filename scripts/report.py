#!/usr/bin/python3
"""Render a wlsim results file as a self-contained HTML report for a working group.

Usage: /usr/bin/python3 scripts/report.py OUT.h5 -o DIR

Writes DIR/index.html and the PNG plots beside it: the scenarios compared (and the parameters in
which they differ), the differences of every variant against variant 0 with 95 % confidence
intervals (/comparison), cumulative incidence of transplant and of death on the list (competing
risks, Aalen-Johansen via statsmodels), survival from listing (Kaplan–Meier, overall and by
urgency at listing) and after transplant by donor age, waiting-time distributions, transplant
rates by blood group and by region, and list size over time. Uses Debian's python3-h5py, -numpy, -matplotlib
and -statsmodels only.
"""
import argparse
import html
import os
import sys
import warnings

import h5py
import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight  # noqa: E402

PROGRAMS = {0: ("heart", "heart and heart-lung", (0, 1)), 1: ("pancreas", "pancreas and pancreas-kidney", (2, 3))}
ABO = ["O", "A", "B", "AB"]
REGIONS = ["Nord", "Nord-Ost", "NRW", "Mitte", "Ost", "Bayern", "BW"]
STATUS = ["T", "HU", "NT", "SU"]
MAIN_METRICS = ["transplants_per_year", "transplants_urgent_per_year", "deaths_waiting_per_year",
                "deaths_after_tx_per_year", "deaths_all_per_year", "surv_tx_1y", "graft_tx_1y",
                "rmst_listing_5y", "removed_per_year", "median_wait_days", "waiting_end"]
# /comparison metrics in words, with their units (the same words as the terminal, sim/report.c)
METRIC_WORDS = {"transplants_per_year": ("transplants", "per year"),
                "transplants_urgent_per_year": ("urgent (HU/SU) transplants", "per year"),
                "deaths_waiting_per_year": ("deaths on the list", "per year"),
                "deaths_after_tx_per_year": ("deaths after transplant", "per year"),
                "deaths_all_per_year": ("all-cause deaths (on the list and after transplant)", "per year"),
                "surv_tx_1y": ("1-year patient survival after transplant", "probability"),
                "graft_tx_1y": ("1-year graft survival after transplant", "probability"),
                "rmst_listing_5y": ("years alive of the first 5 after listing", "years"),
                "removed_per_year": ("removals from the list", "per year"),
                "median_wait_days": ("median wait to transplant", "days"),
                "waiting_end": ("patients waiting at the end (not NT)", "patients")}
GROUP_WORDS = {"abo_": "blood group ", "age_0_15": "age 0-15", "age_16_39": "age 16-39", "age_40_59": "age 40-59",
               "age_60_plus": "age 60+", "region_nord_ost": "region Nord-Ost", "region_nord": "region Nord",
               "region_nrw": "region NRW", "region_mitte": "region Mitte", "region_ost": "region Ost",
               "region_bayern": "region Bayern", "region_bw": "region Baden-Württemberg", "sex_f": "women", "sex_m": "men"}
GLOSSARY = [("T", "transplantable: on the active list without urgency"),
            ("HU", "high urgency (heart): allocated before every T candidate, granted for limited periods"),
            ("SU", "special urgency (pancreas): the pancreas counterpart of HU"),
            ("NT", "not transplantable: listed but temporarily unable to receive an organ"),
            ("ECD", "extended-criteria donor: a donor outside the standard criteria (e.g. older); such organs "
                    "go through the accelerated procedure"),
            ("dMCS", "durable mechanical circulatory support (a ventricular assist device) as a bridge to transplant"),
            ("df", "donor frequency: the share of donors whose organs a candidate could receive (pancreas); "
                   "low df raises priority"),
            ("95 % interval", "the range that covers the true mean difference in 95 % of repeated studies "
                              "(Student t over replications)"),
            ("paired difference", "each variant minus variant 0 in the same replication: both see the same "
                                  "candidates and donors, so the difference is the policy's effect")]
NO_RELIST = 4294967295
# Donor-age bands of the survival-after-transplant plots: the heart's are the model's hazard
# bands (UNOS, Weber et al.); the pancreas's split its younger donors.
DONOR_BANDS = {0: [(0, 40, "< 40"), (40, 50, "40–49"), (50, 55, "50–54"), (55, 200, "≥ 55")],
               1: [(0, 30, "< 30"), (30, 40, "30–39"), (40, 50, "40–49"), (50, 200, "≥ 50")]}


def person_times(c, seqs=None):
    """Time origin-free follow-up of the persons of /candidates rows c: (end day, event) where
    the end is the death (event) or the last day known alive (docs/output.md)."""
    dead = ~np.isnan(c["death_day"])
    return np.where(dead, c["death_day"], c["followed_day"]), dead


def km_curve(ax, t_years, event, **kw):
    """Draws the Kaplan–Meier curve of (t_years, event) on ax; nothing when too few."""
    if len(t_years) < 2:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sf = SurvfuncRight(t_years, event.astype(int))
    ax.step(np.concatenate([[0], sf.surv_times]), np.concatenate([[1], sf.surv_prob]), where="post", **kw)


# The main metrics of the uncertainty section (the all-cause deaths of the outcomes work join them
# when /uncertainty has them), and how each is computed from /summary rows for the scatter plots.
UNC_METRICS = ["transplants_per_year", "deaths_waiting_per_year", "deaths_all_per_year"]
UNC_SUMMARY = {"transplants_per_year": lambda r: r["transplants"] / r["years"],
               "deaths_waiting_per_year": lambda r: r["deaths_waiting"] / r["years"]}


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def fmt(x, digits=1):
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def metric_words(code):
    """(words, unit) of a /comparison metric code."""
    if code in METRIC_WORDS:
        return METRIC_WORDS[code]
    if code.startswith("tx_rate_"):
        g = code[8:]
        for k, w in GROUP_WORDS.items():
            if g == k or (k.endswith("_") and g.startswith(k)):
                return (f"transplant rate of {w}{g[len(k):] if k.endswith('_') else ''}", "per patient-year")
    return (code, "")


def excludes_zero(r):
    return not np.isnan(r["ci_low"]) and (r["ci_low"] > 0 or r["ci_high"] < 0)


def identical_row(r):
    return r["n"] > 0 and r["diff_mean"] == 0 and r["ci_low"] == 0 and r["ci_high"] == 0


def pct_change(r):
    b = r["base_mean"]
    return 100 * r["diff_mean"] / abs(b) if b and np.isfinite(b) else np.nan


def t_interval(values):
    """Mean and 95 % t interval of values (NaN removed)."""
    from statsmodels.stats.weightstats import DescrStatsW
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return np.nan, np.nan, np.nan
    if len(v) == 1:
        return v[0], np.nan, np.nan
    lo, hi = DescrStatsW(v).tconfint_mean(alpha=0.05)
    return v.mean(), lo, hi


class Report:
    def __init__(self, path, outdir):
        self.f = h5py.File(path, "r")
        self.out = outdir
        self.parts = []
        self.variants = [text(n) for n in self.f["variants"][:]["name"]]
        self.years = float(self.f["summary"][:]["years"][0])
        os.makedirs(outdir, exist_ok=True)

    def add(self, s):
        self.parts.append(s)

    def figure(self, fig, name, caption):
        fig.savefig(os.path.join(self.out, name), dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.add(f'<figure><img src="{name}" alt="{html.escape(caption)}"><figcaption>{html.escape(caption)}</figcaption></figure>')

    # --- sections --------------------------------------------------------------------------------
    def header(self):
        a = self.f.attrs
        self.add(f"<h1>wlsim results: {html.escape(' vs '.join(self.variants))}</h1>")
        self.add("<p>" + ", ".join(f"{k} <b>{html.escape(text(a[k]))}</b>" for k in
                                   ["wlsim_version", "git_commit", "seed", "replications", "rng", "created"]) +
                 f", counted years <b>{fmt(self.years, 1)}</b> per replication.</p>")
        self.add("<h2>Scenarios compared</h2><table><tr><th>variant</th><th>name</th><th>file</th>"
                 "<th>heart policy</th><th>pancreas policy</th></tr>")
        for r in self.f["variants"][:]:
            self.add(f"<tr><td>{r['variant']}</td><td>{html.escape(text(r['name']))}</td><td>{html.escape(text(r['path']))}</td>"
                     f"<td>{html.escape(text(r['heart_policy']))}</td><td>{html.escape(text(r['pancreas_policy']))}</td></tr>")
        self.add("</table>")
        p = self.f["parameters"][:]
        base = {text(r["name"]): text(r["value"]) for r in p[p["variant"] == 0]}
        rows = []
        for v in range(1, len(self.variants)):
            for r in p[p["variant"] == v]:
                n, val = text(r["name"]), text(r["value"])
                if base.get(n) != val:
                    rows.append(f"<tr><td>{v}</td><td><code>{html.escape(n)}</code></td><td>{html.escape(base.get(n, '–'))}</td>"
                                f"<td>{html.escape(val)}</td><td>{html.escape(text(r['source']))}</td></tr>")
        if rows:
            self.add("<h3>Parameters that differ from variant 0</h3><table><tr><th>variant</th><th>parameter</th>"
                     "<th>variant 0</th><th>this variant</th><th>source</th></tr>" + "".join(rows) + "</table>")

    def summary_table(self):
        s = self.f["summary"][:]
        self.add("<h2>Results per variant</h2><p>Mean over replications with 95 % confidence interval; counts per year.</p>")
        self.add("<table><tr><th>programme</th><th>figure</th>" + "".join(f"<th>{html.escape(v)}</th>" for v in self.variants) + "</tr>")
        figures = [("transplants per year", lambda r: r["transplants"] / r["years"]),
                   ("urgent transplants (HU/SU) per year", lambda r: r["transplants_urgent"] / r["years"]),
                   ("deaths on the list per year", lambda r: r["deaths_waiting"] / r["years"]),
                   ("removals per year", lambda r: r["removed"] / r["years"]),
                   ("waiting at the end (not NT)", lambda r: r["waiting_end"].astype(float)),
                   ("median wait to transplant, days", lambda r: r["median_wait_days"])]
        if "deaths_after_tx" in s.dtype.names:
            figures += [("deaths after transplant per year", lambda r: r["deaths_after_tx"] / r["years"]),
                        ("all-cause deaths per year", lambda r: r["deaths_all"] / r["years"]),
                        ("1-year survival after transplant, %", lambda r: 100 * r["surv_tx_1y"]),
                        ("1-year graft survival after transplant, %", lambda r: 100 * r["graft_tx_1y"]),
                        ("mean years alive of the first 5 after listing", lambda r: r["rmst_listing_5y"])]
        for p, (_, label, _) in PROGRAMS.items():
            for name, fn in figures:
                cells, values = [], []
                for v in range(len(self.variants)):
                    rows = s[(s["variant"] == v) & (s["program"] == p)]
                    values.append(np.asarray(fn(rows), dtype=float))
                    m, lo, hi = t_interval(values[-1])
                    cells.append(f"<td>{fmt(m)} <span class=ci>[{fmt(lo)}, {fmt(hi)}]</span></td>")
                if len(values) > 1 and all(np.array_equal(values[0], x, equal_nan=True) for x in values[1:]):
                    cells = [f"<td colspan={len(values)}>{cells[0][4:-5]} <i>(identical in every variant and replication)</i></td>"]
                self.add(f"<tr><td>{label}</td><td>{name}</td>{''.join(cells)}</tr>")
        self.add("</table>")

    def comparison(self):
        if "comparison" not in self.f:
            return
        c = self.f["comparison"][:]
        many = len(self.variants) > 6
        self.add("<h2>Differences against variant 0</h2><p>Paired over replications (every variant sees the same "
                 "candidates and donors), mean difference with 95 % confidence interval. A difference whose interval "
                 "excludes 0 is marked <b>bold</b>; figures identical in every replication are folded into one line "
                 "per variant. Transplant rates are transplants per patient-year on the list."
                 + (" With this many variants only the main figures and the differences whose interval excludes 0 "
                    "are listed (all rows: /comparison)." if many else "") + "</p>")
        self.add("<table><tr><th>variant</th><th>programme</th><th>figure (code)</th><th>unit</th><th>variant 0</th>"
                 "<th>variant</th><th>difference [95 % CI]</th><th>% change</th></tr>")
        order = {m: i for i, m in enumerate(MAIN_METRICS)}
        rows = sorted(c, key=lambda r: (r["variant"], r["program"], order.get(text(r["metric"]), 99), text(r["metric"])))
        for v in sorted({int(r["variant"]) for r in rows}):
            vrows = [r for r in rows if r["variant"] == v]
            same = [r for r in vrows if identical_row(r)]
            for r in vrows:
                if identical_row(r) or (many and text(r["metric"]) not in METRIC_WORDS and not excludes_zero(r)):
                    continue
                sig = excludes_zero(r)
                words, unit = metric_words(text(r["metric"]))
                d = f"{fmt(r['diff_mean'], 3)} [{fmt(r['ci_low'], 3)}, {fmt(r['ci_high'], 3)}]"
                self.add(f"<tr><td>{v} {html.escape(self.variants[v])}</td><td>{PROGRAMS[int(r['program'])][0]}</td>"
                         f"<td>{html.escape(words)} <code>{html.escape(text(r['metric']))}</code></td><td>{unit}</td>"
                         f"<td>{fmt(r['base_mean'], 3)}</td><td>{fmt(r['mean'], 3)}</td>"
                         f"<td>{'<b>' + d + '</b>' if sig else d}</td><td>{fmt(pct_change(r), 1)} %</td></tr>")
            if same:
                progs = sorted({PROGRAMS[int(r["program"])][0] for r in same})
                self.add(f"<tr><td>{v} {html.escape(self.variants[v])}</td><td colspan=7><i>identical to variant 0 in every "
                         f"replication: {len(same)} figures ({', '.join(progs)})</i></td></tr>")
        self.add("</table>")

    # --- the answer first (docs/compare.md): sentences, forest plot, sweep grid, glossary -----------
    def _comparison_rows(self):
        return self.f["comparison"][:] if "comparison" in self.f else None

    def sentence(self, r):
        """One plain-language sentence for a /comparison row."""
        words, unit = metric_words(text(r["metric"]))
        prog = PROGRAMS[int(r["program"])][0]
        d, lo, hi, pc = r["diff_mean"], r["ci_low"], r["ci_high"], pct_change(r)
        w = max(abs(d), abs(hi - lo))
        digits = 1 if w >= 1 else 3 if w >= 0.01 else 4
        pcs = f", {pc:+.1f} %" if np.isfinite(pc) else ""
        rng = f"({fmt(lo, digits)} to {fmt(hi, digits)}{pcs})"
        if unit == "per year":
            return f"{'adds' if d > 0 else 'removes'} {fmt(abs(d), digits)} {prog} {words} a year {rng}"
        return f"{'raises' if d > 0 else 'lowers'} the {prog} {words} by {fmt(abs(d), digits)} {unit} {rng}"

    def opening(self):
        """A few sentences in words before any table: what each variant changes, with 95 % intervals."""
        c = self._comparison_rows()
        if c is None:
            return
        n = int(c["n"].max()) if len(c) else 0
        out = [f"<h2>In brief</h2><p>Each variant against <b>{html.escape(self.variants[0])}</b> in the same {n} "
               "replications (the same candidates and donors); ranges are 95 % intervals, percentages are of "
               f"{html.escape(self.variants[0])}'s mean.</p><ul>"]
        shown = range(1, len(self.variants)) if len(self.variants) <= 6 else []
        for v in shown:
            rows = [r for r in c[c["variant"] == v] if excludes_zero(r)]
            rows.sort(key=lambda r: -abs(pct_change(r)) if np.isfinite(pct_change(r)) else 0)
            name = html.escape(self.variants[v])
            if not rows:
                out.append(f"<li><b>{name}</b> changes no figure beyond chance: every 95 % interval includes 0.</li>")
                continue
            main = [r for r in rows if text(r["metric"]) in METRIC_WORDS][:3] or rows[:3]
            parts = "; ".join(html.escape(self.sentence(r)) for r in main)
            more = len(rows) - len(main)
            out.append(f"<li><b>{name}</b> {parts}." + (f" {more} further figure{'s' if more > 1 else ''} "
                       "differ beyond chance (table below)." if more > 0 else "") + "</li>")
        if not shown:
            sig = [r for r in c if excludes_zero(r) and text(r["metric"]) in METRIC_WORDS]
            nv = len({int(r["variant"]) for r in sig})
            out.append(f"<li>{len(self.variants) - 1} variants; {nv} of them change a main figure beyond chance"
                       f"{' (the grid view and the table below show each)' if nv else ''}.</li>")
            sig.sort(key=lambda r: -abs(pct_change(r)) if np.isfinite(pct_change(r)) else 0)
            for r in sig[:3]:
                out.append(f"<li><b>{html.escape(self.variants[int(r['variant'])])}</b> "
                           f"{html.escape(self.sentence(r))}.</li>")
        out.append("</ul>")
        self.add("".join(out))

    def forest(self):
        """Forest plot: % change against variant 0 with 95 % interval, main figures, per programme."""
        c = self._comparison_rows()
        if c is None or len(self.variants) > 8:
            return
        rows = [r for r in c if text(r["metric"]) in METRIC_WORDS and not identical_row(r)]
        if not rows:
            return
        rows.sort(key=lambda r: (int(r["program"]), MAIN_METRICS.index(text(r["metric"])), int(r["variant"])))
        fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.2))
        labels = []
        for i, r in enumerate(rows):
            b = abs(r["base_mean"]) if r["base_mean"] else np.nan
            y = len(rows) - 1 - i
            m, lo, hi = (100 * r[k] / b for k in ("diff_mean", "ci_low", "ci_high"))
            col = "tab:red" if excludes_zero(r) else "tab:grey"
            ax.errorbar([m], [y], xerr=[[m - lo], [hi - m]] if np.isfinite(lo) else None, fmt="o", color=col, capsize=3)
            words, unit = metric_words(text(r["metric"]))
            labels.append(f"{PROGRAMS[int(r['program'])][0]}: {words} ({self.variants[int(r['variant'])]})")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(labels[::-1], fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"change against {self.variants[0]}, % of its mean (95 % interval)")
        ax.grid(axis="x", alpha=0.3)
        self.figure(fig, "forest.png", "Differences against variant 0 in % of its mean, with 95 % intervals; red: the "
                    "interval excludes 0. Figures identical in every replication are left out.")

    def sweep_grid(self):
        """A sweep over two parameters: a heat map of the main difference over the grid."""
        import re
        c = self._comparison_rows()
        grid = [re.fullmatch(r".*\[([^=\]]+)=([^,\]]+),([^=\]]+)=([^\]]+)\]", n) for n in self.variants[1:]]
        if c is None or len(grid) < 4 or not all(grid) or len({(g[1], g[3]) for g in grid}) != 1:
            return
        kx, ky = grid[0][3], grid[0][1]
        xs = sorted({float(g[4]) for g in grid})
        ys = sorted({float(g[2]) for g in grid})
        prog = 1 if kx.startswith(("policy.pancreas", "model.pancreas")) else 0
        # the main figure: the one of the swept programme with the largest mean |t| over the grid
        best, score = "deaths_waiting_per_year", -1
        for m in MAIN_METRICS:
            sel = c[(c["program"] == prog) & (c["metric"] == m.encode())]
            half = (sel["ci_high"] - sel["ci_low"]) / 2
            t = np.nanmean(np.abs(sel["diff_mean"]) / np.where(half > 0, half, np.nan)) if len(sel) else np.nan
            if np.isfinite(t) and t > score:
                best, score = m, t
        z = np.full((len(ys), len(xs)), np.nan)
        sig = np.zeros_like(z, dtype=bool)
        for v, g in enumerate(grid, start=1):
            r = c[(c["variant"] == v) & (c["program"] == prog) & (c["metric"] == best.encode())]
            if len(r):
                z[ys.index(float(g[2])), xs.index(float(g[4]))] = r[0]["diff_mean"]
                sig[ys.index(float(g[2])), xs.index(float(g[4]))] = excludes_zero(r[0])
        words, unit = metric_words(best)
        lim = np.nanmax(np.abs(z)) or 1
        fig, ax = plt.subplots(figsize=(1.2 * len(xs) + 3, 0.9 * len(ys) + 1.5))
        im = ax.imshow(z, cmap="RdBu_r", vmin=-lim, vmax=lim, origin="lower", aspect="auto")
        for i in range(len(ys)):
            for j in range(len(xs)):
                if np.isfinite(z[i, j]):
                    ax.text(j, i, f"{z[i, j]:+.2f}{'*' if sig[i, j] else ''}", ha="center", va="center", fontsize=9)
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels([f"{x:g}" for x in xs])
        ax.set_yticks(range(len(ys)))
        ax.set_yticklabels([f"{y:g}" for y in ys])
        p = self.f["parameters"][:]
        units = {text(r["name"]): text(r["unit"]) for r in p[p["variant"] == 0]}
        ax.set_xlabel(f"{kx} ({units.get(kx, '')})")
        ax.set_ylabel(f"{ky} ({units.get(ky, '')})")
        ax.set_title(f"{PROGRAMS[prog][0]} {words}: difference against variant 0", fontsize=10)
        fig.colorbar(im, ax=ax, label=unit)
        self.add("<h2>The sweep at a glance</h2>")
        self.figure(fig, "sweep.png", f"Difference against variant 0 ({self.variants[0]}) in {PROGRAMS[prog][0]} "
                    f"{words} ({unit}) over the grid; * marks a 95 % interval that excludes 0.")

    def glossary(self):
        self.add("<h2>Glossary</h2><dl>" + "".join(f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(v)}</dd>"
                                                   for k, v in GLOSSARY) + "</dl>")

    def cif(self):
        if "candidates" not in self.f:
            self.add("<p>Per-entity tables were not written (<code>--summary-only</code>): no incidence or waiting-time plots.</p>")
            return
        c = self.f["candidates"][:]
        end = self.years * 365.25
        c = c[(c["listed_day"] >= 0) & (c["listed_day"] < end)]
        for p, (key, label, progs) in PROGRAMS.items():
            fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
            for ax, urgent in zip(axes, (False, True)):
                for v, name in enumerate(self.variants):
                    sel = c[(c["variant"] == v) & np.isin(c["program"], progs)]
                    urg = np.isin(sel["status_listed"], [1, 3])
                    sel = sel[urg] if urgent else sel[~urg]
                    if len(sel) < 2:
                        continue
                    t = np.where(np.isnan(sel["end_day"]), end, sel["end_day"]) - sel["listed_day"]
                    status = np.select([sel["outcome"] == 1, sel["outcome"] == 2, sel["outcome"] == 3], [1, 2, 3], 0)
                    if not (status > 0).any():
                        continue
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        ci = CumIncidenceRight(t / 365.25, status)
                    style = "-" if v == 0 else "--"
                    # statsmodels returns one curve per event type up to the largest one present.
                    for k, (ev, col) in enumerate([("transplant", "tab:blue"), ("death", "tab:red")]):
                        if k < len(ci.cinc):
                            ax.step(ci.times, ci.cinc[k], where="post", color=col, linestyle=style, label=f"{ev}, {name}")
                ax.set_title(f"{label}: listed {'urgent (HU/SU)' if urgent else 'non-urgent'}", fontsize=10)
                ax.set_xlabel("years since listing")
                ax.set_xlim(0, min(5, self.years))
                ax.grid(alpha=0.3)
            axes[0].set_ylabel("cumulative incidence (share of listed)")
            axes[1].legend(fontsize=8)
            self.figure(fig, f"cif_{key}.png", f"Cumulative incidence of transplant and of death on the list (competing "
                        f"risks, removal the third), {label}, candidates listed in the counted years, pooled over replications.")

    def survival(self):
        """Kaplan–Meier survival from listing per variant (overall and by urgency at listing), and
        survival after transplant by donor-age band (patient for the heart, graft for the
        pancreas)."""
        if "candidates" not in self.f or "death_day" not in self.f["candidates"].dtype.names:
            return
        c = self.f["candidates"][:]
        end = self.years * 365.25
        first = c[(c["listed_day"] >= 0) & (c["listed_day"] < end) & (c["relist_of"] == NO_RELIST)]
        fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharey="row")
        for row, (p, (key, label, progs)) in enumerate(PROGRAMS.items()):
            for v, name in enumerate(self.variants):
                sel = first[(first["variant"] == v) & np.isin(first["program"], progs)]
                stop, dead = person_times(sel)
                t = (stop - sel["listed_day"]) / 365.25
                style = "-" if v == 0 else "--"
                km_curve(axes[row][0], t, dead, linestyle=style, color=f"C{v}", label=name)
                urg = np.isin(sel["status_listed"], [1, 3])
                for k, (mask, what) in enumerate(((urg, "urgent (HU/SU)"), (~urg, "non-urgent"))):
                    km_curve(axes[row][1], t[mask], dead[mask], linestyle=style, color=f"C{2 * k + 4}",
                             label=f"listed {what}, {name}")
            for ax, title in zip(axes[row], ("all first listings", "by urgency at listing")):
                ax.set_title(f"{label}: {title}", fontsize=10)
                ax.set_xlim(0, min(10, self.years))
                ax.set_xlabel("years since listing")
                ax.grid(alpha=0.3)
                ax.legend(fontsize=7)
            axes[row][0].set_ylabel("alive (Kaplan–Meier)")
        fig.tight_layout()
        self.figure(fig, "survival_listing.png", "Survival from listing: first listings of the counted years followed "
                    "through the list, transplants, graft failures and relistings to death; censored at the end of the "
                    "run and at removal from a list. Pooled over replications.")
        if "transplants" not in self.f or "donor_age" not in self.f["transplants"].dtype.names:
            return
        tx = self.f["transplants"][:]
        tx = tx[(tx["day"] >= 0) & (tx["day"] < end)]
        idx = {(int(r["variant"]), int(r["replication"]), int(r["seq"])): i for i, r in enumerate(c)}
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, (p, (key, label, progs)) in zip(axes, PROGRAMS.items()):
            for v, name in enumerate(self.variants):
                sel = tx[(tx["variant"] == v) & np.isin(tx["program"], progs)]
                if not len(sel):
                    continue
                rows = c[[idx[(int(r["variant"]), int(r["replication"]), int(r["candidate_seq"]))] for r in sel]]
                stop, dead = person_times(rows)
                if p == 1:  # graft: failure or death, whichever first
                    g = np.fmin(np.where(np.isnan(sel["graft_fail_day"]), np.inf, sel["graft_fail_day"]),
                                np.where(dead, stop, np.inf))
                    dead = np.isfinite(g)
                    stop = np.where(dead, g, stop)
                t = (stop - sel["day"]) / 365.25
                for k, (lo, hi, band) in enumerate(DONOR_BANDS[p]):
                    m = (sel["donor_age"] >= lo) & (sel["donor_age"] < hi)
                    km_curve(ax, t[m], dead[m], color=f"C{k}", linestyle="-" if v == 0 else "--",
                             label=f"donor {band} (n={int(m.sum())}), {name}")
            ax.set_title(f"{label}: {'patient' if p == 0 else 'graft'} survival after transplant", fontsize=10)
            ax.set_xlim(0, min(5, self.years))
            ax.set_xlabel("years since transplant")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        axes[0].set_ylabel("Kaplan–Meier")
        self.figure(fig, "survival_tx.png", "Survival after transplant by donor age, transplants of the counted years "
                    "pooled over replications (heart: patient survival; pancreas: graft survival, failure or death).")

    def waits(self):
        if "transplants" not in self.f:
            return
        tx = self.f["transplants"][:]
        end = self.years * 365.25
        tx = tx[(tx["day"] >= 0) & (tx["day"] < end)]
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
        for ax, (p, (key, label, progs)) in zip(axes, PROGRAMS.items()):
            for v, name in enumerate(self.variants):
                w = tx[(tx["variant"] == v) & np.isin(tx["program"], progs)]["wait_days"]
                if len(w):
                    ax.hist(w, bins=40, histtype="step", density=True, label=name)
            ax.set_title(f"{label}: days from listing to transplant", fontsize=10)
            ax.set_xlabel("days")
            ax.set_ylabel("density (share per day)")
            ax.legend(fontsize=8)
        self.figure(fig, "waits.png", "Distribution of waiting times of the transplants in the counted years (density).")

    def groups(self):
        g = self.f["groups"][:]
        fig, axes = plt.subplots(2, 2, figsize=(11, 7))
        for row, (p, (key, label, _)) in enumerate(PROGRAMS.items()):
            for col, (dim, names) in enumerate([(0, ABO), (2, REGIONS)]):
                ax = axes[row][col]
                width = 0.8 / len(self.variants)
                for v, name in enumerate(self.variants):
                    sel = g[(g["variant"] == v) & (g["program"] == p) & (g["dim"] == dim)]
                    rates = [sel[sel["group"] == k]["transplants"].sum() / max(sel[sel["group"] == k]["waiting_years"].sum(), 1e-9)
                             for k in range(len(names))]
                    ax.bar(np.arange(len(names)) + v * width, rates, width, label=name)
                ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2)
                ax.set_xticklabels(names, fontsize=8)
                ax.set_title(f"{label}: transplant rate by {'blood group' if dim == 0 else 'region'}", fontsize=10)
                ax.set_ylabel("transplants per patient-year")
        axes[0][0].legend(fontsize=8)
        self.figure(fig, "groups.png", "Transplants per patient-year on the list, by blood group and by region, all replications.")

    def series(self):
        s = self.f["series"][:]
        if len(s) == 0:
            return
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
        for ax, (p, (key, label, _)) in zip(axes, PROGRAMS.items()):
            for v, name in enumerate(self.variants):
                sel = s[(s["variant"] == v) & (s["program"] == p)]
                days = np.unique(sel["day"])
                for field, st in [("listed", "all listed"), ("n_hu" if p == 0 else "n_su", "HU" if p == 0 else "SU"), ("n_nt", "NT")]:
                    mean = [sel[sel["day"] == d][field].mean() for d in days]
                    ax.plot(days / 365.25, mean, label=f"{st}, {name}", linestyle="-" if v == 0 else "--")
            ax.axvline(0, color="grey", linewidth=0.8)
            ax.set_title(f"{label}: list size (mean over replications)", fontsize=10)
            ax.set_xlabel("years (negative: warm-up)")
            ax.set_ylabel("patients on the list")
            ax.legend(fontsize=7)
        self.figure(fig, "series.png", "List size by status over time; the warm-up (before year 0) is simulated, not counted.")

    # --- parameter uncertainty (--uncertainty: /draws, /sensitivity, /uncertainty) -------------------
    def uncertainty(self):
        if "uncertainty" not in self.f or "sensitivity" not in self.f:
            return
        unc, sens = self.f["uncertainty"][:], self.f["sensitivity"][:]
        draws = self.f["draws"][:]
        params = list(dict.fromkeys(text(p) for p in draws["parameter"]))
        nrep = len(draws) // max(len(params), 1)
        self.add(f"<h2>How sure are we, really? Parameter uncertainty</h2><p>Each of the {nrep} replications ran with "
                 f"its own draw of {len(params)} uncertain parameters (<code>--uncertainty</code>; the same draw for every "
                 "variant). The range is the 2.5–97.5 % quantile of the paired difference over the draws (it holds the "
                 "parameter uncertainty and the replication's own chance); the tornado charts show the partial rank "
                 "correlation (PRCC) of each difference with each parameter, with a 95 % interval.</p>")
        self.add("<table><tr><th>variant</th><th>programme</th><th>metric</th><th>difference (mean)</th>"
                 "<th>2.5–97.5 % of draws</th><th>same sign</th><th>depends most on (PRCC)</th></tr>")
        sentences = []
        for r in unc:
            m = text(r["metric"])
            if m not in UNC_METRICS or r["n"] == 0 or r["diff_p2_5"] == r["diff_p97_5"]:
                continue
            pos = r["share_positive"] >= r["share_negative"]
            share = r["share_positive"] if pos else r["share_negative"]
            top = text(r["top_parameter"])
            name = f"{self.variants[r['variant']]}, {PROGRAMS[int(r['program'])][0]} <code>{html.escape(m)}</code>"
            self.add(f"<tr><td>{r['variant']} {html.escape(self.variants[r['variant']])}</td><td>{PROGRAMS[int(r['program'])][0]}</td>"
                     f"<td><code>{html.escape(m)}</code></td><td>{fmt(r['diff_mean'], 3)}</td>"
                     f"<td>[{fmt(r['diff_p2_5'], 3)}, {fmt(r['diff_p97_5'], 3)}]</td><td>{'> 0' if pos else '< 0'} in {100 * share:.0f} %</td>"
                     f"<td>{html.escape(top) or '–'} ({fmt(r['top_prcc'], 2)})</td></tr>")
            holds = "holds" if share >= 0.95 else "does <b>not</b> hold"
            t = sens[(sens["variant"] == r["variant"]) & (sens["program"] == r["program"]) &
                     (sens["metric"] == r["metric"]) & (sens["rank"] == 1)]
            if len(t) and not (t[0]["ci_low"] <= 0 <= t[0]["ci_high"]):
                hangs = (f"it depends most on <code>{html.escape(top)}</code> (PRCC {fmt(t[0]['prcc'], 2)} "
                         f"[{fmt(t[0]['ci_low'], 2)}, {fmt(t[0]['ci_high'], 2)}])")
            elif len(t):
                hangs = (f"no parameter stands out: the largest PRCC (<code>{html.escape(top)}</code>, {fmt(t[0]['prcc'], 2)}) "
                         "has an interval that includes 0, so the replication's own chance outweighs every parameter")
            else:
                hangs = "no PRCC is defined"
            sentences.append(f"<li>{name}: the sign of the difference ({'positive' if pos else 'negative'}) {holds} in at "
                             f"least 95 % of the parameter draws ({100 * share:.0f} %); {hangs}.</li>")
        self.add("</table><ul>" + "".join(sentences) + "</ul>")
        for m in UNC_METRICS:
            self.tornado(sens, m)
            self.scatter(unc, draws, params, m)

    def tornado(self, sens, metric):
        """One horizontal bar per parameter: its PRCC with the difference in `metric`, per comparison."""
        groups = []
        for v in range(1, len(self.variants)):
            for p in PROGRAMS:
                rows = sens[(sens["variant"] == v) & (sens["program"] == p) & (sens["metric"] == metric.encode())]
                if len(rows) and not np.isnan(rows["prcc"]).all():
                    groups.append((v, p, rows[np.argsort(-np.nan_to_num(np.abs(rows["prcc"]), nan=-1))][::-1]))
        if not groups:
            return
        fig, axes = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 0.35 * len(groups[0][2]) + 1.5), squeeze=False)
        for ax, (v, p, rows) in zip(axes[0], groups):
            y = np.arange(len(rows))
            val = np.nan_to_num(rows["prcc"])
            err = np.vstack([val - np.nan_to_num(rows["ci_low"], nan=0), np.nan_to_num(rows["ci_high"], nan=0) - val])
            ax.barh(y, val, color=np.where(val >= 0, "tab:blue", "tab:red"), xerr=np.abs(err), ecolor="grey", capsize=2)
            ax.set_yticks(y)
            ax.set_yticklabels([text(n) for n in rows["parameter"]], fontsize=7)
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_xlim(-1, 1)
            ax.set_xlabel("partial rank correlation with the difference")
            ax.set_title(f"{self.variants[v]} − {self.variants[0]}: {PROGRAMS[p][0]}", fontsize=9)
        self.figure(fig, f"tornado_{metric}.png", f"Tornado chart, {metric}: which uncertain parameter the paired difference "
                    "depends on (PRCC with 95 % interval; parameters sorted by influence, the largest on top).")

    def scatter(self, unc, draws, params, metric):
        """The paired difference per replication against its most influential parameter's draw."""
        fn = UNC_SUMMARY.get(metric)
        if fn is None:
            return
        s = self.f["summary"][:]
        cases = [r for r in unc if text(r["metric"]) == metric and text(r["top_parameter"])]
        if not cases:
            return
        fig, axes = plt.subplots(1, len(cases), figsize=(5 * len(cases), 3.6), squeeze=False)
        for ax, r in zip(axes[0], cases):
            v, p, top = int(r["variant"]), int(r["program"]), text(r["top_parameter"])
            b = s[(s["variant"] == 0) & (s["program"] == p)]
            x = s[(s["variant"] == v) & (s["program"] == p)]
            b, x = b[np.argsort(b["replication"])], x[np.argsort(x["replication"])]
            d = draws[draws["parameter"] == top.encode()]
            d = d[np.argsort(d["replication"])]
            n = min(len(b), len(x), len(d))
            diff = fn(x[:n]) - fn(b[:n])
            ax.scatter(d["value"][:n], diff, s=10, alpha=0.6)
            ax.axhline(0, color="black", linewidth=0.8)
            ax.set_xlabel(top, fontsize=8)
            ax.set_ylabel(f"difference in {metric}", fontsize=8)
            ax.set_title(f"{self.variants[v]} − {self.variants[0]}: {PROGRAMS[p][0]}", fontsize=9)
        self.figure(fig, f"scatter_{metric}.png", f"Paired difference in {metric} per replication against the draw of the "
                    "parameter it depends on most.")

    def write(self):
        self.header()
        self.opening()
        self.sweep_grid()
        self.forest()
        self.summary_table()
        self.comparison()
        self.uncertainty()
        self.add("<h2>Plots</h2>")
        self.cif()
        self.survival()
        self.waits()
        self.groups()
        self.series()
        self.glossary()
        style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                 "table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
                 "th{background:#f0f0f0}.ci{color:#666;font-size:85%}figure{margin:1.5em 0}img{max-width:100%}")
        page = (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>wlsim report</title><style>{style}</style></head>"
                f"<body>{''.join(self.parts)}<p><small>Generated by scripts/report.py from {html.escape(self.f.filename)}."
                f" Field definitions: docs/output.md.</small></p></body></html>")
        with open(os.path.join(self.out, "index.html"), "w", encoding="utf-8") as fh:
            fh.write(page)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", help="wlsim results file (.h5)")
    ap.add_argument("-o", "--output", required=True, help="folder for index.html and the plots")
    a = ap.parse_args(argv)
    try:
        r = Report(a.results, a.output)
    except (OSError, KeyError) as e:
        print(f"report.py: {a.results}: expected a wlsim results file, found an error: {e}", file=sys.stderr)
        return 2
    r.write()
    print(os.path.join(a.output, "index.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
