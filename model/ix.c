/* ix.c — indexed binary min-heaps and the walk's frontier (see ix.h). */
#undef NDEBUG
#include "ix.h"

#include <assert.h>
#include <stdlib.h>

static int node_less(const struct ix_node *a, const struct ix_node *b)
{
    return a->e < b->e || (a->e == b->e && a->seq < b->seq);
}

static void place(struct ix_heap *h, struct ix_table *t, uint32_t i, struct ix_node nd)
{
    h->v[i] = nd;
    t->at[nd.id].pos = i;
}

static void sift_up(struct ix_heap *h, struct ix_table *t, uint32_t i)
{
    const struct ix_node nd = h->v[i];
    while (i > 0 && node_less(&nd, &h->v[(i - 1) / 2])) {
        place(h, t, i, h->v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    place(h, t, i, nd);
}

static void sift_down(struct ix_heap *h, struct ix_table *t, uint32_t i)
{
    const struct ix_node nd = h->v[i];
    for (;;) {
        uint32_t l = 2 * i + 1;
        if (l >= h->n) break;
        if (l + 1 < h->n && node_less(&h->v[l + 1], &h->v[l])) l++;
        if (!node_less(&h->v[l], &nd)) break;
        place(h, t, i, h->v[l]);
        i = l;
    }
    place(h, t, i, nd);
}

int ix_table_reserve(struct ix_table *t, uint32_t id)
{
    if (id < t->n) return 0;
    size_t n = t->n ? t->n : 1024;
    while (n <= id) n *= 2;
    struct ix_where *at = realloc(t->at, n * sizeof *at);
    if (!at) return -1;
    for (size_t i = t->n; i < n; i++) at[i] = (struct ix_where){IX_NONE, 0, IX_NONE};
    t->at = at;
    t->n = n;
    return 0;
}

void ix_table_fini(struct ix_table *t)
{
    free(t->at);
    t->at = NULL;
    t->n = 0;
}

int ix_heap_reserve(struct ix_heap *h)
{
    if (h->n < h->cap) return 0;
    if (h->cap > UINT32_MAX / 2) return -1;
    const uint32_t cap = h->cap ? 2 * h->cap : 16;
    struct ix_node *v = realloc(h->v, cap * sizeof *v);
    if (!v) return -1;
    h->v = v;
    h->cap = cap;
    return 0;
}

void ix_heap_fini(struct ix_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

void ix_heap_insert(struct ix_heap *h, struct ix_table *t, struct ix_node nd)
{
    assert(h->n < h->cap && nd.id < t->n);
    h->v[h->n] = nd;
    sift_up(h, t, h->n++);
}

void ix_heap_remove(struct ix_heap *h, struct ix_table *t, uint32_t i)
{
    assert(i < h->n);
    const struct ix_node last = h->v[--h->n];
    if (i == h->n) return;
    place(h, t, i, last);
    sift_up(h, t, i);
    sift_down(h, t, t->at[last.id].pos);
}

static int front_less(const struct ix_front *x, const struct ix_front *y)
{
    return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

void ix_front_push(struct ix_frontier *fr, struct ix_front v)
{
    if (fr->n == fr->cap) {
        fr->full = 1;
        return;
    }
    size_t i = fr->n++;
    while (i > 0 && front_less(&v, &fr->f[(i - 1) / 2])) {
        fr->f[i] = fr->f[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    fr->f[i] = v;
}

struct ix_front ix_front_pop(struct ix_frontier *fr)
{
    assert(fr->n > 0);
    const struct ix_front top = fr->f[0];
    const struct ix_front v = fr->f[--fr->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= fr->n) break;
        if (l + 1 < fr->n && front_less(&fr->f[l + 1], &fr->f[l])) l++;
        if (!front_less(&fr->f[l], &v)) break;
        fr->f[i] = fr->f[l];
        i = l;
    }
    if (fr->n) fr->f[i] = v;
    return top;
}
