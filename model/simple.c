/* simple.c — the foundation's first policy (see simple.h). */
#include "simple.h"

#include <math.h>
#include <stdio.h>

#include <gsl/gsl_randist.h>

#define OFF(f) offsetof(struct simple_par, f)

static const struct pdef rule_pdefs[] = {
    {"abo_identical_first", PD_BOOL, OFF(abo_identical_first), 1, 0, 1, "", NULL,
     "Offer to ABO-identical candidates before ABO-compatible ones.", "design: the foundation model (docs/rules.md)"},
};

static const struct pdef model_pdefs[] = {
    {"death_per_year", PD_DOUBLE, OFF(death_per_year), 0.15, 0, 100, "1/year", NULL,
     "Constant hazard of death while listed.", "simple baseline policy: of the order of the heart figure of docs/calibration.md (docs/model.md, simple policy); not calibrated"},
    {"removal_per_year", PD_DOUBLE, OFF(removal_per_year), 0.05, 0, 100, "1/year", NULL,
     "Constant hazard of removal from the list.", "simple baseline policy: assumption, not calibrated (docs/model.md, simple policy)"},
    {"accept_prob", PD_DOUBLE, OFF(accept_prob), 0.5, 0, 1, "probability", NULL,
     "Probability that an offer is accepted.", "simple baseline policy: assumption, not calibrated (docs/model.md, simple policy)"},
};

static void simple_enter(const void *par, struct cand *c, double day, gsl_rng *r)
{
    (void)par, (void)c, (void)day, (void)r;
}

static void simple_next(const void *par, const struct cand *c, double now, gsl_rng *r,
                        struct trans *t)
{
    const struct simple_par *p = par;
    (void)c;
    double h = (p->death_per_year + p->removal_per_year) / 365.25;
    *t = (struct trans){.kind = TR_NONE, .day = INFINITY, .expiry = NAN};
    if (h <= 0) return;
    t->day = now + gsl_ran_exponential(r, 1.0 / h);
    t->kind = gsl_rng_uniform(r) * (p->death_per_year + p->removal_per_year) < p->death_per_year
                  ? TR_DEATH : TR_REMOVAL;
}

static size_t simple_match(const void *par, const struct donor *d, double day,
                           struct cand *const *list, size_t n, int want_excluded, struct match *out)
{
    const struct simple_par *p = par;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct cand *c = list[i];
        int excl = SIMPLE_EXCL_NONE;
        if (c->w.status == ST_NT) excl = SIMPLE_EXCL_NT;
        else if (!abo_compatible(d->abo, c->abo)) excl = SIMPLE_EXCL_ABO;
        if (excl && !want_excluded) continue;
        int step = excl == SIMPLE_EXCL_ABO ? 0 : (c->abo == d->abo ? 1 : 2);
        out[k++] = (struct match){
            .c = c, .eligible = !excl, .excl = excl, .group = 1, .abo_step = step,
            .tier = (uint32_t)(p->abo_identical_first ? step : 1),
            .points = cand_listed_days(c, day)};
    }
    return k;
}

static void simple_reason(const void *par, const struct donor *d, double day,
                          const struct match *m, char *buf, size_t len)
{
    (void)par, (void)day;
    if (!m->eligible) {
        if (m->excl == SIMPLE_EXCL_NT) snprintf(buf, len, "NT status");
        else snprintf(buf, len, "ABO incompatible (donor %s, recipient %s)", abo_name(d->abo), abo_name(m->c->abo));
        return;
    }
    snprintf(buf, len, "ABO %s; %.0f days since listing", m->abo_step == 1 ? "identical" : "compatible",
             m->points);
}

static void simple_group_name(const void *par, const struct match *m, char *buf, size_t len)
{
    (void)par, (void)m;
    snprintf(buf, len, "ALL");
}

static int simple_accept(const void *par, const struct cand *c, const struct donor *d,
                         const struct match *m, gsl_rng *r)
{
    const struct simple_par *p = par;
    (void)c, (void)d, (void)m;
    return gsl_rng_uniform(r) < p->accept_prob;
}

#define SIMPLE_OPS(ORG)                                                                        \
    {                                                                                          \
        .name = "simple", .organ = ORG, .par_size = sizeof(struct simple_par),                  \
        .rule_pdefs = rule_pdefs, .n_rule_pdefs = sizeof rule_pdefs / sizeof rule_pdefs[0],      \
        .model_pdefs = model_pdefs, .n_model_pdefs = sizeof model_pdefs / sizeof model_pdefs[0], \
        .validate = NULL, .enter = simple_enter, .next = simple_next, .match = simple_match,     \
        .reason = simple_reason, .group_name = simple_group_name, .accept = simple_accept,       \
        .course = NULL                                                                        \
    }

const struct policy_ops simple_heart_ops = SIMPLE_OPS(ORGAN_HEART);
const struct policy_ops simple_pancreas_ops = SIMPLE_OPS(ORGAN_PANCREAS);
