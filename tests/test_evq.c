/* test_evq.c — the event queue: total order (time, prio, insertion), cancellation and stale
 * handles, growth, clear, and randomised runs checked against a plain reference list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evq.h"

/* A small fixed-seed generator for the tests (splitmix64), independent of the code under test. */
static uint64_t sm_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint32_t sm_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(sm_next(s) % n);
}

static double sm_unif(uint64_t *s)
{
    return (double)(sm_next(s) >> 11) * 0x1.0p-53;
}

static void test_alloc_free(void **state)
{
    (void)state;
    evq_free(NULL);
    struct evq *q = evq_alloc(0);
    assert_non_null(q);
    assert_int_equal(evq_size(q), 0);
    struct evq_event ev = {.time = 123.0};
    double t = 7.0;
    assert_int_equal(evq_pop(q, &ev), 0);
    assert_float_equal(ev.time, 123.0, 0);
    assert_int_equal(evq_peek_time(q, &t), 0);
    assert_float_equal(t, 7.0, 0);
    assert_int_equal(evq_cancel(q, 0), 0);
    evq_free(q);
}

/* Times pushed out of order pop in ascending order, payload intact. */
static void test_order_by_time(void **state)
{
    (void)state;
    struct evq *q = evq_alloc(4);
    const double t[] = {5.0, 1.0, 3.5, -2.0, 10.0, 0.25, 3.0, 7.0};
    const size_t n = sizeof t / sizeof t[0];
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(evq_push(q, t[i], (int)(n - i), 40 + (int)i, (uint32_t)i, (uint32_t)(100 + i)), 0);
    assert_int_equal(evq_size(q), n);
    const size_t order[] = {3, 5, 1, 6, 2, 0, 7, 4};
    for (size_t k = 0; k < n; k++) {
        double pt;
        assert_int_equal(evq_peek_time(q, &pt), 1);
        struct evq_event ev;
        assert_int_equal(evq_pop(q, &ev), 1);
        size_t i = order[k];
        assert_float_equal(pt, t[i], 0);
        assert_float_equal(ev.time, t[i], 0);
        assert_int_equal(ev.prio, (int)(n - i));
        assert_int_equal(ev.type, 40 + (int)i);
        assert_int_equal(ev.a, i);
        assert_int_equal(ev.b, 100 + i);
        assert_int_equal(evq_size(q), n - k - 1);
    }
    evq_free(q);
}

/* At equal time the smaller prio pops first; at equal time and prio, first pushed first
 * (including negative priorities, -0.0 == +0.0, and +INFINITY last). */
static void test_order_prio_then_fifo(void **state)
{
    (void)state;
    struct evq *q = evq_alloc(2);
    /* a = push index */
    const struct { double t; int prio; } in[] = {
        {1.0, 2}, {1.0, 0}, {1.0, 2}, {1.0, -5}, {1.0, 0}, {0.0, 9}, {-0.0, 9}, {1.0, 2},
        {INFINITY, -100}, {1.0, -5}, {0.0, 9},
    };
    const size_t n = sizeof in / sizeof in[0];
    for (size_t i = 0; i < n; i++) assert_int_not_equal(evq_push(q, in[i].t, in[i].prio, 0, (uint32_t)i, 0), 0);
    const uint32_t expect[] = {5, 6, 10, 3, 9, 1, 4, 0, 2, 7, 8};
    for (size_t k = 0; k < n; k++) {
        struct evq_event ev;
        assert_int_equal(evq_pop(q, &ev), 1);
        assert_int_equal(ev.a, expect[k]);
    }
    assert_int_equal(evq_pop(q, &(struct evq_event){0}), 0);

    /* Many equal keys, interleaved with pops: strictly FIFO. */
    uint32_t next_in = 0, next_out = 0;
    for (int round = 0; round < 50; round++) {
        for (int j = 0; j < 7; j++) assert_int_not_equal(evq_push(q, 3.0, 1, 0, next_in++, 0), 0);
        for (int j = 0; j < 5; j++) {
            struct evq_event ev;
            assert_int_equal(evq_pop(q, &ev), 1);
            assert_int_equal(ev.a, next_out++);
        }
    }
    struct evq_event ev;
    while (evq_pop(q, &ev)) assert_int_equal(ev.a, next_out++);
    assert_int_equal(next_out, next_in);
    evq_free(q);
}

/* Cancel of a pending, cancelled, popped, zero, foreign and reused-slot handle. */
static void test_cancel_handles(void **state)
{
    (void)state;
    struct evq *q = evq_alloc(4);
    evq_handle h1 = evq_push(q, 1.0, 0, 0, 1, 0);
    evq_handle h2 = evq_push(q, 2.0, 0, 0, 2, 0);
    evq_handle h3 = evq_push(q, 3.0, 0, 0, 3, 0);
    assert_true(h1 && h2 && h3 && h1 != h2 && h2 != h3 && h1 != h3);

    assert_int_equal(evq_cancel(q, h2), 1);      /* pending */
    assert_int_equal(evq_size(q), 2);
    assert_int_equal(evq_cancel(q, h2), 0);      /* already cancelled */
    assert_int_equal(evq_cancel(q, 0), 0);       /* never a handle */
    assert_int_equal(evq_cancel(q, UINT64_C(0xFFFFFFFF)), 0);        /* slot out of range */
    assert_int_equal(evq_cancel(q, h1 + (UINT64_C(5) << 32)), 0);    /* wrong generation */
    assert_int_equal(evq_size(q), 2);

    struct evq_event ev;
    assert_int_equal(evq_pop(q, &ev), 1);
    assert_int_equal(ev.a, 1);
    assert_int_equal(evq_cancel(q, h1), 0);      /* popped */
    /* never issued: h1's slot with the generation its next event will get */
    assert_int_equal(evq_cancel(q, h1 + (UINT64_C(1) << 32)), 0);
    assert_int_equal(evq_cancel(q, h2 + (UINT64_C(1) << 32)), 0);
    assert_int_equal(evq_size(q), 1);

    /* The freed slots are reused: the old handles must not reach the new events. */
    evq_handle h4 = evq_push(q, 4.0, 0, 0, 4, 0);
    evq_handle h5 = evq_push(q, 5.0, 0, 0, 5, 0);
    assert_true(h4 != h1 && h4 != h2 && h5 != h1 && h5 != h2);
    assert_int_equal(evq_cancel(q, h1), 0);
    assert_int_equal(evq_cancel(q, h2), 0);
    assert_int_equal(evq_size(q), 3);
    assert_int_equal(evq_cancel(q, h3), 1);
    assert_int_equal(evq_pop(q, &ev), 1);
    assert_int_equal(ev.a, 4);
    assert_int_equal(evq_pop(q, &ev), 1);
    assert_int_equal(ev.a, 5);
    assert_int_equal(evq_pop(q, &ev), 0);
    assert_int_equal(evq_cancel(q, h4), 0);
    assert_int_equal(evq_cancel(q, h5), 0);
    evq_free(q);
}

/* Handles taken before several doublings still name their events afterwards. */
static void test_handles_survive_growth(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct evq *q = evq_alloc(1);
    evq_handle *h = malloc(N * sizeof *h);
    assert_non_null(h);
    for (uint32_t i = 0; i < N; i++) {
        /* times descending so every push sifts to the root and moves others around */
        h[i] = evq_push(q, (double)(N - i), 0, 0, i, 0);
        assert_int_not_equal(h[i], 0);
    }
    for (uint32_t i = 0; i < N; i += 3) assert_int_equal(evq_cancel(q, h[i]), 1);
    for (uint32_t i = 0; i < N; i += 3) assert_int_equal(evq_cancel(q, h[i]), 0);
    size_t left = N - (N + 2) / 3;
    assert_int_equal(evq_size(q), left);
    struct evq_event ev;
    double last = -INFINITY;
    size_t popped = 0;
    while (evq_pop(q, &ev)) {
        assert_true(ev.a % 3 != 0);
        assert_float_equal(ev.time, (double)(N - ev.a), 0);
        assert_true(ev.time > last);
        last = ev.time;
        popped++;
    }
    assert_int_equal(popped, left);
    for (uint32_t i = 0; i < N; i++) assert_int_equal(evq_cancel(q, h[i]), 0);
    free(h);
    evq_free(q);
}

/* The reference: every pushed event, with its push order and whether it is still pending. */
struct ref {
    double time;
    int prio;
    uint64_t seq;
    uint32_t id;
    evq_handle h;
    int live;
};

static int ref_before(const struct ref *x, const struct ref *y)
{
    if (x->time != y->time) return x->time < y->time;
    if (x->prio != y->prio) return x->prio < y->prio;
    return x->seq < y->seq;
}

/* Index of the reference's next event, or -1 if none is live. */
static long ref_min(const struct ref *r, size_t n)
{
    long best = -1;
    for (size_t i = 0; i < n; i++)
        if (r[i].live && (best < 0 || ref_before(&r[i], &r[best]))) best = (long)i;
    return best;
}

/* Thousands of random pushes, pops, cancels (pending, stale, zero) and a mid-run clear,
 * checked op by op against the reference. Times and priorities come from small sets so
 * that ties on time and on (time, prio) are frequent. */
static void test_random_against_reference(void **state)
{
    (void)state;
    enum { OPS = 30000 };
    uint64_t s = 20240607;
    struct ref *r = calloc(OPS, sizeof *r);
    assert_non_null(r);
    size_t nr = 0, live = 0, pops = 0, cancels = 0, stale = 0;
    uint64_t seq = 0;
    struct evq *q = evq_alloc(1);
    for (uint32_t op = 0; op < OPS; op++) {
        if (op == OPS / 2) {
            /* clear: every handle goes stale, the sequence restarts */
            evq_clear(q);
            for (size_t i = 0; i < nr; i++) {
                if (r[i].live) assert_int_equal(evq_cancel(q, r[i].h), 0);
                r[i].live = 0;
            }
            live = 0;
            seq = 0;
            assert_int_equal(evq_size(q), 0);
        }
        uint32_t c = sm_below(&s, 100);
        if (c < 50 || live == 0) {
            double t = (double)sm_below(&s, 40) + (sm_below(&s, 4) == 0 ? sm_unif(&s) : 0.0);
            int prio = (int)sm_below(&s, 4) - 1;
            evq_handle h = evq_push(q, t, prio, (int)(op % 7), op, ~op);
            assert_int_not_equal(h, 0);
            r[nr++] = (struct ref){.time = t, .prio = prio, .seq = seq++, .id = op, .h = h, .live = 1};
            live++;
        } else if (c < 75) {
            long m = ref_min(r, nr);
            struct evq_event ev;
            assert_int_equal(evq_pop(q, &ev), 1);
            assert_int_equal(ev.a, r[m].id);
            assert_int_equal(ev.b, ~r[m].id);
            assert_int_equal(ev.type, (int)(r[m].id % 7));
            assert_float_equal(ev.time, r[m].time, 0);
            assert_int_equal(ev.prio, r[m].prio);
            r[m].live = 0;
            live--;
            pops++;
        } else if (c < 95) {
            /* cancel a reference entry: mostly the next live one from a random start (so it
             * succeeds), sometimes whatever is there (usually stale by now) */
            size_t i = sm_below(&s, (uint32_t)nr);
            if (c < 90)
                for (size_t k = 0; k < nr && !r[i].live; k++) i = (i + 1) % nr;
            int expect = r[i].live;
            assert_int_equal(evq_cancel(q, r[i].h), expect);
            if (expect) {
                r[i].live = 0;
                live--;
                cancels++;
            } else {
                stale++;
            }
        } else {
            assert_int_equal(evq_cancel(q, 0), 0);
        }
        assert_int_equal(evq_size(q), live);
        double pt;
        long m = ref_min(r, nr);
        if (m < 0) {
            assert_int_equal(evq_peek_time(q, &pt), 0);
        } else {
            assert_int_equal(evq_peek_time(q, &pt), 1);
            assert_float_equal(pt, r[m].time, 0);
        }
    }
    /* drain */
    struct evq_event ev;
    for (long m; (m = ref_min(r, nr)) >= 0;) {
        assert_int_equal(evq_pop(q, &ev), 1);
        assert_int_equal(ev.a, r[m].id);
        r[m].live = 0;
    }
    assert_int_equal(evq_pop(q, &ev), 0);
    assert_true(pops > 1000 && cancels > 1000 && stale > 100);
    free(r);
    evq_free(q);
}

/* After evq_clear the queue is empty, old handles are stale, memory is reused, and the same
 * pushes pop in the same order as in a fresh queue. */
static void test_clear(void **state)
{
    (void)state;
    struct evq *q = evq_alloc(2);
    evq_handle old[100];
    for (uint32_t i = 0; i < 100; i++) old[i] = evq_push(q, (double)(i % 10), 0, 0, i, 0);
    evq_clear(q);
    assert_int_equal(evq_size(q), 0);
    double t;
    assert_int_equal(evq_peek_time(q, &t), 0);
    struct evq_event ev;
    assert_int_equal(evq_pop(q, &ev), 0);
    for (int i = 0; i < 100; i++) assert_int_equal(evq_cancel(q, old[i]), 0);
    evq_clear(q);   /* clearing an empty queue is fine */

    struct evq *fresh = evq_alloc(2);
    for (uint32_t i = 0; i < 300; i++) {
        double tt = (double)((i * 7) % 5);
        int prio = (int)(i % 2);
        evq_handle hq = evq_push(q, tt, prio, 0, i, 0);
        assert_int_not_equal(hq, 0);
        assert_int_not_equal(evq_push(fresh, tt, prio, 0, i, 0), 0);
    }
    for (int i = 0; i < 100; i++) assert_int_equal(evq_cancel(q, old[i]), 0);
    struct evq_event e2;
    while (evq_pop(fresh, &e2)) {
        assert_int_equal(evq_pop(q, &ev), 1);
        assert_int_equal(ev.a, e2.a);
        assert_float_equal(ev.time, e2.time, 0);
    }
    assert_int_equal(evq_pop(q, &ev), 0);
    evq_free(fresh);
    evq_free(q);
}

/* A large run with exponential times and heavy cancelling: the pops come out in order, the
 * counts add up, and no cancelled event ever pops. */
static void test_stress_with_cancellations(void **state)
{
    (void)state;
    enum { N = 200000 };
    uint64_t s = 99;
    struct evq *q = evq_alloc(16);
    evq_handle *h = malloc(N * sizeof *h);
    unsigned char *gone = calloc(N, 1);
    assert_true(h && gone);
    double now = 0.0;
    size_t cancelled = 0, popped = 0;
    struct evq_event ev;
    for (uint32_t i = 0; i < N; i++) {
        h[i] = evq_push(q, now - log1p(-sm_unif(&s)) * 100.0, (int)sm_below(&s, 3), 0, i, 0);
        assert_int_not_equal(h[i], 0);
        if (sm_below(&s, 3) == 0) {           /* cancel some earlier event */
            uint32_t j = sm_below(&s, i + 1);
            int was = !gone[j];
            assert_int_equal(evq_cancel(q, h[j]), was);
            if (was) cancelled++;
            gone[j] = 1;
        }
        if (sm_below(&s, 2) == 0) {           /* and advance the clock now and then */
            assert_int_equal(evq_pop(q, &ev), 1);
            assert_true(ev.time >= now);
            assert_int_equal(gone[ev.a], 0);
            gone[ev.a] = 1;
            now = ev.time;
            popped++;
        }
    }
    struct evq_event prev = {.time = -INFINITY};
    while (evq_pop(q, &ev)) {
        assert_true(ev.time > prev.time || (ev.time == prev.time && ev.prio >= prev.prio));
        assert_int_equal(gone[ev.a], 0);
        gone[ev.a] = 1;
        prev = ev;
        popped++;
    }
    assert_int_equal(popped + cancelled, N);
    for (uint32_t i = 0; i < N; i++) assert_int_equal(gone[i], 1);
    free(h);
    free(gone);
    evq_free(q);
}

/* A NaN time is a programming error: the push aborts, in every build. */
static void test_nan_aborts(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDERR_FILENO);
        struct evq *q = evq_alloc(0);
        evq_push(q, NAN, 0, 0, 0, 0);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* A clone holds the same pending events in the same order (ties included), every handle of the
 * original names the same event in the clone, and the two then evolve independently. */
static void test_clone(void **state)
{
    (void)state;
    struct evq *q = evq_alloc(4);
    assert_non_null(q);
    evq_handle h[200];
    for (uint32_t i = 0; i < 200; i++) h[i] = evq_push(q, (double)(i % 17), (int)(i % 3), 1, i, 0);
    for (uint32_t i = 0; i < 200; i += 7) assert_int_equal(evq_cancel(q, h[i]), 1);
    struct evq_event e1, e2;
    for (int i = 0; i < 20; i++) assert_int_equal(evq_pop(q, &e1), 1);
    struct evq *c = evq_clone(q);
    assert_non_null(c);
    assert_int_equal(evq_size(c), evq_size(q));
    /* The same handle cancels the same event in both (and a stale one in neither). */
    int cancelled = 0;
    for (uint32_t i = 1; i < 200; i += 5) {
        int a = evq_cancel(q, h[i]), b = evq_cancel(c, h[i]);
        assert_int_equal(a, b);
        cancelled += a;
    }
    assert_true(cancelled > 0);
    /* Pushes after the clone keep the insertion sequence: equal-time ties pop alike. */
    evq_push(q, 5.0, 1, 2, 999, 0);
    evq_push(c, 5.0, 1, 2, 999, 0);
    while (evq_pop(q, &e1)) {
        assert_int_equal(evq_pop(c, &e2), 1);
        assert_true(e1.time == e2.time && e1.prio == e2.prio && e1.type == e2.type && e1.a == e2.a);
    }
    assert_int_equal(evq_pop(c, &e2), 0);
    /* Independent: the emptied original leaves the clone's state alone, and vice versa. */
    evq_push(q, 1.0, 0, 1, 1, 0);
    assert_int_equal(evq_size(c), 0);
    evq_free(q);
    evq_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_free),
        cmocka_unit_test(test_order_by_time),
        cmocka_unit_test(test_order_prio_then_fifo),
        cmocka_unit_test(test_cancel_handles),
        cmocka_unit_test(test_handles_survive_growth),
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_stress_with_cancellations),
        cmocka_unit_test(test_nan_aborts),
        cmocka_unit_test(test_clone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
