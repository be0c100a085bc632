/* test_outcome.c — the post-transplant model (model/outcome.h): the shape of the baseline
 * hazard, the inversion of its cumulative hazard, the direction of every covariate, the
 * monotone coupling of one uniform per recipient, a fixed-seed check of the drawn times against
 * the survival function, and the Kaplan–Meier estimates against hand-worked examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "cand.h"
#include "heart.h"
#include "outcome.h"
#include "pancreas.h"

static struct outc_heart heart_defaults(void)
{
    struct heart_par p;
    memset(&p, 0, sizeof p);
    heart_par_defaults(&p);
    return p.outc;
}

static struct outc_pancreas pancreas_defaults(void)
{
    struct pancreas_par p;
    memset(&p, 0, sizeof p);
    pdef_defaults(pancreas_rule_pdefs, pancreas_n_rule_pdefs, &p);
    pdef_defaults(pancreas_model_pdefs, pancreas_n_model_pdefs, &p);
    return p.outc;
}

static struct donor mkdonor(double age, double bmi)
{
    struct donor d;
    memset(&d, 0, sizeof d);
    d.age_years = age;
    d.bmi = bmi;
    d.region = -1;
    d.weight_kg = d.height_cm = d.tlc_l = d.waist_cm = NAN;
    d.cpr_min = d.icu_days = d.sodium = NAN;
    return d;
}

/* An adult heart recipient, `age` years old on day 0, in T, no dMCS, first transplant. */
static void mkheart(struct cand *c, double age)
{
    cand_init(c, 1, PROG_HEART, -100);
    c->birth_day = -age * 365.25;
}

/* The hazard starts at early/early_days + late, falls monotonically, settles to the late rate,
 * and is the derivative of the cumulative hazard (central difference). */
static void test_hazard_shape(void **state)
{
    (void)state;
    const struct outc_haz h = {0.2, 20, 0.04};
    const double late = 0.04 / 365.25;
    assert_float_equal(outc_hazard(&h, 0), 0.2 / 20 + late, 1e-15);
    assert_float_equal(outc_cumhaz(&h, 0), 0, 0);
    assert_float_equal(outc_cumhaz(&h, -5), 0, 0);
    double prev = INFINITY;
    for (double t = 0; t < 3000; t += 7) {
        double hz = outc_hazard(&h, t);
        assert_true(hz <= prev && hz >= late);
        if (t < 500) assert_true(hz < prev);
        prev = hz;
        if (t > 0) {
            double num = (outc_cumhaz(&h, t + 1e-3) - outc_cumhaz(&h, t - 1e-3)) / 2e-3;
            assert_float_equal(num, hz, 1e-6 * hz);
        }
    }
    assert_float_equal(outc_hazard(&h, 3000), late, 1e-12);
    /* One year: 0.2 (1 - e^-18.26) + 0.04 = 0.24 to 8 digits. */
    assert_float_equal(outc_cumhaz(&h, 365.25), 0.24, 1e-8);
    /* Survival with a hazard ratio is exp(-hr H). */
    assert_float_equal(outc_surv(&h, 2.0, 365.25), exp(-0.48), 1e-8);
}

/* H0(H0^-1(y)) = y over many decades of y, for the general case, an early phase only, a late
 * rate only, and a tiny late rate (where c + W in the closed form cancels badly). */
static void test_inverse_round_trip(void **state)
{
    (void)state;
    const struct outc_haz hs[] = {{0.2, 20, 0.04}, {0.09, 22, 0.0215}, {0.0, 1, 0.5},
                                  {0.3, 5, 1e-9},  {5.0, 300, 2.0},    {0.01, 0.05, 0.01}};
    for (size_t k = 0; k < sizeof hs / sizeof hs[0]; k++)
        for (double y = 1e-9; y < 50; y *= 1.7) {
            double t = outc_inverse(&hs[k], y);
            assert_true(isfinite(t) && t >= 0);
            assert_float_equal(outc_cumhaz(&hs[k], t), y, 1e-9 * (y > 1 ? y : 1));
        }
    /* Early phase only: reachable below `early`, never at or above it. */
    const struct outc_haz e = {0.3, 10, 0};
    assert_float_equal(outc_cumhaz(&e, outc_inverse(&e, 0.2999)), 0.2999, 1e-12);
    assert_true(isinf(outc_inverse(&e, 0.3)));
    assert_true(isinf(outc_inverse(&e, 1.0)));
    const struct outc_haz none = {0, 1, 0};
    assert_true(isinf(outc_inverse(&none, 1e-6)));
    assert_float_equal(outc_inverse(&hs[0], 0), 0, 0);
    assert_float_equal(outc_inverse(&hs[0], -1), 0, 0);
}

/* The event time is non-increasing in the hazard ratio and in u (a larger u is a smaller
 * -ln u); hr 0 and u 1 never give an event. */
static void test_time_monotone(void **state)
{
    (void)state;
    const struct outc_haz h = {0.09, 22, 0.0215};
    for (double u = 0.001; u < 1; u += 0.0123) {
        double prev = INFINITY;
        for (double hr = 0.1; hr < 10; hr *= 1.3) {
            double t = outc_time(&h, hr, u);
            assert_true(t <= prev);
            prev = t;
        }
        if (u + 0.005 < 1) assert_true(outc_time(&h, 1.0, u) >= outc_time(&h, 1.0, u + 0.005));
    }
    assert_true(isinf(outc_time(&h, 0, 0.5)));
    assert_true(isinf(outc_time(&h, 1, 1.0)));
}

/* Heart: each covariate raises the hazard ratio by its own parameter; an unknown donor age is
 * the reference band. */
static void test_heart_covariates(void **state)
{
    (void)state;
    struct outc_heart p = heart_defaults();
    struct cand c;
    mkheart(&c, 50);
    struct donor d = mkdonor(30, 25);
    double dh;
    assert_float_equal(outc_heart_hr(&p, &c, &d, 0, &dh), 1.0, 1e-15);
    assert_float_equal(dh, 1.0, 0);
    const double bands[][2] = {{39.9, 1.0}, {40, p.hr_donor_40}, {49.9, p.hr_donor_40},
                               {50, p.hr_donor_50}, {54.9, p.hr_donor_50}, {55, p.hr_donor_55},
                               {80, p.hr_donor_55}, {NAN, 1.0}};
    for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++) {
        d.age_years = bands[i][0];
        assert_float_equal(outc_heart_hr(&p, &c, &d, 0, &dh), bands[i][1], 1e-15);
        assert_float_equal(dh, bands[i][1], 1e-15);
    }
    assert_true(p.hr_donor_40 > 1 && p.hr_donor_50 >= p.hr_donor_40 && p.hr_donor_55 >= p.hr_donor_50);
    d.age_years = 30;
    cand_set_status(&c, 0, ST_HU, 0);
    assert_float_equal(outc_heart_hr(&p, &c, &d, 0, NULL), p.hr_hu, 1e-15);
    c.dmcs = 1;
    assert_float_equal(outc_heart_hr(&p, &c, &d, 0, NULL), p.hr_hu * p.hr_dmcs, 1e-15);
    c.prior_tx_day = -500;
    assert_float_equal(outc_heart_hr(&p, &c, &d, 0, NULL), p.hr_hu * p.hr_dmcs * p.hr_retx, 1e-15);
    mkheart(&c, 60);
    assert_float_equal(outc_heart_hr(&p, &c, &d, 0, NULL), p.hr_recip_old, 1e-15);
    assert_true(p.hr_hu > 1 && p.hr_dmcs > 1 && p.hr_retx > 1 && p.hr_recip_old > 1);
    mkheart(&c, 50);
    c.prog = PROG_HEART_LUNG;
    p.hr_heart_lung = 2.5;
    assert_float_equal(outc_heart_hr(&p, &c, &d, 0, NULL), 2.5, 1e-15);
}

/* Pancreas: older and heavier donors, the general extended-criteria finding and a pancreas
 * alone raise the graft-failure hazard; at or below the reference age and BMI nothing changes. */
static void test_pancreas_covariates(void **state)
{
    (void)state;
    const struct outc_pancreas p = pancreas_defaults();
    struct cand c;
    cand_init(&c, 1, PROG_PANCREAS_KIDNEY, 0);
    struct donor d = mkdonor(p.age_ref, p.bmi_ref);
    assert_float_equal(outc_pancreas_hr(&p, &c, &d), 1.0, 1e-15);
    d.age_years = p.age_ref - 10;
    d.bmi = NAN;
    assert_float_equal(outc_pancreas_hr(&p, &c, &d), 1.0, 1e-15);
    double prev = 0;
    for (double age = p.age_ref; age < 80; age += 5) {
        d.age_years = age;
        double hr = outc_pancreas_hr(&p, &c, &d);
        assert_float_equal(hr, exp(p.beta_age * (age - p.age_ref)), 1e-12);
        assert_true(hr > prev || age == p.age_ref);
        prev = hr;
    }
    d.age_years = p.age_ref;
    d.bmi = p.bmi_ref + 5;
    assert_float_equal(outc_pancreas_hr(&p, &c, &d), exp(5 * p.beta_bmi), 1e-12);
    d.bmi = p.bmi_ref;
    d.ecd = 1;
    assert_float_equal(outc_pancreas_hr(&p, &c, &d), p.hr_ecd, 1e-12);
    d.ecd = 0;
    c.prog = PROG_PANCREAS;
    assert_float_equal(outc_pancreas_hr(&p, &c, &d), p.hr_alone, 1e-12);
    assert_true(p.beta_age > 0 && p.beta_bmi > 0 && p.hr_ecd > 1 && p.hr_alone > 1);
}

/* Common random numbers: the same recipient (same stream) transplanted with a younger donor
 * dies no earlier (heart) and loses the graft no earlier (pancreas). */
static void test_monotone_coupling(void **state)
{
    (void)state;
    const struct outc_heart ph = heart_defaults();
    struct outc_pancreas pp = pancreas_defaults();
    pp.death = (struct outc_haz){0, 1, 0}; /* so that every graft failure is seen */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    struct cand ch, cp;
    mkheart(&ch, 58);
    cand_set_status(&ch, 0, ST_HU, 0);
    cand_init(&cp, 2, PROG_PANCREAS_KIDNEY, 0);
    int strictly = 0;
    for (unsigned long s = 1; s <= 2000; s++) {
        struct outc_course young, old;
        struct donor dy = mkdonor(30, 24), dold = mkdonor(58, 31);
        gsl_rng_set(r, s);
        outc_heart_course(&ph, &ch, &dy, 0, r, &young);
        gsl_rng_set(r, s);
        outc_heart_course(&ph, &ch, &dold, 0, r, &old);
        assert_true(young.death_day >= old.death_day);
        strictly += young.death_day > old.death_day;
        gsl_rng_set(r, s);
        outc_pancreas_course(&pp, &cp, &dy, 0, r, &young);
        gsl_rng_set(r, s);
        outc_pancreas_course(&pp, &cp, &dold, 0, r, &old);
        assert_true(young.graft_fail_day >= old.graft_fail_day);
        assert_true(isinf(young.death_day) && isinf(old.death_day));
    }
    assert_true(strictly > 1900); /* the donor age matters, not just ties */
    gsl_rng_free(r);
}

/* Fixed seed: the share of drawn heart deaths by 30 days, 1 and 5 years matches the survival
 * function of the same hazard ratio within 4 standard errors; relisting happens only before
 * death and then the graft-failure day is set. */
static void test_heart_course_statistics(void **state)
{
    (void)state;
    const struct outc_heart p = heart_defaults();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    struct cand c;
    mkheart(&c, 50);
    cand_set_status(&c, 0, ST_HU, 0);
    struct donor d = mkdonor(45, 25);
    const double hr = outc_heart_hr(&p, &c, &d, 0, NULL);
    const double at[3] = {30, 365.25, 5 * 365.25};
    int dead[3] = {0, 0, 0}, relisted = 0;
    const int n = 40000;
    for (int i = 0; i < n; i++) {
        struct outc_course oc;
        outc_heart_course(&p, &c, &d, 0, r, &oc);
        for (int k = 0; k < 3; k++) dead[k] += oc.death_day <= at[k];
        if (oc.relist) {
            relisted++;
            assert_true(oc.graft_fail_day < oc.death_day);
        } else {
            assert_true(isinf(oc.graft_fail_day));
        }
    }
    for (int k = 0; k < 3; k++) {
        double q = 1 - outc_surv(&p.death, hr, at[k]);
        assert_true(fabs((double)dead[k] / n - q) < 4 * sqrt(q * (1 - q) / n));
    }
    /* Lifetime share relisted: about relist rate / (relist + late death rate) = 0.0054 / 0.033. */
    assert_true(relisted > n / 20 && relisted < n / 4);
    gsl_rng_free(r);
}

/* Kaplan–Meier by hand (each estimate reorders the array, so the calls also check that any
 * input order gives the same answer): times 1, 2+, 3, 3, 4+, 5 (+ censored). S(1) = 5/6; at 3 four at risk,
 * two die: S(3) = 5/6 x 2/4 = 5/12; at 5 one at risk dies: S(5) = 0. RMST over [0, 6]:
 * 1 + 5/6 x 2 + 5/12 x 2 + 0 x 1 = 3.5. Without censoring the estimate is the empirical
 * share. */
static void test_km(void **state)
{
    (void)state;
    struct outc_obs o[] = {{5, 1}, {3, 1}, {2, 0}, {1, 1}, {4, 0}, {3, 1}};
    const size_t n = sizeof o / sizeof o[0];
    assert_float_equal(outc_km_at(o, n, 0.5), 1.0, 0);
    assert_float_equal(outc_km_at(o, n, 1), 5.0 / 6, 1e-15);
    assert_float_equal(outc_km_at(o, n, 2.5), 5.0 / 6, 1e-15);
    assert_float_equal(outc_km_at(o, n, 3), 5.0 / 12, 1e-15);
    assert_float_equal(outc_km_at(o, n, 5), 0.0, 1e-15);
    assert_float_equal(outc_km_rmst(o, n, 6), 3.5, 1e-12);
    assert_float_equal(outc_km_rmst(o, n, 0.5), 0.5, 1e-15);
    /* A censoring tied with a death counts as at risk at that time. */
    struct outc_obs t[] = {{2, 0}, {2, 1}, {4, 1}};
    assert_float_equal(outc_km_at(t, 3, 2), 2.0 / 3, 1e-15);
    assert_true(isnan(outc_km_at(t, 0, 1)));
    assert_true(isnan(outc_km_rmst(t, 0, 1)));
    /* All censored: survival 1, RMST tau. */
    struct outc_obs c[] = {{1, 0}, {2, 0}};
    assert_float_equal(outc_km_at(c, 2, 10), 1.0, 0);
    assert_float_equal(outc_km_rmst(c, 2, 10), 10.0, 1e-12);
}

/* Kaplan–Meier against the definition, computed naively: S(t) = product over the distinct event
 * times u <= t of 1 - d(u) / r(u), with r(u) the observations with time >= u; the restricted mean
 * as the sum of S over a fine grid is close to it. Random data with ties (times rounded). */
static void test_km_against_definition(void **state)
{
    (void)state;
    enum { N = 400 };
    struct outc_obs o[N], w[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 3);
    for (int i = 0; i < N; i++) o[i] = (struct outc_obs){floor(gsl_rng_uniform(r) * 50), gsl_rng_uniform(r) < 0.6};
    for (double t = -1; t < 55; t += 3.5) {
        double s = 1;
        for (int u = 0; u <= t; u++) {
            int d = 0, at = 0;
            for (int i = 0; i < N; i++) {
                d += o[i].time == u && o[i].event;
                at += o[i].time >= u;
            }
            if (at) s *= 1.0 - (double)d / at;
        }
        memcpy(w, o, sizeof o);
        assert_float_equal(outc_km_at(w, N, t), s, 1e-12);
    }
    /* RMST over [0, 30]: S is a step function right-continuous at integers, so the area is the
     * sum over the unit intervals [u, u + 1) of S(u). */
    double area = 0;
    for (int u = 0; u < 30; u++) {
        memcpy(w, o, sizeof o);
        area += outc_km_at(w, N, u);
    }
    memcpy(w, o, sizeof o);
    assert_float_equal(outc_km_rmst(w, N, 30), area, 1e-9);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hazard_shape),
        cmocka_unit_test(test_inverse_round_trip),
        cmocka_unit_test(test_time_monotone),
        cmocka_unit_test(test_heart_covariates),
        cmocka_unit_test(test_pancreas_covariates),
        cmocka_unit_test(test_monotone_coupling),
        cmocka_unit_test(test_heart_course_statistics),
        cmocka_unit_test(test_km),
        cmocka_unit_test(test_km_against_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
