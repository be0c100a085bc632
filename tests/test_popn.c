/* test_popn.c — the synthetic population generators (model/popn.c) reproduce their configured
 * distributions at fixed seeds: ABO and region shares (chi-square), the heart-lung,
 * pancreas-kidney, child, female, PRA and df shares (within 4 standard errors), mean ages
 * (within 4 standard errors of the mean of the clamped normal the generator draws), and the
 * donors' organ offer probabilities (given each donor's age). Limiting cases: a single blood
 * group or region, no age effect on the offers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "cand.h"
#include "popn.h"

#define N_DRAWS 100000
#define SEED 20260101UL
#define Z 4.0 /* tolerance in standard errors */

static struct popn_par defaults(void)
{
    struct popn_par p;
    memset(&p, 0, sizeof p);
    pdef_defaults(popn_pdefs, popn_n_pdefs, &p);
    return p;
}

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    assert_non_null(r);
    gsl_rng_set(r, seed);
    return r;
}

static void draw_cand(const struct popn_par *p, struct cand *c, enum organ o, uint32_t seq,
                      gsl_rng *r)
{
    cand_init(c, seq, o == ORGAN_HEART ? PROG_HEART : PROG_PANCREAS, 0.0);
    popn_cand(p, c, o, 0.0, r);
}

/* |observed share - expected| within Z binomial standard errors. */
static void assert_share(long hits, long n, double expected, const char *what)
{
    double phat = (double)hits / (double)n;
    double se = sqrt(expected * (1 - expected) / (double)n);
    if (fabs(phat - expected) > Z * se + 1e-12)
        fail_msg("%s: share %.5f, expected %.5f (4 SE = %.5f)", what, phat, expected, Z * se);
}

/* Pearson chi-square of counts against shares, below the 0.1 % critical value. Categories
 * with a zero share must be empty. */
static void assert_chisq(const long *count, const double *share, int k, long n, const char *what)
{
    double x2 = 0;
    int df = -1;
    for (int i = 0; i < k; i++) {
        if (share[i] <= 0) {
            if (count[i] != 0) fail_msg("%s: category %d has share 0 but %ld draws", what, i, count[i]);
            continue;
        }
        double e = share[i] * (double)n;
        x2 += (count[i] - e) * (count[i] - e) / e;
        df++;
    }
    if (df < 1) return;
    double crit = gsl_cdf_chisq_Qinv(0.001, df);
    if (x2 > crit) fail_msg("%s: chi-square %.2f > %.2f (df %d, p = 0.001)", what, x2, crit, df);
}

/* Mean of clamp(N(mu, sd), lo, hi): what trunc_normal() in popn.c draws. */
static double clamped_mean(double mu, double sd, double lo, double hi)
{
    double a = (lo - mu) / sd, b = (hi - mu) / sd;
    double Pa = gsl_cdf_ugaussian_P(a), Pb = gsl_cdf_ugaussian_P(b);
    double pa = gsl_ran_ugaussian_pdf(a), pb = gsl_ran_ugaussian_pdf(b);
    return lo * Pa + hi * (1 - Pb) + mu * (Pb - Pa) + sd * (pa - pb);
}

static void assert_mean(const double *x, long n, double expected, const char *what)
{
    double m = 0, v = 0;
    for (long i = 0; i < n; i++) m += x[i];
    m /= (double)n;
    for (long i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
    double se = sqrt(v / (double)(n - 1) / (double)n);
    if (fabs(m - expected) > Z * se)
        fail_msg("%s: mean %.4f, expected %.4f (4 SE = %.4f)", what, m, expected, Z * se);
}

static double xs[N_DRAWS];

/* ------------------------------------------------------------------------------------------ */

static void test_defaults_valid(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    char msg[256];
    assert_int_equal(popn_validate(&p, msg, sizeof msg), 0);
    p.abo_share[ABO_O] += 0.1;
    assert_int_equal(popn_validate(&p, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "population.abo"));
    p = defaults();
    p.region_share[3] = 0;
    assert_int_equal(popn_validate(&p, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "population.regions"));
}

static void test_cand_abo_region(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    for (int o = 0; o < ORGAN_N; o++) {
        gsl_rng *r = rng(SEED + (unsigned long)o);
        long abo[ABO_N] = {0}, reg[POPN_REGIONS] = {0};
        for (long i = 0; i < N_DRAWS; i++) {
            struct cand c;
            draw_cand(&p, &c, (enum organ)o, (uint32_t)i, r);
            assert_in_range(c.abo, 0, ABO_N - 1);
            assert_in_range(c.region, 0, POPN_REGIONS - 1);
            /* centre i lies in region i mod 7 */
            assert_in_range(c.center, 0, p.centres[o] - 1);
            assert_int_equal(c.center % POPN_REGIONS, c.region);
            abo[c.abo]++;
            reg[c.region]++;
        }
        assert_chisq(abo, p.abo_share, ABO_N, N_DRAWS, o ? "pancreas ABO" : "heart ABO");
        assert_chisq(reg, p.region_share, POPN_REGIONS, N_DRAWS, o ? "pancreas region" : "heart region");
        gsl_rng_free(r);
    }
}

static void test_heart_cand_shares_and_age(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    gsl_rng *r = rng(SEED + 10);
    long hl = 0, child = 0, female = 0, pra = 0, adults = 0, inpatient = 0;
    for (long i = 0; i < N_DRAWS; i++) {
        struct cand c;
        draw_cand(&p, &c, ORGAN_HEART, (uint32_t)i, r);
        assert_true(c.prog == PROG_HEART || c.prog == PROG_HEART_LUNG);
        double age = cand_age(&c, 0.0);
        assert_true(age >= 0 && age <= 75 + 1e-9);
        hl += c.prog == PROG_HEART_LUNG;
        female += c.sex == SEX_F;
        pra += c.pra > 50;
        assert_true(c.pra >= 0 && c.pra <= 100);
        assert_true(c.weight_kg >= 2.5);
        if (c.prog == PROG_HEART_LUNG) assert_true(isfinite(c.tlc_l));
        if (age < 16) {
            child++;
            inpatient += c.inpatient != 0;
        } else {
            xs[adults++] = age;
        }
    }
    assert_share(hl, N_DRAWS, p.heart_lung_share, "heart-lung share");
    assert_share(child, N_DRAWS, p.heart_child_share, "child share");
    assert_share(female, N_DRAWS, p.female_share[ORGAN_HEART], "female share (heart)");
    assert_share(pra, N_DRAWS, p.pra_high_share, "PRA > 50 % share");
    assert_share(inpatient, child, p.child_inpatient_share, "child in-patient share");
    assert_mean(xs, adults, clamped_mean(p.heart_age_mean, p.heart_age_sd, 16, 75),
                "adult heart candidates' age");
    gsl_rng_free(r);
}

static void test_pancreas_cand_shares_and_age(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    gsl_rng *r = rng(SEED + 20);
    long pk = 0, female = 0, df = 0;
    for (long i = 0; i < N_DRAWS; i++) {
        struct cand c;
        draw_cand(&p, &c, ORGAN_PANCREAS, (uint32_t)i, r);
        assert_true(c.prog == PROG_PANCREAS || c.prog == PROG_PANCREAS_KIDNEY);
        pk += c.prog == PROG_PANCREAS_KIDNEY;
        female += c.sex == SEX_F;
        df += c.df_low != 0;
        xs[i] = cand_age(&c, 0.0);
        assert_true(xs[i] >= 18 - 1e-9 && xs[i] <= 75 + 1e-9);
    }
    assert_share(pk, N_DRAWS, p.pancreas_kidney_share, "pancreas-kidney share");
    assert_share(female, N_DRAWS, p.female_share[ORGAN_PANCREAS], "female share (pancreas)");
    assert_share(df, N_DRAWS, p.df_low_share, "df < 10 % share");
    assert_mean(xs, N_DRAWS, clamped_mean(p.pancreas_age_mean, p.pancreas_age_sd, 18, 75),
                "pancreas candidates' age");
    gsl_rng_free(r);
}

/* Donors: ABO, region, sex, HLA typing, age, and each organ's offer given the donor's age
 * (the count of offers against the sum of the offer probabilities, within 4 SD of the
 * Poisson-binomial). */
static void test_donor_distributions(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    gsl_rng *r = rng(SEED + 30);
    long abo[ABO_N] = {0}, reg[POPN_REGIONS] = {0}, female = 0, hla = 0;
    double off_h = 0, exp_h = 0, var_h = 0, off_p = 0, exp_p = 0, var_p = 0;
    for (long i = 0; i < N_DRAWS; i++) {
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 1.0, r);
        assert_int_equal(d.seq, (uint32_t)i);
        abo[d.abo]++;
        reg[d.region]++;
        female += d.sex == SEX_F;
        hla += d.hla_typed != 0;
        xs[i] = d.age_years;
        assert_true(d.age_years >= 0 && d.age_years <= 90);
        assert_true(d.bmi >= 14 && d.bmi <= 50);
        double ph = popn_offer_prob(p.donor_heart_share, p.donor_heart_age50,
                                    p.donor_heart_age_scale, d.age_years);
        double pp = d.age_years >= 2 ? popn_offer_prob(p.donor_pancreas_share, p.donor_pancreas_age50,
                                                       p.donor_pancreas_age_scale, d.age_years)
                                     : 0.0;
        if (d.age_years < 2) assert_false(d.offer_pancreas);
        off_h += d.offer_heart != 0;
        exp_h += ph;
        var_h += ph * (1 - ph);
        off_p += d.offer_pancreas != 0;
        exp_p += pp;
        var_p += pp * (1 - pp);
    }
    assert_chisq(abo, p.abo_share, ABO_N, N_DRAWS, "donor ABO");
    assert_chisq(reg, p.region_share, POPN_REGIONS, N_DRAWS, "donor region");
    assert_share(female, N_DRAWS, p.donor_female_share, "donor female share");
    assert_share(hla, N_DRAWS, p.donor_hla_typed_share, "donor HLA-typed share");
    assert_mean(xs, N_DRAWS, clamped_mean(p.donor_age_mean, p.donor_age_sd, 0, 90), "donor age");
    if (fabs(off_h - exp_h) > Z * sqrt(var_h))
        fail_msg("hearts offered %.0f, expected %.1f (4 SD = %.1f)", off_h, exp_h, Z * sqrt(var_h));
    if (fabs(off_p - exp_p) > Z * sqrt(var_p))
        fail_msg("pancreata offered %.0f, expected %.1f (4 SD = %.1f)", off_p, exp_p, Z * sqrt(var_p));
    gsl_rng_free(r);
}

/* The offer probability is share / (1 + exp((age - age50) / scale)). */
static void test_offer_prob(void **state)
{
    (void)state;
    assert_float_equal(popn_offer_prob(0.6, 50, 8, 50), 0.3, 1e-12);
    assert_true(popn_offer_prob(0.6, 50, 8, 20) > 0.58);
    assert_true(popn_offer_prob(0.6, 50, 8, 80) < 0.02);
    assert_true(popn_offer_prob(0.6, 50, 8, 30) > popn_offer_prob(0.6, 50, 8, 31));
    assert_float_equal(popn_offer_prob(0.6, 1000, 8, 90), 0.6, 1e-12);
    assert_float_equal(popn_offer_prob(0.0, 50, 8, 10), 0.0, 0);
}

/* Without an age effect (age50 far beyond any age) the offer shares are the configured
 * shares; the pancreas of donors under 2 is never offered. */
static void test_offer_shares_without_age_effect(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    p.donor_heart_share = 0.34;
    p.donor_pancreas_share = 0.29;
    p.donor_heart_age50 = p.donor_pancreas_age50 = 1000;
    gsl_rng *r = rng(SEED + 40);
    long h = 0, pc = 0, over2 = 0;
    for (long i = 0; i < N_DRAWS; i++) {
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 0.0, r);
        h += d.offer_heart != 0;
        if (d.age_years >= 2) {
            over2++;
            pc += d.offer_pancreas != 0;
        } else {
            assert_false(d.offer_pancreas);
        }
    }
    assert_share(h, N_DRAWS, 0.34, "heart offer share (no age effect)");
    assert_share(pc, over2, 0.29, "pancreas offer share (no age effect, donors >= 2)");
    gsl_rng_free(r);
}

/* The calibrated defaults: heart donors younger than donors, pancreas donors younger still. */
static void test_offered_donors_younger(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    gsl_rng *r = rng(SEED + 50);
    double sa = 0, sh = 0, sp = 0;
    long nh = 0, np = 0;
    for (long i = 0; i < N_DRAWS; i++) {
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 0.0, r);
        sa += d.age_years;
        if (d.offer_heart) sh += d.age_years, nh++;
        if (d.offer_pancreas) sp += d.age_years, np++;
    }
    assert_true(nh > 0 && np > 0);
    assert_true(sh / nh < sa / N_DRAWS - 5);
    assert_true(sp / np < sh / nh - 5);
    gsl_rng_free(r);
}

/* Limiting case: one blood group (O = 1) and one region: every candidate and donor is O and
 * in that region, every centre lies in it. */
static void test_single_group_and_region(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    for (int k = 0; k < ABO_N; k++) p.abo_share[k] = 0;
    p.abo_share[ABO_O] = 1;
    for (int k = 0; k < POPN_REGIONS; k++) p.region_share[k] = 0;
    p.region_share[4] = 1;
    char msg[256];
    assert_int_equal(popn_validate(&p, msg, sizeof msg), 0);
    gsl_rng *r = rng(SEED + 60);
    for (long i = 0; i < 20000; i++) {
        struct cand c;
        draw_cand(&p, &c, (enum organ)(i % 2), (uint32_t)i, r);
        assert_int_equal(c.abo, ABO_O);
        assert_int_equal(c.region, 4);
        assert_int_equal(c.center % POPN_REGIONS, 4);
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 0.0, r);
        assert_int_equal(d.abo, ABO_O);
        assert_int_equal(d.region, 4);
    }
    /* And AB only: the last category takes no leftovers from the others. */
    p.abo_share[ABO_O] = 0;
    p.abo_share[ABO_AB] = 1;
    for (long i = 0; i < 20000; i++) {
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 0.0, r);
        assert_int_equal(d.abo, ABO_AB);
    }
    gsl_rng_free(r);
}

/* Limiting shares 0 and 1: no heart-lung / all heart-lung, no children / only children. */
static void test_limiting_shares(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    gsl_rng *r = rng(SEED + 70);
    p.heart_lung_share = 1;
    p.heart_child_share = 1;
    p.donor_heart_share = 0;
    p.donor_pancreas_share = 0;
    for (long i = 0; i < 5000; i++) {
        struct cand c;
        draw_cand(&p, &c, ORGAN_HEART, (uint32_t)i, r);
        assert_int_equal(c.prog, PROG_HEART_LUNG);
        assert_true(cand_age(&c, 0.0) < 16);
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 0.0, r);
        assert_false(d.offer_heart);
        assert_false(d.offer_pancreas);
    }
    p.heart_lung_share = 0;
    p.heart_child_share = 0;
    p.donor_heart_share = 1;
    p.donor_heart_age50 = 1000;
    for (long i = 0; i < 5000; i++) {
        struct cand c;
        draw_cand(&p, &c, ORGAN_HEART, (uint32_t)i, r);
        assert_int_equal(c.prog, PROG_HEART);
        assert_true(cand_age(&c, 0.0) >= 16);
        struct donor d;
        popn_donor(&p, &d, (uint32_t)i, 0.0, r);
        assert_true(d.offer_heart);
    }
    gsl_rng_free(r);
}

/* Pure: the same seed gives the same people. */
static void test_reproducible(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    gsl_rng *a = rng(7), *b = rng(7);
    for (int i = 0; i < 1000; i++) {
        struct donor x, y;
        popn_donor(&p, &x, (uint32_t)i, 3.0, a);
        popn_donor(&p, &y, (uint32_t)i, 3.0, b);
        assert_memory_equal(&x, &y, sizeof x);
        struct cand c, e;
        draw_cand(&p, &c, ORGAN_PANCREAS, (uint32_t)i, a);
        draw_cand(&p, &e, ORGAN_PANCREAS, (uint32_t)i, b);
        assert_int_equal(c.abo, e.abo);
        assert_float_equal(c.birth_day, e.birth_day, 0);
        assert_float_equal(c.weight_kg, e.weight_kg, 0);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* Issue 13 point 7: the SU reason of a pancreas candidate follows the su_reason shares (each
 * within 4 SE), is never retx (that follows from an early relisting), and a heart candidate
 * draws nothing (its sub-stream is left untouched). */
static void test_su_reason_shares(void **state)
{
    (void)state;
    struct popn_par p = defaults();
    p.su_reason_share[SU_REASON_HYPO] = 0.5;
    p.su_reason_share[SU_REASON_INSULIN] = 0.2;
    p.su_reason_share[SU_REASON_LATE] = 0.1;
    gsl_rng *r = rng(SEED);
    long n[SU_REASON_N] = {0};
    struct cand c;
    for (long i = 0; i < N_DRAWS; i++) {
        cand_init(&c, (uint32_t)i, PROG_PANCREAS_KIDNEY, 0.0);
        popn_cand_attr(&p, &c, r);
        assert_true(c.su_reason >= 0 && c.su_reason < SU_REASON_N);
        n[c.su_reason]++;
    }
    assert_int_equal(n[SU_REASON_RETX], 0);
    assert_share(n[SU_REASON_HYPO], N_DRAWS, 0.5, "hypo");
    assert_share(n[SU_REASON_INSULIN], N_DRAWS, 0.2, "insulin");
    assert_share(n[SU_REASON_LATE], N_DRAWS, 0.1, "late");
    assert_share(n[SU_REASON_NONE], N_DRAWS, 0.2, "none");
    gsl_rng *q = rng(7), *q2 = rng(7);
    cand_init(&c, 0, PROG_HEART, 0.0);
    popn_cand_attr(&p, &c, q);
    assert_int_equal(c.su_reason, SU_REASON_NONE);
    assert_true(gsl_rng_get(q) == gsl_rng_get(q2));
    gsl_rng_free(q);
    gsl_rng_free(q2);
    gsl_rng_free(r);
    char msg[256];
    p.su_reason_share[SU_REASON_LATE] = 0.4; /* 1.1 in all */
    assert_int_equal(popn_validate(&p, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "su_reason"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_valid),
        cmocka_unit_test(test_cand_abo_region),
        cmocka_unit_test(test_heart_cand_shares_and_age),
        cmocka_unit_test(test_pancreas_cand_shares_and_age),
        cmocka_unit_test(test_donor_distributions),
        cmocka_unit_test(test_offer_prob),
        cmocka_unit_test(test_offer_shares_without_age_effect),
        cmocka_unit_test(test_offered_donors_younger),
        cmocka_unit_test(test_single_group_and_region),
        cmocka_unit_test(test_limiting_shares),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_su_reason_shares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
