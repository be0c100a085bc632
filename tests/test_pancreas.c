/* test_pancreas.c — the pancreas policy "bak2026" against hand-derived expectations from the
 * guideline draft (seed 003): the eight groups of §III.5.7, ABO §III.5.4, waiting time
 * §III.5.5, relisting bands §III.5.5.2, regional bonus §III.5.6, extended criteria §III.8.1,
 * the accelerated offer order §II.4.3.2, the islet route §III.8.2, and the status dynamics
 * (SU 91/61 days, NT applications every 61 days) with one fixed-seed hazard check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "cand.h"
#include "match.h"
#include "pancreas.h"
#include "pdef.h"
#include "policy.h"

static void defaults(struct pancreas_par *p)
{
    memset(p, 0, sizeof *p);
    pdef_defaults(pancreas_rule_pdefs, pancreas_n_rule_pdefs, p);
    pdef_defaults(pancreas_model_pdefs, pancreas_n_model_pdefs, p);
}

/* Every hazard and probability of the model switched off, so one behaviour can be isolated. */
static void quiet(struct pancreas_par *p)
{
    defaults(p);
    p->death_per_year = p->removal_per_year = p->su_audit_per_year = 0;
    p->nt_onset_per_year = 0;
    p->su_at_listing_prob = 0;
}

static void donor(struct donor *d, enum abo abo)
{
    memset(d, 0, sizeof *d);
    d->abo = abo;
    d->age_years = 30;
    d->region = -1;
    d->hla_typed = 1;
    d->weight_kg = d->height_cm = d->tlc_l = d->bmi = d->waist_cm = NAN;
    d->cpr_min = d->icu_days = d->sodium = NAN;
    d->offer_pancreas = 1;
}

static void cand(struct cand *c, uint32_t seq, enum abo abo, double listed)
{
    cand_init(c, seq, PROG_PANCREAS, listed);
    c->abo = abo;
}

/* Ranks list[0..n) for d on day with want_excluded, sorts, returns the count. */
static size_t rank(const struct pancreas_par *p, const struct donor *d, double day,
                   struct cand **list, size_t n, int want_excluded, struct match *m)
{
    size_t k = pancreas_bak2026_ops.match(p, d, day, (struct cand *const *)list, n,
                                          want_excluded, m);
    match_sort(m, k);
    return k;
}

static const struct match *find(const struct match *m, size_t n, const struct cand *c)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].c == c) return &m[i];
    return NULL;
}

/* §III.5.7: one candidate per group; the later the group, the more waiting time, so only the
 * group order can put them 1..8. Donor A, HLA-typed, asked on day 1000. */
static void test_eight_groups_in_order(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_A);
    struct cand c[8];
    struct cand *list[8];
    for (int g = 1; g <= 8; g++) {
        int i = g - 1;
        /* listed: group 1 on day 700 ... group 8 on day 0 */
        cand(&c[i], (uint32_t)(8 - g), (g % 2) ? ABO_A : ABO_AB, 100.0 * (8 - g));
        c[i].df_low = g <= 4;
        int su = (g - 1) % 4 < 2;
        if (su) cand_set_status(&c[i], c[i].w.listed + 10, ST_SU, 0);
        list[i] = &c[i];
    }
    struct match m[8];
    size_t n = rank(&p, &d, 1000, list, 8, 0, m);
    assert_int_equal(n, 8);
    for (int i = 0; i < 8; i++) {
        assert_ptr_equal(m[i].c, &c[i]);
        assert_int_equal(m[i].group, i + 1);
        assert_int_equal(m[i].abo_step, (i % 2) ? 2 : 1);
        char buf[16];
        pancreas_bak2026_ops.group_name(&p, &m[i], buf, sizeof buf);
        char want[16];
        snprintf(want, sizeof want, "%d", i + 1);
        assert_string_equal(buf, want);
    }
    /* Group 8 (T, listed day 0, asked day 1000): 1000 points; group 5 (SU since day 310): 690. */
    assert_float_equal(m[7].points, 1000.0, 1e-9);
    assert_float_equal(m[4].points, 690.0, 1e-9);
}

/* §III.5.3 last sentence: df < 10 % only counts with donor HLA typing. */
static void test_df_ignored_without_hla_typing(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    d.hla_typed = 0;
    struct cand a, b;
    cand(&a, 0, ABO_O, 500); /* df_low, SU, identical, few points */
    a.df_low = 1;
    cand_set_status(&a, 600, ST_SU, 0);
    cand(&b, 1, ABO_O, 0); /* SU identical, more SU points */
    cand_set_status(&b, 100, ST_SU, 0);
    struct cand *list[2] = {&a, &b};
    struct match m[2];
    rank(&p, &d, 700, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &b);
    assert_int_equal(m[1].group, 5);
    assert_true(m[1].flags & PANCREAS_F_DF_IGNORED);
    assert_false(m[1].flags & PANCREAS_F_DF);
    d.hla_typed = 1;
    rank(&p, &d, 700, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &a);
    assert_int_equal(m[0].group, 1);
    /* With the requirement switched off the preference applies without typing. */
    d.hla_typed = 0;
    p.df_requires_hla = 0;
    rank(&p, &d, 700, list, 2, 0, m);
    assert_int_equal(m[0].group, 1);
}

/* df.order within (§III.5.3 literal): SU groups 1,2,5,6 before T groups 3,4,7,8. */
static void test_df_order_within(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    struct cand a, b;
    cand(&a, 0, ABO_O, 0); /* df_low, T: group 3 */
    a.df_low = 1;
    cand(&b, 1, ABO_A, 0); /* SU, compatible: group 6 */
    cand_set_status(&b, 100, ST_SU, 0);
    struct cand *list[2] = {&a, &b};
    struct match m[2];
    rank(&p, &d, 200, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &a); /* across: group 3 before 6 */
    assert_int_equal(m[0].group, 3);
    p.df_order = PANCREAS_DF_WITHIN;
    rank(&p, &d, 200, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &b); /* within: SU group 6 before T group 3 */
    assert_int_equal(m[0].group, 6);
    assert_int_equal(m[1].group, 3);
}

/* §III.5.4: identical, then O->all, A->A,AB, B->B,AB, AB->AB; the rest excluded. */
static void test_abo_identical_compatible(void **state)
{
    (void)state;
    static const int step[ABO_N][ABO_N] = {
        /* recipient: O  A  B  AB */
        {1, 2, 2, 2}, /* donor O */
        {0, 1, 0, 2}, /* donor A */
        {0, 0, 1, 2}, /* donor B */
        {0, 0, 0, 1}, /* donor AB */
    };
    struct pancreas_par p;
    defaults(&p);
    for (int da = 0; da < ABO_N; da++) {
        struct donor d;
        donor(&d, (enum abo)da);
        struct cand c[ABO_N];
        struct cand *list[ABO_N];
        for (int ra = 0; ra < ABO_N; ra++) {
            /* identical recipient listed last (fewest points) */
            cand(&c[ra], (uint32_t)ra, (enum abo)ra, ra == da ? 900 : 0);
            list[ra] = &c[ra];
        }
        struct match m[ABO_N];
        size_t n = rank(&p, &d, 1000, list, ABO_N, 1, m);
        assert_int_equal(n, ABO_N);
        for (int ra = 0; ra < ABO_N; ra++) {
            const struct match *x = find(m, n, &c[ra]);
            assert_non_null(x);
            assert_int_equal(x->abo_step, step[da][ra]);
            assert_int_equal(x->eligible, step[da][ra] != 0);
            if (!step[da][ra]) assert_int_equal(x->excl, PANCREAS_EXCL_ABO);
        }
        assert_ptr_equal(m[0].c, &c[da]); /* identical first despite 100 vs 1000 points */
        assert_int_equal(m[0].group, 7);
    }
}

/* NT (§I.9), ABO and crossmatch (§III.5.1) exclusions; written only when asked for. */
static void test_exclusions_and_reasons(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_A);
    struct cand a, b, c, e;
    cand(&a, 0, ABO_A, 0);
    cand_set_status(&a, 10, ST_NT, 1);
    cand(&b, 1, ABO_B, 0);
    cand(&c, 2, ABO_A, 0);
    c.hla_ok = 0;
    cand(&e, 3, ABO_A, 0);
    struct cand *list[4] = {&a, &b, &c, &e};
    struct match m[4];
    assert_int_equal(rank(&p, &d, 100, list, 4, 0, m), 1);
    assert_ptr_equal(m[0].c, &e);
    size_t n = rank(&p, &d, 100, list, 4, 1, m);
    assert_int_equal(n, 4);
    assert_ptr_equal(m[0].c, &e);
    char buf[256];
    const struct match *x = find(m, n, &a);
    assert_int_equal(x->excl, PANCREAS_EXCL_NT);
    pancreas_bak2026_ops.reason(&p, &d, 100, x, buf, sizeof buf);
    assert_string_equal(buf, "NT status");
    x = find(m, n, &b);
    assert_int_equal(x->excl, PANCREAS_EXCL_ABO);
    pancreas_bak2026_ops.reason(&p, &d, 100, x, buf, sizeof buf);
    assert_string_equal(buf, "ABO incompatible (donor A, recipient B)");
    x = find(m, n, &c);
    assert_int_equal(x->excl, PANCREAS_EXCL_XM);
    pancreas_bak2026_ops.reason(&p, &d, 100, x, buf, sizeof buf);
    assert_string_equal(buf, "crossmatch positive");
    p.crossmatch_required = 0;
    assert_int_equal(rank(&p, &d, 100, list, 4, 0, m), 2);
}

/* §III.5.6: +2/3 of the waiting time when listed in the donor's region (both known); in SU on
 * the SU time (§III.5.7 "innerhalb der vorgenannten Gruppen"). */
static void test_regional_bonus(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    struct cand t, s;
    cand(&t, 0, ABO_O, 0);
    cand(&s, 1, ABO_O, 0);
    cand_set_status(&s, 100, ST_SU, 0);
    struct pancreas_points pt;
    pancreas_points(&p, &t, &d, 300, &pt);
    assert_float_equal(pt.total, 300.0, 1e-9); /* both regions unknown */
    t.region = 3;
    pancreas_points(&p, &t, &d, 300, &pt);
    assert_float_equal(pt.total, 300.0, 1e-9); /* donor region unknown */
    d.region = 4;
    pancreas_points(&p, &t, &d, 300, &pt);
    assert_float_equal(pt.total, 300.0, 1e-9); /* different regions */
    d.region = 3;
    pancreas_points(&p, &t, &d, 300, &pt);
    assert_float_equal(pt.bonus, 200.0, 1e-9);
    assert_float_equal(pt.total, 500.0, 1e-9);
    s.region = 3;
    pancreas_points(&p, &s, &d, 300, &pt); /* SU 200 days + 2/3 * 200 */
    assert_float_equal(pt.total, 200.0 + 400.0 / 3.0, 1e-9);
    p.regional_in_su = 0;
    pancreas_points(&p, &s, &d, 300, &pt);
    assert_float_equal(pt.total, 200.0, 1e-9);
    /* The bonus lifts a regional T candidate over a longer-waiting non-regional one. */
    struct cand far;
    cand(&far, 2, ABO_O, -150); /* 450 days, no bonus */
    struct cand *list[2] = {&far, &t};
    struct match m[2];
    rank(&p, &d, 300, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &t);
    assert_true(m[0].flags & PANCREAS_F_REGIONAL);
    char buf[256];
    pancreas_bak2026_ops.reason(&p, &d, 300, &m[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "+2/3 regional bonus 200"));
}

/* §III.5.5.1: SU counts only the contiguous time since the last SU registration. */
static void test_su_contiguity(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    cand_set_status(&c, 50, ST_SU, 0);
    cand_set_status(&c, 100, ST_T, 0);
    cand_set_status(&c, 150, ST_SU, 0);
    struct pancreas_points pt;
    pancreas_points(&p, &c, &d, 200, &pt);
    assert_float_equal(pt.total, 50.0, 1e-9); /* not 100 (all SU), not 200 (listed) */
    cand_set_status(&c, 241, ST_SU, 0);        /* 91-day re-justification */
    pancreas_points(&p, &c, &d, 260, &pt);
    assert_float_equal(pt.total, 110.0, 1e-9); /* spell: since day 150 */
    p.su_points_since = PANCREAS_SU_REGISTRATION;
    pancreas_points(&p, &c, &d, 260, &pt);
    assert_float_equal(pt.total, 19.0, 1e-9); /* since the re-registration on day 241 */
    char buf[256];
    struct match m;
    struct cand *list[1] = {&c};
    p.su_points_since = PANCREAS_SU_SPELL;
    rank(&p, &d, 260, list, 1, 0, &m);
    pancreas_bak2026_ops.reason(&p, &d, 260, &m, buf, sizeof buf);
    assert_non_null(strstr(buf, "SU since day 150: 110 days"));
    assert_non_null(strstr(buf, "group 5: SU, ABO identical"));
    assert_int_equal(m.group, 5);
}

/* §III.5.5.1: NT time counts in T only under an application (renewed every 61 days). */
static void test_nt_credit(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    cand_set_status(&c, 100, ST_NT, 1); /* application 100..161 */
    cand_set_status(&c, 161, ST_NT, 0); /* not renewed: 161..200 uncredited */
    cand_set_status(&c, 200, ST_T, 0);
    struct pancreas_points pt;
    pancreas_points(&p, &c, &d, 300, &pt);
    /* 300 listed - 100 NT + 61 credited */
    assert_float_equal(pt.total, 261.0, 1e-9);
    char buf[256];
    struct match m;
    struct cand *list[1] = {&c};
    rank(&p, &d, 300, list, 1, 0, &m);
    pancreas_bak2026_ops.reason(&p, &d, 300, &m, buf, sizeof buf);
    assert_non_null(strstr(buf, "T: 300 days listed, 100 NT of which 61 credited"));
}

/* §III.5.5.2: 0-91 100 %, 92-183 75 %, 184-275 50 %, 276-365 25 %, from 366 0 %. */
static void test_relisting_bands(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    static const double day[] = {0, 91, 91.9, 92, 183, 184, 275, 276, 365, 365.5, 366, 1000, -1};
    static const double pct[] = {100, 100, 100, 75, 75, 50, 50, 25, 25, 25, 0, 0, 0};
    for (size_t i = 0; i < sizeof day / sizeof day[0]; i++)
        assert_float_equal(pancreas_relist_percent(&p, day[i]), pct[i], 1e-12);
    assert_float_equal(pancreas_relist_percent(&p, NAN), 0, 1e-12);

    /* 400 days before the transplant on day -200, loss on day -50 (150 days: 75 % = 300),
     * relisted on day 0, asked on day 100: 100 + 300 = 400. */
    struct donor d;
    donor(&d, ABO_O);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    c.prior_wait_days = 400;
    c.prior_tx_day = -200;
    c.graft_loss_day = -50;
    struct pancreas_points pt;
    pancreas_points(&p, &c, &d, 100, &pt);
    assert_float_equal(pt.relist_days, 300.0, 1e-9);
    assert_float_equal(pt.total, 400.0, 1e-9);
    /* Regional: 2/3 of the whole waiting time (400), or of the own time only (100). */
    c.region = d.region = 2;
    pancreas_points(&p, &c, &d, 100, &pt);
    assert_float_equal(pt.total, 400.0 + 800.0 / 3.0, 1e-9);
    p.regional_on_credit = 0;
    pancreas_points(&p, &c, &d, 100, &pt);
    assert_float_equal(pt.total, 400.0 + 200.0 / 3.0, 1e-9);
    char buf[256];
    struct match m;
    struct cand *list[1] = {&c};
    rank(&p, &d, 100, list, 1, 0, &m);
    pancreas_bak2026_ops.reason(&p, &d, 100, &m, buf, sizeof buf);
    assert_non_null(strstr(buf, "+ 300 relisting credit (75 % band)"));
    /* In SU only the SU time counts: no credit. */
    cand_set_status(&c, 50, ST_SU, 0);
    pancreas_points(&p, &c, &d, 100, &pt);
    assert_float_equal(pt.relist_days, 0.0, 1e-12);
    assert_float_equal(pt.wait, 50.0, 1e-9);
}

/* §III.8.1: each criterion alone; age limit 60 (draft) vs 50 (before). */
static void test_ecd_criteria(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    d.age_years = 40;
    d.bmi = 25;
    unsigned why = 99;
    assert_int_equal(pancreas_ecd(&p, &d, &why), 0);
    assert_int_equal(why, 0);
    static const double age[] = {4, 4.9, 5, 60, 60.9, 61, 75};
    static const unsigned at60[] = {PANCREAS_ECD_AGE_LOW, PANCREAS_ECD_AGE_LOW, 0, 0, 0,
                                    PANCREAS_ECD_AGE_HIGH, PANCREAS_ECD_AGE_HIGH};
    for (size_t i = 0; i < sizeof age / sizeof age[0]; i++) {
        d.age_years = age[i];
        assert_int_equal(pancreas_ecd(&p, &d, NULL), at60[i]);
    }
    p.ecd_age_max = 50;
    d.age_years = 50;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.age_years = 51;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_AGE_HIGH);
    d.age_years = 55; /* ECD before, standard under the draft */
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_AGE_HIGH);
    p.ecd_age_max = 60;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.age_years = 40;

    d.bmi = 30;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.bmi = 30.1;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_BMI);
    d.bmi = 25;

    d.sex = SEX_F;
    d.waist_cm = 88;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.waist_cm = 89;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_WAIST);
    d.sex = SEX_M;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.waist_cm = 102;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.waist_cm = 103;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_WAIST);
    d.sex = SEX_UNKNOWN;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_WAIST);
    d.waist_cm = 95;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.waist_cm = NAN;

    d.ecd = 1;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), PANCREAS_ECD_GENERAL);
    p.ecd_general = 0;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    d.ecd = 0;

    /* §III.8.1b: optional, off by default. */
    d.cpr_min = 10;
    d.icu_days = 8;
    d.sodium = 161;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);
    p.ecd_cpr = p.ecd_icu = p.ecd_sodium = 1;
    assert_int_equal(pancreas_ecd(&p, &d, &why),
                     PANCREAS_ECD_CPR | PANCREAS_ECD_ICU | PANCREAS_ECD_SODIUM);
    assert_int_equal(why, PANCREAS_ECD_CPR | PANCREAS_ECD_ICU | PANCREAS_ECD_SODIUM);
    d.cpr_min = 5;
    d.icu_days = 7;
    d.sodium = 160;
    assert_int_equal(pancreas_ecd(&p, &d, NULL), 0);

    /* on by default (docs/model.md, "Pancreas list", accel.unplaced_after_offers; 003 §III.8.1a):
     * unplaced after 4 declined offers */
    assert_int_equal(pancreas_unplaced(&p, 3), 0);
    assert_int_equal(pancreas_unplaced(&p, 4), 1);
    assert_int_equal(pancreas_bak2026_ops.unplaced_after(&p), 4); /* what the engine asks */
    p.unplaced_after_offers = 0;
    assert_int_equal(pancreas_unplaced(&p, 100), 0); /* 0 = never */
    assert_int_equal(pancreas_bak2026_ops.unplaced_after(&p), -1);
    p.unplaced_after_offers = 5;
    assert_int_equal(pancreas_unplaced(&p, 4), 0);
    assert_int_equal(pancreas_unplaced(&p, 5), 1);
    assert_int_equal(pancreas_bak2026_ops.unplaced_after(&p), 5);
}

/* §II.4.3.2: centres of the donor's region name up to 2 each (best by rank), offered first in
 * rank order; then the rest. Normal order r0..r7, r8 ineligible. */
static void test_accelerated_order(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    d.region = 1;
    p.accel_stage2 = PANCREAS_STAGE2_REST;
    static const int region[9] = {2, 1, 1, 1, 2, 1, 1, 2, 1};
    static const int centre[9] = {20, 10, 10, 10, 21, 11, -1, 20, 11};
    struct cand c[9];
    struct match m[9];
    for (int i = 0; i < 9; i++) {
        cand(&c[i], (uint32_t)i, ABO_O, 0);
        c[i].region = region[i];
        c[i].center = centre[i];
        m[i] = (struct match){.c = &c[i], .eligible = i < 8, .tier = i < 8 ? 0 : UINT32_MAX,
                              .points = 100.0 - i};
    }
    struct match w[9];
    size_t s1;

    memcpy(w, m, sizeof m);
    assert_int_equal(pancreas_accel_order(&p, &d, w, 9, &s1, NULL), 8);
    assert_int_equal(s1, 4);
    static const int rest[9] = {1, 2, 5, 6, 0, 3, 4, 7, 8};
    for (int i = 0; i < 9; i++) assert_ptr_equal(w[i].c, &c[rest[i]]);
    assert_true(w[0].flags & PANCREAS_F_ACCEL1);
    assert_true(w[4].flags & PANCREAS_F_ACCEL2);
    assert_false(w[8].flags & (PANCREAS_F_ACCEL1 | PANCREAS_F_ACCEL2));

    p.accel_stage2 = PANCREAS_STAGE2_BEST_PER_CENTRE;
    memcpy(w, m, sizeof m);
    assert_int_equal(pancreas_accel_order(&p, &d, w, 9, &s1, NULL), 6);
    static const int best[9] = {1, 2, 5, 6, 0, 4, 3, 7, 8};
    for (int i = 0; i < 9; i++) assert_ptr_equal(w[i].c, &c[best[i]]);

    p.accel_stage2 = PANCREAS_STAGE2_REST;
    p.accel_per_centre = 1;
    memcpy(w, m, sizeof m);
    assert_int_equal(pancreas_accel_order(&p, &d, w, 9, &s1, NULL), 8);
    assert_int_equal(s1, 3);
    static const int one[9] = {1, 5, 6, 0, 2, 3, 4, 7, 8};
    for (int i = 0; i < 9; i++) assert_ptr_equal(w[i].c, &c[one[i]]);

    /* Unknown centres are each a centre of their own: three of them, one name each, all in. */
    for (int i = 0; i < 3; i++) c[i].center = -1, c[i].region = 1;
    memcpy(w, m, sizeof m);
    pancreas_accel_order(&p, &d, w, 9, &s1, NULL);
    /* r0, r1, r2 (unknown), r3 (now the first of centre 10), r5 (centre 11), r6 (unknown) */
    assert_int_equal(s1, 6);
    static const int unk[9] = {0, 1, 2, 3, 5, 6, 4, 7, 8};
    for (int i = 0; i < 9; i++) assert_ptr_equal(w[i].c, &c[unk[i]]);

    d.region = -1; /* no region: no stage 1, the normal order */
    memcpy(w, m, sizeof m);
    assert_int_equal(pancreas_accel_order(&p, &d, w, 9, &s1, NULL), 8);
    assert_int_equal(s1, 0);
    for (int i = 0; i < 9; i++) assert_ptr_equal(w[i].c, &c[i]);
}

/* The engine's hook orders only the offers still allowed; its prefix must be the full order's
 * (the simulation's results depend on it bit for bit). Random lists with tied points, many
 * centres and regions, every limit, both stage-2 modes, given in shuffled order. */
static void test_accelerated_order_limit(void **state)
{
    (void)state;
    enum { N = 60 };
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    struct cand c[N];
    struct match m[N], full[N], w[N];
    uint64_t s = 12345;
    for (int round = 0; round < 200; round++) {
        p.accel_stage2 = round % 2 ? PANCREAS_STAGE2_BEST_PER_CENTRE : PANCREAS_STAGE2_REST;
        p.accel_per_centre = 1 + round % 3;
        d.region = round % 7 == 6 ? -1 : 1 + round % 3;
        size_t n = 1 + (size_t)round % N;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            cand(&c[i], (uint32_t)i, ABO_O, 0);
            c[i].region = (int)(s >> 60) % 4;       /* 0..3, with 0 meaning unknown below */
            if (c[i].region == 0) c[i].region = -1;
            c[i].center = (int)(s >> 40) % 9 - 1;    /* -1 (unknown) .. 7 */
            m[i] = (struct match){.c = &c[i], .eligible = (s >> 20) % 8 != 0,
                                  .tier = (uint32_t)(s >> 30) % 2,
                                  .points = (double)((s >> 10) % 5)};
        }
        memcpy(full, m, n * sizeof *m);
        match_sort(full, n);
        size_t kf = pancreas_accel_order(&p, &d, full, n, NULL, NULL);
        for (size_t limit = 0; limit <= n + 1; limit++) {
            memcpy(w, m, n * sizeof *m);
            for (size_t i = n; i > 1; i--) { /* shuffle: the hook takes any order */
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                size_t j = (size_t)(s >> 33) % i;
                struct match t = w[i - 1];
                w[i - 1] = w[j];
                w[j] = t;
            }
            size_t k = pancreas_bak2026_ops.accel_order(&p, &d, w, n, limit, NULL);
            assert_int_equal(k, kf < limit ? kf : limit);
            for (size_t i = 0; i < k; i++) {
                assert_ptr_equal(w[i].c, full[i].c);
                assert_int_equal(w[i].flags, full[i].flags);
            }
        }
    }
}

/* §III.8.2 route. */
static void test_islet_route(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_O);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    p.islet_nonvasc_prob = 0;
    assert_int_equal(pancreas_islet_route(&p, &d, r), PANCREAS_ROUTE_VASCULAR);
    p.islet_nonvasc_prob = 1;
    assert_int_equal(pancreas_islet_route(&p, &d, r), PANCREAS_ROUTE_ISLET);
    p.islet_enabled = 0;
    assert_int_equal(pancreas_islet_route(&p, &d, r), PANCREAS_ROUTE_DISCARD);
    gsl_rng_free(r);
}

/* §III.5.2.1: graft failure within 14 days -> SU at relisting for 61 days, then back to T. */
static void test_enter_early_retx(void **state)
{
    (void)state;
    struct pancreas_par p;
    quiet(&p);
    p.retx_apply_prob = 1;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    static const double fail_days[] = {10, 14, 14.5, 15, 30};
    static const int su[] = {1, 1, 1, 0, 0};
    for (size_t i = 0; i < sizeof su / sizeof su[0]; i++) {
        struct cand c;
        cand(&c, 0, ABO_O, 1000);
        c.prior_wait_days = 300;
        c.prior_tx_day = 1000 - fail_days[i];
        c.graft_loss_day = 1000;
        pancreas_bak2026_ops.enter(&p, &c, 1000, r);
        assert_int_equal(c.w.status, su[i] ? ST_SU : ST_T);
        if (su[i]) {
            assert_float_equal(c.expiry, 1061.0, 1e-9);
            assert_int_equal(c.mstate, PANCREAS_MS_RETX);
            struct trans t;
            pancreas_bak2026_ops.next(&p, &c, 1000, r, &t);
            assert_int_equal(t.kind, TR_STATUS);
            assert_float_equal(t.day, 1061.0, 1e-9);
            assert_int_equal(t.to, ST_T);
            assert_int_equal(t.code, PANCREAS_TC_RETX_END);
        }
    }
    /* A first listing stays T; an application not made leaves the relisting in T. */
    struct cand c;
    cand(&c, 0, ABO_O, 1000);
    pancreas_bak2026_ops.enter(&p, &c, 1000, r);
    assert_int_equal(c.w.status, ST_T);
    p.retx_apply_prob = 0;
    cand(&c, 0, ABO_O, 1000);
    c.prior_tx_day = 995;
    c.graft_loss_day = 1000;
    pancreas_bak2026_ops.enter(&p, &c, 1000, r);
    assert_int_equal(c.w.status, ST_T);
    gsl_rng_free(r);
}

/* §III.5.2.1/§III.6: SU valid 91 days; re-justified -> SU again until expiry + 91, the spell
 * (and its points) continuing; else back to T. */
static void test_su_renewal(void **state)
{
    (void)state;
    struct pancreas_par p;
    quiet(&p);
    p.su_rejustify_prob = 1;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    cand_set_status(&c, 100, ST_SU, 0);
    c.expiry = 191;
    struct trans t;
    pancreas_bak2026_ops.next(&p, &c, 150, r, &t);
    assert_int_equal(t.kind, TR_STATUS);
    assert_float_equal(t.day, 191.0, 1e-9);
    assert_int_equal(t.to, ST_SU);
    assert_float_equal(t.expiry, 282.0, 1e-9);
    assert_int_equal(t.code, PANCREAS_TC_SU_RENEW);
    cand_set_status(&c, t.day, t.to, t.nt_credit);
    c.expiry = t.expiry;
    assert_int_equal(c.w.su_spells, 1);
    struct donor d;
    donor(&d, ABO_O);
    struct pancreas_points pt;
    pancreas_points(&p, &c, &d, 200, &pt);
    assert_float_equal(pt.total, 100.0, 1e-9);
    p.su_rejustify_prob = 0;
    pancreas_bak2026_ops.next(&p, &c, 200, r, &t);
    assert_float_equal(t.day, 282.0, 1e-9);
    assert_int_equal(t.to, ST_T);
    assert_int_equal(t.code, PANCREAS_TC_SU_LAPSE);
    /* T -> SU by audit gets a 91-day grant. */
    struct cand e;
    cand(&e, 1, ABO_O, 0);
    p.su_audit_per_year = 1;
    pancreas_bak2026_ops.next(&p, &e, 0, r, &t);
    assert_int_equal(t.to, ST_SU);
    assert_int_equal(t.code, PANCREAS_TC_SU_AUDIT);
    assert_float_equal(t.expiry, t.day + 91.0, 1e-9);
    gsl_rng_free(r);
}

/* §III.5.5.1: NT with application, renewed every 61 days, or lapsing to credit 0. */
static void test_nt_dynamics(void **state)
{
    (void)state;
    struct pancreas_par p;
    quiet(&p);
    p.nt_mean_days = 1e6; /* the episode does not end during the test */
    p.nt_renew_prob = 1;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    cand_set_status(&c, 100, ST_NT, 1);
    c.expiry = 161;
    struct trans t;
    pancreas_bak2026_ops.next(&p, &c, 100, r, &t);
    assert_int_equal(t.kind, TR_STATUS);
    assert_float_equal(t.day, 161.0, 1e-9);
    assert_int_equal(t.to, ST_NT);
    assert_int_equal(t.nt_credit, 1);
    assert_float_equal(t.expiry, 222.0, 1e-9);
    assert_int_equal(t.code, PANCREAS_TC_NT_RENEW);
    p.nt_renew_prob = 0;
    pancreas_bak2026_ops.next(&p, &c, 100, r, &t);
    assert_int_equal(t.to, ST_NT);
    assert_int_equal(t.nt_credit, 0);
    assert_true(isnan(t.expiry));
    assert_int_equal(t.code, PANCREAS_TC_NT_LAPSE);
    /* Onset from T with an application. */
    struct cand e;
    cand(&e, 1, ABO_O, 0);
    p.nt_onset_per_year = 2;
    p.nt_apply_prob = 1;
    pancreas_bak2026_ops.next(&p, &e, 0, r, &t);
    assert_int_equal(t.to, ST_NT);
    assert_int_equal(t.nt_credit, 1);
    assert_float_equal(t.expiry, t.day + 61.0, 1e-9);
    assert_int_equal(t.code, PANCREAS_TC_NT_CREDIT);
    /* An uncredited NT episode ends after its exponential length: -> T. */
    p.nt_mean_days = 30;
    cand_set_status(&e, 10, ST_NT, 0);
    e.expiry = NAN;
    pancreas_bak2026_ops.next(&p, &e, 10, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_int_equal(t.code, PANCREAS_TC_NT_END);
    gsl_rng_free(r);
}

/* Fixed seed: time to death with only a death hazard of 0.5/year is exponential with mean
 * 730.5 days; and with death 0.3 + removal 0.1 the share of deaths is 0.75. Tolerance 4 SE. */
static void test_hazard_statistics(void **state)
{
    (void)state;
    struct pancreas_par p;
    quiet(&p);
    p.death_per_year = 0.5;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    const int n = 20000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        struct trans t;
        pancreas_bak2026_ops.next(&p, &c, 0, r, &t);
        assert_int_equal(t.kind, TR_DEATH);
        sum += t.day;
    }
    double mean = 365.25 / 0.5, se = mean / sqrt(n);
    assert_true(fabs(sum / n - mean) < 4 * se);
    p.death_per_year = 0.3;
    p.removal_per_year = 0.1;
    int deaths = 0;
    for (int i = 0; i < n; i++) {
        struct trans t;
        pancreas_bak2026_ops.next(&p, &c, 0, r, &t);
        deaths += t.kind == TR_DEATH;
    }
    double sp = sqrt(0.75 * 0.25 / n);
    assert_true(fabs((double)deaths / n - 0.75) < 4 * sp);
    /* Graft loss within a year through the course hook: with no death after the transplant the
     * share lost is 1 - S(365) of the outcome model for this recipient and donor
     * (model/outcome.h), and every graft lost in the year is relisted. */
    defaults(&p);
    p.outc.death = (struct outc_haz){0, 1, 0};
    struct donor d;
    donor(&d, ABO_O);
    int lost = 0;
    for (int i = 0; i < n; i++) {
        struct outc_course oc;
        pancreas_bak2026_ops.course(&p, &c, &d, 100, r, &oc);
        assert_true(isinf(oc.death_day));
        assert_true(oc.graft_fail_day >= 100);
        if (oc.graft_fail_day <= 465) {
            lost++;
            assert_int_equal(oc.relist, 1);
        }
    }
    double q = 1 - outc_surv(&p.outc.graft, outc_pancreas_hr(&p.outc, &c, &d), 365);
    assert_true(q > 0.05 && q < 0.3);
    assert_true(fabs((double)lost / n - q) < 4 * sqrt(q * (1 - q) / n));
    p.outc.graft = (struct outc_haz){0, 1, 0};
    struct outc_course oc;
    pancreas_bak2026_ops.course(&p, &c, &d, 100, r, &oc);
    assert_true(isinf(oc.graft_fail_day) && isinf(oc.death_day) && !oc.relist);
    gsl_rng_free(r);
}

/* Acceptance: certain with prob 1, never for an ECD donor with factor 0. */
static void test_accept(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    p.accept_prob = 1;
    p.accept_ecd_factor = 0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    struct donor d;
    donor(&d, ABO_O);
    struct cand c;
    cand(&c, 0, ABO_O, 0);
    struct match m = {.c = &c, .eligible = 1};
    assert_int_equal(pancreas_bak2026_ops.accept(&p, &c, &d, &m, r), 1);
    d.age_years = 65;
    assert_int_equal(pancreas_bak2026_ops.accept(&p, &c, &d, &m, r), 0);
    gsl_rng_free(r);
}

/* Tables: names unique, offsets inside the struct, every rule cites seed 003; validate. */
static void test_tables_and_validate(void **state)
{
    (void)state;
    const struct policy_ops *o = &pancreas_bak2026_ops;
    assert_string_equal(o->name, "bak2026");
    assert_int_equal(o->organ, ORGAN_PANCREAS);
    assert_int_equal(o->par_size, sizeof(struct pancreas_par));
    for (size_t i = 0; i < o->n_rule_pdefs; i++) {
        assert_true(o->rule_pdefs[i].offset < sizeof(struct pancreas_par));
        assert_non_null(strstr(o->rule_pdefs[i].source, "003"));
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(o->rule_pdefs[i].name, o->rule_pdefs[j].name) != 0);
    }
    for (size_t i = 0; i < o->n_model_pdefs; i++) {
        assert_true(o->model_pdefs[i].offset < sizeof(struct pancreas_par));
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(o->model_pdefs[i].name, o->model_pdefs[j].name) != 0);
    }
    struct pancreas_par p;
    defaults(&p);
    assert_float_equal(p.ecd_age_max, 60, 0);
    assert_float_equal(p.regional_factor, 2.0 / 3.0, 1e-15);
    assert_int_equal(p.accel_per_centre, 2);
    char msg[200];
    assert_int_equal(o->validate(&p, msg, sizeof msg), 0);
    p.relist_band_days[2] = 180;
    assert_int_equal(o->validate(&p, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "relist.band3_days"));
    assert_non_null(strstr(msg, "relist.band2_days"));
}

/* Issue 13 point 7 (§III.5.5.1 "neben den unter Abschnitt III.5.2.1 genannten Kriterien",
 * §III.5.2.1 hypoglycaemia unawareness "werden bevorzugt transplantiert"): two SU candidates
 * of group 5 (not df, identical ABO): X in SU for 300 days for insufficient insulin effect, Y
 * in SU for 20 days for hypoglycaemia unawareness. Y first; with su.reason_order off, X first.
 * A T candidate of group 7 stays behind both; group 1 (df < 10 %, SU, no reason) before Y. */
static void test_su_hypo_first(void **state)
{
    (void)state;
    struct pancreas_par p;
    defaults(&p);
    struct donor d;
    donor(&d, ABO_A);
    struct cand c[4];
    struct cand *list[4];
    for (int i = 0; i < 4; i++) {
        cand(&c[i], (uint32_t)i, ABO_A, 0);
        list[i] = &c[i];
    }
    cand_set_status(&c[0], 700, ST_SU, 0);
    c[0].su_reason = SU_REASON_INSULIN;
    cand_set_status(&c[1], 980, ST_SU, 0);
    c[1].su_reason = SU_REASON_HYPO;
    c[2].su_reason = SU_REASON_HYPO; /* T: the reason does not count outside SU */
    cand_set_status(&c[3], 990, ST_SU, 0);
    c[3].df_low = 1;
    struct match m[4];
    size_t n = rank(&p, &d, 1000, list, 4, 0, m);
    assert_int_equal(n, 4);
    assert_ptr_equal(m[0].c, &c[3]);
    assert_ptr_equal(m[1].c, &c[1]);
    assert_ptr_equal(m[2].c, &c[0]);
    assert_ptr_equal(m[3].c, &c[2]);
    assert_int_equal(m[1].group, 5);
    assert_int_equal(m[2].group, 5);
    char buf[512];
    pancreas_bak2026_ops.reason(&p, &d, 1000, &m[1], buf, sizeof buf);
    assert_non_null(strstr(buf, "SU for hypoglycaemia unawareness: preferred"));
    p.su_reason_order = PANCREAS_SU_REASON_OFF;
    n = rank(&p, &d, 1000, list, 4, 0, m);
    assert_ptr_equal(m[1].c, &c[0]);
    assert_ptr_equal(m[2].c, &c[1]);
}

/* Issue 13 point 9 (§II.4.3.2 no. 2: each further centre names its best candidate; "... dem
 * Patienten zugeteilt, für den die Akzeptanzerklärung des zuständigen Zentrums als erste ...
 * eingegangen ist"): the default stage 2 is best_per_centre, and with the donor's stream the
 * named candidates of the further centres come in a drawn order, not by rank. Donor region 1,
 * no candidate there: stage 2 only. Centres 0..9 each with two candidates (rank 2i and 2i+1):
 * the named ones are the even ranks. Over 20 seeds the order is a permutation of them, equal
 * for equal seeds, not always the rank order, and the first place goes to more than one centre;
 * without a stream it is the rank order. */
static void test_stage2_random_arrival(void **state)
{
    (void)state;
    enum { N = 20 };
    struct pancreas_par p;
    defaults(&p);
    assert_int_equal(p.accel_stage2, PANCREAS_STAGE2_BEST_PER_CENTRE);
    struct donor d;
    donor(&d, ABO_O);
    d.region = 1;
    struct cand c[N];
    struct match m[N], w[N], w2[N];
    for (int i = 0; i < N; i++) {
        cand(&c[i], (uint32_t)i, ABO_O, 0);
        c[i].region = 2;
        c[i].center = i / 2;
        m[i] = (struct match){.c = &c[i], .eligible = 1, .tier = 0, .points = 100.0 - i};
    }
    memcpy(w, m, sizeof m);
    size_t s1;
    assert_int_equal(pancreas_accel_order(&p, &d, w, N, &s1, NULL), 10);
    assert_int_equal(s1, 0);
    for (int i = 0; i < 10; i++) assert_ptr_equal(w[i].c, &c[2 * i]);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    int not_rank_order = 0, first_seen[10] = {0};
    for (unsigned long seed = 1; seed <= 20; seed++) {
        gsl_rng_set(r, seed);
        memcpy(w, m, sizeof m);
        assert_int_equal(pancreas_accel_order(&p, &d, w, N, &s1, r), 10);
        gsl_rng_set(r, seed);
        memcpy(w2, m, sizeof m);
        pancreas_accel_order(&p, &d, w2, N, &s1, r);
        int seen[N] = {0};
        for (int i = 0; i < 10; i++) {
            assert_ptr_equal(w[i].c, w2[i].c);
            size_t idx = (size_t)(w[i].c - c);
            assert_int_equal(idx % 2, 0);
            assert_false(seen[idx]);
            seen[idx] = 1;
            assert_true(w[i].flags & PANCREAS_F_ACCEL2);
            if (idx != (size_t)(2 * i)) not_rank_order = 1;
        }
        first_seen[(w[0].c - c) / 2] = 1;
    }
    gsl_rng_free(r);
    assert_true(not_rank_order);
    int firsts = 0;
    for (int i = 0; i < 10; i++) firsts += first_seen[i];
    assert_true(firsts > 1);
}

/* Random pancreas lists for the engine-path equivalence tests: every status, the four blood
 * groups, both programmes, a few crossmatch-positive candidates, relistings, six regions with
 * four centres each and some unknown centres. */
static void random_list(gsl_rng *r, struct cand *c, struct cand **list, struct cand_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cand(&c[i], (uint32_t)i + 1, (enum abo)gsl_rng_uniform_int(r, ABO_N), 1000 - gsl_rng_uniform(r) * 1500);
        c[i].prog = gsl_rng_uniform(r) < 0.7 ? PROG_PANCREAS_KIDNEY : PROG_PANCREAS;
        c[i].hla_ok = gsl_rng_uniform(r) < 0.9;
        c[i].df_low = gsl_rng_uniform(r) < 0.1;
        c[i].region = (int)gsl_rng_uniform_int(r, 6);
        c[i].center = gsl_rng_uniform(r) < 0.05 ? -1 : c[i].region * 4 + (int)gsl_rng_uniform_int(r, 4);
        double u = gsl_rng_uniform(r);
        if (u < 0.05) cand_set_status(&c[i], c[i].w.listed + 1, ST_SU, 0);
        else if (u < 0.15) cand_set_status(&c[i], c[i].w.listed + 1, ST_NT, 0);
        if (gsl_rng_uniform(r) < 0.05) {
            c[i].prior_wait_days = 400;
            c[i].prior_tx_day = c[i].w.listed - 200;
            c[i].graft_loss_day = c[i].w.listed - 100;
        }
        list[i] = &c[i];
        keys[i] = cand_key_of(&c[i]);
    }
}

/* policy_ops.match_keyed (the engine's pass over the list keys) writes exactly match()'s
 * matches, in the same order, for random lists and donors. */
static void test_match_keyed_equals_match(void **state)
{
    (void)state;
    enum { N = 300 };
    static struct cand c[N];
    static struct cand *list[N];
    static struct cand_key keys[N];
    static struct match a[N], b[N];
    struct pancreas_par p;
    defaults(&p);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 20261202);
    for (int dn = 0; dn < 200; dn++) {
        if (dn % 20 == 0) random_list(r, c, list, keys, N);
        p.crossmatch_required = dn % 40 < 20;
        struct donor d;
        donor(&d, (enum abo)gsl_rng_uniform_int(r, ABO_N));
        d.region = (int)gsl_rng_uniform_int(r, 7) - 1;
        d.hla_typed = gsl_rng_uniform(r) < 0.7;
        size_t na = pancreas_bak2026_ops.match(&p, &d, 1000, list, N, 0, a);
        const struct keyed_list kl = {.v = list, .k = keys, .n = N};
        size_t nb = pancreas_bak2026_ops.match_keyed(&p, &d, 1000, &kl, SIZE_MAX, b);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) assert_memory_equal(&a[i], &b[i], sizeof a[i]);
    }
    gsl_rng_free(r);
}

/* The engine's accelerated order with an offer limit (stage 2 best_per_centre orders only the
 * offered prefix) gives the first `limit` of the whole order: the same candidates, flags and
 * drawn answer order as pancreas_accel_order() on the fully sorted list with the same stream. */
static void test_accel_prefix_equals_full_order(void **state)
{
    (void)state;
    enum { N = 300 };
    static struct cand c[N];
    static struct cand *list[N];
    static struct cand_key keys[N];
    static struct match full[N], part[N];
    struct pancreas_par p;
    defaults(&p);
    assert_int_equal(p.accel_stage2, PANCREAS_STAGE2_BEST_PER_CENTRE);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2), *s1 = gsl_rng_alloc(gsl_rng_taus2),
            *s2 = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 20261203);
    const size_t limits[] = {1, 4, 8, 30};
    size_t checked = 0;
    for (int dn = 0; dn < 120; dn++) {
        if (dn % 20 == 0) random_list(r, c, list, keys, N);
        p.accel_per_centre = 1 + dn % 3;
        struct donor d;
        donor(&d, (enum abo)gsl_rng_uniform_int(r, ABO_N));
        d.region = (int)gsl_rng_uniform_int(r, 7) - 1;
        size_t n = pancreas_bak2026_ops.match(&p, &d, 1000, list, N, 0, full);
        memcpy(part, full, n * sizeof *full);
        match_sort(full, n);
        gsl_rng_set(s1, 77 + (unsigned long)dn);
        gsl_rng_set(s2, 77 + (unsigned long)dn);
        size_t kf = pancreas_accel_order(&p, &d, full, n, NULL, s1);
        size_t limit = limits[dn % 4];
        size_t kp = pancreas_bak2026_ops.accel_order(&p, &d, part, n, limit, s2);
        assert_int_equal(kp, kf < limit ? kf : limit);
        for (size_t i = 0; i < kp; i++) {
            assert_ptr_equal(part[i].c, full[i].c);
            assert_int_equal(part[i].flags, full[i].flags);
            assert_true(part[i].points == full[i].points);
        }
        if (limit < n) checked++;
    }
    assert_true(checked > 100);
    gsl_rng_free(r);
    gsl_rng_free(s1);
    gsl_rng_free(s2);
}

/* The list index (policy_ops.index_*) kept through joins, status changes and leaves: the
 * first `want` of match_keyed through it equal match()'s, and accel_keyed equals accel_order on
 * every eligible match but the ones asked, with the same draws (same candidates, flags, points
 * and order, same count). The lists are built for the index's hard cases: exact ties of
 * listing day, SU days from the spell or the registration, NT spells with and without a
 * waiting-time application, relisting credits, df_low, the hypoglycaemia SU reason, centres in
 * and out of the donor's region, donors without a region. Counter-check: an index that lost
 * one candidate gives other orders. */
static void test_index_equals_full(void **state)
{
    (void)state;
    enum { N = 300, DONORS = 240, CENTRES = 24 };
    static struct cand c[N];
    static struct cand *list[N];
    static struct cand_key keys[N];
    static struct match a[N], b[N], asked[8];
    const struct policy_ops *ops = &pancreas_bak2026_ops;
    const double DAY = 5000;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng *ra = gsl_rng_alloc(gsl_rng_taus2), *rb = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 20261202);
    size_t used_top = 0, used_accel = 0, differ = 0, stage2 = 0;
    for (int opt = 0; opt < 4; opt++) {
        struct pancreas_par p;
        defaults(&p);
        if (opt == 1) p.su_points_since = PANCREAS_SU_REGISTRATION, p.accel_per_centre = 1, p.regional_in_su = 0;
        if (opt == 2) p.su_reason_order = PANCREAS_SU_REASON_OFF, p.df_requires_hla = 0, p.crossmatch_required = 0;
        if (opt == 3) p.df_order = !p.df_order, p.accel_per_centre = 3;
        void *idx = NULL;
        size_t n = 0;
        for (int dn = 0; dn < DONORS; dn++) {
            if (dn % 40 == 0) {
                ops->index_free(idx);
                idx = ops->index_alloc(&p);
                assert_non_null(idx);
                n = N;
                for (size_t i = 0; i < N; i++) {
                    const double u = gsl_rng_uniform(r);
                    const double listed = u < 0.4 ? DAY - 1 - floor(gsl_rng_uniform(r) * 40)
                                                  : DAY - 1 - gsl_rng_uniform(r) * 2000;
                    cand(&c[i], (uint32_t)i + 1, (enum abo)gsl_rng_uniform_int(r, ABO_N), listed);
                    c[i].prog = gsl_rng_uniform(r) < 0.5 ? PROG_PANCREAS_KIDNEY : PROG_PANCREAS;
                    c[i].center = (int)gsl_rng_uniform_int(r, CENTRES);
                    c[i].region = c[i].center % 7 == 6 ? -1 : c[i].center % 7;
                    c[i].df_low = gsl_rng_uniform(r) < 0.15;
                    c[i].hla_ok = gsl_rng_uniform(r) < 0.9;
                    if (gsl_rng_uniform(r) < 0.1) { /* relisted after a graft loss */
                        c[i].prior_wait_days = floor(gsl_rng_uniform(r) * 900);
                        c[i].prior_tx_day = listed - floor(gsl_rng_uniform(r) * 500);
                        c[i].graft_loss_day = listed;
                    }
                    if (gsl_rng_uniform(r) < 0.2 && listed < DAY - 80) { /* a closed NT spell */
                        cand_set_status(&c[i], listed + 1, ST_NT, gsl_rng_uniform(r) < 0.5);
                        cand_set_status(&c[i], listed + 2 + floor(gsl_rng_uniform(r) * 60), ST_T, 0);
                    }
                    const double v = gsl_rng_uniform(r);
                    if (v < 0.08) {
                        c[i].su_reason = gsl_rng_uniform(r) < 0.5 ? SU_REASON_HYPO : SU_REASON_INSULIN;
                        cand_set_status(&c[i], fmax(c[i].w.since, DAY - 1 - floor(gsl_rng_uniform(r) * 30)), ST_SU, 0);
                    } else if (v < 0.15) {
                        cand_set_status(&c[i], fmax(c[i].w.since, DAY - 0.5), ST_NT, 0);
                    }
                    list[i] = &c[i];
                    keys[i] = cand_key_of(&c[i]);
                    assert_int_equal(ops->index_update(idx, &p, &c[i], (uint32_t)i, NULL, &keys[i], DAY), 0);
                }
            } else { /* status changes (an SU renewal among them) and a leaver */
                for (int j = 0; j < 4; j++) {
                    const size_t i = gsl_rng_uniform_int(r, n);
                    const double u = gsl_rng_uniform(r);
                    const enum status st = u < 0.3 ? ST_SU : u < 0.45 ? ST_NT : u < 0.6 ? list[i]->w.status : ST_T;
                    cand_set_status(list[i], fmax(list[i]->w.since, DAY - 0.25), st, 0);
                    const struct cand_key was = keys[i];
                    keys[i] = cand_key_of(list[i]);
                    assert_int_equal(ops->index_update(idx, &p, list[i], (uint32_t)(list[i] - c), &was, &keys[i], DAY), 0);
                }
                const size_t i = gsl_rng_uniform_int(r, n);
                assert_int_equal(ops->index_update(idx, &p, list[i], (uint32_t)(list[i] - c), &keys[i], NULL, DAY), 0);
                list[i] = list[n - 1];
                keys[i] = keys[n - 1];
                n--;
            }
            struct donor d;
            donor(&d, (enum abo)gsl_rng_uniform_int(r, ABO_N));
            d.region = dn % 9 == 8 ? -1 : (int)gsl_rng_uniform_int(r, 6);
            d.hla_typed = gsl_rng_uniform(r) < 0.7;
            d.seq = (uint32_t)dn;
            const struct keyed_list kl = {.v = list, .k = keys, .n = n, .idx = idx};
            const size_t na = ops->match(&p, &d, DAY, list, n, 0, a);
            /* the normal order's first `want` */
            const size_t wants[] = {0, 1, 4, 8};
            for (size_t wi = 0; wi < 4; wi++) {
                const size_t nb = ops->match_keyed(&p, &d, DAY, &kl, wants[wi], b);
                if (nb < na) used_top++;
                static struct match ac[N];
                memcpy(ac, a, na * sizeof *a);
                const size_t ka = match_top(ac, na, wants[wi]), kb = match_top(b, nb, wants[wi]);
                assert_int_equal(ka, kb);
                for (size_t i = 0; i < ka; i++) {
                    assert_ptr_equal(ac[i].c, b[i].c);
                    assert_true(ac[i].points == b[i].points);
                    assert_int_equal(ac[i].tier, b[i].tier);
                    assert_int_equal(ac[i].flags, b[i].flags);
                }
            }
            /* the accelerated order after 0 or 4 declined offers */
            const size_t nasked = dn % 2 ? 4 : 0, limits[] = {1, 3, 8, SIZE_MAX};
            static struct match full[N];
            memcpy(full, a, na * sizeof *a);
            const size_t ka = match_top(full, na, nasked);
            memcpy(asked, full, ka * sizeof *full);
            for (size_t li = 0; li < 4; li++) {
                static struct match rest[N], got[N];
                const size_t nr = na - ka;
                memcpy(rest, full + ka, nr * sizeof *full);
                gsl_rng_set(ra, 77 + (unsigned long)dn);
                gsl_rng_set(rb, 77 + (unsigned long)dn);
                const size_t want = ops->accel_order(&p, &d, rest, nr, limits[li] < nr ? limits[li] : nr, ra);
                const size_t have = ops->accel_keyed(&p, &d, DAY, &kl, asked, ka, limits[li], rb, got);
                assert_true(have != SIZE_MAX);
                used_accel++;
                assert_int_equal(have, want < limits[li] ? want : limits[li]);
                for (size_t i = 0; i < have; i++) {
                    assert_ptr_equal(got[i].c, rest[i].c);
                    assert_int_equal(got[i].flags, rest[i].flags);
                    assert_true(got[i].points == rest[i].points);
                    stage2 += (got[i].flags & PANCREAS_F_ACCEL2) != 0;
                }
                /* the same draws for the further centres' answers when they are reached (when the
                 * region fills the offers, accel_keyed skips the shuffle nobody is asked from) */
                int reached = have < limits[li];
                for (size_t i = 0; i < have; i++) reached |= (got[i].flags & PANCREAS_F_ACCEL2) != 0;
                if (reached) assert_int_equal(gsl_rng_get(ra), gsl_rng_get(rb));
            }
            /* counter-check: the index without the best eligible candidate */
            if (na > 0 && dn % 3 == 0) {
                static struct match ac[N];
                memcpy(ac, a, na * sizeof *a);
                match_top(ac, na, 1);
                struct cand *x = ac[0].c;
                const size_t xi = (size_t)(x - c);
                const struct cand_key kx = cand_key_of(x);
                assert_int_equal(ops->index_update(idx, &p, x, (uint32_t)xi, &kx, NULL, DAY), 0);
                const size_t nb = ops->match_keyed(&p, &d, DAY, &kl, 1, b);
                differ += match_top(b, nb, 1) == 0 || b[0].c != x;
                assert_int_equal(ops->index_update(idx, &p, x, (uint32_t)xi, NULL, &kx, DAY), 0);
            }
        }
        ops->index_free(idx);
    }
    assert_true(used_top > 1000);
    assert_true(used_accel > 1000);
    assert_true(stage2 > 100);
    assert_true(differ > 50);
    gsl_rng_free(r);
    gsl_rng_free(ra);
    gsl_rng_free(rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eight_groups_in_order),
        cmocka_unit_test(test_df_ignored_without_hla_typing),
        cmocka_unit_test(test_df_order_within),
        cmocka_unit_test(test_abo_identical_compatible),
        cmocka_unit_test(test_exclusions_and_reasons),
        cmocka_unit_test(test_regional_bonus),
        cmocka_unit_test(test_su_contiguity),
        cmocka_unit_test(test_nt_credit),
        cmocka_unit_test(test_relisting_bands),
        cmocka_unit_test(test_ecd_criteria),
        cmocka_unit_test(test_accelerated_order),
        cmocka_unit_test(test_accelerated_order_limit),
        cmocka_unit_test(test_index_equals_full),
        cmocka_unit_test(test_islet_route),
        cmocka_unit_test(test_enter_early_retx),
        cmocka_unit_test(test_su_renewal),
        cmocka_unit_test(test_nt_dynamics),
        cmocka_unit_test(test_hazard_statistics),
        cmocka_unit_test(test_accept),
        cmocka_unit_test(test_tables_and_validate),
        cmocka_unit_test(test_su_hypo_first),
        cmocka_unit_test(test_stage2_random_arrival),
        cmocka_unit_test(test_match_keyed_equals_match),
        cmocka_unit_test(test_accel_prefix_equals_full_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
