/* compare.c — paired comparisons of variants (see compare.h). */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rstat.h>

/* Metrics per programme: the /summary figures per counted year, then the transplant rate per
 * patient-year on the list of every fairness group (rows of /groups). */
enum { M_TX, M_URGENT, M_DEATHS, M_REMOVED, M_MEDIAN, M_WAITING, M_DEATHS_TX, M_DEATHS_ALL,
       M_SURV_1Y, M_GRAFT_1Y, M_RMST, M_BASIC };
#define N_METRICS (M_BASIC + GRP_ROWS)

static const char *const BASIC[M_BASIC] = {"transplants_per_year", "transplants_urgent_per_year",
                                           "deaths_waiting_per_year", "removed_per_year",
                                           "median_wait_days", "waiting_end",
                                           "deaths_after_tx_per_year", "deaths_all_per_year",
                                           "surv_tx_1y", "graft_tx_1y", "rmst_listing_5y"};
static const char *const GROUP_NAME[GRP_ROWS] = {
    "abo_O", "abo_A", "abo_B", "abo_AB", "age_0_15", "age_16_39", "age_40_59", "age_60_plus",
    "region_nord", "region_nord_ost", "region_nrw", "region_mitte", "region_ost", "region_bayern",
    "region_bw", "sex_f", "sex_m"};

struct cmp {
    int nv;
    double *cur;                  /* [variant][organ][metric] of the replication being added */
    gsl_rstat_workspace **mean;   /* [variant][organ][metric] */
    gsl_rstat_workspace **diff;   /* [variant][organ][metric], variant >= 1 */
};

static size_t at(int v, int o, int m) { return ((size_t)v * ORGAN_N + (size_t)o) * N_METRICS + (size_t)m; }

int cmp_n_metrics(void) { return N_METRICS; }

const char *cmp_metric_name(int m, char *buf, size_t len)
{
    if (m < M_BASIC) snprintf(buf, len, "%s", BASIC[m]);
    else snprintf(buf, len, "tx_rate_%s", GROUP_NAME[m - M_BASIC]);
    return buf;
}

struct cmp *cmp_alloc(int n_variants)
{
    struct cmp *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->nv = n_variants;
    size_t n = at(n_variants, 0, 0);
    c->cur = calloc(n, sizeof *c->cur);
    c->mean = calloc(n, sizeof *c->mean);
    c->diff = calloc(n, sizeof *c->diff);
    if (!c->cur || !c->mean || !c->diff) goto fail;
    for (size_t i = 0; i < n; i++)
        if (!(c->mean[i] = gsl_rstat_alloc()) || !(c->diff[i] = gsl_rstat_alloc())) goto fail;
    return c;
fail:
    cmp_free(c);
    return NULL;
}

void cmp_free(struct cmp *c)
{
    if (!c) return;
    size_t n = at(c->nv, 0, 0);
    for (size_t i = 0; c->mean && i < n; i++)
        if (c->mean[i]) gsl_rstat_free(c->mean[i]);
    for (size_t i = 0; c->diff && i < n; i++)
        if (c->diff[i]) gsl_rstat_free(c->diff[i]);
    free(c->mean);
    free(c->diff);
    free(c->cur);
    free(c);
}

void cmp_metrics(const struct rep_result *r, int o, double *x)
{
    const struct rec_summary *s = &r->summary[o];
    double y = s->years > 0 ? s->years : NAN;
    x[M_TX] = s->transplants / y;
    x[M_URGENT] = s->transplants_urgent / y;
    x[M_DEATHS] = s->deaths_waiting / y;
    x[M_REMOVED] = s->removed / y;
    x[M_MEDIAN] = s->median_wait_days;
    x[M_WAITING] = s->waiting_end;
    x[M_DEATHS_TX] = s->deaths_after_tx / y;
    x[M_DEATHS_ALL] = s->deaths_all / y;
    x[M_SURV_1Y] = s->surv_tx_1y;
    x[M_GRAFT_1Y] = s->graft_tx_1y;
    x[M_RMST] = s->rmst_listing_5y;
    for (int g = 0; g < GRP_ROWS; g++) {
        const struct rec_group *gr = &r->groups[o][g];
        x[M_BASIC + g] = gr->waiting_years > 0 ? gr->transplants / gr->waiting_years : NAN;
    }
}

void cmp_add(struct cmp *c, const struct rep_result *r)
{
    int v = r->variant;
    for (int o = 0; o < ORGAN_N; o++) {
        double *x = &c->cur[at(v, o, 0)];
        cmp_metrics(r, o, x);
        for (int m = 0; m < N_METRICS; m++) {
            if (!isnan(x[m])) gsl_rstat_add(x[m], c->mean[at(v, o, m)]);
            double b = c->cur[at(0, o, m)];
            if (v > 0 && !isnan(x[m]) && !isnan(b)) gsl_rstat_add(x[m] - b, c->diff[at(v, o, m)]);
        }
    }
}

void cmp_interval(const gsl_rstat_workspace *w, double *mean, double *lo, double *hi)
{
    size_t n = gsl_rstat_n(w);
    *mean = n ? gsl_rstat_mean(w) : NAN;
    if (n < 2) {
        *lo = *hi = NAN;
        return;
    }
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * gsl_rstat_sd(w) / sqrt((double)n);
    *lo = *mean - half;
    *hi = *mean + half;
}

int cmp_rows(const struct cmp *c, struct rec_comparison **rows, size_t *n)
{
    size_t k = (size_t)(c->nv > 1 ? c->nv - 1 : 0) * ORGAN_N * N_METRICS;
    *n = 0;
    *rows = calloc(k ? k : 1, sizeof **rows); /* zeroed: padding and string tails stay zero */
    if (!*rows) return -1;
    for (int v = 1; v < c->nv; v++)
        for (int o = 0; o < ORGAN_N; o++)
            for (int m = 0; m < N_METRICS; m++) {
                struct rec_comparison *r = &(*rows)[(*n)++];
                r->variant = v;
                r->program = o;
                cmp_metric_name(m, r->metric, sizeof r->metric);
                r->n = (int32_t)gsl_rstat_n(c->diff[at(v, o, m)]);
                cmp_interval(c->mean[at(0, o, m)], &r->base_mean, &r->base_ci_low, &r->base_ci_high);
                cmp_interval(c->mean[at(v, o, m)], &r->mean, &r->mean_ci_low, &r->mean_ci_high);
                cmp_interval(c->diff[at(v, o, m)], &r->diff_mean, &r->ci_low, &r->ci_high);
            }
    return 0;
}
