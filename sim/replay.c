/* replay.c — loading a replayed population (see replay.h). */
#include "replay.h"

#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cand.h"
#include "popn.h"

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

/* The donors' regions outside the DSO regions, read into a table of their own (dn), as ids of
 * r->names: taken in donor-file order, they get the ids a read into r->names after the
 * candidates would have given them. 0, or ERR_INTERNAL (out of memory). */
static int merge_donor_regions(struct replay *r, const struct csvin_names *dn, struct err *e)
{
    for (size_t i = 0; i < r->n_donors; i++) {
        int *reg = &r->donors[i].region;
        if (*reg < POPN_REGIONS) continue;
        const char *name = csvin_names_region_name(dn, *reg);
        const int id = name ? csvin_names_region(r->names, name) : -1;
        if (id < 0) return err_set(e, ERR_INTERNAL, "out of memory");
        *reg = id;
    }
    return 0;
}

int replay_load(const char *scenario_path, const char *cands, const char *history,
                const char *donors, struct replay **out, struct err *e)
{
    char pc[PATH_MAX], ph[PATH_MAX], pd[PATH_MAX];
    int rc = 0, drc = 0;
    struct err de;
    struct csvin_names *dn = NULL;
    err_clear(&de);
    *out = NULL;
    struct replay *r = calloc(1, sizeof *r);
    if (!r || !(r->names = csvin_names_alloc()) || !(dn = csvin_names_alloc())) {
        rc = err_set(e, ERR_INTERNAL, "out of memory");
        goto cleanup;
    }
    r->refs = 1;
    resolve(scenario_path, cands, pc, sizeof pc);
    resolve(scenario_path, history, ph, sizeof ph);
    resolve(scenario_path, donors, pd, sizeof pd);
    /* The donor file does not depend on the other two, so it is read on a second thread while
     * the candidates and then the history are read on the first (unless OpenMP is held to one
     * thread, OMP_NUM_THREADS=1). The outcome is what reading them one after the other gives:
     * the same message (the candidates' error first, then the history's, then the donors'),
     * the same region ids (merge_donor_regions). */
#pragma omp parallel sections num_threads(2) if (omp_get_max_threads() > 1)
    {
#pragma omp section
        {
            /* Age is taken on each candidate's listing day (NaN: no common rank day). */
            rc = csvin_cands_read(pc, 0.0 / 0.0, CSVIN_CANDS_REPLAY, r->names, &r->cands, e);
            if (!rc)
                rc = csvin_history_read(ph, r->cands, CSVIN_HIST_FINAL | CSVIN_HIST_FRACTIONAL, &r->hist,
                                        &r->n_hist, e);
        }
#pragma omp section
        drc = csvin_donors_read(pd, dn, CSVIN_DONOR_REPLAY, 0, &r->donors, &r->n_donors, &de);
    }
    if (rc) goto cleanup;
    if (drc) {
        if (e) *e = de;
        rc = drc;
        goto cleanup;
    }
    rc = merge_donor_regions(r, dn, e);

cleanup:
    csvin_names_free(dn);
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
