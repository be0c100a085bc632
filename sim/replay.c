/* replay.c — loading a replayed population (see replay.h). */
#include "replay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cand.h"

/* What a lapsing grant is, for the warning. */
static const char *grant_name(const struct cand *c)
{
    switch (c->w.status) {
    case ST_HU: return "HU grant";
    case ST_SU: return "SU grant";
    case ST_NT: return "NT waiting-time application";
    default: return "grant";
    }
}

/* Lapses c's current grant if it ran out before `until` (or on it, with `upto`). */
static void lapse_before(const struct policy_ops *ops, const void *par, struct cand *c,
                         const char *hpath, long line, double until, int upto, const char *who,
                         const char *why, FILE *warn)
{
    if (!ops->lapse) return;
    for (int guard = 0; guard < 4; guard++) { /* HU/SU -> T, NT credit -> NT: one step each */
        struct trans t;
        ops->lapse(par, c, &t);
        if (t.kind != TR_STATUS || !(upto ? t.day <= until : t.day < until)) return;
        fprintf(warn, "%s: %s:%ld: warning: candidate '%s': the %s of this row (day %.17g) ran out "
                "on day %.17g without a renewal row; %s from day %.17g (%s)\n",
                who, hpath, line, c->id, grant_name(c), c->w.since, t.day,
                t.to == ST_NT ? "NT without credit" : status_name(t.to), t.day, why);
        cand_set_status(c, t.day, t.to, t.nt_credit);
    }
}

int replay_history_strict(const struct policy_ops *const ops[ORGAN_N], void *const par[ORGAN_N],
                          struct csvin_cands *cs, const char *hpath, const struct csvin_hist *h,
                          size_t nh, double day, const char *who, const char *why, FILE *warn,
                          struct err *e)
{
    long *line = calloc(cs->n ? cs->n : 1, sizeof *line); /* each candidate's last row, -1 final */
    if (!line) return err_set(e, ERR_INTERNAL, "out of memory");
    for (size_t k = 0; k < nh; k++) {
        size_t i = h[k].cand;
        if (h[k].day > day || line[i] < 0) continue;
        struct cand *c = &cs->c[i];
        enum organ o = prog_organ(c->prog);
        if (line[i]) lapse_before(ops[o], par[o], c, hpath, line[i], h[k].day, 0, who, why, warn);
        if (h[k].status >= ST_N) {
            line[i] = -1;
            continue;
        }
        cand_set_status(c, h[k].day, (enum status)h[k].status, h[k].nt_credit);
        line[i] = h[k].line;
    }
    for (size_t i = 0; i < cs->n; i++) {
        enum organ o = prog_organ(cs->c[i].prog);
        if (line[i] > 0) lapse_before(ops[o], par[o], &cs->c[i], hpath, line[i], day, 1, who, why, warn);
    }
    free(line);
    return 0;
}

/* `file` relative to the folder of `base` (unless absolute), into buf. */
static const char *resolve(const char *base, const char *file, char *buf, size_t len)
{
    const char *slash = strrchr(base, '/');
    if (file[0] == '/' || !slash) snprintf(buf, len, "%s", file);
    else snprintf(buf, len, "%.*s/%s", (int)(slash - base), base, file);
    return buf;
}

struct day_row {
    double day;
    uint32_t row;
};

static int day_row_cmp(const void *a, const void *b)
{
    const struct day_row *x = a, *y = b;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* *out: the rows 0..n-1 by day (day_of(i)), then row; days are finite (the readers check).
 * Files already in that order (an export's) are only checked. 0, or ERR_INTERNAL. */
static int order_by_day(size_t n, const struct replay *r, double (*day_of)(const struct replay *, size_t),
                        uint32_t **out, struct err *e)
{
    struct day_row *v = NULL;
    uint32_t *o = malloc((n ? n : 1) * sizeof *o);
    if (!o || n > UINT32_MAX) goto oom;
    size_t i = 1;
    while (i < n && day_of(r, i - 1) <= day_of(r, i)) i++;
    if (i >= n) {
        for (size_t j = 0; j < n; j++) o[j] = (uint32_t)j;
    } else {
        if (!(v = malloc(n * sizeof *v))) goto oom;
        for (size_t j = 0; j < n; j++) v[j] = (struct day_row){day_of(r, j), (uint32_t)j};
        qsort(v, n, sizeof *v, day_row_cmp);
        for (size_t j = 0; j < n; j++) o[j] = v[j].row;
        free(v);
    }
    *out = o;
    return 0;
oom:
    free(o);
    return err_set(e, ERR_INTERNAL, "out of memory");
}

static double listed_day(const struct replay *r, size_t i) { return r->cands->c[i].w.listed; }
static double hist_day(const struct replay *r, size_t i) { return r->hist[i].day; }

int replay_load(const char *scenario_path, const char *cands, const char *history,
                const char *donors, struct replay **out, struct err *e)
{
    char p[PATH_MAX];
    int rc = 0;
    *out = NULL;
    struct replay *r = calloc(1, sizeof *r);
    if (!r || !(r->names = csvin_names_alloc())) {
        rc = err_set(e, ERR_INTERNAL, "out of memory");
        goto cleanup;
    }
    r->refs = 1;
    /* Age is taken on each candidate's listing day (NaN: no common rank day). */
    if ((rc = csvin_cands_read(resolve(scenario_path, cands, p, sizeof p), 0.0 / 0.0, CSVIN_CANDS_REPLAY,
                               r->names, &r->cands, e)))
        goto cleanup;
    if ((rc = csvin_history_read(resolve(scenario_path, history, p, sizeof p), r->cands,
                                 CSVIN_HIST_FINAL | CSVIN_HIST_FRACTIONAL, &r->hist, &r->n_hist, e)))
        goto cleanup;
    if ((rc = csvin_donors_read(resolve(scenario_path, donors, p, sizeof p), r->names, CSVIN_DONOR_REPLAY, 0,
                                &r->donors, &r->n_donors, e)))
        goto cleanup;
    if ((rc = order_by_day(r->cands->n, r, listed_day, &r->list_order, e))
        || (rc = order_by_day(r->n_hist, r, hist_day, &r->hist_order, e)))
        goto cleanup;

cleanup:
    if (rc) replay_free(r);
    else *out = r;
    return rc;
}

struct replay *replay_ref(struct replay *r)
{
    if (r) r->refs++;
    return r;
}

void replay_free(struct replay *r)
{
    if (!r || --r->refs > 0) return;
    csvin_cands_free(r->cands);
    free(r->hist);
    free(r->donors);
    free(r->list_order);
    free(r->hist_order);
    csvin_names_free(r->names);
    free(r);
}
