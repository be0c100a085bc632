/* ix.c — the list indexes' storage: growing the table of places and the heaps (the heap and
 * frontier operations themselves are inline in ix.h). */
#undef NDEBUG
#include "ix.h"

#include <assert.h>
#include <stdlib.h>

#include "vec.h"

int ix_table_reserve(struct ix_table *t, uint32_t id)
{
    if (id < t->n) return 0;
    size_t n = t->n;
    if (vec_grow((void **)&t->at, &n, (size_t)id + 1, sizeof *t->at)) return -1;
    for (size_t i = t->n; i < n; i++) t->at[i] = (struct ix_where){IX_NONE, 0, IX_NONE};
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
    size_t cap = h->cap; /* 32 bits in the heap (n and cap share a word) */
    if (cap > UINT32_MAX / 2 || vec_grow((void **)&h->v, &cap, (size_t)h->n + 1, sizeof *h->v)) return -1;
    h->cap = (uint32_t)cap;
    return 0;
}

void ix_heap_fini(struct ix_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}


