/* test_psa.c — parameter uncertainty: U.yaml errors with FILE:LINE:COL, reproducible draws from
 * per-parameter streams, applying a draw to a copy, and the PRCC of sim/sens.c on synthetic data
 * where the answer is known by construction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "psa.h"
#include "rng.h"
#include "sens.h"

static const char *const BASE = "name: base\nhorizon: {years: 1}\n";
static const char *const OTHER = "name: other\nhorizon: {years: 1}\npolicy: {pancreas: {ecd: {age_max: 50}}}\n";
static const char *const SWEPT = "name: swept\nhorizon: {years: 1}\nmodel: {pancreas: {accept: {prob: 0.08}}}\n";

/* Loads U text against variants of the given scenario texts; returns the code, message in e. */
static int load_bind(const char *u, const char *const *texts, int nv, struct psa **out, struct err *e)
{
    struct scenario *sc[4] = {0};
    int rc = 0;
    err_clear(e);
    for (int i = 0; i < nv; i++) assert_int_equal(scen_load_text("s.yaml", texts[i], &sc[i], e), 0);
    rc = psa_load_text("u.yaml", u, out, e);
    if (!rc) rc = psa_bind(*out, (const struct scenario *const *)sc, nv, e);
    if (rc) {
        psa_free(*out);
        *out = NULL;
    }
    for (int i = 0; i < nv; i++) scen_free(sc[i]);
    return rc;
}

static void expect_error(const char *u, const char *msg)
{
    struct psa *p = NULL;
    struct err e;
    const char *texts[2] = {BASE, OTHER};
    int rc = load_bind(u, texts, 2, &p, &e);
    if (rc != ERR_INPUT || !strstr(e.msg, msg)) fail_msg("for\n%s\nexpected '%s', got %d '%s'", u, msg, rc, e.msg);
    assert_null(p);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("policy.pancreas.ecd.age_max: {dist: uniform, min: 50, max: 60, source: x}\n",
                 "u.yaml:1:1: policy.pancreas.ecd.age_max: expected a population.* or model.* parameter, found a rule");
    expect_error("a: 1\nmodel.pancreas.nope: {dist: uniform, min: 0, max: 1, source: x}\n",
                 "u.yaml:1:1: a: expected a population.* or model.* parameter");
    expect_error("model.pancreas.nope: {dist: uniform, min: 0, max: 1, source: x}\n",
                 "u.yaml:1:1: model.pancreas.nope: expected a population.* or model.* parameter of the table");
    expect_error("horizon.years: {dist: uniform, min: 0, max: 1, source: x}\n", "u.yaml:1:1: horizon.years: expected");
    expect_error("population.heart.centres: {dist: uniform, min: 19, max: 21, source: x}\n",
                 "expected a real-valued parameter, found an integer");
    expect_error("model.pancreas.accept.prob: {dist: normal, mean: 0.07, sd: -1, source: x}\n",
                 "u.yaml:1:60: model.pancreas.accept.prob.sd: expected a standard deviation >= 0, found -1");
    expect_error("model.pancreas.accept.prob:\n  dist: beta\n  alpha: 0\n  beta: 3\n  source: x\n",
                 "u.yaml:3:10: model.pancreas.accept.prob.alpha: expected a shape alpha > 0");
    expect_error("model.pancreas.accept.prob: {dist: gamma, shape: 1, scale: 0, source: x}\n",
                 "model.pancreas.accept.prob.scale: expected a scale > 0");
    expect_error("model.pancreas.accept.prob: {dist: triangular, min: 0.05, mode: 0.2, max: 0.1, source: x}\n",
                 "model.pancreas.accept.prob.mode: expected min <= mode <= max");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.1, max: 0.05, source: x}\n",
                 "model.pancreas.accept.prob.max: expected max >= min");
    expect_error("model.pancreas.accept.prob: {dist: weibull, source: x}\n", "expected one of normal|lognormal");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.05, max: 0.1}\n", "expected a field source");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.05, source: x}\n",
                 "model.pancreas.accept.prob.max: expected a value (required by dist uniform), found none");
    expect_error("model.pancreas.accept.prob: {dist: uniform, mean: 1, min: 0.05, max: 0.1, source: x}\n",
                 "model.pancreas.accept.prob.mean: expected only the fields of dist uniform");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.05, max: 0.1, sauce: x}\n", "found an unknown field");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: '0.05', max: 0.1, source: x}\n",
                 "expected a number, found '0.05'");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.05, max: 0.1, source: x}\n"
                 "model.pancreas.accept.prob: {dist: uniform, min: 0.05, max: 0.1, source: x}\n",
                 "u.yaml:2:1: model.pancreas.accept.prob: expected each parameter once, found a duplicate (first at line 1)");
    expect_error("model.pancreas.accept.prob: 0.07\n", "expected a mapping {dist");
    expect_error("- a\n", "u.yaml:1:1: (top level): expected a mapping of parameter: distribution, found a sequence");
    expect_error("a: [\n", "u.yaml:2:1: (yaml): expected well-formed YAML");
    /* bounds that exclude the scenario's value (0.072), or leave the parameter's range */
    expect_error("model.pancreas.accept.prob: {dist: normal, mean: 0.15, sd: 0.01, min: 0.1, max: 0.2, source: x}\n",
                 "u.yaml:1:1: model.pancreas.accept.prob: expected a distribution whose range [0.1, 0.2] contains the "
                 "scenario's value 0.072");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: -0.1, max: 0.2, source: x}\n",
                 "u.yaml:1:50: model.pancreas.accept.prob: expected the distribution inside the parameter's range [0, 1], "
                 "found a lower end of -0.1");
    expect_error("model.pancreas.accept.ecd_factor: {dist: gamma, shape: 2, scale: 1, max: 20, source: x}\n",
                 "range [0, 10], found an upper end of 20");
    expect_error("model.pancreas.nt.mean_days: {dist: beta, alpha: 2, beta: 2, source: x}\n",
                 "range [1, 36500], found a lower end of 0 (give min)");
    expect_error("model.pancreas.accept.prob: {dist: normal, mean: 0.9, sd: 0.001, min: 0.01, max: 0.1, source: x}\n",
                 "holding none");
    /* a parameter tied to others by a scenario check */
    expect_error("population.abo.O: {dist: uniform, min: 0.4, max: 0.42, source: x}\n",
                 "expected a parameter that can vary alone, found that at 0.4 variant 0 fails a check: population.abo");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.05, min: 0.06, max: 0.1, source: x}\n",
                 "model.pancreas.accept.prob.min: expected each field once, found a duplicate");
    expect_error("model.pancreas.accept.prob: {dist: uniform, min: 0.05, max: 0.1, source: \"a\\nb\"}\n",
                 "model.pancreas.accept.prob.source: expected one line");
    expect_error("model.heart.accept.hu: {dist: lognormal, meanlog: -1, sdlog: -0.1, source: x}\n",
                 "model.heart.accept.hu.sdlog: expected a standard deviation of the log >= 0");
    expect_error("model.heart.accept.hu: {dist: beta, alpha: 2, beta: 2, min: 0.3, max: 0.3, source: x}\n",
                 "model.heart.accept.hu.max: expected max > min (the scale of the beta)");
    expect_error("model.heart.accept.hu: {dist: lognormal, meanlog: -0.5, sdlog: 0, min: 0.3, max: 0.4, source: x}\n",
                 "model.heart.accept.hu: expected a fixed value inside [0.3, 0.4], found 0.606");
    expect_error("model.heart.accept.hu: {dist: normal, mean: 0.5, sd: 0, min: 0.3, max: 0.4, source: x}\n",
                 "model.heart.accept.hu: expected a fixed value inside [0.3, 0.4], found 0.5");
    /* a variant whose heart policy has another model table */
    {
        struct psa *q = NULL;
        struct err e2;
        const char *t2[2] = {BASE, "name: simple\nhorizon: {years: 1}\npolicy: {heart: {rule: simple}}\n"};
        assert_int_equal(load_bind("model.heart.accept.hu: {dist: uniform, min: 0.3, max: 0.4, source: x}\n", t2, 2,
                                   &q, &e2), ERR_INPUT);
        assert_non_null(strstr(e2.msg, "u.yaml:1:1: model.heart.accept.hu: expected a parameter of every variant, "
                                       "found none in variant 1 (simple)"));
    }
    /* a parameter the variants compare */
    struct psa *p = NULL;
    struct err e;
    const char *texts[2] = {BASE, SWEPT};
    assert_int_equal(load_bind("model.pancreas.accept.prob: {dist: uniform, min: 0.05, max: 0.1, source: x}\n", texts,
                               2, &p, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "expected the same value in every variant, found 0.072 in variant 0 and 0.08 in variant 1"));
}

static const char *const U3 =
    "model.pancreas.accept.prob: {dist: beta, alpha: 36, beta: 464, source: a}\n"
    "population.donors.per_year: {dist: normal, mean: 884, sd: 40, min: 700, max: 1100, source: b}\n"
    "model.heart.death.t_per_year: {dist: triangular, min: 0.08, mode: 0.115, max: 0.15, source: c}\n"
    "model.heart.accept.hu: {dist: lognormal, meanlog: -1.05, sdlog: 0.2, source: d}\n"
    "model.heart.removal_per_year: {dist: gamma, shape: 30, scale: 0.00183, source: e}\n";

static void test_draws(void **state)
{
    (void)state;
    struct psa *p = NULL, *q = NULL;
    struct err e;
    const char *texts[2] = {BASE, OTHER};
    assert_int_equal(load_bind(U3, texts, 2, &p, &e), 0);
    assert_int_equal(psa_n(p), 5);
    assert_string_equal(psa_name(p, 1), "population.donors.per_year");
    double a[5], b[5], c[5];
    assert_int_equal(psa_draw(p, 7, 3, a, &e), 0);
    assert_int_equal(psa_draw(p, 7, 3, b, &e), 0);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(psa_draw(p, 7, 4, c, &e), 0);
    for (int j = 0; j < 5; j++) assert_true(a[j] != c[j]);
    assert_int_equal(psa_draw(p, 8, 3, c, &e), 0);
    for (int j = 0; j < 5; j++) assert_true(a[j] != c[j]);
    /* A parameter's draws do not depend on the other entries: drop the first three. */
    assert_int_equal(load_bind(strstr(U3, "model.heart.accept.hu"), texts, 2, &q, &e), 0);
    assert_int_equal(psa_n(q), 2);
    assert_int_equal(psa_draw(q, 7, 3, c, &e), 0);
    assert_memory_equal(c, a + 3, 2 * sizeof *c);
    psa_free(q);
    /* Over many replications: inside the support, and the means near the distributions' means
     * (tolerance: 5 standard errors of the mean). */
    enum { N = 4000 };
    double sum[5] = {0};
    for (int r = 0; r < N; r++) {
        assert_int_equal(psa_draw(p, 7, r, a, &e), 0);
        assert_true(a[0] > 0 && a[0] < 1);
        assert_true(a[1] >= 700 && a[1] <= 1100);
        assert_true(a[2] >= 0.08 && a[2] <= 0.15);
        assert_true(a[3] > 0 && a[4] > 0);
        for (int j = 0; j < 5; j++) sum[j] += a[j];
    }
    const double mean[5] = {36.0 / 500, 884, (0.08 + 0.115 + 0.15) / 3, exp(-1.05 + 0.02), 30 * 0.00183};
    const double sd[5] = {sqrt(36.0 * 464 / (500.0 * 500 * 501)), 40, 0.0143, exp(-1.05 + 0.02) * sqrt(exp(0.04) - 1),
                          sqrt(30.0) * 0.00183};
    for (int j = 0; j < 5; j++) assert_true(fabs(sum[j] / N - mean[j]) < 5 * sd[j] / sqrt((double)N));
    psa_free(p);
}

static void test_apply(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct psa *p = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load_text("s.yaml", BASE, &s, &e), 0);
    assert_int_equal(psa_load_text("u.yaml", U3, &p, &e), 0);
    const struct scenario *v[1] = {s};
    assert_int_equal(psa_bind(p, v, 1, &e), 0);
    double d[5];
    assert_int_equal(psa_draw(p, 1, 0, d, &e), 0);
    struct scenario c;
    assert_int_equal(psa_apply(p, s, 0, 0, d, &c, &e), 0);
    assert_true(c.pop.donors_per_year == d[1]);
    assert_true(s->pop.donors_per_year == 884);
    assert_true(c.par[0] != s->par[0] && c.par[1] != s->par[1]);
    assert_ptr_equal(c.text, s->text);
    psa_release(&c);
    /* Zero width: the value itself, bit for bit. */
    psa_free(p);
    assert_int_equal(psa_load_text("u.yaml", "model.pancreas.accept.prob: {dist: normal, mean: 0.072, sd: 0, source: x}\n"
                                   "population.donors.per_year: {dist: uniform, min: 884, max: 884, source: y}\n", &p, &e), 0);
    assert_int_equal(psa_bind(p, v, 1, &e), 0);
    assert_int_equal(psa_draw(p, 1, 5, d, &e), 0);
    assert_true(d[0] == 0.072 && d[1] == 884.0);
    psa_free(p);
    scen_free(s);
}

/* y depends on x1 only (monotone, non-linear) plus a little noise; x0 and x2 are noise. PRCC must
 * rank x1 first, near 1, and leave the others' intervals around 0. */
static void test_prcc_synthetic(void **state)
{
    (void)state;
    enum { N = 400, K = 3 };
    double *x = malloc(N * K * sizeof *x), *y = malloc(N * sizeof *y), r[K], lo[K], hi[K];
    assert_true(x && y);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 12345);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < K; j++) x[i * K + j] = gsl_rng_uniform(g);
        y[i] = exp(3 * x[i * K + 1]) + gsl_ran_gaussian(g, 0.1);
    }
    assert_int_equal(sens_prcc(y, x, N, K, r, lo, hi), 0);
    assert_true(r[1] > 0.95);
    assert_true(lo[1] < r[1] && r[1] < hi[1]);
    assert_true(lo[0] < 0 && hi[0] > 0);
    assert_true(lo[2] < 0 && hi[2] > 0);
    /* The same with the dependence reversed in sign, and on x2. */
    for (int i = 0; i < N; i++) y[i] = -x[i * K + 2] * x[i * K + 2] + gsl_ran_gaussian(g, 0.01);
    assert_int_equal(sens_prcc(y, x, N, K, r, lo, hi), 0);
    assert_true(r[2] < -0.95 && fabs(r[0]) < fabs(r[2]) && fabs(r[1]) < fabs(r[2]));
    /* A constant difference has no PRCC; too few rows no interval. */
    for (int i = 0; i < N; i++) y[i] = 0;
    assert_int_equal(sens_prcc(y, x, N, K, r, lo, hi), 0);
    assert_true(isnan(r[0]) && isnan(r[1]) && isnan(r[2]));
    for (int i = 0; i < 5; i++) y[i] = x[i * K + 1];
    assert_int_equal(sens_prcc(y, x, 5, K, r, lo, hi), 0);
    assert_true(!isnan(r[1]) && isnan(lo[1]) && isnan(hi[1]));
    assert_int_equal(sens_prcc(y, x, 4, K, r, lo, hi), 0); /* fewer rows than k + 2: nothing */
    assert_true(isnan(r[0]) && isnan(r[1]) && isnan(r[2]));
    gsl_rng_free(g);
    free(x);
    free(y);
}

/* Under the null (y independent of every column), the Fisher-z intervals exclude 0 for about 5 %
 * of the cases: 1000 data sets of n = 30, k = 4 give 4000 intervals; binomial standard error 0.35
 * percentage points, so the share must lie within 5 +- 1.75 %. */
static void test_prcc_null_coverage(void **state)
{
    (void)state;
    enum { N = 30, K = 4, T = 1000 };
    double x[N * K], y[N], r[K], lo[K], hi[K];
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 2026);
    int out = 0;
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < K; j++) x[i * K + j] = gsl_rng_uniform(g);
            y[i] = gsl_ran_gaussian(g, 1.0);
        }
        assert_int_equal(sens_prcc(y, x, N, K, r, lo, hi), 0);
        for (int j = 0; j < K; j++) out += lo[j] > 0 || hi[j] < 0;
    }
    double share = (double)out / (T * K);
    if (fabs(share - 0.05) > 0.0175) fail_msg("null intervals exclude 0 in %.2f %% of cases", 100 * share);
    gsl_rng_free(g);
}

/* The collector on hand-made results: 40 replications, two variants; the pancreas transplant
 * difference equals 10 x the second parameter's draw by construction, so that parameter ranks
 * first for it, and the heart difference (always 0) has no PRCC. */
static void test_sens_rows(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct psa *p = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(scen_load_text("s.yaml", BASE, &s, &e), 0);
    assert_int_equal(psa_load_text("u.yaml", U3, &p, &e), 0);
    const struct scenario *v[1] = {s};
    assert_int_equal(psa_bind(p, v, 1, &e), 0);
    enum { R = 40 };
    struct sens *c = sens_alloc(2, R, p);
    assert_non_null(c);
    struct rep_result *res = calloc(1, sizeof *res);
    assert_non_null(res);
    for (int rep = 0; rep < R; rep++) {
        double d[5];
        assert_int_equal(psa_draw(p, 3, rep, d, &e), 0);
        for (int var = 0; var < 2; var++) {
            memset(res, 0, sizeof *res);
            res->variant = var, res->replication = rep;
            for (int o = 0; o < ORGAN_N; o++) res->summary[o].years = 1, res->summary[o].median_wait_days = NAN;
            res->summary[ORGAN_HEART].transplants = 300;
            res->summary[ORGAN_PANCREAS].transplants = 90 + (var ? (int)lround(d[1] / 10) : 0);
            sens_add(c, res, d);
        }
    }
    struct rec_sens *rows = NULL;
    struct rec_unc *u = NULL;
    size_t n = 0, nu = 0;
    assert_int_equal(sens_rows(c, &rows, &n, &u, &nu), 0);
    assert_int_equal(nu, (size_t)ORGAN_N * cmp_n_metrics());
    assert_int_equal(n, nu * 5);
    int found = 0;
    for (size_t i = 0; i < nu; i++) {
        if (strcmp(u[i].metric, "transplants_per_year")) continue;
        found++;
        assert_int_equal(u[i].n, R);
        if (u[i].program == ORGAN_PANCREAS) {
            assert_string_equal(u[i].top_parameter, "population.donors.per_year");
            assert_true(u[i].top_prcc > 0.9 && u[i].share_positive == 1.0);
        } else {
            assert_string_equal(u[i].top_parameter, "");
            assert_true(isnan(u[i].top_prcc) && u[i].diff_mean == 0);
        }
    }
    assert_int_equal(found, 2);
    free(rows);
    free(u);
    free(res);
    sens_free(c);
    psa_free(p);
    scen_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_errors), cmocka_unit_test(test_draws),
                                       cmocka_unit_test(test_apply), cmocka_unit_test(test_prcc_synthetic),
                                       cmocka_unit_test(test_prcc_null_coverage), cmocka_unit_test(test_sens_rows)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
