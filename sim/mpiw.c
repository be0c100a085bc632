/* mpiw.c — dynamic distribution of work items over MPI ranks (see mpiw.h). */
#include "mpiw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>
#include <omp.h>

#include "ser.h"
#include "sim.h"

enum { TAG_REQ = 1, TAG_ITEM, TAG_RES, TAG_ERR };
#define ITEM_DONE (-1LL)
#define ITEM_WAIT (-2LL)

static void nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

/* Rank 0's shared state: the coordinating thread and rank 0's own simulation threads hand out
 * items from `next` and meet in the reorder buffer, under `lock`. Only the coordinating thread
 * calls MPI and the sink, and only it advances `written`; a simulation thread fills the slot of
 * its own item k, which lies in [written, written + slots) and is therefore not being drained. */
struct coord {
    const struct runner_cfg *cfg;
    struct err *e;
    omp_lock_t lock;
    struct rep_result **buf;
    size_t slots, total, next, written; /* next: the next unit (runner.h); the rest count items */
    size_t g, units;                    /* items per unit, units in all */
    int failed;
    int local_exited;           /* rank 0's simulation threads that have stopped */
};

/* Takes the next unit if the buffer has room for all its items: returns it, or -1 (wait) or
 * -2 (none left). */
static long long take_item(struct coord *c)
{
    long long k;
    omp_set_lock(&c->lock);
    if (c->failed || c->next >= c->units) k = -2;
    else if ((c->next + 1) * c->g > c->written + c->slots) k = -1;
    else k = (long long)c->next++;
    omp_unset_lock(&c->lock);
    return k;
}

/* Stores result r of item k (or records the failure) in the reorder buffer. Results of items
 * before cfg->first (read back on resume; a branched unit re-runs them) or past the end are
 * dropped. */
static void deposit(struct coord *c, size_t k, struct rep_result *r, int rc, const char *msg, int source)
{
    omp_set_lock(&c->lock);
    if (rc || !r) {
        if (!c->failed) c->failed = err_set(c->e, rc ? rc : ERR_INTERNAL, "%s", msg);
        sim_result_free(r);
    } else if (c->failed || k < c->cfg->first || k >= c->total) {
        sim_result_free(r);
    } else if (k < c->written || k >= c->written + c->slots || c->buf[k % c->slots]) {
        c->failed = err_set(c->e, ERR_INTERNAL, "rank %d sent item %zu, which was not outstanding", source, k);
        sim_result_free(r);
    } else {
        c->buf[k % c->slots] = r;
    }
    omp_unset_lock(&c->lock);
}

/* Rank 0's simulation threads: run items until none is left. */
static void local_work(struct coord *c)
{
    const struct runner_cfg *cfg = c->cfg;
    for (;;) {
        long long k = take_item(c);
        if (k == -2) break;
        if (k == -1) { /* the buffer is full: the sink's deferred work (runner.h) meanwhile */
            if (!cfg->work || cfg->work(cfg->sink_ctx) == 0) nap(200000);
            continue;
        }
        struct rep_result **r = calloc(c->g, sizeof *r);
        struct err le;
        err_clear(&le);
        int rc = r ? runner_unit(cfg, (size_t)k, r, &le) : err_set(&le, ERR_INTERNAL, "out of memory");
        if (rc) deposit(c, 0, NULL, rc, le.msg, 0);
        else
            for (size_t i = 0; i < c->g; i++) deposit(c, (size_t)k * c->g + i, r[i], 0, "", 0);
        free(r);
        if (cfg->work) cfg->work(cfg->sink_ctx); /* the coordinating thread only writes */
    }
    omp_set_lock(&c->lock);
    c->local_exited++;
    omp_unset_lock(&c->lock);
}

/* Hands every finished result at the head of the buffer to the sink, in order. Returns how
 * many it wrote. */
static size_t drain(struct coord *c, struct runner_meter *meter)
{
    size_t n = 0;
    for (;;) {
        omp_set_lock(&c->lock);
        struct rep_result *x = c->failed ? NULL : c->buf[c->written % c->slots];
        if (x) c->buf[c->written % c->slots] = NULL;
        omp_unset_lock(&c->lock);
        if (!x) return n;
        struct err le;
        err_clear(&le);
        int rc = c->cfg->sink(c->cfg->sink_ctx, x, &le);
        sim_result_free(x);
        omp_set_lock(&c->lock);
        if (rc && !c->failed) c->failed = err_set(c->e, rc, "%s", le.msg);
        c->written++;
        size_t w = c->written;
        omp_unset_lock(&c->lock);
        n++;
        if (c->cfg->progress) runner_meter_show(meter, w - c->cfg->first, c->total - c->cfg->first);
    }
}

/* The coordinating thread: answers the worker ranks, receives their results, and drains the
 * buffer, until every worker thread has been told "done" and rank 0's own threads have stopped. */
static void coordinate(struct coord *c, long long workers, int nlocal)
{
    const struct runner_cfg *cfg = c->cfg;
    long long finished = 0;     /* worker threads told "done" */
    int idle = 0;
    struct runner_meter meter;
    runner_meter_start(&meter);
    for (;;) {
        if (cfg->stop && *cfg->stop) {
            omp_set_lock(&c->lock);
            if (!c->failed) c->failed = err_set(c->e, ERR_INTERRUPTED, "interrupted");
            omp_unset_lock(&c->lock);
        }
        size_t drained = drain(c, &meter);
        omp_set_lock(&c->lock);
        int done = finished >= workers && c->local_exited >= nlocal;
        omp_unset_lock(&c->lock);
        if (done) {
            drain(c, &meter);
            if (cfg->progress) runner_meter_end(&meter);
            return;
        }
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            /* Poll gently: a blocking receive would spin a core that the simulation threads
             * and the writer share. */
            if (!drained) nap(idle < 100 ? 20000 : 200000);
            idle++;
            continue;
        }
        idle = 0;
        if (st.MPI_TAG == TAG_REQ) {
            int dummy;
            MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            long long reply = take_item(c);
            if (reply == -2) reply = ITEM_DONE, finished++;
            else if (reply == -1) reply = ITEM_WAIT;
            MPI_Send(&reply, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_ITEM, MPI_COMM_WORLD);
        } else if (st.MPI_TAG == TAG_RES || st.MPI_TAG == TAG_ERR) {
            int n = 0;
            MPI_Get_count(&st, MPI_BYTE, &n);
            char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
            if (!msg) {
                MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                deposit(c, 0, NULL, ERR_INTERNAL, "out of memory receiving a result", st.MPI_SOURCE);
                continue;
            }
            MPI_Recv(msg, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (st.MPI_TAG == TAG_ERR) {
                char full[1200];
                msg[n] = '\0';
                snprintf(full, sizeof full, "rank %d: %s", st.MPI_SOURCE, msg);
                deposit(c, 0, NULL, ERR_INTERNAL, full, st.MPI_SOURCE);
                free(msg);
                continue;
            }
            struct rep_result *r = NULL;
            struct err le;
            err_clear(&le);
            int rc = ser_unpack(msg, (size_t)n, &r, &le);
            free(msg);
            char full[1200];
            snprintf(full, sizeof full, "result from rank %d: %s", st.MPI_SOURCE, le.msg);
            size_t k = r ? (size_t)r->replication * (size_t)cfg->n_variants + (size_t)r->variant : 0;
            deposit(c, k, r, rc ? ERR_INTERNAL : 0, full, st.MPI_SOURCE);
        } else {
            MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            deposit(c, 0, NULL, ERR_INTERNAL, "unexpected MPI message", st.MPI_SOURCE);
        }
    }
}

int mpiw_coordinate(const struct runner_cfg *cfg, struct err *e)
{
    int size = 0, mine = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int *counts = calloc((size_t)size, sizeof *counts);
    if (!counts) return err_set(e, ERR_INTERNAL, "out of memory");
    MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    long long workers = 0;
    for (int r = 1; r < size; r++) workers += counts[r];
    free(counts);
    /* Rank 0 runs -j threads: one coordinates and writes, the others simulate. */
    int threads = cfg->threads > 1 ? cfg->threads : 1;
    struct coord c = {.cfg = cfg, .e = e, .total = runner_total(cfg), .written = cfg->first,
                      .g = runner_unit_size(cfg)};
    c.next = cfg->first / c.g;
    c.units = (c.total + c.g - 1) / c.g;
    c.slots = 2 * (size_t)(workers + threads - 1 > 0 ? workers + threads - 1 : 1) * c.g;
    if (!(c.buf = calloc(c.slots, sizeof *c.buf))) return err_set(e, ERR_INTERNAL, "out of memory");
    omp_init_lock(&c.lock);
#pragma omp parallel num_threads(threads)
    {
        if (omp_get_thread_num() == 0) coordinate(&c, workers, omp_get_num_threads() - 1);
        else local_work(&c);
    }
    omp_destroy_lock(&c.lock);
    for (size_t i = 0; i < c.slots; i++) sim_result_free(c.buf[i]);
    free(c.buf);
    if (!c.failed && c.written != c.total)
        c.failed = err_set(e, ERR_INTERNAL, "%zu of %zu items written", c.written, c.total);
    return c.failed;
}

int mpiw_work(const struct runner_cfg *cfg, struct err *e)
{
    int threads = cfg->threads > 0 ? cfg->threads : 1;
    MPI_Gather(&threads, 1, MPI_INT, NULL, 0, MPI_INT, 0, MPI_COMM_WORLD);
    omp_lock_t lock;
    omp_init_lock(&lock);
#pragma omp parallel num_threads(threads)
    {
        for (;;) {
            long long item = ITEM_DONE;
            int dummy = 0;
            omp_set_lock(&lock);
            MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQ, MPI_COMM_WORLD);
            MPI_Recv(&item, 1, MPI_LONG_LONG, 0, TAG_ITEM, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            omp_unset_lock(&lock);
            if (item == ITEM_DONE) break;
            if (item == ITEM_WAIT) {
                nap(1000000);
                continue;
            }
            /* One message per result of the unit (rank 0 files each by its variant and
             * replication); an error ends the unit's messages. */
            size_t g = runner_unit_size(cfg);
            struct rep_result **r = calloc(g, sizeof *r);
            struct err le;
            err_clear(&le);
            int rc = r ? runner_unit(cfg, (size_t)item, r, &le) : err_set(&le, ERR_INTERNAL, "out of memory");
            for (size_t i = 0; i < g; i++) {
                void *bytes = NULL;
                size_t len = 0;
                if (!rc) rc = ser_pack(r[i], &bytes, &len, &le);
                if (!rc && len > (size_t)INT32_MAX)
                    rc = err_set(&le, ERR_INTERNAL, "a result of %zu bytes exceeds one MPI message; use --summary-only", len);
                omp_set_lock(&lock);
                if (rc) MPI_Send(le.msg, (int)strlen(le.msg), MPI_BYTE, 0, TAG_ERR, MPI_COMM_WORLD);
                else MPI_Send(bytes, (int)len, MPI_BYTE, 0, TAG_RES, MPI_COMM_WORLD);
                omp_unset_lock(&lock);
                free(bytes);
                if (rc) break;
            }
            for (size_t i = 0; r && i < g; i++) sim_result_free(r[i]);
            free(r);
        }
    }
    omp_destroy_lock(&lock);
    (void)e; /* MPI errors abort the job (MPI_ERRORS_ARE_FATAL); replication errors go to rank 0 */
    return 0;
}
