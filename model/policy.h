/* policy.h — the seam between the engine (sim/) and the medicine (model/).
 *
 * A programme (heart, pancreas) is driven through a `struct policy_ops` table: the engine
 * knows events and time; the table's functions know the rules. Each function receives its own
 * parameter struct as `const void *par` (the struct the module's pdef table describes), so two
 * policies for the same organ can run side by side, and every random draw takes the RNG it
 * must use as an argument (model/ holds no state and reads no clock).
 *
 * Life of a candidate as the engine runs it:
 *   listing:   prepare(par, c)             (optional) marks what the policy tracks
 *              enter(par, c, day, r)       sets the status at listing (e.g. children HU)
 *   waiting:   next(par, c, now, r, &t)    draws the candidate's next transition after `now`;
 *              the engine schedules exactly one pending transition per candidate, applies it
 *              when it comes (status change via cand_set_status, or an exit), then asks again.
 *              A transplant or exit cancels the pending one.
 *   donor:     match(par, d, day, list, n, want_excluded, out) ranks the list for d
 *   offers:    accept(par, c, d, m, r)     draws whether the offer is accepted
 *   after tx:  course(par, c, d, day, r, &o) the recipient's death and graft failure (model/
 *              outcome.h); a failed graft the course relists is listed again (may be NULL)
 */
#ifndef WLSIM_POLICY_H
#define WLSIM_POLICY_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "cand.h"
#include "match.h"
#include "outcome.h"
#include "pdef.h"

enum trans_kind { TR_NONE = 0, TR_STATUS, TR_DEATH, TR_REMOVAL };

enum policy_route { POLICY_ROUTE_TRANSPLANT = 0, POLICY_ROUTE_ISLET, POLICY_ROUTE_DISCARD };

/* A transition drawn by next(): at `day`, move to `to` (TR_STATUS; `to` may equal the current
 * status: a renewal), or leave the list (TR_DEATH, TR_REMOVAL). `expiry` is the day the new
 * grant expires (HU/SU), NaN when none; `code` a model-specific cause code recorded with the
 * episode (0 = none). TR_NONE: nothing will happen (day = INFINITY). */
struct trans {
    enum trans_kind kind;
    double day;
    enum status to;
    int nt_credit;
    double expiry;
    int code;
};

/* A waiting list as the engine keeps it, for policy_ops.match_keyed: the candidates v[0..n),
 * their keys k[i] == cand_key_of(v[i]), the indices hot[0..nhot) of the entries
 * policy_ops.key_hot marked (in no particular order), and the policy's own index of the list
 * (policy_ops.index_alloc; NULL when the policy keeps none, or the caller, like a unit test,
 * built none: match_keyed must then work from the rest). */
struct keyed_list {
    struct cand *const *v;
    const struct cand_key *k;
    size_t n;
    const uint32_t *hot;
    size_t nhot;
    const void *idx;
};

struct policy_ops {
    const char *name;              /* e.g. "bak2021", "simple" */
    enum organ organ;
    /* The policy's parameters live in one struct of par_size bytes. Its rule parameters are
     * described by rule_pdefs (mounted in scenarios under "policy.<organ>."), its disease,
     * acceptance and outcome parameters by model_pdefs (under "model.<organ>."). Offsets in
     * both tables are relative to the start of that one struct. */
    size_t par_size;
    const struct pdef *rule_pdefs;
    size_t n_rule_pdefs;
    const struct pdef *model_pdefs;
    size_t n_model_pdefs;

    /* Cross-field checks after parsing: returns 0, or -1 with a message naming the fields in
     * msg (e.g. "hu.initial_days must not exceed hu.renewal_days"). May be NULL. */
    int (*validate)(const void *par, char *msg, size_t len);

    /* Optional (may be NULL): called once on every candidate of the policy's organ before its
     * first status row (engine listing, replay listing, `wlsim rank`), to set what the policy
     * needs tracked, e.g. cand.mark_day. Draws nothing. */
    void (*prepare)(const void *par, struct cand *c);

    /* Sets c's status at listing `day` (c has been filled by the population model). */
    void (*enter)(const void *par, struct cand *c, double day, gsl_rng *r);

    /* Draws c's next transition strictly after `now` into *t. */
    void (*next)(const void *par, const struct cand *c, double now, gsl_rng *r, struct trans *t);

    /* Writes a match for every eligible candidate of list[0..n) (and, if want_excluded, one for
     * every excluded candidate with eligible = 0 and its exclusion code) into out, in any order.
     * Returns how many it wrote (at most n). Pure; one pass. */
    size_t (*match)(const void *par, const struct donor *d, double day, struct cand *const *list,
                    size_t n, int want_excluded, struct match *out);

    /* Optional (may be NULL): a faster match(par, d, day, l->v, l->n, 0, out) for the engine,
     * given the list's keys and hot entries (struct keyed_list). It may leave out matches that
     * cannot be among the first `want` of the match order (SIZE_MAX: leave out none): what it
     * writes must contain every match that is among the first `want` of match()'s output
     * ordered by match_cmp, each exactly as match() writes it, in any order. Returns how many
     * it wrote. */
    size_t (*match_keyed)(const void *par, const struct donor *d, double day,
                          const struct keyed_list *l, size_t want, struct match *out);

    /* Optional (may be NULL): whether the list entry with key k (on `day`) belongs to the
     * entries the policy's match_keyed may look at first (the heart: the HU group). The engine
     * asks when a key is set or renewed and keeps those entries' indices in keyed_list.hot. A
     * superset is allowed: an entry may stay hot after it stops qualifying, but one that would
     * qualify on any later day with the same key must be hot now. */
    int (*key_hot)(const void *par, const struct cand_key *k, double day);

    /* Optional (all three or none): an index of one waiting list in whatever form the policy's
     * match_keyed and accel_keyed want (the heart: its T and adult HU candidates in rank order;
     * the pancreas: each centre's candidates in rank order; docs/design.md "List indexes"),
     * kept current by the engine and handed to them as keyed_list.idx.
     * index_alloc: a new empty index for a list ranked under par, owned by the caller; NULL
     *      when out of memory.
     * index_free: frees it; NULL is a no-op.
     * index_update: c joins the list (was == NULL, now == its key), its key changes at a status
     *      change (both given; they may be equal), or it leaves (now == NULL, was == its key
     *      while listed), on `day`. The keys are cand_key_of(c) at the time, and c stays at
     *      the same address while listed. `id` names c while it is listed: a small number (the
     *      engine's place of c in its candidate pool, dense from 0; c->seq is not dense) that
     *      no other listed candidate has, for tables indexed by candidate. Returns 0, or -1
     *      when out of memory (only a joining or changing entry may need memory; the index is
     *      then as before the call). */
    void *(*index_alloc)(const void *par);
    void (*index_free)(void *idx);
    int (*index_update)(void *idx, const void *par, struct cand *c, uint32_t id,
                        const struct cand_key *was, const struct cand_key *now, double day);

    /* Writes a short human-readable reason for m (ranked or excluded) into buf. */
    void (*reason)(const void *par, const struct donor *d, double day, const struct match *m,
                   char *buf, size_t len);

    /* Group label for output ("HU", "T", "1".."8" ...), into buf. */
    void (*group_name)(const void *par, const struct match *m, char *buf, size_t len);

    /* Draws whether the offer of d to m->c is accepted (1) or declined (0). */
    int (*accept)(const void *par, const struct cand *c, const struct donor *d,
                  const struct match *m, gsl_rng *r);

    /* Optional special procedures (§II.4.3 of the general part); all NULL for policies without
     * them, and then every organ is offered down the normal match list.
     * ecd: a nonzero mask when d's organ is of extended criteria and goes through the
     *      accelerated procedure from the start.
     * unplaced_after: how many declined offers leave an organ "unplaced", so that it switches
     *      to the accelerated procedure (the engine asks the normal order up to that many), or
     *      -1 when it never switches. NULL: never.
     * accel_order: rearranges matches m[0..n), in any order, in place so that m[0..k) are the
     *      first k of the accelerated offer order, and returns k: how many are offered, at most
     *      `limit` (the offers still allowed; SIZE_MAX or >= n for the whole order). The rest of
     *      the array is in unspecified order. The limit lets a policy order only what can be
     *      offered: most extended-criteria organs reach only a few candidates. `r` is the
     *      donor's sub-stream for the procedure (e.g. the order in which further centres answer);
     *      NULL means "no chance": the normal rank order wherever the order would be drawn.
     * route: after an offer accepted in the accelerated procedure, where the organ goes:
     *      POLICY_ROUTE_TRANSPLANT, POLICY_ROUTE_ISLET (the candidate stays listed) or
     *      POLICY_ROUTE_DISCARD. */
    unsigned (*ecd)(const void *par, const struct donor *d);
    int (*unplaced_after)(const void *par);
    size_t (*accel_order)(const void *par, const struct donor *d, struct match *m, size_t n,
                          size_t limit, gsl_rng *r);
    int (*route)(const void *par, const struct donor *d, gsl_rng *r);

    /* Optional (may be NULL): accel_order without the ranking of the whole list, for a policy
     * that keeps an index (index_alloc). Writes to out[0..k) what accel_order would leave in
     * m[0..k) (and returns the same k) if m[0..n) were every eligible match for d on `day` in
     * the list l except the candidates of asked[0..nasked) (offered already in the normal
     * order), with the same draws from r for what it returns (it may skip draws that decide
     * only the order after `limit`; the engine re-seeds r before any other use). Returns
     * SIZE_MAX when it cannot (its index does not serve this donor or these options); the
     * engine then ranks the whole list and calls accel_order. When the policy has accel_keyed, the engine asks match_keyed for only the
     * matches the normal order can reach. out has room for every eligible match. */
    size_t (*accel_keyed)(const void *par, const struct donor *d, double day,
                          const struct keyed_list *l, const struct match *asked, size_t nasked,
                          size_t limit, gsl_rng *r, struct match *out);

    /* Optional (may be NULL): for a candidate whose statuses come from data (`wlsim rank
     * --strict`, a replay with population.strict), when the grant of its current status row
     * runs out unless a later row renews it, and what the candidate is then: *t gets
     * TR_STATUS with day, to, nt_credit (HU or SU expired: back to T; an NT waiting-time
     * application expired: NT without credit), or TR_NONE when the row carries no grant that
     * can lapse (T, NT without credit, a child's HU by age). Pure; draws nothing. */
    void (*lapse)(const void *par, const struct cand *c, struct trans *t);

    /* Draws the course after c is transplanted with d on `day` into *out (struct outc_course:
     * death, graft failure, relisting). The engine gives each recipient its own sub-stream
     * keyed by the candidate, so the same patient draws the same uniforms in every variant.
     * May be NULL: then nobody dies after a transplant and no graft fails. */
    void (*course)(const void *par, const struct cand *c, const struct donor *d, double day,
                   gsl_rng *r, struct outc_course *out);
};

/* ------------------------------------------------------------------------------------------ */
/* What the engine and the file readers know of an organ, whatever the policy                 */

/* How a candidate attribute column is read and written (docs/rank.md, "Candidates"). */
enum cand_col_kind {
    CAND_COL_NUM = 0, /* double member: a decimal number in [lo, hi] */
    CAND_COL_DAY,     /* double member: a day in [lo, CAND_COL_DAY_MAX]: a whole number for `wlsim
                         rank`, any decimal number in a replay */
    CAND_COL_FLAG,    /* int member: 0 or 1 */
    CAND_COL_CODE,    /* int member: a whole number in [lo, hi] */
    CAND_COL_TEXT     /* any member: through parse and format */
};

/* Bound of every day column of the CSV inputs: +-10^7 days (27 000 years). */
#define CAND_COL_DAY_MAX 1e7

/* One optional attribute column of the candidate file (`wlsim rank`, replay) and of the file
 * `wlsim export` writes; the reader and the writer both go through this row, so what one writes
 * the other reads back. An empty cell (or an absent column) leaves the member at cand_init's
 * value, or sets `def` (NUM, DAY: a double, NaN for "unknown"; FLAG, CODE: an int). */
struct cand_col {
    const char *name;        /* the column's header name */
    enum cand_col_kind kind;
    size_t off;              /* offsetof(struct cand, member) (not used by CAND_COL_TEXT) */
    double lo, hi;           /* bounds (NUM, CODE; DAY: lo only) */
    double def;              /* the value of an empty cell (NUM, DAY, FLAG, CODE) */
    /* CAND_COL_TEXT: parse stores the cell s ("" for an empty cell) into c and returns 0, or
     * returns -1 when s is none of `expected` (the reader's message says "expected <expected>");
     * format returns the cell for c (never NULL; "" for an unknown value). */
    int (*parse)(const char *s, struct cand *c);
    const char *(*format)(const struct cand *c);
    const char *expected;
    /* Optional (may be NULL). blank: 1 when the writer leaves the cell empty for c (the member
     * means nothing there, e.g. an implant day without the implant). check: after the whole row
     * is read, 0 when the column's value fits the rest of c; else writes what was expected into
     * what[0..len) (the reader's message: "column NAME: expected <what>, found '<cell>'") and
     * returns -1. */
    int (*blank)(const struct cand *c);
    int (*check)(const struct cand *c, char *what, size_t len);
};

/* An organ programme as the engine, the file readers and the writers see it; the policies
 * for it (struct policy_ops) decide everything medical. One per enum organ, in model/organ.c;
 * model/registry.c lists them in the order a donor's organs are allocated. */
struct organ_def {
    enum organ organ;
    const char *name;        /* "heart", "pancreas": the donor file's offer column, scenario keys,
                                messages */
    const char *rule_prefix; /* "policy.<name>.": where the scenario sets its policy's rule
                                parameters (rule_pdefs) */
    const char *model_prefix; /* "model.<name>.": where it sets the model parameters */
    enum prog prog;          /* the programme of a listing before the population model draws
                                the combined one (heart-lung, pancreas-kidney) */
    enum status urgent;      /* the urgent status (HU, SU): transplants_urgent, urgent_end */
    size_t offer_off;        /* offsetof(struct donor, int member): 1 when the organ is offered */
    /* The /donors outcome code of the organ after allocation: `taken` 1 when transplanted,
     * `route` the policy's route after an accepted offer (docs/output.md, /donors). */
    int (*donor_outcome)(int taken, enum policy_route route);
    /* The organ's own optional candidate columns (after the columns every organ has). */
    const struct cand_col *cols;
    size_t n_cols;
};

/* 1 when donor d offers od's organ. */
static inline int organ_offered(const struct organ_def *od, const struct donor *d)
{
    return *(const int *)(const void *)((const char *)d + od->offer_off);
}

/* The member of d that says whether od's organ is offered (for the donor file's reader). */
static inline int *organ_offer_flag(const struct organ_def *od, struct donor *d)
{
    return (int *)(void *)((char *)d + od->offer_off);
}

#endif
