/* mpiw.c — dynamic distribution of work items over MPI ranks (see mpiw.h). */
#include "mpiw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
    size_t total = runner_total(cfg), slots = 2 * (size_t)(workers > 0 ? workers : 1);
    struct rep_result **buf = calloc(slots, sizeof *buf);
    if (!buf) return err_set(e, ERR_INTERNAL, "out of memory");
    size_t next = cfg->first, written = cfg->first;
    long long finished = 0;     /* worker threads told "done" */
    int failed = 0, idle = 0;
    struct runner_meter meter;
    runner_meter_start(&meter);
    while (finished < workers) {
        if (!failed && cfg->stop && *cfg->stop) failed = err_set(e, ERR_INTERRUPTED, "interrupted");
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            /* Poll gently: a blocking receive would spin a core that the writer's rank shares. */
            nap(idle < 100 ? 20000 : 200000);
            idle++;
            continue;
        }
        idle = 0;
        if (st.MPI_TAG == TAG_REQ) {
            int dummy;
            MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            long long reply;
            if (failed || next >= total) reply = ITEM_DONE, finished++;
            else if (next < written + slots) reply = (long long)next++;
            else reply = ITEM_WAIT;
            MPI_Send(&reply, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_ITEM, MPI_COMM_WORLD);
        } else if (st.MPI_TAG == TAG_RES || st.MPI_TAG == TAG_ERR) {
            int n = 0;
            MPI_Get_count(&st, MPI_BYTE, &n);
            char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
            if (!msg) {
                failed = err_set(e, ERR_INTERNAL, "out of memory receiving a result of %d bytes", n);
                MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                continue;
            }
            MPI_Recv(msg, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (st.MPI_TAG == TAG_ERR) {
                msg[n] = '\0';
                if (!failed) failed = err_set(e, ERR_INTERNAL, "rank %d: %s", st.MPI_SOURCE, msg);
                free(msg);
                continue;
            }
            struct rep_result *r = NULL;
            struct err le;
            err_clear(&le);
            if (!failed && ser_unpack(msg, (size_t)n, &r, &le))
                failed = err_set(e, ERR_INTERNAL, "result from rank %d: %s", st.MPI_SOURCE, le.msg);
            free(msg);
            if (failed || !r) {
                sim_result_free(r);
                continue;
            }
            size_t k = (size_t)r->replication * (size_t)cfg->n_variants + (size_t)r->variant;
            if (k < written || k >= written + slots || buf[k % slots]) {
                failed = err_set(e, ERR_INTERNAL, "rank %d sent item %zu, which was not outstanding", st.MPI_SOURCE, k);
                sim_result_free(r);
                continue;
            }
            buf[k % slots] = r;
            while (!failed && buf[written % slots]) {
                struct rep_result *x = buf[written % slots];
                buf[written % slots] = NULL;
                if (cfg->sink(cfg->sink_ctx, x, e)) failed = e->code ? e->code : ERR_INTERNAL;
                sim_result_free(x);
                written++;
                if (cfg->progress) runner_meter_show(&meter, written - cfg->first, total - cfg->first);
            }
        } else {
            failed = err_set(e, ERR_INTERNAL, "unexpected MPI message tag %d from rank %d", st.MPI_TAG, st.MPI_SOURCE);
            MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    for (size_t i = 0; i < slots; i++) sim_result_free(buf[i]);
    free(buf);
    if (!failed && written != total) failed = err_set(e, ERR_INTERNAL, "%zu of %zu items written", written, total);
    return failed;
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
            size_t k = (size_t)item;
            int variant = (int)(k % (size_t)cfg->n_variants), rep = (int)(k / (size_t)cfg->n_variants);
            struct rep_result *r = NULL;
            struct err le;
            err_clear(&le);
            void *bytes = NULL;
            size_t len = 0;
            int rc = sim_run(cfg->variants[variant], &cfg->opts, variant, rep, &r, &le);
            if (!rc) rc = ser_pack(r, &bytes, &len, &le);
            sim_result_free(r);
            if (!rc && len > (size_t)INT32_MAX)
                rc = err_set(&le, ERR_INTERNAL, "a result of %zu bytes exceeds one MPI message; use --summary-only", len);
            omp_set_lock(&lock);
            if (rc) {
                char msg[1100];
                int n = snprintf(msg, sizeof msg, "variant %d replication %d: %s", variant, rep, le.msg);
                MPI_Send(msg, n, MPI_BYTE, 0, TAG_ERR, MPI_COMM_WORLD);
            } else {
                MPI_Send(bytes, (int)len, MPI_BYTE, 0, TAG_RES, MPI_COMM_WORLD);
            }
            omp_unset_lock(&lock);
            free(bytes);
        }
    }
    omp_destroy_lock(&lock);
    (void)e; /* MPI errors abort the job (MPI_ERRORS_ARE_FATAL); replication errors go to rank 0 */
    return 0;
}
