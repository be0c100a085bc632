/* bench_evq.c — throughput of the event queue (sim/evq.c) on one core.
 *
 * Method: the classic hold model. The queue is filled with N pending events at exponential
 * times (mean 1); one "hold" pops the next event and pushes one new event at its time plus an
 * Exp(1) increment, so the queue stays at N events and its time distribution settles into the
 * hold model's steady state. After a warm-up of 2N + 10^5 holds, REPS timed runs of OPS holds
 * each are made and the median and best rates are reported in events/s (one event = one pop
 * plus one push). Increments come from a precomputed table of 2^16 Exp(1) values (splitmix64,
 * fixed seed) so that the figure measures the queue, not a random-number generator. A second
 * line per N does the same with cancellation: each step pops one, pushes two, and cancels the
 * oldest still-tracked handle of a ring of recent pushes (a stale one once in a while, as in
 * the engine), which keeps N constant too; it is reported in steps/s (a step is one pop, two
 * pushes and one cancel). Single thread; pin it (taskset -c 0) for steadier
 * figures. Run: make build/tests/bench_evq && ./build/tests/bench_evq */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "evq.h"

enum { TABLE = 1 << 16, OPS = 1000000, REPS = 5, RING = 1024 };

struct bench {
    double inc[TABLE];
    uint64_t sink;   /* keeps the work observable */
};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_machine(void)
{
    struct utsname u;
    if (uname(&u) == 0) printf("# machine: %s %s %s\n", u.sysname, u.release, u.machine);
    char line[512], model[256] = "unknown";
    int cpus = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                cpus++;
                if (cpus == 1) {
                    const char *c = strchr(line, ':');
                    if (c) {
                        c++;
                        while (*c == ' ' || *c == '\t') c++;
                        snprintf(model, sizeof model, "%s", c);
                        model[strcspn(model, "\n")] = '\0';
                    }
                }
            }
        }
        fclose(f);
    }
    printf("# cpu: %s (%d logical cpus listed; this benchmark uses one)\n", model, cpus);
#ifdef __VERSION__
    printf("# compiler: %s\n", __VERSION__);
#endif
    printf("# method: hold model, queue of N pending events, pop one + push one at t + Exp(1);\n"
           "#         warm-up 2N + 1e5 holds, then %d runs x %d holds; median (best) events/s\n",
           REPS, OPS);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One timed run of `ops` holds; returns seconds. */
static double hold_run(struct bench *b, struct evq *q, size_t *k, long ops)
{
    struct evq_event ev;
    double t0 = now_s();
    for (long i = 0; i < ops; i++) {
        evq_pop(q, &ev);
        evq_push(q, ev.time + b->inc[*k & (TABLE - 1)], 0, 1, ev.a + 1, 0);
        (*k)++;
    }
    double t1 = now_s();
    b->sink += ev.a;
    return t1 - t0;
}

/* One timed run of `ops` steps of pop, push, push, cancel; returns seconds. */
static double cancel_run(struct bench *b, struct evq *q, size_t *k, evq_handle *ring, size_t *rp,
                         long ops)
{
    struct evq_event ev;
    double t0 = now_s();
    for (long i = 0; i < ops; i++) {
        evq_pop(q, &ev);
        evq_handle h1 = evq_push(q, ev.time + b->inc[*k & (TABLE - 1)], 0, 1, ev.a + 1, 0);
        evq_handle h2 = evq_push(q, ev.time + b->inc[(*k + 7) & (TABLE - 1)], 1, 2, ev.a + 2, 0);
        (*k)++;
        /* cancel the oldest ring entry; if it already popped the cancel is stale, and to keep
         * the size at N we then cancel the handle just pushed instead */
        size_t slot = *rp % RING;
        if (!evq_cancel(q, ring[slot])) evq_cancel(q, h2);
        ring[slot] = h1;
        (*rp)++;
    }
    double t1 = now_s();
    b->sink += ev.a;
    return t1 - t0;
}

static void report(const char *what, const char *unit, size_t n, double *sec, int reps, long ops)
{
    qsort(sec, (size_t)reps, sizeof *sec, cmp_double);
    double med = sec[reps / 2], best = sec[0];
    printf("%-12s N=%-7zu %6.2f M %ss/s  (best %6.2f)  %6.1f ns/%s\n", what, n,
           (double)ops / med / 1e6, unit, (double)ops / best / 1e6, med / (double)ops * 1e9, unit);
}

int main(void)
{
    struct bench *b = calloc(1, sizeof *b);
    if (!b) return 1;
    uint64_t s = 42;
    for (int i = 0; i < TABLE; i++) b->inc[i] = -log1p(-(double)(splitmix64(&s) >> 11) * 0x1.0p-53);

    print_machine();
    const size_t sizes[] = {1000, 10000, 100000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t n = sizes[si];
        double sec[REPS];
        size_t k = 0;

        struct evq *q = evq_alloc(n);
        if (!q) return 1;
        for (size_t i = 0; i < n; i++) evq_push(q, b->inc[k++ & (TABLE - 1)], 0, 1, (uint32_t)i, 0);
        hold_run(b, q, &k, (long)(2 * n + 100000));
        for (int r = 0; r < REPS; r++) sec[r] = hold_run(b, q, &k, OPS);
        if (evq_size(q) != n) return 1;
        report("hold", "event", n, sec, REPS, OPS);

        evq_handle ring[RING] = {0};
        size_t rp = 0;
        cancel_run(b, q, &k, ring, &rp, (long)(2 * n + 100000));
        for (int r = 0; r < REPS; r++) sec[r] = cancel_run(b, q, &k, ring, &rp, OPS / 2);
        if (evq_size(q) != n) return 1;
        report("hold+cancel", "step", n, sec, REPS, OPS / 2);
        evq_free(q);
    }
    printf("# checksum %llu\n", (unsigned long long)b->sink);
    free(b);
    return 0;
}
