/* test_evq_span.c — the event queue (sim/evq.c) with an insertion sequence that wraps after
 * 4096 pushes instead of 2^32, so that the renumbering of the pending events (evq.c, "The key")
 * runs many times. The engine's queue never gets near 2^32 pushes, so this is the only place
 * where that path runs. The file compiles evq.c itself with the small span and reuses the tests
 * of test_evq.c whose queues stay below the span (renumbering needs fewer pending events than
 * the span). */
#define EVQ_SEQ_SPAN 4096
#include "../sim/evq.c"
#define main test_evq_suite_main /* this file runs its own selection */
#include "test_evq.c"
#undef main

/* Tens of thousands of operations on a queue kept between 2,000 and 4,000 pending events, with
 * few distinct times and priorities (ties everywhere), checked pop by pop against the reference
 * order; the sequence is renumbered every few hundred pushes. */
static void test_renumbering_keeps_order(void **state)
{
    (void)state;
    enum { OPS = 40000 };
    uint64_t s = 7;
    struct ref *r = calloc(OPS, sizeof *r);
    assert_non_null(r);
    size_t nr = 0, live = 0, pops = 0;
    struct evq *q = evq_alloc(0);
    assert_non_null(q);
    for (uint32_t op = 0; op < OPS; op++) {
        const uint32_t c = sm_below(&s, 100);
        if (live < 2000 || (live < 4000 && c < 50)) {
            const double t = (double)sm_below(&s, 8);
            const int prio = (int)sm_below(&s, 3) - 1;
            const evq_handle h = evq_push(q, t, prio, 0, op, 0);
            assert_int_not_equal(h, 0);
            r[nr] = (struct ref){.time = t, .prio = prio, .seq = nr, .id = op, .h = h, .live = 1};
            nr++;
            live++;
        } else if (c < 80) {
            const long m = ref_min(r, nr);
            struct evq_event ev;
            assert_int_equal(evq_pop(q, &ev), 1);
            assert_int_equal(ev.a, r[m].id);
            assert_int_equal(ev.prio, r[m].prio);
            r[m].live = 0;
            live--;
            pops++;
        } else {
            size_t i = sm_below(&s, (uint32_t)nr);
            assert_int_equal(evq_cancel(q, r[i].h), r[i].live);
            if (r[i].live) live--;
            r[i].live = 0;
        }
        assert_int_equal(evq_size(q), live);
    }
    struct evq_event ev;
    for (long m; (m = ref_min(r, nr)) >= 0; r[m].live = 0) {
        assert_int_equal(evq_pop(q, &ev), 1);
        assert_int_equal(ev.a, r[m].id);
    }
    assert_true(nr > 8 * EVQ_SEQ_SPAN / 2 && pops > 5000);
    free(r);
    evq_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_by_time),
        cmocka_unit_test(test_order_prio_then_fifo),
        cmocka_unit_test(test_cancel_handles),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_renumbering_keeps_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
