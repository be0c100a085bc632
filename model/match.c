/* match.c — the shared match-list order (see match.h): comparison, full sort, and a binary
 * heap so the engine only orders as much of the list as the offers actually reach.
 *
 * The sort is our own merge sort rather than qsort(): the engine sorts whole lists in the
 * pancreas accelerated procedure, and qsort's indirect sort with a call through a function
 * pointer per comparison was most of that cost. Which algorithm sorts does not matter for the
 * result: the order is total (two matches compare equal only if they name the same candidate;
 * points are finite day counts, never NaN), so every correct sort yields the same list. */
#include "match.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inlined into the sort and heap loops; match_cmp() is the exported copy. */
static inline int cmp(const struct match *a, const struct match *b)
{
    if (a->tier != b->tier) return a->tier < b->tier ? -1 : 1;
    if (a->points != b->points) return a->points > b->points ? -1 : 1;
    if (a->c->w.listed != b->c->w.listed) return a->c->w.listed < b->c->w.listed ? -1 : 1;
    if (a->c->seq != b->c->seq) return a->c->seq < b->c->seq ? -1 : 1;
    return 0;
}

int match_cmp(const struct match *a, const struct match *b)
{
    return cmp(a, b);
}

/* Sorts b[0..n) using t[0..n/2] as scratch: each merge copies out only the left run, merges
 * it with the right run in place from the front, and stops when the left run is used up. */
static void msort(struct match *b, size_t n, struct match *t)
{
    if (n <= 8) { /* short runs: insertion sort, cheaper than recursing to single elements */
        for (size_t i = 1; i < n; i++) {
            struct match x = b[i];
            size_t j = i;
            for (; j > 0 && cmp(&x, &b[j - 1]) < 0; j--) b[j] = b[j - 1];
            b[j] = x;
        }
        return;
    }
    size_t n1 = n / 2, n2 = n - n1;
    msort(b, n1, t);
    msort(b + n1, n2, t);
    if (cmp(&b[n1 - 1], &b[n1]) <= 0) return; /* already in order: the merge would copy back */
    memcpy(t, b, n1 * sizeof *b);
    struct match *l = t, *r = b + n1, *end = b + n, *o = b;
    while (n1 > 0 && r < end) {
        if (cmp(l, r) <= 0) {
            *o++ = *l++;
            n1--;
        } else {
            *o++ = *r++;
        }
    }
    memcpy(o, l, n1 * sizeof *b);
}

static int cmp_void(const void *a, const void *b)
{
    return cmp(a, b);
}

void match_sort(struct match *m, size_t n)
{
    if (n <= 1) return;
    struct match small[64];
    struct match *t = n / 2 + 1 <= sizeof small / sizeof small[0] ? small : malloc((n / 2 + 1) * sizeof *t);
    if (!t) { /* no scratch memory: the library sort gives the same order, more slowly */
        qsort(m, n, sizeof *m, cmp_void);
        return;
    }
    msort(m, n, t);
    if (t != small) free(t);
}

static void sift_down(struct match *m, size_t n, size_t i)
{
    struct match x = m[i];
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n) break;
        size_t best = l;
        if (l + 1 < n && cmp(&m[l + 1], &m[l]) < 0) best = l + 1;
        if (cmp(&m[best], &x) >= 0) break;
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
        if (l + 1 < n && cmp(&m[l + 1], &m[l]) > 0) w = l + 1;
        if (cmp(&m[w], &x) <= 0) break;
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
        if (cmp(&m[i], &m[0]) < 0) {
            struct match t = m[0];
            m[0] = m[i];
            m[i] = t;
            sift_down_worst(m, k, 0);
        }
    match_sort(m, k);
    return k;
}

const char *match_points_text(double p, char *buf, size_t len)
{
    if (!isfinite(p)) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    double r = nearbyint(p * 100.0) / 100.0;
    if (r == nearbyint(r)) {
        snprintf(buf, len, "%.0f", nearbyint(r) + 0.0);
        return buf;
    }
    snprintf(buf, len, "%.2f", r);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0') buf[--n] = '\0';
    return buf;
}
