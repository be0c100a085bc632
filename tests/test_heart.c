/* test_heart.c — the bak2021 heart policy: one test per rule of 001 §III with the expectation
 * worked out by hand from the guideline text (comments give the arithmetic), plus the status
 * dynamics (HU grants, re-checks, NT returns, dMCS) and one fixed-seed statistical check. */
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
#include "match.h"

#define DAY 1000.0 /* the match day of the ranking tests */
#define MAXC 16

static const struct policy_ops *const OPS = &heart_bak2021_ops;

/* A heart candidate of blood group `abo`, `age` years old on DAY, listed on `listed`, T. */
static void mk(struct cand *c, uint32_t seq, enum prog prog, enum abo abo, double age, double listed)
{
    cand_init(c, seq, prog, listed);
    c->abo = abo;
    c->birth_day = DAY - age * 365.25;
}

static struct donor mkdonor(enum abo abo)
{
    struct donor d;
    memset(&d, 0, sizeof d);
    d.day = DAY;
    d.abo = abo;
    d.age_years = 40;
    d.weight_kg = NAN;
    d.height_cm = NAN;
    d.tlc_l = NAN;
    d.bmi = NAN;
    d.waist_cm = NAN;
    d.offer_heart = 1;
    return d;
}

static struct heart_par defaults(void)
{
    struct heart_par p;
    heart_par_defaults(&p);
    return p;
}

/* Ranks c[0..n) for d on DAY and writes the seqs of the ranked candidates, best first, into
 * order; returns how many were ranked. */
static size_t rank(const struct heart_par *p, const struct donor *d, struct cand *c, size_t n,
                   uint32_t *order)
{
    struct cand *list[MAXC];
    struct match m[MAXC];
    for (size_t i = 0; i < n; i++) list[i] = &c[i];
    size_t k = OPS->match(p, d, DAY, list, n, 0, m);
    match_sort(m, k);
    for (size_t i = 0; i < k; i++) {
        assert_true(m[i].eligible);
        order[i] = m[i].c->seq;
    }
    return k;
}

/* The match of a single candidate (excluded ones included). */
static struct match one(const struct heart_par *p, const struct donor *d, struct cand *c)
{
    struct cand *list[1] = {c};
    struct match m[1];
    size_t k = OPS->match(p, d, DAY, list, 1, 1, m);
    assert_int_equal(k, 1);
    return m[0];
}

static void reason_of(const struct heart_par *p, const struct donor *d, const struct match *m,
                      char *buf, size_t len)
{
    OPS->reason(p, d, DAY, m, buf, len);
}

#define assert_order(got, n, ...)                                                              \
    do {                                                                                       \
        const uint32_t want_[] = {__VA_ARGS__};                                                \
        assert_int_equal((n), sizeof want_ / sizeof want_[0]);                                 \
        for (size_t i_ = 0; i_ < (n); i_++) assert_int_equal((got)[i_], want_[i_]);            \
    } while (0)

#define assert_contains(hay, needle)                                                           \
    do {                                                                                       \
        if (!strstr((hay), (needle))) fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle)); \
    } while (0)

/* ------------------------------------------------------------------------------------------ */
/* Parameters                                                                                  */

/* The defaults are the guideline's numbers: HU 4 weeks then 8 (§III.3.2.1), 30 NT days
 * (§III.3.4), PRA over 50 % (§III.3.4), children up to 16 (§III.3.2.1), infants under 2
 * (§III.3.4), dMCS 30 days (§III.3.2.1.2), infection 4 then 8 weeks (.6), RHF 2 weeks (.5),
 * GI 4 stable weeks (.3). */
static void test_defaults_are_the_guideline(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    assert_float_equal(p.hu_initial_days, 4 * 7, 0);
    assert_float_equal(p.hu_renewal_days, 8 * 7, 0);
    assert_float_equal(p.nt_cap_days, 30, 0);
    assert_float_equal(p.pra_threshold, 50, 0);
    assert_float_equal(p.child_age, 16, 0);
    assert_float_equal(p.abo_infant_age, 2, 0);
    assert_int_equal(p.abo_infant_incompatible, 0);
    assert_float_equal(p.dmcs_min_days, 30, 0);
    assert_float_equal(p.dmcs_infection_first_days, 4 * 7, 0);
    assert_float_equal(p.dmcs_infection_next_days, 8 * 7, 0);
    assert_float_equal(p.dmcs_rhf_recheck_days, 2 * 7, 0);
    assert_float_equal(p.dmcs_gi_stable_days, 4 * 7, 0);
    assert_int_equal(p.abo_scope, HEART_ABO_WITHIN);
    char msg[256] = "";
    assert_int_equal(OPS->validate(&p, msg, sizeof msg), 0);
    assert_string_equal(OPS->name, "bak2021");
    assert_int_equal(OPS->organ, ORGAN_HEART);
    assert_int_equal(OPS->par_size, sizeof(struct heart_par));
}

/* Every row has a help sentence and a source, an offset inside the struct, and a rule row's
 * source names a section of 001 or says it is an interpretation. */
static void test_pdef_tables_complete(void **state)
{
    (void)state;
    const struct pdef *t[2] = {OPS->rule_pdefs, OPS->model_pdefs};
    size_t n[2] = {OPS->n_rule_pdefs, OPS->n_model_pdefs};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < n[k]; i++) {
            const struct pdef *d = &t[k][i];
            assert_non_null(d->help);
            assert_true(strlen(d->help) > 10);
            assert_non_null(d->source);
            assert_true(d->offset + (d->type == PD_DOUBLE ? sizeof(double) : sizeof(int))
                        <= sizeof(struct heart_par));
            if (k == 0) assert_non_null(strstr(d->source, "001"));
            if (d->type == PD_ENUM) assert_non_null(d->choices);
        }
    const struct pdef *scope = NULL;
    for (size_t i = 0; i < n[0]; i++)
        if (strcmp(t[0][i].name, "abo.scope") == 0) scope = &t[0][i];
    assert_non_null(scope);
    assert_int_equal(pdef_choice_index(scope, "within"), HEART_ABO_WITHIN);
    assert_int_equal(pdef_choice_index(scope, "across"), HEART_ABO_ACROSS);
}

static void test_validate_names_fields(void **state)
{
    (void)state;
    char msg[256];
    struct heart_par p = defaults();
    p.hu_initial_days = 60;
    assert_int_equal(OPS->validate(&p, msg, sizeof msg), -1);
    assert_contains(msg, "hu.initial_days");
    p = defaults();
    p.cx_share[HEART_CX_INFECTION] += 0.1;
    assert_int_equal(OPS->validate(&p, msg, sizeof msg), -1);
    assert_contains(msg, "dmcs.share");
    p = defaults();
    p.size_ratio_max = 0.5;
    assert_int_equal(OPS->validate(&p, msg, sizeof msg), -1);
    assert_contains(msg, "size.ratio_min");
}

/* ------------------------------------------------------------------------------------------ */
/* ABO (§III.3.4, the three tables)                                                            */

/* Step 1 identical; step 2: O->O,B  A->A,AB  B->B  AB->AB; step 3: O->O,A,B,AB  A->A,AB
 * B->B,AB  AB->AB. So O->B is 2, O->A and O->AB are 3, A->AB is 2, B->AB is 3. */
static void test_abo_steps(void **state)
{
    (void)state;
    static const int want[ABO_N][ABO_N] = {
        /* recipient O  A  B  AB */
        {1, 3, 2, 3}, /* donor O */
        {0, 1, 0, 2}, /* donor A */
        {0, 0, 1, 3}, /* donor B */
        {0, 0, 0, 1}, /* donor AB */
    };
    for (int d = 0; d < ABO_N; d++)
        for (int r = 0; r < ABO_N; r++) {
            assert_int_equal(heart_abo_step((enum abo)d, (enum abo)r), want[d][r]);
            /* a step exists exactly where the ordinary compatibility rule allows */
            assert_int_equal(want[d][r] > 0, abo_compatible((enum abo)d, (enum abo)r));
        }
}

/* An O heart: O (step 1), then B (step 2), then A and AB (step 3, by points: AB has more). All
 * T with the fewest points on the best step, so the order comes from the steps alone. */
static void test_abo_order_o_donor(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[4];
    mk(&c[0], 0, PROG_HEART, ABO_A, 50, 100);  /* 900 days */
    mk(&c[1], 1, PROG_HEART, ABO_AB, 50, 0);   /* 1000 days */
    mk(&c[2], 2, PROG_HEART, ABO_B, 50, 500);  /* 500 days */
    mk(&c[3], 3, PROG_HEART, ABO_O, 50, 900);  /* 100 days */
    struct donor d = mkdonor(ABO_O);
    uint32_t o[4];
    size_t n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 3, 2, 1, 0);
    struct match m = one(&p, &d, &c[2]);
    assert_int_equal(m.abo_step, 2);
    m = one(&p, &d, &c[0]);
    assert_int_equal(m.abo_step, 3);
}

/* An A heart: A (1) then AB (2); O and B are excluded with the reason naming both groups. */
static void test_abo_incompatible_excluded(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[4];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);
    mk(&c[1], 1, PROG_HEART, ABO_AB, 50, 0);
    mk(&c[2], 2, PROG_HEART, ABO_B, 50, 0);
    mk(&c[3], 3, PROG_HEART, ABO_A, 50, 500);
    struct donor d = mkdonor(ABO_A);
    uint32_t o[4];
    size_t n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 3, 1);
    struct match m = one(&p, &d, &c[0]);
    assert_int_equal(m.eligible, 0);
    assert_int_equal(m.excl, HEART_EX_ABO);
    assert_int_equal(m.abo_step, 0);
    char buf[256];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_string_equal(buf, "ABO incompatible (donor A, recipient O)");
    /* B donor: B (1) then AB (3) */
    d = mkdonor(ABO_B);
    n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 2, 1);
}

/* abo.scope: an O heart, an HU candidate of group B (step 2) and a T candidate of group O
 * (step 1). Within: urgency first, the HU one leads. Across: the identical step first. */
static void test_abo_scope_within_across(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[2];
    mk(&c[0], 0, PROG_HEART, ABO_B, 50, 0);
    cand_set_status(&c[0], 900, ST_HU, 0);
    mk(&c[1], 1, PROG_HEART, ABO_O, 50, 0);
    struct donor d = mkdonor(ABO_O);
    uint32_t o[2];
    size_t n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 0, 1);
    p.abo_scope = HEART_ABO_ACROSS;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0);
}

/* Children under 2: an A heart for an O infant is excluded unless the option is on; then the
 * infant ranks after the compatible steps (here after an AB child at step 2, although the
 * infant has more points), and a 3-year-old O child stays excluded. */
static void test_infant_abo_incompatible_option(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[3];
    mk(&c[0], 0, PROG_HEART, ABO_O, 1, 700);   /* infant, 300 days */
    mk(&c[1], 1, PROG_HEART, ABO_AB, 5, 900);  /* child, 100 days, step 2 */
    mk(&c[2], 2, PROG_HEART, ABO_O, 3, 0);     /* 3 years: too old for the option */
    for (int i = 0; i < 3; i++) c[i].inpatient = 1;
    struct donor d = mkdonor(ABO_A);
    uint32_t o[3];
    size_t n = rank(&p, &d, c, 3, o);
    assert_order(o, n, 1);
    p.abo_infant_incompatible = 1;
    n = rank(&p, &d, c, 3, o);
    assert_order(o, n, 1, 0);
    struct match m = one(&p, &d, &c[0]);
    assert_int_equal(m.abo_step, 4);
    assert_true(m.flags & HEART_F_ABO_INFANT);
    m = one(&p, &d, &c[2]);
    assert_int_equal(m.excl, HEART_EX_ABO);
}

/* ------------------------------------------------------------------------------------------ */
/* Groups (§III.3.3, §III.3.4)                                                                 */

/* HU before COMBINED before T whatever the points; a combined candidate in HU is in HU. */
static void test_groups_hu_combined_t(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[4];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);       /* T, 1000 days */
    mk(&c[1], 1, PROG_HEART, ABO_O, 50, 500);     /* COMBINED, 500 days */
    c[1].combined_audited = 1;
    mk(&c[2], 2, PROG_HEART, ABO_O, 50, 900);     /* HU since 990: 10 HU days */
    cand_set_status(&c[2], 990, ST_HU, 0);
    mk(&c[3], 3, PROG_HEART, ABO_O, 50, 800);     /* combined and HU since 995: in HU, 5 days */
    c[3].combined_audited = 1;
    cand_set_status(&c[3], 995, ST_HU, 0);
    struct donor d = mkdonor(ABO_O);
    uint32_t o[4];
    size_t n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 2, 3, 1, 0);
    char g[16];
    struct match m = one(&p, &d, &c[1]);
    assert_int_equal(m.group, HEART_GRP_COMBINED);
    OPS->group_name(&p, &m, g, sizeof g);
    assert_string_equal(g, "COMBINED");
    m = one(&p, &d, &c[3]);
    OPS->group_name(&p, &m, g, sizeof g);
    assert_string_equal(g, "HU");
    m = one(&p, &d, &c[0]);
    OPS->group_name(&p, &m, g, sizeof g);
    assert_string_equal(g, "T");
}

/* Heart-lung before heart in HU and in T (§III.3.3 "in jeder Dringlichkeitsstufe"), with the
 * heart candidates holding more points in each group. */
static void test_heart_lung_first_in_each_group(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[4];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);       /* T heart, 1000 */
    mk(&c[1], 1, PROG_HEART_LUNG, ABO_O, 50, 900); /* T heart-lung, 100 */
    mk(&c[2], 2, PROG_HEART, ABO_O, 50, 0);       /* HU heart, 100 HU days */
    cand_set_status(&c[2], 900, ST_HU, 0);
    mk(&c[3], 3, PROG_HEART_LUNG, ABO_O, 50, 0);  /* HU heart-lung, 10 HU days */
    cand_set_status(&c[3], 990, ST_HU, 0);
    struct donor d = mkdonor(ABO_O);
    uint32_t o[4];
    size_t n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 3, 2, 1, 0);
}

/* hl.order: HU heart ABO-identical vs HU heart-lung at step 2 (O heart to B). before_abo:
 * heart-lung first; after_abo: the identical heart first. */
static void test_hl_order_option(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[2];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[0], 900, ST_HU, 0);
    mk(&c[1], 1, PROG_HEART_LUNG, ABO_B, 50, 0);
    cand_set_status(&c[1], 900, ST_HU, 0);
    struct donor d = mkdonor(ABO_O);
    uint32_t o[2];
    size_t n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0);
    p.hl_order = HEART_HL_AFTER_ABO;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 0, 1);
}

/* NT is never ranked; with want_excluded it is returned with its code and reason. */
static void test_nt_excluded(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[2];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[0], 500, ST_NT, 0);
    mk(&c[1], 1, PROG_HEART, ABO_O, 8, 900); /* a child in NT is not HU either */
    cand_set_status(&c[1], 950, ST_NT, 0);
    struct donor d = mkdonor(ABO_O);
    uint32_t o[2];
    assert_int_equal(rank(&p, &d, c, 2, o), 0);
    struct match m = one(&p, &d, &c[1]);
    assert_int_equal(m.eligible, 0);
    assert_int_equal(m.excl, HEART_EX_NT);
    char buf[128];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_string_equal(buf, "NT status");
    struct cand pc;
    cand_init(&pc, 9, PROG_PANCREAS, 0);
    m = one(&p, &d, &pc);
    assert_int_equal(m.excl, HEART_EX_PROGRAM);
}

/* ------------------------------------------------------------------------------------------ */
/* Children (§III.3.2.1, §III.3.4)                                                             */

/* An O heart; adult HU with 100 HU days, child out-patient listed 300 days ago (history says
 * T), child in-patient listed 10 days ago, adult T listed 1000 days ago.
 *   among_children (default): the children's places by points are 1st (300) and 3rd (10);
 *                    the in-patient takes the 1st: child-in, adult, child-out, T.
 *   outpatient_last: in-patients by points (adult 100, child-in 10), then child-out (300), T.
 *   inpatient_first: child-in, then the rest of HU by points (child-out 300, adult 100), T.
 *   off:             HU by points (300, 100, 10), then T. */
static void test_children_hu_and_inpatient_preference(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[4];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[0], 900, ST_HU, 0);
    mk(&c[1], 1, PROG_HEART, ABO_O, 10, 700);
    mk(&c[2], 2, PROG_HEART, ABO_O, 4, 990);
    c[2].inpatient = 1;
    mk(&c[3], 3, PROG_HEART, ABO_O, 50, 0);
    struct donor d = mkdonor(ABO_O);
    uint32_t o[4];
    size_t n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 2, 0, 1, 3);
    p.child_inpatient = HEART_CHILD_OUTPATIENT_LAST;
    n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 0, 2, 1, 3);
    struct match m = one(&p, &d, &c[1]);
    assert_int_equal(m.group, HEART_GRP_HU);
    assert_true(m.flags & HEART_F_HU_BY_AGE);
    assert_float_equal(m.points, 300, 1e-9);
    p.child_inpatient = HEART_CHILD_INPATIENT_FIRST;
    n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 2, 1, 0, 3);
    p.child_inpatient = HEART_CHILD_PREF_OFF;
    n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 1, 0, 2, 3);
    /* without the HU rule the child out-patient is an ordinary T candidate: 300 < 1000 */
    p.child_always_hu = 0;
    n = rank(&p, &d, c, 4, o);
    assert_order(o, n, 0, 3, 1, 2);
}

/* A child's HU points: listed on 0, NT 10..20, history T otherwise, matched on 100: the child
 * was HU by rule on 100 - 10 = 90 days. With child.points = recorded: 0 HU days recorded. */
static void test_child_points(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    cand_init(&c, 0, PROG_HEART, 0);
    c.birth_day = DAY - 12 * 365.25;
    cand_set_status(&c, 10, ST_NT, 0);
    cand_set_status(&c, 20, ST_T, 0);
    struct cand *list[1] = {&c};
    struct match m;
    struct donor d = mkdonor(ABO_O);
    assert_int_equal(OPS->match(&p, &d, 100, list, 1, 0, &m), 1);
    assert_float_equal(m.points, 90, 1e-9);
    char buf[256];
    OPS->reason(&p, &d, 100, &m, buf, sizeof buf);
    assert_contains(buf, "HU: 100 days listed as a child, 10 NT excluded");
    p.child_points = HEART_CHILD_POINTS_RECORDED;
    assert_int_equal(OPS->match(&p, &d, 100, list, 1, 0, &m), 1);
    assert_float_equal(m.points, 0, 1e-9);
}

/* ------------------------------------------------------------------------------------------ */
/* Highly immunised (§III.3.4)                                                                 */

/* Two HU O candidates: X with PRA 80 and fewer HU days, Y with PRA 0 and more. X leads only
 * when the donor is HLA-typed and X is HLA-suitable; PRA exactly 50 is not "über 50 %". */
static void test_immunised_first_only_when_typed_and_ok(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[2];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[0], 990, ST_HU, 0); /* X: 10 HU days */
    c[0].pra = 80;
    mk(&c[1], 1, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[1], 900, ST_HU, 0); /* Y: 100 HU days */
    struct donor d = mkdonor(ABO_O);
    uint32_t o[2];
    size_t n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0); /* donor not typed */
    d.hla_typed = 1;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 0, 1);
    char buf[256];
    struct match m = one(&p, &d, &c[0]);
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "highly immunised");
    c[0].hla_ok = 0;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0);
    c[0].hla_ok = 1;
    c[0].pra = 50;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0);
    c[0].pra = 50.5;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 0, 1);
    p.immunised_scope = HEART_IMM_OFF;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0);
}

/* immunised.scope: an immunised T candidate and a non-immunised HU candidate. group: HU first
 * (the preference acts inside the urgency group); list: the immunised one first. Inside a
 * group the preference outranks the ABO step, and heart-lung when immunised.vs_hl is
 * immunised_first (by default heart-lung comes first, I15). */
static void test_immunised_scope(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[3];
    mk(&c[0], 0, PROG_HEART, ABO_O, 50, 0);
    c[0].pra = 90;
    mk(&c[1], 1, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[1], 999, ST_HU, 0);
    mk(&c[2], 2, PROG_HEART_LUNG, ABO_O, 50, 0); /* T heart-lung, not immunised */
    struct donor d = mkdonor(ABO_O);
    d.hla_typed = 1;
    uint32_t o[3];
    size_t n = rank(&p, &d, c, 3, o);
    assert_order(o, n, 1, 2, 0); /* default: the T heart-lung before the immunised T heart */
    p.imm_hl = HEART_IMM_HL_IMMUNISED_FIRST;
    n = rank(&p, &d, c, 3, o);
    assert_order(o, n, 1, 0, 2);
    p.immunised_scope = HEART_IMM_LIST;
    n = rank(&p, &d, c, 3, o);
    assert_order(o, n, 0, 1, 2);
    /* ABO: an immunised B candidate (step 2) before a non-immunised O candidate (step 1) */
    p = defaults();
    p.imm_hl = HEART_IMM_HL_IMMUNISED_FIRST;
    c[0].abo = ABO_B;
    n = rank(&p, &d, c, 3, o);
    assert_order(o, n, 1, 0, 2);
}

/* ------------------------------------------------------------------------------------------ */
/* Size and TLC (§III.3)                                                                       */

/* Recipient 80 kg: donor 48 kg is 0.60 < 0.70 (excluded), 60 kg is 0.75 (fine); an adult of
 * 40 kg and a 70 kg donor is 1.75 > 1.50 (excluded), a 20 kg child and a 50 kg donor is 2.5
 * <= 3.0 (fine); unknown weights and heart-lung candidates are not weight-filtered. */
static void test_size_filter(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    c.weight_kg = 80;
    struct donor d = mkdonor(ABO_O);
    d.weight_kg = 48;
    struct match m = one(&p, &d, &c);
    assert_int_equal(m.excl, HEART_EX_SIZE);
    char buf[256];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "weight ratio 0.60 outside the model's size window 0.70-1.50");
    d.weight_kg = 60;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
    c.weight_kg = 40;
    d.weight_kg = 70;
    assert_int_equal(one(&p, &d, &c).excl, HEART_EX_SIZE);
    c.birth_day = DAY - 6 * 365.25;
    c.weight_kg = 20;
    d.weight_kg = 50;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
    d.weight_kg = 70; /* 3.5 > 3.0 */
    assert_int_equal(one(&p, &d, &c).excl, HEART_EX_SIZE);
    c.weight_kg = NAN;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
    c.weight_kg = 20;
    p.size_filter = 0;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
    p = defaults();
    c.prog = PROG_HEART_LUNG;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
}

/* Heart-lung recipient TLC 6.5 l: donor 4.0 l is 0.62 < 0.75 (excluded), 6.0 l is 0.92
 * (fine), 9.0 l is 1.38 > 1.30 (excluded); unknown TLC and heart candidates are not filtered. */
static void test_tlc_filter(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART_LUNG, ABO_O, 40, 0);
    c.tlc_l = 6.5;
    struct donor d = mkdonor(ABO_O);
    d.tlc_l = 4.0;
    struct match m = one(&p, &d, &c);
    assert_int_equal(m.excl, HEART_EX_TLC);
    char buf[256];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "TLC ratio 0.62 outside the model's TLC window 0.75-1.30");
    d.tlc_l = 6.0;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
    d.tlc_l = 9.0;
    assert_int_equal(one(&p, &d, &c).excl, HEART_EX_TLC);
    c.tlc_l = NAN;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
    c.tlc_l = 6.5;
    c.prog = PROG_HEART;
    assert_int_equal(one(&p, &d, &c).eligible, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Points (§III.3.4 Wartezeit, §III.3.2.3)                                                     */

/* Listed 0: T 0..10, HU 10..40, NT 40..50, HU 50..70; on day 70 in HU: 30 + 20 = 50 HU days
 * (the NT days in between do not count; the HU time before NT is kept). */
static void test_hu_points_across_episodes(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c, 10, ST_HU, 0);
    cand_set_status(&c, 40, ST_NT, 0);
    cand_set_status(&c, 50, ST_HU, 0);
    struct cand *list[1] = {&c};
    struct match m;
    struct donor d = mkdonor(ABO_O);
    assert_int_equal(OPS->match(&p, &d, 70, list, 1, 0, &m), 1);
    assert_int_equal(m.group, HEART_GRP_HU);
    assert_float_equal(m.points, 50, 1e-9);
    char buf[256];
    OPS->reason(&p, &d, 70, &m, buf, sizeof buf);
    assert_contains(buf, "HU: 50 HU days (NT excluded)");
    assert_contains(buf, "ABO step 1 (identical)");
}

/* Listed 0: T, NT 100..150 (50 NT days), T again; on day 300: 300 - 50 + 30 = 280. With only
 * 20 NT days all count: 300. HU days count like T days in the T group. */
static void test_t_points_nt_cap(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c, 100, ST_NT, 0);
    cand_set_status(&c, 150, ST_T, 0);
    struct cand *list[1] = {&c};
    struct match m;
    struct donor d = mkdonor(ABO_O);
    assert_int_equal(OPS->match(&p, &d, 300, list, 1, 0, &m), 1);
    assert_int_equal(m.group, HEART_GRP_T);
    assert_float_equal(m.points, 280, 1e-9);
    char buf[256];
    OPS->reason(&p, &d, 300, &m, buf, sizeof buf);
    assert_contains(buf, "T: 300 days listed, 50 NT of which 30 counted");
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c, 100, ST_NT, 0);
    cand_set_status(&c, 120, ST_HU, 0);
    cand_set_status(&c, 200, ST_T, 0);
    assert_int_equal(OPS->match(&p, &d, 300, list, 1, 0, &m), 1);
    assert_float_equal(m.points, 300, 1e-9);
    p.nt_cap_days = 0;
    assert_int_equal(OPS->match(&p, &d, 300, list, 1, 0, &m), 1);
    assert_float_equal(m.points, 280, 1e-9);
}

/* ------------------------------------------------------------------------------------------ */
/* Status dynamics                                                                             */

/* Every hazard zero: only the scheduled events remain. */
static struct heart_par quiet(void)
{
    struct heart_par p = defaults();
    p.death_hu = p.death_t = p.death_nt = p.death_child = p.death_dmcs = 0;
    p.removal = p.nt_start = p.deterioration = p.improvement = p.dmcs_complication = 0;
    p.hu_listing_share = 0;
    p.dmcs_share = 0;
    for (int k = 1; k < HEART_DIAG_N; k++) p.diag_share[k] = 0;
    return p;
}

static gsl_rng *rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* Applies t to c as the engine does (sim.c on_trans). */
static void apply(struct cand *c, const struct trans *t)
{
    assert_int_equal(t->kind, TR_STATUS);
    cand_set_status(c, t->day, t->to, t->nt_credit);
    c->expiry = t->expiry;
}

/* A child listed on 100 enters HU with expiry 100 + 28; an adult (no HU listing) enters T. */
static void test_enter_child_hu(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    gsl_rng *r = rng(1);
    struct cand c;
    cand_init(&c, 0, PROG_HEART, 100);
    c.birth_day = 100 - 5 * 365.25;
    OPS->enter(&p, &c, 100, r);
    assert_int_equal(c.w.status, ST_HU);
    assert_float_equal(c.expiry, 128, 1e-12);
    cand_init(&c, 1, PROG_HEART, 100);
    c.birth_day = 100 - 50 * 365.25;
    OPS->enter(&p, &c, 100, r);
    assert_int_equal(c.w.status, ST_T);
    assert_true(isnan(c.expiry));
    /* every adult on dMCS is listed T even when all others would be HU */
    p.dmcs_share = 1;
    p.hu_listing_share = 1;
    cand_init(&c, 2, PROG_HEART, 100);
    c.birth_day = 100 - 50 * 365.25;
    OPS->enter(&p, &c, 100, r);
    assert_int_equal(c.dmcs, 1);
    assert_int_equal(c.w.status, ST_T);
    assert_true(c.dmcs_day <= 100);
    gsl_rng_free(r);
}

/* A child's grant: 0 + 28, renewed to 28 + 56 = 84, then 84 + 56 = 140, always HU. */
static void test_child_renewal_plus_56(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    gsl_rng *r = rng(2);
    struct cand c;
    cand_init(&c, 0, PROG_HEART, 0);
    c.birth_day = -5 * 365.25;
    OPS->enter(&p, &c, 0, r);
    struct trans t;
    const double want_day[3] = {28, 84, 140}, want_exp[3] = {84, 140, 196};
    double now = 0;
    for (int i = 0; i < 3; i++) {
        OPS->next(&p, &c, now, r, &t);
        assert_int_equal(t.kind, TR_STATUS);
        assert_int_equal(t.to, ST_HU);
        assert_int_equal(t.code, HEART_TC_RENEWED);
        assert_float_equal(t.day, want_day[i], 1e-9);
        assert_float_equal(t.expiry, want_exp[i], 1e-9);
        apply(&c, &t);
        now = t.day;
    }
    assert_int_equal(c.w.hu_spells, 1);
    assert_float_equal(cand_hu_days(&c, 140), 140, 1e-9);
    gsl_rng_free(r);
}

/* Adults: renewal with hu.renew_prob 1 gives expiry + 56; with 0 the grant lapses to T. An
 * adolescent whose HU began before 16 keeps it past 16 only while still growing. */
static void test_adult_reevaluation(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    gsl_rng *r = rng(3);
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c, 10, ST_HU, 0);
    c.expiry = 38;
    struct trans t;
    p.renew_prob = 1;
    OPS->next(&p, &c, 10, r, &t);
    assert_int_equal(t.to, ST_HU);
    assert_float_equal(t.day, 38, 1e-9);
    assert_float_equal(t.expiry, 94, 1e-9);
    p.renew_prob = 0;
    OPS->next(&p, &c, 10, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_int_equal(t.code, HEART_TC_EXPIRED);
    assert_true(isnan(t.expiry));
    /* 15.99 years at the spell start, 16.07 at the expiry 28 days later */
    cand_init(&c, 1, PROG_HEART, 0);
    c.birth_day = -15.99 * 365.25;
    OPS->enter(&p, &c, 0, r);
    p.growing_prob = 0;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_float_equal(t.day, 28, 1e-9);
    p.growing_prob = 1;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_HU);
    gsl_rng_free(r);
}

/* Special diagnosis groups reach HU only by audit: with audit.special_prob 0 the deterioration
 * never leads to HU; with 1 it does, coded as an audit decision. */
static void test_special_groups_by_audit(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    p.deterioration = 5;
    gsl_rng *r = rng(4);
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    c.diag = HEART_DIAG_AMYLOIDOSIS;
    struct trans t;
    p.audit_prob = 0;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.kind, TR_NONE);
    assert_true(isinf(t.day));
    p.audit_prob = 1;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_HU);
    assert_int_equal(t.code, HEART_TC_AUDIT);
    assert_float_equal(t.expiry, t.day + 28, 1e-9);
    c.diag = HEART_DIAG_NONE;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.code, HEART_TC_DETERIORATION);
    gsl_rng_free(r);
}

/* dMCS implanted on day -5: a complication cannot give HU before day -5 + 30 = 25, however
 * high the hazard; implanted long ago, it comes almost at once. */
static void test_dmcs_not_before_30_days(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    p.dmcs_complication = 3650; /* mean 0.1 day */
    gsl_rng *r = rng(5);
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    c.dmcs = 1;
    c.dmcs_day = -5;
    struct trans t;
    double lo = INFINITY;
    for (int i = 0; i < 2000; i++) {
        OPS->next(&p, &c, 0, r, &t);
        assert_int_equal(t.to, ST_HU);
        assert_true(t.code >= HEART_TC_DMCS && t.code < HEART_TC_DMCS + HEART_CX_N);
        lo = fmin(lo, t.day);
    }
    assert_true(lo >= 25);
    assert_true(lo < 25.01);
    c.dmcs_day = -100;
    OPS->next(&p, &c, 0, r, &t);
    assert_true(t.day < 5);
    /* no deterioration path for dMCS patients */
    p.dmcs_complication = 0;
    p.deterioration = 100;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.kind, TR_NONE);
    gsl_rng_free(r);
}

/* The complication type of a spell is the one the transition into HU announced. */
static void test_dmcs_type_travels_with_the_spell(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    p.dmcs_complication = 20;
    gsl_rng *r = rng(6);
    struct cand c;
    mk(&c, 7, PROG_HEART, ABO_O, 50, 0);
    c.dmcs = 1;
    c.dmcs_day = -100;
    struct trans t;
    OPS->next(&p, &c, 0, r, &t);
    apply(&c, &t);
    assert_int_equal(t.code - HEART_TC_DMCS, heart_complication(&p, c.seq, c.w.spell_start));
    gsl_rng_free(r);
}

/* A dMCS HU spell of a given type, starting on day 0 with the first grant to 28. */
static void dmcs_hu(struct cand *c, struct heart_par *p, enum heart_cx k)
{
    for (int i = 0; i < HEART_CX_N; i++) p->cx_share[i] = i == (int)k ? 1.0 : 0.0;
    mk(c, 0, PROG_HEART, ABO_O, 50, -200);
    c->dmcs = 1;
    c->dmcs_day = -150;
    cand_set_status(c, 0, ST_HU, 0);
    c->expiry = 28;
}

/* Right-heart failure is re-checked every 14 days (§III.3.2.1.2.5): if it fails the first
 * check, HU ends on day 14 (before the grant's 28); if it always holds, the grant renews on
 * 28. On day 28 after a renewal, a failing check falls on 42. */
static void test_dmcs_rhf_two_weekly(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    gsl_rng *r = rng(7);
    struct cand c;
    dmcs_hu(&c, &p, HEART_CX_RHF);
    struct trans t;
    p.persist_rhf = 0;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_int_equal(t.code, HEART_TC_RESOLVED);
    assert_float_equal(t.day, 14, 1e-9);
    p.persist_rhf = 1;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_HU);
    assert_float_equal(t.day, 28, 1e-9);
    apply(&c, &t);
    p.persist_rhf = 0;
    OPS->next(&p, &c, 28, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_float_equal(t.day, 42, 1e-9);
    /* with persistence 1/2 every end falls on a 14-day check */
    p.persist_rhf = 0.5;
    for (int i = 0; i < 200; i++) {
        OPS->next(&p, &c, 28, r, &t);
        if (t.to == ST_T) assert_float_equal(fmod(t.day, 14), 0, 1e-9);
    }
    gsl_rng_free(r);
}

/* Infection is re-checked after 4 weeks and then every 8 (§III.3.2.1.2.6): a failing first
 * check ends HU on 28; after passing it (renewed on 28) the next check is 28 + 56 = 84. */
static void test_dmcs_infection_rhythm(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    gsl_rng *r = rng(8);
    struct cand c;
    dmcs_hu(&c, &p, HEART_CX_INFECTION);
    struct trans t;
    p.persist_infection = 0;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_int_equal(t.code, HEART_TC_RESOLVED);
    assert_float_equal(t.day, 28, 1e-9);
    p.persist_infection = 1;
    OPS->next(&p, &c, 0, r, &t);
    assert_int_equal(t.to, ST_HU);
    apply(&c, &t);
    p.persist_infection = 0;
    OPS->next(&p, &c, 28, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_float_equal(t.day, 84, 1e-9);
    gsl_rng_free(r);
}

/* GI bleeding: HU ends 28 stable days after stabilisation (§III.3.2.1.2.3), never before day
 * 28; with a stabilisation mean of 30 days the mean end is 28 + 30 = 58. Recurrent pump
 * thrombosis is permanent (persistence 1): every re-evaluation renews. */
static void test_dmcs_gi_and_thrombosis(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    gsl_rng *r = rng(9);
    struct cand c;
    dmcs_hu(&c, &p, HEART_CX_GI_BLEEDING);
    c.expiry = 1e9; /* a grant far away: look at the end alone */
    struct trans t;
    const int n = 4000;
    double sum = 0, lo = INFINITY;
    for (int i = 0; i < n; i++) {
        OPS->next(&p, &c, 0, r, &t);
        assert_int_equal(t.code, HEART_TC_RESOLVED);
        sum += t.day;
        lo = fmin(lo, t.day);
    }
    assert_true(lo >= 28);
    assert_float_equal(sum / n, 58, 4 * 30 / sqrt(n));
    dmcs_hu(&c, &p, HEART_CX_THROMBOSIS);
    for (int i = 0; i < 200; i++) {
        OPS->next(&p, &c, 0, r, &t);
        assert_int_equal(t.to, ST_HU);
        assert_float_equal(t.day, 28, 1e-9);
    }
    gsl_rng_free(r);
}

/* NT during HU: the NT row keeps the interrupted grant's expiry as its mark; at its end a new
 * HU application is accepted (hu.after_nt_prob 1: HU with a fresh 28-day grant) or not (0: T).
 * NT that began in T returns to T; a child returns to HU. */
static void test_nt_return(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    p.nt_start = 1000;
    gsl_rng *r = rng(10);
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c, 10, ST_HU, 0);
    c.expiry = 38;
    p.improvement = 0;
    p.renew_prob = 1;
    struct trans t;
    OPS->next(&p, &c, 10, r, &t);
    assert_int_equal(t.to, ST_NT);
    assert_int_equal(t.code, HEART_TC_NT_START);
    assert_float_equal(t.expiry, 38, 0);
    apply(&c, &t);
    p.nt_start = 0;
    p.hu_after_nt_prob = 1;
    OPS->next(&p, &c, c.w.since, r, &t);
    assert_int_equal(t.to, ST_HU);
    assert_int_equal(t.code, HEART_TC_NT_END_HU);
    assert_float_equal(t.expiry, t.day + 28, 1e-9);
    p.hu_after_nt_prob = 0;
    OPS->next(&p, &c, c.w.since, r, &t);
    assert_int_equal(t.to, ST_T);
    assert_int_equal(t.code, HEART_TC_NT_END);
    /* NT from T */
    mk(&c, 1, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c, 10, ST_NT, 0);
    c.expiry = NAN;
    p.hu_after_nt_prob = 1;
    OPS->next(&p, &c, 10, r, &t);
    assert_int_equal(t.to, ST_T);
    /* a child */
    mk(&c, 2, PROG_HEART, ABO_O, 8, 0);
    cand_set_status(&c, 10, ST_NT, 0);
    OPS->next(&p, &c, 10, r, &t);
    assert_int_equal(t.to, ST_HU);
    assert_int_equal(t.code, HEART_TC_CHILD);
    gsl_rng_free(r);
}

/* Fixed seed: death in T at 0.5/year, nothing else. The waiting time is exponential with mean
 * 365.25 / 0.5 = 730.5 days and standard error 730.5 / sqrt(n); allow 4 standard errors. */
static void test_death_hazard_statistical(void **state)
{
    (void)state;
    struct heart_par p = quiet();
    p.death_t = 0.5;
    gsl_rng *r = rng(11);
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    struct trans t;
    const int n = 20000;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        OPS->next(&p, &c, 100, r, &t);
        assert_int_equal(t.kind, TR_DEATH);
        sum += t.day - 100;
    }
    const double mean = 365.25 / 0.5;
    assert_float_equal(sum / n, mean, 4 * mean / sqrt(n));
    gsl_rng_free(r);
}

/* The hashed complication type follows the shares: infection 0.34 of 20000 spells started on
 * random days, within 4 standard errors sqrt(0.34 * 0.66 / n). */
static void test_complication_shares(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    gsl_rng *r = rng(12);
    const int n = 20000;
    int k = 0;
    for (int i = 0; i < n; i++)
        k += heart_complication(&p, (uint32_t)(i % 50), 1e4 * gsl_rng_uniform(r)) == HEART_CX_INFECTION;
    const double q = p.cx_share[HEART_CX_INFECTION];
    assert_float_equal((double)k / n, q, 4 * sqrt(q * (1 - q) / n));
    gsl_rng_free(r);
}

/* Acceptance follows the group's probability: 0 never, 1 always. */
static void test_accept_by_group(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    p.accept_hu = 1;
    p.accept_t = 0;
    gsl_rng *r = rng(13);
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    struct donor d = mkdonor(ABO_O);
    struct match m = {.c = &c, .eligible = 1, .group = HEART_GRP_HU};
    for (int i = 0; i < 50; i++) assert_int_equal(OPS->accept(&p, &c, &d, &m, r), 1);
    m.group = HEART_GRP_T;
    for (int i = 0; i < 50; i++) assert_int_equal(OPS->accept(&p, &c, &d, &m, r), 0);
    /* The course hook: with both post-transplant hazards off nothing ever happens. */
    p.outc.death = (struct outc_haz){0, 1, 0};
    p.outc.relist_per_year = 0;
    struct outc_course oc;
    OPS->course(&p, &c, &d, 0, r, &oc);
    assert_true(isinf(oc.death_day) && isinf(oc.graft_fail_day) && !oc.relist);
    gsl_rng_free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* Issue 13: rule fidelity                                                                     */

/* Point 1 (§III.3.2.1.1 "bleibt die zuvor registrierte Wartezeit im HU-Status erhalten", I2):
 * listed on day 0 aged ~13.76, 16 on day 1000 - 0.5 * 365.25 = 817.375; the history records T
 * until 900 and HU from then on (the audit kept the adolescent HU). Matched on DAY (1000):
 * 100 recorded HU days + 817.375 days listed under 16 (no NT) = 917.375. With an NT episode on
 * days 100..200 (under 16): 100 + 717.375. child.points = recorded keeps the 100. */
static void test_adolescent_keeps_child_days(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 16.5, 0);
    OPS->prepare(&p, &c);
    cand_set_status(&c, 900, ST_HU, 0);
    struct donor d = mkdonor(ABO_O);
    struct match m = one(&p, &d, &c);
    assert_int_equal(m.group, HEART_GRP_HU);
    assert_float_equal(m.points, 100 + 817.375, 1e-6);
    char buf[512];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "HU: 100 HU days recorded + 817.4 further days listed under 16 years");

    mk(&c, 0, PROG_HEART, ABO_O, 16.5, 0);
    OPS->prepare(&p, &c);
    cand_set_status(&c, 100, ST_NT, 0);
    cand_set_status(&c, 200, ST_T, 0);
    cand_set_status(&c, 900, ST_HU, 0);
    m = one(&p, &d, &c);
    assert_float_equal(m.points, 100 + 717.375, 1e-6);
    p.child_points = HEART_CHILD_POINTS_RECORDED;
    m = one(&p, &d, &c);
    assert_float_equal(m.points, 100, 1e-9);
}

/* Point 1, no double count: a history that records the child HU from listing (as the engine
 * does) gives the HU days once: HU 0..1000 = 1000 points, NT 300..350 during it: 950. */
static void test_adolescent_hu_history_counted_once(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 16.5, 0);
    OPS->prepare(&p, &c);
    cand_set_status(&c, 0, ST_HU, 0);
    struct donor d = mkdonor(ABO_O);
    struct match m = one(&p, &d, &c);
    assert_float_equal(m.points, 1000, 1e-6);
    assert_false(m.flags & HEART_F_CHILD_DAYS);
    cand_set_status(&c, 300, ST_NT, 0);
    cand_set_status(&c, 350, ST_HU, 0);
    m = one(&p, &d, &c);
    assert_float_equal(m.points, 950, 1e-6);
}

/* Point 3 (§III.3.2.1 "Jugendliche ... die sich noch im Wachstum befinden"): a 17-year-old
 * in-patient recorded T is in the HU group as a child when the input says still growing,
 * with the in-patient preference over a child out-patient; without the flag it is T. */
static void test_growing_adolescent_is_a_child(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[2];
    mk(&c[0], 0, PROG_HEART, ABO_O, 17, 900); /* 100 days listed */
    c[0].inpatient = 1;
    c[0].growing = 1;
    mk(&c[1], 1, PROG_HEART, ABO_O, 10, 0);   /* child out-patient, 1000 days */
    OPS->prepare(&p, &c[0]);
    OPS->prepare(&p, &c[1]);
    struct donor d = mkdonor(ABO_O);
    struct match m = one(&p, &d, &c[0]);
    assert_int_equal(m.group, HEART_GRP_HU);
    assert_true(m.flags & HEART_F_HU_BY_AGE);
    assert_true(m.flags & HEART_F_GROWING);
    char buf[512];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "adolescent still growing (17.00 years)");
    p.child_inpatient = HEART_CHILD_OUTPATIENT_LAST;
    uint32_t o[2];
    size_t n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 0, 1);
    c[0].growing = 0;
    m = one(&p, &d, &c[0]);
    assert_int_equal(m.group, HEART_GRP_T);
}

/* Point 4 (§III.3.3 "in jeder Dringlichkeitsstufe grundsätzlich Vorrang", §III.3.4 group
 * definition "zunächst Patienten für eine Herz-Lungen-Transplantation"): in HU a heart-lung
 * candidate X (PRA 0, 10 HU days) before a highly immunised heart candidate Y (PRA 80,
 * HLA-suitable, HLA-typed donor, 100 HU days); immunised.vs_hl = immunised_first reverses it. */
static void test_heart_lung_before_immunised(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c[2];
    mk(&c[0], 0, PROG_HEART_LUNG, ABO_O, 50, 0);
    cand_set_status(&c[0], 990, ST_HU, 0);
    mk(&c[1], 1, PROG_HEART, ABO_O, 50, 0);
    cand_set_status(&c[1], 900, ST_HU, 0);
    c[1].pra = 80;
    struct donor d = mkdonor(ABO_O);
    d.hla_typed = 1;
    uint32_t o[2];
    assert_int_equal(p.imm_hl, HEART_IMM_HL_HL_FIRST); /* the default */
    size_t n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 0, 1);
    p.imm_hl = HEART_IMM_HL_IMMUNISED_FIRST;
    n = rank(&p, &d, c, 2, o);
    assert_order(o, n, 1, 0);
}

/* Point 5: the size and TLC windows are the model's (I6, I7), and the reason says so. */
static void test_size_reason_names_the_model(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 50, 0);
    c.weight_kg = 120;
    struct donor d = mkdonor(ABO_O);
    d.weight_kg = 72; /* 0.60 */
    struct match m = one(&p, &d, &c);
    char buf[512];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "outside the model's size window 0.70-1.50");
    mk(&c, 0, PROG_HEART_LUNG, ABO_O, 50, 0);
    c.tlc_l = 8;
    d.tlc_l = 5; /* 0.625 */
    m = one(&p, &d, &c);
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "outside the model's TLC window 0.75-1.30");
}

/* Point 6: a child of 15.999 years is a child (< 16); the reason must not print "16.0". */
static void test_age_at_the_boundary_reads_right(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    struct cand c;
    mk(&c, 0, PROG_HEART, ABO_O, 15.999, 0);
    struct donor d = mkdonor(ABO_O);
    struct match m = one(&p, &d, &c);
    assert_true(m.flags & HEART_F_CHILD);
    char buf[512];
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "child (15.99 years)");
    assert_null(strstr(buf, "16.0"));
    mk(&c, 0, PROG_HEART, ABO_O, 10, 0); /* a whole age stays whole despite the day arithmetic */
    m = one(&p, &d, &c);
    reason_of(&p, &d, &m, buf, sizeof buf);
    assert_contains(buf, "child (10.00 years)");
}

/* Point 2 (§III.3.2.1 "In der Altersgruppe der Kinder und Jugendlichen ... bei der Allokation
 * bevorzugt berücksichtigt"): among_children is the default. HU, O donor, points in brackets:
 * adult A1 (500), child out-patient K1 (400), adult A2 (300), child in-patient K2 (200), child
 * out-patient K3 (100), child in-patient K4 (50). Children's places by points: 2nd, 4th, 5th,
 * 6th. In-patients take the first of them in their own order (K2, K4), out-patients the rest
 * (K1, K3): A1, K2, A2, K4, K1, K3. No child passes an adult it would not pass by points
 * (no adult out-patient penalty), and no child out-patient goes behind every adult. A tie of a
 * child in-patient with a child out-patient (both 200, the out-patient listed earlier) is
 * broken for the in-patient. */
static void test_inpatient_preference_among_children(void **state)
{
    (void)state;
    struct heart_par p = defaults();
    assert_int_equal(p.child_inpatient, HEART_CHILD_AMONG_CHILDREN);
    struct cand c[6];
    static const double age[6] = {50, 10, 50, 8, 12, 5};
    static const double pts[6] = {500, 400, 300, 200, 100, 50};
    static const int inpat[6] = {0, 0, 0, 1, 0, 1};
    for (int i = 0; i < 6; i++) {
        mk(&c[i], (uint32_t)i, PROG_HEART, ABO_O, age[i], DAY - pts[i]);
        c[i].inpatient = inpat[i];
        if (age[i] > 16) cand_set_status(&c[i], DAY - pts[i], ST_HU, 0);
    }
    struct donor d = mkdonor(ABO_O);
    uint32_t o[6];
    size_t n = rank(&p, &d, c, 6, o);
    assert_order(o, n, 0, 3, 2, 5, 1, 4);
    /* the moved child's reason names the place; its own days stay its own */
    struct cand *list[6];
    struct match m[6];
    for (int i = 0; i < 6; i++) list[i] = &c[i];
    size_t k = OPS->match(&p, &d, DAY, list, 6, 0, m);
    match_sort(m, k);
    char buf[512];
    reason_of(&p, &d, &m[1], buf, sizeof buf);
    assert_contains(buf, "ranked at another child's place (400 points)");
    assert_contains(buf, "HU: 200 days listed as a child");
    /* a tie: K1 (out-patient) listed on the same day as K2 (in-patient), K1 the lower seq */
    mk(&c[1], 1, PROG_HEART, ABO_O, 10, DAY - 200);
    n = rank(&p, &d, c, 6, o);
    assert_order(o, n, 0, 2, 3, 5, 1, 4);
}

/* policy_ops.match_keyed is the engine's faster pass: for every donor, option set and number
 * of offers wanted, the first `want` of its matches in match order must be match()'s first
 * `want`, field for field. Random lists with every status, children (by age and growing),
 * heart-lung, unknown weights, immunised and in-patient candidates; the option sets include
 * those under which the HU group is not the first key (immunised.scope list, abo.scope across)
 * and the infant ABO option the key pass must not apply. */
static void test_match_keyed_equals_match(void **state)
{
    (void)state;
    enum { N = 300, DONORS = 150 };
    static struct cand c[N];
    static struct cand *list[N];
    static struct cand_key keys[N];
    static struct match a[N], b[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 20261201);
    const size_t wants[] = {1, 3, 8, 40, SIZE_MAX};
    for (int opt = 0; opt < 5; opt++) {
        struct heart_par p = defaults();
        if (opt == 1) p.immunised_scope = HEART_IMM_LIST;
        if (opt == 2) p.abo_scope = HEART_ABO_ACROSS;
        if (opt == 3) p.abo_infant_incompatible = 1;
        if (opt == 4) p.child_always_hu = 0, p.size_filter = 0;
        size_t hu_short = 0; /* donors where the HU group alone gave `want` */
        size_t hot_matter = 0; /* donors whose HU group the keyed pass finds only through hot */
        for (int dn = 0; dn < DONORS; dn++) {
            /* a fresh list every few donors; a short HU group on some lists */
            if (dn % 10 == 0) {
                /* 0.9: more HU candidates than the keyed pass sets aside (its fallback) */
                double hu_share = (dn / 10) % 3 == 0 ? 0.15 : (dn / 10) % 3 == 1 ? 0.02 : 0.9;
                for (size_t i = 0; i < N; i++) {
                    double age = gsl_rng_uniform(r) < 0.1 ? gsl_rng_uniform(r) * 18 : 18 + gsl_rng_uniform(r) * 55;
                    enum prog pg = gsl_rng_uniform(r) < 0.05 ? PROG_HEART_LUNG : PROG_HEART;
                    mk(&c[i], (uint32_t)i + 1, pg, (enum abo)gsl_rng_uniform_int(r, ABO_N), age,
                       DAY - 1 - gsl_rng_uniform(r) * 900);
                    /* unknown and invalid weights too: the size test must skip them */
                    double uw = gsl_rng_uniform(r);
                    c[i].weight_kg = uw < 0.04 ? NAN : uw < 0.05 ? 0 : uw < 0.06 ? INFINITY
                                   : 10 + gsl_rng_uniform(r) * 90;
                    c[i].tlc_l = 3 + gsl_rng_uniform(r) * 4;
                    c[i].pra = gsl_rng_uniform(r) < 0.2 ? 90 : 0;
                    c[i].hla_ok = gsl_rng_uniform(r) < 0.8;
                    c[i].inpatient = gsl_rng_uniform(r) < 0.5;
                    c[i].growing = age > 16 && age < 18 && gsl_rng_uniform(r) < 0.5;
                    c[i].combined_audited = gsl_rng_uniform(r) < 0.03;
                    double u = gsl_rng_uniform(r);
                    enum status st = u < hu_share ? ST_HU : u < hu_share + 0.1 ? ST_NT : ST_T;
                    if (st != ST_T) cand_set_status(&c[i], c[i].w.listed + 1, st, 0);
                    list[i] = &c[i];
                    keys[i] = cand_key_of(&c[i]);
                }
            }
            struct donor d = mkdonor((enum abo)gsl_rng_uniform_int(r, ABO_N));
            d.weight_kg = dn % 17 == 0 ? NAN : 10 + gsl_rng_uniform(r) * 90;
            d.tlc_l = 3 + gsl_rng_uniform(r) * 4;
            d.hla_typed = gsl_rng_uniform(r) < 0.7;
            for (size_t w = 0; w < sizeof wants / sizeof wants[0]; w++) {
                size_t na = OPS->match(&p, &d, DAY, list, N, 0, a);
                /* the hot entries as the engine keeps them, plus some that no longer qualify
                 * (a superset is allowed); none on every seventh donor, to show they matter */
                static uint32_t hot[N];
                size_t nhot = 0;
                for (size_t i = 0; i < N; i++)
                    if (dn % 7 != 6 && (OPS->key_hot(&p, &keys[i], DAY) || i % 11 == 0)) hot[nhot++] = (uint32_t)i;
                const struct keyed_list kl = {.v = list, .k = keys, .n = N, .hot = hot, .nhot = nhot};
                size_t nb = OPS->match_keyed(&p, &d, DAY, &kl, wants[w], b);
                if (dn % 7 == 6) { /* counter-check: without hot entries the HU group is missing */
                    size_t hu_a = 0, hu_b = 0;
                    for (size_t i = 0; i < na; i++) hu_a += a[i].group == HEART_GRP_HU;
                    for (size_t i = 0; i < nb; i++) hu_b += b[i].group == HEART_GRP_HU;
                    if (hu_a && !hu_b) hot_matter++;
                    continue;
                }
                assert_true(nb <= na);
                if (wants[w] == SIZE_MAX) assert_int_equal(nb, na);
                size_t ka = match_top(a, na, wants[w]), kb = match_top(b, nb, wants[w]);
                assert_int_equal(ka, kb);
                for (size_t i = 0; i < ka; i++) {
                    assert_ptr_equal(a[i].c, b[i].c);
                    assert_true(a[i].points == b[i].points);
                    assert_int_equal(a[i].tier, b[i].tier);
                    assert_int_equal(a[i].flags, b[i].flags);
                    assert_int_equal(a[i].group, b[i].group);
                    assert_int_equal(a[i].abo_step, b[i].abo_step);
                }
                if (nb < na) hu_short++;
            }
        }
        /* the shortcut was taken (so the test covers it) where the options allow it */
        if (opt == 0) assert_true(hu_short > 0);
        if (opt == 1 || opt == 2) assert_int_equal(hu_short, 0);
        assert_true(hot_matter > 0);
    }
    gsl_rng_free(r);
}

/* The T index (policy_ops.index_*) kept through joins, status changes and leaves gives
 * match_keyed the same first `want` as match() on the same list. The lists are built for the
 * index's hard cases: many exact ties of listing day (the walk must then take every tie),
 * listing days a few ulps apart, closed NT spells under and over nt.cap_days (e differs from
 * the listing day), children who are HU by age while T (in the index but not in its group),
 * heart-lung, combined and immunised candidates, and a list that changes between donors. The
 * counter-check: the same donors with the index of another list give other offers. */
static void test_index_walk_equals_match(void **state)
{
    (void)state;
    enum { N = 400, DONORS = 400 };
    static struct cand c[N];
    static struct cand *list[N];
    static struct cand_key keys[N];
    static struct match a[N], b[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 20261202);
    const size_t wants[] = {1, 3, 8, 40};
    size_t walked = 0, differ = 0;
    for (int opt = 0; opt < 3; opt++) {
        struct heart_par p = defaults();
        if (opt == 1) p.child_always_hu = 0, p.nt_cap_days = 0;
        if (opt == 2) p.immunised_scope = HEART_IMM_OFF, p.size_filter = 0;
        void *idx = NULL;
        size_t n = 0;
        for (int dn = 0; dn < DONORS; dn++) {
            if (dn % 50 == 0) { /* a fresh list */
                OPS->index_free(idx);
                idx = OPS->index_alloc(&p);
                assert_non_null(idx);
                n = N;
                for (size_t i = 0; i < N; i++) {
                    double age = gsl_rng_uniform(r) < 0.1 ? gsl_rng_uniform(r) * 18 : 18 + gsl_rng_uniform(r) * 55;
                    enum prog pg = gsl_rng_uniform(r) < 0.05 ? PROG_HEART_LUNG : PROG_HEART;
                    double u = gsl_rng_uniform(r);
                    /* whole days (ties), a few ulps apart, or any day */
                    double listed = u < 0.4 ? DAY - 1 - floor(gsl_rng_uniform(r) * 30)
                                  : u < 0.5 ? nextafter(DAY - 10, (double)(i % 3))
                                            : DAY - 1 - gsl_rng_uniform(r) * 900;
                    mk(&c[i], (uint32_t)i + 1, pg, (enum abo)gsl_rng_uniform_int(r, ABO_N), age, listed);
                    c[i].weight_kg = gsl_rng_uniform(r) < 0.05 ? NAN : 10 + gsl_rng_uniform(r) * 90;
                    c[i].pra = gsl_rng_uniform(r) < 0.2 ? 90 : 0;
                    c[i].hla_ok = gsl_rng_uniform(r) < 0.8;
                    c[i].inpatient = gsl_rng_uniform(r) < 0.5;
                    c[i].combined_audited = gsl_rng_uniform(r) < 0.05;
                    if (gsl_rng_uniform(r) < 0.2) { /* a closed NT spell of 1 to 60 days */
                        const double nt0 = c[i].w.listed + (listed < DAY - 70 ? 1 : 0);
                        cand_set_status(&c[i], nt0, ST_NT, 0);
                        cand_set_status(&c[i], fmin(nt0 + 1 + floor(gsl_rng_uniform(r) * 60), DAY - 0.5), ST_T, 0);
                    }
                    double v = gsl_rng_uniform(r);
                    if (v < 0.03) cand_set_status(&c[i], fmax(c[i].w.since, DAY - 0.5), ST_HU, 0);
                    else if (v < 0.1) cand_set_status(&c[i], fmax(c[i].w.since, DAY - 0.5), ST_NT, 0);
                    list[i] = &c[i];
                    keys[i] = cand_key_of(&c[i]);
                    assert_int_equal(OPS->index_update(idx, &p, &c[i], (uint32_t)i, NULL, &keys[i], DAY), 0);
                }
            } else { /* a few status changes and one leaver */
                for (int j = 0; j < 4; j++) {
                    const size_t i = gsl_rng_uniform_int(r, n);
                    const double u = gsl_rng_uniform(r);
                    const enum status st = u < 0.3 ? ST_HU : u < 0.5 ? ST_NT : ST_T;
                    cand_set_status(list[i], fmax(list[i]->w.since, DAY - 0.25), st, 0);
                    const struct cand_key was = keys[i];
                    keys[i] = cand_key_of(list[i]);
                    assert_int_equal(OPS->index_update(idx, &p, list[i], (uint32_t)(list[i] - c), &was, &keys[i], DAY), 0);
                }
                const size_t i = gsl_rng_uniform_int(r, n);
                assert_int_equal(OPS->index_update(idx, &p, list[i], (uint32_t)(list[i] - c), &keys[i], NULL, DAY), 0);
                list[i] = list[n - 1];
                keys[i] = keys[n - 1];
                n--;
            }
            struct donor d = mkdonor((enum abo)gsl_rng_uniform_int(r, ABO_N));
            d.weight_kg = dn % 17 == 0 ? NAN : 10 + gsl_rng_uniform(r) * 90;
            d.hla_typed = gsl_rng_uniform(r) < 0.7;
            static uint32_t hot[N];
            size_t nhot = 0;
            for (size_t i = 0; i < n; i++)
                if (OPS->key_hot(&p, &keys[i], DAY)) hot[nhot++] = (uint32_t)i;
            for (size_t w = 0; w < sizeof wants / sizeof wants[0]; w++) {
                const size_t na = OPS->match(&p, &d, DAY, list, n, 0, a);
                const struct keyed_list kl = {.v = list, .k = keys, .n = n, .hot = hot, .nhot = nhot, .idx = idx};
                const size_t nb = OPS->match_keyed(&p, &d, DAY, &kl, wants[w], b);
                assert_true(nb <= na);
                const size_t ka = match_top(a, na, wants[w]), kb = match_top(b, nb, wants[w]);
                assert_int_equal(ka, kb);
                size_t hu = 0;
                for (size_t i = 0; i < ka; i++) {
                    assert_ptr_equal(a[i].c, b[i].c);
                    assert_true(a[i].points == b[i].points);
                    assert_int_equal(a[i].tier, b[i].tier);
                    assert_int_equal(a[i].flags, b[i].flags);
                    hu += a[i].group == HEART_GRP_HU;
                }
                if (hu < ka) walked++;
                /* counter-check: the index of a list without its first eligible T candidate */
                if (w == 2 && ka > hu && dn % 5 == 1) {
                    size_t t = hu;
                    const struct cand_key k0 = cand_key_of(a[t].c);
                    assert_int_equal(OPS->index_update(idx, &p, a[t].c, (uint32_t)(a[t].c - c), &k0, NULL, DAY), 0);
                    const size_t nc = match_top(b, OPS->match_keyed(&p, &d, DAY, &kl, wants[w], b), wants[w]);
                    int same = nc == ka;
                    for (size_t i = 0; same && i < ka; i++) same = a[i].c == b[i].c;
                    differ += !same;
                    assert_int_equal(OPS->index_update(idx, &p, a[t].c, (uint32_t)(a[t].c - c), NULL, &k0, DAY), 0);
                }
            }
        }
        OPS->index_free(idx);
    }
    assert_true(walked > 500);
    assert_true(differ > 50);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_the_guideline),
        cmocka_unit_test(test_pdef_tables_complete),
        cmocka_unit_test(test_validate_names_fields),
        cmocka_unit_test(test_abo_steps),
        cmocka_unit_test(test_abo_order_o_donor),
        cmocka_unit_test(test_abo_incompatible_excluded),
        cmocka_unit_test(test_abo_scope_within_across),
        cmocka_unit_test(test_infant_abo_incompatible_option),
        cmocka_unit_test(test_groups_hu_combined_t),
        cmocka_unit_test(test_heart_lung_first_in_each_group),
        cmocka_unit_test(test_hl_order_option),
        cmocka_unit_test(test_nt_excluded),
        cmocka_unit_test(test_children_hu_and_inpatient_preference),
        cmocka_unit_test(test_child_points),
        cmocka_unit_test(test_immunised_first_only_when_typed_and_ok),
        cmocka_unit_test(test_immunised_scope),
        cmocka_unit_test(test_size_filter),
        cmocka_unit_test(test_tlc_filter),
        cmocka_unit_test(test_hu_points_across_episodes),
        cmocka_unit_test(test_t_points_nt_cap),
        cmocka_unit_test(test_enter_child_hu),
        cmocka_unit_test(test_child_renewal_plus_56),
        cmocka_unit_test(test_adult_reevaluation),
        cmocka_unit_test(test_special_groups_by_audit),
        cmocka_unit_test(test_dmcs_not_before_30_days),
        cmocka_unit_test(test_dmcs_type_travels_with_the_spell),
        cmocka_unit_test(test_dmcs_rhf_two_weekly),
        cmocka_unit_test(test_dmcs_infection_rhythm),
        cmocka_unit_test(test_dmcs_gi_and_thrombosis),
        cmocka_unit_test(test_nt_return),
        cmocka_unit_test(test_death_hazard_statistical),
        cmocka_unit_test(test_complication_shares),
        cmocka_unit_test(test_accept_by_group),
        cmocka_unit_test(test_adolescent_keeps_child_days),
        cmocka_unit_test(test_adolescent_hu_history_counted_once),
        cmocka_unit_test(test_growing_adolescent_is_a_child),
        cmocka_unit_test(test_heart_lung_before_immunised),
        cmocka_unit_test(test_size_reason_names_the_model),
        cmocka_unit_test(test_age_at_the_boundary_reads_right),
        cmocka_unit_test(test_inpatient_preference_among_children),
        cmocka_unit_test(test_match_keyed_equals_match),
        cmocka_unit_test(test_index_walk_equals_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
