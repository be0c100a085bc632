/* ix.c — the list indexes' storage: growing the table of places and the heaps (the heap and
 * frontier operations themselves are inline in ix.h). */
#undef NDEBUG
#include "ix.h"

#include <assert.h>
#include <stdlib.h>

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


