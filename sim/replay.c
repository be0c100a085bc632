/* replay.c — loading a replayed population (see replay.h). */
#include "replay.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cand.h"

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
