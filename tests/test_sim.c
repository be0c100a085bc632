/* test_sim.c — one replication end to end in memory: limiting cases, conservation of
 * candidates, determinism, common random numbers across policy variants, and the arrival
 * process against its configured rate. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
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
        assert_true(sm->surv_tx_1y > 0.5 && sm->surv_tx_1y < 1);
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

static void test_recorder(void **state)
{
    (void)state;
    struct scenario *s = load("tests/scenarios/good/tiny.yaml");
    struct counts k = {0};
    const struct sim_recorder rec = {.ctx = &k, .listing = c_listing, .status = c_status, .leave = c_leave,
                                     .donor = c_donor};
    struct sim_opts o = {.seed = 5, .entity_tables = 1, .rec = &rec};
    struct rep_result *a = run1(s, 5, 1), *b = NULL;
    struct err e;
    err_clear(&e);
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
        cmocka_unit_test(test_recorder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
