/* report.c — see report.h. */
#include "report.h"

#include "compare.h"
#include "registry.h"

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

/* Words for the /comparison metrics (compare.c names them); a fairness group's rate is
 * "transplant rate per patient-year on the list, GROUP". */
static const char *const WORDS[][2] = {
    {"transplants_per_year", "transplants per year"},
    {"transplants_urgent_per_year", "urgent (HU/SU) transplants per year"},
    {"deaths_waiting_per_year", "deaths on the list per year"},
    {"removed_per_year", "removals from the list per year"},
    {"median_wait_days", "median wait to transplant, days"},
    {"waiting_end", "waiting at the end (not NT)"},
};
static const char *const GROUP_WORDS[][2] = {
    {"abo_", "blood group "},   {"age_0_15", "age 0-15"},  {"age_16_39", "age 16-39"},
    {"age_40_59", "age 40-59"}, {"age_60_plus", "age 60+"}, {"region_nord_ost", "region Nord-Ost"},
    {"region_nord", "region Nord"}, {"region_nrw", "region NRW"}, {"region_mitte", "region Mitte"},
    {"region_ost", "region Ost"}, {"region_bayern", "region Bayern"}, {"region_bw", "region Baden-Württemberg"},
    {"sex_f", "women"},         {"sex_m", "men"},
};

const char *report_metric_words(const char *code, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (strcmp(code, WORDS[i][0]) == 0) {
            snprintf(buf, len, "%s", WORDS[i][1]);
            return buf;
        }
    if (strncmp(code, "tx_rate_", 8) == 0) {
        const char *g = code + 8;
        for (size_t i = 0; i < sizeof GROUP_WORDS / sizeof GROUP_WORDS[0]; i++) {
            size_t k = strlen(GROUP_WORDS[i][0]);
            if (strncmp(g, GROUP_WORDS[i][0], k) == 0 && (GROUP_WORDS[i][0][k - 1] == '_' || g[k] == '\0')) {
                snprintf(buf, len, "transplant rate per patient-year, %s%s", GROUP_WORDS[i][1],
                         GROUP_WORDS[i][0][k - 1] == '_' ? g + k : "");
                return buf;
            }
        }
    }
    snprintf(buf, len, "%s", code);
    return buf;
}


static int excludes_zero(const struct rec_comparison *r) { return r->ci_low > 0 || r->ci_high < 0; }

/* Every replication gave the same value on both sides. */
static int identical(const struct rec_comparison *r)
{
    return r->n > 0 && r->diff_mean == 0 && r->ci_low == 0 && r->ci_high == 0;
}

static double pct(const struct rec_comparison *r)
{
    return r->base_mean != 0 && isfinite(r->base_mean) ? 100 * r->diff_mean / fabs(r->base_mean) : NAN;
}

static int by_pct(const void *a, const void *b)
{
    const struct rec_comparison *x = *(const struct rec_comparison *const *)a;
    const struct rec_comparison *y = *(const struct rec_comparison *const *)b;
    double px = fabs(pct(x)), py = fabs(pct(y));
    if (isnan(px)) px = -1;
    if (isnan(py)) py = -1;
    return (px < py) - (px > py);
}

static void diff_label(const struct rec_comparison *r, char *buf, size_t len)
{
    char w[96];
    snprintf(buf, len, "%s: %s", registry_organ((enum organ)r->program)->name,
             report_metric_words(r->metric, w, sizeof w));
}

/* Display width of UTF-8 text (continuation bytes take no column). */
static int width(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void diff_line(const struct rec_comparison *r, int labw, FILE *f)
{
    char label[128], ci[64], pc[24];
    diff_label(r, label, sizeof label);
    if (isnan(r->ci_low)) snprintf(ci, sizeof ci, "%+.2f (one replication: no interval)", r->diff_mean);
    else { /* enough decimals for the interval's width to show: 2, or more for small rates */
        double w = fmax(fabs(r->diff_mean), r->ci_high - r->ci_low);
        int d = w >= 1 || w == 0 ? 2 : w >= 0.1 ? 3 : w >= 0.01 ? 4 : 5;
        snprintf(ci, sizeof ci, "%+.*f [%+.*f, %+.*f]", d, r->diff_mean, d, r->ci_low, d, r->ci_high);
    }
    if (isnan(pct(r))) snprintf(pc, sizeof pc, "n/a");
    else snprintf(pc, sizeof pc, "%+.1f %%", pct(r));
    fprintf(f, "  %c %s%*s  %-30s %9s\n", excludes_zero(r) ? '*' : ' ', label, labw - width(label), "", ci, pc);
}

/* One line naming the /summary metrics identical in every replication of a variant's rows
 * [i, end): per programme "all six figures" or the list. */
static void identical_line(const struct rec_comparison *rows, size_t i, size_t end, FILE *f)
{
    int any = 0;
    for (int o = 0; o < ORGAN_N; o++) {
        int n = 0, total = 0;
        for (size_t j = i; j < end; j++)
            if (rows[j].program == o && strncmp(rows[j].metric, "tx_rate_", 8) != 0) {
                total++;
                n += identical(&rows[j]);
            }
        if (!n) continue;
        fprintf(f, "%s%s: ", any ? "; " : "    identical in every replication: ",
                registry_organ((enum organ)o)->name);
        any = 1;
        if (n == total) {
            fprintf(f, "every figure");
            continue;
        }
        int first = 1;
        for (size_t j = i; j < end; j++)
            if (rows[j].program == o && strncmp(rows[j].metric, "tx_rate_", 8) != 0 && identical(&rows[j])) {
                char w[96];
                fprintf(f, "%s%s", first ? "" : ", ", report_metric_words(rows[j].metric, w, sizeof w));
                first = 0;
            }
    }
    if (any) fputc('\n', f);
}

void report_print_diffs(const struct rec_comparison *rows, size_t n, const char *const *names, FILE *f)
{
    if (!n) return;
    const struct rec_comparison **sel = malloc(n * sizeof *sel);
    if (!sel) return;
    fprintf(f, "Differences against variant 0 (%s): each variant minus variant 0 in the same replications,\n"
               "mean [95 %% interval] and %% change of variant 0's mean; * marks an interval that excludes 0.\n",
            names[0]);
    for (size_t i = 0; i < n;) {
        int v = rows[i].variant;
        size_t end = i;
        while (end < n && rows[end].variant == v) end++;
        size_t k = 0, nsig = 0;
        for (size_t j = i; j < end; j++)
            if (excludes_zero(&rows[j])) sel[k++] = &rows[j];
        nsig = k;
        qsort(sel, nsig, sizeof *sel, by_pct);
        for (size_t j = i; j < end; j++)
            if (!excludes_zero(&rows[j]) && !identical(&rows[j]) && strncmp(rows[j].metric, "tx_rate_", 8) != 0)
                sel[k++] = &rows[j];
        int labw = 0;
        for (size_t j = 0; j < k; j++) {
            char label[128];
            diff_label(sel[j], label, sizeof label);
            if (width(label) > labw) labw = width(label);
        }
        fprintf(f, "\nvariant %d (%s), %d replications: %zu difference%s with an interval that excludes 0\n", v,
                names[v], rows[i].n, nsig, nsig == 1 ? "" : "s");
        for (size_t j = 0; j < k; j++) diff_line(sel[j], labw, f);
        identical_line(rows, i, end, f);
        i = end;
    }
    free(sel);
    fputc('\n', f);
}
