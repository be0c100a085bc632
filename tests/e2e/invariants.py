"""Invariants of a wlsim results file, checked on real runs (tests/e2e/run.sh).

Usage: /usr/bin/python3 tests/e2e/invariants.py OUT.h5
Prints one line per invariant and exits 1 if any is violated. Each check reads only the
documented datasets (docs/output.md), so it also guards that layout.
"""
import sys

import h5py
import numpy as np

T, HU, NT, SU = 0, 1, 2, 3
HEART, HEART_LUNG, PANCREAS, PANCREAS_KIDNEY = 0, 1, 2, 3
WAITING, TRANSPLANTED, DIED, REMOVED = 0, 1, 2, 3
EPS = 1e-9

# ABO compatibility: donor -> recipients (O, A, B, AB = 0..3)
COMPATIBLE = {0: {0, 1, 2, 3}, 1: {1, 3}, 2: {2, 3}, 3: {3}}


def main(path):
    f = h5py.File(path, "r")
    cands = f["candidates"][:]
    donors = f["donors"][:]
    tx = f["transplants"][:]
    eps = f["episodes"][:]
    years = f["summary"][:]["years"][0]
    end = years * 365.25
    # Without --warmup-rows the warm-up's transplants have no rows (docs/output.md), so a death
    # in the counted years after a warm-up transplant is counted in /summary but not in the file.
    full = int(f.attrs.get("warmup_rows", 1)) == 1
    failures = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
        if not ok:
            failures.append(name)

    key = lambda v, r, s: (int(v), int(r), int(s))
    cand = {key(c["variant"], c["replication"], c["seq"]): c for c in cands}
    donor = {key(d["variant"], d["replication"], d["seq"]): d for d in donors}

    # 1. Every candidate ends in exactly one outcome, consistent with /transplants.
    txcount = {}
    for t in tx:
        k = key(t["variant"], t["replication"], t["candidate_seq"])
        txcount[k] = txcount.get(k, 0) + 1
    bad = [k for k, c in cand.items()
           if (c["outcome"] == TRANSPLANTED) != (txcount.get(k, 0) == 1) or txcount.get(k, 0) > 1
           or c["outcome"] not in (WAITING, TRANSPLANTED, DIED, REMOVED)
           or (c["outcome"] == WAITING) != bool(np.isnan(c["end_day"]))]
    check("every candidate has exactly one outcome", not bad, f"{len(bad)} candidates, e.g. {bad[:3]}")

    # 2. Nobody in NT is transplanted.
    check("no NT candidate transplanted", not (tx["status"] == NT).any(),
          f"{int((tx['status'] == NT).sum())} transplants in NT")

    # 3. No ABO-incompatible transplant (abo_step 4, the optional infant rule, excepted).
    bad = []
    for t in tx:
        c = cand[key(t["variant"], t["replication"], t["candidate_seq"])]
        d = donor[key(t["variant"], t["replication"], t["donor_seq"])]
        if t["abo_step"] != 4 and int(c["abo"]) not in COMPATIBLE[int(d["abo"])]:
            bad.append((int(t["candidate_seq"]), int(d["abo"]), int(c["abo"])))
    check("no ABO-incompatible transplant", not bad, str(bad[:3]))

    # 4. Heart children (under 16 at transplant) are transplanted from the HU group (group 1).
    heart_tx = tx[np.isin(tx["program"], [HEART, HEART_LUNG])]
    bad = []
    for t in heart_tx:
        c = cand[key(t["variant"], t["replication"], t["candidate_seq"])]
        age = c["age_years"] + (t["day"] - c["listed_day"]) / 365.25
        if age < 16 and t["group"] != 1:
            bad.append((int(t["candidate_seq"]), round(float(age), 2), int(t["group"])))
    check("heart children transplanted as HU", not bad, str(bad[:3]))

    # 5. No HU or SU grant outlives its expiry without a renewal or another status row: the next
    #    row of that candidate (or its leaving the list, or the end of the run) comes by the expiry.
    order = np.lexsort((np.arange(len(eps)), eps["candidate"], eps["replication"], eps["variant"]))
    e = eps[order]
    bad = []
    for i in range(len(e)):
        if e["status"][i] not in (HU, SU) or np.isnan(e["expiry"][i]):
            continue
        k = key(e["variant"][i], e["replication"][i], e["candidate"][i])
        same_next = i + 1 < len(e) and key(e["variant"][i + 1], e["replication"][i + 1], e["candidate"][i + 1]) == k
        nxt = e["day"][i + 1] if same_next else np.inf
        c = cand[k]
        left = c["end_day"] if not np.isnan(c["end_day"]) else np.inf
        if min(nxt, left, end) > e["expiry"][i] + EPS:
            bad.append((k, float(e["day"][i]), float(e["expiry"][i]), float(nxt), float(left)))
    check("no HU/SU grant outlives its expiry without a re-evaluation", not bad, str(bad[:3]))

    # 6. Episode rows of a candidate are in time order and lie within its stay on the list.
    bad = []
    for i in range(1, len(e)):
        if key(e["variant"][i], e["replication"][i], e["candidate"][i]) == key(e["variant"][i - 1], e["replication"][i - 1], e["candidate"][i - 1]):
            if e["day"][i] < e["day"][i - 1] - EPS:
                bad.append(int(e["candidate"][i]))
    check("status rows in time order", not bad, str(bad[:3]))

    # 7. Pancreas: HU never appears; heart: SU never appears.
    pk = {k for k, c in cand.items() if c["program"] in (PANCREAS, PANCREAS_KIDNEY)}
    wrong = [int(r["candidate"]) for r in e
             if (key(r["variant"], r["replication"], r["candidate"]) in pk) == (r["status"] == HU)
             and r["status"] in (HU, SU)]
    check("HU only on the heart list, SU only on the pancreas list", not wrong, str(wrong[:3]))

    # 8. No extended-criteria pancreas is transplanted (or sent to islets) outside the
    #    accelerated procedure (003 §III.8, §II.4.3.2).
    placed = donors[(donors["pancreas_ecd"] == 1) & np.isin(donors["pancreas_outcome"], [1, 2])]
    check("no ECD pancreas allocated outside the accelerated procedure",
          not (placed["pancreas_procedure"] == 0).any(), f"{int((placed['pancreas_procedure'] == 0).sum())} donors")

    # 9. SU grants last at most 91 days (61 for an early re-transplant), HU grants at most 56
    #    (28 at first): every grant row's expiry lies within that of its day.
    su = e[(e["status"] == SU) & ~np.isnan(e["expiry"])]
    hu = e[(e["status"] == HU) & ~np.isnan(e["expiry"])]
    check("every SU grant is at most 91 days", not (su["expiry"] - su["day"] > 91 + EPS).any(),
          str(su[(su["expiry"] - su["day"] > 91 + EPS)][:3]))
    check("every HU grant is at most 56 days", not (hu["expiry"] - hu["day"] > 56 + EPS).any(),
          str(hu[(hu["expiry"] - hu["day"] > 56 + EPS)][:3]))

    # 10. The summary's transplants equal the counted rows of /transplants.
    s = f["summary"][:]
    ok = True
    for row in s:
        progs = [HEART, HEART_LUNG] if row["program"] == 0 else [PANCREAS, PANCREAS_KIDNEY]
        n = ((tx["variant"] == row["variant"]) & (tx["replication"] == row["replication"]) &
             np.isin(tx["program"], progs) & (tx["day"] >= 0) & (tx["day"] < end)).sum()
        ok &= int(n) == int(row["transplants"])
    check("summary transplants match /transplants", ok)

    # 11. After the transplant: death and graft failure lie between the transplant and the end of
    #     the run, a graft fails before its recipient dies, and donor_age is the donor's.
    dd, gf = tx["death_day"], tx["graft_fail_day"]
    bad = ((~np.isnan(dd) & ((dd < tx["day"] - EPS) | (dd >= end))) |
           (~np.isnan(gf) & ((gf < tx["day"] - EPS) | (gf >= end))) |
           (~np.isnan(dd) & ~np.isnan(gf) & (gf > dd + EPS)))
    check("death_day and graft_fail_day within [transplant, end), failure before death",
          not bad.any(), str(tx[bad][:3]))
    dage = np.array([donor[key(t["variant"], t["replication"], t["donor_seq"])]["age_years"] for t in tx])
    check("transplants' donor_age is the donor's age", np.array_equal(dage, tx["donor_age"]))

    # 12. /candidates: a death on the list is the person's death; death_day and followed_day are
    #     exclusive.
    died = cands[cands["outcome"] == DIED]
    check("candidates who died on the list have death_day = end_day",
          np.array_equal(died["death_day"], died["end_day"]))
    check("exactly one of death_day and followed_day is set",
          not (np.isnan(cands["death_day"]) == np.isnan(cands["followed_day"])).any())

    # 13. The summary's deaths after transplant are the transplants whose recipient died in the
    #     counted years without being relisted (a relisted patient's death is a death on the list
    #     or after the next transplant), and all-cause deaths add both kinds.
    relisted = {key(c["variant"], c["replication"], c["relist_of"]) for c in cands if c["relist_of"] != 0xFFFFFFFF}
    ok = True
    for row in s:
        progs = [HEART, HEART_LUNG] if row["program"] == 0 else [PANCREAS, PANCREAS_KIDNEY]
        sel = tx[(tx["variant"] == row["variant"]) & (tx["replication"] == row["replication"]) &
                 np.isin(tx["program"], progs) & (tx["death_day"] >= 0) & (tx["death_day"] < end)]
        n = sum(1 for t in sel if key(t["variant"], t["replication"], t["candidate_seq"]) not in relisted)
        ok &= n == int(row["deaths_after_tx"]) if full else n <= int(row["deaths_after_tx"])
        ok &= int(row["deaths_all"]) == int(row["deaths_waiting"]) + int(row["deaths_after_tx"])
    check("summary deaths after transplant match /transplants" + ("" if full else
          " (at least those of the counted years' transplants: counted years only)"), ok)

    # 14. The summary's 1-year survival after transplant is the Kaplan–Meier estimate over the
    #     counted transplants, followed to the recipient's death or last day known alive.
    ok = True
    for row in s:
        progs = [HEART, HEART_LUNG] if row["program"] == 0 else [PANCREAS, PANCREAS_KIDNEY]
        sel = tx[(tx["variant"] == row["variant"]) & (tx["replication"] == row["replication"]) &
                 np.isin(tx["program"], progs) & (tx["day"] >= 0) & (tx["day"] < end)]
        times, events = [], []
        for t in sel:
            c = cand[key(t["variant"], t["replication"], t["candidate_seq"])]
            dead = not np.isnan(c["death_day"])
            times.append((c["death_day"] if dead else c["followed_day"]) - t["day"])
            events.append(dead)
        times, events = np.array(times), np.array(events, bool)
        surv = 1.0
        for u in np.unique(times[events & (times <= 365.25)]):
            surv *= 1 - ((times == u) & events).sum() / (times >= u).sum()
        ok &= (len(sel) == 0 and np.isnan(row["surv_tx_1y"])) or abs(surv - row["surv_tx_1y"]) < 1e-9
    check("summary 1-year survival after transplant is the Kaplan-Meier estimate", ok)

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
