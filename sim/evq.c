/* evq.c — the event queue (see evq.h for the contract).
 *
 * Layout. `node[]` is the pool: one slot per event, holding the payload (time, type, a, b), the
 * slot's generation and its position in the heap (or, while the slot is free, the index of the
 * next free slot). `heap[]` is a 4-ary min-heap of entries that carry the sort key inline next
 * to the slot index, so sifting compares contiguous memory and touches the pool only to record
 * the new positions. Both arrays have `cap` elements and grow together by doubling. A slot is
 * pending iff its generation matches the handle's and its heap entry points back at it.
 * Freeing a slot bumps its generation, which is what makes old handles stale.
 *
 * The key. The order (time, prio, seq) is one unsigned 128-bit number: the time's bits mapped so
 * that unsigned order is the order of the doubles (-0.0 mapped as +0.0) in the high 64 bits,
 * then prio (offset so that unsigned order is signed order) and seq in 32 bits each. Comparing
 * two entries is then one branch-free wide comparison instead of up to three branches, most of
 * them unpredictable. seq only has to order the pending events, so when it would pass 2^32 the
 * pending events are renumbered 0, 1, ... in their order (renumber()), which keeps every
 * relative order and so every pop; with the engine's tens of thousands of events per
 * replication that never happens in practice, and a test provokes it with a small span.
 *
 * A 4-ary heap does about half the levels of a binary heap per pop; the four children of a node
 * sit in 128 contiguous bytes (entries are 32 bytes: the key is 16-byte aligned). */

/* Asserts are part of the contract (a NaN time aborts), so they stay on in every build. */
#undef NDEBUG
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"

#define EVQ_NIL UINT32_MAX          /* end of the free list; never a slot index */
#define EVQ_MAX_SLOTS UINT32_MAX    /* slot + 1 must fit the handle's low 32 bits */
#define EVQ_DEFAULT_CAP 64
#define EVQ_ARITY 4
#ifndef EVQ_SEQ_SPAN                /* a test compiles this file with a small span */
#define EVQ_SEQ_SPAN ((uint64_t)1 << 32)
#endif

__extension__ typedef unsigned __int128 evq_key;

struct ent {
    evq_key key;    /* time bits, prio, seq (see "The key") */
    uint32_t slot;
};

struct node {
    double time;
    int type;
    uint32_t a;
    uint32_t b;
    uint32_t gen;   /* bumped each time the slot is freed */
    uint32_t pos;   /* heap index while pending; next free slot (or EVQ_NIL) while free */
};

struct evq {
    struct ent *heap;
    struct node *node;
    size_t n;              /* pending events = heap entries in use */
    size_t cap;            /* slots in node[] and entries in heap[] */
    uint32_t free_head;    /* first free slot, EVQ_NIL if none */
    uint64_t seq;          /* next insertion sequence number (< EVQ_SEQ_SPAN) */
};

/* The high 64 bits of the key: unsigned order of the result is the order of the times. */
static inline uint64_t time_bits(double t)
{
    uint64_t u;
    t += 0.0; /* -0.0 becomes +0.0: the same time */
    memcpy(&u, &t, sizeof u);
    return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

static inline evq_key make_key(double time, int prio, uint64_t seq)
{
    const uint64_t lo = (uint64_t)((uint32_t)prio ^ UINT32_C(0x80000000)) << 32 | seq;
    return (evq_key)time_bits(time) << 64 | lo;
}

/* The total order: time, then prio, then insertion sequence. */
static inline int before(const struct ent *x, const struct ent *y)
{
    return x->key < y->key;
}

static inline void place(struct evq *q, size_t i, const struct ent *e)
{
    q->heap[i] = *e;
    q->node[e->slot].pos = (uint32_t)i;
}

/* Moves the hole at i up until e fits, then stores e there. */
static void sift_up(struct evq *q, size_t i, struct ent e)
{
    while (i > 0) {
        size_t p = (i - 1) / EVQ_ARITY;
        if (!before(&e, &q->heap[p])) break;
        place(q, i, &q->heap[p]);
        i = p;
    }
    place(q, i, &e);
}

/* Moves the hole at i down until e fits, then stores e there. */
static void sift_down(struct evq *q, size_t i, struct ent e)
{
    const size_t n = q->n;
    for (;;) {
        size_t c = EVQ_ARITY * i + 1;
        if (c >= n) break;
        size_t end = n - c > EVQ_ARITY ? c + EVQ_ARITY : n;
        size_t best = c;
        evq_key bk = q->heap[c].key;
        for (size_t k = c + 1; k < end; k++) {
            const evq_key kk = q->heap[k].key;
            const int lt = kk < bk;
            best = lt ? k : best;
            bk = lt ? kk : bk;
        }
        if (!before(&q->heap[best], &e)) break;
        place(q, i, &q->heap[best]);
        i = best;
    }
    place(q, i, &e);
}

/* Takes the entry at heap position i out of the heap and restores the heap order. */
static void heap_remove_at(struct evq *q, size_t i)
{
    assert(i < q->n);
    struct ent last = q->heap[--q->n];
    if (i == q->n) return;
    if (i > 0 && before(&last, &q->heap[(i - 1) / EVQ_ARITY]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

static void slot_release(struct evq *q, uint32_t slot)
{
    struct node *nd = &q->node[slot];
    nd->gen++;
    nd->pos = q->free_head;
    q->free_head = slot;
}

/* Links slots [from, to) into the free list in ascending order, ahead of the current list. */
static void link_free(struct evq *q, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        q->node[i].gen = 0;
        q->node[i].pos = i + 1 < to ? (uint32_t)(i + 1) : q->free_head;
    }
    if (from < to) q->free_head = (uint32_t)from;
}

/* Doubles the pool (and the heap). Returns 0, or -1 with the queue unchanged (a successful
 * realloc of node[] before a failing one of heap[] only leaves node[] roomier than cap). */
static int grow(struct evq *q)
{
    if (q->cap >= EVQ_MAX_SLOTS) return -1;
    size_t ncap = q->cap > EVQ_MAX_SLOTS / 2 ? (size_t)EVQ_MAX_SLOTS : 2 * q->cap;
    if (ncap > SIZE_MAX / sizeof(struct ent) || ncap > SIZE_MAX / sizeof(struct node)) return -1;
    struct node *nn = realloc(q->node, ncap * sizeof *nn);
    if (!nn) return -1;
    q->node = nn;
    struct ent *nh = realloc(q->heap, ncap * sizeof *nh);
    if (!nh) return -1;
    q->heap = nh;
    link_free(q, q->cap, ncap);
    q->cap = ncap;
    return 0;
}

struct keyed_pos {
    evq_key key;
    size_t pos;
};

static int cmp_keyed_pos(const void *a, const void *b)
{
    const evq_key x = ((const struct keyed_pos *)a)->key, y = ((const struct keyed_pos *)b)->key;
    return (x > y) - (x < y);
}

/* Gives the pending events the sequence numbers 0 .. n-1 in their order, so that the next push
 * has room again. Every relative order stays as it was, so the heap needs no repair. Returns 0,
 * or -1 (queue unchanged) when the scratch array cannot be allocated. */
static int renumber(struct evq *q)
{
    assert(q->n < EVQ_SEQ_SPAN); /* n <= 2^32 - 1 slots: true for the real span */
    struct keyed_pos *ord = malloc((q->n ? q->n : 1) * sizeof *ord);
    if (!ord) return -1;
    for (size_t i = 0; i < q->n; i++) ord[i] = (struct keyed_pos){.key = q->heap[i].key, .pos = i};
    qsort(ord, q->n, sizeof *ord, cmp_keyed_pos);
    const evq_key high = ~(evq_key)0 << 32; /* time bits and prio */
    for (size_t r = 0; r < q->n; r++) q->heap[ord[r].pos].key = (ord[r].key & high) | r;
    free(ord);
    q->seq = q->n;
    return 0;
}

struct evq *evq_alloc(size_t capacity_hint)
{
    size_t cap = capacity_hint ? capacity_hint : EVQ_DEFAULT_CAP;
    if (cap > EVQ_MAX_SLOTS) cap = EVQ_MAX_SLOTS;
    if (cap > SIZE_MAX / sizeof(struct ent) || cap > SIZE_MAX / sizeof(struct node)) return NULL;
    struct evq *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->node = malloc(cap * sizeof *q->node);
    q->heap = malloc(cap * sizeof *q->heap);
    if (!q->node || !q->heap) {
        evq_free(q);
        return NULL;
    }
    q->cap = cap;
    q->free_head = EVQ_NIL;
    link_free(q, 0, cap);
    return q;
}

void evq_free(struct evq *q)
{
    if (!q) return;
    free(q->node);
    free(q->heap);
    free(q);
}

struct evq *evq_clone(const struct evq *q)
{
    assert(q);
    struct evq *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    *c = *q;
    c->node = malloc(q->cap * sizeof *c->node);
    c->heap = malloc(q->cap * sizeof *c->heap);
    if (!c->node || !c->heap) {
        free(c->node);
        free(c->heap);
        free(c);
        return NULL;
    }
    memcpy(c->node, q->node, q->cap * sizeof *c->node);
    memcpy(c->heap, q->heap, q->cap * sizeof *c->heap);
    return c;
}

evq_handle evq_push(struct evq *q, double time, int prio, int type, uint32_t a, uint32_t b)
{
    assert(q);
    assert(!isnan(time) && "evq_push: NaN event time");
    if (q->free_head == EVQ_NIL && grow(q) != 0) return 0;
    if (q->seq >= EVQ_SEQ_SPAN && renumber(q) != 0) return 0;
    uint32_t slot = q->free_head;
    struct node *nd = &q->node[slot];
    q->free_head = nd->pos;
    nd->type = type;
    nd->a = a;
    nd->b = b;
    nd->time = time;
    struct ent e = {.key = make_key(time, prio, q->seq++), .slot = slot};
    sift_up(q, q->n++, e);
    return (evq_handle)nd->gen << 32 | ((evq_handle)slot + 1);
}

int evq_cancel(struct evq *q, evq_handle h)
{
    assert(q);
    uint32_t lo = (uint32_t)(h & UINT32_MAX);
    if (lo == 0) return 0;
    uint32_t slot = lo - 1;
    if (slot >= q->cap) return 0;
    const struct node *nd = &q->node[slot];
    if (nd->gen != (uint32_t)(h >> 32)) return 0;
    if (nd->pos >= q->n || q->heap[nd->pos].slot != slot) return 0;
    heap_remove_at(q, nd->pos);
    slot_release(q, slot);
    return 1;
}

int evq_pop(struct evq *q, struct evq_event *ev)
{
    assert(q && ev);
    if (q->n == 0) return 0;
    const struct ent top = q->heap[0];
    const struct node *nd = &q->node[top.slot];
    const int prio = (int)((uint32_t)(top.key >> 32) ^ UINT32_C(0x80000000));
    *ev = (struct evq_event){.time = nd->time, .prio = prio, .type = nd->type, .a = nd->a, .b = nd->b};
    heap_remove_at(q, 0);
    slot_release(q, top.slot);
    return 1;
}

int evq_peek_time(const struct evq *q, double *t)
{
    assert(q && t);
    if (q->n == 0) return 0;
    *t = q->node[q->heap[0].slot].time;
    return 1;
}

size_t evq_size(const struct evq *q)
{
    assert(q);
    return q->n;
}

void evq_clear(struct evq *q)
{
    assert(q);
    for (size_t i = 0; i < q->n; i++) slot_release(q, q->heap[i].slot);
    q->n = 0;
    q->seq = 0;
}
