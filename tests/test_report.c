/* test_report.c — the end-of-run summary: means and 95 % t intervals, hand-computed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "report.h"

/* Two replications with 10 and 20 heart transplants in one year: mean 15, sd 7.071,
 * t(0.975, 1) = 12.706, half-width 12.706 x 7.071 / sqrt(2) = 63.5. One replication alone has
 * no interval. A NaN median (no transplants) is left out, so the pancreas median is n/a. */
static void test_mean_and_ci(void **state)
{
    (void)state;
    const char *names[1] = {"base"};
    struct report *r = report_alloc(1, names);
    assert_non_null(r);
    struct rep_result a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (int o = 0; o < ORGAN_N; o++) {
        a.summary[o].years = b.summary[o].years = 1;
        a.summary[o].median_wait_days = b.summary[o].median_wait_days = o == ORGAN_HEART ? 100 : 0.0 / 0.0;
    }
    a.summary[ORGAN_HEART].transplants = 10;
    b.summary[ORGAN_HEART].transplants = 20;
    report_add(r, &a);
    report_add(r, &b);
    char buf[4096] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_print(r, f);
    fclose(f);
    assert_non_null(strstr(buf, "mean over 2 replications"));
    const char *line = strstr(buf, "transplants per year");
    assert_non_null(line);
    assert_non_null(strstr(line, "15.0 ± 63.5"));
    const char *med = strstr(buf, "median wait");
    assert_non_null(strstr(med, "100.0 ± 0.0"));
    assert_non_null(strstr(med, "n/a"));
    report_free(r);
    report_free(NULL);
}

/* The differences: an interval that excludes 0 comes first (the larger |% change| before the
 * smaller), then the others in table order; identical rows fold into one line; % change is of
 * variant 0's mean. */
static void test_diffs(void **state)
{
    (void)state;
    struct rec_comparison rows[5];
    memset(rows, 0, sizeof rows);
    const char *codes[5] = {"transplants_per_year", "deaths_waiting_per_year", "removed_per_year",
                            "median_wait_days", "transplants_per_year"};
    for (int i = 0; i < 5; i++) {
        rows[i].variant = 1;
        rows[i].program = i < 3 ? 0 : 1;
        rows[i].n = 20;
        rows[i].base_mean = 100;
        snprintf(rows[i].metric, sizeof rows[i].metric, "%s", codes[i]);
    }
    rows[0].diff_mean = 1, rows[0].ci_low = -1, rows[0].ci_high = 3;      /* includes 0 */
    rows[1].diff_mean = -5, rows[1].ci_low = -8, rows[1].ci_high = -2;    /* excludes 0, -5 % */
    rows[2].diff_mean = 10, rows[2].ci_low = 2, rows[2].ci_high = 18;     /* excludes 0, +10 % */
    /* rows[3]: identical in every replication (all zero) */
    rows[4].diff_mean = 0.5, rows[4].ci_low = -1, rows[4].ci_high = 2;    /* pancreas, includes 0 */
    const char *names[2] = {"base", "alt"};
    char buf[4096] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_print_diffs(rows, 5, names, f);
    fclose(f);
    const char *head = strstr(buf, "variant 1 (alt), 20 replications: 2 differences");
    const char *rem = strstr(buf, "* heart: removals from the list per year");
    const char *dea = strstr(buf, "* heart: deaths on the list per year");
    const char *tx = strstr(buf, "  heart: transplants per year");
    const char *same = strstr(buf, "identical in every replication: pancreas: median wait to transplant, days\n");
    assert_non_null(head);
    assert_non_null(rem);
    assert_non_null(dea);
    assert_non_null(tx);
    assert_non_null(same);
    assert_true(head < rem && rem < dea && dea < tx && tx < same);
    assert_non_null(strstr(rem, "+10.00 [+2.00, +18.00]"));
    assert_non_null(strstr(rem, "+10.0 %"));
    assert_non_null(strstr(dea, "-5.0 %"));
    assert_null(strstr(buf, "* heart: transplants per year"));
    char w[96];
    assert_string_equal(report_metric_words("tx_rate_abo_AB", w, sizeof w),
                        "transplant rate per patient-year, blood group AB");
    assert_string_equal(report_metric_words("tx_rate_region_nord", w, sizeof w),
                        "transplant rate per patient-year, region Nord");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mean_and_ci), cmocka_unit_test(test_diffs)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
