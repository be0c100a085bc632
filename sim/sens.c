/* sens.c — partial rank correlations of paired differences with the parameter draws (see sens.h). */
#include "sens.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "registry.h"

struct sens {
    int nv, reps, k, nm;
    const struct psa *p;
    int added;                  /* replications whose variant 0 was added */
    double *draws;              /* [rep][k] */
    double *base;               /* [organ][metric] of the current replication's variant 0 */
    double *diff;               /* [rep][variant-1][organ][metric] */
};

static size_t dat(const struct sens *s, int rep, int v, int o, int m)
{
    return (((size_t)rep * (size_t)(s->nv - 1) + (size_t)(v - 1)) * ORGAN_N + (size_t)o) * (size_t)s->nm + (size_t)m;
}

struct sens *sens_alloc(int n_variants, int replications, const struct psa *p)
{
    struct sens *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->nv = n_variants, s->reps = replications, s->k = psa_n(p), s->nm = cmp_n_metrics(), s->p = p;
    size_t nd = n_variants > 1 ? dat(s, replications, 1, 0, 0) : 1;
    s->draws = calloc((size_t)replications * (size_t)s->k + 1, sizeof *s->draws);
    s->base = calloc((size_t)ORGAN_N * (size_t)s->nm, sizeof *s->base);
    s->diff = malloc(nd * sizeof *s->diff);
    if (!s->draws || !s->base || !s->diff) {
        sens_free(s);
        return NULL;
    }
    for (size_t i = 0; i < nd; i++) s->diff[i] = NAN;
    return s;
}

void sens_free(struct sens *s)
{
    if (!s) return;
    free(s->draws);
    free(s->base);
    free(s->diff);
    free(s);
}

void sens_add(struct sens *s, const struct rep_result *r, const double *draws)
{
    int rep = r->replication;
    if (rep < 0 || rep >= s->reps) return;
    double *x = malloc((size_t)s->nm * sizeof *x);
    if (!x) return; /* the rows then show NaN for this replication */
    for (int o = 0; o < ORGAN_N; o++) {
        cmp_metrics(r, o, x);
        for (int m = 0; m < s->nm; m++) {
            if (r->variant == 0) s->base[(size_t)o * (size_t)s->nm + (size_t)m] = x[m];
            else s->diff[dat(s, rep, r->variant, o, m)] = x[m] - s->base[(size_t)o * (size_t)s->nm + (size_t)m];
        }
    }
    free(x);
    if (r->variant == 0) {
        memcpy(s->draws + (size_t)rep * (size_t)s->k, draws, (size_t)s->k * sizeof *draws);
        if (rep + 1 > s->added) s->added = rep + 1;
    }
}

/* Ranks of v[0..n) (1-based, ties get their mean rank) into out; idx is scratch of n. */
static void ranks(const double *v, size_t n, double *out, size_t *idx)
{
    gsl_sort_index(idx, v, 1, n);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) j++;
        double mean = 0.5 * (double)(i + j) + 1.0;
        for (size_t t = i; t <= j; t++) out[idx[t]] = mean;
        i = j + 1;
    }
}

/* Residuals of the least-squares fit of y on the columns of Z into res. 0 or -1. */
static int residuals(const gsl_matrix *Z, const gsl_vector *y, gsl_vector *res, gsl_multifit_linear_workspace *w,
                     gsl_vector *c, gsl_matrix *cov)
{
    double chisq;
    if (gsl_multifit_linear(Z, y, c, cov, &chisq, w)) return -1;
    return gsl_multifit_linear_residuals(Z, y, c, res) ? -1 : 0;
}

int sens_prcc(const double *y, const double *x, size_t n, size_t k, double *r, double *lo, double *hi)
{
    for (size_t j = 0; j < k; j++) r[j] = lo[j] = hi[j] = NAN;
    /* The regressions on an intercept and k - 1 other ranks need more rows than columns, and a
     * residual degree of freedom to correlate. */
    if (n < k + 2 || n < 3 || k == 0) return 0;
    int rc = -1;
    size_t *idx = malloc(n * sizeof *idx);
    double *col = malloc(n * sizeof *col), *rk = malloc(n * (k + 1) * sizeof *rk); /* ranks: y, then x columns */
    gsl_matrix *Z = gsl_matrix_alloc(n, k), *cov = gsl_matrix_alloc(k, k);
    gsl_vector *vy = gsl_vector_alloc(n), *vx = gsl_vector_alloc(n), *ey = gsl_vector_alloc(n),
               *ex = gsl_vector_alloc(n), *c = gsl_vector_alloc(k);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, k);
    if (!idx || !col || !rk || !Z || !cov || !vy || !vx || !ey || !ex || !c || !w) goto cleanup;
    ranks(y, n, rk, idx);
    for (size_t j = 0; j < k; j++) {
        for (size_t i = 0; i < n; i++) col[i] = x[i * k + j];
        ranks(col, n, rk + (j + 1) * n, idx);
    }
    double vary = gsl_stats_variance(rk, 1, n);
    for (size_t j = 0; j < k; j++) {
        /* Z: an intercept and the ranks of every other parameter. */
        for (size_t i = 0; i < n; i++) {
            gsl_matrix_set(Z, i, 0, 1.0);
            size_t col_z = 1;
            for (size_t t = 0; t < k; t++)
                if (t != j) gsl_matrix_set(Z, i, col_z++, rk[(t + 1) * n + i]);
            gsl_vector_set(vy, i, rk[i]);
            gsl_vector_set(vx, i, rk[(j + 1) * n + i]);
        }
        if (residuals(Z, vy, ey, w, c, cov) || residuals(Z, vx, ex, w, c, cov)) continue;
        double varx = gsl_stats_variance(rk + (j + 1) * n, 1, n);
        double vex = gsl_stats_variance(ex->data, ex->stride, n), vey = gsl_stats_variance(ey->data, ey->stride, n);
        /* No spread left (a constant difference, or a parameter determined by the others). */
        if (!(varx > 0) || !(vary > 0) || vex <= 1e-12 * varx || vey <= 1e-12 * vary) continue;
        double rho = gsl_stats_correlation(ex->data, ex->stride, ey->data, ey->stride, n);
        if (rho > 1) rho = 1;
        if (rho < -1) rho = -1;
        r[j] = rho;
        double dof = (double)n - 3.0 - (double)(k - 1);
        if (dof > 0) {
            double z = atanh(rho), half = gsl_cdf_ugaussian_Pinv(0.975) / sqrt(dof);
            lo[j] = tanh(z - half);
            hi[j] = tanh(z + half);
        }
    }
    rc = 0;
cleanup:
    free(idx);
    free(col);
    free(rk);
    if (Z) gsl_matrix_free(Z);
    if (cov) gsl_matrix_free(cov);
    if (vy) gsl_vector_free(vy);
    if (vx) gsl_vector_free(vx);
    if (ey) gsl_vector_free(ey);
    if (ex) gsl_vector_free(ex);
    if (c) gsl_vector_free(c);
    if (w) gsl_multifit_linear_free(w);
    return rc;
}

int sens_rows(const struct sens *s, struct rec_sens **rows, size_t *n, struct rec_unc **urows, size_t *nu)
{
    size_t ncmp = (size_t)(s->nv > 1 ? s->nv - 1 : 0) * ORGAN_N * (size_t)s->nm, k = (size_t)s->k;
    size_t reps = (size_t)s->added;
    int rc = -1;
    *n = *nu = 0;
    *rows = calloc(ncmp * k + 1, sizeof **rows); /* zeroed: padding and string tails stay zero */
    *urows = calloc(ncmp + 1, sizeof **urows);
    double *y = malloc((reps + 1) * sizeof *y), *x = malloc((reps * k + 1) * sizeof *x);
    double *r = malloc((k + 1) * sizeof *r), *lo = malloc((k + 1) * sizeof *lo), *hi = malloc((k + 1) * sizeof *hi);
    if (!*rows || !*urows || !y || !x || !r || !lo || !hi) goto cleanup;
    for (int v = 1; v < s->nv; v++)
        for (int o = 0; o < ORGAN_N; o++)
            for (int m = 0; m < s->nm; m++) {
                size_t used = 0;
                for (size_t i = 0; i < reps; i++) {
                    double d = s->diff[dat(s, (int)i, v, o, m)];
                    if (isnan(d)) continue;
                    y[used] = d;
                    memcpy(x + used * k, s->draws + i * k, k * sizeof *x);
                    used++;
                }
                if (sens_prcc(y, x, used, k, r, lo, hi)) goto cleanup;
                struct rec_unc *u = &(*urows)[(*nu)++];
                u->variant = v, u->program = o, u->n = (int32_t)used;
                cmp_metric_name(m, u->metric, sizeof u->metric);
                u->top_prcc = NAN;
                size_t pos = 0, neg = 0;
                for (size_t i = 0; i < used; i++) pos += y[i] > 0, neg += y[i] < 0;
                u->share_positive = used ? (double)pos / (double)used : NAN;
                u->share_negative = used ? (double)neg / (double)used : NAN;
                u->diff_mean = used ? gsl_stats_mean(y, 1, used) : NAN;
                if (used) {
                    gsl_sort(y, 1, used);
                    u->diff_p2_5 = gsl_stats_quantile_from_sorted_data(y, 1, used, 0.025);
                    u->diff_p97_5 = gsl_stats_quantile_from_sorted_data(y, 1, used, 0.975);
                } else {
                    u->diff_p2_5 = u->diff_p97_5 = NAN;
                }
                for (size_t j = 0; j < k; j++) {
                    struct rec_sens *row = &(*rows)[(*n)++];
                    row->variant = v, row->program = o, row->n = (int32_t)used;
                    snprintf(row->metric, sizeof row->metric, "%s", u->metric);
                    snprintf(row->parameter, sizeof row->parameter, "%s", psa_name(s->p, (int)j));
                    row->prcc = r[j], row->ci_low = lo[j], row->ci_high = hi[j];
                    int rank = 0;
                    if (!isnan(r[j])) {
                        rank = 1;
                        for (size_t t = 0; t < k; t++) /* ties: the earlier entry ranks first */
                            if (!isnan(r[t]) && (fabs(r[t]) > fabs(r[j]) || (fabs(r[t]) == fabs(r[j]) && t < j))) rank++;
                    }
                    row->rank = rank;
                    if (rank == 1) {
                        snprintf(u->top_parameter, sizeof u->top_parameter, "%s", row->parameter);
                        u->top_prcc = r[j];
                    }
                }
            }
    rc = 0;
cleanup:
    free(y);
    free(x);
    free(r);
    free(lo);
    free(hi);
    if (rc) {
        free(*rows);
        free(*urows);
        *rows = NULL, *urows = NULL, *n = *nu = 0;
    }
    return rc;
}

void sens_print(const struct rec_unc *u, size_t nu, const struct rec_sens *rows, size_t n,
                const char *const *variant_names, FILE *f)
{
    int header = 0;
    for (size_t i = 0; i < nu; i++) {
        const struct rec_unc *x = &u[i];
        int main_metric = strncmp(x->metric, "tx_rate_", 8) != 0; /* the /summary figures, not the group rates */
        if (!main_metric || x->n == 0 || x->diff_p2_5 == x->diff_p97_5) continue;
        if (!header) {
            fprintf(f, "\nUnder parameter uncertainty (each replication its own parameter set; differences "
                       "against variant 0):\n");
            header = 1;
        }
        const char *sign = x->share_positive >= x->share_negative ? "> 0" : "< 0";
        double share = x->share_positive >= x->share_negative ? x->share_positive : x->share_negative;
        fprintf(f, "  %s, %s %s: %+.3g [%.3g, %.3g] (2.5-97.5 %% of draws), %s in %.0f %% of draws", variant_names[x->variant],
                registry_organ((enum organ)x->program)->name, x->metric, x->diff_mean, x->diff_p2_5,
                x->diff_p97_5, sign, 100 * share);
        const struct rec_sens *top = NULL;
        for (size_t j = 0; j < n; j++)
            if (rows[j].variant == x->variant && rows[j].program == x->program && rows[j].rank == 1 &&
                !strcmp(rows[j].metric, x->metric))
                top = &rows[j];
        /* An interval around 0 means the replication's own chance hides any parameter's effect. */
        if (top && !(top->ci_low <= 0 && top->ci_high >= 0))
            fprintf(f, "; depends most on %s (PRCC %+.2f [%.2f, %.2f])", top->parameter, top->prcc, top->ci_low,
                    top->ci_high);
        else if (top)
            fprintf(f, "; no parameter stands out (largest: %s, PRCC %+.2f [%.2f, %.2f])", top->parameter, top->prcc,
                    top->ci_low, top->ci_high);
        fputc('\n', f);
    }
}
