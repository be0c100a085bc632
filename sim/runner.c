/* runner.c — parallel replications with in-order output (see runner.h). */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

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
    m->last = m->t0;
    m->tty = isatty(STDERR_FILENO);
    m->open = 0;
}

void runner_meter_show(struct runner_meter *m, size_t done, size_t total)
{
    double now = wall();
    int final = done == total;
    if (!final && now - m->last < (m->tty ? 0.5 : 10.0)) return;
    m->last = now;
    double rate = (double)done / (now - m->t0 > 1e-9 ? now - m->t0 : 1e-9);
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    if (m->tty)
        fprintf(stderr, "\r%zu/%zu replications, %.1f/s, %.0f s left   %s", done, total, rate, left,
                final ? "\n" : "");
    else
        fprintf(stderr, "%zu/%zu replications, %.1f/s, %.0f s left\n", done, total, rate, left);
    m->open = m->tty && !final;
    fflush(stderr);
}

void runner_meter_end(struct runner_meter *m)
{
    if (m->open) fputc('\n', stderr);
    m->open = 0;
}

size_t runner_unit_size(const struct runner_cfg *cfg)
{
    return cfg->opts.branch ? (size_t)cfg->n_variants : 1;
}

int runner_unit(const struct runner_cfg *cfg, size_t u, struct rep_result **out, struct err *e)
{
    /* Replication-major: the variants of one replication are neighbours, so paired comparisons
     * need only one replication's results at a time. Under --branch the unit is replication u
     * with all its variants; otherwise item u alone. */
    const size_t g = runner_unit_size(cfg);
    const int rep = (int)(cfg->opts.branch ? u : u / (size_t)cfg->n_variants);
    const int first = cfg->opts.branch ? 0 : (int)(u % (size_t)cfg->n_variants); /* the unit's first variant */
    struct err le;
    err_clear(&le);
    const struct scenario **vs = calloc(g, sizeof *vs);
    struct scenario *copy = NULL;
    double *v = NULL;
    size_t applied = 0;
    int rc = vs ? 0 : err_set(&le, ERR_INTERNAL, "out of memory");
    for (size_t i = 0; i < g && !rc; i++) vs[i] = cfg->variants[first + (int)i];
    if (!rc && cfg->psa) {
        /* Every variant of replication rep draws the same values: common random numbers for the
         * parameters too (and under --branch the variants still differ only in policy.*). */
        copy = calloc(g, sizeof *copy);
        v = malloc(((size_t)psa_n(cfg->psa) + 1) * sizeof *v);
        rc = copy && v ? psa_draw(cfg->psa, cfg->opts.seed, rep, v, &le) : err_set(&le, ERR_INTERNAL, "out of memory");
        for (size_t i = 0; i < g && !rc; i++)
            if (!(rc = psa_apply(cfg->psa, cfg->variants[first + (int)i], first + (int)i, rep, v, &copy[i], &le)))
                vs[i] = &copy[applied++];
    }
    if (!rc)
        rc = cfg->opts.branch ? sim_run_branch(vs, cfg->n_variants, &cfg->opts, rep, out, &le)
                              : sim_run(vs[0], &cfg->opts, first, rep, &out[0], &le);
    for (size_t i = 0; i < applied; i++) psa_release(&copy[i]);
    free(copy);
    free(v);
    free(vs);
    if (rc && cfg->opts.branch) err_set(e, rc, "replication %d (branched): %s", rep, le.msg);
    else if (rc) err_set(e, rc, "variant %d replication %d: %s", first, rep, le.msg);
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
                if (cfg->work && cfg->work(cfg->sink_ctx) > 0) continue; /* waiting anyway */
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
            /* The sink's deferred work (the results file's compression) outside the lock, so
             * the next result's writer does not wait for it. */
            if (cfg->work) cfg->work(cfg->sink_ctx);
        }
    }
    omp_destroy_lock(&lock);
    if (cfg->progress) runner_meter_end(&meter);
    for (size_t i = 0; i < slots; i++) sim_result_free(buf[i]);
    free(buf);
    free(mine);
    return failed ? (e->code ? e->code : ERR_INTERNAL) : 0;
}
