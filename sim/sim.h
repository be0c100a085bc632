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
#include "scenario.h"

/* One row of /summary. */
struct rec_summary {
    int32_t variant;
    int32_t replication;
    int32_t program;            /* 0 heart (incl. heart-lung), 1 pancreas (incl. pancreas-kidney) */
    double years;
    int32_t listings;
    int32_t transplants;
    int32_t transplants_urgent; /* HU (heart) or SU (pancreas) at transplant */
    int32_t deaths_waiting;
    int32_t removed;
    int32_t waiting_end;        /* listed and not NT at the end */
    double median_wait_days;    /* listing to transplant, transplants in the counted years; NaN if none */
    int32_t urgent_end;         /* HU / SU at the end */
    int32_t nt_end;             /* NT at the end */
    int32_t organs_offered;     /* organs of this programme offered in the counted years */
    int32_t offers;             /* offers made (candidate asked) */
    int32_t discarded;          /* offered organs nobody accepted */
    int32_t transplants_combined; /* heart-lung or pancreas-kidney transplants */
    int32_t accelerated;        /* organs allocated in the accelerated procedure */
    int32_t islets;             /* organs sent to an islet programme */
    /* After the transplant (docs/output.md). */
    int32_t deaths_after_tx;    /* deaths after a transplant in the counted years */
    int32_t deaths_all;         /* deaths_waiting + deaths_after_tx */
    double surv_tx_1y;          /* Kaplan–Meier patient survival 1 year after the counted years'
                                   transplants; NaN if none */
    double graft_tx_1y;         /* the same for graft survival (graft failure or death) */
    double rmst_listing_5y;     /* restricted mean survival over 5 years from a first listing in
                                   the counted years, years; NaN if none */
};

struct rec_cand {
    int32_t variant, replication;
    uint32_t seq;
    int8_t program;             /* enum prog */
    int8_t abo, sex, outcome;   /* enum abo, enum sex, enum outcome */
    int8_t status_listed;       /* status at listing */
    int8_t status_end;          /* status when leaving the list (or at the end) */
    int16_t region, center;
    double listed_day, age_years, end_day, wait_days, weight_kg, pra;
    uint32_t relist_of;         /* seq of the candidate whose graft failed, or UINT32_MAX */
    double death_day;           /* the person's death, on this listing or after (transplant,
                                   relisting), NaN when not observed */
    double followed_day;        /* last day the person is known alive when death_day is NaN */
};

struct rec_donor {
    int32_t variant, replication;
    uint32_t seq;
    int8_t abo, sex, hla_typed;
    int8_t heart_offered, heart_outcome;       /* outcome: 0 not offered, 1 transplanted, 2 discarded */
    int8_t pancreas_offered, pancreas_outcome; /* 0 not offered, 1 transplanted, 2 islets, 3 discarded */
    int8_t pancreas_ecd, pancreas_procedure;   /* procedure: 0 standard, 1 accelerated, 2 islet programme */
    int16_t region;
    double day, age_years, bmi, weight_kg;
    int32_t heart_offers, pancreas_offers;
};

struct rec_tx {
    int32_t variant, replication;
    double day;
    char donor[CAND_ID_LEN];      /* donor id: the file's id in a replay, else the decimal donor_seq */
    char candidate[CAND_ID_LEN];  /* candidate id: the file's id in a replay, else the decimal candidate_seq */
    uint32_t donor_seq, candidate_seq;
    int8_t program;             /* enum prog of the recipient */
    int8_t status;              /* urgency at transplant */
    int8_t abo_step;
    int8_t group;
    double points, wait_days;
    int32_t offer_no;           /* 1 = the first candidate offered accepted */
    double donor_age;           /* years */
    double death_day;           /* the recipient's death (also after a relisting), NaN if not by the end */
    double graft_fail_day;      /* the graft failed without death, NaN if not by the end */
};

struct rec_episode {
    int32_t variant, replication;
    uint32_t candidate;
    int8_t status, nt_credit;
    int16_t code;
    double day, expiry;
};

/* Fairness counts: one row per (variant, replication, program, dimension, group), over the
 * counted years. Dimensions: 0 blood group (O, A, B, AB), 1 age at listing (<16, 16-39, 40-59,
 * 60+), 2 region (the seven DSO regions), 3 sex (female, male). */
enum { GRP_DIM_ABO = 0, GRP_DIM_AGE, GRP_DIM_REGION, GRP_DIM_SEX, GRP_DIM_N };
#define GRP_ROWS (ABO_N + 4 + POPN_REGIONS + 2)
struct rec_group {
    int32_t variant, replication, program;
    int32_t dim, group;
    int32_t listings;           /* listed in the counted years */
    int32_t transplants;        /* transplanted in the counted years */
    int32_t deaths;             /* died on the list in the counted years */
    double waiting_years;       /* patient-years on the list inside the counted years */
};

/* One row of /series: the list of one programme at one moment. */
struct rec_series {
    int32_t variant, replication, program;
    double day;
    int32_t listed;             /* all candidates on the list, NT included */
    int32_t n_t, n_hu, n_nt, n_su;
};

#define VEC(T) struct { T *v; size_t n, cap; }

struct rep_result {
    int variant, replication;
    struct rec_summary summary[ORGAN_N];
    struct rec_group groups[ORGAN_N][GRP_ROWS];
    VEC(struct rec_cand) cands;
    VEC(struct rec_donor) donors;
    VEC(struct rec_tx) tx;
    VEC(struct rec_episode) episodes;
    VEC(struct rec_series) series;
};

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

#endif
