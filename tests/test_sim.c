/* test_sim.c — one replication end to end in memory: limiting cases, conservation of
 * candidates, determinism, common random numbers across policy variants, and the arrival
 * process against its configured rate; branching policy variants from one shared warm-up
 * (sim_run_branch). Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "heart.h"
#include "pancreas.h"
#include "sim.h"
#include "simple.h"

static struct scenario *load(const char *path)
{
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    if (scen_load(path, &s, &e)) fail_msg("%s", e.msg);
    return s;
}

static struct rep_result *run1(const struct scenario *s, uint64_t seed, int rep)
{
    struct sim_opts o = {.seed = seed, .entity_tables = 1};
    struct rep_result *r = NULL;
    struct err e;
    err_clear(&e);
    if (sim_run(s, &o, 0, rep, &r, &e)) fail_msg("%s", e.msg);
    return r;
}

/* No donors: no transplants, and no offers, in either programme. */
static void test_no_donors(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/no_donors.yaml");
    struct rep_result *r = run1(s, 11, 0);
    for (int o = 0; o < ORGAN_N; o++) {
        assert_int_equal(r->summary[o].transplants, 0);
        assert_int_equal(r->summary[o].offers, 0);
        assert_true(r->summary[o].listings > 0);
        assert_true(isnan(r->summary[o].median_wait_days));
    }
    assert_int_equal(r->tx.n, 0);
    assert_int_equal(r->donors.n, 0);
    sim_result_free(r);
    scen_free(s);
}

/* No deaths or removals: every candidate ends transplanted or still waiting. */
static void test_no_deaths(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/no_deaths.yaml");
    struct rep_result *r = run1(s, 12, 0);
    for (int o = 0; o < ORGAN_N; o++) {
        assert_int_equal(r->summary[o].deaths_waiting, 0);
        assert_int_equal(r->summary[o].removed, 0);
    }
    size_t waiting = 0, tx = 0;
    for (size_t i = 0; i < r->cands.n; i++) {
        int out = r->cands.v[i].outcome;
        assert_true(out == OUT_TRANSPLANTED || out == OUT_WAITING);
        if (out == OUT_WAITING) waiting++;
        else tx++;
    }
    assert_int_equal(tx, r->tx.n);
    /* Warm-up is 0 here, so every listing is counted: listings = transplanted + waiting. */
    assert_int_equal((size_t)(r->summary[0].listings + r->summary[1].listings), r->cands.n);
    assert_int_equal((size_t)(r->summary[0].waiting_end + r->summary[0].nt_end +
                              r->summary[1].waiting_end + r->summary[1].nt_end), waiting);
    sim_result_free(r);
    scen_free(s);
}

/* The same limiting case with the guideline policies and their status models. */
static void test_no_deaths_guideline(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/no_deaths_guideline.yaml");
    assert_string_equal(s->ops[ORGAN_HEART]->name, "bak2021");
    assert_string_equal(s->ops[ORGAN_PANCREAS]->name, "bak2026");
    struct rep_result *r = run1(s, 21, 0);
    for (int o = 0; o < ORGAN_N; o++) {
        assert_int_equal(r->summary[o].deaths_waiting, 0);
        assert_int_equal(r->summary[o].removed, 0);
        assert_true(r->summary[o].transplants > 0);
    }
    for (size_t i = 0; i < r->cands.n; i++)
        assert_true(r->cands.v[i].outcome == OUT_TRANSPLANTED || r->cands.v[i].outcome == OUT_WAITING);
    sim_result_free(r);
    scen_free(s);
}

/* One blood group only: every transplant is ABO-identical (step 1), in both programmes. */
static void test_one_blood_group(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/one_blood_group.yaml");
    struct rep_result *r = run1(s, 22, 0);
    assert_true(r->tx.n > 0);
    for (size_t i = 0; i < r->tx.n; i++) assert_int_equal(r->tx.v[i].abo_step, 1);
    for (size_t i = 0; i < r->cands.n; i++) assert_int_equal(r->cands.v[i].abo, ABO_A);
    sim_result_free(r);
    scen_free(s);
}

/* Each candidate has exactly one outcome; counted outcomes match the summary. */
static void test_conservation(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    struct rep_result *r = run1(s, 13, 1);
    int died[ORGAN_N] = {0}, removed[ORGAN_N] = {0}, txc[ORGAN_N] = {0};
    double end = s->run.years * 365.25;
    for (size_t i = 0; i < r->cands.n; i++) {
        const struct rec_cand *c = &r->cands.v[i];
        int o = prog_organ((enum prog)c->program);
        assert_true(c->outcome >= OUT_WAITING && c->outcome < OUT_N);
        if (c->outcome == OUT_WAITING) {
            assert_true(isnan(c->end_day));
            continue;
        }
        assert_true(c->end_day >= c->listed_day);
        if (c->end_day < 0 || c->end_day >= end) continue;
        if (c->outcome == OUT_DIED) died[o]++;
        if (c->outcome == OUT_REMOVED) removed[o]++;
        if (c->outcome == OUT_TRANSPLANTED) txc[o]++;
    }
    for (int o = 0; o < ORGAN_N; o++) {
        assert_int_equal(died[o], r->summary[o].deaths_waiting);
        assert_int_equal(removed[o], r->summary[o].removed);
        assert_int_equal(txc[o], r->summary[o].transplants);
        assert_true(r->summary[o].transplants_urgent <= r->summary[o].transplants);
    }
    /* Transplants: only ABO-compatible, each candidate at most once. */
    for (size_t i = 0; i < r->tx.n; i++) {
        assert_true(r->tx.v[i].abo_step >= 1);
        for (size_t j = 0; j < i; j++) assert_true(r->tx.v[j].candidate != r->tx.v[i].candidate);
    }
    sim_result_free(r);
    scen_free(s);
}

static void assert_same(const struct rep_result *a, const struct rep_result *b, int organ_only)
{
    if (organ_only >= 0) {
        assert_memory_equal(&a->summary[organ_only], &b->summary[organ_only], sizeof a->summary[0]);
        return;
    }
    assert_memory_equal(a->summary, b->summary, sizeof a->summary);
    assert_int_equal(a->cands.n, b->cands.n);
    assert_int_equal(a->tx.n, b->tx.n);
    assert_int_equal(a->episodes.n, b->episodes.n);
    assert_int_equal(a->donors.n, b->donors.n);
    assert_memory_equal(a->cands.v, b->cands.v, a->cands.n * sizeof *a->cands.v);
    assert_memory_equal(a->tx.v, b->tx.v, a->tx.n * sizeof *a->tx.v);
    assert_memory_equal(a->donors.v, b->donors.v, a->donors.n * sizeof *a->donors.v);
}

/* Same scenario, seed and replication: bit-identical results; another replication differs. */
static void test_deterministic(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    struct rep_result *a = run1(s, 99, 2), *b = run1(s, 99, 2), *c = run1(s, 99, 3);
    assert_same(a, b, -1);
    assert_true(a->cands.n != c->cands.n || memcmp(a->cands.v, c->cands.v, a->cands.n * sizeof *a->cands.v));
    sim_result_free(a);
    sim_result_free(b);
    sim_result_free(c);
    scen_free(s);
}

/* Common random numbers: a change to the pancreas programme only (its acceptance
 * probability) leaves the heart programme's results bit-identical, and the same candidates are
 * listed at the same times in both programmes. */
static void test_crn_pancreas_change_keeps_heart(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/no_deaths.yaml");
    struct rep_result *a = run1(s, 5, 0);
    struct simple_par *pp = s->par[ORGAN_PANCREAS];
    pp->accept_prob = pp->accept_prob / 2;
    struct rep_result *b = run1(s, 5, 0);
    assert_same(a, b, ORGAN_HEART);
    assert_true(a->summary[ORGAN_PANCREAS].offers != b->summary[ORGAN_PANCREAS].offers);
    assert_int_equal(a->cands.n, b->cands.n);
    for (size_t i = 0; i < a->cands.n; i++) {
        assert_int_equal(a->cands.v[i].seq, b->cands.v[i].seq);
        assert_true(a->cands.v[i].listed_day == b->cands.v[i].listed_day);
    }
    sim_result_free(a);
    sim_result_free(b);
    scen_free(s);
}

/* The same with the guideline policies and the outcome model: a pancreas-only change (the
 * extended-criteria age limit and the donor-age effect on pancreas grafts) leaves every heart
 * row bit-identical, deaths after transplant and graft failures included. */
static void test_crn_outcomes_pancreas_change_keeps_heart(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    assert_string_equal(s->ops[ORGAN_HEART]->name, "bak2021");
    struct rep_result *a = run1(s, 5, 1);
    struct pancreas_par *pp = s->par[ORGAN_PANCREAS];
    pp->ecd_age_max = 50;
    pp->outc.beta_age *= 2;
    struct rep_result *b = run1(s, 5, 1);
    assert_same(a, b, ORGAN_HEART);
    assert_true(a->summary[ORGAN_HEART].deaths_after_tx > 0);
    assert_true(memcmp(&a->summary[ORGAN_PANCREAS], &b->summary[ORGAN_PANCREAS], sizeof a->summary[0]));
    size_t ia = 0, ib = 0, n = 0;
    for (;; ia++, ib++, n++) {
        while (ia < a->tx.n && prog_organ((enum prog)a->tx.v[ia].program) != ORGAN_HEART) ia++;
        while (ib < b->tx.n && prog_organ((enum prog)b->tx.v[ib].program) != ORGAN_HEART) ib++;
        if (ia == a->tx.n || ib == b->tx.n) break;
        assert_memory_equal(&a->tx.v[ia], &b->tx.v[ib], sizeof a->tx.v[0]);
    }
    assert_true(ia == a->tx.n && ib == b->tx.n && n > 0);
    sim_result_free(a);
    sim_result_free(b);
    scen_free(s);
}

/* Limiting case: with every post-transplant hazard 0 nobody dies after a transplant, no graft
 * fails, nobody is relisted, and both 1-year survivals are 1. With them on, the counts add up:
 * all-cause deaths are the deaths on the list plus those after transplant, and a death or graft
 * failure never precedes its transplant. */
static void test_outcomes_limits(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    struct rep_result *on = run1(s, 8, 0);
    for (int o = 0; o < ORGAN_N; o++) {
        const struct rec_summary *sm = &on->summary[o];
        assert_int_equal(sm->deaths_all, sm->deaths_waiting + sm->deaths_after_tx);
        assert_true(sm->deaths_after_tx > 0);
        /* a pancreas recipient survives the first year with about 97 %, so the few dozen of
         * this small run may all survive it (they did under ctr64); a heart recipient with 82 % */
        assert_true(sm->surv_tx_1y > 0.5 && (o == ORGAN_PANCREAS ? sm->surv_tx_1y <= 1 : sm->surv_tx_1y < 1));
        assert_true(sm->graft_tx_1y <= sm->surv_tx_1y);
        assert_true(sm->rmst_listing_5y > 0 && sm->rmst_listing_5y <= 5);
    }
    for (size_t i = 0; i < on->tx.n; i++) {
        const struct rec_tx *t = &on->tx.v[i];
        assert_true(isnan(t->death_day) || t->death_day >= t->day);
        assert_true(isnan(t->graft_fail_day) || t->graft_fail_day >= t->day);
        assert_true(t->donor_age >= 0);
    }
    struct heart_par *hp = s->par[ORGAN_HEART];
    struct pancreas_par *pp = s->par[ORGAN_PANCREAS];
    hp->outc.death = (struct outc_haz){0, 1, 0};
    hp->outc.relist_per_year = 0;
    pp->outc.death = pp->outc.graft = (struct outc_haz){0, 1, 0};
    struct rep_result *off = run1(s, 8, 0);
    for (int o = 0; o < ORGAN_N; o++) {
        const struct rec_summary *sm = &off->summary[o];
        assert_int_equal(sm->deaths_after_tx, 0);
        assert_int_equal(sm->deaths_all, sm->deaths_waiting);
        assert_true(sm->surv_tx_1y == 1.0 && sm->graft_tx_1y == 1.0);
    }
    for (size_t i = 0; i < off->tx.n; i++)
        assert_true(isnan(off->tx.v[i].death_day) && isnan(off->tx.v[i].graft_fail_day));
    for (size_t i = 0; i < off->cands.n; i++) assert_int_equal(off->cands.v[i].relist_of, UINT32_MAX);
    sim_result_free(on);
    sim_result_free(off);
    scen_free(s);
}

/* Listings per counted period are Poisson(rate x years): the mean over replications lies
 * within 4 standard errors of the configured rate. */
static void test_listing_rate(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/no_donors.yaml");
    const int R = 40;
    double sum = 0;
    for (int rep = 0; rep < R; rep++) {
        struct rep_result *r = run1(s, 2026, rep);
        sum += r->summary[ORGAN_HEART].listings;
        sim_result_free(r);
    }
    double expect = s->pop.listings_per_year[ORGAN_HEART] * s->run.years;
    double se = sqrt(expect / R);
    assert_true(fabs(sum / R - expect) < 4 * se);
    scen_free(s);
}

/* The export recorder: it observes without changing anything (results bit-identical to a run
 * without it), sees every candidate in pool order and every donor in seq order, and its status
 * and leave calls match the run's episodes and outcomes. */
struct counts {
    size_t listings, status, died, removed, transplanted, donors;
};

static int c_listing(void *ctx, const struct cand *c, struct err *e)
{
    struct counts *k = ctx;
    (void)e;
    assert_int_equal(c->slot, k->listings);
    k->listings++;
    return 0;
}
static int c_status(void *ctx, const struct cand *c, struct err *e)
{
    (void)c, (void)e;
    ((struct counts *)ctx)->status++;
    return 0;
}
static int c_leave(void *ctx, const struct cand *c, struct err *e)
{
    struct counts *k = ctx;
    (void)e;
    k->died += c->outcome == OUT_DIED;
    k->removed += c->outcome == OUT_REMOVED;
    k->transplanted += c->outcome == OUT_TRANSPLANTED;
    return 0;
}
static int c_donor(void *ctx, const struct donor *d, struct err *e)
{
    struct counts *k = ctx;
    (void)e;
    assert_int_equal(d->seq, k->donors);
    k->donors++;
    return 0;
}

/* Without warmup_rows the entity tables are those with it, filtered to the counted years:
 * donors and transplants from day 0, the candidates not gone before day 0 and all their
 * episodes; the summary is the same. tiny.yaml has a 1-year warm-up, so rows are dropped. */
static void test_counted_rows(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    struct sim_opts oc = {.seed = 9, .entity_tables = 1}, ow = oc;
    ow.warmup_rows = 1;
    struct rep_result *c = NULL, *w = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(sim_run(s, &oc, 0, 0, &c, &e), 0);
    assert_int_equal(sim_run(s, &ow, 0, 0, &w, &e), 0);
    assert_memory_equal(c->summary, w->summary, sizeof c->summary);
    size_t k = 0;
    for (size_t i = 0; i < w->donors.n; i++)
        if (w->donors.v[i].day >= 0) assert_memory_equal(&c->donors.v[k++], &w->donors.v[i], sizeof *w->donors.v);
    assert_int_equal(k, c->donors.n);
    assert_true(k < w->donors.n);
    k = 0;
    for (size_t i = 0; i < w->tx.n; i++)
        if (w->tx.v[i].day >= 0) assert_memory_equal(&c->tx.v[k++], &w->tx.v[i], sizeof *w->tx.v);
    assert_int_equal(k, c->tx.n);
    k = 0;
    size_t gone = 0;
    for (size_t i = 0; i < w->cands.n; i++) {
        if (w->cands.v[i].end_day < 0) { /* gone in the warm-up: no row, no episode */
            gone++;
            for (size_t j = 0; j < c->episodes.n; j++) assert_int_not_equal(c->episodes.v[j].candidate, w->cands.v[i].seq);
            continue;
        }
        assert_memory_equal(&c->cands.v[k++], &w->cands.v[i], sizeof *w->cands.v);
    }
    assert_int_equal(k, c->cands.n);
    assert_true(gone > 0 && c->episodes.n < w->episodes.n);
    sim_result_free(c);
    sim_result_free(w);
    scen_free(s);
}

static void test_recorder(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    struct counts k = {0};
    const struct sim_recorder rec = {.ctx = &k, .listing = c_listing, .status = c_status, .leave = c_leave,
                                     .donor = c_donor};
    /* Every row, the warm-up's too: the recorder sees every event. */
    struct sim_opts o = {.seed = 5, .entity_tables = 1, .warmup_rows = 1, .rec = &rec};
    struct sim_opts plain = {.seed = 5, .entity_tables = 1, .warmup_rows = 1};
    struct rep_result *a = NULL, *b = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(sim_run(s, &plain, 0, 1, &a, &e), 0);
    assert_int_equal(sim_run(s, &o, 0, 1, &b, &e), 0);
    assert_same(a, b, -1);
    assert_int_equal(k.listings, b->cands.n);
    assert_int_equal(k.donors, b->donors.n);
    /* One episode per listing (the status it got), one per status change. */
    assert_int_equal(b->episodes.n, k.listings + k.status);
    size_t died = 0, removed = 0;
    for (size_t i = 0; i < b->cands.n; i++) {
        died += b->cands.v[i].outcome == OUT_DIED;
        removed += b->cands.v[i].outcome == OUT_REMOVED;
    }
    assert_int_equal(k.died, died);
    assert_int_equal(k.removed, removed);
    assert_int_equal(k.transplanted, b->tx.n);
    assert_true(k.status > 0 && k.died > 0);
    sim_result_free(a);
    sim_result_free(b);
    scen_free(s);
}

/* --- branching from a shared warm-up (sim_run_branch) ---------------------------------------- */

/* Loads tests/scenarios/good/tiny.yaml with `extra` appended to its text (a policy change). */
static struct scenario *load_tiny_with(const char *name, const char *extra)
{
    FILE *f = fopen("tests/scenarios/good/tiny.yaml", "r");
    assert_non_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_true(n + strlen(extra) + 1 < sizeof text);
    strcat(text, extra);
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    if (scen_load_text(name, text, &s, &e)) fail_msg("%s", e.msg);
    return s;
}

/* Branched runs keep the warm-up's rows (warmup_rows) unless wrows is 0: the tests below compare
 * the shared warm-up's records of the variants. */
static void branch_w(const struct scenario *const *v, int n, uint64_t seed, int rep, struct rep_result **out,
                     int how, int wrows)
{
    struct sim_opts o = {.seed = seed, .entity_tables = 1, .branch = how, .warmup_rows = wrows};
    struct err e;
    err_clear(&e);
    if (sim_run_branch(v, n, &o, rep, out, &e)) fail_msg("%s", e.msg);
    for (int i = 0; i < n; i++) {
        assert_non_null(out[i]);
        assert_int_equal(out[i]->variant, i);
    }
}

static void branch_as(const struct scenario *const *v, int n, uint64_t seed, int rep, struct rep_result **out,
                      int how)
{
    branch_w(v, n, seed, rep, out, how, 1);
}

static void branch(const struct scenario *const *v, int n, uint64_t seed, int rep, struct rep_result **out)
{
    branch_as(v, n, seed, rep, out, SIM_BRANCH_KEEP);
}

/* Every record of r relabelled as variant 0 (to compare two variants' records byte for byte). */
static void relabel0(struct rep_result *r)
{
    r->variant = 0;
    for (int o = 0; o < ORGAN_N; o++) {
        r->summary[o].variant = 0;
        for (int i = 0; i < GRP_ROWS; i++) r->groups[o][i].variant = 0;
    }
    for (size_t i = 0; i < r->cands.n; i++) r->cands.v[i].variant = 0;
    for (size_t i = 0; i < r->donors.n; i++) r->donors.v[i].variant = 0;
    for (size_t i = 0; i < r->tx.n; i++) r->tx.v[i].variant = 0;
    for (size_t i = 0; i < r->episodes.n; i++) r->episodes.v[i].variant = 0;
    for (size_t i = 0; i < r->series.n; i++) r->series.v[i].variant = 0;
}

/* Every table of a and b, byte for byte (the padding too: records are zero-filled). */
static void assert_identical(const struct rep_result *a, const struct rep_result *b)
{
    assert_same(a, b, -1);
    assert_memory_equal(a->groups, b->groups, sizeof a->groups);
    assert_int_equal(a->series.n, b->series.n);
    assert_memory_equal(a->episodes.v, b->episodes.v, a->episodes.n * sizeof *a->episodes.v);
    assert_memory_equal(a->series.v, b->series.v, a->series.n * sizeof *a->series.v);
}

/* The key test of the clone (sim_ctx_clone): a variant identical to variant 0 continues from its
 * copy of the replication exactly as variant 0 continues from the original, and variant 0 under
 * --branch is the plain run. With one variant, sim_run_branch is sim_run. */
static void test_branch_identical_variant(void **state)
{
    (void)state;
    struct scenario *a = load("tests/scenarios/good/tiny.yaml");
    struct scenario *b = load_tiny_with("same", "\ndescription: same rules\n");
    const struct scenario *v[3] = {a, b, a};
    struct rep_result *out[3], *one[1];
    for (int k = 0; k < 6; k++) {
        /* Replications 0-2 with the warm-up's rows, then without them (counted years only: the
         * filter applies when each branched variant is finished). */
        const int rep = k % 3, wrows = k < 3;
        struct rep_result *plain = NULL;
        struct sim_opts po = {.seed = 31, .entity_tables = 1, .warmup_rows = wrows};
        struct err pe;
        err_clear(&pe);
        if (sim_run(a, &po, 0, rep, &plain, &pe)) fail_msg("%s", pe.msg);
        branch_w(v, 3, 31, rep, out, SIM_BRANCH_KEEP, wrows);
        branch_w(v, 1, 31, rep, one, SIM_BRANCH_KEEP, wrows);
        assert_identical(plain, out[0]);
        assert_identical(plain, one[0]);
        assert_true(out[0]->tx.n > 0 && out[0]->episodes.n > 0 && out[0]->series.n > 0);
        for (int i = 1; i < 3; i++) {
            relabel0(out[i]);
            assert_identical(out[0], out[i]);
        }
        sim_result_free(plain);
        sim_result_free(one[0]);
        for (int i = 0; i < 3; i++) sim_result_free(out[i]);
    }
    scen_free(a);
    scen_free(b);
}

/* How many records of r fall before day 0 (the warm-up), and their bytes must match. */
static void assert_same_warmup(const struct rep_result *a, const struct rep_result *b)
{
    size_t n = 0;
    for (size_t i = 0; i < a->donors.n && a->donors.v[i].day < 0; i++, n++) {
        assert_true(i < b->donors.n);
        assert_memory_equal(&a->donors.v[i], &b->donors.v[i], sizeof a->donors.v[i]);
    }
    assert_true(n > 0);
    n = 0;
    for (size_t i = 0; i < a->tx.n && a->tx.v[i].day < 0; i++, n++)
        assert_memory_equal(&a->tx.v[i], &b->tx.v[i], sizeof a->tx.v[i]);
    assert_true(n > 0);
    /* The list just before day 0: the last warm-up snapshot, by status, in both programmes. */
    const struct rec_series *la = NULL, *lb = NULL;
    for (size_t i = 0; i < a->series.n && a->series.v[i].day < 0; i++) la = &a->series.v[i];
    for (size_t i = 0; i < b->series.n && b->series.v[i].day < 0; i++) lb = &b->series.v[i];
    assert_non_null(la);
    assert_ptr_equal(la - a->series.v, lb - b->series.v);
    assert_memory_equal(a->series.v, b->series.v, (size_t)(la - a->series.v + 1) * sizeof *la);
    assert_true(la->listed > 0);
    /* Every candidate listed in the warm-up: the same candidate, listed the same day. */
    size_t ia = 0, ib = 0;
    while (ia < a->cands.n && ib < b->cands.n) {
        if (a->cands.v[ia].listed_day >= 0) { ia++; continue; }
        if (b->cands.v[ib].listed_day >= 0) { ib++; continue; }
        assert_int_equal(a->cands.v[ia].seq, b->cands.v[ib].seq);
        assert_true(a->cands.v[ia].listed_day == b->cands.v[ib].listed_day);
        ia++, ib++;
    }
}

/* A pancreas-only rule change (the extended-criteria age limit 60 -> 50) branched at day 0: the
 * warm-up is the same in both variants (donors, transplants, the list by status, the listed
 * candidates); the heart programme stays bit-identical after day 0 (its own streams); and the
 * pancreas programme does differ after day 0 (the counter-check: the change is applied). */
static void test_branch_pancreas_change(void **state)
{
    (void)state;
    struct scenario *a = load("tests/scenarios/good/tiny.yaml");
    struct scenario *b = load_tiny_with("ecd50", "\npolicy:\n  pancreas:\n    ecd: {age_max: 50}\n");
    const struct scenario *v[2] = {a, b};
    struct rep_result *out[2];
    int differ = 0;
    for (int rep = 0; rep < 3; rep++) {
        branch(v, 2, 41, rep, out);
        relabel0(out[1]);
        assert_same_warmup(out[0], out[1]);
        assert_memory_equal(&out[0]->summary[ORGAN_HEART], &out[1]->summary[ORGAN_HEART], sizeof out[0]->summary[0]);
        size_t ha = 0, hb = 0;
        for (size_t i = 0, j = 0; i < out[0]->tx.n || j < out[1]->tx.n;) {
            const struct rec_tx *x = NULL, *y = NULL;
            while (i < out[0]->tx.n && !x) { if (prog_organ((enum prog)out[0]->tx.v[i].program) == ORGAN_HEART) x = &out[0]->tx.v[i]; i++; }
            while (j < out[1]->tx.n && !y) { if (prog_organ((enum prog)out[1]->tx.v[j].program) == ORGAN_HEART) y = &out[1]->tx.v[j]; j++; }
            if (!x && !y) break;
            assert_true(x && y);
            assert_memory_equal(x, y, sizeof *x);
            ha++, hb++;
        }
        assert_true(ha > 0);
        const struct rec_summary *pa = &out[0]->summary[ORGAN_PANCREAS], *pb = &out[1]->summary[ORGAN_PANCREAS];
        differ += pa->accelerated != pb->accelerated || pa->transplants != pb->transplants || pa->offers != pb->offers;
        for (int i = 0; i < 2; i++) sim_result_free(out[i]);
    }
    assert_true(differ > 0);
    scen_free(a);
    scen_free(b);
}

/* A heart rule change (HU renewal 56 -> 28 days) under --branch: the same warm-up, then the heart
 * programme differs: a branched variant is not a copy of variant 0. */
static void test_branch_heart_change_differs(void **state)
{
    (void)state;
    struct scenario *a = load("tests/scenarios/good/tiny.yaml");
    struct scenario *b = load_tiny_with("hu28", "\npolicy:\n  heart:\n    hu: {renewal_days: 28}\n");
    const struct scenario *v[2] = {a, b};
    struct rep_result *out[2];
    branch(v, 2, 43, 0, out);
    relabel0(out[1]);
    assert_same_warmup(out[0], out[1]);
    assert_true(out[0]->episodes.n != out[1]->episodes.n ||
                memcmp(out[0]->episodes.v, out[1]->episodes.v, out[0]->episodes.n * sizeof *out[0]->episodes.v));
    for (int i = 0; i < 2; i++) sim_result_free(out[i]);
    scen_free(a);
    scen_free(b);
}

/* --branch=redraw: a variant with variant 0's rules is not redrawn (it still reproduces variant 0);
 * a heart change redraws only the heart list's pending transitions (the pancreas rows stay
 * identical to variant 0's), after the same warm-up; and redrawing does change the heart results
 * against --branch=keep (the counter-check). */
static void test_branch_redraw(void **state)
{
    (void)state;
    struct scenario *a = load("tests/scenarios/good/tiny.yaml");
    struct scenario *b = load_tiny_with("same", "\ndescription: same rules\n");
    struct scenario *c = load_tiny_with("hu28", "\npolicy:\n  heart:\n    hu: {renewal_days: 28}\n");
    const struct scenario *v[3] = {a, b, c};
    struct rep_result *rd[3], *kp[3];
    branch_as(v, 3, 47, 1, rd, SIM_BRANCH_REDRAW);
    branch_as(v, 3, 47, 1, kp, SIM_BRANCH_KEEP);
    assert_identical(kp[0], rd[0]);
    relabel0(rd[1]);
    assert_identical(rd[0], rd[1]);
    relabel0(rd[2]);
    relabel0(kp[2]);
    assert_same_warmup(rd[0], rd[2]);
    assert_memory_equal(&rd[0]->summary[ORGAN_PANCREAS], &rd[2]->summary[ORGAN_PANCREAS], sizeof rd[0]->summary[0]);
    assert_true(rd[2]->episodes.n != kp[2]->episodes.n ||
                memcmp(rd[2]->episodes.v, kp[2]->episodes.v, rd[2]->episodes.n * sizeof *rd[2]->episodes.v));
    for (int i = 0; i < 3; i++) {
        sim_result_free(rd[i]);
        sim_result_free(kp[i]);
    }
    scen_free(a);
    scen_free(b);
    scen_free(c);
}

/* The clone copies every generator's state (gsl_rng_clone), whatever the generator: for each RNG
 * choice an identical variant still reproduces variant 0, and variant 0 the plain run. */
static void test_branch_every_rng(void **state)
{
    (void)state;
    static const char *const RNGS[] = {"mt19937", "ranlxd1", "ranlxs2", "ctr64"};
    for (size_t k = 0; k < sizeof RNGS / sizeof RNGS[0]; k++) {
        char extra[64];
        snprintf(extra, sizeof extra, "\nrng: %s\n", RNGS[k]);
        struct scenario *a = load_tiny_with("rng", extra);
        const struct scenario *v[2] = {a, a};
        struct rep_result *out[2], *plain = run1(a, 53, 0);
        branch_w(v, 2, 53, 0, out, SIM_BRANCH_KEEP, 0); /* as run1: counted years only */
        assert_identical(plain, out[0]);
        relabel0(out[1]);
        assert_identical(out[0], out[1]);
        sim_result_free(plain);
        sim_result_free(out[0]);
        sim_result_free(out[1]);
        scen_free(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_donors),
        cmocka_unit_test(test_no_deaths),
        cmocka_unit_test(test_no_deaths_guideline),
        cmocka_unit_test(test_one_blood_group),
        cmocka_unit_test(test_conservation),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_crn_pancreas_change_keeps_heart),
        cmocka_unit_test(test_crn_outcomes_pancreas_change_keeps_heart),
        cmocka_unit_test(test_outcomes_limits),
        cmocka_unit_test(test_listing_rate),
        cmocka_unit_test(test_counted_rows),
        cmocka_unit_test(test_recorder),
        cmocka_unit_test(test_branch_identical_variant),
        cmocka_unit_test(test_branch_pancreas_change),
        cmocka_unit_test(test_branch_heart_change_differs),
        cmocka_unit_test(test_branch_redraw),
        cmocka_unit_test(test_branch_every_rng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
