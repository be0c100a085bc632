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
        cmocka_unit_test(test_listing_rate),
        cmocka_unit_test(test_counted_rows),
        cmocka_unit_test(test_recorder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
