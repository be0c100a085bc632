/* sim.h — one replication of a scenario, and its results as plain data.
 *
 * sim_run() builds a per-replication context (clock, event queue, waiting lists, RNG streams,
 * a const pointer to the scenario), runs it from an empty list through the warm-up and the
 * counted years, and returns a `struct rep_result`: per-programme summaries and the entity
 * records (candidates, donors, transplants, status episodes). Results are plain arrays so they
 * can be handed between threads (and later MPI ranks) and written by one writer in order.
 *
 * sim_run_branch() (`--branch`) runs the warm-up once and continues every policy variant from a
 * deep copy of the replication at day 0 (sim_ctx_clone in sim.c).
 *
 * Days in the records are on the counted clock: day 0 is the end of the warm-up, warm-up days
 * are negative. Candidate and donor numbers (`seq`) are stable across policy variants with the
 * same seed (common random numbers, see docs/output.md). */
#ifndef WLSIM_SIM_H
#define WLSIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rec.h"
#include "scenario.h"
#include "vec.h"

/* The record structs of the per-replication tables: one member per field of the table's list in
 * sim/rec.h, where each field's type, unit and meaning are described (docs/output.md). */
REC_STRUCT(rec_summary, REC_SUMMARY);
REC_STRUCT(rec_cand, REC_CAND);
REC_STRUCT(rec_donor, REC_DONOR);
REC_STRUCT(rec_tx, REC_TX);
REC_STRUCT(rec_episode, REC_EPISODE);
_Static_assert(REC_ID_LEN == CAND_ID_LEN, "the ids of /transplants hold a candidate or donor id");

/* Fairness counts: one row per (variant, replication, program, dimension, group), over the
 * counted years. Dimensions: 0 blood group (O, A, B, AB), 1 age at listing (<16, 16-39, 40-59,
 * 60+), 2 region (the seven DSO regions), 3 sex (female, male). */
enum { GRP_DIM_ABO = 0, GRP_DIM_AGE, GRP_DIM_REGION, GRP_DIM_SEX, GRP_DIM_N };
#define GRP_ROWS (ABO_N + 4 + POPN_REGIONS + 2)
REC_STRUCT(rec_group, REC_GROUP);

REC_STRUCT(rec_series, REC_SERIES);

/* The tables a replication's result holds as growing vectors, in the order the serialiser packs
 * them (sim/ser.c): X(member of struct rep_result, record struct tag, table id of sim/rec.h).
 * /summary and /groups are the fixed arrays `summary` and `groups`. A new per-replication table
 * is one line here (after its list in sim/rec.h); sim_result_free, the clone of --branch, the
 * serialiser, the writer and verify follow from it. */
#define SIM_RESULT_VECTORS(X)                                                                   \
    X(cands, rec_cand, REC_T_CANDS)                                                             \
    X(donors, rec_donor, REC_T_DONORS)                                                          \
    X(tx, rec_tx, REC_T_TX)                                                                     \
    X(episodes, rec_episode, REC_T_EPISODES)                                                    \
    X(series, rec_series, REC_T_SERIES)

#define SIM_RESULT_MEMBER(m, tag, id) VEC(struct tag) m;
struct rep_result {
    int variant, replication;
    struct rec_summary summary[ORGAN_N];
    struct rec_group groups[ORGAN_N][GRP_ROWS];
    SIM_RESULT_VECTORS(SIM_RESULT_MEMBER)
};
#undef SIM_RESULT_MEMBER

/* An observer of a replication's population as it unfolds, for `wlsim export` (sim/export.h):
 * everything a replay needs to reproduce the run. Days are on the engine clock (day 0 = start of
 * the warm-up, as the replay's files count them). Each callback returns 0, or an error code with
 * a message in e, which stops the replication with that code. Every callback may be NULL.
 *   listing: c was listed (also a relisting after graft loss), after the policy's enter() drew
 *            its listing attributes and status: c->w.status holds from c->w.listed on.
 *   status:  c's status changed (or was renewed) on c->w.since to c->w.status / c->w.nt_credit.
 *   leave:   c left the list on c->end_day with c->outcome (died, removed or transplanted).
 *   donor:   d arrives on d->day (before its organs are allocated).
 * The const pointers are valid only during the call. */
struct sim_recorder {
    void *ctx;
    int (*listing)(void *ctx, const struct cand *c, struct err *e);
    int (*status)(void *ctx, const struct cand *c, struct err *e);
    int (*leave)(void *ctx, const struct cand *c, struct err *e);
    int (*donor)(void *ctx, const struct donor *d, struct err *e);
};

/* Options that are not part of the scenario. */
struct sim_opts {
    uint64_t seed;              /* master seed */
    int entity_tables;          /* 1: record per-entity tables; 0: summaries only */
    int warmup_rows;            /* 1: entity tables keep the warm-up too; 0: the counted years
                                 * only (donors and transplants from day 0, the candidates on the
                                 * list at some time from day 0 with all their episodes) */
    const struct sim_recorder *rec; /* NULL in normal runs (then nothing is observed) */
    int branch;                 /* enum sim_branch: whether and how the run's variants branch from
                                 * a shared warm-up (--branch, sim_run_branch); read by the runners,
                                 * recorded in the results and resume files; sim_run ignores it */
};

/* --branch[=keep|redraw]: what becomes of a listed candidate's pending transition at day 0 in a
 * variant whose rules for the candidate's programme differ from variant 0's (docs/rules.md §3).
 * KEEP: it happens as it was drawn under variant 0's rules (a renewal drawn before day 0 still
 * confers the old grant length once); REDRAW: it is discarded and drawn afresh at day 0 under the
 * variant's rules (from the candidate's own progression sub-stream, so nobody else's draws move).
 * Variants whose rules for a programme equal variant 0's are never redrawn there. */
enum sim_branch { SIM_BRANCH_NONE = 0, SIM_BRANCH_KEEP = 1, SIM_BRANCH_REDRAW = 2 };

/* Runs replication `rep` of scenario s as variant `variant`. On success returns 0 and stores a
 * new result in *out (free with sim_result_free). On failure returns ERR_INTERNAL with a message
 * in e, and *out is NULL. Thread-safe: touches nothing shared but the const scenario. */
int sim_run(const struct scenario *s, const struct sim_opts *o, int variant, int rep,
            struct rep_result **out, struct err *e);

/* Runs replication `rep` of every variant from one shared warm-up (`wlsim run --branch`): the
 * warm-up (every event before day 0 of the counted years) is simulated once under variants[0]'s
 * rules; then the whole replication state (lists, candidates with their status, grants, expiries,
 * waiting-time accounts and pending transitions, pending events, the random streams, the records
 * so far) is copied for each other variant, which continues under its own rules; variants[0]
 * continues from the original. Variants must differ only in their policies (the caller checks:
 * branch_check) and o->branch says what becomes of pending transitions. On success stores n_variants new results in out[0..n_variants), result v
 * labelled variant v; on failure returns ERR_INTERNAL with a message in e and every out[v] is
 * NULL. With one variant the result equals sim_run(variants[0], o, 0, rep) bit for bit; a
 * variant identical to variants[0] reproduces its result bit for bit (but for the label). */
int sim_run_branch(const struct scenario *const *variants, int n_variants, const struct sim_opts *o, int rep,
                   struct rep_result **out, struct err *e);

/* Frees r. NULL is a no-op. */
void sim_result_free(struct rep_result *r);

/* The rows of per-replication table t (a table id of sim/rec.h whose `when` is REC_REPLICATION
 * or REC_ENTITY) in result r: *rows points at r's records (valid as long as r), *n is their
 * number. */
void sim_result_rows(const struct rep_result *r, int t, const void **rows, size_t *n);

#endif
