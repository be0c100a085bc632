/* report.h — the short summary printed after a run: per variant and programme, the mean over
 * replications of the main /summary figures with a 95 % confidence interval. Running statistics
 * (GSL rstat), so memory does not grow with the number of replications. */
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

#endif
