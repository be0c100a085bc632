/* runner.h — runs every work item (replication x variant, replication-major: item k is
 * replication k / variants, variant k % variants) on OpenMP threads and hands the
 * results to the one writer in work-item order, through a reorder buffer of 2 x threads
 * units: a thread does not start a unit until the unit 2 x threads before it has been written,
 * so peak memory is bounded by the thread count, not by the number of replications, and the
 * file is the same for any thread count.
 *
 * A unit is what one thread runs at once: one item, or under --branch (cfg->opts.branch) one whole
 * replication with all its variants (sim_run_branch: the warm-up runs once per replication).
 * Units never change what an item's result is, only who computes it together with what. */
#ifndef WLSIM_RUNNER_H
#define WLSIM_RUNNER_H

#include <signal.h>

#include "err.h"
#include "psa.h"
#include "sim.h"

/* Receives each result in work-item order (from one thread at a time). r stays owned by the
 * caller. Returns 0, or an error code (message in e) that stops the run. */
typedef int (*runner_sink)(void *ctx, const struct rep_result *r, struct err *e);

struct runner_cfg {
    const struct scenario *const *variants;
    int n_variants;
    int replications;
    int threads;
    struct sim_opts opts;
    int progress;                          /* print progress to stderr */
    volatile sig_atomic_t *stop;           /* set by a signal handler: stop soon; may be NULL */
    size_t first;                          /* first item to run (items before it are done: resume) */
    size_t total;                          /* items to run up to (0: n_variants x replications) */
    const struct psa *psa;                 /* --uncertainty: each replication's parameter draws, bound to
                                            * the variants (sim/psa.h); NULL: the scenarios as they are */
    runner_sink sink;                      /* receives every result in order */
    void *sink_ctx;
    /* Optional (NULL: none): work the sink leaves for any thread, such as compressing the
     * results file's chunks (h5out_work). Called by the worker threads outside the lock that
     * serialises the sink, concurrently with the sink and with itself, never after runner_run
     * returns; returns how much it did (0: nothing to do). */
    int (*work)(void *sink_ctx);
};

/* Items per unit: n_variants under branch, else 1. Units are numbered from 0; unit u holds
 * items u x size .. u x size + size - 1. */
size_t runner_unit_size(const struct runner_cfg *cfg);

/* Runs unit u of cfg and stores its runner_unit_size() new results in out[], in item order. On
 * failure returns the code with "variant V replication R: ..." in e and every out[i] is NULL.
 * Every runner (threads here, MPI ranks in mpiw.c) runs units through this. */
int runner_unit(const struct runner_cfg *cfg, size_t u, struct rep_result **out, struct err *e);

/* The number of work items cfg describes (cfg->total, or variants x replications). */
size_t runner_total(const struct runner_cfg *cfg);

/* Runs items cfg->first .. total-1, handing each result to cfg->sink in order. Returns 0; the
 * sink's code or ERR_INTERNAL on a failed replication (message in e); or ERR_INTERRUPTED when
 * *stop was raised. Items after a failure are not started. */
#define ERR_INTERRUPTED 130
int runner_run(const struct runner_cfg *cfg, struct err *e);

/* Progress on stderr ("done/total replications, rate, time left"). On a terminal one line
 * rewritten at most twice a second; otherwise (Slurm, nohup, a redirect) a new line at most every
 * 10 seconds, so a log shows progress without growing fast. Both show the end. runner_meter_end
 * finishes a terminal line left open by an interruption, so the next message starts on its own
 * line. */
struct runner_meter {
    double t0, last;
    int tty;        /* stderr is a terminal */
    int open;       /* a terminal line is shown without its newline */
};
void runner_meter_start(struct runner_meter *m);
void runner_meter_show(struct runner_meter *m, size_t done, size_t total);
void runner_meter_end(struct runner_meter *m);

#endif
