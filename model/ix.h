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

/* Adds nd to h (ix_heap_reserve must have made room), keeping every place in t current. */
void ix_heap_insert(struct ix_heap *h, struct ix_table *t, struct ix_node nd);

/* Removes h's entry at place i (< h->n), keeping every place in t current. Needs no memory. */
void ix_heap_remove(struct ix_heap *h, struct ix_table *t, uint32_t i);

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

void ix_front_push(struct ix_frontier *fr, struct ix_front v);

/* Removes and returns the smallest; fr->n must be > 0. */
struct ix_front ix_front_pop(struct ix_frontier *fr);

#endif
