/* sim.c — one replication: the event loop, the waiting lists and the allocation of each donor's
 * organs (see sim.h). The engine knows events, time and streams; every medical decision is
 * asked of the organ's policy through its `struct policy_ops`.
 *
 * Random streams (common random numbers, ARCHITECTURE §4): listings of each organ come from
 * their own arrival stream, donors from the donor stream; each candidate's progression draws
 * come from a sub-stream keyed by (candidate seq, draw count), each offer decision from a
 * sub-stream keyed by (donor, organ, candidate), each post-transplant outcome from one keyed by
 * the candidate. So a rule change in one programme moves no draw of the other, and a change of
 * who is transplanted does not shift anybody else's draws. */
#include "sim.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "evq.h"
#include "registry.h"
#include "replay.h"
#include "rng.h"

enum ev_type { EV_TRANS = 0, EV_RELIST, EV_LISTING, EV_DONOR, EV_SNAPSHOT, EV_END, EV_R_LISTING, EV_R_HISTORY, EV_R_DONOR, EV_R_LAPSE };
/* Same-day order: status changes, then relistings, then new listings, then donors. */
enum { PRIO_TRANS = 0, PRIO_RELIST = 1, PRIO_LISTING = 2, PRIO_DONOR = 3, PRIO_SNAPSHOT = 4, PRIO_END = 5 };
/* Replay: on one day, listings, then status rows, then donors (each in file order: replay_next
 * takes each file by day, then file order). */
enum { PRIO_R_LISTING = -2, PRIO_R_HISTORY = -1 };
/* A replay's files, each taken as a stream of rows by day (replay_next). */
enum { RS_LISTING, RS_HISTORY, RS_DONOR, RS_N };

#define BLOCK_BITS 12
#define BLOCK (1u << BLOCK_BITS)
/* Candidate seq layout: organ in bit 31, relisting in bit 30, counter below (stable across
 * variants for primary listings). */
#define SEQ_ORGAN_BIT 31
#define SEQ_RELIST_BIT 30

/* The ranking passes reach every listed candidate through a pointer, so the slot should stay
 * small (and ideally a multiple of 64 bytes, which keeps each candidate's hot first line aligned
 * alike). So the course after a transplant shares the space of the pending transition, which is
 * dead once the candidate has left the list (leave() cancels its event): it adds nothing. */
struct slot {                   /* engine-side state of one candidate */
    struct cand c;
    union {
        struct trans t;         /* while listed: the pending transition */
        struct {                /* once transplanted (engine clock; INFINITY: not in the course) */
            double tx_death;    /* death with the graft, or after a graft failure not relisted */
            double tx_fail;     /* the graft failed without death */
            double tx_relist;   /* relisted for a re-transplant on this day */
            uint32_t next;      /* slot of that relisting once it happened, UINT32_MAX none */
            uint32_t tx_rec;    /* row of /transplants, UINT32_MAX none */
        };
    };
    evq_handle h;
    uint32_t relist_of;
    int8_t status_listed;
};
_Static_assert(sizeof(struct trans) >= 3 * sizeof(double) + 2 * sizeof(uint32_t),
               "struct slot: the course after a transplant must fit in the transition's space");

struct list {
    struct cand **v;
    struct cand_key *k;     /* k[i] = cand_key_of(v[i]): see policy_ops.match_keyed */
    int32_t *hp;            /* hp[i]: entry i's place in hot[], -1 when not hot */
    uint32_t *hot;          /* the entries policy_ops.key_hot marked, nhot of them */
    size_t n, cap, nhot;
    void *idx;              /* the policy's index of the list (policy_ops.index_alloc), or NULL */
};

struct ctx {
    const struct scenario *s;
    const struct sim_opts *o;
    struct rep_result *res;
    struct err *e;
    int variant, rep;
    uint64_t srep;              /* replication whose streams are drawn (a replay may name another) */
    uint64_t pre[RNG_N];        /* rng_mix_prefix(seed, srep, stream) of each stream */
    double t0, t_end;           /* start of counting and end, on the engine clock (day 0 = start) */
    struct evq *q;
    gsl_rng *arr[ORGAN_N], *don, *prog, *offer, *outc;
    struct slot **blocks;
    size_t nblocks, ncand;
    uint32_t counter[ORGAN_N], relist_counter[ORGAN_N];
    uint32_t donor_seq;
    struct list list[ORGAN_N];
    struct match *mbuf;
    size_t mcap;
    VEC(double) waits[ORGAN_N];
    int32_t *rmap;              /* replay: candidate row -> slot index, -1 before listing */
    size_t rnext[RS_N];         /* replay: the next row of each file (replay_next) */
    VEC(uint32_t) relists;      /* replay: transplanted slots whose course relists them, until
                                   the files' relisting row is matched to them */
};

#define PUSH(vec, item, ctx)                                                                   \
    (((vec).n == (vec).cap && grow((void **)&(vec).v, &(vec).cap, sizeof *(vec).v, ctx))       \
         ? -1 : ((vec).v[(vec).n++] = (item), 0))
/* A new zeroed element at the end of vec, or NULL (error set). Records are filled member by
 * member so that their padding bytes stay zero: results compare bit for bit, and the HDF5
 * tables (whose types span the whole struct) carry no stray bytes. */
#define PUSHZ(vec, ctx)                                                                        \
    (((vec).n == (vec).cap && grow((void **)&(vec).v, &(vec).cap, sizeof *(vec).v, ctx))       \
         ? NULL : memset(&(vec).v[(vec).n++], 0, sizeof *(vec).v))

static int grow(void **v, size_t *cap, size_t size, struct ctx *x)
{
    if (vec_grow(v, cap, *cap + 1, size)) return err_set(x->e, ERR_INTERNAL, "out of memory in replication %d", x->rep), -1;
    return 0;
}

static struct slot *slot_at(struct ctx *x, size_t i)
{
    return &x->blocks[i >> BLOCK_BITS][i & (BLOCK - 1)];
}

/* Slot blocks are about 1.3 MB: with glibc's default thresholds malloc would map each one
 * fresh from the kernel and faulting its pages in cost about 8 % of a replication; main() raises
 * the thresholds (mallopt) so freed blocks are reused instead. */
static struct slot *slot_new(struct ctx *x, uint32_t *idx)
{
    if (x->ncand == x->nblocks * BLOCK) {
        struct slot **nb = realloc(x->blocks, (x->nblocks + 1) * sizeof *nb);
        if (!nb) return NULL;
        x->blocks = nb;
        if (!(nb[x->nblocks] = malloc(BLOCK * sizeof **nb))) return NULL;
        x->nblocks++;
    }
    *idx = (uint32_t)x->ncand;
    return slot_at(x, x->ncand++);
}

static uint32_t slot_index(const struct cand *c)
{
    return c->slot;
}

static int counted(const struct ctx *x, double t) { return t >= x->t0 && t < x->t_end; }

/* Marks entry i of organ o's list hot or not, as the policy's key_hot says for its key now. */
static void list_mark(struct ctx *x, enum organ o, size_t i, double day)
{
    struct list *l = &x->list[o];
    const struct policy_ops *ops = x->s->ops[o];
    const int hot = ops->key_hot && ops->key_hot(x->s->par[o], &l->k[i], day);
    if (hot && l->hp[i] < 0) {
        l->hp[i] = (int32_t)l->nhot;
        l->hot[l->nhot++] = (uint32_t)i;
    } else if (!hot && l->hp[i] >= 0) {
        const uint32_t last = l->hot[--l->nhot];
        l->hot[l->hp[i]] = last;
        l->hp[last] = l->hp[i];
        l->hp[i] = -1;
    }
}

static int list_add(struct ctx *x, enum organ o, struct cand *c, double day)
{
    struct list *l = &x->list[o];
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 1024;
        struct cand **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return err_set(x->e, ERR_INTERNAL, "out of memory (waiting list)");
        l->v = nv;
        struct cand_key *nk = realloc(l->k, nc * sizeof *nk);
        if (!nk) return err_set(x->e, ERR_INTERNAL, "out of memory (waiting list)");
        l->k = nk;
        int32_t *nh = realloc(l->hp, nc * sizeof *nh);
        if (!nh) return err_set(x->e, ERR_INTERNAL, "out of memory (waiting list)");
        l->hp = nh;
        uint32_t *nt = realloc(l->hot, nc * sizeof *nt);
        if (!nt) return err_set(x->e, ERR_INTERNAL, "out of memory (waiting list)");
        l->hot = nt;
        l->cap = nc;
    }
    const struct policy_ops *ops = x->s->ops[o];
    const struct cand_key k = cand_key_of(c);
    if (ops->index_update) {
        if (!l->idx && !(l->idx = ops->index_alloc(x->s->par[o])))
            return err_set(x->e, ERR_INTERNAL, "out of memory (list index)");
        if (ops->index_update(l->idx, x->s->par[o], c, c->slot, NULL, &k, day))
            return err_set(x->e, ERR_INTERNAL, "out of memory (list index)");
    }
    c->list_pos = (int32_t)l->n;
    l->k[l->n] = k;
    l->hp[l->n] = -1;
    l->v[l->n++] = c;
    list_mark(x, o, l->n - 1, day);
    return 0;
}

/* 1 when k describes c as cand_key_of() would (the doubles bit for bit: NaN is a value here). */
static int key_current(const struct cand_key *k, const struct cand *c)
{
    const struct cand_key n = cand_key_of(c);
    return memcmp(&k->weight_kg, &n.weight_kg, sizeof n.weight_kg) == 0
           && memcmp(&k->birth_day, &n.birth_day, sizeof n.birth_day) == 0
           && memcmp(&k->listed, &n.listed, sizeof n.listed) == 0
           && memcmp(&k->nt_days, &n.nt_days, sizeof n.nt_days) == 0
           && memcmp(&k->pra, &n.pra, sizeof n.pra) == 0 && k->prog == n.prog && k->abo == n.abo
           && k->status == n.status && k->growing == n.growing && k->hla_ok == n.hla_ok
           && k->combined == n.combined;
}

static void list_remove(struct ctx *x, enum organ o, struct cand *c, double day)
{
    struct list *l = &x->list[o];
    assert(c->list_pos >= 0 && (size_t)c->list_pos < l->n && l->v[c->list_pos] == c);
    assert(key_current(&l->k[c->list_pos], c)); /* kept current while listed */
    const size_t i = (size_t)c->list_pos;
    if (l->idx) { /* a removal needs no memory (policy_ops.index_update) */
        const int rc =
            x->s->ops[o]->index_update(l->idx, x->s->par[o], c, c->slot, &l->k[i], NULL, day);
        assert(rc == 0);
        (void)rc;
    }
    assert(l->hp[i] < 0 || ((size_t)l->hp[i] < l->nhot && l->hot[l->hp[i]] == i));
    if (l->hp[i] >= 0) { /* off the hot entries */
        const uint32_t lh = l->hot[--l->nhot];
        l->hot[l->hp[i]] = lh;
        l->hp[lh] = l->hp[i];
        l->hp[i] = -1;
    }
    struct cand *last = l->v[--l->n];
    l->k[i] = l->k[l->n];
    l->hp[i] = l->hp[l->n];
    if (l->hp[i] >= 0) l->hot[l->hp[i]] = (uint32_t)i;
    l->v[i] = last;
    last->list_pos = (int32_t)i;
    c->list_pos = -1;
}

/* Sets c's status and renews its list key (struct cand_key) and the policy's index to match.
 * Returns 0, or ERR_INTERNAL when the index ran out of memory (message set). */
static int set_status(struct ctx *x, struct cand *c, double day, enum status st, int nt_credit)
{
    cand_set_status(c, day, st, nt_credit);
    if (c->list_pos < 0) return 0;
    const enum organ o = prog_organ(c->prog);
    struct list *l = &x->list[o];
    const struct cand_key k = cand_key_of(c);
    if (l->idx && x->s->ops[o]->index_update(l->idx, x->s->par[o], c, c->slot, &l->k[c->list_pos],
                                             &k, day))
        return err_set(x->e, ERR_INTERNAL, "out of memory (list index)");
    l->k[c->list_pos] = k;
    list_mark(x, o, (size_t)c->list_pos, day);
    return 0;
}

static int record_episode(struct ctx *x, const struct cand *c, const struct trans *t)
{
    if (!x->o->entity_tables) return 0;
    struct rec_episode *ep = PUSHZ(x->res->episodes, x);
    if (!ep) return ERR_INTERNAL;
    ep->variant = x->variant;
    ep->replication = x->rep;
    ep->candidate = c->seq;
    ep->status = (int8_t)c->w.status;
    ep->nt_credit = (int8_t)c->w.nt_credit;
    ep->code = (int16_t)(t ? t->code : 0);
    ep->day = c->w.since - x->t0;
    ep->expiry = isnan(c->expiry) ? NAN : c->expiry - x->t0;
    return 0;
}

/* Draws and schedules the candidate's next transition (progression sub-stream). */
static int schedule_next(struct ctx *x, struct slot *sl, uint32_t idx, double now)
{
    struct cand *c = &sl->c;
    const struct policy_ops *ops = x->s->ops[prog_organ(c->prog)];
    rng_stream_reseed_sub(x->prog, x->pre[RNG_PROGRESSION], ((uint64_t)c->seq << 32) | c->draws++);
    ops->next(x->s->par[prog_organ(c->prog)], c, now, x->prog, &sl->t);
    sl->h = 0;
    if (sl->t.kind == TR_NONE || !(sl->t.day < x->t_end)) return 0;
    assert(sl->t.day >= now);
    sl->h = evq_push(x->q, sl->t.day, PRIO_TRANS, EV_TRANS, idx, 0);
    if (!sl->h) return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return 0;
}

/* Takes c off its list with `outcome` on `day`. Fails only when the recorder does. */
static int leave(struct ctx *x, struct slot *sl, enum outcome outcome, double day)
{
    struct cand *c = &sl->c;
    enum organ o = prog_organ(c->prog);
    if (sl->h) evq_cancel(x->q, sl->h);
    sl->h = 0;
    list_remove(x, o, c, day);
    c->outcome = outcome;
    c->end_day = day;
    if (counted(x, day)) {
        struct rec_summary *sm = &x->res->summary[o];
        if (outcome == OUT_DIED) sm->deaths_waiting++;
        if (outcome == OUT_REMOVED) sm->removed++;
    }
    if (x->o->rec && x->o->rec->leave && x->o->rec->leave(x->o->rec->ctx, c, x->e)) return x->e->code;
    return 0;
}

static int list_candidate(struct ctx *x, struct slot *sl, uint32_t idx, double day)
{
    struct cand *c = &sl->c;
    enum organ o = prog_organ(c->prog);
    const struct policy_ops *ops = x->s->ops[o];
    if (ops->prepare) ops->prepare(x->s->par[o], c);
    rng_stream_reseed_sub(x->prog, x->pre[RNG_PROGRESSION], ((uint64_t)c->seq << 32) | c->draws++);
    ops->enter(x->s->par[o], c, day, x->prog);
    sl->status_listed = (int8_t)c->w.status;
    sl->h = 0;
    if (list_add(x, o, c, day)) return ERR_INTERNAL;
    if (x->o->rec && x->o->rec->listing && x->o->rec->listing(x->o->rec->ctx, c, x->e)) return x->e->code;
    if (counted(x, day)) x->res->summary[o].listings++;
    if (record_episode(x, c, NULL)) return ERR_INTERNAL;
    return schedule_next(x, sl, idx, day);
}

static int on_listing(struct ctx *x, enum organ o, double now)
{
    uint32_t idx;
    struct slot *sl = slot_new(x, &idx);
    if (!sl) return err_set(x->e, ERR_INTERNAL, "out of memory (candidates)");
    uint32_t seq = ((uint32_t)o << SEQ_ORGAN_BIT) | x->counter[o]++;
    cand_init(&sl->c, seq, registry_organ(o)->prog, now);
    sl->c.slot = idx;
    sl->relist_of = UINT32_MAX;
    popn_cand(&x->s->pop, &sl->c, o, now, x->arr[o]);
    /* Attributes added later draw from the candidate's own sub-stream: no arrival draw moves. */
    rng_stream_reseed_sub(x->prog, x->pre[RNG_ATTRIBUTES], seq);
    popn_cand_attr(&x->s->pop, &sl->c, x->prog);
    if (list_candidate(x, sl, idx, now)) return ERR_INTERNAL;
    double rate = x->s->pop.listings_per_year[o] / 365.25;
    double next = now + gsl_ran_exponential(x->arr[o], 1.0 / rate);
    if (next < x->t_end && !evq_push(x->q, next, PRIO_LISTING, EV_LISTING, (uint32_t)o, 0))
        return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return 0;
}

/* A graft failed: the recipient is listed again as a new candidate, the same person with the
 * relisting fields (cand_relist says what is carried and what a new listing resets), and the
 * policy's enter() decides the status (e.g. SU for early re-transplant). */
static int on_relist(struct ctx *x, uint32_t old_idx, double now)
{
    uint32_t idx;
    struct slot *sl = slot_new(x, &idx);
    if (!sl) return err_set(x->e, ERR_INTERNAL, "out of memory (candidates)");
    struct slot *old = slot_at(x, old_idx); /* after slot_new: blocks never move */
    enum organ o = prog_organ(old->c.prog);
    struct cand *c = &sl->c;
    uint32_t seq = ((uint32_t)o << SEQ_ORGAN_BIT) | (1u << SEQ_RELIST_BIT) | x->relist_counter[o]++;
    cand_relist(c, &old->c, seq, now);
    c->slot = idx;
    sl->relist_of = old->c.seq;
    old->next = idx;
    return list_candidate(x, sl, idx, now);
}

static int on_trans(struct ctx *x, uint32_t idx, double now)
{
    struct slot *sl = slot_at(x, idx);
    struct cand *c = &sl->c;
    sl->h = 0;
    if (c->list_pos < 0) return 0; /* stale: already off the list */
    const struct trans t = sl->t;
    switch (t.kind) {
    case TR_DEATH: return leave(x, sl, OUT_DIED, now);
    case TR_REMOVAL: return leave(x, sl, OUT_REMOVED, now);
    case TR_STATUS:
        if (set_status(x, c, now, t.to, t.nt_credit)) return ERR_INTERNAL;
        c->expiry = t.expiry;
        if (record_episode(x, c, &t)) return ERR_INTERNAL;
        if (x->o->rec && x->o->rec->status && x->o->rec->status(x->o->rec->ctx, c, x->e)) return x->e->code;
        return schedule_next(x, sl, idx, now);
    default: return 0;
    }
}

static int ensure_mbuf(struct ctx *x, size_t n)
{
    if (n <= x->mcap) return 0;
    size_t nc = x->mcap ? x->mcap : 1024;
    while (nc < n) nc *= 2;
    struct match *nb = realloc(x->mbuf, nc * sizeof *nb);
    if (!nb) return err_set(x->e, ERR_INTERNAL, "out of memory (match list)");
    x->mbuf = nb;
    x->mcap = nc;
    return 0;
}

/* What became of one organ of a donor. */
struct placed {
    struct slot *taken;     /* the recipient, NULL if not transplanted */
    int offers;             /* offers made */
    unsigned ecd;           /* the policy's extended-criteria mask, 0 standard */
    int procedure;          /* 0 standard, 1 accelerated, 2 accelerated and sent to islets */
    int route;              /* enum policy_route after an accepted offer */
};

/* Transplants match m's candidate: takes it off the list and records it. */
static int transplant(struct ctx *x, enum organ o, const struct donor *d, double now,
                      const struct match *m, int offer_no, struct slot **taken)
{
    const struct policy_ops *ops = x->s->ops[o];
    const void *par = x->s->par[o];
    struct cand *c = m->c;
    uint32_t idx = slot_index(c);
    struct slot *sl = slot_at(x, idx);
    enum status st = c->w.status;
    double wait = now - c->w.listed;
    int rc = leave(x, sl, OUT_TRANSPLANTED, now);
    if (rc) return rc;
    sl->tx_death = sl->tx_fail = sl->tx_relist = INFINITY; /* the transition is dead from here */
    sl->next = sl->tx_rec = UINT32_MAX;
    *taken = sl;
    if (counted(x, now)) {
        struct rec_summary *sm = &x->res->summary[o];
        sm->transplants++;
        if (st == registry_organ(o)->urgent) sm->transplants_urgent++;
        if (prog_combined(c->prog)) sm->transplants_combined++;
        if (PUSH(x->waits[o], wait, x)) return ERR_INTERNAL;
    }
    if (x->o->entity_tables && (x->o->warmup_rows || now >= x->t0)) {
        struct rec_tx *r = PUSHZ(x->res->tx, x);
        if (!r) return ERR_INTERNAL;
        r->variant = x->variant;
        r->replication = x->rep;
        r->day = now - x->t0;
        r->donor_seq = d->seq;
        r->candidate_seq = c->seq;
        if (d->id[0]) snprintf(r->donor, sizeof r->donor, "%s", d->id);
        else snprintf(r->donor, sizeof r->donor, "%" PRIu32, d->seq);
        if (c->id[0]) snprintf(r->candidate, sizeof r->candidate, "%s", c->id);
        else snprintf(r->candidate, sizeof r->candidate, "%" PRIu32, c->seq);
        r->program = (int8_t)c->prog;
        r->status = (int8_t)st;
        r->abo_step = (int8_t)m->abo_step;
        r->group = (int8_t)m->group;
        r->points = m->points;
        r->wait_days = wait;
        r->offer_no = offer_no;
        r->donor_age = d->age_years;
        r->death_day = r->graft_fail_day = NAN; /* filled by finish() */
        sl->tx_rec = (uint32_t)(x->res->tx.n - 1);
    }
    if (!ops->course) return 0;
    /* The recipient's own sub-stream: the same uniforms in every variant, whatever the organ. */
    struct outc_course oc;
    rng_stream_reseed_sub(x->outc, x->pre[RNG_OUTCOMES], c->seq);
    ops->course(par, c, d, now, x->outc, &oc);
    sl->tx_fail = oc.graft_fail_day;
    sl->tx_relist = oc.relist ? oc.graft_fail_day : INFINITY;
    sl->tx_death = oc.relist ? INFINITY : oc.death_day; /* relisted: the list decides */
    if (counted(x, sl->tx_death)) x->res->summary[o].deaths_after_tx++;
    if (!oc.relist || !(sl->tx_relist < x->t_end)) return 0;
    /* A replay lists relistings as rows of its own: on_r_listing() links them back. */
    if (x->s->replay) return PUSH(x->relists, idx, x) ? ERR_INTERNAL : 0;
    if (!evq_push(x->q, sl->tx_relist, PRIO_RELIST, EV_RELIST, idx, 0))
        return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return 0;
}

/* Asks m's candidate; 1 if the offer is accepted. The decision's sub-stream is keyed by
 * (donor, organ, candidate), so it is the same draw in every variant. */
static int offer(struct ctx *x, enum organ o, const struct donor *d, const struct match *m)
{
    if (x->s->run.acceptance == RUN_ACCEPT_ALL) return 1;
    rng_stream_reseed_sub(x->offer, x->pre[RNG_OFFERS],
                          ((uint64_t)d->seq << 33) | ((uint64_t)o << 32) | m->c->seq);
    return x->s->ops[o]->accept(x->s->par[o], m->c, d, m, x->offer);
}

/* Offers m[0..n) in order until someone accepts (1, the taker in *taken) or the list ends (0). */
static int offer_down(struct ctx *x, enum organ o, const struct donor *d, const struct match *m,
                      size_t n, struct placed *pl, struct match *taken)
{
    for (size_t i = 0; i < n; i++) {
        pl->offers++;
        if (offer(x, o, d, &m[i])) {
            *taken = m[i];
            return 1;
        }
    }
    return 0;
}

/* The procedure's chance (the further centres' order of answers) comes from a sub-stream of the
 * donor stream keyed by (donor, organ): the same draws in every variant, and no other draw
 * moves. Re-seeded before each ordering, so a policy's accel_keyed that gives up leaves the
 * draws to accel_order untouched. */
static gsl_rng *accel_rng(struct ctx *x, enum organ o, const struct donor *d)
{
    rng_stream_reseed_sub(x->outc, x->pre[RNG_DONORS],
                          (1ull << 63) | ((uint64_t)d->seq << 1) | (uint64_t)o);
    return x->outc;
}

/* The accelerated procedure after the normal order asked mbuf[0..k) (of the n matches in mbuf,
 * every eligible one unless `partial`: then only those match_keyed gave for the first k): the
 * policy orders the rest (as far as the offers still allowed reach, `cap` in all), through
 * its index when it can (accel_keyed), and they are asked in that order. Returns 1 when an
 * offer is accepted (the taker in *taken, pl->route where the organ goes); -1 on an error. */
static int accelerated(struct ctx *x, enum organ o, const struct donor *d, double now,
                       const struct keyed_list *kl, size_t n, size_t k, int partial, size_t cap,
                       struct placed *pl, struct match *taken)
{
    const struct policy_ops *ops = x->s->ops[o];
    const void *par = x->s->par[o];
    pl->procedure = 1;
    const size_t left = cap > (size_t)pl->offers ? cap - (size_t)pl->offers : 0;
    size_t na = SIZE_MAX;
    if (ops->accel_keyed)
        na = ops->accel_keyed(par, d, now, kl, x->mbuf, k, left, accel_rng(x, o, d), x->mbuf + k);
    if (na == SIZE_MAX) {
        if (partial) { /* every match after all; the first k are those asked */
            n = ops->match_keyed(par, d, now, kl, SIZE_MAX, x->mbuf);
            match_top(x->mbuf, n, k);
        }
        const size_t rest = n - k;
        na = ops->accel_order(par, d, x->mbuf + k, rest, left < rest ? left : rest, accel_rng(x, o, d));
    }
    if (!offer_down(x, o, d, x->mbuf + k, na < left ? na : left, pl, taken)) return 0;
    if (ops->route) {
        rng_stream_reseed_sub(x->outc, x->pre[RNG_OUTCOMES],
                              (1ull << 63) | ((uint64_t)d->seq << 1) | (uint64_t)o);
        pl->route = ops->route(par, d, x->outc);
        if (pl->route == POLICY_ROUTE_ISLET) pl->procedure = 2;
    }
    return 1;
}

/* Offers one organ of d until someone accepts. The normal procedure asks down the match order
 * until the offer limit (allocation.max_offers, rounded up) or until the policy's "unplaced"
 * threshold (policy_ops.unplaced_after declined offers) switches the organ to the accelerated
 * procedure, which an extended-criteria organ (policy_ops.ecd) enters at once. Only as much of
 * the list is ordered as the normal offers can reach (match_top); the rest goes to the
 * accelerated procedure, which orders it itself (or, with the policy's accel_keyed, is never
 * ranked as a whole). */
static int allocate(struct ctx *x, enum organ o, const struct donor *d, double now, struct placed *pl)
{
    const struct policy_ops *ops = x->s->ops[o];
    const void *par = x->s->par[o];
    struct list *l = &x->list[o];
    const double max_offers = x->s->run.max_offers;
    memset(pl, 0, sizeof *pl);
    if (ensure_mbuf(x, l->n)) return ERR_INTERNAL;
    const int can_accel = ops->accel_order != NULL;
    pl->ecd = ops->ecd ? ops->ecd(par, d) : 0;
    const size_t cap = max_offers > 0 ? (size_t)ceil(max_offers) : SIZE_MAX;
    /* Declined offers after which the accelerated procedure takes over; -1: never. */
    int sw = can_accel && ops->unplaced_after ? ops->unplaced_after(par) : -1;
    if (pl->ecd && can_accel) sw = 0;
    size_t k = sw >= 0 && (size_t)sw < cap ? (size_t)sw : cap;
    /* Without a switch only the first k matches can ever be asked: a policy may skip ranking
     * the rest (policy_ops.match_keyed); with one, the accelerated procedure needs them all,
     * unless the policy orders it from its index (accel_keyed). */
    const struct keyed_list kl = {.v = l->v, .k = l->k, .n = l->n, .hot = l->hot, .nhot = l->nhot,
                                  .idx = l->idx};
    const int partial = ops->match_keyed && (sw < 0 || ops->accel_keyed);
    size_t n = ops->match_keyed ? ops->match_keyed(par, d, now, &kl, partial ? k : SIZE_MAX, x->mbuf)
                                : ops->match(par, d, now, l->v, l->n, 0, x->mbuf);
    if (k > n) k = n;
    k = match_top(x->mbuf, n, k);
    struct match m;
    int accepted = offer_down(x, o, d, x->mbuf, k, pl, &m);
    if (!accepted && sw >= 0 && pl->offers >= sw)
        accepted = accelerated(x, o, d, now, &kl, n, k, partial, cap, pl, &m);
    if (!accepted || pl->route == POLICY_ROUTE_ISLET || pl->route == POLICY_ROUTE_DISCARD) return 0;
    return transplant(x, o, d, now, &m, pl->offers, &pl->taken);
}

static int donate(struct ctx *x, const struct donor *dp, double now);

static int on_donor(struct ctx *x, double now)
{
    struct donor d;
    popn_donor(&x->s->pop, &d, x->donor_seq++, now, x->don);
    double next = now + gsl_ran_exponential(x->don, 365.25 / x->s->pop.donors_per_year);
    if (next < x->t_end && !evq_push(x->q, next, PRIO_DONOR, EV_DONOR, 0, 0))
        return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return donate(x, &d, now);
}

/* The columns of one organ in a /donors row; NULL where the organ has none. */
struct donor_cols {
    int8_t *offered, *outcome, *ecd, *procedure;
    int32_t *offers;
};

/* Allocates a donor's offered organs in the registry's organ order (thoracic first) and records
 * the donor. What an organ is (offer flag, outcome code, order) comes from its organ_def; the
 * record's layout is sim.h's, so the organs' columns of struct rec_donor are named here. */
static int donate(struct ctx *x, const struct donor *dp, double now)
{
    const struct donor d = *dp;
    if (x->o->rec && x->o->rec->donor && x->o->rec->donor(x->o->rec->ctx, &d, x->e)) return x->e->code;
    struct rec_donor rd;
    memset(&rd, 0, sizeof rd); /* padding zero: see PUSHZ */
    rd.variant = x->variant;
    rd.replication = x->rep;
    rd.seq = d.seq;
    rd.abo = (int8_t)d.abo;
    rd.sex = (int8_t)d.sex;
    rd.hla_typed = (int8_t)d.hla_typed;
    rd.region = (int16_t)d.region;
    rd.day = now - x->t0;
    rd.age_years = d.age_years;
    rd.bmi = d.bmi;
    rd.weight_kg = d.weight_kg;
    const struct donor_cols cols[ORGAN_N] = {
        [ORGAN_HEART] = {.offered = &rd.heart_offered, .outcome = &rd.heart_outcome, .offers = &rd.heart_offers},
        [ORGAN_PANCREAS] = {.offered = &rd.pancreas_offered, .outcome = &rd.pancreas_outcome,
                            .ecd = &rd.pancreas_ecd, .procedure = &rd.pancreas_procedure,
                            .offers = &rd.pancreas_offers},
    };
    const struct organ_def *od;
    for (size_t k = 0; (od = registry_organ_at(k)); k++) {
        const enum organ o = od->organ;
        const struct donor_cols *dc = &cols[o];
        const int offered = organ_offered(od, &d);
        *dc->offered = (int8_t)offered;
        if (!offered) continue;
        struct placed pl;
        if (allocate(x, o, &d, now, &pl)) return ERR_INTERNAL;
        if (counted(x, now)) {
            struct rec_summary *sm = &x->res->summary[o];
            sm->organs_offered++;
            sm->offers += pl.offers;
            if (!pl.taken && pl.route != POLICY_ROUTE_ISLET) sm->discarded++;
            if (pl.route == POLICY_ROUTE_ISLET) sm->islets++;
            if (pl.procedure) sm->accelerated++;
        }
        *dc->outcome = (int8_t)od->donor_outcome(pl.taken != NULL, (enum policy_route)pl.route);
        *dc->offers = pl.offers;
        if (dc->ecd) *dc->ecd = pl.ecd != 0;
        if (dc->procedure) *dc->procedure = (int8_t)pl.procedure;
    }
    if (x->o->entity_tables && (x->o->warmup_rows || now >= x->t0)) {
        struct rec_donor *slot = PUSHZ(x->res->donors, x);
        if (!slot) return ERR_INTERNAL;
        memcpy(slot, &rd, sizeof rd);
    }
    return 0;
}

/* Replay: candidate row i of the files is listed (status T; its history rows follow as events,
 * and no disease model runs: the files are the course). */
static int on_r_listing(struct ctx *x, uint32_t row, double now)
{
    uint32_t idx;
    struct slot *sl = slot_new(x, &idx);
    if (!sl) return err_set(x->e, ERR_INTERNAL, "out of memory (candidates)");
    sl->c = x->s->replay->cands->c[row]; /* seq: the file's seq column, else the row */
    sl->c.slot = idx;
    sl->c.list_pos = -1;
    sl->c.outcome = OUT_WAITING;
    sl->c.end_day = NAN;
    sl->relist_of = UINT32_MAX;
    sl->status_listed = (int8_t)ST_T;
    sl->h = 0;
    x->rmap[row] = (int32_t)idx;
    enum organ o = prog_organ(sl->c.prog);
    /* A relisting row of an exported run: the transplant whose drawn course relists it on this
     * day (the files carry the days exactly), so the person is followed as in the original. */
    if (isfinite(sl->c.graft_loss_day))
        for (size_t k = 0; k < x->relists.n; k++) {
            struct slot *old = slot_at(x, x->relists.v[k]);
            if (old->tx_relist != sl->c.graft_loss_day || old->c.end_day != sl->c.prior_tx_day ||
                prog_organ(old->c.prog) != o)
                continue;
            old->next = idx;
            sl->relist_of = old->c.seq;
            x->relists.v[k] = x->relists.v[--x->relists.n];
            break;
        }
    if (x->s->ops[o]->prepare) x->s->ops[o]->prepare(x->s->par[o], &sl->c);
    if (list_add(x, o, &sl->c, now)) return ERR_INTERNAL;
    if (counted(x, now)) x->res->summary[o].listings++;
    return record_episode(x, &sl->c, NULL);
}

/* Replay with population.strict: schedules the lapse of the grant c's current row carries
 * (the policy's lapse hook) as the slot's pending transition; the candidate's next row, on or
 * before that day, cancels it (rows come first on a day: PRIO_R_HISTORY < PRIO_TRANS). */
static int schedule_lapse(struct ctx *x, struct slot *sl, uint32_t idx)
{
    const enum organ o = prog_organ(sl->c.prog);
    if (!x->s->run.strict || !x->s->ops[o]->lapse) return 0;
    x->s->ops[o]->lapse(x->s->par[o], &sl->c, &sl->t);
    if (sl->t.kind != TR_STATUS || !(sl->t.day < x->t_end)) return 0;
    sl->h = evq_push(x->q, sl->t.day, PRIO_TRANS, EV_R_LAPSE, idx, 0);
    return sl->h ? 0 : err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
}

/* Replay: a status row. Rows of candidates no longer on the list (transplanted) are ignored. */
static int on_r_history(struct ctx *x, uint32_t row, double now)
{
    const struct csvin_hist *h = &x->s->replay->hist[row];
    int32_t idx = x->rmap[h->cand];
    if (idx < 0) return 0;
    struct slot *sl = slot_at(x, (size_t)idx);
    struct cand *c = &sl->c;
    if (c->list_pos < 0) return 0;
    if (h->status == CSVIN_ST_DEAD || h->status == CSVIN_ST_REMOVED) {
        return leave(x, sl, h->status == CSVIN_ST_DEAD ? OUT_DIED : OUT_REMOVED, now);
    }
    if (sl->h) evq_cancel(x->q, sl->h); /* a pending lapse: this row comes in time */
    sl->h = 0;
    if (set_status(x, c, now, (enum status)h->status, h->nt_credit)) return ERR_INTERNAL;
    c->expiry = NAN;
    if (c->w.since == c->w.listed) sl->status_listed = (int8_t)h->status;
    if (record_episode(x, c, NULL)) return ERR_INTERNAL;
    return schedule_lapse(x, sl, (uint32_t)idx);
}

/* Replay with population.strict: a grant ran out without a renewal row. */
static int on_r_lapse(struct ctx *x, uint32_t idx, double now)
{
    struct slot *sl = slot_at(x, idx);
    struct cand *c = &sl->c;
    sl->h = 0;
    if (c->list_pos < 0) return 0;
    const struct trans t = sl->t;
    if (set_status(x, c, now, t.to, t.nt_credit)) return ERR_INTERNAL;
    c->expiry = NAN;
    if (record_episode(x, c, &t)) return ERR_INTERNAL;
    return schedule_lapse(x, sl, idx);
}

/* Schedules the next row of the replay's file k, if one comes before t_end. Each file is a
 * stream with one row pending at a time, taken by day and then file order (struct replay's
 * orders); the row after it is scheduled when it happens. That pops the rows in the order that
 * scheduling every row at the start gave: rows of one file share a priority that no other
 * event has, so among each other they pop by day and then by the order of scheduling, which
 * is file order either way. It keeps the event queue at the size of a synthetic run's instead
 * of every row of the files. */
static int replay_next(struct ctx *x, int k)
{
    const struct replay *r = x->s->replay;
    const size_t n = k == RS_LISTING ? r->cands->n : k == RS_HISTORY ? r->n_hist : r->n_donors;
    if (x->rnext[k] >= n) return 0;
    const size_t j = x->rnext[k]++;
    uint32_t row;
    double t;
    int prio, type;
    switch (k) {
    case RS_LISTING:
        row = r->list_order[j];
        t = r->cands->c[row].w.listed;
        prio = PRIO_R_LISTING, type = EV_R_LISTING;
        break;
    case RS_HISTORY:
        row = r->hist_order[j];
        t = r->hist[row].day;
        prio = PRIO_R_HISTORY, type = EV_R_HISTORY;
        break;
    default:
        row = (uint32_t)j; /* the reader checks that donor days do not go back */
        t = r->donors[row].day;
        prio = PRIO_DONOR, type = EV_R_DONOR;
        break;
    }
    if (!(t < x->t_end)) {
        x->rnext[k] = n; /* the rest come later still */
        return 0;
    }
    if (!evq_push(x->q, t, prio, type, row, 0))
        return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return 0;
}

static int schedule_replay(struct ctx *x)
{
    const struct replay *r = x->s->replay;
    x->rmap = malloc((r->cands->n ? r->cands->n : 1) * sizeof *x->rmap);
    if (!x->rmap) return err_set(x->e, ERR_INTERNAL, "out of memory (replay)");
    for (size_t i = 0; i < r->cands->n; i++) x->rmap[i] = -1;
    for (int k = 0; k < RS_N; k++) {
        x->rnext[k] = 0;
        if (replay_next(x, k)) return ERR_INTERNAL;
    }
    return 0;
}

/* Counts each list by status into /series and schedules the next snapshot. Draws nothing, so
 * snapshots never change a result. */
static int on_snapshot(struct ctx *x, double now)
{
    for (int o = 0; o < ORGAN_N; o++) {
        struct rec_series *r = PUSHZ(x->res->series, x);
        if (!r) return ERR_INTERNAL;
        r->variant = x->variant;
        r->replication = x->rep;
        r->program = o;
        r->day = now - x->t0;
        r->listed = (int32_t)x->list[o].n;
        /* The row's count of each status (the layout is sim.h's: one column per status). */
        _Static_assert(ST_N == 4, "struct rec_series has a count for every status");
        int32_t *const count[ST_N] = {[ST_T] = &r->n_t, [ST_HU] = &r->n_hu, [ST_NT] = &r->n_nt,
                                      [ST_SU] = &r->n_su};
        for (size_t i = 0; i < x->list[o].n; i++) { /* the keys: contiguous, kept current */
            const enum status st = (enum status)x->list[o].k[i].status;
            if ((unsigned)st < ST_N) (*count[st])++;
        }
    }
    double next = now + x->s->run.series_days;
    if (next <= x->t_end && !evq_push(x->q, next, PRIO_SNAPSHOT, EV_SNAPSHOT, 0, 0))
        return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return 0;
}

/* Row of `c` in dimension `dim` of the group table, or -1 when the attribute is unknown. */
static int group_row(const struct cand *c, int dim)
{
    static const int base[GRP_DIM_N] = {0, ABO_N, ABO_N + 4, ABO_N + 4 + POPN_REGIONS};
    int g;
    switch (dim) {
    case GRP_DIM_ABO: g = (int)c->abo; break;
    case GRP_DIM_AGE: {
        double a = cand_age(c, c->w.listed);
        g = a < 16 ? 0 : a < 40 ? 1 : a < 60 ? 2 : 3;
        break;
    }
    case GRP_DIM_REGION: g = c->region >= 0 && c->region < POPN_REGIONS ? c->region : -1; break;
    default: g = c->sex == SEX_F ? 0 : c->sex == SEX_M ? 1 : -1; break;
    }
    return g < 0 ? -1 : base[dim] + g;
}

/* Fills the fairness table: listings, transplants, deaths and patient-years on the list
 * inside the counted window, by blood group, age group, region and sex. */
static void fill_groups(struct ctx *x)
{
    static const int dim_of[GRP_ROWS] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3};
    static const int first[GRP_DIM_N] = {0, ABO_N, ABO_N + 4, ABO_N + 4 + POPN_REGIONS};
    for (int o = 0; o < ORGAN_N; o++)
        for (int i = 0; i < GRP_ROWS; i++) {
            struct rec_group *g = &x->res->groups[o][i];
            g->variant = x->variant;
            g->replication = x->rep;
            g->program = o;
            g->dim = dim_of[i];
            g->group = i - first[dim_of[i]];
        }
    for (size_t i = 0; i < x->ncand; i++) {
        const struct cand *c = &slot_at(x, i)->c;
        int o = prog_organ(c->prog);
        double end = c->outcome == OUT_WAITING ? x->t_end : c->end_day;
        double lo = c->w.listed > x->t0 ? c->w.listed : x->t0, hi = end < x->t_end ? end : x->t_end;
        double years = hi > lo ? (hi - lo) / 365.25 : 0;
        for (int dim = 0; dim < GRP_DIM_N; dim++) {
            int row = group_row(c, dim);
            if (row < 0) continue;
            struct rec_group *g = &x->res->groups[o][row];
            g->waiting_years += years;
            if (counted(x, c->w.listed)) g->listings++;
            if (c->outcome == OUT_TRANSPLANTED && counted(x, c->end_day)) g->transplants++;
            if (c->outcome == OUT_DIED && counted(x, c->end_day)) g->deaths++;
        }
    }
}

/* The candidate left the list before counting started: without --warmup-rows it has no rows. */
static int left_in_warmup(const struct ctx *x, const struct cand *c)
{
    return c->outcome != OUT_WAITING && c->end_day < x->t0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Removes the episodes of the candidates that left during the warm-up, in place and in order.
 * Episodes are recorded as they happen, before a candidate's fate is known; this pass, once per
 * replication, keeps each remaining candidate's rows whole (its warm-up episodes included). */
static int drop_warmup_episodes(struct ctx *x)
{
    size_t n = 0;
    for (size_t i = 0; i < x->ncand; i++) n += left_in_warmup(x, &slot_at(x, i)->c);
    if (!n) return 0;
    uint32_t *gone = malloc(n * sizeof *gone);
    if (!gone) return err_set(x->e, ERR_INTERNAL, "out of memory");
    n = 0;
    for (size_t i = 0; i < x->ncand; i++)
        if (left_in_warmup(x, &slot_at(x, i)->c)) gone[n++] = slot_at(x, i)->c.seq;
    qsort(gone, n, sizeof *gone, cmp_u32);
    struct rec_episode *ep = x->res->episodes.v;
    size_t kept = 0;
    for (size_t i = 0; i < x->res->episodes.n; i++)
        if (!bsearch(&ep[i].candidate, gone, n, sizeof *gone, cmp_u32)) ep[kept++] = ep[i];
    x->res->episodes.n = kept;
    free(gone);
    return 0;
}

/* The person listed in slot i, followed through transplants and relistings: the day of death
 * (engine clock), or INFINITY with *last the last day known alive (the end of the run, or a
 * removal from the list: removed patients are censored there). */
static double person_death(struct ctx *x, uint32_t i, double *last)
{
    for (;;) {
        const struct slot *sl = slot_at(x, i);
        const struct cand *c = &sl->c;
        switch (c->outcome) {
        case OUT_DIED: *last = c->end_day; return c->end_day;
        case OUT_REMOVED: *last = c->end_day; return INFINITY;
        case OUT_TRANSPLANTED:
            if (sl->next != UINT32_MAX) {
                i = sl->next;
                continue;
            }
            if (sl->tx_death < x->t_end) return *last = sl->tx_death;
            /* A relisting a replay could not link to its row (on_r_listing): censored there. */
            *last = sl->tx_relist < x->t_end ? sl->tx_relist : x->t_end;
            return INFINITY;
        default: *last = x->t_end; return INFINITY;
        }
    }
}

/* Kaplan–Meier survival 1 year after the counted years' transplants (patient and graft), the
 * restricted mean survival over 5 years from a first listing in the counted years, and the
 * death and graft-failure days of /transplants. */
static int outcomes(struct ctx *x)
{
    const double year = 365.25, tau = 5 * 365.25;
    const size_t n = x->ncand ? x->ncand : 1;
    /* One pass over the pool (it is several MB): three regions of n observations (patient,
     * graft, listing), the heart's filled from the front of each and the pancreas's from the
     * back, so the two programmes never need more than n per region together. */
    struct outc_obs *buf = malloc(3 * n * sizeof *buf);
    if (!buf) return err_set(x->e, ERR_INTERNAL, "out of memory (outcomes)");
    struct outc_obs *pat = buf, *gr = buf + n, *lst = buf + 2 * n;
    size_t np[ORGAN_N] = {0, 0}, nl[ORGAN_N] = {0, 0};
#define OBS_AT(region, o, k) ((region)[(o) == 0 ? (k) : n - 1 - (k)])
    for (uint32_t i = 0; i < x->ncand; i++) {
        struct slot *sl = slot_at(x, i);
        const struct cand *c = &sl->c;
        const int o = (int)prog_organ(c->prog);
        int tx = c->outcome == OUT_TRANSPLANTED, first = sl->relist_of == UINT32_MAX;
        if (!(tx || (first && counted(x, c->w.listed)))) continue;
        double last, death = person_death(x, i, &last);
        if (first && counted(x, c->w.listed))
            OBS_AT(lst, o, nl[o]++) = (struct outc_obs){(isfinite(death) ? death : last) - c->w.listed, isfinite(death)};
        if (!tx) continue;
        if (sl->tx_rec != UINT32_MAX) {
            struct rec_tx *r = &x->res->tx.v[sl->tx_rec];
            r->death_day = isfinite(death) ? death - x->t0 : NAN;
            r->graft_fail_day = sl->tx_fail < x->t_end ? sl->tx_fail - x->t0 : NAN;
        }
        if (!counted(x, c->end_day)) continue;
        double g = sl->tx_fail < death ? sl->tx_fail : death;
        OBS_AT(pat, o, np[o]) = (struct outc_obs){(isfinite(death) ? death : last) - c->end_day, isfinite(death)};
        OBS_AT(gr, o, np[o]++) = g < x->t_end ? (struct outc_obs){g - c->end_day, 1}
                                              : (struct outc_obs){last - c->end_day, 0};
    }
#undef OBS_AT
    for (int o = 0; o < ORGAN_N; o++) {
        const size_t p0 = o == 0 ? 0 : n - np[o], l0 = o == 0 ? 0 : n - nl[o];
        struct rec_summary *sm = &x->res->summary[o];
        sm->surv_tx_1y = outc_km_at(pat + p0, np[o], year);
        sm->graft_tx_1y = outc_km_at(gr + p0, np[o], year);
        sm->rmst_listing_5y = nl[o] ? outc_km_rmst(lst + l0, nl[o], tau) / year : NAN;
        sm->deaths_all = sm->deaths_waiting + sm->deaths_after_tx;
    }
    free(buf);
    return 0;
}

static int finish(struct ctx *x)
{
    fill_groups(x);
    if (outcomes(x)) return ERR_INTERNAL;
    for (int o = 0; o < ORGAN_N; o++) {
        struct rec_summary *sm = &x->res->summary[o];
        for (size_t i = 0; i < x->list[o].n; i++) {
            const struct cand *c = x->list[o].v[i];
            if (c->w.status != ST_NT) sm->waiting_end++;
            else sm->nt_end++;
            if (c->w.status == registry_organ((enum organ)o)->urgent) sm->urgent_end++;
        }
        if (x->waits[o].n) {
            gsl_sort(x->waits[o].v, 1, x->waits[o].n);
            sm->median_wait_days = gsl_stats_median_from_sorted_data(x->waits[o].v, 1, x->waits[o].n);
        } else {
            sm->median_wait_days = NAN;
        }
    }
    if (!x->o->entity_tables) return 0;
    if (!x->o->warmup_rows && drop_warmup_episodes(x)) return ERR_INTERNAL;
    for (size_t i = 0; i < x->ncand; i++) {
        const struct slot *sl = slot_at(x, i);
        const struct cand *c = &sl->c;
        double end = c->outcome == OUT_WAITING ? x->t_end : c->end_day;
        if (!x->o->warmup_rows && left_in_warmup(x, c)) continue;
        struct rec_cand *rc = PUSHZ(x->res->cands, x);
        if (!rc) return ERR_INTERNAL;
        rc->variant = x->variant;
        rc->replication = x->rep;
        rc->seq = c->seq;
        rc->program = (int8_t)c->prog;
        rc->abo = (int8_t)c->abo;
        rc->sex = (int8_t)c->sex;
        rc->outcome = (int8_t)c->outcome;
        rc->status_listed = sl->status_listed;
        rc->status_end = (int8_t)c->w.status;
        rc->region = (int16_t)c->region;
        rc->center = (int16_t)c->center;
        rc->listed_day = c->w.listed - x->t0;
        rc->age_years = cand_age(c, c->w.listed);
        rc->end_day = c->outcome == OUT_WAITING ? NAN : c->end_day - x->t0;
        rc->wait_days = end - c->w.listed;
        rc->weight_kg = c->weight_kg;
        rc->pra = c->pra;
        rc->relist_of = sl->relist_of;
        double last, death = person_death(x, (uint32_t)i, &last);
        rc->death_day = isfinite(death) ? death - x->t0 : NAN;
        rc->followed_day = isfinite(death) ? NAN : last - x->t0;
    }
    return 0;
}

static int schedule_synthetic(struct ctx *x);
static int dispatch(struct ctx *x, const struct evq_event *ev);

/* Schedules the first events of the replication. */
static int start(struct ctx *x)
{
    const struct scenario *s = x->s;
    if (s->replay) {
        if (schedule_replay(x)) return ERR_INTERNAL;
    } else {
        if (schedule_synthetic(x)) return ERR_INTERNAL;
    }
    if (s->run.series_days > 0 && !evq_push(x->q, s->run.series_days, PRIO_SNAPSHOT, EV_SNAPSHOT, 0, 0))
        return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    return 0;
}

/* Handles every pending event before `until` (INFINITY: all of them; nothing is ever scheduled
 * at or after t_end, which is finite). */
static int advance(struct ctx *x, double until)
{
    struct evq_event ev;
    double t;
    while (evq_peek_time(x->q, &t) && t < until) {
        evq_pop(x->q, &ev);
        int rc = 0;
        switch ((enum ev_type)ev.type) {
        case EV_R_LISTING:
            rc = replay_next(x, RS_LISTING);
            if (!rc) rc = on_r_listing(x, ev.a, ev.time);
            break;
        case EV_R_HISTORY:
            rc = replay_next(x, RS_HISTORY);
            if (!rc) rc = on_r_history(x, ev.a, ev.time);
            break;
        case EV_R_LAPSE: rc = on_r_lapse(x, ev.a, ev.time); break;
        case EV_R_DONOR: {
            struct donor d = x->s->replay->donors[ev.a];
            d.seq = ev.a;
            rc = replay_next(x, RS_DONOR);
            if (!rc) rc = donate(x, &d, ev.time);
            break;
        }
        default: rc = dispatch(x, &ev); break;
        }
        if (rc) return rc;
    }
    return 0;
}

static int schedule_synthetic(struct ctx *x)
{
    const struct scenario *s = x->s;
    for (int o = 0; o < ORGAN_N; o++) {
        double rate = s->pop.listings_per_year[o] / 365.25;
        if (rate > 0) {
            double t = gsl_ran_exponential(x->arr[o], 1.0 / rate);
            if (t < x->t_end && !evq_push(x->q, t, PRIO_LISTING, EV_LISTING, (uint32_t)o, 0))
                return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
        }
    }
    if (s->pop.donors_per_year > 0) {
        double t = gsl_ran_exponential(x->don, 365.25 / s->pop.donors_per_year);
        if (t < x->t_end && !evq_push(x->q, t, PRIO_DONOR, EV_DONOR, 0, 0))
            return err_set(x->e, ERR_INTERNAL, "out of memory (event queue)");
    }
    return 0;
}

static int dispatch(struct ctx *x, const struct evq_event *ev)
{
    switch ((enum ev_type)ev->type) {
    case EV_TRANS: return on_trans(x, ev->a, ev->time);
    case EV_RELIST: return on_relist(x, ev->a, ev->time);
    case EV_LISTING: return on_listing(x, (enum organ)ev->a, ev->time);
    case EV_DONOR: return on_donor(x, ev->time);
    case EV_SNAPSHOT: return on_snapshot(x, ev->time);
    default: return 0;
    }
}

/* Allocates x's streams, queue and result for replication `rep` of s as `variant`. On failure
 * returns the code with a message in e; ctx_fini() must be called either way. */
static int ctx_init(struct ctx *x, const struct scenario *s, const struct sim_opts *o, int variant, int rep,
                    struct err *e)
{
    *x = (struct ctx){.s = s, .o = o, .e = e, .variant = variant, .rep = rep,
                      .srep = (uint64_t)rep + (uint64_t)(s->replay ? s->replay_replication : 0)};
    char rngname[32];
    const gsl_rng_type *T = rng_type_by_name(scen_rng_name(s, rngname, sizeof rngname));
    if (!T) return err_set(e, ERR_INTERNAL, "unknown RNG %s", rngname);
    x->res = calloc(1, sizeof *x->res);
    x->q = evq_alloc(4096);
    for (int i = 0; i < RNG_N; i++) x->pre[i] = rng_mix_prefix(o->seed, x->srep, (uint64_t)i);
    for (int g = 0; g < ORGAN_N; g++) x->arr[g] = rng_stream_alloc(T, o->seed, x->srep, RNG_ARRIVALS, (uint64_t)g);
    x->don = rng_stream_alloc(T, o->seed, x->srep, RNG_DONORS, 0);
    x->prog = rng_stream_alloc(T, o->seed, x->srep, RNG_PROGRESSION, 0);
    x->offer = rng_stream_alloc(T, o->seed, x->srep, RNG_OFFERS, 0);
    x->outc = rng_stream_alloc(T, o->seed, x->srep, RNG_OUTCOMES, 0);
    if (!x->res || !x->q || !x->arr[0] || !x->arr[1] || !x->don || !x->prog || !x->offer || !x->outc)
        return err_set(e, ERR_INTERNAL, "out of memory starting replication %d", rep);
    x->res->variant = variant;
    x->res->replication = rep;
    x->t0 = s->run.warmup_years * 365.25;
    x->t_end = x->t0 + s->run.years * 365.25;
    for (int g = 0; g < ORGAN_N; g++) { /* calloc'ed: padding stays zero */
        x->res->summary[g].variant = variant;
        x->res->summary[g].replication = rep;
        x->res->summary[g].program = g;
        x->res->summary[g].years = s->run.years;
    }
    return 0;
}

/* Frees everything x owns. On rc == 0 hands the result to *out (else frees it). */
static void ctx_fini(struct ctx *x, int rc, struct rep_result **out)
{
    for (size_t b = 0; b < x->nblocks; b++) free(x->blocks[b]);
    free(x->blocks);
    for (int g = 0; g < ORGAN_N; g++) {
        free(x->list[g].v);
        free(x->list[g].k);
        free(x->list[g].hp);
        free(x->list[g].hot);
        if (x->list[g].idx) x->s->ops[g]->index_free(x->list[g].idx);
        free(x->waits[g].v);
        gsl_rng_free(x->arr[g]);
    }
    free(x->mbuf);
    free(x->rmap);
    free(x->relists.v);
    gsl_rng_free(x->don);
    gsl_rng_free(x->prog);
    gsl_rng_free(x->offer);
    gsl_rng_free(x->outc);
    evq_free(x->q);
    if (rc || !out) sim_result_free(x->res);
    else *out = x->res;
    x->res = NULL;
}

/* A copy of vector src into dst (of the same element type), or -1. */
#define VEC_DUP(dst, src)                                                                      \
    ((dst).n = (dst).cap = 0, (dst).v = NULL,                                                  \
     (src).n == 0 ? 0                                                                          \
     : ((dst).v = malloc((src).n * sizeof *(src).v)) == NULL ? -1                               \
     : (memcpy((dst).v, (src).v, (src).n * sizeof *(src).v), (dst).n = (dst).cap = (src).n, 0))

/* A deep copy of result r, every record relabelled as `variant`. NULL when out of memory. Every
 * vector of SIM_RESULT_VECTORS (sim.h) is duplicated (a shallow copy would be freed twice). */
static struct rep_result *result_clone(const struct rep_result *r, int variant)
{
    struct rep_result *c = malloc(sizeof *c);
    if (!c) return NULL;
    memcpy(c, r, sizeof *c); /* the summaries and group rows, then the owned vectors below */
    int bad = 0;
#define DUP(m, tag, id) bad |= VEC_DUP(c->m, r->m);
    SIM_RESULT_VECTORS(DUP)
#undef DUP
    if (bad) {
        sim_result_free(c);
        return NULL;
    }
    c->variant = variant;
    for (int o = 0; o < ORGAN_N; o++) {
        c->summary[o].variant = variant;
        for (int i = 0; i < GRP_ROWS; i++) c->groups[o][i].variant = variant;
    }
#define RELABEL(m, tag, id) for (size_t i = 0; i < c->m.n; i++) c->m.v[i].variant = variant;
    SIM_RESULT_VECTORS(RELABEL)
#undef RELABEL
    return c;
}

/* sim_ctx_clone: makes *dst an independent copy of the replication *src at its current moment,
 * to continue as `variant` under scenario s (whose policies may differ from src's; nothing else
 * may: the caller checks). The struct is copied wholesale first, so a new plain field (a
 * counter, a day) is copied without a change here; then every pointer src owns is deep-copied:
 *   res (and its record vectors), q (pending events: handles stay valid), blocks (the candidate
 *   slots, with their pending transitions and event handles), list[] (pointers remapped into the
 *   new slots; the hot entries and the policy's index built again under s's rules), waits[],
 *   rmap and relists (replay), and the streams arr[], don, prog, offer, outc (gsl_rng_clone
 *   copies the generator state).
 * Not copied: mbuf (scratch of one allocation; starts empty). Shared, not owned: s, o, e.
 * A new owned pointer in struct ctx must be added to this list, to ctx_fini() and to the
 * test_sim test that compares a clone's continuation with the original's.
 * Returns 0, or ERR_INTERNAL (message in src's e); ctx_fini(dst) must be called either way. */
static int sim_ctx_clone(struct ctx *dst, const struct ctx *src, const struct scenario *s, int variant)
{
    *dst = *src;
    dst->s = s;
    dst->variant = variant;
    dst->res = NULL;
    dst->q = NULL;
    for (int g = 0; g < ORGAN_N; g++) {
        dst->arr[g] = NULL;
        dst->list[g] = (struct list){0};
        dst->waits[g].v = NULL;
        dst->waits[g].n = dst->waits[g].cap = 0;
    }
    dst->don = dst->prog = dst->offer = dst->outc = NULL;
    dst->blocks = NULL;
    dst->nblocks = 0;
    dst->mbuf = NULL;
    dst->mcap = 0;
    dst->rmap = NULL;
    dst->relists.v = NULL;
    dst->relists.n = dst->relists.cap = 0;
    /* From here on dst owns only what it has allocated: ctx_fini(dst) is always safe. */
    if (!(dst->res = result_clone(src->res, variant))) goto oom;
    if (!(dst->q = evq_clone(src->q))) goto oom;
    for (int g = 0; g < ORGAN_N; g++)
        if (!(dst->arr[g] = gsl_rng_clone(src->arr[g]))) goto oom;
    if (!(dst->don = gsl_rng_clone(src->don)) || !(dst->prog = gsl_rng_clone(src->prog)) ||
        !(dst->offer = gsl_rng_clone(src->offer)) || !(dst->outc = gsl_rng_clone(src->outc)))
        goto oom;
    if (src->nblocks) {
        if (!(dst->blocks = calloc(src->nblocks, sizeof *dst->blocks))) goto oom;
        for (size_t b = 0; b < src->nblocks; b++) {
            size_t used = src->ncand - b * BLOCK < BLOCK ? src->ncand - b * BLOCK : BLOCK;
            if (!(dst->blocks[b] = malloc(BLOCK * sizeof **dst->blocks))) goto oom;
            dst->nblocks = b + 1;
            memcpy(dst->blocks[b], src->blocks[b], used * sizeof **dst->blocks);
        }
    }
    for (int g = 0; g < ORGAN_N; g++) {
        const struct list *l = &src->list[g];
        if (l->cap && !(dst->list[g].v = malloc(l->cap * sizeof *l->v))) goto oom;
        if (l->cap && !(dst->list[g].k = malloc(l->cap * sizeof *l->k))) goto oom;
        if (l->cap && !(dst->list[g].hp = malloc(l->cap * sizeof *l->hp))) goto oom;
        if (l->cap && !(dst->list[g].hot = malloc(l->cap * sizeof *l->hot))) goto oom;
        if (l->n) memcpy(dst->list[g].k, l->k, l->n * sizeof *l->k);
        dst->list[g].cap = l->cap;
        for (size_t i = 0; i < l->n; i++) dst->list[g].v[i] = &slot_at(dst, l->v[i]->slot)->c;
        dst->list[g].n = l->n;
        /* The hot entries and the policy's index again under this variant's rules (key_hot
         * and the index may read its parameters; the clone continues from day 0). */
        dst->list[g].nhot = 0;
        const struct policy_ops *ops = s->ops[g];
        if (l->n && ops->index_update && !(dst->list[g].idx = ops->index_alloc(s->par[g]))) goto oom;
        for (size_t i = 0; i < l->n; i++) {
            dst->list[g].hp[i] = -1;
            list_mark(dst, (enum organ)g, i, dst->t0);
            struct list *dl = &dst->list[g];
            if (dl->idx && ops->index_update(dl->idx, s->par[g], dl->v[i], dl->v[i]->slot, NULL,
                                             &dl->k[i], dst->t0))
                goto oom;
        }
        if (VEC_DUP(dst->waits[g], src->waits[g])) goto oom;
    }
    if (src->rmap) {
        size_t n = src->s->replay->cands->n ? src->s->replay->cands->n : 1;
        if (!(dst->rmap = malloc(n * sizeof *dst->rmap))) goto oom;
        memcpy(dst->rmap, src->rmap, n * sizeof *dst->rmap);
    }
    if (VEC_DUP(dst->relists, src->relists)) goto oom;
    return 0;
oom:
    return err_set(src->e, ERR_INTERNAL, "out of memory branching replication %d", src->rep);
}

/* 1 when organ o's rules in s differ from those in b (another policy, or another parameter). */
static int rules_differ(const struct scenario *b, const struct scenario *s, enum organ o)
{
    return b->ops[o] != s->ops[o] || memcmp(b->par[o], s->par[o], b->ops[o]->par_size) != 0;
}

/* --branch=redraw: every candidate on organ o's list drops its pending transition and draws the
 * next one at `now` under x's rules. In list order; each draw comes from the candidate's own
 * progression sub-stream, so the order moves no draw. */
static int redraw(struct ctx *x, enum organ o, double now)
{
    for (size_t i = 0; i < x->list[o].n; i++) {
        uint32_t idx = x->list[o].v[i]->slot;
        struct slot *sl = slot_at(x, idx);
        if (sl->h) evq_cancel(x->q, sl->h);
        sl->h = 0;
        if (schedule_next(x, sl, idx, now)) return ERR_INTERNAL;
    }
    return 0;
}

int sim_run(const struct scenario *s, const struct sim_opts *o, int variant, int rep,
            struct rep_result **out, struct err *e)
{
    struct ctx x;
    *out = NULL;
    int rc = ctx_init(&x, s, o, variant, rep, e);
    if (!rc) rc = start(&x);
    if (!rc) rc = advance(&x, INFINITY);
    if (!rc) rc = finish(&x);
    ctx_fini(&x, rc, out);
    return rc;
}

int sim_run_branch(const struct scenario *const *variants, int n_variants, const struct sim_opts *o, int rep,
                   struct rep_result **out, struct err *e)
{
    assert(n_variants >= 1);
    struct ctx x;
    for (int v = 0; v < n_variants; v++) out[v] = NULL;
    int rc = ctx_init(&x, variants[0], o, 0, rep, e);
    if (!rc) rc = start(&x);
    if (!rc) rc = advance(&x, x.t0); /* the warm-up, once, under variant 0's rules */
    /* Each other variant continues from its own copy of the list at day 0; variant 0 goes on
     * with the original last, so at most two contexts exist at once. */
    for (int v = 1; v < n_variants && !rc; v++) {
        struct ctx y;
        rc = sim_ctx_clone(&y, &x, variants[v], v);
        for (int g = 0; g < ORGAN_N && !rc; g++)
            if (o->branch == SIM_BRANCH_REDRAW && !x.s->replay && rules_differ(variants[0], variants[v], (enum organ)g))
                rc = redraw(&y, (enum organ)g, y.t0);
        if (!rc) rc = advance(&y, INFINITY);
        if (!rc) rc = finish(&y);
        ctx_fini(&y, rc, &out[v]);
    }
    if (!rc) rc = advance(&x, INFINITY);
    if (!rc) rc = finish(&x);
    ctx_fini(&x, rc, &out[0]);
    if (rc)
        for (int v = 0; v < n_variants; v++) {
            sim_result_free(out[v]);
            out[v] = NULL;
        }
    return rc;
}

void sim_result_free(struct rep_result *r)
{
    if (!r) return;
#define FREE(m, tag, id) free(r->m.v);
    SIM_RESULT_VECTORS(FREE)
#undef FREE
    free(r);
}

void sim_result_rows(const struct rep_result *r, int t, const void **rows, size_t *n)
{
    *rows = NULL, *n = 0;
    if (t == REC_T_SUMMARY) *rows = r->summary, *n = ORGAN_N;
    else if (t == REC_T_GROUPS) *rows = r->groups, *n = (size_t)ORGAN_N * GRP_ROWS;
#define ROWS(m, tag, id) else if (t == id) *rows = r->m.v, *n = r->m.n;
    SIM_RESULT_VECTORS(ROWS)
#undef ROWS
}
