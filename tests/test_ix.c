/* test_ix.c — the list indexes' heaps (model/ix.h): random inserts and removals checked against
 * a plain reference set (heap order on (e, seq), every place in the table current, the minimum
 * correct), and the frontier's order and overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ix.h"

/* A small fixed-seed generator (splitmix64), independent of the code under test. */
static uint64_t sm_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int less(const struct ix_node *a, const struct ix_node *b)
{
    return a->e < b->e || (a->e == b->e && a->seq < b->seq);
}

/* Heap order, and t.at[] names every entry's place. */
static void check(const struct ix_heap *h, const struct ix_table *t)
{
    for (uint32_t i = 0; i < h->n; i++) {
        assert_true(h->v[i].id < t->n);
        assert_int_equal(t->at[h->v[i].id].pos, i);
        if (i > 0) assert_false(less(&h->v[i], &h->v[(i - 1) / 2]));
    }
}

static void test_heap_against_reference(void **state)
{
    (void)state;
    enum { IDS = 300, STEPS = 20000 };
    static struct cand c[IDS];
    static int in[IDS];
    struct ix_heap h = {0};
    struct ix_table t = {0};
    uint64_t s = 20261202;
    size_t removed_inside = 0;
    for (int step = 0; step < STEPS; step++) {
        const uint32_t id = (uint32_t)(sm_next(&s) % IDS);
        if (!in[id]) {
            assert_int_equal(ix_table_reserve(&t, id), 0);
            assert_int_equal(ix_heap_reserve(&h), 0);
            /* few distinct keys, so ties of e are common and seq decides */
            const double e = (double)(sm_next(&s) % 40);
            ix_heap_insert(&h, &t, (struct ix_node){.e = e, .seq = id * 7 % IDS, .id = id, .c = &c[id]});
            t.at[id].heap = 0;
            in[id] = 1;
        } else {
            const uint32_t pos = t.at[id].pos;
            assert_ptr_equal(h.v[pos].c, &c[id]);
            removed_inside += pos + 1 < h.n;
            ix_heap_remove(&h, &t, pos);
            t.at[id].heap = IX_NONE;
            in[id] = 0;
        }
        check(&h, &t);
        /* the root is the least of the reference set */
        size_t n = 0;
        const struct ix_node *best = NULL;
        for (uint32_t i = 0; i < IDS; i++)
            if (in[i]) {
                n++;
                const struct ix_node *x = &h.v[t.at[i].pos];
                assert_ptr_equal(x->c, &c[i]);
                if (!best || less(x, best)) best = x;
            }
        assert_int_equal(n, h.n);
        if (n) assert_ptr_equal(best, &h.v[0]);
    }
    assert_true(removed_inside > 1000); /* removals from the middle, not only the end */
    assert_true(t.n >= IDS);
    ix_heap_fini(&h);
    ix_table_fini(&t);
    assert_null(h.v);
    assert_null(t.at);
}

static void test_frontier(void **state)
{
    (void)state;
    struct ix_front buf[64];
    struct ix_frontier fr = {.f = buf, .cap = 64};
    uint64_t s = 7;
    for (uint32_t i = 0; i < 64; i++)
        ix_front_push(&fr, (struct ix_front){.key = (double)(sm_next(&s) % 10), .seq = i, .heap = i, .i = 0});
    assert_false(fr.full);
    ix_front_push(&fr, (struct ix_front){.key = -1, .seq = 99});
    assert_true(fr.full); /* dropped, and said so */
    assert_int_equal(fr.n, 64);
    struct ix_front prev = ix_front_pop(&fr);
    while (fr.n > 0) {
        const struct ix_front x = ix_front_pop(&fr);
        assert_true(prev.key < x.key || (prev.key == x.key && prev.seq < x.seq));
        prev = x;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_against_reference),
        cmocka_unit_test(test_frontier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
