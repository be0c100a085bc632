/* report.h — what a run prints on standard output: first, with two or more variants, the paired
 * differences of every variant against variant 0 (mean, 95 % interval, % change; those whose
 * interval excludes 0 first, rows identical in every replication folded into one line); then
 * per variant and programme the mean over replications of the main /summary figures with a 95 %
 * confidence interval. Running statistics (GSL rstat), so memory does not grow with the number
 * of replications. */
#ifndef WLSIM_REPORT_H
#define WLSIM_REPORT_H

#include <stdio.h>

#include "sim.h"

struct report;

/* A report for n_variants variants; names[v] labels variant v (not copied: must outlive the
 * report). Returns NULL on allocation failure. */
struct report *report_alloc(int n_variants, const char *const *names);

/* Frees r. NULL is a no-op. */
void report_free(struct report *r);

/* Adds one replication's summary rows. */
void report_add(struct report *r, const struct rep_result *res);

/* Prints the table to f. */
void report_print(const struct report *r, FILE *f);

struct rec_comparison;

/* Prints the paired differences of rows[0..n) (from cmp_rows: every variant >= 1 against variant
 * 0) to f, one block per variant: every /summary metric, and a fairness group's transplant rate
 * when its interval excludes 0; those whose interval excludes 0 first (marked *, largest |%
 * change| first), then the rest, then one line naming the metrics identical in every
 * replication. names[v] labels variant v. Nothing is printed when n is 0. */
void report_print_diffs(const struct rec_comparison *rows, size_t n, const char *const *names, FILE *f);

/* A metric of /comparison in words ("deaths on the list per year"), for code name `code`;
 * returns buf. */
const char *report_metric_words(const char *code, char *buf, size_t len);

#endif
