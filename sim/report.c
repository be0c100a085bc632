/* report.c — see report.h. */
#include "report.h"

#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rstat.h>

enum { M_LISTINGS, M_TX, M_URGENT, M_DEATHS, M_REMOVED, M_WAITING, M_MEDIAN, M_DEATHS_TX,
       M_SURV, M_GRAFT, M_RMST, M_N };

static const char *const LABEL[M_N] = {
    "listings per year", "transplants per year", "  of them urgent (HU/SU)", "deaths on the list per year",
    "removals per year", "waiting at the end (not NT)", "median wait to transplant, days",
    "deaths after transplant per year", "1-year survival after tx, %", "1-year graft survival, %",
    "years alive in 5 after listing"};

struct report {
    int nv;
    const char *const *names;
    gsl_rstat_workspace **w; /* [variant][organ][metric] */
};

static gsl_rstat_workspace **cell(const struct report *r, int v, int o, int m)
{
    return &r->w[((size_t)v * ORGAN_N + (size_t)o) * M_N + (size_t)m];
}

struct report *report_alloc(int n_variants, const char *const *names)
{
    struct report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->nv = n_variants;
    r->names = names;
    size_t n = (size_t)n_variants * ORGAN_N * M_N;
    r->w = calloc(n, sizeof *r->w);
    if (!r->w) {
        free(r);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!(r->w[i] = gsl_rstat_alloc())) {
            report_free(r);
            return NULL;
        }
    return r;
}

void report_free(struct report *r)
{
    if (!r) return;
    if (r->w)
        for (size_t i = 0; i < (size_t)r->nv * ORGAN_N * M_N; i++)
            if (r->w[i]) gsl_rstat_free(r->w[i]);
    free(r->w);
    free(r);
}

void report_add(struct report *r, const struct rep_result *res)
{
    for (int o = 0; o < ORGAN_N; o++) {
        const struct rec_summary *s = &res->summary[o];
        double y = s->years > 0 ? s->years : 1;
        double x[M_N] = {s->listings / y, s->transplants / y, s->transplants_urgent / y,
                         s->deaths_waiting / y, s->removed / y, s->waiting_end, s->median_wait_days,
                         s->deaths_after_tx / y, 100 * s->surv_tx_1y, 100 * s->graft_tx_1y,
                         s->rmst_listing_5y};
        for (int m = 0; m < M_N; m++)
            if (!isnan(x[m])) gsl_rstat_add(x[m], *cell(r, res->variant, o, m));
    }
}

/* Mean and half-width of the 95 % t interval of one cell ("n/a" when empty). */
static void fmt_cell(const gsl_rstat_workspace *w, int prec, char *buf, size_t len)
{
    double mean, lo, hi;
    cmp_interval(w, &mean, &lo, &hi);
    if (isnan(mean)) snprintf(buf, len, "n/a");
    else if (isnan(lo)) snprintf(buf, len, "%.*f", prec, mean);
    else snprintf(buf, len, "%.*f ± %.*f", prec, mean, prec, (hi - lo) / 2);
}

void report_print(const struct report *r, FILE *f)
{
    for (int v = 0; v < r->nv; v++) {
        size_t n = gsl_rstat_n(*cell(r, v, 0, M_LISTINGS));
        fprintf(f, "\nvariant %d (%s): mean over %zu replications ± half-width of the 95 %% CI\n", v,
                r->names[v], n);
        fprintf(f, "  %-33s %-20s %-20s\n", "", "heart + heart-lung", "pancreas (+ kidney)");
        for (int m = 0; m < M_N; m++) {
            char a[48], b[48];
            int prec = m == M_RMST ? 2 : 1;
            fmt_cell(*cell(r, v, ORGAN_HEART, m), prec, a, sizeof a);
            fmt_cell(*cell(r, v, ORGAN_PANCREAS, m), prec, b, sizeof b);
            /* Pad by display width: "±" is two bytes but one column. */
            fprintf(f, "  %-33s %-*s %-*s\n", LABEL[m], 20 + (strstr(a, "±") ? 1 : 0), a,
                    20 + (strstr(b, "±") ? 1 : 0), b);
        }
    }
}
