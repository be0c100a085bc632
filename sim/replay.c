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
    csvin_names_free(r->names);
    free(r);
}
