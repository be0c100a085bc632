/* replay.h — a population given as data instead of generated: candidates, their status
 * histories (with final DEAD / REMOVED rows) and donors, read once from the CSV files a
 * scenario names (`population.source: replay`, docs/scenario.md "Replay") and shared
 * read-only by every replication and variant. The engine (sim.c) turns the rows into events. */
#ifndef WLSIM_REPLAY_H
#define WLSIM_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "csvin.h"
#include "err.h"
#include "policy.h"

struct replay {
    int refs;                    /* scenarios sharing it (sweep variants); freed at 0 */
    struct csvin_names *names;   /* region and centre names of both files */
    struct csvin_cands *cands;   /* one candidate per row, age_years = age at listing */
    struct csvin_hist *hist;     /* status rows in file order */
    size_t n_hist;
    struct donor *donors;        /* donors in file order, days non-decreasing */
    size_t n_donors;
    /* The candidates' rows by listing day and the status rows by day (each then in file order),
     * so that the engine can take each file as a stream, one pending event at a time. */
    uint32_t *list_order;        /* n = cands->n */
    uint32_t *hist_order;        /* n = n_hist */
};

/* Reads the three files (each path relative to the folder of `scenario_path` unless absolute).
 * Returns 0 and a new replay (refs 1) in *out, or ERR_INPUT with a message naming file, line
 * and column (every csvin error, donors whose days go back in time among them), or ERR_INTERNAL. */
int replay_load(const char *scenario_path, const char *cands, const char *history,
                const char *donors, struct replay **out, struct err *e);

/* Applies the history rows h[0..nh) whose day is at most `day` to the candidates of cs, as
 * csvin_history_apply does, but reads the history as complete (`wlsim rank --strict`, a
 * replay's population.strict): before each row of a candidate, and for the end (`day` itself
 * included), the grant of its current row is checked with the policy's lapse hook (ops[organ],
 * par[organ]; NULL hook: nothing lapses) and, when it ran out without a renewal row (a row on
 * the day it runs out is in time), applied as lapsed on that day. Each lapse is reported on
 * `warn` as `<who>: FILE:LINE: warning: candidate 'ID': the <grant> of this row (day D) ran out
 * on day E without a renewal row; <status> from day E (<why>)`, naming the row that granted
 * it. A final row (DEAD, REMOVED) ends the candidate's checks. The policies' prepare hooks must
 * have run on cs. Returns 0, or ERR_INTERNAL (allocation) with e set. */
int replay_history_strict(const struct policy_ops *const ops[ORGAN_N], void *const par[ORGAN_N],
                          struct csvin_cands *cs, const char *hpath, const struct csvin_hist *h,
                          size_t nh, double day, const char *who, const char *why, FILE *warn,
                          struct err *e);

/* Another reference to r (for a cloned scenario); returns r. */
struct replay *replay_ref(struct replay *r);

/* Drops one reference; frees r when none is left. NULL is a no-op. */
void replay_free(struct replay *r);

#endif
