/* ix.h — the building blocks of the policies' list indexes (policy_ops.index_*, docs/design.md
 * "List indexes"): binary min-heaps of waiting-list entries on a rank key, whose entries' places
 * are kept in a table by candidate id so that any entry can be removed in O(log n), and the
 * frontier with which a walk visits several heaps best first.
 *
 * The heart (model/heart.c) and the pancreas (model/pancreas.c) each keep their own heaps, with
 * their own meaning of the key and their own numbering of heaps; this module only keeps the
 * order. model/ code: pure, no I/O, no globals. */
#ifndef WLSIM_IX_H
#define WLSIM_IX_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "cand.h"

/* A heap entry. The order is (e, seq): seq (the candidate's number) breaks ties of the key, so a
 * heap's shape is a function of its set of entries and of the order of the updates. */
struct ix_node {
    double e;               /* the rank key: lower first */
    uint32_t seq;           /* c->seq */
    uint32_t id;            /* the candidate's id (policy_ops.index_update): its row in ix_table */
    struct cand *c;
};

struct ix_heap {
    struct ix_node *v;
    uint32_t n, cap;
};

#define IX_NONE UINT32_MAX         /* ix_where.heap: in no heap */
#define IX_BAD (UINT32_MAX - 1)    /* ix_where.heap: in no heap, but the index would need it in one */

/* Where candidate `id` is: the caller's number of its heap (or IX_NONE, IX_BAD), its place
 * there, and one more number for the caller (IX_NONE when unused). */
struct ix_where {
    uint32_t heap;
    uint32_t pos;
    uint32_t aux;
};

struct ix_table {
    struct ix_where *at;    /* at[id] */
    size_t n;
};

/* Makes room in t for row `id` (new rows {IX_NONE, 0, IX_NONE}). Returns 0, or -1 when out of
 * memory (t unchanged). */
int ix_table_reserve(struct ix_table *t, uint32_t id);

/* Frees t's rows; t is then empty. */
void ix_table_fini(struct ix_table *t);

/* Makes room in h for one more entry. Returns 0, or -1 when out of memory (h unchanged). */
int ix_heap_reserve(struct ix_heap *h);

/* Frees h's entries; h is then empty. */
void ix_heap_fini(struct ix_heap *h);

/* The walk's frontier: places in the caller's heaps, a min-heap on (key, seq). The caller
 * chooses the key (the heart: e; the pancreas: minus the approximate points) and owns the
 * buffer; a push past cap sets `full` and is dropped, and the caller must then not use the
 * walk's answer. */
struct ix_front {
    double key;
    uint32_t seq;
    uint32_t heap;          /* the caller's number of the heap */
    uint32_t i;             /* the node's place in it */
};

struct ix_frontier {
    struct ix_front *f;
    size_t n, cap;
    int full;
};


/* ------------------------------------------------------------------------------------------
 * Inline: the walks and updates call these per entry they touch.
 *
 * ix_heap_insert adds nd to h (ix_heap_reserve must have made room), ix_heap_remove removes h's
 * entry at place i (< h->n; needs no memory), each keeping every place in t current.
 * ix_front_push adds v to the frontier (or sets `full`); ix_front_pop removes and returns the
 * smallest (fr->n must be > 0). */
static inline int ix_node_less_(const struct ix_node *a, const struct ix_node *b)
{
    return a->e < b->e || (a->e == b->e && a->seq < b->seq);
}

static inline void ix_place_(struct ix_heap *h, struct ix_table *t, uint32_t i, struct ix_node nd)
{
    h->v[i] = nd;
    t->at[nd.id].pos = i;
}

static inline void ix_sift_up_(struct ix_heap *h, struct ix_table *t, uint32_t i)
{
    const struct ix_node nd = h->v[i];
    while (i > 0 && ix_node_less_(&nd, &h->v[(i - 1) / 2])) {
        ix_place_(h, t, i, h->v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    ix_place_(h, t, i, nd);
}

static inline void ix_sift_down_(struct ix_heap *h, struct ix_table *t, uint32_t i)
{
    const struct ix_node nd = h->v[i];
    for (;;) {
        uint32_t l = 2 * i + 1;
        if (l >= h->n) break;
        if (l + 1 < h->n && ix_node_less_(&h->v[l + 1], &h->v[l])) l++;
        if (!ix_node_less_(&h->v[l], &nd)) break;
        ix_place_(h, t, i, h->v[l]);
        i = l;
    }
    ix_place_(h, t, i, nd);
}

static inline void ix_heap_insert(struct ix_heap *h, struct ix_table *t, struct ix_node nd)
{
    assert(h->n < h->cap && nd.id < t->n);
    h->v[h->n] = nd;
    ix_sift_up_(h, t, h->n++);
}

static inline void ix_heap_remove(struct ix_heap *h, struct ix_table *t, uint32_t i)
{
    assert(i < h->n);
    const struct ix_node last = h->v[--h->n];
    if (i == h->n) return;
    ix_place_(h, t, i, last);
    ix_sift_up_(h, t, i);
    ix_sift_down_(h, t, t->at[last.id].pos);
}

static inline int ix_front_less_(const struct ix_front *x, const struct ix_front *y)
{
    return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

static inline void ix_front_push(struct ix_frontier *fr, struct ix_front v)
{
    if (fr->n == fr->cap) {
        fr->full = 1;
        return;
    }
    size_t i = fr->n++;
    while (i > 0 && ix_front_less_(&v, &fr->f[(i - 1) / 2])) {
        fr->f[i] = fr->f[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    fr->f[i] = v;
}

static inline struct ix_front ix_front_pop(struct ix_frontier *fr)
{
    assert(fr->n > 0);
    const struct ix_front top = fr->f[0];
    const struct ix_front v = fr->f[--fr->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= fr->n) break;
        if (l + 1 < fr->n && ix_front_less_(&fr->f[l + 1], &fr->f[l])) l++;
        if (!ix_front_less_(&fr->f[l], &v)) break;
        fr->f[i] = fr->f[l];
        i = l;
    }
    if (fr->n) fr->f[i] = v;
    return top;
}

#endif
