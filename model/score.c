/* score.c — score policies (see score.h): the feature table, the per-donor pass that places every
 * eligible candidate in a tier and sums its points, the reasons `wlsim rank` prints, and the
 * delegation of every other hook to the organ's guideline policy.
 *
 * Floating point: a score that restates a guideline rule gives the guideline's points bit for
 * bit when its terms add the same quantities in the same order (0 + 1 x a = a exactly;
 * a + (-1) x b = a - b exactly). The build is ISO C (-std=c11), so the compiler does not fuse
 * `acc + w * v` into one multiply-add that would round differently. */
#include "score.h"

#include <math.h>
#include <string.h>

#include "outcome.h"
#include "sb.h"

/* Feature indices, in the order of score_features[]. */
enum {
    F_LISTED_DAYS = 0,
    F_NT_DAYS,
    F_AGE,
    F_DONOR_AGE,
    F_AGE_DIFF,
    F_PRA,
    F_ABO_STEP,
    C_ABO_IDENTICAL,
    C_SAME_REGION,
    C_INPATIENT,
    /* heart */
    C_URGENT,
    C_HU_STATUS,
    C_CHILD,
    C_HEART_LUNG,
    C_COMBINED,
    C_IMMUNISED,
    C_PRA_HIGH,
    C_CHILD_OUTPATIENT,
    C_DMCS,
    C_DMCS_HU,
    F_HU_DAYS,
    F_HU_WAIT,
    F_HU_SPELL,
    F_SURV_1Y,
    /* pancreas */
    C_SU,
    C_DF_LOW,
    C_PANCREAS_KIDNEY,
    C_RELISTED,
    C_SU_HYPO,
    F_SU_DAYS,
    F_T_WAIT,
    F_NT_CREDITED,
    F_RELIST,
    F_WAIT,
    F_REGIONAL_WAIT,
    F_N
};

#define H SCORE_HEART
#define P SCORE_PANCREAS
#define HP (SCORE_HEART | SCORE_PANCREAS)

const struct score_feature score_features[] = {
    {"listed_days", SCORE_NUM, HP, 0, "days", "Days since listing.",
     "001 §III.3.4 and 003 §III.5.5.1 (Wartezeit ab Aufnahme in die Warteliste)"},
    {"nt_days", SCORE_NUM, HP, 0, "days", "Days in NT status since listing, all episodes.",
     "001 §III.3.4 (NT days in the T-group waiting time), 003 §III.5.5.1"},
    {"age_years", SCORE_NUM, HP, 0, "years", "The candidate's age on the match day.",
     "001 §III.3.2.1 (children); not a points criterion of either guideline"},
    {"donor_age_years", SCORE_NUM, HP, 0, "years", "The donor's age (0 when unknown).",
     "not a criterion of either guideline (for reforms)"},
    {"age_diff_years", SCORE_NUM, HP, 0, "years",
     "Absolute difference between donor and candidate age (0 when the donor age is unknown).",
     "not a criterion of either guideline (age matching, for reforms)"},
    {"pra", SCORE_NUM, HP, 0, "%", "The candidate's current PRA (0 when unknown).",
     "001 §III.3.4 Hochimmunisierte Patienten"},
    {"abo_step", SCORE_NUM, HP, 2, "step",
     "ABO step: heart 1 identical, 2 and 3 the compatible steps, 4 incompatible under the infant "
     "option; pancreas 1 identical, 2 compatible. As a key: the lower step first.",
     "001 §III.3.4 (three tables), 003 §III.5.4"},
    {"abo_identical", SCORE_COND, HP, 1, "", "The donor's blood group is the candidate's.",
     "001 §III.3.4, 003 §III.5.4 and §III.5.7"},
    {"same_region", SCORE_COND, HP, 1, "",
     "The candidate's centre is in the donor's region (both known).",
     "003 §III.5.6 (regional bonus); no heart criterion"},
    {"inpatient", SCORE_COND, HP, 1, "", "The candidate is treated as an in-patient.",
     "001 §III.3.2.1 (in-patient children)"},

    {"urgent", SCORE_COND, H, 1, "",
     "In the HU group: status HU, or a child (as `child`) while child.always_hu is on.",
     "001 §III.3.2.1, §III.3.4 (group 1: HU)"},
    {"hu_status", SCORE_COND, H, 1, "", "Status HU (children by age alone excluded).",
     "001 §III.3.2.1"},
    {"child", SCORE_COND, H, 1, "",
     "A child for §III.3.2.1: younger than child.age on the match day, or past it and confirmed "
     "still growing (the candidate attribute `growing`).",
     "001 §III.3.2.1 (\"bis zu einem Alter von 16 Jahren\", \"noch im Wachstum\")"},
    {"heart_lung", SCORE_COND, H, 1, "", "Listed for a combined heart-lung transplant.",
     "001 §III.3.4 (heart-lung before heart)"},
    {"combined", SCORE_COND, H, 1, "",
     "An audited combined transplant of the heart with another non-renal organ.",
     "001 §III.3.4 (group 2: combined transplants)"},
    {"immunised", SCORE_COND, H, 1, "",
     "Highly immunised and suitable: PRA above immunised.pra_threshold, donor HLA-typed, HLA "
     "acceptable (never when immunised.scope is off).",
     "001 §III.3.4 Hochimmunisierte Patienten"},
    {"pra_high", SCORE_COND, H, 1, "", "PRA above immunised.pra_threshold, whatever the donor.",
     "001 §III.3.4 (\"PRA über 50 %\")"},
    {"child_outpatient", SCORE_COND, H, 1, "", "A child (as `child`) who is not an in-patient.",
     "001 §III.3.2.1 (in-patient children first within HU)"},
    {"dmcs", SCORE_COND, H, 1, "", "On durable mechanical circulatory support.",
     "001 §III.3.2.1.2"},
    {"dmcs_hu", SCORE_COND, H, 1, "", "In HU status while on dMCS (HU by a dMCS complication).",
     "001 §III.3.2.1.2.1-8"},
    {"hu_days", SCORE_NUM, H, 0, "days", "Days spent in HU status, all spells (NT days never count).",
     "001 §III.3.4 (HU waiting time)"},
    {"hu_wait_days", SCORE_NUM, H, 0, "days",
     "The HU group's waiting time as bak2021 counts it: hu_days plus the days listed under "
     "child.age that were neither NT nor recorded as HU (a growing adolescent keeps them); for a "
     "child (as `child`) with child.always_hu and child.points = listed, the days listed outside NT.",
     "001 §III.3.4 with §III.3.2.1 and §III.3.2.1.1 (docs/rules.md §1, child.points)"},
    {"hu_spell_days", SCORE_NUM, H, 0, "days",
     "Days since the current uninterrupted HU spell began (0 unless status HU).",
     "001 §III.3.5 (HU re-evaluation); for continuous urgency scores"},
    {"survival_1y", SCORE_NUM, H, 0, "probability",
     "Expected survival one year after a transplant of this donor's heart, from the outcomes "
     "model's covariates (urgency and dMCS at transplant, recipient and donor age, "
     "re-transplant, heart-lung) and its parameters (model.heart.outcome.*): exp(-hr x H0(365.25 "
     "days)). A donor without an age counts as younger than 40, as in the outcomes model.",
     "§12(3) sentence 1 TPG (\"nach Erfolgsaussicht und Dringlichkeit\"), restated in 001 "
     "§II.1 c) with the criteria of success in §II.1 d); not a ranking criterion of 001 §III.3.4 "
     "(for reforms; the model: docs/model.md, Outcomes after transplant)"},

    {"su", SCORE_COND, P, 1, "", "Status SU (special urgency).", "003 §III.5.2"},
    {"df_low", SCORE_COND, P, 1, "",
     "Donor frequency below 10 % and the preference counts for this donor (donor HLA-typed when "
     "df.requires_hla_typing is on).", "003 §III.5.3, §III.5.7 (groups 1-4)"},
    {"pancreas_kidney", SCORE_COND, P, 1, "", "Listed for a combined pancreas-kidney transplant.",
     "003 §III.5 (joint list); no order criterion"},
    {"relisted", SCORE_COND, P, 1, "", "Has a relisting credit after graft loss.",
     "003 §III.5.5.2"},
    {"su_hypo", SCORE_COND, P, 1, "",
     "Status SU on the criterion hypoglycaemia unawareness (su_reason hypo), while "
     "su.reason_order is hypo_first (bak2026 then prefers it within its SU group).",
     "003 §III.5.5.1 with §III.5.2.1 (\"werden bevorzugt transplantiert\")"},
    {"su_days", SCORE_NUM, P, 0, "days",
     "SU waiting time as su.points_since counts it (0 unless status SU).", "003 §III.5.5.1"},
    {"t_wait_days", SCORE_NUM, P, 0, "days",
     "T waiting time: days listed minus NT days plus NT days under a waiting-time application "
     "(0 in SU).", "003 §III.5.5.1"},
    {"nt_credited_days", SCORE_NUM, P, 0, "days",
     "NT days covered by a waiting-time application (0 in SU).", "003 §III.5.5.1"},
    {"relist_credit_days", SCORE_NUM, P, 0, "days",
     "Relisting credit: the earlier waiting time times the band percentage (0 in SU).",
     "003 §III.5.5.2"},
    {"wait_days", SCORE_NUM, P, 0, "days",
     "The waiting time of the candidate's urgency: su_days in SU, else t_wait_days + "
     "relist_credit_days (bak2026's points before the regional bonus).", "003 §III.5.5"},
    {"regional_wait_days", SCORE_NUM, P, 0, "days",
     "The base of the regional bonus: wait_days (without the relisting credit when "
     "regional.bonus_on_credit is off) for a candidate of the donor's region, in SU only when "
     "regional.bonus_in_su is on; else 0. bak2026 adds regional.bonus_factor times it.",
     "003 §III.5.6, §III.5.7 last sentence"},
};
const size_t score_n_features = sizeof score_features / sizeof score_features[0];

_Static_assert(sizeof score_features / sizeof score_features[0] == F_N, "feature table and enum");
_Static_assert(F_N <= 64, "feature index fits a byte and a bit of score_prog.uses");

#undef H
#undef P
#undef HP

#define SCORE_NEED_PTS 1u /* pancreas_points() per candidate */
#define TIER_FLAG_SHIFT 16 /* match.flags bits 16.. hold the tier index (the guideline's flags stay below) */

/* ------------------------------------------------------------------------------------------ */
/* Table look-ups                                                                              */

int score_feature_find(const char *name)
{
    for (size_t i = 0; i < score_n_features; i++)
        if (strcmp(score_features[i].name, name) == 0) return (int)i;
    return -1;
}

static int role_ok(const struct score_feature *f, const char *role)
{
    if (strcmp(role, "when") == 0) return f->kind == SCORE_COND;
    if (strcmp(role, "keys") == 0) return f->key_bits > 0;
    return 1;
}

const char *score_feature_names(enum organ organ, const char *role, char *buf, size_t len)
{
    size_t used = 0;
    if (len) buf[0] = '\0';
    for (size_t i = 0; i < score_n_features && used < len; i++) {
        const struct score_feature *f = &score_features[i];
        if (!(f->organs & (1u << organ)) || !role_ok(f, role)) continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", f->name);
    }
    return buf;
}

int score_is(const struct policy_ops *ops)
{
    return ops == &score_heart_ops || ops == &score_pancreas_ops;
}

struct score_prog *score_prog_of(void *par, enum organ organ)
{
    return organ == ORGAN_HEART ? &((struct score_heart_par *)par)->prog
                                : &((struct score_pancreas_par *)par)->prog;
}

static void build_table(struct score_prog *g);

/* Bits of a candidate's condition mask: the conditions the tiers and keys read first (n_sel of
 * them; -1 when more than SCORE_TABLE_BITS), then those only points read; an unread condition
 * lands on bit 63, which nothing reads. */
static void assign_bits(struct score_prog *g)
{
    uint64_t sel = 0;
    for (int i = 0; i < g->n_tiers; i++) {
        const struct score_tier *t = &g->tier[i];
        for (int k = 0; k < t->n_when; k++) sel |= 1ull << t->when[k].f;
        for (int k = 0; k < t->n_keys; k++)
            if (t->key[k].f != F_ABO_STEP) sel |= 1ull << t->key[k].f;
    }
    int n = 0;
    memset(g->pos, 63, sizeof g->pos);
    for (int f = 0; f < F_N; f++)
        if (sel >> f & 1) g->pos[f] = (uint8_t)n++;
    g->n_sel = n <= SCORE_TABLE_BITS ? n : -1;
    for (int f = 0; f < F_N; f++)
        if ((g->uses >> f & 1) && !(sel >> f & 1) && score_features[f].kind == SCORE_COND)
            g->pos[f] = (uint8_t)n++;
}

int score_prog_finish(struct score_prog *g, enum organ organ, char *msg, size_t len)
{
    g->organ = organ;
    g->need = 0;
    if (g->n_tiers < 1) {
        snprintf(msg, len, "expected at least one tier, found none");
        return -1;
    }
    int widest = 0;
    g->uses = 0;
    for (int i = 0; i < g->n_tiers; i++) {
        struct score_tier *t = &g->tier[i];
        for (int k = 0; k < t->n_when; k++) g->uses |= 1ull << t->when[k].f;
        for (int k = 0; k < t->n_keys; k++) g->uses |= 1ull << t->key[k].f;
        for (int k = 0; k < t->n_terms; k++) g->uses |= 1ull << t->term[k].f;
        for (int j = 0; j < i; j++)
            if (strcmp(g->tier[j].name, t->name) == 0) {
                snprintf(msg, len, "expected each tier name once, found '%s' twice", t->name);
                return -1;
            }
        int bits = 0;
        for (int k = 0; k < t->n_keys; k++) bits += score_features[t->key[k].f].key_bits;
        if (bits > widest) widest = bits;
    }
    /* The pancreas day counts come from one pancreas_points() call per candidate. */
    for (int f = F_SU_DAYS; f <= F_REGIONAL_WAIT; f++)
        if (g->uses >> f & 1) g->need |= SCORE_NEED_PTS;
    if (g->uses >> C_RELISTED & 1) g->need |= SCORE_NEED_PTS;
    assign_bits(g);
    for (int i = 0; i < g->n_tiers; i++) { /* keys left-aligned below the tier index */
        struct score_tier *t = &g->tier[i];
        t->when_pos = t->when_neg = 0;
        for (int k = 0; k < t->n_when; k++)
            *(t->when[k].neg ? &t->when_neg : &t->when_pos) |= 1ull << g->pos[t->when[k].f];
        int at = widest;
        for (int k = 0; k < t->n_keys; k++) {
            at -= score_features[t->key[k].f].key_bits;
            t->key_shift[k] = (uint8_t)at;
        }
        for (int k = 0; k < t->n_terms; k++) {
            t->term[k].cond = score_features[t->term[k].f].kind == SCORE_COND;
            t->term[k].bit = g->pos[t->term[k].f];
            t->term[k].lim = t->term[k].has_cap ? t->term[k].cap : INFINITY;
        }
    }
    if (g->tier[g->n_tiers - 1].n_when != 0) {
        snprintf(msg, len, "expected the last tier ('%s') without conditions, so that every "
                 "eligible candidate has a tier, found %d condition(s)",
                 g->tier[g->n_tiers - 1].name, g->tier[g->n_tiers - 1].n_when);
        return -1;
    }
    int tbits = 0;
    while ((1 << tbits) < g->n_tiers) tbits++;
    if (widest + tbits > 31) {
        snprintf(msg, len, "expected keys of at most %d bits per tier, found %d", 31 - tbits,
                 widest);
        return -1;
    }
    g->tier_shift = widest;
    build_table(g);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                  */

/* One candidate against one donor: the inputs every feature reads, and every condition at once
 * as a bit mask over feature indices (a handful of field tests, cheaper than evaluating each
 * condition where a tier or key names it). */
struct ev {
    const struct score_prog *g;
    const void *gp; /* struct heart_par or struct pancreas_par */
    const struct donor *d;
    const struct cand *c;
    double day, age;
    int step;
    int grp;                   /* heart: the guideline group */
    int su, df;                /* pancreas */
    uint64_t mask;             /* bit f set when condition f holds */
    struct pancreas_points pt; /* pancreas, when SCORE_NEED_PTS */
};

#define BIT(f, cond) ((uint64_t)((cond) != 0) << (f)) /* feature-indexed (prog.uses) */
#define CBIT(x, f, cond) ((uint64_t)((cond) != 0) << (x)->g->pos[f]) /* a candidate's mask */

static int same_region(const struct cand *c, const struct donor *d)
{
    return c->region >= 0 && d->region >= 0 && c->region == d->region;
}

/* survival_1y: the one-year survival the outcomes model gives x's candidate with x's donor on the
 * match day, from the outcome parameters the heart policy draws the course with (so a parameter
 * drawn by --uncertainty moves the feature and the outcome together). Out of line and only
 * called from a term that names the feature: two exponentials per candidate that no other
 * feature pays for, and a loop body that stays as small as without it. */
__attribute__((noinline)) static double survival_1y(const struct ev *x)
{
    const struct outc_heart *o = &((const struct heart_par *)x->gp)->outc;
    return outc_surv(&o->death, outc_heart_hr(o, x->c, x->d, x->day, NULL), 365.25);
}

/* A number feature's value for x (conditions come from the mask): one switch over every
 * feature, so a term costs one dispatch. */
static double fval(const struct ev *x, int f)
{
    const struct cand *c = x->c;
    const struct pancreas_points *pt = &x->pt;
    double v;
    switch (f) {
    case F_LISTED_DAYS: return cand_listed_days(c, x->day);
    case F_NT_DAYS: return cand_nt_days(c, x->day);
    case F_AGE: return isfinite(x->age) ? x->age : 0.0;
    case F_DONOR_AGE: return isfinite(x->d->age_years) ? x->d->age_years : 0.0;
    case F_AGE_DIFF: v = fabs(x->d->age_years - x->age); return isfinite(v) ? v : 0.0;
    case F_PRA: return isfinite(c->pra) ? c->pra : 0.0;
    case F_ABO_STEP: return x->step;
    /* heart */
    case F_HU_DAYS: return cand_hu_days(c, x->day);
    case F_HU_WAIT: return heart_hu_points(x->gp, c, x->day, heart_is_child(x->gp, c, x->age));
    case F_HU_SPELL: return c->w.status == ST_HU ? cand_spell_days(c, x->day) : 0.0;
    case F_SURV_1Y: return survival_1y(x);
    /* pancreas: from the one pancreas_points() of the candidate */
    case F_SU_DAYS: return pt->su_days;
    case F_T_WAIT: return pt->su ? 0.0 : pt->listed_days - pt->nt_days + pt->nt_credited;
    case F_NT_CREDITED: return pt->nt_credited;
    case F_RELIST: return pt->relist_days;
    case F_WAIT: return pt->wait;
    case F_REGIONAL_WAIT: {
        /* The same quantity pancreas_points() multiplies by regional.bonus_factor. */
        const struct pancreas_par *p = x->gp;
        if (!same_region(c, x->d)) return 0.0;
        if (pt->su) return p->regional_in_su ? pt->wait : 0.0;
        return p->regional_on_credit ? pt->wait : pt->listed_days - pt->nt_days + pt->nt_credited;
    }
    default: return 0.0; /* conditions: read from the mask by the callers */
    }
}

/* The conditions both organs have, those of them the program reads. */
static uint64_t common_mask(const struct score_prog *g, const struct ev *x)
{
    uint64_t m = CBIT(x, C_ABO_IDENTICAL, x->step == 1);
    if (g->uses & BIT(C_SAME_REGION, 1)) m |= CBIT(x, C_SAME_REGION, same_region(x->c, x->d));
    if (g->uses & BIT(C_INPATIENT, 1)) m |= CBIT(x, C_INPATIENT, x->c->inpatient);
    return m;
}

/* Sets x->grp and x->mask for a heart candidate the guideline ranks. The dMCS fields lie in a
 * part of struct cand the ranking does not otherwise touch, so they are read only when the
 * program asks for them (one cache line less per candidate). */
static void heart_ev(const struct score_prog *g, struct ev *x)
{
    const struct heart_par *p = x->gp;
    const struct cand *c = x->c;
    const int child = heart_is_child(p, c, x->age), hu = c->w.status == ST_HU;
    const int pra_high = c->pra > p->pra_threshold;
    x->grp = heart_group(p, c, x->age);
    x->mask = common_mask(g, x) | CBIT(x, C_URGENT, x->grp == HEART_GRP_HU)
              | CBIT(x, C_HU_STATUS, hu) | CBIT(x, C_CHILD, child)
              | CBIT(x, C_HEART_LUNG, c->prog == PROG_HEART_LUNG)
              | CBIT(x, C_COMBINED, c->combined_audited)
              | CBIT(x, C_IMMUNISED, p->immunised_scope != HEART_IMM_OFF && pra_high
                                         && x->d->hla_typed && c->hla_ok)
              | CBIT(x, C_CHILD_OUTPATIENT, child && !c->inpatient);
    if (g->uses & BIT(C_PRA_HIGH, 1)) x->mask |= CBIT(x, C_PRA_HIGH, pra_high);
    if (g->uses & (BIT(C_DMCS, 1) | BIT(C_DMCS_HU, 1)))
        x->mask |= CBIT(x, C_DMCS, c->dmcs) | CBIT(x, C_DMCS_HU, c->dmcs && hu);
}

/* A term's contribution before the weight. */
static double term_value(const struct score_term *t, double v)
{
    if (t->has_above) v = v > t->above ? v - t->above : 0.0;
    return v < t->lim ? v : t->lim; /* lim: the cap, or +inf (then v itself: no branch) */
}

/* The tier x falls in (the last one has no conditions, so there is always one). */
static int tier_of(const struct score_prog *g, const struct ev *x)
{
    int i = 0;
    for (; i < g->n_tiers - 1; i++) {
        const struct score_tier *t = &g->tier[i];
        if ((x->mask & t->when_pos) == t->when_pos && !(x->mask & t->when_neg)) break;
    }
    return i;
}

/* The packed key of x in tier i: the tier index, then each key's bits (0 ranks first). */
static uint32_t key_of(const struct score_prog *g, int i, const struct ev *x)
{
    const struct score_tier *t = &g->tier[i];
    uint32_t code = (uint32_t)i << g->tier_shift;
    for (int k = 0; k < t->n_keys; k++) {
        const struct score_lit l = t->key[k];
        uint32_t v;
        if (l.f != F_ABO_STEP) { /* a condition: 0 (first) when it holds, or with "not" when not */
            v = (uint32_t)(((x->mask >> g->pos[l.f]) & 1) ^ 1 ^ l.neg);
        } else {                 /* abo_step 1..4 -> 0..3 */
            v = x->step <= 1 ? 0 : x->step >= 4 ? 3 : (uint32_t)(x->step - 1);
            if (l.neg) v = 3 - v;
        }
        code |= v << t->key_shift[k];
    }
    return code;
}

/* The conditions the tiers and keys read, and for every combination of them and of the ABO step
 * the packed tier the two functions above give: per candidate one gather and one look-up instead
 * of a loop over the tiers and one over the keys. */
static void build_table(struct score_prog *g)
{
    if (g->n_sel < 0) return;
    const unsigned n = 1u << (g->n_sel + 2);
    for (unsigned idx = 0; idx < n; idx++) {
        struct ev x;
        memset(&x, 0, sizeof x);
        x.g = g;
        x.mask = idx & ((1u << g->n_sel) - 1);
        x.step = (int)(idx >> g->n_sel) + 1;
        g->table[idx] = key_of(g, tier_of(g, &x), &x);
    }
}

/* The packed match.tier of x (its tier index in the bits above tier_shift). */
static inline uint32_t packed(const struct score_prog *g, const struct ev *x)
{
    if (g->n_sel < 0) return key_of(g, tier_of(g, x), x);
    unsigned step = (unsigned)(x->step <= 1 ? 0 : x->step >= 4 ? 3 : x->step - 1);
    return g->table[(unsigned)(x->mask & ((1u << g->n_sel) - 1)) | step << g->n_sel];
}

static double points_of(const struct score_tier *t, const struct ev *x)
{
    double acc = 0.0;
    for (int k = 0; k < t->n_terms; k++) {
        const struct score_term *s = &t->term[k];
        const double v = s->cond ? (double)((x->mask >> s->bit) & 1) : fval(x, s->f);
        acc += s->weight * term_value(s, v);
    }
    return acc;
}

/* ------------------------------------------------------------------------------------------ */
/* Heart                                                                                       */

#define PREFETCH_AHEAD 8

/* The match of c, aged `age`, whom heart_exclusion() lets through with ABO step `step`: the
 * score's tier and (with `points`, else 0) its points; *t gets the tier's number. x carries the
 * donor and day. */
static inline struct match heart_score_one(const struct heart_par *p, struct ev *x, struct cand *c,
                                           double age, int step, int points, unsigned *t)
{
    const struct score_prog *g = x->g;
    x->c = c;
    x->age = age;
    x->step = step;
    heart_ev(g, x);
    const uint32_t tier = packed(g, x);
    *t = tier >> g->tier_shift;
    /* HEART_F_CHILD: what heart_child_places() reads. */
    const unsigned child = heart_is_child(p, c, age) ? HEART_F_CHILD : 0u;
    return (struct match){.c = c, .eligible = 1, .group = (int8_t)x->grp,
                          .abo_step = (int8_t)step, .flags = *t << TIER_FLAG_SHIFT | child,
                          .tier = tier, .points = points ? points_of(&g->tier[*t], x) : 0.0};
}

__attribute__((flatten)) /* one loop body: exclusion, conditions, keys and points inlined */
static size_t heart_score_match(const void *par, const struct donor *d, double day,
                                struct cand *const *list, size_t n, int want_excluded,
                                struct match *out)
{
    const struct score_heart_par *sp = par;
    const struct heart_par *p = &sp->g;
    const struct score_prog *g = &sp->prog;
    struct ev x = {.g = g, .gp = p, .d = d, .day = day};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n) __builtin_prefetch(list[i + PREFETCH_AHEAD]);
        struct cand *c = list[i];
        const double age = cand_age(c, day);
        int step;
        const int code = heart_exclusion(p, d, c, age, &step);
        if (code != HEART_EX_NONE) {
            if (want_excluded)
                out[k++] = (struct match){.c = c, .eligible = 0, .excl = (int8_t)code,
                                          .abo_step = (int8_t)step, .tier = UINT32_MAX};
            continue;
        }
        unsigned t;
        out[k++] = heart_score_one(p, &x, c, age, step, 1, &t);
    }
    /* The guideline's step after ranking (child.inpatient = among_children), inherited. */
    heart_child_places(p, out, k);
    return k;
}

/* ------------------------------------------------------------------------------------------ */
/* Pancreas                                                                                    */

/* Ranks the candidates out[from..to) (pointers in .c) into out[from..) in full, with their
 * points when `points`, else with points 0 and count[tier]++ for each; returns the new end.
 * Writes out[k] only after reading out[j], k <= j. */
static size_t score_rank_heart(const struct score_heart_par *sp, const struct donor *d, double day,
                               struct match *out, size_t from, size_t to, int points, size_t *count)
{
    const struct heart_par *p = &sp->g;
    const struct score_prog *g = &sp->prog;
    struct ev x = {.g = g, .gp = p, .d = d, .day = day};
    size_t k = from;
    for (size_t j = from; j < to; j++) {
        if (j + PREFETCH_AHEAD < to) __builtin_prefetch(out[j + PREFETCH_AHEAD].c);
        struct cand *c = out[j].c;
        const double age = cand_age(c, day);
        int step;
        if (heart_exclusion(p, d, c, age, &step) != HEART_EX_NONE) continue;
        unsigned t;
        out[k++] = heart_score_one(p, &x, c, age, step, points, &t);
        if (!points) count[t]++;
    }
    return k;
}

/* heart_score_match() for the engine (policy_ops.match_keyed). The list's keys first drop whom
 * NT, ABO or size excludes for sure (heart_keyed_class). When only the first `want` matches
 * are asked for:
 * - a first tier that is exactly the guideline's HU group (`when: [urgent]`) is ranked first,
 *   from the keys' group, and when it has `want` eligible candidates nobody else is ranked;
 * - otherwise the points (the costly part) wait until the tiers are counted: a candidate in a
 *   tier after the one where `want` eligible candidates are reached cannot be among the first
 *   `want`, and its points are never computed.
 * Whole tiers are left out, so heart_child_places() still sees every child of a tier. */
__attribute__((flatten))
static size_t heart_score_match_keyed(const void *par, const struct donor *d, double day,
                                      const struct keyed_list *l, size_t want, struct match *out)
{
    enum { HU_MAX = 256 };
    const struct score_heart_par *sp = par;
    const struct heart_par *p = &sp->g;
    const struct score_prog *g = &sp->prog;
    struct cand *const *list = l->v;
    const struct cand_key *keys = l->k;
    struct heart_keyed kp;
    heart_keyed_init(&kp, p, d, day);
    const int later = want != SIZE_MAX;
    int split = later && g->n_tiers > 1 && (g->uses & BIT(C_URGENT, 1))
                && g->tier[0].when_pos == 1ull << g->pos[C_URGENT] && !g->tier[0].when_neg;
    struct match hu[HU_MAX];
    size_t h = 0, m = 0;
    /* the HU group from the list's hot entries (policy_ops.key_hot, the guideline's) */
    for (size_t j = 0; split && j < l->nhot; j++) {
        const uint32_t i = l->hot[j];
        if (heart_keyed_class(&kp, &keys[i]) != 1) continue;
        if (h == HU_MAX) split = 0, h = 0; /* a long HU group: no split */
        else hu[h++].c = list[i];
    }
    size_t count[SCORE_MAX_TIERS] = {0};
    const size_t kh = score_rank_heart(sp, d, day, hu, 0, h, 1, count);
    if (!(split && kh >= want))
        for (size_t i = 0; i < l->n; i++) {
            const int cl = heart_keyed_class(&kp, &keys[i]);
            if (cl == 2 || (cl == 1 && !split)) out[m++].c = list[i];
        }
    size_t k = 0;
    if (!(split && kh >= want)) {
        k = score_rank_heart(sp, d, day, out, 0, m, !later, count);
        if (later) {
            count[0] += kh;
            unsigned last = (unsigned)g->n_tiers - 1;
            size_t sum = 0;
            for (unsigned t = 0; t < (unsigned)g->n_tiers; t++)
                if ((sum += count[t]) >= want) {
                    last = t;
                    break;
                }
            struct ev x = {.g = g, .gp = p, .d = d, .day = day};
            size_t kept = 0;
            for (size_t j = 0; j < k; j++) {
                const unsigned t = out[j].tier >> g->tier_shift;
                if (t > last) continue;
                /* the same evaluation as score_rank_heart's, now with the points */
                x.c = out[j].c;
                x.age = cand_age(x.c, day);
                x.step = out[j].abo_step;
                heart_ev(g, &x);
                out[j].points = points_of(&g->tier[t], &x);
                out[kept++] = out[j];
            }
            k = kept;
        }
    }
    if (kh) memcpy(out + k, hu, kh * sizeof *hu); /* out is NULL for an empty list */
    k += kh;
    heart_child_places(p, out, k);
    return k;
}

static void pancreas_ev(const struct score_prog *g, struct ev *x)
{
    const struct pancreas_par *p = x->gp;
    x->su = x->c->w.status == ST_SU;
    x->df = x->c->df_low && (!p->df_requires_hla || x->d->hla_typed);
    if (g->need & SCORE_NEED_PTS) pancreas_points(p, x->c, x->d, x->day, &x->pt);
    x->mask = common_mask(g, x) | CBIT(x, C_SU, x->su) | CBIT(x, C_DF_LOW, x->df)
              | CBIT(x, C_PANCREAS_KIDNEY, x->c->prog == PROG_PANCREAS_KIDNEY)
              | CBIT(x, C_RELISTED, (g->need & SCORE_NEED_PTS) && x->pt.relist_days > 0)
              | CBIT(x, C_SU_HYPO, x->su && p->su_reason_order == PANCREAS_SU_REASON_HYPO_FIRST
                                       && x->c->su_reason == SU_REASON_HYPO);
}

__attribute__((flatten)) /* one loop body, as heart_score_match */
static size_t pancreas_score_match(const void *par, const struct donor *d, double day,
                                   struct cand *const *list, size_t n, int want_excluded,
                                   struct match *out)
{
    const struct score_pancreas_par *sp = par;
    const struct pancreas_par *p = &sp->g;
    const struct score_prog *g = &sp->prog;
    struct ev x = {.g = g, .gp = p, .d = d, .day = day};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct cand *c = list[i];
        int step;
        const int code = pancreas_exclusion(p, d, c, &step);
        if (code != PANCREAS_EXCL_NONE) {
            if (want_excluded)
                out[k++] = (struct match){.c = c, .eligible = 0, .excl = (int8_t)code,
                                          .abo_step = (int8_t)step, .tier = UINT32_MAX};
            continue;
        }
        x.c = c;
        x.age = cand_age(c, day);
        x.step = step;
        pancreas_ev(g, &x);
        const uint32_t tier = packed(g, &x);
        const unsigned t = tier >> g->tier_shift;
        /* match.group stays the guideline's group number (1-8) for the output. */
        out[k++] = (struct match){.c = c, .eligible = 1,
                                  .group = (int8_t)((x.df ? 0 : 4) + (x.su ? 0 : 2) + step),
                                  .abo_step = (int8_t)step, .flags = t << TIER_FLAG_SHIFT,
                                  .tier = tier, .points = points_of(&g->tier[t], &x)};
    }
    return k;
}

/* ------------------------------------------------------------------------------------------ */
/* Reasons                                                                                     */


static const struct score_prog *prog_c(const void *par, enum organ o)
{
    return o == ORGAN_HEART ? &((const struct score_heart_par *)par)->prog
                            : &((const struct score_pancreas_par *)par)->prog;
}

/* Any feature's value (conditions from the mask), for reasons. */
static double value(const struct ev *x, int f)
{
    return score_features[f].kind == SCORE_COND ? (double)((x->mask >> x->g->pos[f]) & 1)
                                                : fval(x, f);
}

static void lit_text(struct sb *s, struct score_lit l)
{
    sb_add(s, "%s%s", l.neg ? "not " : "", score_features[l.f].name);
}

static void score_reason(const void *par, enum organ o, const struct policy_ops *base,
                         const struct donor *d, double day, const struct match *m, char *buf,
                         size_t len)
{
    if (!m->eligible) { /* excluded by the guideline's hard rules: its own words */
        base->reason(par, d, day, m, buf, len);
        return;
    }
    const struct score_prog *g = prog_c(par, o);
    struct sb s = {buf, len, 0};
    if (len) buf[0] = '\0';
    struct ev x = {.g = g, .gp = par, .d = d, .day = day, .c = m->c, .age = cand_age(m->c, day),
                   .step = m->abo_step};
    if (o == ORGAN_PANCREAS) pancreas_ev(g, &x);
    else heart_ev(g, &x);
    const int ti = tier_of(g, &x);
    const struct score_tier *t = &g->tier[ti];
    sb_add(&s, "tier %s", t->name);
    if (t->n_when) {
        sb_add(&s, " (");
        for (int k = 0; k < t->n_when; k++) {
            if (k) sb_add(&s, ", ");
            lit_text(&s, t->when[k]);
        }
        sb_add(&s, ")");
    }
    for (int k = 0; k < t->n_keys; k++) {
        sb_add(&s, k ? ", " : "; keys: ");
        const struct score_lit l = t->key[k];
        if (score_features[l.f].kind == SCORE_COND) {
            sb_add(&s, "%s %s%s", score_features[l.f].name, value(&x, l.f) != 0.0 ? "yes" : "no",
                   l.neg ? " (no first)" : "");
        } else {
            sb_add(&s, "%s %g%s", score_features[l.f].name, value(&x, l.f), l.neg ? " (high first)" : "");
        }
    }
    sb_add(&s, "; points %.6g", m->points);
    const double own = points_of(t, &x);
    if (o == ORGAN_HEART && m->points != own)
        sb_add(&s, " (another child's place: in-patients before out-patients among the children, "
               "child.inpatient among_children; own points %.6g)", own);
    for (int k = 0; k < t->n_terms; k++) {
        const struct score_term *u = &t->term[k];
        const double v = value(&x, u->f), w = term_value(u, v);
        sb_add(&s, "%s%s %.6g", k ? " + " : " = ", score_features[u->f].name, v);
        if (u->has_above) sb_add(&s, " above %g", u->above);
        if (u->has_cap) sb_add(&s, " cap %g", u->cap);
        if (w != v) sb_add(&s, " -> %.6g", w);
        sb_add(&s, " x %g", u->weight);
    }
    if (o == ORGAN_PANCREAS) {
        if (m->flags & PANCREAS_F_ACCEL1)
            sb_add(&s, "; accelerated: named by centre %d of the donor region", m->c->center);
        else if (m->flags & PANCREAS_F_ACCEL2)
            sb_add(&s, ((const struct pancreas_par *)par)->accel_stage2 == PANCREAS_STAGE2_BEST_PER_CENTRE
                           ? "; accelerated: best of further centre %d, centres in drawn arrival order"
                           : "; accelerated: further centre %d", m->c->center);
    }
}

static void heart_score_reason(const void *par, const struct donor *d, double day,
                               const struct match *m, char *buf, size_t len)
{
    score_reason(par, ORGAN_HEART, &heart_bak2021_ops, d, day, m, buf, len);
}

static void pancreas_score_reason(const void *par, const struct donor *d, double day,
                                  const struct match *m, char *buf, size_t len)
{
    score_reason(par, ORGAN_PANCREAS, &pancreas_bak2026_ops, d, day, m, buf, len);
}

static void group_name(const struct score_prog *g, const struct match *m, char *buf, size_t len)
{
    unsigned t = m->flags >> TIER_FLAG_SHIFT;
    if (m->eligible && t < (unsigned)g->n_tiers) snprintf(buf, len, "%s", g->tier[t].name);
    else if (len) buf[0] = '\0';
}

static void heart_group_name(const void *par, const struct match *m, char *buf, size_t len)
{
    group_name(prog_c(par, ORGAN_HEART), m, buf, len);
}

static void pancreas_group_name(const void *par, const struct match *m, char *buf, size_t len)
{
    group_name(prog_c(par, ORGAN_PANCREAS), m, buf, len);
}

/* ------------------------------------------------------------------------------------------ */
/* Validation: the guideline's own checks, and no ranking option that the score replaces      */

struct unused {
    const char *key;
    size_t offset; /* in the guideline's struct */
    int is_double;
    double def;
};

static int check_unused(const void *par, const struct unused *u, size_t n, char *msg, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)par + u[i].offset;
        double v = u[i].is_double ? *(const double *)p : *(const int *)p;
        if (v != u[i].def) {
            snprintf(msg, len, "%s: expected the default under rule: score (the score section "
                     "orders the list, so this option has no effect), found a change", u[i].key);
            return -1;
        }
    }
    return 0;
}

static int heart_score_validate(const void *par, char *msg, size_t len)
{
    static const struct unused U[] = {
        {"nt.cap_days", offsetof(struct heart_par, nt_cap_days), 1, 30},
        {"abo.scope", offsetof(struct heart_par, abo_scope), 0, HEART_ABO_WITHIN},
        {"hl.order", offsetof(struct heart_par, hl_order), 0, HEART_HL_BEFORE_ABO},
        {"immunised.vs_hl", offsetof(struct heart_par, imm_hl), 0, HEART_IMM_HL_HL_FIRST},
    };
    if (heart_bak2021_ops.validate(par, msg, len)) return -1;
    /* among_children is a step after ranking that the score inherits (heart_child_places);
     * the two key-like modes are the score's keys to write (not child_outpatient). */
    const int ci = ((const struct heart_par *)par)->child_inpatient;
    if (ci != HEART_CHILD_AMONG_CHILDREN && ci != HEART_CHILD_PREF_OFF) {
        snprintf(msg, len, "child.inpatient: expected among_children or off under rule: score "
                 "(outpatient_last and inpatient_first are orders: write them as a key, e.g. "
                 "`not child_outpatient`), found %s",
                 ci == HEART_CHILD_OUTPATIENT_LAST ? "outpatient_last" : "inpatient_first");
        return -1;
    }
    return check_unused(par, U, sizeof U / sizeof U[0], msg, len);
}

static int pancreas_score_validate(const void *par, char *msg, size_t len)
{
    static const struct unused U[] = {
        {"df.order", offsetof(struct pancreas_par, df_order), 0, PANCREAS_DF_ACROSS},
        {"regional.bonus_factor", offsetof(struct pancreas_par, regional_factor), 1, 2.0 / 3.0},
    };
    if (pancreas_bak2026_ops.validate(par, msg, len)) return -1;
    return check_unused(par, U, sizeof U / sizeof U[0], msg, len);
}

/* ------------------------------------------------------------------------------------------ */
/* Delegation to the guideline policies (their struct is at offset 0 of ours)                 */

static void h_prepare(const void *par, struct cand *c)
{
    heart_bak2021_ops.prepare(par, c);
}
static int h_key_hot(const void *par, const struct cand_key *k, double day)
{
    return heart_bak2021_ops.key_hot(par, k, day);
}

static void h_lapse(const void *par, const struct cand *c, struct trans *t)
{
    heart_bak2021_ops.lapse(par, c, t);
}
static void h_enter(const void *par, struct cand *c, double day, gsl_rng *r)
{
    heart_bak2021_ops.enter(par, c, day, r);
}
static void h_next(const void *par, const struct cand *c, double now, gsl_rng *r, struct trans *t)
{
    heart_bak2021_ops.next(par, c, now, r, t);
}
static int h_accept(const void *par, const struct cand *c, const struct donor *d,
                    const struct match *m, gsl_rng *r)
{
    return heart_bak2021_ops.accept(par, c, d, m, r);
}
static void h_course(const void *par, const struct cand *c, const struct donor *d, double day,
                     gsl_rng *r, struct outc_course *out)
{
    heart_bak2021_ops.course(par, c, d, day, r, out);
}

static void p_lapse(const void *par, const struct cand *c, struct trans *t)
{
    pancreas_bak2026_ops.lapse(par, c, t);
}
static void p_enter(const void *par, struct cand *c, double day, gsl_rng *r)
{
    pancreas_bak2026_ops.enter(par, c, day, r);
}
static void p_next(const void *par, const struct cand *c, double now, gsl_rng *r, struct trans *t)
{
    pancreas_bak2026_ops.next(par, c, now, r, t);
}
static int p_accept(const void *par, const struct cand *c, const struct donor *d,
                    const struct match *m, gsl_rng *r)
{
    return pancreas_bak2026_ops.accept(par, c, d, m, r);
}
static void p_course(const void *par, const struct cand *c, const struct donor *d, double day,
                     gsl_rng *r, struct outc_course *out)
{
    pancreas_bak2026_ops.course(par, c, d, day, r, out);
}
static unsigned p_ecd(const void *par, const struct donor *d)
{
    return pancreas_bak2026_ops.ecd(par, d);
}
static int p_unplaced_after(const void *par)
{
    return pancreas_bak2026_ops.unplaced_after(par);
}
static size_t p_accel_order(const void *par, const struct donor *d, struct match *m, size_t n,
                            size_t limit, gsl_rng *r)
{
    return pancreas_bak2026_ops.accel_order(par, d, m, n, limit, r);
}
static int p_route(const void *par, const struct donor *d, gsl_rng *r)
{
    return pancreas_bak2026_ops.route(par, d, r);
}

const struct policy_ops score_heart_ops = {
    .name = "score",
    .organ = ORGAN_HEART,
    .par_size = sizeof(struct score_heart_par),
    .rule_pdefs = heart_rule_pdefs,
    .n_rule_pdefs = HEART_N_RULE_PDEFS,
    .model_pdefs = heart_model_pdefs,
    .n_model_pdefs = HEART_N_MODEL_PDEFS,
    .validate = heart_score_validate,
    .prepare = h_prepare,
    .lapse = h_lapse,
    .enter = h_enter,
    .next = h_next,
    .match = heart_score_match,
    .match_keyed = heart_score_match_keyed,
    .key_hot = h_key_hot,
    .reason = heart_score_reason,
    .group_name = heart_group_name,
    .accept = h_accept,
    .course = h_course,
};

const struct policy_ops score_pancreas_ops = {
    .name = "score",
    .organ = ORGAN_PANCREAS,
    .par_size = sizeof(struct score_pancreas_par),
    .rule_pdefs = pancreas_rule_pdefs,
    .n_rule_pdefs = PANCREAS_N_RULE_PDEFS,
    .model_pdefs = pancreas_model_pdefs,
    .n_model_pdefs = PANCREAS_N_MODEL_PDEFS,
    .validate = pancreas_score_validate,
    .lapse = p_lapse,
    .enter = p_enter,
    .next = p_next,
    .match = pancreas_score_match,
    .reason = pancreas_score_reason,
    .group_name = pancreas_group_name,
    .accept = p_accept,
    .course = p_course,
    .ecd = p_ecd,
    .unplaced_after = p_unplaced_after,
    .accel_order = p_accel_order,
    .route = p_route,
};

/* ------------------------------------------------------------------------------------------ */
/* Listing                                                                                     */

static void md(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else fputc(*s, out);
    }
}

void score_list(FILE *out)
{
    fprintf(out, "\n## Score features (`policy.<organ>.rule: score`)\n\n"
                 "Names usable in a `score:` section (docs/rules.md, \"Score policies\"). A condition "
                 "is 1 when it holds and 0\notherwise: it can be a tier condition (`when`), an "
                 "ordering key (true first) and a points term.\nOf the numbers only `abo_step` is "
                 "also a key (the lower step first).\n\n"
                 "| name | kind | organ | unit | meaning | mirrors |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < score_n_features; i++) {
        const struct score_feature *f = &score_features[i];
        fprintf(out, "| `%s` | %s | %s | %s | ", f->name, f->kind == SCORE_COND ? "condition" : "number",
                f->organs == (SCORE_HEART | SCORE_PANCREAS) ? "heart, pancreas"
                : f->organs == SCORE_HEART                  ? "heart"
                                                            : "pancreas",
                f->unit);
        md(out, f->meaning);
        fputs(" | ", out);
        md(out, f->source);
        fputs(" |\n", out);
    }
}
