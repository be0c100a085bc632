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

int runner_item(const struct runner_cfg *cfg, size_t k, struct rep_result **out, struct err *e)
{
    /* Replication-major: the variants of one replication are neighbours, so paired comparisons
     * need only one replication's results at a time. */
    int variant = (int)(k % (size_t)cfg->n_variants), rep = (int)(k / (size_t)cfg->n_variants);
    struct err le;
    err_clear(&le);
    int rc;
    if (cfg->psa) {
        /* Every variant of replication rep draws the same values: common random numbers for the
         * parameters too. */
        struct scenario copy;
        double *v = malloc(((size_t)psa_n(cfg->psa) + 1) * sizeof *v);
        if (!v) return err_set(e, ERR_INTERNAL, "variant %d replication %d: out of memory", variant, rep);
        rc = psa_draw(cfg->psa, cfg->opts.seed, rep, v, &le);
        if (!rc && !(rc = psa_apply(cfg->psa, cfg->variants[variant], variant, rep, v, &copy, &le))) {
            rc = sim_run(&copy, &cfg->opts, variant, rep, out, &le);
            psa_release(&copy);
        }
        free(v);
    } else {
        rc = sim_run(cfg->variants[variant], &cfg->opts, variant, rep, out, &le);
    }
    if (rc) err_set(e, rc, "variant %d replication %d: %s", variant, rep, le.msg);
    return rc;
}

size_t runner_total(const struct runner_cfg *cfg)
{
    return cfg->total ? cfg->total : (size_t)cfg->n_variants * (size_t)cfg->replications;
}

int runner_run(const struct runner_cfg *cfg, struct err *e)
{
    size_t total = runner_total(cfg);
    size_t slots = 2 * (size_t)(cfg->threads > 0 ? cfg->threads : 1);
    struct rep_result **buf = calloc(slots, sizeof *buf);
    if (!buf) return err_set(e, ERR_INTERNAL, "out of memory");
    size_t next = cfg->first, written = cfg->first;
    int failed = 0;
    struct runner_meter meter;
    runner_meter_start(&meter);
    omp_lock_t lock;
    omp_init_lock(&lock);

#pragma omp parallel num_threads(cfg->threads)
    {
        for (;;) {
            size_t k;
#pragma omp atomic capture
            k = next++;
            if (k >= total) break;
            int f;
            for (;;) {
                size_t w;
#pragma omp atomic read
                w = written;
#pragma omp atomic read
                f = failed;
                if (f || k < w + slots) break;
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
            struct rep_result *r = NULL;
            int rc = runner_item(cfg, k, &r, &le);
            omp_set_lock(&lock);
            if (rc) {
                if (!failed) err_set(e, rc, "%s", le.msg);
#pragma omp atomic write
                failed = 1;
            } else {
                buf[k % slots] = r;
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
    if (cfg->progress) runner_meter_end(&meter);
    for (size_t i = 0; i < slots; i++) sim_result_free(buf[i]);
    free(buf);
    return failed ? (e->code ? e->code : ERR_INTERNAL) : 0;
}
