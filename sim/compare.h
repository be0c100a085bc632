/* compare.h — /comparison: every variant against variant 0 (the baseline), per programme and
 * metric, as paired differences over replications with 95 % t intervals, plus each side's mean
 * and interval. Variants share candidates and donors (common random numbers), so the paired
 * difference has a far smaller variance than the difference of two independent means.
 *
 * Results must be added in work-item order (replication-major: all variants of replication 0,
 * then of replication 1, ...); only one replication's metric vectors are kept, and running
 * statistics (GSL rstat) hold the rest, so memory does not grow with replications. */
#ifndef WLSIM_COMPARE_H
#define WLSIM_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rstat.h>

#include "sim.h"

#define CMP_METRIC_LEN 48

/* One row of /comparison. */
REC_STRUCT(rec_comparison, REC_COMPARISON); /* fields: sim/rec.h */
_Static_assert(REC_METRIC_LEN == CMP_METRIC_LEN, "/comparison holds a metric name");

struct cmp;

/* A comparison of n_variants variants. NULL on allocation failure. */
struct cmp *cmp_alloc(int n_variants);

/* Frees c. NULL is a no-op. */
void cmp_free(struct cmp *c);

/* Adds one work item's result (in work-item order). */
void cmp_add(struct cmp *c, const struct rep_result *r);

/* Writes the rows (variants 1.. x programmes x metrics) into a new array *rows (free() it) and
 * their number into *n. Returns 0, or -1 on allocation failure. */
int cmp_rows(const struct cmp *c, struct rec_comparison **rows, size_t *n);

/* Mean of the values in w and its 95 % Student-t interval [*lo, *hi]: NaN when w is empty, the
 * interval NaN with fewer than two values. Shared by /comparison and the end-of-run report. */
void cmp_interval(const gsl_rstat_workspace *w, double *mean, double *lo, double *hi);

/* The cmp_n_metrics() metrics of programme o in result r, in /comparison's order, into x (NaN
 * where undefined). */
void cmp_metrics(const struct rep_result *r, int o, double *x);

/* Number of metrics per programme and the name of metric m (for docs and tests). */
int cmp_n_metrics(void);
const char *cmp_metric_name(int m, char *buf, size_t len);

#endif
