/* branch.h — what `wlsim run --branch` requires of its variants.
 *
 * Under --branch every variant continues one shared warm-up (sim_run_branch, sim.h), simulated
 * under variant 0's rules, so the variants may differ only in what a rule change on a date can
 * change: the policies (`policy.<organ>.*`), and their `name` and `description`. Everything
 * else (the horizon, the population and its source, the disease and acceptance models under
 * `model.<organ>.*`, the seed, the RNG, the run settings) must be the same as variant 0's. */
#ifndef WLSIM_BRANCH_H
#define WLSIM_BRANCH_H

#include "err.h"
#include "scenario.h"

/* Checks that variants[1..n) differ from variants[0] only in policy.*, name and description.
 * Returns 0, or ERR_INPUT with a message in e naming the variant's file, the first key (in
 * parameter-table order, then seed and the replay files) that differs, both values and why it
 * may not differ; ERR_INTERNAL on allocation failure. */
int branch_check(const struct scenario *const *variants, int n, struct err *e);

#endif
