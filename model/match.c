/* match.c — the shared match-list order (see match.h): comparison, full sort, and a binary
 * heap so the engine only orders as much of the list as the offers actually reach. */
#include "match.h"

#include <stdlib.h>

int match_cmp(const struct match *a, const struct match *b)
{
    if (a->tier != b->tier) return a->tier < b->tier ? -1 : 1;
    if (a->points != b->points) return a->points > b->points ? -1 : 1;
    if (a->c->w.listed != b->c->w.listed) return a->c->w.listed < b->c->w.listed ? -1 : 1;
    if (a->c->seq != b->c->seq) return a->c->seq < b->c->seq ? -1 : 1;
    return 0;
}

static int cmp_void(const void *a, const void *b)
{
    return match_cmp(a, b);
}

void match_sort(struct match *m, size_t n)
{
    if (n > 1) qsort(m, n, sizeof *m, cmp_void);
}

static void sift_down(struct match *m, size_t n, size_t i)
{
    struct match x = m[i];
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n) break;
        size_t best = l;
        if (l + 1 < n && match_cmp(&m[l + 1], &m[l]) < 0) best = l + 1;
        if (match_cmp(&m[best], &x) >= 0) break;
        m[i] = m[best];
        i = best;
    }
    m[i] = x;
}

void match_heap_build(struct match *m, size_t n)
{
    for (size_t i = n / 2; i-- > 0;) sift_down(m, n, i);
}

int match_heap_pop(struct match *m, size_t *n, struct match *out)
{
    if (*n == 0) return -1;
    *out = m[0];
    (*n)--;
    if (*n > 0) {
        m[0] = m[*n];
        sift_down(m, *n, 0);
    }
    return 0;
}

/* Max-heap on match_cmp (the worst of the kept matches on top) for match_top(). */
static void sift_down_worst(struct match *m, size_t n, size_t i)
{
    struct match x = m[i];
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n) break;
        size_t w = l;
        if (l + 1 < n && match_cmp(&m[l + 1], &m[l]) > 0) w = l + 1;
        if (match_cmp(&m[w], &x) <= 0) break;
        m[i] = m[w];
        i = w;
    }
    m[i] = x;
}

size_t match_top(struct match *m, size_t n, size_t k)
{
    if (k >= n) {
        match_sort(m, n);
        return n;
    }
    if (k == 0) return 0;
    for (size_t i = k / 2; i-- > 0;) sift_down_worst(m, k, i);
    for (size_t i = k; i < n; i++)
        if (match_cmp(&m[i], &m[0]) < 0) {
            struct match t = m[0];
            m[0] = m[i];
            m[i] = t;
            sift_down_worst(m, k, 0);
        }
    match_sort(m, k);
    return k;
}
