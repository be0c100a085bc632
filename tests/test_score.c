/* test_score.c — score policies (model/score.h): the checks of a compiled program, the meaning of
 * tiers, keys, caps and thresholds worked out by hand, and the guideline rules restated as scores
 * against bak2021 and bak2026 on random lists (same eligible set, same order, same points bit for
 * bit), with a changed score as the counter-check that the comparison can fail. */
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
#include "outcome.h"
#include "score.h"

#define DAY 2000.0
#define NC 300

static struct score_lit L(const char *name, int neg)
{
    int f = score_feature_find(name);
    assert_true(f >= 0);
    return (struct score_lit){.f = (uint8_t)f, .neg = (uint8_t)neg};
}

static struct score_term TERM(const char *name, double w, int has_cap, double cap)
{
    return (struct score_term){.f = L(name, 0).f, .weight = w, .has_cap = (uint8_t)has_cap,
                               .cap = cap};
}

static struct score_tier *add_tier(struct score_prog *g, const char *name)
{
    struct score_tier *t = &g->tier[g->n_tiers++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    return t;
}

/* The heart guideline as scenarios/heart-score-bak2021.yaml writes it (heart-lung before
 * immunised; the children's in-patient preference inherited, not a key). `swap` moves the
 * heart-lung key behind the ABO step (the counter-check). */
static void heart_guideline(struct score_prog *g, int swap)
{
    memset(g, 0, sizeof *g);
    const char *k3[3] = {"heart_lung", "immunised", "abo_step"};
    if (swap) k3[0] = "abo_step", k3[2] = "heart_lung";
    struct score_tier *t = add_tier(g, "HU");
    t->when[t->n_when++] = L("urgent", 0);
    for (int i = 0; i < 3; i++) t->key[t->n_keys++] = L(k3[i], 0);
    t->term[t->n_terms++] = TERM("hu_wait_days", 1, 0, 0);
    for (int j = 0; j < 2; j++) {
        t = add_tier(g, j ? "T" : "COMBINED");
        if (!j) t->when[t->n_when++] = L("combined", 0);
        for (int i = 0; i < 3; i++) t->key[t->n_keys++] = L(k3[i], 0);
        t->term[t->n_terms++] = TERM("listed_days", 1, 0, 0);
        t->term[t->n_terms++] = TERM("nt_days", -1, 0, 0);
        t->term[t->n_terms++] = TERM("nt_days", 1, 1, 30);
    }
    char msg[200];
    assert_int_equal(score_prog_finish(g, ORGAN_HEART, msg, sizeof msg), 0);
}

/* The pancreas guideline as scenarios/pancreas-score-bak2026.yaml writes it, with `w` as the
 * regional weight. */
static void pancreas_guideline(struct score_prog *g, double w)
{
    memset(g, 0, sizeof *g);
    static const char *const NAME[4] = {"df-SU", "df-T", "SU", "T"};
    for (int i = 0; i < 4; i++) {
        struct score_tier *t = add_tier(g, NAME[i]);
        if (i < 2) t->when[t->n_when++] = L("df_low", 0);
        if (i == 0 || i == 2) t->when[t->n_when++] = L("su", 0);
        t->key[t->n_keys++] = L("abo_step", 0);
        if (i == 0 || i == 2) t->key[t->n_keys++] = L("su_hypo", 0);
        t->term[t->n_terms++] = TERM("wait_days", 1, 0, 0);
        t->term[t->n_terms++] = TERM("regional_wait_days", w, 0, 0);
    }
    char msg[200];
    assert_int_equal(score_prog_finish(g, ORGAN_PANCREAS, msg, sizeof msg), 0);
}

static struct donor donor(gsl_rng *r)
{
    struct donor d;
    memset(&d, 0, sizeof d);
    d.day = DAY;
    d.abo = (enum abo)gsl_rng_uniform_int(r, ABO_N);
    d.age_years = 10 + 60 * gsl_rng_uniform(r);
    d.region = (int)gsl_rng_uniform_int(r, 4) - 1;
    d.hla_typed = gsl_rng_uniform(r) < 0.7;
    d.weight_kg = gsl_rng_uniform(r) < 0.1 ? NAN : 40 + 60 * gsl_rng_uniform(r);
    d.tlc_l = 4 + 3 * gsl_rng_uniform(r);
    d.height_cm = d.bmi = d.waist_cm = d.cpr_min = d.icu_days = d.sodium = NAN;
    d.offer_heart = d.offer_pancreas = 1;
    return d;
}

/* A random candidate of `organ` with a status history of up to three rows before DAY (random
 * fractional days, so ties in points are rare but listing days repeat for the tie-break).
 * Children, adolescents who passed child.age while listed (some still growing) and SU reasons
 * are drawn so that every rule of docs/rules.md that the scores restate or inherit is exercised;
 * ops->prepare (if any) runs before the first status row, as in the engine. */
static void candidate(gsl_rng *r, struct cand *c, uint32_t seq, enum organ organ,
                      const struct policy_ops *ops, const void *par)
{
    enum prog pr = organ == ORGAN_HEART ? (gsl_rng_uniform(r) < 0.15 ? PROG_HEART_LUNG : PROG_HEART)
                                        : (gsl_rng_uniform(r) < 0.6 ? PROG_PANCREAS_KIDNEY : PROG_PANCREAS);
    double listed = floor(DAY - 1500 * gsl_rng_uniform(r));
    cand_init(c, seq, pr, listed);
    c->abo = (enum abo)gsl_rng_uniform_int(r, ABO_N);
    const double ua = gsl_rng_uniform(r);
    c->birth_day = DAY - 365.25 * (ua < 0.15   ? 16 * gsl_rng_uniform(r)
                                   : ua < 0.25 ? 16 + 4 * gsl_rng_uniform(r)
                                               : 20 + 50 * gsl_rng_uniform(r));
    c->growing = organ == ORGAN_HEART && ua >= 0.15 && ua < 0.25 && gsl_rng_uniform(r) < 0.4;
    if (organ == ORGAN_PANCREAS) c->su_reason = (int)gsl_rng_uniform_int(r, SU_REASON_N);
    if (ops->prepare) ops->prepare(par, c);
    c->pra = 100 * gsl_rng_uniform(r);
    c->hla_ok = gsl_rng_uniform(r) < 0.8;
    c->inpatient = gsl_rng_uniform(r) < 0.4;
    c->combined_audited = organ == ORGAN_HEART && gsl_rng_uniform(r) < 0.1;
    c->weight_kg = 50 + 40 * gsl_rng_uniform(r);
    c->tlc_l = 4 + 3 * gsl_rng_uniform(r);
    c->region = (int)gsl_rng_uniform_int(r, 4) - 1;
    c->center = (int)gsl_rng_uniform_int(r, 12);
    c->df_low = gsl_rng_uniform(r) < 0.2;
    c->dmcs = organ == ORGAN_HEART && gsl_rng_uniform(r) < 0.3;
    if (organ == ORGAN_PANCREAS && gsl_rng_uniform(r) < 0.1) {
        c->prior_wait_days = 400 * gsl_rng_uniform(r);
        c->prior_tx_day = listed - 400 * gsl_rng_uniform(r);
        c->graft_loss_day = c->prior_tx_day + 300 * gsl_rng_uniform(r);
    }
    double day = listed;
    for (int k = 0; k < 3 && gsl_rng_uniform(r) < 0.6; k++) {
        day += (DAY - day) * gsl_rng_uniform(r);
        double u = gsl_rng_uniform(r);
        enum status s = u < 0.3 ? ST_NT : u < 0.6 ? ST_T : organ == ORGAN_HEART ? ST_HU : ST_SU;
        cand_set_status(c, day, s, gsl_rng_uniform(r) < 0.5);
    }
}

/* Ranks list for d with ops/par (eligible first, sorted) into out; returns the count. */
static size_t ranked(const struct policy_ops *ops, const void *par, const struct donor *d,
                     struct cand **list, size_t n, int all, struct match *out)
{
    size_t k = ops->match(par, d, DAY, list, n, all, out), e = 0;
    for (size_t i = 0; i < k; i++)
        if (out[i].eligible) {
            struct match t = out[e];
            out[e++] = out[i];
            out[i] = t;
        }
    match_sort(out, e);
    return k;
}

/* Compares the guideline policy with the score on `donors` random donors; returns how many
 * donors gave a different list (0 = equivalent). */
static int compare(enum organ organ, const struct policy_ops *gops, const void *gpar,
                   const struct policy_ops *sops, const void *spar, int donors, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    static struct cand c[NC];
    struct cand *list[NC];
    static struct match a[NC], b[NC];
    for (uint32_t i = 0; i < NC; i++) {
        candidate(r, &c[i], i, organ, gops, gpar);
        list[i] = &c[i];
    }
    int differ = 0;
    for (int k = 0; k < donors; k++) {
        struct donor d = donor(r);
        for (int all = 0; all < 2; all++) {
            size_t na = ranked(gops, gpar, &d, list, NC, all, a);
            size_t nb = ranked(sops, spar, &d, list, NC, all, b);
            int same = na == nb && na > 0;
            for (size_t i = 0; same && i < na; i++)
                same = a[i].c == b[i].c && a[i].eligible == b[i].eligible && a[i].excl == b[i].excl
                       && a[i].abo_step == b[i].abo_step
                       && (!a[i].eligible
                           || (a[i].group == b[i].group
                               && memcmp(&a[i].points, &b[i].points, sizeof(double)) == 0));
            differ += !same;
        }
    }
    gsl_rng_free(r);
    return differ;
}

static void test_heart_guideline_as_score(void **state)
{
    (void)state;
    static struct score_heart_par sp;
    heart_par_defaults(&sp.g);
    heart_guideline(&sp.prog, 0);
    assert_int_equal(compare(ORGAN_HEART, &heart_bak2021_ops, &sp.g, &score_heart_ops, &sp, 60, 11), 0);
    /* The inherited step after ranking matters: the same score with child.inpatient off is
     * another order than bak2021 with among_children (the default). */
    static struct score_heart_par off;
    off = sp;
    off.g.child_inpatient = HEART_CHILD_PREF_OFF;
    assert_int_equal(sp.g.child_inpatient, HEART_CHILD_AMONG_CHILDREN);
    assert_true(compare(ORGAN_HEART, &heart_bak2021_ops, &sp.g, &score_heart_ops, &off, 60, 11) > 0);
    /* ... and with it off on both sides the two agree again. */
    assert_int_equal(compare(ORGAN_HEART, &heart_bak2021_ops, &off.g, &score_heart_ops, &off, 60, 14), 0);
    /* Counter-check: the ABO step before the heart-lung preference is another order. */
    heart_guideline(&sp.prog, 1);
    assert_true(compare(ORGAN_HEART, &heart_bak2021_ops, &sp.g, &score_heart_ops, &sp, 60, 11) > 0);
}

static void test_pancreas_guideline_as_score(void **state)
{
    (void)state;
    static struct score_pancreas_par sp;
    pdef_defaults(pancreas_rule_pdefs, pancreas_n_rule_pdefs, &sp.g);
    pdef_defaults(pancreas_model_pdefs, pancreas_n_model_pdefs, &sp.g);
    pancreas_guideline(&sp.prog, 2.0 / 3.0);
    assert_int_equal(compare(ORGAN_PANCREAS, &pancreas_bak2026_ops, &sp.g, &score_pancreas_ops, &sp, 60, 12), 0);
    /* The options the regional feature follows: bonus without the credit, not in SU. */
    sp.g.regional_on_credit = 0;
    sp.g.regional_in_su = 0;
    assert_int_equal(compare(ORGAN_PANCREAS, &pancreas_bak2026_ops, &sp.g, &score_pancreas_ops, &sp, 60, 13), 0);
    /* su.reason_order off: su_hypo never holds, and bak2026 ranks SU by time alone. */
    sp.g.su_reason_order = PANCREAS_SU_REASON_OFF;
    assert_int_equal(compare(ORGAN_PANCREAS, &pancreas_bak2026_ops, &sp.g, &score_pancreas_ops, &sp, 60, 15), 0);
    sp.g.su_reason_order = PANCREAS_SU_REASON_HYPO_FIRST;
    /* Counter-check: 0.6667 is not 2/3, and some points then differ. */
    pancreas_guideline(&sp.prog, 0.6667);
    assert_true(compare(ORGAN_PANCREAS, &pancreas_bak2026_ops, &sp.g, &score_pancreas_ops, &sp, 60, 12) > 0);
}

/* A score policy is its guideline policy with another order: every hook the guideline policy
 * has (the optional ones included, e.g. prepare and lapse) must reach it, or a score scenario
 * silently loses part of the model. A hook added to struct policy_ops belongs here too. */
static void test_every_hook_delegated(void **state)
{
    (void)state;
    const struct policy_ops *pair[2][2] = {{&heart_bak2021_ops, &score_heart_ops},
                                           {&pancreas_bak2026_ops, &score_pancreas_ops}};
    for (int i = 0; i < 2; i++) {
        const struct policy_ops *b = pair[i][0], *s = pair[i][1];
        assert_int_equal(b->organ, s->organ);
        assert_int_equal(b->n_rule_pdefs, s->n_rule_pdefs);
        assert_int_equal(b->n_model_pdefs, s->n_model_pdefs);
        assert_ptr_equal(b->rule_pdefs, s->rule_pdefs);
        assert_ptr_equal(b->model_pdefs, s->model_pdefs);
        /* The *_N_*_PDEFS constants fix the tables' sizes for the static ops above; a constant
         * larger than the table would leave zero entries at its end, which the compiler accepts. */
        for (size_t k = 0; k < s->n_rule_pdefs; k++) assert_non_null(s->rule_pdefs[k].name);
        for (size_t k = 0; k < s->n_model_pdefs; k++) assert_non_null(s->model_pdefs[k].name);
        assert_int_equal(b->validate != NULL, s->validate != NULL);
        assert_int_equal(b->prepare != NULL, s->prepare != NULL);
        assert_int_equal(b->enter != NULL, s->enter != NULL);
        assert_int_equal(b->next != NULL, s->next != NULL);
        assert_int_equal(b->lapse != NULL, s->lapse != NULL);
        assert_int_equal(b->accept != NULL, s->accept != NULL);
        assert_int_equal(b->course != NULL, s->course != NULL);
        assert_int_equal(b->ecd != NULL, s->ecd != NULL);
        assert_int_equal(b->unplaced_after != NULL, s->unplaced_after != NULL);
        assert_int_equal(b->accel_order != NULL, s->accel_order != NULL);
        assert_int_equal(b->route != NULL, s->route != NULL);
    }
}

static void test_finish_checks(void **state)
{
    (void)state;
    static struct score_prog g;
    char msg[300];
    memset(&g, 0, sizeof g);
    assert_int_equal(score_prog_finish(&g, ORGAN_HEART, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "at least one tier"));
    add_tier(&g, "T");
    struct score_tier *t = add_tier(&g, "HU");
    t->when[t->n_when++] = L("urgent", 0);
    assert_int_equal(score_prog_finish(&g, ORGAN_HEART, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "the last tier ('HU') without conditions"));
    snprintf(t->name, sizeof t->name, "T");
    t->n_when = 0;
    assert_int_equal(score_prog_finish(&g, ORGAN_HEART, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "'T' twice"));
    snprintf(t->name, sizeof t->name, "U");
    assert_int_equal(score_prog_finish(&g, ORGAN_HEART, msg, sizeof msg), 0);
}

/* Three heart candidates for an O donor (all T, listed on day 0, no NT): A heart O (step 1),
 * B heart B (step 2), C heart-lung O (step 1). */
static void three(struct cand *c, struct cand **list)
{
    static const enum abo ABO[3] = {ABO_O, ABO_B, ABO_O};
    for (uint32_t i = 0; i < 3; i++) {
        cand_init(&c[i], i, i == 2 ? PROG_HEART_LUNG : PROG_HEART, 100.0 * i);
        c[i].abo = ABO[i];
        c[i].birth_day = DAY - 40 * 365.25;
        list[i] = &c[i];
    }
}

static void order(const struct score_heart_par *sp, struct cand **list, uint32_t *seq, double *pts)
{
    struct donor d;
    memset(&d, 0, sizeof d);
    d.abo = ABO_O;
    d.age_years = 40;
    d.weight_kg = d.tlc_l = NAN;
    struct match m[3];
    assert_int_equal(ranked(&score_heart_ops, sp, &d, list, 3, 0, m), 3);
    for (int i = 0; i < 3; i++) {
        seq[i] = m[i].c->seq;
        pts[i] = m[i].points;
    }
}

static void test_keys_caps_and_thresholds(void **state)
{
    (void)state;
    static struct score_heart_par sp;
    struct cand c[3];
    struct cand *list[3];
    uint32_t s[3];
    double p[3];
    char msg[200];
    heart_par_defaults(&sp.g);
    three(c, list);
    /* Points only: days listed 2000, 1900, 1800 -> A, B, C. */
    memset(&sp.prog, 0, sizeof sp.prog);
    struct score_tier *t = add_tier(&sp.prog, "ALL");
    t->term[t->n_terms++] = TERM("listed_days", 1, 0, 0);
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    order(&sp, list, s, p);
    assert_int_equal(s[0], 0), assert_int_equal(s[1], 1), assert_int_equal(s[2], 2);
    assert_true(p[0] == 2000 && p[2] == 1800);
    /* Key heart_lung (true first): C first. "not heart_lung": C last. */
    t->key[t->n_keys++] = L("heart_lung", 0);
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    order(&sp, list, s, p);
    assert_int_equal(s[0], 2), assert_int_equal(s[1], 0), assert_int_equal(s[2], 1);
    t->key[0] = L("abo_step", 0); /* lower step first: A, C (step 1) before B (step 2) */
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    order(&sp, list, s, p);
    assert_int_equal(s[0], 0), assert_int_equal(s[1], 2), assert_int_equal(s[2], 1);
    t->key[0] = L("abo_step", 1); /* "not abo_step": higher step first */
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    order(&sp, list, s, p);
    assert_int_equal(s[0], 1);
    /* Cap 1850 and a threshold: min(max(listed - 1000, 0), 850) x 2 = 1700 for A and B,
     * 1600 for C; the tie A/B goes to the earlier listing (A). */
    t->n_keys = 0;
    t->term[0] = (struct score_term){.f = L("listed_days", 0).f, .weight = 2, .has_cap = 1,
                                     .cap = 850, .has_above = 1, .above = 1000};
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    order(&sp, list, s, p);
    assert_int_equal(s[0], 0), assert_int_equal(s[1], 1), assert_int_equal(s[2], 2);
    assert_true(p[0] == 1700 && p[1] == 1700 && p[2] == 1600);
    /* Tiers: a first tier for heart-lung puts C first whatever its points. */
    memset(&sp.prog, 0, sizeof sp.prog);
    t = add_tier(&sp.prog, "HL");
    t->when[t->n_when++] = L("heart_lung", 0);
    t = add_tier(&sp.prog, "REST");
    t->term[t->n_terms++] = TERM("listed_days", 1, 0, 0);
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    order(&sp, list, s, p);
    assert_int_equal(s[0], 2), assert_int_equal(s[1], 0), assert_int_equal(s[2], 1);
    assert_true(p[0] == 0); /* no terms: 0 points */
}

static void test_reason_breaks_points_down(void **state)
{
    (void)state;
    static struct score_heart_par sp;
    struct cand c[3];
    struct cand *list[3];
    heart_par_defaults(&sp.g);
    heart_guideline(&sp.prog, 0);
    three(c, list);
    cand_set_status(&c[0], 1000, ST_NT, 0);
    cand_set_status(&c[0], 1045, ST_T, 0);
    struct donor d;
    memset(&d, 0, sizeof d);
    d.abo = ABO_O;
    d.weight_kg = d.tlc_l = NAN;
    struct match m[3];
    ranked(&score_heart_ops, &sp, &d, list, 3, 0, m);
    char buf[600], grp[40];
    /* C (heart-lung) first in T; then A with 2000 - 45 + 30 = 1985 points. */
    assert_ptr_equal(m[1].c, &c[0]);
    assert_true(m[1].points == 1985);
    score_heart_ops.reason(&sp, &d, DAY, &m[1], buf, sizeof buf);
    assert_string_equal(buf, "tier T; keys: heart_lung no, immunised no, abo_step 1; points 1985 = "
                             "listed_days 2000 x 1 + nt_days 45 x -1 + nt_days 45 cap 30 -> 30 x 1");
    score_heart_ops.group_name(&sp, &m[1], grp, sizeof grp);
    assert_string_equal(grp, "T");
    assert_int_equal(m[1].group, HEART_GRP_T); /* the guideline's group stays in the match */
    /* Two HU children (by age) of one tier, the in-patient with fewer days: under
     * child.inpatient among_children (inherited from bak2021) the in-patient takes the first
     * child's place and its points, and the reason says so with its own points. */
    for (uint32_t i = 0; i < 2; i++) {
        cand_init(&c[i], 10 + i, PROG_HEART, 500.0 * i);
        c[i].abo = ABO_O;
        c[i].birth_day = DAY - 10 * 365.25;
        c[i].inpatient = i == 1;
    }
    assert_int_equal(ranked(&score_heart_ops, &sp, &d, list, 2, 0, m), 2);
    assert_ptr_equal(m[0].c, &c[1]);
    assert_true(m[0].points == 2000 && m[1].points == 1500);
    score_heart_ops.reason(&sp, &d, DAY, &m[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "points 2000 (another child's place"));
    assert_non_null(strstr(buf, "own points 1500)"));
    score_heart_ops.reason(&sp, &d, DAY, &m[1], buf, sizeof buf);
    assert_non_null(strstr(buf, "points 1500 (another child's place"));
    /* With child.inpatient off the children keep their own order and points. */
    sp.g.child_inpatient = HEART_CHILD_PREF_OFF;
    ranked(&score_heart_ops, &sp, &d, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &c[0]);
    assert_true(m[0].points == 2000);
    score_heart_ops.reason(&sp, &d, DAY, &m[0], buf, sizeof buf);
    assert_null(strstr(buf, "another child's place"));
}

/* survival_1y (Transplantation Act §12(3), docs/rules.md §4.4): the one-year survival of the
 * outcomes model for this candidate with this donor, from the heart policy's own outcome
 * parameters. Checked against the formula written out here, against outc_surv() of the
 * model's hazard ratio, and in the directions the covariates must move it. */
static double survival_points(const struct score_heart_par *sp, struct cand *c, double donor_age)
{
    struct donor d;
    memset(&d, 0, sizeof d);
    d.abo = ABO_O;
    d.age_years = donor_age;
    d.weight_kg = d.tlc_l = NAN;
    struct match m[1];
    struct cand *list[1] = {c};
    assert_int_equal(ranked(&score_heart_ops, sp, &d, list, 1, 0, m), 1);
    assert_true(m[0].eligible);
    /* The feature is the model's survival exactly (one term, weight 1: 0 + 1 x v = v). */
    const struct outc_heart *o = &sp->g.outc;
    const double want = outc_surv(&o->death, outc_heart_hr(o, c, &d, DAY, NULL), 365.25);
    assert_true(m[0].points == want);
    return m[0].points;
}

static void test_survival_feature(void **state)
{
    (void)state;
    static struct score_heart_par sp;
    char msg[200];
    heart_par_defaults(&sp.g);
    memset(&sp.prog, 0, sizeof sp.prog);
    struct score_tier *t = add_tier(&sp.prog, "ALL");
    t->term[t->n_terms++] = TERM("survival_1y", 1, 0, 0);
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    const int f = score_feature_find("survival_1y");
    assert_true(f >= 0 && score_features[f].organs == SCORE_HEART
                && score_features[f].kind == SCORE_NUM && score_features[f].key_bits == 0);
    assert_string_equal(score_features[f].unit, "probability");

    /* The reference recipient: T, 40 years, first heart, no dMCS; donor 30 years. Its survival
     * is exp(-H0(1 year)) of the baseline written out from the parameters. */
    struct cand c;
    cand_init(&c, 0, PROG_HEART, DAY - 300);
    c.abo = ABO_O;
    c.birth_day = DAY - 40 * 365.25;
    const struct outc_haz *h = &sp.g.outc.death;
    const double s0 = exp(-(h->early * (1 - exp(-365.25 / h->early_days)) + h->late_per_year));
    const double ref = survival_points(&sp, &c, 30);
    assert_true(fabs(ref - s0) < 1e-12);
    assert_true(ref > 0.85 && ref < 0.95); /* about 0.89 with the calibrated defaults */
    /* A donor without an age counts as younger than 40, as in the outcomes model. */
    assert_true(survival_points(&sp, &c, NAN) == ref);
    /* Older donors: lower, in the model's bands (40, 50, 55). */
    const double d45 = survival_points(&sp, &c, 45), d52 = survival_points(&sp, &c, 52),
                 d60 = survival_points(&sp, &c, 60);
    assert_true(ref > d45 && d45 > d52 && d52 > d60);
    assert_true(fabs(d60 - pow(s0, sp.g.outc.hr_donor_55)) < 1e-12);
    /* HU at transplant: lower, by the hazard ratio hr_hu. */
    cand_set_status(&c, DAY - 10, ST_HU, 0);
    const double hu = survival_points(&sp, &c, 30);
    assert_true(hu < ref);
    assert_true(fabs(hu - pow(s0, sp.g.outc.hr_hu)) < 1e-12);
    /* ... with dMCS lower still, and the donor's age widens the gap. */
    c.dmcs = 1;
    const double hu_dmcs = survival_points(&sp, &c, 30);
    assert_true(hu_dmcs < hu);
    assert_true(survival_points(&sp, &c, 60) - d60 < hu_dmcs - ref);
    /* An older recipient and a re-transplant: lower. */
    cand_set_status(&c, DAY - 5, ST_T, 0);
    c.dmcs = 0;
    assert_true(survival_points(&sp, &c, 30) == ref);
    c.birth_day = DAY - 60 * 365.25;
    assert_true(survival_points(&sp, &c, 30) < ref);
    c.birth_day = DAY - 40 * 365.25;
    c.prior_tx_day = DAY - 2000;
    assert_true(survival_points(&sp, &c, 30) < ref);
    c.prior_tx_day = NAN;
    /* It reads the policy's outcome parameters: with hr_hu = 1 urgency costs nothing. */
    sp.g.outc.hr_hu = 1.0;
    cand_set_status(&c, DAY - 1, ST_HU, 0);
    assert_true(survival_points(&sp, &c, 30) == ref);
    sp.g.outc.hr_hu = 1.3;

    /* As a points term it orders: an HU candidate listed earlier comes after a T one when only
     * the survival counts, and the reason names the value. */
    struct cand two[2];
    struct cand *list[2] = {&two[0], &two[1]};
    for (uint32_t i = 0; i < 2; i++) {
        cand_init(&two[i], i, PROG_HEART, 100.0 * i);
        two[i].abo = ABO_O;
        two[i].birth_day = DAY - 40 * 365.25;
    }
    cand_set_status(&two[0], 500, ST_HU, 0);
    struct donor d;
    memset(&d, 0, sizeof d);
    d.abo = ABO_O;
    d.age_years = 30;
    d.weight_kg = d.tlc_l = NAN;
    struct match m[2];
    assert_int_equal(ranked(&score_heart_ops, &sp, &d, list, 2, 0, m), 2);
    assert_ptr_equal(m[0].c, &two[1]);
    assert_true(m[0].points == ref);
    char buf[300];
    score_heart_ops.reason(&sp, &d, DAY, &m[0], buf, sizeof buf);
    snprintf(msg, sizeof msg, "points %.6g = survival_1y %.6g x 1", ref, ref);
    assert_non_null(strstr(buf, msg));
    /* Counter-check: without the term the earlier listing (the HU candidate) comes first. */
    t->n_terms = 0;
    assert_int_equal(score_prog_finish(&sp.prog, ORGAN_HEART, msg, sizeof msg), 0);
    ranked(&score_heart_ops, &sp, &d, list, 2, 0, m);
    assert_ptr_equal(m[0].c, &two[0]);
    /* The feature exists for the heart only. */
    score_feature_names(ORGAN_PANCREAS, "points", buf, sizeof buf);
    assert_null(strstr(buf, "survival_1y"));
    score_feature_names(ORGAN_HEART, "keys", buf, sizeof buf);
    assert_null(strstr(buf, "survival_1y"));
}

static void test_feature_table(void **state)
{
    (void)state;
    char buf[2000];
    for (size_t i = 0; i < score_n_features; i++) {
        const struct score_feature *f = &score_features[i];
        assert_true(f->organs != 0 && f->meaning[0] && f->source[0]);
        assert_int_equal(score_feature_find(f->name), (int)i);
        assert_true(f->kind == SCORE_COND ? f->key_bits == 1 : f->key_bits == 0 || strcmp(f->name, "abo_step") == 0);
    }
    assert_int_equal(score_feature_find("nonsense"), -1);
    score_feature_names(ORGAN_PANCREAS, "when", buf, sizeof buf);
    assert_non_null(strstr(buf, "df_low"));
    assert_null(strstr(buf, "urgent"));
    assert_null(strstr(buf, "wait_days"));
}

/* policy_ops.match_keyed of the heart score (the engine's pass over the list keys, with the HU
 * group ranked first or the points left for the tiers that can be asked) gives match()'s first
 * `want` matches field for field, for three programs: the guideline restated (a first tier
 * `urgent`), a first tier on another condition with a key, and a single tier. */
static void test_heart_match_keyed_equals_match(void **state)
{
    (void)state;
    enum { DONORS = 80 };
    static struct score_heart_par sp;
    static struct cand c[NC];
    static struct cand *list[NC];
    static struct cand_key keys[NC];
    static struct match a[NC], b[NC];
    const size_t wants[] = {1, 8, 30, SIZE_MAX};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 31);
    for (int prog = 0; prog < 3; prog++) {
        heart_par_defaults(&sp.g);
        struct score_prog *g = &sp.prog;
        if (prog == 0) {
            heart_guideline(g, 0);
        } else {
            memset(g, 0, sizeof *g);
            struct score_tier *t = add_tier(g, "first");
            if (prog == 1) {
                t->when[t->n_when++] = L("child", 0);
                t->key[t->n_keys++] = L("abo_step", 0);
                t->term[t->n_terms++] = TERM("listed_days", 1, 0, 0);
                t = add_tier(g, "rest");
            }
            t->key[t->n_keys++] = L("urgent", 0);
            t->term[t->n_terms++] = TERM("listed_days", 1, 0, 0);
            t->term[t->n_terms++] = TERM("hu_days", 3, 0, 0);
            char msg[200];
            assert_int_equal(score_prog_finish(g, ORGAN_HEART, msg, sizeof msg), 0);
        }
        for (int dn = 0; dn < DONORS; dn++) {
            if (dn % 20 == 0)
                for (uint32_t i = 0; i < NC; i++) {
                    candidate(r, &c[i], i, ORGAN_HEART, &score_heart_ops, &sp);
                    /* a short HU group on every other list, so both paths run */
                    if ((dn / 20) % 2 && c[i].w.status == ST_HU && gsl_rng_uniform(r) < 0.9)
                        cand_set_status(&c[i], DAY, ST_T, 0);
                    list[i] = &c[i];
                    keys[i] = cand_key_of(&c[i]);
                }
            struct donor d = donor(r);
            for (size_t w = 0; w < sizeof wants / sizeof wants[0]; w++) {
                size_t na = score_heart_ops.match(&sp, &d, DAY, list, NC, 0, a);
                static uint32_t hot[NC];
                size_t nhot = 0;
                for (uint32_t i = 0; i < NC; i++)
                    if (score_heart_ops.key_hot(&sp, &keys[i], DAY) || i % 13 == 0) hot[nhot++] = i;
                const struct keyed_list kl = {.v = list, .k = keys, .n = NC, .hot = hot, .nhot = nhot};
                size_t nb = score_heart_ops.match_keyed(&sp, &d, DAY, &kl, wants[w], b);
                assert_true(nb <= na);
                size_t ka = match_top(a, na, wants[w]), kb = match_top(b, nb, wants[w]);
                assert_int_equal(ka, kb);
                for (size_t i = 0; i < ka; i++) assert_memory_equal(&a[i], &b[i], sizeof a[i]);
            }
        }
    }
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feature_table),
        cmocka_unit_test(test_finish_checks),
        cmocka_unit_test(test_keys_caps_and_thresholds),
        cmocka_unit_test(test_reason_breaks_points_down),
        cmocka_unit_test(test_survival_feature),
        cmocka_unit_test(test_heart_guideline_as_score),
        cmocka_unit_test(test_heart_match_keyed_equals_match),
        cmocka_unit_test(test_pancreas_guideline_as_score),
        cmocka_unit_test(test_every_hook_delegated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
