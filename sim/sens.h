/* sens.h — which uncertain parameter each paired difference depends on (`--uncertainty`).
 *
 * For every variant (against variant 0), programme and metric of /comparison, the paired
 * difference of each replication is kept together with that replication's parameter draws. At
 * the end, per comparison and parameter, the partial rank correlation coefficient (PRCC: rank
 * both, remove the linear effect of the other parameters' ranks from each by least squares, and
 * correlate the residuals) with a 95 % interval from Fisher's z (standard error
 * 1 / sqrt(n - 3 - (k - 1)) for k parameters), and the spread of the difference over the draws.
 * GSL does the sorting, the regressions and the statistics.
 *
 * Results must be added in work-item order (replication-major, variant 0 first). Memory:
 * replications x (variants - 1) x programmes x metrics doubles, plus the draws. */
#ifndef WLSIM_SENS_H
#define WLSIM_SENS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "psa.h"
#include "sim.h"

/* One row of /sensitivity. */
REC_STRUCT(rec_sens, REC_SENS); /* fields: sim/rec.h */

/* One row of /uncertainty: the paired difference over the parameter draws. */
REC_STRUCT(rec_unc, REC_UNC); /* fields: sim/rec.h */

/* PRCC of y with each of the k columns of x (n rows, row-major) into r[k], with the Fisher-z 95 %
 * interval [lo[j], hi[j]]; NaN where undefined (y or a column without spread once the others are
 * removed, n < k + 2, or n too small for the interval). Returns 0, or -1 out of memory. */
int sens_prcc(const double *y, const double *x, size_t n, size_t k, double *r, double *lo, double *hi);

struct sens;

/* Collects n_variants variants over `replications` replications of p's parameters (p must
 * outlive it). NULL out of memory. */
struct sens *sens_alloc(int n_variants, int replications, const struct psa *p);
void sens_free(struct sens *s);

/* Adds one work item's result; `draws` are its replication's psa_draw values (read for
 * variant 0 only). */
void sens_add(struct sens *s, const struct rep_result *r, const double *draws);

/* The /sensitivity rows (variants 1.. x programmes x metrics x parameters) and /uncertainty rows
 * (variants 1.. x programmes x metrics) over the replications added, as new arrays (free()).
 * Returns 0, or -1 out of memory. */
int sens_rows(const struct sens *s, struct rec_sens **rows, size_t *n, struct rec_unc **urows, size_t *nu);

/* Prints, per comparison of the main metrics whose difference varies, its spread over the draws,
 * how often its sign holds, and the parameter it depends on most (or that none stands out, when
 * the largest PRCC's interval includes 0). */
void sens_print(const struct rec_unc *u, size_t nu, const struct rec_sens *rows, size_t n,
                const char *const *variant_names, FILE *f);

#endif
