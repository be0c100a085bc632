/* runner.h — runs every work item (replication x variant, replication-major: item k is
 * replication k / variants, variant k % variants) on OpenMP threads and hands the
 * results to the one writer in work-item order, through a reorder buffer of 2 x threads
 * slots: a thread does not start item k until item k - slots has been written, so peak memory
 * is bounded by the thread count, not by the number of replications, and the file is the same
 * for any thread count. */
#ifndef WLSIM_RUNNER_H
#define WLSIM_RUNNER_H

#include <signal.h>

#include "err.h"
#include "h5out.h"
#include "compare.h"
#include "report.h"
#include "sim.h"

struct runner_cfg {
    const struct scenario *const *variants;
    int n_variants;
    int replications;
    int threads;
    struct sim_opts opts;
    int progress;                          /* print progress to stderr */
    volatile sig_atomic_t *stop;           /* set by a signal handler: stop soon; may be NULL */
    struct report *report;                 /* summary statistics to add each result to; may be NULL */
    struct cmp *cmp;                       /* paired comparisons to add each result to; may be NULL */
};

/* Runs all items, appending each result to h in order. Returns 0; ERR_INTERNAL on a failed
 * replication or write (message in e); or ERR_INTERRUPTED when *stop was raised. Items after
 * a failure are not started. */
#define ERR_INTERRUPTED 130
int runner_run(const struct runner_cfg *cfg, struct h5out *h, struct err *e);

#endif
