/* test_compare.c — paired comparisons against variant 0, hand-computed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

static void fill(struct rep_result *r, int variant, int rep, int heart_tx, int pancreas_tx)
{
    memset(r, 0, sizeof *r);
    r->variant = variant;
    r->replication = rep;
    for (int o = 0; o < ORGAN_N; o++) {
        r->summary[o].years = 2;
        r->summary[o].median_wait_days = NAN;
    }
    r->summary[ORGAN_HEART].transplants = heart_tx;
    r->summary[ORGAN_PANCREAS].transplants = pancreas_tx;
}

/* Three replications, two variants, transplants over 2 years:
 *   heart    v0: 100 120 110   v1: 100 120 110  -> per year 50 60 55 both; differences 0
 *   pancreas v0:  20  30  40   v1:  24  32  46  -> per year 10 15 20 vs 12 16 23; differences 2 1 3
 * Paired: mean 2, sd 1, t(0.975, 2) = 4.3027, half-width 4.3027 / sqrt(3) = 2.4841.
 * Base pancreas mean 15, sd 5, half-width 4.3027 x 5 / sqrt(3) = 12.4207. */
static void test_paired(void **state)
{
    (void)state;
    struct cmp *c = cmp_alloc(2);
    assert_non_null(c);
    const int h0[3] = {100, 120, 110}, p0[3] = {20, 30, 40}, p1[3] = {24, 32, 46};
    for (int rep = 0; rep < 3; rep++) {
        struct rep_result r;
        fill(&r, 0, rep, h0[rep], p0[rep]);
        cmp_add(c, &r);
        fill(&r, 1, rep, h0[rep], p1[rep]);
        cmp_add(c, &r);
    }
    struct rec_comparison *rows = NULL;
    size_t n = 0;
    assert_int_equal(cmp_rows(c, &rows, &n), 0);
    assert_int_equal(n, (size_t)ORGAN_N * cmp_n_metrics());
    const struct rec_comparison *heart = NULL, *panc = NULL, *median = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(rows[i].metric, "transplants_per_year")) {
            if (rows[i].program == ORGAN_HEART) heart = &rows[i];
            else panc = &rows[i];
        }
        if (!strcmp(rows[i].metric, "median_wait_days") && rows[i].program == ORGAN_HEART) median = &rows[i];
    }
    assert_non_null(heart);
    assert_non_null(panc);
    assert_int_equal(heart->variant, 1);
    assert_int_equal(heart->n, 3);
    assert_float_equal(heart->diff_mean, 0, 1e-12);
    assert_float_equal(heart->ci_low, 0, 1e-12);
    assert_float_equal(heart->ci_high, 0, 1e-12);
    assert_float_equal(panc->base_mean, 15, 1e-12);
    assert_float_equal(panc->mean, 17, 1e-12);
    assert_float_equal(panc->diff_mean, 2, 1e-12);
    assert_float_equal(panc->ci_low, 2 - 2.4841, 1e-3);
    assert_float_equal(panc->ci_high, 2 + 2.4841, 1e-3);
    assert_float_equal(panc->base_ci_low, 15 - 12.4207, 1e-3);
    /* Undefined on both sides (no transplants): no pairs, NaN results. */
    assert_int_equal(median->n, 0);
    assert_true(isnan(median->diff_mean));
    free(rows);
    cmp_free(c);
    cmp_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_paired)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
