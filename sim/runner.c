/* runner.c — parallel replications with in-order output (see runner.h). */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <omp.h>

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void runner_meter_start(struct runner_meter *m)
{
    m->t0 = wall();
    m->last = 0;
}

void runner_meter_show(struct runner_meter *m, size_t done, size_t total)
{
    double now = wall();
    int final = done == total;
    if (!final && now - m->last < 0.5) return;
    m->last = now;
    double rate = (double)done / (now - m->t0 > 1e-9 ? now - m->t0 : 1e-9);
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r%zu/%zu replications, %.1f/s, ETA %.0f s   %s", done, total, rate, eta, final ? "\n" : "");
    fflush(stderr);
}

size_t runner_unit_size(const struct runner_cfg *cfg)
{
    return cfg->opts.branch ? (size_t)cfg->n_variants : 1;
}

int runner_unit(const struct runner_cfg *cfg, size_t u, struct rep_result **out, struct err *e)
{
    struct err le;
    err_clear(&le);
    if (cfg->opts.branch) {
        int rc = sim_run_branch(cfg->variants, cfg->n_variants, &cfg->opts, (int)u, out, &le);
        if (rc) err_set(e, rc, "replication %zu (branched): %s", u, le.msg);
        return rc;
    }
    /* Replication-major: the variants of one replication are neighbours, so paired comparisons
     * need only one replication's results at a time. */
    int variant = (int)(u % (size_t)cfg->n_variants), rep = (int)(u / (size_t)cfg->n_variants);
    int rc = sim_run(cfg->variants[variant], &cfg->opts, variant, rep, &out[0], &le);
    if (rc) err_set(e, rc, "variant %d replication %d: %s", variant, rep, le.msg);
    return rc;
}

size_t runner_total(const struct runner_cfg *cfg)
{
    return cfg->total ? cfg->total : (size_t)cfg->n_variants * (size_t)cfg->replications;
}

int runner_run(const struct runner_cfg *cfg, struct err *e)
{
    size_t total = runner_total(cfg), g = runner_unit_size(cfg);
    /* Resume may stop inside a branched replication: its unit is run again and the results
     * already written are dropped (they are the same). */
    size_t first_unit = cfg->first / g, units = (total + g - 1) / g;
    size_t slots = 2 * (size_t)(cfg->threads > 0 ? cfg->threads : 1) * g;
    struct rep_result **buf = calloc(slots, sizeof *buf);
    struct rep_result **mine = calloc((size_t)(cfg->threads > 0 ? cfg->threads : 1) * g, sizeof *mine);
    if (!buf || !mine) {
        free(buf);
        free(mine);
        return err_set(e, ERR_INTERNAL, "out of memory");
    }
    size_t next = first_unit, written = cfg->first;
    int failed = 0;
    struct runner_meter meter;
    runner_meter_start(&meter);
    omp_lock_t lock;
    omp_init_lock(&lock);

#pragma omp parallel num_threads(cfg->threads)
    {
        struct rep_result **out = mine + (size_t)omp_get_thread_num() * g;
        for (;;) {
            size_t u;
#pragma omp atomic capture
            u = next++;
            if (u >= units) break;
            size_t lo = u * g, hi = lo + g < total ? lo + g : total; /* items [lo, hi) */
            int f;
            for (;;) {
                size_t w;
#pragma omp atomic read
                w = written;
#pragma omp atomic read
                f = failed;
                if (f || hi <= w + slots) break;
                struct timespec ts = {0, 200000};
                nanosleep(&ts, NULL);
            }
            if (f) break;
            if (cfg->stop && *cfg->stop) {
                omp_set_lock(&lock);
                if (!failed) err_set(e, ERR_INTERRUPTED, "interrupted");
#pragma omp atomic write
                failed = 1;
                omp_unset_lock(&lock);
                break;
            }
            struct err le;
            err_clear(&le);
            for (size_t i = 0; i < g; i++) out[i] = NULL;
            int rc = runner_unit(cfg, u, out, &le);
            omp_set_lock(&lock);
            if (rc) {
                if (!failed) err_set(e, rc, "%s", le.msg);
#pragma omp atomic write
                failed = 1;
            } else {
                for (size_t k = lo; k < lo + g; k++) {
                    if (k < cfg->first || k >= total) sim_result_free(out[k - lo]);
                    else buf[k % slots] = out[k - lo];
                    out[k - lo] = NULL;
                }
                while (!failed && written < total && buf[written % slots]) {
                    struct rep_result *x = buf[written % slots];
                    buf[written % slots] = NULL;
                    if (cfg->sink(cfg->sink_ctx, x, e)) {
#pragma omp atomic write
                        failed = 1;
                    }
                    sim_result_free(x);
#pragma omp atomic update
                    written++;
                    if (cfg->progress) runner_meter_show(&meter, written - cfg->first, total - cfg->first);
                }
            }
            omp_unset_lock(&lock);
        }
    }
    omp_destroy_lock(&lock);
    for (size_t i = 0; i < slots; i++) sim_result_free(buf[i]);
    free(buf);
    free(mine);
    return failed ? (e->code ? e->code : ERR_INTERNAL) : 0;
}
